"""The rules of 流动党员 at their edges: 5 months 30 days and 6 months away, a contact on the last day of
the interval, 6 months without contact, a 活动证 30 days before it expires."""

import datetime as dt

import pytest

from partybuild_desktop.domain import migrants as rules
from partybuild_desktop.domain.migrants import ContactHow, StintFacts, alerts_for, months_away, split_place

LEFT = dt.date(2026, 3, 1)


def kinds(as_of, last_contact=None, **more):
    return alerts_for(StintFacts(left_on=LEFT, last_contact=last_contact, **more), as_of)


def test_months_away_counts_whole_months():
    assert months_away(LEFT, dt.date(2026, 8, 31)) == 5  # 5 months 30 days
    assert months_away(LEFT, dt.date(2026, 9, 1)) == 6
    assert months_away(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1  # the end of a shorter month
    assert months_away(LEFT, dt.date(2026, 2, 1)) == 0


def test_should_transfer_from_six_months_away_not_a_day_before():
    contact = dt.date(2026, 8, 20)
    assert rules.SHOULD_TRANSFER not in kinds(dt.date(2026, 8, 31), contact)  # 5 months 30 days
    assert rules.SHOULD_TRANSFER in kinds(dt.date(2026, 9, 1), contact)  # 6 months
    # A 活动证 with the reason why the relationship is not transferred: no alert.
    assert rules.SHOULD_TRANSFER not in kinds(dt.date(2026, 9, 1), contact, card_no="HD-1",
                                              no_transfer_reason="务工地点不固定")
    # A 活动证 alone is for absences up to 6 months.
    assert rules.SHOULD_TRANSFER in kinds(dt.date(2026, 9, 1), contact, card_no="HD-1")


def test_a_contact_on_the_last_day_of_the_interval_is_in_time():
    first = dt.date(2026, 4, 10)
    due = dt.date(2026, 7, 10)  # three months later: the interval's last day
    assert kinds(due, first) == []
    assert kinds(due + dt.timedelta(days=1), first) == [rules.CONTACT_OVERDUE]
    # The next contact on that last day: in time, and the interval starts again from it.
    assert kinds(dt.date(2026, 8, 1), due) == []
    assert kinds(dt.date(2026, 10, 10), due) == [rules.SHOULD_TRANSFER]  # away 7 months by then
    assert kinds(dt.date(2026, 10, 11), due) == [rules.CONTACT_OVERDUE, rules.SHOULD_TRANSFER]


def test_without_a_contact_the_interval_counts_from_the_day_of_leaving():
    assert kinds(dt.date(2026, 6, 1)) == []
    assert kinds(dt.date(2026, 6, 2)) == [rules.CONTACT_OVERDUE]


def test_six_months_without_contact_is_lost_contact_and_replaces_overdue():
    last = dt.date(2026, 4, 15)
    assert rules.LOST_CONTACT not in kinds(dt.date(2026, 10, 14), last)
    assert rules.CONTACT_OVERDUE in kinds(dt.date(2026, 10, 14), last)
    found = kinds(dt.date(2026, 10, 15), last)
    assert rules.LOST_CONTACT in found and rules.CONTACT_OVERDUE not in found


def test_the_village_interval_is_used():
    last = dt.date(2026, 4, 10)
    facts = StintFacts(left_on=LEFT, last_contact=last)
    assert alerts_for(facts, dt.date(2026, 5, 11), 1) == [rules.CONTACT_OVERDUE]
    assert alerts_for(facts, dt.date(2026, 5, 11), 3) == []
    assert rules.check_interval(0) and rules.check_interval(7) and rules.check_interval(3) is None


def test_activity_card_expiring_thirty_days_ahead_and_once_expired():
    contact = dt.date(2026, 5, 1)
    expires = dt.date(2026, 6, 30)
    assert rules.CARD_EXPIRING not in kinds(dt.date(2026, 5, 30), contact, card_no="HD-1", card_expires_on=expires)
    assert rules.CARD_EXPIRING in kinds(dt.date(2026, 5, 31), contact, card_no="HD-1", card_expires_on=expires)
    assert rules.CARD_EXPIRING in kinds(dt.date(2026, 7, 15), contact, card_no="HD-1", card_expires_on=expires)


def test_a_stint_without_a_leaving_date_can_only_tell_of_contact():
    unknown = StintFacts(left_on=None, last_contact=None)
    assert alerts_for(unknown, dt.date(2026, 11, 23)) == [rules.CONTACT_OVERDUE]
    assert alerts_for(StintFacts(left_on=None, last_contact=dt.date(2026, 11, 1)), dt.date(2026, 11, 23)) == []


@pytest.mark.parametrize("text, expected", [
    ("广东省/深圳市/宝安区", ("广东省", "深圳市", "宝安区")),
    ("广东省／深圳市", ("广东省", "深圳市", None)),
    ("上海市", ("上海市", None, None)),
    ("广东省//宝安区", ("广东省", None, "宝安区")),
])
def test_destination_as_typed(text, expected):
    assert split_place(text) == expected


def test_contact_ways_by_label_code_or_short_word():
    assert ContactHow.from_text("寄送") is ContactHow.MAILED
    assert ContactHow.from_text("寄送学习资料") is ContactHow.MAILED
    assert ContactHow.from_text("微信") is ContactHow.WECHAT
    assert ContactHow.from_text("phone") is ContactHow.PHONE
    assert ContactHow.from_text("QQ") is None


def test_a_transfer_under_way_needs_no_alert_to_transfer():
    assert rules.SHOULD_TRANSFER not in kinds(dt.date(2026, 9, 1), dt.date(2026, 8, 20), transfer_under_way=True)
