"""The liaison pyramid on real data: every range checked at its edges, links that report what they break,
and household proposals that keep every range they can."""

import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.liaison import LiaisonRule
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services import liaison
from partybuild_desktop.services.liaison import LiaisonError, check_liaison, suggest_households
from partybuild_desktop.store.models import GridBranch, Household, Member

from tests.helpers import group, households, member, members, village


def problems_of(check, rule, subject_id=None, kind=None):
    return [p for p in check.problems if p.rule is rule and (subject_id is None or p.subject_id == subject_id)
            and (kind is None or p.kind == kind)]


@pytest.mark.parametrize("count, kind", [(9, "low"), (10, None), (15, None), (16, "high")])
def test_households_per_member_at_the_edges(store, count, kind):
    with store.session() as session:
        v = village(session)
        m = member(session, v, "张三")
        households(session, v, count, liaison=m)
        found = problems_of(check_liaison(session, v), LiaisonRule.MEMBER_HOUSEHOLDS, m)
        assert [p.kind for p in found] == ([kind] if kind else [])
        if kind:
            assert found[0].count == count and found[0].subject == "张三"


@pytest.mark.parametrize("count, kind", [(4, "low"), (5, None), (10, None), (11, "high")])
def test_members_per_hub_at_the_edges(store, count, kind):
    with store.session() as session:
        v = village(session)
        hub = member(session, v, "中心户甲", is_hub_household=True)
        members(session, v, count, hub_id=hub)
        found = problems_of(check_liaison(session, v), LiaisonRule.HUB_MEMBERS, hub)
        assert [p.kind for p in found] == ([kind] if kind else [])


@pytest.mark.parametrize("count, kind", [(0, "low"), (1, None), (2, None), (3, "high")])
def test_grid_branches_per_committee_member_at_the_edges(store, count, kind):
    with store.session() as session:
        v = village(session)
        chief = member(session, v, "委员甲", is_committee_member=True)
        for i in range(count):
            session.add(GridBranch(village_id=v, name=f"第{i + 1}网格党支部", committee_contact_id=chief))
        session.flush()
        found = problems_of(check_liaison(session, v), LiaisonRule.COMMITTEE_BRANCHES, chief)
        assert [p.kind for p in found] == ([kind] if kind else [])


@pytest.mark.parametrize("count, kind", [(1, "low"), (2, None), (5, None), (6, "high")])
def test_hubs_per_group_leader_at_the_edges(store, count, kind):
    with store.session() as session:
        v = village(session)
        leader = member(session, v, "组长")
        g = group(session, v, leader_id=leader)
        members(session, v, count, prefix="中心户", is_hub_household=True, party_group_id=g)
        found = problems_of(check_liaison(session, v), LiaisonRule.LEADER_HUBS, leader)
        assert [p.kind for p in found] == ([kind] if kind else [])


@pytest.mark.parametrize("count, kind", [(0, "low"), (1, None), (2, None), (3, "high")])
def test_party_groups_per_grid_branch_member_at_the_edges(store, count, kind):
    with store.session() as session:
        v = village(session)
        contact = member(session, v, "支委")
        for i in range(count):
            group(session, v, name=f"第{i + 1}党小组", villager_group=f"{i + 1}组", branch_contact_id=contact)
        session.add(GridBranch(village_id=v, name="第1网格党支部", secretary_id=contact))
        session.flush()
        found = problems_of(check_liaison(session, v), LiaisonRule.BRANCH_GROUPS, contact)
        assert [p.kind for p in found] == ([kind] if kind else [])


def test_units_and_people_without_a_link_are_listed_with_where_and_what_to_do(store):
    with store.session() as session:
        v = village(session)
        session.add(GridBranch(village_id=v, name="第1网格党支部"))
        g = group(session, v, name="第1党小组", villager_group="1组")
        loose = member(session, v, "孤雁", party_group_id=g)
        households(session, v, 12, villager_group="1组")
        check = check_liaison(session, v)
        texts = {(p.rule, p.subject, p.issue) for p in check.problems}
        assert (LiaisonRule.COMMITTEE_BRANCHES, "第1网格党支部", "没有包挂的村党组织班子成员") in texts
        assert (LiaisonRule.BRANCH_GROUPS, "第1党小组", "没有包挂的网格支部委员") in texts
        assert (LiaisonRule.LEADER_HUBS, "第1党小组", "没有党小组长") in texts
        assert (LiaisonRule.HUB_MEMBERS, "第1党小组", "1名党员未编入党员中心户：孤雁") in texts
        assert (LiaisonRule.MEMBER_HOUSEHOLDS, "1组", "12户没有联系党员") in texts
        assert (LiaisonRule.HUB_COVERAGE, "1组", "共12户，没有党员中心户") in texts
        assert problems_of(check, LiaisonRule.MEMBER_HOUSEHOLDS, loose)[0].issue == "联系0户，少于10户"
        assert all(p.advice.startswith("请") for p in check.problems)


