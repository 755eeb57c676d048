"""Member statistics of a quarterly return (党员基本情况): quarters, age bands, education groups, the
counts, and the checks that every breakdown adds up to the same total.

Plain Python: ``services.member_statistics`` reads the members into ``MemberFacts``; the village's table,
its return's data file and the township's sums all use the ``MemberStatistics`` made here.

Who counts: the members on the register at the period's end (in the branch by then, not yet gone).
A member's entry is the first 加入党组织/组织关系转入 event (else the card's joining date), the exit is
the departure event (转出, 去世, 归档). Standing is taken at the period's end (a member confirmed later
was still 预备 then); ages are at the period's end; gender, ethnicity, education and category as
recorded now (the program keeps no history of them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from partybuild_desktop.domain.vocabulary import (
    Education,
    Gender,
    GridLevel,
    MemberCategory,
    MemberEventKind,
    Standing,
)

UNKNOWN_LABEL = "未填"

# ---------------------------------------------------------------------------------------- quarters

_QUARTER_NUMERALS = "一二三四"
_QUARTER_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])$"),
    re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度$"),
)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError("季度应为 1 到 4。")
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"年份 {self.year} 不对，请核对。")

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """``2026Q3`` (also ``2026-Q3``, ``2026年第三季度``); a ValueError says how to write it."""
        cleaned = (text or "").strip()
        for pattern in _QUARTER_PATTERNS:
            found = pattern.match(cleaned)
            if found:
                number = found.group(2)
                number = _QUARTER_NUMERALS.index(number) + 1 if number in _QUARTER_NUMERALS else int(number)
                return cls(int(found.group(1)), number)
        raise ValueError(f"季度“{text}”的写法不对，请写成 2026Q3 这样：四位年份、字母 Q、季度 1—4。")

    @classmethod
    def of(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        """2026Q3: the machine form, used in package names and data files."""
        return f"{self.year}Q{self.number}"

    @property
    def title(self) -> str:
        """2026年第三季度"""
        return f"{self.year}年第{_QUARTER_NUMERALS[self.number - 1]}季度"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return self.label


def last_complete_quarter(today: dt.date) -> Quarter:
    """The quarter a return is usually for: the last one that has ended by ``today``."""
    return Quarter.of(today).previous()


def recent_quarters(today: dt.date, count: int = 6) -> list[Quarter]:
    """The quarter ``today`` is in and the ones before it, latest first: what a quarter list offers."""
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


# ---------------------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: int | None  # inclusive; None: no lower bound
    high: int | None  # inclusive; None: no upper bound

    def holds(self, age: int) -> bool:
        return (self.low is None or age >= self.low) and (self.high is None or age <= self.high)


# Labels in years, under a "年龄（岁）" heading.
AGE_BANDS: tuple[Band, ...] = (
    Band("le30", "30及以下", None, 30),
    *(Band(f"{low}_{low + 4}", f"{low}—{low + 4}", low, low + 4) for low in range(31, 60, 5)),
    Band("ge61", "61及以上", 61, None),
)
YOUNG_AGE = 35  # "35岁及以下": the bands up to 31—35


def age_at(birth: dt.date, day: dt.date) -> int:
    """Whole years on ``day`` (the birthday itself counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(birth: dt.date | None, day: dt.date) -> str:
    """The key of the band the age on ``day`` falls in; ``unknown`` without a birth date."""
    if birth is None:
        return "unknown"
    age = age_at(birth, day)
    for band in AGE_BANDS:
        if band.holds(age):
            return band.key
    raise AssertionError(f"age {age} in no band")  # the bands cover every age


def education_group(education: Education | str | None) -> str:
    return Education(education).value if education else "unknown"


def ethnicity_group(ethnicity: str | None) -> str:
    """汉族 / 少数民族 / 未填 (``han`` / ``minority`` / ``unknown``)."""
    text = (ethnicity or "").strip()
    if not text:
        return "unknown"
    return "han" if text in ("汉族", "汉") else "minority"


# ---------------------------------------------------------------------------------------- the counts


@dataclass(frozen=True)
class Breakdown:
    """One way of dividing the members: its parts must add up to the total."""

    name: str  # 性别, 民族, …
    parts: tuple[tuple[str, str], ...]  # (count key, label)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.parts)


BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown("性别", (("gender_male", "男"), ("gender_female", "女"), ("gender_unknown", UNKNOWN_LABEL))),
    Breakdown("民族", (("ethnicity_han", "汉族"), ("ethnicity_minority", "少数民族"),
                     ("ethnicity_unknown", UNKNOWN_LABEL))),
    Breakdown("人员类别", (("standing_full", "正式党员"), ("standing_probationary", "预备党员"))),
    Breakdown("党员类别", tuple((f"category_{c.value}", c.label.removesuffix("党员")) for c in MemberCategory)),
    Breakdown("年龄", (*((f"age_{b.key}", b.label) for b in AGE_BANDS), ("age_unknown", UNKNOWN_LABEL))),
    Breakdown("学历", (*((f"education_{e.value}", e.label) for e in Education),
                     ("education_unknown", UNKNOWN_LABEL))),
)
BREAKDOWN = {b.name: b for b in BREAKDOWNS}

