"""The editor's one save (form and status history together), and what keeps a member from being deleted."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.membership import HistoryEdit, StatusEvent
from partybuild_desktop.domain.vocabulary import GridLevel, GridRole, MemberEventKind, MembershipState, ProxyKind
from partybuild_desktop.services import members as svc
from partybuild_desktop.services import proxy_services, visits
from partybuild_desktop.store.models import Grid, GridStaff, Member, MemberEvent, PointAward
from tests.helpers import SAMPLE_TODAY as TODAY
from tests.helpers import households, member, village


@pytest.fixture
def village_id(store):
    with store.session() as session:
        return village(session)


def test_a_new_member_gets_status_changes_only_once_saved(store, village_id):
    with store.session() as session:
        edit = HistoryEdit(added=(StatusEvent(MemberEventKind.LOST_CONTACT, TODAY),))
        with pytest.raises(svc.MemberError, match="先保存"):
            svc.save_member_edit(session, village_id, svc.MemberForm(name="新人", post="岗"), None, edit, TODAY)


def test_a_refused_history_edit_writes_nothing_of_the_form_either(store, village_id):
    with store.session() as session:
        member_id = member(session, village_id, "张三")
    with pytest.raises(svc.MemberError, match="并未失去联系"):
        with store.session() as session:
            form = svc.load_form(session, member_id)
            form.notes = "改了备注"
            edit = HistoryEdit(added=(StatusEvent(MemberEventKind.CONTACT_RESTORED, TODAY),))
            svc.save_member_edit(session, village_id, form, member_id, edit, TODAY)
    with store.session() as session:
        assert session.get(Member, member_id).notes is None


def test_status_without_history_on_the_card_is_kept(store, village_id):
    """A member imported as out of contact, with no record of it: a 停止党籍 leaves 失联 as it is."""
    with store.session() as session:
        member_id = member(session, village_id, "李四", lost_contact=True, lost_contact_date=dt.date(2025, 3, 1))
        svc.change_status(session, member_id, MemberEventKind.SUSPENDED, TODAY, "失联超过六个月", today=TODAY)
        saved = session.get(Member, member_id)
        assert saved.lost_contact and saved.lost_contact_date == dt.date(2025, 3, 1)
        assert saved.membership_state is MembershipState.SUSPENDED


def test_a_removed_departure_puts_the_member_back_on_the_register(store, village_id):
    with store.session() as session:
        member_id = member(session, village_id, "王五")
        svc.change_status(session, member_id, MemberEventKind.TRANSFERRED_OUT, dt.date(2026, 5, 1), "转往县城", today=TODAY)
        died = session.scalars(select(MemberEvent.id).where(MemberEvent.member_id == member_id)).one()
        form = svc.load_form(session, member_id)
        svc.save_member_edit(session, village_id, form, member_id, HistoryEdit(removed=frozenset({died})), TODAY)
        saved = session.get(Member, member_id)
        assert not saved.archived and saved.departure is None and saved.archive_reason is None
        assert saved.events == []


def test_everything_that_refers_to_a_member_is_named(store, village_id):
    with store.session() as session:
        busy = member(session, village_id, "忙人")
        household = households(session, village_id, 1)[0]
        grid = Grid(village_id=village_id, level=GridLevel.GROUP, name="东片网格")
        session.add(grid)
        session.flush()
        session.add(GridStaff(grid_id=grid.id, role=GridRole.LEADER, member_id=busy, name="忙人"))
        visits.add_visit(session, village_id, visits.VisitForm(dt.date(2026, 11, 2), busy, household, "路灯"), today=TODAY)
        proxy_services.register_proxy(session, village_id, proxy_services.ProxyForm(
            ProxyKind.INSTANT, household, "", "代办低保", dt.date(2026, 11, 3), handler_id=busy), today=TODAY)
        session.add(PointAward(village_id=village_id, date=dt.date(2026, 11, 4), item_code="x", member_id=busy,
                               reason="评为优秀", entered_by="文书"))
        session.flush()
        found = svc.references(session, busy)
    assert found == ["纪实记录 1 条", "担任网格长或网格员（东片网格）", "民情日记走访 1 次", "代办事项 1 件", "加分/减分 1 条"]


def test_a_member_with_only_a_status_history_is_deleted_with_it(store, village_id):
    with store.session() as session:
        member_id = member(session, village_id, "录错人")
        svc.change_status(session, member_id, MemberEventKind.LOST_CONTACT, TODAY, today=TODAY)
        assert svc.delete_member(session, member_id) == "录错人"
    with store.session() as session:
        assert session.get(Member, member_id) is None
        assert session.scalars(select(MemberEvent).where(MemberEvent.member_id == member_id)).all() == []


def test_members_are_found_by_id_number_in_either_case_or_by_exact_name(store, village_id):
    from tests.helpers import make_id_for

    number = make_id_for("19800101", last="X")
    with store.session() as session:
        member(session, village_id, "赵六", id_number=number)
        member(session, village_id, "赵六")
        assert [m.name for m in svc.find_by_name_or_id_number(session, village_id, number.lower())] == ["赵六"]
        assert len(svc.find_by_name_or_id_number(session, village_id, " 赵六 ")) == 2
        assert svc.find_by_name_or_id_number(session, village_id, "赵") == []


def test_letters_contacts_and_reserve_cadres_keep_a_member_from_being_deleted(store, village_id):
    from partybuild_desktop.domain.migrants import ContactHow
    from partybuild_desktop.store.models import MigrantContact, MigrantStint, OrganisationTransfer, ReserveCadre

    with store.session() as session:
        busy = member(session, village_id, "外出人")
        session.add_all([
            MigrantStint(member_id=busy, left_on=dt.date(2025, 3, 1), back_on=dt.date(2025, 12, 1), province="广东省"),
            MigrantStint(member_id=busy, left_on=dt.date(2026, 9, 1), province="浙江省"),
            MigrantContact(member_id=busy, date=dt.date(2026, 10, 1), how=ContactHow.PHONE),
            OrganisationTransfer(village_id=village_id, member_id=busy, direction="out", organisation="城关镇党委",
                                 date=dt.date(2026, 10, 2), valid_days=90),
            ReserveCadre(village_id=village_id, year=2026, name="后备甲", trainer_id=busy),
        ])
        session.flush()
        assert svc.references(session, busy) == ["外出登记 2 次", "流动党员联系记录 1 条", "组织关系转接 1 次",
                                                 "培养后备干部 1 人次"]
        with pytest.raises(svc.MemberError, match="外出登记 2 次"):
            svc.delete_member(session, busy)
        only_away = member(session, village_id, "只有外出登记")
        session.add(MigrantStint(member_id=only_away, left_on=dt.date(2026, 5, 1), back_on=dt.date(2026, 6, 1)))
        session.flush()
        with pytest.raises(svc.MemberError, match="外出登记 1 次"):
            svc.delete_member(session, only_away)
        assert session.get(Member, only_away) is not None
        assert len(session.scalars(select(MigrantStint).where(MigrantStint.member_id == only_away)).all()) == 1
