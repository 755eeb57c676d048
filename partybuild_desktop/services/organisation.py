"""The village's party organisation as the set-up screens edit it: party groups (党小组), grid branches
(网格党支部) with their committee members, and who is a 党员示范岗 or 党员中心户.

Session in, plain data out; a refused change raises ``OrganisationError`` (what, which field, what to
do, in Chinese) and writes nothing. Deleting is refused while anything still refers to the unit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services import liaison
from partybuild_desktop.services.village import village_row
from partybuild_desktop.store.models import (
    Grid,
    GridBranch,
    GridBranchMember,
    Member,
    PartyGroup,
    PointAward,
    PointYearMember,
)

MAX_NAME = 64
HUBS, MODEL_POSTS = "hubs", "model_posts"
KIND_LABEL = {HUBS: "党员中心户", MODEL_POSTS: "党员示范岗"}


class OrganisationError(Refusal):
    """A change to the organisation refused; the message says why and what to do, in Chinese."""


# ---------------------------------------------------------------------------------------- helpers


def _unit_name(name: str, what: str, example: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise OrganisationError(f"请填写{what}名称，例如“{example}”。")
    if len(name) > MAX_NAME:
        raise OrganisationError(f"{what}名称太长（{len(name)}个字），请不超过{MAX_NAME}个字。")
    return name


def _person(session: Session, village_id: int, member_id: int | None, role: str) -> int | None:
    """A member chosen for ``role``: of this village and not archived."""
    if member_id is None:
        return None
    member = village_row(session, Member, member_id, village_id)
    if member is None:
        raise OrganisationError(f"所选{role}不是本村党员，请重新选择。")
    if member.archived:
        raise OrganisationError(f"“{member.name}”已归档，不能担任{role}。请重新选择。")
    return member.id


def _new_or_existing(session: Session, model, row_id: int | None, village_id: int, what: str):
    """The village's row to save into: a new one, or the one with ``row_id`` (refused when it has gone)."""
    if row_id is None:
        row = model(village_id=village_id)
        session.add(row)
        return row
    row = village_row(session, model, row_id, village_id)
    if row is None:
        raise OrganisationError(f"找不到这个{what}，可能已被删除。请刷新后重试。")
    return row


def _names(session: Session, ids) -> dict[int, str]:
    ids = [i for i in set(ids) if i is not None]
    return dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all()) if ids else {}


# ---------------------------------------------------------------------------------------- choices


@dataclass(frozen=True)
class MemberChoice:
    """A member as the set-up screens offer them in a list."""

    id: int
    name: str
    party_group: str
    is_committee_member: bool
    is_hub_household: bool
    is_model_post: bool


def member_choices(session: Session, village_id: int) -> list[MemberChoice]:
    """The village's current members (not archived), by party group then as entered."""
    rows = session.execute(
        select(Member.id, Member.name, PartyGroup.name, Member.is_committee_member, Member.is_hub_household,
               Member.is_model_post)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village_id, Member.archived.is_(False))
        .order_by(PartyGroup.id.is_(None), PartyGroup.id, Member.id))
    return [MemberChoice(i, n, g or "", bool(c), bool(h), bool(p)) for i, n, g, c, h, p in rows]


# ---------------------------------------------------------------------------------------- party groups


@dataclass
class PartyGroupForm:
    name: str = ""
    villager_group: str | None = None  # 村民小组
    leader_id: int | None = None  # 党小组长
    grid_branch_id: int | None = None  # the 网格党支部 it belongs to
    branch_contact_id: int | None = None  # the 网格支部委员 who liaises with it


@dataclass(frozen=True)
class PartyGroupRow:
    id: int
    name: str
    villager_group: str | None
    leader_id: int | None
    leader: str
    grid_branch_id: int | None
    grid_branch: str
    branch_contact_id: int | None
    branch_contact: str
    member_count: int  # members in the group, archived ones included

    def form(self) -> PartyGroupForm:
        return PartyGroupForm(self.name, self.villager_group, self.leader_id, self.grid_branch_id,
                              self.branch_contact_id)


