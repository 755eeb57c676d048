"""发展党员's dated rules at each edge (domain.recruitment): plain functions, no data file."""

import datetime as dt

import pytest

from partybuild_desktop.domain import recruitment as r
from partybuild_desktop.domain.recruitment import CaseDates, Stage, Step

D = dt.date


def test_five_stages_and_twenty_five_steps_in_order():
    assert len(r.STEPS) == 25 and [s.number for s in r.STEPS] == list(range(1, 26))
    assert [len(r.stage_steps(stage)) for stage in Stage] == [2, 4, 5, 7, 7]
    assert Step.APPROVAL.title == "第17步上级党委审批" and Step.CONFIRM_APPROVAL.number == 24
    assert Step.TALK.stage is Stage.APPLICANT and Step.ARCHIVED.stage is Stage.PROBATION
    assert r.parse_step("talk") is r.parse_step("2") is r.parse_step("②") is r.parse_step("党组织派人谈话") is Step.TALK
    with pytest.raises(ValueError, match="没有“谈心”这个步骤"):
        r.parse_step("谈心")


def test_age_at_application_17_years_364_days_and_18():
    birth = D(2008, 5, 10)
    assert r.under_18_at_application(birth, D(2026, 5, 9)).code == "under_18_at_application"  # 17 years 364 days
    assert r.under_18_at_application(birth, D(2026, 5, 10)) is None
    assert r.under_18_at_application(None, D(2026, 5, 9)) is None  # not known: nothing to say
    assert r.age_on(D(2008, 2, 29), D(2026, 2, 28)) == 17 and r.age_on(D(2008, 2, 29), D(2026, 3, 1)) == 18


def test_talk_on_day_31_and_day_32_after_the_application():
    applied = D(2026, 3, 1)
    assert r.talk_after_one_month(applied, applied + dt.timedelta(days=31)) is None  # 1 April: within the month
    late = r.talk_after_one_month(applied, applied + dt.timedelta(days=32))
    assert late.code == "talk_after_one_month" and "2026年4月1日" in late.message
    # A calendar month: from 31 January the month ends on 28 February.
    assert r.talk_after_one_month(D(2026, 1, 31), D(2026, 2, 28)) is None
    assert r.talk_after_one_month(D(2026, 1, 31), D(2026, 3, 1)).code == "talk_after_one_month"


def test_364_and_365_days_as_activist():
    named = D(2025, 3, 1)
    assert r.activist_under_one_year(named, named + dt.timedelta(days=364)).code == "activist_under_one_year"
    assert r.activist_under_one_year(named, named + dt.timedelta(days=365)) is None


def test_activists_are_reviewed_every_six_months():
    named = D(2025, 1, 10)
    assert r.review_over_six_months(named, [D(2025, 7, 10), D(2026, 1, 10)], D(2026, 1, 20)) is None
    gap = r.review_over_six_months(named, [D(2025, 7, 11)], D(2025, 12, 1))
    assert gap.code == "review_over_six_months"
    assert r.review_over_six_months(named, [D(2025, 7, 1)], D(2026, 1, 2)).code == "review_over_six_months"
    assert r.next_review_due(named, [D(2025, 6, 30)]) == D(2025, 12, 30)


def test_one_or_two_contacts_and_two_introducers():
    assert r.contacts_not_one_or_two(0).code == r.contacts_not_one_or_two(3).code == "contacts_not_one_or_two"
    assert r.contacts_not_one_or_two(1) is None and r.contacts_not_one_or_two(2) is None
    assert r.introducers_fewer_than_two(1).code == "introducers_fewer_than_two"
    assert r.introducers_fewer_than_two(2) is None


def test_23_and_24_training_hours_or_three_days():
    assert r.training_too_short(None, 23).code == "training_too_short"
    assert r.training_too_short(None, 24) is None
    assert r.training_too_short(3, None) is None
    assert r.training_too_short(2.5, 20).code == "training_too_short"
    assert "3 天或 24 学时" in r.training_too_short(None, 23.5).message


