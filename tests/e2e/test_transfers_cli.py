"""The commands of 组织关系 and 后备干部 run as a clerk's script runs them: a letter out, its 回执, a transfer
in, the register, the 介绍信 PDF; the reserve cadres added, listed against the target and renewed; JSON,
and refusals (exit 2, nothing written)."""

import datetime as dt
import json
import sqlite3

import pytest

from tests.helpers import cli, make_id, pdf_text

# A few days ago (the commands refuse dates after the real today), so the letter is still valid.
WHEN = dt.date.today() - dt.timedelta(days=5)
YEAR, DAY = WHEN.year, WHEN.isoformat()
TO = "中共某县某镇某村支部委员会"


@pytest.fixture
def folder(store, data_folder):
    from tests.helpers import member, village

    with store.session() as session:
        village_id = village(session, name="东湖村")
        member(session, village_id, "张建国", id_number=make_id("19800312"), joined_date=dt.date(2005, 7, 1))
        member(session, village_id, "王书记")
        session.commit()
    store.dispose()  # the commands open the data file themselves
    return data_folder


def run(folder, *args):
    return cli("--data-dir", folder, *args)


def rows(folder, sql, *params):
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def test_a_letter_out_its_receipt_and_a_transfer_in(folder, tmp_path):
    result = run(folder, "transfer", "out", "--member", "张建国", "--to", TO, "--date", DAY, "--dues-paid-to",
                 f"{YEAR}-{WHEN.month:02d}", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["letter"], out["valid_days"], out["state"], out["dues_paid_to"]) == (f"{YEAR}-001", 90, "待回执", f"{YEAR}-{WHEN.month:02d}")
    assert out["expires_on"] == (WHEN + dt.timedelta(days=90)).isoformat()
    assert rows(folder, "select archived from member where name = '张建国'") == [(0,)]

    letter = tmp_path / "介绍信.pdf"
    result = run(folder, "export", "transfer-letter", "--member", "张建国", "--out", letter)
    assert result.returncode == 0, result.stderr
    text = pdf_text(letter)
    assert "存" in text and "回执" in text and TO in text and "玖拾天" in text

    result = run(folder, "transfer", "receipt", "--member", "张建国", "--date", DAY, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "已收到回执"
    assert rows(folder, "select archived, departure from member where name = '张建国'") == [(1, "transferred_out")]

    result = run(folder, "transfer", "in", "--name", "周新来", "--from", "中共某县某镇另一村支部委员会", "--date", DAY,
                 "--letter", "L-9", "--joined", "2015-06-01", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "已转入"
    result = run(folder, "transfer", "in", "--name", "马新华", "--from", "中共某县某镇另一村支部委员会", "--date", DAY,
                 "--letter", "L-10", "--ethnicity", "回族")
    assert result.returncode == 0, result.stderr
    assert rows(folder, "select name, ethnicity from member where name in ('周新来', '马新华') order by id") == [
        ("周新来", None), ("马新华", "回族")]  # not given: left empty, never 汉族 by default
    for extra in (("--phone", "13812345678"), ("--id-number", make_id("19800312")), ("--group", "第一党小组"),
                  ("--probationary",)):
        result = run(folder, "transfer", "in", "--member", "张建国", "--from", TO, "--date", DAY, "--letter", "R-1",
                     *extra)
        assert result.returncode == 2 and extra[0] in result.stderr and "不能和 --member" in result.stderr
    assert rows(folder, "select archived from member where name = '张建国'") == [(1,)]
    result = run(folder, "transfer", "in", "--member", "张建国", "--from", TO, "--date", DAY, "--letter", "R-1")
    assert result.returncode == 0, result.stderr and "已恢复在册" in result.stdout
    assert rows(folder, "select archived from member where name = '张建国'") == [(0,)]

    listed = json.loads(run(folder, "transfers", "--year", str(YEAR), "--json").stdout)
    assert [(t["direction"], t["member"]) for t in listed["transfers"]] == [
        ("out", "张建国"), ("in", "周新来"), ("in", "马新华"), ("in", "张建国")]
    register = tmp_path / "登记簿.xlsx"
    assert run(folder, "export", "transfers", "--year", str(YEAR), "--out", register).returncode == 0


def test_refusals_write_nothing(folder):
    before = rows(folder, "select count(*) from organisation_transfer")
    result = run(folder, "transfer", "out", "--member", "李四", "--to", TO, "--date", DAY, "--json")
    assert result.returncode == 2 and "没有在册党员“李四”" in json.loads(result.stdout)["error"]
    result = run(folder, "transfer", "out", "--member", "张建国", "--to", TO, "--date", DAY, "--valid-days", "0")
    assert result.returncode == 2 and "1 到 365" in result.stderr
    result = run(folder, "transfer", "receipt", "--member", "张建国", "--date", DAY)
    assert result.returncode == 2 and "没有等待回执的介绍信" in result.stderr
    result = run(folder, "transfer", "in", "--name", "周新来", "--from", TO, "--date", "2999-01-01", "--letter", "X")
    assert result.returncode == 2 and "晚于今天" in result.stderr
    assert rows(folder, "select count(*) from organisation_transfer") == before
    result = run(folder, "transfer", "out", "--member", "张建国", "--to", TO, "--date", DAY, "--dues-paid-to", "一月")
    assert result.returncode == 2 and "2026-10" in result.stderr


def test_reserve_cadres_add_list_and_renew(folder, tmp_path):
    result = run(folder, "reserve-cadre", "add", "--year", str(YEAR), "--name", "陈致富", "--gender", "男",
                 "--birth-year", "1988", "--education", "大专", "--phone", "13812345678", "--source", "致富能手",
                 "--trainer", "王书记", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["count"] == 1 and json.loads(result.stdout)["target"] == 16
    result = run(folder, "reserve-cadre", "add", "--year", str(YEAR), "--name", "陈致富", "--birth-year", "1988")
    assert result.returncode == 2 and "已经有“陈致富”" in result.stderr
    assert run(folder, "reserve-cadre", "edit", "--year", str(YEAR), "--name", "陈致富", "--strengths", "种植大户").returncode == 0

    listed = json.loads(run(folder, "reserve-cadres", "--year", str(YEAR), "--json").stdout)
    assert (listed["count"], listed["target"], listed["short"]) == (1, 16, 15)
    (cadre,) = listed["cadres"]
    assert (cadre["name"], cadre["source"], cadre["trainer"], cadre["strengths"]) == ("陈致富", "致富能手", "王书记", "种植大户")
    assert rows(folder, "select count(*) from member") == [(2,)]  # not a member

    renewed = json.loads(run(folder, "reserve-cadres", "renew", "--year", str(YEAR), "--json").stdout)
    assert (renewed["year"], renewed["carried"], renewed["already"]) == (YEAR + 1, 1, 0)
    roster = tmp_path / "名册.xlsx"
    assert run(folder, "export", "reserve-cadres", "--year", str(YEAR + 1), "--out", roster).returncode == 0
    assert run(folder, "reserve-cadre", "remove", "--year", str(YEAR + 1), "--name", "陈致富").returncode == 0
    assert json.loads(run(folder, "reserve-cadres", "--year", str(YEAR + 1), "--json").stdout)["count"] == 0

