"""党建先锋榜: scores, rankings and the trace of every score, from what is already recorded.

Facts come from the record book (by entry type, with study hours), the visit diary (``Visit``), proxy
services handled (``ProxyService`` with a handler and status done, dated by completion), meetings'
attendance (``MeetingAttendance``), 民主评议 grades (``MemberReview``), the months of 党费 owed and not
paid (``services.dues``, completed months only) and manual awards (``PointAward``).
Each kind is a ``FactSource`` below, with its own fact keys (see ``domain.points``). A record-book entry
written by a visit, a proxy service or a review (``source_kind``) is not counted again as an entry.

The board aggregates in SQL (one GROUP BY per source) and applies the rules and caps in Python; the
explanation of one score reads that person's rows one by one and runs the same engine on them.

Grids (双向积分). A grid's score = the grid base score + every item that applies to grids, counted over
the facts of the members who belong to the grid, with the grid's own points and cap, + the manual awards
entered for the grid. With ``unit_level`` = grid branch, the same is done per 网格党支部 (a member
belongs to the branch of their grid, else of their party group). Grid membership has no history: in an
open year all of a member's facts count for the grid the member belongs to now, so a member who moved
grids in June takes the whole year's facts to the new grid. Closing a year records each member's grid,
so a closed year's grid board no longer changes when someone moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain import id_number
from partybuild_desktop.domain.meetings import ATTENDED, Attendance
from partybuild_desktop.domain.points import (
    DIRECT_SOURCE_KINDS,
    DUES_UNPAID_KEY,
    MEETING_ABSENT_KEY,
    MEETING_ATTENDED_KEY,
    PROXY_KEY,
    REVIEW_KEY,
    VISIT_KEY,
    Award,
    CountUnit,
    Period,
    RuleSet,
    Scope,
    Scorer,
    Tally,
    UnitLevel,
    competition_ranks,
    entry_key,
    month_mask,
    months_of,
    period,
    score_subject,
)
from partybuild_desktop.domain.vocabulary import ProxyStatus, RecordEntryType
from partybuild_desktop.services.point_roster import RosterMember, closed_roster, current_roster, member_rows, months_from
from partybuild_desktop.services.point_rules import RuleSetError, ensure_open, load_rules
from partybuild_desktop.services.village import village_row
from partybuild_desktop.store import points_facts
from partybuild_desktop.store.models import (
    Grid,
    GridBranch,
    Household,
    Meeting,
    MeetingAttendance,
    Member,
    MemberReview,
    PointAward,
    ProxyService,
    RecordEntry,
    Village,
    Visit,
)


class PointsError(Refusal):
    """A request refused; the message says why and what to do, in Chinese."""


# ---------------------------------------------------------------------------------------- fact sources


@dataclass(frozen=True)
class Evidence:
    """One recorded thing behind a line of a score."""

    kind: str  # 纪实 / 走访 / 代办 / 加减分 / 月份 / 说明
    date: dt.date | None
    text: str
    amount: float | None = None  # study hours, or an award's points
    source: str = ""  # record_entry / visit / proxy_service / point_award
    source_id: int | None = None
    member_id: int | None = None  # whose fact it is (a grid's trace lists its members' facts)


@dataclass(frozen=True)
class Fact:
    key: str
    member_id: int
    date: dt.date
    hours: float
    evidence: Evidence


@dataclass(frozen=True)
class FactSource:
    """One kind of recorded fact: ``totals`` aggregates a village's period in SQL, rows of
    (member_id, key, count, hours, month mask), where the month mask is needed only for the keys given
    (0 will do for the others); ``facts`` lists the rows of some members one by one."""

    name: str
    totals: Callable[[Session, int, dt.date, dt.date, frozenset[str]], Iterable[tuple]]
    facts: Callable[[Session, int, list[int], dt.date, dt.date], Iterable[Fact]]


def _entry_totals(session, village_id, start, end, month_keys):
    # The member filter is left out when the file holds one village (it costs a third of the query).
    one_village = session.scalar(select(func.count()).select_from(Village)) <= 1
    members = None if one_village else village_id
    connection = session.connection()
    rows = points_facts.entry_totals(connection, members, start, end, DIRECT_SOURCE_KINDS)
    month_types = sorted(k.removeprefix("entry:") for k in month_keys if k.startswith("entry:"))
    months = points_facts.entry_months(connection, members, month_types, start, end, DIRECT_SOURCE_KINDS)
    for member_id, entry_type, count, hours in rows:
        yield member_id, entry_key(entry_type), count, hours or 0.0, months.get((member_id, entry_type), 0)


def _entry_facts(session, village_id, member_ids, start, end):
    rows = session.execute(
        select(RecordEntry.id, RecordEntry.member_id, RecordEntry.date, RecordEntry.entry_type, RecordEntry.text,
               RecordEntry.hours)
        .where(RecordEntry.member_id.in_(member_ids), RecordEntry.date.between(start, end),
               or_(RecordEntry.source_kind.is_(None), RecordEntry.source_kind.not_in(DIRECT_SOURCE_KINDS)))
        .order_by(RecordEntry.date, RecordEntry.id)
    )
    for entry_id, member_id, date, entry_type, entry_text, hours in rows:
        label = RecordEntryType(entry_type).label
        yield Fact(entry_key(entry_type), member_id, date, hours or 0.0,
                   Evidence("纪实", date, f"{label}：{entry_text}", hours, "record_entry", entry_id, member_id))


def _visit_totals(session, village_id, start, end, month_keys):
    for member_id, count, months in points_facts.visit_totals(session.connection(), village_id, start, end):
        yield member_id, VISIT_KEY, count, 0.0, months


def _visit_facts(session, village_id, member_ids, start, end):
    rows = session.execute(
        select(Visit.id, Visit.member_id, Visit.date, Household.head_name, Visit.matter)
        .join(Household, Household.id == Visit.household_id)
        .where(Visit.village_id == village_id, Visit.member_id.in_(member_ids), Visit.date.between(start, end))
        .order_by(Visit.date, Visit.id)
    )
    for visit_id, member_id, date, head, matter in rows:
        yield Fact(VISIT_KEY, member_id, date, 0.0,
                   Evidence("走访", date, f"走访{head}户：{matter}", None, "visit", visit_id, member_id))


def _proxy_totals(session, village_id, start, end, month_keys):
    rows = points_facts.proxy_totals(session.connection(), village_id, start, end, ProxyStatus.DONE.value)
    for member_id, count, months in rows:
        yield member_id, PROXY_KEY, count, 0.0, months


def _proxy_facts(session, village_id, member_ids, start, end):
    day = func.coalesce(ProxyService.completed_date, ProxyService.received_date)
    rows = session.execute(
        select(ProxyService.id, ProxyService.handler_id, ProxyService.completed_date, ProxyService.received_date,
               ProxyService.kind, ProxyService.applicant, ProxyService.matter)
        .where(ProxyService.village_id == village_id, ProxyService.handler_id.in_(member_ids),
               ProxyService.status == ProxyStatus.DONE, day.between(start, end))
        .order_by(day, ProxyService.id)
    )
    for service_id, member_id, completed, received, kind, applicant, matter in rows:
        date = completed or received
        yield Fact(PROXY_KEY, member_id, date, 0.0,
                   Evidence("代办", date, f"{kind.label}：{matter}（申请人{applicant}）", None, "proxy_service",
                            service_id, member_id))


def _attendance_key(status: Attendance, frail: bool) -> str | None:
    """A meeting attended, or missed without leave; a 年老体弱 member's absence never counts against them."""
    if status in ATTENDED:
        return MEETING_ATTENDED_KEY
    if status is Attendance.ABSENT and not frail:
        return MEETING_ABSENT_KEY
    return None


