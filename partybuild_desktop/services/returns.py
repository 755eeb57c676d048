"""季度报表包: a village's quarterly return, carried to the township on a USB stick.

One folder ``{乡镇}-{村}-{YYYY}Q{n}`` (or the same folder in a .zip) holds:

- seed 002's 附件1–4 and the 党员基本情况统计表, each as .xlsx (for the township to edit and add up) and
  .pdf (to print, sign and stamp), and the quarter's 党建先锋榜 (积分明细表 .xlsx, the public board .pdf):
  the catalogue's tables that go into the return (``services.exports``), under the names it gives them;
- ``return.json``: the data file. Format name and version, schema and program version, the village's
  identity (township, village, branch and a stable key: a UUID the village's data file makes once), the
  quarter, the figures the township adds up (one section per catalogue table that feeds them: member
  statistics, 附件1's counts, the 三会一课 summary; numbers only, no names, no ID numbers), and each other
  file's name, size and SHA-256;
- ``manifest.sha256``: the SHA-256 of every other file, return.json included, one ``HASH  NAME`` line each
  (UTF-8; ``sha256sum -c manifest.sha256`` checks a folder by hand).

Writing: every file goes through ``fileio.atomic_write`` into a hidden folder ``.{name}.partial`` next to
the final one; when all are written, each is read back and checked against the manifest, and only then is
the folder renamed to its final name. A package already there is replaced only when the caller says so,
and is kept as ``{name}.old-<timestamp>``. Whatever fails, no folder (or .zip) carries the final name
unless it is complete and verified.

Reading (``load_package``) is here too, next to the writing, so the township's side checks exactly what
the village's side writes: every figures section the catalogue declares (``exports.figure_definitions``)
is read and checked (whole numbers, ≥ 0, below ``MAX_FIGURE``, each table's own checks). A table that
joined the return later (``Figures.optional``, e.g. the 三会一课 summary) may be absent from a package an
older program wrote: such a package is taken, that section kept as None (not reported), never as zeros.

Adding a section does not change ``FORMAT_VERSION``: a reader of the same version ignores sections it
does not know (an older township program takes a newer village's package and leaves out its 三会一课
figures), while the files list and the manifest cover the new files as they cover every other one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services import audit, package_checks
from partybuild_desktop.services.changes import Change
from partybuild_desktop import APP_NAME, __version__
from partybuild_desktop.domain.statistics import MemberStatistics, Quarter, StatisticsMismatch, check_attachment1
from partybuild_desktop.fileio import atomic_write, fsync_folder
from partybuild_desktop.reports.files import write_report
from partybuild_desktop.reports.spec import safe_file_stem
from partybuild_desktop.reports.tables.grid_stats import FIGURE_KEYS
from partybuild_desktop.services.exports import (
    ExportDefinition,
    ExportError,
    ExportOptions,
    figure_definitions,
    find,
    return_definitions,
)
from partybuild_desktop.services.village import VillageInfo, current_village, get_setting, set_setting, village_info
from partybuild_desktop.store.database import Store
from partybuild_desktop.store.schema import HEAD_REVISION, known_revisions

log = logging.getLogger(__name__)

FORMAT_NAME = "partybuild-quarterly-return"
FORMAT_VERSION = 1
DATA_FILE = "return.json"
MANIFEST_FILE = "manifest.sha256"
PARTIAL_SUFFIX = ".partial"
VILLAGE_KEY_SETTING = "village_key.{village_id}"  # one key per village of the data file

# The counts of 附件1 the township adds up, as its spec names them.
ATTACHMENT1_KEYS = FIGURE_KEYS
# return.json's "figures" sections of the two tables every package has carried since the first.
MEMBER_SECTION, ATTACHMENT1_SECTION = (find(name).figures.section for name in ("member-stats", "stats"))
# No count of one village's quarter comes near this; a bigger one is a damaged or forged file (and
# SQLite's integers end at 2**63).
MAX_FIGURE = 1_000_000

SAFE_TO_REMOVE = "现在可以在电脑上“弹出”U 盘后拔下。"
NOT_SAFE = "报表包没有写完整，已删除未完成的部分。请检查 U 盘是否插好、空间是否足够，然后重新导出；只有看到“导出成功”后才能拔下 U 盘。"

# Files an operating system may add to a folder on a stick by itself; they are not part of a package.
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})

Progress = Callable[[int, int, str], None]  # (steps done, steps in all, what is being done)
Cancelled = Callable[[], bool]


class ReturnError(Refusal):
    """The package could not be written; the message says why and what to do, in Chinese."""


class ReturnExists(ReturnError):
    """A package of that village and quarter is already in the folder: replace it only if the user says so."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


