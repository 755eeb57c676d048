"""组织关系转接: members' 组织关系 transferred out (a 介绍信, then its 回执) and in (creating or reactivating
a member), the year's register, the letter's printout data and the return's figures.

The rules are ``domain.transfers``. A member leaves the list only through the members service's own
status change (``members.change_status`` with 转出, dated the day the 回执 arrived); a transfer in creates
the member through ``members.save_member`` or reactivates one who had transferred out, and records the
转入 the same way, so the dues, the statistics and the status history all see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain import transfers as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Warning
from partybuild_desktop.domain.text import clean_name
from partybuild_desktop.domain.transfers import IN, OUT, Letter, Month, TransferError
from partybuild_desktop.domain.vocabulary import MemberEventKind, Standing
from partybuild_desktop.services import members, migrants
from partybuild_desktop.services.village import get_setting, set_setting, village_info
from partybuild_desktop.store.models import Member, MemberEvent, OrganisationTransfer, Village

VALID_DAYS_KEY = "transfer_letter_valid_days"
RECEIPT_LATE = "receipt_after_validity"

__all__ = ["TransferError"]


def valid_days(session: Session) -> int:
    """How many days an outgoing 介绍信 is valid ([local]: a village setting, 90 unless set)."""
    raw = get_setting(session, VALID_DAYS_KEY)
    if raw and raw.isdigit() and 1 <= int(raw) <= rules.MAX_VALID_DAYS:
        return int(raw)
    return rules.DEFAULT_VALID_DAYS


def set_valid_days(session: Session, days: int) -> None:
    set_setting(session, VALID_DAYS_KEY, str(rules.check_valid_days(int(days))))


# ---------------------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class TransferRow:
    id: int
    direction: str  # out / in
    member_id: int
    name: str
    standing: Standing
    organisation: str
    letter_no: str | None
    date: dt.date
    valid_days: int | None
    dues_paid_to: Month | None
    receipt_on: dt.date | None
    note: str | None
    as_of: dt.date

    @property
    def expires_on(self) -> dt.date | None:
        return rules.expires_on(self.date, self.valid_days) if self.direction == OUT and self.valid_days else None

    @property
    def receipt_missing(self) -> bool:
        return (self.direction == OUT and self.valid_days is not None
                and rules.receipt_missing(self.date, self.valid_days, self.receipt_on, self.as_of))

    @property
    def late(self) -> bool:
        """The 回执 came after the letter's validity."""
        return (self.direction == OUT and self.receipt_on is not None and self.valid_days is not None
                and not rules.receipt_on_time(self.date, self.valid_days, self.receipt_on))

    @property
    def state(self) -> str:
        if self.direction == IN:
            return "已转入"
        if self.receipt_on is not None:
            return "已收到回执（逾期）" if self.late else "已收到回执"
        return "回执逾期未回" if self.receipt_missing else "待回执"

    def to_json(self) -> dict:
        return {
            "id": self.id, "direction": self.direction, "member": self.name, "organisation": self.organisation,
            "letter": self.letter_no, "date": self.date.isoformat(), "valid_days": self.valid_days,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "dues_paid_to": f"{self.dues_paid_to[0]}-{self.dues_paid_to[1]:02d}" if self.dues_paid_to else None,
            "receipt_on": self.receipt_on.isoformat() if self.receipt_on else None,
            "receipt_missing": self.receipt_missing, "state": self.state,
        }


def _month(day: dt.date | None) -> Month | None:
    return (day.year, day.month) if day else None


def _rows(session: Session, query, as_of: dt.date) -> list[TransferRow]:
    return [TransferRow(t.id, t.direction, t.member_id, name, standing, t.organisation, t.letter_no, t.date,
                        t.valid_days, _month(t.dues_paid_to), t.receipt_on, t.note, as_of)
            for t, name, standing in session.execute(query)]


def _query(village_id: int):
    return (select(OrganisationTransfer, Member.name, Member.standing)
            .join(Member, Member.id == OrganisationTransfer.member_id)
            .where(OrganisationTransfer.village_id == village_id)
            .order_by(OrganisationTransfer.date, OrganisationTransfer.id))


