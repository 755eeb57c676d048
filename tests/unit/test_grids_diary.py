"""民情日记 (visits and their record-book lines, must-visit households) and 事项代办 (proxy services)."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.vocabulary import ProxyKind, ProxyStatus, RecordEntryType
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import proxy_services as proxies
from partybuild_desktop.services import visits
from partybuild_desktop.services.proxy_services import ProxyError, ProxyForm
from partybuild_desktop.services.visits import VisitError, VisitForm
from partybuild_desktop.store.models import RecordEntry

from tests.helpers import SAMPLE_TODAY as TODAY, households, member, village

DAY = dt.timedelta(days=1)


def entries(session):
    return [(e.member_id, e.date, e.entry_type, e.text, e.source_kind, e.source_id)
            for e in session.scalars(select(RecordEntry).order_by(RecordEntry.id))]


def test_a_visit_writes_updates_and_deletes_its_record_book_line(store):
    with store.session() as session:
        v = village(session)
        a, b = member(session, v, "甲"), member(session, v, "乙")
        h1, h2 = households(session, v, 2)
        form = VisitForm(TODAY - 3 * DAY, a, h1, " 反映道路坑洼 ", "已报村委会")
        vid = visits.add_visit(session, v, form, today=TODAY)
        assert entries(session) == [(a, TODAY - 3 * DAY, RecordEntryType.HOUSEHOLD_VISIT,
                                     "走访户主1组1户：反映道路坑洼", "visit", vid)]
        # The record book shows it, and will not let it be edited there (nothing typed twice).
        line = member_service.list_entries(session, v, member_id=a)[0]
        assert line.source_kind == "visit"
        with pytest.raises(member_service.MemberError, match="请到原记录中修改"):
            member_service.update_entry(session, line.id, TODAY, RecordEntryType.OTHER, "改", today=TODAY)
        visits.update_visit(session, vid, VisitForm(TODAY - DAY, b, h2, "申请低保", follow_up="下周回访"), today=TODAY)
        assert entries(session) == [(b, TODAY - DAY, RecordEntryType.HOUSEHOLD_VISIT, "走访户主1组2户：申请低保",
                                     "visit", vid)]
        row = visits.list_visits(session, v)[0]
        assert (row.member, row.household, row.matter, row.follow_up, row.entry_id) == (
            "乙", "户主1组2", "申请低保", "下周回访", session.scalar(select(RecordEntry.id)))
        visits.delete_visit(session, vid)
        assert entries(session) == [] and visits.list_visits(session, v) == []


def test_a_lost_record_book_line_is_written_again_on_edit(store):
    with store.session() as session:
        v = village(session)
        a = member(session, v, "甲")
        (h,) = households(session, v, 1)
        vid = visits.add_visit(session, v, VisitForm(TODAY, a, h, "看望"), today=TODAY)
        session.delete(session.scalar(select(RecordEntry)))
        session.flush()
        visits.update_visit(session, vid, VisitForm(TODAY, a, h, "再次看望"), today=TODAY)
        assert [e[3] for e in entries(session)] == ["走访户主1组1户：再次看望"]


def test_visit_refusals_say_what_is_missing(store):
    with store.session() as session:
        v = village(session)
        a = member(session, v, "甲", archived=True)
        (h,) = households(session, v, 1)
        with pytest.raises(VisitError) as error:
            visits.add_visit(session, v, VisitForm(TODAY + DAY, a, h, " "), today=TODAY)
        assert str(error.value) == ("走访日期 2026年11月24日 晚于今天，请核对；请填写民情事项（群众反映了什么）；"
                                    "“甲”已归档，不能再登记走访。")
        assert entries(session) == []


def test_must_visit_households_overdue(store):
    with store.session() as session:
        v = village(session)
        a = member(session, v, "联系人", mobile="13800000000")
        never, old, recent, edge = households(session, v, 4, hardship=True, liaison=a)
        households(session, v, 1, start=50)  # no care flag: never listed
        visits.add_visit(session, v, VisitForm(TODAY - 31 * DAY, a, old, "看望"), today=TODAY)
        visits.add_visit(session, v, VisitForm(TODAY - 5 * DAY, a, recent, "看望"), today=TODAY)
        visits.add_visit(session, v, VisitForm(TODAY - 30 * DAY, a, edge, "看望"), today=TODAY)
        assert visits.must_visit_days(session) == 30
        rows = visits.overdue_must_visits(session, v, today=TODAY)
        assert [(r.household_id, r.last_visit, r.days_since) for r in rows] == [
            (never, None, None), (old, TODAY - 31 * DAY, 31)]
        first = rows[0]
        assert (first.liaison_member, first.liaison_phone, first.care_text) == ("联系人", "13800000000", "困难家庭")
        visits.set_must_visit_days(session, 60)
        assert visits.must_visit_days(session) == 60
        assert [r.household_id for r in visits.overdue_must_visits(session, v, today=TODAY)] == [never]
        shorter = visits.overdue_must_visits(session, v, today=TODAY, days=4)
        assert [r.household_id for r in shorter] == [never, old, edge, recent]
        with pytest.raises(VisitError, match="1 到 366 天"):
            visits.set_must_visit_days(session, 0)


def proxy(session, v, kind, received, **fields):
    return proxies.register_proxy(session, v, ProxyForm(kind=kind, applicant="申办人", matter="办理医保",
                                                        received_date=received, **fields), today=TODAY)


def test_proxy_kinds_and_their_rules(store):
    with store.session() as session:
        v = village(session)
        (h,) = households(session, v, 1)
        with pytest.raises(ProxyError, match="承诺件必须填写承诺办结日期"):
            proxy(session, v, ProxyKind.PROMISED, TODAY)
        with pytest.raises(ProxyError, match="不予办理必须写明原因"):
            proxy(session, v, ProxyKind.REFUSED, TODAY)
        with pytest.raises(ProxyError, match="早于受理日期"):
            proxy(session, v, ProxyKind.PROMISED, TODAY, promised_date=TODAY - DAY)
        with pytest.raises(ProxyError, match="请清空“不予办理原因”"):
            proxy(session, v, ProxyKind.JOINT, TODAY, refusal_reason="不符合政策")
        instant = proxy(session, v, ProxyKind.INSTANT, TODAY)
        assert proxies.load_proxy(session, instant).promised_date == TODAY
        refused = proxy(session, v, ProxyKind.REFUSED, TODAY, refusal_reason="不符合政策")
        by_id = {r.id: r for r in proxies.list_proxies(session, v)}
        assert by_id[refused].status is ProxyStatus.REFUSED and by_id[instant].status is ProxyStatus.OPEN
        proxies.complete_proxy(session, instant, TODAY, today=TODAY)
        assert proxies.list_proxies(session, v, status=ProxyStatus.DONE)[0].id == instant
        # The applicant defaults to the household's head.
        pid = proxies.register_proxy(session, v, ProxyForm(kind=ProxyKind.SUPPLEMENT, household_id=h, matter="补材料",
                                                           received_date=TODAY), today=TODAY)
        assert proxies.load_proxy(session, pid).applicant == "户主1组1"


def test_overdue_proxy_services(store):
    with store.session() as session:
        v = village(session)
        late_promise = proxy(session, v, ProxyKind.PROMISED, TODAY - 10 * DAY, promised_date=TODAY - DAY)
        proxy(session, v, ProxyKind.PROMISED, TODAY - 10 * DAY, promised_date=TODAY)  # due today: not yet
        late_instant = proxy(session, v, ProxyKind.INSTANT, TODAY - DAY)
        proxy(session, v, ProxyKind.INSTANT, TODAY)
        old_joint = proxy(session, v, ProxyKind.JOINT, TODAY - 31 * DAY)
        proxy(session, v, ProxyKind.ESCALATED, TODAY - 30 * DAY)  # exactly 30 days: not yet
        proxy(session, v, ProxyKind.SUPPLEMENT, TODAY - 40 * DAY, completed_date=TODAY - 35 * DAY)  # done
        proxy(session, v, ProxyKind.REFUSED, TODAY - 90 * DAY, refusal_reason="不符合条件")
        overdue = proxies.overdue_proxies(session, v, today=TODAY)
        # Ties in the order received.
        assert [(o.item.id, o.days_overdue) for o in overdue] == [(late_promise, 1), (late_instant, 1), (old_joint, 1)]
        reasons = {o.item.id: o.reason for o in overdue}
        assert reasons[late_promise] == "已过承诺办结日期 2026年11月22日"
        assert reasons[late_instant] == "即办件应当日办结（2026年11月22日受理）"
        assert reasons[old_joint] == "受理已超过30天（2026年10月23日受理）"
