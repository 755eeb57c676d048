"""A member's status (党员状态) as their dated history makes it: which changes make sense now, what each
change does, and the state that the remaining history gives after an entry is corrected or removed.

Four parts of the state are set by status changes, each by its own kinds of event:
人员类别 (转正, 延长预备期), 党籍 (停止/恢复党籍), 联系 (失联/恢复联系) and 在册 (转出, 去世, 归档, 转入).
A part with no event in the history keeps what the card says (members registered before their history
was kept); a part with events is worked out from them, starting from the state their first event
changes (before a 恢复联系 the member was out of contact, before a 转正 a probationary member).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.vocabulary import MemberEventKind as Kind
from partybuild_desktop.domain.vocabulary import MembershipState, Standing


class MembershipError(Refusal):
    """A status change that cannot be made, with the reason in Chinese."""


DEPARTURES = (Kind.TRANSFERRED_OUT, Kind.DIED, Kind.ARCHIVED)
# What the clerk can enter as a status change, in the order the dialog offers them.
STATUS_CHANGES = (
    Kind.CONFIRMED, Kind.PROBATION_EXTENDED, Kind.SUSPENDED, Kind.RESTORED, Kind.LOST_CONTACT,
    Kind.CONTACT_RESTORED, *DEPARTURES, Kind.TRANSFERRED_IN,
)
# The part of the state each kind of event sets; 加入党组织 and 类别变更 set none.
_PARTS = {
    Kind.CONFIRMED: "standing", Kind.PROBATION_EXTENDED: "standing",
    Kind.SUSPENDED: "membership", Kind.RESTORED: "membership",
    Kind.LOST_CONTACT: "contact", Kind.CONTACT_RESTORED: "contact",
    Kind.TRANSFERRED_OUT: "register", Kind.DIED: "register", Kind.ARCHIVED: "register", Kind.TRANSFERRED_IN: "register",
}


@dataclass(frozen=True)
class MemberState:
    """What status changes decide about a member (the card holds the same fields)."""

    standing: Standing = Standing.FULL
    confirmed_date: dt.date | None = None
    membership_state: MembershipState = MembershipState.NORMAL
    lost_contact: bool = False
    lost_contact_date: dt.date | None = None
    archived: bool = False
    departure: Kind | None = None  # 转出, 去世 or 归档 while archived
    archive_reason: str | None = None
    probation_extended: bool = False  # the 预备期 may be extended once


@dataclass(frozen=True)
class StatusEvent:
    """One dated line of the status history; ``id`` is the stored row's, None for one not yet saved."""

    kind: Kind
    date: dt.date
    note: str | None = None
    id: int | None = None

    def title(self) -> str:
        return f"{format_cn(self.date)}的“{self.kind.label}”"


@dataclass(frozen=True)
class HistoryEdit:
    """Changes to a member's status history made in one edit: new events, stored events corrected
    (same id, new kind/date/note) and stored events removed (by id)."""

    added: tuple[StatusEvent, ...] = ()
    corrected: tuple[StatusEvent, ...] = ()
    removed: frozenset[int] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.added or self.corrected or self.removed)

    def apply(self, history: Sequence[StatusEvent]) -> list[StatusEvent]:
        """The history after this edit, oldest first (same-day events in the order they were entered)."""
        corrected = {event.id: event for event in self.corrected}
        kept = [corrected.get(event.id, event) for event in history if event.id not in self.removed]
        return sorted([*kept, *self.added], key=lambda event: event.date)  # stable: entry order within a day


def allowed_changes(state: MemberState) -> tuple[Kind, ...]:
    """The status changes that make sense for a member in this state, in the dialog's order."""
    if state.archived:
        # A member who transferred out may come back; one who died or was archived has no changes left.
        return (Kind.TRANSFERRED_IN,) if state.departure is Kind.TRANSFERRED_OUT else ()
    allowed = []
    if state.standing is Standing.PROBATIONARY:
        allowed.append(Kind.CONFIRMED)
        if not state.probation_extended:
            allowed.append(Kind.PROBATION_EXTENDED)
    allowed.append(Kind.RESTORED if state.membership_state is MembershipState.SUSPENDED else Kind.SUSPENDED)
    allowed.append(Kind.CONTACT_RESTORED if state.lost_contact else Kind.LOST_CONTACT)
    allowed.extend(DEPARTURES)
    return tuple(allowed)


def check_entry(event: StatusEvent, today: dt.date) -> StatusEvent:
    """A change as the clerk typed it: a kind that can be entered, a date that has happened, a reason
    where one is required. Returns it with the note trimmed."""
    note = (event.note or "").strip() or None
    if event.kind not in STATUS_CHANGES:
        raise MembershipError(f"“{event.kind.label}”不是可以登记的状态变动。")
    if event.date > today:
        raise MembershipError(f"变动日期 {format_cn(event.date)} 晚于今天，请核对。")
    if event.kind in DEPARTURES and not note:
        raise MembershipError(f"{event.kind.label}需要写明原因或去向（例如转往的党组织）。")
    return replace(event, note=note)