class ReturnCancelled(ReturnError):
    """The user cancelled; nothing with the package's name was left behind."""


@dataclass(frozen=True)
class PackageFile:
    name: str
    kind: str  # stats, roster-committee, roster-hubs, roster-members, member-stats, points-board, data
    format: str  # xlsx, pdf, json
    title: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ReturnResult:
    path: Path  # the package folder (or .zip)
    name: str  # 城南镇-东湖村-2026Q3
    quarter: Quarter
    village: VillageInfo
    village_key: str
    files: list[PackageFile]  # every file in the package but the manifest, return.json last
    sha256: dict[str, str]  # every file, manifest included: name → SHA-256
    replaced: Path | None = None  # where the package that was there before is kept
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        kept = f"原有的报表包已改名保存为“{self.replaced.name}”。" if self.replaced else ""
        return f"导出成功：{self.village.name}{self.quarter.title}报表包已写入“{self.path}”，共 {len(self.sha256)} 个文件，逐一核对无误。{kept}{SAFE_TO_REMOVE}"


# ---------------------------------------------------------------------------------------- names and keys


safe_name = safe_file_stem  # a file or folder name Windows accepts


def package_name(township: str, village: str, quarter: Quarter) -> str:
    """城南镇-东湖村-2026Q3"""
    return safe_name(f"{township}-{village}-{quarter.label}")


def village_key(session: Session, village_id: int) -> str:
    """The village's stable key: a random UUID made the first time and kept in the data file's settings,
    so the township knows a village again after it is renamed."""
    setting = VILLAGE_KEY_SETTING.format(village_id=village_id)
    key = get_setting(session, setting)
    if not key:
        key = str(uuid.uuid4())
        set_setting(session, setting, key)
    return key


def parse_quarter(quarter: Quarter | str) -> Quarter:
    if isinstance(quarter, Quarter):
        return quarter
    try:
        return Quarter.parse(quarter)
    except ValueError as error:
        raise ReturnError(str(error)) from error


# ---------------------------------------------------------------------------------------- what goes in


@dataclass
class _Item:
    name: str  # file name without extension
    kind: str  # the catalogue's name of the table
    title: str
    report: object  # a reports.spec.Report (or a printout that writes its own PDF)
    format: str


@dataclass
class _Contents:
    village: VillageInfo
    key: str
    period: tuple[dt.date, dt.date]
    figures: dict[str, dict]  # return.json's "figures": one section per catalogue table that feeds them
    items: list[_Item]
    warnings: list[str]


def _contents(session: Session, village: VillageInfo, quarter: Quarter, day: dt.date) -> _Contents:
    """Read everything the package holds, in one session: each table of the catalogue that goes into
    the return, built for the quarter, under the file names the catalogue gives it."""
    start, end = quarter.start, min(quarter.end, day)
    key = village_key(session, village.id)
    warnings: list[str] = []
    if end < quarter.end:
        warnings.append(f"{quarter.title}尚未结束，报表中的数字截至{day:%Y年%m月%d日}。")
    options = ExportOptions(year=quarter.year, quarter=quarter.number, today=day, for_return=True)
    items: list[_Item] = []
    figures: dict[str, dict] = {}
    for definition in return_definitions():
        try:
            built = definition.build(session, village, options)
        except ExportError as error:
            if not definition.optional_in_return:
                raise ReturnError(str(error)) from error
            warnings.append(f"{definition.return_files[-1].title}没有放入报表包：{error}")
            continue
        warnings += built.warnings
        if definition.figures is not None:
            figures[definition.figures.section] = built.figures
        for file in definition.return_files:
            name = f"{village.name} {file.label}"
            # The PDF's title is the file's name, as the township sees it.
            report = _with_stem(built.for_format(file.format), name)
            items.append(_Item(name, definition.name, file.title, report, file.format))
    return _Contents(village, key, (start, end), figures, items, warnings)


def _with_stem(report, stem: str):
    return dataclasses.replace(report, stem=stem) if dataclasses.is_dataclass(report) else report


def return_data(contents: _Contents, quarter: Quarter, day: dt.date, files: list[PackageFile]) -> dict:
    """What ``return.json`` holds."""
    village = contents.village
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "schema_version": HEAD_REVISION,
        "program": {"name": APP_NAME, "version": __version__},
        "created_at": dt.datetime.now().replace(microsecond=0).isoformat(),
        "quarter": quarter.label,
        "period": {"start": contents.period[0].isoformat(), "end": contents.period[1].isoformat()},
        "filed_on": day.isoformat(),
        "village": {"key": contents.key, "township": village.township, "name": village.name,
                    "branch_name": village.branch_name, "branch_type": village.branch_type.value},
        "figures": contents.figures,
        "files": [{"name": f.name, "kind": f.kind, "format": f.format, "title": f.title, "sha256": f.sha256,
                   "bytes": f.size} for f in files],
        "warnings": contents.warnings,
    }


