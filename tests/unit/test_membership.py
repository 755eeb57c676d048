"""domain.membership: which status changes make sense now, what each does, and the state that a
history gives once a mistaken record is corrected or removed."""

import datetime as dt

import pytest

from partybuild_desktop.domain.membership import (
    HistoryEdit,
    MembershipError,
    MemberState,
    StatusEvent,
    allowed_changes,
    apply_event,
    check_entry,
    current_state,
    describe,
    state_after_edit,
    state_from_events,
)
from partybuild_desktop.domain.vocabulary import MemberEventKind as Kind
from partybuild_desktop.domain.vocabulary import MembershipState, Standing

TODAY = dt.date(2026, 11, 23)
PROBATIONARY = MemberState(standing=Standing.PROBATIONARY)


def day(month, d=1):
    return dt.date(2026, month, d)


def event(kind, month, note=None, id=None):
    return StatusEvent(kind, day(month), note, id)


def test_what_is_offered_follows_the_state():
    assert allowed_changes(MemberState()) == (Kind.SUSPENDED, Kind.LOST_CONTACT, Kind.TRANSFERRED_OUT, Kind.DIED,
                                              Kind.ARCHIVED)
    assert allowed_changes(PROBATIONARY)[:2] == (Kind.CONFIRMED, Kind.PROBATION_EXTENDED)
    extended = MemberState(standing=Standing.PROBATIONARY, probation_extended=True)
    assert Kind.PROBATION_EXTENDED not in allowed_changes(extended)  # extended once only
    lost = MemberState(lost_contact=True, membership_state=MembershipState.SUSPENDED)
    assert Kind.CONTACT_RESTORED in allowed_changes(lost) and Kind.LOST_CONTACT not in allowed_changes(lost)
    assert Kind.RESTORED in allowed_changes(lost) and Kind.SUSPENDED not in allowed_changes(lost)
    assert allowed_changes(MemberState(archived=True, departure=Kind.DIED)) == ()
    assert allowed_changes(MemberState(archived=True, departure=Kind.TRANSFERRED_OUT)) == (Kind.TRANSFERRED_IN,)


def test_each_change_does_what_it_says_and_refuses_what_makes_no_sense():
    confirmed = apply_event(PROBATIONARY, event(Kind.CONFIRMED, 3))
    assert (confirmed.standing, confirmed.confirmed_date) == (Standing.FULL, day(3))
    with pytest.raises(MembershipError, match="已是正式党员"):
        apply_event(confirmed, event(Kind.CONFIRMED, 4))
    with pytest.raises(MembershipError, match="并未失去联系"):
        apply_event(MemberState(), event(Kind.CONTACT_RESTORED, 4))
    with pytest.raises(MembershipError, match="没有停止党籍"):
        apply_event(MemberState(), event(Kind.RESTORED, 4))
    died = apply_event(MemberState(), event(Kind.DIED, 5, "病故"))
    assert (died.archived, died.departure, died.archive_reason) == (True, Kind.DIED, "病故")
    with pytest.raises(MembershipError, match="已去世"):
        apply_event(died, event(Kind.LOST_CONTACT, 6))
    back = apply_event(apply_event(MemberState(), event(Kind.TRANSFERRED_OUT, 5, "转往邻村")), event(Kind.TRANSFERRED_IN, 8))
    assert not back.archived and back.departure is None


def test_entries_are_checked_as_typed():
    with pytest.raises(MembershipError, match="晚于今天"):
        check_entry(StatusEvent(Kind.LOST_CONTACT, TODAY + dt.timedelta(days=1)), TODAY)
    with pytest.raises(MembershipError, match="原因"):
        check_entry(StatusEvent(Kind.TRANSFERRED_OUT, TODAY, "  "), TODAY)
    with pytest.raises(MembershipError, match="不是可以登记"):
        check_entry(StatusEvent(Kind.CATEGORY_CHANGED, TODAY), TODAY)
    assert check_entry(StatusEvent(Kind.DIED, TODAY, " 病故 "), TODAY).note == "病故"


