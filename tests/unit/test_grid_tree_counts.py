"""The grid tree's figures add up: a grid counts the members and households of the grids under it."""

from sqlalchemy import update

from partybuild_desktop.domain.vocabulary import GridLevel
from partybuild_desktop.services import grids
from partybuild_desktop.store.models import Member

from tests.helpers import households, member, members, village


def test_a_village_grid_counts_everything_under_it(store):
    with store.session() as session:
        v = village(session)
        top = grids.create_grid(session, v, GridLevel.VILLAGE, "全村网格")
        first = grids.create_grid(session, v, GridLevel.GROUP, "第1网格", parent_id=top)
        second = grids.create_grid(session, v, GridLevel.GROUP, "第2网格", parent_id=top)
        hub = grids.create_grid(session, v, GridLevel.HOUSEHOLD, "张家中心户网格", parent_id=first)
        member(session, v, "村干部", grid_id=top)
        members(session, v, 3, prefix="一组", grid_id=first)
        members(session, v, 2, prefix="中心户", grid_id=hub)
        members(session, v, 4, prefix="二组", grid_id=second)
        gone = member(session, v, "已归档", grid_id=second)
        session.execute(update(Member).where(Member.id == gone).values(archived=True))
        households(session, v, 5, villager_group="1组", grid_id=first)
        households(session, v, 7, villager_group="1组", start=6, grid_id=hub)
        households(session, v, 11, villager_group="2组", grid_id=second)

        [root] = grids.grid_tree(session, v)
        by_name = {node.name: node for node in root.walk()}
        assert (root.member_count, root.household_count) == (1 + 3 + 2 + 4, 5 + 7 + 11)
        assert (root.own_member_count, root.own_household_count) == (1, 0)
        assert (by_name["第1网格"].member_count, by_name["第1网格"].household_count) == (5, 12)
        assert (by_name["第1网格"].own_member_count, by_name["第1网格"].own_household_count) == (3, 5)
        assert (by_name["张家中心户网格"].member_count, by_name["张家中心户网格"].household_count) == (2, 7)
        assert (by_name["第2网格"].member_count, by_name["第2网格"].household_count) == (4, 11)
        for node in root.walk():
            assert node.member_count == node.own_member_count + sum(c.member_count for c in node.children)