def manifest_text(hashes: dict[str, str]) -> str:
    """``sha256sum`` lines, sorted by name."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items()))


# ---------------------------------------------------------------------------------------- export


def export_return(store: Store, village_id: int | None, quarter: Quarter | str, out_dir: Path,
                  progress: Progress | None = None, cancelled: Cancelled | None = None, *,
                  replace_existing: bool = False, as_zip: bool = False, today: dt.date | None = None,
                  source: str = "window") -> ReturnResult:
    """Write the village's return for ``quarter`` as one package in ``out_dir`` (see the module's notes).

    Raises ``ReturnExists`` when the package is already there and ``replace_existing`` is false (nothing
    written), ``ReturnCancelled`` when ``cancelled()`` turns true, ``ReturnError`` on any failure; in each
    case no folder or file with the package's final name is left that was not there before.
    """
    quarter = parse_quarter(quarter)
    day = today or dt.date.today()
    if quarter.start > day:
        raise ReturnError(f"{quarter.title}还没有开始，无法导出该季度的报表。")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReturnError(f"无法使用文件夹“{out_dir}”（{error}）。请检查 U 盘是否插好，或换一个位置。") from error
    report = progress or (lambda done, total, text: None)
    stop = cancelled or (lambda: False)

    report(0, 1, "正在读取台账数据…")
    with store.session() as session:
        village = current_village(session) if village_id is None else village_info(session, village_id)
        if village is None:
            raise ReturnError("数据文件中还没有村，无法导出报表包。")
        try:
            contents = _contents(session, village, quarter, day)
        except StatisticsMismatch as error:
            log.error("member statistics do not reconcile: %s", error)
            raise ReturnError(f"{error}这是程序的错误，报表包没有导出。请把日志文件交给技术人员。") from error
    name = package_name(village.township, village.name, quarter)
    final = out_dir / (f"{name}.zip" if as_zip else name)
    if final.exists() and not replace_existing:
        raise ReturnExists(f"“{out_dir}”中已有{village.name}{quarter.title}的报表包“{final.name}”。"
                           "如要用新导出的替换，请确认替换（原报表包会改名保留）。", final)

    partial = out_dir / f".{name}{PARTIAL_SUFFIX}"
    total = len(contents.items) + 4  # the files, return.json and manifest, the check, the rename
    done = 0
    try:
        _remove(partial)  # left over from an earlier attempt that was cut short
        partial.mkdir()
        _hide(partial)
        files: list[PackageFile] = []
        warnings = list(contents.warnings)
        for item in contents.items:
            if stop():
                raise ReturnCancelled("已取消导出，没有留下报表包。")
            file_name = f"{safe_name(item.name)}.{item.format}"
            report(done, total, f"正在写入“{file_name}”…")
            path = partial / file_name
            written = write_report(item.report, path, item.format)
            warnings += [w for w in written.warnings if w not in warnings]
            files.append(PackageFile(file_name, item.kind, item.format, item.title, written.sha256,
                                     path.stat().st_size))
            done += 1
        if stop():
            raise ReturnCancelled("已取消导出，没有留下报表包。")
        report(done, total, "正在写入数据文件和校验清单…")
        contents.warnings = warnings
        data = json.dumps(return_data(contents, quarter, day, files), ensure_ascii=False, indent=1).encode("utf-8")
        hashes = {f.name: f.sha256 for f in files}
        hashes[DATA_FILE] = atomic_write(partial / DATA_FILE, lambda f: f.write(data))
        files.append(PackageFile(DATA_FILE, "data", "json", "报表数据", hashes[DATA_FILE], len(data)))
        manifest = manifest_text(hashes).encode("utf-8")
        hashes[MANIFEST_FILE] = atomic_write(partial / MANIFEST_FILE, lambda f: f.write(manifest))
        done += 2
        report(done, total, "正在逐一核对写入的文件…")
        verify_folder(partial)
        done += 1
        if stop():
            raise ReturnCancelled("已取消导出，没有留下报表包。")
        report(done, total, "正在完成…")
        replaced = _zip_into_place(partial, final, name) if as_zip else _move_into_place(partial, final)
    except ReturnCancelled:
        _remove(partial)
        raise
    except PackageProblem as error:  # read back and found different: the device is not to be trusted
        _remove(partial)
        log.error("package %s failed its check after writing: %s", name, error.message)
        raise ReturnError(f"写入后核对不一致（{error.message}）。{NOT_SAFE}") from error
    except Exception as error:
        _remove(partial)
        log.exception("writing package %s failed", name)
        raise ReturnError(f"导出报表包失败：{_reason(error)}。{NOT_SAFE}") from error
    record_exported(store, village.id, quarter, source)
    report(total, total, "导出成功。")
    return ReturnResult(final, name, quarter, village, contents.key, files, hashes, replaced, warnings)


EXPORTED_SETTING = "return_exported_{village_id}"  # the quarters written, "2026Q2,2026Q3"


def exported_quarters(session: Session, village_id: int) -> set[str]:
    """The quarters (``2026Q3``) whose return this village has written (the 待办提醒 stop asking for them)."""
    value = get_setting(session, EXPORTED_SETTING.format(village_id=village_id)) or ""
    return {label for label in value.split(",") if label}


def record_exported(store: Store, village_id: int, quarter: Quarter, source: str = "window") -> None:
    """Remember that ``quarter``'s return was written, in its own short transaction. The package is
    already in place: a failure here only leaves the reminder up, so it is logged, not raised."""
    try:
        with store.session() as session:
            done = exported_quarters(session, village_id) | {quarter.label}
            set_setting(session, EXPORTED_SETTING.format(village_id=village_id), ",".join(sorted(done)))
            audit.record(session, f"导出{quarter.title}报表包", Change.RETURNS, source)
    except Exception:
        log.exception("could not record that the return for %s was exported", quarter.label)


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    if isinstance(error, OSError) and error.strerror:
        text = f"{error.strerror}（{error.filename or ''}）" if error.filename else error.strerror
    return text or type(error).__name__


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _kept_name(final: Path) -> Path:
    """Where the package being replaced is kept: ``{name}.old-<timestamp>`` (before the .zip, for a zip)."""
    stem, suffix = (final.name[:-4], ".zip") if final.name.endswith(".zip") else (final.name, "")
    candidate = final.with_name(f"{stem}.old-{_stamp()}{suffix}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = final.with_name(f"{stem}.old-{_stamp()}-{n}{suffix}")
    return candidate


def _move_into_place(partial: Path, final: Path) -> Path | None:
    """Rename the verified folder to its final name, keeping a package that was there."""
    kept = None
    if final.exists():
        kept = _kept_name(final)
        os.rename(final, kept)
    try:
        os.rename(partial, final)
    except BaseException:
        if kept is not None:
            os.rename(kept, final)  # put the old package back where it was
        raise
    fsync_folder(final.parent)
    return kept


def _zip_into_place(partial: Path, final: Path, name: str) -> Path | None:
    """The single-file form: the verified folder as ``{name}.zip`` (files under ``{name}/``), itself
    written atomically, read back and checked; the folder is then removed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(partial.iterdir()):
            archive.write(path, f"{name}/{path.name}")
    data = buffer.getvalue()
    temp = final.with_name(f".{final.name}{PARTIAL_SUFFIX}")
    atomic_write(temp, lambda f: f.write(data))
    try:
        load_package(temp)  # every member read back and checked against the manifest
        kept = None
        if final.exists():
            kept = _kept_name(final)
            os.rename(final, kept)
        try:
            os.rename(temp, final)
        except BaseException:
            if kept is not None:
                os.rename(kept, final)
            raise
    finally:
        temp.unlink(missing_ok=True)
    fsync_folder(final.parent)
    _remove(partial)
    return kept


