"""The liaison pyramid (包挂联系): who liaises with whom, the check of every range, and a proposal that
spreads a villager group's households over its members at 10–15 each.

Where each link is stored:
  班子成员 → 网格党支部      GridBranch.committee_contact_id
  网格支部委员 → 党小组      PartyGroup.branch_contact_id
  党小组长 → 中心户/示范岗   PartyGroup.leader_id; the hubs are the hub households and model posts of
                             the groups the leader leads (the schema has no separate link)
  中心户/示范岗 → 党员       Member.hub_id
  党员 → 农户                Household.liaison_member_id

Every function that changes a link returns the problems the change causes (new ones, or old ones made
worse), so the window can show them at once; ``check_liaison`` lists all of them.

Who is expected to liaise with households: members at home and able to (not 流动党员, not 年老体弱党员
under 关爱管理, not lost contact, not suspended). They are flagged when they have none; anyone who does
liaise with households is held to 10–15.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.liaison import (
    MEMBER_HOUSEHOLDS,
    RANGES,
    LiaisonProblem,
    LiaisonRule,
    count_problem,
    coverage_problem,
    spread,
)
from partybuild_desktop.domain.vocabulary import MemberCategory, MembershipState
from partybuild_desktop.services.households import natural_key
from partybuild_desktop.services.village import village_row
from partybuild_desktop.store.models import GridBranch, GridBranchMember, Household, Member, PartyGroup, Village

NAMES_IN_A_PROBLEM = 12  # members named in one line before "等N名"


class LiaisonError(Refusal):
    """A link refused; the message says why and what to do, in Chinese."""


@dataclass(frozen=True)
class LiaisonCheck:
    problems: list[LiaisonProblem]
    checked: dict[LiaisonRule, int]  # how many people or units each rule looked at

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_rule(self) -> dict[LiaisonRule, list[LiaisonProblem]]:
        grouped: dict[LiaisonRule, list[LiaisonProblem]] = {rule: [] for rule in LiaisonRule}
        for problem in self.problems:
            grouped[problem.rule].append(problem)
        return grouped


# ---------------------------------------------------------------------------------------- the snapshot


@dataclass
class _Snapshot:
    """What the check needs of one village, read in a few queries."""

    village_name: str
    members: dict[int, object]
    groups: list
    branches: list
    households_of: Counter  # member id -> households liaised
    households_in_group: Counter  # villager group -> households
    unassigned_in_group: Counter  # villager group -> households without a (current) liaison member
    branch_committee: set = field(default_factory=set)  # 网格支部委员 listed under a grid branch


def _snapshot(session: Session, village_id: int) -> _Snapshot:
    village = session.get(Village, village_id)
    if village is None:
        raise LiaisonError("找不到这个村，请刷新后重试。")
    members = {r.id: r for r in session.execute(
        select(Member.id, Member.name, Member.party_group_id, Member.hub_id, Member.is_hub_household,
               Member.is_model_post, Member.is_committee_member, Member.archived, Member.category,
               Member.lost_contact, Member.membership_state)
        .where(Member.village_id == village_id).order_by(Member.id))}
    groups = session.execute(
        select(PartyGroup.id, PartyGroup.name, PartyGroup.villager_group, PartyGroup.leader_id,
               PartyGroup.branch_contact_id, PartyGroup.grid_branch_id)
        .where(PartyGroup.village_id == village_id).order_by(PartyGroup.id)).all()
    branches = session.execute(
        select(GridBranch.id, GridBranch.name, GridBranch.secretary_id, GridBranch.committee_contact_id)
        .where(GridBranch.village_id == village_id).order_by(GridBranch.id)).all()
    households_of: Counter = Counter()
    households_in_group: Counter = Counter()
    unassigned_in_group: Counter = Counter()
    for group, liaison, n in session.execute(
            select(Household.villager_group, Household.liaison_member_id, func.count())
            .where(Household.village_id == village_id)
            .group_by(Household.villager_group, Household.liaison_member_id)):
        households_in_group[group or ""] += n
        if liaison is not None:
            households_of[liaison] += n
        holder = members.get(liaison)
        if holder is None or holder.archived:
            unassigned_in_group[group or ""] += n
    branch_committee = set(session.scalars(
        select(GridBranchMember.member_id).join(GridBranch, GridBranch.id == GridBranchMember.grid_branch_id)
        .where(GridBranch.village_id == village_id)))
    return _Snapshot(village.name, members, groups, branches, households_of, households_in_group, unassigned_in_group,
                     branch_committee)


def _active(member) -> bool:
    return member is not None and not member.archived


def can_liaise(member) -> bool:
    """Whether a member is expected to liaise with households (see the module's note)."""
    return (_active(member) and not member.lost_contact and member.membership_state is MembershipState.NORMAL
            and member.category not in (MemberCategory.MIGRANT, MemberCategory.ELDERLY))


def _is_hub(member) -> bool:
    return _active(member) and (member.is_hub_household or member.is_model_post)


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_IN_A_PROBLEM])
    return shown + (f"等{len(names)}名" if len(names) > NAMES_IN_A_PROBLEM else "")


