"""The grids tab: grid tree and staff, households, liaison suggestions, visit diary, proxy services."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.vocabulary import GridLevel, GridRole, ProxyKind, RecordEntryType
from partybuild_desktop.services import grids as grid_service
from partybuild_desktop.services import households as household_service
from partybuild_desktop.services import proxy_services, visits
from partybuild_desktop.store.models import Household, RecordEntry
from partybuild_desktop.ui.grids_tab import GridsTab
from tests.gui.conftest import shown_tab

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def tab(qtbot, sample_store, data_folder):
    return shown_tab(qtbot, GridsTab, sample_store, data_folder, TODAY)


def test_tree_shows_three_levels_and_staff(tab):
    levels = {node.level for root in tab.tree_data for node in root.walk()}
    assert levels == set(GridLevel)
    assert tab.tree.topLevelItemCount() == 1
    village_grid = tab.selected_grid()
    assert village_grid.level is GridLevel.VILLAGE and tab.staff.rowCount() == len(village_grid.staff) >= 1
    grid_id = tab.do_new_grid(GridLevel.GROUP, "第9网格", village_grid.id, "新区")
    assert tab.selected_grid().name == "第9网格"
    tab.do_add_staff(grid_id, grid_service.StaffForm(GridRole.WORKER, None, "网格员甲", "13912345678", "巡查"))
    assert tab.staff.item(0, 1).text() == "网格员甲" and tab.staff.item(0, 2).text() == "否"
    tab.do_add_staff(grid_id, grid_service.StaffForm(GridRole.WORKER, None, "", None, None))
    assert tab.dialogs.told[-1][0] == "error"


def test_households_filter_and_a_bad_phone_is_refused(tab, sample_store):
    total = tab.households.rowCount()
    tab.must_visit_only.setChecked(True)
    assert 0 < tab.households.rowCount() < total
    assert all(h.must_visit for h in tab.households.objects)
    tab.must_visit_only.setChecked(False)
    tab.do_save_household(household_service.HouseholdForm(head_name="新户主", villager_group="1组", phone="12345"))
    assert tab.dialogs.told[-1][0] == "error"
    tab.do_save_household(household_service.HouseholdForm(head_name="新户主", villager_group="1组", phone="13800001111"))
    assert tab.households.rowCount() == total + 1


def test_suggest_then_apply_assigns_the_unassigned_households(tab, sample_store):
    with sample_store.session() as session:
        village_id = tab.village_id
        session.add_all([Household(village_id=village_id, head_name=f"新户{i}", villager_group="1组") for i in range(12)])
    tab.refresh()
    proposal = tab.do_suggest("1组")
    assert proposal.changes == 12 and tab.proposal_table.rowCount() == len(proposal.members)
    with sample_store.session() as session:
        assert session.scalar(select(Household).where(Household.head_name == "新户0")).liaison_member_id is None
    tab.do_apply_proposal()
    with sample_store.session() as session:
        assigned = session.scalars(select(Household.liaison_member_id).where(Household.head_name.like("新户%"))).all()
    assert all(member_id is not None for member_id in assigned)


def test_a_visit_writes_the_record_book_and_clears_the_overdue_list(tab, sample_store):
    overdue = tab.overdue_visits.objects
    assert overdue, "the sample has must-visit households never visited"
    target = overdue[0]
    member_id = target.liaison_member_id
    tab.do_add_visit(visits.VisitForm(TODAY, member_id, target.household_id, "反映屋顶漏雨", "联系维修", "下周回访", "满意"))
    assert tab.visits.rowCount() == 1 and tab.visits.item(0, 4).text() == "反映屋顶漏雨"
    assert target.household_id not in {m.household_id for m in tab.overdue_visits.objects}
    with sample_store.session() as session:
        entry = session.scalars(select(RecordEntry).where(RecordEntry.member_id == member_id,
                                                          RecordEntry.source_kind == "visit")).one()
    assert entry.entry_type is RecordEntryType.HOUSEHOLD_VISIT and "屋顶漏雨" in entry.text


def test_proxy_services_register_complete_and_overdue(tab):
    tab.do_register_proxy(proxy_services.ProxyForm(ProxyKind.PROMISED, None, "王大妈", "代办医保报销",
                                                   dt.date(2026, 11, 1), dt.date(2026, 11, 10)))
    assert tab.proxies.rowCount() == 1 and [o.item.applicant for o in tab.overdue_proxies.objects] == ["王大妈"]
    tab.do_register_proxy(proxy_services.ProxyForm(ProxyKind.REFUSED, None, "李四", "违规申请", TODAY))
    assert tab.dialogs.told[-1][0] == "error"  # 不予办理 needs the reason
    tab.do_complete_proxy(tab.proxies.objects[0].id, TODAY)
    assert tab.overdue_proxies.rowCount() == 0
    assert tab.proxies.item(0, 8).text() == "已办结"