def _remove(path: Path) -> None:
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove %s", path, exc_info=True)  # a pulled stick: the name says it is partial


def _hide(path: Path) -> None:
    """Windows does not hide dot-names; set the hidden attribute there (best effort)."""
    if os.name == "nt":  # pragma: no cover - Windows only
        try:
            import ctypes

            ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)
        except (AttributeError, OSError):
            pass


# ---------------------------------------------------------------------------------------- reading


class PackageProblem(Exception):
    """A package that cannot be taken: ``code`` (one of ``PROBLEM_CODES``) and a Chinese message."""

    def __init__(self, code: str, message: str, village: str | None = None):
        super().__init__(message)
        self.code, self.message, self.village = code, message, village


MANIFEST_MISMATCH = "manifest_mismatch"
SCHEMA_TOO_NEW = "schema_too_new"
WRONG_QUARTER = "wrong_quarter"
DUPLICATE_VILLAGE = "duplicate_village"
UNREADABLE_PACKAGE = "unreadable_package"
PROBLEM_CODES = (MANIFEST_MISMATCH, SCHEMA_TOO_NEW, WRONG_QUARTER, DUPLICATE_VILLAGE, UNREADABLE_PACKAGE)


class HasFigures:
    """A return's figures by section (``figures``), with the two every return carries at hand."""

    figures: dict[str, object]

    @property
    def member_statistics(self) -> MemberStatistics:
        return self.figures[MEMBER_SECTION]

    @property
    def attachment1(self) -> dict[str, int]:
        return self.figures[ATTACHMENT1_SECTION]