def _gone(member) -> str:
    if member.archived:
        return "已归档（转出、去世或离开）"
    if member.lost_contact:
        return "已失去联系"
    return "已停止党籍"


# ---------------------------------------------------------------------------------------- the check


def check_liaison(session: Session, village_id: int) -> LiaisonCheck:
    """Every link, person and unit of the village outside its range, with where and what to do."""
    return _check(_snapshot(session, village_id))


def _check(s: _Snapshot) -> LiaisonCheck:
    problems: list[LiaisonProblem] = []
    checked: Counter = Counter()
    members = s.members
    group_name = {g.id: g.name for g in s.groups}

    def where_of(member) -> str:
        return group_name.get(member.party_group_id, "未编入党小组")

    def other(rule, kind, subject_kind, subject_id, subject, where, issue, advice, count=None):
        problems.append(LiaisonProblem(rule, kind, subject_kind, subject_id, subject, where, count, RANGES[rule].text,
                                       issue, advice))

    # 1. 班子成员 → 网格党支部 (1–2 each); every grid branch has one.
    rule = LiaisonRule.COMMITTEE_BRANCHES
    branches_of: dict[int, list] = defaultdict(list)
    for b in s.branches:
        checked[rule] += 1
        contact = members.get(b.committee_contact_id)
        if contact is None:
            other(rule, "missing", "grid_branch", b.id, b.name, s.village_name, "没有包挂的村党组织班子成员",
                  "请指定一名村党组织班子成员包挂这个网格党支部。")
        elif not _active(contact) or contact.lost_contact:
            other(rule, "gone", "grid_branch", b.id, b.name, s.village_name,
                  f"包挂的班子成员{contact.name}{_gone(contact)}",
                  "请改由其他班子成员包挂。")
        else:
            branches_of[contact.id].append(b)
            if not contact.is_committee_member:
                other(rule, "not_committee", "member", contact.id, contact.name, b.name,
                      "包挂网格党支部，但不是村党组织班子成员",
                      "请改由班子成员包挂；如已当选，请在党员信息中勾选“本人是村党组织班子成员”。")
    committee = [m for m in members.values() if _active(m) and m.is_committee_member]
    short_of_branches = len(s.branches) < len(committee)
    for m in committee + [members[i] for i in branches_of if not members[i].is_committee_member]:
        checked[rule] += 1
        advice_low = ""
        if short_of_branches:
            advice_low = (f"本村网格党支部{len(s.branches)}个、班子成员{len(committee)}名，每个网格党支部登记一名包挂"
                          "班子成员，不能人人包挂；请确认分工，确无网格党支部可包挂的可不处理。")
        found = count_problem(rule, "member", m.id, m.name, "村党组织班子", len(branches_of.get(m.id, [])),
                              advice_low=advice_low)
        if found:
            problems.append(found)

    # 2. 网格支部委员 → 党小组 (1–2 each); every party group has one.
    rule = LiaisonRule.BRANCH_GROUPS
    groups_of: dict[int, list] = defaultdict(list)
    for g in s.groups:
        checked[rule] += 1
        contact = members.get(g.branch_contact_id)
        if contact is None:
            other(rule, "missing", "party_group", g.id, g.name, s.village_name, "没有包挂的网格支部委员",
                  "请指定一名网格支部委员包挂这个党小组。")
        elif not _active(contact) or contact.lost_contact:
            other(rule, "gone", "party_group", g.id, g.name, s.village_name,
                  f"包挂的支部委员{contact.name}{_gone(contact)}",
                  "请改由其他网格支部委员包挂。")
        else:
            groups_of[contact.id].append(g)
    # Every grid branch's secretary and committee member is expected to liaise with 1–2 party groups.
    committee = {b.secretary_id for b in s.branches} | s.branch_committee
    committee = {m for m in committee if _active(members.get(m))}
    for member_id in sorted(set(groups_of) | committee):
        checked[rule] += 1
        m = members[member_id]
        found = count_problem(rule, "member", m.id, m.name, where_of(m), len(groups_of.get(member_id, [])))
        if found:
            problems.append(found)

    # 3. 党小组长 → 中心户 / 示范岗 (2–5); every group has a leader, every hub a leader over it.
    rule = LiaisonRule.LEADER_HUBS
    hubs_in_group: dict[int | None, list] = defaultdict(list)
    for m in members.values():
        if _is_hub(m):
            hubs_in_group[m.party_group_id].append(m)
    led: dict[int, list] = defaultdict(list)
    for g in s.groups:
        checked[rule] += 1
        leader = members.get(g.leader_id)
        if leader is None:
            other(rule, "missing", "party_group", g.id, g.name, s.village_name, "没有党小组长", "请确定党小组长。")
        elif not _active(leader) or leader.lost_contact:
            other(rule, "gone", "party_group", g.id, g.name, s.village_name, f"党小组长{leader.name}{_gone(leader)}",
                  "请重新确定党小组长。")
        else:
            led[leader.id].append(g)
    for leader_id, groups in led.items():
        checked[rule] += 1
        leader = members[leader_id]
        hubs = [h for g in groups for h in hubs_in_group.get(g.id, [])]
        where = "、".join(g.name for g in groups)
        found = count_problem(rule, "member", leader.id, leader.name, where, len(hubs))
        if found:
            problems.append(found)
    loose = hubs_in_group.get(None, [])
    if loose:
        other(rule, "no_group", "members", "no_group", _names([m.name for m in loose]), s.village_name,
              f"{len(loose)}户中心户（示范岗）未编入党小组，没有党小组长联系", "请在党员信息中为其选择党小组。",
              len(loose))

    # 4. 中心户 / 示范岗 → 党员 (5–10); every member under a hub.
    rule = LiaisonRule.HUB_MEMBERS
    attached: dict[int, list] = defaultdict(list)
    unattached: dict[int | None, list] = defaultdict(list)
    for m in members.values():
        if not _active(m) or _is_hub(m):
            continue
        hub = members.get(m.hub_id)
        if m.hub_id is None:
            unattached[m.party_group_id].append(m)
        elif not _is_hub(hub):
            what = "已归档" if hub is None or hub.archived else "已不是中心户（示范岗）"
            other(rule, "gone", "member", m.id, m.name, where_of(m), f"所属中心户{hub.name if hub else ''}{what}",
                  "请把这名党员改挂到本组其他中心户（示范岗）。")
        else:
            attached[hub.id].append(m)
    for hubs in hubs_in_group.values():
        for hub in hubs:
            checked[rule] += 1
            found = count_problem(rule, "member", hub.id, hub.name, where_of(hub), len(attached.get(hub.id, [])))
            if found:
                problems.append(found)
    for group_id, loose_members in unattached.items():
        names = [m.name for m in loose_members]
        other(rule, "missing", "party_group", group_id, group_name.get(group_id, "未编入党小组"), s.village_name,
              f"{len(names)}名党员未编入党员中心户：{_names(names)}", "请把他们挂到本组的中心户（示范岗）。",
              len(names))

    # 5. 党员 → 农户 (10–15); every household has a member.
    rule = LiaisonRule.MEMBER_HOUSEHOLDS
    for m in members.values():
        count = s.households_of.get(m.id, 0)
        if count and (not _active(m) or m.lost_contact or m.membership_state is not MembershipState.NORMAL):
            checked[rule] += 1
            other(rule, "gone", "member", m.id, m.name, where_of(m), f"{_gone(m)}，仍登记联系{count}户",
                  "请把这些农户改由本组在家党员联系（在“网格 → 包挂联系”页选村民小组，勾选“重新分配本组全部农户”，"
                  "点“建议分配”，核对后点“按建议分配”）。", count)
            continue
        if not count and not can_liaise(m):
            continue  # not expected to, and does not
        checked[rule] += 1
        found = count_problem(rule, "member", m.id, m.name, where_of(m), count)
        if found:
            problems.append(found)
    for group, n in sorted(s.unassigned_in_group.items(), key=lambda item: natural_key(item[0])):
        label = group or "未填村民小组"
        other(rule, "missing", "villager_group", group, label, s.village_name, f"{n}户没有联系党员",
              "请为这些农户确定联系党员（在“网格 → 包挂联系”页选村民小组，点“建议分配”，核对后点“按建议分配”）。", n)

    # 6. One hub household per 10–15 households, per villager group.
    rule = LiaisonRule.HUB_COVERAGE
    hubs_by_villager_group: Counter = Counter()
    groups_by_villager_group: dict[str, list[str]] = defaultdict(list)
    for g in s.groups:
        if g.villager_group:
            hubs = hubs_in_group.get(g.id, [])
            hubs_by_villager_group[g.villager_group] += sum(1 for h in hubs if h.is_hub_household)
            groups_by_villager_group[g.villager_group].append(g.name)
    for group, n in sorted(s.households_in_group.items(), key=lambda item: natural_key(item[0])):
        if not group:
            continue
        checked[rule] += 1
        where = "、".join(groups_by_villager_group.get(group, [])) or "没有对应的党小组"
        found = coverage_problem(group, where, n, hubs_by_villager_group.get(group, 0))
        if found:
            problems.append(found)

    order = {rule: i for i, rule in enumerate(LiaisonRule)}
    problems.sort(key=lambda p: (order[p.rule], natural_key(p.where), natural_key(p.subject)))
    return LiaisonCheck(problems, {rule: checked.get(rule, 0) for rule in LiaisonRule})


