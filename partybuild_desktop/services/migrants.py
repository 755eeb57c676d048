"""流动党员: stints away (外出登记 … 返回), the contact log, and who is away on a day with the alerts
the rules of ``domain.migrants`` raise (the 流动党员 page, ``migrants``, the 台账, the quarterly return).

A member has at most one open stint; the category 流动党员 follows it: registering a stint makes the
member a 流动党员, the return gives back the category they had before. The member editor and the roster
import still show and take the open stint's main fields as the form's 外出 fields (``sync_forms``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain import migrants as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.errors import Warning as Told
from partybuild_desktop.domain.migrants import ContactHow, StintFacts
from partybuild_desktop.domain.phone import check_phone
from partybuild_desktop.domain.text import clean_name
from partybuild_desktop.domain.transfers import OUT as TRANSFER_OUT
from partybuild_desktop.domain.vocabulary import MemberCategory, MemberEventKind, MembershipState
from partybuild_desktop.services.village import get_setting, set_setting
from partybuild_desktop.store.stays import stays
from partybuild_desktop.store.models import (Member, MemberEvent, MigrantContact, MigrantStint, OrganisationTransfer,
                                             PartyGroup, Village)

INTERVAL_KEY = "migrant_contact_interval_months"
# The member form's 外出 fields and the stint's columns they stand for.
FORM_FIELDS = {"away_since": "left_on", "away_reason": "reason", "away_province": "province", "away_city": "city",
               "away_county": "county", "away_contact": "phone", "away_occupation": "occupation",
               "activity_card_no": "card_no"}
TEXT_LIMITS = {"province": 32, "city": 32, "county": 32, "host_organisation": 128, "reason": 64, "occupation": 64,
               "wechat": 64, "contact_person": 32, "card_no": 32}
LABELS = {"province": "流向省份", "city": "流向城市", "county": "流向县区", "host_organisation": "流入地党组织",
          "reason": "外出原因", "occupation": "从事职业", "phone": "联系电话", "wechat": "微信",
          "contact_person": "村联系人", "card_no": "活动证号"}


class MigrantError(Refusal):
    """A 外出登记, 返回 or 联系记录 refused; the message says why and what to do, in Chinese."""


# ---------------------------------------------------------------------------------------- settings


def contact_interval(session: Session) -> int:
    """How many months may pass between two contacts with a migrant (设置; 3 unless set)."""
    raw = get_setting(session, INTERVAL_KEY)
    if raw and raw.isdigit() and rules.check_interval(int(raw)) is None:
        return int(raw)
    return rules.DEFAULT_CONTACT_INTERVAL_MONTHS


def set_contact_interval(session: Session, months: int) -> None:
    problem = rules.check_interval(months)
    if problem:
        raise MigrantError(problem)
    set_setting(session, INTERVAL_KEY, str(months))


# ---------------------------------------------------------------------------------------- forms


@dataclass
class StintForm:
    """外出登记 as typed (the 返回 date is registered on its own)."""

    left_on: dt.date | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    host_organisation: str | None = None
    reason: str | None = None
    occupation: str | None = None
    phone: str | None = None
    wechat: str | None = None
    contact_person: str | None = None
    card_no: str | None = None
    card_issued_on: dt.date | None = None
    card_expires_on: dt.date | None = None
    no_transfer_reason: str | None = None
    note: str | None = None

    TEXT = ("province", "city", "county", "host_organisation", "reason", "occupation", "phone", "wechat",
            "contact_person", "card_no", "no_transfer_reason", "note")


@dataclass
class ContactForm:
    date: dt.date | None = None
    how: ContactHow | None = None
    by_whom: str | None = None
    note: str | None = None


def _member(session: Session, village_id: int, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.village_id != village_id:
        raise MigrantError("找不到这名党员，可能已被删除。请刷新列表。")
    return member


def open_stint(session: Session, member_id: int) -> MigrantStint | None:
    return session.scalars(select(MigrantStint).where(MigrantStint.member_id == member_id,
                                                      MigrantStint.back_on.is_(None))
                           .order_by(MigrantStint.id.desc())).first()


def away_member_ids(session: Session, village_id: int) -> set[int]:
    """The members of the village with an open stint (not yet back), in one query."""
    return set(session.scalars(select(MigrantStint.member_id).join(Member, Member.id == MigrantStint.member_id)
                               .where(Member.village_id == village_id, MigrantStint.back_on.is_(None))))


def _clean(form: StintForm, who: str, today: dt.date) -> StintForm:
    values = {}
    for name in StintForm.TEXT:
        value = getattr(form, name)
        values[name] = (clean_name(value) if name == "contact_person" else value.strip()) if value else None
        values[name] = values[name] or None
        limit = TEXT_LIMITS.get(name)
        if limit and values[name] and len(values[name]) > limit:
            raise MigrantError(f"{who}的{LABELS[name]}“{values[name]}”超过 {limit} 个字，请缩短后再保存。")
    cleaned = StintForm(left_on=form.left_on, card_issued_on=form.card_issued_on,
                        card_expires_on=form.card_expires_on, **values)
    if cleaned.phone:
        phone = check_phone(cleaned.phone)
        if not phone.ok:
            raise MigrantError(f"{who}的联系电话：{phone.message}")
        cleaned.phone = phone.number
    if cleaned.left_on is None:
        raise MigrantError(f"请填写{who}的外出时间。")
    if cleaned.left_on > today:
        raise MigrantError(f"{who}的外出时间 {format_cn(cleaned.left_on)} 晚于今天，请核对。")
    if not (cleaned.province or cleaned.city):
        raise MigrantError(f"请填写{who}的外出流向（省/市/县，至少填省或市）。")
    if (cleaned.card_issued_on or cleaned.card_expires_on) and not cleaned.card_no:
        raise MigrantError(f"{who}填了活动证的日期，但没有填活动证号。请补上证号，或清空日期。")
    if cleaned.card_issued_on and cleaned.card_expires_on and cleaned.card_expires_on < cleaned.card_issued_on:
        raise MigrantError(f"{who}的活动证有效期至 {format_cn(cleaned.card_expires_on)}，"
                           f"早于发证日期 {format_cn(cleaned.card_issued_on)}，请核对。")
    return cleaned


def _set_category(session: Session, member: Member, category: MemberCategory, day: dt.date, why: str) -> None:
    if member.category != category:
        session.add(MemberEvent(member_id=member.id, date=day, kind=MemberEventKind.CATEGORY_CHANGED,
                                note=f"{member.category.label} → {category.label}（{why}）"))
        member.category = category


def register_out(session: Session, village_id: int, member_id: int, form: StintForm,
                 today: dt.date | None = None) -> int:
    """外出登记: a new open stint; the member becomes a 流动党员. Returns the stint's id."""
    today = today or dt.date.today()
    member = _member(session, village_id, member_id)
    if member.archived:
        raise MigrantError(f"{member.name}已不在册（{member.archive_reason or '已归档'}），不能登记外出。")
    cleaned = _clean(form, member.name, today)
    current = open_stint(session, member_id)
    if current is not None:
        since = format_cn(current.left_on) if current.left_on else "外出时间不详"
        raise MigrantError(f"{member.name}已有一次外出登记尚未返回（{since}起，"
                           f"{rules.place(current.province, current.city, current.county)}）。"
                           "请先登记返回，或修改这次外出登记。")
    last_back = session.scalar(select(func.max(MigrantStint.back_on)).where(MigrantStint.member_id == member_id))
    if last_back and cleaned.left_on < last_back:
        raise MigrantError(f"{member.name}上次外出于 {format_cn(last_back)} 返回，这次的外出时间 "
                           f"{format_cn(cleaned.left_on)} 早于那天，请核对。")
    stint = MigrantStint(member_id=member_id, back_on=None,
                         category_before=None if member.category is MemberCategory.MIGRANT else member.category,
                         **vars(cleaned))
    session.add(stint)
    _set_category(session, member, MemberCategory.MIGRANT, cleaned.left_on, "外出登记")
    session.flush()
    return stint.id


