"""The rules of organisational life at their edges (domain.meetings): quorum, votes, who counts as due,
what each period requires, the ⅓ cap on 优秀 and the study hours."""

import datetime as dt

import pytest

from partybuild_desktop.domain.meetings import (
    Attendance,
    Attendee,
    Frequency,
    MeetingKind,
    Vote,
    check_vote,
    due_item,
    excellent_cap,
    has_committee,
    months_without,
    parse_span,
    period_text,
    quorum_met,
    quorum_text,
    required_study_hours,
    short_of_hours,
    turnout,
    vote_passes,
)

P, L, A, E, X = (Attendance.PRESENT, Attendance.LEAVE, Attendance.ABSENT, Attendance.ELSEWHERE, Attendance.EXCUSED)


def people(*groups):
    """Attendees from (count, status, voting) groups."""
    attendees, member_id = [], 0
    for count, status, voting in groups:
        for _ in range(count):
            member_id += 1
            attendees.append(Attendee(member_id, status, voting))
    return attendees


@pytest.mark.parametrize("present, met", [(5, False), (6, True)])
def test_an_assembly_needs_more_than_half_of_the_voting_members(present, met):
    result = turnout(people((present, P, True), (10 - present, L, True)))
    assert (result.voting_due, result.voting_present) == (10, present)
    assert quorum_met(MeetingKind.BRANCH_ASSEMBLY, result) is met
    assert ("超过半数，可以表决" if met else "未超过半数，不能表决") in quorum_text(MeetingKind.BRANCH_ASSEMBLY, result)


def test_probationary_members_are_due_but_do_not_vote():
    # 8 正式 (4 present) and 4 预备 (all present): 8 of 12 present, yet only 4 of 8 votes: no quorum.
    result = turnout(people((4, P, True), (4, L, True), (4, P, False)))
    assert (result.due, result.present, result.voting_due, result.voting_present) == (12, 8, 8, 4)
    assert result.quorum and not quorum_met(MeetingKind.BRANCH_ASSEMBLY, result)


def test_excused_members_are_left_out_of_those_due_and_of_the_votes():
    result = turnout(people((5, P, True), (4, A, True), (2, X, True)))
    assert (result.due, result.excused, result.voting_due) == (9, 2, 9)
    assert quorum_met(MeetingKind.BRANCH_ASSEMBLY, result)  # 5 of 9, though only 5 of 11 on the list
    assert "另有 2 人经批准不计应到" in quorum_text(MeetingKind.BRANCH_ASSEMBLY, result)


def test_a_migrant_at_the_destination_has_taken_part_but_has_no_vote_here():
    result = turnout(people((3, P, True), (3, E, True)))
    assert (result.present, result.elsewhere, result.voting_present) == (6, 3, 3)
    assert not result.voting_quorum


@pytest.mark.parametrize("present, met", [(2, False), (3, True)])
def test_a_committee_needs_more_than_half_of_the_committee(present, met):
    result = turnout(people((present, P, True), (5 - present, L, True)))
    assert quorum_met(MeetingKind.COMMITTEE, result) is met


@pytest.mark.parametrize("agree, due, passes", [(5, 10, False), (6, 10, True), (6, 11, True), (5, 11, False)])
def test_a_decision_passes_with_more_than_half_of_those_due_to_vote(agree, due, passes):
    assert vote_passes(Vote(agree, 0, 0), due) is passes


def test_votes_cannot_outnumber_the_voters_present():
    assert check_vote(Vote(6, 1, 0), 7) is None
    assert "多于到会" in check_vote(Vote(6, 1, 1), 7)
    assert "负数" in check_vote(Vote(-1, 0, 0), 7)


@pytest.mark.parametrize("full, committee", [(6, False), (7, True)])
def test_a_branch_of_fewer_than_seven_full_members_has_no_committee(full, committee):
    assert has_committee(full) is committee


@pytest.mark.parametrize("full, cap", [(9, 3), (10, 3), (11, 3), (12, 4), (0, 0), (2, 0)])
def test_excellent_is_at_most_a_third_of_the_full_members_rounded_down(full, cap):
    assert excellent_cap(full) == cap


@pytest.mark.parametrize("leader, hours, short", [(False, 31.99, True), (False, 32, False), (True, 55.5, True),
                                                  (True, 56, False), (False, 0.1 + 31.9, False)])
def test_study_hours_32_or_56_at_the_boundary(leader, hours, short):
    assert short_of_hours(hours, required_study_hours(leader)) is short


def test_periods_are_read_in_three_forms_and_refused_in_chinese():
    assert (parse_span("2026").start, parse_span("2026").end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (parse_span("2026q3").start, parse_span("2026Q3").end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert parse_span("2026-02").end == dt.date(2026, 2, 28) and parse_span("2024-02").end == dt.date(2024, 2, 29)
    for bad in ("2026Q5", "2026-13", "26Q1", "", "二〇二六"):
        with pytest.raises(ValueError, match="期间“.*”的写法不对"):
            parse_span(bad)


def test_what_a_quarter_requires_of_each_frequency():
    q4, today = parse_span("2026Q4"), dt.date(2026, 12, 1)
    monthly = due_item("theme_day", None, Frequency.MONTHLY, q4, [dt.date(2026, 10, 5), dt.date(2026, 10, 20)], today)
    assert (monthly.required, monthly.held, monthly.missing) == (3, 2, 2)
    # Two meetings in October do not make up for November; December has not ended yet.
    assert [period_text(p) for p in monthly.missed_periods] == ["2026年11月"]
    yearly = due_item("life_meeting", None, Frequency.YEARLY, q4, [dt.date(2026, 6, 30)], today)
    assert (yearly.required, yearly.held, yearly.missing) == (1, 1, 0)  # held in June: the year's meeting
    q2 = due_item("life_meeting", None, Frequency.YEARLY, parse_span("2026Q2"), [dt.date(2026, 6, 30)], today)
    assert (q2.required, q2.held) == (0, 1)
    none = due_item("committee", None, Frequency.NONE, q4, [], today)
    assert (none.required, none.missing) == (0, 0)
    year = due_item("branch_assembly", None, Frequency.QUARTERLY, parse_span("2026"), [dt.date(2026, 2, 1)], today)
    assert (year.required, year.held, year.missing, len(year.missed_periods)) == (4, 1, 3, 2)


def test_months_without_organisational_life_run_back_to_the_last_month_with_some():
    attended = {(2026, 3), (2026, 7)}
    assert months_without(attended, (2026, 1), (2026, 11)) == 4  # Aug–Nov
    assert months_without(attended, (2026, 1), (2026, 7)) == 0
    assert months_without(set(), (2026, 9), (2026, 11)) == 3  # no further back than the first month looked at
    assert months_without({(2025, 11)}, (2025, 1), (2026, 2)) == 3  # across the year end
