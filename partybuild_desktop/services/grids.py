"""Grids (村级 / 组级 / 户级) with their leaders and workers, and the party organisation over them.

Session in, plain frozen dataclasses out; a refused change raises ``GridError`` whose message says what
is wrong and what to do, in Chinese. Nothing here commits: the caller's session does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.phone import check_phone
from partybuild_desktop.domain.text import clean_name
from partybuild_desktop.domain.vocabulary import GridLevel, GridRole
from partybuild_desktop.services.village import village_row
from partybuild_desktop.store.models import Grid, GridBranch, GridStaff, Household, Member, PartyGroup

# The level a grid's parent must have (None: a top-level grid).
PARENT_LEVEL = {
    GridLevel.VILLAGE: None,
    GridLevel.GROUP: GridLevel.VILLAGE,
    GridLevel.HOUSEHOLD: GridLevel.GROUP,
}
LEVEL_ORDER = {GridLevel.VILLAGE: 0, GridLevel.GROUP: 1, GridLevel.HOUSEHOLD: 2}


class GridError(Refusal):
    """A change refused; the message says why and what to do, in Chinese."""


# ---------------------------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class StaffRow:
    id: int
    grid_id: int
    role: GridRole
    member_id: int | None  # None: a worker who is not a party member
    name: str
    phone: str | None
    duties: str | None

    @property
    def is_member(self) -> bool:
        return self.member_id is not None


@dataclass(frozen=True)
class GridNode:
    id: int
    parent_id: int | None
    level: GridLevel
    name: str
    area: str | None
    grid_branch_id: int | None
    grid_branch: str  # the grid branch's name, "" when none
    staff: tuple[StaffRow, ...]  # 网格长 first, then 网格员, in the order added
    children: tuple["GridNode", ...]
    member_count: int  # active members of this grid and of every grid under it
    household_count: int  # households of this grid and of every grid under it
    own_member_count: int = 0  # those whose grid is this one itself
    own_household_count: int = 0

    @property
    def leader(self) -> StaffRow | None:
        return next((s for s in self.staff if s.role is GridRole.LEADER), None)

    @property
    def workers(self) -> tuple[StaffRow, ...]:
        return tuple(s for s in self.staff if s.role is GridRole.WORKER)

    def walk(self):
        """This grid and every grid under it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    phone: str | None


@dataclass(frozen=True)
class HubNode:
    """A 党员中心户 or 党员示范岗 and the members attached to it."""

    member_id: int
    name: str
    phone: str | None
    is_model_post: bool  # 党员示范岗 rather than a hub household
    party_group_id: int | None
    members: tuple[PersonRef, ...]
    households: int  # households the hub member liaises with personally


@dataclass(frozen=True)
class PartyGroupNode:
    id: int
    name: str
    villager_group: str | None
    grid_branch_id: int | None
    leader: PersonRef | None
    branch_contact: PersonRef | None  # 网格支部委员 who liaises with this group
    hubs: tuple[HubNode, ...]
    member_count: int  # active members of the group


@dataclass(frozen=True)
class GridBranchNode:
    id: int
    name: str
    secretary: PersonRef | None
    committee_contact: PersonRef | None  # 村党组织班子成员 who liaises with this branch
    party_groups: tuple[PartyGroupNode, ...]
    grid_ids: tuple[int, ...]  # grids set up under this branch


@dataclass(frozen=True)
class Organisation:
    """The village's grid work in one piece: grids, grid branches, party groups, hub households."""

    grids: tuple[GridNode, ...]  # top-level grids, each with its children
    grid_branches: tuple[GridBranchNode, ...]
    loose_party_groups: tuple[PartyGroupNode, ...]  # party groups under no grid branch

    def all_grids(self) -> list[GridNode]:
        return [node for root in self.grids for node in root.walk()]

    def all_party_groups(self) -> list[PartyGroupNode]:
        return [g for b in self.grid_branches for g in b.party_groups] + list(self.loose_party_groups)


# ---------------------------------------------------------------------------------------- reading