def _meeting_totals(session, village_id, start, end, month_keys):
    rows = session.execute(
        select(MeetingAttendance.member_id, MeetingAttendance.status, MeetingAttendance.frail, func.count())
        .join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
        .where(Meeting.village_id == village_id, Meeting.date.between(start, end),
               MeetingAttendance.status.in_([*ATTENDED, Attendance.ABSENT]))
        .group_by(MeetingAttendance.member_id, MeetingAttendance.status, MeetingAttendance.frail))
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for member_id, status, frail, count in rows:
        key = _attendance_key(status, bool(frail))
        if key is not None:
            counts[(member_id, key)] += count
    for (member_id, key), count in counts.items():
        yield member_id, key, count, 0.0, 0


def _meeting_facts(session, village_id, member_ids, start, end):
    rows = session.execute(
        select(Meeting.id, MeetingAttendance.member_id, Meeting.date, Meeting.kind, Meeting.topic,
               MeetingAttendance.status, MeetingAttendance.frail)
        .join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
        .where(Meeting.village_id == village_id, MeetingAttendance.member_id.in_(member_ids),
               Meeting.date.between(start, end))
        .order_by(Meeting.date, Meeting.id))
    for meeting_id, member_id, date, kind, topic, status, frail in rows:
        key = _attendance_key(status, bool(frail))
        if key is None:
            continue
        topic = (topic or "").splitlines()[0] if topic else ""
        yield Fact(key, member_id, date, 0.0,
                   Evidence("会议", date, f"{kind.label}（{status.label}）：{topic}", None, "meeting", meeting_id,
                            member_id))