def _caused(before: LiaisonCheck, after: LiaisonCheck) -> list[LiaisonProblem]:
    """Problems after a change that were not there before, or are now worse."""
    old = {p.key: p for p in before.problems}
    return [p for p in after.problems if p.key not in old or p.worse_than(old[p.key])]


class _Change:
    """``with _Change(session, village_id) as change: ...`` then ``change.caused``."""

    def __init__(self, session: Session, village_id: int):
        self.session, self.village_id = session, village_id
        self.caused: list[LiaisonProblem] = []

    def __enter__(self):
        self.before = check_liaison(self.session, self.village_id)
        return self

    def __exit__(self, kind, error, tb):
        if kind is None:
            self.session.flush()
            self.caused = _caused(self.before, check_liaison(self.session, self.village_id))
        return False


# ---------------------------------------------------------------------------------------- links


def _member(session: Session, member_id: int, village_id: int, role: str) -> Member:
    member = village_row(session, Member, member_id, village_id)
    if member is None:
        raise LiaisonError(f"所选{role}不是本村党员，请重新选择。")
    if member.archived:
        raise LiaisonError(f"“{member.name}”已归档，不能再担任{role}。")
    return member


def _branch(session: Session, grid_branch_id: int) -> GridBranch:
    branch = session.get(GridBranch, grid_branch_id)
    if branch is None:
        raise LiaisonError("找不到这个网格党支部，可能已被删除。请刷新后重试。")
    return branch


