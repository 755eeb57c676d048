"""Importing the clerk's 发展党员工作台账: preview every row, then write the good ones in the caller's
transaction, the way members, households and dues are imported (``importers.preview``, the error workbook,
the ``import-recruits`` command and the import dialog take it as they take those).

Each row is one person. Everything is written through ``services.recruitment``, step by step as the
clerk would enter it: ① (``create_case``), then ``advance`` for each step up to the last one the row has a
date for. Steps the 台账 has no column for (④ 备案, ⑭ 填写志愿书, ⑳ 入党宣誓 …) are taken as done on the
date of the step before them: they happened no later than the next dated step, and that is all the 台账
says. A rule the row breaks is kept with the reason 「台账导入」 (it happened; the ledger records history)
and reported as a warning; the row is still imported. A date out of order, in the future or unreadable,
a missing name or a bad ID number refuses the row. ⑰ makes the 预备 member and ㉔ the 正式 member, through
the service.

A person already in the data file (same ID number; for a row without one, the one case of that name
without a number) is updated: their details, a step date that differs
(``edit_date``), and the steps the file has beyond those recorded. What is recorded and not in the file
stays.

The preview runs the very same calls inside a savepoint and rolls it back, so what it says is what the
import does, judged by the one set of rules; nothing is written by a preview or a dry run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain import id_number as id_numbers
from partybuild_desktop.domain import recruitment as rules
from partybuild_desktop.domain.dates import DATE_IN_FUTURE, DATE_UNPARSEABLE, format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.probation import probation_end
from partybuild_desktop.domain.recruitment import Breach, Step
from partybuild_desktop.domain.vocabulary import Gender, MemberEventKind
from partybuild_desktop.importers import preview as shared
from partybuild_desktop.importers.member_fields import (
    BIRTH_DATE_CONFLICTS_WITH_ID,
    DUPLICATE_ID_NUMBER,
    GENDER_CONFLICTS_WITH_ID,
    MISSING_NAME,  # noqa: F401  (a refusal code of this import, from the reader)
)
from partybuild_desktop.importers.preview import (  # noqa: F401  (IMPORT… are part of this module's API)
    IMPORT,
    REFUSED,
    UPDATE,
    WARN,
    ImportOutcome,
    ImportPreview,
    file_problems,
    require_roster,
)
from partybuild_desktop.importers.recruit_fields import Period, read_recruit_ledger
from partybuild_desktop.importers.roster import RosterUnreadable  # noqa: F401  (callers catch it from here too)
from partybuild_desktop.services import recruitment as service
from partybuild_desktop.services.recruitment import CaseForm, Person, RecruitError, StepForm
from partybuild_desktop.store.models import Member, MemberEvent, RecruitCase

IMPORT_REASON = "台账导入"
DATES_OUT_OF_ORDER = rules.DATES_OUT_OF_ORDER
FORM_INVALID = "form_invalid"  # a refusal of the service with no code of its own (the members import's word)
# The rules' codes reported as warnings: the rule broken, the row still imported with the breach kept.
WARNING_CODES = (rules.UNDER_18, rules.TALK_LATE, rules.ACTIVIST_SHORT, rules.INTRODUCERS_SHORT, rules.TRAINING_SHORT,
                 rules.PUBLICITY_SHORT, rules.APPROVAL_LATE, rules.PROBATION_SHORT, rules.PROBATION_OVERDUE)
# Service refusals whose code is already one of this import's.
_KNOWN_REFUSALS = {DATES_OUT_OF_ORDER, DUPLICATE_ID_NUMBER, DATE_IN_FUTURE, id_numbers.MISSING, id_numbers.MANGLED_BY_EXCEL,
                   id_numbers.CHECKSUM, id_numbers.FORMAT}

# The column (reader key) of each step a 台账 dates, in the order of the steps.
STEP_COLUMNS: dict[Step, str] = {
    Step.APPLICATION: "applied", Step.TALK: "talk", Step.ACTIVIST_NAMED: "activist_named",
    Step.CANDIDATE_NAMED: "candidate_named", Step.POLITICAL_REVIEW: "political_review",
    Step.COMMITTEE_REVIEW: "committee_review", Step.PRE_REVIEW: "pre_review", Step.ASSEMBLY: "assembly",
    Step.APPROVAL: "approval", Step.CONFIRM_ASSEMBLY: "confirm_assembly", Step.CONFIRM_APPROVAL: "confirm_approval",
}
_STEP_OF_COLUMN = {key: step for step, key in STEP_COLUMNS.items()}


@dataclass
class RecruitPreviewRow(shared.PreviewRow):
    """One person's line of the 台账 and what the import does with it."""

    case_id: int | None = None  # the case an update changes
    plan: dict[Step, dt.date] = field(default_factory=dict)  # every step up to the last dated one
    dated: set[Step] = field(default_factory=set)  # the steps the file itself dates (the rest are taken as done)
    training: tuple[float | None, float | None] = (None, None)  # (hours, days)
    publicity: Period | None = None
    breaches: list[Breach] = field(default_factory=list)
    reader_warnings: list | None = None  # the reader's own warnings, before the rules' are added


