"""The declarative description of an official table, shared by the xlsx and pdf writers.

A ``TableSpec`` says what the printed table looks like (title, columns, paper, the lines around it);
a ``Table`` pairs a spec with its rows; a ``Report`` is the tables that go into one file. Everything the
two writers must agree on (header merges, column widths, totals, how a value reads) is computed here,
so the xlsx and the pdf of one table cannot drift apart. Plain Python only: no openpyxl, no reportlab.

A card is not a table but a "label: value" form on a grid with merged boxes and a photo box: a
``FormSpec`` describes it, a ``Form`` fills it for one person, and a ``FormSet`` (a run of forms printed
one under another, as many to a page as fit) takes a table's place in a ``Report``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Union

from partybuild_desktop.domain.dates import format_cn as format_cn_date  # 2026年11月23日, for the tables
from partybuild_desktop.domain.money import format_money

Value = Union[str, int, float, dt.date, None]
Row = Union[Mapping[str, Value], Sequence[Value]]

# "money": the value is a whole number of 分 (an int), printed as 元 with two decimals.
Kind = Literal["text", "number", "date", "id_number", "phone", "money"]
Align = Literal["left", "center", "right"]
Paper = Literal["A4", "A3"]
Orientation = Literal["portrait", "landscape"]

KINDS = ("text", "number", "date", "id_number", "phone", "money")
SUMMED_KINDS = ("number", "money")  # the kinds a totals row adds up
ALIGNS = ("left", "center", "right")
DEFAULT_ALIGN: dict[str, Align] = {
    "text": "left",
    "number": "right",
    "date": "center",
    "id_number": "center",
    "phone": "center",
    "money": "right",
}

# Automatic column widths, in display units (a Chinese character counts 2).
MIN_AUTO_WIDTH = 6
MAX_AUTO_WIDTH = 40
HEADER_FIT_LIMIT = 16  # longer headers wrap instead of widening the column
WIDTH_PADDING = 2
# A cell this wide or narrower (农民党员, 第1党小组) never wraps: a column set narrower is widened to it,
# plus the one unit a cell's margins take.
SHORT_TEXT_WIDTH = 12
SHORT_TEXT_PADDING = 1


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    # Width in spreadsheet character units, where a Chinese character counts 2. None: fit header and content.
    width: float | None = None
    kind: Kind = "text"
    align: Align | None = None  # None: by kind (text left, numbers right, the rest centred)
    group: str | None = None  # upper header text shared with neighbouring columns of the same group
    decimals: int | None = None  # number columns: fixed decimal places, e.g. 1 for study hours (money: kind)
    total: bool = True  # number and money columns: added up in the totals row (not for 序号 or 年龄)
    new_page: bool = False  # printing: this column starts a new page across (after the repeated columns)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key!r}: unknown kind {self.kind!r}")
        if self.align is not None and self.align not in ALIGNS:
            raise ValueError(f"column {self.key!r}: unknown align {self.align!r}")

    @property
    def alignment(self) -> Align:
        return self.align or DEFAULT_ALIGN[self.kind]

    @property
    def summed(self) -> bool:
        return self.kind in SUMMED_KINDS and self.total


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the header block; rows and columns count from 0 inside the block."""

    text: str
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1


@dataclass(frozen=True)
class TableSpec:
    title: str
    columns: tuple[Column, ...]
    paper: Paper = "A4"
    orientation: Orientation = "portrait"
    unit: str | None = None  # 填报单位
    date: dt.date | None = None  # 填报日期
    notes: tuple[str, ...] = ()  # lines under the table, e.g. "注：……"
    signature: str | None = None  # e.g. "书记签字：__________　　（盖章）"
    totals_label: str | None = None  # e.g. "合计": adds a row summing the number columns
    sheet_name: str | None = None  # xlsx sheet name; defaults to the title
    subtitle: str | None = None  # a centred line under the title, e.g. whose record the table is
    # A table too wide for one page across prints in bands of columns, each on pages of its own, with the
    # first ``repeat_columns`` (序号, 姓名) repeated on every band so each page says whose row it is.
    repeat_columns: int = 0
    # The xlsx prints at this fixed scale (percent) instead of shrinking to one page wide, so the print
    # keeps its size (10.5 pt × 90 % ≈ 9.5 pt) and the bands' page breaks hold.
    print_scale: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "notes", tuple(self.notes))
        if not self.columns:
            raise ValueError(f"table {self.title!r} has no columns")
        keys = [c.key for c in self.columns]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"table {self.title!r}: duplicate column keys {duplicates}")
        if self.paper not in ("A4", "A3"):
            raise ValueError(f"table {self.title!r}: unknown paper {self.paper!r}")
        if self.orientation not in ("portrait", "landscape"):
            raise ValueError(f"table {self.title!r}: unknown orientation {self.orientation!r}")

    @property
    def header_row_count(self) -> int:
        return 2 if any(c.group for c in self.columns) else 1

    def header_cells(self) -> list[HeaderCell]:
        """The header block with its merges: neighbouring columns of one group share an upper cell,
        and a column outside any group spans both rows."""
        if self.header_row_count == 1:
            return [HeaderCell(c.header, 0, i) for i, c in enumerate(self.columns)]
        cells: list[HeaderCell] = []
        i = 0
        while i < len(self.columns):
            group = self.columns[i].group
            if not group:
                cells.append(HeaderCell(self.columns[i].header, 0, i, row_span=2))
                i += 1
                continue
            end = i
            while end + 1 < len(self.columns) and self.columns[end + 1].group == group:
                end += 1
            cells.append(HeaderCell(group, 0, i, col_span=end - i + 1))
            cells.extend(HeaderCell(self.columns[j].header, 1, j) for j in range(i, end + 1))
            i = end + 1
        return cells

    @property
    def unit_text(self) -> str:
        return f"填报单位：{self.unit}" if self.unit else ""

    @property
    def date_text(self) -> str:
        return f"填报日期：{format_cn_date(self.date)}" if self.date else ""

    @property
    def totals_label_span(self) -> int:
        """How many leading columns the totals label covers: up to the first column that is added up."""
        for i, column in enumerate(self.columns):
            if column.summed:
                return max(i, 1)
        return len(self.columns)