def _group(session: Session, party_group_id: int) -> PartyGroup:
    group = session.get(PartyGroup, party_group_id)
    if group is None:
        raise LiaisonError("找不到这个党小组，可能已被删除。请刷新后重试。")
    return group


def assign_branch_contact(session: Session, grid_branch_id: int, member_id: int) -> list[LiaisonProblem]:
    """A 村党组织班子成员 liaises with this grid branch (1–2 branches each)."""
    branch = _branch(session, grid_branch_id)
    member = _member(session, member_id, branch.village_id, "包挂网格党支部的班子成员")
    if not member.is_committee_member:
        raise LiaisonError(f"“{member.name}”不是村党组织班子成员，不能包挂网格党支部。"
                           "如已当选，请先在党员信息中勾选“本人是村党组织班子成员”。")
    return _link(session, branch, "committee_contact_id", member.id)


def _link(session: Session, unit, attribute: str, member_id: int | None) -> list[LiaisonProblem]:
    """Set one liaison link of a branch or party group; the problems the change causes."""
    with _Change(session, unit.village_id) as change:
        setattr(unit, attribute, member_id)
    return change.caused


def unassign_branch_contact(session: Session, grid_branch_id: int) -> list[LiaisonProblem]:
    branch = _branch(session, grid_branch_id)
    return _link(session, branch, "committee_contact_id", None)


