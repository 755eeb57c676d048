"""党费: each member's assessment (kind, base, monthly amount, from which month), the payments month by
month, the year's grid, arrears and the month's collection, in integer 分. The rules are ``domain.dues``.

Who owes a month: a current member (or one who left, up to the month of leaving: 党费交到转出当月) from
the month they joined (a 预备党员 pays from the month of the 支部大会 that accepted them) or transferred
in, whose assessment covers the month. A 农民党员 with no assessment pays the village's amount (设置, default 0.50 元); any other member
with none is listed as 未核定 and owes nothing until assessed. Nothing is owed before the village began
keeping dues here (its first assessment or payment): the months before are not judged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.dues import (
    DEFAULT_FARMER_FEN,
    FARMER_MAX_FEN,
    FARMER_MIN_FEN,
    MAKE_UP_MONTHS,
    DuesKind,
    DuesRuleError,
    Month,
    Standing,
    assess,
    bits,
    differs,
    month_of,
    month_text,
    months_apart,
    previous_month,
    unpaid_run,
)
from partybuild_desktop.domain.errors import Refusal, Warning
from partybuild_desktop.domain.money import format_money
from partybuild_desktop.domain.text import clean_cell, clean_name
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services import members
from partybuild_desktop.services.village import get_setting, set_setting, village_row
from partybuild_desktop.store import dues_facts
from partybuild_desktop.store.models import DuesAssessment, DuesPayment, Member

FARMER_AMOUNT_KEY = "dues_farmer_fen"
METHODS = {"monthly": "按月交纳", "quarterly": "按季度交纳", "proxy": "委托他人代交"}
AMOUNT_DIFFERS_FROM_RULE = "amount_differs_from_rule"
PAYMENT_DIFFERS_FROM_DUE = "payment_differs_from_due"
MAKE_UP_TOO_LONG = "make_up_over_six_months"


class DuesError(Refusal):
    """A change refused; the message says why and what to do, in Chinese."""


def first_of(month: Month) -> dt.date:
    return dt.date(month[0], month[1], 1)


# ---------------------------------------------------------------------------------------- settings


def farmer_amount(session: Session) -> int:
    """What a 农民党员 pays a month in this village (0.20–1.00 元)."""
    raw = get_setting(session, FARMER_AMOUNT_KEY)
    try:
        amount = int(raw) if raw is not None else DEFAULT_FARMER_FEN
    except ValueError:
        return DEFAULT_FARMER_FEN
    return amount if FARMER_MIN_FEN <= amount <= FARMER_MAX_FEN else DEFAULT_FARMER_FEN


def set_farmer_amount(session: Session, fen: int) -> None:
    if not FARMER_MIN_FEN <= fen <= FARMER_MAX_FEN:
        raise DuesError(f"农民党员每月交纳 0.20 元到 1.00 元，而填写的是 {format_money(fen)} 元。")
    set_setting(session, FARMER_AMOUNT_KEY, str(fen))


# ---------------------------------------------------------------------------------------- assessments


@dataclass
class AssessmentForm:
    kind: DuesKind | None = None
    base_fen: int | None = None
    monthly_fen: int | None = None  # None: what the rule gives (entered for 农民 and 减免)
    from_month: Month | None = None
    decided_on: dt.date | None = None  # 减免: the branch's decision
    approved_by: str | None = None  # 减免: approved by (上级党委)
    note: str | None = None


def set_assessment(session: Session, village_id: int, member_id: int, form: AssessmentForm,
                   today: dt.date | None = None) -> list[Warning]:
    """Set what a member pays from ``form.from_month`` on (replacing an assessment from that same month).
    Returns ``amount_differs_from_rule`` when a based kind's amount is not what its base gives."""
    today = today or dt.date.today()
    member = village_row(session, Member, member_id, village_id)
    if member is None:
        raise DuesError("找不到这名党员，可能已被删除。")
    if form.kind is None:
        raise DuesError("请选择党费类别（在职、离退休、个体、农民、学生、失业、低保或减免）。")
    if form.from_month is None:
        raise DuesError("请选择从哪个月起按这个标准交纳。")
    if form.from_month > (today.year + 1, 12):
        raise DuesError("起始月份太远，请核对。")
    kind = DuesKind(form.kind)
    if kind is DuesKind.REDUCED and form.decided_on is None:
        raise DuesError("减免党费要填写支部研究决定的日期（并经上级党委批准）。")
    try:
        result = assess(kind, form.base_fen, form.monthly_fen, farmer_amount(session))
    except DuesRuleError as error:
        raise DuesError(str(error)) from error
    warnings = []
    if differs(result):
        warnings.append(Warning(AMOUNT_DIFFERS_FROM_RULE,
                                f"{member.name}每月 {format_money(result.monthly_fen)} 元，按{result.rule_text}应为 "
                                f"{format_money(result.rule_fen)} 元"))
    row = session.scalars(select(DuesAssessment).where(DuesAssessment.member_id == member_id,
                                                       DuesAssessment.from_month == first_of(form.from_month))).first()
    if row is None:
        row = DuesAssessment(village_id=village_id, member_id=member_id, from_month=first_of(form.from_month))
        session.add(row)
    row.kind, row.base_fen, row.monthly_fen = kind, result.base_fen, result.monthly_fen
    row.decided_on = form.decided_on if kind is DuesKind.REDUCED else None
    row.approved_by = clean_name(form.approved_by)[:64] or None if form.approved_by else None
    row.note = clean_cell(form.note)[:500] or None if form.note else None
    session.flush()
    return warnings


