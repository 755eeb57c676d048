"""发展党员 through services.recruitment on a real data file: a person from application to 正式 member, the
member made with the right dates and events, breaches kept with their reasons, dates out of order
refused, nothing written on a refusal, the list and the alerts."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.meetings import Attendance, MeetingKind
from partybuild_desktop.domain.recruitment import DatesOutOfOrder, Stage, Step
from partybuild_desktop.domain.vocabulary import Gender, MemberEventKind, Standing
from partybuild_desktop.services import alerts, meetings, recruitment
from partybuild_desktop.services.recruitment import CaseForm, Person, RecruitError, StepForm
from partybuild_desktop.store.models import (Member, MemberEvent, RecruitBreach, RecruitCase, RecruitPerson,
                                             RecruitStep)
from tests import helpers

D = dt.date
TODAY = D(2026, 11, 23)
APPLICANT_ID = helpers.make_id_for("19980412", male=False)


@pytest.fixture
def branch(store):
    """A branch of five 正式 members and one 预备 member, joined recently (no 三年未发展 alert)."""
    with store.session() as session:
        village_id = helpers.village(session)
        group = helpers.group(session, village_id)
        full = [helpers.member(session, village_id, name, joined_date=D(2000, 7, 1), party_group_id=group)
                for name in ("王建国", "李秀英", "张明", "赵刚", "钱伟")]
        helpers.member(session, village_id, "孙预备", standing=Standing.PROBATIONARY, joined_date=D(2026, 5, 1))
    return store, village_id, full, group


def counts(session):
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (RecruitCase, RecruitStep, RecruitPerson, RecruitBreach, Member, MemberEvent))


# The whole way, every rule kept: (step, date, extra fields).
def path(full):
    return [
        (Step.TALK, D(2023, 3, 20), {}),
        (Step.ACTIVIST_NAMED, D(2023, 9, 1), {}),
        (Step.ACTIVIST_FILED, D(2023, 9, 10), {}),
        (Step.CONTACTS, D(2023, 9, 10), {"contacts": [Person("王建国"), Person(member_id=full[1])]}),
        (Step.ACTIVIST_TRAINING, D(2024, 8, 30), {}),
        (Step.CANDIDATE_NAMED, D(2024, 9, 2), {}),
        (Step.CANDIDATE_FILED, D(2024, 9, 10), {}),
        (Step.INTRODUCERS, D(2024, 9, 15), {"introducers": [Person("张明"), Person("赵刚")]}),
        (Step.POLITICAL_REVIEW, D(2024, 10, 10), {}),
        (Step.TRAINING, D(2024, 10, 20), {"training_hours": 24}),
        (Step.COMMITTEE_REVIEW, D(2024, 11, 1), {"publicity_start": D(2024, 11, 4), "publicity_end": D(2024, 11, 8)}),
        (Step.PRE_REVIEW, D(2024, 11, 11), {}),
        (Step.APPLICATION_FORM, D(2024, 11, 20), {}),
        (Step.ASSEMBLY, D(2024, 12, 5), {}),
        (Step.UPPER_TALK, D(2024, 12, 20), {}),
        (Step.APPROVAL, D(2025, 3, 5), {}),
        (Step.APPROVAL_FILED, D(2025, 3, 10), {}),
        (Step.PLACED, D(2025, 3, 10), {}),
        (Step.OATH, D(2025, 4, 1), {}),
        (Step.PROBATION_REVIEW, D(2025, 9, 30), {}),
    ]


def walk(session, village_id, case_id, full, count, reason=None):
    """The first ``count`` steps after ① (with the activist's reviews every six months)."""
    for step, day, extra in path(full)[:count]:
        if step is Step.CANDIDATE_NAMED:
            for review in (D(2024, 2, 20), D(2024, 8, 20)):
                recruitment.add_review(session, village_id, case_id, review, "表现良好", today=TODAY)
        done = recruitment.advance(session, village_id, case_id, StepForm(step, day, reason=reason, **extra),
                                   today=TODAY)
        assert reason or done.breaches == (), step


def new_case(session, village_id, group=None, applied=D(2023, 3, 1), **fields):
    return recruitment.create_case(session, village_id, CaseForm("周晓梅", applied, id_number=APPLICANT_ID,
                                                                 party_group_id=group, **fields), today=TODAY).case_id


def test_a_person_from_application_to_full_member(branch):
    store, village_id, full, group = branch
    with store.session() as session:
        case_id = new_case(session, village_id, group)
        for step, day, extra in path(full):
            if step is Step.CANDIDATE_NAMED:
                for review in (D(2024, 2, 20), D(2024, 8, 20)):
                    recruitment.add_review(session, village_id, case_id, review, "表现良好", today=TODAY)
            done = recruitment.advance(session, village_id, case_id, StepForm(step, day, **extra), today=TODAY)
            assert done.breaches == (), step
            if step is Step.APPROVAL:
                member_id = done.member_id
                member = session.get(Member, member_id)
                # A 预备 member from the 支部大会's day, with the applicant's card and a JOINED event.
                assert (member.name, member.standing, member.joined_date, member.confirmed_date) == (
                    "周晓梅", Standing.PROBATIONARY, D(2024, 12, 5), None)
                assert (member.id_number, member.gender, member.birth_date, member.party_group_id) == (
                    APPLICANT_ID, Gender.FEMALE, D(1998, 4, 12), group)
                [row] = recruitment.list_cases(session, village_id, TODAY)
                assert (row.stage, row.next_step, row.due) == (Stage.ADMISSION, Step.APPROVAL_FILED, None)
        [row] = recruitment.list_cases(session, village_id, TODAY)
        assert (row.stage, row.next_step, row.due, row.breaches) == (
            Stage.PROBATION, Step.CONFIRM_APPLICATION, D(2025, 12, 5), ("probation_overdue",))
        for step, day in ((Step.CONFIRM_APPLICATION, D(2025, 11, 20)), (Step.CONFIRM_ASSEMBLY, D(2025, 12, 8)),
                          (Step.CONFIRM_APPROVAL, D(2026, 1, 15)), (Step.ARCHIVED, D(2026, 2, 1))):
            assert recruitment.advance(session, village_id, case_id, StepForm(step, day), today=TODAY).breaches == ()
    with store.session() as session:
        member = session.get(Member, member_id)
        # 正式 from the day the year of probation ended (党龄从预备期满之日算起).
        assert (member.standing, member.joined_date, member.confirmed_date) == (Standing.FULL, D(2024, 12, 5),
                                                                                D(2025, 12, 5))
        events = session.execute(select(MemberEvent.kind, MemberEvent.date).where(MemberEvent.member_id == member_id)
                                 .order_by(MemberEvent.date)).all()
        assert events == [(MemberEventKind.JOINED, D(2024, 12, 5)), (MemberEventKind.CONFIRMED, D(2025, 12, 5))]
        assert session.scalar(select(RecruitCase.member_id).where(RecruitCase.id == case_id)) == member_id
        [row] = recruitment.list_cases(session, village_id, TODAY)
        assert row.to_json() == {"name": "周晓梅", "stage": "probation", "next_step": None, "due": None, "breaches": []}
        linked = recruitment.people(session, village_id, case_id)
        assert [(p.name, p.member_id) for p in linked["contact"]] == [("王建国", full[0]), ("李秀英", full[1])]
        assert [p.name for p in linked["introducer"]] == ["张明", "赵刚"]


def test_a_breach_is_refused_with_its_code_and_nothing_is_written(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        before = counts(session)
        with pytest.raises(RecruitError) as refused:
            recruitment.advance(session, village_id, case_id, StepForm(Step.TALK, D(2023, 4, 2)), today=TODAY)
        assert refused.value.code == "talk_after_one_month" and "请写明原因" in str(refused.value)
        assert counts(session) == before
        assert recruitment.list_cases(session, village_id, TODAY)[0].next_step is Step.TALK


def test_a_breach_given_a_reason_is_kept_with_it(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        done = recruitment.advance(session, village_id, case_id,
                                   StepForm(Step.TALK, D(2023, 4, 2), reason="申请人外出务工，返乡后谈话"), today=TODAY)
        assert [b.code for b in done.breaches] == ["talk_after_one_month"]
    with store.session() as session:
        [kept] = recruitment.kept_breaches(session, village_id, case_id)
        assert (kept.step, kept.code, kept.reason, kept.accepted_on) == (
            Step.TALK, "talk_after_one_month", "申请人外出务工，返乡后谈话", TODAY)
        assert recruitment.list_cases(session, village_id, TODAY)[0].breaches == ("talk_after_one_month",)


def test_under_18_at_application_needs_a_reason(store):
    with store.session() as session:
        village_id = helpers.village(session)
        young = CaseForm("小李", D(2026, 5, 9), birth_date=D(2008, 5, 10))
        with pytest.raises(RecruitError) as refused:
            recruitment.create_case(session, village_id, young, today=TODAY)
        assert refused.value.code == "under_18_at_application"
        assert session.scalar(select(func.count()).select_from(RecruitCase)) == 0
        young.applied = D(2026, 5, 10)
        assert recruitment.create_case(session, village_id, young, today=TODAY).breaches == ()


def test_dates_out_of_order_are_refused_whatever_the_reason(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        before = counts(session)
        with pytest.raises(DatesOutOfOrder) as refused:
            recruitment.advance(session, village_id, case_id, StepForm(Step.TALK, D(2023, 2, 1), reason="补登"),
                                today=TODAY)
        assert refused.value.code == "dates_out_of_order"
        with pytest.raises(RecruitError) as future:
            recruitment.advance(session, village_id, case_id, StepForm(Step.TALK, D(2026, 11, 24)), today=TODAY)
        assert future.value.code == "date_in_future"
        with pytest.raises(RecruitError, match="下一步应是第2步党组织派人谈话"):
            recruitment.advance(session, village_id, case_id, StepForm(Step.ACTIVIST_NAMED, D(2023, 9, 1)), today=TODAY)
        assert counts(session) == before
        recruitment.advance(session, village_id, case_id, StepForm(Step.TALK, D(2023, 3, 20)), today=TODAY)
        with pytest.raises(DatesOutOfOrder):
            recruitment.edit_date(session, village_id, case_id, Step.APPLICATION, D(2023, 3, 21), today=TODAY)


def test_a_refused_step_leaves_the_case_as_stored(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 9)
        with pytest.raises(RecruitError) as refused:
            recruitment.advance(session, village_id, case_id, StepForm(Step.TRAINING, D(2024, 10, 20), training_hours=23),
                                today=TODAY)
        assert refused.value.code == "training_too_short"
    with store.session() as session:
        assert session.get(RecruitCase, case_id).training_hours is None
        assert Step.TRAINING not in recruitment.list_cases(session, village_id, TODAY)[0].dates


def test_editing_a_date_rechecks_the_rules(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        recruitment.advance(session, village_id, case_id, StepForm(Step.TALK, D(2023, 3, 20)), today=TODAY)
        with pytest.raises(RecruitError) as refused:
            recruitment.edit_date(session, village_id, case_id, Step.TALK, D(2023, 4, 5), today=TODAY)
        assert refused.value.code == "talk_after_one_month"
        recruitment.edit_date(session, village_id, case_id, Step.TALK, D(2023, 4, 5), reason="记错", today=TODAY)
        assert recruitment.list_cases(session, village_id, TODAY)[0].breaches == ("talk_after_one_month",)
        recruitment.edit_date(session, village_id, case_id, Step.TALK, D(2023, 3, 25), today=TODAY)  # mended
        row = recruitment.list_cases(session, village_id, TODAY)[0]
        assert (row.breaches, row.dates[Step.TALK]) == ((), D(2023, 3, 25))


def test_introducers_must_be_full_members_and_two(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 7)
        form = StepForm(Step.INTRODUCERS, D(2024, 9, 15), introducers=[Person("孙预备"), Person("张明")])
        with pytest.raises(RecruitError) as refused:
            recruitment.advance(session, village_id, case_id, form, today=TODAY)
        assert refused.value.code == "not_full_member" and not refused.value.keepable
        one = StepForm(Step.INTRODUCERS, D(2024, 9, 15), introducers=[Person("张明")])
        with pytest.raises(RecruitError) as short:
            recruitment.advance(session, village_id, case_id, one, today=TODAY)
        assert short.value.code == "introducers_fewer_than_two"
        with pytest.raises(RecruitError, match="不用填写培训学时"):
            recruitment.advance(session, village_id, case_id, StepForm(Step.INTRODUCERS, D(2024, 9, 15),
                                                                       training_hours=3), today=TODAY)
        # A name from elsewhere is kept as a name.
        two = StepForm(Step.INTRODUCERS, D(2024, 9, 15), introducers=[Person("张明"), Person("外村党员")])
        recruitment.advance(session, village_id, case_id, two, today=TODAY)
        linked = recruitment.people(session, village_id, case_id)["introducer"]
        assert [(p.name, p.member_id) for p in linked] == [("张明", full[2]), ("外村党员", None)]


def test_publicity_and_approval_rules_and_the_village_setting(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 10)
        # Thursday 7 November to Tuesday 12 November 2024: four working days.
        recruitment.advance(session, village_id, case_id, StepForm(
            Step.COMMITTEE_REVIEW, D(2024, 11, 1), publicity_start=D(2024, 11, 7), publicity_end=D(2024, 11, 12)),
            today=TODAY)
        assert recruitment.list_cases(session, village_id, TODAY)[0].due == D(2024, 11, 12)
        with pytest.raises(RecruitError) as short:
            recruitment.advance(session, village_id, case_id, StepForm(Step.PRE_REVIEW, D(2024, 11, 14)), today=TODAY)
        assert short.value.code == "publicity_too_short"
        recruitment.set_publicity_working_days(session, 4)
        recruitment.advance(session, village_id, case_id, StepForm(Step.PRE_REVIEW, D(2024, 11, 14)), today=TODAY)
        for step, day in ((Step.APPLICATION_FORM, D(2024, 11, 20)), (Step.ASSEMBLY, D(2024, 12, 5)),
                          (Step.UPPER_TALK, D(2024, 12, 20))):
            recruitment.advance(session, village_id, case_id, StepForm(step, day), today=TODAY)
        with pytest.raises(RecruitError) as late:
            recruitment.advance(session, village_id, case_id, StepForm(Step.APPROVAL, D(2025, 3, 6)), today=TODAY)
        assert late.value.code == "approval_after_three_months"
        assert session.scalar(select(func.count()).select_from(Member).where(Member.name == "周晓梅")) == 0
        done = recruitment.advance(session, village_id, case_id,
                                   StepForm(Step.APPROVAL, D(2025, 3, 6), reason="镇党委换届，审批推迟"), today=TODAY)
        assert session.get(Member, done.member_id).joined_date == D(2024, 12, 5)


def test_the_branch_assembly_recorded_that_day_is_checked(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 13)
        # Three of the five 正式 members absent: no quorum.
        absent = {m: (Attendance.ABSENT, "") for m in full[:3]}
        meetings.save_meeting(session, village_id, meetings.MeetingForm(
            MeetingKind.BRANCH_ASSEMBLY, D(2024, 12, 5), "讨论接收周晓梅为预备党员", attendance=absent,
            decisions=[meetings.DecisionForm("接收周晓梅为预备党员", 2, 0, 0)]), today=TODAY)
        with pytest.raises(RecruitError) as refused:
            recruitment.advance(session, village_id, case_id, StepForm(Step.ASSEMBLY, D(2024, 12, 5)), today=TODAY)
        assert [b.code for b in refused.value.breaches] == ["assembly_quorum_not_met", "assembly_vote_not_passed"]
        # No assembly recorded on another day: the date is taken.
        recruitment.advance(session, village_id, case_id, StepForm(Step.ASSEMBLY, D(2024, 12, 6)), today=TODAY)


def test_the_alerts_of_recruitment(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        recruitment.create_case(session, village_id, CaseForm("吴申请", D(2026, 11, 1)), today=TODAY)
        recruitment.create_case(session, village_id, CaseForm("郑申请", D(2026, 9, 1)), today=TODAY)
        recruitment.create_case(session, village_id, CaseForm("冯申请", D(2026, 11, 20)), today=TODAY)  # 12-20: later
        found = [(a.kind, a.level, a.member, a.due) for a in alerts.collect(session, village_id, TODAY)
                 if a.kind.startswith("recruit")]
        assert found == [("recruit_step_overdue", "serious", "郑申请", D(2026, 10, 1)),
                         ("recruit_step_due", "notice", "吴申请", D(2026, 12, 1))]
        texts = [a.message for a in alerts.collect(session, village_id, TODAY) if a.kind.startswith("recruit")]
        assert "第2步党组织派人谈话" in texts[0] and "已逾期" in texts[0]


def test_no_recruitment_in_three_years(store):
    with store.session() as session:
        village_id = helpers.village(session)
        helpers.member(session, village_id, "老党员", joined_date=D(2023, 11, 22))
        kinds = [a.kind for a in alerts.collect(session, village_id, TODAY)]
        assert "no_recruitment_three_years" in kinds
        helpers.member(session, village_id, "新党员", standing=Standing.PROBATIONARY, joined_date=D(2023, 11, 23))
        assert "no_recruitment_three_years" not in [a.kind for a in alerts.collect(session, village_id, TODAY)]
        empty = helpers.village(session, "空村")
        assert "no_recruitment_three_years" not in [a.kind for a in alerts.collect(session, empty, TODAY)]