@dataclass(frozen=True)
class LoadedPackage(HasFigures):
    """A package read and checked: every file matches the manifest, the figures reconcile."""

    path: Path
    data: dict  # return.json
    data_text: str  # return.json as it was written
    manifest: str
    manifest_sha256: str  # identifies the package's exact content
    quarter: Quarter
    period: tuple[dt.date, dt.date]
    filed_on: dt.date
    village_key: str
    township: str
    village: str
    branch_name: str
    # Each figures section of the catalogue, read and checked (``read_figures``); None for an optional
    # section the package does not carry.
    figures: dict[str, object]

    @property
    def schema_version(self) -> str:
        return str(self.data["schema_version"])

    @property
    def program_version(self) -> str:
        program = self.data.get("program")
        version = program.get("version") if isinstance(program, dict) else None
        return version.strip() if isinstance(version, str) else ""


@functools.lru_cache(maxsize=1)
def _known_revisions() -> frozenset[str]:
    return frozenset(known_revisions())


def _is_system_file(name: str) -> bool:
    lower = name.lower()
    return lower in _SYSTEM_FILES or name.startswith("._") or name.startswith("~$")


@dataclass
class PackageFiles:
    """A package as read: every file's SHA-256, and the bytes of the two files that are parsed."""

    hashes: dict[str, str]  # file name → SHA-256 ("name/" for a folder inside the package: something extra)
    data: bytes | None  # return.json
    manifest: bytes | None  # manifest.sha256

    @classmethod
    def of(cls, contents: dict[str, bytes]) -> "PackageFiles":
        return cls({name: hashlib.sha256(data).hexdigest() for name, data in contents.items()},
                   contents.get(DATA_FILE), contents.get(MANIFEST_FILE))


_KEPT = {DATA_FILE: package_checks.MAX_DATA_BYTES, MANIFEST_FILE: package_checks.MAX_MANIFEST_BYTES}


def read_package_files(path: Path) -> PackageFiles:
    """Every file of a package (a folder or a .zip; a path to its return.json means its folder), read
    within the bounds of ``services.package_checks``: regular files only, each hashed in chunks, zip
    members checked before they are inflated. ``unreadable_package`` otherwise."""
    path = Path(path)
    try:
        if path.name == DATA_FILE and not path.is_dir():
            path = path.parent
        label = package_checks.package_label(path)
        if package_checks.package_kind(path, label) == "folder":
            read = package_checks.read_folder(path, _KEPT, _is_system_file)
        else:
            read = package_checks.read_zip(path, _KEPT, _is_system_file)
    except package_checks.PackageUnsafe as error:
        raise PackageProblem(UNREADABLE_PACKAGE, error.message) from None
    return PackageFiles(read.hashes, read.kept.get(DATA_FILE), read.kept.get(MANIFEST_FILE))


_MANIFEST_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")


def _parse_manifest(text: str) -> dict[str, str]:
    hashes = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _MANIFEST_LINE.fullmatch(line)
        if not found:
            raise ValueError(f"第 {number} 行格式不对")
        if found.group(2) in hashes:
            raise ValueError(f"第 {number} 行的文件重复出现")
        hashes[found.group(2)] = found.group(1)
    return hashes


def _names(names: list[str], most: int = 10) -> str:
    """File names for a message: the first ``most``, each shortened, then how many more."""
    shown = "、".join(package_checks.short(n.rstrip("/"), 80) for n in names[:most])
    return shown + (f" 等 {len(names)} 个" if len(names) > most else "")


def _iso_date(value, what: str) -> dt.date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what}不是 2026-11-23 这样的日期")


_QUARTER_LABEL = re.compile(r"\d{4}Q[1-4]")
_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_BRANCH_NAME = 128  # 党组织全称, as 本村信息 allows it
MAX_PROGRAM_VERSION = 32


@dataclass(frozen=True)
class _Identity:
    quarter: Quarter
    period: tuple[dt.date, dt.date]
    filed_on: dt.date
    key: str
    township: str
    village: str
    branch_name: str
    program_version: str