def list_transfers(session: Session, village_id: int, year: int | None = None,
                   as_of: dt.date | None = None) -> list[TransferRow]:
    """The village's transfers, oldest first: those dated in ``year`` (and, for a year, every letter out
    still waiting for its 回执, whenever written), or all of them."""
    as_of = as_of or dt.date.today()
    query = _query(village_id)
    if year is not None:
        in_year = OrganisationTransfer.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        received = OrganisationTransfer.receipt_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        shown = [in_year, received]
        if year >= as_of.year:  # this year's register also lists the letters of earlier years still out
            shown.append((OrganisationTransfer.direction == OUT) & OrganisationTransfer.receipt_on.is_(None))
        query = query.where(or_(*shown))
    return _rows(session, query, as_of)


def transfer_row(session: Session, village_id: int, transfer_id: int, as_of: dt.date | None = None) -> TransferRow:
    found = _rows(session, _query(village_id).where(OrganisationTransfer.id == transfer_id), as_of or dt.date.today())
    if not found:
        raise TransferError("找不到这条组织关系转接记录，可能已被删除。请刷新列表。")
    return found[0]


def missing_receipts(session: Session, village_id: int, as_of: dt.date) -> list[TransferRow]:
    """Letters out past their validity on ``as_of`` with no 回执 by that day (written on or before it)."""
    query = _query(village_id).where(
        OrganisationTransfer.direction == OUT, OrganisationTransfer.date <= as_of,
        or_(OrganisationTransfer.receipt_on.is_(None), OrganisationTransfer.receipt_on > as_of))
    return [replace(row, receipt_on=None) for row in _rows(session, query, as_of)
            if rules.receipt_missing(row.date, row.valid_days or rules.DEFAULT_VALID_DAYS, None, as_of)]


def open_transfer(session: Session, village_id: int, member_id: int) -> int | None:
    """The member's letter out still waiting for its 回执, if any."""
    return session.scalar(select(OrganisationTransfer.id).where(
        OrganisationTransfer.village_id == village_id, OrganisationTransfer.member_id == member_id,
        OrganisationTransfer.direction == OUT, OrganisationTransfer.receipt_on.is_(None)))


# ---------------------------------------------------------------------------------------- members


@dataclass(frozen=True)
class MemberChoice:
    id: int
    name: str
    archived: bool
    departure: MemberEventKind | None
    id_number: str | None


def find_member(session: Session, village_id: int, text: str) -> list[MemberChoice]:
    """Members named by their 编号 (digits), an ID number, or an exact name; on-roll members first."""
    wanted = clean_name(text or "")
    if not wanted:
        return []
    query = (select(Member.id, Member.name, Member.archived, Member.departure, Member.id_number)
             .where(Member.village_id == village_id).order_by(Member.archived, Member.id))
    if wanted.isdigit() and len(wanted) < 18:
        rows = session.execute(query.where(Member.id == int(wanted))).all()
    elif len(wanted) == 18:
        rows = session.execute(query.where(Member.id_number == wanted.upper())).all()
    else:
        rows = session.execute(query.where(Member.name == wanted)).all()
    return [MemberChoice(i, n, bool(a), d, num) for i, n, a, d, num in rows]


def one_member(session: Session, village_id: int, text: str, on_roll: bool | None = None) -> MemberChoice:
    """The one member ``text`` names; ``on_roll`` True: only members on the roll, False: only those
    who transferred out. TransferError when there is none or more than one."""
    found = find_member(session, village_id, text)
    if on_roll is True:
        found = [m for m in found if not m.archived]
    elif on_roll is False:
        found = [m for m in found if m.archived and m.departure is MemberEventKind.TRANSFERRED_OUT]
    who = (text or "").strip()
    if not found:
        where = {True: "在册党员", False: "已转出的党员", None: "党员"}[on_roll]
        raise TransferError(f"本村没有{where}“{who}”。请核对姓名，或改用党员编号。")
    if len(found) > 1:
        listed = "、".join(f"编号 {m.id}" for m in found)
        raise TransferError(f"有 {len(found)} 名党员叫“{who}”（{listed}），请改用编号写明是哪一位。")
    return found[0]


def dues_paid_to(session: Session, village_id: int, member_id: int, day: dt.date) -> Month | None:
    """The last month the member had paid dues for on ``day`` (payments made by then, months paid ahead
    included); None when nothing is recorded. The dues grid (``services.dues``) does not keep when a
    month was paid, so the payments are read here."""
    from partybuild_desktop.store.models import DuesPayment

    last = session.scalar(select(func.max(DuesPayment.month)).where(
        DuesPayment.village_id == village_id, DuesPayment.member_id == member_id, DuesPayment.paid_on <= day))
    return _month(last)


