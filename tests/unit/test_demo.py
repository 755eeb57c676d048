"""The sample village is realistic and reproducible."""

import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from partybuild_desktop.domain import id_number
from partybuild_desktop.domain.vocabulary import Gender, GridLevel, MemberCategory
from partybuild_desktop.services.demo import generate
from partybuild_desktop.store.models import Grid, Household, Member, MigrantStint, PartyGroup, RecordEntry, Village

TODAY = dt.date(2026, 11, 23)


def test_sample_members_are_plausible(sample_store):
    with sample_store.session() as session:
        members = session.scalars(select(Member)).all()
        assert 100 <= len(members) <= 140
        for member in members:
            assert id_number.is_valid(member.id_number), member.id_number
            assert id_number.birth_date(member.id_number) == member.birth_date
            assert id_number.is_male(member.id_number) == (member.gender is Gender.MALE)
            assert 2 <= len(member.name) <= 4
            assert member.search_keys
        shares = Counter(m.category for m in members)
        assert set(shares) == set(MemberCategory)
        assert shares[MemberCategory.FARMER] > shares[MemberCategory.EMPLOYED]
        open_stints = {s.member_id: s for s in session.scalars(select(MigrantStint).where(MigrantStint.back_on.is_(None)))}
        assert set(open_stints) == {m.id for m in members if m.category is MemberCategory.MIGRANT}
        assert all(s.province and s.left_on for s in open_stints.values())
        assert all(m.post for m in members if m.category is MemberCategory.FARMER)
        assert all(m.employer for m in members if m.category is MemberCategory.EMPLOYED)


def test_sample_organisation_and_households(sample_store):
    with sample_store.session() as session:
        assert 4 <= session.scalar(select(func.count()).select_from(PartyGroup)) <= 8
        levels = set(session.scalars(select(Grid.level)))
        assert levels == set(GridLevel)
        per_member = Counter(session.scalars(select(Household.liaison_member_id)))
        assert per_member and all(10 <= n <= 15 for n in per_member.values())
        assert session.scalar(select(func.count()).select_from(Member).where(Member.is_hub_household)) > 0
        first, last = session.execute(select(func.min(RecordEntry.date), func.max(RecordEntry.date))).one()
        assert (last - first).days > 300


def test_same_arguments_give_the_same_village(tmp_path):
    from tests.helpers import new_store

    made = []
    for folder in ("a", "b"):
        store = new_store(tmp_path / folder)
        with store.session() as session:
            generate(session, members=30, first_village="甲村", seed=3, today=TODAY)
            made.append(session.execute(select(Member.name, Member.id_number).order_by(Member.id)).all())
        store.dispose()
    assert made[0] == made[1]


def test_a_name_already_taken_is_refused(store):
    with store.session() as session:
        generate(session, members=20, first_village="甲村", seed=3, today=TODAY)
    with store.session() as session:
        try:
            generate(session, members=20, first_village="甲村", seed=4, today=TODAY)
        except ValueError as error:
            assert "已经有“甲村”" in str(error)
        else:
            raise AssertionError("a second 甲村 was made")
        generate(session, members=20, seed=4, today=TODAY)  # without a name: another village
        assert session.scalar(select(func.count()).select_from(Village)) == 2


def test_other_names_give_other_villages(store):
    with store.session() as session:
        one = generate(session, members=30, first_village="甲村", seed=3, today=TODAY)
        two = generate(session, members=30, first_village="乙村", seed=3, today=TODAY)
        names = {v.name: v.id for v in session.scalars(select(Village))}
        first = sorted(session.scalars(select(Member.name).where(Member.village_id == names["甲村"])))
        second = sorted(session.scalars(select(Member.name).where(Member.village_id == names["乙村"])))
    assert one.villages == ["甲村"] and two.villages == ["乙村"]
    assert first != second


def test_several_villages_share_the_members(store):
    with store.session() as session:
        summary = generate(session, villages=3, members=90, seed=5, today=TODAY)
        assert len(set(summary.villages)) == 3
        assert session.scalar(select(func.count()).select_from(Member)) == summary.members
        assert 85 <= summary.members <= 95 + 3 * 3  # each village: two accepted through its recruitment cases, one transferred in