def _identity(data: Mapping) -> _Identity:
    """return.json's fields other than the figures, each checked to be what the village's side writes
    and bounded as the township stores it; a ValueError in Chinese names the first that is not."""
    label = data.get("quarter")
    if not isinstance(label, str) or not _QUARTER_LABEL.fullmatch(label):
        raise ValueError("季度不是 2026Q3 这样的写法")
    quarter = Quarter.parse(label)
    period = data.get("period")
    if not isinstance(period, Mapping):
        raise ValueError("缺少统计时段")
    start, end = _iso_date(period.get("start"), "统计时段的开始日期"), _iso_date(period.get("end"), "统计时段的结束日期")
    if not quarter.start <= start <= end <= quarter.end:
        raise ValueError(f"统计时段 {start} 至 {end} 不在{quarter.title}之内")
    filed_on = _iso_date(data.get("filed_on"), "填报日期")
    if filed_on < quarter.start:
        raise ValueError(f"填报日期 {filed_on} 早于{quarter.title}开始")
    village = data.get("village")
    if not isinstance(village, Mapping):
        raise ValueError("缺少村的信息")
    checked = {}
    for key, what, limit, required in (("key", "村的标识", 64, True), ("township", "乡镇名称", package_checks.MAX_NAME, True),
                                       ("name", "村名", package_checks.MAX_NAME, True),
                                       ("branch_name", "党组织全称", MAX_BRANCH_NAME, False)):
        problem = package_checks.text_problem(village.get(key), limit, required)
        if problem:
            raise ValueError(f"{what}{problem}")
        checked[key] = (village.get(key) or "").strip()
    program = data.get("program", {})
    version = program.get("version", "") if isinstance(program, Mapping) else None
    problem = package_checks.text_problem(version, MAX_PROGRAM_VERSION, required=False)
    if problem:
        raise ValueError(f"程序版本{problem}")
    return _Identity(quarter, (start, end), filed_on, checked["key"], checked["township"], checked["name"],
                     checked["branch_name"], (version or "").strip())


def _files_agree(recorded, listed: Mapping[str, str]) -> bool:
    """return.json's own list of files (name and SHA-256 each) is the manifest's, return.json aside."""
    if not isinstance(recorded, list) or len(recorded) > package_checks.MAX_ENTRIES:
        return False
    own = {}
    for f in recorded:
        if not isinstance(f, Mapping) or not isinstance(f.get("name"), str) or not isinstance(f.get("sha256"), str):
            return False
        own[f["name"]] = f["sha256"]
    return len(own) == len(recorded) and own == {n: h for n, h in listed.items() if n != DATA_FILE}


def _failure(error: BaseException) -> str:
    """A reason for a message: the checks' own Chinese text, never a Python exception's English."""
    if isinstance(error, ValueError) and not isinstance(error, (KeyError, UnicodeError)):
        return package_checks.short(str(error), 200)
    return "数据文件中缺少某些项目，或有无法识别的内容"


