"""积分评价办法: one rule set per village per year. Read, save, copy to the next year, export and import
as a file (so a township can hand the same rules to every village), close a year.

A year's rules are whatever is saved for it. A year nothing was saved for uses the latest earlier year's
rules, or the shipped sample rules when there are none; ``RuleSetRecord.origin`` says which, and the
first save stores them. Who saved or closed a year is the operator named in 设置 → 操作员 unless a
name is given. Changing a year's rules rescores the whole year, entries made before the change
included: the board always shows the year under its rules as they stand. Closing a year freezes its
rules (and records who counted for which grid), so it keeps the score it was closed with when later
years' rules change; edits, imports and manual awards for a closed year are refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.points import RuleFileError, RuleSet, check_rules, rules_from_json, rules_to_json
from partybuild_desktop.services.point_roster import current_roster
from partybuild_desktop.store.models import PointRuleSet, PointYearMember, Village

DEFAULT_RULES_FILE = ("resources", "sample", "default_point_rules.json")
MAX_RULE_FILE_BYTES = 1024 * 1024


class RuleSetError(Refusal):
    """A change to the rules refused; the message says why, in Chinese."""


class YearClosedError(RuleSetError):
    pass


@dataclass(frozen=True)
class RuleSetRecord:
    year: int
    rules: RuleSet
    saved: bool  # False: nothing saved for this year yet; ``rules`` is what applies meanwhile
    origin: str  # for the clerk: 本年度办法 / 沿用2025年度办法（尚未保存）/ 示范文本（尚未保存）
    updated_at: dt.datetime | None = None
    updated_by: str | None = None
    closed_at: dt.datetime | None = None
    closed_by: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


def default_rules(year: int | None = None) -> RuleSet:
    """The shipped sample rules (resources/sample/default_point_rules.json)."""
    from partybuild_desktop.bundled import bundled_file

    rules = rules_from_json(bundled_file(*DEFAULT_RULES_FILE).read_text(encoding="utf-8"))
    return rules.for_year(year) if year is not None else rules


def _row(session: Session, village_id: int, year: int) -> PointRuleSet | None:
    return session.scalars(
        select(PointRuleSet).where(PointRuleSet.village_id == village_id, PointRuleSet.year == year)
    ).one_or_none()


def _record(row: PointRuleSet) -> RuleSetRecord:
    return RuleSetRecord(row.year, rules_from_json(row.rules, row.year), True, "本年度办法", row.updated_at,
                         row.updated_by, row.closed_at, row.closed_by)


def load_rules(session: Session, village_id: int, year: int) -> RuleSetRecord:
    """The rules that apply to ``year``: saved for it, else carried over from the latest earlier year,
    else the sample rules."""
    row = _row(session, village_id, year)
    if row is not None:
        return _record(row)
    earlier = session.scalars(
        select(PointRuleSet).where(PointRuleSet.village_id == village_id, PointRuleSet.year < year)
        .order_by(PointRuleSet.year.desc()).limit(1)
    ).one_or_none()
    if earlier is not None:
        return RuleSetRecord(year, rules_from_json(earlier.rules, year), False, f"沿用{earlier.year}年度办法（尚未保存）")
    return RuleSetRecord(year, default_rules(year), False, "示范文本（尚未保存）")


def list_rule_sets(session: Session, village_id: int) -> list[RuleSetRecord]:
    """Every saved year, newest first."""
    rows = session.scalars(
        select(PointRuleSet).where(PointRuleSet.village_id == village_id).order_by(PointRuleSet.year.desc())
    )
    return [_record(row) for row in rows]


def ensure_open(session: Session, village_id: int, year: int) -> None:
    row = _row(session, village_id, year)
    if row is not None and row.closed_at is not None:
        raise YearClosedError(
            f"{year}年度的积分已于{row.closed_at:%Y年%m月%d日}结账（{row.closed_by or '未署名'}），"
            "积分办法和加减分不能再修改。确需更正，请先“重新打开”该年度。"
        )


def _by(session: Session, by: str | None) -> str:
    """Who is making the change: the name given, else the operator (设置 → 操作员)."""
    from partybuild_desktop.services.audit import operator

    return operator(session) if by is None else by.strip()


def save_rules(session: Session, village_id: int, year: int, rules: RuleSet, by: str | None = None) -> RuleSetRecord:
    """Save ``year``'s rules (checked like a file); refused for a closed year."""
    ensure_open(session, village_id, year)
    rules = rules.for_year(year)
    check_rules(rules)  # RuleFileError (a ValueError) lists every problem
    row = _row(session, village_id, year)
    if row is None:
        row = PointRuleSet(village_id=village_id, year=year)
        session.add(row)
    row.rules = rules_to_json(rules)
    row.updated_at = dt.datetime.now()
    row.updated_by = _by(session, by) or None
    session.flush()
    return _record(row)


