"""Grids, their staff, the organisation tree and the household register."""

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.vocabulary import CareFlag, GridLevel, GridRole
from partybuild_desktop.services import grids, households, organisation
from partybuild_desktop.services.grids import GridError, StaffForm
from partybuild_desktop.services.households import HouseholdError, HouseholdForm
from partybuild_desktop.store.models import GridBranch, GridStaff, Member, Visit

from tests.helpers import SAMPLE_TODAY as TODAY, group, member, village


def three_levels(session, v):
    top = grids.create_grid(session, v, GridLevel.VILLAGE, "全村网格", area="试验村全域")
    branch = organisation.save_grid_branch(session, v, organisation.GridBranchForm("第一网格党支部"))
    middle = grids.create_grid(session, v, GridLevel.GROUP, "第1网格", parent_id=top, area="1组",
                               grid_branch_id=branch)
    bottom = grids.create_grid(session, v, GridLevel.HOUSEHOLD, "张家中心户网格", parent_id=middle)
    return top, middle, bottom, branch


def test_grid_tree_three_levels_with_staff(store):
    with store.session() as session:
        v = village(session)
        top, middle, bottom, branch = three_levels(session, v)
        leader = member(session, v, "李组长", mobile="13812345678", grid_id=middle)
        grids.add_staff(session, middle, StaffForm(GridRole.LEADER, member_id=leader, duties="民情收集"))
        grids.add_staff(session, middle, StaffForm(GridRole.WORKER, name="赵 网格员", phone="0512 6521 1234",
                                                   duties="信息采集"))
        tree = grids.grid_tree(session, v)
        assert [n.name for n in tree] == ["全村网格"]
        node = tree[0].children[0]
        assert (node.name, node.level, node.area) == ("第1网格", GridLevel.GROUP, "1组")
        assert node.grid_branch == "第一网格党支部"
        assert node.leader.name == "李组长" and node.leader.phone == "13812345678" and node.leader.is_member
        assert [(w.name, w.phone, w.is_member) for w in node.workers] == [("赵网格员", "0512-65211234", False)]
        assert node.member_count == 1
        child = node.children[0]
        assert child.level is GridLevel.HOUSEHOLD and child.grid_branch_id == branch  # inherited
        assert [n.name for n in tree[0].walk()] == ["全村网格", "第1网格", "张家中心户网格"]


def test_levels_names_and_moves_are_checked(store):
    with store.session() as session:
        v = village(session)
        top, middle, bottom, _ = three_levels(session, v)
        with pytest.raises(GridError, match="户级网格必须放在一个组级网格之下"):
            grids.create_grid(session, v, GridLevel.HOUSEHOLD, "散户")
        with pytest.raises(GridError, match="组级网格的上级应是村级网格"):
            grids.create_grid(session, v, GridLevel.GROUP, "第2网格", parent_id=middle)
        with pytest.raises(GridError, match="已有名为“第1网格”的网格"):
            grids.create_grid(session, v, GridLevel.GROUP, " 第1网格 ", parent_id=top)
        with pytest.raises(GridError, match="请填写网格名称"):
            grids.rename_grid(session, middle, "  ")
        second = grids.create_grid(session, v, GridLevel.GROUP, "第2网格", parent_id=top)
        grids.move_grid(session, bottom, second)
        grids.rename_grid(session, bottom, "王家中心户网格")
        tree = grids.grid_tree(session, v)
        assert [c.name for c in tree[0].children[1].children] == ["王家中心户网格"]
        with pytest.raises(GridError, match="村级网格是最上一级"):
            grids.move_grid(session, top, second)
        with pytest.raises(GridError, match="1个下级网格"):
            grids.delete_grid(session, second)
        grids.delete_grid(session, bottom)
        assert grids.find_grid(session, v, "第2网格") == second
        assert grids.find_grid(session, v, "2网格") == second
        with pytest.raises(GridError, match="有多个网格的名称含“网格”"):
            grids.find_grid(session, v, "网格")
        with pytest.raises(GridError, match="本村没有名为“第9网格”的网格"):
            grids.find_grid(session, v, "第9网格")


