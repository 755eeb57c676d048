"""The SQLite schema of one data file.

A data file normally holds one village; it may hold several (sample data for a township, benchmarks),
so everything that belongs to a village carries ``village_id``. Enum columns store the English codes of
``domain.vocabulary``; labels are applied at output.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from partybuild_desktop.domain.committee import CommitteePost
from partybuild_desktop.domain.dues import DuesKind
from partybuild_desktop.domain.meetings import Attendance, MeetingKind, ReviewGrade
from partybuild_desktop.domain.migrants import ContactHow
from partybuild_desktop.domain.vocabulary import (
    BranchType,
    Education,
    Gender,
    GridLevel,
    GridRole,
    MemberCategory,
    MemberEventKind,
    MembershipState,
    ProxyKind,
    ProxyStatus,
    RecordEntryType,
    Standing,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def code_enum(enum_cls):
    """Store an enum as its short code in a VARCHAR, without a CHECK constraint (new codes need no migration)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda cls: [item.value for item in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Setting(Base):
    """Key/value settings of this data file (current village, mode, last backup...)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Village(Base):
    """A village and its party organisation (村党总支 / 村党支部) under a township committee."""

    __tablename__ = "village"
    id: Mapped[int] = mapped_column(primary_key=True)
    township: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    branch_type: Mapped[BranchType] = mapped_column(code_enum(BranchType))
    branch_name: Mapped[str] = mapped_column(String(128))
    secretary_name: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=dt.datetime.now)
    # The branch's own phone and address (设置 → 本村信息); ``secretary_name`` is the current 书记 of
    # ``CommitteePostHolder``, kept here for the report headers.
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    address: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("township", "name"),)

    grid_branches: Mapped[list["GridBranch"]] = relationship(back_populates="village")
    party_groups: Mapped[list["PartyGroup"]] = relationship(back_populates="village")


class GridBranch(Base):
    """网格党支部: a branch set up over one or more grids."""

    __tablename__ = "grid_branch"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    secretary_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", use_alter=True))
    # 村党总支班子成员 who liaises with this grid branch (包挂联系, 1–2 branches each).
    committee_contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", use_alter=True))

    village: Mapped[Village] = relationship(back_populates="grid_branches")


class PartyGroup(Base):
    """村民党小组, usually one per 村民小组 (villager group)."""

    __tablename__ = "party_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    grid_branch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid_branch.id"))
    name: Mapped[str] = mapped_column(String(64))
    villager_group: Mapped[Optional[str]] = mapped_column(String(64))
    leader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", use_alter=True))
    # 网格支部委员 who liaises with this party group (1–2 groups each).
    branch_contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", use_alter=True))

    village: Mapped[Village] = relationship(back_populates="party_groups")


class Grid(Base):
    """A grid at one of three levels (村级 / 组级 / 户级), nested by ``parent_id``."""

    __tablename__ = "grid"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid.id"))
    level: Mapped[GridLevel] = mapped_column(code_enum(GridLevel))
    name: Mapped[str] = mapped_column(String(64))
    area: Mapped[Optional[str]] = mapped_column(Text)
    grid_branch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid_branch.id"))

    staff: Mapped[list["GridStaff"]] = relationship(back_populates="grid", cascade="all, delete-orphan")


class GridStaff(Base):
    """网格长 or 网格员 of a grid; a worker need not be a party member (then ``member_id`` is empty)."""

    __tablename__ = "grid_staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    role: Mapped[GridRole] = mapped_column(code_enum(GridRole))
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id"))
    name: Mapped[str] = mapped_column(String(32))
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    duties: Mapped[Optional[str]] = mapped_column(Text)

    grid: Mapped[Grid] = relationship(back_populates="staff")


class Member(Base):
    """A party member: the 16 national fields, the village's own classification, and the category fields."""

    __tablename__ = "member"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    # The national 党员基本信息采集表.
    name: Mapped[str] = mapped_column(String(32))
    gender: Mapped[Optional[Gender]] = mapped_column(code_enum(Gender))
    ethnicity: Mapped[Optional[str]] = mapped_column(String(16))
    id_number: Mapped[Optional[str]] = mapped_column(String(18), unique=True)
    birth_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    education: Mapped[Optional[Education]] = mapped_column(code_enum(Education))
    standing: Mapped[Standing] = mapped_column(code_enum(Standing), default=Standing.FULL)
    joined_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    confirmed_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    job_post: Mapped[Optional[str]] = mapped_column(String(64))
    mobile: Mapped[Optional[str]] = mapped_column(String(32))
    landline: Mapped[Optional[str]] = mapped_column(String(32))
    address: Mapped[Optional[str]] = mapped_column(Text)
    membership_state: Mapped[MembershipState] = mapped_column(
        code_enum(MembershipState), default=MembershipState.NORMAL
    )
    lost_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    lost_contact_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    # Also useful: 籍贯, 学位.
    native_place: Mapped[Optional[str]] = mapped_column(String(64))
    degree: Mapped[Optional[str]] = mapped_column(String(32))
    # Classification (seed 000, 三.3); the management mode follows from the category.
    category: Mapped[MemberCategory] = mapped_column(code_enum(MemberCategory), index=True)
    post: Mapped[Optional[str]] = mapped_column(String(64))  # 设岗定责
    party_group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("party_group.id"), index=True)
    grid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid.id"), index=True)
    is_hub_household: Mapped[bool] = mapped_column(Boolean, default=False)
    # 中心户 this member is attached to (hub household → 5–10 members).
    hub_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id"))
    is_committee_member: Mapped[bool] = mapped_column(Boolean, default=False)
    # 党员示范岗: a post a party-group leader liaises with, like a hub household.
    is_model_post: Mapped[bool] = mapped_column(Boolean, default=False)
    # 流动党员: each time away is a ``MigrantStint`` (外出时间、原因、流向、联系方式、从事职业、活动证).
    # 在职党员: 工作单位 and the employer's contact (双向管理).
    employer: Mapped[Optional[str]] = mapped_column(String(128))
    employer_contact: Mapped[Optional[str]] = mapped_column(String(64))
    # 年老体弱党员: care needs and how often to visit.
    care_needs: Mapped[Optional[str]] = mapped_column(Text)
    visit_interval_days: Mapped[Optional[int]] = mapped_column(Integer)
    photo: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # Nobody is deleted silently: leaving members are archived with a reason.
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    archive_reason: Mapped[Optional[str]] = mapped_column(Text)
    # Why an archived member left: 组织关系转出, 去世 or 归档 (another reason, in ``archive_reason``).
    departure: Mapped[Optional[MemberEventKind]] = mapped_column(code_enum(MemberEventKind))
    search_keys: Mapped[str] = mapped_column(Text, default="")

    events: Mapped[list["MemberEvent"]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberEvent.date"
    )


