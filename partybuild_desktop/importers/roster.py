"""A generic reader for rosters that clerks keep in Excel, WPS or LibreOffice.

Real rosters have a merged title row, a 填报单位/填报日期 line, header cells with line breaks and
``*`` marks, blank separator rows and a 合计 row. The reader finds the header row by matching
the known header variants of each field, then parses every data row with the field's parser and
collects what is wrong as refusals (the row cannot be imported) and warnings (it can, but the
clerk should look). Nothing is written anywhere: the caller decides what to do with the result.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..domain import field_limits
from ..domain.errors import Refusal
from ..domain.text import cell_text, clean_cell, has_controls, strip_controls
from . import bounds

# How far down a sheet the header row may be.
HEADER_SEARCH_ROWS = 30
# A sheet counts as a roster when at least this many columns are recognised.
MIN_HEADER_MATCHES = 2

# Reading-level problem codes.
HEADER_NOT_FOUND = "header_not_found"
MISSING_COLUMN = "missing_column"
DUPLICATE_COLUMN = "duplicate_column"

_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_EXAMPLE_PREFIXES = ("示例", "样例", "例：", "例:")
_FOOTER_PREFIXES = ("填表人", "填报人", "制表人", "审核人", "负责人", "联系人", "填表说明", "说明", "注：", "注:", "备注：")


class RosterUnreadable(Refusal):
    """The file cannot be read as a spreadsheet; ``message`` says why in Chinese, ``code`` (when set) names
    the bound it failed (``importers.bounds``). A refusal, so the window tells it as it is."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class SheetRows:
    """Every cell of one sheet: ``rows[i][j]`` is Excel row ``i + 1``, column ``j + 1``."""

    name: str
    rows: list[list[Any]]


@dataclass(frozen=True)
class Issue:
    """What a parser or a row check found, before the location is added to the message."""

    code: str
    detail: str
    refuse: bool = True


@dataclass
class Parsed:
    """A parser's answer: the value, what is wrong with it, and for dates their precision."""

    value: Any
    issues: list[Issue] = field(default_factory=list)
    precision: str | None = None


Parser = Callable[[Any], Any]


def parse_text(raw: Any) -> Parsed:
    """The default parser: trimmed text, or None when blank."""
    return Parsed(clean_cell(raw) or None)


def parse_multiline_text(raw: Any) -> Parsed:
    return Parsed(clean_cell(raw, keep_newlines=True) or None)


FLAG_UNKNOWN = "flag_unknown"
_FLAGS = {"是": True, "否": False, "√": True, "✓": True, "✔": True, "☑": True, "×": False, "✗": False, "✘": False,
          "y": True, "n": False, "yes": True, "no": False, "1": True, "0": False, "有": True, "无": False,
          "true": True, "false": False}


def parse_flag(raw: Any) -> Parsed:
    """是/否 (also √, ✓, ×, 1, 0, 有, 无); anything else is pointed out and left empty."""
    if isinstance(raw, bool):
        return Parsed(raw)
    text = clean_cell(raw).replace(" ", "").lower()
    if text in _FLAGS:
        return Parsed(_FLAGS[text])
    return Parsed(None, [Issue(FLAG_UNKNOWN, f"「{clean_cell(raw)}」请填写“是”或“否”。", refuse=False)])


@dataclass(frozen=True)
class FieldSpec:
    """One column an import knows: its key, its Chinese label and the headers it goes by."""

    key: str
    label: str
    variants: tuple[str, ...] = ()
    required: bool = False
    parser: Parser = parse_text

    def names(self) -> set[str]:
        return {normalise_header(v) for v in (self.label, *self.variants)}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    column_label: str = ""


@dataclass
class RowResult:
    """One data row: where it is, what the clerk typed, what it parsed to and what is wrong."""

    sheet: str
    row_number: int
    original: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    precision: dict[str, str] = field(default_factory=dict)
    refusals: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    show_sheet: bool = False
    # field key -> the column's header as written in the file (the field's label when absent)
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    @property
    def accepted(self) -> bool:
        return not self.refusals

    def where(self, column_label: str = "") -> str:
        sheet = f"工作表「{self.sheet}」" if self.show_sheet else ""
        column = f"「{column_label}」" if column_label else ""
        return f"{sheet}第 {self.row_number} 行{column}"

    def refuse(self, code: str, detail: str, column_label: str = "") -> Problem:
        problem = Problem(code, f"{self.where(column_label)}：{detail}", column_label)
        self.refusals.append(problem)
        return problem

    def warn(self, code: str, detail: str, column_label: str = "") -> Problem:
        problem = Problem(code, f"{self.where(column_label)}：{detail}", column_label)
        self.warnings.append(problem)
        return problem

    def problems(self) -> list[Problem]:
        return [*self.refusals, *self.warnings]


