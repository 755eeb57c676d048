"""Write a ``Report`` as an .xlsx workbook, one sheet per table, ready to edit and print in Excel or WPS.

A form set (cards) goes on one sheet too: the forms one under another, each a block of merged, bordered
boxes, with manual page breaks where ``spec.pack_pages`` starts a new page. Manual breaks only hold at a
fixed print scale (Excel ignores them under "fit to page"), so the scale is worked out from the widths.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import weakref
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.text import strip_controls
from ..fileio import atomic_write
from .spec import Column, DrawnPages, Form, FormSet, Report, Table, Value, display_text, display_width, pack_pages

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
PAPER_POINTS = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55)}  # portrait width, height
MARGINS = dict(left=0.5, right=0.5, top=0.6, bottom=0.7, footer=0.3)  # inches
# Excel draws a column of width w about 7·w pixels wide (7 px: the digit width of Calibri 11, the default
# font), 96 px an inch. LibreOffice without Calibri's metric twin (Carlito) draws it about 9.3·w pixels;
# a form's print scale allows for that, so its columns never spill onto a second page across.
PIXELS_PER_WIDTH_UNIT = 7
WIDEST_PIXELS_PER_WIDTH_UNIT = 9.3
POINTS_PER_PIXEL = 0.75
PAGE_HEIGHT_SLACK = 0.97  # row heights are rounded to whole pixels; keep a little room on each page
PAGE_WIDTH_SLACK = 0.95  # so are column widths, one by one: a band of columns keeps this much room
CAPTION_ROW_HEIGHT = 20
PHOTO_INSET = 4  # pixels between a photo and its box
MAX_CELL_CHARS = 32767  # Excel's limit for one cell
MONEY_FORMAT = "0.00"  # 元 with two decimals, as the PDF prints it; the cell holds the amount in 元

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
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")


def write_xlsx(report: Report, path: str | os.PathLike[str]) -> str:
    """Write ``report`` to ``path`` safely (see ``fileio.atomic_write``); returns the file's SHA-256."""
    if not report.tables:
        raise ValueError("报表中没有任何表格，无法导出。")
    workbook = Workbook()
    workbook.remove(workbook.active)
    used_names: set[str] = set()
    for section in report.tables:
        if isinstance(section, DrawnPages):
            raise ValueError(f"“{section.title}”是排版好的打印件，只能导出为 PDF 文件。")
        if isinstance(section, FormSet):
            name = sheet_name(section.sheet_name or section.title, used_names)
            _fill_form_sheet(workbook.create_sheet(name), section)
        else:
            name = sheet_name(section.spec.sheet_name or section.spec.title, used_names)
            _fill_sheet(workbook.create_sheet(name), section)
        used_names.add(name.casefold())
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
    bands = table.column_bands(widths, _page_width_units(spec))
    # Title, unit line, notes and signature span the first page across, where they are read.
    head_cols = bands[0][-1] + 1 if table.banded else n_cols
    head_width = sum(widths[:head_cols])

    row = 1
    _merged(ws, row, 1, row, head_cols, spec.title, _title_font, _CENTRE_WRAPPED)
    # The title font is larger, so the row holds fewer title characters than body characters.
    title_lines = _wrapped_line_count(spec.title, head_width * BODY_SIZE / TITLE_SIZE)
    ws.row_dimensions[row].height = TITLE_ROW_HEIGHT * title_lines
    row += 1

    if spec.subtitle:
        _merged(ws, row, 1, row, head_cols, spec.subtitle, _body_font, _CENTRE_WRAPPED)
        _set_height(ws, row, _wrapped_line_count(spec.subtitle, head_width))
        row += 1

    if spec.unit_text or spec.date_text:
        if table.banded:
            # One centred line: the repeated columns print the left end of rows 1–2 on every band,
            # where a left-aligned unit would show cut off.
            text = "　　　　".join(t for t in (spec.unit_text, spec.date_text) if t)
            _merged(ws, row, 1, row, head_cols, text, _body_font, _CENTRE_WRAPPED)
        elif head_cols == 1:
            text = "　　".join(t for t in (spec.unit_text, spec.date_text) if t)
            _merged(ws, row, 1, row, 1, text, _body_font, _LEFT)
        else:
            middle = math.ceil(head_cols / 2)
            _merged(ws, row, 1, row, middle, spec.unit_text, _body_font, _LEFT)
            _merged(ws, row, middle + 1, row, head_cols, spec.date_text, _body_font, _RIGHT)
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
    # Setting a style looks it up by hashing the style objects, which costs more than the rest of a cell;
    # each column's style is set once and its index array copied to the cells below.
    styles: dict[tuple[int, bool], object] = {}
    for values in table.value_rows():
        for i, (column, value) in enumerate(zip(columns, values)):
            cell = put(ws.cell(row=row, column=i + 1), _cell_value(value, column))
            is_date = isinstance(cell.value, dt.date)
            style = styles.get((i, is_date))
            if style is not None:
                cell._style = copy(style)
                continue
            cell.font, cell.border, cell.alignment = _body_font, BORDER, alignments[i]
            # Dates get a date format wherever they are; text columns keep a date as a date, too.
            cell.number_format = "yyyy-mm-dd" if is_date else formats[i]
            styles[(i, is_date)] = copy(cell._style)
        _set_height(ws, row, max(_wrapped_line_count(display_text(v, c), w)
                                 for v, c, w in zip(values, columns, widths)))
        row += 1

    totals = table.totals_row()
    if totals is not None:
        span = spec.totals_label_span
        _merged(ws, row, 1, row, span, totals[0], _bold_font, _CENTRE_WRAPPED, BORDER)
        for i in range(span, n_cols):
            cell = put(ws.cell(row=row, column=i + 1), _cell_value(totals[i], columns[i]))
            cell.font, cell.border, cell.alignment = _bold_font, BORDER, alignments[i]
            cell.number_format = formats[i]
        row += 1

    for note in spec.notes:
        _merged(ws, row, 1, row, head_cols, note, _body_font, _NOTE)
        _set_height(ws, row, _wrapped_line_count(note, head_width))
        row += 1
    if spec.signature:
        row += 1  # a blank line to sign in
        _merged(ws, row, 1, row, head_cols, spec.signature, _body_font, _RIGHT)
        _set_height(ws, row, 2)
        row += 1

    _page_setup(ws, table, bands, last_row=row - 1)