def delete_assessment(session: Session, village_id: int, assessment_id: int) -> None:
    row = village_row(session, DuesAssessment, assessment_id, village_id)
    if row is not None:
        session.delete(row)
        session.flush()


# ---------------------------------------------------------------------------------------- who owes what


def dues_start(session: Session, village_id: int) -> Month | None:
    """The month the village began keeping dues in this file: its first assessment or payment."""
    firsts = [session.scalar(select(func.min(model.from_month if model is DuesAssessment else model.month))
                             .where(model.village_id == village_id)) for model in (DuesAssessment, DuesPayment)]
    found = [month_of(day) for day in firsts if day is not None]
    return min(found) if found else None


# ---------------------------------------------------------------------------------------- the year
# The year is worked out on a window of 24 months, the year before and the year asked for (a run of
# unpaid months may begin the year before), as bit masks: ``_window(year, month)`` is a month's bit.


def _window(year: int, month: Month) -> int:
    """The bit of ``month`` in the two-year window ending with ``year`` (may fall outside 0–23)."""
    return (month[0] - year + 1) * 12 + month[1] - 1


def _payments(session: Session, village_id: int, member_ids: list[int], year: int) -> dict[int, dict[int, int]]:
    """member id → month of ``year`` → amount paid, row by row (for the few who paid other amounts than
    they owed)."""
    payment = DuesPayment.__table__.c
    paid: dict[int, dict[int, int]] = defaultdict(dict)
    for member_id, month, amount in session.connection().execute(
            select(payment.member_id, payment.month, payment.amount_fen)
            .where(payment.village_id == village_id, payment.member_id.in_(member_ids),
                   payment.month.between(dt.date(year, 1, 1), dt.date(year, 12, 1)))):
        paid[member_id][month.month] = amount
    return paid


@dataclass(frozen=True, slots=True)
class MonthCell:
    month: int
    due_fen: int | None  # None: not owed (before joining, after leaving, not assessed)
    paid_fen: int | None  # None: not paid
    future: bool  # after the month the grid is worked out to

    @property
    def unpaid(self) -> bool:
        return not self.future and bool(self.due_fen) and self.paid_fen is None