class MemberEvent(Base):
    """A dated change in a member's standing: the member's status history."""

    __tablename__ = "member_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[MemberEventKind] = mapped_column(code_enum(MemberEventKind))
    note: Mapped[Optional[str]] = mapped_column(Text)

    member: Mapped[Member] = relationship(back_populates="events")


class Household(Base):
    """A household (农户) of the village, with the care flags that make it a must-visit household."""

    __tablename__ = "household"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(32))
    villager_group: Mapped[Optional[str]] = mapped_column(String(64))
    address: Mapped[Optional[str]] = mapped_column(Text)
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    size: Mapped[Optional[int]] = mapped_column(Integer)
    grid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid.id"), index=True)
    # 联户: the member who liaises with this household (member → 10–15 households).
    liaison_member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id"), index=True)
    hardship: Mapped[bool] = mapped_column(Boolean, default=False)
    elderly_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    left_behind_children: Mapped[bool] = mapped_column(Boolean, default=False)
    unemployed: Mapped[bool] = mapped_column(Boolean, default=False)
    special: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[Optional[str]] = mapped_column(Text)


class RecordEntry(Base):
    """One dated line of a member's 党员分类管理纪实本."""

    __tablename__ = "record_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    entry_type: Mapped[RecordEntryType] = mapped_column(code_enum(RecordEntryType))
    text: Mapped[str] = mapped_column(Text)
    hours: Mapped[Optional[float]] = mapped_column(Float)
    # An entry written by another record (a visit, a meeting) names it, so it is never typed twice
    # and a score can be traced back to where it came from. Empty for entries typed in by hand.
    source_kind: Mapped[Optional[str]] = mapped_column(String(32))
    source_id: Mapped[Optional[int]] = mapped_column(Integer)

    __table_args__ = (Index("ix_record_entry_source", "source_kind", "source_id"),)