def _page_width_units(spec) -> float:
    """How many width units one page holds across at the table's print scale, as the widest-drawing
    spreadsheet program draws them (so a band fits in Excel, WPS and LibreOffice alike)."""
    width, _ = printable_points(spec.paper, spec.orientation)
    scale = (spec.print_scale or 100) / 100
    return width * PAGE_WIDTH_SLACK / (WIDEST_PIXELS_PER_WIDTH_UNIT * POINTS_PER_PIXEL * scale)


def _page_setup(ws: Worksheet, table: Table, bands: list[list[int]], last_row: int) -> None:
    spec = table.spec
    _paper_and_margins(ws, spec.paper, spec.orientation)
    if spec.print_scale:
        # Manual page breaks hold only at a fixed scale (Excel ignores them under "fit to page").
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = spec.print_scale
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
    if spec.repeat_columns:
        ws.print_title_cols = f"A:{get_column_letter(spec.repeat_columns)}"
    for band in bands[:-1]:
        ws.col_breaks.append(Break(id=band[-1] + 1))  # the break goes after the column it names
    ws.print_area = f"A1:{get_column_letter(len(spec.columns))}{last_row}"


def _paper_and_margins(ws: Worksheet, paper: str, orientation: str) -> None:
    ws.page_setup.paperSize = PAPER_SIZES[paper]
    ws.page_setup.orientation = orientation
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.oddFooter.center.text = PAGE_FOOTER


def printable_points(paper: str, orientation: str) -> tuple[float, float]:
    """Width and height inside the margins at 100 % scale."""
    width, height = PAPER_POINTS[paper]
    if orientation == "landscape":
        width, height = height, width
    return (width - 72 * (MARGINS["left"] + MARGINS["right"]),
            height - 72 * (MARGINS["top"] + MARGINS["bottom"]))


def form_print_scale(forms: FormSet) -> int:
    """The print scale (percent) at which the forms' columns fit the printable width in Excel, WPS and
    LibreOffice alike."""
    width, _ = printable_points(forms.paper, forms.orientation)
    sheet_width = sum(forms.widths) * WIDEST_PIXELS_PER_WIDTH_UNIT * POINTS_PER_PIXEL
    return max(10, min(100, math.floor(100 * width / sheet_width)))


def form_row_heights(form: Form) -> list[float]:
    """The grid's row heights in points: each box tall enough for its text as Excel wraps it."""
    widths = form.spec.widths

    def needed(cell, text: str) -> float:
        lines = _wrapped_line_count(text, sum(widths[c] for c in cell.cols))
        return lines * LINE_HEIGHT + 2 * ROW_PADDING

    return form.row_heights(needed)