def update_stint(session: Session, village_id: int, stint_id: int, form: StintForm,
                 today: dt.date | None = None) -> None:
    """Correct a stint's 外出登记 (its return date stays as it is)."""
    today = today or dt.date.today()
    stint = session.get(MigrantStint, stint_id)
    if stint is None:
        raise MigrantError("找不到这次外出登记，可能已被删除。请刷新列表。")
    member = _member(session, village_id, stint.member_id)
    cleaned = _clean(form, member.name, today)
    if stint.back_on and cleaned.left_on > stint.back_on:
        raise MigrantError(f"{member.name}于 {format_cn(stint.back_on)} 返回，外出时间 {format_cn(cleaned.left_on)} "
                           "不能晚于返回时间，请核对。")
    for name, value in vars(cleaned).items():
        if name != "note" or value is not None:  # a form without the note keeps it
            setattr(stint, name, value)
    session.flush()


def register_back(session: Session, village_id: int, member_id: int, back_on: dt.date | None,
                  today: dt.date | None = None) -> list[Told]:
    """返回: closes the open stint; the member gets back the category they had before leaving.
    Returns what the clerk should still do (hand back the 活动证)."""
    today = today or dt.date.today()
    member = _member(session, village_id, member_id)
    stint = open_stint(session, member_id)
    if stint is None:
        raise MigrantError(f"{member.name}没有未返回的外出登记，不用登记返回。")
    if back_on is None:
        raise MigrantError(f"请填写{member.name}的返回时间。")
    if back_on > today:
        raise MigrantError(f"{member.name}的返回时间 {format_cn(back_on)} 晚于今天，请核对。")
    if stint.left_on and back_on < stint.left_on:
        raise MigrantError(f"{member.name}的返回时间 {format_cn(back_on)} 早于外出时间 {format_cn(stint.left_on)}，请核对。")
    stint.back_on = back_on
    _set_category(session, member, stint.category_before or MemberCategory.FARMER, back_on, "外出返回")
    session.flush()
    if stint.card_no:
        return [Told("activity_card_return", f"请收回{member.name}的流动党员活动证（{stint.card_no}），交回镇党委。")]
    return []


