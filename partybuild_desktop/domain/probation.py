"""预备期 (probation): one year from the branch assembly that accepted the member (the 入党 date), extended
at most once by 6 to 12 months (发展党员工作细则).

The extension's length is written in the 延长预备期 entry's note ("延长半年", "延长一年", "延长6个月");
when the note does not say, the shortest extension (6 months) is assumed, so a reminder comes early
rather than late, and the end date is marked as assumed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

PROBATION_MONTHS = 12
SHORTEST_EXTENSION_MONTHS, LONGEST_EXTENSION_MONTHS = 6, 12
DUE_NOTICE_DAYS = 30  # how long before the end the clerk is reminded

_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}
_MONTHS = re.compile(r"(\d{1,2}|十[一二]?|[一二两三四五六七八九])\s*个?月")
_YEARS = re.compile(r"(半|一|1)\s*年")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (31 Jan + 1 month → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def extension_months(note: str | None) -> int | None:
    """The length of an extension as the note states it (半年 → 6, 一年 → 12, 8个月 → 8); None when the
    note names no length between 6 and 12 months."""
    text = unicodedata.normalize("NFKC", note or "")  # full-width digits as digits
    found = _MONTHS.search(text)
    if found:
        word = found.group(1)
        months = int(word) if word.isdigit() else _NUMERALS[word]
        return months if SHORTEST_EXTENSION_MONTHS <= months <= LONGEST_EXTENSION_MONTHS else None
    found = _YEARS.search(text)
    if found:
        return 6 if found.group(1) == "半" else 12
    return None


@dataclass(frozen=True)
class ProbationEnd:
    date: dt.date
    extended: bool  # a 延长预备期 is recorded
    assumed: bool  # an extension's length was not written down: 6 months assumed

    def days_left(self, today: dt.date) -> int:
        return (self.date - today).days


def probation_end(joined: dt.date, extension_notes: Iterable[str | None] = ()) -> ProbationEnd:
    """When the probation of a member accepted on ``joined`` ends, with the recorded extensions."""
    end, extended, assumed = add_months(joined, PROBATION_MONTHS), False, False
    for note in extension_notes:
        months = extension_months(note)
        extended = True
        if months is None:
            months, assumed = SHORTEST_EXTENSION_MONTHS, True
        end = add_months(end, months)
    return ProbationEnd(end, extended, assumed)
