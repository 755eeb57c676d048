"""党费: what a member owes each month under 中组发〔2008〕3号, and the arrears arithmetic, in integer 分.

Plain Python: no SQL, no Qt. A member's monthly amount follows from the dues kind and the base (the
regular monthly income after tax, set at the start of the year; a change of pay applies from the month it
starts); ``services.dues`` keeps the assessments and payments and asks these rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from partybuild_desktop.domain.money import apply_rate, format_money
from partybuild_desktop.domain.vocabulary import Labelled


class DuesKind(Labelled):
    """党费类别"""

    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    SELF_EMPLOYED = "self_employed", "个体"
    FARMER = "farmer", "农民"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "失业"
    RELIEF = "relief", "低保"
    REDUCED = "reduced", "减免"


# The kinds whose amount is a rate of the base (第二、五条; 个体: the previous quarter's average monthly net income).
BASED_KINDS = frozenset({DuesKind.EMPLOYED, DuesKind.RETIRED, DuesKind.SELF_EMPLOYED})
# 学生, 下岗失业, 领取抚恤/救济, 低保: 0.2 元 a month (第六条).
FIXED_KINDS = frozenset({DuesKind.STUDENT, DuesKind.UNEMPLOYED, DuesKind.RELIEF})
FIXED_FEN = 20
FARMER_MIN_FEN, FARMER_MAX_FEN = 20, 100  # 农民党员 0.2–1 元 a month; the village sets its amount
DEFAULT_FARMER_FEN = 50

# (upper bound of the bracket in 分, inclusive; rate). The last bracket has no bound.
IN_WORK_BRACKETS = ((300_000, Decimal("0.005")), (500_000, Decimal("0.01")), (1_000_000, Decimal("0.015")),
                    (None, Decimal("0.02")))
RETIRED_BRACKETS = ((500_000, Decimal("0.005")), (None, Decimal("0.01")))

MAKE_UP_MONTHS = 6  # 补交一般不超过6个月 (第十二条)
ARREARS_NOTICE_MONTHS = 3
ARREARS_SERIOUS_MONTHS = 6  # 无正当理由连续6个月不交纳党费 → 按自行脱党处理 (第十三条, 党章第九条)


class DuesRuleError(ValueError):
    """An assessment the rules do not allow; the message says why, in Chinese."""


def rate_for(kind: DuesKind, base_fen: int) -> Decimal:
    """The rate of the base: in-work (and 个体) ≤ 3000 → 0.5 %, ≤ 5000 → 1 %, ≤ 10000 → 1.5 %, above → 2 %;
    retired ≤ 5000 → 0.5 %, above → 1 %. Each upper bound belongs to the lower bracket."""
    brackets = RETIRED_BRACKETS if kind is DuesKind.RETIRED else IN_WORK_BRACKETS
    for bound, rate in brackets:
        if bound is None or base_fen <= bound:
            return rate
    raise AssertionError("the last bracket has no bound")


def rate_text(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Assessment:
    """What one member pays each month from a given month on."""

    kind: DuesKind
    base_fen: int | None  # the monthly income the amount is worked out from (based kinds)
    monthly_fen: int
    rule_fen: int | None  # what the rule gives, where it gives one (None: 减免, entered by the branch)

    @property
    def rule_text(self) -> str:
        if self.kind in BASED_KINDS and self.base_fen is not None:
            rate = rate_for(self.kind, self.base_fen)
            return f"{self.kind.label}，基数 {format_money(self.base_fen)} 元 × {rate_text(rate)}"
        if self.kind is DuesKind.FARMER:
            return "农民党员，按本村规定的数额"
        if self.kind in FIXED_KINDS:
            return f"{self.kind.label}，每月 0.20 元"
        return "减免（经支部研究、上级党委批准）"


def assess(kind: DuesKind | str, base_fen: int | None = None, entered_fen: int | None = None,
           farmer_fen: int = DEFAULT_FARMER_FEN) -> Assessment:
    """The monthly amount of a kind and base. Based kinds need the base or the amount kept (``entered_fen``
    with a base is checked against the rule by the caller: ``differs``); 农民 take ``entered_fen`` or the village's amount, within
    0.2–1 元; 学生, 失业 and 低保 pay 0.2 元; 减免 takes the amount the branch decided (0 allowed)."""
    kind = DuesKind(kind)
    if kind in BASED_KINDS:
        if base_fen is None and entered_fen is not None:
            return Assessment(kind, None, entered_fen, None)  # the amount as kept; no base to check it by
        if base_fen is None:
            raise DuesRuleError(f"{kind.label}党员要填写缴费基数（每月税后收入），或者每月交纳数额。")
        if base_fen < 0:
            raise DuesRuleError("缴费基数不能小于 0。")
        rule = apply_rate(base_fen, rate_for(kind, base_fen))
        return Assessment(kind, base_fen, rule if entered_fen is None else entered_fen, rule)
    if kind is DuesKind.FARMER:
        amount = farmer_fen if entered_fen is None else entered_fen
        if not FARMER_MIN_FEN <= amount <= FARMER_MAX_FEN:
            raise DuesRuleError(f"农民党员每月交纳 0.20 元到 1.00 元，而填写的是 {format_money(amount)} 元。")
        return Assessment(kind, base_fen, amount, farmer_fen)
    if kind in FIXED_KINDS:
        return Assessment(kind, base_fen, FIXED_FEN if entered_fen is None else entered_fen, FIXED_FEN)
    if entered_fen is None or entered_fen < 0:
        raise DuesRuleError("减免的党员要填写支部研究决定的每月交纳数额（可以为 0）。")
    return Assessment(kind, base_fen, entered_fen, None)


def differs(assessment: Assessment) -> bool:
    """The amount kept is not what the rule gives (a sheet's 月缴纳额 that does not match its base)."""
    return assessment.rule_fen is not None and assessment.monthly_fen != assessment.rule_fen


# ---------------------------------------------------------------------------------------- months


Month = tuple[int, int]  # (year, month)


def month_of(day: dt.date) -> Month:
    return day.year, day.month


def next_month(month: Month) -> Month:
    year, m = month
    return (year, m + 1) if m < 12 else (year + 1, 1)


def previous_month(month: Month) -> Month:
    year, m = month
    return (year, m - 1) if m > 1 else (year - 1, 12)


def months_between(first: Month, last: Month) -> list[Month]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def months_apart(earlier: Month, later: Month) -> int:
    return (later[0] - earlier[0]) * 12 + later[1] - earlier[1]


def parse_month(text: str) -> Month:
    """``2026-03`` (or ``2026-3``, ``2026年3月``); ValueError with a Chinese message otherwise."""
    raw = (text or "").strip().replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    parts = raw.split("-")
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit() and len(parts[0]) == 4:
        year, month = int(parts[0]), int(parts[1])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    raise ValueError(f"月份“{text}”的写法不对，请写成 2026-03 这样（年-月）。")


def month_text(month: Month) -> str:
    return f"{month[0]}年{month[1]}月"


# ---------------------------------------------------------------------------------------- arrears
# Months as bits: bit ``i`` of a mask is the ``i``-th month of a window (the services use two years, the
# year before and the year asked for, so a run of unpaid months can cross the year end).


@dataclass(frozen=True)
class Standing:
    """A member's dues for the months due so far: owed, paid, the months unpaid (as bits of the window)
    and the run of unpaid months ending at the last month due."""

    due_fen: int
    paid_fen: int
    unpaid_mask: int
    unpaid_run: int

    @property
    def arrears_months(self) -> int:
        return bin(self.unpaid_mask).count("1")

    @property
    def warning(self) -> str:
        if self.unpaid_run >= ARREARS_SERIOUS_MONTHS:
            return "serious"
        if self.unpaid_run >= ARREARS_NOTICE_MONTHS:
            return "notice"
        return "none"


def unpaid_run(owed: int, nothing_owed: int, paid: int, last: int) -> int:
    """Unpaid months in a row ending at bit ``last``: months not owed at all (before joining) are passed
    over; a month paid, or owing nothing (减免 to nothing), ends the run."""
    run = 0
    for bit in range(last, -1, -1):
        month = 1 << bit
        if not owed & month:
            continue
        if (paid | nothing_owed) & month:
            break
        run += 1
    return run


def bits(first: int, last: int) -> int:
    """The mask of bits ``first`` to ``last`` (none when ``last`` < ``first``)."""
    return ((1 << (last + 1)) - 1) & ~((1 << first) - 1) if last >= first else 0


def standing(due: Sequence[tuple[Month, int]], paid: dict[Month, int],
             earlier: Sequence[tuple[Month, int]] = ()) -> Standing:
    """``due``: each month due this year so far, in order, with its amount; ``paid``: month → amount paid
    for it; ``earlier``: the months due before the year (the run of unpaid months goes across a year
    end). A month is unpaid when nothing was paid for it; a month due 0 元 (减免 to nothing) never is,
    and ends a run."""
    months = [*earlier, *due]
    owed = bits(0, len(months) - 1)
    nothing = sum(1 << i for i, (_, amount) in enumerate(months) if amount == 0)
    paid_mask = sum(1 << i for i, (month, _) in enumerate(months) if month in paid)
    this_year = bits(len(earlier), len(months) - 1)
    return Standing(sum(amount for _, amount in due), sum(paid.get(month, 0) for month, _ in due),
                    owed & this_year & ~nothing & ~paid_mask, unpaid_run(owed, nothing, paid_mask, len(months) - 1))
