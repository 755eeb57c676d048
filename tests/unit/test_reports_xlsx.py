import datetime as dt
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from partybuild_desktop.reports import xlsx_writer
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, display_width
from partybuild_desktop.reports.xlsx_writer import sheet_name, write_xlsx
from tests.helpers import make_id, sheet_rows

ID_NUMBER = make_id("19850612", "301")
LONG_ADDRESS = "青山镇红旗村第三村民小组（原红星大队）幸福路128号，靠近村委会东侧，“老供销社”旧址。"
SIGNATURE = "书记签字：__________　　（盖章）"


def roster_spec(**changes) -> TableSpec:
    fields = dict(
        title="党员包挂联系花名册",
        columns=[
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name"),
            Column("公民身份证号", "id_number", 21, kind="id_number"),
            Column("手机号码", "phone", 13, kind="phone"),
            Column("入党日期", "joined", 11, kind="date"),
            Column("家庭住址", "address", 20),
            Column("户数", "households", 6, kind="number", group="联系农户"),
            Column("户主姓名", "heads", 16, group="联系农户"),
            Column("党费（元）", "dues", 9, kind="number", decimals=2),
        ],
        paper="A3",
        orientation="landscape",
        unit="中共青山镇红旗村支部委员会",
        date=dt.date(2026, 11, 23),
        notes=["注：每名党员联系10—15户群众。"],
        signature=SIGNATURE,
        totals_label="合计",
    )
    fields.update(changes)
    return TableSpec(**fields)


def roster_rows():
    return [
        {"no": 1, "name": "欧阳春花", "id_number": ID_NUMBER, "phone": "13812345678",
         "joined": dt.date(1998, 7, 1), "address": LONG_ADDRESS, "households": 12, "heads": "刘一、陈二",
         "dues": 0.2},
        {"no": 2, "name": "李四", "id_number": None, "phone": 13900001111, "joined": None,
         "address": "红旗村二组", "households": 10, "heads": "孙三", "dues": 0.1},
    ]


@pytest.fixture
def roster_file(tmp_path):
    path = tmp_path / "roster.xlsx"
    write_xlsx(Report("花名册", [Table(roster_spec(), roster_rows())]), path)
    return path