@dataclass
class Table:
    spec: TableSpec
    rows: Sequence[Row] = field(default_factory=list)

    def value_rows(self) -> list[list[Value]]:
        """Rows as lists in column order: dict rows by key (a missing key is empty), tuples by position."""
        keys = [c.key for c in self.spec.columns]
        result = []
        for number, row in enumerate(self.rows, start=1):
            if isinstance(row, Mapping):
                result.append([row.get(k) for k in keys])
            elif isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
                raise TypeError(f"table {self.spec.title!r} row {number}: expected a dict or a tuple")
            elif len(row) != len(keys):
                raise ValueError(
                    f"table {self.spec.title!r} row {number}: {len(row)} values for {len(keys)} columns"
                )
            else:
                result.append(list(row))
        return result

    def totals_row(self) -> list[Value] | None:
        """The totals row (label first, sums under number columns), or None when the spec has no label."""
        if not self.spec.totals_label:
            return None
        rows = self.value_rows()
        totals: list[Value] = [None] * len(self.spec.columns)
        for i, column in enumerate(self.spec.columns):
            if not column.summed or i < self.spec.totals_label_span:
                continue
            numbers = [r[i] for r in rows if isinstance(r[i], (int, float)) and not isinstance(r[i], bool)]
            total = sum(numbers)
            if isinstance(total, float) and column.decimals is not None:
                total = round(total, column.decimals)
            totals[i] = total
        totals[0] = self.spec.totals_label
        return totals

    @property
    def banded(self) -> bool:
        return self.spec.repeat_columns > 0 or any(c.new_page for c in self.spec.columns)

    def column_bands(self, widths: Sequence[float], page_width: float) -> list[list[int]]:
        """The columns of each band printed across (indexes, the repeated ones first in every band): a
        band ends before a ``new_page`` column, or before a column that would not fit ``page_width`` (in
        the same unit as ``widths``); a run of columns needing several pages is shared out evenly among
        them rather than leaving a nearly empty last page. One band for a table that is not ``banded``."""
        everything = list(range(len(self.spec.columns)))
        if not self.banded:
            return [everything]
        repeated = everything[: self.spec.repeat_columns]
        room = page_width - sum(widths[i] for i in repeated)
        runs: list[list[int]] = []  # the columns between two ``new_page`` marks
        for i in everything[len(repeated):]:
            if not runs or self.spec.columns[i].new_page:
                runs.append([])
            runs[-1].append(i)
        bands = [band for run in runs for band in _even_bands(run, widths, room)]
        return [repeated + band for band in bands] or [repeated]

    def band(self, indexes: Sequence[int]) -> "Table":
        """The same table with only these columns (for one band of a wide table)."""
        columns = tuple(self.spec.columns[i] for i in indexes)
        spec = replace(self.spec, columns=columns, totals_label=self.spec.totals_label
                       if any(c.summed for c in columns) else None)
        return Table(spec, [[row[i] for i in indexes] for row in self.value_rows()])

    def column_widths(self) -> list[float]:
        """Widths in spreadsheet character units; the PDF uses them as proportions."""
        rows = self.value_rows()
        widths = []
        for i, column in enumerate(self.spec.columns):
            if column.width is not None:
                short = max((w for w in (display_width(display_text(r[i], column)) for r in rows)
                             if w <= SHORT_TEXT_WIDTH), default=0)
                widths.append(float(max(column.width, short + SHORT_TEXT_PADDING if short else 0)))
                continue
            content = max((display_width(display_text(r[i], column)) for r in rows), default=0)
            header = min(display_width(column.header), HEADER_FIT_LIMIT)
            fitted = max(content, header) + WIDTH_PADDING
            widths.append(float(min(max(fitted, MIN_AUTO_WIDTH), MAX_AUTO_WIDTH)))
        return widths