def _review_totals(session, village_id, start, end, month_keys):
    rows = session.execute(
        select(MemberReview.member_id, MemberReview.grade, func.count())
        .where(MemberReview.village_id == village_id, MemberReview.decided_on.between(start, end))
        .group_by(MemberReview.member_id, MemberReview.grade))
    for member_id, grade, count in rows:
        yield member_id, f"{REVIEW_KEY}:{grade.value}", count, 0.0, 0


def _review_facts(session, village_id, member_ids, start, end):
    rows = session.execute(
        select(MemberReview.id, MemberReview.member_id, MemberReview.year, MemberReview.decided_on,
               MemberReview.grade, MemberReview.disposal)
        .where(MemberReview.village_id == village_id, MemberReview.member_id.in_(member_ids),
               MemberReview.decided_on.between(start, end))
        .order_by(MemberReview.year, MemberReview.id))
    for review_id, member_id, year, decided_on, grade, disposal in rows:
        date = decided_on
        handled = f"（处置：{disposal}）" if disposal else ""
        yield Fact(f"{REVIEW_KEY}:{grade.value}", member_id, date, 0.0,
                   Evidence("评议", date, f"{year}年度民主评议：{grade.label}{handled}", None, "member_review",
                            review_id, member_id))


def _unpaid_months(session, village_id, member_ids, start, end):
    """(member id, month, amount owed) of the months from ``start`` to ``end`` that are over by ``end``
    and were owed and not paid."""
    from partybuild_desktop.domain.dues import month_of, previous_month
    from partybuild_desktop.services import dues

    last = month_of(end) if (end + dt.timedelta(days=1)).day == 1 else previous_month(month_of(end))
    if last < month_of(start):
        return
    grid = dues.dues_year(session, village_id, start.year, last, member_ids=member_ids)
    for row in grid.rows:
        for month in row.unpaid_months:
            if month >= month_of(start):
                cell = row.months[month[1] - 1]
                yield row.member_id, month, cell.due_fen


def _dues_totals(session, village_id, start, end, month_keys):
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for member_id, month, _owed in _unpaid_months(session, village_id, None, start, end):
        counts[member_id][0] += 1
        counts[member_id][1] |= 1 << month[1]
    for member_id, (count, months) in counts.items():
        yield member_id, DUES_UNPAID_KEY, count, 0.0, months


def _dues_facts(session, village_id, member_ids, start, end):
    from partybuild_desktop.domain.money import format_money

    for member_id, (year, month), owed in _unpaid_months(session, village_id, member_ids, start, end):
        day = dt.date(year, month, 1)
        yield Fact(DUES_UNPAID_KEY, member_id, day, 0.0,
                   Evidence("党费", day, f"{year}年{month}月党费未交（应交 {format_money(owed)} 元）", None,
                            "dues_payment", None, member_id))


SOURCES: list[FactSource] = [
    FactSource("record_entry", _entry_totals, _entry_facts),
    FactSource("visit", _visit_totals, _visit_facts),
    FactSource("proxy_service", _proxy_totals, _proxy_facts),
    FactSource("meeting", _meeting_totals, _meeting_facts),
    FactSource("member_review", _review_totals, _review_facts),
    FactSource("dues", _dues_totals, _dues_facts),
]


