"""Members: the list, the card's fields, status events, archiving, and the record book.

Every function takes a Session and returns plain data; the window, the importer and the reports all
come through here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from typing import Iterable

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain import id_number, membership
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.membership import (
    HistoryEdit,
    MembershipError,
    MemberState,
    StatusEvent,
)
from partybuild_desktop.domain.phone import check_phone
from partybuild_desktop.domain.pinyin import KEYS_VERSION, search_keys
from partybuild_desktop.domain.field_limits import NAME_CHARS, check_lengths
from partybuild_desktop.domain.text import clean_name, strip_controls
from partybuild_desktop.domain.vocabulary import (
    Education,
    Gender,
    MemberCategory,
    MemberEventKind,
    MemberStatus,
    RecordEntryType,
    Standing,
    management_mode,
    member_status,
)
from partybuild_desktop.store.models import (
    CommitteePostHolder,
    DuesAssessment,
    DuesPayment,
    Grid,
    GridBranch,
    GridBranchMember,
    GridStaff,
    Household,
    MeetingAttendance,
    Member,
    MemberEvent,
    MemberReview,
    MigrantContact,
    MigrantStint,
    OrganisationTransfer,
    PartyGroup,
    PointAward,
    PointYearMember,
    ProxyService,
    RecordEntry,
    RecruitCase,
    RecruitPerson,
    ReserveCadre,
    Visit,
)
from partybuild_desktop.services.village import get_setting, set_setting
from partybuild_desktop.store.stays import Stay, stays  # noqa: F401 (the members' stays, read where they are)


class MemberError(Refusal):
    """A change refused; the message says why and what to do, in Chinese."""


# ---------------------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class MemberRow:
    """One line of the members list (and of the members export)."""

    id: int
    name: str
    gender: Gender | None
    birth_date: dt.date | None
    ethnicity: str | None
    education: Education | None
    id_number: str | None
    category: MemberCategory
    status: MemberStatus
    joined_date: dt.date | None
    party_group_id: int | None
    party_group: str
    grid_id: int | None
    grid: str
    post: str | None
    mobile: str | None
    landline: str | None
    address: str | None
    is_hub_household: bool
    archived: bool
    search_text: str  # lower-case haystack: name, pinyin keys, ID number, phones

    def age(self, today: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (today.month, today.day) < (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - before_birthday


def list_members(session: Session, village_id: int, include_archived: bool = True) -> list[MemberRow]:
    """All members of the village in one query, ordered by party group then name."""
    refresh_search_keys(session)
    query = (
        select(
            Member.id, Member.name, Member.gender, Member.birth_date, Member.ethnicity, Member.education,
            Member.id_number, Member.category, Member.standing, Member.membership_state, Member.lost_contact,
            Member.departure, Member.joined_date, Member.party_group_id, PartyGroup.name, Member.grid_id,
            Grid.name, Member.post, Member.mobile, Member.landline, Member.address, Member.is_hub_household,
            Member.archived, Member.search_keys,
        )
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .outerjoin(Grid, Grid.id == Member.grid_id)
        .where(Member.village_id == village_id)
        .order_by(PartyGroup.id, Member.id)
    )
    if not include_archived:
        query = query.where(Member.archived.is_(False))
    rows = []
    for r in session.execute(query):
        rows.append(
            MemberRow(
                id=r.id, name=r.name, gender=r.gender, birth_date=r.birth_date, ethnicity=r.ethnicity,
                education=r.education, id_number=r.id_number, category=r.category,
                status=member_status(r.standing, r.membership_state, r.lost_contact, r.departure),
                joined_date=r.joined_date, party_group_id=r.party_group_id, party_group=r[14] or "",
                grid_id=r.grid_id, grid=r[16] or "", post=r.post, mobile=r.mobile, landline=r.landline,
                address=r.address, is_hub_household=r.is_hub_household, archived=r.archived,
                search_text=search_text(r.name, r.search_keys, r.id_number, r.mobile, r.landline),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------- search

SEARCH_KEYS_VERSION_SETTING = "search_keys_version"


def refresh_search_keys(session: Session) -> int:
    """Recompute the stored pinyin keys when they were written by an older rule of ``search_keys``
    (the rule's version is kept in a Setting row); returns how many members got new keys."""
    if get_setting(session, SEARCH_KEYS_VERSION_SETTING) == KEYS_VERSION:
        return 0
    changed = [
        {"id": member_id, "search_keys": keys}
        for member_id, name, stored in session.execute(select(Member.id, Member.name, Member.search_keys))
        if (keys := search_keys(name)) != stored
    ]
    if changed:
        session.execute(update(Member), changed)
    set_setting(session, SEARCH_KEYS_VERSION_SETTING, KEYS_VERSION)
    return len(changed)


def search_text(name: str, keys: str | None, *others: str | None) -> str:
    """One lower-case haystack with every field between separators: ``|张三|zhangsan|zs|1101…|138…|``,
    so a query can be tested as part of a field, the start of one, or a whole one."""
    haystack = keys or f"|{name.lower()}|"
    rest = [x.lower() for x in others if x]
    return haystack + "|".join(rest) + "|" if rest else haystack


def normalise_query(text: str) -> str:
    """What the search box holds, ready to match ``MemberRow.search_text``: trimmed, lower case, no spaces
    (and no field separator, so a query never spans two fields)."""
    return "".join(text.split()).lower().replace("ü", "v").replace("|", "")


def matches(row: MemberRow, query: str) -> bool:
    """Name, pinyin (full or initials, every reading), part of an ID number, or a phone number."""
    return not query or query in row.search_text


def find(rows: list[MemberRow], query: str) -> list[MemberRow]:
    """The rows a normalised query finds, in the order given."""
    return [row for row in rows if query in row.search_text] if query else list(rows)


def rank(rows: list[MemberRow], query: str) -> list[MemberRow]:
    """Found rows best first, each tier in the order given: a whole field (the name, a full reading,
    the initials, an ID or phone number), then the start of one (so ``fang`` puts 方明 before 黄芳,
    whose surname is not fang), then the rest."""
    if not query:
        return rows
    whole, start = f"|{query}|", f"|{query}"
    first, second, third = [], [], []
    to_first, to_second, to_third = first.append, second.append, third.append
    for row in rows:
        text = row.search_text
        if start in text:
            (to_first if whole in text else to_second)(row)
        else:
            to_third(row)
    return first + second + third if first or second else third


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def party_groups(session: Session, village_id: int) -> list[Choice]:
    return [Choice(i, n) for i, n in session.execute(
        select(PartyGroup.id, PartyGroup.name).where(PartyGroup.village_id == village_id).order_by(PartyGroup.id))]


def grids(session: Session, village_id: int) -> list[Choice]:
    return [Choice(i, n) for i, n in session.execute(
        select(Grid.id, Grid.name).where(Grid.village_id == village_id).order_by(Grid.level, Grid.id))]


def hub_households(session: Session, village_id: int) -> list[Choice]:
    return [Choice(i, n) for i, n in session.execute(
        select(Member.id, Member.name).where(Member.village_id == village_id, Member.is_hub_household,
                                             Member.archived.is_(False)).order_by(Member.id))]


# ---------------------------------------------------------------------------------------- the card


@dataclass
class MemberForm:
    """Every field the member editor and the importer can set, as plain values."""

    name: str = ""
    gender: Gender | None = None
    ethnicity: str | None = "汉族"
    id_number: str | None = None
    birth_date: dt.date | None = None
    education: Education | None = None
    standing: Standing = Standing.FULL
    joined_date: dt.date | None = None
    confirmed_date: dt.date | None = None
    job_post: str | None = None
    mobile: str | None = None
    landline: str | None = None
    address: str | None = None
    native_place: str | None = None
    degree: str | None = None
    category: MemberCategory = MemberCategory.FARMER
    post: str | None = None
    party_group_id: int | None = None
    grid_id: int | None = None
    is_hub_household: bool = False
    hub_id: int | None = None
    is_committee_member: bool = False
    away_since: dt.date | None = None
    away_reason: str | None = None
    away_province: str | None = None
    away_city: str | None = None
    away_county: str | None = None
    away_contact: str | None = None
    away_occupation: str | None = None
    activity_card_no: str | None = None
    employer: str | None = None
    employer_contact: str | None = None
    care_needs: str | None = None
    visit_interval_days: int | None = None
    notes: str | None = None
    photo: bytes | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def member_columns(cls) -> list[str]:
        """The fields stored on the member; the 外出 fields are the open stint's (``services.migrants``)."""
        from partybuild_desktop.services.migrants import FORM_FIELDS

        return [name for name in cls.field_names() if name not in FORM_FIELDS]


@dataclass
class FormCheck:
    """What is wrong with a form: errors stop the save, warnings are shown and the save goes ahead."""

    form: MemberForm  # the cleaned form (ID number upper-cased, birth date and gender filled in…)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _blank_to_none(value):
    return strip_controls(value).strip() or None


def check_form(form: MemberForm, today: dt.date | None = None) -> FormCheck:
    """Clean and check a form the way the editor shows it: per field, in Chinese."""
    today = today or dt.date.today()
    # Plain text fields only: the enum fields are str subclasses and stay as they are.
    cleaned = replace(form, **{name: _blank_to_none(getattr(form, name)) for name in MemberForm.field_names()
                               if type(getattr(form, name)) is str})
    cleaned.name = clean_name(form.name or "")
    result = FormCheck(cleaned)
    if not cleaned.name:
        result.errors["name"] = "请填写姓名。"
    if cleaned.id_number:
        checked = id_number.check(cleaned.id_number, today=today)
        if not checked.ok:
            result.errors["id_number"] = checked.message
        else:
            cleaned.id_number = checked.number
            if checked.note:
                result.notes["id_number"] = checked.note
            born = id_number.birth_date(checked.number)
            gender = Gender.MALE if id_number.is_male(checked.number) else Gender.FEMALE
            if cleaned.birth_date is None:
                cleaned.birth_date = born
            elif cleaned.birth_date != born:
                result.warnings["birth_date"] = f"出生日期 {format_cn(cleaned.birth_date)} 与身份证号（{format_cn(born)}）不一致，请核对。"
            if cleaned.gender is None:
                cleaned.gender = gender
            elif cleaned.gender != gender:
                result.warnings["gender"] = f"性别“{cleaned.gender.label}”与身份证号（{gender.label}）不一致，请核对。"
    for key in ("mobile", "landline", "away_contact", "employer_contact"):
        value = getattr(cleaned, key)
        if value:
            phone = check_phone(value)
            if phone.ok:
                setattr(cleaned, key, phone.number)
            else:
                result.errors[key] = phone.message
    for key, label in (("birth_date", "出生日期"), ("joined_date", "入党日期"), ("confirmed_date", "转正日期"),
                       ("away_since", "外出时间")):
        value = getattr(cleaned, key)
        if value and value > today:
            result.errors[key] = f"{label} {format_cn(value)} 晚于今天，请核对。"
    if cleaned.joined_date and cleaned.confirmed_date and cleaned.confirmed_date < cleaned.joined_date:
        result.errors["confirmed_date"] = "转正日期早于入党日期，请核对。"
    if cleaned.standing is Standing.PROBATIONARY and cleaned.confirmed_date:
        result.warnings["standing"] = "已填写转正日期，但人员类别仍是预备党员。转正请用“状态变动 → 转为正式党员”。"
    if cleaned.category is MemberCategory.MIGRANT and not (cleaned.away_province or cleaned.away_city):
        result.warnings["away_province"] = "流动党员请填写外出流向（省/市/县）。"
    if cleaned.category is MemberCategory.FARMER and not cleaned.post:
        result.warnings["post"] = "农民（无职）党员请设定岗位（设岗定责）。"
    # Text beyond its field's limit (domain.field_limits) is refused, whatever else was found in it.
    result.errors.update(check_lengths({name: getattr(cleaned, name) for name in MemberForm.field_names()}))
    return result


def load_form(session: Session, member_id: int) -> MemberForm:
    from partybuild_desktop.services.migrants import form_fields

    member = _member(session, member_id)
    return MemberForm(**{name: getattr(member, name) for name in MemberForm.member_columns()},
                      **form_fields(session, member_id))


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise MemberError("找不到这名党员，可能已被删除。请刷新列表。")
    return member


def save_member(session: Session, village_id: int, form: MemberForm, member_id: int | None = None,
                today: dt.date | None = None) -> int:
    """Create or update one member from a form that passes ``check_form``; returns the member's id."""
    return save_members(session, village_id, [(form, member_id)], today)[0]


def save_members(session: Session, village_id: int, items: list[tuple[MemberForm, int | None]],
                 today: dt.date | None = None) -> list[int]:
    """Create (member id None) or update many members at once: one duplicate check, one insert.

    The editor saves one member through here and a roster import thousands; the rules are the same.
    Every form must pass ``check_form``, or nothing is written and MemberError names the first problem.
    """
    today = today or dt.date.today()
    forms = []
    for form, _ in items:
        checked = check_form(form, today)
        if not checked.ok:
            name = checked.form.name[:NAME_CHARS] + ("…" if len(checked.form.name) > NAME_CHARS else "")
            raise MemberError(f"{name or '（无姓名）'}：" + "；".join(checked.errors.values()))
        forms.append(checked.form)
    _ensure_unique_id_numbers(session, [(form.id_number, member_id) for form, (_, member_id) in zip(forms, items)])

    from partybuild_desktop.services.migrants import sync_forms

    columns = MemberForm.member_columns()
    before: dict[int, MemberCategory] = {}
    ids: list[int | None] = [member_id for _, member_id in items]
    new = [(index, form) for index, form in enumerate(forms) if ids[index] is None]
    if new:
        rows = [dict(village_id=village_id, search_keys=search_keys(form.name),
                     **{name: getattr(form, name) for name in columns}) for _, form in new]
        # One batched INSERT … RETURNING: the new ids come back in the order of the rows.
        created = session.scalars(insert(Member.__table__).returning(Member.__table__.c.id, sort_by_parameter_order=True),
                                  rows).all()
        events = []
        for (index, form), member_id in zip(new, created):
            ids[index] = member_id
            if form.joined_date:
                events.append(dict(member_id=member_id, date=form.joined_date, kind=MemberEventKind.JOINED, note=None))
                if form.confirmed_date:
                    events.append(dict(member_id=member_id, date=form.confirmed_date, kind=MemberEventKind.CONFIRMED,
                                       note=None))
        if events:
            session.execute(insert(MemberEvent), events)

    updates = {ids[index]: form for index, form in enumerate(forms) if items[index][1] is not None}
    if updates:
        existing = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(list(updates))))}
        for member_id, form in updates.items():
            member = existing.get(member_id)
            if member is None:
                raise MemberError("找不到这名党员，可能已被删除。请刷新列表。")
            before[member_id] = member.category
            if member.category != form.category:
                session.add(MemberEvent(member_id=member_id, date=today, kind=MemberEventKind.CATEGORY_CHANGED,
                                        note=f"{member.category.label} → {form.category.label}"))
            for name in columns:
                setattr(member, name, getattr(form, name))
            member.search_keys = search_keys(form.name)
    session.flush()
    sync_forms(session, [(ids[index], form, before.get(ids[index])) for index, form in enumerate(forms)
                         if form.category is MemberCategory.MIGRANT or ids[index] in before], today)
    return ids