@dataclass(frozen=True, slots=True)
class DuesRow:
    """One member's year. The months are kept as bits of the year's window (``_window``); ``months``
    spells them out."""

    member_id: int
    name: str
    party_group: str
    kind: DuesKind | None  # None: 未核定
    base_fen: int | None
    monthly_fen: int  # what the member owes a month now (the latest assessment)
    due_fen: int  # owed for the months up to as-of
    paid_fen: int  # paid for those months
    paid_in_year_fen: int  # paid for any month of the year (advance payments included)
    unpaid_run: int  # unpaid months in a row ending at as-of, across a year end
    warning: str  # none / notice / serious
    left: bool  # left the branch this year (transferred out, died, archived)
    year: int
    as_of: Month
    segments: tuple[tuple[int, int], ...]  # (first bit, amount a month), in order
    owed_mask: int
    paid_mask: int
    unpaid_mask: int  # the year's months up to as-of owed and not paid
    paid_amounts: dict[int, int] | None = None  # month → amount, when some month was paid another amount

    def owed_in(self, bit: int) -> int | None:
        if not self.owed_mask >> bit & 1:
            return None
        amount = None
        for first, monthly in self.segments:
            if first > bit:
                break
            amount = monthly
        return amount

    @property
    def months(self) -> tuple[MonthCell, ...]:
        """The year's twelve months: owed, paid, and whether each is past ``as_of``."""
        cells = []
        for month in range(1, 13):
            bit = 11 + month
            owed = self.owed_in(bit)
            if not self.paid_mask >> bit & 1:
                paid = None
            elif self.paid_amounts is not None:
                paid = self.paid_amounts.get(month)
            else:
                paid = owed
            cells.append(MonthCell(month, owed, paid, (self.year, month) > self.as_of))
        return tuple(cells)

    @property
    def unpaid_months(self) -> tuple[Month, ...]:
        return tuple((self.year, m) for m in range(1, 13) if self.unpaid_mask >> (11 + m) & 1)

    @property
    def arrears_months(self) -> int:
        return bin(self.unpaid_mask).count("1")

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind.label if self.kind else None, "base_fen": self.base_fen,
                "monthly_fen": self.monthly_fen, "due_fen": self.due_fen, "paid_fen": self.paid_fen,
                "arrears_months": self.arrears_months, "unpaid_run": self.unpaid_run, "warning": self.warning}


@dataclass(frozen=True)
class DuesYear:
    year: int
    as_of: Month
    rows: tuple[DuesRow, ...]

    @property
    def totals(self) -> dict:
        return {"due_fen": sum(r.due_fen for r in self.rows), "paid_fen": sum(r.paid_fen for r in self.rows),
                "members": len(self.rows), "in_arrears": sum(1 for r in self.rows if r.unpaid_mask)}

    def to_json(self) -> dict:
        return {"year": self.year, "as_of": f"{self.as_of[0]}-{self.as_of[1]:02d}",
                "members": [r.to_json() for r in self.rows], "totals": self.totals}


def _owed_sum(segments: Sequence[tuple[int, int]], mask: int) -> int:
    """What the months of ``mask`` owe under ``segments``."""
    if len(segments) == 1:
        return bin(mask >> segments[0][0]).count("1") * segments[0][1]
    total = 0
    for index, (first, monthly) in enumerate(segments):
        last = segments[index + 1][0] - 1 if index + 1 < len(segments) else 23
        total += bin(mask & bits(first, last)).count("1") * monthly
    return total


def _owing_nothing(segments: Sequence[tuple[int, int]]) -> int:
    """The bits of the months a 减免 to nothing covers."""
    mask = 0
    for index, (first, monthly) in enumerate(segments):
        if monthly == 0:
            mask |= bits(first, segments[index + 1][0] - 1 if index + 1 < len(segments) else 23)
    return mask


def _segments(assessments: list[tuple[int, int]], base: int, farmer: bool,
              farmer_fen: int) -> tuple[tuple[int, int], ...]:
    """(first bit, amount) of each assessment ((from month number, amount), in order) in the window that
    begins at month number ``base``; a farmer owes the village's amount until assessed."""
    found: list[tuple[int, int]] = []
    for first, monthly in assessments:
        bit = max(first - base, 0)
        if found and found[-1][0] == bit:  # a later assessment from the same month (or before the window) wins
            found[-1] = (bit, monthly)
        else:
            found.append((bit, monthly))
    if farmer and (not found or found[0][0] > 0):
        found.insert(0, (0, farmer_fen))
    return tuple(found)