def _tallies(session: Session, village_id: int, p: Period, rules: RuleSet) -> dict[int, dict[str, Tally]]:
    by_member: dict[int, dict[str, Tally]] = defaultdict(dict)
    if p.end < p.start:
        return by_member
    month_keys = frozenset(key for item in rules.items if item.unit in (CountUnit.MONTH_WITH, CountUnit.MONTH_WITHOUT)
                           for key in item.fact_keys())
    for source in SOURCES:
        for member_id, key, count, hours, months in source.totals(session, village_id, p.start, p.end, month_keys):
            by_member[member_id][key] = Tally(count, hours, months)
    return by_member


# ---------------------------------------------------------------------------------------- manual awards


@dataclass(frozen=True)
class AwardRow:
    """A manual award or deduction, as the awards list shows it."""

    id: int
    date: dt.date
    item_code: str
    item_name: str
    member_id: int | None
    grid_id: int | None
    grid_branch_id: int | None
    target: str  # the member's or the grid's name
    quantity: float
    explicit_points: float | None  # set by the clerk; None: quantity × the item's points
    points: float  # what it is worth under the year's rules (before the item's cap)
    reason: str
    entered_by: str
    entered_at: dt.datetime


def _award(row: PointAward) -> Award:
    return Award(row.id, row.item_code, row.date, row.quantity, row.points, row.reason, row.entered_by)


def _awards(session: Session, village_id: int, start: dt.date, end: dt.date) -> list[PointAward]:
    if end < start:
        return []
    return list(session.scalars(
        select(PointAward).where(PointAward.village_id == village_id, PointAward.date.between(start, end))
        .order_by(PointAward.date, PointAward.id)
    ))


def _award_unit(row: PointAward, level: UnitLevel, branch_of_grid: dict[int, int | None]) -> int | None:
    """The grid (or grid branch) a unit award counts for; a grid's award rolls up to its branch."""
    if level is UnitLevel.GRID:
        return row.grid_id
    return row.grid_branch_id or (branch_of_grid.get(row.grid_id) if row.grid_id else None)


def add_award(session: Session, village_id: int, *, item_code: str, date: dt.date, reason: str, entered_by: str,
              member_id: int | None = None, grid_id: int | None = None, grid_branch_id: int | None = None,
              quantity: float = 1.0, points: float | None = None, today: dt.date | None = None) -> int:
    """Enter a manual award or deduction under an item scored "按登记"; for one member or one grid."""
    today = today or dt.date.today()
    reason, entered_by = (reason or "").strip(), (entered_by or "").strip()
    if not reason:
        raise PointsError("请填写加减分的理由（如评议结果、通报文号）。")
    if not entered_by:
        raise PointsError("请填写登记人姓名。")
    if date > today:
        raise PointsError(f"日期 {date:%Y年%m月%d日} 晚于今天，请核对。")
    if sum(x is not None for x in (member_id, grid_id, grid_branch_id)) != 1:
        raise PointsError("加减分要记给一名党员或一个网格（支部），请选择其中一个。")
    try:
        ensure_open(session, village_id, date.year)
    except RuleSetError as error:
        raise PointsError(str(error)) from error
    rules = load_rules(session, village_id, date.year).rules
    try:
        item = rules.item(item_code)
    except KeyError:
        raise PointsError(f"{date.year}年度的积分办法中没有编号为“{item_code}”的项目。") from None
    if item.unit is not CountUnit.MANUAL:
        raise PointsError(f"“{item.name}”按“{item.unit.label}”自动计分，不需要手工登记。")
    scope = Scope.MEMBER if member_id is not None else Scope.GRID
    if not item.applies(scope):
        raise PointsError(f"“{item.name}”只适用于{item.applies_to.label}，不能记给{'党员' if member_id else '网格'}。")
    if scope is Scope.GRID and rules.unit_level is UnitLevel.GRID and grid_id is None:
        raise PointsError("本年度按网格积分，请选择网格（而不是网格党支部）。")
    target = {Member: member_id, Grid: grid_id, GridBranch: grid_branch_id}
    for model, target_id in target.items():
        if target_id is not None:
            found = village_row(session, model, target_id, village_id)
            if found is None:
                raise PointsError("找不到要加减分的党员或网格，可能已被删除。")
    if not quantity or quantity <= 0:
        raise PointsError("次数应大于 0。")
    if points is not None and points == 0:
        raise PointsError("分值不能为 0；不填则按积分办法的分值计。")
    if points is not None and round(points, 2) != points:
        raise PointsError("分值最多保留两位小数。")
    row = PointAward(village_id=village_id, date=date, item_code=item.code, member_id=member_id, grid_id=grid_id,
                     grid_branch_id=grid_branch_id, quantity=quantity, points=points, reason=reason,
                     entered_by=entered_by, entered_at=dt.datetime.now())
    session.add(row)
    session.flush()
    return row.id