@dataclass
class HeaderMatch:
    """Where a sheet's header is and which column holds which field."""

    header_rows: tuple[int, ...]  # 0-based indexes; two when the header spans two rows
    columns: dict[int, str]  # column index -> field key
    headers: dict[int, str]  # column index -> header text as written (every non-blank header cell)
    duplicates: dict[int, str] = field(default_factory=dict)  # column index -> field key seen before

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def last_row(self) -> int:
        return self.header_rows[-1]


@dataclass
class SheetLayout:
    name: str
    header_row: int  # 1-based, the last header row when it spans two
    columns: dict[int, str]
    headers: dict[int, str]


@dataclass
class RosterReading:
    path: Path
    rows: list[RowResult] = field(default_factory=list)
    sheets: list[SheetLayout] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def accepted_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.accepted]

    @property
    def refused_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.accepted]

    @property
    def headers(self) -> list[str]:
        """Every header seen, in sheet and column order (for an error workbook)."""
        seen: dict[str, None] = {}
        for sheet in self.sheets:
            for index in sorted(sheet.headers):
                seen.setdefault(sheet.headers[index], None)
        return list(seen)


# ---------------------------------------------------------------- reading the file

_SUPPORTED = ".xlsx、.xls、.xlsm、.xlsb、.ods、.et 或 .csv"


CSV_TOO_LARGE = "csv_too_large"
MAX_CSV_RECORD_CHARS = 1_000_000  # one record (line) of a CSV file


def _csv_refusal(path: Path, line: int, what: str) -> RosterUnreadable:
    return RosterUnreadable(
        f"「{path.name}」第 {line} 行{what}，没有读取。这不像是正常的名册内容："
        "请在 Excel 或 WPS 中打开该文件，改正或删除这一行后另存为 .xlsx，再导入。", CSV_TOO_LARGE)


