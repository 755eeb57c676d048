"""Importing a household list (农户花名册) the way members are imported: preview every row, then write the
good ones in the caller's transaction.

``preview_import`` reads the file with the roster reader and ``importers.household_fields``, matches the
grid and the liaison member (联系党员) against the village's register, turns each row into a
``HouseholdForm`` and runs the editor's own ``check_household`` on it. The preview, its statuses, the
problem lists, the command line's result object and the error workbook are the members import's
(``importers.preview``, ``importers.error_workbook``). Nothing is written until ``apply_import``.

A household has no ID number. It counts as already registered when a household of the village has the
same 户主姓名, 村民小组 and 住址, each normalised (``household_fields.household_identity``: "3组" and
"三组" are one group, full-width and spaced text match the plain form). Such a row is refused as
``duplicate_household`` unless the import updates (``update=True``, ``--update``), and then it overwrites
that household with the columns the file has. The same household twice in the file is refused on the
later row in either case.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.phone import PHONE_FORMAT
from partybuild_desktop.domain.text import clean_cell, clean_name
from partybuild_desktop.domain.vocabulary import CareFlag
from partybuild_desktop.importers.household_fields import (
    DUPLICATE_HOUSEHOLD,
    MISSING_HOUSEHOLD_HEAD,
    SIZE_INVALID,
    care_flags,
    describe_household,
    group_key,
    household_identity,
    identity_text,
    read_household_roster,
)
from partybuild_desktop.importers.preview import (  # noqa: F401  (IMPORT… are part of this module's API)
    IMPORT,
    REFUSED,
    UPDATE,
    WARN,
    ImportOutcome,
    ImportPreview,
    PreviewRow,
    file_problems,
    require_roster,
)
from partybuild_desktop.services.grids import GridError, find_grid
from partybuild_desktop.services.households import HouseholdForm, check_household, natural_key, save_household
from partybuild_desktop.store.models import Grid, Household, Member, PartyGroup

# Problem codes of this module (the reader's codes are in importers.household_fields).
GRID_UNKNOWN = "grid_unknown"  # as for members
LIAISON_UNKNOWN = "liaison_unknown"
LIAISON_AMBIGUOUS = "liaison_ambiguous"
FORM_INVALID = "form_invalid"

# The form's fields filled straight from the reader's values (the others are matched or combined).
_PLAIN_FIELDS = {"household_head": "head_name", "villager_group": "villager_group", "address": "address",
                 "phone": "phone", "size": "size", "notes": "notes"}
# check_household's error keys, as the importer's codes, and the reader's column keys they concern.
_FORM_ERROR_CODES = {"head_name": MISSING_HOUSEHOLD_HEAD, "phone": PHONE_FORMAT, "size": SIZE_INVALID}
_READER_KEY = {form_field: key for key, form_field in _PLAIN_FIELDS.items()}


@dataclass
class HouseholdPreviewRow(PreviewRow):
    """One data row and what the import will do with it (status and action: ``importers.preview``)."""

    form: HouseholdForm | None = None
    household_id: int | None = None  # the household an update overwrites


@dataclass
class _Register:
    """What the preview needs from the data file, loaded once rather than per row."""

    by_identity: dict[tuple, list[Household]]
    group_names: dict[str, str]  # group_key -> the spelling the village already uses
    grids: dict[str, int]  # grid name without spaces -> id
    members: dict[str, list[int]]  # name -> active members of the village
    archived: set[str]  # names of archived members only


def _load_register(session: Session, village_id: int) -> _Register:
    households = session.scalars(select(Household).where(Household.village_id == village_id)
                                 .order_by(Household.id)).all()
    by_identity: dict[tuple, list[Household]] = defaultdict(list)
    for household in households:
        by_identity[household_identity({"head_name": household.head_name, "villager_group": household.villager_group,
                                        "address": household.address})].append(household)
    spellings = {h.villager_group for h in households if h.villager_group}
    spellings |= set(session.scalars(select(PartyGroup.villager_group).where(
        PartyGroup.village_id == village_id, PartyGroup.villager_group.is_not(None))))
    group_names: dict[str, str] = {}
    for name in sorted(spellings, key=natural_key):
        group_names.setdefault(group_key(name), name)
    grids: dict[str, int] = {}
    for grid_id, name in session.execute(
            select(Grid.id, Grid.name).where(Grid.village_id == village_id).order_by(Grid.level, Grid.id)):
        grids.setdefault(identity_text(name), grid_id)
    members: dict[str, list[int]] = defaultdict(list)
    archived: set[str] = set()
    for member_id, name, is_archived in session.execute(
            select(Member.id, Member.name, Member.archived).where(Member.village_id == village_id).order_by(Member.id)):
        if is_archived:
            archived.add(name)
        else:
            members[name].append(member_id)
    return _Register(by_identity, group_names, grids, members, archived - set(members))


def preview_import(session: Session, village_id: int, path: str | Path, update: bool = False,
                   today: dt.date | None = None) -> ImportPreview:
    """Read ``path`` and decide for every row: import, update, warn (written, with warnings) or refused.

    Raises ``RosterUnreadable`` when the file cannot be read, or holds no sheet with a recognisable
    header (with a 户主姓名 column). Nothing is written.
    """
    reading = read_household_roster(path)
    require_roster(reading, path, "农户名单")
    preview = ImportPreview(Path(path), village_id, update, today or dt.date.today(), reading,
                            file_problems=file_problems(reading))
    register = _load_register(session, village_id)
    grid_ids: dict[str, tuple[int | None, str]] = {}
    for result in reading.rows:
        row = HouseholdPreviewRow(result)
        preview.rows.append(row)
        base = _match_existing(row, update, register)
        row.form = _build_form(session, village_id, row, base, register, grid_ids)
        _check(row)
        row.decide(updating=row.household_id is not None)
    return preview


def _match_existing(row: HouseholdPreviewRow, update: bool, register: _Register) -> HouseholdForm | None:
    """The registered household the row is (see the module's note); its form when the row updates it."""
    result = row.result
    if any(p.code == DUPLICATE_HOUSEHOLD for p in result.refusals):
        return None  # already refused as a repeat of an earlier row
    identity = household_identity(result.values)
    found = register.by_identity.get(identity, []) if identity else []
    if not found:
        return None
    label = result.label("household_head")
    who = describe_household(result.values)
    if not update:
        result.refuse(DUPLICATE_HOUSEHOLD, f"{who}已在农户台账中（户主姓名、村民小组、住址都相同），本行没有导入。"
                      "如要用表中内容覆盖台账中的信息，请选择“更新”（命令行加 --update）后重新导入。", label)
        return None
    if len(found) > 1:
        result.refuse(DUPLICATE_HOUSEHOLD, f"农户台账中有 {len(found)} 户与{who}的户主姓名、村民小组、住址都相同，"
                      "无法确定更新哪一户，本行没有导入。请先在网格中改正或删除台账中重复的户，再重新导入。", label)
        return None
    household = found[0]
    row.household_id = household.id
    return HouseholdForm(
        head_name=household.head_name, villager_group=household.villager_group, address=household.address,
        phone=household.phone, size=household.size, grid_id=household.grid_id,
        liaison_member_id=household.liaison_member_id,
        care_flags=frozenset(flag for flag in CareFlag if getattr(household, flag.value)), notes=household.notes,
    )


def _build_form(session: Session, village_id: int, row: HouseholdPreviewRow, base: HouseholdForm | None,
                register: _Register, grid_ids: dict) -> HouseholdForm:
    """The row as a form. A new household starts empty; an update starts from the register, and only cells
    with a value that could be read replace what is there (a blank cell never erases a value)."""
    result = row.result
    values = result.values
    updating = base is not None
    form = replace(base) if updating else HouseholdForm()
    for key, form_field in _PLAIN_FIELDS.items():
        if values.get(key) is not None:
            setattr(form, form_field, values[key])
    if form.villager_group and values.get("villager_group") is not None:
        # "三组" in the file, "3组" in the register: keep the register's spelling.
        form.villager_group = register.group_names.get(group_key(form.villager_group), form.villager_group)

    kept = "保持不变" if updating else "暂时留空"
    if values.get("grid") is not None:
        name = clean_cell(values["grid"])
        if name not in grid_ids:
            grid_ids[name] = _grid(session, village_id, name, register)
        grid_id, problem = grid_ids[name]
        if grid_id is None:
            result.warn(GRID_UNKNOWN, f"{problem}所属网格{kept}。请先在网格管理中建好该网格，或改正网格名称。",
                        result.label("grid"))
        else:
            form.grid_id = grid_id
    if values.get("liaison") is not None:
        member_id = _liaison(row, register, kept)
        if member_id is not None:
            form.liaison_member_id = member_id

    stated = care_flags(result)
    flags = set(form.care_flags)
    for flag, on in stated.items():
        (flags.add if on else flags.discard)(flag)
    form.care_flags = frozenset(flags)
    return form


def _grid(session: Session, village_id: int, name: str, register: _Register) -> tuple[int | None, str]:
    """(grid id, None) or (None, why): the exact name first, then ``find_grid``'s unique partial match."""
    grid_id = register.grids.get(identity_text(name))
    if grid_id is not None:
        return grid_id, ""
    try:
        return find_grid(session, village_id, name), ""
    except GridError as error:
        return None, str(error)


def _liaison(row: HouseholdPreviewRow, register: _Register, kept: str) -> int | None:
    """The member named as 联系党员, or None with a warning (unknown, or more than one of that name)."""
    result = row.result
    label = result.label("liaison")
    typed = clean_cell(result.values["liaison"])
    name = clean_name(typed)
    found = register.members.get(name, [])
    if len(found) == 1:
        return found[0]
    if found:
        result.warn(LIAISON_AMBIGUOUS, f"本村有 {len(found)} 名党员都叫「{name}」，无法确定是哪一位，联系党员{kept}。"
                    "导入后请在网格中为这户指定联系党员。", label)
    elif any(sep in typed for sep in "、，,/／;；"):
        result.warn(LIAISON_UNKNOWN, f"「{typed}」：一户只登记一名联系党员，联系党员{kept}。请只写一人的姓名。", label)
    elif name in register.archived:
        result.warn(LIAISON_UNKNOWN, f"党员「{name}」已归档，不能再联系农户，联系党员{kept}。请另选一名党员。", label)
    else:
        result.warn(LIAISON_UNKNOWN, f"本村党员名册中没有「{name}」，联系党员{kept}。"
                    "请核对姓名，或先在党员名册中登记该党员。", label)
    return None


def _check(row: HouseholdPreviewRow) -> None:
    """The editor's rules (``check_household``) on the row's form; the cleaned form replaces it."""
    result = row.result
    checked = check_household(row.form)
    row.form = checked.form
    seen = {(p.code, p.column_label) for p in result.refusals}
    for key, message in checked.errors.items():
        code = _FORM_ERROR_CODES.get(key, FORM_INVALID)
        label = result.label(_READER_KEY.get(key, key))
        if (code, label) not in seen:
            result.refuse(code, message, label)
            seen.add((code, label))


def apply_import(session: Session, village_id: int, preview: ImportPreview) -> ImportOutcome:
    """Write every row that is not refused, through ``save_household``, in the caller's session.

    Nothing is committed here: an exception leaves the caller's transaction to roll back, so either
    every good row is written or none is.
    """
    if preview.village_id != village_id:
        raise ValueError("the preview was made for another village")
    rows = [row for row in preview.rows if row.action is not None]
    for row in rows:
        save_household(session, village_id, row.form, row.household_id)
    updated = sum(1 for row in rows if row.action == UPDATE)
    session.flush()
    return ImportOutcome(len(rows) - updated, updated)
