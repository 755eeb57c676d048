"""Hostile and broken spreadsheets are refused before the reader library allocates by what they declare;
over-long fields are refused per row, control and bidi characters removed with a warning.

Every file is built here: raw xlsx parts written with zipfile (openpyxl would not write them so), an ods,
CSV text. The time and memory bounds are checked from outside in tests/e2e/test_hostile_import_cli.py.
"""

import struct
import zipfile

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.field_limits import CONTROL_CHARACTERS_REMOVED, FIELD_TOO_LONG, NAME_CHARS
from partybuild_desktop.domain.text import has_controls, strip_controls
from partybuild_desktop.importers import bounds
from partybuild_desktop.importers.roster import CSV_TOO_LARGE, RosterUnreadable, read_sheet_rows
from partybuild_desktop.services import household_import, member_import
from partybuild_desktop.services.households import HouseholdForm, check_household
from partybuild_desktop.services.members import MemberError, MemberForm, check_form, save_member
from partybuild_desktop.services.recruitment import CaseForm, RecruitError, create_case
from partybuild_desktop.store.models import Member

from .. import helpers
from ..conftest import SAMPLE_TODAY
from .biff_files import biff8, compound, xls
from .xlsb_files import xlsb
from ..helpers import codes, make_id_for, workbook

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
       'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '{sheets}</Types>')
_SHEET_CT = ('<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}'
       '</sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">{rels}</Relationships>')
_SHEET_REL = ('<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'worksheet" Target="worksheets/sheet{n}.xml"/>')
HIDDEN = ' state="hidden"'
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
ROSTER_ROWS = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>身份证号'
               '</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c></row>')


def raw_xlsx(path, *sheets, hidden=(), extra=(), level=6):
    """An xlsx from raw sheet XML: each sheet a string or an iterable of string pieces (streamed)."""
    names = [f"Sheet{n}" for n in range(1, len(sheets) + 1)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CT.format(
            sheets="".join(_SHEET_CT.format(n=n) for n in range(1, len(sheets) + 1))))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WB.format(sheets="".join(
            f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"{HIDDEN if n in hidden else ""}/>'
            for n, name in enumerate(names, start=1))))
        archive.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(
            rels="".join(_SHEET_REL.format(n=n) for n in range(1, len(sheets) + 1))))
        for n, sheet in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                for piece in ([sheet] if isinstance(sheet, str) else sheet):
                    part.write(piece.encode("utf-8"))
        for name, data in extra:
            archive.writestr(name, data)
    return path


def sheet(body, dimension=None):
    return HEAD + (f'<dimension ref="{dimension}"/>' if dimension else "") + f"<sheetData>{body}</sheetData></worksheet>"


def refused(path) -> RosterUnreadable:
    with pytest.raises(RosterUnreadable) as caught:
        read_sheet_rows(path)
    error = caught.value
    assert helpers_has_chinese(error.message) and "Traceback" not in error.message
    return error


def helpers_has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---------------------------------------------------------------------------------------- sheet extents


def test_one_value_at_xfd1048576_is_refused_naming_the_cell(tmp_path):
    path = raw_xlsx(tmp_path / "远处.xlsx", sheet(ROSTER_ROWS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                                                 dimension="A1:XFD1048576"))
    assert path.stat().st_size < 5 * 1024
    error = refused(path)
    assert error.code == bounds.SHEET_TOO_LARGE
    assert "XFD1048576" in error.message and "工作表「Sheet1」" in error.message and "100000 行" in error.message


def test_a_declared_dimension_beyond_the_bounds_is_not_trusted_the_values_are_read(tmp_path):
    path = raw_xlsx(tmp_path / "大范围.xlsx", sheet(ROSTER_ROWS, dimension="A1:XFD1048576"))
    [rows] = read_sheet_rows(path)
    assert rows.rows == [["姓名", "身份证号"], ["张三", ""]]


def test_empty_styled_cells_far_away_do_not_count(tmp_path):
    """The reader keeps only cells with a value; a formatted empty cell at the sheet's end is harmless."""
    path = raw_xlsx(tmp_path / "格式.xlsx", sheet(ROSTER_ROWS + '<row r="1048576"><c r="XFD1048576" s="1"/></row>'))
    [rows] = read_sheet_rows(path)
    assert len(rows.rows) == 2


