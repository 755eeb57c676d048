"""Write a ``Report`` as an .xlsx workbook, one sheet per table, ready to edit and print in Excel or WPS."""

from __future__ import annotations

import datetime as dt
import math
import os
import re

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..fileio import atomic_write
from .spec import Column, Report, Table, Value, display_text, display_width

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_SIZE = 10.5  # 五号
TITLE_SIZE = 16
TITLE_ROW_HEIGHT = 32
# Row heights are set from an estimate of the wrapped lines: Excel sizes a row to its wrapped text only
# when the row is edited, and merged cells never, so a row left alone would print cut off.
LINE_HEIGHT = 14.5  # points per text line at BODY_SIZE
ROW_PADDING = 3  # points above and below the text
CELL_INNER_MARGIN = 1  # character units of a column that wrapped text cannot use
PAGE_FOOTER = "第 &P 页，共 &N 页"
PAPER_SIZES = {"A4": 9, "A3": 8}  # the codes of the OOXML paperSize attribute
MAX_CELL_CHARS = 32767  # Excel's limit for one cell

SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_body_font = Font(name=BODY_FONT, size=BODY_SIZE)
_bold_font = Font(name=BODY_FONT, size=BODY_SIZE, bold=True)
_title_font = Font(name=TITLE_FONT, size=TITLE_SIZE, bold=True)
_CENTRE_WRAPPED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center")
_RIGHT = Alignment(horizontal="right", vertical="center")
_NOTE = Alignment(horizontal="left", vertical="top", wrap_text=True)


def write_xlsx(report: Report, path: str | os.PathLike[str]) -> str:
    """Write ``report`` to ``path`` safely (see ``fileio.atomic_write``); returns the file's SHA-256."""
    if not report.tables:
        raise ValueError("报表中没有任何表格，无法导出。")
    workbook = Workbook()
    workbook.remove(workbook.active)
    used_names: set[str] = set()
    for table in report.tables:
        name = sheet_name(table.spec.sheet_name or table.spec.title, used_names)
        used_names.add(name.casefold())
        _fill_sheet(workbook.create_sheet(name), table)
    return atomic_write(path, workbook.save)


def sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unused sheet name: no []:*?/\\, no leading or trailing apostrophe, at most 31 characters.
    ``used`` holds the casefolded names already taken (Excel compares them without case)."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("", wanted)).strip().strip("'").strip()
    base = base[:SHEET_NAME_MAX] or "Sheet"
    name, n = base, 1
    while name.casefold() in used or name.casefold() == "history":  # Excel reserves "History"
        n += 1
        suffix = f"({n})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    return name


