"""Importing a members roster: preview every row, then write the good ones in the caller's transaction.

``preview_import`` reads the file with the roster reader (the member columns plus the card's other
fields, so an export of the 党员花名册 comes back whole), turns each row into a ``MemberForm`` and runs
the editor's own ``check_form`` on it, so a row the editor would refuse is refused here too.
Nothing is written until ``apply_import``, which saves every good row in one batch (``save_members``) inside the
caller's session: the caller's one transaction makes the import all-or-nothing.

``member_register`` is the other direction: the village's members as rows of the 党员花名册.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain import id_number as id_numbers
from partybuild_desktop.domain.dates import DATE_IN_FUTURE, DATE_UNPARSEABLE, MONTH
from partybuild_desktop.domain.phone import LANDLINE, PHONE_FORMAT, check_phone
from partybuild_desktop.domain.field_limits import FIELD_TOO_LONG
from partybuild_desktop.domain.text import clean_cell
from partybuild_desktop.domain.vocabulary import (
    MemberCategory,
    MemberEventKind,
    MembershipState,
)
from partybuild_desktop.importers import preview as shared
from partybuild_desktop.importers.member_fields import (
    BIRTH_DATE_CONFLICTS_WITH_ID,
    CONFIRMED_BEFORE_JOINED,
    DUPLICATE_ID_NUMBER,
    GENDER_CONFLICTS_WITH_ID,
    MEMBER_FIELDS,
    MISSING_NAME,
    check_member_rows,
    parse_event_date,
    parse_phone,
)
from partybuild_desktop.importers.preview import (  # noqa: F401  (IMPORT… are part of this module's API)
    IMPORT,
    REFUSED,
    UPDATE,
    WARN,
    ImportPreview,
    file_problems,
    require_roster,
)
from partybuild_desktop.importers.roster import (  # noqa: F401  (FLAG_UNKNOWN: this module's API)
    FLAG_UNKNOWN,
    FieldSpec,
    Issue,
    Parsed,
    Problem,
    RosterReading,
    RosterUnreadable,  # noqa: F401  (callers catch it from here too)
    RowResult,
    parse_flag,
    parse_multiline_text,
    read_sheet_rows,
    read_sheets,
)
from partybuild_desktop.services.members import MemberForm, change_status, check_form, save_members
from partybuild_desktop.services.migrants import form_fields_of
from partybuild_desktop.store.models import Grid, Member, PartyGroup, Village

# Problem codes of this module (the reader's codes are in importers.member_fields and domain).
PARTY_GROUP_CREATED = "party_group_created"
GRID_UNKNOWN = "grid_unknown"
NAME_DIFFERS = "name_differs_from_register"
SAME_NAME_REGISTERED = "same_name_registered"
MEMBERSHIP_STATE_UNKNOWN = "membership_state_unknown"
NUMBER_UNKNOWN = "number_unknown"
MIGRANT_CONFLICT = "migrant_conflicts_with_category"
PROBATIONARY_CONFIRMED = "probationary_with_confirmed_date"
MIGRANT_DESTINATION_MISSING = "migrant_destination_missing"
POST_MISSING = "post_missing"
FORM_INVALID = "form_invalid"
ID_NUMBER_COLUMN_MISSING = "id_number_column_missing"


# ---------------------------------------------------------------------------------------- the columns

_MEMBERSHIP_STATES = {"正常": MembershipState.NORMAL, "停止党籍": MembershipState.SUSPENDED,
                      "停止": MembershipState.SUSPENDED, "停籍": MembershipState.SUSPENDED}


def parse_membership_state(raw: Any) -> Parsed:
    text = clean_cell(raw).replace(" ", "")
    if text in _MEMBERSHIP_STATES:
        return Parsed(_MEMBERSHIP_STATES[text])
    return Parsed(None, [Issue(MEMBERSHIP_STATE_UNKNOWN, f"不认识党籍状态「{clean_cell(raw)}」，请填写“正常”或“停止党籍”。",
                               refuse=False)])


def parse_days(raw: Any) -> Parsed:
    """A whole number of days: ``30``, ``30天``."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer() and raw > 0:
        return Parsed(int(raw))
    text = clean_cell(raw).replace(" ", "").removesuffix("天")
    if text.isdigit() and int(text) > 0:
        return Parsed(int(text))
    return Parsed(None, [Issue(NUMBER_UNKNOWN, f"「{clean_cell(raw)}」不是天数，请填写整数（如 30）。", refuse=False)])