def dues_year(session: Session, village_id: int, year: int, as_of: Month | None = None,
              member_ids: Iterable[int] | None = None, from_month: Month | None = None) -> DuesYear:
    """The year's grid: every member owing dues this year × 12 months, paid / owed / not owed, with the
    totals and arrears for the months up to and including ``as_of`` (default this month). ``from_month``:
    judge from that month even if the village's dues records begin later (a first payment being made).

    One query gives the members with their assessments and their payments aggregated per member into a
    mask of the months paid and their sum (``store.dues_facts``). Where that sum is what the months paid
    owed, each month paid what it owed; the few members who paid another amount have their payments read
    one by one."""
    as_of = as_of or month_of(dt.date.today())
    ids = None if member_ids is None else list(member_ids)
    found = dues_facts.member_year(session.connection(), village_id, year, ids)
    stays = members.stays(session, village_id)
    farmer_fen = farmer_amount(session)
    start = dues_start(session, village_id)
    if from_month is not None:
        start = min(start, from_month) if start else from_month
    base = (year - 1) * 12  # the month number of the window's first month
    begins = _window(year, start) if start else 24
    last = min(_window(year, as_of), 23)  # the last month due, as a bit
    to_date = bits(12, last)  # the year's months due so far
    year_bits = bits(12, 23)
    farmer = MemberCategory.FARMER.value
    irregular, rows = [], []
    index = 0
    while index < len(found):
        first_row = found[index]
        member_id, name, group, category, joined, archived = first_row[:6]
        assessments = []
        while index < len(found) and found[index][0] == member_id:
            if found[index][6] is not None:
                assessments.append(found[index])
            index += 1
        stay = stays.get(member_id)
        gone = stay.left if stay and archived else None
        if archived and (gone is None or gone.year < year):
            continue  # left before the year (or when is not known): owes nothing this year
        paid_mask, paid_sum = first_row[10], first_row[11]
        segments = _segments([(r[6], r[9]) for r in assessments], base, category == farmer, farmer_fen)
        arrived = stay.arrived if stay else None  # transferred in: owed here from that month
        came = max((n for n in (joined, dues_facts.month_number(arrived)) if n is not None), default=None)
        lowest = max(segments[0][0] if segments else 24, begins, came - base if came is not None else 0, 0)
        highest = min(_window(year, (gone.year, gone.month)), 23) if gone else 23  # 交到转出当月
        owed = bits(lowest, highest)
        if len(segments) == 1:  # one amount all the window long: most members
            monthly_now = segments[0][1]
            nothing = owed if monthly_now == 0 else 0
            due_fen = bin(owed & to_date).count("1") * monthly_now
            regular = not paid_mask & ~owed and bin(paid_mask).count("1") * monthly_now == paid_sum
            paid_to_date = bin(paid_mask & to_date).count("1") * monthly_now
            paid_in_year = bin(paid_mask & year_bits).count("1") * monthly_now
        else:
            nothing = owed & _owing_nothing(segments)
            due_fen = _owed_sum(segments, owed & to_date)
            regular = not paid_mask & ~owed and _owed_sum(segments, paid_mask) == paid_sum
            paid_to_date, paid_in_year = _owed_sum(segments, paid_mask & to_date), _owed_sum(segments, paid_mask & year_bits)
        unpaid = owed & to_date & ~nothing & ~paid_mask
        run = unpaid_run(owed, nothing, paid_mask, last) if last >= 0 else 0
        if assessments:
            kind, base_fen, monthly = DuesKind(assessments[-1][7]), assessments[-1][8], assessments[-1][9]
        elif category == farmer:
            kind, base_fen, monthly = DuesKind.FARMER, None, farmer_fen
        else:
            kind, base_fen, monthly = None, None, 0
        if not regular:
            irregular.append(len(rows))
        rows.append(DuesRow(member_id, name, group or "", kind, base_fen, monthly, due_fen, paid_to_date, paid_in_year,
                            run, Standing(due_fen, paid_to_date, unpaid, run).warning, gone is not None, year, as_of,
                            segments, owed, paid_mask, unpaid))
    if irregular:
        amounts = _payments(session, village_id, [rows[i].member_id for i in irregular], year)
        for i in irregular:
            paid = amounts.get(rows[i].member_id, {})
            rows[i] = replace(rows[i], paid_amounts=paid, paid_in_year_fen=sum(paid.values()),
                              paid_fen=sum(amount for month, amount in paid.items() if (year, month) <= as_of))
    return DuesYear(year, as_of, tuple(rows))


def members_not_assessed(session: Session, village_id: int, year: int) -> list[str]:
    """Current members who owe nothing because nobody has set their dues (未核定)."""
    grid = dues_year(session, village_id, year, (year, 12))
    return [row.name for row in grid.rows if row.kind is None]


# ---------------------------------------------------------------------------------------- payments


