"""The members service: the card's rules, status changes, archiving, deletion and the record book."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.vocabulary import (
    Gender,
    MemberCategory,
    MemberEventKind,
    MembershipState,
    MemberStatus,
    RecordEntryType,
    Standing,
)
from partybuild_desktop.services import members as svc
from partybuild_desktop.services.village import create_village
from partybuild_desktop.domain.vocabulary import BranchType
from partybuild_desktop.store.models import Household, Member, MemberEvent
from tests.helpers import make_id

TODAY = dt.date(2026, 11, 23)
ID_NUMBER = make_id("19800515", "013")  # a man (odd serial) born 1980-05-15


@pytest.fixture
def village(store):
    with store.session() as session:
        return create_village(session, "城南镇", "试点村", BranchType.BRANCH, "王书记")


def save(store, village, **fields):
    with store.session() as session:
        return svc.save_member(session, village.id, svc.MemberForm(**fields), today=TODAY)


def test_form_check_fills_from_the_id_number_and_flags_conflicts():
    checked = svc.check_form(svc.MemberForm(name="张三", id_number=ID_NUMBER.lower()), TODAY)
    assert checked.ok and checked.form.birth_date == dt.date(1980, 5, 15) and checked.form.gender is Gender.MALE
    conflict = svc.check_form(svc.MemberForm(name="张三", id_number=ID_NUMBER, gender=Gender.FEMALE,
                                             birth_date=dt.date(1980, 5, 16)), TODAY)
    assert conflict.ok and {"gender", "birth_date"} <= set(conflict.warnings)


@pytest.mark.parametrize(
    "fields, field",
    [
        (dict(name=""), "name"),
        (dict(name="张三", id_number=ID_NUMBER[:-1] + "0" if ID_NUMBER[-1] != "0" else ID_NUMBER[:-1] + "1"), "id_number"),
        (dict(name="张三", mobile="12345"), "mobile"),
        (dict(name="张三", joined_date=dt.date(2027, 1, 1)), "joined_date"),
        (dict(name="张三", joined_date=dt.date(2000, 1, 1), confirmed_date=dt.date(1999, 1, 1)), "confirmed_date"),
    ],
)
def test_form_check_refuses_bad_fields_with_chinese_messages(fields, field):
    checked = svc.check_form(svc.MemberForm(**fields), TODAY)
    assert field in checked.errors and checked.errors[field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in checked.errors[field])


def test_save_creates_then_updates_and_keeps_id_numbers_unique(store, village):
    member_id = save(store, village, name="李 四", id_number=ID_NUMBER, joined_date=dt.date(2001, 7, 1),
                     confirmed_date=dt.date(2002, 7, 1), category=MemberCategory.EMPLOYED, employer="镇卫生院")
    with store.session() as session:
        form = svc.load_form(session, member_id)
        assert form.name == "李四" and form.employer == "镇卫生院"
        kinds = [e.kind for e in svc.member_events(session, member_id)]
        assert kinds == [MemberEventKind.JOINED, MemberEventKind.CONFIRMED]
        form.category = MemberCategory.MIGRANT
        form.away_province = "江苏省"
        svc.save_member(session, village.id, form, member_id, today=TODAY)
        assert svc.member_events(session, member_id)[-1].kind is MemberEventKind.CATEGORY_CHANGED
    with pytest.raises(svc.MemberError, match="已属于党员“李四”"):
        save(store, village, name="王五", id_number=ID_NUMBER)


def test_status_changes_apply_and_are_recorded(store, village):
    member_id = save(store, village, name="赵六", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 11, 1))
    steps = [
        (MemberEventKind.CONFIRMED, lambda m: m.standing is Standing.FULL and m.confirmed_date == dt.date(2026, 11, 2)),
        (MemberEventKind.SUSPENDED, lambda m: m.membership_state is MembershipState.SUSPENDED),
        (MemberEventKind.RESTORED, lambda m: m.membership_state is MembershipState.NORMAL),
        (MemberEventKind.LOST_CONTACT, lambda m: m.lost_contact),
        (MemberEventKind.CONTACT_RESTORED, lambda m: not m.lost_contact),
    ]
    for kind, holds in steps:
        with store.session() as session:
            svc.change_status(session, member_id, kind, dt.date(2026, 11, 2), today=TODAY)
            assert holds(session.get(Member, member_id)), kind
    with store.session() as session:
        with pytest.raises(svc.MemberError, match="已是正式党员"):
            svc.change_status(session, member_id, MemberEventKind.CONFIRMED, TODAY, today=TODAY)
        with pytest.raises(svc.MemberError, match="原因"):
            svc.change_status(session, member_id, MemberEventKind.DIED, TODAY, today=TODAY)
        svc.change_status(session, member_id, MemberEventKind.DIED, TODAY, "因病去世", today=TODAY)
        row = [r for r in svc.list_members(session, village.id) if r.id == member_id][0]
        assert row.archived and row.status is MemberStatus.DECEASED
        with pytest.raises(svc.MemberError, match="已归档"):
            svc.change_status(session, member_id, MemberEventKind.SUSPENDED, TODAY, today=TODAY)
        assert len(session.scalars(select(MemberEvent).where(MemberEvent.member_id == member_id)).all()) == 7


def test_delete_only_while_nothing_refers_to_the_member(store, village):
    mistaken = save(store, village, name="录错人")
    used = save(store, village, name="有记录")
    with store.session() as session:
        svc.add_entry(session, used, dt.date(2026, 3, 1), RecordEntryType.POLITICAL_STUDY, "学习", 2, today=TODAY)
        session.add(Household(village_id=village.id, head_name="户主", liaison_member_id=used))
    with store.session() as session:
        with pytest.raises(svc.MemberError, match="纪实记录 1 条、联系农户 1 户"):
            svc.delete_member(session, used)
        svc.delete_member(session, mistaken)
    with store.session() as session:
        assert session.get(Member, mistaken) is None and session.get(Member, used) is not None


def test_record_book_entries_and_study_hours(store, village):
    member_id = save(store, village, name="学习者")
    with store.session() as session:
        first = svc.add_entry(session, member_id, dt.date(2026, 2, 1), RecordEntryType.POLITICAL_STUDY, "学党章", 3, today=TODAY)
        svc.add_entry(session, member_id, dt.date(2026, 3, 1), RecordEntryType.VOLUNTEERING, "扫雪", 5, today=TODAY)
        svc.add_entry(session, member_id, dt.date(2025, 3, 1), RecordEntryType.ORGANISATIONAL_LIFE, "党日", 2, today=TODAY)
        assert svc.study_hours(session, [member_id], 2026) == {member_id: 3.0}
        svc.update_entry(session, first, dt.date(2026, 2, 1), RecordEntryType.POLITICAL_STUDY, "学党章（修改）", 4, today=TODAY)
        assert svc.study_hours(session, [member_id], 2026)[member_id] == 4.0
        assert [e.text for e in svc.list_entries(session, village.id, member_id, year=2026, text="修改")] == ["学党章（修改）"]
        with pytest.raises(svc.MemberError, match="纪实内容"):
            svc.add_entry(session, member_id, TODAY, RecordEntryType.OTHER, "  ", today=TODAY)
        with pytest.raises(svc.MemberError, match="晚于今天"):
            svc.add_entry(session, member_id, dt.date(2027, 1, 1), RecordEntryType.OTHER, "未来", today=TODAY)
        svc.delete_entry(session, first)
        assert svc.study_hours(session, [member_id], 2026)[member_id] == 0.0
