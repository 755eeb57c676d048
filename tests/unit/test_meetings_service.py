"""Meetings, 民主评议 and study hours through services.meetings, on a real data file: the 纪实 lines a
meeting writes and keeps in step, who is due, what is due, the cap, the points board and the alerts."""

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from partybuild_desktop.domain.meetings import Attendance, MeetingKind, ReviewGrade, parse_span
from partybuild_desktop.domain.vocabulary import MemberCategory, MembershipState, RecordEntryType, Standing
from partybuild_desktop.services import alerts, meetings, members, points
from partybuild_desktop.services.meetings import MeetingError, MeetingForm, ReviewForm
from partybuild_desktop.store.models import Meeting, MeetingAttendance, Member, MemberReview, RecordEntry, Village
from tests import helpers

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def branch(store):
    """A branch of 10 正式 and 2 预备 members in two party groups, one frail, one a migrant; and one
    archived and one suspended member, who are due at nothing."""
    with store.session() as session:
        village_id = helpers.village(session)
        first, second = helpers.group(session, village_id, "第一党小组"), helpers.group(session, village_id, "第二党小组")
        ids = [helpers.member(session, village_id, f"正式{i}", party_group_id=first if i <= 5 else second,
                              joined_date=dt.date(2000, 1, 1), is_committee_member=i <= 3)
               for i in range(1, 11)]
        ids += [helpers.member(session, village_id, f"预备{i}", standing=Standing.PROBATIONARY, party_group_id=second,
                               joined_date=dt.date(2026, 3, 1)) for i in (1, 2)]
        session.get(Member, ids[3]).category = MemberCategory.ELDERLY
        session.get(Member, ids[4]).category = MemberCategory.MIGRANT
        helpers.member(session, village_id, "已归档", archived=True)
        helpers.member(session, village_id, "停止党籍", membership_state=MembershipState.SUSPENDED)
    return store, village_id, ids, (first, second)


def entries(session, source_id):
    return session.execute(select(RecordEntry.member_id, RecordEntry.date, RecordEntry.text, RecordEntry.hours)
                           .where(RecordEntry.source_kind == "meeting", RecordEntry.source_id == source_id)
                           .order_by(RecordEntry.member_id)).all()