class Visit(Base):
    """民情日记: a member's visit to a household, and what came of it."""

    __tablename__ = "visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    matter: Mapped[str] = mapped_column(Text)  # 民情事项: what the household raised
    action: Mapped[Optional[str]] = mapped_column(Text)  # what was done
    follow_up: Mapped[Optional[str]] = mapped_column(Text)  # 跟踪落实
    feedback: Mapped[Optional[str]] = mapped_column(Text)  # 群众反馈


class ProxyService(Base):
    """事项代办: a matter handled on a household's behalf (即办件, 承诺件, 补办件, 联办件, 上报件, 不予办理)."""

    __tablename__ = "proxy_service"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    kind: Mapped[ProxyKind] = mapped_column(code_enum(ProxyKind))
    household_id: Mapped[Optional[int]] = mapped_column(ForeignKey("household.id"), index=True)
    applicant: Mapped[str] = mapped_column(String(32))
    matter: Mapped[str] = mapped_column(Text)
    received_date: Mapped[dt.date] = mapped_column(Date, index=True)
    promised_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    completed_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    handler_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id"), index=True)
    status: Mapped[ProxyStatus] = mapped_column(code_enum(ProxyStatus), default=ProxyStatus.OPEN)
    refusal_reason: Mapped[Optional[str]] = mapped_column(Text)
    notes: Mapped[Optional[str]] = mapped_column(Text)


class PointRuleSet(Base):
    """积分评价办法 of one village for one year, kept as the JSON of the rule file format
    (``domain.points.rules_to_json``). A closed year's rules are frozen."""

    __tablename__ = "point_rule_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    rules: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=dt.datetime.now)
    updated_by: Mapped[Optional[str]] = mapped_column(String(32))
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    closed_by: Mapped[Optional[str]] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("village_id", "year"),)


class PointAward(Base):
    """手工加减分: an award or deduction under a rule item scored "按登记", for a member or for a grid
    (or grid branch), with its reason, date and who entered it."""

    __tablename__ = "point_award"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id"), index=True)
    grid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid.id"), index=True)
    grid_branch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid_branch.id"), index=True)
    quantity: Mapped[float] = mapped_column(Float, default=1.0)
    # Empty: quantity × the item's points under the year's rules; set: the amount decided for this case.
    points: Mapped[Optional[float]] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(32))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=dt.datetime.now)


class PointYearMember(Base):
    """Who was on a closed year's board and which grid and grid branch they counted for, recorded when
    the year was closed (members' grid history is not stored otherwise)."""

    __tablename__ = "point_year_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    grid_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid.id"))
    grid_branch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("grid_branch.id"))

    __table_args__ = (UniqueConstraint("village_id", "year", "member_id"),)


# The points board adds up a village's year of record-book entries per member and entry type: this
# index holds every column it reads, in GROUP BY order, so the table itself is not read.
Index("ix_record_entry_points", RecordEntry.member_id, RecordEntry.entry_type, RecordEntry.date, RecordEntry.hours,
      RecordEntry.source_kind)


# ---------------------------------------------------------------------------------------- township mode
# A township's data file receives the villages' quarterly returns (``services.consolidation``). The
# program mode (village or township) is the ``program_mode`` setting; see ``services.village``.

from sqlalchemy import text as sql_text  # noqa: E402  (kept with the township tables that use it)


class ReceivedVillage(Base):
    """A village whose returns this township receives: every village a return ever came from, and the
    villages on the township's own list (``expected``), which may not have sent anything yet."""

    __tablename__ = "received_village"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable key a village's data file gives itself (a UUID); empty for a listed village not yet heard from.
    village_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    township: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    branch_name: Mapped[Optional[str]] = mapped_column(String(128))
    expected: Mapped[bool] = mapped_column(Boolean, default=False)  # on the township's list
    position: Mapped[Optional[int]] = mapped_column(Integer)  # order on the township's list

    __table_args__ = (UniqueConstraint("township", "name"),)