def delete_award(session: Session, village_id: int, award_id: int) -> None:
    row = village_row(session, PointAward, award_id, village_id)
    if row is None:
        return
    try:
        ensure_open(session, village_id, row.date.year)
    except RuleSetError as error:
        raise PointsError(str(error)) from error
    session.delete(row)


def list_awards(session: Session, village_id: int, year: int) -> list[AwardRow]:
    rules = load_rules(session, village_id, year).rules
    names = _unit_names(session, village_id)
    member_names = dict(session.execute(select(Member.id, Member.name).where(Member.village_id == village_id)).all())
    result = []
    for row in _awards(session, village_id, dt.date(year, 1, 1), dt.date(year, 12, 31)):
        try:
            item = rules.item(row.item_code)
            item_name = item.name
            scope = Scope.MEMBER if row.member_id else Scope.GRID
            per_unit = item.points_for(scope)
        except KeyError:  # the item was removed from the rules: the award no longer counts
            item_name, per_unit = f"{row.item_code}（已不在积分办法中）", 0.0
        worth = row.points if row.points is not None else round(row.quantity * per_unit, 2)
        if row.member_id:
            target = member_names.get(row.member_id, "")
        elif row.grid_id:
            target = names[UnitLevel.GRID].get(row.grid_id, "")
        else:
            target = names[UnitLevel.GRID_BRANCH].get(row.grid_branch_id, "")
        result.append(AwardRow(row.id, row.date, row.item_code, item_name, row.member_id, row.grid_id,
                               row.grid_branch_id, target, row.quantity, row.points, worth, row.reason,
                               row.entered_by, row.entered_at))
    return result


# ---------------------------------------------------------------------------------------- the board


@dataclass(frozen=True)
class MemberStanding:
    member_id: int
    name: str
    unit_id: int | None
    unit_name: str
    score: float
    rank: int
    below_warning: bool
    by_category: dict[str, float]  # category code → points (after caps); the base is not included


@dataclass(frozen=True)
class UnitStanding:
    unit_id: int
    name: str
    members: int
    score: float
    rank: int
    below_warning: bool
    by_category: dict[str, float]


@dataclass(frozen=True)
class Board:
    village_id: int
    village_name: str
    year: int
    period: Period
    as_of: dt.date
    rules: RuleSet
    closed: bool
    members: list[MemberStanding]  # by rank (ties share a rank), then name
    units: list[UnitStanding]

    @property
    def title(self) -> str:
        return f"{self.village_name}{self.period.label}党建先锋榜"

    @property
    def unit_label(self) -> str:
        return self.rules.unit_level.label

    def below_warning(self) -> list[MemberStanding]:
        return [m for m in self.members if m.below_warning]


def _unit_names(session: Session, village_id: int) -> dict[UnitLevel, dict[int, str]]:
    grids = dict(session.execute(select(Grid.id, Grid.name).where(Grid.village_id == village_id)).all())
    branches = dict(session.execute(select(GridBranch.id, GridBranch.name).where(GridBranch.village_id == village_id)).all())
    return {UnitLevel.GRID: grids, UnitLevel.GRID_BRANCH: branches}


