"""``import-recruits FILE`` run as a clerk's script runs it: the members import's JSON object
(``{"imported", "updated", "refused", "warnings"}``), exit codes 0 / 3 / 2, --dry-run, --report, and the result
read back through ``recruits --json``."""

import datetime as dt
import json
import sqlite3

import openpyxl
import pytest

from partybuild_desktop import paths
from partybuild_desktop.services import recruitment
from tests import helpers
from tests.helpers import cli
from tests.unit.test_recruit_import import ZHOU, messy_ledger


@pytest.fixture
def folder(tmp_path):
    data = tmp_path / "data"
    store = helpers.new_store(data)
    with store.session() as session:
        village_id = helpers.village(session, "东湖村", township="白马镇")
        recruitment.create_case(session, village_id, recruitment.CaseForm(
            name="周杰", applied=dt.date(2023, 1, 10), id_number=ZHOU))
    store.dispose()
    return data


def count(folder, table):
    with sqlite3.connect(paths.data_file(folder)) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def run_json(folder, *args):
    result = cli("--data-dir", str(folder), "import-recruits", *map(str, args), "--json")
    return result, json.loads(result.stdout)  # one JSON object and nothing else


def recruits(folder):
    result = cli("--data-dir", str(folder), "recruits", "--json")
    assert result.returncode == 0, result.stderr
    return {p["name"]: p for p in json.loads(result.stdout)["people"]}


def test_dry_run_reports_and_writes_nothing(folder, tmp_path):
    path = messy_ledger(tmp_path / "发展党员台账.xlsx")
    result, data = run_json(folder, path, "--dry-run")
    assert result.returncode == 3, result.stderr
    assert set(data) == {"imported", "updated", "refused", "warnings"}
    assert (data["imported"], data["updated"]) == (4, 1)
    assert {(p["row"], p["code"]) for p in data["refused"]} == {(7, "dates_out_of_order"), (9, "date_unparseable")}
    assert all(set(p) == {"row", "code", "message"} for p in data["refused"] + data["warnings"])
    assert count(folder, "recruit_case") == 1 and count(folder, "member") == 0
    assert list(recruits(folder)) == ["周杰"]


def test_import_then_read_back_with_stages_and_breaches(folder, tmp_path):
    path = messy_ledger(tmp_path / "发展党员台账.xlsx")
    result, data = run_json(folder, path)
    assert result.returncode == 3, result.stderr
    assert (data["imported"], data["updated"]) == (4, 1)
    assert {(p["row"], p["code"]) for p in data["warnings"]} == {
        (5, "talk_after_one_month"), (6, "under_18_at_application"), (10, "activist_under_one_year"),
        (10, "introducers_fewer_than_two"), (11, "training_too_short"), (11, "publicity_too_short"),
        (11, "approval_after_three_months"), (11, "probation_overdue")}
    people = recruits(folder)
    assert {name: p["stage"] for name, p in people.items()} == {
        "王小明": "probation", "李红": "activist", "赵强": "applicant", "周杰": "candidate", "吴刚": "admission"}
    assert people["王小明"]["breaches"] == [] and people["王小明"]["next_step"] == "archived"
    assert people["李红"]["breaches"] == ["talk_after_one_month"]
    assert people["赵强"]["breaches"] == ["under_18_at_application"]
    assert set(people["周杰"]["breaches"]) == {"activist_under_one_year", "introducers_fewer_than_two"}
    assert set(people["吴刚"]["breaches"]) == {"training_too_short", "publicity_too_short",
                                             "approval_after_three_months", "probation_overdue"}
    assert count(folder, "member") == 2  # the 预备 member of ⑰ (吴刚) and the 正式 member of ㉔ (王小明)


def test_the_report_workbook_imports_once_fixed(folder, tmp_path):
    path = messy_ledger(tmp_path / "发展党员台账.xlsx")
    report = tmp_path / "问题清单.xlsx"
    result, data = run_json(folder, path, "--report", report)
    assert result.returncode == 3 and report.exists()
    wb = openpyxl.load_workbook(report)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert ws.max_row == 3 and "问题" in header and "原行号" in header
    for line in (2, 3):
        if ws.cell(line, header.index("姓名") + 1).value == "钱多":
            ws.cell(line, header.index("谈话时间") + 1).value = "2024.5.20"
        else:
            ws.cell(line, header.index("递交入党申请书时间") + 1).value = "2024年3月1日"
    wb.save(report)
    result, data = run_json(folder, report)
    assert result.returncode == 0, result.stderr
    assert (data["imported"], data["refused"]) == (2, [])
    people = recruits(folder)
    assert people["钱多"]["stage"] == "applicant" and people["孙丽"]["stage"] == "applicant"


def test_a_file_that_is_not_a_spreadsheet_exits_2_in_chinese(folder, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    result = cli("--data-dir", str(folder), "import-recruits", path)
    assert result.returncode == 2
    assert "无法读取" in result.stderr and "台账.xlsx" in result.stderr
    assert count(folder, "recruit_case") == 1


def test_a_clean_ledger_exits_0(folder, tmp_path):
    rows = [[1, "郑好", "女", None, None, "2025.6.3", "2025.6.20", None, None, None, None, None, None, None, None,
             None, None, None, None]]
    result, data = run_json(folder, messy_ledger(tmp_path / "a.xlsx", rows))
    assert result.returncode == 0, result.stderr
    assert data == {"imported": 1, "updated": 0, "refused": [], "warnings": []}
    assert recruits(folder)["郑好"]["next_step"] == "activist_named"
