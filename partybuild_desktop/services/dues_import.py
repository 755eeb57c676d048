"""Importing the clerk's 党费收缴登记表 for a year: preview every row, then write the good ones in the caller's
transaction, the way members and households are imported (``importers.preview``, the error workbook, the
``import-…`` command and the import dialog all take it as they take those).

Each row is one member: matched by 身份证号 when the row has one (by name otherwise; a masked number narrows
down members of the same name), given the year's assessment from January (``services.dues.set_assessment``)
and a payment for every month the sheet shows paid (paid on the last day of that month, or today if that is
earlier; method monthly). What is owed each month is what the dues service itself says once the assessment
is set: the preview sets it inside a savepoint, asks ``dues_year`` and rolls back, so joining dates, later
assessments and the village's start are judged by the one set of rules.

A month already recorded in the data file is left as it is (a warning), so importing the same register
twice writes nothing the second time and refuses nothing. A refused row writes nothing for its member.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.dues import (
    BASED_KINDS,
    FARMER_MAX_FEN,
    FARMER_MIN_FEN,
    FIXED_FEN,
    FIXED_KINDS,
    DuesKind,
    Month,
    assess,
    month_text,
)
from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.domain.money import format_money
from partybuild_desktop.domain.text import clean_name
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.importers.dues_fields import (  # noqa: F401  (AMOUNT_UNPARSEABLE, KIND_UNKNOWN: this module's API)
    AMOUNT_UNPARSEABLE,
    KIND_UNKNOWN,
    MONTH_KEYS,
    PAID_AS_DUE,
    has_dues_columns,
    month_of_key,
    other_year_in_headers,
    read_dues_register,
)
from partybuild_desktop.importers.preview import (  # noqa: F401  (IMPORT… are part of this module's API)
    IMPORT,
    REFUSED,
    WARN,
    ImportOutcome,
    ImportPreview,
    PreviewRow,
    file_problems,
    require_roster,
)
from partybuild_desktop.importers.roster import RosterUnreadable
from partybuild_desktop.services import dues
from partybuild_desktop.services.dues import AssessmentForm, DuesError, first_of
from partybuild_desktop.store.models import DuesAssessment, DuesPayment, Member

# Refusal codes.
MEMBER_UNKNOWN = "member_unknown"
MEMBER_AMBIGUOUS = "member_ambiguous"
BASE_MISSING = "base_missing"
DUPLICATE_MEMBER = "duplicate_member"  # the same member on two rows of the file: the later is refused
ASSESSMENT_INVALID = "assessment_invalid"  # an amount the dues rules refuse outright
# Warning codes.
AMOUNT_DIFFERS_FROM_RULE = dues.AMOUNT_DIFFERS_FROM_RULE
PAYMENT_DIFFERS_FROM_DUE = dues.PAYMENT_DIFFERS_FROM_DUE
MONTH_ALREADY_PAID = "month_already_paid"

# A row the file holds that changes nothing (its assessment and every paid month already recorded).
UNCHANGED = "unchanged"
IMPORT_NOTE = "从党费收缴登记表导入"


@dataclass
class DuesPreviewRow(PreviewRow):
    """One member's line of the register and what the import will write for it."""

    member_id: int | None = None
    member_name: str = ""
    form: AssessmentForm | None = None  # None: the member's assessment stays as it is
    payments: list[tuple[Month, int, dt.date]] = field(default_factory=list)  # (month, 分, paid on)

    def decide_dues(self, writes: bool) -> None:
        if self.result.refusals:
            self.status, self.action = REFUSED, None
        elif writes:
            self.action = IMPORT
            self.status = WARN if self.result.warnings else IMPORT
        else:
            self.status, self.action = UNCHANGED, None


@dataclass
class DuesImportPreview(ImportPreview):
    year: int = 0

    def result_object(self, outcome=None) -> dict:
        """``{"imported", "refused", "warnings"}``: the members whose dues were written (``outcome``), or for a
        dry run would be."""
        refused, warnings = self.problem_lists()
        imported = len(self.to_import) if outcome is None else outcome.imported
        return {"imported": imported, "refused": refused, "warnings": warnings}