def transferable_members(session: Session, village_id: int) -> list[tuple[int, str]]:
    """Members on the roll without a letter out waiting for its 回执: (id, name), by name."""
    waiting = select(OrganisationTransfer.member_id).where(
        OrganisationTransfer.village_id == village_id, OrganisationTransfer.direction == OUT,
        OrganisationTransfer.receipt_on.is_(None))
    return [(i, n) for i, n in session.execute(
        select(Member.id, Member.name).where(Member.village_id == village_id, Member.archived.is_(False),
                                             Member.id.not_in(waiting)).order_by(Member.id))]


def returnable_members(session: Session, village_id: int) -> list[tuple[int, str]]:
    """Members who transferred out and may come back: (id, name)."""
    return [(i, n) for i, n in session.execute(
        select(Member.id, Member.name).where(Member.village_id == village_id, Member.archived.is_(True),
                                             Member.departure == MemberEventKind.TRANSFERRED_OUT).order_by(Member.id))]


# ---------------------------------------------------------------------------------------- out


@dataclass
class OutForm:
    member_id: int
    organisation: str
    date: dt.date
    letter_no: str | None = None  # empty: the year's next number
    valid_days: int | None = None  # empty: the village's setting
    dues_paid_to: Month | None = None  # empty: as the dues records say
    note: str | None = None


def _letter_numbers(session: Session, village_id: int) -> list[str]:
    return [n for n in session.scalars(select(OrganisationTransfer.letter_no).where(
        OrganisationTransfer.village_id == village_id, OrganisationTransfer.direction == OUT)) if n]


def suggested_letter_no(session: Session, village_id: int, year: int) -> str:
    return rules.next_letter_no(year, _letter_numbers(session, village_id))


def transfer_out(session: Session, village_id: int, form: OutForm, today: dt.date | None = None) -> TransferRow:
    """Write the 介绍信 of a member's transfer out; the member stays on the list until the 回执 comes."""
    today = today or dt.date.today()
    member = session.get(Member, form.member_id)
    if member is None or member.village_id != village_id:
        raise TransferError("找不到这名党员，可能已被删除。请刷新列表。")
    if member.archived:
        raise TransferError(f"“{member.name}”已不在册（{members.membership.describe(members.member_state(member))}），"
                            "不能再开组织关系介绍信。")
    if open_transfer(session, village_id, member.id) is not None:
        raise TransferError(f"“{member.name}”已开出组织关系介绍信，还在等回执。收到回执请登记回执；"
                            "原介绍信作废的，请先在“组织关系”中撤销它，再重新开具。")
    organisation = rules.clean_organisation(form.organisation, "转往的党组织")
    date = rules.check_date(form.date, today, "介绍信开出的日期")
    days = rules.check_valid_days(form.valid_days if form.valid_days is not None else valid_days(session))
    number = rules.clean_letter_no(form.letter_no, required=False) or suggested_letter_no(session, village_id, date.year)
    if number in _letter_numbers(session, village_id):
        raise TransferError(f"介绍信第 {number} 号已经用过，请换一个编号（不填时自动编号）。")
    paid_to = form.dues_paid_to if form.dues_paid_to is not None else dues_paid_to(session, village_id, member.id, date)
    paid_to = rules.check_dues_month(paid_to, date)
    row = OrganisationTransfer(village_id=village_id, member_id=member.id, direction=OUT, organisation=organisation,
                               letter_no=number, date=date, valid_days=days,
                               dues_paid_to=dt.date(*paid_to, 1) if paid_to else None,
                               note=(form.note or "").strip() or None)
    session.add(row)
    session.flush()
    return transfer_row(session, village_id, row.id, today)


@dataclass(frozen=True)
class ReceiptDone:
    row: TransferRow
    warnings: list[Warning] = field(default_factory=list)