def list_party_groups(session: Session, village_id: int) -> list[PartyGroupRow]:
    groups = list(session.scalars(select(PartyGroup).where(PartyGroup.village_id == village_id).order_by(PartyGroup.id)))
    people = _names(session, [g.leader_id for g in groups] + [g.branch_contact_id for g in groups])
    branches = dict(session.execute(select(GridBranch.id, GridBranch.name).where(GridBranch.village_id == village_id)).all())
    counts = Counter(dict(session.execute(
        select(Member.party_group_id, func.count()).where(Member.village_id == village_id)
        .group_by(Member.party_group_id)).all()))
    return [PartyGroupRow(g.id, g.name, g.villager_group, g.leader_id, people.get(g.leader_id, ""), g.grid_branch_id,
                          branches.get(g.grid_branch_id, ""), g.branch_contact_id, people.get(g.branch_contact_id, ""),
                          counts.get(g.id, 0)) for g in groups]


def save_party_group(session: Session, village_id: int, form: PartyGroupForm,
                     party_group_id: int | None = None) -> int:
    """Create (``party_group_id`` None) or change a party group; returns its id."""
    name = _unit_name(form.name, "党小组", "第1党小组")
    villager_group = " ".join((form.villager_group or "").split()) or None
    if villager_group and len(villager_group) > MAX_NAME:
        raise OrganisationError(f"村民小组名称太长，请不超过{MAX_NAME}个字。")
    same = session.scalar(select(PartyGroup.id).where(PartyGroup.village_id == village_id, PartyGroup.name == name,
                                                      PartyGroup.id != (party_group_id or -1)))
    if same is not None:
        raise OrganisationError(f"本村已有“{name}”，请换一个名称。")
    if form.grid_branch_id is not None and village_row(session, GridBranch, form.grid_branch_id, village_id) is None:
        raise OrganisationError("所选网格党支部不属于本村，可能已被删除。请重新选择。")
    leader_id = _person(session, village_id, form.leader_id, "党小组长")
    contact_id = _person(session, village_id, form.branch_contact_id, "包挂的网格支部委员")
    group = _new_or_existing(session, PartyGroup, party_group_id, village_id, "党小组")
    group.name, group.villager_group, group.grid_branch_id = name, villager_group, form.grid_branch_id
    group.leader_id, group.branch_contact_id = leader_id, contact_id
    session.flush()
    return group.id


def delete_party_group(session: Session, village_id: int, party_group_id: int) -> None:
    """Remove a party group; refused while members (archived ones too) are in it."""
    group = village_row(session, PartyGroup, party_group_id, village_id)
    if group is None:
        raise OrganisationError("找不到这个党小组，可能已被删除。请刷新后重试。")
    active, archived = session.execute(
        select(func.count().filter(Member.archived.is_(False)), func.count().filter(Member.archived.is_(True)))
        .where(Member.party_group_id == group.id)).one()
    if active or archived:
        what = "、".join(part for part in (f"{active}名党员" if active else "",
                                            f"{archived}名已归档党员" if archived else "") if part)
        raise OrganisationError(f"“{group.name}”中还有{what}，不能删除。请先在党员信息中把他们编入其他党小组"
                                "（已归档的党员也要改），或保留这个党小组。")
    session.delete(group)


# ---------------------------------------------------------------------------------------- grid branches


@dataclass
class GridBranchForm:
    name: str = ""
    secretary_id: int | None = None  # 网格党支部书记
    committee_ids: tuple[int, ...] = ()  # 网格支部委员 besides the secretary
    committee_contact_id: int | None = None  # the 村党组织班子成员 who liaises with it


@dataclass(frozen=True)
class GridBranchRow:
    id: int
    name: str
    secretary_id: int | None
    secretary: str
    committee_ids: tuple[int, ...]
    committee: tuple[str, ...]
    committee_contact_id: int | None
    committee_contact: str
    party_groups: tuple[str, ...]
    grid_count: int

    def form(self) -> GridBranchForm:
        return GridBranchForm(self.name, self.secretary_id, self.committee_ids, self.committee_contact_id)