def _greedy_bands(run: list[int], widths: Sequence[float], room: float) -> list[list[int]]:
    bands: list[list[int]] = []
    used = 0.0
    for i in run:
        if not bands or used + widths[i] > room:
            bands.append([])
            used = 0.0
        bands[-1].append(i)
        used += widths[i]
    return bands


def _even_bands(run: list[int], widths: Sequence[float], room: float) -> list[list[int]]:
    """As few bands as fit ``room``, each as full as the others: the narrowest room that still needs
    no more bands than the full one (found by halving)."""
    fewest = _greedy_bands(run, widths, room)
    low, high = max(widths[i] for i in run), room
    if low >= high:
        return fewest
    for _ in range(40):
        middle = (low + high) / 2
        if len(_greedy_bands(run, widths, middle)) <= len(fewest):
            high = middle
        else:
            low = middle
    return _greedy_bands(run, widths, high)


FormCellKind = Literal["label", "value", "heading", "photo"]
FORM_CELL_KINDS = ("label", "value", "heading", "photo")


@dataclass(frozen=True)
class FormCell:
    """One box of a form. A label or heading prints ``text``; a value prints ``Form.values[key]``; a
    photo box shows the image bytes in ``Form.values[key]``, or ``text`` when there are none.
    Rows and columns count from 0."""

    kind: FormCellKind
    row: int
    col: int
    text: str = ""
    key: str | None = None
    row_span: int = 1
    col_span: int = 1
    align: Align | None = None  # None: values left, everything else centred

    def __post_init__(self) -> None:
        if self.kind not in FORM_CELL_KINDS:
            raise ValueError(f"form cell ({self.row}, {self.col}): unknown kind {self.kind!r}")
        if self.kind in ("value", "photo") and not self.key:
            raise ValueError(f"form cell ({self.row}, {self.col}): a {self.kind} cell needs a key")
        if self.align is not None and self.align not in ALIGNS:
            raise ValueError(f"form cell ({self.row}, {self.col}): unknown align {self.align!r}")
        if self.row < 0 or self.col < 0 or self.row_span < 1 or self.col_span < 1:
            raise ValueError(f"form cell ({self.row}, {self.col}): bad position or span")

    @property
    def alignment(self) -> Align:
        return self.align or ("left" if self.kind == "value" else "center")

    @property
    def rows(self) -> range:
        return range(self.row, self.row + self.row_span)

    @property
    def cols(self) -> range:
        return range(self.col, self.col + self.col_span)


@dataclass(frozen=True)
class FormSpec:
    """A form on a grid: every position of the grid belongs to exactly one cell (merged boxes span)."""

    title: str
    # Column widths in spreadsheet character units (a Chinese character counts 2); the PDF uses them as
    # proportions of the printable width.
    widths: tuple[float, ...]
    # Minimum row heights in points; a row grows when a box's text needs more lines.
    heights: tuple[float, ...]
    cells: tuple[FormCell, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "widths", tuple(float(w) for w in self.widths))
        object.__setattr__(self, "heights", tuple(float(h) for h in self.heights))
        object.__setattr__(self, "cells", tuple(self.cells))
        owner: dict[tuple[int, int], FormCell] = {}
        for cell in self.cells:
            for r in cell.rows:
                for c in cell.cols:
                    if r >= len(self.heights) or c >= len(self.widths):
                        raise ValueError(f"form {self.title!r}: cell ({cell.row}, {cell.col}) lies outside the grid")
                    if (r, c) in owner:
                        raise ValueError(f"form {self.title!r}: cells overlap at ({r}, {c})")
                    owner[(r, c)] = cell
        gaps = [(r, c) for r in range(len(self.heights)) for c in range(len(self.widths)) if (r, c) not in owner]
        if gaps:
            raise ValueError(f"form {self.title!r}: no cell covers {gaps[:5]}")

    def label_of(self, cell: FormCell) -> str:
        """What a box is called in a message: the label just left of it, else its key or text."""
        for other in self.cells:
            if other.kind == "label" and other.row == cell.row and other.col + other.col_span == cell.col:
                return other.text
        return cell.key or cell.text