# ---------------------------------------------------------------------------------------- the preview


def preview_import(session: Session, village_id: int, path: str | Path, update: bool = False,
                   today: dt.date | None = None) -> ImportPreview:
    """Read ``path`` and decide for every row: import, update, warn (written, with warnings) or refused.
    ``update`` is accepted for the import machinery's sake: a person already recorded (same ID number)
    is always updated, as the 台账 is the clerk's running record.

    Raises ``RosterUnreadable`` when the file cannot be read or holds no 台账. Nothing is written.
    """
    today = today or dt.date.today()
    reading = read_recruit_ledger(path)
    require_roster(reading, path, "发展党员工作台账")
    preview = ImportPreview(Path(path), village_id, True, today, reading, file_problems=file_problems(reading))
    for result in reading.rows:
        row = RecruitPreviewRow(result)
        preview.rows.append(row)
        if not result.refusals:
            _plan(row, today)
    savepoint = session.begin_nested()
    try:
        _run(session, village_id, preview)
    finally:
        savepoint.rollback()
    return preview


def _column(row: RecruitPreviewRow, step: Step) -> str:
    key = STEP_COLUMNS.get(step)
    return row.result.label(key) if key else step.title


def _plan(row: RecruitPreviewRow, today: dt.date) -> None:
    """The steps the row makes, each with its date (an undated step between two dated ones takes the date
    of the one before it); a refusal when the row's dates are out of order or lack the application."""
    result = row.result
    values = result.values
    number = values.get("id_number")
    if number:
        _check_against_id(row, number)
    dated: dict[Step, dt.date] = {step: values[key] for step, key in STEP_COLUMNS.items() if values.get(key)}
    hours = values["training"].hours if values.get("training") else None
    days = values["training"].days if values.get("training") else None
    period = values.get("training_period")
    if period is not None:
        days = days if days is not None else float(period.days)
        dated[Step.TRAINING] = period.end
    row.training = (hours, days)
    publicity = values.get("publicity")
    start, end = values.get("publicity_start"), values.get("publicity_end")
    if publicity is None and (start or end):
        if not (start and end):
            label = result.label("publicity_end" if start else "publicity_start")
            result.refuse(DATE_UNPARSEABLE,
                          "公示只填写了一头：请同时填写公示的开始和结束日期。", label)
            return
        if end < start:
            result.refuse(DATES_OUT_OF_ORDER, f"公示结束（{format_cn(end)}）早于公示开始（{format_cn(start)}），请核对。",
                          result.label("publicity_end"))
            return
        publicity = Period(start, end)
    row.publicity = publicity
    if not dated:
        if any(values.get(k) for k in ("contacts", "introducers", "training", "publicity")):
            result.refuse(DATE_UNPARSEABLE, "没有填写申请入党时间，无法登记。请补上递交入党申请书的日期后重新导入。",
                          result.label("applied"))
        else:
            result.refuse(DATE_UNPARSEABLE, "没有填写申请入党时间（递交入党申请书的日期），本行没有导入。请补上后重新导入。",
                          result.label("applied"))
        return
    if Step.APPLICATION not in dated:
        first = min(dated, key=rules.STEPS.index)
        result.refuse(DATE_UNPARSEABLE, f"填写了{_column(row, first)}，却没有填写申请入党时间：发展党员从递交入党申请书开始，"
                      "请补上申请入党时间后重新导入。", result.label("applied"))
        return
    # The dates in the order of the steps, each column named in the refusal.
    ordered = sorted(dated, key=rules.STEPS.index)
    for earlier, later in zip(ordered, ordered[1:]):
        if dated[later] < dated[earlier]:
            result.refuse(DATES_OUT_OF_ORDER, f"{format_cn(dated[later])}早于"
                          f"「{_column(row, earlier)}」（{format_cn(dated[earlier])}），日期先后不对，本行没有导入。请核对后重新导入。",
                          _column(row, later))
            return
    if publicity is not None and Step.PRE_REVIEW in dated and publicity.start >= dated[Step.PRE_REVIEW]:
        result.refuse(DATES_OUT_OF_ORDER, f"公示开始（{format_cn(publicity.start)}）不在预审（{format_cn(dated[Step.PRE_REVIEW])}）"
                      "之前，日期先后不对，本行没有导入。请核对后重新导入。", result.label("publicity"))
        return
    last = ordered[-1]
    # People and training the row names are steps done too (⑤, ⑨, ⑪), even when no later date is given.
    for step, given in ((Step.CONTACTS, values.get("contacts")), (Step.INTRODUCERS, values.get("introducers")),
                        (Step.TRAINING, row.training != (None, None))):
        if given and rules.STEPS.index(last) < rules.STEPS.index(step):
            last = step
    if publicity is not None and rules.STEPS.index(last) < rules.STEPS.index(Step.COMMITTEE_REVIEW):
        last = Step.COMMITTEE_REVIEW  # the 公示 is under way: ⑫ is done
    plan: dict[Step, dt.date] = {}
    previous = dated[Step.APPLICATION]
    for step in rules.STEPS[:rules.STEPS.index(last) + 1]:
        previous = dated.get(step, previous)
        plan[step] = previous
    if publicity is not None and Step.PRE_REVIEW not in plan and plan[Step.COMMITTEE_REVIEW] > publicity.start:
        plan[Step.COMMITTEE_REVIEW] = min(plan[Step.COMMITTEE_REVIEW], publicity.start)
    row.plan, row.dated = plan, set(dated)
    if rules.STEPS.index(last) >= rules.STEPS.index(Step.PRE_REVIEW) and publicity is None:
        result.refuse(FORM_INVALID, f"填写了{_column(row, Step.PRE_REVIEW) if Step.PRE_REVIEW in dated else '预审以后的日期'}，"
                      "却没有公示起止日期：上级党委预审前要公示。请在「公示起止」列填写（如 2026.03.02-2026.03.08）后重新导入。",
                      result.label("publicity"))
    elif rules.STEPS.index(last) > rules.STEPS.index(Step.TRAINING) and row.training == (None, None):
        result.refuse(FORM_INVALID, "填写了集中培训以后的日期，却没有培训学时或培训起止日期：集中培训应不少于 3 天或 24 学时。"
                      "请在「培训学时」列填写后重新导入。", result.label("training"))


