"""``import-dues FILE --year Y`` run as a clerk's script runs it: the JSON contract
(``{"imported", "refused", "warnings"}``), exit codes 0 / 3 / 2, --dry-run, --report, and the result read back
through ``dues status --year Y --as-of Y-12 --json``."""

import json
import sqlite3

import openpyxl
import pytest

from partybuild_desktop import paths
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services.members import MemberForm, save_member
from tests import helpers
from tests.helpers import cli, make_id
from tests.unit.test_dues_import import CHEN_1, HEADERS, ZHENG_1, ZHENG_2, messy_register

YEAR = 2026  # in the past or this year whenever the suite runs from 2026 on

MEMBERS = [("张三", MemberCategory.EMPLOYED, None), ("李四", MemberCategory.FARMER, None),
           ("王五", MemberCategory.FARMER, None), ("赵六", MemberCategory.FARMER, None),
           ("刘七", MemberCategory.EMPLOYED, None), ("陈八", MemberCategory.FARMER, CHEN_1),
           ("陈八", MemberCategory.FARMER, None), ("周十", MemberCategory.FARMER, None),
           ("吴十一", MemberCategory.EMPLOYED, None), ("郑十二", MemberCategory.FARMER, ZHENG_1),
           ("郑十二", MemberCategory.FARMER, ZHENG_2)]


@pytest.fixture
def folder(tmp_path):
    data = tmp_path / "data"
    store = helpers.new_store(data)
    with store.session() as session:
        village_id = helpers.village(session, "东湖村", township="白马镇")
        for name, category, number in MEMBERS:
            save_member(session, village_id, MemberForm(name=name, category=category, id_number=number))
    store.dispose()
    return data


def query(folder, sql, *params):
    with sqlite3.connect(paths.data_file(folder)) as db:
        return db.execute(sql, params).fetchall()


def counts(folder):
    return query(folder, "SELECT (SELECT count(*) FROM dues_assessment), (SELECT count(*) FROM dues_payment)")[0]


def run(folder, *args):
    return cli("--data-dir", str(folder), "import-dues", *map(str, args), "--year", YEAR)


def run_json(folder, *args):
    result = run(folder, *args, "--json")
    return result, json.loads(result.stdout)  # one JSON object and nothing else


