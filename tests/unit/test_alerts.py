"""待办提醒: each kind on a village prepared through the services, on fixed dates."""

import datetime as dt

import pytest
from sqlalchemy import update

from partybuild_desktop.domain.probation import extension_months, probation_end
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.domain.vocabulary import MemberEventKind, ProxyKind, Standing
from partybuild_desktop.services import alerts
from partybuild_desktop.services.alerts import NOTICE, SERIOUS, Alert, collect
from partybuild_desktop.services.members import change_status
from partybuild_desktop.services.proxy_services import ProxyForm, complete_proxy, register_proxy
from partybuild_desktop.services.returns import exported_quarters, record_exported
from partybuild_desktop.services.village import LAST_BACKUP, set_setting
from partybuild_desktop.services.visits import VisitForm, add_visit
from partybuild_desktop.store.models import Village
from tests.helpers import households, member, village

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def prepared(store):
    """A village set up long ago, backed up yesterday, with last quarter's return written: no alerts."""
    with store.session() as session:
        village_id = village(session)
        session.execute(update(Village).values(created_at=dt.datetime(2025, 1, 10, 9, 0)))
        set_setting(session, LAST_BACKUP, "2026-11-22T18:00:00")
    record_exported(store, village_id, Quarter(2026, 3))
    return store, village_id


def kinds(store, village_id, as_of=AS_OF):
    with store.session() as session:
        return [(a.kind, a.level, a.member, a.due) for a in collect(session, village_id, as_of)]


def test_a_village_in_order_has_no_alerts(prepared):
    assert kinds(*prepared) == []


# ---------------------------------------------------------------------------------------- must visit


def test_must_visit_households_overdue_one_alert_per_liaison_member(prepared):
    store, village_id = prepared
    with store.session() as session:
        zhang = member(session, village_id, "张明")
        li = member(session, village_id, "李红")
        late, recent = households(session, village_id, 2, liaison=zhang, hardship=True)
        never = households(session, village_id, 1, liaison=li, elderly_alone=True, start=10)[0]
        households(session, village_id, 1, elderly_alone=True, start=20)  # no liaison, never visited
        households(session, village_id, 3, liaison=li, start=30)  # not must-visit: never an alert
        add_visit(session, village_id, VisitForm(dt.date(2026, 10, 1), zhang, late, "了解生活困难"), today=AS_OF)
        add_visit(session, village_id, VisitForm(dt.date(2026, 11, 20), zhang, recent, "送米送油"), today=AS_OF)
        add_visit(session, village_id, VisitForm(dt.date(2026, 8, 1), li, households(
            session, village_id, 1, liaison=li, unemployed=True, start=40)[0], "就业意向"), today=AS_OF)
        found = [a for a in collect(session, village_id, AS_OF) if a.kind == "must_visit_overdue"]
    by_member = {a.member: a for a in found}
    assert set(by_member) == {"张明", "李红", None}
    # 张明: one household last visited 53 days ago (interval 30), due 30 days after that visit.
    assert by_member["张明"].level == NOTICE and by_member["张明"].due == dt.date(2026, 10, 31)
    assert "张明联系的 1 户必访户超过 30 天没有走访：户主1组1" in by_member["张明"].message
    # 李红: one never visited, one visited 114 days ago (more than twice the interval): serious.
    assert by_member["李红"].level == SERIOUS and by_member["李红"].due == dt.date(2026, 8, 31)
    assert "2 户" in by_member["李红"].message and "其中 1 户还没有走访记录" in by_member["李红"].message
    assert by_member[None].due is None and by_member[None].level == NOTICE
    assert by_member[None].message == ("没有联系党员的 1 户必访户还没有走访记录：户主1组20。"
                                       "请为这些农户指定联系党员并安排走访。")
    assert {a.target for a in found} == {"grids/visits"}
    assert never  # the household exists; its alert is 李红's


# ---------------------------------------------------------------------------------------- proxy services