def _check_against_id(row: RecruitPreviewRow, number: str) -> None:
    """Gender and birth date come from the ID number; a cell that disagrees is pointed out."""
    result = row.result
    values = result.values
    from_id = Gender.MALE if id_numbers.is_male(number) else Gender.FEMALE
    if values.get("gender") is not None and values["gender"] != from_id:
        result.warn(GENDER_CONFLICTS_WITH_ID, f"表中填的是“{values['gender'].label}”，身份证号显示为“{from_id.label}”。"
                    "已按身份证号导入，请核对。", result.label("gender"))
    born = id_numbers.birth_date(number)
    typed = values.get("birth_date")
    if typed is not None and typed != born and not (result.precision.get("birth_date") == "month"
                                                    and (typed.year, typed.month) == (born.year, born.month)):
        result.warn(BIRTH_DATE_CONFLICTS_WITH_ID, f"表中填的是 {format_cn(typed)}，身份证号显示为 {format_cn(born)}。"
                    "已按身份证号导入，请核对。", result.label("birth_date"))
    values["gender"], values["birth_date"] = from_id, born


# ---------------------------------------------------------------------------------------- the writing


def apply_import(session: Session, village_id: int, preview: ImportPreview) -> ImportOutcome:
    """Write every row that is not refused, through the recruitment service, in the caller's session.

    Nothing is committed here: an exception leaves the caller's transaction to roll back, so either every
    good row is written or none is. A row refused by the service now though the preview passed it (the
    data file changed between the two) is refused and writes nothing; the others are written.
    """
    if preview.village_id != village_id:
        raise ValueError("the preview was made for another village")
    _run(session, village_id, preview, only_planned=True)
    rows = [row for row in preview.rows if row.action is not None]
    updated = sum(1 for row in rows if row.action == UPDATE)
    session.flush()
    return ImportOutcome(len(rows) - updated, updated)