def _ensure_unique_id_numbers(session: Session, numbers: list[tuple[str | None, int | None]]) -> None:
    """No ID number twice: neither within the batch nor against another member in the file."""
    seen: dict[str, int | None] = {}
    for number, member_id in numbers:
        if number:
            if number in seen:
                raise MemberError(f"身份证号 {number} 出现了两次，同一个号码不能登记两次。")
            seen[number] = member_id
    if not seen:
        return
    owners = session.execute(select(Member.id, Member.name, Member.id_number).where(Member.id_number.in_(list(seen))))
    for owner_id, name, number in owners:
        if seen[number] != owner_id:
            raise MemberError(f"身份证号 {number} 已属于党员“{name}”，同一个号码不能登记两次。")


def management_mode_label(category: MemberCategory) -> str:
    return management_mode(category).label


# ---------------------------------------------------------------------------------------- status history


def member_events(session: Session, member_id: int) -> list[StatusEvent]:
    return [StatusEvent(e.kind, e.date, e.note, e.id) for e in session.scalars(
        select(MemberEvent).where(MemberEvent.member_id == member_id).order_by(MemberEvent.date, MemberEvent.id))]


def member_state(member: Member) -> MemberState:
    """What the card says about the member's status (the part that status changes set)."""
    return MemberState(standing=member.standing, confirmed_date=member.confirmed_date,
                       membership_state=member.membership_state, lost_contact=bool(member.lost_contact),
                       lost_contact_date=member.lost_contact_date, archived=bool(member.archived),
                       departure=member.departure, archive_reason=member.archive_reason)