def test_proxy_services_past_their_promised_date(prepared):
    store, village_id = prepared
    with store.session() as session:
        handler = member(session, village_id, "王强")
        house = households(session, village_id, 1)[0]
        late = register_proxy(session, village_id, ProxyForm(
            ProxyKind.PROMISED, house, "", "办理低保年审", dt.date(2026, 11, 1), dt.date(2026, 11, 15),
            handler_id=handler), today=AS_OF)
        register_proxy(session, village_id, ProxyForm(
            ProxyKind.PROMISED, house, "", "医保缴费", dt.date(2026, 11, 10), dt.date(2026, 11, 30)), today=AS_OF)
        done = register_proxy(session, village_id, ProxyForm(
            ProxyKind.PROMISED, house, "", "户口迁移", dt.date(2026, 10, 1), dt.date(2026, 10, 10)), today=AS_OF)
        complete_proxy(session, done, dt.date(2026, 10, 9), today=AS_OF)
        found = [a for a in collect(session, village_id, AS_OF) if a.kind == "proxy_overdue"]
    assert [(a.level, a.member, a.due) for a in found] == [(SERIOUS, "王强", dt.date(2026, 11, 15))]
    assert "办理低保年审" in found[0].message and "已逾期 8 天" in found[0].message
    assert found[0].target == "grids/proxies" and late


# ---------------------------------------------------------------------------------------- probation


def test_probation_due_within_30_days_and_overdue(prepared):
    store, village_id = prepared
    with store.session() as session:
        member(session, village_id, "赵预备", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 12, 10))
        member(session, village_id, "钱过期", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 11, 1))
        member(session, village_id, "孙还早", standing=Standing.PROBATIONARY, joined_date=dt.date(2026, 3, 1))
        member(session, village_id, "周正式", standing=Standing.FULL, joined_date=dt.date(2025, 11, 1),
               confirmed_date=dt.date(2026, 11, 1))
        member(session, village_id, "吴归档", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 1, 1),
               archived=True)
    found = [k for k in kinds(store, village_id) if k[0].startswith("probation")]
    assert found == [("probation_overdue", SERIOUS, "钱过期", dt.date(2026, 11, 1)),
                     ("probation_due", NOTICE, "赵预备", dt.date(2026, 12, 10))]


def test_an_extended_probation_ends_later(prepared):
    store, village_id = prepared
    with store.session() as session:
        half = member(session, village_id, "郑延长", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 6, 1))
        unknown = member(session, village_id, "冯延长", standing=Standing.PROBATIONARY,
                         joined_date=dt.date(2025, 5, 10))
        change_status(session, half, MemberEventKind.PROBATION_EXTENDED, dt.date(2026, 6, 1),
                      "支部大会决定延长预备期半年", today=AS_OF)
        change_status(session, unknown, MemberEventKind.PROBATION_EXTENDED, dt.date(2026, 5, 10),
                      "支部大会决定延长", today=AS_OF)
        found = {a.member: a for a in collect(session, village_id, AS_OF) if a.kind.startswith("probation")}
    # 2025-06-01 + one year + six months; the other's length is unknown, six months assumed.
    assert (found["郑延长"].kind, found["郑延长"].due) == ("probation_due", dt.date(2026, 12, 1))
    assert "延长的预备期" in found["郑延长"].message
    assert (found["冯延长"].kind, found["冯延长"].due) == ("probation_overdue", dt.date(2026, 11, 10))
    assert "按最短 6 个月计算" in found["冯延长"].message


@pytest.mark.parametrize("note, months", [("延长预备期半年", 6), ("延长一年", 12), ("延长8个月", 8),
                                          ("延长十二个月", 12), ("延长１０个月", 10), ("延长", None),
                                          ("延长3个月", None), (None, None)])
def test_the_extension_length_is_read_from_the_note(note, months):
    assert extension_months(note) == months


def test_probation_end_on_the_last_day_of_february():
    assert probation_end(dt.date(2024, 2, 29)).date == dt.date(2025, 2, 28)
    assert probation_end(dt.date(2025, 8, 31), ["延长半年"]).date == dt.date(2027, 2, 28)


# ---------------------------------------------------------------------------------------- backups


def test_backup_older_than_a_week(prepared):
    store, village_id = prepared
    with store.session() as session:
        set_setting(session, LAST_BACKUP, "2026-11-10T08:00:00")
    assert kinds(store, village_id) == [("backup_old", NOTICE, None, dt.date(2026, 11, 17))]
    assert kinds(store, village_id, dt.date(2026, 11, 17)) == []  # exactly a week: still fine
    assert kinds(store, village_id, dt.date(2026, 12, 20))[0][:2] == ("backup_old", SERIOUS)