def close_on_leaving(session: Session, member_id: int, day: dt.date, why: str) -> None:
    """The member leaves the branch on ``day`` (the 回执 of their transfer out): their open stint ends that day
    and they get back the category they had before leaving, as at a 返回."""
    stint = open_stint(session, member_id)
    if stint is None:
        return
    stint.back_on = max(day, stint.left_on) if stint.left_on else day
    member = session.get(Member, member_id)
    _set_category(session, member, stint.category_before or MemberCategory.FARMER, stint.back_on, why)
    session.flush()


def add_contact(session: Session, village_id: int, member_id: int, form: ContactForm,
                today: dt.date | None = None) -> int:
    """联系记录: a contact with a member who was away that day."""
    today = today or dt.date.today()
    member = _member(session, village_id, member_id)
    if form.date is None:
        raise MigrantError(f"请填写与{member.name}联系的日期。")
    if form.date > today:
        raise MigrantError(f"联系日期 {format_cn(form.date)} 晚于今天，请核对。")
    if form.how is None:
        raise MigrantError("请选择联系方式：" + "、".join(h.label for h in ContactHow) + "。")
    if _stint_on(session, member_id, form.date) is None:
        raise MigrantError(f"{format_cn(form.date)} {member.name}不在外出登记的时间内，不能登记联系记录。"
                           "请核对日期，或先办理外出登记。")
    by_whom = clean_name(form.by_whom or "") or None
    if by_whom and len(by_whom) > 32:
        raise MigrantError("联系人姓名超过 32 个字，请缩短。")
    contact = MigrantContact(member_id=member_id, date=form.date, how=form.how, by_whom=by_whom,
                             note=(form.note or "").strip() or None)
    session.add(contact)
    session.flush()
    return contact.id


def delete_contact(session: Session, village_id: int, contact_id: int) -> None:
    contact = session.get(MigrantContact, contact_id)
    if contact is None:
        raise MigrantError("找不到这条联系记录，可能已被删除。请刷新列表。")
    _member(session, village_id, contact.member_id)
    session.delete(contact)
    session.flush()


def _stint_on(session: Session, member_id: int, day: dt.date) -> MigrantStint | None:
    """The stint the member was on on ``day`` (an open stint with no 外出时间 counts as covering it)."""
    for stint in session.scalars(select(MigrantStint).where(MigrantStint.member_id == member_id)):
        if (stint.left_on is None or stint.left_on <= day) and (stint.back_on is None or day <= stint.back_on):
            return stint
    return None


# ---------------------------------------------------------------------------------------- the member form


def form_fields(session: Session, member_id: int) -> dict:
    """The member form's 外出 fields as the open stint holds them (all empty without one)."""
    stint = open_stint(session, member_id)
    return {name: getattr(stint, column) if stint else None for name, column in FORM_FIELDS.items()}