def test_the_state_from_a_history_and_a_record_removed():
    history = [event(Kind.JOINED, 1, id=1), event(Kind.CONFIRMED, 2, id=2), event(Kind.LOST_CONTACT, 3, id=3),
               event(Kind.DIED, 4, "病故", id=4)]
    card = state_from_events(PROBATIONARY, history)
    assert card.archived and card.lost_contact and card.standing is Standing.FULL
    # The 去世 was entered by mistake: the member is back on the register, still out of contact.
    after = state_after_edit(card, history, HistoryEdit(removed=frozenset({4})), TODAY)
    assert not after.archived and after.departure is None and after.lost_contact and after.standing is Standing.FULL
    # Without the 转正 the member is probationary again, with no 转正 date.
    after = state_after_edit(card, history, HistoryEdit(removed=frozenset({2, 4})), TODAY)
    assert after.standing is Standing.PROBATIONARY and after.confirmed_date is None


def test_a_removal_that_leaves_the_history_inconsistent_is_refused():
    history = [event(Kind.LOST_CONTACT, 3, id=1), event(Kind.CONTACT_RESTORED, 5, id=2)]
    card = state_from_events(MemberState(), history)
    with pytest.raises(MembershipError, match="恢复联系.*并未失去联系"):
        state_after_edit(card, history, HistoryEdit(removed=frozenset({1})), TODAY)
    assert not state_after_edit(card, history, HistoryEdit(removed=frozenset({1, 2})), TODAY).lost_contact


def test_a_correction_moves_the_date_the_state_carries():
    history = [event(Kind.LOST_CONTACT, 3, id=7)]
    card = state_from_events(MemberState(), history)
    fixed = state_after_edit(card, history, HistoryEdit(corrected=(StatusEvent(Kind.LOST_CONTACT, day(2, 15), id=7),)),
                             TODAY)
    assert fixed.lost_contact_date == day(2, 15)
    with pytest.raises(MembershipError, match="已不存在"):
        state_after_edit(card, history, HistoryEdit(removed=frozenset({99})), TODAY)


def test_parts_without_history_keep_what_the_card_says():
    # Out of contact on the card (an old roster) with no record of it: a 停止党籍 leaves that alone.
    card = MemberState(lost_contact=True, lost_contact_date=day(1))
    after = state_after_edit(card, [], HistoryEdit(added=(event(Kind.SUSPENDED, 6),)), TODAY)
    assert after.lost_contact and after.membership_state is MembershipState.SUSPENDED
    # A 恢复联系 entered for such a member starts from 失联, as the card says.
    assert not state_after_edit(card, [], HistoryEdit(added=(event(Kind.CONTACT_RESTORED, 6),)), TODAY).lost_contact
    # And removing that 恢复联系 again puts them back out of contact.
    history = [event(Kind.CONTACT_RESTORED, 6, id=3)]
    restored = MemberState()
    assert state_after_edit(restored, history, HistoryEdit(removed=frozenset({3})), TODAY).lost_contact


def test_the_current_state_counts_an_extension_and_says_itself_in_chinese():
    history = [event(Kind.PROBATION_EXTENDED, 3, id=1)]
    state = current_state(PROBATIONARY, history)
    assert state.probation_extended and Kind.PROBATION_EXTENDED not in allowed_changes(state)
    assert describe(state) == "预备党员（已延长预备期）"
    gone = MemberState(archived=True, departure=Kind.TRANSFERRED_OUT, archive_reason="转往县城关镇党委")
    assert describe(gone) == "正式党员；组织关系已转出（转往县城关镇党委），已归档"


def test_a_new_change_starts_from_the_card_when_nothing_about_it_is_stored():
    with pytest.raises(MembershipError, match="并未失去联系"):
        state_after_edit(MemberState(), [], HistoryEdit(added=(event(Kind.CONTACT_RESTORED, 6),)), TODAY)
    with pytest.raises(MembershipError, match="已是正式党员"):
        state_after_edit(MemberState(), [], HistoryEdit(added=(event(Kind.CONFIRMED, 6),)), TODAY)
    # A change dated before what is stored is checked where it falls in the history.
    history = [event(Kind.LOST_CONTACT, 5, id=1)]
    card = state_from_events(MemberState(), history)
    with pytest.raises(MembershipError, match="并未失去联系"):
        state_after_edit(card, history, HistoryEdit(added=(event(Kind.CONTACT_RESTORED, 3),)), TODAY)