# The period's changes: opening + joined + transferred in − departures = closing (= total).
FLOW_IN: tuple[tuple[str, str], ...] = (("joined", "发展党员"), ("transferred_in", "转入"))
FLOW_OUT: tuple[tuple[str, str], ...] = (("transferred_out", "转出"), ("died", "去世"), ("left_other", "其他"))

FIELDS: tuple[str, ...] = (
    "total",
    *(key for b in BREAKDOWNS for key in b.keys),
    "opening",
    *(key for key, _ in FLOW_IN),
    *(key for key, _ in FLOW_OUT),
)
UNKNOWN_KEYS = frozenset(key for key in FIELDS if key.endswith("_unknown"))
YOUNG_KEYS = tuple(f"age_{b.key}" for b in AGE_BANDS if b.high is not None and b.high <= YOUNG_AGE)


class StatisticsMismatch(ValueError):
    """Counts that do not add up: a bug or a damaged return, never something to print."""


@dataclass(frozen=True)
class MemberFacts:
    """What the statistics need of one member (archived members too: they may have left in the period)."""

    gender: Gender | None
    ethnicity: str | None
    birth_date: dt.date | None
    education: Education | None
    standing: Standing
    confirmed_date: dt.date | None
    category: MemberCategory
    entered: dt.date | None  # None: on the register since before any period counted
    entry_kind: MemberEventKind  # JOINED or TRANSFERRED_IN
    left: dt.date | None  # None: still on the register
    departure: MemberEventKind | None  # TRANSFERRED_OUT, DIED or another reason

    def on_register(self, day: dt.date) -> bool:
        return (self.entered is None or self.entered <= day) and (self.left is None or self.left > day)

    def standing_on(self, day: dt.date) -> Standing:
        if self.standing is Standing.FULL and self.confirmed_date is not None and self.confirmed_date > day:
            return Standing.PROBATIONARY
        return Standing(self.standing)