def form_fields_of(session: Session, member_ids: list[int]) -> dict[int, dict]:
    """``form_fields`` for many members at once (the roster import's update)."""
    found: dict[int, dict] = {member_id: {name: None for name in FORM_FIELDS} for member_id in member_ids}
    for start in range(0, len(member_ids), 500):
        for stint in session.scalars(select(MigrantStint).where(
                MigrantStint.member_id.in_(member_ids[start:start + 500]), MigrantStint.back_on.is_(None))
                .order_by(MigrantStint.id)):
            found[stint.member_id] = {name: getattr(stint, column) for name, column in FORM_FIELDS.items()}
    return found


def sync_forms(session: Session, items: list[tuple[int, object, MemberCategory | None]], today: dt.date) -> None:
    """After the member editor or the roster import saved members: a 流动党员 keeps (or gets) an open stint
    with the form's 外出 fields; a member no longer a 流动党员 has come back (today). ``items``: (member id,
    the MemberForm, the category before the save or None for a new member)."""
    opened = {s.member_id: s for s in session.scalars(select(MigrantStint).where(
        MigrantStint.member_id.in_([member_id for member_id, _, _ in items]), MigrantStint.back_on.is_(None)))}
    for member_id, form, before in items:
        stint = opened.get(member_id)
        if form.category is MemberCategory.MIGRANT:
            if stint is None:
                stint = MigrantStint(member_id=member_id,
                                     category_before=before if before not in (None, MemberCategory.MIGRANT) else None)
                session.add(stint)
            for name, column in FORM_FIELDS.items():
                setattr(stint, column, getattr(form, name))
        elif stint is not None:
            stint.back_on = max(today, stint.left_on) if stint.left_on else today
    session.flush()


# ---------------------------------------------------------------------------------------- who is away


@dataclass(frozen=True)
class ContactRow:
    id: int
    date: dt.date
    how: ContactHow
    by_whom: str | None
    note: str | None


@dataclass
class MigrantRow:
    """One member away on the day asked about, with the stint, the last contact and the alerts."""

    member_id: int
    name: str
    party_group: str
    stint_id: int
    left_on: dt.date | None
    province: str | None
    city: str | None
    county: str | None
    host_organisation: str | None
    reason: str | None
    occupation: str | None
    phone: str | None
    wechat: str | None
    contact_person: str | None
    card_no: str | None
    card_issued_on: dt.date | None
    card_expires_on: dt.date | None
    no_transfer_reason: str | None
    back_on: dt.date | None
    months_away: int | None
    last_contact: dt.date | None
    last_contact_how: ContactHow | None
    contacts: int
    lost_contact_marked: bool  # 失联 already recorded in the member's status
    suspended: bool
    alerts: list[str] = field(default_factory=list)

    @property
    def destination(self) -> str:
        return rules.place(self.province, self.city, self.county)

    @property
    def to(self) -> str:
        """省/市/县 as ``--to`` takes it."""
        return "/".join(part or "" for part in (self.province, self.city, self.county)).rstrip("/")

    @property
    def alert_labels(self) -> str:
        return "、".join(rules.ALERT_LABELS[kind] for kind in self.alerts)