def _form_head_heights(form: Form) -> list[float]:
    """Heights of the title row and (when there is one) the caption row above the grid."""
    title_lines = _wrapped_line_count(form.spec.title, sum(form.spec.widths) * BODY_SIZE / TITLE_SIZE)
    heights = [TITLE_ROW_HEIGHT * title_lines]
    if form.caption_left or form.caption_right:
        heights.append(CAPTION_ROW_HEIGHT)
    return heights


def _fill_form_sheet(ws: Worksheet, forms: FormSet) -> None:
    widths = forms.widths
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    scale = form_print_scale(forms)
    _, page_height = printable_points(forms.paper, forms.orientation)
    available = page_height * 100 / scale * PAGE_HEIGHT_SLACK
    laid_out = [(form, _form_head_heights(form), form_row_heights(form)) for form in forms.forms]
    pages = pack_pages([sum(head) + sum(grid) for _, head, grid in laid_out], available, forms.gap)
    row = 1
    for page_number, page in enumerate(pages):
        if page_number:
            ws.row_breaks.append(Break(id=row - 1))  # the break goes after the row it names
        for position, index in enumerate(page):
            if position:
                ws.row_dimensions[row].height = forms.gap
                row += 1
            row = _write_form(ws, *laid_out[index], row)
    _paper_and_margins(ws, forms.paper, forms.orientation)
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = scale
    ws.print_area = f"A1:{get_column_letter(len(widths))}{row - 1}"


def _write_form(ws: Worksheet, form: Form, head: list[float], grid: list[float], top: int) -> int:
    """Write one form from row ``top``; returns the first row after it."""
    spec = form.spec
    n_cols = len(spec.widths)
    _merged(ws, top, 1, top, n_cols, spec.title, _title_font, _CENTRE_WRAPPED)
    ws.row_dimensions[top].height = head[0]
    row = top + 1
    if len(head) > 1:
        middle = math.ceil(n_cols / 2)
        _merged(ws, row, 1, row, middle, form.caption_left, _body_font, _LEFT)
        _merged(ws, row, middle + 1, row, n_cols, form.caption_right, _body_font, _RIGHT)
        ws.row_dimensions[row].height = head[1]
        row += 1
    first = row
    for i, height in enumerate(grid):
        ws.row_dimensions[first + i].height = height
    for cell in spec.cells:
        r0, c0 = first + cell.row, cell.col + 1
        r1, c1 = r0 + cell.row_span - 1, c0 + cell.col_span - 1
        image = form.image(cell)
        text = "" if image else form.text(cell)
        font = _bold_font if cell.kind in ("label", "heading") else _body_font
        alignment = Alignment(horizontal=cell.alignment, vertical="center", wrap_text=True)
        _merged(ws, r0, c0, r1, c1, text or None, font, alignment, BORDER)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                target = ws.cell(row=r, column=c)
                if cell.kind in ("label", "heading"):
                    target.fill = _LABEL_FILL
                elif cell.kind == "value":
                    target.number_format = "@"  # a phone number typed in later stays text
        if image:
            _place_image(ws, image, spec.widths, grid, cell, first)
    return first + len(grid)


def _place_image(ws: Worksheet, data: bytes, widths, heights, cell, first_row: int) -> None:
    """Anchor a picture in a box, as large as fits with its proportions kept, centred."""
    from openpyxl.drawing.image import Image
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
    from openpyxl.drawing.xdr import XDRPositiveSize2D
    from openpyxl.utils.units import pixels_to_EMU

    col_px = [w * PIXELS_PER_WIDTH_UNIT for w in widths[cell.col: cell.col + cell.col_span]]
    row_px = [h / POINTS_PER_PIXEL for h in heights[cell.row: cell.row + cell.row_span]]
    box_w, box_h = sum(col_px) - 2 * PHOTO_INSET, sum(row_px) - 2 * PHOTO_INSET
    picture = Image(io.BytesIO(data))
    ratio = min(box_w / picture.width, box_h / picture.height)
    picture.width, picture.height = int(picture.width * ratio), int(picture.height * ratio)
    x = PHOTO_INSET + (box_w - picture.width) / 2
    y = PHOTO_INSET + (box_h - picture.height) / 2
    # An anchor names the cell the picture starts in and the offset inside it.
    col, row = 0, 0
    while col < len(col_px) - 1 and x >= col_px[col]:
        x -= col_px[col]
        col += 1
    while row < len(row_px) - 1 and y >= row_px[row]:
        y -= row_px[row]
        row += 1
    marker = AnchorMarker(col=cell.col + col, colOff=pixels_to_EMU(int(x)),
                          row=first_row - 1 + cell.row + row, rowOff=pixels_to_EMU(int(y)))
    picture.anchor = OneCellAnchor(
        _from=marker, ext=XDRPositiveSize2D(pixels_to_EMU(picture.width), pixels_to_EMU(picture.height)))
    ws.add_image(picture)