def _run(session: Session, village_id: int, preview: ImportPreview, only_planned: bool = False) -> None:
    """Every row with a plan, each in a savepoint of its own: a refusal undoes that row only."""
    for row in preview.rows:
        if only_planned and row.action is None:
            continue
        if row.refusals or not row.plan:
            row.decide(updating=False)
            continue
        row.breaches = []
        if row.reader_warnings is None:
            row.reader_warnings = list(row.result.warnings)
        row.result.warnings[:] = row.reader_warnings
        savepoint = session.begin_nested()
        try:
            _write_row(session, village_id, row, preview.today)
        except Refusal as error:
            savepoint.rollback()
            row.result.warnings[:] = row.reader_warnings
            code = getattr(error, "code", None)
            row.result.refuse(code if code in _KNOWN_REFUSALS else FORM_INVALID, f"{error}本行没有导入。",
                              _label_of(row, error))
        else:
            savepoint.commit()
        row.decide(updating=row.case_id is not None)


def _label_of(row: RecruitPreviewRow, error: Exception) -> str:
    if isinstance(error, _RowRefusal):
        return error.label
    code = getattr(error, "code", None)
    if code in (id_numbers.MISSING, id_numbers.MANGLED_BY_EXCEL, id_numbers.CHECKSUM, id_numbers.FORMAT):
        return row.result.label("id_number")
    return ""


def _write_row(session: Session, village_id: int, row: RecruitPreviewRow, today: dt.date) -> None:
    result = row.result
    values = result.values
    number = values.get("id_number")
    existing = None
    if number:
        existing = session.scalar(select(RecruitCase).where(RecruitCase.id_number == number))
        if existing is not None and existing.village_id != village_id:
            raise RecruitError(f"身份证号 {number} 已登记为另一个村的入党申请人“{existing.name}”。", DUPLICATE_ID_NUMBER)
        if existing is None:
            member = session.execute(select(Member.id, Member.name).where(Member.id_number == number)).first()
            if member is not None:
                raise _RowRefusal(DUPLICATE_ID_NUMBER, f"身份证号 {number} 已属于党员“{member.name}”：已经是党员的，"
                                  "不能再作为入党申请人登记。请核对身份证号。", result.label("id_number"))
    else:
        # No ID number: the one case of that name without a number is the same person (importing the same
        # 台账 twice must not register everyone twice); two or more of that name, and it is a new case.
        named = list(session.scalars(select(RecruitCase).where(
            RecruitCase.village_id == village_id, RecruitCase.name == values["name"],
            RecruitCase.id_number.is_(None)).limit(2)))
        existing = named[0] if len(named) == 1 else None
    applied = row.plan[Step.APPLICATION]
    if existing is None:
        form = CaseForm(name=values["name"], applied=applied, gender=values.get("gender"), id_number=number,
                        birth_date=values.get("birth_date"), notes=values.get("notes"), reason=IMPORT_REASON)
        case_id, recorded = None, {Step.APPLICATION: applied}
    else:
        case_id = existing.id
        row.case_id = case_id
        form = CaseForm(name=values["name"], applied=applied, gender=values.get("gender") or existing.gender,
                        id_number=number, birth_date=values.get("birth_date") or existing.birth_date,
                        party_group_id=existing.party_group_id,
                        notes=values.get("notes") if values.get("notes") is not None else existing.notes,
                        reason=IMPORT_REASON)
        service.update_case(session, village_id, case_id, form, today=today)
        recorded = _recorded(session, village_id, case_id)
        # Dates the file corrects, latest step first, so that a later date moved on never meets an
        # earlier one not yet moved (each correction is checked against the others as they stand).
        changed = [s for s in row.dated if s in recorded and recorded[s] != row.plan[s]]
        for step in sorted(changed, key=rules.STEPS.index, reverse=_moves_later(changed, recorded, row)):
            row.breaches += service.edit_date(session, village_id, case_id, step, row.plan[step], IMPORT_REASON,
                                              today=today)
            recorded[step] = row.plan[step]
    forms = []
    for step, date in row.plan.items():
        if step in recorded:
            continue
        # An undated step never goes before what is already recorded.
        before = [recorded[s] for s in recorded if rules.STEPS.index(s) < rules.STEPS.index(step)]
        if step not in row.dated and before:
            date = max(date, max(before))
        forms.append(_step_form(row, step, date))
        recorded[step] = date
    # The steps in one call: the case is read (or made) once and each step checked as ``advance`` checks it.
    if case_id is None:
        outcomes = service.create_case_with_steps(session, village_id, form, forms, today=today)
        case_id = outcomes[0].case_id
    else:
        outcomes = service.advance_steps(session, village_id, case_id, forms, today=today) if forms else []
    for done in outcomes:
        row.breaches += list(done.breaches)
    _probation_overdue(session, case_id, recorded, row, today)
    _report(row)


