"""Township mode: receive the villages' quarterly return packages, check them, keep their figures in the
township's own data file, and add them up into the same tables the villages print.

Each package is checked (``services.returns.load_package``: readable, manifest complete and every hash
right, a schema this program knows, figures that reconcile), then against the run: the quarter asked
for, and the same village only once. A refused package leaves nothing behind. The accepted ones are
stored together in one transaction, committed at the end: each is in the file with all its figures, or
(when the write fails or the run is cancelled) none of the run's packages is.

A package for a village and quarter already received is a replacement: it is taken only when ``replace``
says so, and the first is kept, marked superseded. The very same package again (same manifest) is
accepted without storing anything twice.

The township's expected villages are those ever received plus the township's own list
(``set_expected_villages``); ``missing_villages`` names those without a return for the quarter.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.statistics import Quarter, StatisticsMismatch
from partybuild_desktop.reports.files import FORMATS, write_report
from partybuild_desktop.reports.tables.member_statistics import villages_report
from partybuild_desktop.services.exports import figure_definitions, summaries
from partybuild_desktop.services.returns import (
    DUPLICATE_VILLAGE,
    MEMBER_SECTION,
    UNREADABLE_PACKAGE,
    WRONG_QUARTER,
    Cancelled,
    HasFigures,
    LoadedPackage,
    PackageProblem,
    Progress,
    load_package,
    parse_quarter,
    read_section,
    section_counts,
)
from partybuild_desktop.services.village import (
    PROGRAM_MODE,
    TOWNSHIP_MODE,
    get_setting,
    set_program_mode,
    set_setting,
)
from partybuild_desktop.store import received
from partybuild_desktop.store.database import Store
from partybuild_desktop.store.models import ReceivedFigure, ReceivedReturn, ReceivedVillage, Village

log = logging.getLogger(__name__)

TOWNSHIP_NAME = "township_name"  # setting: the township this file consolidates, for titles
ACCEPTED, REFUSED = "accepted", "refused"

# Replace an earlier package? A callback asked per village, a collection of village keys, or a yes/no
# for all; None: never (the package is refused and the earlier one kept).
Replace = Callable[["Replacement"], bool] | Collection[str] | bool | None


class ConsolidationError(Refusal):
    """The consolidation cannot go on at all (e.g. the output folder is unusable); Chinese message."""


@dataclass(frozen=True)
class Replacement:
    """A package for a village and quarter that was received before: what the township is asked."""

    village: str
    village_key: str
    quarter: Quarter
    received_at: dt.datetime  # the earlier package
    filed_on: dt.date  # the earlier package's 填报日期
    new_filed_on: dt.date
    package: str

    @property
    def question(self) -> str:
        return (f"{self.village}{self.quarter.title}的报表已于{self.received_at:%Y年%m月%d日 %H:%M}收到"
                f"（填报日期{self.filed_on:%Y年%m月%d日}）。要用这一份（填报日期{self.new_filed_on:%Y年%m月%d日}）替换吗？"
                "原报表会保留为已替换的记录。")


@dataclass(frozen=True)
class PackageOutcome:
    package: str  # the path as given
    village: str | None  # None when it cannot be read
    status: str  # accepted / refused
    code: str | None  # None when accepted; else one of returns.PROBLEM_CODES
    message: str
    village_key: str | None = None
    replaced: bool = False  # took the place of a package received before
    unchanged: bool = False  # the very same package had been received before

    def to_json(self) -> dict:
        return {"package": self.package, "village": self.village, "status": self.status, "code": self.code,
                "message": self.message}


@dataclass
class ConsolidationResult:
    quarter: Quarter
    packages: list[PackageOutcome]
    missing: list[str] = field(default_factory=list)  # expected villages without a return this quarter
    files: list[Path] = field(default_factory=list)  # the consolidated tables written
    cancelled: bool = False
    not_processed: list[str] = field(default_factory=list)  # packages not reached before cancelling
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[PackageOutcome]:
        return [p for p in self.packages if p.status == ACCEPTED]

    @property
    def refused(self) -> list[PackageOutcome]:
        return [p for p in self.packages if p.status == REFUSED]

    def to_json(self) -> dict:
        return {"packages": [p.to_json() for p in self.packages], "quarter": self.quarter.label,
                "missing": self.missing, "files": [str(f) for f in self.files], "warnings": self.warnings}


# ---------------------------------------------------------------------------------------- mode and list


def township_name(session: Session) -> str:
    """The township's name: as set, else the one most received returns come from."""
    name = get_setting(session, TOWNSHIP_NAME)
    if name:
        return name
    row = session.execute(select(ReceivedVillage.township, func.count()).group_by(ReceivedVillage.township)
                          .order_by(func.count().desc(), ReceivedVillage.township)).first()
    return row[0] if row else ""