def _merged(ws: Worksheet, top: int, left: int, bottom: int, right: int, value: Value,
            font: Font, alignment: Alignment, border: Border | None = None) -> None:
    """Write ``value`` into a (possibly merged) range and style every cell of it: Excel and WPS draw a
    merged range's borders from each covered cell, not only the first."""
    if bottom > top or right > left:
        ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    put(ws.cell(row=top, column=left), _clean(value) if isinstance(value, str) else value)
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            _style(ws.cell(row=r, column=c), font, alignment, border)


# Setting a font, alignment or border looks it up in the workbook by hashing the style objects, which
# costs more than writing the cell. A fresh cell styled with the same objects as one before gets a copy
# of that cell's style index array instead. Keyed by the objects' identity, per workbook; the objects
# are kept in the cache so an identity is not reused while it lives. Callers that make new style objects
# for every cell (forms) gain nothing from it, so it stops growing after a few hundred entries.
_STYLE_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STYLE_CACHE_LIMIT = 256


def _style(cell, font: Font, alignment: Alignment, border: Border | None) -> None:
    if cell._style is not None and any(cell._style):  # already styled: set the parts the ordinary way
        cell.font, cell.alignment = font, alignment
        if border is not None:
            cell.border = border
        return
    cache = _STYLE_CACHE.setdefault(cell.parent.parent, {})
    key = (id(font), id(alignment), id(border))
    known = cache.get(key)
    if known is not None:
        cell._style = copy(known[0])
        return
    cell.font, cell.alignment = font, alignment
    if border is not None:
        cell.border = border
    if len(cache) < _STYLE_CACHE_LIMIT:
        cache[key] = (copy(cell._style), font, alignment, border)


def put(cell, value):
    """Set a cell's value; text is always stored as text, never as a formula.

    openpyxl turns a string that starts with "=" into a formula, so a name or note typed as
    ``=HYPERLINK("http://…","…")`` or ``=cmd|' /C calc'!A0`` would come out of an export as a live formula.
    Nothing the program writes is a formula: such text is kept as a string cell, which Excel, WPS and
    LibreOffice show as typed (text starting with + - @, a tab or a line break is a string cell already).
    Every cell of the xlsx files written here goes through this function (the error workbook's too).
    """
    cell.value = value
    if isinstance(value, str) and cell.data_type != "s":
        cell.data_type = "s"
    return cell


def _cell_value(value: Value, column: Column) -> Value:
    if value is None:
        return None
    if column.kind in ("id_number", "phone") or isinstance(value, bool):
        return _clean(display_text(value, column))  # an 18-digit number would lose its last digits
    if column.kind == "money" and not isinstance(value, str):
        display_text(value, column)  # refuses anything but whole 分
        return Decimal(value) / 100  # 元, written exactly ("15.5", never 15.499999…)
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
    if column.kind == "money":
        return MONEY_FORMAT
    return "General"


def _clean(text: str) -> str:
    """Drop the control characters the xlsx format cannot hold (they sneak in from pasted text), escape
    sequences and bidi controls (records saved before they were removed on entry may still hold them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", strip_controls(text))[:MAX_CELL_CHARS]


def _wrapped_line_count(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide, breaking anywhere
    (Chinese may break between any two characters; a Chinese character is 2 units wide)."""
    usable = max(width - CELL_INNER_MARGIN, 2)
    count = 0
    for paragraph in text.split("\n"):
        if 2 * len(paragraph) <= usable:  # fits even if every character is wide
            count += 1
            continue
        lines, used = 1, 0
        for ch in paragraph:
            w = _char_width(ch)
            if used and used + w > usable:
                lines, used = lines + 1, 0
            used += w
        count += lines
    return count


_CHAR_WIDTHS: dict[str, int] = {}


def _char_width(ch: str) -> int:
    width = _CHAR_WIDTHS.get(ch)
    if width is None:
        width = _CHAR_WIDTHS[ch] = display_width(ch)
    return width


def _set_height(ws: Worksheet, row: int, lines: int) -> None:
    """Give a row room for ``lines`` lines of text; a one-line row keeps the default height."""
    if lines > 1:
        ws.row_dimensions[row].height = lines * LINE_HEIGHT + 2 * ROW_PADDING
