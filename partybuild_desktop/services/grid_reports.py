"""What the grid printouts need: the statistics table and three rosters of seed 002 (附件1–4), the public
notice board (公示牌) of each grid and the households' contact cards (民情联系卡).

Session in, plain dataclasses out, in a few queries per village whatever its size. The public printouts'
data carries no ID number at all: they are posted on walls and handed to households.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from partybuild_desktop.domain.vocabulary import GridLevel, GridRole, MemberCategory, ProxyStatus
from partybuild_desktop.services.grids import GridNode, grid_tree
from partybuild_desktop.services.households import must_visit_clause, natural_key
from partybuild_desktop.services.member_records import card_photo
from partybuild_desktop.services.proxy_services import due_date
from partybuild_desktop.store.models import (
    Grid,
    GridBranch,
    GridStaff,
    Household,
    Member,
    PartyGroup,
    ProxyService,
    Village,
    Visit,
)


def _phone(mobile: str | None, landline: str | None) -> str:
    return mobile or landline or ""


def _active_members(session: Session, village_id: int):
    return {r.id: r for r in session.execute(
        select(Member.id, Member.name, Member.mobile, Member.landline, Member.address, Member.party_group_id,
               Member.hub_id, Member.is_hub_household, Member.is_model_post, Member.is_committee_member,
               Member.job_post, Member.category, Member.grid_id)
        .where(Member.village_id == village_id, Member.archived.is_(False)).order_by(Member.id))}


# ---------------------------------------------------------------------------------------- 附件1


@dataclass(frozen=True)
class GridStats:
    """One village's line of 基层党组织网格化管理服务工作情况统计表."""

    village: str
    start: dt.date
    end: dt.date
    grids_by_level: dict[GridLevel, int]
    grid_branches: int
    party_groups: int
    hub_households: int
    model_posts: int
    grid_leaders: int
    grid_workers: int
    non_member_staff: int  # 网格长/网格员 who are not party members
    members: int
    members_by_category: dict[MemberCategory, int]
    households: int
    must_visit_households: int
    committee_branch_links: int  # grid branches with a 班子成员 liaising
    branch_group_links: int  # party groups with a 网格支部委员 liaising
    leader_hub_links: int  # hubs and model posts whose party group has a leader
    hub_member_links: int  # members attached to a hub or model post
    member_household_links: int  # households with a member liaising
    visits: int  # in the period
    visited_households: int  # in the period
    proxies: int  # received in the period
    proxies_done: int
    proxies_open: int
    proxies_refused: int
    proxies_overdue: int  # open at the end of the period (or today) and past their time

    @property
    def grids(self) -> int:
        return sum(self.grids_by_level.values())