def grid_tree(session: Session, village_id: int) -> list[GridNode]:
    """The village's grids as a tree: top-level grids first, children in the order they were made."""
    grids = session.execute(
        select(Grid.id, Grid.parent_id, Grid.level, Grid.name, Grid.area, Grid.grid_branch_id, GridBranch.name)
        .outerjoin(GridBranch, GridBranch.id == Grid.grid_branch_id)
        .where(Grid.village_id == village_id).order_by(Grid.id)
    ).all()
    staff_by_grid: dict[int, list[StaffRow]] = defaultdict(list)
    for s in session.execute(
        select(GridStaff.id, GridStaff.grid_id, GridStaff.role, GridStaff.member_id, GridStaff.name,
               GridStaff.phone, GridStaff.duties)
        .join(Grid, Grid.id == GridStaff.grid_id).where(Grid.village_id == village_id).order_by(GridStaff.id)
    ):
        staff_by_grid[s.grid_id].append(StaffRow(*s))
    members = Counter(dict(session.execute(
        select(Member.grid_id, func.count()).where(Member.village_id == village_id, Member.archived.is_(False),
                                                   Member.grid_id.is_not(None)).group_by(Member.grid_id)).all()))
    households = Counter(dict(session.execute(
        select(Household.grid_id, func.count()).where(Household.village_id == village_id,
                                                      Household.grid_id.is_not(None)).group_by(Household.grid_id)).all()))
    children: dict[int | None, list] = defaultdict(list)
    for g in grids:
        children[g.parent_id].append(g)
    known = {g.id for g in grids}

    def build(g) -> GridNode:
        # A grid counts what lies in the grids under it too: a 村级 grid's figures are the village's.
        staff = sorted(staff_by_grid.get(g.id, []), key=lambda s: (s.role is not GridRole.LEADER, s.id))
        below = tuple(build(c) for c in children.get(g.id, []))
        own_members, own_households = members.get(g.id, 0), households.get(g.id, 0)
        return GridNode(
            id=g.id, parent_id=g.parent_id, level=g.level, name=g.name, area=g.area, grid_branch_id=g.grid_branch_id,
            grid_branch=g[6] or "", staff=tuple(staff), children=below,
            member_count=own_members + sum(c.member_count for c in below),
            household_count=own_households + sum(c.household_count for c in below),
            own_member_count=own_members, own_household_count=own_households,
        )

    roots = [g for g in grids if g.parent_id is None or g.parent_id not in known]
    roots.sort(key=lambda g: (LEVEL_ORDER[g.level], g.id))
    return [build(g) for g in roots]