def set_expected_villages(session: Session, township: str, names: Sequence[str]) -> None:
    """The township's own list of its villages, in its order; villages not on it stay known (those ever
    received) but are no longer expected."""
    township = township.strip()
    if not township:
        raise ValueError("请填写乡镇名称。")
    set_setting(session, TOWNSHIP_NAME, township)
    cleaned = [n.strip() for n in names if n and n.strip()]
    if len(set(cleaned)) != len(cleaned):
        raise ValueError("村名单中有重复的村名。")
    # A village only listed, never heard from, goes with the list; one that sent returns stays known.
    heard_from = select(ReceivedReturn.id).where(ReceivedReturn.received_village_id == ReceivedVillage.id).exists()
    session.execute(delete(ReceivedVillage).where(~heard_from))
    session.execute(update(ReceivedVillage).values(expected=False, position=None))
    known = {(v.township, v.name): v for v in session.scalars(select(ReceivedVillage))}
    for position, name in enumerate(cleaned):
        village = known.get((township, name))
        if village is None:
            village = ReceivedVillage(township=township, name=name)
            session.add(village)
        village.expected, village.position = True, position
    session.flush()


@dataclass(frozen=True)
class KnownVillage:
    id: int
    township: str
    name: str
    village_key: str | None
    expected: bool


@functools.lru_cache(maxsize=4096)
def _spoken(name: str) -> str:
    from partybuild_desktop.domain.pinyin import readings

    spoken = readings(name)
    return spoken[0] if spoken else name


def _village_order(v) -> tuple:
    """The township's list first, in its order; then the others by pinyin."""
    return (v.position is None, v.position or 0, _spoken(v.name), v.name)


def known_villages(session: Session) -> list[KnownVillage]:
    """Every village the township expects or has heard from, in the township's order."""
    rows = sorted(session.execute(select(ReceivedVillage.id, ReceivedVillage.township, ReceivedVillage.name,
                                         ReceivedVillage.village_key, ReceivedVillage.expected,
                                         ReceivedVillage.position)), key=_village_order)
    return [KnownVillage(v.id, v.township, v.name, v.village_key, v.expected) for v in rows]


@dataclass(frozen=True)
class _Listed:
    name: str
    position: int | None
    sent: bool


def missing_villages(session: Session, quarter: Quarter | str) -> list[str]:
    """Expected villages (ever received, or on the township's list) with no return for the quarter."""
    quarter = parse_quarter(quarter)
    rows = received.villages_sent(session.connection(), quarter.label)
    listed = sorted((_Listed(*row) for row in rows), key=_village_order)
    return [v.name for v in listed if not v.sent]


@dataclass(frozen=True)
class ReceivedRow:
    """One received package, for the township screen: current, or superseded by a later one."""

    id: int
    village: str
    quarter: str
    filed_on: dt.date
    received_at: dt.datetime
    package_name: str
    superseded_at: dt.datetime | None
    total_members: int | None