def theme_day(ids, **changes):
    form = MeetingForm(MeetingKind.THEME_DAY, dt.date(2026, 11, 5), "学习党的二十届四中全会精神\n讨论村级事务", hours=2,
                       attendance={ids[0]: (Attendance.LEAVE, "外出务工"), ids[1]: (Attendance.ABSENT, ""),
                                   ids[4]: (Attendance.ELSEWHERE, ""), ids[2]: (Attendance.EXCUSED, "长期卧床")})
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def test_everyone_due_and_not_named_is_present_and_each_who_took_part_gets_a_record_line(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        saved = meetings.save_meeting(session, village_id, theme_day(ids), today=TODAY)
        t = saved.turnout
        assert (t.due, t.present, t.leave, t.absent, t.elsewhere, t.excused) == (11, 9, 1, 1, 1, 1)
        assert (t.voting_due, t.voting_present) == (9, 6)  # 预备 and the excused have no vote; the migrant votes elsewhere
        lines = entries(session, saved.id)
        assert [m for m, *_ in lines] == [i for i in ids if i not in ids[:3]]
        assert {(d, h) for _, d, _, h in lines} == {(dt.date(2026, 11, 5), 2)}
        texts = dict((m, text) for m, _, text, _ in lines)
        assert texts[ids[5]] == "参加主题党日：学习党的二十届四中全会精神"
        assert texts[ids[4]] == "参加主题党日（在流入地参加）：学习党的二十届四中全会精神"
        book = members.list_entries(session, village_id, member_id=ids[5])
        assert [(e.entry_type, e.source_kind) for e in book] == [(RecordEntryType.ORGANISATIONAL_LIFE, "meeting")]
        with pytest.raises(members.MemberError, match="自动生成"):
            members.delete_entry(session, book[0].id)


def test_editing_a_meeting_rewrites_its_lines_and_deleting_it_removes_everything(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        meeting_id = meetings.save_meeting(session, village_id, theme_day(ids), today=TODAY).id
        record = meetings.meeting_record(session, village_id, meeting_id)
        form = record.form()
        form.date, form.hours = dt.date(2026, 11, 8), 3
        form.attendance[ids[5]] = (Attendance.ABSENT, "")
        form.attendance[ids[0]] = (Attendance.PRESENT, "")
        meetings.save_meeting(session, village_id, form, meeting_id=meeting_id, today=TODAY)
        lines = entries(session, meeting_id)
        assert ids[5] not in [m for m, *_ in lines] and ids[0] in [m for m, *_ in lines]
        assert {(d, h) for _, d, _, h in lines} == {(dt.date(2026, 11, 8), 3)}
        meetings.add_attachment(session, village_id, meeting_id, "签到表.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)
        meetings.delete_meeting(session, village_id, meeting_id)
        assert entries(session, meeting_id) == []
        assert session.scalar(select(func.count()).select_from(MeetingAttendance)) == 0
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0


@pytest.mark.parametrize("change, message", [
    (dict(attendance={}), None),
    (dict(topic=" "), "请填写会议议题"),
    (dict(date=TODAY + dt.timedelta(days=1)), "晚于今天"),
    (dict(hours=25), "学时应在 0 到 24 之间"),
])
def test_a_meeting_that_cannot_be_saved_writes_nothing(branch, change, message):
    store, village_id, ids, _ = branch
    form = theme_day(ids, **change)
    if message is None:  # a leave without its reason
        form.attendance = {ids[0]: (Attendance.LEAVE, " ")}
        message = "“正式1”请假，请填写原因"
    with store.session() as session:
        with pytest.raises(MeetingError, match=message):
            meetings.save_meeting(session, village_id, form, today=TODAY)
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0
        assert session.scalar(select(func.count()).select_from(RecordEntry)) == 0


def test_someone_not_due_cannot_be_ticked(branch):
    store, village_id, ids, (first, _) = branch
    with store.session() as session:
        form = MeetingForm(MeetingKind.GROUP, dt.date(2026, 11, 3), "党小组学习", party_group_id=first,
                           attendance={ids[9]: (Attendance.ABSENT, "")})  # 正式10 is in the other group
        with pytest.raises(MeetingError, match="不在这次会议的应到名单上"):
            meetings.save_meeting(session, village_id, form, today=TODAY)
        with pytest.raises(MeetingError, match="党小组会要选择是哪个党小组"):
            meetings.save_meeting(session, village_id, MeetingForm(MeetingKind.GROUP, dt.date(2026, 11, 3), "学习"),
                                  today=TODAY)


def test_who_is_due_at_each_kind_of_meeting(branch):
    store, village_id, ids, (first, _) = branch
    with store.session() as session:
        branch_list = meetings.due_members(session, village_id, MeetingKind.BRANCH_ASSEMBLY)
        assert [m.id for m in branch_list] == ids  # not the archived member, not the suspended one
        assert [m.voting for m in branch_list] == [True] * 10 + [False] * 2
        assert [m.frail for m in branch_list].count(True) == 1
        assert [m.id for m in meetings.due_members(session, village_id, MeetingKind.GROUP, first)] == ids[:5]
        assert [m.id for m in meetings.due_members(session, village_id, MeetingKind.COMMITTEE)] == ids[:3]


def test_a_vote_in_an_assembly_without_a_quorum_is_warned_about(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        away = {i: (Attendance.LEAVE, "外出务工") for i in ids[:5]}
        saved = meetings.save_meeting(session, village_id, MeetingForm(
            MeetingKind.BRANCH_ASSEMBLY, dt.date(2026, 11, 10), "讨论接收预备党员", attendance=away,
            decisions=[meetings.DecisionForm("同意接收张三为预备党员", 5, 0, 0)]), today=TODAY)
        assert (saved.turnout.voting_due, saved.turnout.voting_present, saved.quorum) == (10, 5, False)
        assert [w.code for w in saved.warnings] == ["quorum_not_met"]
        record = meetings.meeting_record(session, village_id, saved.id)
        assert record.decisions[0].passed is False  # 5 of 10 due is not more than half
        with pytest.raises(MeetingError, match="多于到会的有表决权党员"):
            meetings.save_meeting(session, village_id, MeetingForm(
                MeetingKind.BRANCH_ASSEMBLY, dt.date(2026, 11, 10), "讨论", attendance=away,
                decisions=[meetings.DecisionForm("同意", 5, 1, 0)]), today=TODAY)


def test_a_branch_of_six_full_members_has_no_committee_meeting_due(store):
    with store.session() as session:
        village_id = helpers.village(session)
        ids = [helpers.member(session, village_id, f"党员{i}", is_committee_member=i == 0) for i in range(6)]
        items = meetings.due(session, village_id, parse_span("2026Q4"), TODAY)
        assert "committee" not in [i.kind for i in items]
        saved = meetings.save_meeting(session, village_id, MeetingForm(MeetingKind.COMMITTEE, dt.date(2026, 11, 2), "研究"),
                                      today=TODAY)
        assert "no_committee" in [w.code for w in saved.warnings]
        helpers.member(session, village_id, "党员7")
        items = {i.kind: i for i in meetings.due(session, village_id, parse_span("2026Q4"), TODAY)}
        assert (items["committee"].required, items["committee"].held) == (3, 1)
        assert ids


def test_the_due_list_counts_per_party_group_and_names_what_is_missing(branch):
    store, village_id, ids, (first, second) = branch
    with store.session() as session:
        for month in (10, 11):
            meetings.save_meeting(session, village_id, MeetingForm(MeetingKind.GROUP, dt.date(2026, month, 3), "学习",
                                                                   party_group_id=first), today=TODAY)
        meetings.save_meeting(session, village_id, theme_day(ids), today=TODAY)
        items = meetings.due(session, village_id, parse_span("2026Q4"), TODAY)
        groups = {i.group: (i.required, i.held, i.missing) for i in items if i.kind == "group"}
        assert groups == {"第一党小组": (3, 2, 1), "第二党小组": (3, 0, 3)}
        theme = next(i for i in items if i.kind == "theme_day")
        assert (theme.required, theme.held, theme.missing) == (3, 1, 2)
        figures = meetings.quarter_figures(session, village_id, parse_span("2026Q4"), TODAY)
        assert (figures["group_required"], figures["group_held"]) == (6, 2)
        assert (figures["theme_day_required"], figures["theme_day_held"]) == (3, 1)


def test_review_cap_probationary_members_and_disposal(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        sheet = meetings.review_sheet(session, village_id, 2026)
        assert (sheet.full_members, sheet.cap) == (10, 3)
        assert [r.gradable for r in sheet.rows] == [True] * 10 + [False] * 2
        excellent = ReviewForm(ReviewGrade.EXCELLENT)
        meetings.set_reviews(session, village_id, 2026, {i: excellent for i in ids[:3]}, today=TODAY)
        with pytest.raises(MeetingError, match="最多 3 人") as refused:
            meetings.set_reviews(session, village_id, 2026, {ids[3]: excellent}, today=TODAY)
        assert refused.value.code == "excellent_over_cap"
        # Moving 优秀 from one member to another in one save is fine.
        meetings.set_reviews(session, village_id, 2026, {ids[0]: ReviewForm(ReviewGrade.QUALIFIED), ids[3]: excellent},
                             today=TODAY)
        with pytest.raises(MeetingError) as refused:
            meetings.set_reviews(session, village_id, 2026, {ids[10]: ReviewForm(ReviewGrade.QUALIFIED)}, today=TODAY)
        assert refused.value.code == "probationary_not_graded"
        with pytest.raises(MeetingError) as refused:
            meetings.set_reviews(session, village_id, 2026, {ids[5]: ReviewForm(ReviewGrade.UNQUALIFIED)}, today=TODAY)
        assert refused.value.code == "disposal_missing"
        warnings = meetings.set_reviews(session, village_id, 2026, {ids[5]: ReviewForm(ReviewGrade.UNQUALIFIED)},
                                        today=TODAY, require_disposal=False)
        assert [w.code for w in warnings] == ["disposal_missing"]
        assert [a.kind for a in alerts.review_disposal_missing(session, village_id, TODAY)] == ["review_disposal_missing"]
        meetings.set_reviews(session, village_id, 2026, {ids[5]: ReviewForm(ReviewGrade.UNQUALIFIED, "限期改正")},
                             today=TODAY)
        assert alerts.review_disposal_missing(session, village_id, TODAY) == []
        grades = dict(session.execute(select(MemberReview.member_id, MemberReview.grade)).all())
        assert sum(g is ReviewGrade.EXCELLENT for g in grades.values()) == 3
        lines = members.list_entries(session, village_id, member_id=ids[5])
        assert [e.text for e in lines] == ["2026年度民主评议：不合格（处置：限期改正）"]
        meetings.set_reviews(session, village_id, 2026, {ids[5]: ReviewForm(None)}, today=TODAY)
        assert members.list_entries(session, village_id, member_id=ids[5]) == []


def test_the_points_board_counts_attendance_absence_and_grades_and_traces_them(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        form = theme_day(ids)
        form.attendance[ids[3]] = (Attendance.ABSENT, "")  # the frail member: not held against them
        meeting_id = meetings.save_meeting(session, village_id, form, today=TODAY).id
        meetings.set_reviews(session, village_id, 2026, {ids[5]: ReviewForm(ReviewGrade.EXCELLENT)},
                             decided_on=dt.date(2026, 11, 20), today=TODAY)

        def line(member_id, code):
            trace = points.explain(session, village_id, 2026, member_id, as_of=TODAY)
            return next((l for l in trace.lines if l.item_code == code), None)

        attended = line(ids[5], "meeting_attended")
        assert (attended.quantity, attended.points) == (1, 0.5)
        assert [(e.source, e.source_id) for e in attended.evidence] == [("meeting", meeting_id)]
        assert "主题党日（出席）" in attended.evidence[0].text
        absent = line(ids[1], "meeting_absent")
        assert (absent.quantity, absent.points) == (1, -2)
        assert line(ids[3], "meeting_absent") is None and line(ids[0], "meeting_absent") is None  # frail; on leave
        excellent = line(ids[5], "review_excellent")
        assert excellent.points == 10 and excellent.evidence[0].text == "2026年度民主评议：优秀"
        board = {m.member_id: m.score for m in points.board(session, village_id, 2026, as_of=TODAY).members}
        assert board[ids[5]] == points.explain(session, village_id, 2026, ids[5], as_of=TODAY).score


def test_study_hours_against_32_and_56(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        meetings.save_meeting(session, village_id, theme_day(ids, hours=16), today=TODAY)
        members.add_entry(session, ids[5], dt.date(2026, 6, 1), RecordEntryType.POLITICAL_STUDY, "自学", 16, today=TODAY)
        members.add_entry(session, ids[6], dt.date(2025, 6, 1), RecordEntryType.POLITICAL_STUDY, "去年", 20, today=TODAY)
        rows = {r.member_id: r for r in meetings.study_table(session, village_id, 2026)}
        assert (rows[ids[5]].hours, rows[ids[5]].required, rows[ids[5]].short) == (32, 32, False)
        assert (rows[ids[6]].hours, rows[ids[6]].short) == (16, True)
        assert (rows[ids[4]].required, rows[ids[4]].short) == (32, True)
        leader = rows[ids[3 - 1]]  # a committee member, excused from the meeting
        assert (leader.required, leader.hours, leader.lacking) == (56, 0, 56)
        assert alerts.study_hours_short(session, village_id, dt.date(2026, 9, 30)) == []
        short = alerts.study_hours_short(session, village_id, dt.date(2026, 10, 1))
        assert {a.member for a in short} == {r.name for r in rows.values() if r.short} and ids


def test_meeting_missing_and_no_organisational_life_alerts(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        assert alerts.meeting_missing(session, village_id, TODAY) == []  # set up today: nothing asked of the past
        session.execute(update(Village).values(created_at=dt.datetime(2025, 1, 10, 9, 0)))
        assert alerts.meeting_missing(session, village_id, TODAY)  # nothing recorded: last month's meetings
        for month in range(4, 12):
            attendance = {} if month < 6 else {ids[9]: (Attendance.ABSENT, "")}
            if month >= 9:
                attendance[ids[8]] = (Attendance.ABSENT, "")
            if month == 11:
                attendance[ids[7]] = (Attendance.LEAVE, "生病")
            meetings.save_meeting(session, village_id, MeetingForm(
                MeetingKind.THEME_DAY, dt.date(2026, month, 5), f"{month}月主题党日", attendance=attendance), today=TODAY)
        missing = {a.message.split("应")[0]: a for a in alerts.meeting_missing(session, village_id, TODAY)}
        assert "主题党日" not in missing  # held every month since April
        assert "2026年第二季度、2026年第三季度" in missing["支部党员大会"].message
        assert missing["支部党员大会"].level == "serious"
        gaps = {a.member: a for a in alerts.no_organisational_life(session, village_id, TODAY)}
        assert gaps["正式10"].level == "serious" and "连续 6 个月" in gaps["正式10"].message
        assert gaps["正式9"].level == "notice" and "连续 3 个月" in gaps["正式9"].message
        assert "正式8" not in gaps and "正式4" not in gaps  # on leave in November; frail


def test_attachments_are_photos_or_scans_of_bounded_size(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        meeting_id = meetings.save_meeting(session, village_id, theme_day(ids), today=TODAY).id
        photo = meetings.add_attachment(session, village_id, meeting_id, "现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        meetings.add_attachment(session, village_id, meeting_id, "签到表.pdf", b"%PDF-1.7\n")
        assert [(a.name, a.content_type) for a in meetings.list_attachments(session, village_id, meeting_id)] == [
            ("现场.png", "image/png"), ("签到表.pdf", "application/pdf")]
        with pytest.raises(MeetingError, match="不是 JPG、PNG 照片或 PDF 扫描件"):
            meetings.add_attachment(session, village_id, meeting_id, "病毒.exe", b"MZ\x90\x00")
        with pytest.raises(MeetingError, match="超过 20 MB"):
            meetings.add_attachment(session, village_id, meeting_id, "大.jpg", b"\xff\xd8\xff" + bytes(21 * 1024 * 1024))
        assert meetings.attachment_data(session, village_id, photo)[0] == "现场.png"


def test_a_member_on_a_meeting_list_is_not_deleted_silently(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        meetings.save_meeting(session, village_id, theme_day(ids), today=TODAY)
        with pytest.raises(members.MemberError, match="1 次会议的出席名单"):
            members.delete_member(session, ids[0])  # on leave: no record line, still on the list


def test_a_meeting_entered_afterwards_lists_who_was_due_on_its_day(branch):
    from partybuild_desktop.domain.vocabulary import MemberEventKind
    from partybuild_desktop.store.models import MemberEvent

    store, village_id, ids, _ = branch
    with store.session() as session:
        late = helpers.member(session, village_id, "九月入党", standing=Standing.PROBATIONARY, joined_date=dt.date(2026, 9, 26))
        moved = helpers.member(session, village_id, "八月转入", joined_date=dt.date(1999, 7, 1))
        session.add(MemberEvent(member_id=moved, date=dt.date(2026, 8, 10), kind=MemberEventKind.TRANSFERRED_IN, note="转入"))
        gone = helpers.member(session, village_id, "十月转出", joined_date=dt.date(1999, 7, 1), archived=True)
        session.add(MemberEvent(member_id=gone, date=dt.date(2026, 10, 15), kind=MemberEventKind.TRANSFERRED_OUT, note="转出"))
        confirmed = session.get(Member, ids[9])
        confirmed.confirmed_date = dt.date(2026, 9, 1)  # 正式 only since September: no vote in August
        roster = {r.member_id: r for r in meetings.meeting_roster(session, village_id, MeetingKind.BRANCH_ASSEMBLY,
                                                                   on=dt.date(2026, 8, 27))}
        assert late not in roster and moved in roster and gone in roster
        assert roster[ids[9]].voting is False and roster[ids[8]].voting is True
        saved = meetings.save_meeting(session, village_id, MeetingForm(MeetingKind.THEME_DAY, dt.date(2026, 8, 27), "学习"),
                                      today=TODAY)
        assert late not in [m for m, *_ in entries(session, saved.id)]
        with pytest.raises(MeetingError, match="不在这次会议的应到名单上"):
            meetings.save_meeting(session, village_id, MeetingForm(MeetingKind.THEME_DAY, dt.date(2026, 8, 28), "学习",
                                                                   attendance={late: (Attendance.ABSENT, "")}), today=TODAY)
        now = {r.member_id for r in meetings.meeting_roster(session, village_id, MeetingKind.THEME_DAY, on=TODAY)}
        assert late in now and gone not in now


def test_an_attachment_file_is_sized_before_it_is_read(tmp_path):
    huge = tmp_path / "录像.mp4"
    with huge.open("wb") as file:
        file.truncate(3 * 1024 ** 3)  # 3 GB, sparse: reading it would take the memory
    with pytest.raises(MeetingError, match="超过 20 MB"):
        meetings.read_attachment(huge)
    text = tmp_path / "说明.txt"
    text.write_text("不是照片", "utf-8")
    with pytest.raises(MeetingError, match="不是 JPG、PNG 照片或 PDF 扫描件"):
        meetings.read_attachment(text)
    with pytest.raises(MeetingError, match="读不出来"):
        meetings.read_attachment(tmp_path / "不存在.jpg")
    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 10)
    assert meetings.read_attachment(photo) == ("签到表.jpg", photo.read_bytes())


def test_the_due_list_counts_the_years_review_beside_the_meetings(branch):
    store, village_id, ids, _ = branch
    with store.session() as session:
        meetings.save_meeting(session, village_id, theme_day(ids), today=TODAY)
        meetings.set_reviews(session, village_id, 2026, {ids[5]: ReviewForm(ReviewGrade.QUALIFIED)},
                             decided_on=dt.date(2026, 11, 28), today=TODAY)
        items = {i.kind: i for i in meetings.due(session, village_id, parse_span("2026"), TODAY)}
        assert (items["review"].required, items["review"].held, items["review"].missing) == (1, 1, 0)
        assert items["theme_day"].held == 1