# The card's fields that the generic member columns lack. Together with MEMBER_FIELDS they cover every
# column of the 党员花名册 export.
EXTRA_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("degree", "学位", ()),
    FieldSpec("branch", "所在党支部", ("所在党组织", "所在支部")),
    FieldSpec("landline", "固定电话", ("座机", "固话", "座机号码"), parser=parse_phone),
    FieldSpec("membership_state", "党籍状态", (), parser=parse_membership_state),
    FieldSpec("lost_contact", "是否失联", ("是否失去联系", "失联"), parser=parse_flag),
    FieldSpec("lost_contact_date", "失去联系日期", ("失联日期", "失联时间", "失去联系时间"), parser=parse_event_date),
    FieldSpec("is_migrant", "是否流动党员", (), parser=parse_flag),
    FieldSpec("away_province", "外出流向省份", ("流向省份", "流向省", "外出省份")),
    FieldSpec("away_city", "外出流向城市", ("流向城市", "流向市", "外出城市")),
    FieldSpec("away_county", "外出流向县区", ("流向县区", "流向县", "外出县区")),
    FieldSpec("duty_post", "设岗定责", ("设岗", "党员设岗", "设岗岗位")),
    FieldSpec("is_hub_household", "是否中心户", ("是否党员中心户", "党员中心户", "中心户"), parser=parse_flag),
    FieldSpec("is_committee_member", "是否班子成员", ("是否支委", "班子成员"), parser=parse_flag),
    FieldSpec("away_since", "外出时间", ("外出日期",), parser=parse_event_date),
    FieldSpec("away_reason", "外出原因", ()),
    FieldSpec("away_contact", "外出联系方式", ("外出联系电话",), parser=parse_phone),
    FieldSpec("away_occupation", "从事职业", ("外出从事职业", "外出职业")),
    FieldSpec("activity_card_no", "流动党员活动证号", ("活动证号", "活动证编号")),
    FieldSpec("employer", "工作单位", ("所在单位",)),
    FieldSpec("employer_contact", "单位联系电话", ("单位联系方式", "单位电话"), parser=parse_phone),
    FieldSpec("care_needs", "关爱需求", ("帮扶需求", "照顾需求"), parser=parse_multiline_text),
    FieldSpec("visit_interval_days", "走访周期（天）", ("走访周期", "走访间隔"), parser=parse_days),
)
IMPORT_FIELDS: tuple[FieldSpec, ...] = MEMBER_FIELDS + EXTRA_FIELDS

# Reader key -> MemberForm field, where they are one-to-one.
_FORM_FIELD = {
    "name": "name", "gender": "gender", "ethnicity": "ethnicity", "id_number": "id_number",
    "birth_date": "birth_date", "education": "education", "standing": "standing", "category": "category",
    "joined_on": "joined_date", "confirmed_on": "confirmed_date", "post": "job_post", "address": "address",
    "native_place": "native_place", "notes": "notes", "degree": "degree", "landline": "landline",
    "duty_post": "post", "is_hub_household": "is_hub_household", "is_committee_member": "is_committee_member",
    "away_province": "away_province", "away_city": "away_city", "away_county": "away_county",
    "away_since": "away_since", "away_reason": "away_reason", "away_contact": "away_contact",
    "away_occupation": "away_occupation", "activity_card_no": "activity_card_no", "employer": "employer",
    "employer_contact": "employer_contact", "care_needs": "care_needs", "visit_interval_days": "visit_interval_days",
}
_READER_KEY = {form_field: key for key, form_field in _FORM_FIELD.items()} | {"mobile": "phone"}
DATE_KEYS = frozenset({"birth_date", "joined_on", "confirmed_on", "lost_contact_date", "away_since"})
# Fields that cannot be empty in the register: a blank or unreadable cell keeps the form's value.
_NOT_NULL = frozenset({"standing", "category", "is_hub_household", "is_committee_member"})
# Columns whose only purpose is to be read back: a row filled in only there is not a member.
_IGNORED_KEYS = frozenset({"branch"})


