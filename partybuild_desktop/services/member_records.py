"""What the member printouts need (一卡一本一表): the card, the record book, the contact table.

Session in, plain dataclasses out, in a handful of queries whatever the number of members, so a batch
of a whole township stays fast. The card carries no ID number at all: it is handed around and pinned up.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from partybuild_desktop.domain.vocabulary import (
    STUDY_ENTRY_TYPES,
    Education,
    Gender,
    ManagementMode,
    MemberCategory,
    RecordEntryType,
    Standing,
    management_mode,
)
from partybuild_desktop.store.models import Grid, Household, Member, MigrantStint, PartyGroup, RecordEntry

# Yearly study hours (seed 001): every member 32, secretaries and committee members 56.
STUDY_HOURS_REQUIRED = 32.0
COMMITTEE_STUDY_HOURS_REQUIRED = 56.0
PHOTO_RATIO = 3 / 4
PHOTO_RATIO_TOLERANCE = 0.02


def _member_order(query):
    """By party group (members without one last), then in the order they were entered."""
    return query.order_by(PartyGroup.id.is_(None), PartyGroup.id, Member.id)


def _select_members(query, village_id: int | None, member_ids: Sequence[int] | None):
    """All active members of the village (every village when ``village_id`` is None), or the given ones."""
    if member_ids is not None:
        return query.where(Member.id.in_(list(member_ids)))
    query = query.where(Member.archived.is_(False))
    if village_id is not None:
        query = query.where(Member.village_id == village_id)
    return _member_order(query)


def _in_given_order(items: list, member_ids: Sequence[int] | None) -> list:
    if member_ids is None:
        return items
    by_id = {item.member_id: item for item in items}
    return [by_id[i] for i in dict.fromkeys(member_ids) if i in by_id]


# ---------------------------------------------------------------------------------------- 一卡


@dataclass(frozen=True)
class MemberCard:
    """Everything the 党员分类信息卡 prints about one member."""

    member_id: int
    village_id: int
    name: str
    gender: Gender | None
    ethnicity: str | None
    birth_date: dt.date | None
    education: Education | None
    joined_date: dt.date | None
    standing: Standing
    category: MemberCategory
    post: str | None  # 设岗定责
    job_post: str | None
    party_group: str
    grid: str
    is_hub_household: bool
    hub_name: str | None  # the hub household this member belongs to
    mobile: str | None
    landline: str | None
    address: str | None
    # 流动党员
    away_since: dt.date | None
    away_reason: str | None
    away_province: str | None
    away_city: str | None
    away_county: str | None
    away_contact: str | None
    away_occupation: str | None
    activity_card_no: str | None
    # 在职党员
    employer: str | None
    employer_contact: str | None
    # 年老体弱党员
    care_needs: str | None
    visit_interval_days: int | None
    photo: bytes | None  # JPEG or PNG, 3:4; None when there is none or it cannot be read

    @property
    def management_mode(self) -> ManagementMode:
        return management_mode(self.category)


def member_cards(session: Session, village_id: int | None = None,
                 member_ids: Sequence[int] | None = None) -> list[MemberCard]:
    """Cards of all active members of a village ordered by party group (``village_id`` None: of every
    village in the file), or of the given members in the order given (the window's selection)."""
    hub = aliased(Member)
    query = (
        select(
            Member.id, Member.village_id, Member.name, Member.gender, Member.ethnicity, Member.birth_date,
            Member.education, Member.joined_date, Member.standing, Member.category, Member.post,
            Member.job_post, PartyGroup.name, Grid.name, Member.is_hub_household, hub.name, Member.mobile,
            Member.landline, Member.address, MigrantStint.left_on, MigrantStint.reason, MigrantStint.province,
            MigrantStint.city, MigrantStint.county, MigrantStint.phone, MigrantStint.occupation,
            MigrantStint.card_no, Member.employer, Member.employer_contact, Member.care_needs,
            Member.visit_interval_days, Member.photo,
        )
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .outerjoin(Grid, Grid.id == Member.grid_id)
        .outerjoin(hub, hub.id == Member.hub_id)
        # 流动党员: the open stint's 外出时间、原因、流向、联系方式、职业、活动证号.
        .outerjoin(MigrantStint, (MigrantStint.member_id == Member.id) & MigrantStint.back_on.is_(None))
    )
    cards = []
    for r in session.execute(_select_members(query, village_id, member_ids)):
        values = list(r)
        values[12] = values[12] or ""  # party group
        values[13] = values[13] or ""  # grid
        values[-1] = card_photo(values[-1])
        cards.append(MemberCard(*values))
    return _in_given_order(cards, member_ids)


def card_photo(data: bytes | None) -> bytes | None:
    """The photo as the card prints it: a JPEG or PNG at 3:4 is used as it is (reading its header only),
    anything else is cropped to 3:4 once more; a picture that cannot be read gives an empty photo box."""
    if not data:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if kind in ("JPEG", "PNG") and height and abs(width / height - PHOTO_RATIO) <= PHOTO_RATIO_TOLERANCE:
        return data
    from partybuild_desktop.services.photos import PhotoError, crop_for_card

    try:
        return crop_for_card(data)
    except PhotoError:
        return None


# ---------------------------------------------------------------------------------------- 一本


@dataclass(frozen=True)
class BookEntry:
    date: dt.date
    entry_type: RecordEntryType
    text: str
    hours: float | None

    @property
    def counts_as_study(self) -> bool:
        return self.entry_type in STUDY_ENTRY_TYPES


@dataclass(frozen=True)
class RecordBook:
    """One member's 党员分类管理纪实本 for one year."""

    member_id: int
    name: str
    party_group: str
    category: MemberCategory
    is_committee_member: bool
    year: int
    entries: tuple[BookEntry, ...]  # in date order

    @property
    def management_mode(self) -> ManagementMode:
        return management_mode(self.category)

    @property
    def study_hours(self) -> float:
        """Hours of the study entries (组织生活, 政治学习), as ``members.study_hours`` counts them."""
        return float(sum(e.hours for e in self.entries if e.counts_as_study and e.hours))

    @property
    def required_hours(self) -> float:
        return COMMITTEE_STUDY_HOURS_REQUIRED if self.is_committee_member else STUDY_HOURS_REQUIRED

    @property
    def requirement_met(self) -> bool:
        return self.study_hours >= self.required_hours


def record_books(session: Session, village_id: int, year: int,
                 member_ids: Sequence[int] | None = None) -> list[RecordBook]:
    """The year's record books of all active members of the village (or of the given members)."""
    members_query = (
        select(Member.id, Member.name, PartyGroup.name, Member.category, Member.is_committee_member)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village_id)
    )
    members = list(session.execute(_select_members(members_query, village_id, member_ids)))
    wanted = [m.id for m in members]
    entries: defaultdict[int, list[BookEntry]] = defaultdict(list)
    entry_query = (
        select(RecordEntry.member_id, RecordEntry.date, RecordEntry.entry_type, RecordEntry.text, RecordEntry.hours)
        .join(Member, Member.id == RecordEntry.member_id)
        .where(Member.village_id == village_id,
               RecordEntry.date >= dt.date(year, 1, 1), RecordEntry.date <= dt.date(year, 12, 31))
        .order_by(RecordEntry.member_id, RecordEntry.date, RecordEntry.id)
    )
    if member_ids is not None:
        entry_query = entry_query.where(RecordEntry.member_id.in_(wanted))
    for r in session.execute(entry_query):
        entries[r.member_id].append(BookEntry(r.date, r.entry_type, r.text, r.hours))
    books = [
        RecordBook(m.id, m.name, m[2] or "", m.category, m.is_committee_member, year, tuple(entries.get(m.id, ())))
        for m in members
    ]
    return _in_given_order(books, member_ids)