def test_cells_without_references_are_placed_as_the_reader_places_them(tmp_path):
    body = "<row>" + "<c><v>1</v></c>" * (bounds.MAX_COLUMNS + 1) + "</row>"
    error = refused(raw_xlsx(tmp_path / "宽.xlsx", sheet(body)))
    assert error.code == bounds.SHEET_TOO_LARGE and f"第 {bounds.MAX_COLUMNS + 1} 列" in error.message


def test_more_rows_than_the_bound_are_refused_at_the_first_row_beyond_it(tmp_path):
    def pieces():
        yield HEAD + "<sheetData>"
        for r in range(1, bounds.MAX_ROWS + 3):
            yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
        yield "</sheetData></worksheet>"

    error = refused(raw_xlsx(tmp_path / "长.xlsx", pieces()))
    assert error.code == bounds.SHEET_TOO_LARGE and f"第 {bounds.MAX_ROWS + 1} 行" in error.message


def test_a_rectangle_of_too_many_cells_is_refused(tmp_path):
    row, column = bounds.MAX_CELLS // 150, 150  # both within their own bound, the rectangle is not
    ref = f"{bounds.column_letters(column - 1)}{row + 1}"
    error = refused(raw_xlsx(tmp_path / "方.xlsx", sheet(f'<row r="{row + 1}"><c r="{ref}"><v>1</v></c></row>')))
    assert error.code == bounds.SHEET_TOO_LARGE and ref in error.message


def test_a_hidden_sheet_is_not_read_so_its_extent_does_not_matter(tmp_path):
    far = sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    path = raw_xlsx(tmp_path / "隐藏.xlsx", sheet(ROSTER_ROWS), far, hidden=(2,))
    assert [s.name for s in read_sheet_rows(path)] == ["Sheet1"]


# ---------------------------------------------------------------------------------------- zip entries


def test_an_entry_declaring_more_than_the_bound_is_refused_before_it_is_inflated(tmp_path):
    def pieces():
        yield HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(110):
            yield "a" * 1_000_000
        yield "</t></is></c></row></sheetData></worksheet>"

    path = raw_xlsx(tmp_path / "大字.xlsx", pieces(), level=1)
    error = refused(path)
    assert error.code == bounds.SPREADSHEET_TOO_LARGE
    assert "xl/worksheets/sheet1.xml" in error.message and "100 MB" in error.message


def test_an_entry_compressed_beyond_the_ratio_is_refused(tmp_path):
    body = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "a" * 3_000_000 + "</t></is></c></row>")
    error = refused(raw_xlsx(tmp_path / "压缩.xlsx", body))
    assert error.code == bounds.SPREADSHEET_TOO_LARGE and "压缩了" in error.message


def test_all_entries_together_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_TOTAL_BYTES", 100_000)
    extra = [(f"xl/media/image{n}.bin", bytes(range(256)) * 200) for n in range(3)]
    error = refused(raw_xlsx(tmp_path / "图片.xlsx", sheet(ROSTER_ROWS), extra=extra))
    assert error.code == bounds.SPREADSHEET_TOO_LARGE and "解压后共有" in error.message