def read_import_roster(path: str | Path) -> RosterReading:
    """The roster reader with every column of the 党员花名册. Raises ``RosterUnreadable``."""
    return check_member_rows(read_sheets(read_sheet_rows(path), IMPORT_FIELDS, path))


# ---------------------------------------------------------------------------------------- the preview


@dataclass
class PreviewRow(shared.PreviewRow):
    """One data row and what the import will do with it (status and action: ``importers.preview``)."""

    form: MemberForm | None = None
    member_id: int | None = None  # the member an update overwrites
    new_party_group: str | None = None  # a party group to create on apply
    membership_state: MembershipState | None = None  # from the file, applied as a status change
    lost_contact: bool | None = None
    lost_contact_date: dt.date | None = None
    # The register's (停止党籍, 失联) before the import: a new member starts with neither.
    current_state: tuple[bool, bool] = (False, False)


@dataclass(frozen=True)
class ImportOutcome(shared.ImportOutcome):
    party_groups_created: tuple[str, ...] = ()


def _key_name(text: str | None) -> str:
    """A party group or grid name as compared: no spaces, full-width letters and digits folded."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@dataclass
class _Register:
    """What the preview needs from the data file, loaded once rather than per row."""

    by_id_number: dict[str, Member]
    village_names: dict[int, str]
    party_groups: dict[str, int]
    grids: dict[str, int]
    names: set[str]
    away: dict[int, dict]  # the 外出 fields of the found members' open stints


def _load_register(session: Session, village_id: int, numbers: list[str]) -> _Register:
    found: dict[str, Member] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        for member in session.scalars(select(Member).where(Member.id_number.in_(chunk))):
            found[member.id_number] = member
    villages = dict(session.execute(select(Village.id, Village.name)).all())
    groups: dict[str, int] = {}
    for group_id, name in session.execute(
            select(PartyGroup.id, PartyGroup.name).where(PartyGroup.village_id == village_id).order_by(PartyGroup.id)):
        groups.setdefault(_key_name(name), group_id)
    grids: dict[str, int] = {}
    for grid_id, name in session.execute(
            select(Grid.id, Grid.name).where(Grid.village_id == village_id).order_by(Grid.level, Grid.id)):
        grids.setdefault(_key_name(name), grid_id)
    names = set(session.scalars(select(Member.name).where(
        Member.village_id == village_id, Member.archived.is_(False))))
    away = form_fields_of(session, [member.id for member in found.values()])
    return _Register(found, villages, groups, grids, names, away)


def preview_import(session: Session, village_id: int, path: str | Path, update: bool = False,
                   today: dt.date | None = None) -> ImportPreview:
    """Read ``path`` and decide for every row: import, update, warn (written, with warnings) or refused.

    Raises ``RosterUnreadable`` when the file cannot be read, or holds no sheet with a recognisable
    header. Nothing is written.
    """
    today = today or dt.date.today()
    reading = read_import_roster(path)
    require_roster(reading, path, "党员名册")
    reading.rows = [r for r in reading.rows if not _only_ignored_cells(r)]
    preview = ImportPreview(Path(path), village_id, update, today, reading, file_problems=file_problems(reading))

    present_by_sheet = {sheet.name: set(sheet.columns.values()) for sheet in reading.sheets}
    for sheet in reading.sheets:
        if "id_number" not in present_by_sheet[sheet.name]:
            preview.file_problems.append((sheet.header_row, Problem(
                ID_NUMBER_COLUMN_MISSING,
                f"工作表「{sheet.name}」第 {sheet.header_row} 行是表头，但没有「公民身份号码」列：导入的党员都没有身份证号，"
                "以后无法按身份证号核对和更新，也可能与已登记的党员重复。如果这不是党员名册，请不要导入；"
                "否则请在表中加上身份证号一列后再导入。", "公民身份号码")))
    numbers = sorted({r.values["id_number"] for r in reading.rows if r.values.get("id_number")})
    register = _load_register(session, village_id, numbers)
    first_use_of_group: dict[str, PreviewRow] = {}
    for result in reading.rows:
        row = PreviewRow(result)
        preview.rows.append(row)
        _normalise_date_codes(result)
        present = present_by_sheet.get(result.sheet, set())
        existing = register.by_id_number.get(result.values.get("id_number") or "")
        if existing is not None:
            _match_existing(row, existing, village_id, update, register)
        base = _form_of(existing, register) if row.member_id is not None else None
        row.form = _build_form(row, present, base, register)
        _check(row, present, today)
        if row.new_party_group and not row.refusals:
            first_use_of_group.setdefault(row.new_party_group, row)
        row.decide(updating=row.member_id is not None)
        if row.action == IMPORT and not result.values.get("id_number") and row.form.name in register.names:
            result.warn(SAME_NAME_REGISTERED, f"党员名册中已有名为「{row.form.name}」的党员，本行没有身份证号，"
                        "无法核对是否同一人。如是同一人，请不要重复导入。", result.label("name"))
            row.status = WARN
    # One warning per new party group, on the first row that will be written into it.
    for name, row in first_use_of_group.items():
        row.result.warn(PARTY_GROUP_CREATED, f"本村还没有党小组「{name}」，导入时将新建。", row.result.label("party_group"))
        row.status = WARN
    return preview


def _only_ignored_cells(row: RowResult) -> bool:
    """A template line with nothing but a pre-filled 所在党支部: not a member, not a missing name."""
    return (all(value is None or key in _IGNORED_KEYS for key, value in row.values.items())
            and all(p.code == MISSING_NAME for p in row.refusals))


def _normalise_date_codes(result: RowResult) -> None:
    """Every date column reports exactly ``date_unparseable`` / ``date_in_future``, and refuses the row.

    The reader only warns about a bad 出生日期 (the ID number may supply it); an import refuses it, as
    it does a bad date in any other column, so the clerk corrects the cell rather than lose it.
    """
    key_of = {result.label(key): key for key in DATE_KEYS}

    def as_date_problem(problem: Problem) -> Problem | None:
        key = key_of.get(problem.column_label)
        code = _date_code(problem.code, key) if key else None
        return Problem(code, problem.message, problem.column_label) if code else None

    kept = []
    for problem in result.warnings:
        moved = as_date_problem(problem)
        if moved is None:
            kept.append(problem)
        else:
            result.refusals.append(moved)
    result.warnings[:] = kept
    result.refusals[:] = [as_date_problem(p) or p for p in result.refusals]


def _date_code(code: str, key: str) -> str | None:
    if code.endswith(DATE_IN_FUTURE):
        return DATE_IN_FUTURE
    if code.endswith(DATE_UNPARSEABLE) or code == f"{key}_invalid":
        return DATE_UNPARSEABLE
    return None


def _match_existing(row: PreviewRow, existing: Member, village_id: int, update: bool, register: _Register) -> None:
    result = row.result
    label = result.label("id_number")
    number = existing.id_number
    if existing.village_id != village_id:
        village = register.village_names.get(existing.village_id, "另一个村")
        result.refuse(DUPLICATE_ID_NUMBER, f"身份证号 {number} 已登记为「{village}」的党员「{existing.name}」，"
                      "同一个号码不能登记两次。请核对号码；如该党员已转入本村，请先在原村办理转出。", label)
    elif existing.archived:
        result.refuse(DUPLICATE_ID_NUMBER, f"身份证号 {number} 属于已归档的党员「{existing.name}」"
                      f"（{existing.archive_reason or '已离开'}），导入不能修改已归档的党员。请在党员名册中核对。", label)
    elif not update:
        result.refuse(DUPLICATE_ID_NUMBER, f"「{existing.name}」（身份证号 {number}）已在党员名册中，本行没有导入。"
                      "如要用表中内容覆盖名册中的信息，请选择“更新”（命令行加 --update）后重新导入。", label)
    else:
        row.member_id = existing.id
        row.current_state = (existing.membership_state is MembershipState.SUSPENDED, existing.lost_contact)
        name = result.values.get("name")
        if name and name != existing.name:
            result.warn(NAME_DIFFERS, f"身份证号与名册中的「{existing.name}」相同，但姓名写的是「{name}」；"
                        f"更新后姓名将改为「{name}」，请核对。", result.label("name"))


def _form_of(member: Member, register: _Register) -> MemberForm:
    return MemberForm(**{name: getattr(member, name) for name in MemberForm.member_columns()},
                      **register.away[member.id])


def _build_form(row: PreviewRow, present: set[str], base: MemberForm | None, register: _Register) -> MemberForm:
    """The row as a form. A new member starts empty; an update starts from the register, and only the
    columns the file has, with a value that could be read, replace what is there (a blank cell never
    erases the register's value)."""
    result = row.result
    values = result.values
    updating = base is not None
    form = replace(base) if updating else MemberForm(ethnicity=None)

    def given(key: str) -> bool:
        # For a new member the reader's values also hold gender and birth date taken from the ID number.
        return values.get(key) is not None and (not updating or key in present)

    for key, form_field in _FORM_FIELD.items():
        if given(key):
            setattr(form, form_field, values[key])
    # A month-only 出生日期 that agrees with the ID number takes the ID number's day.
    number = values.get("id_number")
    if given("birth_date") and number and result.precision.get("birth_date") == MONTH:
        born = id_numbers.birth_date(number)
        if (form.birth_date.year, form.birth_date.month) == (born.year, born.month):
            form.birth_date = born
    if given("phone"):
        phone = values["phone"]
        if check_phone(phone).kind == LANDLINE and "landline" not in present:
            form.landline = phone
        else:
            form.mobile = phone
    if values.get("category") is None and values.get("is_migrant") is True and not updating:
        form.category = MemberCategory.MIGRANT
    if values.get("is_migrant") is not None and values.get("category") is not None \
            and (values["category"] is MemberCategory.MIGRANT) != values["is_migrant"]:
        result.warn(MIGRANT_CONFLICT, f"「是否流动党员」填的是“{'是' if values['is_migrant'] else '否'}”，"
                    f"党员类别却是“{values['category'].label}”。已按党员类别导入，请核对。", result.label("is_migrant"))

    if given("party_group"):
        name = values["party_group"]
        group_id = register.party_groups.get(_key_name(name))
        if group_id is None:
            form.party_group_id = None
            row.new_party_group = clean_cell(name)
        else:
            form.party_group_id = group_id
    if given("grid"):
        grid_id = register.grids.get(_key_name(values["grid"]))
        if grid_id is None:
            kept = "所属网格保持不变" if updating else "所属网格暂时留空"
            result.warn(GRID_UNKNOWN, f"本村没有名为「{values['grid']}」的网格，{kept}。"
                        "请先在网格管理中建好该网格，再在党员信息中选择网格。", result.label("grid"))
        else:
            form.grid_id = grid_id

    row.membership_state = values.get("membership_state") if "membership_state" in present else None
    row.lost_contact = values.get("lost_contact") if "lost_contact" in present else None
    row.lost_contact_date = values.get("lost_contact_date")
    if row.lost_contact is None and row.lost_contact_date is not None:
        row.lost_contact = True
    return form


# check_form's error keys, as the importer's codes.
_FORM_ERROR_CODES = {
    "name": MISSING_NAME, "birth_date": DATE_IN_FUTURE, "joined_date": DATE_IN_FUTURE,
    "away_since": DATE_IN_FUTURE, "mobile": PHONE_FORMAT, "landline": PHONE_FORMAT,
    "away_contact": PHONE_FORMAT, "employer_contact": PHONE_FORMAT,
}
# check_form's warning keys, as the importer's codes.
_FORM_WARNING_CODES = {
    "birth_date": BIRTH_DATE_CONFLICTS_WITH_ID, "gender": GENDER_CONFLICTS_WITH_ID,
    "standing": PROBATIONARY_CONFIRMED, "away_province": MIGRANT_DESTINATION_MISSING, "post": POST_MISSING,
}
# Warnings about a value the file could supply, reported only when the file has the column for it.
_NEEDS_COLUMN = {"away_province": ("away_province", "away_city"), "post": ("duty_post",),
                 "standing": ("standing", "confirmed_on")}


def _check(row: PreviewRow, present: set[str], today: dt.date) -> None:
    """The editor's rules (``check_form``) on the row's form; the cleaned form replaces it."""
    result = row.result
    checked = check_form(row.form, today)
    row.form = checked.form
    seen = {(p.code, p.column_label) for p in result.refusals}
    too_long = {p.column_label for p in result.refusals if p.code == FIELD_TOO_LONG}  # left empty by the reader
    for key, message in checked.errors.items():
        code = _FORM_ERROR_CODES.get(key, FORM_INVALID)
        if key == "confirmed_date":
            value = row.form.confirmed_date
            code = DATE_IN_FUTURE if value and value > today else CONFIRMED_BEFORE_JOINED
        elif key == "id_number":
            code = id_numbers.check(row.form.id_number, today=today).code or FORM_INVALID
        label = result.label(_READER_KEY.get(key, key))
        if (code, label) in seen or label in too_long:
            continue
        # The reader only warns that 转正 is before 入党; the editor refuses it, and so does the import.
        result.warnings[:] = [p for p in result.warnings if p.code != code]
        result.refuse(code, message, label)
        seen.add((code, label))
    for key, message in checked.warnings.items():
        code = _FORM_WARNING_CODES.get(key, FORM_INVALID)
        if key in _NEEDS_COLUMN and not any(column in present for column in _NEEDS_COLUMN[key]):
            continue
        if any(p.code == code for p in result.problems()):
            continue
        result.warn(code, message, result.label(_READER_KEY.get(key, key)))


# ---------------------------------------------------------------------------------------- applying


def apply_import(session: Session, village_id: int, preview: ImportPreview) -> ImportOutcome:
    """Write every row that is not refused, through ``save_members``, in the caller's session.

    Nothing is committed here: an exception leaves the caller's transaction to roll back, so either
    every good row is written or none is.
    """
    if preview.village_id != village_id:
        raise ValueError("the preview was made for another village")
    groups: dict[str, int] = {}
    created: list[str] = []
    rows = [row for row in preview.rows if row.action is not None]
    items = []
    for row in rows:
        form = replace(row.form)
        if row.new_party_group:
            key = _key_name(row.new_party_group)
            if key not in groups:
                groups[key] = _party_group(session, village_id, row.new_party_group, created)
            form.party_group_id = groups[key]
        items.append((form, row.member_id))
    # One batch: one duplicate check and one insert for every new member (the editor's rules still apply).
    member_ids = save_members(session, village_id, items, today=preview.today)
    with session.no_autoflush:
        for row, member_id in zip(rows, member_ids):
            _apply_status(session, member_id, row, preview.today)
    updated = sum(1 for row in rows if row.action == UPDATE)
    imported = len(rows) - updated
    session.flush()
    return ImportOutcome(imported, updated, tuple(created))


def _party_group(session: Session, village_id: int, name: str, created: list[str]) -> int:
    group = session.scalars(
        select(PartyGroup).where(PartyGroup.village_id == village_id, PartyGroup.name == name)).first()
    if group is None:
        group = PartyGroup(village_id=village_id, name=name)
        session.add(group)
        session.flush()
        created.append(name)
    return group.id


_IMPORT_NOTE = "花名册导入时登记（原表未写明日期）"


def _apply_status(session: Session, member_id: int, row: PreviewRow, today: dt.date) -> None:
    """党籍状态 and 失联 are status changes with a dated history, not plain fields."""
    suspended, lost = row.current_state
    if row.membership_state is MembershipState.SUSPENDED and not suspended:
        change_status(session, member_id, MemberEventKind.SUSPENDED, today, _IMPORT_NOTE, today=today)
    elif row.membership_state is MembershipState.NORMAL and suspended:
        change_status(session, member_id, MemberEventKind.RESTORED, today, _IMPORT_NOTE, today=today)
    if row.lost_contact and not lost:
        date = row.lost_contact_date or today
        note = None if row.lost_contact_date else _IMPORT_NOTE
        change_status(session, member_id, MemberEventKind.LOST_CONTACT, date, note, today=today)
    elif row.lost_contact is False and lost:
        change_status(session, member_id, MemberEventKind.CONTACT_RESTORED, today, _IMPORT_NOTE, today=today)


# ---------------------------------------------------------------------------------------- the register


def member_register(session: Session, village_id: int) -> list[dict]:
    """The village's members on the register (not archived), as rows of the 党员花名册, ordered by party
    group then name. Keys are ``reports.tables.members`` column keys; values are plain (enum labels)."""
    branch = session.scalar(select(Village.branch_name).where(Village.id == village_id))
    group_names = dict(session.execute(
        select(PartyGroup.id, PartyGroup.name).where(PartyGroup.village_id == village_id)).all())
    grid_names = dict(session.execute(select(Grid.id, Grid.name).where(Grid.village_id == village_id)).all())
    members = session.scalars(
        select(Member).where(Member.village_id == village_id, Member.archived.is_(False))
        .order_by(Member.party_group_id.is_(None), Member.party_group_id, Member.search_keys, Member.id)
    ).all()
    away = form_fields_of(session, [m.id for m in members])
    rows = []
    for number, m in enumerate(members, start=1):
        rows.append(dict(
            serial=number, name=m.name, gender=m.gender.label if m.gender else None, ethnicity=m.ethnicity,
            id_number=m.id_number, birth_date=m.birth_date, native_place=m.native_place,
            education=m.education.label if m.education else None, degree=m.degree, standing=m.standing.label,
            membership_state=m.membership_state.label, branch=branch, joined_date=m.joined_date,
            confirmed_date=m.confirmed_date, job_post=m.job_post, mobile=m.mobile, landline=m.landline,
            address=m.address, lost_contact=m.lost_contact, lost_contact_date=m.lost_contact_date,
            is_migrant=m.category is MemberCategory.MIGRANT, category=m.category.label,
            party_group=group_names.get(m.party_group_id),
            grid=grid_names.get(m.grid_id), post=m.post, is_hub_household=m.is_hub_household,
            is_committee_member=m.is_committee_member, **away[m.id],
            employer=m.employer, employer_contact=m.employer_contact, care_needs=m.care_needs,
            visit_interval_days=m.visit_interval_days, notes=m.notes,
        ))
    return rows