def assign_group_contact(session: Session, party_group_id: int, member_id: int) -> list[LiaisonProblem]:
    """A 网格支部委员 liaises with this party group (1–2 groups each)."""
    group = _group(session, party_group_id)
    member = _member(session, member_id, group.village_id, "包挂党小组的网格支部委员")
    return _link(session, group, "branch_contact_id", member.id)


def unassign_group_contact(session: Session, party_group_id: int) -> list[LiaisonProblem]:
    group = _group(session, party_group_id)
    return _link(session, group, "branch_contact_id", None)


def assign_group_leader(session: Session, party_group_id: int, member_id: int) -> list[LiaisonProblem]:
    """The party group's leader, who liaises with its hub households and model posts (2–5)."""
    group = _group(session, party_group_id)
    member = _member(session, member_id, group.village_id, "党小组长")
    return _link(session, group, "leader_id", member.id)


def unassign_group_leader(session: Session, party_group_id: int) -> list[LiaisonProblem]:
    group = _group(session, party_group_id)
    return _link(session, group, "leader_id", None)


def set_hub(session: Session, member_id: int, is_hub_household: bool,
            is_model_post: bool = False) -> list[LiaisonProblem]:
    """Make a member a 党员中心户 and/or 党员示范岗, or neither. Ending it is refused while members are
    still attached (move them first, so nobody is left without a hub by accident)."""
    member = session.get(Member, member_id)
    if member is None:
        raise LiaisonError("找不到这名党员，可能已被删除。")
    if member.archived and (is_hub_household or is_model_post):
        raise LiaisonError(f"“{member.name}”已归档，不能担任中心户或示范岗。")
    if not (is_hub_household or is_model_post):
        attached = session.scalar(select(func.count()).select_from(Member).where(
            Member.hub_id == member_id, Member.archived.is_(False)))
        if attached:
            raise LiaisonError(f"“{member.name}”还联系着{attached}名党员，请先把他们改挂到其他中心户（示范岗），"
                               "再取消。")
    with _Change(session, member.village_id) as change:
        member.is_hub_household, member.is_model_post = bool(is_hub_household), bool(is_model_post)
        if is_hub_household or is_model_post:
            member.hub_id = None  # a hub answers to its party group leader, not to another hub
    return change.caused


def assign_member_to_hub(session: Session, member_id: int, hub_id: int) -> list[LiaisonProblem]:
    """Attach a member to a hub household or model post (5–10 members each)."""
    member = session.get(Member, member_id)
    if member is None:
        raise LiaisonError("找不到这名党员，可能已被删除。")
    hub = _member(session, hub_id, member.village_id, "党员中心户（示范岗）")
    if member.archived:
        raise LiaisonError(f"“{member.name}”已归档，不用再编入中心户。")
    if hub.id == member.id or member.is_hub_household or member.is_model_post:
        raise LiaisonError(f"“{member.name}”本身是中心户（示范岗），由党小组长联系，不再编入其他中心户。")
    if not (hub.is_hub_household or hub.is_model_post):
        raise LiaisonError(f"“{hub.name}”还不是党员中心户或党员示范岗。请先把他设为中心户（示范岗）。")
    return _link(session, member, "hub_id", hub.id)