def received_returns(session: Session, quarter: Quarter | str, include_superseded: bool = True) -> list[ReceivedRow]:
    quarter = parse_quarter(quarter)
    query = (select(ReceivedReturn, ReceivedVillage.name).join(ReceivedVillage)
             .where(ReceivedReturn.quarter == quarter.label).order_by(ReceivedVillage.name, ReceivedReturn.id))
    if not include_superseded:
        query = query.where(ReceivedReturn.superseded_at.is_(None))
    rows = session.execute(query).all()
    totals = dict(session.execute(select(ReceivedFigure.return_id, ReceivedFigure.value).where(
        ReceivedFigure.return_id.in_([r.id for r, _ in rows]), ReceivedFigure.section == MEMBER_SECTION,
        ReceivedFigure.key == "total")).all())
    return [ReceivedRow(r.id, name, r.quarter, r.filed_on, r.received_at, r.package_name, r.superseded_at,
                        totals.get(r.id)) for r, name in rows]


def received_quarters(session: Session) -> list[Quarter]:
    """Every quarter the township holds returns for, latest first."""
    labels = session.scalars(select(ReceivedReturn.quarter).distinct())
    return sorted((Quarter.parse(label) for label in labels), reverse=True)


_NAME_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split_village_names(text: str) -> list[str]:
    """A list of village names as a clerk types or pastes it: one a line, or separated by 、 or commas."""
    return [name for name in _NAME_SEPARATORS.split(text) if name]


def setup_township(session: Session, township: str, villages: Sequence[str]) -> None:
    """Make this data file the township's: township mode, its name and its list of villages."""
    set_expected_villages(session, township, villages)
    set_program_mode(session, TOWNSHIP_MODE)


@dataclass(frozen=True)
class TownshipQuarter:
    """What the township screen shows for one quarter."""

    township: str
    quarter: Quarter
    villages: list[KnownVillage]  # expected or heard from, in the township's order
    received: list[ReceivedRow]  # every package received for the quarter, superseded ones too
    missing: list[str]
    reports: list  # ``consolidated_reports``

    @property
    def current(self) -> list[ReceivedRow]:
        return [r for r in self.received if r.superseded_at is None]

    @property
    def summary(self) -> str:
        expected = len(self.villages)
        sent = len({r.village for r in self.current})
        text = f"{self.quarter.title}：应报 {expected} 个村，已收到 {sent} 个。"
        if self.missing:
            text += f"未报送（{len(self.missing)} 个）：{'、'.join(self.missing)}。"
        elif expected:
            text += "各村都已报送。"
        else:
            text += "还没有村名单，也没有收到报表：请先在“村名单…”中填写本乡镇的村，或直接导入报表包。"
        return text


def township_quarter(session: Session, quarter: Quarter | str, today: dt.date | None = None) -> TownshipQuarter:
    quarter = parse_quarter(quarter)
    return TownshipQuarter(township_name(session), quarter, known_villages(session),
                           received_returns(session, quarter), missing_villages(session, quarter),
                           consolidated_reports(session, quarter, today))


# ---------------------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class _Known:
    """A village row of the township's file, as read at the start of a run."""

    id: int
    key: str | None
    township: str
    name: str


@dataclass(frozen=True)
class _Current:
    """A village's current return for the quarter."""

    id: int
    package_sha256: str
    received_at: dt.datetime
    filed_on: dt.date


@dataclass
class _State:
    """What the township's file holds that a run decides on, read once: lookups, not a query a package."""

    by_key: dict[str, _Known]
    by_name: dict[tuple[str, str], _Known]
    current: dict[int, _Current]  # village id → its current return for the quarter
    with_returns: set[int]  # villages that ever sent a return
    mode_set: bool  # the file's program mode has been chosen