@dataclass
class _Register:
    """What the preview needs from the data file, loaded once rather than per row."""

    by_name: dict[str, list[Member]]  # current members by name without spaces
    by_id_number: dict[str, Member]  # every member, archived ones too (to say why they are refused)
    archived_names: set[str]
    kinds: dict[int, DuesKind]  # member id -> the kind of the latest assessment up to the year's end
    january: dict[int, tuple]  # member id -> (kind, base, monthly) of an assessment from January of the year
    paid: dict[int, dict[Month, int]]  # member id -> month of the year -> 分 already recorded


def _load_register(session: Session, village_id: int, year: int) -> _Register:
    by_name: dict[str, list[Member]] = defaultdict(list)
    by_id_number: dict[str, Member] = {}
    archived: set[str] = set()
    for member in session.scalars(select(Member).where(Member.village_id == village_id).order_by(Member.id)):
        if member.id_number:
            by_id_number[member.id_number] = member
        if member.archived:
            archived.add(clean_name(member.name))
        else:
            by_name[clean_name(member.name)].append(member)
    kinds, january = {}, {}
    for member_id, start, kind, base, monthly in session.execute(
            select(DuesAssessment.member_id, DuesAssessment.from_month, DuesAssessment.kind, DuesAssessment.base_fen,
                   DuesAssessment.monthly_fen)
            .where(DuesAssessment.village_id == village_id, DuesAssessment.from_month <= dt.date(year, 12, 1))
            .order_by(DuesAssessment.member_id, DuesAssessment.from_month)):
        kinds[member_id] = kind
        if start == dt.date(year, 1, 1):
            january[member_id] = (kind, base, monthly)
    paid: dict[int, dict[Month, int]] = defaultdict(dict)
    for member_id, month, amount in session.execute(
            select(DuesPayment.member_id, DuesPayment.month, DuesPayment.amount_fen)
            .where(DuesPayment.village_id == village_id,
                   DuesPayment.month.between(dt.date(year, 1, 1), dt.date(year, 12, 1)))):
        paid[member_id][(month.year, month.month)] = amount
    return _Register(by_name, by_id_number, archived - set(by_name), kinds, january, paid)


def preview_import(session: Session, village_id: int, path: str | Path, year: int | None = None,
                   today: dt.date | None = None, update: bool = False) -> DuesImportPreview:
    """Read ``path`` as the register of ``year`` (default this year) and decide for every row: import,
    warn (written, with warnings), unchanged (everything already recorded) or refused. ``update`` is
    accepted for the import machinery's sake and means nothing here (a paid month is never overwritten).

    Raises ``RosterUnreadable`` when the file cannot be read or is not a dues register. Nothing is written.
    """
    today = today or dt.date.today()
    year = year or today.year
    if not 2000 <= year <= today.year:
        raise RosterUnreadable(f"不能导入 {year} 年的党费：年度应在 2000 年到今年（{today.year} 年）之间。"
                               "请用 --year 写明登记表是哪一年的。")
    reading = read_dues_register(path, year)
    require_roster(reading, path, "党费收缴登记表")
    name = Path(path).name
    if not has_dues_columns(reading):
        raise RosterUnreadable(f"「{name}」中只找到了姓名等列，没有找到月份（1月…12月）、缴费基数或月缴纳额列，"
                               "不像党费收缴登记表，没有导入任何数据。请确认选对了文件。")
    other = other_year_in_headers(reading, year)
    if other is not None:
        header, named = other
        raise RosterUnreadable(f"「{name}」的表头「{header}」是 {named} 年的，而要导入的是 {year} 年的党费，"
                               f"没有导入任何数据。请核对文件，或改用 --year {named}。")
    preview = DuesImportPreview(Path(path), village_id, False, today, reading, file_problems=file_problems(reading),
                                year=year)
    register = _load_register(session, village_id, year)
    farmer_fen = dues.farmer_amount(session)
    seen: dict[int, DuesPreviewRow] = {}
    for result in reading.rows:
        row = DuesPreviewRow(result)
        preview.rows.append(row)
        if result.refusals:
            continue  # a cell that is not money, a row without a name: nothing more to say
        member = _match(row, register)
        if member is None:
            continue
        earlier = seen.get(member.id)
        if earlier is not None:
            result.refuse(DUPLICATE_MEMBER, f"{member.name}在{earlier.result.where()}已经登记过，本行没有导入。"
                          "一名党员在登记表中只能有一行，请合并这两行后重新导入。", result.label("name"))
            continue
        seen[member.id] = row
        row.member_id, row.member_name = member.id, member.name
        _assessment(row, member, register, farmer_fen, year)
    owed = _owed(session, village_id, year, today, [r for r in preview.rows if r.member_id and not r.refusals])
    for row in preview.rows:
        if row.member_id is not None and not row.refusals:
            _payments(row, owed.get(row.member_id, {}), register.paid.get(row.member_id, {}), year, today)
            row.decide_dues(writes=row.form is not None or bool(row.payments))
        else:
            row.decide_dues(writes=False)
    return preview


