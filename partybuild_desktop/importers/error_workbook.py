"""The refused rows of an import, written back as a workbook the clerk can correct and import again.

Each refused row keeps its original cells under the original headers (so fixing a cell and importing
this file, or the original one, works the same way), followed by 原行号 (the row in the original file)
and 问题 (every reason the row was refused, and what else to check). Every original cell is written as
text, so ID numbers and phone numbers are not turned into numbers by Excel, and text typed like a formula
(``=HYPERLINK(…)``) stays text (``reports.xlsx_writer.put``).
"""

from __future__ import annotations

import os
import unicodedata

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..domain.text import strip_controls
from ..fileio import atomic_write
from ..reports.xlsx_writer import put
from .roster import Problem, RosterReading, RowResult

ROW_NUMBER_HEADER = "原行号"
SHEET_HEADER = "原工作表"
PROBLEMS_HEADER = "问题"
SHEET_TITLE = "未导入的行"
TEXT_FORMAT = "@"
MIN_WIDTH, MAX_WIDTH, PROBLEMS_WIDTH = 6, 40, 60
MAX_CELL_CHARS = 32767  # Excel's limit for one cell


def display_width(text: str) -> int:
    """Width in character cells, a Chinese (wide) character counting 2; the longest line wins."""
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.split("\n")), default=0)


def _reading(reading_or_preview) -> RosterReading:
    """An ``ImportPreview`` (``importers.preview``, members or households) carries its reading, with the
    preview's own refusals added to the rows."""
    return getattr(reading_or_preview, "reading", reading_or_preview)


def _detail(row: RowResult, problem: Problem) -> str:
    """The message without the leading "第 N 行" (the row number has its own column)."""
    where = row.where()
    message = problem.message
    return message[len(where):].lstrip("：") if message.startswith(where) else message


def problems_text(row: RowResult) -> str:
    lines = [_detail(row, p) for p in row.refusals]
    lines += ["（提示）" + _detail(row, p) for p in row.warnings]
    return "\n".join(lines)


def write_error_workbook(reading_or_preview, path: str | os.PathLike[str]) -> int:
    """Write the refused rows to ``path`` (atomically); returns how many rows were written."""
    reading = _reading(reading_or_preview)
    refused = [row for row in reading.rows if row.refusals]
    headers = reading.headers
    several_sheets = len(reading.sheets) > 1
    extra = [ROW_NUMBER_HEADER] + ([SHEET_HEADER] if several_sheets else []) + [PROBLEMS_HEADER]

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for column, header in enumerate([*headers, *extra], start=1):
        put(sheet.cell(row=1, column=column), _clean(header)).font = bold
    widths = [display_width(h) for h in [*headers, *extra]]

    for index, row in enumerate(refused, start=2):
        for column, header in enumerate(headers, start=1):
            text = _clean(row.original.get(header, ""))
            cell = put(sheet.cell(row=index, column=column), text or None)
            cell.number_format = TEXT_FORMAT
            widths[column - 1] = max(widths[column - 1], display_width(text))
        column = len(headers) + 1
        put(sheet.cell(row=index, column=column), row.row_number)
        if several_sheets:
            column += 1
            put(sheet.cell(row=index, column=column), _clean(row.sheet))
            widths[column - 1] = max(widths[column - 1], display_width(row.sheet))
        column += 1
        text = _clean(problems_text(row))
        cell = put(sheet.cell(row=index, column=column), text)
        cell.alignment = wrapped
        widths[column - 1] = max(widths[column - 1], display_width(text))

    for column, width in enumerate(widths, start=1):
        limit = PROBLEMS_WIDTH if column == len(widths) else MAX_WIDTH
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, MIN_WIDTH), limit)
        if column <= len(headers):
            # Cells the clerk types into later stay text as well.
            sheet.column_dimensions[get_column_letter(column)].number_format = TEXT_FORMAT
    sheet.freeze_panes = "A2"
    atomic_write(path, workbook.save)
    return len(refused)


def _clean(text: str) -> str:
    """Text as a cell can hold it: no control characters, at most Excel's 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", strip_controls(text or ""))[:MAX_CELL_CHARS]