def list_grid_branches(session: Session, village_id: int) -> list[GridBranchRow]:
    branches = list(session.scalars(select(GridBranch).where(GridBranch.village_id == village_id).order_by(GridBranch.id)))
    ids = [b.id for b in branches]
    committee: dict[int, list[int]] = {b: [] for b in ids}
    for branch_id, member_id in session.execute(
            select(GridBranchMember.grid_branch_id, GridBranchMember.member_id)
            .join(Member, Member.id == GridBranchMember.member_id)
            .where(GridBranchMember.grid_branch_id.in_(ids)).order_by(Member.id)):
        committee[branch_id].append(member_id)
    people = _names(session, [b.secretary_id for b in branches] + [b.committee_contact_id for b in branches]
                    + [m for members in committee.values() for m in members])
    groups: dict[int, list[str]] = {b: [] for b in ids}
    for branch_id, name in session.execute(select(PartyGroup.grid_branch_id, PartyGroup.name).where(
            PartyGroup.grid_branch_id.in_(ids)).order_by(PartyGroup.id)):
        groups[branch_id].append(name)
    grids = Counter(dict(session.execute(select(Grid.grid_branch_id, func.count()).where(Grid.grid_branch_id.in_(ids))
                                         .group_by(Grid.grid_branch_id)).all()))
    return [GridBranchRow(b.id, b.name, b.secretary_id, people.get(b.secretary_id, ""), tuple(committee[b.id]),
                          tuple(people[m] for m in committee[b.id]), b.committee_contact_id,
                          people.get(b.committee_contact_id, ""), tuple(groups[b.id]), grids.get(b.id, 0))
            for b in branches]


def save_grid_branch(session: Session, village_id: int, form: GridBranchForm,
                     grid_branch_id: int | None = None) -> int:
    """Create or change a grid branch with its committee; returns its id. The 班子成员 who liaises with it
    must be on the village committee (设置 → 本村信息, or 班子成员 in the member's details)."""
    name = _unit_name(form.name, "网格党支部", "第一网格党支部")
    same = session.scalar(select(GridBranch.id).where(GridBranch.village_id == village_id, GridBranch.name == name,
                                                      GridBranch.id != (grid_branch_id or -1)))
    if same is not None:
        raise OrganisationError(f"本村已有“{name}”，请换一个名称。")
    secretary_id = _person(session, village_id, form.secretary_id, "网格党支部书记")
    committee = [_person(session, village_id, m, "网格支部委员") for m in dict.fromkeys(form.committee_ids)]
    committee = [m for m in committee if m != secretary_id]  # the secretary is on the committee anyway
    contact_id = _person(session, village_id, form.committee_contact_id, "包挂的村党组织班子成员")
    if contact_id is not None and not session.get(Member, contact_id).is_committee_member:
        contact = session.get(Member, contact_id)
        raise OrganisationError(f"“{contact.name}”不是村党组织班子成员，不能包挂网格党支部。请另选一名班子成员；"
                                "如已当选，请先在“设置 → 本村信息”中把他列入班子。")
    branch = _new_or_existing(session, GridBranch, grid_branch_id, village_id, "网格党支部")
    branch.name, branch.secretary_id, branch.committee_contact_id = name, secretary_id, contact_id
    session.flush()
    session.execute(delete(GridBranchMember).where(GridBranchMember.grid_branch_id == branch.id))
    session.add_all(GridBranchMember(grid_branch_id=branch.id, member_id=m) for m in committee)
    session.flush()
    return branch.id


