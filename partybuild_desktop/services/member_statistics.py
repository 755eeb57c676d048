"""党员基本情况统计: a village's member statistics for a period, read in two queries.

``domain.statistics`` says who counts and how; this module only reads the members and their entry and
departure dates. The ``member-stats`` table (``services.exports``) reads its figures here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.statistics import MemberFacts, MemberStatistics, Quarter, compute
from partybuild_desktop.domain.vocabulary import MemberEventKind
from partybuild_desktop.store.models import Member, MemberEvent

_ENTRIES = (MemberEventKind.JOINED, MemberEventKind.TRANSFERRED_IN)
_DEPARTURES = (MemberEventKind.TRANSFERRED_OUT, MemberEventKind.DIED, MemberEventKind.ARCHIVED)
# Far enough back to be before any period: an archived member whose departure has no date.
_LONG_AGO = dt.date(1900, 1, 1)


def member_facts(session: Session, village_id: int) -> list[MemberFacts]:
    """Every member of the village, archived ones included, with entry and exit dates from the events."""
    entries: dict[int, tuple[dt.date, MemberEventKind]] = {}
    exits: dict[int, tuple[dt.date, MemberEventKind]] = {}
    events = session.execute(
        select(MemberEvent.member_id, MemberEvent.date, MemberEvent.kind)
        .join(Member, Member.id == MemberEvent.member_id)
        .where(Member.village_id == village_id, MemberEvent.kind.in_(_ENTRIES + _DEPARTURES))
        .order_by(MemberEvent.date, MemberEvent.id))
    for member_id, date, kind in events:
        if kind in _ENTRIES:
            entries.setdefault(member_id, (date, kind))  # the first entry
        else:
            exits[member_id] = (date, kind)  # the last departure
    facts = []
    rows = session.execute(
        select(Member.id, Member.gender, Member.ethnicity, Member.birth_date, Member.education, Member.standing,
               Member.confirmed_date, Member.category, Member.joined_date, Member.archived, Member.departure)
        .where(Member.village_id == village_id))
    for r in rows:
        entered, entry_kind = entries.get(r.id, (r.joined_date, MemberEventKind.JOINED))
        left, departure = None, None
        if r.archived:
            left, departure = exits.get(r.id, (_LONG_AGO, r.departure))
            departure = r.departure or departure
        facts.append(MemberFacts(
            gender=r.gender, ethnicity=r.ethnicity, birth_date=r.birth_date, education=r.education,
            standing=r.standing, confirmed_date=r.confirmed_date, category=r.category,
            entered=entered, entry_kind=entry_kind, left=left, departure=departure,
        ))
    return facts


def member_statistics(session: Session, village_id: int, start: dt.date, end: dt.date) -> MemberStatistics:
    """The statistics of ``start``–``end`` (reconciled: ``domain.statistics.reconcile`` raises otherwise)."""
    return compute(member_facts(session, village_id), start, end)


def statistics_period(year: int | None, quarter: int | None, today: dt.date) -> tuple[dt.date, dt.date, str]:
    """The dates a table covers and its name (2026年第三季度, 2026年度): a quarter when given, else the
    year; a period not yet over ends today."""
    year = year or today.year
    if quarter:
        q = Quarter(year, quarter)
        start, end, name = q.start, q.end, q.title
    else:
        start, end, name = dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年度"
    if start > today:
        raise ValueError(f"{name}还没有开始，无法统计。")
    return start, min(end, today), name