def load_package(path: Path, files: PackageFiles | None = None) -> LoadedPackage:
    """Read and check one package; raise ``PackageProblem`` with its code otherwise. The checks, in
    order: readable at all, within the bounds of ``services.package_checks`` (``unreadable_package``);
    made by a format and schema this program knows (``schema_too_new``); the manifest there, every file
    listed and none extra, every hash right, and return.json's own list agreeing (``manifest_mismatch``);
    the data complete, every name and date what the village's side writes, and the figures within bounds
    and reconciling (``unreadable_package``). The quarter and duplicates are the caller's to judge.
    Every message is in Chinese and names the package's file."""
    path = Path(path)
    label = package_checks.package_label(path)
    files = read_package_files(path) if files is None else files
    raw = files.data
    if raw is None:
        if not files.hashes:
            raise PackageProblem(UNREADABLE_PACKAGE, f"“{label}”是空的，不是报表包。")
        raise PackageProblem(UNREADABLE_PACKAGE, f"“{label}”中没有数据文件 {DATA_FILE}，不是本程序导出的报表包，"
                             "或者没有复制完整。请让村里重新导出。")
    try:
        data, data_text = package_checks.parse_json(raw)
        if not isinstance(data, dict):
            raise package_checks.JsonUnsafe("内容不是一组报表数据")
    except package_checks.JsonUnsafe as error:
        raise PackageProblem(UNREADABLE_PACKAGE, f"报表包“{label}”的数据文件已损坏（{error}），无法读取。请让村里重新导出。") from None
    village_part = data.get("village") if isinstance(data.get("village"), dict) else {}
    village = package_checks.clean_text(village_part.get("name"))  # for the messages; checked below
    if data.get("format") != FORMAT_NAME:
        raise PackageProblem(UNREADABLE_PACKAGE, f"“{label}”不是村党建工作台的季度报表包。", village)
    version, schema = data.get("format_version"), data.get("schema_version", "")
    schema = schema if isinstance(schema, str) else str(schema)
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION or schema not in _known_revisions():
        program = data.get("program", {}).get("version", "") if isinstance(data.get("program"), dict) else ""
        program = package_checks.clean_text(program, MAX_PROGRAM_VERSION)
        raise PackageProblem(SCHEMA_TOO_NEW, f"报表包“{label}”由更新版本的村党建工作台（{program or '版本不明'}，"
                             f"数据版本 {package_checks.short(schema, 16) or '不明'}）导出，本程序（{__version__}，数据版本 "
                             f"{HEAD_REVISION}）读不了。请先把乡镇的程序升级到最新版本，再汇总这份报表。", village)
    if version < 1:
        raise PackageProblem(UNREADABLE_PACKAGE, f"报表包“{label}”的数据文件已损坏（格式版本 {version} 不对），无法读取。"
                             "请让村里重新导出。", village)

    manifest_raw = files.manifest
    if manifest_raw is None:
        raise PackageProblem(MANIFEST_MISMATCH, f"报表包“{label}”缺少校验清单 {MANIFEST_FILE}，无法确认内容完整、"
                             "未被改动。请让村里重新导出。", village)
    try:
        manifest = manifest_raw.decode("utf-8")
        listed = _parse_manifest(manifest)
    except UnicodeDecodeError:
        raise PackageProblem(MANIFEST_MISMATCH, f"报表包“{label}”的校验清单已损坏（不是 UTF-8 编码的文本）。"
                             "请让村里重新导出。", village) from None
    except ValueError as error:
        raise PackageProblem(MANIFEST_MISMATCH, f"报表包“{label}”的校验清单已损坏（{error}）。请让村里重新导出。", village) from None
    present = {name for name in files.hashes if name != MANIFEST_FILE}
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    changed = sorted(name for name in set(listed) & present if files.hashes[name] != listed[name])
    problems = []
    if missing:
        problems.append(f"缺少文件：{_names(missing)}")
    if changed:
        problems.append(f"导出后被改动过：{_names(changed)}")
    if extra:
        problems.append(f"多出了清单上没有的文件：{_names(extra)}")
    if not problems and not _files_agree(data.get("files"), listed):
        problems.append("数据文件中的文件清单与校验清单不一致")
    if problems:
        raise PackageProblem(MANIFEST_MISMATCH, f"报表包“{label}”与导出时不一致（{'；'.join(problems)}）。"
                             "这份报表没有导入。请让村里重新导出，拿到后不要再改动其中的文件。", village)

    try:
        identity = _identity(data)
        figures = read_figures(data.get("figures"))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PackageProblem(UNREADABLE_PACKAGE, f"报表包“{label}”的数据不完整或数字对不上（{_failure(error)}），"
                             "无法汇总。请让村里重新导出。", village) from None
    return LoadedPackage(
        path=path, data=data, data_text=data_text, manifest=manifest, manifest_sha256=hashlib.sha256(manifest_raw).hexdigest(),
        quarter=identity.quarter, period=identity.period, filed_on=identity.filed_on, village_key=identity.key,
        township=identity.township, village=identity.village, branch_name=identity.branch_name, figures=figures,
    )


def _section_title(definition: ExportDefinition) -> str:
    return definition.return_files[0].title if definition.return_files else definition.title


def read_section(definition: ExportDefinition, raw: Mapping[str, object], stored: bool = False):
    """One figures section checked by its table's own rule (``Figures.read``); the first two tables of
    the return check themselves in ``domain.statistics``: the member statistics reconcile
    (``MemberStatistics``), 附件1's counts add up (``check_attachment1``; over the counts present when
    ``stored``: a township file may hold returns from before some count was carried). Then every count
    is a whole number from 0 to ``MAX_FIGURE``. Raises ValueError (in Chinese) otherwise."""
    spec = definition.figures
    title = _section_title(definition)
    if not isinstance(raw, Mapping):
        raise ValueError(f"“{title}”的数字不是一组数字")
    if spec.read is not None:
        value = spec.read(raw)
    elif spec.keys is None:
        value = MemberStatistics.from_counts(raw)
    else:
        value = check_attachment1(raw, [k for k in spec.keys if k in raw] if stored else spec.keys)
    most = spec.most or MAX_FIGURE
    for key, count in section_counts(value).items():
        if count > most:
            raise ValueError(f"“{title}”的“{key}”为 {count}，大得不合常理")
    return value