# ---------------------------------------------------------------------------------------- matching


def _id_fits(pattern: str, number: str | None) -> bool:
    """A masked number (``320482********1234``) fits a full one where every visible character agrees."""
    return bool(number) and len(pattern) == len(number) and all(p == "*" or p == n for p, n in zip(pattern, number))


def _match(row: DuesPreviewRow, register: _Register) -> Member | None:
    """The current member the row is, or None with a refusal (unknown or ambiguous)."""
    result = row.result
    name = result.values.get("name") or ""
    number = result.values.get("id_number")
    named = register.by_name.get(name, [])
    label = result.label("name")
    if number and "*" not in number:
        member = register.by_id_number.get(number)
        if member is not None and not member.archived:
            return member
        id_label = result.label("id_number")
        if member is not None:
            result.refuse(MEMBER_UNKNOWN, f"身份证号 {mask(number)} 的党员{member.name}已归档（不再是本村党员），"
                          "本行没有导入。", id_label)
            return None
        without_number = [m for m in named if not m.id_number]
        if len(without_number) == 1:
            return without_number[0]  # the register lacks the member's number; the name is theirs alone
        result.refuse(MEMBER_UNKNOWN, f"本村党员名册中没有身份证号为 {mask(number)} 的党员（{name}），本行没有导入。"
                      "请核对身份证号，或先在党员名册中登记这名党员。", id_label)
        return None
    if number:  # masked: keep the members of that name whose number fits what is visible
        fitting = [m for m in named if _id_fits(number, m.id_number)]
        named = fitting or named
    if len(named) == 1:
        return named[0]
    if named:
        listed = "、".join(mask(m.id_number) or "无身份证号" for m in named)
        result.refuse(MEMBER_AMBIGUOUS, f"本村有 {len(named)} 名党员都叫{name}（{listed}），本行没有身份证号，"
                      "无法确定是哪一位，没有导入。请在登记表中加一列“身份证号”填上后重新导入。", label)
    elif name in register.archived_names:
        result.refuse(MEMBER_UNKNOWN, f"党员{name}已归档（不再是本村党员），本行没有导入。", label)
    else:
        result.refuse(MEMBER_UNKNOWN, f"本村党员名册中没有{name}，本行没有导入。请核对姓名，"
                      "或先在党员名册中登记这名党员后重新导入。", label)
    return None


# ---------------------------------------------------------------------------------------- the assessment


