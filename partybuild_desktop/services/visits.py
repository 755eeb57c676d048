"""民情日记 (visit diary): a member's visits to households, and the must-visit households overdue.

A visit also writes the member's record-book line (纪实, type 走访联户) naming the visit as its source;
editing or deleting the visit changes or removes that line, so nothing is typed twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.vocabulary import CareFlag, RecordEntryType
from partybuild_desktop.services.households import CARE_COLUMNS, must_visit_clause, natural_key
from partybuild_desktop.services.village import get_setting, set_setting, village_row
from partybuild_desktop.store.models import Household, Member, RecordEntry, Visit

SOURCE_KIND = "visit"  # RecordEntry.source_kind of the lines visits write
MUST_VISIT_DAYS_KEY = "must_visit_days"
DEFAULT_MUST_VISIT_DAYS = 30
MAX_MUST_VISIT_DAYS = 366


class VisitError(Refusal):
    """A change refused; the message says why and what to do, in Chinese."""


@dataclass
class VisitForm:
    date: dt.date | None = None
    member_id: int | None = None
    household_id: int | None = None
    matter: str = ""  # 民情事项: what the household raised
    action: str | None = None  # 办理情况
    follow_up: str | None = None  # 跟踪落实
    feedback: str | None = None  # 群众反馈


@dataclass(frozen=True)
class VisitRow:
    id: int
    date: dt.date
    member_id: int
    member: str
    household_id: int
    household: str  # 户主
    villager_group: str | None
    matter: str
    action: str | None
    follow_up: str | None
    feedback: str | None
    entry_id: int | None  # the record-book line this visit wrote


def entry_text(head_name: str, matter: str) -> str:
    """The record-book line a visit writes."""
    return f"走访{head_name}户：{matter}"


def _clean(session: Session, village_id: int, form: VisitForm, today: dt.date) -> tuple[VisitForm, Member, Household]:
    def blank(value):
        return (value or "").strip() or None

    matter = (form.matter or "").strip()
    problems = []
    if form.date is None:
        problems.append("请填写走访日期")
    elif form.date > today:
        problems.append(f"走访日期 {format_cn(form.date)} 晚于今天，请核对")
    if not matter:
        problems.append("请填写民情事项（群众反映了什么）")
    member = village_row(session, Member, form.member_id, village_id)
    if member is None:
        problems.append("请选择走访的党员")
    elif member.archived:
        problems.append(f"“{member.name}”已归档，不能再登记走访")
    household = village_row(session, Household, form.household_id, village_id)
    if household is None:
        problems.append("请选择走访的农户")
    if problems:
        raise VisitError("；".join(problems) + "。")
    cleaned = VisitForm(form.date, form.member_id, form.household_id, matter, blank(form.action),
                        blank(form.follow_up), blank(form.feedback))
    return cleaned, member, household


def _entry(session: Session, visit_id: int) -> RecordEntry | None:
    return session.scalars(select(RecordEntry).where(RecordEntry.source_kind == SOURCE_KIND,
                                                     RecordEntry.source_id == visit_id)).first()


def add_visit(session: Session, village_id: int, form: VisitForm, today: dt.date | None = None) -> int:
    """Log a visit and the member's record-book line for it; returns the visit's id."""
    form, member, household = _clean(session, village_id, form, today or dt.date.today())
    visit = Visit(village_id=village_id, date=form.date, member_id=member.id, household_id=household.id,
                  matter=form.matter, action=form.action, follow_up=form.follow_up, feedback=form.feedback)
    session.add(visit)
    session.flush()
    session.add(RecordEntry(member_id=member.id, date=form.date, entry_type=RecordEntryType.HOUSEHOLD_VISIT,
                            text=entry_text(household.head_name, form.matter), source_kind=SOURCE_KIND,
                            source_id=visit.id))
    session.flush()
    return visit.id


def update_visit(session: Session, visit_id: int, form: VisitForm, today: dt.date | None = None) -> None:
    """Change a visit; its record-book line follows (date, member, text)."""
    visit = _visit(session, visit_id)
    form, member, household = _clean(session, visit.village_id, form, today or dt.date.today())
    visit.date, visit.member_id, visit.household_id = form.date, member.id, household.id
    visit.matter, visit.action = form.matter, form.action
    visit.follow_up, visit.feedback = form.follow_up, form.feedback
    entry = _entry(session, visit_id)
    if entry is None:  # the line was lost (e.g. an old data file): write it again
        entry = RecordEntry(entry_type=RecordEntryType.HOUSEHOLD_VISIT, source_kind=SOURCE_KIND, source_id=visit.id)
        session.add(entry)
    entry.member_id, entry.date, entry.text = member.id, form.date, entry_text(household.head_name, form.matter)
    session.flush()


def delete_visit(session: Session, visit_id: int) -> None:
    """Remove a visit and the record-book line it wrote."""
    visit = _visit(session, visit_id)
    entry = _entry(session, visit_id)
    if entry is not None:
        session.delete(entry)
    session.delete(visit)
    session.flush()


def load_visit(session: Session, visit_id: int) -> VisitForm:
    v = _visit(session, visit_id)
    return VisitForm(v.date, v.member_id, v.household_id, v.matter, v.action, v.follow_up, v.feedback)


def _visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise VisitError("找不到这条走访记录，可能已被删除。请刷新列表。")
    return visit


def list_visits(session: Session, village_id: int, member_id: int | None = None, household_id: int | None = None,
                start: dt.date | None = None, end: dt.date | None = None, text: str = "",
                limit: int | None = None) -> list[VisitRow]:
    """The diary, newest first; the filters combine."""
    query = (
        select(Visit.id, Visit.date, Visit.member_id, Member.name, Visit.household_id, Household.head_name,
               Household.villager_group, Visit.matter, Visit.action, Visit.follow_up, Visit.feedback, RecordEntry.id)
        .join(Member, Member.id == Visit.member_id)
        .join(Household, Household.id == Visit.household_id)
        .outerjoin(RecordEntry, (RecordEntry.source_kind == SOURCE_KIND) & (RecordEntry.source_id == Visit.id))
        .where(Visit.village_id == village_id)
        .order_by(Visit.date.desc(), Visit.id.desc())
    )
    if member_id is not None:
        query = query.where(Visit.member_id == member_id)
    if household_id is not None:
        query = query.where(Visit.household_id == household_id)
    if start is not None:
        query = query.where(Visit.date >= start)
    if end is not None:
        query = query.where(Visit.date <= end)
    if text.strip():
        needle = text.strip()
        query = query.where(Visit.matter.contains(needle) | Member.name.contains(needle)
                            | Household.head_name.contains(needle))
    if limit:
        query = query.limit(limit)
    return [VisitRow(*r) for r in session.execute(query)]


# ---------------------------------------------------------------------------------------- must-visit


def must_visit_days(session: Session) -> int:
    """How many days a must-visit household may go without a visit (setting ``must_visit_days``, default 30)."""
    raw = get_setting(session, MUST_VISIT_DAYS_KEY)
    try:
        days = int(raw) if raw is not None else DEFAULT_MUST_VISIT_DAYS
    except ValueError:
        return DEFAULT_MUST_VISIT_DAYS
    return days if 1 <= days <= MAX_MUST_VISIT_DAYS else DEFAULT_MUST_VISIT_DAYS


def set_must_visit_days(session: Session, days: int) -> None:
    if not isinstance(days, int) or not 1 <= days <= MAX_MUST_VISIT_DAYS:
        raise VisitError(f"必访户走访间隔应为 1 到 {MAX_MUST_VISIT_DAYS} 天之间的整数，例如 30。")
    set_setting(session, MUST_VISIT_DAYS_KEY, str(days))


@dataclass(frozen=True)
class MustVisitRow:
    household_id: int
    head_name: str
    villager_group: str | None
    address: str | None
    phone: str | None
    care_flags: tuple[CareFlag, ...]
    liaison_member_id: int | None
    liaison_member: str
    liaison_phone: str | None
    last_visit: dt.date | None  # None: never visited
    days_since: int | None

    @property
    def care_text(self) -> str:
        return "、".join(flag.label for flag in self.care_flags)


def overdue_must_visits(session: Session, village_id: int, today: dt.date | None = None,
                        days: int | None = None) -> list[MustVisitRow]:
    """Households with a care flag (必访) not visited in the last ``days`` days (default: the setting),
    never-visited first, then the longest waiting."""
    today = today or dt.date.today()
    days = must_visit_days(session) if days is None else days
    last = (select(Visit.household_id, func.max(Visit.date).label("last"))
            .where(Visit.village_id == village_id, Visit.date <= today).group_by(Visit.household_id).subquery())
    flags = list(CareFlag)
    query = (
        select(Household.id, Household.head_name, Household.villager_group, Household.address, Household.phone,
               *CARE_COLUMNS.values(), Household.liaison_member_id, Member.name, Member.mobile, Member.landline,
               last.c.last)
        .outerjoin(Member, Member.id == Household.liaison_member_id)
        .outerjoin(last, last.c.household_id == Household.id)
        .where(Household.village_id == village_id, must_visit_clause())
    )
    cutoff = today - dt.timedelta(days=days)
    rows = []
    for r in session.execute(query):
        values = tuple(r)
        last_visit = values[-1]
        if last_visit is not None and last_visit >= cutoff:
            continue
        care = tuple(flag for flag, on in zip(flags, values[5:5 + len(flags)]) if on)
        member_id, name, mobile, landline = values[5 + len(flags):9 + len(flags)]
        rows.append(MustVisitRow(values[0], values[1], values[2], values[3], values[4], care, member_id, name or "",
                                 mobile or landline, last_visit,
                                 None if last_visit is None else (today - last_visit).days))
    rows.sort(key=lambda r: (r.last_visit is not None, r.last_visit or dt.date.min, natural_key(r.villager_group),
                             natural_key(r.address)))
    return rows