def grid_statistics(session: Session, village_id: int, start: dt.date, end: dt.date,
                    today: dt.date | None = None) -> GridStats:
    """The counts as they stand now; visits and proxy services received within ``start``–``end``, their
    state as of the end of the period (or today, when the period has not ended yet)."""
    as_of = min(end, today or dt.date.today())
    village = session.get(Village, village_id)
    members = _active_members(session, village_id)
    grids = Counter(dict(session.execute(select(Grid.level, func.count()).where(Grid.village_id == village_id)
                                         .group_by(Grid.level)).all()))
    staff = session.execute(select(GridStaff.role, GridStaff.member_id).join(Grid, Grid.id == GridStaff.grid_id)
                            .where(Grid.village_id == village_id)).all()
    branches = session.execute(select(GridBranch.committee_contact_id).where(GridBranch.village_id == village_id)).all()
    groups = session.execute(select(PartyGroup.id, PartyGroup.leader_id, PartyGroup.branch_contact_id)
                             .where(PartyGroup.village_id == village_id)).all()
    led = {g.id for g in groups if g.leader_id in members}
    hubs = [m for m in members.values() if m.is_hub_household or m.is_model_post]
    hub_ids = {m.id for m in hubs}
    liaison = aliased(Member)
    households, must_visit, liaised = session.execute(
        select(func.count(Household.id), func.coalesce(func.sum(case((must_visit_clause(), 1), else_=0)), 0),
               func.count(liaison.id))
        .outerjoin(liaison, (liaison.id == Household.liaison_member_id) & liaison.archived.is_(False))
        .where(Household.village_id == village_id)).one()
    visits = session.execute(
        select(func.count(), func.count(func.distinct(Visit.household_id)))
        .where(Visit.village_id == village_id, Visit.date >= start, Visit.date <= end)).one()
    proxies = session.execute(
        select(ProxyService.kind, ProxyService.status, ProxyService.received_date, ProxyService.promised_date,
               ProxyService.completed_date)
        .where(ProxyService.village_id == village_id, ProxyService.received_date >= start,
               ProxyService.received_date <= end)).all()

    def open_at_end(p) -> bool:
        return p.status is not ProxyStatus.REFUSED and (p.completed_date is None or p.completed_date > as_of)

    overdue = 0
    for p in proxies:
        due = due_date(p.kind, p.received_date, p.promised_date)
        if open_at_end(p) and due is not None and as_of > due:
            overdue += 1
    by_category = Counter(m.category for m in members.values())
    return GridStats(
        village=village.name, start=start, end=end,
        grids_by_level={level: grids.get(level, 0) for level in GridLevel},
        grid_branches=len(branches), party_groups=len(groups),
        hub_households=sum(1 for m in hubs if m.is_hub_household),
        model_posts=sum(1 for m in hubs if m.is_model_post and not m.is_hub_household),
        grid_leaders=sum(1 for s in staff if s.role is GridRole.LEADER),
        grid_workers=sum(1 for s in staff if s.role is GridRole.WORKER),
        non_member_staff=sum(1 for s in staff if s.member_id is None),
        members=len(members), members_by_category={c: by_category.get(c, 0) for c in MemberCategory},
        households=households, must_visit_households=must_visit,
        committee_branch_links=sum(1 for b in branches if b.committee_contact_id in members),
        branch_group_links=sum(1 for g in groups if g.branch_contact_id in members),
        leader_hub_links=sum(1 for m in hubs if m.party_group_id in led),
        hub_member_links=sum(1 for m in members.values() if m.hub_id in hub_ids and m.id not in hub_ids),
        member_household_links=liaised,
        visits=visits[0], visited_households=visits[1],
        proxies=len(proxies),
        proxies_done=sum(1 for p in proxies if p.status is ProxyStatus.DONE and not open_at_end(p)),
        proxies_open=sum(1 for p in proxies if open_at_end(p)),
        proxies_refused=sum(1 for p in proxies if p.status is ProxyStatus.REFUSED),
        proxies_overdue=overdue,
    )


# ---------------------------------------------------------------------------------------- 附件2


@dataclass(frozen=True)
class CommitteeRosterRow:
    """A 村党组织班子成员 or 网格支部委员 and the grid branches and party groups they liaise with."""

    member_id: int
    name: str
    post: str  # 职务: 村党组织书记, 村党组织委员, 第1网格党支部书记…
    phone: str
    grid_branches: tuple[str, ...]
    party_groups: tuple[str, ...]  # "第1党小组（1组）"


def committee_roster(session: Session, village_id: int) -> list[CommitteeRosterRow]:
    members = _active_members(session, village_id)
    branches = session.execute(select(GridBranch.id, GridBranch.name, GridBranch.secretary_id,
                                      GridBranch.committee_contact_id)
                               .where(GridBranch.village_id == village_id).order_by(GridBranch.id)).all()
    groups = session.execute(select(PartyGroup.id, PartyGroup.name, PartyGroup.villager_group,
                                    PartyGroup.branch_contact_id)
                             .where(PartyGroup.village_id == village_id).order_by(PartyGroup.id)).all()
    branches_of: dict[int, list[str]] = defaultdict(list)
    secretary_of: dict[int, list[str]] = defaultdict(list)
    for b in branches:
        if b.committee_contact_id in members:
            branches_of[b.committee_contact_id].append(b.name)
        if b.secretary_id in members:
            secretary_of[b.secretary_id].append(b.name)
    groups_of: dict[int, list[str]] = defaultdict(list)
    for g in groups:
        if g.branch_contact_id in members:
            groups_of[g.branch_contact_id].append(f"{g.name}（{g.villager_group}）" if g.villager_group else g.name)
    committee = [m for m in members.values() if m.is_committee_member]
    # The secretary first, then the committee in the order entered, then the other grid-branch members.
    committee.sort(key=lambda m: ("书记" not in (m.job_post or ""), m.id))
    others = [members[i] for i in sorted(set(branches_of) | set(groups_of) | set(secretary_of))
              if not members[i].is_committee_member]
    rows = []
    for m in committee + others:
        posts = [m.job_post or "村党组织班子成员"] if m.is_committee_member else []
        posts += [f"{name}书记" for name in secretary_of.get(m.id, [])]
        if not posts:
            posts = ["网格支部委员"]
        rows.append(CommitteeRosterRow(m.id, m.name, "、".join(posts), _phone(m.mobile, m.landline),
                                       tuple(branches_of.get(m.id, [])), tuple(groups_of.get(m.id, []))))
    return rows