@dataclass(frozen=True)
class MemberStatistics:
    """The counts of one village (or the sum of several) for one period; ``counts`` holds every key of
    ``FIELDS``. Built by ``compute`` or ``from_counts``, both of which check that it reconciles."""

    counts: Mapping[str, int]

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    @property
    def total(self) -> int:
        return self.counts["total"]

    @property
    def closing(self) -> int:
        return self.counts["total"]

    @property
    def women(self) -> int:
        return self.counts["gender_female"]

    @property
    def young(self) -> int:
        """35 岁及以下"""
        return sum(self.counts[key] for key in YOUNG_KEYS)

    @property
    def women_share(self) -> float | None:
        return share(self.women, self.total)

    @property
    def young_share(self) -> float | None:
        return share(self.young, self.total)

    @property
    def gone(self) -> int:
        return sum(self.counts[key] for key, _ in FLOW_OUT)

    @property
    def came(self) -> int:
        return sum(self.counts[key] for key, _ in FLOW_IN)

    def to_dict(self) -> dict[str, int]:
        return {key: int(self.counts[key]) for key in FIELDS}

    @classmethod
    def from_counts(cls, counts: Mapping[str, object]) -> "MemberStatistics":
        """From a data file or the township's store: every key present, whole numbers ≥ 0, reconciling.
        Raises ``StatisticsMismatch`` (a ValueError) otherwise; keys not in ``FIELDS`` are ignored."""
        missing = [key for key in FIELDS if key not in counts]
        if missing:
            raise StatisticsMismatch(f"党员统计缺少以下项目：{'、'.join(missing)}")
        values: dict[str, int] = {}
        for key in FIELDS:
            value = counts[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise StatisticsMismatch(f"党员统计的“{key}”不是非负整数：{value!r}")
            values[key] = value
        made = cls(values)
        reconcile(made)
        return made


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    return round(100.0 * part / whole, 1) if whole else None


def compute(members: Iterable[MemberFacts], start: dt.date, end: dt.date) -> MemberStatistics:
    """The counts for the period ``start``–``end``; reconciled before they are returned."""
    if end < start:
        raise ValueError("统计时段的结束日期早于开始日期。")
    counts = dict.fromkeys(FIELDS, 0)
    before = start - dt.timedelta(days=1)
    for m in members:
        if m.left is not None and m.entered is not None and m.left < m.entered:
            m = _left_on_entry(m)  # a departure dated before the entry: count it as the same day
        if m.on_register(before):
            counts["opening"] += 1
        if m.entered is not None and start <= m.entered <= end:
            counts["transferred_in" if m.entry_kind is MemberEventKind.TRANSFERRED_IN else "joined"] += 1
        if m.left is not None and start <= m.left <= end:
            if m.departure is MemberEventKind.TRANSFERRED_OUT:
                counts["transferred_out"] += 1
            elif m.departure is MemberEventKind.DIED:
                counts["died"] += 1
            else:
                counts["left_other"] += 1
        if not m.on_register(end):
            continue
        counts["total"] += 1
        counts[f"gender_{Gender(m.gender).value if m.gender else 'unknown'}"] += 1
        counts[f"ethnicity_{ethnicity_group(m.ethnicity)}"] += 1
        counts[f"standing_{m.standing_on(end).value}"] += 1
        counts[f"category_{MemberCategory(m.category).value}"] += 1
        counts[f"age_{age_band(m.birth_date, end)}"] += 1
        counts[f"education_{education_group(m.education)}"] += 1
    result = MemberStatistics(counts)
    reconcile(result)
    return result


def _left_on_entry(m: MemberFacts) -> MemberFacts:
    from dataclasses import replace

    return replace(m, left=m.entered)


def problems(stats: MemberStatistics) -> list[str]:
    """What does not add up, in Chinese; empty when every breakdown and the changes reconcile."""
    counts = stats.counts
    total = counts["total"]
    found = []
    for breakdown in BREAKDOWNS:
        parts = sum(counts[key] for key in breakdown.keys)
        if parts != total:
            found.append(f"按{breakdown.name}分的人数合计 {parts}，与党员总数 {total} 不符")
    moved = counts["opening"] + stats.came - stats.gone
    if moved != total:
        found.append(f"期初 {counts['opening']} 人加本期增加 {stats.came} 人减本期减少 {stats.gone} 人为 {moved} 人，"
                     f"与期末党员总数 {total} 不符")
    return found


def reconcile(stats: MemberStatistics) -> None:
    """Raise ``StatisticsMismatch`` unless every breakdown sums to the total and the changes add up."""
    found = problems(stats)
    if found:
        raise StatisticsMismatch("党员统计数字对不上：" + "；".join(found) + "。")


def add_up(parts: Sequence[MemberStatistics]) -> MemberStatistics:
    """The sum of several villages' counts (the township's total), reconciled."""
    counts = {key: sum(p.counts[key] for p in parts) for key in FIELDS}
    result = MemberStatistics(counts)
    reconcile(result)
    return result


# ---------------------------------------------------------------------------------------- attachment 1


def check_attachment1(figures: Mapping[str, object], keys: Iterable[str]) -> dict[str, int]:
    """The attachment-1 counts of a return as whole numbers ≥ 0, checked: members by category add up to
    the members, grids by level to the grids. ``keys`` are the counts the table adds up."""
    values: dict[str, int] = {}
    for key in keys:
        value = figures.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StatisticsMismatch(f"附件1的“{key}”不是非负整数：{value!r}")
        values[key] = value
    by_category = sum(values.get(c.value, 0) for c in MemberCategory)
    if "members" in values and by_category != values["members"]:
        raise StatisticsMismatch(f"附件1按类别分的党员合计 {by_category}，与党员合计 {values['members']} 不符。")
    levels = [f"grid_{level.value}" for level in GridLevel]
    if "grids" in values and all(k in values for k in levels) and sum(values[k] for k in levels) != values["grids"]:
        raise StatisticsMismatch("附件1各级网格数之和与网格总数不符。")
    return values