def copy_to_next_year(session: Session, village_id: int, year: int, by: str | None = None,
                      replace_existing: bool = False) -> RuleSetRecord:
    """Start ``year + 1`` with ``year``'s rules."""
    target = year + 1
    if _row(session, village_id, target) is not None and not replace_existing:
        raise RuleSetError(f"{target}年度已经有积分办法。如要用{year}年度的办法替换它，请确认替换。")
    rules = load_rules(session, village_id, year).rules
    return save_rules(session, village_id, target, rules, by)


def export_rules(session: Session, village_id: int, year: int, path: Path) -> Path:
    """Write ``year``'s rules as a JSON file (atomically) that ``import_rules`` reads back."""
    from partybuild_desktop.fileio import atomic_write

    path = Path(path)
    if not path.parent.is_dir():
        raise RuleSetError(f"文件夹“{path.parent}”不存在，请先建好文件夹或换一个位置。")
    village = session.get(Village, village_id)
    data = rules_to_json(load_rules(session, village_id, year).rules, village.name if village else None)
    try:
        atomic_write(path, lambda f: f.write(data.encode("utf-8")))
    except OSError as error:
        raise RuleSetError(f"写入“{path}”失败：{error}。请检查位置是否可写、U 盘是否插好。") from error
    return path


def read_rule_file(path: Path, year: int | None = None) -> RuleSet:
    """A rule file, checked; RuleFileError names every problem (item and field) in Chinese."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_RULE_FILE_BYTES:
            raise RuleFileError([f"“{path.name}”有 {size // 1024} KB，不像是积分办法文件（一般只有几 KB）。"], "文件无法使用")
        raw = path.read_bytes()
    except FileNotFoundError as error:
        raise RuleFileError([f"找不到文件“{path}”。"], "文件无法使用") from error
    except OSError as error:
        raise RuleFileError([f"无法读取“{path}”：{error}"], "文件无法使用") from error
    for encoding in ("utf-8-sig", "gb18030"):  # edited in an old Notepad, a file may be saved as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise RuleFileError([f"“{path.name}”不是文本文件。"], "文件无法使用")
    return rules_from_json(text, year)


def import_rules(session: Session, village_id: int, path: Path, year: int | None = None, by: str | None = None,
                 today: dt.date | None = None) -> RuleSetRecord:
    """Replace a year's rules with a file's: the year given, else the file's, else this year."""
    rules = read_rule_file(path)
    target = year or rules.year or (today or dt.date.today()).year
    ensure_open(session, village_id, target)
    return save_rules(session, village_id, target, rules, by)


def close_year(session: Session, village_id: int, year: int, by: str | None = None,
               today: dt.date | None = None) -> RuleSetRecord:
    """Freeze ``year``: its rules as they stand, and who is on its board in which grid and grid branch."""
    today = today or dt.date.today()
    by = _by(session, by)
    if not by:
        raise RuleSetError("请填写结账人姓名。")
    if year > today.year:
        raise RuleSetError(f"{year}年度还没有开始，不能结账。")
    record = load_rules(session, village_id, year)
    if record.closed:
        raise YearClosedError(f"{year}年度已经结账。")
    if not record.saved:
        save_rules(session, village_id, year, record.rules, by)
    roster = current_roster(session, village_id, year)
    session.execute(delete(PointYearMember).where(PointYearMember.village_id == village_id, PointYearMember.year == year))
    session.add_all(PointYearMember(village_id=village_id, year=year, member_id=m.id, grid_id=m.grid_id,
                                    grid_branch_id=m.grid_branch_id) for m in roster)
    row = _row(session, village_id, year)
    row.closed_at, row.closed_by = dt.datetime.now(), by
    session.flush()
    return _record(row)


def reopen_year(session: Session, village_id: int, year: int) -> RuleSetRecord:
    """Undo a closing (to correct a mistake); the year is scored from the records as they are again."""
    row = _row(session, village_id, year)
    if row is None or row.closed_at is None:
        raise RuleSetError(f"{year}年度没有结账，无需重新打开。")
    session.execute(delete(PointYearMember).where(PointYearMember.village_id == village_id, PointYearMember.year == year))
    row.closed_at, row.closed_by = None, None
    session.flush()
    return _record(row)


__all__ = [
    "RuleFileError", "RuleSetError", "YearClosedError", "RuleSetRecord", "default_rules", "load_rules",
    "list_rule_sets", "ensure_open", "save_rules", "copy_to_next_year", "export_rules", "read_rule_file",
    "import_rules", "close_year", "reopen_year",
]