def _assessment(row: DuesPreviewRow, member: Member, register: _Register, farmer_fen: int, year: int) -> None:
    """The row's assessment from January (``row.form``), or a refusal; None when the row says nothing of the
    amount and the member already has one for the year."""
    result = row.result
    values = result.values
    kind, base, monthly = values.get("kind"), values.get("base"), values.get("monthly")
    stated_kind = kind is not None
    if kind is None:
        if base is None and monthly is None and member.id in register.kinds:
            return  # only the months: the member's assessment stays as it is
        kind = register.kinds.get(member.id) or {MemberCategory.EMPLOYED: DuesKind.EMPLOYED,
                                                 MemberCategory.FARMER: DuesKind.FARMER}.get(member.category)
    if kind is None:
        result.refuse(KIND_UNKNOWN, f"没有填写{member.name}的人员类型，无法确定每月交多少党费，本行没有导入。请在"
                      f"「{result.label('kind')}」列填写{'、'.join(k.label for k in DuesKind)}之一后重新导入。",
                      result.label("kind"))
        return
    if kind in BASED_KINDS and base is None and monthly is None:
        how = f"是{kind.label}党员" if stated_kind else f"按{kind.label}党员计"
        result.refuse(BASE_MISSING, f"{member.name}{how}，但没有填写缴费基数（每月税后收入），也没有填写每月交纳数额，"
                      f"本行没有导入。请在「{result.label('base')}」列填上后重新导入。", result.label("base"))
        return
    label = result.label("monthly")
    if kind is DuesKind.FARMER and monthly is not None and not FARMER_MIN_FEN <= monthly <= FARMER_MAX_FEN:
        result.warn(AMOUNT_DIFFERS_FROM_RULE, f"{member.name}每月 {format_money(monthly)} 元，农民党员每月交纳 0.20 元到 "
                    f"1.00 元，已按本村标准每月 {format_money(farmer_fen)} 元核定，请核对。", label)
        monthly = None
    if kind is DuesKind.REDUCED and monthly is None:
        amounts = [v for key in MONTH_KEYS if isinstance(v := values.get(key), int)]
        monthly = Counter(amounts).most_common(1)[0][0] if amounts else 0
    form = AssessmentForm(kind=kind, base_fen=base, monthly_fen=monthly, from_month=(year, 1), note=IMPORT_NOTE)
    if kind is DuesKind.REDUCED:
        form.decided_on = dt.date(year, 1, 1)
        form.note = f"{IMPORT_NOTE}（表中没有减免的决定日期，暂记为 {year} 年 1 月 1 日，请核对）"
    row.form = form
    if _same_as_recorded(form, register.january.get(member.id), farmer_fen):
        row.form = None  # already assessed so from January: nothing to write


def _expected_monthly(form: AssessmentForm, farmer_fen: int) -> int | None:
    """The monthly amount the form comes to without asking the database, where that is plain."""
    if form.monthly_fen is not None:
        return form.monthly_fen
    if form.kind is DuesKind.FARMER:
        return farmer_fen
    if form.kind in FIXED_KINDS:
        return FIXED_FEN
    return None  # a based kind: the rule of its base


def _same_as_recorded(form: AssessmentForm, recorded: tuple | None, farmer_fen: int) -> bool:
    if recorded is None:
        return False
    kind, base, monthly = recorded
    if kind != form.kind or base != form.base_fen:
        return False
    expected = _expected_monthly(form, farmer_fen)
    if expected is None:
        expected = assess(form.kind, form.base_fen).monthly_fen
    return expected == monthly


def _save_assessment(session: Session, village_id: int, row: DuesPreviewRow, today: dt.date) -> list:
    """Write the row's assessment; the service's warnings (``amount_differs_from_rule``)."""
    return dues.set_assessment(session, village_id, row.member_id, row.form, today=today)


def _owed(session: Session, village_id: int, year: int, today: dt.date, rows: list[DuesPreviewRow]
          ) -> dict[int, dict[Month, int | None]]:
    """member id -> month -> what the member owes once the rows' assessments are set (None: not owed),
    as ``dues_year`` says; worked out inside a savepoint that is rolled back."""
    if not rows:
        return {}
    savepoint = session.begin_nested()
    try:
        for row in rows:
            if row.form is None:
                continue
            try:
                for warning in _save_assessment(session, village_id, row, today):
                    row.result.warn(warning.code, warning.message, row.result.label("monthly"))
            except DuesError as error:
                row.result.refuse(ASSESSMENT_INVALID, f"{error}本行没有导入。", row.result.label("monthly"))
        ids = [row.member_id for row in rows if not row.refusals]
        grid = dues.dues_year(session, village_id, year, (year, 12), member_ids=ids, from_month=(year, 1))
    finally:
        savepoint.rollback()
    return {line.member_id: {(year, cell.month): cell.due_fen for cell in line.months} for line in grid.rows}


