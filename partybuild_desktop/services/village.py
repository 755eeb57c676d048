"""The village this data file keeps, and the file's own settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.vocabulary import BranchType
from partybuild_desktop.store.models import Setting, Village

CURRENT_VILLAGE = "current_village_id"
LAST_BACKUP = "last_backup_at"
PROGRAM_MODE = "program_mode"  # "village" (the default): the village's records; "township": consolidation
VILLAGE_MODE, TOWNSHIP_MODE = "village", "township"


@dataclass(frozen=True)
class VillageInfo:
    id: int
    township: str
    name: str
    branch_type: BranchType
    branch_name: str
    secretary_name: str

    @property
    def title(self) -> str:
        return f"{self.township}{self.name}"


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def default_branch_name(village: str, branch_type: BranchType) -> str:
    return f"中共{village}{branch_type.label}"


def create_village(
    session: Session,
    township: str,
    name: str,
    branch_type: BranchType,
    secretary_name: str,
    branch_name: str | None = None,
) -> VillageInfo:
    """Add a village; the first one becomes the current village."""
    township, name, secretary_name = township.strip(), name.strip(), secretary_name.strip()
    problems = [label for label, value in (("乡镇", township), ("村名", name), ("书记姓名", secretary_name)) if not value]
    if problems:
        raise ValueError("请填写：" + "、".join(problems))
    village = Village(
        township=township,
        name=name,
        branch_type=branch_type,
        branch_name=(branch_name or "").strip() or default_branch_name(name, branch_type),
        secretary_name=secretary_name,
    )
    session.add(village)
    session.flush()
    if get_setting(session, CURRENT_VILLAGE) is None:
        set_setting(session, CURRENT_VILLAGE, str(village.id))
    return _info(village)


def _info(village: Village) -> VillageInfo:
    return VillageInfo(
        village.id, village.township, village.name, village.branch_type, village.branch_name, village.secretary_name
    )


def current_village(session: Session) -> VillageInfo | None:
    """The village the window shows; None before the first run has created one."""
    chosen = get_setting(session, CURRENT_VILLAGE)
    village = session.get(Village, int(chosen)) if chosen else None
    if village is None:
        village = session.scalars(select(Village).order_by(Village.id)).first()
    return _info(village) if village else None


def village_row(session: Session, model, row_id: int | None, village_id: int):
    """The ``model`` row with ``row_id`` when it belongs to the village; None when there is none (or it is
    another village's): what every choice made in a form is checked against."""
    row = session.get(model, row_id) if row_id is not None else None
    return row if row is not None and row.village_id == village_id else None


def village_info(session: Session, village_id: int) -> VillageInfo | None:
    village = session.get(Village, village_id)
    return _info(village) if village else None


def list_villages(session: Session) -> list[VillageInfo]:
    return [_info(v) for v in session.scalars(select(Village).order_by(Village.id))]


def program_mode(session: Session) -> str:
    """``village`` or ``township``: which screens the window shows for this data file."""
    return get_setting(session, PROGRAM_MODE, VILLAGE_MODE) or VILLAGE_MODE


def set_program_mode(session: Session, mode: str) -> None:
    if mode not in (VILLAGE_MODE, TOWNSHIP_MODE):
        raise ValueError(f"unknown program mode {mode!r}")
    set_setting(session, PROGRAM_MODE, mode)


def needs_first_run(session: Session) -> bool:
    """A village file without its village yet; a township file needs none."""
    return program_mode(session) == VILLAGE_MODE and current_village(session) is None
