"""``import-members`` run as a clerk's script runs it: the JSON contract, exit codes, --dry-run, --update, --report."""

import datetime as dt
import json
import sqlite3

import openpyxl
import pytest

from partybuild_desktop import paths
from tests.helpers import assert_import_json_shape, cli, make_id, new_store, village, wrong_check_digit

NEXT_YEAR = dt.date.today().year + 1


ID_A = make_id("19650312", 131)
ID_B = make_id("19700515", 222)
ID_C = make_id("19800808", 313)  # all digits, so it can be written as a number
ID_D = make_id("19581001", 413)
ID_E = make_id("19620202", 515)
ID_F = make_id("19770707", 617)


@pytest.fixture
def folder(tmp_path):
    """A data folder with one empty village."""
    data = tmp_path / "data"
    store = new_store(data)
    with store.session() as session:
        village(session, "东湖村", township="白马镇")
    store.dispose()
    return data


def roster(path, rows):
    """A roster with a title row and a unit line above the header, as clerks' files have."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "东湖村党员花名册"
    ws.merge_cells("A1:E1")
    ws["A2"] = "填报单位：东湖村党支部"
    ws.append(["序号", "姓名", "身份证号码", "入党时间", "党员类别"])  # row 3
    for number, row in enumerate(rows, start=1):
        ws.append([number, *row])
    wb.save(path)
    return path


GOOD = [("张三", ID_A, "1990.07", "农民"), ("李四", ID_B, "1995-03-12", "在职")]


def members(folder):
    with sqlite3.connect(paths.data_file(folder)) as db:
        return dict(db.execute("SELECT id_number, name FROM member").fetchall())


def run_json(folder, *args):
    result = cli("--data-dir", str(folder), "import-members", *map(str, args), "--json")
    data = json.loads(result.stdout)  # one JSON object and nothing else
    return result, data


def test_a_clean_file_is_imported_with_exit_0(folder, tmp_path):
    path = roster(tmp_path / "名册.xlsx", GOOD)
    result, data = run_json(folder, path)
    assert result.returncode == 0, result.stderr
    assert_import_json_shape(data)
    assert (data["imported"], data["updated"], data["refused"]) == (2, 0, [])
    assert members(folder) == {ID_A: "张三", ID_B: "李四"}


def test_refused_rows_give_exit_3_and_the_good_rows_are_imported(folder, tmp_path):
    path = roster(tmp_path / "名册.xlsx", [
        GOOD[0],                                           # row 4
        ("王五", int(ID_C), "1990.07", "农民"),             # row 5: the ID number stored as a number
        ("赵六", wrong_check_digit(ID_D), "1990.07", "农民"),  # row 6: a wrong check digit
        (None, ID_E, "1990.07", "农民"),                   # row 7: no name
        ("钱七", ID_A, "1990.07", "农民"),                  # row 8: the number of row 4 again
        ("孙八", ID_B, f"{NEXT_YEAR}.03", "农民"),           # row 9: joined next year
        ("周九", ID_F, "某年", "农民"),                      # row 10: not a date
        ("吴十", "32048219", "1990.07", "农民"),             # row 11: too short
    ])
    result, data = run_json(folder, path)
    assert result.returncode == 3, result.stderr
    assert_import_json_shape(data)
    assert data["imported"] == 1 and data["updated"] == 0
    assert [(e["row"], e["code"]) for e in data["refused"]] == [
        (5, "id_number_mangled_by_excel"),
        (6, "id_number_checksum"),
        (7, "missing_name"),
        (8, "duplicate_id_number"),
        (9, "date_in_future"),
        (10, "date_unparseable"),
        (11, "id_number_format"),
    ]
    assert data["refused"][0]["message"].startswith("第 5 行「身份证号码」：")
    assert members(folder) == {ID_A: "张三"}


def test_warnings_are_listed_per_problem(folder, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "身份证号", "出生日期"])
    ws.append(["张三", "女", ID_A, "1966-01-01"])  # both conflict with the ID number
    path = tmp_path / "w.xlsx"
    wb.save(path)
    result, data = run_json(folder, path)
    assert result.returncode == 0
    assert sorted((e["row"], e["code"]) for e in data["warnings"]) == [
        (2, "birth_date_conflicts_with_id"), (2, "gender_conflicts_with_id")]
    assert data["imported"] == 1


def test_an_existing_number_needs_update(folder, tmp_path):
    assert run_json(folder, roster(tmp_path / "a.xlsx", GOOD))[0].returncode == 0
    changed = roster(tmp_path / "b.xlsx", [("张三", ID_A, "1990.07", "流动"), ("王五", ID_C, "2001.07", "农民")])

    result, data = run_json(folder, changed)
    assert result.returncode == 3
    assert [(e["row"], e["code"]) for e in data["refused"]] == [(4, "duplicate_id_number")]
    assert "--update" in data["refused"][0]["message"]
    assert data["imported"] == 1

    result, data = run_json(folder, changed, "--update")  # both numbers are registered now
    assert result.returncode == 0
    assert (data["imported"], data["updated"], data["refused"]) == (0, 2, [])
    with sqlite3.connect(paths.data_file(folder)) as db:
        assert db.execute("SELECT count(*) FROM member").fetchone()[0] == 3
        assert db.execute("SELECT category FROM member WHERE id_number = ?", (ID_A,)).fetchone()[0] == "migrant"


def test_dry_run_writes_nothing(folder, tmp_path):
    path = roster(tmp_path / "名册.xlsx", [*GOOD, (None, ID_C, "1990.07", "农民")])
    result, data = run_json(folder, path, "--dry-run")
    assert result.returncode == 3
    assert data["imported"] == 2 and len(data["refused"]) == 1  # what an import would do
    assert members(folder) == {}
    with sqlite3.connect(paths.data_file(folder)) as db:
        assert db.execute("SELECT count(*) FROM member_event").fetchone()[0] == 0
    text = cli("--data-dir", str(folder), "import-members", str(path), "--dry-run")
    assert "没有写入任何数据" in text.stdout
    assert members(folder) == {}


def test_report_holds_the_refused_rows(folder, tmp_path):
    path = roster(tmp_path / "名册.xlsx", [GOOD[0], ("王五", int(ID_C), "1990.07", "农民")])
    out = tmp_path / "未导入.xlsx"
    result, data = run_json(folder, path, "--report", out)
    assert result.returncode == 3
    assert str(out) in result.stderr  # with --json, stdout holds only the JSON
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]] == ["序号", "姓名", "身份证号码", "入党时间", "党员类别", "原行号", "问题"]
    assert ws.max_row == 2
    assert ws["B2"].value == "王五" and ws["F2"].value == 5 and ws["C2"].number_format == "@"
    assert "文本格式" in ws["G2"].value


def test_no_report_when_nothing_was_refused(folder, tmp_path):
    out = tmp_path / "未导入.xlsx"
    path = roster(tmp_path / "a.xlsx", GOOD)
    result = cli("--data-dir", str(folder), "import-members", str(path), "--report", str(out))
    assert result.returncode == 0
    assert not out.exists()
    assert "没有未导入的行" in result.stdout


@pytest.mark.parametrize("name, content", [("坏.xlsx", b"PK\x03\x04 broken"), ("空.xlsx", None)])
def test_an_unreadable_file_gives_exit_2(folder, tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result, data = run_json(folder, path)
    assert result.returncode == 2
    assert set(data) == {"error"} and data["error"]
    assert data["error"] in result.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr)
    plain = cli("--data-dir", str(folder), "import-members", str(path))
    assert plain.returncode == 2 and plain.stdout == "" and plain.stderr.strip()
    assert members(folder) == {}


def test_a_sheet_without_a_header_gives_exit_2(folder, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["随便写的", "一些字"])
    path = tmp_path / "无表头.xlsx"
    wb.save(path)
    result, data = run_json(folder, path)
    assert result.returncode == 2 and "表头" in data["error"]


def test_plain_output_is_a_chinese_summary_and_one_problem_per_line(folder, tmp_path):
    path = roster(tmp_path / "名册.xlsx", [GOOD[0], ("王五", int(ID_C), "1990.07", "农民"), (None, ID_B, "1990.07", "农民")])
    result = cli("--data-dir", str(folder), "import-members", str(path))
    assert result.returncode == 3
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("已导入：新增 1 名，更新 0 名；有 2 行没有导入")
    assert lines[1].startswith("未导入：第 5 行") and lines[2].startswith("未导入：第 6 行")