def _read_state(session: Session, quarter: Quarter) -> _State:
    connection = session.connection()
    villages = [_Known(*row) for row in received.villages(connection)]
    current = {row[0]: _Current(*row[1:]) for row in received.current_returns(connection, quarter.label)}
    with_returns = received.villages_with_returns(connection)
    mode_set = received.setting_exists(connection, PROGRAM_MODE)
    return _State({v.key: v for v in villages if v.key}, {(v.township, v.name): v for v in villages}, current,
                  with_returns, mode_set)


@dataclass(frozen=True)
class PackageCheck:
    """One package checked against the township's file (nothing stored yet): refused with ``problem``,
    or to be taken; ``replacement`` when the village's return for the quarter was received before."""

    package: str
    loaded: LoadedPackage | None
    problem: PackageProblem | None
    replacement: Replacement | None = None
    unchanged: bool = False  # the very same package was received before
    village_id: int | None = None  # the village's row in the township's file, when it has one
    merge_id: int | None = None  # a listed village not heard from yet that turns out to be this one renamed

    @property
    def village(self) -> str | None:
        return self.loaded.village if self.loaded else (self.problem.village if self.problem else None)


def _load(path: str) -> LoadedPackage | PackageProblem:
    try:
        return load_package(Path(path))
    except PackageProblem as problem:
        return problem
    except Exception as error:  # anything else a damaged package may provoke
        log.exception("package %s could not be checked", path)
        return PackageProblem(UNREADABLE_PACKAGE, f"报表包“{Path(path).name}”无法读取（{error}）。请让村里重新导出。")


def _check(state: _State, quarter: Quarter, path: str, loaded: LoadedPackage | PackageProblem,
           seen_keys: set[str], seen_names: set[tuple[str, str]]) -> PackageCheck:
    if isinstance(loaded, PackageProblem):
        return PackageCheck(path, None, loaded)
    v = loaded.village
    if loaded.quarter != quarter:
        return PackageCheck(path, loaded, PackageProblem(
            WRONG_QUARTER, f"这是{v}{loaded.quarter.title}的报表，而本次汇总的是{quarter.title}。这份报表没有导入，"
            f"请选{quarter.title}的报表包，或改为汇总{loaded.quarter.title}。", v))
    if loaded.village_key in seen_keys or (loaded.township, v) in seen_names:
        return PackageCheck(path, loaded, PackageProblem(
            DUPLICATE_VILLAGE, f"本次汇总中已经有{v}的报表，同一个村只能有一份。这一份没有导入；"
            "如果它才是要用的，请单独再汇总一次并确认替换。", v))
    # The village by its key; else by its name (a listed village not heard from yet, or one that lost its key).
    known = state.by_key.get(loaded.village_key) or state.by_name.get((loaded.township, v))
    merge_id = None
    if known is not None and (known.township, known.name) != (loaded.township, v):  # renamed since
        clash = state.by_name.get((loaded.township, v))
        if clash is not None:
            if clash.key is not None or clash.id in state.with_returns:
                return PackageCheck(path, loaded, PackageProblem(
                    DUPLICATE_VILLAGE, f"{loaded.township}已有另一个村以“{v}”的名义报送过报表，而这份报表来自另一个台账"
                    "（标识不同）。这份报表没有导入，请核实两个村的名称。", v))
            merge_id = clash.id
    current = state.current.get(known.id) if known is not None else None
    village_id = known.id if known is not None else None
    if current is None:
        return PackageCheck(path, loaded, None, village_id=village_id, merge_id=merge_id)
    if current.package_sha256 == loaded.manifest_sha256:
        return PackageCheck(path, loaded, None, unchanged=True, village_id=village_id)
    return PackageCheck(path, loaded, None, Replacement(v, loaded.village_key, quarter, current.received_at,
                                                        current.filed_on, loaded.filed_on, path),
                        village_id=village_id, merge_id=merge_id)


