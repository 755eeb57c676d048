"""Every export legible on its paper: the 40-column 党员花名册 prints in bands at ≥ 9 pt with 序号 and 姓名
on every page, 附件1's PDF header is not stacked a character a line, short cells do not wrap, and a
money column prints 分 as 元. Each file is read back (openpyxl, pypdf)."""

import datetime as dt

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from partybuild_desktop.reports.files import write_report
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, display_width
from partybuild_desktop.reports.tables import grid_stats
from partybuild_desktop.reports.tables.members import COLUMNS
from partybuild_desktop.services import exports
from partybuild_desktop.services.exports import ExportOptions
from tests.conftest import SAMPLE_TODAY

MIN_PRINTED_SIZE = 9


def drawn_lines(page) -> list[tuple[str, float]]:
    """Each line of text the page draws, with its font size, in drawing order. A line whose characters
    sit in two subsets of the font comes as several pieces at the same starting point: joined again."""
    pieces = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((text.strip(), size, (round(x, 1), round(y, 1))))

    page.extract_text(visitor_text=visit)
    lines: list[list] = []
    for text, size, where in pieces:
        if lines and lines[-1][2] == where:
            lines[-1][0] += text
        else:
            lines.append([text, size, where])
    return [(text, size) for text, size, _ in lines]


@pytest.fixture
def roster(sample_store, tmp_path):
    paths = {}
    for fmt in ("xlsx", "pdf"):
        paths[fmt] = tmp_path / f"花名册.{fmt}"
        exports.export(sample_store, None, "members", paths[fmt], ExportOptions(today=SAMPLE_TODAY))
    return paths


def test_the_roster_workbook_prints_in_bands_at_a_readable_size(roster):
    ws = openpyxl.load_workbook(roster["xlsx"]).active
    assert int(ws.page_setup.paperSize) == 8 and ws.page_setup.orientation == "landscape"  # A3
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # a fixed scale, not shrunk to one page wide
    scale = ws.page_setup.scale / 100
    header_row = next(r for r in range(1, 6) if ws.cell(r, 2).value == "姓名")
    for row in (header_row, header_row + 1, header_row + 5):
        for column in range(1, len(COLUMNS) + 1):
            assert ws.cell(row, column).font.size * scale >= MIN_PRINTED_SIZE
    # 序号 and 姓名 on every page across, the header rows on every page down.
    assert ws.print_title_cols == "$A:$B"
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    # The village's own fields start a page of their own.
    breaks = [b.id for b in ws.col_breaks.brk]
    category = [c.key for c in COLUMNS].index("category")
    assert category in breaks and all(0 < b < len(COLUMNS) for b in breaks)
    # Every band fits one page across at that scale, even as widely as LibreOffice draws columns.
    from partybuild_desktop.reports.xlsx_writer import (POINTS_PER_PIXEL, WIDEST_PIXELS_PER_WIDTH_UNIT,
                                                        printable_points)

    page = printable_points("A3", "landscape")[0]
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(COLUMNS) + 1)]
    edges = [0] + breaks + [len(COLUMNS)]
    for start, end in zip(edges, edges[1:]):
        band = sum(widths[:2]) + sum(widths[max(start, 2):end])
        assert band * WIDEST_PIXELS_PER_WIDTH_UNIT * POINTS_PER_PIXEL * scale <= page


def test_the_roster_workbook_is_still_one_sheet_with_every_column(roster):
    book = openpyxl.load_workbook(roster["xlsx"])
    assert len(book.worksheets) == 1  # imports back in one go
    headers = [c.value for c in book.active[3]]
    assert headers == [c.header for c in COLUMNS]


def test_the_roster_pdf_prints_in_bands_with_the_names_on_every_page(roster, sample_store):
    from sqlalchemy import select

    from partybuild_desktop.store.models import Member

    reader = PdfReader(roster["pdf"])
    with sample_store.session() as session:
        first = session.scalars(select(Member.name).where(Member.archived.is_(False)).order_by(Member.id)).first()
    national = [p for p in reader.pages if "公民身份号码" in p.extract_text()]
    own = [p for p in reader.pages if "党员类别" in p.extract_text()]
    assert national and own and not set(map(id, national)) & set(map(id, own))
    for page in reader.pages:
        assert page.mediabox.width > page.mediabox.height  # landscape
        lines = drawn_lines(page)
        assert "姓名" in [t for t, _ in lines]
        assert min(size for _, size in lines) >= MIN_PRINTED_SIZE
    for pages in (national, own):
        assert first in [t for t, _ in drawn_lines(pages[0])]


def test_short_cells_do_not_wrap(roster):
    ws = openpyxl.load_workbook(roster["xlsx"]).active
    header_row = 3
    for i, column in enumerate(COLUMNS, start=1):
        width = ws.column_dimensions[get_column_letter(i)].width
        for row in range(header_row + 1, ws.max_row + 1):
            value = ws.cell(row, i).value
            if isinstance(value, str) and display_width(value) <= 12:
                assert display_width(value) + 1 <= width, (column.header, value, width)
    pdf = [t for page in PdfReader(roster["pdf"]).pages for t, _ in drawn_lines(page)]
    for short in ("农民党员", "年老体弱党员", "第1党小组", "初中及以下"):
        assert short in pdf, short