def _branch_of_grid(session: Session, village_id: int) -> dict[int, int | None]:
    return dict(session.execute(select(Grid.id, Grid.grid_branch_id).where(Grid.village_id == village_id)).all())


@dataclass
class _Context:
    rules: RuleSet
    closed: bool
    period: Period
    roster: list[RosterMember]


def _context(session: Session, village_id: int, year: int, quarter: int | None, as_of: dt.date | None) -> _Context:
    record = load_rules(session, village_id, year)
    p = period(year, as_of or dt.date.today(), quarter, closed=record.closed)
    roster = closed_roster(session, village_id, year) if record.closed else current_roster(session, village_id, year)
    return _Context(record.rules, record.closed, p, roster)


def _ranked(make: Callable, rows: list[tuple], score_at: int) -> list:
    """``make(*row[:score_at + 1], rank, *row[score_at + 1:])`` for rows of (id, name, …, score, …), best
    first; equal scores share a rank and are ordered by name."""
    ranks = competition_ranks([row[score_at] for row in rows])
    order = sorted(range(len(rows)), key=lambda i: (ranks[i], rows[i][1], rows[i][0]))
    cut = score_at + 1
    return [make(*rows[i][:cut], ranks[i], *rows[i][cut:]) for i in order]


def board(session: Session, village_id: int, year: int, quarter: int | None = None,
          as_of: dt.date | None = None) -> Board:
    """Rankings of members and of grids (or grid branches) for the year, or for a quarter so far, under
    the year's rules. A quarter is scored like a year that had only that quarter's facts."""
    as_of = as_of or dt.date.today()
    ctx = _context(session, village_id, year, quarter, as_of)
    rules, p = ctx.rules, ctx.period
    level = rules.unit_level
    names = _unit_names(session, village_id)[level]
    branch_of_grid = _branch_of_grid(session, village_id)
    tallies = _tallies(session, village_id, p, rules)
    member_awards: dict[int, list[Award]] = defaultdict(list)
    unit_awards: dict[int, list[Award]] = defaultdict(list)
    for row in _awards(session, village_id, p.start, p.end):
        if row.member_id is not None:
            member_awards[row.member_id].append(_award(row))
        else:
            unit = _award_unit(row, level, branch_of_grid)
            if unit is not None:
                unit_awards[unit].append(_award(row))

    members, unit_tallies, unit_sizes = [], defaultdict(dict), defaultdict(int)
    member_scorer, unit_scorer = Scorer(rules, Scope.MEMBER), Scorer(rules, Scope.GRID)
    for member in ctx.roster:
        mine = tallies.get(member.id, {})
        result = member_scorer.score(mine, member_awards.get(member.id, ()), p, member.months, with_lines=False)
        unit = member.unit_id(level)
        members.append((member.id, member.name, unit, names.get(unit, "") if unit else "", result.score,
                        result.score < rules.warning_line, result.categories))
        if unit is not None:
            unit_sizes[unit] += 1
            merged = unit_tallies[unit]
            for key, tally in mine.items():
                merged.setdefault(key, Tally()).add(tally)

    units = []
    for unit in sorted(set(unit_sizes) | set(unit_awards)):
        result = unit_scorer.score(unit_tallies.get(unit, {}), unit_awards.get(unit, ()), p, with_lines=False)
        units.append((unit, names.get(unit, f"（已删除的{level.label}）"), unit_sizes.get(unit, 0), result.score,
                      result.score < rules.warning_line, result.categories))
    village = session.get(Village, village_id)
    return Board(village_id, village.name if village else "", year, p, as_of, rules, ctx.closed,
                 _ranked(MemberStanding, members, 4), _ranked(UnitStanding, units, 3))


# ---------------------------------------------------------------------------------------- the trace


@dataclass(frozen=True)
class ExplanationLine:
    item_code: str
    item_name: str
    category: str  # the category's name
    rule: str  # how the item counts, e.g. "每次走访（民情日记） +1 分，全年最多 20 分"
    quantity: float
    unit: CountUnit
    per_unit: float
    before_cap: float
    points: float  # after the cap: what the line adds to the score
    cap: float | None
    evidence: tuple[Evidence, ...]

    @property
    def capped(self) -> bool:
        return self.points != self.before_cap