@dataclass(frozen=True)
class MemberStatusView:
    """What the editor needs for the status page: the card's state, the stored history, the state now."""

    card: MemberState
    history: tuple[StatusEvent, ...]
    state: MemberState


def load_status(session: Session, member_id: int) -> MemberStatusView:
    member = _member(session, member_id)
    card, history = member_state(member), tuple(member_events(session, member_id))
    return MemberStatusView(card, history, membership.current_state(card, history))


def _apply_history_edit(session: Session, member: Member, edit: HistoryEdit, today: dt.date) -> None:
    """Write an edit of the member's status history and the state the history then gives."""
    history = member_events(session, member.id)
    try:
        state = membership.state_after_edit(member_state(member), history, edit, today)
    except MembershipError as error:
        raise MemberError(f"“{member.name}”：{error}") from None
    rows = {row.id: row for row in session.scalars(select(MemberEvent).where(MemberEvent.member_id == member.id))}
    for event_id in edit.removed:
        session.delete(rows[event_id])
    for event in edit.corrected:
        row = rows[event.id]
        row.kind, row.date, row.note = event.kind, event.date, (event.note or "").strip() or None
    for event in edit.added:
        session.add(MemberEvent(member_id=member.id, date=event.date, kind=event.kind,
                                note=(event.note or "").strip() or None))
    member.standing, member.confirmed_date = state.standing, state.confirmed_date
    member.membership_state = state.membership_state
    member.lost_contact, member.lost_contact_date = state.lost_contact, state.lost_contact_date
    member.archived, member.departure, member.archive_reason = state.archived, state.departure, state.archive_reason
    if state.archived:
        member.is_hub_household = False  # a member who has left is nobody's hub household
    session.flush()


