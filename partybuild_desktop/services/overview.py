"""The counts on the overview tab: members by category and status, the organisation, households."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.vocabulary import GridLevel, MemberCategory, MemberStatus, member_status
from partybuild_desktop.store.models import Grid, GridBranch, Household, Member, PartyGroup, RecordEntry


@dataclass(frozen=True)
class Overview:
    members_active: int
    by_category: dict[MemberCategory, int]
    by_status: dict[MemberStatus, int]
    grid_branches: int
    party_groups: int
    grids_by_level: dict[GridLevel, int]
    hub_households: int
    households: int
    must_visit_households: int
    record_entries_this_year: int
    warnings: list[str] = field(default_factory=list)


def overview(session: Session, village_id: int, today: dt.date | None = None) -> Overview:
    today = today or dt.date.today()
    rows = session.execute(
        select(Member.category, Member.standing, Member.membership_state, Member.lost_contact, Member.departure,
               Member.archived, Member.is_hub_household).where(Member.village_id == village_id)
    ).all()
    by_status = Counter(member_status(r.standing, r.membership_state, r.lost_contact, r.departure) for r in rows)
    active = [r for r in rows if not r.archived]
    by_category = Counter(r.category for r in active)

    def count(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(model.village_id == village_id, *where))

    grids = Counter(dict(session.execute(
        select(Grid.level, func.count()).where(Grid.village_id == village_id).group_by(Grid.level)
    ).all()))
    must_visit = or_(Household.hardship, Household.elderly_alone, Household.left_behind_children,
                     Household.unemployed, Household.special)
    entries = session.scalar(
        select(func.count()).select_from(RecordEntry).join(Member)
        .where(Member.village_id == village_id, RecordEntry.date >= dt.date(today.year, 1, 1))
    )
    warnings = []
    if active and not any(r.is_hub_household for r in active):
        warnings.append("还没有设定党员中心户。")
    return Overview(
        members_active=len(active),
        by_category={c: by_category.get(c, 0) for c in MemberCategory},
        by_status={s: by_status.get(s, 0) for s in MemberStatus},
        grid_branches=count(GridBranch),
        party_groups=count(PartyGroup),
        grids_by_level={level: grids.get(level, 0) for level in GridLevel},
        hub_households=sum(1 for r in active if r.is_hub_household),
        households=count(Household),
        must_visit_households=count(Household, must_visit),
        record_entries_this_year=entries,
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------- set-up steps


@dataclass(frozen=True)
class SetupStep:
    """One thing a new village sets up, with how many it has and the screen where it is done."""

    key: str  # party_groups, grids, members, households
    title: str
    count: int
    target: str  # the screen the window opens (see services.alerts for the keys)
    hint: str  # what to do there

    @property
    def done(self) -> bool:
        return self.count > 0


def setup_steps(session: Session, village_id: int) -> list[SetupStep]:
    """What a village sets up first, in the order a clerk does it: 党小组, 网格, 党员, 农户."""

    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model).where(model.village_id == village_id))

    return [
        SetupStep("party_groups", "党小组", count(PartyGroup), "settings/party_groups",
                  "按村民小组建立党小组，写明组长和联系的网格党支部"),
        SetupStep("grids", "网格", count(Grid), "grids", "建立村级、组级、户级网格，写明网格长和网格员"),
        SetupStep("members", "党员", session.scalar(select(func.count()).select_from(Member).where(
            Member.village_id == village_id, Member.archived.is_(False))), "members",
                  "从 Excel/WPS 花名册导入党员，或逐个新增"),
        SetupStep("households", "农户", count(Household), "grids/households",
                  "导入农户名单（户主、村民小组、必访对象），或逐户新增"),
    ]


def needs_setup(steps: list[SetupStep]) -> bool:
    """Whether 概况 shows the set-up list: something on it is still missing."""
    return not all(step.done for step in steps)
