"""Township mode: receive the villages' quarterly return packages, check them, keep their figures in the
township's own data file, and add them up into the same tables the villages print.

Each package is checked (``services.returns.load_package``: read within the bounds of
``services.package_checks``, manifest complete and every hash right, a schema this program knows, names
and figures within bounds and reconciling), then against the run: the quarter asked for, and the same
village only once. A refused package leaves nothing behind. The accepted ones are stored in one
transaction, committed at the end, each in a savepoint of its own: a package whose rows cannot be stored
is refused and the others are kept; each is in the file with all its figures, or (when the data file
itself fails or the run is cancelled) none of the run's packages is. Reading what is stored never fails
on a stored value: names are shown bounded (``shown_name``) and a stored return whose figures no longer
check is left out of the tables with a warning, so no package can leave a quarter that cannot be added
up.

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
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.statistics import Quarter, StatisticsMismatch
from partybuild_desktop.reports.files import FORMATS, write_report
from partybuild_desktop.reports.tables.member_statistics import villages_report
from partybuild_desktop.services.exports import figure_definitions, summaries
from partybuild_desktop.services.package_checks import MAX_NAME, os_reason, package_label, short, text_problem
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


def shown_name(name: str | None) -> str:
    """A stored name as the township's screens and tables show it. Names are checked before they are
    stored (``package_checks.text_problem``); one stored by an older program that is too long or holds
    control characters is shown shortened and cleaned, so that it cannot break a table or a file name."""
    if not name:
        return ""
    return name if text_problem(name) is None else short(name, MAX_NAME - 1)


def _checked_name(name: str, what: str) -> str:
    name = name.strip()
    problem = text_problem(name)
    if problem:
        raise ValueError(f"{what}“{short(name, 20)}”{problem}。")
    return name


def township_name(session: Session) -> str:
    """The township's name: as set, else the one most received returns come from."""
    name = get_setting(session, TOWNSHIP_NAME)
    if name:
        return shown_name(name)
    row = session.execute(select(ReceivedVillage.township, func.count()).group_by(ReceivedVillage.township)
                          .order_by(func.count().desc(), ReceivedVillage.township)).first()
    return shown_name(row[0]) if row else ""


def set_expected_villages(session: Session, township: str, names: Sequence[str]) -> None:
    """The township's own list of its villages, in its order; villages not on it stay known (those ever
    received) but are no longer expected."""
    township = township.strip()
    if not township:
        raise ValueError("请填写乡镇名称。")
    township = _checked_name(township, "乡镇名称")
    set_setting(session, TOWNSHIP_NAME, township)
    cleaned = [_checked_name(n, "村名") for n in names if n and n.strip()]
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


@dataclass(frozen=True)
class _Shown:
    id: int
    township: str
    name: str
    village_key: str | None
    expected: bool
    position: int | None


def _shown_villages(rows) -> list[_Shown]:
    """Stored village rows with their names as shown (``shown_name``), in the township's order."""
    return sorted((_Shown(v.id, shown_name(v.township), shown_name(v.name), v.village_key, v.expected, v.position)
                   for v in rows), key=_village_order)