# ---------------------------------------------------------------------------------------- 一表


@dataclass(frozen=True)
class LinkedHousehold:
    head_name: str
    villager_group: str | None


@dataclass(frozen=True)
class ContactRow:
    """One line of the 党员联系表: who the member answers to and who they look after."""

    member_id: int
    name: str
    party_group: str
    group_leader_id: int | None  # the party group's leader
    group_leader: str | None
    branch_contact_id: int | None  # the grid-branch committee member liaising with the group
    branch_contact: str | None
    is_hub_household: bool
    hub_name: str | None
    mobile: str | None
    landline: str | None
    households: tuple[LinkedHousehold, ...]  # 联户, in the order entered


def contact_rows(session: Session, village_id: int) -> list[ContactRow]:
    """The contact table of the village's active members, ordered by party group: three queries."""
    names = dict(session.execute(select(Member.id, Member.name).where(Member.village_id == village_id)).all())
    query = (
        select(Member.id, Member.name, PartyGroup.name, PartyGroup.leader_id, PartyGroup.branch_contact_id,
               Member.is_hub_household, Member.hub_id, Member.mobile, Member.landline)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
    )
    households: defaultdict[int, list[LinkedHousehold]] = defaultdict(list)
    for member_id, head, group in session.execute(
        select(Household.liaison_member_id, Household.head_name, Household.villager_group)
        .where(Household.village_id == village_id, Household.liaison_member_id.is_not(None))
        .order_by(Household.id)
    ):
        households[member_id].append(LinkedHousehold(head, group))
    return [
        ContactRow(
            member_id=r.id, name=r.name, party_group=r[2] or "", group_leader_id=r.leader_id,
            group_leader=names.get(r.leader_id), branch_contact_id=r.branch_contact_id,
            branch_contact=names.get(r.branch_contact_id), is_hub_household=r.is_hub_household,
            hub_name=names.get(r.hub_id), mobile=r.mobile, landline=r.landline,
            households=tuple(households.get(r.id, ())),
        )
        for r in session.execute(_select_members(query, village_id, None))
    ]