def sheet_xml_cells(path, sheet_index=1):
    """Cell reference -> style index, straight from the file (openpyxl drops merged cells' styles on load)."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read(f"xl/worksheets/sheet{sheet_index}.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    return {c.get("r"): c.get("s") for c in root.iter(f"{ns}c")}


def test_a_second_reader_sees_title_lines_header_rows_totals_and_signature(roster_file):
    workbook = CalamineWorkbook.from_path(str(roster_file))
    assert workbook.sheet_names == ["党员包挂联系花名册"]
    rows = workbook.get_sheet_by_name("党员包挂联系花名册").to_python()
    assert rows[0][0] == "党员包挂联系花名册"
    assert rows[1][0] == "填报单位：中共青山镇红旗村支部委员会"
    assert "填报日期：2026年11月23日" in rows[1]
    assert rows[2] == ["序号", "姓名", "公民身份证号", "手机号码", "入党日期", "家庭住址", "联系农户", "", "党费（元）"]
    assert rows[3][6:8] == ["户数", "户主姓名"]
    first, second, totals = rows[4], rows[5], rows[6]
    assert first[1] == "欧阳春花"
    assert first[2] == ID_NUMBER  # all 18 characters, as text
    assert first[3] == "13812345678" and second[3] == "13900001111"
    assert first[4] == dt.date(1998, 7, 1)
    assert first[5] == LONG_ADDRESS
    assert totals[0] == "合计"
    assert totals[6] == 22 and totals[8] == pytest.approx(0.3)
    assert totals[1:6] == [""] * 5  # 序号 is not added up and sits under the label
    assert rows[7][0] == "注：每名党员联系10—15户群众。"
    assert rows[-1][0] == SIGNATURE


def test_id_numbers_and_phones_are_text_cells_even_when_empty(roster_file):
    ws = openpyxl.load_workbook(roster_file).active
    id_cell, phone_cell = ws["C5"], ws["D6"]
    assert id_cell.value == ID_NUMBER and id_cell.data_type == "s" and id_cell.number_format == "@"
    assert phone_cell.value == "13900001111" and phone_cell.data_type == "s"
    assert ws["C6"].value is None and ws["C6"].number_format == "@"  # typed in later, it stays text


def test_dates_are_real_dates_shown_as_iso(roster_file):
    ws = openpyxl.load_workbook(roster_file).active
    assert ws["E5"].is_date and ws["E5"].value.date() == dt.date(1998, 7, 1)
    assert ws["E5"].number_format == "yyyy-mm-dd"
    assert ws["I5"].number_format == "0.00"


def test_two_level_header_merges(roster_file):
    ws = openpyxl.load_workbook(roster_file).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "G3:H3" in merged  # 联系农户 over 户数 and 户主姓名
    assert {"A3:A4", "B3:B4", "F3:F4", "I3:I4"} <= merged  # ungrouped columns span both rows
    assert not any(r.startswith(("G4", "H4")) for r in merged)  # the lower headers stay separate
    assert ws["G4"].value == "户数" and ws["H4"].value == "户主姓名"
    assert ws["G3"].font.b


def test_merged_title_is_styled_on_every_cell(roster_file):
    ws = openpyxl.load_workbook(roster_file).active
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.b and ws["A1"].font.sz == xlsx_writer.TITLE_SIZE
    styles = sheet_xml_cells(roster_file)
    assert {styles[f"{col}1"] for col in "ABCDEFGHI"} == {styles["A1"]}
    # the merged 联系农户 header carries its border style on both cells
    assert styles["G3"] == styles["H3"]


def test_print_setup_is_ready(roster_file):
    ws = openpyxl.load_workbook(roster_file).active
    assert ws.page_setup.paperSize == xlsx_writer.PAPER_SIZES["A3"] == 8
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$4"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert ws.print_area.endswith("$A$1:$I$10")
    assert ws.freeze_panes == "A5"


def test_column_widths_count_chinese_characters_as_two(roster_file):
    assert display_width("欧阳春花") == 8
    assert display_width("Li Si 李四") == 10
    ws = openpyxl.load_workbook(roster_file).active
    assert ws.column_dimensions["B"].width == 8 + 2  # automatic: the longest name plus padding
    assert ws.column_dimensions["C"].width == 21  # given by the spec


def test_a_long_address_gets_a_row_tall_enough_to_wrap(roster_file):
    ws = openpyxl.load_workbook(roster_file).active
    assert ws["F5"].alignment.wrap_text
    lines = -(-display_width(LONG_ADDRESS) // 19)  # column 20 wide, one unit kept for padding
    assert ws.row_dimensions[5].height >= lines * xlsx_writer.LINE_HEIGHT
    assert ws.row_dimensions[6].height is None  # a one-line row keeps the default height


def test_sheet_names_are_valid_and_unique():
    used = set()
    names = []
    for wanted in ["统计表[2026]:第三季度*?/\\", "'单引号'", "基层党组织网格化管理服务工作情况统计表及各村党员包挂联系花名册",
                   "基层党组织网格化管理服务工作情况统计表及各村党员包挂联系花名册", "history", ""]:
        name = sheet_name(wanted, used)
        used.add(name.casefold())
        names.append(name)
    assert names[0] == "统计表_2026__第三季度____"
    assert names[1] == "单引号"
    assert all(len(n) <= 31 for n in names)
    assert names[2] != names[3] and names[3].endswith("(2)")
    assert names[4] == "history(2)" and names[5] == "Sheet"
    assert len({n.casefold() for n in names}) == len(names)


def test_one_sheet_per_table_with_duplicate_titles(tmp_path):
    spec = TableSpec(title="统计表", columns=[Column("村名", "village")])
    path = tmp_path / "two.xlsx"
    write_xlsx(Report("两表", [Table(spec, [("红旗村",)]), Table(spec, [("青山村",)])]), path)
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["统计表", "统计表(2)"]
    assert workbook.get_sheet_by_name("统计表(2)").to_python()[2] == ["青山村"]


def test_a_writer_failing_half_way_leaves_no_file(tmp_path, monkeypatch):
    def broken_save(workbook, f):
        f.write(b"PK\x03\x04 half a workbook")
        raise OSError("磁盘已满")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    target = tmp_path / "out.xlsx"
    with pytest.raises(OSError, match="磁盘已满"):
        write_xlsx(Report("x", [Table(roster_spec(), roster_rows())]), target)
    assert list(tmp_path.iterdir()) == []


def test_rows_must_match_the_columns():
    spec = TableSpec(title="t", columns=[Column("甲", "a"), Column("乙", "b")])
    assert Table(spec, [("1", "2"), {"b": 3}]).value_rows() == [["1", "2"], [None, 3]]
    with pytest.raises(ValueError, match="row 1"):
        Table(spec, [("only one",)]).value_rows()
    with pytest.raises(ValueError, match="duplicate"):
        TableSpec(title="t", columns=[Column("甲", "a"), Column("乙", "a")])
    with pytest.raises(ValueError, match="kind"):
        Column("甲", "a", kind="currency")


def test_control_characters_from_pasted_text_are_dropped(tmp_path):
    spec = TableSpec(title="t", columns=[Column("姓名", "name")])
    path = tmp_path / "c.xlsx"
    write_xlsx(Report("c", [Table(spec, [("张\x0b三",)])]), path)
    assert sheet_rows(path)[2] == ["张三"]


def test_file_names_are_safe_for_windows():
    assert Report('2026/第3季度:"报表"', []).file_name(".xlsx") == "2026_第3季度__报表_.xlsx"
    assert Report("...", []).file_name(".pdf") == "报表.pdf"


def test_the_spec_module_imports_no_heavy_libraries():
    code = (
        "import sys, partybuild_desktop.reports.spec, partybuild_desktop.fileio; "
        "from partybuild_desktop.reports.fonts import bundled_font_path; bundled_font_path(); "
        "heavy = [m for m in ('openpyxl', 'reportlab', 'PySide6') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