def record_receipt(session: Session, village_id: int, transfer_id: int, day: dt.date,
                   today: dt.date | None = None) -> ReceiptDone:
    """The 回执 of a letter out came back on ``day``: it is filed, and the member leaves the list (转出,
    dated that day). A 回执 after the letter's validity is recorded all the same, with a warning."""
    today = today or dt.date.today()
    transfer = session.get(OrganisationTransfer, transfer_id)
    if transfer is None or transfer.village_id != village_id or transfer.direction != OUT:
        raise TransferError("找不到这封组织关系介绍信，可能已被撤销。请刷新列表。")
    member = session.get(Member, transfer.member_id)
    if transfer.receipt_on is not None:
        raise TransferError(f"“{member.name}”的介绍信（第 {transfer.letter_no} 号）已于{format_cn(transfer.receipt_on)}"
                            "登记过回执。")
    day = rules.check_receipt(transfer.date, day, today)
    if member.archived:
        raise TransferError(f"“{member.name}”已不在册（{members.membership.describe(members.member_state(member))}），"
                            "不能再登记转出。请核对党员的状态记录。")
    note = f"转往{transfer.organisation}（介绍信第 {transfer.letter_no} 号，{format_cn(day)}收到回执）"
    try:
        members.change_status(session, member.id, MemberEventKind.TRANSFERRED_OUT, day, note, today=today)
    except members.MemberError as error:
        raise TransferError(str(error)) from None
    migrants.close_on_leaving(session, member.id, day, "组织关系转出")
    transfer.receipt_on = day
    session.flush()
    warnings = []
    if not rules.receipt_on_time(transfer.date, transfer.valid_days or rules.DEFAULT_VALID_DAYS, day):
        expired = rules.expires_on(transfer.date, transfer.valid_days or rules.DEFAULT_VALID_DAYS)
        warnings.append(Warning(RECEIPT_LATE, f"回执收到时介绍信已过有效期（有效期至{format_cn(expired)}），"
                                              "已照样登记；请确认接收党组织确已接转。"))
    return ReceiptDone(transfer_row(session, village_id, transfer.id, today), warnings)


def cancel_transfer(session: Session, village_id: int, transfer_id: int) -> str:
    """Take back a letter out whose 回执 has not come (the letter void: lost, or the member stays).
    Returns the member's name."""
    transfer = session.get(OrganisationTransfer, transfer_id)
    if transfer is None or transfer.village_id != village_id:
        raise TransferError("找不到这条组织关系转接记录，可能已被删除。请刷新列表。")
    name = session.get(Member, transfer.member_id).name
    if transfer.direction != OUT or transfer.receipt_on is not None:
        raise TransferError(f"“{name}”的这条记录已经办结（已收到回执或已转入），不能撤销。"
                            "确属登记错误的，请在党员信息的“状态记录”中改正。")
    session.delete(transfer)
    session.flush()
    return name


# ---------------------------------------------------------------------------------------- in


@dataclass
class InForm:
    organisation: str
    date: dt.date
    letter_no: str | None
    member_id: int | None = None  # a member who had transferred out, back again
    member: members.MemberForm | None = None  # a member new to the branch
    note: str | None = None


@dataclass(frozen=True)
class InDone:
    row: TransferRow
    created: bool  # a new member (False: a member who had transferred out, reactivated)


def transfer_in(session: Session, village_id: int, form: InForm, today: dt.date | None = None) -> InDone:
    """A member's 组织关系 received from ``organisation``: a new member of the branch, or one who had
    transferred out and comes back (named, or found by their ID number), with a 转入 in their history."""
    today = today or dt.date.today()
    organisation = rules.clean_organisation(form.organisation, "转出的党组织（介绍信的开出单位）")
    date = rules.check_date(form.date, today, "转入的日期")
    number = rules.clean_letter_no(form.letter_no, required=True)
    member_id = form.member_id
    if member_id is None and form.member is not None and (form.member.id_number or "").strip():
        number_given = form.member.id_number.strip().upper()
        owner = session.execute(select(Member.id, Member.name, Member.archived, Member.departure).where(
            Member.village_id == village_id, Member.id_number == number_given)).first()
        elsewhere = None if owner is not None else session.execute(
            select(Member.name, Village.name.label("village")).join(Village, Village.id == Member.village_id)
            .where(Member.id_number == number_given)).first()
        if elsewhere is not None:
            raise TransferError(f"身份证号 {number_given} 已登记在本数据文件中{elsewhere.village}的党员“{elsewhere.name}”"
                                "名下，不是本村转出的党员，不能按这个号码在本村登记转入（同一个号码只能登记一次）。"
                                "请核对身份证号；确是同一人的，请先不填身份证号登记转入。")
        if owner is not None:
            if owner.archived and owner.departure is MemberEventKind.TRANSFERRED_OUT:
                member_id = owner.id  # the same person, back again
            else:
                where = "已在本支部的党员名册中" if not owner.archived else "在党员名册中（已归档）"
                raise TransferError(f"身份证号 {number_given} 的党员“{owner.name}”{where}，不能再转入一次。")
    if member_id is None and form.member is None:
        raise TransferError("请填写转入党员的姓名等信息，或选择一名曾经转出的党员。")
    note = f"由{organisation}转入（介绍信第 {number} 号）"
    if form.note and form.note.strip():
        note += f"；{form.note.strip()}"
    created = member_id is None
    try:
        if created:
            member_id = members.save_member(session, village_id, form.member, today=today)
        else:
            member = session.get(Member, member_id)
            if member is None or member.village_id != village_id:
                raise TransferError("找不到这名党员，可能已被删除。请刷新列表。")
            if not (member.archived and member.departure is MemberEventKind.TRANSFERRED_OUT):
                raise TransferError(f"“{member.name}”{'仍在册' if not member.archived else '不是转出的党员'}，"
                                    "不能登记转入。新来的党员请填写其信息，作为新党员转入。")
            left = session.scalar(select(func.max(MemberEvent.date)).where(
                MemberEvent.member_id == member_id, MemberEvent.kind == MemberEventKind.TRANSFERRED_OUT))
            if left is not None and date < left:
                raise TransferError(f"转入日期 {format_cn(date)} 早于“{member.name}”转出的日期 {format_cn(left)}，请核对。")
        members.change_status(session, member_id, MemberEventKind.TRANSFERRED_IN, date, note, today=today)
    except members.MemberError as error:
        raise TransferError(str(error)) from None
    row = OrganisationTransfer(village_id=village_id, member_id=member_id, direction=IN, organisation=organisation,
                               letter_no=number, date=date, note=(form.note or "").strip() or None)
    session.add(row)
    session.flush()
    return InDone(transfer_row(session, village_id, row.id, today), created)


