"""Small builders for the grid tests: a bare village with exactly the people and households a test needs."""

import datetime as dt

from sqlalchemy import insert, select

from partybuild_desktop.domain.vocabulary import BranchType, MemberCategory
from partybuild_desktop.services.village import create_village
from partybuild_desktop.store.models import Household, Member, PartyGroup

TODAY = dt.date(2026, 11, 23)


def village(session, name="试验村"):
    return create_village(session, "城南镇", name, BranchType.BRANCH, "王书记").id


def group(session, village_id, name="第1党小组", villager_group="1组", **links):
    g = PartyGroup(village_id=village_id, name=name, villager_group=villager_group, **links)
    session.add(g)
    session.flush()
    return g.id


def member(session, village_id, name, category=MemberCategory.FARMER, **fields):
    m = Member(village_id=village_id, name=name, category=category, **fields)
    session.add(m)
    session.flush()
    return m.id


def members(session, village_id, count, prefix="党员", **fields):
    return [member(session, village_id, f"{prefix}{i + 1}", **fields) for i in range(count)]


def households(session, village_id, count, villager_group="1组", liaison=None, start=1, **fields):
    rows = [dict(village_id=village_id, head_name=f"户主{villager_group}{start + i}", villager_group=villager_group,
                 address=f"城南镇试验村{villager_group}{start + i}号", liaison_member_id=liaison, **fields)
            for i in range(count)]
    return list(session.scalars(insert(Household).returning(Household.id), rows))


def liaised(session, member_id):
    return session.scalar(select(Household.id).where(Household.liaison_member_id == member_id).limit(1)) is not None