def change_status(session: Session, member_id: int, kind: MemberEventKind, date: dt.date, note: str | None = None,
                  today: dt.date | None = None) -> None:
    """Record one dated status change and apply it. Nobody leaves silently: departures need a reason."""
    member = _member(session, member_id)
    _apply_history_edit(session, member, HistoryEdit(added=(StatusEvent(kind, date, note),)), today or dt.date.today())


def save_member_edit(session: Session, village_id: int, form: MemberForm, member_id: int | None = None,
                     history: HistoryEdit = HistoryEdit(), today: dt.date | None = None) -> int:
    """The editor's OK: the form and the status changes made with it, in one transaction and in this
    order, so that what a status change sets (转正, a hub household who died) is never overwritten by
    the form's older values. Returns the member's id."""
    today = today or dt.date.today()
    if member_id is None and history:
        raise MemberError("新党员请先保存，再登记状态变动。")
    if history:
        # 人员类别 and 转正日期 follow the status records once there are any: the form's are not used.
        stored = member_events(session, member_id)
        if membership.standing_follows_history([*stored, *history.added, *history.corrected]):
            member = _member(session, member_id)
            form = replace(form, standing=member.standing, confirmed_date=member.confirmed_date)
    saved = save_members(session, village_id, [(form, member_id)], today)[0]
    if history:
        _apply_history_edit(session, _member(session, saved), history, today)
    return saved