def _checked(state: _State, quarter: Quarter, paths: Sequence[str], progress: Progress, cancelled: Cancelled,
             steps: int):
    """Read and check each package in turn; yields each ``PackageCheck``, stopping when cancelled.
    (Reading the next package on a second thread while checking this one gained nothing measurable.)"""
    seen_keys: set[str] = set()
    seen_names: set[tuple[str, str]] = set()
    for index, path in enumerate(paths):
        if cancelled():
            return
        progress(index, steps, f"正在核对“{Path(path).name}”…")
        check = _check(state, quarter, path, _load(path), seen_keys, seen_names)
        if check.problem is None:
            seen_keys.add(check.loaded.village_key)
            seen_names.add((check.loaded.township, check.loaded.village))
        yield check


def inspect_packages(store: Store, quarter: Quarter | str, packages: Sequence[str | Path],
                     progress: Progress | None = None, cancelled: Cancelled | None = None) -> list[PackageCheck]:
    """Check packages as ``consolidate`` would, storing nothing: for a dialog to show what will be
    refused and which villages would be replaced, before asking."""
    quarter = parse_quarter(quarter)
    paths = [str(p) for p in packages]
    report = progress or (lambda done, total, text: None)
    with store.session() as session:
        checks = list(_checked(_read_state(session, quarter), quarter, paths, report,
                               cancelled or (lambda: False), len(paths)))
    report(len(paths), len(paths), "核对完毕。")
    return checks


def _wants_replacement(replace: Replace, question: Replacement) -> bool:
    if replace is None or replace is False:
        return False
    if replace is True:
        return True
    if callable(replace):
        return bool(replace(question))
    return question.village_key in replace


def _decide(check: PackageCheck, replace: Replace) -> PackageOutcome:
    """What happens to a checked package; an accepted one that is not ``unchanged`` is then stored."""
    path = check.package
    if check.problem is not None:
        p = check.problem
        return PackageOutcome(path, p.village, REFUSED, p.code, p.message,
                              check.loaded.village_key if check.loaded else None)
    loaded = check.loaded
    v = loaded.village
    if check.unchanged:
        return PackageOutcome(path, v, ACCEPTED, None, f"{v}的这份报表此前已经收到，内容完全相同，没有重复保存。",
                              loaded.village_key, unchanged=True)
    r = check.replacement
    if r is not None and not _wants_replacement(replace, r):
        return PackageOutcome(path, v, REFUSED, DUPLICATE_VILLAGE,
                              f"{v}{r.quarter.title}的报表已于{r.received_at:%Y年%m月%d日 %H:%M}收到（填报日期"
                              f"{r.filed_on:%Y年%m月%d日}），这一份没有导入，原报表不变。如要用这一份替换，请再导入一次"
                              "并在询问时选“是”（命令行加 --replace）。", loaded.village_key)
    if r is not None:
        message = f"已用这份报表替换{v}此前报送的{loaded.quarter.title}报表（原报表保留为已替换的记录）。"
    else:
        message = f"已收到{v}{loaded.quarter.title}的报表。"
    return PackageOutcome(path, v, ACCEPTED, None, message, loaded.village_key, replaced=r is not None)


# Built once: making a statement object costs more than running it with a batch of rows.
_INSERT_VILLAGES = ReceivedVillage.__table__.insert()
_INSERT_RETURNS = ReceivedReturn.__table__.insert()
_SUPERSEDE = (ReceivedReturn.__table__.update().where(ReceivedReturn.__table__.c.id == bindparam("previous"))
              .values(superseded_at=bindparam("now")))
_SUPERSEDED_BY = (ReceivedReturn.__table__.update().where(ReceivedReturn.__table__.c.id == bindparam("previous"))
                  .values(superseded_by_id=bindparam("by")))