# ---------------------------------------------------------------------------------------- the months


def _paid_on(month: Month, today: dt.date) -> dt.date:
    last = dt.date(month[0], month[1], calendar.monthrange(*month)[1])
    return min(last, today)


def _payments(row: DuesPreviewRow, owed: dict[Month, int | None], recorded: dict[Month, int], year: int,
              today: dt.date) -> None:
    """The payments the row's month cells make, with the warnings of months already recorded, not owed, or
    paid with another amount than owed."""
    result = row.result
    name = row.member_name
    already, not_owed, wrong = [], [], []
    for key in MONTH_KEYS:
        value = result.values.get(key)
        if value is None:
            continue
        month = (year, month_of_key(key))
        due = owed.get(month)
        if month in recorded:
            already.append(month)
            continue
        if due is None:
            not_owed.append(month)
            continue
        amount = due if value is PAID_AS_DUE else value
        if amount != due:
            wrong.append((month, amount, due))
        row.payments.append((month, amount, _paid_on(month, today)))
    if already:
        listed = "、".join(month_text(m) for m in already)
        result.warn(MONTH_ALREADY_PAID, f"{name}{listed}的党费已经登记过，保持原样，没有重复登记。")
    if not_owed:
        listed = "、".join(month_text(m) for m in not_owed)
        result.warn(PAYMENT_DIFFERS_FROM_DUE, f"{name}{listed}不需要交纳党费（入党之前或不在本村的月份），"
                    "表中这几个月的钱没有登记，请核对。")
    if wrong:
        listed = "、".join(f"{month_text(m)}交 {format_money(a)} 元（应交 {format_money(d)} 元）" for m, a, d in wrong)
        result.warn(PAYMENT_DIFFERS_FROM_DUE, f"{name}{listed}，已按表中的数额登记，请核对。")


# ---------------------------------------------------------------------------------------- writing


def apply_import(session: Session, village_id: int, preview: DuesImportPreview) -> ImportOutcome:
    """Write every row that is not refused: its assessment (``set_assessment``) and its payments in one
    batch, in the caller's session. A month recorded since the preview is left as it is.

    Nothing is committed here: an exception leaves the caller's transaction to roll back, so either
    every good row is written or none is.
    """
    if preview.village_id != village_id:
        raise ValueError("the preview was made for another village")
    rows = [row for row in preview.rows if row.action is not None]
    for row in rows:
        if row.form is not None:
            _save_assessment(session, village_id, row, preview.today)
    wanted = {(row.member_id, first_of(month)) for row in rows for month, _, _ in row.payments}
    ids = sorted({member_id for member_id, _ in wanted})
    present = set()
    for start in range(0, len(ids), 500):
        present |= {(member_id, month) for member_id, month in session.execute(
            select(DuesPayment.member_id, DuesPayment.month).where(
                DuesPayment.member_id.in_(ids[start:start + 500]),
                DuesPayment.month.between(dt.date(preview.year, 1, 1), dt.date(preview.year, 12, 1))))}
    payments = [dict(village_id=village_id, member_id=row.member_id, month=first_of(month), amount_fen=amount,
                     paid_on=paid_on, collector=None, receipt_no=None, method="monthly", note=IMPORT_NOTE)
                for row in rows for month, amount, paid_on in row.payments
                if (row.member_id, first_of(month)) not in present]
    if payments:
        session.execute(insert(DuesPayment), payments)
    session.flush()
    return ImportOutcome(len(rows), 0)