# ---------------------------------------------------------------------------------------- 附件3


@dataclass(frozen=True)
class HubRosterRow:
    """A 党员中心户 or 党员示范岗 and the members attached to it."""

    member_id: int
    party_group: str
    group_leader: str  # the 党小组长 who liaises with it
    name: str
    kind: str  # 中心户 / 示范岗
    phone: str
    address: str
    members: tuple[str, ...]


def hub_roster(session: Session, village_id: int) -> list[HubRosterRow]:
    members = _active_members(session, village_id)
    groups = {g.id: g for g in session.execute(select(PartyGroup.id, PartyGroup.name, PartyGroup.leader_id)
                                               .where(PartyGroup.village_id == village_id))}
    attached: dict[int, list[str]] = defaultdict(list)
    for m in members.values():
        if m.hub_id is not None and not (m.is_hub_household or m.is_model_post):
            attached[m.hub_id].append(m.name)
    hubs = [m for m in members.values() if m.is_hub_household or m.is_model_post]
    hubs.sort(key=lambda m: (m.party_group_id is None, m.party_group_id or 0, m.id))
    rows = []
    for hub in hubs:
        group = groups.get(hub.party_group_id)
        leader = members.get(group.leader_id) if group else None
        kind = "中心户" if hub.is_hub_household else "示范岗"
        if hub.is_hub_household and hub.is_model_post:
            kind = "中心户、示范岗"
        rows.append(HubRosterRow(hub.id, group.name if group else "", leader.name if leader else "", hub.name, kind,
                                 _phone(hub.mobile, hub.landline), hub.address or "", tuple(attached.get(hub.id, []))))
    return rows


# ---------------------------------------------------------------------------------------- 附件4


@dataclass(frozen=True)
class LiaisedHousehold:
    head_name: str
    villager_group: str | None
    must_visit: bool


@dataclass(frozen=True)
class MemberRosterRow:
    """A member and the households (联户) the member liaises with."""

    member_id: int
    party_group: str
    name: str
    phone: str
    hub: str  # the hub household the member belongs to; "本人" for a hub itself
    households: tuple[LiaisedHousehold, ...]

    @property
    def must_visit(self) -> int:
        return sum(1 for h in self.households if h.must_visit)


def member_roster(session: Session, village_id: int) -> list[MemberRosterRow]:
    """Every active member, by party group, with their households by villager group and address."""
    members = _active_members(session, village_id)
    group_names = dict(session.execute(
        select(PartyGroup.id, PartyGroup.name).where(PartyGroup.village_id == village_id)).all())
    rows = session.execute(
        select(Household.liaison_member_id, Household.head_name, Household.villager_group, Household.address,
               Household.id, must_visit_clause())
        .where(Household.village_id == village_id, Household.liaison_member_id.is_not(None))).all()
    group_keys: dict[str | None, tuple] = {}

    def order(h) -> tuple:
        key = group_keys.get(h[2])
        if key is None:
            key = group_keys[h[2]] = natural_key(h[2])
        return key, natural_key(h[3]), h[4]

    households: dict[int, list[LiaisedHousehold]] = defaultdict(list)
    for h in sorted(rows, key=order):  # one sort for the whole village
        households[h[0]].append(LiaisedHousehold(h[1], h[2], bool(h[5])))
    ordered = sorted(members.values(), key=lambda m: (m.party_group_id is None, m.party_group_id or 0, m.id))
    result = []
    for m in ordered:
        if m.is_hub_household or m.is_model_post:
            hub = "本人"
        else:
            hub = members[m.hub_id].name if m.hub_id in members else ""
        result.append(MemberRosterRow(m.id, group_names.get(m.party_group_id, ""), m.name, _phone(m.mobile, m.landline),
                                      hub, tuple(households.get(m.id, ()))))
    return result