def test_members_not_expected_to_liaise_are_left_alone_unless_they_do(store):
    with store.session() as session:
        v = village(session)
        away = member(session, v, "外出甲", category=MemberCategory.MIGRANT)
        old = member(session, v, "老党员", category=MemberCategory.ELDERLY)
        gone = member(session, v, "已转出", archived=True)
        households(session, v, 12, liaison=gone)
        check = check_liaison(session, v)
        assert not problems_of(check, LiaisonRule.MEMBER_HOUSEHOLDS, away)
        assert not problems_of(check, LiaisonRule.MEMBER_HOUSEHOLDS, old)
        moved = problems_of(check, LiaisonRule.MEMBER_HOUSEHOLDS, gone)
        assert moved and "仍登记联系12户" in moved[0].issue
        # Households of an archived member count as having nobody.
        assert problems_of(check, LiaisonRule.MEMBER_HOUSEHOLDS, "1组")[0].count == 12


def test_a_link_returns_the_problems_it_causes_and_only_those(store):
    with store.session() as session:
        v = village(session)
        a, b = member(session, v, "甲"), member(session, v, "乙")
        mine = households(session, v, 15, liaison=a)
        theirs = households(session, v, 10, liaison=b, start=100)
        spare = households(session, v, 1, start=200)
        # The 16th household breaks 甲's range; 乙 untouched.
        caused = liaison.assign_households(session, a, spare)
        assert [(p.subject, p.kind, p.count) for p in caused] == [("甲", "high", 16)]
        # Taking one from 乙 (10 → 9) breaks 乙's, and makes 甲's worse (17).
        caused = liaison.assign_households(session, a, theirs[:1])
        assert sorted((p.subject, p.kind, p.count) for p in caused) == [("乙", "low", 9), ("甲", "high", 17)]
        # Giving two back mends both: nothing caused.
        assert liaison.assign_households(session, b, theirs[:1] + mine[:1]) == []
        assert session.scalar(select(func.count()).select_from(Household).where(Household.liaison_member_id == b)) == 11
        caused = liaison.unassign_households(session, spare)
        assert [p.issue for p in caused] == ["1户没有联系党员"]


def test_links_refuse_what_makes_no_sense(store):
    with store.session() as session:
        v = village(session)
        plain = member(session, v, "普通党员")
        hub = member(session, v, "中心户", is_hub_household=True)
        follower = member(session, v, "跟随者", hub_id=hub)
        session.add(GridBranch(village_id=v, name="第1网格党支部"))
        session.flush()
        branch = session.scalar(select(GridBranch.id))
        with pytest.raises(LiaisonError, match="不是村党组织班子成员"):
            liaison.assign_branch_contact(session, branch, plain)
        with pytest.raises(LiaisonError, match="还不是党员中心户"):
            liaison.assign_member_to_hub(session, follower, plain)
        with pytest.raises(LiaisonError, match="还联系着1名党员"):
            liaison.set_hub(session, hub, False)
        with pytest.raises(LiaisonError, match="本身是中心户"):
            liaison.assign_member_to_hub(session, hub, hub)
        other = village(session, "邻村")
        stranger = member(session, other, "外村人")
        with pytest.raises(LiaisonError, match="不是本村党员"):
            liaison.assign_member_to_hub(session, follower, stranger)


