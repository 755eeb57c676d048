"""流动党员 in a data file: 外出登记 makes the member a 流动党员 and 返回 gives the category back, contacts
are kept within a stint, the list on a day with its alerts, the alerts in 待办提醒, the return's counts and
the member form's 外出 fields."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain import migrants as rules
from partybuild_desktop.domain.migrants import ContactHow
from partybuild_desktop.domain.vocabulary import MemberCategory, MemberEventKind
from partybuild_desktop.reports.tables import migrants as migrant_tables
from partybuild_desktop.services import alerts, members as member_service, migrants
from partybuild_desktop.services.migrants import ContactForm, MigrantError, StintForm
from partybuild_desktop.store.models import Member, MemberEvent, MigrantStint
from tests.helpers import group, member, village

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def setup(store):
    with store.session() as session:
        village_id = village(session, "东湖村")
        group(session, village_id)
        ids = {name: member(session, village_id, name, category=category) for name, category in
               (("王建国", MemberCategory.FARMER), ("李秀英", MemberCategory.EMPLOYED), ("张明", MemberCategory.FARMER))}
    return store, village_id, ids


def out(session, village_id, member_id, left_on, **more):
    form = StintForm(left_on=left_on, province="广东省", city="深圳市", county="宝安区", reason="务工经商",
                     contact_person="王建国", **more)
    return migrants.register_out(session, village_id, member_id, form, today=TODAY)


def test_out_and_back_follow_the_category_with_the_status_history(setup):
    store, village_id, ids = setup
    with store.session() as session:
        out(session, village_id, ids["李秀英"], dt.date(2026, 3, 1), card_no="HD-7", phone="138 1234 5678")
    with store.session() as session:
        person = session.get(Member, ids["李秀英"])
        assert person.category is MemberCategory.MIGRANT
        stint = migrants.open_stint(session, person.id)
        assert (stint.phone, stint.category_before) == ("13812345678", MemberCategory.EMPLOYED)
        told = migrants.register_back(session, village_id, person.id, dt.date(2026, 11, 1), today=TODAY)
        assert [w.code for w in told] == ["activity_card_return"] and "HD-7" in told[0].message
    with store.session() as session:
        assert session.get(Member, ids["李秀英"]).category is MemberCategory.EMPLOYED
        notes = session.scalars(select(MemberEvent.note).where(MemberEvent.kind == MemberEventKind.CATEGORY_CHANGED)
                                .order_by(MemberEvent.date)).all()
        assert notes == ["在职党员 → 流动党员（外出登记）", "流动党员 → 在职党员（外出返回）"]
        assert migrants.migrants(session, village_id, dt.date(2026, 10, 31))[0].name == "李秀英"
        assert migrants.migrants(session, village_id, dt.date(2026, 11, 1)) == []


@pytest.mark.parametrize("change, message", [
    (dict(left_on=dt.date(2026, 11, 24)), "晚于今天"),
    (dict(province=None, city=None), "外出流向"),
    (dict(card_expires_on=dt.date(2027, 1, 1)), "没有填活动证号"),
    (dict(phone="12345"), "联系电话"),
    (dict(left_on=None), "外出时间"),
])
def test_a_bad_registration_is_refused_and_writes_nothing(setup, change, message):
    store, village_id, ids = setup
    values = dict(left_on=dt.date(2026, 3, 1), province="广东省", city="深圳市")
    values.update(change)
    with store.session() as session:
        with pytest.raises(MigrantError, match=message):
            migrants.register_out(session, village_id, ids["张明"], StintForm(**values), today=TODAY)
        session.rollback()
        assert session.scalars(select(MigrantStint)).all() == []
        assert session.get(Member, ids["张明"]).category is MemberCategory.FARMER


def test_one_open_stint_at_a_time_and_no_contact_outside_a_stint(setup):
    store, village_id, ids = setup
    with store.session() as session:
        out(session, village_id, ids["张明"], dt.date(2026, 3, 1))
        with pytest.raises(MigrantError, match="尚未返回"):
            out(session, village_id, ids["张明"], dt.date(2026, 5, 1))
        with pytest.raises(MigrantError, match="不在外出登记的时间内"):
            migrants.add_contact(session, village_id, ids["张明"], ContactForm(dt.date(2026, 2, 28), ContactHow.PHONE),
                                 today=TODAY)
        with pytest.raises(MigrantError, match="联系方式"):
            migrants.add_contact(session, village_id, ids["张明"], ContactForm(dt.date(2026, 4, 1)), today=TODAY)
        migrants.register_back(session, village_id, ids["张明"], dt.date(2026, 6, 1), today=TODAY)
        with pytest.raises(MigrantError, match="早于那天"):
            out(session, village_id, ids["张明"], dt.date(2026, 5, 1))
        with pytest.raises(MigrantError, match="不用登记返回"):
            migrants.register_back(session, village_id, ids["张明"], dt.date(2026, 7, 1), today=TODAY)


def test_the_list_on_a_day_with_last_contact_and_alerts(setup):
    store, village_id, ids = setup
    with store.session() as session:
        out(session, village_id, ids["张明"], dt.date(2026, 5, 23))  # 6 months on the day
        out(session, village_id, ids["李秀英"], dt.date(2026, 5, 24), card_no="HD-1",
            card_expires_on=dt.date(2026, 12, 10))  # 5 months 30 days
        migrants.add_contact(session, village_id, ids["张明"], ContactForm(dt.date(2026, 8, 23), ContactHow.WECHAT, "王建国"),
                             today=TODAY)  # the interval's last day is today
        migrants.add_contact(session, village_id, ids["李秀英"], ContactForm(dt.date(2026, 11, 30), ContactHow.PHONE),
                             today=dt.date(2026, 11, 30))  # after the day asked about: not counted
    with store.session() as session:
        rows = {r.name: r for r in migrants.migrants(session, village_id, TODAY)}
        assert (rows["张明"].months_away, rows["张明"].last_contact, rows["张明"].alerts) == \
            (6, dt.date(2026, 8, 23), [rules.SHOULD_TRANSFER])
        assert (rows["李秀英"].months_away, rows["李秀英"].last_contact, rows["李秀英"].alerts) == \
            (5, None, [rules.CONTACT_OVERDUE, rules.CARD_EXPIRING])
        assert rows["张明"].to == "广东省/深圳市/宝安区" and rows["张明"].destination == "广东省深圳市宝安区"
        found = {(a.kind, a.member) for a in alerts.collect(session, village_id, TODAY) if a.target == "migrants"}
        assert found == {(rules.SHOULD_TRANSFER, "张明"), (rules.CONTACT_OVERDUE, "李秀英"),
                         (rules.CARD_EXPIRING, "李秀英")}
        counts = migrant_tables.figures(migrant_tables.people(migrants.migrants(session, village_id, TODAY), TODAY))
        assert counts == {"away": 2, "with_card": 1, "contact_overdue": 1, "lost_contact": 0}


def test_lost_contact_proposes_the_status_change(setup):
    store, village_id, ids = setup
    with store.session() as session:
        out(session, village_id, ids["张明"], dt.date(2025, 1, 10), no_transfer_reason="地点不固定")
        migrants.add_contact(session, village_id, ids["张明"], ContactForm(dt.date(2026, 5, 23), ContactHow.PHONE),
                             today=TODAY)
    with store.session() as session:
        lost = [a for a in alerts.collect(session, village_id, TODAY) if a.kind == rules.LOST_CONTACT]
        assert [(a.member, a.level, a.due) for a in lost] == [("张明", alerts.SERIOUS, dt.date(2026, 11, 23))]
        assert "失去联系" in lost[0].message and "停止党籍" in lost[0].message
        assert migrant_tables.people(migrants.migrants(session, village_id, TODAY), TODAY)["lost_contact"] == ["张明"]
        assert not [a for a in alerts.collect(session, village_id, TODAY - dt.timedelta(days=1))
                    if a.kind == rules.LOST_CONTACT]


def test_the_contact_interval_is_a_village_setting(setup):
    store, village_id, ids = setup
    with store.session() as session:
        assert migrants.contact_interval(session) == 3
        with pytest.raises(MigrantError, match="1 到 6 个月"):
            migrants.set_contact_interval(session, 12)
        migrants.set_contact_interval(session, 2)
        out(session, village_id, ids["张明"], dt.date(2026, 9, 1))
        migrants.add_contact(session, village_id, ids["张明"], ContactForm(dt.date(2026, 9, 20), ContactHow.PHONE),
                             today=TODAY)
        assert migrants.migrants(session, village_id, TODAY)[0].alerts == [rules.CONTACT_OVERDUE]


def test_the_member_form_shows_and_keeps_the_open_stint(setup):
    store, village_id, ids = setup
    with store.session() as session:
        out(session, village_id, ids["张明"], dt.date(2026, 3, 1), wechat="zm2026", card_no="HD-3")
        form = member_service.load_form(session, ids["张明"])
        assert (form.away_since, form.away_province, form.activity_card_no) == (dt.date(2026, 3, 1), "广东省", "HD-3")
        form.away_occupation = "厨师"
        member_service.save_member(session, village_id, form, ids["张明"], today=TODAY)
        stint = migrants.open_stint(session, ids["张明"])
        assert (stint.occupation, stint.wechat) == ("厨师", "zm2026")  # what the form does not show is kept
        # A new member entered as 流动党员 gets an open stint; set back to 农民党员, it is closed today.
        new = member_service.MemberForm(name="赵刚", category=MemberCategory.MIGRANT, away_since=dt.date(2026, 1, 5),
                                        away_province="浙江省")
        new_id = member_service.save_member(session, village_id, new, today=TODAY)
        assert migrants.open_stint(session, new_id).province == "浙江省"
        form = member_service.load_form(session, new_id)
        form.category, form.post = MemberCategory.FARMER, "环境监督岗"
        member_service.save_member(session, village_id, form, new_id, today=TODAY)
        assert migrants.open_stint(session, new_id) is None
        assert [s.back_on for s in migrants.stints_of(session, new_id)] == [TODAY]


def test_a_transfer_under_way_is_not_told_to_transfer(setup):
    from partybuild_desktop.services import transfers

    store, village_id, ids = setup
    with store.session() as session:
        out(session, village_id, ids["张明"], dt.date(2026, 3, 1))
        migrants.add_contact(session, village_id, ids["张明"], ContactForm(dt.date(2026, 11, 1), ContactHow.PHONE),
                             today=TODAY)
        assert migrants.migrants(session, village_id, TODAY)[0].alerts == [rules.SHOULD_TRANSFER]
        transfers.transfer_out(session, village_id, transfers.OutForm(ids["张明"], "中共深圳市宝安区某社区委员会",
                                                                      dt.date(2026, 11, 10)), today=TODAY)
        assert migrants.migrants(session, village_id, TODAY)[0].alerts == []
        assert migrants.migrants(session, village_id, dt.date(2026, 11, 9))[0].alerts == [rules.SHOULD_TRANSFER]


def test_a_member_who_left_since_counts_on_the_days_before(setup):
    store, village_id, ids = setup
    with store.session() as session:
        out(session, village_id, ids["张明"], dt.date(2026, 3, 1))
        member_service.change_status(session, ids["张明"], MemberEventKind.DIED, dt.date(2026, 10, 15), "病故",
                                     today=TODAY)
        assert session.get(Member, ids["张明"]).archived
        on = lambda day: [r.name for r in migrants.migrants(session, village_id, day)]  # noqa: E731
        assert on(dt.date(2026, 10, 1)) == ["张明"]
        assert on(dt.date(2026, 10, 14)) == ["张明"]
        assert on(dt.date(2026, 10, 15)) == []
        assert on(TODAY) == []
        assert migrants.migrant_ids_on(session, village_id, dt.date(2026, 10, 1)) == {ids["张明"]}
