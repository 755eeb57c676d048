"""The points commands, run as a clerk's script would run them."""

import datetime as dt
import json
import sqlite3

import pytest

from tests.helpers import cli, sheet_rows

YEAR = dt.date.today().year  # the demo village's records run up to today


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("points")
    made = cli("--data-dir", str(folder), "demo", "--members", "60", "--village", "柳塘村", "--seed", "5")
    assert made.returncode == 0, made.stderr
    return folder


def member_rows(folder):
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        return db.execute("SELECT id, name, id_number FROM member ORDER BY id").fetchall()


def test_points_explain_prints_the_trace_in_chinese(folder):
    member_id, name, id_number = next(r for r in member_rows(folder)
                                      if sum(x[1] == r[1] for x in member_rows(folder)) == 1)
    result = cli("--data-dir", str(folder), "points", "explain", "--year", str(YEAR), "--member", name)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"柳塘村{YEAR}年度党员积分明细：{name}")
    assert "基础分　100 分" in out and "合计　" in out and "排名第 " in out
    assert id_number not in out
    by_number = cli("--data-dir", str(folder), "points", "explain", "--year", str(YEAR), "--member", str(member_id))
    assert by_number.returncode == 0 and by_number.stdout == out
    # The printed lines add up to the printed total.
    import re

    total = float(re.search(r"合计　([-\d.]+) 分", out).group(1))
    gained = [float(x) for x in re.findall(r"按封顶计 ([-+][\d.]+) 分", out)]
    plain = [float(x) for x in re.findall(r"得 ([-+][\d.]+) 分\n", out)]
    assert 100 + sum(gained) + sum(plain) == pytest.approx(total)


def test_a_name_shared_by_several_members_lists_them_with_masked_id_numbers(folder):
    rows = member_rows(folder)
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        db.execute("UPDATE member SET name = '王同名' WHERE id IN (?, ?)", (rows[1][0], rows[2][0]))
    try:
        result = cli("--data-dir", str(folder), "points", "explain", "--member", "王同名")
        assert result.returncode == 2
        assert "有 2 名党员与“王同名”相符，请改用编号" in result.stderr
        for member_id, _, id_number in rows[1:3]:
            assert f"编号 {member_id}" in result.stderr
            assert f"{id_number[:6]}********{id_number[-4:]}" in result.stderr and id_number not in result.stderr
    finally:
        with sqlite3.connect(folder / "partybuild.sqlite3") as db:
            for member_id, name, _ in rows[1:3]:
                db.execute("UPDATE member SET name = ? WHERE id = ?", (name, member_id))


def test_an_unknown_member_exits_2(folder):
    result = cli("--data-dir", str(folder), "points", "explain", "--member", "查无此人")
    assert result.returncode == 2 and "没有姓名或编号为“查无此人”的党员" in result.stderr


def test_rules_export_then_import_round_trip(folder, tmp_path):
    exported = tmp_path / "积分办法.json"
    result = cli("--data-dir", str(folder), "rules", "export", str(exported), "--year", str(YEAR))
    assert result.returncode == 0, result.stderr
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "partybuild-point-rules" and data["year"] == YEAR
    data["base_score"] = 80
    data["name"] = "镇统一积分办法"
    edited = tmp_path / "镇统一.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    imported = cli("--data-dir", str(folder), "rules", "import", str(edited), "--year", str(YEAR + 1))
    assert imported.returncode == 0, imported.stderr
    assert f"已导入《镇统一积分办法》到柳塘村{YEAR + 1}年度" in imported.stdout
    again = tmp_path / "again.json"
    assert cli("--data-dir", str(folder), "rules", "export", str(again), "--year", str(YEAR + 1)).returncode == 0
    back = json.loads(again.read_text(encoding="utf-8"))
    assert back["base_score"] == 80 and back["items"] == data["items"] and back["year"] == YEAR + 1


def test_a_bad_rule_file_exits_2_with_a_chinese_message(folder, tmp_path):
    good = tmp_path / "good.json"
    assert cli("--data-dir", str(folder), "rules", "export", str(good)).returncode == 0
    data = json.loads(good.read_text(encoding="utf-8"))
    data["items"][2]["points"] = "两分"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = cli("--data-dir", str(folder), "rules", "import", str(bad))
    assert result.returncode == 2
    assert "没有改动任何数据" in result.stderr and "第3项“为群众代办事项办结”的“分值”（points）应为数字" in result.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("这不是 JSON", encoding="utf-8")
    result = cli("--data-dir", str(folder), "rules", "import", str(garbage))
    assert result.returncode == 2 and "JSON 格式有误" in result.stderr


def test_importing_into_a_closed_year_is_refused(folder, tmp_path):
    from partybuild_desktop.services import point_rules
    from partybuild_desktop.services.village import current_village
    from partybuild_desktop.store.schema import open_store

    store = open_store(folder / "partybuild.sqlite3")
    try:
        with store.session() as session:
            point_rules.close_year(session, current_village(session).id, YEAR - 1, "王书记")
    finally:
        store.dispose()
    rules = tmp_path / "r.json"
    assert cli("--data-dir", str(folder), "rules", "export", str(rules)).returncode == 0
    result = cli("--data-dir", str(folder), "rules", "import", str(rules), "--year", str(YEAR - 1))
    assert result.returncode == 2 and f"{YEAR - 1}年度的积分已于" in result.stderr


def test_export_points_board_as_pdf_and_xlsx(folder, tmp_path):
    from pypdf import PdfReader
    pdf, xlsx = tmp_path / "先锋榜.pdf", tmp_path / "积分明细.xlsx"
    for out in (pdf, xlsx):
        result = cli("--data-dir", str(folder), "export", "points-board", "--year", str(YEAR), "--out", str(out))
        assert result.returncode == 0, result.stderr
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert f"柳塘村{YEAR}年度党建先锋榜" in text
    assert not any(id_number in text for _, _, id_number in member_rows(folder))
    rows = sheet_rows(xlsx, "党员积分")
    assert rows[0][0] == f"柳塘村{YEAR}年度党员积分明细表"
    assert len([r for r in rows if isinstance(r[0], (int, float)) and r[1]]) == 60 + 2  # with the two accepted through the recruitment cases
    wrong = cli("--data-dir", str(folder), "export", "points-board", "--out", str(tmp_path / "x.docx"))
    assert wrong.returncode == 2 and "只能导出为 .pdf 或 .xlsx" in wrong.stderr
