"""后备干部 (reserve cadres): the village's roster of people being prepared for the village committee, one
roster per year, renewed every year (续备: the year's roster carried into the next, then changed there).

Seed 001: at least 16 a year in its township, capable migrants among them. The people need not be party
members; they are kept apart from the member list, its statistics and its unique ID numbers. Each has a
member who trains them (培养联系人).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.phone import check_phone
from partybuild_desktop.domain.text import clean_name

DEFAULT_TARGET = 16  # the township's number per village and year [local]
MAX_TARGET = 200
# What the seed and common practice name as where reserve cadres come from; the clerk may write another.
SOURCES = ("致富能手", "退役军人", "返乡大学生", "优秀流动党员", "外出务工经商人员", "村民小组长", "妇女骨干", "其他")
YOUNGEST_AGE = 18
OLDEST_BIRTH_YEAR = 1930


class ReserveCadreError(Refusal):
    """A reserve cadre who cannot be saved as typed; the message says what and what to do."""


@dataclass
class CadreForm:
    name: str = ""
    gender: object = None  # vocabulary.Gender or None
    birth_year: int | None = None
    education: object = None  # vocabulary.Education or None
    phone: str | None = None
    source: str | None = None
    strengths: str | None = None
    trainer_id: int | None = None  # the member who trains them
    notes: str | None = None


def _text(value: str | None, limit: int, what: str) -> str | None:
    text = " ".join((value or "").split()) or None
    if text and len(text) > limit:
        raise ReserveCadreError(f"{what}太长（{len(text)} 个字），请控制在 {limit} 个字以内。")
    return text


def check_form(form: CadreForm, year: int, today: dt.date) -> CadreForm:
    """The form cleaned (name, phone, texts trimmed), or ReserveCadreError naming the field."""
    name = clean_name(form.name or "")
    if not name:
        raise ReserveCadreError("请填写后备干部的姓名。")
    if len(name) > 32:
        raise ReserveCadreError(f"姓名“{name}”太长，请核对。")
    birth_year = form.birth_year
    if birth_year is not None:
        if not OLDEST_BIRTH_YEAR <= birth_year <= year - YOUNGEST_AGE:
            raise ReserveCadreError(f"{name}的出生年份 {birth_year} 不对：{year}年应年满 {YOUNGEST_AGE} 周岁"
                                    f"（出生年份在 {OLDEST_BIRTH_YEAR} 到 {year - YOUNGEST_AGE} 之间）。请核对。")
    phone = (form.phone or "").strip() or None
    if phone:
        checked = check_phone(phone)
        if not checked.ok:
            raise ReserveCadreError(f"{name}的联系电话：{checked.message}")
        phone = checked.number
    if not 2000 <= year <= today.year + 1:
        raise ReserveCadreError(f"年度 {year} 不对：只能登记 2000 年到 {today.year + 1} 年的后备干部名单。")
    return CadreForm(name, form.gender, birth_year, form.education, phone, _text(form.source, 32, "来源"),
                     _text(form.strengths, 200, "特长"), form.trainer_id, _text(form.notes, 500, "备注"))


def check_target(target: int) -> int:
    if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= MAX_TARGET:
        raise ReserveCadreError(f"后备干部的目标人数应在 1 到 {MAX_TARGET} 之间，而填写的是“{target}”。")
    return target


def same_person(a: tuple[str, int | None], b: tuple[str, int | None]) -> bool:
    """Two roster lines of one person: the same name, and the same birth year where both have one."""
    return a[0] == b[0] and (a[1] is None or b[1] is None or a[1] == b[1])


def age_in(birth_year: int | None, year: int) -> int | None:
    """The age reached in ``year`` (the roster gives only the birth year)."""
    return None if birth_year is None else year - birth_year


def shortfall(count: int, target: int) -> int:
    return max(0, target - count)