@dataclass(frozen=True)
class Explanation:
    """Every point of one member's (or one grid's) score: the base plus the lines, which add up to
    ``score`` exactly (each line is rounded to 0.01 before adding)."""

    subject: str  # "member" or "grid"
    subject_id: int
    name: str
    unit_name: str
    year: int
    period: Period
    rules_name: str
    base_score: float
    score: float
    warning_line: float
    closed: bool
    on_board: bool  # False: archived, or not on a closed year's board
    lines: tuple[ExplanationLine, ...]

    @property
    def below_warning(self) -> bool:
        return self.score < self.warning_line

    def total(self) -> Decimal:
        """The base plus the lines, added exactly (equals ``score``)."""
        return Decimal(repr(self.base_score)) + sum((Decimal(repr(line.points)) for line in self.lines), Decimal(0))


def _evidence_for(item, facts_by_key: dict[str, list[Fact]], p: Period, months_on_board: int,
                  awards: list[PointAward], names: dict[int, str]) -> tuple[Evidence, ...]:
    def who(member_id: int | None) -> str:
        return f"【{names[member_id]}】" if names and member_id in names else ""

    if item.unit is CountUnit.MANUAL:
        return tuple(
            Evidence("加减分", a.date, f"{a.reason}（{a.entered_by}登记）", a.points if a.points is not None else a.quantity,
                     "point_award", a.id, a.member_id)
            for a in awards if a.item_code == item.code
        )
    facts = sorted((f for key in item.fact_keys() for f in facts_by_key.get(key, ())),
                   key=lambda f: (f.date, f.evidence.source_id or 0))
    listed = tuple(Evidence(f.evidence.kind, f.evidence.date, who(f.member_id) + f.evidence.text, f.evidence.amount,
                            f.evidence.source, f.evidence.source_id, f.member_id) for f in facts)
    type_names = "、".join(t.label for t in item.counted_entry_types)
    if item.unit is CountUnit.MONTH_WITHOUT:
        present = month_mask(f.date.month for f in facts)
        due = p.completed & months_on_board & ~present
        return tuple(Evidence("月份", dt.date(p.year, m, 1), f"{m}月没有“{type_names}”纪实") for m in months_of(due))
    if item.unit is CountUnit.STUDY_HOUR_SHORT:
        due = bin(p.completed & months_on_board).count("1")
        hours = round(sum(f.hours for f in facts), 2)
        note = (f"全年应学 {item.threshold:g} 学时，按已结束的 {due} 个月折算应学 "
                f"{round(item.threshold * due / 12, 2):g} 学时，已学 {hours:g} 学时")
        return (Evidence("说明", None, note),) + listed
    return listed


def _explain(rules: RuleSet, scope: Scope, tallies: dict[str, Tally], facts: list[Fact], awards: list[PointAward],
             p: Period, months_on_board: int | None, names: dict[int, str]):
    result = score_subject(rules, scope, tallies, [_award(a) for a in awards], p, months_on_board)
    facts_by_key: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        facts_by_key[fact.key].append(fact)
    on_board = months_on_board if months_on_board is not None else p.months | p.completed
    lines = tuple(
        ExplanationLine(
            line.item.code, line.item.name, rules.category(line.item.category).name, line.item.describe(scope),
            line.quantity, line.item.unit, line.per_unit, line.before_cap, line.points, line.cap,
            _evidence_for(line.item, facts_by_key, p, on_board, awards, names),
        )
        for line in result.lines
    )
    return result, lines