def unassign_member_from_hub(session: Session, member_id: int) -> list[LiaisonProblem]:
    member = session.get(Member, member_id)
    if member is None:
        raise LiaisonError("找不到这名党员，可能已被删除。")
    return _link(session, member, "hub_id", None)


def _households(session: Session, household_ids, village_id: int) -> list[Household]:
    ids = list(dict.fromkeys(household_ids))
    found = list(session.scalars(select(Household).where(Household.id.in_(ids)))) if ids else []
    if len(found) != len(ids) or any(h.village_id != village_id for h in found):
        raise LiaisonError("有的农户已被删除或不属于本村，请刷新列表后重新选择。")
    return found


def assign_households(session: Session, member_id: int, household_ids) -> list[LiaisonProblem]:
    """The member liaises with these households (联户, 10–15 each); they leave whoever had them."""
    member = session.get(Member, member_id)
    if member is None:
        raise LiaisonError("找不到这名党员，可能已被删除。")
    _member(session, member_id, member.village_id, "联系农户的党员")
    households = _households(session, household_ids, member.village_id)
    with _Change(session, member.village_id) as change:
        for h in households:
            h.liaison_member_id = member.id
    return change.caused


def unassign_households(session: Session, household_ids) -> list[LiaisonProblem]:
    ids = list(household_ids)
    if not ids:
        return []
    first = session.get(Household, ids[0])
    if first is None:
        raise LiaisonError("有的农户已被删除，请刷新列表后重新选择。")
    households = _households(session, ids, first.village_id)
    with _Change(session, first.village_id) as change:
        for h in households:
            h.liaison_member_id = None
    return change.caused


# ---------------------------------------------------------------------------------------- the proposal


@dataclass(frozen=True)
class ProposedMember:
    member_id: int
    name: str
    before: int  # households liaised now (in any villager group)
    after: int  # households liaised once the proposal is applied
    new_household_ids: tuple[int, ...]  # households this member takes over


@dataclass(frozen=True)
class HouseholdProposal:
    """Which member should liaise with which households of one villager group. Nothing is written until
    ``apply_proposal``."""

    village_id: int
    villager_group: str
    include_assigned: bool  # False: only households without a liaison member were shared out
    members: tuple[ProposedMember, ...]
    assignments: dict[int, tuple[int, ...]]  # member id -> every household of this group it will liaise with
    unassigned: tuple[int, ...]  # households nobody could take; applying leaves them as they are
    notes: tuple[str, ...]  # what could not be kept, in Chinese
    expected: dict[int, int | None] = field(default_factory=dict)  # household -> liaison when proposed

    @property
    def changes(self) -> int:
        return sum(len(m.new_household_ids) for m in self.members)