def _fill_sheet(ws: Worksheet, table: Table) -> None:
    spec = table.spec
    columns = spec.columns
    n_cols = len(columns)
    widths = table.column_widths()
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    row = 1
    _merged(ws, row, 1, row, n_cols, spec.title, _title_font, _CENTRE_WRAPPED)
    # The title font is larger, so the row holds fewer title characters than body characters.
    title_lines = _wrapped_line_count(spec.title, sum(widths) * BODY_SIZE / TITLE_SIZE)
    ws.row_dimensions[row].height = TITLE_ROW_HEIGHT * title_lines
    row += 1

    if spec.unit_text or spec.date_text:
        if n_cols == 1:
            text = "　　".join(t for t in (spec.unit_text, spec.date_text) if t)
            _merged(ws, row, 1, row, 1, text, _body_font, _LEFT)
        else:
            middle = math.ceil(n_cols / 2)
            _merged(ws, row, 1, row, middle, spec.unit_text, _body_font, _LEFT)
            _merged(ws, row, middle + 1, row, n_cols, spec.date_text, _body_font, _RIGHT)
        row += 1

    header_top = row
    header_lines = [1] * spec.header_row_count
    for cell in spec.header_cells():
        top, left = header_top + cell.row, cell.col + 1
        _merged(ws, top, left, top + cell.row_span - 1, left + cell.col_span - 1,
                cell.text, _bold_font, _CENTRE_WRAPPED, BORDER)
        lines = _wrapped_line_count(cell.text, sum(widths[cell.col: cell.col + cell.col_span]))
        # A cell spanning both header rows may use the first row's lines; the last row grows if needed.
        last = cell.row + cell.row_span - 1
        header_lines[last] = max(header_lines[last], lines - sum(header_lines[cell.row: last]))
    for i, lines in enumerate(header_lines):
        _set_height(ws, header_top + i, lines)
    row = header_top + spec.header_row_count
    ws.print_title_rows = f"{header_top}:{row - 1}"
    ws.freeze_panes = ws.cell(row=row, column=1)

    alignments = [Alignment(horizontal=c.alignment, vertical="center", wrap_text=True) for c in columns]
    formats = [_number_format(c) for c in columns]
    for values in table.value_rows():
        for i, (column, value) in enumerate(zip(columns, values)):
            cell = ws.cell(row=row, column=i + 1, value=_cell_value(value, column))
            cell.font, cell.border, cell.alignment = _body_font, BORDER, alignments[i]
            # Dates get a date format wherever they are; text columns keep a date as a date, too.
            cell.number_format = "yyyy-mm-dd" if isinstance(cell.value, dt.date) else formats[i]
        _set_height(ws, row, max(_wrapped_line_count(display_text(v, c), w)
                                 for v, c, w in zip(values, columns, widths)))
        row += 1

    totals = table.totals_row()
    if totals is not None:
        span = spec.totals_label_span
        _merged(ws, row, 1, row, span, totals[0], _bold_font, _CENTRE_WRAPPED, BORDER)
        for i in range(span, n_cols):
            cell = ws.cell(row=row, column=i + 1, value=_cell_value(totals[i], columns[i]))
            cell.font, cell.border, cell.alignment = _bold_font, BORDER, alignments[i]
            cell.number_format = formats[i]
        row += 1

    for note in spec.notes:
        _merged(ws, row, 1, row, n_cols, note, _body_font, _NOTE)
        _set_height(ws, row, _wrapped_line_count(note, sum(widths)))
        row += 1
    if spec.signature:
        row += 1  # a blank line to sign in
        _merged(ws, row, 1, row, n_cols, spec.signature, _body_font, _RIGHT)
        _set_height(ws, row, 2)
        row += 1

    _page_setup(ws, table, last_row=row - 1)


def _page_setup(ws: Worksheet, table: Table, last_row: int) -> None:
    spec = table.spec
    ws.page_setup.paperSize = PAPER_SIZES[spec.paper]
    ws.page_setup.orientation = spec.orientation
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.print_area = f"A1:{get_column_letter(len(spec.columns))}{last_row}"


def _merged(ws: Worksheet, top: int, left: int, bottom: int, right: int, value: Value,
            font: Font, alignment: Alignment, border: Border | None = None) -> None:
    """Write ``value`` into a (possibly merged) range and style every cell of it: Excel and WPS draw a
    merged range's borders from each covered cell, not only the first."""
    if bottom > top or right > left:
        ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    ws.cell(row=top, column=left).value = _clean(value) if isinstance(value, str) else value
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.alignment = font, alignment
            if border is not None:
                cell.border = border


def _cell_value(value: Value, column: Column) -> Value:
    if value is None:
        return None
    if column.kind in ("id_number", "phone") or isinstance(value, bool):
        return _clean(display_text(value, column))  # an 18-digit number would lose its last digits
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return _clean(value)
    return value


def _number_format(column: Column) -> str:
    if column.kind in ("id_number", "phone"):
        return "@"
    if column.kind == "date":
        return "yyyy-mm-dd"
    if column.kind == "number" and column.decimals:
        return "0." + "0" * column.decimals
    return "General"


def _clean(text: str) -> str:
    """Drop the control characters the xlsx format cannot hold (they sneak in from pasted text)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_CHARS]


def _wrapped_line_count(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide, breaking anywhere
    (Chinese may break between any two characters; a Chinese character is 2 units wide)."""
    usable = max(width - CELL_INNER_MARGIN, 2)
    count = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for ch in paragraph:
            w = display_width(ch)
            if used and used + w > usable:
                lines, used = lines + 1, 0
            used += w
        count += lines
    return count


def _set_height(ws: Worksheet, row: int, lines: int) -> None:
    """Give a row room for ``lines`` lines of text; a one-line row keeps the default height."""
    if lines > 1:
        ws.row_dimensions[row].height = lines * LINE_HEIGHT + 2 * ROW_PADDING
