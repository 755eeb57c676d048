"""后备干部: the village's roster per year, its renewal into the next year (续备), the count against the
township's target, and what the township shows per village from the returns.

The people need not be members and are kept in their own table (``store.models.ReserveCadre``): they
never enter the member list, its statistics or its unique ID numbers. The rules are
``domain.reserve_cadres``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain import reserve_cadres as rules
from partybuild_desktop.domain.reserve_cadres import CadreForm, ReserveCadreError
from partybuild_desktop.domain.vocabulary import Education, Gender
from partybuild_desktop.services.village import get_setting, set_setting
from partybuild_desktop.store.models import Member, ReserveCadre

TARGET_KEY = "reserve_cadre_target"
SECTION = "reserve_and_transfers"  # the return's figures section (``reports.tables.transfers``)

__all__ = ["CadreForm", "ReserveCadreError"]


def target(session: Session) -> int:
    """How many reserve cadres a village should have a year ([local]: the township's number, 16 unless set)."""
    raw = get_setting(session, TARGET_KEY)
    if raw and raw.isdigit() and 1 <= int(raw) <= rules.MAX_TARGET:
        return int(raw)
    return rules.DEFAULT_TARGET


def set_target(session: Session, value: int) -> None:
    set_setting(session, TARGET_KEY, str(rules.check_target(int(value))))


@dataclass(frozen=True)
class CadreRow:
    id: int
    year: int
    name: str
    gender: Gender | None
    birth_year: int | None
    education: Education | None
    phone: str | None
    source: str | None
    strengths: str | None
    trainer_id: int | None
    trainer: str  # the training member's name (kept when the member was deleted)
    notes: str | None
    carried: bool  # carried from the year before (续备)

    @property
    def age(self) -> int | None:
        return rules.age_in(self.birth_year, self.year)

    def form(self) -> CadreForm:
        return CadreForm(self.name, self.gender, self.birth_year, self.education, self.phone, self.source,
                         self.strengths, self.trainer_id, self.notes)

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "gender": self.gender.label if self.gender else None,
                "birth_year": self.birth_year, "education": self.education.label if self.education else None,
                "phone": self.phone, "source": self.source, "strengths": self.strengths,
                "trainer": self.trainer or None, "carried": self.carried}


def roster(session: Session, village_id: int, year: int) -> list[CadreRow]:
    """The year's roster in the order entered."""
    rows = session.execute(
        select(ReserveCadre, Member.name).outerjoin(Member, Member.id == ReserveCadre.trainer_id)
        .where(ReserveCadre.village_id == village_id, ReserveCadre.year == year).order_by(ReserveCadre.id))
    return [CadreRow(c.id, c.year, c.name, c.gender, c.birth_year, c.education, c.phone, c.source, c.strengths,
                     c.trainer_id, trainer or c.trainer_name or "", c.notes, c.carried_from_id is not None)
            for c, trainer in rows]


def count(session: Session, village_id: int, year: int) -> int:
    return session.scalar(select(func.count()).select_from(ReserveCadre).where(
        ReserveCadre.village_id == village_id, ReserveCadre.year == year)) or 0


def years(session: Session, village_id: int) -> list[int]:
    return list(session.scalars(select(ReserveCadre.year).where(ReserveCadre.village_id == village_id)
                                .group_by(ReserveCadre.year).order_by(ReserveCadre.year.desc())))


@dataclass(frozen=True)
class YearStanding:
    year: int
    count: int
    target: int

    @property
    def short(self) -> int:
        return rules.shortfall(self.count, self.target)

    @property
    def text(self) -> str:
        head = f"{self.year}年后备干部 {self.count} 名，镇里要求不少于 {self.target} 名"
        return head + (f"，还差 {self.short} 名。" if self.short else "，已达到要求。")


def standing(session: Session, village_id: int, year: int) -> YearStanding:
    return YearStanding(year, count(session, village_id, year), target(session))


def _trainer(session: Session, village_id: int, trainer_id: int | None) -> tuple[int | None, str | None]:
    if trainer_id is None:
        return None, None
    member = session.get(Member, trainer_id)
    if member is None or member.village_id != village_id:
        raise ReserveCadreError("选择的培养联系人不是本村的党员，请重新选择。")
    if member.archived:
        raise ReserveCadreError(f"培养联系人“{member.name}”已不在册，请另选一名党员。")
    return member.id, member.name


def _others(session: Session, village_id: int, year: int, except_id: int | None) -> list[tuple[str, int | None]]:
    query = select(ReserveCadre.name, ReserveCadre.birth_year).where(
        ReserveCadre.village_id == village_id, ReserveCadre.year == year)
    if except_id is not None:
        query = query.where(ReserveCadre.id != except_id)
    return [(n, b) for n, b in session.execute(query)]