class _Writer:
    """Stores accepted packages, each with all its figures, in the caller's one transaction (the run's
    packages are stored whole, or none of them). ``add`` collects the rows, ``flush`` writes them, one
    batch statement per table: with SQLite a batch costs little more than one row. Ids are given here:
    the transaction holds SQLite's write lock, so nobody else takes them."""

    def __init__(self, session: Session, state: _State):
        self.session = session
        self.state = state
        self.now = dt.datetime.now().replace(microsecond=0)
        self.checks: list[PackageCheck] = []

    def add(self, check: PackageCheck) -> None:
        self.checks.append(check)

    def flush(self) -> None:
        if not self.checks:
            return
        connection, now = self.session.connection(), self.now
        villages = ReceivedVillage.__table__
        next_village, next_return = received.next_ids(connection)
        new_villages, changed_villages, merged, superseded, new_returns, figures = [], [], [], [], [], []
        for check in self.checks:
            loaded = check.loaded
            values = dict(village_key=loaded.village_key, township=loaded.township, name=loaded.village,
                          branch_name=loaded.branch_name or None)
            if check.merge_id is not None:  # the listed village under the new name gives way to the renamed one
                kept = connection.execute(select(villages.c.expected, villages.c.position)
                                          .where(villages.c.id == check.merge_id)).one()
                merged.append(check.merge_id)
                values.update(expected=kept.expected, position=kept.position)
            if check.village_id is None:
                village_id, next_village = next_village, next_village + 1
                new_villages.append(dict(id=village_id, expected=False, position=None, **values))
            else:
                village_id = check.village_id
                changed_villages.append((village_id, values))
            return_id, next_return = next_return, next_return + 1
            if check.replacement is not None:
                superseded.append(dict(previous=self.state.current[village_id].id, now=now, by=return_id))
            new_returns.append(dict(
                id=return_id, received_village_id=village_id, quarter=loaded.quarter.label,
                period_start=loaded.period[0], period_end=loaded.period[1], filed_on=loaded.filed_on,
                received_at=now, package_name=Path(check.package).name, package_sha256=loaded.manifest_sha256,
                format_version=int(loaded.data["format_version"]), schema_version=loaded.schema_version,
                program_version=loaded.program_version, data=loaded.data_text, manifest=loaded.manifest,
                superseded_at=None, superseded_by_id=None,
            ))
            for section, value in loaded.figures.items():  # a section the package lacks: no rows
                if value is not None:
                    figures += [(return_id, section, k, v) for k, v in section_counts(value).items()]
        if merged:
            connection.execute(villages.delete().where(villages.c.id.in_(merged)))
        for village_id, values in changed_villages:  # the name, key and branch as the package states them
            connection.execute(villages.update().where(villages.c.id == village_id).values(**values))
        if new_villages:
            connection.execute(_INSERT_VILLAGES, new_villages)
        if superseded:  # first free the "one current return" slot, then point at the new return
            connection.execute(_SUPERSEDE, superseded)
        connection.execute(_INSERT_RETURNS, new_returns)
        if superseded:
            connection.execute(_SUPERSEDED_BY, superseded)
        received.insert_figures(connection, figures)
        _note_in_audit(self.session, self.checks, new_villages, changed_villages, merged, superseded, new_returns,
                       figures)
        self.checks.clear()


def _note_in_audit(session, checks, new_villages, changed_villages, merged, superseded, new_returns, figures):
    """The batch's summary rows in the audit log (written through the connection, unseen by the session)."""
    from partybuild_desktop.services import audit

    names = [check.loaded.village for check in checks]
    audit.note_bulk(session, "received_return", len(new_returns), names, [r["id"] for r in new_returns])
    if new_villages:
        audit.note_bulk(session, "received_village", len(new_villages), [v["name"] for v in new_villages],
                        [v["id"] for v in new_villages])
    if changed_villages:
        audit.note_bulk(session, "received_village", len(changed_villages), [v["name"] for _, v in changed_villages],
                        [i for i, _ in changed_villages], kind=audit.UPDATE)
    if merged:
        audit.note_bulk(session, "received_village", len(merged), "改名后并入新名称", merged, kind=audit.DELETE)
    if superseded:
        audit.note_bulk(session, "received_return", len(superseded), "此前收到的报表标为已替换",
                        [s["previous"] for s in superseded], kind=audit.UPDATE)
    if figures:
        audit.note_bulk(session, "received_figure", len(figures), f"{len(new_returns)} 份报表的各项数字")