@dataclass
class PaymentForm:
    months: list[Month] = field(default_factory=list)
    amount_fen: int | None = None  # for all the months together (or each month's, when it equals one month's due)
    paid_on: dt.date | None = None
    collector: str | None = None
    receipt_no: str | None = None
    method: str = "monthly"
    note: str | None = None


@dataclass(frozen=True)
class Paid:
    member: str
    months: tuple[tuple[Month, int, int | None], ...]  # (month, amount paid, amount owed)
    warnings: tuple[Warning, ...]

    @property
    def total_fen(self) -> int:
        return sum(amount for _, amount, _ in self.months)

    def to_json(self) -> dict:
        return {"member": self.member, "paid_fen": self.total_fen,
                "months": [{"month": f"{m[0]}-{m[1]:02d}", "amount_fen": a, "due_fen": d} for m, a, d in self.months],
                "warnings": [w.to_json() for w in self.warnings]}


def _split(total: int, owed: list[int | None]) -> list[int]:
    """A payment for several months, month by month: each month's due when the total is exactly that;
    otherwise evenly, the odd 分 to the first months."""
    if all(o is not None for o in owed) and total == sum(owed):
        return list(owed)
    share, extra = divmod(total, len(owed))
    return [share + (1 if i < extra else 0) for i in range(len(owed))]


def pay(session: Session, village_id: int, member_id: int, form: PaymentForm, today: dt.date | None = None) -> Paid:
    """Record dues paid for one or more months. ``amount_fen`` is what was paid for all of them together;
    when it equals one month's due and several months are paid, it is taken as each month's amount. A
    month already paid, not owed, or in a later year than the payment is refused; a make-up for more
    than six months back and an amount other than what is owed are warned about."""
    today = today or dt.date.today()
    member = village_row(session, Member, member_id, village_id)
    if member is None:
        raise DuesError("找不到这名党员，可能已被删除。")
    months = sorted(set(form.months))
    if not months:
        raise DuesError("请选择交的是哪几个月的党费。")
    paid_on = form.paid_on or today
    if paid_on > today:
        raise DuesError(f"交纳日期 {format_cn(paid_on)} 晚于今天，请核对。")
    if months[-1][0] > paid_on.year:
        raise DuesError(f"不能预交下一年度的党费（{month_text(months[-1])}）。")
    if form.amount_fen is None or form.amount_fen < 0:
        raise DuesError("请填写交纳金额（元）。")
    if form.method not in METHODS:
        raise DuesError("交纳方式应为按月、按季度或委托代交。")
    already = set(session.scalars(select(DuesPayment.month).where(
        DuesPayment.member_id == member_id, DuesPayment.month.in_([first_of(m) for m in months]))))
    if already:
        listed = "、".join(month_text(month_of(d)) for d in sorted(already))
        raise DuesError(f"{member.name}{listed}的党费已经登记过，不能重复登记。如果登记错了，请先撤销那一笔。")
    owed_by_month = {}
    for year in sorted({m[0] for m in months}):
        grid = dues_year(session, village_id, year, (year, 12), member_ids=[member_id], from_month=months[0])
        if grid.rows:
            owed_by_month.update({(year, c.month): c.due_fen for c in grid.rows[0].months})
    not_owed = [m for m in months if owed_by_month.get(m) is None]
    if not_owed:
        listed = "、".join(month_text(m) for m in not_owed)
        raise DuesError(f"{member.name}{listed}不需要交纳党费（入党之前、离开之后，或还没有核定党费标准）。"
                        "请先在“党费”页核定这名党员的党费标准。")
    owed = [owed_by_month[m] for m in months]
    if len(months) > 1 and form.amount_fen == owed[0] and len(set(owed)) == 1 and form.amount_fen != sum(owed):
        amounts = list(owed)  # "20 元" for three months owing 20 each: 20 each
    else:
        amounts = _split(form.amount_fen, owed)
    warnings = []
    wrong = [(m, a, o) for m, a, o in zip(months, amounts, owed) if a != o]
    if wrong:
        listed = "、".join(f"{month_text(m)}交 {format_money(a)} 元（应交 {format_money(o)} 元）" for m, a, o in wrong)
        warnings.append(Warning(PAYMENT_DIFFERS_FROM_DUE, f"{member.name}{listed}"))
    oldest = months_apart(months[0], month_of(paid_on))
    if oldest > MAKE_UP_MONTHS:
        warnings.append(Warning(MAKE_UP_TOO_LONG, f"{member.name}补交了 {oldest} 个月前（{month_text(months[0])}）的党费，"
                                                  f"补交一般不超过 {MAKE_UP_MONTHS} 个月，请支部核实原因"))
    collector = clean_name(form.collector)[:32] or None if form.collector else None
    receipt = clean_cell(form.receipt_no)[:32] or None if form.receipt_no else None
    note = clean_cell(form.note)[:500] or None if form.note else None
    session.execute(insert(DuesPayment), [
        dict(village_id=village_id, member_id=member_id, month=first_of(m), amount_fen=a, paid_on=paid_on,
             collector=collector, receipt_no=receipt, method=form.method, note=note)
        for m, a in zip(months, amounts)])
    return Paid(member.name, tuple(zip(months, amounts, owed)), tuple(warnings))


