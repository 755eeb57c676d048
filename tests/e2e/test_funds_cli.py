"""The 党建经费 commands run as a clerk's script runs them: funds add and funds status, their JSON, warnings
and exit codes, and the 公示 exported from the catalogue."""

import datetime as dt
import json
import sqlite3

import pytest

from tests.helpers import cli, pdf_text

YEAR = dt.date.today().year - 1  # last year: the commands refuse dates after the real today


@pytest.fixture
def folder(store, data_folder):
    from tests.helpers import village

    with store.session() as session:
        village(session, name="东湖村")
    store.dispose()  # the commands open the data file themselves
    return data_folder


def run(folder, *args):
    return cli("--data-dir", folder, *args)


def rows(folder, sql, *params):
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def add(folder, *args):
    result = run(folder, "funds", "add", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_funds_add_and_status_round_trip(folder):
    budget = add(folder, "--date", f"{YEAR}-01-05", "--kind", "budget", "--amount", "12,000", "--item", "全年党员教育",
                 "--project", "党员教育")
    assert budget == {"id": budget["id"], "kind": "budget", "amount_fen": 1200000, "warnings": []}
    income = add(folder, "--date", f"{YEAR}-01-10", "--kind", "income", "--amount", "30000元", "--item", "县财政拨付",
                 "--source", "财政拨付")
    assert income["amount_fen"] == 3000000 and income["warnings"] == []
    spent = add(folder, "--date", f"{YEAR}-01-15", "--kind", "expense", "--amount", "2380.50", "--item", "学习资料",
                "--project", "党员 教育", "--voucher", "记-1", "--approved-by", "王书记", "--handled-by", "李会计")
    assert spent["warnings"] == []
    unbudgeted = add(folder, "--date", f"{YEAR}-01-20", "--kind", "expense", "--amount", "860", "--item", "宣传横幅",
                     "--project", "宣传", "--voucher", "记-2")
    assert [w["code"] for w in unbudgeted["warnings"]] == ["expense_without_budget"]
    assert "宣传" in unbudgeted["warnings"][0]["message"]
    stored = rows(folder, "SELECT kind, amount_fen, project, voucher_no, approved_by, handled_by FROM funds_entry "
                          "WHERE id = ?", spent["id"])
    assert stored == [("expense", 238050, "党员教育", "记-1", "王书记", "李会计")]
    assert rows(folder, "SELECT count(*), min(source) FROM audit_entry WHERE action LIKE '登记党建经费%'") == [(4, "cli")]

    result = run(folder, "funds", "status", "--year", str(YEAR), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["year"], data["budget_fen"], data["income_fen"], data["spent_fen"], data["balance_fen"]) == (
        YEAR, 1200000, 3000000, 324050, 3000000 - 324050)
    assert data["below_minimum"] is True
    assert [(p["project"], p["budget_fen"], p["spent_fen"], p["balance_fen"], p["over_budget"]) for p in data["projects"]] \
        == [("党员教育", 1200000, 238050, 961950, False), ("宣传", 0, 86000, -86000, True)]
    assert [(u["project"], u["item"], u["amount_fen"]) for u in data["unbudgeted"]] == [("宣传", "宣传横幅", 86000)]

    quarter = json.loads(run(folder, "funds", "status", "--year", str(YEAR), "--quarter", "1", "--json").stdout)
    assert quarter["quarter"] == 1 and quarter["spent_fen"] == 324050
    text = run(folder, "funds", "status", "--year", str(YEAR))
    assert text.returncode == 0 and "结余 26759.50 元" in text.stdout and "（无预算）" in text.stdout

    out = folder / "公示.pdf"
    exported = run(folder, "export", "funds", "--quarter", f"{YEAR}Q1", "--out", out)
    assert exported.returncode == 0, exported.stderr
    printed = pdf_text(out)
    assert "党建经费使用情况公示" in printed and "宣传横幅" in printed and "李会计" not in printed


@pytest.mark.parametrize("args, words", [
    (("--kind", "expense", "--amount", "0", "--item", "买书", "--project", "教育"), "金额应大于 0"),
    (("--kind", "expense", "--amount", "-5", "--item", "买书", "--project", "教育"), "金额应大于 0"),
    (("--kind", "expense", "--amount", "五十", "--item", "买书", "--project", "教育"), "不是金额"),
    (("--kind", "expense", "--amount", "50", "--item", "买书", "--project", "教育", "--voucher", "记" * 40), "凭证号"),
    (("--kind", "budget", "--amount", "50", "--item", "  ", "--project", "教育"), "请填写预算的内容"),
])
def test_unusable_input_exits_2_in_chinese_and_writes_nothing(folder, args, words):
    result = run(folder, "funds", "add", "--date", f"{YEAR}-01-02", *args, "--json")
    assert result.returncode == 2
    assert words in result.stderr and "没有写入任何数据" in result.stderr
    assert words in json.loads(result.stdout)["error"]
    assert rows(folder, "SELECT count(*) FROM funds_entry") == [(0,)]


def test_a_future_date_and_a_bad_date_are_refused(folder):
    later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    result = run(folder, "funds", "add", "--date", later, "--kind", "income", "--amount", "50", "--item", "拨付",
                 "--source", "其他")
    assert result.returncode == 2 and "晚于今天" in result.stderr
    bad = run(folder, "funds", "add", "--date", "2026-13-01", "--kind", "income", "--amount", "50", "--item", "x")
    assert bad.returncode == 2
    assert rows(folder, "SELECT count(*) FROM funds_entry") == [(0,)]


def test_the_kind_may_be_written_in_chinese(folder):
    spent = add(folder, "--date", f"{YEAR}-02-01", "--kind", "支出", "--amount", "50", "--item", "茶水", "--project", "主题党日")
    assert spent["kind"] == "expense"
    assert [w["code"] for w in spent["warnings"]] == ["expense_without_budget", "voucher_missing",
                                                      "spent_more_than_received"]
    wrong = run(folder, "funds", "add", "--date", f"{YEAR}-02-01", "--kind", "会餐", "--amount", "50", "--item", "x")
    assert wrong.returncode == 2 and "“会餐”不是经费类型" in wrong.stderr
    assert rows(folder, "SELECT count(*) FROM funds_entry") == [(1,)]