def test_staff_rules(store):
    with store.session() as session:
        v = village(session)
        _, middle, _, _ = three_levels(session, v)
        first = grids.add_staff(session, middle, StaffForm(GridRole.LEADER, name="甲", phone="13900000001"))
        with pytest.raises(GridError, match="已有网格长甲"):
            grids.add_staff(session, middle, StaffForm(GridRole.LEADER, name="乙"))
        with pytest.raises(GridError, match="不是有效的电话号码"):
            grids.add_staff(session, middle, StaffForm(GridRole.WORKER, name="丙", phone="12345"))
        with pytest.raises(GridError, match="请填写网格工作人员的姓名"):
            grids.add_staff(session, middle, StaffForm(GridRole.WORKER))
        with pytest.raises(GridError, match="同一个人在一个网格中只登记一次"):
            grids.add_staff(session, middle, StaffForm(GridRole.WORKER, name="甲", phone="13900000001"))
        grids.update_staff(session, first, StaffForm(GridRole.WORKER, name="甲", phone="13900000001", duties="巡查"))
        second = grids.add_staff(session, middle, StaffForm(GridRole.LEADER, name="乙"))
        grids.remove_staff(session, first)
        assert [s.id for s in session.scalars(select(GridStaff))] == [second]


def test_organisation_tree(store):
    with store.session() as session:
        v = village(session)
        _, middle, bottom, branch = three_levels(session, v)
        chief = member(session, v, "班子甲", is_committee_member=True)
        session.get(GridBranch, branch).committee_contact_id = chief
        g = group(session, v, grid_branch_id=branch, leader_id=chief)
        hub = member(session, v, "中心户", is_hub_household=True, party_group_id=g)
        member(session, v, "甲", hub_id=hub, party_group_id=g)
        member(session, v, "示范", is_model_post=True, party_group_id=g)
        group(session, v, name="第2党小组", villager_group="2组")
        org = grids.organisation(session, v)
        assert [b.name for b in org.grid_branches] == ["第一网格党支部"]
        b = org.grid_branches[0]
        assert b.committee_contact.name == "班子甲" and b.grid_ids == (middle, bottom)
        pg = b.party_groups[0]
        assert pg.leader.name == "班子甲" and pg.member_count == 3
        assert [(h.name, h.is_model_post, [m.name for m in h.members]) for h in pg.hubs] == [
            ("中心户", False, ["甲"]), ("示范", True, [])]
        assert [g.name for g in org.loose_party_groups] == ["第2党小组"]
        assert len(org.all_grids()) == 3 and len(org.all_party_groups()) == 2


def test_household_register(store):
    with store.session() as session:
        v = village(session)
        _, middle, _, _ = three_levels(session, v)
        liaison = member(session, v, "联系人")
        form = HouseholdForm(head_name=" 欧阳 春花 ", villager_group="1组", address="1组8号", phone="138 1234 5678",
                             size="4", grid_id=middle, liaison_member_id=liaison,
                             care_flags=frozenset({CareFlag.HARDSHIP, CareFlag.ELDERLY_ALONE}))
        hid = households.save_household(session, v, form)
        loaded = households.load_household(session, hid)
        assert (loaded.head_name, loaded.phone, loaded.size) == ("欧阳春花", "13812345678", 4)
        assert loaded.care_flags == {CareFlag.HARDSHIP, CareFlag.ELDERLY_ALONE}
        rows = households.list_households(session, v, must_visit_only=True)
        assert [(r.head_name, r.grid, r.liaison_member, r.care_text) for r in rows] == [
            ("欧阳春花", "第1网格", "联系人", "困难家庭、孤寡空巢老人")]
        loaded.care_flags = frozenset()
        households.save_household(session, v, loaded, hid)
        assert households.list_households(session, v, must_visit_only=True) == []
        assert households.villager_groups(session, v) == ["1组"]
        checked = households.check_household(HouseholdForm(head_name="", phone="555", size="4.5"))
        assert checked.errors == {
            "head_name": "请填写户主姓名。",
            "phone": checked.errors["phone"],
            "size": "家庭人口“4.5”不是整数，请填写人数，例如 4。",
        }
        assert "不是有效的电话号码" in checked.errors["phone"]
        with pytest.raises(HouseholdError, match="1 到 30 之间"):
            households.save_household(session, v, HouseholdForm(head_name="甲", size=40))
        session.add(Visit(village_id=v, date=TODAY, member_id=liaison, household_id=hid, matter="看望"))
        session.flush()
        with pytest.raises(HouseholdError, match="已有1条走访记录，不能删除"):
            households.delete_household(session, hid)
        other = households.save_household(session, v, HouseholdForm(head_name="乙", villager_group="10组"))
        assert households.villager_groups(session, v) == ["1组", "10组"]
        households.delete_household(session, other)
        with pytest.raises(HouseholdError, match="已归档"):
            session.get(Member, liaison).archived = True
            households.save_household(session, v, HouseholdForm(head_name="丙", liaison_member_id=liaison))