class ReceivedReturn(Base):
    """One quarterly return package as received. A later package for the same village and quarter
    replaces it only when the township says so; the first is kept, marked superseded."""

    __tablename__ = "received_return"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_village_id: Mapped[int] = mapped_column(ForeignKey("received_village.id"), index=True)
    quarter: Mapped[str] = mapped_column(String(8), index=True)  # 2026Q3
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    filed_on: Mapped[dt.date] = mapped_column(Date)  # the village's 填报日期
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=dt.datetime.now)
    package_name: Mapped[str] = mapped_column(String(255))  # the folder or .zip as it was given
    # SHA-256 of the package's manifest: the same value means the very same package.
    package_sha256: Mapped[str] = mapped_column(String(64), index=True)
    format_version: Mapped[int] = mapped_column(Integer)
    schema_version: Mapped[str] = mapped_column(String(16))
    program_version: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)  # return.json as received
    manifest: Mapped[str] = mapped_column(Text)  # manifest.sha256 as received
    superseded_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    superseded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("received_return.id"))

    # At most one current (not superseded) return per village and quarter.
    __table_args__ = (
        Index("uq_received_return_current", "received_village_id", "quarter", unique=True,
              sqlite_where=sql_text("superseded_at IS NULL")),
    )


class ReceivedFigure(Base):
    """One number of a received return that the township adds up: ``section`` is ``member_statistics``
    or ``attachment1``, ``key`` the count's name in the return's data file. Keyed by all three, stored
    without a rowid: one B-tree, and adding a township's quarter of figures writes nothing else."""

    __tablename__ = "received_figure"
    return_id: Mapped[int] = mapped_column(ForeignKey("received_return.id"), primary_key=True)
    section: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

    __table_args__ = {"sqlite_with_rowid": False}


class AuditEntry(Base):
    """One change made to this data file: when, by whom (the operator named in 设置 → 操作员), what was
    done (the operation's title, as the clerk saw it), and which areas it touched (``services.changes``)."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    operator: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(128))
    changes: Mapped[str] = mapped_column(String(255))  # comma-separated areas, e.g. "members,records"
    source: Mapped[str] = mapped_column(String(16))  # "window" or "cli"
    details: Mapped[list["AuditDetail"]] = relationship(back_populates="entry", order_by="AuditDetail.id")


class AuditDetail(Base):
    """One record an operation touched (``services.audit``): added, changed or deleted, with one row per
    field changed (old → new); or, for a bulk write (an import, a consolidation), one summary row per
    table or batch with how many records and which (the id range and a few names). ID numbers are stored
    masked and incomes, addresses and phone numbers only as "changed", so the log itself is no copy of the
    personal data (see ``services.audit.SENSITIVE``). Never updated or deleted by the program."""

    __tablename__ = "audit_detail"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entry.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "insert", "update", "delete" or "bulk"
    table: Mapped[str] = mapped_column(String(64))  # the table's name, e.g. "member"
    record_id: Mapped[Optional[int]] = mapped_column(Integer)
    record: Mapped[str] = mapped_column(String(200))  # the record as a clerk knows it, e.g. "党员 王建国"
    field: Mapped[Optional[str]] = mapped_column(String(64))  # empty: the record as a whole
    old: Mapped[Optional[str]] = mapped_column(Text)
    new: Mapped[Optional[str]] = mapped_column(Text)
    count: Mapped[Optional[int]] = mapped_column(Integer)  # a bulk row: how many records
    entry: Mapped[AuditEntry] = relationship(back_populates="details")


# ---------------------------------------------------------------------------------------- the committee
# The village's committee (班子) by term (届, five years) and post, with dates, so a 换届 or a change of
# secretary keeps who held each post before; and the committee members of each grid branch.


class CommitteeTerm(Base):
    """One term of the village's committee, from its election (换届) until the next one."""

    __tablename__ = "committee_term"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    started_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # empty: the election date is not known
    ended_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # empty: the current term


class CommitteePostHolder(Base):
    """Who held a committee post (书记, 副书记, 委员…) from when to when: a member, or a plain name for
    someone not in the member list. A deleted member's rows keep the name."""

    __tablename__ = "committee_post_holder"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    # Empty for a record typed in from before the program kept terms.
    term_id: Mapped[Optional[int]] = mapped_column(ForeignKey("committee_term.id"), index=True)
    post: Mapped[CommitteePost] = mapped_column(code_enum(CommitteePost))
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    ended_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # empty: holds the post now