def _tallies_of(facts: Iterable[Fact]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for fact in facts:
        tally = tallies.setdefault(fact.key, Tally())
        tally.count += 1
        tally.hours += fact.hours
        tally.months |= 1 << fact.date.month
    return tallies


def _facts(session: Session, village_id: int, member_ids: list[int], p: Period) -> list[Fact]:
    if p.end < p.start or not member_ids:
        return []
    return [fact for source in SOURCES for fact in source.facts(session, village_id, member_ids, p.start, p.end)]


def explain(session: Session, village_id: int, year: int, member_id: int, quarter: int | None = None,
            as_of: dt.date | None = None) -> Explanation:
    """The trace of one member's score: each rule item with the entries, visits, services and awards that
    produced it, points before and after the cap."""
    ctx = _context(session, village_id, year, quarter, as_of)
    rows = list(member_rows(session, village_id, [member_id]))
    if not rows:
        raise PointsError("找不到这名党员，可能已被删除。")
    _, name, grid_id, grid_branch, group_branch, joined, _archived = rows[0]
    on_roster = next((m for m in ctx.roster if m.id == member_id), None)
    if on_roster is not None:
        grid_id, branch_id = on_roster.grid_id, on_roster.grid_branch_id
    else:
        branch_id = grid_branch or group_branch
    unit = grid_id if ctx.rules.unit_level is UnitLevel.GRID else branch_id
    unit_name = _unit_names(session, village_id)[ctx.rules.unit_level].get(unit, "") if unit else ""
    p = ctx.period
    facts = _facts(session, village_id, [member_id], p)
    awards = [a for a in _awards(session, village_id, p.start, p.end) if a.member_id == member_id]
    months = months_from(joined, year)
    result, lines = _explain(ctx.rules, Scope.MEMBER, _tallies_of(facts), facts, awards, p, months, {})
    return Explanation("member", member_id, name, unit_name, year, p, ctx.rules.name, result.base, result.score,
                       ctx.rules.warning_line, ctx.closed, on_roster is not None, lines)


def explain_unit(session: Session, village_id: int, year: int, unit_id: int, quarter: int | None = None,
                 as_of: dt.date | None = None) -> Explanation:
    """The trace of a grid's (or grid branch's) score; each fact names the member it came from."""
    ctx = _context(session, village_id, year, quarter, as_of)
    level = ctx.rules.unit_level
    name = _unit_names(session, village_id)[level].get(unit_id)
    if name is None:
        raise PointsError(f"找不到这个{level.label}，可能已被删除。")
    p = ctx.period
    members = [m for m in ctx.roster if m.unit_id(level) == unit_id]
    facts = _facts(session, village_id, [m.id for m in members], p)
    branch_of_grid = _branch_of_grid(session, village_id)
    awards = [a for a in _awards(session, village_id, p.start, p.end)
              if a.member_id is None and _award_unit(a, level, branch_of_grid) == unit_id]
    names = {m.id: m.name for m in members}
    result, lines = _explain(ctx.rules, Scope.GRID, _tallies_of(facts), facts, awards, p, None, names)
    return Explanation("grid", unit_id, name, name, year, p, ctx.rules.name, result.base, result.score,
                       ctx.rules.warning_line, ctx.closed, bool(members) or bool(awards), lines)


# ---------------------------------------------------------------------------------------- finding a member


@dataclass(frozen=True)
class MemberChoice:
    id: int
    name: str
    masked_id_number: str  # 320482********1234: never the whole number
    unit_name: str
    archived: bool


def find_members(session: Session, village_id: int, name_or_id: str) -> list[MemberChoice]:
    """Members matching a number (the member's 编号), an exact name, or else part of a name."""
    wanted = (name_or_id or "").strip()
    if not wanted:
        return []
    query = (
        select(Member.id, Member.name, Member.id_number, Grid.name, Member.archived)
        .outerjoin(Grid, Grid.id == Member.grid_id)
        .where(Member.village_id == village_id)
        .order_by(Member.archived, Member.id)
    )
    if wanted.isdigit():
        rows = session.execute(query.where(Member.id == int(wanted))).all()
    else:
        rows = session.execute(query.where(Member.name == wanted)).all()
        if not rows:
            rows = session.execute(query.where(Member.name.contains(wanted))).all()
    return [MemberChoice(i, n, id_number.mask(number), grid or "", bool(archived)) for i, n, number, grid, archived in rows]


def member_photos(session: Session, member_ids: Iterable[int]) -> dict[int, bytes]:
    """Photos of some members (for the public board), by member id; members without one are left out."""
    ids = list(member_ids)
    if not ids:
        return {}
    rows = session.execute(select(Member.id, Member.photo).where(Member.id.in_(ids), Member.photo.is_not(None)))
    return {member_id: photo for member_id, photo in rows if photo}