def save(session: Session, village_id: int, year: int, form: CadreForm, cadre_id: int | None = None,
         today: dt.date | None = None) -> int:
    """Add a person to the year's roster (``cadre_id`` None) or change one; returns the line's id."""
    today = today or dt.date.today()
    form = rules.check_form(form, year, today)
    if any(rules.same_person((form.name, form.birth_year), other) for other in _others(session, village_id, year, cadre_id)):
        raise ReserveCadreError(f"{year}年的后备干部名单中已经有“{form.name}”。同名的两个人请填写出生年份以示区别。")
    trainer_id, trainer_name = _trainer(session, village_id, form.trainer_id)
    if cadre_id is None:
        row = ReserveCadre(village_id=village_id, year=year)
        session.add(row)
    else:
        row = session.get(ReserveCadre, cadre_id)
        if row is None or row.village_id != village_id:
            raise ReserveCadreError("找不到这名后备干部，可能已被删除。请刷新列表。")
        if row.year != year:
            raise ReserveCadreError("只能在原来的年度中修改这名后备干部。")
    row.name, row.gender, row.birth_year, row.education = form.name, form.gender, form.birth_year, form.education
    row.phone, row.source, row.strengths, row.notes = form.phone, form.source, form.strengths, form.notes
    row.trainer_id, row.trainer_name = trainer_id, trainer_name
    session.flush()
    return row.id


def remove(session: Session, village_id: int, cadre_id: int) -> str:
    """Take a person off their year's roster (earlier years keep them); returns the name."""
    row = session.get(ReserveCadre, cadre_id)
    if row is None or row.village_id != village_id:
        raise ReserveCadreError("找不到这名后备干部，可能已被删除。请刷新列表。")
    name = row.name
    session.delete(row)
    session.flush()
    return name


@dataclass(frozen=True)
class Renewal:
    year: int  # the year renewed into
    carried: int
    already: int  # already on the new year's roster, not copied again

    def to_json(self) -> dict:
        return {"year": self.year, "carried": self.carried, "already": self.already}


def renew(session: Session, village_id: int, year: int, today: dt.date | None = None) -> Renewal:
    """续备: copy ``year``'s roster into ``year + 1`` (those already there are left as they are); the new
    year's lines are then changed, added to or taken off on their own."""
    today = today or dt.date.today()
    following = year + 1
    if following > today.year + 1:
        raise ReserveCadreError(f"{following}年还太远，只能续备到 {today.year + 1} 年。")
    lines = session.scalars(select(ReserveCadre).where(ReserveCadre.village_id == village_id,
                                                       ReserveCadre.year == year).order_by(ReserveCadre.id)).all()
    if not lines:
        raise ReserveCadreError(f"{year}年还没有后备干部名单，无法续备到 {following} 年。请先登记{year}年的后备干部。")
    there = _others(session, village_id, following, None)
    carried = already = 0
    for line in lines:
        if any(rules.same_person((line.name, line.birth_year), other) for other in there):
            already += 1
            continue
        trainer_id = line.trainer_id
        if trainer_id is not None:
            trainer = session.get(Member, trainer_id)
            trainer_id = trainer_id if trainer is not None and not trainer.archived else None
        session.add(ReserveCadre(
            village_id=village_id, year=following, name=line.name, gender=line.gender, birth_year=line.birth_year,
            education=line.education, phone=line.phone, source=line.source, strengths=line.strengths,
            trainer_id=trainer_id, trainer_name=line.trainer_name if trainer_id else None, notes=line.notes,
            carried_from_id=line.id))
        there.append((line.name, line.birth_year))
        carried += 1
    session.flush()
    return Renewal(following, carried, already)


def trainers(session: Session, village_id: int) -> list[tuple[int, str]]:
    """Members on the roll who may train a reserve cadre: (id, name)."""
    return [(i, n) for i, n in session.execute(select(Member.id, Member.name).where(
        Member.village_id == village_id, Member.archived.is_(False)).order_by(Member.id))]


# ---------------------------------------------------------------------------------------- the township


def received_counts(session: Session, return_ids: list[int]) -> dict[int, int]:
    """The reserve cadres' count each received return carried (returns without the section left out)."""
    from partybuild_desktop.store.models import ReceivedFigure

    if not return_ids:
        return {}
    return dict(session.execute(select(ReceivedFigure.return_id, ReceivedFigure.value).where(
        ReceivedFigure.return_id.in_(return_ids), ReceivedFigure.section == SECTION,
        ReceivedFigure.key == "reserve_cadres")).all())


def township_text(count: int | None, wanted: int) -> str:
    """The township screen's cell for one village: ``12/16（差4）``, ``16/16``, or 未报送."""
    if count is None:
        return "未报送"
    short = rules.shortfall(count, wanted)
    return f"{count}/{wanted}" + (f"（差{short}）" if short else "")