# ---------------------------------------------------------------------------------------- 公示牌


@dataclass(frozen=True)
class BoardPerson:
    """One person on a board, once however many posts they hold (一人多职)."""

    roles: tuple[str, ...]  # 网格党支部书记, 包挂班子成员, 党小组长, 网格长, 网格员
    name: str
    phone: str
    duties: tuple[str, ...]
    photo: bytes | None  # 3:4 JPEG/PNG, or None (a placeholder box is printed)
    member_id: int | None  # None: a grid worker who is not a party member

    @property
    def role(self) -> str:
        return "、".join(self.roles)

    @property
    def duties_text(self) -> str:
        return "；".join(self.duties)


@dataclass(frozen=True)
class NoticeBoard:
    """One grid's public notice board. Names, photos, phones and duties only: no ID numbers."""

    grid_id: int
    village: str
    branch_name: str
    grid_name: str
    level: GridLevel
    area: str
    grid_branch: str
    party_groups: tuple[str, ...]
    people: tuple[BoardPerson, ...]  # 网格党组织成员 first, then 网格长 and 网格员
    hubs: tuple[str, ...]  # 党员中心户 in the grid
    households: int  # households in the grid and the grids under it
    members: int  # members in the grid and the grids under it


GROUP_LEADER_DUTIES = "组织党小组学习和活动，联系本组党员中心户"
BRANCH_SECRETARY_DUTIES = "主持网格党支部工作，抓好网格党建和服务管理"
COMMITTEE_CONTACT_DUTIES = "包挂联系本网格党支部，协调解决群众诉求"


def notice_boards(session: Session, village_id: int, grid_id: int | None = None) -> list[NoticeBoard]:
    """Boards of every grid of the village (top-down), or of one grid."""
    village = session.get(Village, village_id)
    members = _active_members(session, village_id)
    photos = dict(session.execute(select(Member.id, Member.photo).where(
        Member.village_id == village_id, Member.archived.is_(False), Member.photo.is_not(None))).all())
    branches = {b.id: b for b in session.execute(
        select(GridBranch.id, GridBranch.name, GridBranch.secretary_id, GridBranch.committee_contact_id)
        .where(GridBranch.village_id == village_id))}
    groups = {g.id: g for g in session.execute(
        select(PartyGroup.id, PartyGroup.name, PartyGroup.leader_id).where(PartyGroup.village_id == village_id))}
    households_in = Counter(dict(session.execute(
        select(Household.grid_id, func.count()).where(Household.village_id == village_id)
        .group_by(Household.grid_id)).all()))
    nodes = [n for root in grid_tree(session, village_id) for n in root.walk()]
    photo_cache: dict[int, bytes | None] = {}

    def photo_of(member_id: int | None) -> bytes | None:
        if member_id is None:
            return None
        if member_id not in photo_cache:
            photo_cache[member_id] = card_photo(photos.get(member_id))
        return photo_cache[member_id]

    boards = []
    for node in nodes:
        if grid_id is not None and node.id != grid_id:
            continue
        inside = {n.id for n in node.walk()}
        in_grid = [m for m in members.values() if m.grid_id in inside]
        # (key, roles, name, phone, duties, member id): a member is one person whatever posts they hold.
        people: dict[object, list] = {}

        def add(role: str, member_id: int | None, duties: str, name: str = "", phone: str = "",
                key: object = None) -> None:
            if member_id is not None:
                if member_id not in members:
                    return
                m = members[member_id]
                key, name, phone = member_id, m.name, phone or _phone(m.mobile, m.landline)
            entry = people.setdefault(key, [[], name, phone, [], member_id])
            if role not in entry[0]:
                entry[0].append(role)
            if duties and duties not in entry[3]:
                entry[3].append(duties)

        branch = branches.get(node.grid_branch_id)
        if branch is not None and node.level is not GridLevel.HOUSEHOLD:
            add("网格党支部书记", branch.secretary_id, BRANCH_SECRETARY_DUTIES)
            add("包挂班子成员", branch.committee_contact_id, COMMITTEE_CONTACT_DUTIES)
        group_ids = sorted({m.party_group_id for m in in_grid if m.party_group_id in groups})
        if node.level is GridLevel.GROUP:
            for gid in group_ids:
                add("党小组长", groups[gid].leader_id, GROUP_LEADER_DUTIES)
        for s in node.staff:
            add(s.role.label, s.member_id, s.duties or "", s.name, s.phone or "", key=("staff", s.id))
        board_people = tuple(
            BoardPerson(tuple(roles), name, phone, tuple(duties), photo_of(member_id), member_id)
            for roles, name, phone, duties, member_id in people.values()
        )
        boards.append(NoticeBoard(
            grid_id=node.id, village=village.name, branch_name=village.branch_name, grid_name=node.name,
            level=node.level, area=node.area or "", grid_branch=node.grid_branch,
            party_groups=tuple(groups[g].name for g in group_ids), people=board_people,
            hubs=tuple(m.name for m in in_grid if m.is_hub_household),
            households=sum(households_in.get(i, 0) for i in inside), members=len(in_grid),
        ))
    return boards