def undo_payment(session: Session, village_id: int, member_id: int, month: Month) -> None:
    """Take back the payment recorded for a member's month (entered by mistake)."""
    session.execute(delete(DuesPayment).where(DuesPayment.village_id == village_id, DuesPayment.member_id == member_id,
                                              DuesPayment.month == first_of(month)))


@dataclass(frozen=True)
class Collected:
    month: Month
    members: int
    total_fen: int


def collect_month(session: Session, village_id: int, month: Month, paid_on: dt.date | None = None,
                  collector: str | None = None, member_ids: Iterable[int] | None = None,
                  today: dt.date | None = None) -> Collected:
    """收缴日: record a month's dues at the standard amount for every member who owes it and has not paid
    (or only for ``member_ids``), in one statement."""
    today = today or dt.date.today()
    paid_on = paid_on or today
    if paid_on > today:
        raise DuesError(f"交纳日期 {format_cn(paid_on)} 晚于今天，请核对。")
    if month > month_of(paid_on):
        raise DuesError(f"{month_text(month)}还没有到，不能按月收缴。")
    wanted = None if member_ids is None else set(member_ids)
    grid = dues_year(session, village_id, month[0], month, from_month=month)
    rows = []
    for row in grid.rows:
        cell = row.months[month[1] - 1]
        if (wanted is None or row.member_id in wanted) and cell.due_fen and cell.paid_fen is None:
            rows.append(dict(village_id=village_id, member_id=row.member_id, month=first_of(month),
                             amount_fen=cell.due_fen, paid_on=paid_on,
                             collector=clean_name(collector)[:32] or None if collector else None,
                             receipt_no=None, method="monthly", note=None))
    if rows:
        session.execute(insert(DuesPayment), rows)
    return Collected(month, len(rows), sum(r["amount_fen"] for r in rows))


@dataclass(frozen=True)
class PeriodDues:
    """The dues of some months (a quarter, up to the month it has reached)."""

    members: int  # owing for at least one of the months
    due_fen: int
    paid_fen: int  # paid for those months
    in_arrears: int  # members with a month owed and not paid


def period_dues(session: Session, village_id: int, first: Month, last: Month) -> PeriodDues:
    """The dues owed and paid for the months ``first``–``last`` of one year (the quarterly return)."""
    grid = dues_year(session, village_id, first[0], last)
    members = due = paid = arrears = 0
    for row in grid.rows:
        cells = [c for c in row.months if first[1] <= c.month <= last[1] and c.due_fen is not None]
        if not cells:
            continue
        members += 1
        due += sum(c.due_fen for c in cells)
        paid += sum(c.paid_fen or 0 for c in cells)
        arrears += any(c.due_fen and c.paid_fen is None for c in cells)
    return PeriodDues(members, due, paid, arrears)


def payment_totals(session: Session, village_id: int, first: Month, last: Month) -> tuple[int, int]:
    """(payments, 分) recorded for the months from ``first`` to ``last`` (one SQL aggregate)."""
    count, total = session.execute(
        select(func.count(DuesPayment.id), func.coalesce(func.sum(DuesPayment.amount_fen), 0))
        .where(DuesPayment.village_id == village_id,
               DuesPayment.month.between(first_of(first), first_of(last)))).one()
    return count, total


def previous_complete_month(day: dt.date) -> Month:
    return previous_month(month_of(day))