def section_counts(value) -> dict[str, int]:
    """A section's figures as the township stores them: count name → whole number."""
    if isinstance(value, MemberStatistics):
        return value.to_dict()
    return {key: int(count) for key, count in value.items()}


def read_figures(figures: Mapping[str, object]) -> dict[str, object]:
    """Every section of return.json's "figures" that the catalogue declares, read and checked
    (``read_section``): section → its figures, or None for an ``optional`` section the package lacks
    (written before that table joined the return). A section the catalogue does not know is ignored."""
    if not isinstance(figures, Mapping):
        raise ValueError("数据文件中的“figures”不是一组数字")
    sections: dict[str, object] = {}
    for definition in figure_definitions():
        section = definition.figures.section
        if section not in figures:
            if definition.figures.optional:
                sections[section] = None
                continue
            raise ValueError(f"缺少“{_section_title(definition)}”的数字")
        sections[section] = read_section(definition, figures[section])
    return sections


def verify_folder(folder: Path) -> LoadedPackage:
    """Read a written package back from its folder and check it as the township will."""
    return load_package(folder)


@dataclass(frozen=True)
class FoundPackage:
    """A package found in a folder, as its return.json names it (None when that cannot be read: the
    package is still offered, and the check says what is wrong with it)."""

    path: Path
    village: str | None
    quarter: str | None  # "2026Q3"


_PACKAGE_NAME = re.compile(r".+-.+-\d{4}Q[1-4]")


def _peek(path: Path) -> tuple[str | None, str | None, bool]:
    """(village, quarter, has return.json) from a package's return.json alone, read within the same
    bounds as the check (a link, a pipe or a huge file is not read at all), without checking anything."""
    try:
        raw = package_checks.read_member(path, DATA_FILE, package_checks.MAX_DATA_BYTES, _is_system_file)
        if raw is None:
            return None, None, False
        data, _ = package_checks.parse_json(raw)
        village = data.get("village", {}).get("name")
        quarter = data.get("quarter")
        return (package_checks.clean_text(village),
                quarter if isinstance(quarter, str) and _QUARTER_LABEL.fullmatch(quarter) else None, True)
    except Exception:  # a damaged package is still offered; checking it says what is wrong
        return None, None, True


def find_packages(folder: Path) -> list[FoundPackage]:
    """The return packages in a folder (the top of a stick): folders and .zip files holding a return.json,
    or named like a package (a damaged one is offered too, so that checking it can say what is wrong);
    unfinished (hidden) and kept-old packages are left out. A package folder or a .zip itself is itself."""
    folder = Path(folder)
    if (folder / DATA_FILE).is_file() or folder.is_file():
        candidates = [folder]
    else:
        try:
            candidates = sorted(p for p in folder.iterdir()
                                if not p.name.startswith(".") and ".old-" not in p.name
                                and (p.is_dir() or p.suffix.lower() == ".zip"))
        except OSError:
            return []
    found = []
    for path in candidates:
        village, quarter, has_data = _peek(path)
        stem = path.name[:-4] if path.suffix.lower() == ".zip" else path.name
        if has_data or _PACKAGE_NAME.fullmatch(stem) or path == folder:
            found.append(FoundPackage(path, village, quarter))
    return found


# ---------------------------------------------------------------------------------------- destinations


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str  # what the user reads: "U 盘 (E:)", "KINGSTON"
    free_bytes: int | None


def removable_drives() -> list[Drive]:
    """USB sticks and other removable drives, for the export dialog to offer first. Windows: drives of
    type "removable"; elsewhere the usual mount folders (/media/USER/*, /run/media/USER/*)."""
    found: list[Drive] = []
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes
        import string

        kernel = ctypes.windll.kernel32
        mask = kernel.GetLogicalDrives()
        for index, letter in enumerate(string.ascii_uppercase):
            if mask & (1 << index) and kernel.GetDriveTypeW(f"{letter}:\\") == 2:  # DRIVE_REMOVABLE
                found.append(_drive(Path(f"{letter}:\\"), f"U 盘 ({letter}:)"))
        return found
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or ""
    for base in (Path("/media") / user, Path("/run/media") / user, Path("/media")):
        try:
            entries = sorted(p for p in base.iterdir() if p.is_dir() and os.path.ismount(p))
        except OSError:
            continue
        found += [_drive(p, p.name) for p in entries if p not in {d.path for d in found}]
    return found


def _drive(path: Path, label: str) -> Drive:
    try:
        free = shutil.disk_usage(path).free
    except OSError:
        free = None
    return Drive(path, label, free)