def _read_csv(path: Path) -> list[SheetRows]:
    import io

    try:
        if path.stat().st_size > bounds.MAX_LEGACY_FILE_BYTES:
            raise RosterUnreadable(
                f"「{path.name}」有 {bounds.megabytes(path.stat().st_size)}，超过了可导入的 "
                f"{bounds.megabytes(bounds.MAX_LEGACY_FILE_BYTES)}，没有读取。名册一般只有几百 KB，"
                "请确认选对了文件。", bounds.SPREADSHEET_TOO_LARGE)
        data = path.read_bytes()
    except OSError as exc:
        raise RosterUnreadable(
            f"「{path.name}」正被其他程序占用或无权读取。请先在 Excel 或 WPS 中关闭该文件后重试。"
        ) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterUnreadable(f"无法识别「{path.name}」的文字编码。请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。")
    del data
    rows: list[list[str]] = []
    width = 0
    # The field size limit is the csv module's own (process-wide) setting: set for this read, then restored.
    previous = csv.field_size_limit(bounds.MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "field larger" in str(exc):
                    raise _csv_refusal(path, line, f"有一格超过了 {bounds.MAX_CELL_CHARS} 个字符") from exc
                if "NUL" in str(exc):
                    raise _csv_refusal(path, line, "含有空字符（NUL），文件可能已损坏") from exc
                raise _csv_refusal(path, line, "的格式有误") from exc
            if len(rows) >= bounds.MAX_ROWS:
                raise _csv_refusal(path, line, f"超出了可导入的 {bounds.MAX_ROWS} 行")
            if len(row) > bounds.MAX_COLUMNS:
                raise _csv_refusal(path, line, f"有 {len(row)} 列，超出了可导入的 {bounds.MAX_COLUMNS} 列")
            if sum(map(len, row)) > MAX_CSV_RECORD_CHARS:
                raise _csv_refusal(path, line, f"超过了 {MAX_CSV_RECORD_CHARS} 个字符")
            width = max(width, len(row))
            if width * (len(rows) + 1) > bounds.MAX_CELLS:
                raise _csv_refusal(path, line, f"使表格超过了 {bounds.MAX_CELLS} 个单元格")
            rows.append(row)
    finally:
        csv.field_size_limit(previous)
    return [SheetRows(path.stem, rows)]


def _is_locked(exc: Exception) -> bool:
    """Excel or WPS holds the file open (Windows sharing violation, or access denied)."""
    text = str(exc)
    return isinstance(exc, PermissionError) or "os error 32" in text or "os error 13" in text


def read_sheet_rows(path: str | Path) -> list[SheetRows]:
    """Every visible sheet of a workbook, cell values as python-calamine gives them."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

    path = Path(path)
    if not path.is_file():
        raise RosterUnreadable(f"找不到文件「{path}」。请确认文件还在原来的位置（U 盘是否已拔出）。")
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    try:
        # What the file declares and holds is bounded before calamine allocates by it.
        bounds.check_file(path)
    except bounds.SpreadsheetRefused as exc:
        # A damaged file is told as calamine's refusals are, without a code; a bound names the one it failed.
        raise RosterUnreadable(exc.message, None if exc.code == bounds.SPREADSHEET_DAMAGED else exc.code) from exc
    except OSError as exc:
        raise RosterUnreadable(
            f"「{path.name}」正被其他程序占用或无权读取。请先在 Excel 或 WPS 中关闭该文件后重试。"
        ) from exc
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            # Hidden sheets often hold old data or lookup lists: they are not part of the roster.
            hidden = {meta.name for meta in workbook.sheets_metadata if meta.visible != SheetVisibleEnum.Visible}
            sheets = []
            for name in workbook.sheet_names:
                if name in hidden:
                    continue
                sheet = workbook.get_sheet_by_name(name)
                end = sheet.end
                if end is not None:  # the rows as lists from A1 would be this large
                    extent = bounds.Extent(path.name, name)
                    try:
                        extent.add(*end)
                    except bounds.SpreadsheetRefused as exc:
                        raise RosterUnreadable(exc.message, exc.code) from exc
                sheets.append(SheetRows(name, sheet.to_python(skip_empty_area=False)))
        finally:
            workbook.close()
    except RosterUnreadable:
        raise
    except PasswordError as exc:
        raise RosterUnreadable(
            f"「{path.name}」设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码后另存，再导入。"
        ) from exc
    except (CalamineError, OSError, ValueError, RuntimeError) as exc:
        if _is_locked(exc):
            raise RosterUnreadable(
                f"「{path.name}」正被其他程序占用，无法读取。请先在 Excel 或 WPS 中关闭该文件后重试。"
            ) from exc
        raise RosterUnreadable(
            f"无法读取「{path.name}」：文件已损坏，或不是表格文件。"
            f"请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再导入（支持 {_SUPPORTED}）。"
        ) from exc
    return sheets


# ---------------------------------------------------------------- finding the header

_BRACKETED = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>")


def normalise_header(text: Any) -> str:
    """Header text reduced for matching: no spaces or line breaks, no ``*``, no bracketed notes."""
    text = unicodedata.normalize("NFKC", cell_text(text))
    text = text.replace("（", "(").replace("）", ")")
    text = _BRACKETED.sub("", text)
    text = "".join(ch for ch in text if not ch.isspace())
    return text.strip("*:：※").replace("*", "").lower()


def header_text(cell: Any) -> str:
    """A header as shown in messages: line breaks and padding inside Chinese text removed."""
    text = clean_cell(cell)
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def _match_cells(cells: Sequence[Any], lookup: dict[str, str]) -> HeaderMatch:
    columns: dict[int, str] = {}
    headers: dict[int, str] = {}
    duplicates: dict[int, str] = {}
    for index, cell in enumerate(cells):
        shown = header_text(cell)
        if not shown:
            continue
        headers[index] = shown
        key = lookup.get(normalise_header(cell))
        if key is None:
            continue
        if key in columns.values():
            duplicates[index] = key
        else:
            columns[index] = key
    return HeaderMatch((), columns, headers, duplicates)


def _header_lookup(fields: Sequence[FieldSpec]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for spec in fields:
        for name in spec.names():
            lookup.setdefault(name, spec.key)
    return lookup


def find_header_row(rows: Sequence[Sequence[Any]], fields: Sequence[FieldSpec]) -> HeaderMatch | None:
    """The row (or pair of rows, for a two-level header) whose cells best match the fields.

    Title rows, 填报单位 lines and blank rows score nothing and are passed over.
    Returns None when no row has at least ``MIN_HEADER_MATCHES`` known headers.
    """
    lookup = _header_lookup(fields)
    best: HeaderMatch | None = None
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    for index in range(limit):
        single = _match_cells(rows[index], lookup)
        single.header_rows = (index,)
        candidates = [single]
        if index + 1 < len(rows) and single.score:
            # Two-level header: a group cell above, the real headers below, and the cells of
            # single-level columns merged down (so blank in the lower row).
            upper, lower = rows[index], rows[index + 1]
            width = max(len(upper), len(lower))
            combined = [
                lower[j] if j < len(lower) and normalise_header(lower[j]) in lookup else (upper[j] if j < len(upper) else None)
                for j in range(width)
            ]
            pair = _match_cells(combined, lookup)
            pair.header_rows = (index, index + 1)
            lower_match = _match_cells(lower, lookup)
            if lower_match.score and pair.score > single.score and pair.score > lower_match.score:
                candidates.append(pair)
        for candidate in candidates:
            if best is None or candidate.score > best.score:
                best = candidate
    if best is None or best.score < min(MIN_HEADER_MATCHES, len(fields)):
        return None
    return best


# ---------------------------------------------------------------- reading rows

def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    # Text that starts with a visible character is not blank: no need to clean it (the common case).
    # Zero-width characters are not printable, so they take the long way.
    if value and value[0].isprintable() and not value[0].isspace():
        return False
    return not clean_cell(value)


def _first_filled(cells: Sequence[Any], count: int) -> list[Any]:
    """The first ``count`` non-blank cells of a row."""
    return list(islice((c for c in cells if not is_blank(c)), count))


def _is_total_row(cells: Sequence[Any]) -> bool:
    texts = [normalise_header(c) for c in _first_filled(cells, 4)]
    # "合计", "合 计", "合计：35人" — but not a word that merely starts with the same characters.
    return any(t[:2] in _TOTAL_WORDS and not t[2:3].isalpha() for t in texts)


def _is_footer_row(cells: Sequence[Any]) -> bool:
    """填表人/审核人 lines under the table, and a 示例 row a template fills in as an example."""
    # Four cells are enough to tell "at most three" from more.
    texts = [clean_cell(c).replace(" ", "") for c in _first_filled(cells, 4)]
    if not texts:
        return False
    if texts[0].startswith(_EXAMPLE_PREFIXES):
        return True
    return len(texts) <= 3 and texts[0].startswith(_FOOTER_PREFIXES)


def _cell(cells: Sequence[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def _parse_field(spec: FieldSpec, raw: Any, row: RowResult) -> None:
    label = row.label(spec.key)
    if isinstance(raw, str):
        if has_controls(raw):
            raw = strip_controls(raw)
            row.warn(field_limits.CONTROL_CHARACTERS_REMOVED,
                     "含有控制字符或改变文字方向的隐藏字符，已删除，请核对导入后的内容。", label)
        too_long = field_limits.too_long(spec.key, raw.strip(), label, "本行没有导入，请改短后重新导入。")
        if too_long:
            row.values[spec.key] = None
            row.refuse(field_limits.FIELD_TOO_LONG, too_long, label)
            return
    if is_blank(raw):
        row.values[spec.key] = None
        if spec.required:
            row.refuse(f"missing_{spec.key}", f"没有填写{spec.label}。请补上后重新导入。", label)
        return
    try:
        result = spec.parser(raw)
    except ValueError as exc:
        row.values[spec.key] = None
        row.refuse(f"{spec.key}_invalid", str(exc), label)
        return
    if not isinstance(result, Parsed):
        result = Parsed(result)
    row.values[spec.key] = result.value
    if result.precision and result.value is not None:
        row.precision[spec.key] = result.precision
    for issue in result.issues:
        if issue.refuse:
            row.refuse(issue.code, issue.detail, label)
        else:
            row.warn(issue.code, issue.detail, label)


def read_sheets(sheets: Iterable[SheetRows], fields: Sequence[FieldSpec], path: str | Path = "") -> RosterReading:
    """``read_roster`` on sheets already in memory."""
    reading = RosterReading(Path(path))
    found: list[tuple[SheetRows, HeaderMatch]] = []
    by_key = {spec.key: spec for spec in fields}
    for sheet in sheets:
        match = find_header_row(sheet.rows, fields)
        if match is None:
            continue
        header_row = match.last_row + 1
        missing = [spec.label for spec in fields if spec.required and spec.key not in match.columns.values()]
        if missing:
            names = "」「".join(missing)
            reading.problems.append(
                Problem(
                    MISSING_COLUMN,
                    f"工作表「{sheet.name}」第 {header_row} 行是表头，但没有找到「{names}」列，该表没有导入。"
                    "请在表头中加上这一列（列名如「" + missing[0] + "」）后重新导入。",
                    missing[0],
                )
            )
            continue
        for index, key in match.duplicates.items():
            label = by_key[key].label
            reading.problems.append(
                Problem(
                    DUPLICATE_COLUMN,
                    f"工作表「{sheet.name}」第 {header_row} 行有两列都是「{label}」，"
                    f"只导入了第一列，「{match.headers[index]}」列没有导入。",
                    label,
                )
            )
        found.append((sheet, match))

    if not found:
        if any(p.code == MISSING_COLUMN for p in reading.problems):
            return reading
        labels = "、".join(spec.label for spec in fields[:4])
        reading.problems.append(
            Problem(
                HEADER_NOT_FOUND,
                f"在「{reading.path.name or '文件'}」中没有找到表头。请确认表头行含有「{labels}」等列名"
                f"（在前 {HEADER_SEARCH_ROWS} 行内），或使用程序提供的导入模板。",
            )
        )
        return reading

    show_sheet = len(found) > 1
    lookup = _header_lookup(fields)
    for sheet, match in found:
        reading.sheets.append(SheetLayout(sheet.name, match.last_row + 1, dict(match.columns), dict(match.headers)))
        # Worked out once per sheet rather than per row.
        labels = {spec.key: spec.label for spec in fields}
        labels.update({key: match.headers[j] for j, key in match.columns.items()})
        column_of = {key: j for j, key in match.columns.items()}
        header_columns = sorted(match.headers)
        first_column = min(match.columns)
        for index in range(match.last_row + 1, len(sheet.rows)):
            cells = sheet.rows[index]
            if all(is_blank(_cell(cells, j)) for j in match.columns):
                continue  # blank separator row, or only a pre-filled 序号
            if _is_total_row(cells) or _is_footer_row(cells):
                continue
            # The header repeated (pasted from a printout with a header on every page); a row whose first
            # known column holds no header text cannot be one, so most rows skip the full comparison.
            if (lookup.get(normalise_header(_cell(cells, first_column))) == match.columns[first_column]
                    and _match_cells(cells, lookup).columns == match.columns):
                continue
            row = RowResult(sheet.name, index + 1, show_sheet=show_sheet)
            row.labels = dict(labels)
            row.original = {match.headers[j]: strip_controls(cell_text(_cell(cells, j))) for j in header_columns}
            for spec in fields:
                column = column_of.get(spec.key)
                _parse_field(spec, None if column is None else _cell(cells, column), row)
            reading.rows.append(row)
    return reading


def read_roster(path: str | Path, fields: Sequence[FieldSpec]) -> RosterReading:
    """Read every roster sheet of a workbook. Raises ``RosterUnreadable`` if the file cannot be read."""
    return read_sheets(read_sheet_rows(path), fields, path)


def refuse_duplicates(
    rows: Sequence[RowResult], key: str, code: str, describe: Callable[[Any], str] = str,
    value_of: Callable[[RowResult], Any] | None = None,
    message: Callable[[RowResult, RowResult], str] | None = None,
) -> None:
    """Refuse the second and later rows whose ``key`` value repeats an earlier row's.

    ``value_of`` compares something else than the ``key`` column (the refusal still names that column);
    ``message`` (row, earlier row) words the refusal when an ID number's wording does not fit.
    """
    first: dict[Any, RowResult] = {}
    for row in rows:
        value = row.values.get(key) if value_of is None else value_of(row)
        if value is None:
            continue
        earlier = first.get(value)
        if earlier is None:
            first[value] = row
            continue
        label = row.label(key)
        if message is not None:
            row.refuse(code, message(row, earlier), label)
            continue
        row.refuse(
            code,
            f"{describe(value)} 与{earlier.where()}重复，本行没有导入。"
            "请核对是否重复登记；如果是不同的人，请改正其中一人的号码。",
            label,
        )