def test_never_backed_up_counts_from_the_set_up(store):
    with store.session() as session:
        village_id = village(session)
        session.execute(update(Village).values(created_at=dt.datetime(2026, 11, 20, 9, 0)))
    record_exported(store, village_id, Quarter(2026, 3))
    assert kinds(store, village_id) == []  # set up three days ago
    with store.session() as session:
        found = collect(session, village_id, dt.date(2026, 12, 1))
    assert [(a.kind, a.due) for a in found] == [("backup_old", dt.date(2026, 11, 27))]
    assert "还没有备份过" in found[0].message and found[0].target == "settings/backup"


# ---------------------------------------------------------------------------------------- returns


def test_last_quarters_return_not_exported(prepared):
    store, village_id = prepared
    # On 2027-01-05 the last quarter is 2026Q4, not yet written.
    with store.session() as session:
        set_setting(session, LAST_BACKUP, "2027-01-04T18:00:00")
    assert kinds(store, village_id, dt.date(2027, 1, 5)) == [
        ("return_not_exported", NOTICE, None, dt.date(2026, 12, 31))]
    assert kinds(store, village_id, dt.date(2027, 2, 5))[0][:2] == ("return_not_exported", SERIOUS)
    record_exported(store, village_id, Quarter(2026, 4))
    assert kinds(store, village_id, dt.date(2027, 1, 5)) == []
    with store.session() as session:
        assert exported_quarters(session, village_id) == {"2026Q3", "2026Q4"}


def test_a_village_set_up_after_the_quarter_is_not_asked_for_its_return(store):
    with store.session() as session:
        village_id = village(session)
        session.execute(update(Village).values(created_at=dt.datetime(2026, 10, 20, 9, 0)))
        set_setting(session, LAST_BACKUP, "2026-11-22T18:00:00")
    assert kinds(store, village_id) == []  # 2026Q3 ended before the village was set up
    assert [k[0] for k in kinds(store, village_id, dt.date(2027, 1, 2))] == ["backup_old", "return_not_exported"]


def test_exporting_a_return_records_its_quarter(sample_store, tmp_path):
    from partybuild_desktop.services.returns import export_return

    with sample_store.session() as session:
        from partybuild_desktop.services.village import current_village

        village_id = current_village(session).id
    export_return(sample_store, village_id, Quarter(2026, 3), tmp_path / "U盘", today=AS_OF)
    with sample_store.session() as session:
        assert exported_quarters(session, village_id) == {"2026Q3"}
        assert "return_not_exported" not in {a.kind for a in collect(session, village_id, AS_OF)}


# ---------------------------------------------------------------------------------------- the registry


def test_serious_first_then_by_due_date_undated_last(prepared, monkeypatch):
    store, village_id = prepared
    made = [
        Alert("b", NOTICE, None, None, "无期限的提醒", "members"),
        Alert("a", NOTICE, "甲", dt.date(2026, 12, 1), "提醒", "members"),
        Alert("c", SERIOUS, None, dt.date(2026, 12, 5), "紧急但晚", "members"),
        Alert("d", SERIOUS, None, dt.date(2026, 11, 1), "紧急且早", "members"),
    ]
    monkeypatch.setattr(alerts, "CONTRIBUTORS", [])
    alerts.contributor(lambda session, village_id, as_of: made)
    with store.session() as session:
        assert [a.kind for a in collect(session, village_id, AS_OF)] == ["d", "c", "a", "b"]


def test_a_new_contributor_is_one_decorated_function(prepared, monkeypatch):
    store, village_id = prepared
    monkeypatch.setattr(alerts, "CONTRIBUTORS", list(alerts.CONTRIBUTORS))

    @alerts.contributor
    def committee_term_ended(session, village_id, as_of):
        return [Alert("committee_term_ended", SERIOUS, None, dt.date(2026, 1, 5), "本届班子任期已满。", "settings/village")]

    with store.session() as session:
        found = collect(session, village_id, AS_OF)
    assert [a.to_json() for a in found] == [{"kind": "committee_term_ended", "level": "serious", "member": None,
                                             "due": "2026-01-05", "message": "本届班子任期已满。"}]


def test_an_unknown_level_is_a_programming_error():
    with pytest.raises(ValueError):
        Alert("x", "urgent", None, None, "", "members")