def consolidate(store: Store, quarter: Quarter | str, packages: Sequence[str | Path],
                progress: Progress | None = None, cancelled: Cancelled | None = None, replace: Replace = None,
                *, out_dir: Path | None = None, today: dt.date | None = None) -> ConsolidationResult:
    """Check every package for ``quarter``, then store the accepted ones; when ``out_dir`` is given,
    write the consolidated tables there (``write_consolidated``).

    Refused packages are reported, not raised. Each package is checked completely before anything of it
    is stored, and the accepted ones are stored in one transaction, committed at the end: a package is in
    the township's file whole or not at all. Cancelling stores nothing (the run can simply be repeated)."""
    quarter = parse_quarter(quarter)
    paths = [str(p) for p in packages]
    report = progress or (lambda done, total, text: None)
    stop = cancelled or (lambda: False)
    steps = len(paths) + 1 + (1 if out_dir is not None else 0)
    result = ConsolidationResult(quarter, [])
    with store.session() as session:
        state = _read_state(session, quarter)
        writer = _Writer(session, state)
        for check in _checked(state, quarter, paths, report, stop, steps):
            outcome = _decide(check, replace)
            if outcome.status == ACCEPTED and not outcome.unchanged:
                writer.add(check)
            result.packages.append(outcome)
        if len(result.packages) < len(paths):
            result.cancelled = True
            result.not_processed = paths[len(result.packages):]
            session.rollback()
            report(steps, steps, "已取消，没有导入任何报表。")
            return result
        report(len(paths), steps, "正在保存…")
        writer.flush()
        if not state.mode_set and not session.scalar(select(func.count(Village.id))):
            set_program_mode(session, TOWNSHIP_MODE)  # a data file holding no village of its own
        result.missing = missing_villages(session, quarter)
        townships = received.current_townships(session.connection(), quarter.label)
    if len(townships) > 1:
        result.warnings.append(f"{quarter.title}收到的报表来自不同的乡镇（{'、'.join(townships)}），请核对是否选错了报表包。")
    if out_dir is not None:
        report(len(paths) + 1, steps, "正在写出汇总表…")
        result.files = write_consolidated(store, quarter, out_dir, today=today, cancelled=stop)
    report(steps, steps, "汇总完毕。")
    return result


# ---------------------------------------------------------------------------------------- adding up


@dataclass(frozen=True)
class VillageFigures(HasFigures):
    """One village's current return for a quarter, as stored."""

    return_id: int
    village: str
    township: str
    filed_on: dt.date
    received_at: dt.datetime
    period: tuple[dt.date, dt.date]
    # Each figures section of the catalogue → its figures, re-checked; None when the return did not carry
    # it (an optional section, from a package written before that table joined the return).
    figures: dict[str, object]
    replaced: bool  # an earlier package for the quarter was superseded by this one


def _stored_figures(return_id: int, stored: dict[str, dict[str, int]]) -> dict[str, object]:
    """A stored return's sections, read again by their tables' own checks (``returns.read_section``)."""
    sections: dict[str, object] = {}
    for definition in figure_definitions():
        section = definition.figures.section
        rows = stored.get(section)
        if not rows and definition.figures.optional:
            sections[section] = None  # not reported: the village's package did not carry it
            continue
        try:
            sections[section] = read_section(definition, rows or {}, stored=True)
        except StatisticsMismatch:
            raise
        except ValueError as error:
            raise StatisticsMismatch(f"收到的报表（第 {return_id} 号）中{error}。") from error
    return sections