class GridBranchMember(Base):
    """A 网格支部委员 of a grid branch (its secretary is ``GridBranch.secretary_id``)."""

    __tablename__ = "grid_branch_member"
    grid_branch_id: Mapped[int] = mapped_column(ForeignKey("grid_branch.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True)


# ---------------------------------------------------------------------------------------- organisational life
# 三会一课, 主题党日 and 组织生活会 with who was due and who came (``services.meetings``), and 民主评议.


class Meeting(Base):
    """One meeting of the branch (or of a party group, for 党小组会), as its 会议记录 holds it."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))  # indexed with the date, below
    kind: Mapped[MeetingKind] = mapped_column(code_enum(MeetingKind))
    date: Mapped[dt.date] = mapped_column(Date)
    time: Mapped[Optional[str]] = mapped_column(String(16))  # 09:00 or 09:00-11:00
    place: Mapped[Optional[str]] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(Text)  # 议题, one per line
    host: Mapped[Optional[str]] = mapped_column(String(32))  # 主持人
    recorder: Mapped[Optional[str]] = mapped_column(String(32))  # 记录人
    party_group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("party_group.id"), index=True)
    hours: Mapped[Optional[float]] = mapped_column(Float)  # 学时 it counts for each member who attended
    minutes: Mapped[Optional[str]] = mapped_column(Text)  # 会议内容、发言要点
    attendees_note: Mapped[Optional[str]] = mapped_column(Text)  # 列席人员

    attendance: Mapped[list["MeetingAttendance"]] = relationship(cascade="all, delete-orphan")
    decisions: Mapped[list["MeetingDecision"]] = relationship(cascade="all, delete-orphan",
                                                              order_by="MeetingDecision.position")


class MeetingAttendance(Base):
    """One member on a meeting's list: 出席, 请假 (with the reason), 缺席, 在流入地参加 or 不计应到."""

    __tablename__ = "meeting_attendance"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True, index=True)
    status: Mapped[Attendance] = mapped_column(code_enum(Attendance))
    reason: Mapped[Optional[str]] = mapped_column(Text)
    # Kept as they were on the day: a 预备党员 then had no vote, whatever their standing now.
    voting: Mapped[bool] = mapped_column(Boolean, default=True)
    frail: Mapped[bool] = mapped_column(Boolean, default=False)


class MeetingDecision(Base):
    """决议 of a meeting and, when it was voted, the 赞成/反对/弃权 votes."""

    __tablename__ = "meeting_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    votes_for: Mapped[Optional[int]] = mapped_column(Integer)  # all three empty: not voted
    votes_against: Mapped[Optional[int]] = mapped_column(Integer)
    votes_abstain: Mapped[Optional[int]] = mapped_column(Integer)


class MeetingAttachment(Base):
    """A photo or scan of a meeting (签到表, 现场照片), kept in the data file like a member's photo."""

    __tablename__ = "meeting_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))  # image/jpeg, image/png, application/pdf
    data: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=dt.datetime.now)


class MemberReview(Base):
    """民主评议党员: one 正式 member's grade for a year, and the 处置 of a 不合格 grade."""

    __tablename__ = "member_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    grade: Mapped[ReviewGrade] = mapped_column(code_enum(ReviewGrade))
    disposal: Mapped[Optional[str]] = mapped_column(String(64))  # 限期改正, 劝其退党, 党内除名 …
    note: Mapped[Optional[str]] = mapped_column(Text)
    decided_on: Mapped[dt.date] = mapped_column(Date)  # within ``year``: when the grades were decided

    __table_args__ = (UniqueConstraint("year", "member_id"),)


Index("ix_meeting_village_date", Meeting.village_id, Meeting.date)


# ---------------------------------------------------------------------------------------- money
# 党费 (``services.dues``) and the branch's 党建经费 ledger (``services.funds``), in integer 分.


class DuesAssessment(Base):
    """What a member pays each month from ``from_month`` on (the first of that month) until the next
    assessment: set at the start of the year, changed from the month a change of pay starts."""

    __tablename__ = "dues_assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    from_month: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[DuesKind] = mapped_column(code_enum(DuesKind))
    base_fen: Mapped[Optional[int]] = mapped_column(Integer)  # monthly income after tax (never printed in public)
    monthly_fen: Mapped[int] = mapped_column(Integer)
    # 减免: when the branch decided it and who approved it above.
    decided_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    approved_by: Mapped[Optional[str]] = mapped_column(String(64))
    note: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("member_id", "from_month"),)