# ---------------------------------------------------------------------------------------- deleting a member


def references(session: Session, member_id: int) -> list[str]:
    """What still refers to the member, each said as the clerk would find it. A member entered by mistake
    can be deleted only when this is empty; the status history and photo go with the member."""
    def names(query) -> str:
        found = [name for name in session.scalars(query.limit(4)) if name]
        return f"（{'、'.join(found[:3])}{'等' if len(found) > 3 else ''}）" if found else ""

    def count(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    found = []
    entries = count(RecordEntry, RecordEntry.member_id == member_id)
    if entries:
        found.append(f"纪实记录 {entries} 条")
    listed = count(MeetingAttendance, MeetingAttendance.member_id == member_id)
    if listed:
        found.append(f"{listed} 次会议的出席名单")
    if count(MemberReview, MemberReview.member_id == member_id):
        found.append("民主评议等次")
    if count(DuesAssessment, DuesAssessment.member_id == member_id) or count(DuesPayment, DuesPayment.member_id == member_id):
        found.append("党费标准或交纳记录")
    households = count(Household, Household.liaison_member_id == member_id)
    if households:
        found.append(f"联系农户 {households} 户")
    attached = count(Member, Member.hub_id == member_id)
    if attached:
        found.append(f"作为中心户联系党员 {attached} 名")
    groups = or_(PartyGroup.leader_id == member_id, PartyGroup.branch_contact_id == member_id)
    if count(PartyGroup, groups):
        found.append("担任党小组组长或联系人" + names(select(PartyGroup.name).where(groups)))
    branches = or_(GridBranch.secretary_id == member_id, GridBranch.committee_contact_id == member_id)
    if count(GridBranch, branches):
        found.append("担任网格党支部书记或联系人" + names(select(GridBranch.name).where(branches)))
    posts = session.scalars(select(CommitteePostHolder.post).where(
        CommitteePostHolder.member_id == member_id, CommitteePostHolder.ended_on.is_(None))).all()
    if posts:
        found.append("现任村党组织" + "、".join(post.label for post in posts))
    if count(GridBranchMember, GridBranchMember.member_id == member_id):
        found.append("担任网格支部委员" + names(select(GridBranch.name).join(
            GridBranchMember, GridBranchMember.grid_branch_id == GridBranch.id).where(GridBranchMember.member_id == member_id)))
    staff = count(GridStaff, GridStaff.member_id == member_id)
    if staff:
        found.append("担任网格长或网格员" + names(
            select(Grid.name).join(GridStaff, GridStaff.grid_id == Grid.id).where(GridStaff.member_id == member_id)))
    counted = (  # what the clerk reads, with {n} the number found
        ("民情日记走访 {n} 次", Visit.member_id), ("代办事项 {n} 件", ProxyService.handler_id),
        ("加分/减分 {n} 条", PointAward.member_id), ("已结账年度的先锋榜名单", PointYearMember.member_id),
        ("外出登记 {n} 次", MigrantStint.member_id), ("流动党员联系记录 {n} 条", MigrantContact.member_id),
        ("组织关系转接 {n} 次", OrganisationTransfer.member_id), ("发展党员档案（由此入党）", RecruitCase.member_id),
        ("担任入党介绍人或培养联系人 {n} 次", RecruitPerson.member_id), ("培养后备干部 {n} 人次", ReserveCadre.trainer_id))
    for text, column in counted:
        n = count(column.class_, column == member_id)
        if n:
            found.append(text.format(n=n))
    return found


def delete_member(session: Session, member_id: int) -> str:
    """Remove a member entered by mistake, with their status history; refused while anything refers to
    them (a member who leaves is archived instead). Returns the name deleted."""
    member = _member(session, member_id)
    used = references(session, member_id)
    if used:
        raise MemberError(f"“{member.name}”不能删除：已有{'、'.join(used)}。"
                          "确是录错的，请先删除或改掉这些记录；党员离开请用“状态变动”转出、去世或归档，并写明原因。")
    name = member.name
    session.delete(member)
    try:
        session.flush()
    except IntegrityError:  # a record of a kind the list above does not know yet
        raise MemberError(f"“{name}”仍被其他记录引用，不能删除。党员离开请用“状态变动”归档并写明原因。") from None
    return name


@dataclass(frozen=True)
class MemberMatch:
    id: int
    name: str
    id_number: str | None
    archived: bool


def find_by_name_or_id_number(session: Session, village_id: int, text: str) -> list[MemberMatch]:
    """Members of the village with this 身份证号 (18 characters, either case of X) or exactly this name."""
    wanted = clean_name(text or "")
    if not wanted:
        return []
    number = wanted.upper()
    query = select(Member.id, Member.name, Member.id_number, Member.archived).where(Member.village_id == village_id)
    rows = session.execute(query.where(Member.id_number == number)).all() if len(number) == 18 else []
    if not rows:
        rows = session.execute(query.where(Member.name == wanted).order_by(Member.archived, Member.id)).all()
    return [MemberMatch(i, n, num, bool(a)) for i, n, num, a in rows]


# ---------------------------------------------------------------------------------------- the record book


@dataclass(frozen=True)
class EntryRow:
    id: int
    member_id: int
    member_name: str
    date: dt.date
    entry_type: RecordEntryType
    text: str
    hours: float | None
    source_kind: str | None


def list_entries(session: Session, village_id: int, member_id: int | None = None, year: int | None = None,
                 text: str = "", limit: int | None = None) -> list[EntryRow]:
    query = (
        select(RecordEntry.id, RecordEntry.member_id, Member.name, RecordEntry.date, RecordEntry.entry_type,
               RecordEntry.text, RecordEntry.hours, RecordEntry.source_kind)
        .join(Member, Member.id == RecordEntry.member_id)
        .where(Member.village_id == village_id)
        .order_by(RecordEntry.date.desc(), RecordEntry.id.desc())
    )
    if member_id is not None:
        query = query.where(RecordEntry.member_id == member_id)
    if year is not None:
        query = query.where(RecordEntry.date >= dt.date(year, 1, 1), RecordEntry.date <= dt.date(year, 12, 31))
    if text.strip():
        query = query.where(or_(RecordEntry.text.contains(text.strip()), Member.name.contains(text.strip())))
    if limit:
        query = query.limit(limit)
    return [EntryRow(*r) for r in session.execute(query)]


def check_entry(date: dt.date, text: str, hours: float | None, today: dt.date) -> str:
    """An entry as typed: text, a date that has happened, hours a day can hold. Returns the text trimmed."""
    text = (text or "").strip()
    if not text:
        raise MemberError("请填写纪实内容。")
    if date > today:
        raise MemberError(f"日期 {format_cn(date)} 晚于今天，请核对。")
    if hours is not None and not 0 <= hours <= 24:
        raise MemberError("学时应在 0 到 24 之间。")
    return text


def add_entry(session: Session, member_id: int, date: dt.date, entry_type: RecordEntryType, text: str,
              hours: float | None = None, today: dt.date | None = None) -> int:
    text = check_entry(date, text, hours, today or dt.date.today())
    _member(session, member_id)
    entry = RecordEntry(member_id=member_id, date=date, entry_type=RecordEntryType(entry_type), text=text, hours=hours)
    session.add(entry)
    session.flush()
    return entry.id


def update_entry(session: Session, entry_id: int, date: dt.date, entry_type: RecordEntryType, text: str,
                 hours: float | None = None, today: dt.date | None = None) -> None:
    entry = session.get(RecordEntry, entry_id)
    if entry is None:
        raise MemberError("找不到这条纪实记录，可能已被删除。")
    if entry.source_kind:
        raise MemberError("这条纪实由其他记录（如走访、会议）自动生成，请到原记录中修改。")
    entry.text = check_entry(date, text, hours, today or dt.date.today())
    entry.date, entry.entry_type, entry.hours = date, RecordEntryType(entry_type), hours


def delete_entry(session: Session, entry_id: int) -> None:
    entry = session.get(RecordEntry, entry_id)
    if entry is None:
        return
    if entry.source_kind:
        raise MemberError("这条纪实由其他记录（如走访、会议）自动生成，请到原记录中删除。")
    session.delete(entry)


def study_hours(session: Session, member_ids: Iterable[int], year: int) -> dict[int, float]:
    """Study hours per member in a year (seed 001: at least 32, or 56 for committee members)."""
    from partybuild_desktop.domain.vocabulary import STUDY_ENTRY_TYPES

    ids = list(member_ids)
    rows = session.execute(
        select(RecordEntry.member_id, func.coalesce(func.sum(RecordEntry.hours), 0))
        .where(RecordEntry.member_id.in_(ids), RecordEntry.entry_type.in_(list(STUDY_ENTRY_TYPES)),
               RecordEntry.date >= dt.date(year, 1, 1), RecordEntry.date <= dt.date(year, 12, 31))
        .group_by(RecordEntry.member_id)
    )
    hours = {member_id: 0.0 for member_id in ids}
    hours.update({member_id: float(total) for member_id, total in rows})
    return hours