# ---------------------------------------------------------------------------------------- 民情联系卡


@dataclass(frozen=True)
class ContactCard:
    """What one household's contact card prints: who to call. No ID numbers."""

    household_id: int
    village: str
    head_name: str
    villager_group: str
    liaison: str
    liaison_phone: str
    hub: str
    hub_phone: str
    grid: str
    grid_leader: str
    grid_leader_phone: str


def contact_cards(session: Session, village_id: int, grid_id: int | None = None) -> list[ContactCard]:
    """A card per household (of one grid and the grids under it, when given), by villager group and address."""
    village = session.get(Village, village_id)
    members = _active_members(session, village_id)
    nodes = {n.id: n for root in grid_tree(session, village_id) for n in root.walk()}
    wanted = None
    if grid_id is not None:
        wanted = {n.id for n in nodes[grid_id].walk()} if grid_id in nodes else set()

    def leader_for(node: GridNode | None):
        """The 网格长 a household calls: its own grid's, but for a 户级网格 (led by the hub household,
        already on the card) the 组级 grid's; up the tree when a grid has none."""
        first = node
        while node is not None:
            leader = node.leader
            if leader is not None and (node.level is not GridLevel.HOUSEHOLD or node.parent_id not in nodes):
                return node, leader
            node = nodes.get(node.parent_id)
        if first is not None and first.leader is not None:
            return first, first.leader
        return first, None

    leaders: dict[int | None, tuple] = {}
    cards = []
    query = (select(Household.id, Household.head_name, Household.villager_group, Household.address, Household.grid_id,
                    Household.liaison_member_id).where(Household.village_id == village_id))
    rows = sorted(session.execute(query), key=lambda h: (natural_key(h.villager_group), natural_key(h.address), h.id))
    for h in rows:
        if wanted is not None and h.grid_id not in wanted:
            continue
        liaison = members.get(h.liaison_member_id)
        hub = None
        if liaison is not None:
            hub = liaison if (liaison.is_hub_household or liaison.is_model_post) else members.get(liaison.hub_id)
        if h.grid_id not in leaders:
            leaders[h.grid_id] = leader_for(nodes.get(h.grid_id))
        grid_node, leader = leaders[h.grid_id]
        cards.append(ContactCard(
            household_id=h.id, village=village.name, head_name=h.head_name, villager_group=h.villager_group or "",
            liaison=liaison.name if liaison else "",
            liaison_phone=_phone(liaison.mobile, liaison.landline) if liaison else "",
            hub=hub.name if hub else "", hub_phone=_phone(hub.mobile, hub.landline) if hub else "",
            grid=grid_node.name if grid_node else "", grid_leader=leader.name if leader else "",
            grid_leader_phone=(leader.phone or "") if leader else "",
        ))
    return cards