class DuesPayment(Base):
    """The dues paid for one month by one member (a quarter paid at once is three rows with one receipt)."""

    __tablename__ = "dues_payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    month: Mapped[dt.date] = mapped_column(Date)  # the first of the month paid for
    amount_fen: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    collector: Mapped[Optional[str]] = mapped_column(String(32))  # 收款人
    receipt_no: Mapped[Optional[str]] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16), default="monthly")  # monthly / quarterly / proxy
    note: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("member_id", "month"),)


class FundsEntry(Base):
    """One line of the 党建经费台账: a budget line (预算, by project), money received (拨付) or spent."""

    __tablename__ = "funds_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # budget / income / expense
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    item: Mapped[str] = mapped_column(Text)  # what it is for, or where it came from
    project: Mapped[Optional[str]] = mapped_column(String(64))
    source: Mapped[Optional[str]] = mapped_column(String(32))  # income: 财政拨付, 党费返还, 上级补助 …
    voucher_no: Mapped[Optional[str]] = mapped_column(String(32))
    approved_by: Mapped[Optional[str]] = mapped_column(String(32))
    handled_by: Mapped[Optional[str]] = mapped_column(String(32))  # 经办人


class FundsAttachment(Base):
    """A scan of a voucher or invoice kept with its ledger line."""

    __tablename__ = "funds_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("funds_entry.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=dt.datetime.now)


# The dues grid reads a village's payments member by member (``store.dues_facts``): this index holds
# every column it reads, in that order.
Index("ix_dues_payment_member_months", DuesPayment.village_id, DuesPayment.member_id, DuesPayment.month,
      DuesPayment.amount_fen)


# ---------------------------------------------------------------------------------------- 发展党员
# Recruitment cases (``services.recruitment``): people who are not yet members, kept apart from the
# member list, its statistics and its unique ID numbers, until ⑰ makes them a 预备 member.

from partybuild_desktop.domain.recruitment import Step  # noqa: E402  (kept beside the tables that use it)


class RecruitCase(Base):
    """One person on the way into the party, from ① 递交入党申请书 to ㉕ 材料归档."""

    __tablename__ = "recruit_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    gender: Mapped[Optional[Gender]] = mapped_column(code_enum(Gender))
    # Unique among cases only: the member made at ⑰ carries the same number in the member table.
    id_number: Mapped[Optional[str]] = mapped_column(String(18), unique=True)
    birth_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    party_group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("party_group.id"), index=True)  # 拟编入
    notes: Mapped[Optional[str]] = mapped_column(Text)
    training_days: Mapped[Optional[float]] = mapped_column(Float)  # ⑪ 集中培训
    training_hours: Mapped[Optional[float]] = mapped_column(Float)
    publicity_start: Mapped[Optional[dt.date]] = mapped_column(Date)  # 公示 before ⑬ 预审
    publicity_end: Mapped[Optional[dt.date]] = mapped_column(Date)
    # The member made at ⑰ (上级党委审批为预备党员); the case stays linked to them.
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)


