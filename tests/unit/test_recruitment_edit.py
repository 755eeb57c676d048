"""Correcting a recorded step (services.recruitment.edit_step): the 培养联系人 and 入党介绍人, the training
and the 公示 re-checked against their rules as the date is; a breach the correction causes needs a reason,
one it mends is no longer kept, and nothing is written on a refusal."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.recruitment import DatesOutOfOrder, Step, rechecked_by
from partybuild_desktop.services import recruitment
from partybuild_desktop.services.recruitment import Person, RecruitError, StepEdit
from partybuild_desktop.store.models import RecruitBreach, RecruitCase, RecruitStep
from tests.unit.test_recruitment_service import TODAY, branch, new_case, walk  # noqa: F401  (branch: a fixture)

D = dt.date


def kept(session, case_id):
    return [(b.step, b.code, b.reason) for b in session.scalars(
        select(RecruitBreach).where(RecruitBreach.case_id == case_id).order_by(RecruitBreach.id))]


def people(session, village_id, case_id, role):
    return [(p.name, p.member_id) for p in recruitment.people(session, village_id, case_id).get(role, [])]


def test_what_a_correction_rechecks():
    assert rechecked_by({"introducers"}) == {Step.INTRODUCERS}
    assert rechecked_by({Step.ASSEMBLY}) == {Step.ASSEMBLY, Step.APPROVAL, Step.CONFIRM_ASSEMBLY}
    assert rechecked_by({Step.PRE_REVIEW, "publicity"}) == {Step.PRE_REVIEW}
    assert rechecked_by({Step.ACTIVIST_NAMED}) == {Step.CANDIDATE_NAMED}
    assert rechecked_by({Step.COMMITTEE_REVIEW}) == set()  # its rules read nothing else; the order is checked


def test_the_introducers_corrected_are_checked_like_those_entered(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 8)  # up to ⑨ 确定入党介绍人: 张明, 赵刚
        assert people(session, village_id, case_id, "introducer") == [("张明", full[2]), ("赵刚", full[3])]
        with pytest.raises(RecruitError) as short:
            recruitment.edit_step(session, village_id, case_id, StepEdit(Step.INTRODUCERS, introducers=[Person("张明")]),
                                  TODAY)
        assert short.value.code == "introducers_fewer_than_two" and short.value.keepable
        assert people(session, village_id, case_id, "introducer") == [("张明", full[2]), ("赵刚", full[3])]
        with pytest.raises(RecruitError) as probationary:
            recruitment.edit_step(session, village_id, case_id, StepEdit(
                Step.INTRODUCERS, introducers=[Person("张明"), Person("孙预备")], reason="确属实际情况"), TODAY)
        assert probationary.value.code == "not_full_member" and not probationary.value.keepable
        # One introducer, kept with the reason; then mended with two, and the breach is no longer kept.
        kept_now = recruitment.edit_step(session, village_id, case_id, StepEdit(
            Step.INTRODUCERS, introducers=[Person("张明")], reason="另一名介绍人外出，待补"), TODAY)
        assert [b.code for b in kept_now] == ["introducers_fewer_than_two"]
        assert kept(session, case_id) == [(Step.INTRODUCERS, "introducers_fewer_than_two", "另一名介绍人外出，待补")]
        assert people(session, village_id, case_id, "introducer") == [("张明", full[2])]
        recruitment.edit_step(session, village_id, case_id, StepEdit(
            Step.INTRODUCERS, introducers=[Person(member_id=full[0]), Person("外村党员")]), TODAY)
        assert kept(session, case_id) == []
        assert people(session, village_id, case_id, "introducer") == [("王建国", full[0]), ("外村党员", None)]
        # The 培养联系人 of ⑤ likewise: three are refused (one or two).
        with pytest.raises(RecruitError) as three:
            recruitment.edit_step(session, village_id, case_id, StepEdit(
                Step.CONTACTS, contacts=[Person("王建国"), Person("李秀英"), Person("钱伟")]), TODAY)
        assert three.value.code == "contacts_not_one_or_two"
        recruitment.edit_step(session, village_id, case_id, StepEdit(Step.CONTACTS, contacts=[Person("钱伟")]), TODAY)
        assert people(session, village_id, case_id, "contact") == [("钱伟", full[4])]
        # A step that holds no people has none to correct.
        with pytest.raises(RecruitError, match="没有入党介绍人可改"):
            recruitment.edit_step(session, village_id, case_id, StepEdit(Step.TALK, introducers=[Person("张明")]),
                                  TODAY)


def test_the_training_corrected_at_23_and_24_hours(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 10)  # up to ⑪ 集中培训: 24 学时
        with pytest.raises(RecruitError) as short:
            recruitment.edit_step(session, village_id, case_id, StepEdit(Step.TRAINING, training_hours=23), TODAY)
        assert short.value.code == "training_too_short"
        row = session.get(RecruitCase, case_id)
        assert (row.training_hours, row.training_days) == (24, None)  # as stored
        recruitment.edit_step(session, village_id, case_id, StepEdit(Step.TRAINING, training_days=3), TODAY)
        recruitment.edit_step(session, village_id, case_id, StepEdit(Step.TRAINING, training_hours=20), TODAY)
        assert (row.training_hours, row.training_days) == (20, 3)  # three days are enough on their own
        with pytest.raises(RecruitError, match="培训学时或天数"):
            recruitment.edit_step(session, village_id, case_id, StepEdit(Step.TRAINING, training_hours=0,
                                                                         training_days=0), TODAY)
        assert kept(session, case_id) == []


def test_the_publicity_corrected_across_a_weekend_and_the_pre_review_moved(branch):
    store, village_id, full, _ = branch
    with store.session() as session:
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 12)  # ⑫ with 公示 Mon 4 – Fri 8 November 2024, ⑬ Mon 11th
        row = session.get(RecruitCase, case_id)
        # Tuesday 5th to Monday 11th: Tue–Fri before the 预审 on the 11th, four working days.
        with pytest.raises(RecruitError) as four:
            recruitment.edit_step(session, village_id, case_id, StepEdit(
                Step.COMMITTEE_REVIEW, publicity_start=D(2024, 11, 5), publicity_end=D(2024, 11, 11)), TODAY)
        assert four.value.code == "publicity_too_short" and "4 个工作日" in str(four.value)
        assert (row.publicity_start, row.publicity_end) == (D(2024, 11, 4), D(2024, 11, 8))  # as stored
        # Monday 4th to Monday 11th: five working days before the 预审, across the weekend.
        assert recruitment.edit_step(session, village_id, case_id, StepEdit(
            Step.COMMITTEE_REVIEW, publicity_end=D(2024, 11, 11)), TODAY) == ()
        assert (row.publicity_start, row.publicity_end) == (D(2024, 11, 4), D(2024, 11, 11))
        with pytest.raises(DatesOutOfOrder):
            recruitment.edit_step(session, village_id, case_id, StepEdit(
                Step.PRE_REVIEW, publicity_start=D(2024, 11, 11), reason="无"), TODAY)  # not before the 预审
        # Moving the 预审 earlier shortens the 公示 before it: re-checked, kept with a reason, then mended.
        with pytest.raises(RecruitError) as earlier:
            recruitment.edit_step(session, village_id, case_id, StepEdit(Step.PRE_REVIEW, date=D(2024, 11, 8)), TODAY)
        assert earlier.value.code == "publicity_too_short"
        broken = recruitment.edit_step(session, village_id, case_id, StepEdit(Step.PRE_REVIEW, date=D(2024, 11, 8),
                                                                              reason="镇党委提前预审"), TODAY)
        assert [b.code for b in broken] == ["publicity_too_short"]
        assert kept(session, case_id) == [(Step.PRE_REVIEW, "publicity_too_short", "镇党委提前预审")]
        recruitment.edit_step(session, village_id, case_id, StepEdit(Step.PRE_REVIEW, date=D(2024, 11, 11),
                                                                     note="镇党委预审合格"), TODAY)
        assert kept(session, case_id) == []
        assert session.scalar(select(RecruitStep.note).where(RecruitStep.case_id == case_id,
                                                             RecruitStep.step == Step.PRE_REVIEW)) == "镇党委预审合格"
        with pytest.raises(RecruitError, match="没有要改的内容"):
            recruitment.edit_step(session, village_id, case_id, StepEdit(Step.PRE_REVIEW), TODAY)
