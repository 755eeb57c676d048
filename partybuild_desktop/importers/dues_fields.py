"""The columns of a 党费收缴登记表 as clerks keep it in Excel or WPS, and how their cells read.

A register has 姓名 (and often 身份证号), the dues kind (人员类型/类别), the base (缴费基数, 月收入), the
monthly amount (月缴纳额, optional) and one column per month (``1月``, ``一月``, ``01月``, ``2026年1月``,
``1月份``…) holding what was paid; 序号, 合计 and 备注 columns are read past. The month columns are
recognised for the year being imported: a header naming another year (``2025年1月`` in a 2026 import)
makes the file unusable rather than importing a year's money into the wrong year.

Matching the rows against the register of members and the dues rules is the service's job
(``services.dues_import``); this module only reads.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..domain.dues import DuesKind
from ..domain.id_number import check as check_id_number
from ..domain.id_number import normalise as normalise_id_number
from ..domain.money import parse_money
from ..domain.text import clean_cell
from .member_fields import parse_name
from .roster import (
    FieldSpec,
    Issue,
    Parsed,
    Problem,
    RosterReading,
    RosterUnreadable,
    RowResult,
    SheetRows,
    normalise_header,
    read_sheet_rows,
    read_sheets,
)

# Problem codes of the reader (the service adds member_unknown, member_ambiguous, base_missing…).
AMOUNT_UNPARSEABLE = "amount_unparseable"
KIND_UNKNOWN = "kind_unknown"

MONTH_KEYS = tuple(f"m{month:02d}" for month in range(1, 13))
AMOUNT_KEYS = ("base", "monthly", *MONTH_KEYS)
_CHINESE_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


@dataclass(frozen=True)
class Unreadable:
    """A money cell that is not an amount (``二十``), kept to be named in the refusal."""

    text: str


class PaidAsDue:
    """A month cell ticked (``√``, ``已交``) rather than holding an amount: paid what was due."""

    def __repr__(self) -> str:
        return "PAID_AS_DUE"


PAID_AS_DUE = PaidAsDue()
_TICKS = {"√", "✓", "✔", "☑", "已交", "已缴", "已交纳", "已缴纳", "交", "缴", "是"}
_NOT_PAID = {"-", "—", "–", "－", "/", "／", "\\", "×", "✗", "✘", "x", "未交", "未缴", "欠交", "欠缴", "无", "否", "0元"}


def parse_amount(raw: Any) -> Parsed:
    """Money in 分: ``20``, ``20.00``, ``20元``, ``￥20``, ``1,234.5``; 0 stays 0. Anything else is kept as
    ``Unreadable`` for the row check to refuse, naming the column."""
    if isinstance(raw, bool):
        return Parsed(Unreadable(str(raw)))
    try:
        return Parsed(parse_money(raw))
    except ValueError:
        return Parsed(Unreadable(clean_cell(raw)))


def parse_month_cell(raw: Any) -> Parsed:
    """What a month column says: an amount in 分, ``PAID_AS_DUE`` for a tick, None for not paid (blank, 0,
    ``-``, ``未交``); ``Unreadable`` for anything else."""
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", clean_cell(raw)).replace(" ", "").lower()
        if text in _TICKS:
            return Parsed(PAID_AS_DUE)
        if text in _NOT_PAID:
            return Parsed(None)
    parsed = parse_amount(raw)
    return Parsed(None) if parsed.value == 0 else parsed


def parse_id(raw: Any) -> Parsed:
    """An ID number as text to match members by: checked and cleaned when valid (a 15-digit number
    becomes 18), otherwise as typed without spaces; a masked number (``3204**********1234``) is kept
    with its ``*`` for the service to compare the visible characters."""
    result = check_id_number(raw)
    return Parsed(result.number if result.ok else (normalise_id_number(raw) or None))


# (kind, words): the first kind one of whose words a cell contains wins, so 退休干部 is 离退休, not 在职.
_KIND_WORDS: tuple[tuple[DuesKind, tuple[str, ...]], ...] = (
    (DuesKind.REDUCED, ("减免", "免交", "免缴", "免收", "减交", "减缴", "减收")),
    (DuesKind.RELIEF, ("低保", "困难", "救济", "抚恤", "特困", "五保", "贫困")),
    (DuesKind.UNEMPLOYED, ("失业", "下岗", "无业", "待业")),
    (DuesKind.STUDENT, ("学生", "在校", "在读")),
    (DuesKind.RETIRED, ("离退休", "退休", "离休", "退职")),
    (DuesKind.SELF_EMPLOYED, ("个体", "私营", "经商", "个私", "自由职业", "灵活就业", "自主创业")),
    (DuesKind.FARMER, ("农民", "务农", "农村", "农业", "村民")),
    (DuesKind.EMPLOYED, ("在职", "在岗", "职工", "干部", "机关", "事业", "企业", "公务员", "教师", "工人", "员工")),
)
# Words a 党员类别 column may hold that say nothing of the dues kind (the service then looks elsewhere).
_NO_KIND = {"正式", "正式党员", "预备", "预备党员", "党员", "流动", "流动党员", "年老体弱", "年老体弱党员", "老党员", "其他", "其它"}


def parse_kind(raw: Any) -> Parsed:
    """The dues kind of a 人员类型/类别 cell; None for a word that names none (正式党员, 流动党员); a word
    not known at all is refused (``kind_unknown``)."""
    text = unicodedata.normalize("NFKC", clean_cell(raw)).replace(" ", "")
    for kind, words in _KIND_WORDS:
        if any(word in text for word in words):
            return Parsed(kind)
    if text in _NO_KIND or text.removesuffix("党员") in _NO_KIND:
        return Parsed(None)
    labels = "、".join(kind.label for kind in DuesKind)
    return Parsed(None, [Issue(KIND_UNKNOWN, f"不认识人员类型「{clean_cell(raw)}」，本行没有导入。请填写{labels}之一。")])


# The years around the one imported whose dated month headers (2025年1月) are recognised as month columns,
# so that a register of another year is told apart from a file without month columns.
NEARBY_YEARS = 10


def _month_names(month: int, year: int) -> tuple[str, ...]:
    chinese = _CHINESE_MONTHS[month - 1]
    names = [f"{month}月", f"{month:02d}月", f"{chinese}月", f"{month}月份", f"{month:02d}月份", f"{chinese}月份"]
    if month == 1:
        names += ["元月", "元月份"]
    # The year's own first: another year's header is only there to be reported (other_year_in_headers).
    for named in (year, *range(year - NEARBY_YEARS, year), year + 1):
        for number in {f"{month}", f"{month:02d}"}:
            names += [f"{named}年{number}月", f"{named}年{number}月份", f"{named}.{number}", f"{named}-{number}",
                      f"{named}/{number}", f"{named % 100}年{number}月"]
    return tuple(names)


def dues_fields(year: int) -> tuple[FieldSpec, ...]:
    """The columns of a register for ``year`` (the month columns may carry the year)."""
    return (
        FieldSpec("name", "姓名", ("党员姓名", "名字", "姓名(签字)", "交纳人", "缴纳人", "交费人", "缴费人", "党员"),
                  required=True, parser=parse_name),
        FieldSpec("id_number", "身份证号", ("身份证号码", "公民身份号码", "公民身份证号", "公民身份证号码", "身份证",
                                        "身份证件号码", "证件号码", "证件号"), parser=parse_id),
        FieldSpec("kind", "人员类型", ("类别", "党员类别", "人员类别", "党费类别", "缴费类别", "交费类别", "缴纳类别",
                                   "交纳类别", "类型", "党员类型", "人员身份", "身份", "缴费类型", "交纳类型"),
                  parser=parse_kind),
        FieldSpec("base", "缴费基数", ("交费基数", "交纳基数", "缴纳基数", "党费基数", "计缴基数", "党费计算基数",
                                   "计算基数", "基数", "月收入", "月工资", "每月收入", "月工资收入", "税后月收入",
                                   "月收入额", "工资收入", "月均收入", "收入", "工资", "月薪"), parser=parse_amount),
        FieldSpec("monthly", "月缴纳额", ("每月应交", "每月应缴", "月交纳额", "月应交", "月应缴", "月缴纳标准",
                                      "月交纳标准", "每月交纳额", "每月缴纳额", "每月缴费额", "每月交纳", "每月缴纳",
                                      "月缴费额", "月交费额", "月缴纳金额", "月交纳金额", "每月应交金额", "每月应缴金额",
                                      "月应交金额", "月应缴金额", "每月党费", "月党费", "交纳标准", "缴纳标准",
                                      "缴费标准", "应交党费", "应缴党费", "每月应交党费", "每月应缴党费", "月缴党费",
                                      "月交党费", "月缴额", "月交额"), parser=parse_amount),
        *(FieldSpec(key, f"{month}月", _month_names(month, year), parser=parse_month_cell)
          for month, key in enumerate(MONTH_KEYS, start=1)),
    )


def month_of_key(key: str) -> int:
    return int(key[1:])


# A header naming a month of some year: 2025年1月, 2025.01, 25年1月.
_DATED_MONTH = re.compile(r"^(\d{4}|\d{2})(?:年|\.|-|/)(\d{1,2})月?份?$")


def other_year_in_headers(reading: RosterReading, year: int) -> tuple[str, int] | None:
    """(header, its year) of the first month header naming another year than ``year``."""
    for sheet in reading.sheets:
        for index in sorted(sheet.headers):
            found = _DATED_MONTH.match(normalise_header(sheet.headers[index]))
            if found and 1 <= int(found.group(2)) <= 12:
                named = int(found.group(1))
                named += 2000 if named < 100 else 0
                if named != year:
                    return sheet.headers[index], named
    return None


def _problem(row: RowResult, code: str, detail: str, label: str) -> Problem:
    """A refusal whose message names the column itself (“3月”列的“二十”), so the location stays plain."""
    problem = Problem(code, f"{row.where()}：{detail}", label)
    row.refusals.append(problem)
    return problem


def check_dues_row(row: RowResult) -> None:
    """Refuse every money cell that is not an amount, naming the column and what it holds."""
    for key in AMOUNT_KEYS:
        value = row.values.get(key)
        if isinstance(value, Unreadable):
            label = row.label(key)
            what = "金额" if key in MONTH_KEYS else ("缴费基数" if key == "base" else "每月交纳数额")
            _problem(row, AMOUNT_UNPARSEABLE,
                     f"“{label}”列的“{value.text}”不是{what}，本行没有导入。请只填写数字（可带小数点和“元”，"
                     "例如 20 或 20.00），没有交的月份留空。", label)
            row.values[key] = None


def has_dues_columns(reading: RosterReading) -> bool:
    """A sheet of the reading has a month, kind, base or monthly column (not just 姓名 and 身份证号)."""
    wanted = {"kind", "base", "monthly", *MONTH_KEYS}
    return any(wanted & set(sheet.columns.values()) for sheet in reading.sheets)


_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _sheets_of_year(sheets: Sequence[SheetRows], year: int) -> list[SheetRows]:
    """A workbook with a sheet per year (``2025年``, ``2026年``): only the year's sheets; otherwise all."""
    named = {sheet.name: set(_YEAR_IN_NAME.findall(sheet.name)) for sheet in sheets}
    if any(named.values()):
        chosen = [sheet for sheet in sheets if str(year) in named[sheet.name]]
        if chosen:
            return chosen
    return list(sheets)


def read_dues_sheets(sheets: Sequence[SheetRows], year: int, path: str | Path = "") -> RosterReading:
    reading = read_sheets(_sheets_of_year(sheets, year), dues_fields(year), path)
    for row in reading.rows:
        check_dues_row(row)
    return reading


def read_dues_register(path: str | Path, year: int) -> RosterReading:
    """Read a 党费收缴登记表 for ``year``. Raises ``RosterUnreadable`` when the file cannot be opened."""
    return read_dues_sheets(read_sheet_rows(path), year, path)


__all__ = ["AMOUNT_UNPARSEABLE", "KIND_UNKNOWN", "MONTH_KEYS", "PAID_AS_DUE", "RosterUnreadable", "Unreadable",
           "dues_fields", "has_dues_columns", "month_of_key", "other_year_in_headers", "parse_amount", "parse_kind",
           "parse_month_cell", "read_dues_register", "read_dues_sheets"]