def quarter_figures(session: Session, quarter: Quarter | str) -> list[VillageFigures]:
    """Every village's current return for the quarter, in the township's order, each re-checked (the
    counts reconcile; ``StatisticsMismatch`` otherwise)."""
    quarter = parse_quarter(quarter)
    rows = session.execute(select(ReceivedReturn, ReceivedVillage).join(ReceivedVillage)
                           .where(ReceivedReturn.quarter == quarter.label, ReceivedReturn.superseded_at.is_(None))).all()
    ids = [r.id for r, _ in rows]
    figures: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for return_id, section, key, value in session.execute(
            select(ReceivedFigure.return_id, ReceivedFigure.section, ReceivedFigure.key, ReceivedFigure.value)
            .where(ReceivedFigure.return_id.in_(ids))):
        figures[return_id][section][key] = value
    replaced = set(session.scalars(select(ReceivedReturn.superseded_by_id).where(
        ReceivedReturn.superseded_by_id.in_(ids))))
    result = []
    for r, village in sorted(rows, key=lambda pair: _village_order(pair[1])):
        result.append(VillageFigures(
            r.id, village.name, village.township, r.filed_on, r.received_at, (r.period_start, r.period_end),
            _stored_figures(r.id, figures[r.id]), r.id in replaced,
        ))
    return result


def consolidated_reports(session: Session, quarter: Quarter | str, today: dt.date | None = None) -> list:
    """The consolidated reports of the quarter (``reports.spec.Report``): each catalogue table whose
    figures the returns carry (附件1, the member statistics, 三会一课), with one line per village and a 合计 line,
    by the villages' own table definitions; then every expected village side by side, whether it has
    sent its return or not."""
    quarter = parse_quarter(quarter)
    day = today or dt.date.today()
    villages = quarter_figures(session, quarter)
    township = township_name(session) or (villages[0].township if villages else "")
    unit = f"{township}党委" if township else ""
    start = quarter.start
    end = max((v.period[1] for v in villages), default=min(quarter.end, day))
    prefix = f"{township}{quarter.title}"
    reports = summaries(township, unit, day, start, end, prefix, villages) if villages else []
    sent = {v.village: v for v in villages}
    order = [k.name for k in known_villages(session)]
    if not order and not sent:
        return []  # nothing received, no list of villages: nothing to add up
    order += [name for name in sent if name not in order]
    reports.append(villages_report(township, unit, day, quarter.title, start, end,
                                   [(name, sent.get(name)) for name in order], stem=f"{prefix} 各村报送情况对照表"))
    return reports


def write_consolidated(store: Store, quarter: Quarter | str, out_dir: Path, today: dt.date | None = None,
                       progress: Progress | None = None, cancelled: Cancelled | None = None) -> list[Path]:
    """Write the consolidated reports as .xlsx and .pdf into ``out_dir`` (each file atomically)."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConsolidationError(f"无法使用文件夹“{out_dir}”（{error}）。请换一个位置。") from error
    report = progress or (lambda done, total, text: None)
    stop = cancelled or (lambda: False)
    with store.session() as session:
        try:
            reports = consolidated_reports(session, quarter, today)
        except StatisticsMismatch as error:
            raise ConsolidationError(f"汇总数字对不上：{error}请把日志文件交给技术人员。") from error
    written = []
    total = 2 * len(reports)
    try:
        for r in reports:
            for fmt in FORMATS:
                if stop():
                    return written
                path = out_dir / r.file_name(f".{fmt}")
                report(len(written), total, f"正在写入“{path.name}”…")
                write_report(r, path, fmt)
                written.append(path)
    except PermissionError as error:
        raise ConsolidationError(f"无法写入“{error.filename}”：文件可能正在 Excel 或 WPS 中打开，请关闭后重试。") from error
    except OSError as error:
        raise ConsolidationError(f"写入汇总表失败（{error}）。请检查保存位置是否可写、空间是否足够。") from error
    report(total, total, "汇总表已写出。")
    return written