def test_hub_links_report_ranges(store):
    with store.session() as session:
        v = village(session)
        hub = member(session, v, "中心户", is_hub_household=True)
        crowd = members(session, v, 11)
        for m in crowd[:10]:
            liaison.assign_member_to_hub(session, m, hub)
        caused = liaison.assign_member_to_hub(session, crowd[10], hub)
        assert [(p.rule, p.kind, p.count) for p in caused] == [(LiaisonRule.HUB_MEMBERS, "high", 11)]
        # Back to 10: the hub is mended; the member now without a hub is what the change causes.
        caused = liaison.unassign_member_from_hub(session, crowd[10])
        assert [p.issue for p in caused] == ["1名党员未编入党员中心户：党员11"]


def proposal_village(session, member_count, household_count, loads=()):
    v = village(session)
    g = group(session, v)
    people = members(session, v, member_count, party_group_id=g)
    for person, load in zip(people, loads):
        households(session, v, load, liaison=person, start=1000 + person * 100)
    households(session, v, household_count)
    return v, people


@pytest.mark.parametrize("count, after, note", [
    (29, [10, 10, 9], "不够每人10户"),
    (30, [10, 10, 10], None),
    (45, [15, 15, 15], None),
    (46, [15, 15, 15], "还有1户未能安排"),
])
def test_suggest_at_the_edges_and_apply(store, count, after, note):
    with store.session() as session:
        v, people = proposal_village(session, 3, count)
        proposal = suggest_households(session, v, "1组")
        assert sorted((m.after for m in proposal.members), reverse=True) == after
        assert len(proposal.unassigned) == max(0, count - 45)
        if note:
            assert any(note in n for n in proposal.notes)
        else:
            assert proposal.notes == ()
        # Nothing is written until applied.
        held = select(func.count()).select_from(Household).where(Household.liaison_member_id.is_not(None))
        assert session.scalar(held) == 0
        liaison.apply_proposal(session, proposal)
        held = [session.scalar(select(func.count()).select_from(Household).where(Household.liaison_member_id == p))
                for p in people]
        assert sorted(held, reverse=True) == after
        in_range = sum(1 for n in held if 10 <= n <= 15)
        assert in_range == (2 if count == 29 else 3)


def test_suggest_keeps_neighbours_together_and_existing_links(store):
    with store.session() as session:
        v, people = proposal_village(session, 2, 20, loads=(12,))
        proposal = suggest_households(session, v, "1组")
        # 甲 has 12 already: 乙 is brought to 10 first, then both up to 15; 2 are left over.
        by_member = {m.member_id: m for m in proposal.members}
        assert (by_member[people[0]].after, by_member[people[1]].after) == (15, 15)
        assert len(proposal.unassigned) == 2 and any("还有2户未能安排" in n for n in proposal.notes)
        for m in proposal.members:
            numbers = sorted(m.new_household_ids)
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # one run of neighbours
        # With every household shared anew, a household stays with its member where the shares allow.
        everything = suggest_households(session, v, "1组", include_assigned=True)
        kept = set(everything.assignments[people[0]]) & set(
            session.scalars(select(Household.id).where(Household.liaison_member_id == people[0])))
        assert len(kept) == min(12, len(everything.assignments[people[0]]))


def test_suggest_leaves_out_members_who_cannot_liaise_and_says_so(store):
    with store.session() as session:
        v = village(session)
        g = group(session, v)
        member(session, v, "外出", category=MemberCategory.MIGRANT, party_group_id=g)
        member(session, v, "年老", category=MemberCategory.ELDERLY, party_group_id=g)
        households(session, v, 12)
        proposal = suggest_households(session, v, "1组")
        assert proposal.members == () and len(proposal.unassigned) == 12
        assert "没有可以联系农户的在家党员" in proposal.notes[0]


def test_a_stale_proposal_is_refused(store):
    with store.session() as session:
        v, people = proposal_village(session, 1, 10)
        proposal = suggest_households(session, v, "1组")
        first = session.scalar(select(Household).where(Household.villager_group == "1组").limit(1))
        first.liaison_member_id = people[0]
        session.flush()
        with pytest.raises(LiaisonError, match="请重新生成分配方案"):
            liaison.apply_proposal(session, proposal)


def test_sample_village_check_runs_and_every_problem_is_complete(sample_store):
    with sample_store.session() as session:
        v = session.scalar(select(Member.village_id).limit(1))
        check = check_liaison(session, v)
        assert sum(check.checked.values()) > 100
        for p in check.problems:
            assert p.subject and p.where and p.issue and p.advice and p.expected
