"""Dates as clerks write them in spreadsheets: real date cells, Excel serials and many text forms."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

DAY = "day"
MONTH = "month"

# Problem codes.
DATE_UNPARSEABLE = "date_unparseable"
DATE_IN_FUTURE = "date_in_future"

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 once Excel's 1900 leap-day bug is allowed for
_MIN_YEAR, _MAX_YEAR = 1900, 2100
_MAX_SERIAL = (dt.date(_MAX_YEAR, 12, 31) - _EXCEL_EPOCH).days

# year, separator, month, then optionally 月 or a separator with the day, and a time part to ignore.
_SEPARATED = re.compile(
    r"^(?P<y>\d{4})[./\-年](?P<m>\d{1,2})"
    r"(?:月(?:(?P<d>\d{1,2})[日号]?)?|[./\-](?P<d2>\d{1,2})[日号]?)?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$")

_FORMS = "1965-03-12、1965年3月12日、1965.03（只有年月也可以）"


@dataclass(frozen=True)
class ParsedDate:
    """A date read from a cell.

    ``precision`` is ``"day"`` or ``"month"`` (month-only values are stored as the 1st).
    ``code``/``message`` describe a problem; ``note`` explains a guess the clerk should check.
    """

    value: dt.date | None
    precision: str | None = None
    code: str | None = None
    message: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.code is None

    @property
    def empty(self) -> bool:
        return self.value is None and self.code is None


def _text_of(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()) if re.fullmatch(r"[\d\s年月日号./\-]+", text.strip()) else text.strip()


def _build(year: int, month: int, day: int | None) -> tuple[dt.date, str] | None:
    if not (_MIN_YEAR <= year <= _MAX_YEAR):
        return None
    try:
        if day is None:
            return dt.date(year, month, 1), MONTH
        return dt.date(year, month, day), DAY
    except ValueError:
        return None


def _unparseable(shown: str) -> ParsedDate:
    if re.fullmatch(r"\d{4}年?", shown) and _MIN_YEAR <= int(shown[:4]) <= _MAX_YEAR:
        return ParsedDate(
            None,
            code=DATE_UNPARSEABLE,
            message=f"「{shown}」只有年份。请至少写到月份，如 {shown[:4]}.03 或 {shown[:4]}年3月。",
        )
    return ParsedDate(
        None,
        code=DATE_UNPARSEABLE,
        message=f"「{shown}」不是能识别的日期。请写成 {_FORMS} 这样的形式。",
    )


def _from_number(number: float) -> tuple[dt.date, str, str] | None:
    """An int or float cell: ``19650312``, ``196503``, ``1965.03`` typed as a number, or a serial."""
    note = ""
    if number.is_integer():
        whole = int(number)
        if 19000101 <= whole <= 21001231:
            built = _build(whole // 10000, whole // 100 % 100, whole % 100)
            return (*built, note) if built else None
        if 190001 <= whole <= 210012:
            built = _build(whole // 100, whole % 100, None)
            return (*built, note) if built else None
        if _MIN_YEAR <= whole <= _MAX_YEAR:
            return None  # a bare year: not enough to go on
    else:
        year = int(number)
        if _MIN_YEAR <= year <= _MAX_YEAR:
            # 1965.03 typed into a number cell. Excel drops the trailing zero of 1965.10,
            # so a single decimal digit "1" is read as October and flagged.
            fraction = f"{number:.6f}".split(".")[1].rstrip("0")
            if len(fraction) > 2:
                return None
            month = int(fraction.ljust(2, "0")) if fraction == "1" else int(fraction)
            if fraction == "1":
                note = (
                    f"数字 {number:g} 按 {year}年10月 理解（Excel 会把 {year}.10 显示成 {year}.1）；"
                    f"如果是 1 月，请写成 {year}.01 并把单元格设为文本。"
                )
            built = _build(year, month, None)
            return (*built, note) if built else None
    if 1 <= number <= _MAX_SERIAL:
        day = _EXCEL_EPOCH + dt.timedelta(days=int(number))
        return day, DAY, note
    return None


def _from_text(text: str) -> tuple[dt.date, str] | None:
    match = _SEPARATED.match(text) or _COMPACT.match(text)
    if not match:
        return None
    day = match.groupdict().get("d") or match.groupdict().get("d2")
    return _build(int(match.group("y")), int(match.group("m")), int(day) if day else None)


def parse_date(value: object, today: dt.date | None = None) -> ParsedDate:
    """Read a date from a spreadsheet cell. Empty input gives an empty, problem-free result."""
    today = today or dt.date.today()
    note = ""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ParsedDate(None)
    if isinstance(value, dt.datetime):
        found: tuple[dt.date, str] | None = (value.date(), DAY)
        shown = value.strftime("%Y-%m-%d")
    elif isinstance(value, dt.date):
        found = (value, DAY)
        shown = value.isoformat()
    elif isinstance(value, bool):
        return _unparseable(str(value))
    elif isinstance(value, (int, float)):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        result = _from_number(float(value))
        found = result[:2] if result else None
        note = result[2] if result else ""
    else:
        shown = str(value).strip()
        text = _text_of(value)
        found = _from_text(text)
    if found is None:
        return _unparseable(shown)
    day, precision = found
    if day > today:
        return ParsedDate(
            None,
            code=DATE_IN_FUTURE,
            message=f"「{shown}」（{format_cn(day, precision)}）晚于今天，请核对后重新填写。",
        )
    return ParsedDate(day, precision, note=note)


def format_cn(day: dt.date | None, precision: str = DAY) -> str:
    """``2026年11月23日``, or ``2026年11月`` for a month-only value."""
    if day is None:
        return ""
    if precision == MONTH:
        return f"{day.year}年{day.month}月"
    return f"{day.year}年{day.month}月{day.day}日"


def format_iso(day: dt.date | None, precision: str = DAY) -> str:
    """``2026-11-23``, or ``2026-11`` for a month-only value."""
    if day is None:
        return ""
    if precision == MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def format_dotted(day: dt.date | None, precision: str = DAY) -> str:
    """``2026.11.23`` / ``2026.11``: the short form printed on many local tables."""
    if day is None:
        return ""
    if precision == MONTH:
        return f"{day.year}.{day.month:02d}"
    return f"{day.year}.{day.month:02d}.{day.day:02d}"