def test_a_narrow_column_is_widened_to_its_short_cells(tmp_path):
    spec = TableSpec(title="党小组", columns=(Column("党小组", "group", width=5), Column("说明", "note", width=5)))
    table = Table(spec, [{"group": "第1党小组", "note": "很长的说明文字，需要换行才能放得下"}])
    assert table.column_widths() == [10.0, 5.0]  # 第1党小组 is 9 units wide; the long note still wraps
    written = write_report(Report("党小组", [table]), tmp_path / "a.pdf")
    assert "第1党小组" in [t for t, _ in drawn_lines(PdfReader(written.path).pages[0])]


def header_lines(lines: list[str], header: str) -> list[str] | None:
    """The consecutive drawn lines that spell ``header``, or None."""
    for start in range(len(lines)):
        joined, end = "", start
        while end < len(lines) and len(joined) < len(header):
            joined += lines[end]
            end += 1
        if joined == header:
            return lines[start:end]
    return None


def test_attachment1_pdf_header_is_not_stacked_a_character_a_line(tmp_path):
    day = dt.date(2026, 11, 23)
    # A large village: four-digit household and visit counts, three-digit member counts.
    row = {key: 12 for key in grid_stats.FIGURE_KEYS}
    row.update(village="和平村", households=1795, links_households=1795, visits=1234, visited_households=987,
               members=160, farmer=100, must_visit=117, links_members=150)
    spec = grid_stats.stats_spec("青石镇", "中共和平村党总支", day, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    path = write_report(Report("附件1", [Table(spec, [row])]), tmp_path / "附件1.pdf").path
    (page,) = PdfReader(path).pages
    assert page.mediabox.width > page.mediabox.height and round(float(page.mediabox.width)) == 842  # A4 landscape
    lines = [t for t, _ in drawn_lines(page)]
    for column in spec.columns:
        pieces = header_lines(lines, column.header)
        assert pieces is not None, column.header
        assert len(pieces) <= 3, (column.header, pieces)
        if len(column.header) >= 2:  # at most the last line of a header is a single character
            assert all(len(p) >= 2 for p in pieces[:-1]), (column.header, pieces)
    assert "1795" in lines and "1234" in lines  # four-digit counts stay on one line


def test_a_money_column_prints_fen_as_yuan_with_two_decimals(tmp_path):
    spec = TableSpec(title="党费收缴", columns=(Column("姓名", "name"), Column("党费（元）", "dues", kind="money")),
                     totals_label="合计")
    rows = [{"name": "张三", "dues": 1550}, {"name": "李四", "dues": 5}, {"name": "王五", "dues": 123456}]
    report = Report("党费", [Table(spec, rows)])
    ws = openpyxl.load_workbook(write_report(report, tmp_path / "a.xlsx").path).active
    cells = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(3, 7)}
    assert [cells[n].value for n in ("张三", "李四", "王五", "合计")] == [15.5, 0.05, 1234.56, 1250.11]
    assert {cells[n].number_format for n in cells} == {"0.00"}
    assert cells["张三"].alignment.horizontal == "right"
    text = PdfReader(write_report(report, tmp_path / "a.pdf").path).pages[0].extract_text()
    for shown in ("15.50", "0.05", "1234.56", "1250.11"):
        assert shown in text
    with pytest.raises(TypeError, match="整数"):
        write_report(Report("党费", [Table(spec, [{"name": "赵六", "dues": 15.5}])]), tmp_path / "b.xlsx")


def test_column_bands_repeat_the_leading_columns_and_share_a_run_evenly():
    columns = [Column("序号", "no", 4), Column("姓名", "name", 6)]
    columns += [Column(f"甲{i}", f"a{i}", 10) for i in range(7)]
    columns += [Column("乙0", "b0", 10, new_page=True), Column("乙1", "b1", 10)]
    table = Table(TableSpec(title="宽表", columns=columns, repeat_columns=2), [])
    widths = table.column_widths()
    bands = table.column_bands(widths, page_width=60)  # 50 units after the repeated 10: five 甲 columns
    assert all(band[:2] == [0, 1] for band in bands)
    # 甲0–甲6 need two pages: 4 + 3 columns, not 5 + 2; 乙 starts a page of its own.
    assert [band[2:] for band in bands] == [[2, 3, 4, 5], [6, 7, 8], [9, 10]]
    plain = Table(TableSpec(title="窄表", columns=columns[:3]), [])
    assert plain.column_bands(plain.column_widths(), 10) == [[0, 1, 2]]  # not banded: one band


def test_attachment1_workbook_fits_a4_landscape_at_a_readable_size(tmp_path):
    from partybuild_desktop.reports.xlsx_writer import PIXELS_PER_WIDTH_UNIT, POINTS_PER_PIXEL, printable_points

    day = dt.date(2026, 11, 23)
    row = {key: 1795 for key in grid_stats.FIGURE_KEYS}
    row["village"] = "和平村"
    spec = grid_stats.stats_spec("青石镇", "中共和平村党总支", day, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    ws = openpyxl.load_workbook(write_report(Report("附件1", [Table(spec, [row])]), tmp_path / "a.xlsx").path).active
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1  # one page across, to stamp
    width = sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(spec.columns) + 1))
    scale = min(1, printable_points("A4", "landscape")[0] / (width * PIXELS_PER_WIDTH_UNIT * POINTS_PER_PIXEL))
    body = next(ws.cell(r, 2) for r in range(1, 10) if ws.cell(r, 2).value == 1795)
    assert body.font.size * scale >= MIN_PRINTED_SIZE  # as Excel and WPS draw the columns
