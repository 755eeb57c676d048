"""事项代办 (proxy services, seed 002): matters grid staff handle on a household's behalf.

即办件 are done the same day; 承诺件 by the date promised (required); 补办件 (missing papers, told once),
联办件 (several offices) and 上报件 (sent up, chased) within 30 days unless a date was promised;
不予办理 needs the reason given to the applicant. The status follows from the dates: a completed date
means 已办结, a refusal means 不予办理, anything else is 办理中.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.vocabulary import ProxyKind, ProxyStatus
from partybuild_desktop.services.village import village_row
from partybuild_desktop.store.models import Household, Member, ProxyService

OPEN_DAYS_LIMIT = 30  # 补办件、联办件、上报件 without a promised date


class ProxyError(Refusal):
    """A change refused; the message says why and what to do, in Chinese."""


@dataclass
class ProxyForm:
    kind: ProxyKind = ProxyKind.INSTANT
    household_id: int | None = None
    applicant: str = ""  # 申办人; defaults to the household's head
    matter: str = ""
    received_date: dt.date | None = None
    promised_date: dt.date | None = None  # required for 承诺件
    completed_date: dt.date | None = None
    handler_id: int | None = None  # the member (代办员) handling it
    refusal_reason: str | None = None  # required for 不予办理
    notes: str | None = None


@dataclass(frozen=True)
class ProxyRow:
    id: int
    kind: ProxyKind
    household_id: int | None
    household: str  # 户主
    villager_group: str | None
    applicant: str
    matter: str
    received_date: dt.date
    promised_date: dt.date | None
    completed_date: dt.date | None
    handler_id: int | None
    handler: str
    status: ProxyStatus
    refusal_reason: str | None
    notes: str | None

    def due_date(self, open_days: int = OPEN_DAYS_LIMIT) -> dt.date | None:
        """When it must be done: 即办件 the day received, a promised date when there is one, else 30 days."""
        return due_date(self.kind, self.received_date, self.promised_date, open_days)


def due_date(kind: ProxyKind, received: dt.date, promised: dt.date | None,
             open_days: int = OPEN_DAYS_LIMIT) -> dt.date | None:
    if kind is ProxyKind.REFUSED:
        return None
    if kind is ProxyKind.INSTANT:
        return received
    if promised is not None:
        return promised
    if kind is ProxyKind.PROMISED:
        return None  # cannot happen for a saved 承诺件
    return received + dt.timedelta(days=open_days)


def _clean(session: Session, village_id: int, form: ProxyForm, today: dt.date) -> tuple[ProxyForm, ProxyStatus]:
    def blank(value):
        return (value or "").strip() or None

    try:
        kind = ProxyKind(form.kind)
    except ValueError as error:
        kinds = "、".join(k.label for k in ProxyKind)
        raise ProxyError(f"不认识的代办件类型“{form.kind}”，请从{kinds}中选择。") from error
    problems = []
    household = None
    if form.household_id is not None:
        household = village_row(session, Household, form.household_id, village_id)
        if household is None:
            problems.append("所选农户不属于本村，请重新选择")
    applicant = blank(form.applicant) or (household.head_name if household is not None else None)
    if not applicant:
        problems.append("请填写申办人，或选择申办的农户")
    matter = (form.matter or "").strip()
    if not matter:
        problems.append("请填写代办事项")
    received, promised, completed = form.received_date, form.promised_date, form.completed_date
    if received is None:
        problems.append("请填写受理日期")
    elif received > today:
        problems.append(f"受理日期 {format_cn(received)} 晚于今天，请核对")
    if kind is ProxyKind.PROMISED and promised is None:
        problems.append("承诺件必须填写承诺办结日期")
    if kind is ProxyKind.INSTANT and promised is None:
        promised = received  # 即收即办: promised the same day
    if received and promised and promised < received:
        problems.append(f"承诺办结日期 {format_cn(promised)} 早于受理日期，请核对")
    if completed is not None:
        if completed > today:
            problems.append(f"办结日期 {format_cn(completed)} 晚于今天，请核对")
        elif received and completed < received:
            problems.append(f"办结日期 {format_cn(completed)} 早于受理日期，请核对")
    reason = blank(form.refusal_reason)
    if kind is ProxyKind.REFUSED:
        if not reason:
            problems.append("不予办理必须写明原因（并向申办人当面说明）")
        completed = completed or received  # the refusal closes the matter the day it is given
    elif reason:
        problems.append(f"{kind.label}不是不予办理，请清空“不予办理原因”，或把类型改为不予办理")
    if form.handler_id is not None:
        handler = village_row(session, Member, form.handler_id, village_id)
        if handler is None:
            problems.append("所选代办人不是本村党员，请重新选择")
    if problems:
        raise ProxyError("；".join(problems) + "。")
    status = ProxyStatus.REFUSED if kind is ProxyKind.REFUSED else ProxyStatus.DONE if completed else ProxyStatus.OPEN
    cleaned = ProxyForm(kind, form.household_id, applicant, matter, received, promised, completed, form.handler_id,
                        reason, blank(form.notes))
    return cleaned, status


def register_proxy(session: Session, village_id: int, form: ProxyForm, today: dt.date | None = None) -> int:
    """Register a matter; returns its id."""
    form, status = _clean(session, village_id, form, today or dt.date.today())
    item = ProxyService(village_id=village_id, status=status, **_columns(form))
    session.add(item)
    session.flush()
    return item.id


def update_proxy(session: Session, proxy_id: int, form: ProxyForm, today: dt.date | None = None) -> None:
    item = _item(session, proxy_id)
    form, status = _clean(session, item.village_id, form, today or dt.date.today())
    for name, value in _columns(form).items():
        setattr(item, name, value)
    item.status = status
    session.flush()


def complete_proxy(session: Session, proxy_id: int, completed: dt.date, today: dt.date | None = None) -> None:
    """Mark a matter done on ``completed``."""
    form = load_proxy(session, proxy_id)
    if form.kind is ProxyKind.REFUSED:
        raise ProxyError("不予办理的事项无需办结。")
    form.completed_date = completed
    update_proxy(session, proxy_id, form, today)


def delete_proxy(session: Session, proxy_id: int) -> None:
    session.delete(_item(session, proxy_id))
    session.flush()


def load_proxy(session: Session, proxy_id: int) -> ProxyForm:
    i = _item(session, proxy_id)
    return ProxyForm(i.kind, i.household_id, i.applicant, i.matter, i.received_date, i.promised_date,
                     i.completed_date, i.handler_id, i.refusal_reason, i.notes)


def _columns(form: ProxyForm) -> dict:
    return dict(kind=form.kind, household_id=form.household_id, applicant=form.applicant, matter=form.matter,
                received_date=form.received_date, promised_date=form.promised_date,
                completed_date=form.completed_date, handler_id=form.handler_id, refusal_reason=form.refusal_reason,
                notes=form.notes)


def _item(session: Session, proxy_id: int) -> ProxyService:
    item = session.get(ProxyService, proxy_id)
    if item is None:
        raise ProxyError("找不到这件代办事项，可能已被删除。请刷新列表。")
    return item


def list_proxies(session: Session, village_id: int, status: ProxyStatus | None = None, kind: ProxyKind | None = None,
                 start: dt.date | None = None, end: dt.date | None = None) -> list[ProxyRow]:
    """Matters received between ``start`` and ``end`` (both optional), newest first."""
    query = (
        select(ProxyService.id, ProxyService.kind, ProxyService.household_id, Household.head_name,
               Household.villager_group, ProxyService.applicant, ProxyService.matter, ProxyService.received_date,
               ProxyService.promised_date, ProxyService.completed_date, ProxyService.handler_id, Member.name,
               ProxyService.status, ProxyService.refusal_reason, ProxyService.notes)
        .outerjoin(Household, Household.id == ProxyService.household_id)
        .outerjoin(Member, Member.id == ProxyService.handler_id)
        .where(ProxyService.village_id == village_id)
        .order_by(ProxyService.received_date.desc(), ProxyService.id.desc())
    )
    if status is not None:
        query = query.where(ProxyService.status == status)
    if kind is not None:
        query = query.where(ProxyService.kind == kind)
    if start is not None:
        query = query.where(ProxyService.received_date >= start)
    if end is not None:
        query = query.where(ProxyService.received_date <= end)
    rows = []
    for r in session.execute(query):
        values = list(r)
        values[3] = values[3] or ""
        values[11] = values[11] or ""
        rows.append(ProxyRow(*values))
    return rows


@dataclass(frozen=True)
class OverdueProxy:
    item: ProxyRow
    due: dt.date
    days_overdue: int
    reason: str  # why it counts as overdue, in Chinese


def overdue_proxies(session: Session, village_id: int, today: dt.date | None = None,
                    open_days: int = OPEN_DAYS_LIMIT) -> list[OverdueProxy]:
    """Open matters past their time: 承诺件 after the promised date, 即办件 not done the day received, the
    rest open more than ``open_days`` days (or past a promised date). Longest overdue first."""
    today = today or dt.date.today()
    found = []
    for item in list_proxies(session, village_id, status=ProxyStatus.OPEN):
        due = item.due_date(open_days)
        if due is None or today <= due:
            continue
        if item.kind is ProxyKind.INSTANT:
            reason = f"即办件应当日办结（{format_cn(item.received_date)}受理）"
        elif item.promised_date is not None:
            reason = f"已过承诺办结日期 {format_cn(item.promised_date)}"
        else:
            reason = f"受理已超过{open_days}天（{format_cn(item.received_date)}受理）"
        found.append(OverdueProxy(item, due, (today - due).days, reason))
    found.sort(key=lambda o: (-o.days_overdue, o.item.id))
    return found