def test_4_and_5_working_days_of_publicity_across_a_weekend():
    thursday = D(2026, 3, 5)
    assert thursday.weekday() == 3
    # Thursday to Tuesday: Thu, Fri, Mon, Tue = 4 working days (the weekend does not count).
    short = r.publicity_too_short(thursday, D(2026, 3, 10), D(2026, 3, 12))
    assert short.code == "publicity_too_short" and "只有 4 个工作日" in short.message
    # Thursday to Wednesday: 5 working days.
    assert r.publicity_too_short(thursday, D(2026, 3, 11), D(2026, 3, 12)) is None
    # Days from the 预审 on do not count, and the number is the village's.
    assert r.publicity_too_short(thursday, D(2026, 3, 11), D(2026, 3, 11)).code == "publicity_too_short"
    assert r.publicity_too_short(thursday, D(2026, 3, 13), D(2026, 3, 16), required=7) is None
    assert r.publicity_too_short(thursday, D(2026, 3, 12), D(2026, 3, 16), required=7).code == "publicity_too_short"
    assert r.working_days(D(2026, 3, 7), D(2026, 3, 8)) == 0 and r.working_days(D(2026, 3, 2), D(2026, 3, 29)) == 20


def test_approval_at_three_months_and_a_day():
    assembly = D(2026, 3, 15)
    assert r.approval_after_three_months(assembly, D(2026, 6, 15)) is None
    late = r.approval_after_three_months(assembly, D(2026, 6, 16))
    assert late.code == "approval_after_three_months" and "特殊情况可延长至六个月" in late.message
    beyond = r.approval_after_three_months(assembly, D(2026, 9, 16))
    assert beyond.code == "approval_after_three_months" and "也超过了特殊情况下的六个月" in beyond.message


def test_probation_of_one_year_and_overdue():
    joined = D(2025, 6, 10)
    assert r.probation_not_one_year(joined, D(2026, 6, 9)).code == "probation_not_one_year"
    assert r.probation_not_one_year(joined, D(2026, 6, 10)) is None
    end = D(2026, 6, 10)
    assert r.probation_overdue(end, None, D(2026, 6, 10)) is None
    assert r.probation_overdue(end, None, D(2026, 6, 11)).code == "probation_overdue"
    assert r.probation_overdue(end, D(2026, 6, 20), D(2026, 12, 1)) is None


def test_dates_out_of_order_are_refused_with_their_own_code():
    with pytest.raises(r.DatesOutOfOrder, match="早于") as refused:
        r.check_order(D(2026, 3, 1), D(2026, 2, 28), "①递交入党申请书", "②党组织派人谈话")
    assert refused.value.code == "dates_out_of_order"
    r.check_order(D(2026, 3, 1), D(2026, 3, 1), "①", "②")  # the same day is in order


def test_next_step_and_its_due_date():
    steps = list(r.STEPS)
    applied = D(2026, 3, 1)
    assert r.next_step([Step.APPLICATION]) is Step.TALK
    assert r.due_date(CaseDates({Step.APPLICATION: applied})) == D(2026, 4, 1)
    activist = {s: applied for s in steps[:3]}
    assert r.due_date(CaseDates(activist, (D(2026, 5, 2),))) == D(2026, 11, 2)  # the next review
    publicity = {s: applied for s in steps[:12]}
    assert r.due_date(CaseDates(publicity, publicity_end=D(2026, 3, 9))) == D(2026, 3, 9)
    assembly = {s: applied for s in steps[:15]}
    assert r.next_step(list(assembly)) is Step.UPPER_TALK and r.due_date(CaseDates(assembly)) is None
    assembly[Step.UPPER_TALK] = applied
    assert r.due_date(CaseDates(assembly)) == D(2026, 6, 1)  # approval within three months
    member = {s: applied for s in steps[:20]}
    assert r.due_date(CaseDates(member, probation_end=D(2027, 3, 1))) == D(2027, 3, 1)
    confirm = {s: applied for s in steps[:23]}
    assert r.due_date(CaseDates(confirm, probation_end=D(2027, 3, 1))) == D(2026, 6, 1)
    assert r.next_step(steps) is None and r.due_date(CaseDates({s: applied for s in steps})) is None
    assert r.stage_of_case(steps[:7]) is Stage.CANDIDATE and r.stage_of_case(steps) is Stage.PROBATION