def known_villages(session: Session) -> list[KnownVillage]:
    """Every village the township expects or has heard from, in the township's order."""
    rows = _shown_villages(session.execute(select(ReceivedVillage.id, ReceivedVillage.township, ReceivedVillage.name,
                                                  ReceivedVillage.village_key, ReceivedVillage.expected,
                                                  ReceivedVillage.position)))
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
    listed = sorted((_Listed(shown_name(name), position, sent) for name, position, sent in rows), key=_village_order)
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
    return [ReceivedRow(r.id, shown_name(name), r.quarter, r.filed_on, r.received_at, r.package_name, r.superseded_at,
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
    problems: list[str] = field(default_factory=list)  # stored returns left out of the tables, and why

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
        return text + "".join(self.problems)


def township_quarter(session: Session, quarter: Quarter | str, today: dt.date | None = None) -> TownshipQuarter:
    quarter = parse_quarter(quarter)
    problems: list[str] = []
    reports = consolidated_reports(session, quarter, today, problems)
    return TownshipQuarter(township_name(session), quarter, known_villages(session),
                           received_returns(session, quarter), missing_villages(session, quarter), reports, problems)


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
    # Current returns whose stored figures no longer check (stored by an older program): the very same
    # package again is then a replacement, not "received before, unchanged".
    broken: set[int] = field(default_factory=set)


def _read_state(session: Session, quarter: Quarter) -> _State:
    connection = session.connection()
    villages = [_Known(*row) for row in received.villages(connection)]
    current = {row[0]: _Current(*row[1:]) for row in received.current_returns(connection, quarter.label)}
    with_returns = received.villages_with_returns(connection)
    mode_set = received.setting_exists(connection, PROGRAM_MODE)
    broken = {return_id for return_id, _ in _quarter_figures(session, quarter)[1]} if current else set()
    return _State({v.key: v for v in villages if v.key}, {(v.township, v.name): v for v in villages}, current,
                  with_returns, mode_set, broken)


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
    except Exception:  # anything else a damaged package may provoke: said in Chinese, the rest in the log
        log.exception("package %s could not be checked", Path(path).name)
        return PackageProblem(UNREADABLE_PACKAGE, f"报表包“{package_label(path)}”无法读取（核对时出错，详细信息已写入日志文件）。"
                              "这份报表没有导入，请让村里重新导出。")


def _check(state: _State, quarter: Quarter, path: str, loaded: LoadedPackage | PackageProblem,
           seen_keys: set[str], seen_names: set[tuple[str, str]]) -> PackageCheck:
    if isinstance(loaded, PackageProblem):
        return PackageCheck(path, None, loaded)
    v = loaded.village
    label = package_label(path)
    if loaded.quarter != quarter:
        return PackageCheck(path, loaded, PackageProblem(
            WRONG_QUARTER, f"报表包“{label}”是{v}{loaded.quarter.title}的报表，而本次汇总的是{quarter.title}。这份报表没有导入，"
            f"请选{quarter.title}的报表包，或改为汇总{loaded.quarter.title}。", v))
    if loaded.village_key in seen_keys or (loaded.township, v) in seen_names:
        return PackageCheck(path, loaded, PackageProblem(
            DUPLICATE_VILLAGE, f"本次汇总中已经有{v}的报表，同一个村只能有一份。这一份（“{label}”）没有导入；"
            "如果它才是要用的，请单独再汇总一次并确认替换。", v))
    # The village by its key; else by its name (a listed village not heard from yet, or one that lost its key).
    known = state.by_key.get(loaded.village_key) or state.by_name.get((loaded.township, v))
    merge_id = None
    if known is not None and (known.township, known.name) != (loaded.township, v):  # renamed since
        clash = state.by_name.get((loaded.township, v))
        if clash is not None:
            if clash.key is not None or clash.id in state.with_returns:
                return PackageCheck(path, loaded, PackageProblem(
                    DUPLICATE_VILLAGE, f"{loaded.township}已有另一个村以“{v}”的名义报送过报表，而这份报表（“{label}”）来自"
                    "另一个台账（标识不同）。这份报表没有导入，请核实两个村的名称。", v))
            merge_id = clash.id
    current = state.current.get(known.id) if known is not None else None
    village_id = known.id if known is not None else None
    if current is None:
        return PackageCheck(path, loaded, None, village_id=village_id, merge_id=merge_id)
    if current.package_sha256 == loaded.manifest_sha256 and current.id not in state.broken:
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
        progress(index, steps, f"正在核对“{package_label(path)}”…")
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
                              f"{r.filed_on:%Y年%m月%d日}），这一份（“{package_label(path)}”）没有导入，原报表不变。"
                              "如要用这一份替换，请再导入一次"
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
    """Stores accepted packages, each with all its figures, in the caller's one transaction: each package
    in a savepoint of its own, so that one whose rows cannot be stored is refused (``flush`` says which)
    while the others are stored; the run's transaction is committed by the caller, so a failure of the
    data file itself keeps none of them. Ids are given here: the transaction holds SQLite's write lock,
    so nobody else takes them. Before a row is written it is checked once more to be what the township
    can read back (``_storable``): a value that could break a later run is never stored."""

    def __init__(self, session: Session, state: _State):
        self.session = session
        self.state = state
        self.now = dt.datetime.now().replace(microsecond=0)
        self.checks: list[PackageCheck] = []

    def add(self, check: PackageCheck) -> None:
        self.checks.append(check)

    def flush(self) -> list[tuple[PackageCheck, str]]:
        """Store the packages added; the ones that could not be stored, each with the reason (Chinese)."""
        if not self.checks:
            return []
        connection, now = self.session.connection(), self.now
        received.begin_writing(connection)  # savepoints inside the run's transaction, never instead of it
        next_village, next_return = received.next_ids(connection)
        stored: list[PackageCheck] = []
        new_villages, changed_villages, merged, superseded, new_returns, figures = [], [], [], [], [], []
        failed: list[tuple[PackageCheck, str]] = []
        for check in self.checks:
            rows = _PackageRows(check, self.state, now, next_village, next_return)
            next_village, next_return = rows.next_village, rows.next_return
            try:
                rows.storable()
                with self.session.begin_nested():
                    rows.write(self.session.connection())  # taken inside: the SAVEPOINT is emitted then
            except (OperationalError, OSError):
                raise  # the data file itself (full, locked, gone): the whole run fails, nothing kept
            except Exception as error:  # this package's rows: refused, the others go on
                log.error("package %s could not be stored: %s", Path(check.package).name, type(error).__name__)
                failed.append((check, _not_stored(check, error)))
                continue
            stored.append(check)
            new_villages += rows.new_villages
            changed_villages += rows.changed_villages
            merged += rows.merged
            superseded += rows.superseded
            new_returns += rows.new_returns
            figures += rows.figures
        if stored:
            _note_in_audit(self.session, stored, new_villages, changed_villages, merged, superseded, new_returns,
                           figures)
        self.checks.clear()
        return failed


def _not_stored(check: PackageCheck, error: BaseException) -> str:
    name = package_label(check.package)
    reason = str(error) if isinstance(error, _NotStorable) else "数据文件拒绝了其中的数据"
    return (f"报表包“{name}”的数据无法保存（{reason}），这份报表没有导入，本次的其他报表不受影响。"
            "请让村里重新导出；如果仍然不行，请把日志文件交给技术人员。")


class _NotStorable(ValueError):
    """A value the township's file could not give back as it was stored; Chinese."""


_MAX_STORED = 2 ** 63 - 1  # SQLite's integers


class _PackageRows:
    """One accepted package's rows: its village (new, changed or merged), its return, the superseding of
    the return it replaces, and its figures."""

    def __init__(self, check: PackageCheck, state: _State, now: dt.datetime, next_village: int, next_return: int):
        self.check = check
        loaded = check.loaded
        self.new_villages, self.changed_villages, self.merged, self.superseded = [], [], [], []
        self.values = dict(village_key=loaded.village_key, township=loaded.township, name=loaded.village,
                           branch_name=loaded.branch_name or None)
        if check.village_id is None:
            self.village_id, next_village = next_village, next_village + 1
        else:
            self.village_id = check.village_id
        self.return_id, next_return = next_return, next_return + 1
        self.next_village, self.next_return = next_village, next_return
        if check.replacement is not None:
            self.superseded.append(dict(previous=state.current[self.village_id].id, now=now, by=self.return_id))
        self.new_returns = [dict(
            id=self.return_id, received_village_id=self.village_id, quarter=loaded.quarter.label,
            period_start=loaded.period[0], period_end=loaded.period[1], filed_on=loaded.filed_on,
            received_at=now, package_name=Path(check.package).name[:255], package_sha256=loaded.manifest_sha256,
            format_version=loaded.data.get("format_version"), schema_version=loaded.schema_version,
            program_version=loaded.program_version, data=loaded.data_text, manifest=loaded.manifest,
            superseded_at=None, superseded_by_id=None,
        )]
        self.figures = []
        for section, value in loaded.figures.items():  # a section the package lacks: no rows
            if value is not None:
                self.figures += [(self.return_id, section, k, v) for k, v in section_counts(value).items()]

    def storable(self) -> None:
        """Every value as the township's tables hold it and read it back; ``_NotStorable`` otherwise."""
        for key, what, limit, required in (("village_key", "村的标识", 64, True), ("township", "乡镇名称", MAX_NAME, True),
                                           ("name", "村名", MAX_NAME, True), ("branch_name", "党组织全称", 128, False)):
            problem = text_problem(self.values[key], limit, required)
            if problem:
                raise _NotStorable(f"{what}{problem}")
        (row,) = self.new_returns
        version = row["format_version"]
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= _MAX_STORED:
            raise _NotStorable("格式版本不是正整数")
        for key, limit in (("schema_version", 16), ("program_version", 32), ("package_sha256", 64)):
            if text_problem(row[key], limit, required=False):
                raise _NotStorable("程序或数据版本不对")
        for _, section, key, value in self.figures:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_STORED \
                    or len(section) > 32 or len(key) > 64:
                raise _NotStorable("有数字超出了能保存的范围")

    def write(self, connection) -> None:
        villages = ReceivedVillage.__table__
        values = dict(self.values)
        check = self.check
        if check.merge_id is not None:  # the listed village under the new name gives way to the renamed one
            kept = connection.execute(select(villages.c.expected, villages.c.position)
                                      .where(villages.c.id == check.merge_id)).one()
            self.merged.append(check.merge_id)
            values.update(expected=kept.expected, position=kept.position)
            connection.execute(villages.delete().where(villages.c.id == check.merge_id))
        if check.village_id is None:
            self.new_villages.append(dict(id=self.village_id, expected=False, position=None, **values))
            connection.execute(_INSERT_VILLAGES, self.new_villages)
        else:  # the name, key and branch as the package states them
            self.changed_villages.append((self.village_id, values))
            connection.execute(villages.update().where(villages.c.id == self.village_id).values(**values))
        if self.superseded:  # first free the "one current return" slot, then point at the new return
            connection.execute(_SUPERSEDE, self.superseded)
        connection.execute(_INSERT_RETURNS, self.new_returns)
        if self.superseded:
            connection.execute(_SUPERSEDED_BY, self.superseded)
        received.insert_figures(connection, self.figures)


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
    is stored, and the accepted ones are stored in one transaction, committed at the end, each in a
    savepoint of its own: a package is in the township's file whole or not at all, and one that cannot be
    stored is refused without stopping the others. Cancelling stores nothing (the run can simply be
    repeated)."""
    quarter = parse_quarter(quarter)
    paths = [str(p) for p in packages]
    report = progress or (lambda done, total, text: None)
    stop = cancelled or (lambda: False)
    steps = len(paths) + 1 + (1 if out_dir is not None else 0)
    result = ConsolidationResult(quarter, [])
    with store.session() as session:
        state = _read_state(session, quarter)
        writer = _Writer(session, state)
        positions: dict[int, int] = {}  # a package stored → its outcome's place in the result
        for check in _checked(state, quarter, paths, report, stop, steps):
            outcome = _decide(check, replace)
            if outcome.status == ACCEPTED and not outcome.unchanged:
                writer.add(check)
                positions[id(check)] = len(result.packages)
            result.packages.append(outcome)
        if len(result.packages) < len(paths):
            result.cancelled = True
            result.not_processed = paths[len(result.packages):]
            session.rollback()
            report(steps, steps, "已取消，没有导入任何报表。")
            return result
        report(len(paths), steps, "正在保存…")
        for check, message in writer.flush() or ():
            place = positions[id(check)]
            taken = result.packages[place]
            result.packages[place] = PackageOutcome(taken.package, taken.village, REFUSED, UNREADABLE_PACKAGE,
                                                    message, taken.village_key)
        if not state.mode_set and not session.scalar(select(func.count(Village.id))):
            set_program_mode(session, TOWNSHIP_MODE)  # a data file holding no village of its own
        result.missing = missing_villages(session, quarter)
        townships = [shown_name(t) for t in received.current_townships(session.connection(), quarter.label)]
        quarter_figures(session, quarter, result.warnings)  # stored returns that no longer check, if any
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


def quarter_figures(session: Session, quarter: Quarter | str, problems: list[str] | None = None) -> list[VillageFigures]:
    """Every village's current return for the quarter, in the township's order, each re-checked (the
    counts reconcile and are within bounds). A return that does not pass raises ``StatisticsMismatch``;
    given a ``problems`` list, it is left out instead and the list says which and why (what was stored
    by an older program must not stop the quarter from being added up)."""
    quarter = parse_quarter(quarter)
    figures, unusable = _quarter_figures(session, quarter)
    if unusable and problems is None:
        raise StatisticsMismatch(unusable[0][1])
    for return_id, message in unusable:
        log.error("stored return %s does not check", return_id)
        problems.append(message)
    return figures


def _quarter_figures(session: Session, quarter: Quarter) -> tuple[list[VillageFigures], list[tuple[int, str]]]:
    """The quarter's current returns that check, and (return id, what to tell) for those that do not."""
    rows = session.execute(select(ReceivedReturn.id, ReceivedReturn.filed_on, ReceivedReturn.received_at,
                                  ReceivedReturn.period_start, ReceivedReturn.period_end, ReceivedVillage.id,
                                  ReceivedVillage.township, ReceivedVillage.name, ReceivedVillage.village_key,
                                  ReceivedVillage.expected, ReceivedVillage.position)
                           .join(ReceivedVillage)
                           .where(ReceivedReturn.quarter == quarter.label, ReceivedReturn.superseded_at.is_(None))).all()
    ids = [r[0] for r in rows]
    figures: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for return_id, section, key, value in session.execute(
            select(ReceivedFigure.return_id, ReceivedFigure.section, ReceivedFigure.key, ReceivedFigure.value)
            .where(ReceivedFigure.return_id.in_(ids))):
        figures[return_id][section][key] = value
    replaced = set(session.scalars(select(ReceivedReturn.superseded_by_id).where(
        ReceivedReturn.superseded_by_id.in_(ids))))
    returns = {r[5]: r for r in rows}
    villages = _shown_villages(_Shown(r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows)
    result, unusable = [], []
    for village in villages:
        return_id, filed_on, received_at, start, end = returns[village.id][:5]
        try:
            stored = _stored_figures(return_id, figures[return_id])
            if not (isinstance(start, dt.date) and isinstance(end, dt.date) and start <= end):
                raise StatisticsMismatch(f"收到的报表（第 {return_id} 号）的统计时段不对。")
        except StatisticsMismatch as error:
            unusable.append((return_id, f"{village.name}{quarter.title}的报表（第 {return_id} 号）保存的数字无法核对"
                                        f"（{short(str(error), 200)}），没有计入汇总。请重新导入{village.name}的报表包"
                                        "并确认替换（命令行加 --replace）。"))
            continue
        result.append(VillageFigures(return_id, village.name, village.township, filed_on, received_at, (start, end),
                                     stored, return_id in replaced))
    return result, unusable


def consolidated_reports(session: Session, quarter: Quarter | str, today: dt.date | None = None,
                         problems: list[str] | None = None) -> list:
    """The consolidated reports of the quarter (``reports.spec.Report``): each catalogue table whose
    figures the returns carry (附件1, the member statistics, 三会一课), with one line per village and a 合计 line,
    by the villages' own table definitions; then every expected village side by side, whether it has
    sent its return or not. A stored return that no longer checks is left out (``quarter_figures``), and
    ``problems`` says so."""
    quarter = parse_quarter(quarter)
    day = today or dt.date.today()
    villages = quarter_figures(session, quarter, problems if problems is not None else [])
    township = township_name(session) or (villages[0].township if villages else "")
    unit = f"{township}党委" if township else ""
    start = quarter.start
    end = max((v.period[1] for v in villages), default=min(quarter.end, day))
    # The township in the file names at most _STEM_TOWNSHIP characters: a name however long must leave
    # the files' names within what every file system takes (255 bytes).
    prefix = f"{township[:_STEM_TOWNSHIP]}{quarter.title}"
    reports = summaries(township, unit, day, start, end, prefix, villages) if villages else []
    sent = {v.village: v for v in villages}
    order = [k.name for k in known_villages(session)]
    if not order and not sent:
        return []  # nothing received, no list of villages: nothing to add up
    order += [name for name in sent if name not in order]
    reports.append(villages_report(township, unit, day, quarter.title, start, end,
                                   [(name, sent.get(name)) for name in order], stem=f"{prefix} 各村报送情况对照表"))
    return reports


_STEM_TOWNSHIP = 20


def write_consolidated(store: Store, quarter: Quarter | str, out_dir: Path, today: dt.date | None = None,
                       progress: Progress | None = None, cancelled: Cancelled | None = None) -> list[Path]:
    """Write the consolidated reports as .xlsx and .pdf into ``out_dir`` (each file atomically)."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConsolidationError(f"无法使用文件夹“{out_dir}”（{os_reason(error)}）。请换一个位置。") from error
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
        raise ConsolidationError(f"写入汇总表失败（{os_reason(error)}）。请检查保存位置是否可写、空间是否足够。") from error
    except Exception as error:  # a table the writers cannot lay out: said in Chinese, the details in the log
        log.exception("writing the consolidated tables failed")
        raise ConsolidationError(f"写出汇总表时出错（{len(written)} 个文件已写出），详细信息已写入日志文件。"
                                 "收到的报表已经保存，不受影响；请把日志文件交给技术人员。") from error
    report(total, total, "汇总表已写出。")
    return written