class _RowRefusal(Refusal):
    def __init__(self, code: str, message: str, label: str = ""):
        super().__init__(message)
        self.code, self.label = code, label


def _moves_later(changed, recorded, row) -> bool:
    return any(row.plan[s] > recorded[s] for s in changed)


def _recorded(session: Session, village_id: int, case_id: int) -> dict[Step, dt.date]:
    from partybuild_desktop.store.models import RecruitStep

    return {step: date for step, date in session.execute(
        select(RecruitStep.step, RecruitStep.date).where(RecruitStep.case_id == case_id))}


def _step_form(row: RecruitPreviewRow, step: Step, date: dt.date) -> StepForm:
    values = row.result.values
    # Two rules a 台账 cannot speak to are not looked for: the six-monthly 考察 of an activist (no column
    # holds them, so their absence is no evidence that none were held), and the number of 培养联系人
    # when the row names none.
    unknown = {rules.REVIEW_GAP} | (set() if values.get("contacts") else {rules.CONTACTS_COUNT})
    form = StepForm(step=step, date=date, reason=IMPORT_REASON, unknown=frozenset(unknown))
    if step is Step.CONTACTS:
        form.contacts = [Person(name) for name in values.get("contacts") or ()]
    elif step is Step.INTRODUCERS:
        form.introducers = [Person(name) for name in values.get("introducers") or ()]
    elif step is Step.TRAINING:
        form.training_hours, form.training_days = row.training
    elif step is Step.PRE_REVIEW or (step is Step.COMMITTEE_REVIEW and Step.PRE_REVIEW not in row.plan):
        if row.publicity is not None:
            form.publicity_start, form.publicity_end = row.publicity.start, row.publicity.end
    return form


def _probation_overdue(session: Session, case_id: int, recorded: dict[Step, dt.date], row: RecruitPreviewRow,
                       today: dt.date) -> None:
    """No 转正 discussed a year (and any extension) after acceptance, as of today: a warning only (the
    list of cases works it out each day; nothing is kept)."""
    if Step.APPROVAL not in recorded or Step.CONFIRM_ASSEMBLY in recorded:
        return
    member_id = session.scalar(select(RecruitCase.member_id).where(RecruitCase.id == case_id))
    notes = list(session.scalars(select(MemberEvent.note).where(
        MemberEvent.member_id == member_id, MemberEvent.kind == MemberEventKind.PROBATION_EXTENDED))) if member_id else []
    end = probation_end(recorded[Step.ASSEMBLY], notes).date
    breach = rules.probation_overdue(end, None, today)
    if breach is not None:
        row.breaches.append(breach)


def _report(row: RecruitPreviewRow) -> None:
    """Each breach as a warning on its row, naming the column of the step it concerns."""
    seen = set()
    for breach in row.breaches:
        if breach.code in seen:
            continue
        seen.add(breach.code)
        kept = (f"已按台账导入，原因记为“{IMPORT_REASON}”，请核对。" if breach.code != rules.PROBATION_OVERDUE
                else "请尽快召开支部大会讨论转正。")
        row.result.warn(breach.code, f"{breach.message.rstrip('。')}。{kept}",
                        row.result.label(_BREACH_COLUMN.get(breach.code, "")) if breach.code in _BREACH_COLUMN else "")


_BREACH_COLUMN = {
    rules.UNDER_18: "applied", rules.TALK_LATE: "talk", rules.ACTIVIST_SHORT: "candidate_named",
    rules.INTRODUCERS_SHORT: "introducers", rules.TRAINING_SHORT: "training", rules.PUBLICITY_SHORT: "publicity",
    rules.APPROVAL_LATE: "approval", rules.PROBATION_SHORT: "confirm_assembly", rules.PROBATION_OVERDUE: "confirm_assembly",
}