def delete_grid_branch(session: Session, village_id: int, grid_branch_id: int) -> None:
    """Remove a grid branch (and its committee list); refused while party groups or grids belong to it,
    or a points year or award counts for it."""
    branch = village_row(session, GridBranch, grid_branch_id, village_id)
    if branch is None:
        raise OrganisationError("找不到这个网格党支部，可能已被删除。请刷新后重试。")
    used = []
    groups = session.scalars(select(PartyGroup.name).where(PartyGroup.grid_branch_id == branch.id)).all()
    if groups:
        used.append(f"{len(groups)}个党小组（{'、'.join(groups[:5])}{'等' if len(groups) > 5 else ''}）")
    grids = session.scalar(select(func.count()).select_from(Grid).where(Grid.grid_branch_id == branch.id))
    if grids:
        used.append(f"{grids}个网格")
    if used:
        raise OrganisationError(f"“{branch.name}”下还有{'、'.join(used)}，不能删除。"
                                "请先把它们改属其他网格党支部（党小组在“党小组”中修改，网格在“网格”页中修改）。")
    points = session.scalar(select(func.count()).select_from(PointAward).where(PointAward.grid_branch_id == branch.id))
    points += session.scalar(select(func.count()).select_from(PointYearMember).where(
        PointYearMember.grid_branch_id == branch.id))
    if points:
        raise OrganisationError(f"“{branch.name}”已有先锋榜积分记录（加减分或已结账年度），不能删除，"
                                "否则这些积分将无处可记。可以改名后继续使用。")
    session.execute(delete(GridBranchMember).where(GridBranchMember.grid_branch_id == branch.id))
    session.delete(branch)


# ---------------------------------------------------------------------------------------- 示范岗 and 中心户


@dataclass(frozen=True)
class MarkedRow:
    """A member who is a 中心户 (or 示范岗), with the members attached to them."""

    id: int
    name: str
    party_group: str
    attached: int  # members under this hub
    is_hub_household: bool
    is_model_post: bool


def _flag(kind: str) -> str:
    if kind not in KIND_LABEL:
        raise ValueError(f"unknown kind {kind!r}")
    return "is_hub_household" if kind == HUBS else "is_model_post"


def list_marked(session: Session, village_id: int, kind: str) -> list[MarkedRow]:
    column = getattr(Member, _flag(kind))
    attached = Counter(dict(session.execute(
        select(Member.hub_id, func.count()).where(Member.village_id == village_id, Member.hub_id.is_not(None),
                                                  Member.archived.is_(False)).group_by(Member.hub_id)).all()))
    rows = session.execute(
        select(Member.id, Member.name, PartyGroup.name, Member.is_hub_household, Member.is_model_post)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village_id, column.is_(True), Member.archived.is_(False))
        .order_by(PartyGroup.id, Member.id))
    return [MarkedRow(i, n, g or "", attached.get(i, 0), bool(h), bool(p)) for i, n, g, h, p in rows]


@dataclass(frozen=True)
class MarkOutcome:
    changed: tuple[str, ...]  # names of the members changed
    unchanged: tuple[str, ...] = field(default=())  # already so
    problems: tuple = field(default=())  # liaison problems the change causes (``liaison.LiaisonProblem``)


def mark_members(session: Session, village_id: int, kind: str, member_ids, on: bool = True) -> MarkOutcome:
    """Make several members 中心户 (``kind`` HUBS) or 示范岗 (MODEL_POSTS) at once, or end it (``on``
    False). Ending it is refused while members are still attached to the hub (move them first); the
    other flag of each member is left as it is."""
    flag = _flag(kind)
    label = KIND_LABEL[kind]
    ids = list(dict.fromkeys(member_ids))
    if not ids:
        raise OrganisationError(f"请先选择要{'设为' if on else '取消'}{label}的党员。")
    members = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))}
    if len(members) != len(ids) or any(m.village_id != village_id for m in members.values()):
        raise OrganisationError("有的党员已被删除或不属于本村，请刷新列表后重新选择。")
    changed, unchanged, problems = [], [], []
    for member_id in ids:
        member = members[member_id]
        if bool(getattr(member, flag)) == on:
            unchanged.append(member.name)
            continue
        hub = on if flag == "is_hub_household" else member.is_hub_household
        post = on if flag == "is_model_post" else member.is_model_post
        try:
            problems += liaison.set_hub(session, member.id, hub, post)
        except liaison.LiaisonError as error:
            raise OrganisationError(str(error)) from error
        changed.append(member.name)
    session.flush()
    seen, unique = set(), []
    for problem in problems:  # one change's problem may show again after the next
        if problem.key not in seen:
            seen.add(problem.key)
            unique.append(problem)
    return MarkOutcome(tuple(changed), tuple(unchanged), tuple(unique))
