"""The household register (农户台账): head, villager group, address, phone, size, grid, liaison member,
and the care flags that make a household one to visit without fail (必访).

Session in, plain data out; a refused change raises ``HouseholdError`` in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.phone import check_phone
from partybuild_desktop.domain.field_limits import check_lengths
from partybuild_desktop.domain.text import clean_name, strip_controls
from partybuild_desktop.domain.vocabulary import CareFlag
from partybuild_desktop.services.village import village_row
from partybuild_desktop.store.models import Grid, Household, Member, ProxyService, Visit

MAX_SIZE = 30  # people in one household; more is a typing mistake


class HouseholdError(Refusal):
    """A change refused; the message says why and what to do, in Chinese."""


# The model's column for each care flag has the flag's code as its name.
CARE_COLUMNS = {flag: getattr(Household, flag.value) for flag in CareFlag}


def must_visit_clause():
    """SQL: the household has at least one care flag."""
    return or_(*CARE_COLUMNS.values())


_NUMBERS = re.compile(r"(\d+)")


def natural_key(text: str | None) -> tuple:
    """Sort key that puts "2组" before "10组" and "3号" before "12号": text and numbers alternate (the
    split always starts with text, maybe empty), so like compares with like."""
    parts = _NUMBERS.split(text or "")
    parts[1::2] = map(int, parts[1::2])
    return tuple(parts)


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    head_name: str
    villager_group: str | None
    address: str | None
    phone: str | None
    size: int | None
    grid_id: int | None
    grid: str
    liaison_member_id: int | None
    liaison_member: str
    care_flags: tuple[CareFlag, ...]
    notes: str | None

    @property
    def must_visit(self) -> bool:
        return bool(self.care_flags)

    @property
    def care_text(self) -> str:
        return "、".join(flag.label for flag in self.care_flags)


def list_households(session: Session, village_id: int, villager_group: str | None = None, grid_id: int | None = None,
                    liaison_member_id: int | None = None, must_visit_only: bool = False, text: str = "",
                    unassigned_only: bool = False) -> list[HouseholdRow]:
    """Households of the village, by villager group then address; the filters combine."""
    liaison = aliased(Member)
    query = (
        select(Household.id, Household.head_name, Household.villager_group, Household.address, Household.phone,
               Household.size, Household.grid_id, Grid.name, Household.liaison_member_id, liaison.name,
               *CARE_COLUMNS.values(), Household.notes)
        .outerjoin(Grid, Grid.id == Household.grid_id)
        .outerjoin(liaison, liaison.id == Household.liaison_member_id)
        .where(Household.village_id == village_id)
    )
    if villager_group is not None:
        query = query.where(Household.villager_group == villager_group)
    if grid_id is not None:
        query = query.where(Household.grid_id == grid_id)
    if liaison_member_id is not None:
        query = query.where(Household.liaison_member_id == liaison_member_id)
    if unassigned_only:
        query = query.where(Household.liaison_member_id.is_(None))
    if must_visit_only:
        query = query.where(must_visit_clause())
    if text.strip():
        needle = text.strip()
        query = query.where(or_(Household.head_name.contains(needle), Household.address.contains(needle),
                                Household.phone.contains(needle)))
    flags = list(CareFlag)
    rows = []
    for r in session.execute(query):
        values = tuple(r)
        care = tuple(flag for flag, on in zip(flags, values[10:10 + len(flags)]) if on)
        rows.append(HouseholdRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or "", r[8], r[9] or "", care,
                                 values[-1]))
    rows.sort(key=lambda h: (natural_key(h.villager_group), natural_key(h.address), h.id))
    return rows


def villager_groups(session: Session, village_id: int) -> list[str]:
    """Every villager group named by a household or a party group, in natural order."""
    from partybuild_desktop.store.models import PartyGroup

    names = set(session.scalars(select(Household.villager_group).where(
        Household.village_id == village_id, Household.villager_group.is_not(None)).distinct()))
    names |= set(session.scalars(select(PartyGroup.villager_group).where(
        PartyGroup.village_id == village_id, PartyGroup.villager_group.is_not(None))))
    return sorted((n for n in names if n), key=natural_key)


def count_households(session: Session, village_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Household).where(Household.village_id == village_id))


# ---------------------------------------------------------------------------------------- the form


@dataclass
class HouseholdForm:
    head_name: str = ""
    villager_group: str | None = None
    address: str | None = None
    phone: str | None = None
    size: int | None = None
    grid_id: int | None = None
    liaison_member_id: int | None = None
    care_flags: frozenset[CareFlag] = field(default_factory=frozenset)
    notes: str | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass
class HouseholdCheck:
    form: HouseholdForm  # cleaned: names trimmed, phone in its standard form
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_household(form: HouseholdForm) -> HouseholdCheck:
    """Clean and check a form field by field, in Chinese (what is wrong and what to write instead)."""
    def blank(value):
        return strip_controls(value).strip() or None if isinstance(value, str) else value

    cleaned = replace(form, head_name=clean_name(form.head_name or ""), villager_group=blank(form.villager_group),
                      address=blank(form.address), phone=blank(form.phone), notes=blank(form.notes),
                      care_flags=frozenset(CareFlag(f) for f in form.care_flags))
    result = HouseholdCheck(cleaned)
    if not cleaned.head_name:
        result.errors["head_name"] = "请填写户主姓名。"
    if cleaned.phone:
        phone = check_phone(cleaned.phone)
        if phone.ok:
            cleaned.phone = phone.number
        else:
            result.errors["phone"] = phone.message
    if cleaned.size is not None:
        try:
            size = int(cleaned.size)
        except (TypeError, ValueError):
            size = None
        if size is None or str(cleaned.size).strip() not in (str(size), f"{size}.0"):
            result.errors["size"] = f"家庭人口“{cleaned.size}”不是整数，请填写人数，例如 4。"
        elif not 1 <= size <= MAX_SIZE:
            result.errors["size"] = f"家庭人口 {size} 人不合常理，请填写 1 到 {MAX_SIZE} 之间的人数。"
        else:
            cleaned.size = size
    # Text beyond its field's limit (domain.field_limits) is refused, whatever else was found in it.
    result.errors.update(check_lengths({name: getattr(cleaned, name) for name in HouseholdForm.field_names()}))
    return result


def _check_links(session: Session, village_id: int, form: HouseholdForm) -> None:
    if form.grid_id is not None:
        grid = village_row(session, Grid, form.grid_id, village_id)
        if grid is None:
            raise HouseholdError("所选网格不属于本村，请重新选择。")
    if form.liaison_member_id is not None:
        member = village_row(session, Member, form.liaison_member_id, village_id)
        if member is None:
            raise HouseholdError("所选联系党员不属于本村，请重新选择。")
        if member.archived:
            raise HouseholdError(f"“{member.name}”已归档，不能再联系农户，请另选一名党员。")


def save_household(session: Session, village_id: int, form: HouseholdForm, household_id: int | None = None) -> int:
    """Create or update a household; returns its id. Range checks of the liaison member: ``services.liaison``."""
    checked = check_household(form)
    if not checked.ok:
        raise HouseholdError("；".join(checked.errors.values()))
    form = checked.form
    _check_links(session, village_id, form)
    if household_id is None:
        household = Household(village_id=village_id)
        session.add(household)
    else:
        household = _household(session, household_id)
        if household.village_id != village_id:
            raise HouseholdError("这户不属于本村。")
    for name in ("head_name", "villager_group", "address", "phone", "size", "grid_id", "liaison_member_id", "notes"):
        setattr(household, name, getattr(form, name))
    for flag in CareFlag:
        setattr(household, flag.value, flag in form.care_flags)
    session.flush()
    return household.id


def load_household(session: Session, household_id: int) -> HouseholdForm:
    h = _household(session, household_id)
    return HouseholdForm(
        head_name=h.head_name, villager_group=h.villager_group, address=h.address, phone=h.phone, size=h.size,
        grid_id=h.grid_id, liaison_member_id=h.liaison_member_id,
        care_flags=frozenset(flag for flag in CareFlag if getattr(h, flag.value)), notes=h.notes,
    )


def delete_household(session: Session, household_id: int) -> None:
    """Remove a household entered by mistake; refused while visits or proxy services name it."""
    h = _household(session, household_id)
    visits = session.scalar(select(func.count()).select_from(Visit).where(Visit.household_id == household_id))
    proxies = session.scalar(select(func.count()).select_from(ProxyService)
                             .where(ProxyService.household_id == household_id))
    used = [text for n, text in ((visits, f"{visits}条走访记录"), (proxies, f"{proxies}件代办事项")) if n]
    if used:
        raise HouseholdError(f"“{h.head_name}”户已有{'、'.join(used)}，不能删除（删除会丢失这些记录）。"
                             "如已迁出，请在备注中注明。")
    session.delete(h)


def _household(session: Session, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise HouseholdError("找不到这户，可能已被删除。请刷新列表。")
    return household