def test_anniversaries_of_29_february():
    from partybuild_desktop.services.demo import _years_after

    assert _years_after(dt.date(1964, 2, 29), 20) == dt.date(1984, 2, 29)
    assert _years_after(dt.date(1964, 2, 29), 21) == dt.date(1985, 2, 28)


def test_sample_year_of_organisational_life(sample_store):
    """The sample village's meetings up to its today (23 November 2026): every kind held, one party group
    short of two months, leaves with reasons, members away joining where they work, a decision voted, last
    December's 组织生活会 with its 民主评议 within the cap, and no 组织生活 line typed beside a meeting."""
    from partybuild_desktop.domain.meetings import Attendance, MeetingKind, ReviewGrade, excellent_cap, parse_span
    from partybuild_desktop.services import meetings
    from partybuild_desktop.store.models import Meeting, MeetingAttendance, MemberReview
    from partybuild_desktop.domain.vocabulary import RecordEntryType

    with sample_store.session() as session:
        village_id = session.scalar(select(Village.id))
        kinds = Counter(session.scalars(select(Meeting.kind)))
        assert set(kinds) == set(MeetingKind)
        assert kinds[MeetingKind.THEME_DAY] == 12 and kinds[MeetingKind.COMMITTEE] == 12
        assert kinds[MeetingKind.LIFE_MEETING] == 1
        assert session.scalar(select(func.max(Meeting.date))) <= TODAY
        items = meetings.due(session, village_id, parse_span("2026"), as_of=TODAY)
        by_label = {item.label: item for item in items}
        assert by_label["主题党日"].held == 11 and by_label["党课"].missing == 0
        groups = [item for item in items if item.kind == "group"]
        assert sum(bool(item.missed_periods) for item in groups) == 1  # one group skipped a month or two
        assert by_label["组织生活会"].held == 0  # this year's is in December, after the sample's today

        statuses = Counter(session.scalars(select(MeetingAttendance.status)))
        assert statuses[Attendance.PRESENT] > statuses[Attendance.LEAVE] > statuses[Attendance.ABSENT] > 0
        assert statuses[Attendance.ELSEWHERE] > 0
        reasons = Counter(session.scalars(select(MeetingAttendance.reason).where(
            MeetingAttendance.status == Attendance.LEAVE)))
        assert None not in reasons and reasons["外出务工"] and reasons["年老体弱行动不便"]

        assembly = [row for row in meetings.list_meetings(session, village_id, kind=MeetingKind.BRANCH_ASSEMBLY)
                    if row.decisions]
        voted = [d for row in assembly for d in meetings.meeting_record(session, village_id, row.id).decisions
                 if d.vote is not None]
        assert voted and all(d.passed for d in voted)

        sheet = meetings.review_sheet(session, village_id, 2025)
        counts = sheet.counts()
        assert 0 < counts[ReviewGrade.EXCELLENT] <= excellent_cap(sheet.full_members)
        assert counts[ReviewGrade.QUALIFIED] > counts[ReviewGrade.EXCELLENT]
        assert session.scalar(select(func.count()).select_from(MemberReview)) == sum(counts.values())

        typed = session.scalar(select(func.count()).select_from(RecordEntry).where(
            RecordEntry.entry_type == RecordEntryType.ORGANISATIONAL_LIFE, RecordEntry.source_kind.is_(None)))
        assert typed == 0
        study = meetings.study_table(session, village_id, 2026)
        assert any(not row.short for row in study) and any(row.short for row in study)


def test_meetings_follow_the_sample_today(tmp_path):
    """A sample made on a December day holds that year's 组织生活会 and 民主评议, and nothing after today."""
    from partybuild_desktop.domain.meetings import MeetingKind
    from partybuild_desktop.store.models import Meeting, MemberReview
    from tests.helpers import new_store

    store = new_store(tmp_path)
    today = dt.date(2026, 12, 1)
    with store.session() as session:
        generate(session, members=30, first_village="甲村", seed=3, today=today)
        life = session.scalars(select(Meeting.date).where(Meeting.kind == MeetingKind.LIFE_MEETING)).all()
        assert life == [today]
        assert set(session.scalars(select(MemberReview.year))) == {2026}
        assert session.scalar(select(func.max(Meeting.date))) <= today
    store.dispose()
