"""The 三个一 of 流动党员 in 组织生活: the Spring Festival 座谈会 with the members away that day as those due,
and the December 民主评议 saying who was away and reviewed in the 流入地."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.meetings import Attendance, MeetingKind, ReviewGrade
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services import meetings, migrants
from partybuild_desktop.services.meetings import MeetingError, MeetingForm, ReviewForm
from partybuild_desktop.services.migrants import StintForm
from partybuild_desktop.store.models import RecordEntry
from tests.helpers import group, member, village

TODAY = dt.date(2026, 11, 23)
FESTIVAL = dt.date(2026, 2, 20)


@pytest.fixture
def setup(store):
    with store.session() as session:
        village_id = village(session, "东湖村")
        group(session, village_id)
        ids = {name: member(session, village_id, name, category=MemberCategory.FARMER, joined_date=dt.date(2000, 7, 1))
               for name in ("王建国", "李秀英", "张明", "赵刚")}
        for name, left, host in (("李秀英", dt.date(2025, 3, 1), "深圳市宝安区流动党员党支部"),
                                 ("张明", dt.date(2025, 9, 1), None)):
            migrants.register_out(session, village_id, ids[name],
                                  StintForm(left_on=left, province="广东省", city="深圳市", host_organisation=host),
                                  today=TODAY)
        # 赵刚 was away over the festival and came back in the summer.
        migrants.register_out(session, village_id, ids["赵刚"], StintForm(left_on=dt.date(2025, 6, 1), province="浙江省"),
                              today=TODAY)
        migrants.register_back(session, village_id, ids["赵刚"], dt.date(2026, 7, 1), today=TODAY)
    return store, village_id, ids


def test_the_spring_festival_meeting_is_due_for_those_away_that_day(setup):
    store, village_id, ids = setup
    with store.session() as session:
        due = meetings.due_members(session, village_id, MeetingKind.MIGRANT_FORUM, on=FESTIVAL)
        assert [m.name for m in due] == ["李秀英", "张明", "赵刚"]
        form = MeetingForm(MeetingKind.MIGRANT_FORUM, FESTIVAL, "春节返乡流动党员座谈会", place="村党群服务中心",
                           host="王建国", attendance={ids["张明"]: (Attendance.LEAVE, "春节未返乡")})
        saved = meetings.save_meeting(session, village_id, form, today=TODAY)
        assert (saved.turnout.due, saved.turnout.present, saved.turnout.leave) == (3, 2, 1)
        record = meetings.meeting_record(session, village_id, saved.id)
        assert record.kind is MeetingKind.MIGRANT_FORUM
        # On a day nobody is away (before anyone left), there is nobody to be due.
        with pytest.raises(MeetingError, match="没有在外的流动党员"):
            meetings.save_meeting(session, village_id, MeetingForm(MeetingKind.MIGRANT_FORUM, dt.date(2025, 2, 1),
                                                                   "座谈会"), today=TODAY)
        # Today 赵刚 is back: only the two still away.
        assert [m.name for m in meetings.due_members(session, village_id, MeetingKind.MIGRANT_FORUM)] == ["李秀英", "张明"]


def test_the_december_review_names_the_migrants_and_where_they_are_reviewed(setup):
    store, village_id, ids = setup
    with store.session() as session:
        sheet = meetings.review_sheet(session, village_id, 2025)
        away = {r.name: r.away for r in sheet.rows}
        assert away == {"王建国": None, "李秀英": "流动党员，在流入地（深圳市宝安区流动党员党支部）参加评议",
                        "张明": "流动党员", "赵刚": "流动党员"}
        meetings.set_reviews(session, village_id, 2025, {ids["李秀英"]: ReviewForm(ReviewGrade.QUALIFIED),
                                                         ids["王建国"]: ReviewForm(ReviewGrade.QUALIFIED)},
                             decided_on=dt.date(2025, 12, 20), today=TODAY)
        lines = dict(session.execute(select(RecordEntry.member_id, RecordEntry.text)).all())
        assert lines[ids["李秀英"]] == "2025年度民主评议：合格（流动党员，在流入地（深圳市宝安区流动党员党支部）参加评议）"
        assert lines[ids["王建国"]] == "2025年度民主评议：合格"



def test_the_review_sheet_printed_says_who_was_away(setup, tmp_path):
    from partybuild_desktop.services import exports
    from tests.helpers import sheet_rows

    store, village_id, ids = setup
    path = tmp_path / "评议.xlsx"
    exports.export(store, village_id, "review", path, exports.ExportOptions(year=2025, today=TODAY))
    notes = {r[1]: r[-1] for r in sheet_rows(path) if isinstance(r[0], (int, float))}
    assert notes["李秀英"] == "流动党员，在流入地（深圳市宝安区流动党员党支部）参加评议"
    assert notes["张明"] == "流动党员" and notes["王建国"] == ""