def _patch_declared_size(path, name: bytes, size: int) -> None:
    """Make the central directory and the local header of ``name`` declare ``size`` bytes uncompressed."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02" + b"", 0)
    while at >= 0:
        name_length = struct.unpack("<H", data[at + 28: at + 30])[0]
        if data[at + 46: at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, size)
            local = struct.unpack("<I", data[at + 42: at + 46])[0]
            struct.pack_into("<I", data, local + 22, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_an_entry_inflating_to_more_than_it_declares_is_refused(tmp_path):
    path = raw_xlsx(tmp_path / "谎报.xlsx", sheet(ROSTER_ROWS + "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(3, 20000))))
    _patch_declared_size(path, b"xl/worksheets/sheet1.xml", 1000)
    error = refused(path)
    assert error.code == bounds.SPREADSHEET_TOO_LARGE and "比它声明的" in error.message


def test_a_document_type_declaration_is_refused(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
              '<c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    error = refused(raw_xlsx(tmp_path / "实体.xlsx", laughs))
    assert error.code is None and "文档类型声明" in error.message  # told as a damaged file is


def test_a_file_too_large_on_disk_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_FILE_BYTES", 1000)
    path = workbook(tmp_path / "名册.xlsx", [["姓名", "身份证号"], ["张三", "1"]])
    error = refused(path)
    assert error.code == bounds.SPREADSHEET_TOO_LARGE and "名册.xlsx" in error.message


# ---------------------------------------------------------------------------------------- cell lengths


def test_a_cell_longer_than_excel_allows_is_refused_naming_it(tmp_path):
    import random

    text = "".join(random.Random(1).choice("甲乙丙丁戊己庚辛壬癸子丑寅卯") for _ in range(bounds.MAX_CELL_CHARS + 10))
    body = sheet(ROSTER_ROWS + f'<row r="3"><c r="B3" t="inlineStr"><is><t>{text}</t></is></c></row>')
    error = refused(raw_xlsx(tmp_path / "长格.xlsx", body))
    assert error.code == bounds.CELL_TOO_LONG and "B3" in error.message and "32767" in error.message


def test_a_shared_string_longer_than_excel_allows_is_refused(tmp_path):
    import random

    text = "".join(random.Random(2).choice("abcdefghijklmnopqrstuvwxyz") for _ in range(bounds.MAX_CELL_CHARS + 1))
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
           f'main" count="2" uniqueCount="2"><si><t>姓名</t></si><si><r><t>{text[:100]}</t></r><r><t>{text[100:]}'
           '</t></r></si></sst>')
    body = sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>')
    error = refused(raw_xlsx(tmp_path / "共享.xlsx", body, extra=[("xl/sharedStrings.xml", sst)]))
    assert error.code == bounds.CELL_TOO_LONG and "第 2 条文字" in error.message


# ---------------------------------------------------------------------------------------- ods


def ods(path, body):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:'
                         'manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                         '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                         'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
                         'manifest:media-type="text/xml"/></manifest:manifest>')
        archive.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
                         '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:'
                         'opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                         'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="名册">'
                         + body + "</table:table></office:spreadsheet></office:body></office:document-content>")
    return path


ODS_CELL = '<table:table-cell office:value-type="string"><text:p>张三</text:p></table:table-cell>'


@pytest.mark.parametrize("body, cell", [
    ('<table:table-row table:number-rows-repeated="1048576">' + ODS_CELL + "</table:table-row>", "A1048576"),
    ("<table:table-row>" + ODS_CELL.replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated='
                                            '"16384" ') + "</table:table-row>", "XFD1"),
    ('<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/>'
     '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/>' + ODS_CELL
     + "</table:table-row>", "XFD1048576"),
])
def test_ods_repeated_values_are_bounded_by_the_area_they_repeat_over(tmp_path, body, cell):
    error = refused(ods(tmp_path / "表.ods", body))
    assert error.code == bounds.SHEET_TOO_LARGE and cell in error.message and "工作表「名册」" in error.message


def test_ods_repeated_empty_rows_at_the_end_are_harmless(tmp_path):
    body = ("<table:table-row>" + ODS_CELL + '</table:table-row><table:table-row table:number-rows-repeated="1048575">'
            '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    [rows] = read_sheet_rows(ods(tmp_path / "表.ods", body))
    assert rows.rows == [["张三"]]


# ---------------------------------------------------------------------------------------- csv


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("make, line, words", [
    (lambda: "姓名,身份证号\n" + "张三,1\n" * bounds.MAX_ROWS, bounds.MAX_ROWS + 1, f"{bounds.MAX_ROWS} 行"),
    (lambda: "姓名,备注\n张三,1\n李四,\"" + "长" * (bounds.MAX_CELL_CHARS + 5) + "\"\n", 3, "32767 个字符"),
    (lambda: "姓名,备注\n" + ",".join(["x"] * (bounds.MAX_COLUMNS + 1)) + "\n", 2, f"{bounds.MAX_COLUMNS} 列"),
    (lambda: "姓名,备注\n张三,1\n" + ",".join(["长" * 30000] * 40) + "\n", 3, "超过了 1000000 个字符"),
])
def test_csv_limits_name_the_row(tmp_path, make, line, words):
    error = refused(write_csv(tmp_path / "名册.csv", make()))
    assert error.code == CSV_TOO_LARGE
    assert f"第 {line} 行" in error.message and words in error.message


def test_csv_quoted_line_breaks_stay_in_their_field(tmp_path):
    [rows] = read_sheet_rows(write_csv(tmp_path / "名册.csv", '姓名,备注\n张三,"第一行\n第二行"\n李四,\u2028x\n'))
    assert rows.rows == [["姓名", "备注"], ["张三", "第一行\n第二行"], ["李四", "\u2028x"]]


def test_the_csv_field_size_limit_is_given_back(tmp_path):
    import csv

    before = csv.field_size_limit()
    read_sheet_rows(write_csv(tmp_path / "名册.csv", "姓名\n张三\n"))
    assert csv.field_size_limit() == before


# ---------------------------------------------------------------------------------------- field limits


@pytest.fixture
def village(store):
    with store.session() as session:
        return helpers.village(session, "东湖村", township="白马镇")


ID_A = make_id_for("19650312", digit_only=True)
ID_B = make_id_for("19700515", male=False, digit_only=True)
ID_C = make_id_for("19580101", digit_only=True)


def test_a_field_beyond_its_limit_refuses_the_row_naming_row_and_column(store, village, tmp_path):
    path = workbook(tmp_path / "名册.xlsx", [
        ["姓名", "身份证号", "入党时间", "家庭住址", "备注"],
        ["张三", ID_A, "1990-07-01", "东湖村3组", "好"],
        ["李" * 1000, ID_B, "1991-07-01", None, None],
        ["王五", ID_C, "1992-07-01", "东" * 201, "备" * 2001],
    ])
    with store.session() as session:
        preview = member_import.preview_import(session, village, path, today=SAMPLE_TODAY)
        rows = {row.row_number: row for row in preview.rows}
        assert codes(rows[3].refusals) == [FIELD_TOO_LONG]
        message = rows[3].refusals[0].message
        assert message.startswith("第 3 行「姓名」") and "1000 个字" in message and f"{NAME_CHARS} 个字" in message
        assert "李" * 40 not in message  # the text itself is not repeated back
        assert sorted(p.column_label for p in rows[4].refusals if p.code == FIELD_TOO_LONG) == ["备注", "家庭住址"]
        assert rows[2].result.accepted
        member_import.apply_import(session, village, preview)
    with store.session() as session:
        assert session.scalars(select(Member.name)).all() == ["张三"]


def test_control_and_bidi_characters_are_removed_with_a_warning(store, village, tmp_path):
    # A CSV file: an xlsx cannot hold an ESC character at all.
    path = write_csv(tmp_path / "名册.csv", f"姓名,身份证号,入党时间,备注\n张三\u202e,{ID_A},1990-07-01,"
                     f"\x1b[31m红字\x1b[0m\u2066隔离\u2069\x00\n李四,{ID_B},1991-07-01,普通\n")
    with store.session() as session:
        preview = member_import.preview_import(session, village, path, today=SAMPLE_TODAY)
        rows = {row.row_number: row for row in preview.rows}
        warned = [p for p in rows[2].warnings if p.code == CONTROL_CHARACTERS_REMOVED]
        assert sorted(p.column_label for p in warned) == ["备注", "姓名"]
        assert all(p.message.startswith("第 2 行「") for p in warned)
        assert not [p for p in rows[3].warnings if p.code == CONTROL_CHARACTERS_REMOVED]
        member_import.apply_import(session, village, preview)
    with store.session() as session:
        stored = {m.name: m.notes for m in session.scalars(select(Member))}
    assert stored == {"张三": "红字隔离", "李四": "普通"}


def test_households_import_refuses_an_over_long_address(store, village, tmp_path):
    path = workbook(tmp_path / "农户.xlsx", [["户主姓名", "村民小组", "家庭住址"], ["张大", "1组", "东" * 201],
                                             ["李大", "1组", "东湖村"]])
    with store.session() as session:
        preview = household_import.preview_import(session, village, path)
        rows = {row.row_number: row for row in preview.rows}
    assert codes(rows[2].refusals) == [FIELD_TOO_LONG] and rows[2].refusals[0].column_label == "家庭住址"
    assert rows[3].result.accepted


def test_the_member_editors_service_refuses_a_120000_character_name(store, village):
    form = MemberForm(name="张" * 120_000, id_number=ID_A)
    checked = check_form(form, SAMPLE_TODAY)
    assert "120000 个字" in checked.errors["name"]
    with store.session() as session:
        with pytest.raises(MemberError) as caught:
            save_member(session, village, form, today=SAMPLE_TODAY)
        assert len(str(caught.value)) < 200
    with store.session() as session:
        assert session.scalars(select(Member)).all() == []


def test_the_member_editors_service_refuses_long_notes_and_strips_controls(store, village):
    assert "备注" in check_form(MemberForm(name="张三", notes="x" * 2001), SAMPLE_TODAY).errors["notes"]
    checked = check_form(MemberForm(name="张\u202e三", address="东湖\x1b[2J村", notes="好\x00人"), SAMPLE_TODAY)
    assert checked.ok
    assert (checked.form.name, checked.form.address, checked.form.notes) == ("张三", "东湖村", "好人")


def test_the_household_service_refuses_long_fields():
    checked = check_household(HouseholdForm(head_name="张" * 33, address="东" * 201, notes="\u202e好"))
    assert set(checked.errors) == {"head_name", "address"}
    assert check_household(HouseholdForm(head_name="张大", notes="\u202e好")).form.notes == "好"


def test_the_recruitment_service_refuses_a_long_name(store, village):
    with store.session() as session:
        with pytest.raises(RecruitError) as caught:
            create_case(session, village, CaseForm(name="张" * 120_000, applied=SAMPLE_TODAY), today=SAMPLE_TODAY)
    assert caught.value.code == FIELD_TOO_LONG and len(str(caught.value)) < 200
    with store.session() as session:
        with pytest.raises(RecruitError) as caught:
            create_case(session, village, CaseForm(name="张三", applied=SAMPLE_TODAY, notes="备" * 2001),
                        today=SAMPLE_TODAY)
    assert caught.value.code == FIELD_TOO_LONG


@pytest.mark.parametrize("text, clean", [
    ("张三\u202e321", "张三321"), ("\x1b[31m李四\x1b[0m", "李四"), ("\x1b]0;标题\x07王五", "王五"),
    ("a\u200eb\u200fc\u2066d\u2069e\u061cf", "abcdef"), ("行一\n行二\t列", "行一\n行二\t列"), ("x\x85\x9by", "xy"),
])
def test_strip_controls(text, clean):
    assert strip_controls(text) == clean
    assert has_controls(text) == (text != clean)


# ---------------------------------------------------------------------------------------- xls


XLS_CELLS = [(0, 0, "姓名"), (0, 1, "身份证号"), (1, 0, "张三")]


@pytest.mark.parametrize("mini", [False, True])
def test_a_plain_xls_is_read(tmp_path, mini):
    [rows] = read_sheet_rows(xls(tmp_path / "名册.xls", [("名册", False, (0, 2, 0, 2), XLS_CELLS)], mini=mini))
    assert rows.rows == [["姓名", "身份证号"], ["张三", ""]]


def test_an_xls_declaring_65536_by_256_cells_is_refused(tmp_path):
    """calamine reserves the declared area when it opens the file, before reading any cell."""
    path = xls(tmp_path / "声明.xls", [("名册", False, (0, 65536, 0, 256), XLS_CELLS)])
    assert path.stat().st_size < 6 * 1024
    error = refused(path)
    assert error.code == bounds.SHEET_TOO_LARGE and "65536 行 × 256 列" in error.message


@pytest.mark.parametrize("mini", [False, True])
def test_an_xls_value_at_iv65536_is_refused(tmp_path, mini):
    path = xls(tmp_path / "远处.xls", [("名册", False, (0, 2, 0, 2), XLS_CELLS + [(65535, 255, 1.0)])], mini=mini)
    error = refused(path)
    assert error.code == bounds.SHEET_TOO_LARGE and "IV65536" in error.message and "工作表「名册」" in error.message


def test_an_xls_hidden_sheet_counts_for_its_declared_area_only(tmp_path):
    far = xls(tmp_path / "隐藏远处.xls", [("名册", False, (0, 2, 0, 2), XLS_CELLS),
                                        ("隐藏", True, (0, 2, 0, 2), [(65535, 255, 1.0)])])
    assert [s.name for s in read_sheet_rows(far)] == ["名册"]
    declared = xls(tmp_path / "隐藏声明.xls", [("名册", False, (0, 2, 0, 2), XLS_CELLS),
                                              ("隐藏", True, (0, 65536, 0, 256), [(1, 1, 1.0)])])
    assert "工作表「隐藏」" in refused(declared).message


def test_an_xls_whose_sector_chain_loops_is_refused_as_damaged(tmp_path):
    data = bytearray(compound(biff8([("名册", False, (0, 2, 0, 2), XLS_CELLS)])))
    fat = 512  # the FAT is the first sector after the header; the stream starts at sector 2
    struct.pack_into("<I", data, fat + 4 * 3, 2)  # sector 3 leads back to sector 2
    path = tmp_path / "环.xls"
    path.write_bytes(bytes(data))
    error = refused(path)
    assert error.code is None and "文件已损坏" in error.message


# ---------------------------------------------------------------------------------------- the quick pass


def test_an_ordinary_roster_is_proven_harmless_by_the_quick_pass_alone(tmp_path, monkeypatch):
    def exact(*_args):
        raise AssertionError("the exact pass ran")

    monkeypatch.setattr(bounds, "_scan_worksheet", exact)
    monkeypatch.setattr(bounds, "_scan_shared_strings", exact)
    rows = [["姓名", "身份证号", "备注"]] + [[f"张{n}", ID_A, "好" * 50] for n in range(12000)]
    [read] = read_sheet_rows(workbook(tmp_path / "名册.xlsx", rows))
    assert len(read.rows) == 12001


@pytest.mark.parametrize("body", [
    '<row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c></row>',  # a cell placed by position
    '<row r="1"><c r="GS1"/><c r="A1"><v>1</v></c></row>',  # an empty cell beyond column GR
    '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "长" * 20000 + "</t></is></c></row>",  # a long text run
])
def test_what_the_quick_pass_cannot_prove_goes_to_the_exact_pass(tmp_path, monkeypatch, body):
    calls = []
    exact = bounds._scan_worksheet
    monkeypatch.setattr(bounds, "_scan_worksheet", lambda *args: calls.append(args) or exact(*args))
    read_sheet_rows(raw_xlsx(tmp_path / "表.xlsx", sheet(body)))
    assert calls


# ---------------------------------------------------------------------------------------- xlsb


def test_a_plain_xlsb_is_read(tmp_path):
    [rows] = read_sheet_rows(xlsb(tmp_path / "名册.xlsb", [("名册", False, (0, 1, 0, 1), XLS_CELLS)]))
    assert rows.rows == [["姓名", "身份证号"], ["张三", ""]]


def test_an_xlsb_value_at_xfd1048576_is_refused_a_hidden_sheets_is_not_read(tmp_path):
    far = [(1048575, 16383, 1.0)]
    error = refused(xlsb(tmp_path / "远处.xlsb", [("名册", False, (0, 1, 0, 1), XLS_CELLS + far)]))
    assert error.code == bounds.SHEET_TOO_LARGE and "XFD1048576" in error.message and "工作表「名册」" in error.message
    hidden = xlsb(tmp_path / "隐藏.xlsb", [("名册", False, (0, 1, 0, 1), XLS_CELLS), ("隐藏", True, (0, 1, 0, 1), far)])
    assert [s.name for s in read_sheet_rows(hidden)] == ["名册"]


def test_an_xlsb_long_string_cell_is_refused(tmp_path):
    error = refused(xlsb(tmp_path / "长.xlsb", [("名册", False, None, XLS_CELLS + [(2, 1, "长" * 40000)])]))
    assert error.code == bounds.CELL_TOO_LONG and "B3" in error.message


def test_an_xlsb_sheet_is_walked_past_records_longer_than_a_chunk(tmp_path):
    import random

    noise = random.Random(3).randbytes(3 * bounds.CHUNK)  # incompressible: not a zip bomb
    path = xlsb(tmp_path / "杂.xlsb", [("名册", False, None, XLS_CELLS + [(1048575, 2, 1.0)])], extra=[(0x1000, noise)])
    assert "C1048576" in refused(path).message


def test_a_cdata_section_goes_to_the_exact_pass(tmp_path):
    text = "<![CDATA[" + "长<" * 20000 + "]]>"  # no run between "<" is long, the text is
    body = sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>')
    assert refused(raw_xlsx(tmp_path / "段.xlsx", body)).code == bounds.CELL_TOO_LONG


def test_the_rectangle_too_large_is_named_by_its_far_corner():
    extent = bounds.Extent("名册.xlsx", "Sheet1")
    extent.add(19999, 0)
    with pytest.raises(bounds.SpreadsheetRefused) as caught:
        extent.add(5, 149)
    assert "从 A1 到 ET20000 单元格共有 3000000 个单元格" in caught.value.message