def apply_event(state: MemberState, event: StatusEvent) -> MemberState:
    """What one event does to a member in ``state``; refused when it makes no sense there."""
    kind = event.kind
    if kind not in _PARTS:
        return state  # 加入党组织, 类别变更: part of the history, no change of status
    if state.archived and kind is not Kind.TRANSFERRED_IN:
        raise MembershipError(f"此时已{(state.departure or Kind.ARCHIVED).label}（已归档），不能再登记状态变动。")
    if kind is Kind.CONFIRMED:
        if state.standing is not Standing.PROBATIONARY:
            raise MembershipError("此时已是正式党员，不能再转正。")
        return replace(state, standing=Standing.FULL, confirmed_date=event.date)
    if kind is Kind.PROBATION_EXTENDED:
        if state.standing is not Standing.PROBATIONARY:
            raise MembershipError("只有预备党员才能延长预备期。")
        if state.probation_extended:
            raise MembershipError("预备期只能延长一次。")
        return replace(state, probation_extended=True)
    if kind is Kind.SUSPENDED:
        if state.membership_state is MembershipState.SUSPENDED:
            raise MembershipError("此时已停止党籍。")
        return replace(state, membership_state=MembershipState.SUSPENDED)
    if kind is Kind.RESTORED:
        if state.membership_state is not MembershipState.SUSPENDED:
            raise MembershipError("此时党籍正常，没有停止党籍，无需恢复。")
        return replace(state, membership_state=MembershipState.NORMAL)
    if kind is Kind.LOST_CONTACT:
        if state.lost_contact:
            raise MembershipError("此时已是失去联系。")
        return replace(state, lost_contact=True, lost_contact_date=event.date)
    if kind is Kind.CONTACT_RESTORED:
        if not state.lost_contact:
            raise MembershipError("此时并未失去联系，无需恢复联系。")
        return replace(state, lost_contact=False, lost_contact_date=None)
    if kind is Kind.TRANSFERRED_IN:
        # A member transferred in from the start changes nothing; one who had transferred out returns.
        return replace(state, archived=False, departure=None, archive_reason=None) if state.archived else state
    return replace(state, archived=True, departure=kind, archive_reason=event.note)


def _start(card: MemberState, events: Iterable[StatusEvent]) -> MemberState:
    """The state before the history: each part that has events starts where its first event starts from,
    the other parts are as the card says."""
    first: dict[str, Kind] = {}
    for event in sorted(events, key=lambda e: e.date):
        part = _PARTS.get(event.kind)
        if part is not None:
            first.setdefault(part, event.kind)
    state = card
    if "standing" in first:
        state = replace(state, standing=Standing.PROBATIONARY, confirmed_date=None, probation_extended=False)
    if "membership" in first:
        suspended = first["membership"] is Kind.RESTORED
        state = replace(state, membership_state=MembershipState.SUSPENDED if suspended else MembershipState.NORMAL)
    if "contact" in first:
        lost = first["contact"] is Kind.CONTACT_RESTORED
        state = replace(state, lost_contact=lost, lost_contact_date=card.lost_contact_date if lost else None)
    if "register" in first:
        state = replace(state, archived=False, departure=None, archive_reason=None)
    return state


def state_from_events(start: MemberState, history: Iterable[StatusEvent]) -> MemberState:
    """Apply the history, oldest first, to ``start``; an event that makes no sense where it stands is
    refused, naming it."""
    state = start
    for event in sorted(history, key=lambda e: e.date):
        try:
            state = apply_event(state, event)
        except MembershipError as error:
            raise MembershipError(f"{event.title()}：{error}") from None
    return state


def current_state(card: MemberState, history: Sequence[StatusEvent]) -> MemberState:
    """The member's state now, from the card and the stored history (the card when they disagree, as
    with members whose history was kept only in part)."""
    try:
        return state_from_events(_start(card, history), history)
    except MembershipError:
        return card


def state_after_edit(card: MemberState, history: Sequence[StatusEvent], edit: HistoryEdit,
                     today: dt.date) -> MemberState:
    """The member's state once ``edit`` is made to their stored ``history``: every new or corrected
    entry is checked, then the state is worked out again from the history as it will be. A removed
    entry still counts for where its part starts, so removing a mistaken 去世 puts the member back on
    the register."""
    if not edit:
        return current_state(card, history)
    stored = {event.id: event for event in history}
    for event in (*edit.corrected, *(stored.get(i) for i in edit.removed)):
        if event is None or event.id not in stored:
            raise MembershipError("要修改或删除的状态记录已不存在，请关闭后重新打开党员信息。")
        if stored[event.id].kind not in STATUS_CHANGES:
            raise MembershipError(f"{stored[event.id].title()}是自动记录的，不能在这里修改或删除。")
    checked = HistoryEdit(tuple(check_entry(e, today) for e in edit.added),
                          tuple(check_entry(e, today) for e in edit.corrected), frozenset(edit.removed))
    after = checked.apply(history)
    # Where each part starts follows from what was stored (removed and corrected entries included); a
    # part with nothing stored starts as the card says, so a new 恢复联系 needs a member out of contact.
    start = _start(card, [*history, *checked.corrected])
    return state_from_events(start, after)


def standing_follows_history(events: Iterable[StatusEvent]) -> bool:
    """Whether 人员类别 and 转正日期 come from the history (it holds a 转正 or 延长预备期) rather than the card."""
    return any(_PARTS.get(event.kind) == "standing" for event in events)


def describe(state: MemberState) -> str:
    """The state in one line, as the editor shows it: ``预备党员（已延长预备期）；失去联系（2026年5月1日起）``."""
    parts = [state.standing.label + ("（已延长预备期）" if state.probation_extended else "")]
    if state.membership_state is MembershipState.SUSPENDED:
        parts.append("停止党籍")
    if state.lost_contact:
        since = f"（{format_cn(state.lost_contact_date)}起）" if state.lost_contact_date else ""
        parts.append(f"失去联系{since}")
    if state.archived:
        reason = f"（{state.archive_reason}）" if state.archive_reason else ""
        left = {Kind.TRANSFERRED_OUT: "组织关系已转出", Kind.DIED: "已去世"}.get(state.departure)
        parts.append(f"{left}{reason}，已归档" if left else f"已归档{reason}")
    return "；".join(parts)
