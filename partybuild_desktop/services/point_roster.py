"""Who is on a year's points board: the members of an open year as they are now, or of a closed year as
its closing recorded them. Below both ``services.points`` (which scores them) and
``services.point_rules`` (whose closing of a year records them), so neither imports the other's work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.points import UnitLevel, month_mask
from partybuild_desktop.store.models import Grid, Member, PartyGroup, PointYearMember


@dataclass(frozen=True)
class RosterMember:
    id: int
    name: str
    grid_id: int | None
    grid_branch_id: int | None
    months: int  # mask of the months the member is judged on (from the month they joined, if this year)

    def unit_id(self, level: UnitLevel) -> int | None:
        return self.grid_id if level is UnitLevel.GRID else self.grid_branch_id


def months_from(joined: dt.date | None, year: int) -> int:
    first = joined.month if joined is not None and joined.year == year else 1
    return month_mask(range(first, 13))


def member_rows(session: Session, village_id: int, member_ids: Iterable[int] | None = None):
    query = (
        select(Member.id, Member.name, Member.grid_id, Grid.grid_branch_id, PartyGroup.grid_branch_id,
               Member.joined_date, Member.archived)
        .outerjoin(Grid, Grid.id == Member.grid_id)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village_id)
    )
    if member_ids is not None:
        query = query.where(Member.id.in_(list(member_ids)))
    return session.execute(query)


def current_roster(session: Session, village_id: int, year: int) -> list[RosterMember]:
    """Members on an open year's board: not archived, in the party by the end of the year; each in the
    grid (and grid branch) they belong to now."""
    year_end = dt.date(year, 12, 31)
    roster = []
    for member_id, name, grid_id, grid_branch, group_branch, joined, archived in member_rows(session, village_id):
        if archived or (joined is not None and joined > year_end):
            continue
        roster.append(RosterMember(member_id, name, grid_id, grid_branch or group_branch, months_from(joined, year)))
    return roster


def closed_roster(session: Session, village_id: int, year: int) -> list[RosterMember]:
    rows = session.execute(
        select(PointYearMember.member_id, Member.name, PointYearMember.grid_id, PointYearMember.grid_branch_id,
               Member.joined_date)
        .join(Member, Member.id == PointYearMember.member_id)
        .where(PointYearMember.village_id == village_id, PointYearMember.year == year)
    )
    return [RosterMember(m, n, g, b, months_from(j, year)) for m, n, g, b, j in rows]