@dataclass
class Form:
    """One filled form, e.g. one member's card."""

    spec: FormSpec
    values: Mapping[str, Value | bytes]  # value boxes by key; photo boxes take image bytes (or None)
    name: str = ""  # whose form it is, for messages
    caption_left: str = ""  # a line between the title and the grid, left and right
    caption_right: str = ""

    def text(self, cell: FormCell) -> str:
        """What a box prints (a photo box: its placeholder, shown only when there is no image)."""
        if cell.kind == "value":
            value = self.values.get(cell.key)
            return display_text(value, _PLAIN) if not isinstance(value, bytes) else ""
        return cell.text

    def image(self, cell: FormCell) -> bytes | None:
        value = self.values.get(cell.key) if cell.kind == "photo" else None
        return value if isinstance(value, bytes) and value else None

    def row_heights(self, needed: Callable[[FormCell, str], float]) -> list[float]:
        """Row heights giving every box the height ``needed(cell, text)`` says its text takes (each
        writer measures with its own font metrics). A box over several rows takes what it lacks from its
        last row; single-row boxes are settled first, so a merged box grows only what they leave short."""
        heights = list(self.spec.heights)
        for cell in sorted(self.spec.cells, key=lambda c: c.row_span):
            if cell.kind == "photo":
                continue
            short = needed(cell, self.text(cell)) - sum(heights[r] for r in cell.rows)
            if short > 0:
                heights[cell.rows[-1]] += short
        return heights


_PLAIN = Column("", "_")  # how a form value reads: as a text column would print it


@dataclass
class FormSet:
    """Forms printed one under another, as many to a page as fit (see ``pack_pages``). All forms of a
    set share the same columns, so the xlsx writer can put them on one sheet."""

    title: str  # the sheet name and the PDF document's section
    forms: Sequence[Form]
    paper: Paper = "A4"
    orientation: Orientation = "portrait"
    gap: float = 24.0  # points between two forms on one page, room to cut them apart
    sheet_name: str | None = None

    def __post_init__(self) -> None:
        if not self.forms:
            raise ValueError(f"form set {self.title!r} has no forms")
        widths = self.forms[0].spec.widths
        if any(form.spec.widths != widths for form in self.forms):
            raise ValueError(f"form set {self.title!r}: forms with different columns")

    @property
    def widths(self) -> tuple[float, ...]:
        return self.forms[0].spec.widths


def pack_pages(heights: Sequence[float], available: float, gap: float) -> list[list[int]]:
    """Indexes of the forms on each page: in order, as many as fit one under another with ``gap``
    between them; a form taller than a page gets a page of its own."""
    pages: list[list[int]] = []
    used = 0.0
    for index, height in enumerate(heights):
        if pages and used + gap + height <= available:
            pages[-1].append(index)
            used += gap + height
        else:
            pages.append([index])
            used = height
    return pages


@dataclass
class DrawnPages:
    """Pages a layout module draws itself (a notice board, contact cards with cut marks): what is neither
    a table nor a form. PDF only; the xlsx writer refuses it. ``draw(canvas, index, width, height)``
    draws page ``index`` (from 0) on a page ``width`` × ``height`` points, origin bottom left, and may
    return warnings in Chinese (e.g. a character missing from the fonts)."""

    title: str
    count: int  # number of pages
    draw: Callable[[object, int, float, float], Sequence[str] | None]
    paper: Paper = "A4"
    orientation: Orientation = "portrait"
    page_numbers: bool = True  # a public notice board carries none

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"drawn pages {self.title!r}: nothing to draw")


Section = Union[Table, FormSet, DrawnPages]


@dataclass
class Report:
    stem: str  # file name without extension, e.g. "2026年第三季度党建报表"
    tables: list[Section]  # tables and form sets, each its own sheet and its own run of PDF pages

    def file_name(self, suffix: str) -> str:
        """A file name that Windows accepts: ``report.file_name(".xlsx")``."""
        return f"{safe_file_stem(self.stem)}{suffix}"


_UNSAFE_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_file_stem(text: str) -> str:
    """A file or folder name Windows accepts: no <>:"/\\|?* or control characters, no trailing dot or space."""
    return _UNSAFE_FILE_CHARS.sub("_", text).strip().rstrip(". ") or "报表"


def display_text(value: Value, column: Column) -> str:
    """How a value reads in a printed cell."""
    if value is None:
        return ""
    if column.kind == "money":
        if isinstance(value, str):  # a mark in place of an amount (“—”: nothing owed)
            return value
        return format_money(value)  # 分 → "15.00"; a float here is a bug, and format_money says so
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if column.decimals is not None:
            return f"{value:.{column.decimals}f}"
        if value.is_integer():
            return str(int(value))
        return f"{value:.10f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and column.decimals is not None and column.kind == "number":
        return f"{value:.{column.decimals}f}"
    return str(value)


def display_width(text: str) -> int:
    """Width in character cells: Chinese (East Asian wide) characters count 2. The longest line wins."""
    def line_width(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)

    return max((line_width(line) for line in text.split("\n")), default=0)
