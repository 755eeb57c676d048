"""When each member came to the branch and when they left, read from their status history in one query
(the meetings' due lists, the dues grid and the migrants' list judge "on that day" by it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.membership import DEPARTURES
from partybuild_desktop.domain.vocabulary import MemberEventKind
from partybuild_desktop.store.models import Member, MemberEvent


@dataclass(frozen=True)
class Stay:
    """When a member came to this branch (the latest 组织关系转入; None: through joining here) and, for an
    archived member, when they left (their last 转出, 去世 or 归档)."""

    arrived: dt.date | None
    left: dt.date | None


def stays(session: Session, village_id: int) -> dict[int, Stay]:
    """The members of the village who transferred in or left, by id (everyone else: ``Stay(None, None)``)."""
    arrived: dict[int, dt.date] = {}
    left: dict[int, dt.date] = {}
    for member_id, kind, date, archived in session.execute(
            select(MemberEvent.member_id, MemberEvent.kind, func.max(MemberEvent.date), Member.archived)
            .join(Member, Member.id == MemberEvent.member_id)
            .where(Member.village_id == village_id,
                   MemberEvent.kind.in_([MemberEventKind.TRANSFERRED_IN, *DEPARTURES]))
            .group_by(MemberEvent.member_id, MemberEvent.kind, Member.archived)):
        if kind is MemberEventKind.TRANSFERRED_IN:
            arrived[member_id] = date
        elif archived:
            left[member_id] = max(date, left.get(member_id, date))
    return {member_id: Stay(arrived.get(member_id), left.get(member_id)) for member_id in arrived.keys() | left.keys()}