class RecruitStep(Base):
    """The date a step of a case was done (with whatever it notes: who talked, the 谈话人, …)."""

    __tablename__ = "recruit_step"
    case_id: Mapped[int] = mapped_column(ForeignKey("recruit_case.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[Step] = mapped_column(code_enum(Step), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(Text)


class RecruitPerson(Base):
    """A 培养联系人 (``contact``) or 入党介绍人 (``introducer``) of a case: a 正式 member of the branch
    (``member_id``) or someone named from elsewhere (``name`` only)."""

    __tablename__ = "recruit_person"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recruit_case.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # contact / introducer
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(32))


class RecruitReview(Base):
    """A six-monthly 考察 of an activist (or of a 预备党员)."""

    __tablename__ = "recruit_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recruit_case.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(Text)


class RecruitBreach(Base):
    """A rule broken at a step, kept with the reason the clerk gave (it happened; the ledger says so)."""

    __tablename__ = "recruit_breach"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recruit_case.id", ondelete="CASCADE"), index=True)
    step: Mapped[Step] = mapped_column(code_enum(Step))
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    accepted_on: Mapped[dt.date] = mapped_column(Date)  # when it was kept with its reason


# ---------------------------------------------------------------------------------------- 流动党员
# Stints away and the contact kept with each migrant (``services.migrants``).


class MigrantStint(Base):
    """One time a member is away (流动党员): from the day they left to the day they came back (open while
    ``back_on`` is empty; a member has at most one open stint)."""

    __tablename__ = "migrant_stint"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    # Empty only on a stint carried over from a record that had no 外出时间 (schema 0012).
    left_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    province: Mapped[Optional[str]] = mapped_column(String(32))
    city: Mapped[Optional[str]] = mapped_column(String(32))
    county: Mapped[Optional[str]] = mapped_column(String(32))
    host_organisation: Mapped[Optional[str]] = mapped_column(String(128))  # 流入地党组织, if known
    reason: Mapped[Optional[str]] = mapped_column(String(64))  # 外出原因
    occupation: Mapped[Optional[str]] = mapped_column(String(64))  # 从事职业
    phone: Mapped[Optional[str]] = mapped_column(String(64))
    wechat: Mapped[Optional[str]] = mapped_column(String(64))
    contact_person: Mapped[Optional[str]] = mapped_column(String(32))  # 村里的联系人
    card_no: Mapped[Optional[str]] = mapped_column(String(32))  # 流动党员活动证
    card_issued_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    card_expires_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    # Why the 组织关系 is not transferred though the member is away 6 months or more (with a 活动证).
    no_transfer_reason: Mapped[Optional[str]] = mapped_column(Text)
    back_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    # The member's category before leaving, given back on return (empty: 农民党员).
    category_before: Mapped[Optional[MemberCategory]] = mapped_column(code_enum(MemberCategory))
    note: Mapped[Optional[str]] = mapped_column(Text)


class MigrantContact(Base):
    """One contact with a migrant: 电话, 微信, 面谈 or 寄送学习资料, by whom, and what was said or sent."""

    __tablename__ = "migrant_contact"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    how: Mapped[ContactHow] = mapped_column(code_enum(ContactHow))
    by_whom: Mapped[Optional[str]] = mapped_column(String(32))
    note: Mapped[Optional[str]] = mapped_column(Text)


# ---------------------------------------------------------------------------------------- 组织关系 and 后备干部
# Transfers of members' 组织关系 out (with the 介绍信 and its 回执) and in (``services.transfers``); the
# yearly roster of 后备干部 (``services.reserve_cadres``), people who need not be members and are kept
# apart from the member list, its statistics and its unique ID numbers.


class OrganisationTransfer(Base):
    """One transfer of a member's 组织关系: out (a 介绍信 to ``organisation``, until its 回执 comes back) or
    in (a letter from ``organisation``). The member's status history carries the 转出 (dated the day the
    回执 arrived) or the 转入."""

    __tablename__ = "organisation_transfer"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # out / in
    organisation: Mapped[str] = mapped_column(String(128))  # 转往 (out) or 转自 (in)
    letter_no: Mapped[Optional[str]] = mapped_column(String(32))
    date: Mapped[dt.date] = mapped_column(Date, index=True)  # the letter written (out), the member received (in)
    valid_days: Mapped[Optional[int]] = mapped_column(Integer)  # out: the letter's validity
    dues_paid_to: Mapped[Optional[dt.date]] = mapped_column(Date)  # out: the first of the month dues are paid to
    receipt_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # out: the 回执 came back
    note: Mapped[Optional[str]] = mapped_column(Text)


class ReserveCadre(Base):
    """One person on a year's 后备干部 roster; a renewal (续备) copies the line into the next year."""

    __tablename__ = "reserve_cadre"
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))  # indexed with the year, below
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32))
    gender: Mapped[Optional[Gender]] = mapped_column(code_enum(Gender))
    birth_year: Mapped[Optional[int]] = mapped_column(Integer)
    education: Mapped[Optional[Education]] = mapped_column(code_enum(Education))
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    source: Mapped[Optional[str]] = mapped_column(String(32))  # 致富能手, 退役军人, 返乡大学生, 优秀流动党员 …
    strengths: Mapped[Optional[str]] = mapped_column(Text)
    # The member who trains them; the name is kept should the member be deleted.
    trainer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    trainer_name: Mapped[Optional[str]] = mapped_column(String(32))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # The line of the year before this one was carried from (续备).
    carried_from_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reserve_cadre.id", ondelete="SET NULL"))


Index("ix_reserve_cadre_village_year", ReserveCadre.village_id, ReserveCadre.year)