def migrants(session: Session, village_id: int, as_of: dt.date | None = None) -> list[MigrantRow]:
    """Every member on the roll on ``as_of`` (today by default) who was away that day, by party group then
    name. A member who has left since counts on the days before they left (``store.stays``)."""
    as_of = as_of or dt.date.today()
    interval = contact_interval(session)
    query = (
        select(MigrantStint, Member.name, Member.lost_contact, Member.membership_state, PartyGroup.name,
               Member.archived)
        .join(Member, Member.id == MigrantStint.member_id)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village_id,
               (MigrantStint.left_on.is_(None)) | (MigrantStint.left_on <= as_of),
               (MigrantStint.back_on.is_(None)) | (MigrantStint.back_on > as_of))
        .order_by(PartyGroup.id, Member.id, MigrantStint.id)
    )
    found = session.execute(query).all()
    if any(archived for *_, archived in found):
        left = {member_id: stay.left for member_id, stay in stays(session, village_id).items()}
        # Left by then, or left on a day not known: not on the roll that day.
        found = [row for row in found if not row[-1] or (left.get(row[0].member_id) or as_of) > as_of]
    found = [tuple(row[:-1]) for row in found]
    ids = [stint.member_id for stint, *_ in found]
    contacts: dict[int, list[tuple[dt.date, ContactHow]]] = {}
    for member_id, day, how in session.execute(
            select(MigrantContact.member_id, MigrantContact.date, MigrantContact.how)
            .where(MigrantContact.member_id.in_(ids), MigrantContact.date <= as_of)
            .order_by(MigrantContact.date, MigrantContact.id)):
        contacts.setdefault(member_id, []).append((day, how))
    # A 介绍信 out written by then and its 回执 not back: the transfer is under way (``services.transfers``).
    transferring = set(session.scalars(select(OrganisationTransfer.member_id).where(
        OrganisationTransfer.village_id == village_id, OrganisationTransfer.direction == TRANSFER_OUT,
        OrganisationTransfer.date <= as_of,
        OrganisationTransfer.receipt_on.is_(None) | (OrganisationTransfer.receipt_on > as_of))))
    rows, seen = [], set()
    for stint, name, lost, state, group in found:
        if stint.member_id in seen:  # two stints overlapping the day: the later registration holds
            rows = [r for r in rows if r.member_id != stint.member_id]
        seen.add(stint.member_id)
        mine = [(day, how) for day, how in contacts.get(stint.member_id, [])
                if stint.left_on is None or day >= stint.left_on]
        last, how = mine[-1] if mine else (None, None)
        facts = StintFacts(left_on=stint.left_on, last_contact=last, card_no=stint.card_no,
                           card_expires_on=stint.card_expires_on, no_transfer_reason=stint.no_transfer_reason,
                           transfer_under_way=stint.member_id in transferring)
        kinds = rules.alerts_for(facts, as_of, interval)
        if state is MembershipState.SUSPENDED:
            kinds = [k for k in kinds if k != rules.LOST_CONTACT]
        rows.append(MigrantRow(
            member_id=stint.member_id, name=name, party_group=group or "", stint_id=stint.id, left_on=stint.left_on,
            province=stint.province, city=stint.city, county=stint.county, host_organisation=stint.host_organisation,
            reason=stint.reason, occupation=stint.occupation, phone=stint.phone, wechat=stint.wechat,
            contact_person=stint.contact_person, card_no=stint.card_no, card_issued_on=stint.card_issued_on,
            card_expires_on=stint.card_expires_on, no_transfer_reason=stint.no_transfer_reason,
            back_on=stint.back_on,
            months_away=rules.months_away(stint.left_on, as_of) if stint.left_on else None,
            last_contact=last, last_contact_how=how, contacts=len(mine), lost_contact_marked=bool(lost),
            suspended=state is MembershipState.SUSPENDED, alerts=kinds))
    return rows


def migrant_ids_on(session: Session, village_id: int, day: dt.date) -> set[int]:
    """The members away on ``day`` (an open stint that day): those due at the Spring Festival meeting."""
    return {row.member_id for row in migrants(session, village_id, day)}


def stints_of(session: Session, member_id: int) -> list[MigrantStint]:
    return list(session.scalars(select(MigrantStint).where(MigrantStint.member_id == member_id)
                                .order_by(MigrantStint.left_on, MigrantStint.id)))


def contacts_of(session: Session, member_id: int) -> list[ContactRow]:
    return [ContactRow(c.id, c.date, c.how, c.by_whom, c.note) for c in session.scalars(
        select(MigrantContact).where(MigrantContact.member_id == member_id)
        .order_by(MigrantContact.date.desc(), MigrantContact.id.desc()))]


@dataclass(frozen=True)
class CardLine:
    """One 流动党员联系卡: the branch's phone and the contact person, the member's name and destination."""

    name: str
    destination: str
    host_organisation: str | None
    branch_name: str
    branch_phone: str | None
    contact_person: str | None
    secretary: str | None


def contact_cards(session: Session, village_id: int, as_of: dt.date | None = None,
                  member_ids: list[int] | None = None) -> list[CardLine]:
    """The cards of the migrants away on ``as_of`` (or of those named): no ID number, no member's phone."""
    village = session.get(Village, village_id)
    rows = migrants(session, village_id, as_of)
    if member_ids is not None:
        wanted = set(member_ids)
        rows = [r for r in rows if r.member_id in wanted]
    return [CardLine(name=r.name, destination=r.destination or "（流向未登记）", host_organisation=r.host_organisation,
                     branch_name=village.branch_name, branch_phone=village.phone, contact_person=r.contact_person,
                     secretary=village.secretary_name) for r in rows]