def suggest_households(session: Session, village_id: int, villager_group: str,
                       include_assigned: bool = False) -> HouseholdProposal:
    """Spread the villager group's households without a liaison member (``include_assigned``: all of its
    households) over the group's members who can liaise, 10–15 each, never breaking a range that could
    be kept. Neighbouring addresses go to the same member; with ``include_assigned`` a household stays
    with its member wherever the shares allow."""
    villager_group = (villager_group or "").strip()
    group_ids = set(session.scalars(select(PartyGroup.id).where(
        PartyGroup.village_id == village_id, PartyGroup.villager_group == villager_group)))
    snapshot = _snapshot(session, village_id)
    people = [m for m in snapshot.members.values() if m.party_group_id in group_ids and can_liaise(m)]
    addresses = dict(session.execute(
        select(Member.id, Member.address).where(Member.id.in_([m.id for m in people]))).all())
    people.sort(key=lambda m: (natural_key(addresses.get(m.id)), m.id))
    households = session.execute(
        select(Household.id, Household.address, Household.liaison_member_id)
        .where(Household.village_id == village_id, Household.villager_group == villager_group)).all()
    households = sorted(households, key=lambda h: (natural_key(h.address), h.id))
    expected = {h.id: h.liaison_member_id for h in households}

    def unheld(h) -> bool:
        holder = snapshot.members.get(h.liaison_member_id)
        return holder is None or holder.archived

    pool = [h for h in households if include_assigned or unheld(h)]
    in_pool = {h.id for h in pool}
    held_in_pool: dict[int, list[int]] = defaultdict(list)
    for h in pool:
        if h.liaison_member_id is not None:
            held_in_pool[h.liaison_member_id].append(h.id)
    # What each member keeps whatever happens: households outside the pool.
    loads = [snapshot.households_of.get(m.id, 0) - len(held_in_pool.get(m.id, [])) for m in people]

    notes: list[str] = []
    shares = spread(loads, len(pool))
    # Who gets which households: first their own (with include_assigned), then runs of neighbours.
    taken: set[int] = set()
    chosen: dict[int, list[int]] = {}
    for person, share in zip(people, shares.shares):
        own = held_in_pool.get(person.id, [])[:share]
        chosen[person.id] = list(own)
        taken.update(own)
    free = [h.id for h in pool if h.id not in taken]
    position = 0
    for person, share in zip(people, shares.shares):
        need = share - len(chosen[person.id])
        chosen[person.id] += free[position:position + need]
        position += need
    left = free[position:]

    members_out = []
    assignments = {}
    for person, load in zip(people, loads):
        ids = chosen[person.id]
        new = tuple(i for i in ids if expected.get(i) != person.id)
        before = snapshot.households_of.get(person.id, 0)
        after = load + len(ids)
        members_out.append(ProposedMember(person.id, person.name, before, after, new))
        kept_outside_pool = [h.id for h in households if h.liaison_member_id == person.id and h.id not in in_pool]
        assignments[person.id] = tuple(sorted(set(ids) | set(kept_outside_pool)))

    low, high = MEMBER_HOUSEHOLDS.low, MEMBER_HOUSEHOLDS.high
    what = "本组全部农户" if include_assigned else "本组没有联系党员的农户"
    if not people:
        notes.append(f"{villager_group}没有可以联系农户的在家党员（流动党员、年老体弱党员、失联和停止党籍的党员不安排联户），"
                     "请先在党员信息中确认党员所在党小组，或从邻近村民小组调配。")
    elif not pool:
        notes.append(f"{what}：没有需要分配的农户。")
    if people and shares.short:
        names = [people[i].name for i in shares.short]
        notes.append(f"{what}共{len(pool)}户，在家党员{len(people)}名，不够每人{low}户："
                     f"已尽量让更多党员达到{low}户，{_names(names)}仍少于{low}户。"
                     f"可让他们联系邻近村民小组的农户，或请其他党员少联系几户。")
    if people and shares.left_over:
        notes.append(f"在家党员{len(people)}名每人最多联系{high}户，还有{shares.left_over}户未能安排，"
                     "请从邻近村民小组调配党员联系，或确认本组是否还有在家党员。")
    over = [m.name for m, load in zip(people, loads) if load > high]
    if over:
        notes.append(f"{_names(over)}已联系超过{high}户，本次没有再安排。")
    return HouseholdProposal(village_id, villager_group, include_assigned, tuple(members_out), assignments,
                             tuple(left), tuple(notes), expected)


def apply_proposal(session: Session, proposal: HouseholdProposal) -> list[LiaisonProblem]:
    """Write a proposal; refused when the households changed since it was made (make a new one)."""
    ids = list(proposal.expected)
    current = dict(session.execute(
        select(Household.id, Household.liaison_member_id).where(Household.id.in_(ids))).all()) if ids else {}
    changed = [i for i in ids if i not in current or current[i] != proposal.expected[i]]
    if changed:
        raise LiaisonError(f"生成方案之后，{proposal.villager_group}有{len(changed)}户的联系党员已有变化，"
                           "请重新生成分配方案。")
    targets = {hid: member_id for member_id, hids in proposal.assignments.items() for hid in hids}
    with _Change(session, proposal.village_id) as change:
        # Households nobody in the proposal could take keep whoever liaises with them now.
        rows = [dict(id=hid, liaison_member_id=member_id) for hid, member_id in targets.items()
                if current.get(hid) != member_id]
        if rows:
            session.execute(update(Household), rows)
    return change.caused