def find_grid(session: Session, village_id: int, name: str) -> int:
    """The id of the grid called ``name`` (as typed on the command line); GridError when none or unclear."""
    wanted = (name or "").strip()
    rows = session.execute(select(Grid.id, Grid.name).where(Grid.village_id == village_id)).all()
    exact = [r.id for r in rows if r.name == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = [r for r in rows if wanted and wanted in r.name]
    if len(partial) == 1:
        return partial[0].id
    if not rows:
        raise GridError("本村还没有划分网格，请先在“网格”中建立网格。")
    names = "、".join(r.name for r in (partial or rows)[:20])
    if partial:
        raise GridError(f"有多个网格的名称含“{wanted}”：{names}。请写出完整的网格名称。")
    raise GridError(f"本村没有名为“{wanted}”的网格。现有网格：{names}。")


def organisation(session: Session, village_id: int) -> Organisation:
    """Grids, grid branches, party groups and hub households of the village, in a handful of queries."""
    people = {r.id: r for r in session.execute(
        select(Member.id, Member.name, Member.mobile, Member.landline, Member.party_group_id, Member.hub_id,
               Member.is_hub_household, Member.is_model_post, Member.archived)
        .where(Member.village_id == village_id).order_by(Member.id))}

    def ref(member_id: int | None) -> PersonRef | None:
        person = people.get(member_id)
        return PersonRef(person.id, person.name, person.mobile or person.landline) if person else None

    households_of = Counter(dict(session.execute(
        select(Household.liaison_member_id, func.count()).where(Household.village_id == village_id,
                                                                Household.liaison_member_id.is_not(None))
        .group_by(Household.liaison_member_id)).all()))
    attached: dict[int, list[PersonRef]] = defaultdict(list)
    members_in_group: Counter = Counter()
    hubs_in_group: dict[int | None, list[HubNode]] = defaultdict(list)
    active = [p for p in people.values() if not p.archived]
    for p in active:
        members_in_group[p.party_group_id] += 1
        if p.hub_id is not None:
            attached[p.hub_id].append(ref(p.id))
    for p in active:
        if p.is_hub_household or p.is_model_post:
            hubs_in_group[p.party_group_id].append(HubNode(
                p.id, p.name, p.mobile or p.landline, bool(p.is_model_post and not p.is_hub_household),
                p.party_group_id, tuple(attached.get(p.id, [])), households_of.get(p.id, 0)))

    groups_by_branch: dict[int | None, list[PartyGroupNode]] = defaultdict(list)
    for g in session.scalars(select(PartyGroup).where(PartyGroup.village_id == village_id).order_by(PartyGroup.id)):
        groups_by_branch[g.grid_branch_id].append(PartyGroupNode(
            g.id, g.name, g.villager_group, g.grid_branch_id, ref(g.leader_id), ref(g.branch_contact_id),
            tuple(hubs_in_group.get(g.id, [])), members_in_group.get(g.id, 0)))
    grids_of_branch: dict[int, list[int]] = defaultdict(list)
    for grid_id, branch_id in session.execute(
            select(Grid.id, Grid.grid_branch_id).where(Grid.village_id == village_id).order_by(Grid.id)):
        if branch_id is not None:
            grids_of_branch[branch_id].append(grid_id)
    branches = tuple(
        GridBranchNode(b.id, b.name, ref(b.secretary_id), ref(b.committee_contact_id),
                       tuple(groups_by_branch.get(b.id, [])), tuple(grids_of_branch.get(b.id, [])))
        for b in session.scalars(select(GridBranch).where(GridBranch.village_id == village_id).order_by(GridBranch.id))
    )
    known = {b.id for b in branches}
    loose = tuple(g for branch_id, groups in groups_by_branch.items() if branch_id not in known for g in groups)
    return Organisation(tuple(grid_tree(session, village_id)), branches, loose)


# ---------------------------------------------------------------------------------------- grids


def _grid(session: Session, grid_id: int) -> Grid:
    grid = session.get(Grid, grid_id)
    if grid is None:
        raise GridError("找不到这个网格，可能已被删除。请刷新后重试。")
    return grid


def _clean_grid_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise GridError("请填写网格名称，例如“第1网格”或“张家湾网格”。")
    if len(name) > 64:
        raise GridError(f"网格名称太长（{len(name)}个字），请不超过64个字。")
    return name


def _ensure_unique_name(session: Session, village_id: int, name: str, grid_id: int | None) -> None:
    other = session.scalar(select(Grid.id).where(Grid.village_id == village_id, Grid.name == name,
                                                 Grid.id != (grid_id or -1)))
    if other is not None:
        raise GridError(f"本村已有名为“{name}”的网格，请换一个名称（打印公示牌时按名称查找网格）。")


def _check_parent(session: Session, village_id: int, level: GridLevel, parent_id: int | None,
                  grid_id: int | None = None) -> None:
    wanted = PARENT_LEVEL[level]
    if parent_id is None:
        if level is GridLevel.HOUSEHOLD:
            raise GridError("户级网格必须放在一个组级网格之下，请先选择上级网格。")
        return
    if wanted is None:
        raise GridError("村级网格是最上一级，不能放在其他网格之下。")
    parent = _grid(session, parent_id)
    if parent.village_id != village_id:
        raise GridError("上级网格不属于本村，请重新选择。")
    if parent_id == grid_id:
        raise GridError("网格不能放在自己之下。")
    if parent.level is not wanted:
        raise GridError(f"{level.label}的上级应是{wanted.label}，而“{parent.name}”是{parent.level.label}。")


def _check_branch(session: Session, village_id: int, grid_branch_id: int | None) -> None:
    if grid_branch_id is None:
        return
    branch = village_row(session, GridBranch, grid_branch_id, village_id)
    if branch is None:
        raise GridError("所选网格党支部不属于本村，请重新选择。")


def create_grid(session: Session, village_id: int, level: GridLevel, name: str, parent_id: int | None = None,
                area: str | None = None, grid_branch_id: int | None = None) -> int:
    """Add a grid; a 组级网格 goes under a 村级网格 (or at the top), a 户级网格 under a 组级网格."""
    level = GridLevel(level)
    name = _clean_grid_name(name)
    _ensure_unique_name(session, village_id, name, None)
    _check_parent(session, village_id, level, parent_id)
    _check_branch(session, village_id, grid_branch_id)
    if grid_branch_id is None and parent_id is not None:
        grid_branch_id = _grid(session, parent_id).grid_branch_id  # a child grid inherits its branch
    grid = Grid(village_id=village_id, level=level, name=name, parent_id=parent_id,
                area=(area or "").strip() or None, grid_branch_id=grid_branch_id)
    session.add(grid)
    session.flush()
    return grid.id


def rename_grid(session: Session, grid_id: int, name: str) -> None:
    grid = _grid(session, grid_id)
    name = _clean_grid_name(name)
    _ensure_unique_name(session, grid.village_id, name, grid_id)
    grid.name = name


def update_grid(session: Session, grid_id: int, name: str, area: str | None, grid_branch_id: int | None) -> None:
    """Change a grid's name, area (网格范围) and grid branch together, as the grid dialog does."""
    grid = _grid(session, grid_id)
    name = _clean_grid_name(name)
    _ensure_unique_name(session, grid.village_id, name, grid_id)
    _check_branch(session, grid.village_id, grid_branch_id)
    grid.name, grid.area, grid.grid_branch_id = name, (area or "").strip() or None, grid_branch_id


def move_grid(session: Session, grid_id: int, parent_id: int | None) -> None:
    """Put a grid (with everything under it) under another parent of the right level."""
    grid = _grid(session, grid_id)
    _check_parent(session, grid.village_id, grid.level, parent_id, grid_id)
    grid.parent_id = parent_id


def delete_grid(session: Session, grid_id: int) -> None:
    """Remove a grid and its staff; refused while grids, members or households are still in it."""
    grid = _grid(session, grid_id)
    used = []
    children = session.scalar(select(func.count()).select_from(Grid).where(Grid.parent_id == grid_id))
    if children:
        used.append(f"{children}个下级网格")
    members = session.scalar(select(func.count()).select_from(Member).where(Member.grid_id == grid_id))
    if members:
        used.append(f"{members}名党员")
    households = session.scalar(select(func.count()).select_from(Household).where(Household.grid_id == grid_id))
    if households:
        used.append(f"{households}户农户")
    if used:
        raise GridError(f"“{grid.name}”中还有{'、'.join(used)}，不能删除。请先把它们移到其他网格。")
    session.delete(grid)


# ---------------------------------------------------------------------------------------- staff


@dataclass
class StaffForm:
    """A 网格长 or 网格员: a party member (``member_id``), or anyone else by name, phone and duties."""

    role: GridRole = GridRole.WORKER
    member_id: int | None = None
    name: str = ""
    phone: str | None = None
    duties: str | None = None


def _clean_staff(session: Session, village_id: int, form: StaffForm) -> StaffForm:
    role = GridRole(form.role)
    name = clean_name(form.name or "")
    phone = (form.phone or "").strip() or None
    if form.member_id is not None:
        member = village_row(session, Member, form.member_id, village_id)
        if member is None:
            raise GridError("所选党员不属于本村，请重新选择。")
        if member.archived:
            raise GridError(f"“{member.name}”已归档，不能担任网格长或网格员。")
        name = name or member.name
        phone = phone or member.mobile or member.landline
    if not name:
        raise GridError("请填写网格工作人员的姓名（不是党员的网格员也要写姓名）。")
    if phone:
        checked = check_phone(phone)
        if not checked.ok:
            raise GridError(f"联系电话{checked.message}")
        phone = checked.number
    duties = (form.duties or "").strip() or None
    return StaffForm(role, form.member_id, name, phone, duties)


def _ensure_one_leader(session: Session, grid: Grid, role: GridRole, staff_id: int | None) -> None:
    if role is not GridRole.LEADER:
        return
    other = session.scalars(select(GridStaff).where(GridStaff.grid_id == grid.id, GridStaff.role == GridRole.LEADER,
                                                    GridStaff.id != (staff_id or -1))).first()
    if other is not None:
        raise GridError(f"“{grid.name}”已有网格长{other.name}。请先把{other.name}改为网格员或移除，再设新的网格长。")


def _ensure_not_twice(session: Session, grid: Grid, form: StaffForm, staff_id: int | None) -> None:
    clause = (GridStaff.member_id == form.member_id) if form.member_id is not None else (
        (GridStaff.member_id.is_(None)) & (GridStaff.name == form.name) & (GridStaff.phone == form.phone))
    other = session.scalars(select(GridStaff).where(GridStaff.grid_id == grid.id, GridStaff.id != (staff_id or -1),
                                                    clause)).first()
    if other is not None:
        raise GridError(f"{form.name}已是“{grid.name}”的{other.role.label}，同一个人在一个网格中只登记一次。")


def add_staff(session: Session, grid_id: int, form: StaffForm) -> int:
    grid = _grid(session, grid_id)
    form = _clean_staff(session, grid.village_id, form)
    _ensure_one_leader(session, grid, form.role, None)
    _ensure_not_twice(session, grid, form, None)
    staff = GridStaff(grid_id=grid.id, role=form.role, member_id=form.member_id, name=form.name, phone=form.phone,
                      duties=form.duties)
    session.add(staff)
    session.flush()
    return staff.id


def update_staff(session: Session, staff_id: int, form: StaffForm) -> None:
    staff = session.get(GridStaff, staff_id)
    if staff is None:
        raise GridError("找不到这名网格工作人员，可能已被移除。请刷新后重试。")
    form = _clean_staff(session, staff.grid.village_id, form)
    _ensure_one_leader(session, staff.grid, form.role, staff_id)
    _ensure_not_twice(session, staff.grid, form, staff_id)
    staff.role, staff.member_id, staff.name, staff.phone, staff.duties = (
        form.role, form.member_id, form.name, form.phone, form.duties)


def remove_staff(session: Session, staff_id: int) -> None:
    staff = session.get(GridStaff, staff_id)
    if staff is not None:
        session.delete(staff)
