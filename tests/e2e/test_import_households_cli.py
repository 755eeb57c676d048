"""``import-households`` run as a clerk's script runs it, on a demo village: the same JSON contract and exit codes
as ``import-members``, --dry-run, --update and --report."""

import json
import sqlite3

import openpyxl
import pytest

from partybuild_desktop import paths
from tests.helpers import assert_import_json_shape, cli


def query(folder, sql, *params):
    with sqlite3.connect(paths.data_file(folder)) as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """A demo village with 30 members (and their households), made once by the command line."""
    folder = tmp_path_factory.mktemp("demo")
    result = cli("--data-dir", str(folder), "demo", "--members", "30")
    assert result.returncode == 0, result.stderr
    return paths.data_file(folder)


@pytest.fixture
def folder(demo_file, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    paths.data_file(data).write_bytes(demo_file.read_bytes())
    return data


@pytest.fixture
def liaison(folder):
    """The name of a member whom no other member of the village shares."""
    return query(folder, "SELECT name FROM member WHERE archived = 0 GROUP BY name HAVING count(*) = 1 "
                         "ORDER BY min(id) LIMIT 1")[0][0]


def household_list(path, rows):
    """A list with a title row and a unit line above the header, as clerks' files have."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "农户花名册"
    ws.merge_cells("A1:H1")
    ws["A2"] = "填报单位：村民委员会"
    ws.append(["序号", "户主姓名", "村民小组", "家庭住址", "联系电话", "家庭人口", "联系党员", "类型"])  # row 3
    for number, row in enumerate(rows, start=1):
        ws.append([number, *row])
    ws.append(["合计", f"{len(rows)}户"])
    wb.save(path)
    return path


def count(folder):
    return query(folder, "SELECT count(*) FROM household")[0][0]


def run_json(folder, *args):
    result = cli("--data-dir", str(folder), "import-households", *map(str, args), "--json")
    return result, json.loads(result.stdout)  # one JSON object and nothing else


def good_rows(liaison):
    return [("新户甲", "1组", "新村路1号", "13812345678", 4, liaison, "困难家庭、留守儿童"),
            ("新户乙", "2组", "新村路2号", None, "3人", None, None)]


def test_a_clean_list_is_imported_with_exit_0(folder, tmp_path, liaison):
    before = count(folder)
    result, data = run_json(folder, household_list(tmp_path / "农户.xlsx", good_rows(liaison)))
    assert result.returncode == 0, result.stderr
    assert_import_json_shape(data)
    assert (data["imported"], data["updated"], data["refused"], data["warnings"]) == (2, 0, [], [])
    assert count(folder) == before + 2
    [(phone, size, hardship, children, member)] = query(
        folder, "SELECT h.phone, h.size, h.hardship, h.left_behind_children, m.name FROM household h "
                "JOIN member m ON m.id = h.liaison_member_id WHERE h.head_name = '新户甲'")
    assert (phone, size, hardship, children, member) == ("13812345678", 4, 1, 1, liaison)


def test_refused_rows_give_exit_3_and_the_good_rows_are_imported(folder, tmp_path, liaison):
    before = count(folder)
    path = household_list(tmp_path / "农户.xlsx", [
        good_rows(liaison)[0],                                   # row 4
        (None, "1组", "新村路3号", None, 2, None, None),          # row 5: no head of household
        ("新户甲", "一组", "新村路１号", None, None, None, None),   # row 6: row 4 again
        ("新户丙", "3组", "新村路4号", "12345", "很多", "查无此人", "困难家庭、外来户"),  # row 7: warnings only
    ])
    result, data = run_json(folder, path)
    assert result.returncode == 3, result.stderr
    assert_import_json_shape(data)
    assert (data["imported"], data["updated"]) == (2, 0)
    assert [(e["row"], e["code"]) for e in data["refused"]] == [(5, "missing_household_head"), (6, "duplicate_household")]
    assert data["refused"][0]["message"].startswith("第 5 行「户主姓名」：")
    assert [(e["row"], e["code"]) for e in data["warnings"]] == [
        (7, "phone_format"), (7, "size_invalid"), (7, "care_type_unknown"), (7, "liaison_unknown")]
    assert count(folder) == before + 2


def test_a_registered_household_needs_update(folder, tmp_path, liaison):
    [(head, group, address, hid)] = query(folder, "SELECT head_name, villager_group, address, id FROM household "
                                                  "ORDER BY id LIMIT 1")
    before = count(folder)
    path = household_list(tmp_path / "农户.xlsx", [(head, group, address, "13900001111", 6, None, "特殊人群"),
                                                   good_rows(liaison)[1]])
    result, data = run_json(folder, path)
    assert result.returncode == 3
    assert [(e["row"], e["code"]) for e in data["refused"]] == [(4, "duplicate_household")]
    assert "--update" in data["refused"][0]["message"]
    assert data["imported"] == 1 and count(folder) == before + 1

    result, data = run_json(folder, path, "--update")  # both households are registered now
    assert result.returncode == 0, data
    assert (data["imported"], data["updated"], data["refused"]) == (0, 2, [])
    assert count(folder) == before + 1
    assert query(folder, "SELECT phone, size, special, hardship FROM household WHERE id = ?", hid) == [
        ("13900001111", 6, 1, 0)]


def test_dry_run_writes_nothing(folder, tmp_path, liaison):
    before = count(folder)
    path = household_list(tmp_path / "农户.xlsx", [*good_rows(liaison), (None, "1组", "x", None, None, None, None)])
    result, data = run_json(folder, path, "--dry-run")
    assert result.returncode == 3
    assert data["imported"] == 2 and len(data["refused"]) == 1  # what an import would do
    assert count(folder) == before
    text = cli("--data-dir", str(folder), "import-households", str(path), "--dry-run")
    assert text.returncode == 3 and "没有写入任何数据" in text.stdout and "可新增 2 户" in text.stdout
    assert count(folder) == before


def test_report_holds_the_refused_rows_and_imports_once_fixed(folder, tmp_path, liaison):
    before = count(folder)
    path = household_list(tmp_path / "农户.xlsx", [good_rows(liaison)[0], (None, "1组", "新村路9号", None, 2, None, None)])
    out = tmp_path / "未导入.xlsx"
    result, data = run_json(folder, path, "--report", out)
    assert result.returncode == 3
    assert str(out) in result.stderr  # with --json, stdout holds only the JSON
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert [c.value for c in ws[1]] == ["序号", "户主姓名", "村民小组", "家庭住址", "联系电话", "家庭人口", "联系党员", "类型",
                                        "原行号", "问题"]
    assert ws.max_row == 2 and ws["D2"].value == "新村路9号" and ws["I2"].value == 5
    assert "户主姓名" in ws["J2"].value

    ws["B2"] = "新户丁"
    wb.save(out)
    result, data = run_json(folder, out)
    assert result.returncode == 0 and (data["imported"], data["refused"]) == (1, [])
    assert count(folder) == before + 2


@pytest.mark.parametrize("name, content", [("坏.xlsx", b"PK\x03\x04 broken"), ("空.xlsx", None)])
def test_an_unreadable_file_gives_exit_2(folder, tmp_path, name, content):
    before = count(folder)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result, data = run_json(folder, path)
    assert result.returncode == 2
    assert set(data) == {"error"} and data["error"] in result.stderr
    plain = cli("--data-dir", str(folder), "import-households", str(path))
    assert plain.returncode == 2 and plain.stdout == "" and plain.stderr.strip()
    assert count(folder) == before


def test_a_members_roster_is_not_a_household_list(folder, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号码", "联系电话", "家庭住址"])
    wb.active.append(["张三", "320482196503121234", "13812345678", "东湖村1组"])
    path = tmp_path / "党员.xlsx"
    wb.save(path)
    result, data = run_json(folder, path)
    assert result.returncode == 2 and "户主姓名" in data["error"]


def test_plain_output_counts_households(folder, tmp_path, liaison):
    path = household_list(tmp_path / "农户.xlsx", [good_rows(liaison)[0], (None, "1组", "x", None, None, None, None)])
    result = cli("--data-dir", str(folder), "import-households", str(path))
    assert result.returncode == 3
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("已导入：新增 1 户，更新 0 户；有 1 行没有导入")
    assert lines[1].startswith("未导入：第 5 行")