def status(folder):
    """(name, ID number) -> the member's line of ``dues status``; same-named members told apart by their order."""
    result = cli("--data-dir", str(folder), "dues", "status", "--year", YEAR, "--as-of", f"{YEAR}-12", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    numbers = [n for (n,) in query(folder, "SELECT id_number FROM member ORDER BY id")]
    return data, {(line["name"], number): line for line, number in zip(data["members"], numbers)}


def assert_shape(data):
    assert set(data) == {"imported", "refused", "warnings"} and isinstance(data["imported"], int)
    for entry in data["refused"] + data["warnings"]:
        assert set(entry) == {"row", "code", "message"}
        assert isinstance(entry["row"], int) and isinstance(entry["code"], str) and isinstance(entry["message"], str)


def arrears(lines):
    return {key: (line["kind"], line["monthly_fen"], line["paid_fen"], line["arrears_months"], line["warning"])
            for key, line in lines.items()}


EXPECTED = {
    ("张三", None): ("在职", 4000, 40000, 2, "none"),
    ("李四", None): ("离退休", 2000, 24000, 0, "none"),
    ("王五", None): ("农民", 50, 300, 6, "serious"),
    ("赵六", None): ("学生", 20, 240, 0, "none"),
    ("刘七", None): ("在职", 2000, 23500, 0, "none"),
    ("陈八", CHEN_1): ("农民", 50, 0, 12, "serious"),  # refused rows write nothing: a farmer owes the village's amount
    ("陈八", None): ("农民", 50, 0, 12, "serious"),
    ("周十", None): ("农民", 50, 0, 12, "serious"),
    ("吴十一", None): (None, 0, 0, 0, "none"),  # in work and not assessed: owes nothing yet
    ("郑十二", ZHENG_1): ("农民", 50, 0, 12, "serious"),
    ("郑十二", ZHENG_2): ("失业", 20, 240, 0, "none"),
}


def test_the_messy_register_imports_with_exit_3_and_gives_the_expected_arrears(folder, tmp_path):
    result, data = run_json(folder, messy_register(tmp_path / "党费收缴登记表.xlsx"))
    assert result.returncode == 3, result.stderr
    assert_shape(data)
    assert data["imported"] == 6
    assert [(p["row"], p["code"]) for p in data["refused"]] == [
        (9, "member_ambiguous"), (10, "member_unknown"), (11, "amount_unparseable"), (12, "base_missing")]
    assert "“3月”列的“二十”" in data["refused"][2]["message"]
    assert [(p["row"], p["code"]) for p in data["warnings"]] == [
        (8, "amount_differs_from_rule"), (8, "payment_differs_from_due")]
    totals, lines = status(folder)
    assert arrears(lines) == EXPECTED
    assert lines[("张三", None)]["base_fen"] == 400000 and lines[("赵六", None)]["base_fen"] is None
    assert totals["totals"]["members"] == len(MEMBERS)


def test_importing_it_again_writes_nothing_new_and_refuses_only_the_same_rows(folder, tmp_path):
    path = messy_register(tmp_path / "党费.xlsx")
    run_json(folder, path)
    before = counts(folder)
    result, data = run_json(folder, path)
    assert result.returncode == 3 and data["imported"] == 0 and counts(folder) == before
    assert [p["row"] for p in data["refused"]] == [9, 10, 11, 12]
    assert arrears(status(folder)[1]) == EXPECTED


def test_a_clean_register_imports_with_exit_0_and_again_with_exit_0(folder, tmp_path):
    path = messy_register(tmp_path / "党费.xlsx", [
        [1, "张三", None, "在职", 4000, None, *(["40元"] * 12), "480", "已交清"],
        [2, "郑十二", ZHENG_1, "个体", "6000元", None, *([90] * 3)],
        ["合计", None, None, None, None, None, *([None] * 12), "750", None]])
    result, data = run_json(folder, path)
    assert result.returncode == 0, result.stderr
    assert data == {"imported": 2, "refused": [], "warnings": []}
    again, data = run_json(folder, path)
    assert again.returncode == 0 and data["imported"] == 0 and data["refused"] == []
    assert {w["code"] for w in data["warnings"]} == {"month_already_paid"}
    lines = status(folder)[1]
    assert (lines[("张三", None)]["arrears_months"], lines[("郑十二", ZHENG_1)]["arrears_months"]) == (0, 9)
    assert lines[("郑十二", ZHENG_1)]["monthly_fen"] == 9000  # 6000 × 1.5 %


def test_dry_run_writes_nothing(folder, tmp_path):
    result, data = run_json(folder, messy_register(tmp_path / "党费.xlsx"), "--dry-run")
    assert result.returncode == 3 and data["imported"] == 6 and len(data["refused"]) == 4
    assert counts(folder) == (0, 0)
    text = run(folder, messy_register(tmp_path / "党费2.xlsx"), "--dry-run")
    assert text.returncode == 3 and "没有写入任何数据" in text.stdout and "可新增 6 名" in text.stdout
    assert "更新" not in text.stdout.splitlines()[0]
    assert counts(folder) == (0, 0)


def test_the_report_lists_the_refused_rows_and_imports_again_once_fixed(folder, tmp_path):
    report = tmp_path / "问题清单.xlsx"
    result, data = run_json(folder, messy_register(tmp_path / "党费.xlsx"), "--report", report)
    assert result.returncode == 3 and "问题清单" in result.stderr
    wb = openpyxl.load_workbook(report)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:len(HEADERS)] == HEADERS and header[-2:] == ["原行号", "问题"]
    rows = {ws.cell(row=r, column=2).value: r for r in range(2, ws.max_row + 1)}
    assert set(rows) == {"陈八", "孙九", "周十", "吴十一"}
    assert [ws.cell(row=r, column=len(header) - 1).value for r in sorted(rows.values())] == [9, 10, 11, 12]
    assert "二十" in ws.cell(row=rows["周十"], column=len(header)).value
    ws.cell(row=rows["周十"], column=HEADERS.index("3月") + 1, value="10")
    ws.cell(row=rows["陈八"], column=HEADERS.index("身份证号") + 1, value=CHEN_1)
    ws.cell(row=rows["吴十一"], column=HEADERS.index("缴费基数") + 1, value="2000")
    ws.delete_rows(rows["孙九"])
    wb.save(report)
    again, data = run_json(folder, report)
    assert again.returncode == 0, data
    assert data == {"imported": 3, "refused": [], "warnings": []}
    lines = status(folder)[1]
    fixed = {key: lines[key]["arrears_months"] for key in [("周十", None), ("陈八", CHEN_1), ("吴十一", None)]}
    assert fixed == {("周十", None): 0, ("陈八", CHEN_1): 0, ("吴十一", None): 0}
    assert lines[("陈八", None)]["arrears_months"] == 12


def test_a_csv_register_imports(folder, tmp_path):
    path = tmp_path / "党费.csv"
    path.write_text("党费收缴登记表\n序号,姓名,类别,月收入,一月,二月,三月,备注\n1,张三,在职,4000,40,40元,,\n", encoding="gb18030")
    result, data = run_json(folder, path)
    assert result.returncode == 0 and data == {"imported": 1, "refused": [], "warnings": []}
    assert status(folder)[1][("张三", None)]["paid_fen"] == 8000


@pytest.mark.parametrize("content, words", [
    ("这不是表格，只是一段文字。", "无法读取"),
    (None, "不像党费收缴登记表"),
])
def test_a_file_that_cannot_be_used_exits_2_in_chinese(folder, tmp_path, content, words):
    if content is None:
        path = helpers.workbook(tmp_path / "花名册.xlsx", [["姓名", "身份证号"], ["张三", make_id()]])
    else:
        path = tmp_path / "党费.xlsx"
        path.write_text(content, encoding="utf-8")
    result = run(folder, path)
    assert result.returncode == 2 and words in result.stderr and result.stdout == ""
    result, data = run_json(folder, path)
    assert result.returncode == 2 and words in data["error"]
    assert counts(folder) == (0, 0)


def test_the_year_is_required(folder, tmp_path):
    result = cli("--data-dir", str(folder), "import-dues", messy_register(tmp_path / "党费.xlsx"))
    assert result.returncode == 2 and "--year" in result.stderr
    assert counts(folder) == (0, 0)