# ---------------------------------------------------------------------------------------- the letter


def letter(session: Session, village_id: int, transfer_id: int) -> Letter:
    """What the three parts of a letter out print."""
    transfer = session.get(OrganisationTransfer, transfer_id)
    if transfer is None or transfer.village_id != village_id or transfer.direction != OUT:
        raise TransferError("找不到这封组织关系介绍信，可能已被撤销。")
    member = session.get(Member, transfer.member_id)
    village = village_info(session, village_id)
    row = session.get(Village, village_id)
    standing = "预备" if member.standing is Standing.PROBATIONARY else "正式"
    return Letter(
        number=transfer.letter_no or "", member_name=member.name,
        gender=member.gender.label if member.gender else "", age=rules.age_on(member.birth_date, transfer.date),
        ethnicity=member.ethnicity or "", standing=standing, id_number=member.id_number or "",
        from_organisation=village.branch_name, to_organisation=transfer.organisation,
        dues_paid_to=_month(transfer.dues_paid_to), valid_days=transfer.valid_days or rules.DEFAULT_VALID_DAYS,
        issued_on=transfer.date, member_phone=member.mobile or member.landline or "",
        branch_address=row.address or "", branch_phone=row.phone or "")


def letter_of_member(session: Session, village_id: int, text: str) -> tuple[str, Letter]:
    """The latest letter out of the member ``text`` names (编号, ID number or name): (name, letter)."""
    member = one_member(session, village_id, text)
    transfer_id = session.scalar(select(OrganisationTransfer.id).where(
        OrganisationTransfer.village_id == village_id, OrganisationTransfer.member_id == member.id,
        OrganisationTransfer.direction == OUT).order_by(OrganisationTransfer.date.desc(),
                                                        OrganisationTransfer.id.desc()).limit(1))
    if transfer_id is None:
        raise TransferError(f"“{member.name}”还没有开过组织关系介绍信。请先在“组织关系”中登记转出"
                            "（命令行 transfer out）。")
    return member.name, letter(session, village_id, transfer_id)


# ---------------------------------------------------------------------------------------- the return


def period_counts(session: Session, village_id: int, start: dt.date, end: dt.date) -> dict[str, int]:
    """Transfers in a period: letters out written, 回执 received, members transferred in, and letters
    past their validity without a 回执 at its end."""
    def count(*where) -> int:
        return session.scalar(select(func.count()).select_from(OrganisationTransfer).where(
            OrganisationTransfer.village_id == village_id, *where)) or 0

    return {
        "transfers_out": count(OrganisationTransfer.direction == OUT, OrganisationTransfer.date.between(start, end)),
        "receipts_received": count(OrganisationTransfer.direction == OUT,
                                   OrganisationTransfer.receipt_on.between(start, end)),
        "transfers_in": count(OrganisationTransfer.direction == IN, OrganisationTransfer.date.between(start, end)),
        "receipts_missing": len(missing_receipts(session, village_id, end)),
    }
