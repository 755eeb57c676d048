"""Backups with SQLite's online backup API (never a file copy of a live database).

Every backup is written to a temporary name, checked (SQLite's integrity check, a schema revision this
program knows, a village or the township in it), made readable by the user only, and only then given
its final name. The automatic ones live in the data folder's ``backups/``, named after when and why they
were made (``定时-20261123-143000.sqlite3``), so that listing them needs no table; after each one the
folder is thinned as ``domain.backup_retention`` says.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.backup_retention import DEFAULT_LIMITS, BackupLimits, obsolete
from partybuild_desktop.store.database import (Store, header_problem, owner_only, page_problems,
                                               read_only_connection, shm_path, wal_path)

log = logging.getLogger(__name__)
SUFFIX = ".sqlite3"
STAMP = "%Y%m%d-%H%M%S"

# Why a backup was made: the code (in JSON) and the word in its file name.
REASONS = {
    "start": "启动",
    "periodic": "定时",
    "exit": "退出",
    "manual": "手动",
    "import": "导入前",
    "restore": "恢复前",
    "rules_import": "导入积分办法前",
    "year_close": "年度结账前",
    "consolidation": "汇总前",
    "upgrade": "升级前",
}
REASON_TEXT = {
    "start": "启动时", "periodic": "每 30 分钟定时", "exit": "退出时", "manual": "手动备份",
    "import": "导入之前", "restore": "从备份恢复之前", "rules_import": "导入积分办法之前",
    "year_close": "先锋榜年度结账之前", "consolidation": "汇总报表包之前", "upgrade": "升级数据文件之前",
}
_CODES = {word: code for code, word in REASONS.items()}
# 定时-20261123-143000.sqlite3, 定时-20261123-143000-2.sqlite3, 升级前-0009-20261123-143000.sqlite3
_NAME = re.compile(r"^(?P<word>[^-]+)(?:-(?P<revision>[0-9a-z空]{1,12}))?-(?P<stamp>\d{8}-\d{6})(?:-\d+)?\.sqlite3$")

LIMIT_SETTINGS = {"daily": "backup_keep_daily", "weekly": "backup_keep_weekly", "monthly": "backup_keep_monthly"}


class BackupFailed(Refusal):
    """A backup that could not be written or did not pass its check; the message is for the clerk."""


class RestoreFailed(Exception):
    """SQLite could not read the backup or write the data file during a restore; the target was left as
    it was (the backup API writes it in one transaction). The message is for the clerk, in Chinese."""


def _restore_failed(source: Path, error: sqlite3.Error) -> RestoreFailed:
    log.warning("restoring a backup failed: %s", type(error).__name__)
    return RestoreFailed(f"恢复时没能读出备份“{Path(source).name}”或写入数据文件（备份文件可能已被移走、删除或损坏，"
                         "或磁盘已满）。请确认备份文件还在、磁盘有空间后再试一次。")


@dataclass(frozen=True)
class Contents:
    """What a data file (or a backup) holds, read without writing to it."""

    path: Path
    problems: tuple[str, ...]
    code: str | None = None  # why it is unusable: backup_missing, backup_empty, backup_foreign, backup_damaged, backup_too_new
    revision: str | None = None
    village: str | None = None
    members: int | None = None
    records: int | None = None
    last_change: dt.datetime | None = None
    township_mode: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {"file": str(self.path), "ok": self.ok, "problems": list(self.problems), "revision": self.revision,
                "village": self.village, "members": self.members, "records": self.records,
                "last_change": self.last_change.isoformat(timespec="seconds") if self.last_change else None}


def _scalar(connection, sql: str, *parameters):
    try:
        row = connection.execute(sql, parameters).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _moment(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def contents(path: Path, full: bool = True, known: set[str] | None = None, live: bool = False) -> Contents:
    """The file's check (``integrity_check`` when ``full``) and what it holds: the village (or township), how
    many members (on the roll) and 纪实 records, and when it last changed (the newest 操作记录).

    ``live``: the program's own data file, read with its -wal (a backup is read as the one file it is)."""
    path = Path(path)
    if not path.exists():
        return Contents(path, (f"文件“{path}”不存在。",), "backup_missing")
    if path.stat().st_size == 0:
        return Contents(path, (f"“{path}”是空文件（0 字节），不是数据备份。",), "backup_empty")
    problem = header_problem(path)
    if problem:
        return Contents(path, (problem,), "backup_foreign" if "不是本程序的数据文件" in problem else "backup_damaged")
    immutable = not live
    problems = page_problems(path, full=full, immutable=immutable)
    if problems:
        return Contents(path, tuple(problems), "backup_damaged")
    try:
        connection = read_only_connection(path, immutable=immutable)
    except sqlite3.Error:
        return Contents(path, (f"“{path}”读不出来，不是完好的数据文件。",), "backup_damaged")
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables or "village" not in tables:
            return Contents(path, (f"“{path}”不是本程序的数据文件（里面没有台账）。",), "backup_foreign")
        revision = _scalar(connection, "SELECT version_num FROM alembic_version")
        if known is not None and revision not in known:
            return Contents(path, (f"“{path}”由更新版本的程序创建（数据版本 {revision}），本程序不能使用，请安装最新版本。",),
                            "backup_too_new", revision)
        mode = _scalar(connection, "SELECT value FROM setting WHERE key = 'program_mode'")
        township_mode = mode == "township"
        chosen = _scalar(connection, "SELECT value FROM setting WHERE key = 'current_village_id'")
        row = None
        if chosen and str(chosen).isdigit():
            row = connection.execute("SELECT township, name FROM village WHERE id = ?", (int(chosen),)).fetchone()
        row = row or connection.execute("SELECT township, name FROM village ORDER BY id").fetchone()
        if township_mode:
            name = _scalar(connection, "SELECT value FROM setting WHERE key = 'township_name'")
            village = f"{name or (row[0] if row else '')}（乡镇汇总）"
        else:
            village = f"{row[0]}{row[1]}" if row else None
        members = _scalar(connection, "SELECT count(*) FROM member WHERE NOT archived")
        records = _scalar(connection, "SELECT count(*) FROM record_entry")
        last_change = _moment(_scalar(connection, "SELECT max(at) FROM audit_entry"))
    except (sqlite3.Error, UnicodeDecodeError, ValueError) as error:
        log.warning("reading a data file's contents failed: %s", type(error).__name__)
        return Contents(path, (f"“{path}”已损坏，读不出来。",), "backup_damaged")
    finally:
        connection.close()
    problems = () if (row or township_mode) else (f"“{path}”中没有村的台账（是空的数据文件）。",)
    return Contents(path, problems, "backup_empty" if problems else None, revision, village, members, records,
                    last_change, township_mode)


def _known_revisions() -> set[str]:
    from partybuild_desktop.store.schema import known_revisions

    return known_revisions()


def backup_to(store: Store, destination: Path, require_village: bool = True) -> Path:
    """Write a consistent copy of the store to ``destination``: to a temporary name, checked, then renamed.
    BackupFailed (in Chinese) when it cannot be written or does not pass the check; nothing is left then."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temp = destination.with_name(f".{destination.name}.{os.getpid()}.part")
    temp.unlink(missing_ok=True)
    try:
        fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        owner_only(temp)
        raw = store.engine.raw_connection()
        try:
            target = sqlite3.connect(temp)
            try:
                raw.driver_connection.backup(target)
                target.commit()
                # A backup is one self-contained file: fold the WAL back in.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            raw.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        found = contents(temp, full=True, known=_known_revisions())
        problems = [p for p in found.problems if require_village or "没有村的台账" not in p]
        if problems:
            raise BackupFailed(f"备份写好后检查未通过，没有保存这份备份：{problems[0].replace(str(temp), '备份')}")
        os.replace(temp, destination)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return destination


def restore_from(store: Store, source: Path) -> None:
    """Replace the store's contents with the backup at ``source``, through the backup API (in one
    transaction of the target: a kill half-way leaves the old contents)."""
    store.engine.dispose()
    try:
        backup_connection = read_only_connection(Path(source), immutable=True)
        try:
            target = sqlite3.connect(store.path)
            try:
                backup_connection.backup(target)
            finally:
                target.close()
        finally:
            backup_connection.close()
    except sqlite3.Error as error:
        raise _restore_failed(source, error) from error
    finally:
        store.engine.dispose()


def timestamped_name(prefix: str = "备份", now: dt.datetime | None = None) -> str:
    return f"{prefix}-{(now or dt.datetime.now()).strftime(STAMP)}{SUFFIX}"


# --------------------------------------------------------------------------------- the backups folder


@dataclass(frozen=True)
class BackupFile:
    path: Path
    time: dt.datetime
    reason: str  # a code of REASONS

    @property
    def reason_text(self) -> str:
        return REASON_TEXT.get(self.reason, self.reason)


def parse_name(path: Path) -> BackupFile | None:
    matched = _NAME.match(Path(path).name)
    if not matched or matched["word"] not in _CODES:
        return None
    try:
        moment = dt.datetime.strptime(matched["stamp"], STAMP)
    except ValueError:
        return None
    return BackupFile(Path(path), moment, _CODES[matched["word"]])


def backup_files(folder: Path) -> list[BackupFile]:
    """The automatic backups in ``folder``, newest first (files of other names are not touched)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [parse_name(path) for path in folder.iterdir() if path.suffix == SUFFIX and path.is_file()]
    return sorted((b for b in found if b is not None), key=lambda b: (b.time, b.path.name), reverse=True)


def new_name(folder: Path, reason: str, now: dt.datetime, detail: str | None = None) -> Path:
    word = REASONS[reason] + (f"-{detail}" if detail else "")
    path = Path(folder) / timestamped_name(word, now)
    number = 2
    while path.exists():
        path = Path(folder) / f"{word}-{now.strftime(STAMP)}-{number}{SUFFIX}"
        number += 1
    return path


def read_limits(store: Store) -> BackupLimits:
    """The retention the file's settings ask for (设置 keys ``backup_keep_daily`` …), else 12, 10, 9."""
    values = {}
    try:
        with store.engine.connect() as connection:
            for name, key in LIMIT_SETTINGS.items():
                value = connection.exec_driver_sql("SELECT value FROM setting WHERE key = ?", (key,)).scalar()
                if value is not None and str(value).strip().isdigit():
                    values[name] = int(value)
    except Exception:  # an old or damaged file: the defaults
        log.warning("could not read the backup limits; the defaults apply")
        return DEFAULT_LIMITS
    return BackupLimits(**{**DEFAULT_LIMITS.__dict__, **values})


def thin(folder: Path, now: dt.datetime, limits: BackupLimits = DEFAULT_LIMITS, keep: tuple[Path, ...] = ()) -> list[Path]:
    """Delete the backups the retention rule no longer keeps, and leftovers of interrupted backups;
    never the files in ``keep`` (the backup just restored from)."""
    kept = {Path(path).resolve() for path in keep}
    files = [found for found in backup_files(folder) if found.path.resolve() not in kept]
    by_time: dict[dt.datetime, list[BackupFile]] = {}
    for found in files:
        by_time.setdefault(found.time, []).append(found)
    removed = []
    for moment in obsolete(by_time, now, limits):
        for found in by_time[moment]:
            found.path.unlink(missing_ok=True)
            removed.append(found.path)
    for leftover in Path(folder).glob(".*.part"):
        try:
            if now.timestamp() - leftover.stat().st_mtime > 3600:
                leftover.unlink()
        except OSError:
            pass
    return removed


def make_automatic(store: Store, reason: str, folder: Path | None = None, now: dt.datetime | None = None,
                   detail: str | None = None, require_village: bool = True, thinning: bool = True) -> Path:
    """One backup into the backups folder (``folder``, by default beside the data file), then the thinning
    (``thinning`` False: the caller thins later, as a restore does once the backup has been read)."""
    now = now or dt.datetime.now()
    folder = Path(folder) if folder else store.path.parent / "backups"
    try:
        written = backup_to(store, new_name(folder, reason, now, detail), require_village=require_village)
    except sqlite3.Error as error:
        log.warning("backup (%s) failed: %s", reason, type(error).__name__)
        raise BackupFailed(f"没能在“{folder}”中写入备份（数据文件读不出来，或磁盘已满）。") from error
    if thinning:
        try:
            thin(folder, now, read_limits(store))
        except OSError:
            log.warning("thinning the backups failed", exc_info=True)
    log.info("backup made (%s)", reason)
    return written


def has_data(store: Store) -> bool:
    """A village or the township is set up in the store: there is something to back up."""
    try:
        with store.engine.connect() as connection:
            villages = connection.exec_driver_sql("SELECT count(*) FROM village").scalar()
            mode = connection.exec_driver_sql("SELECT value FROM setting WHERE key = 'program_mode'").scalar()
    except Exception:
        return False
    return bool(villages) or mode == "township"


def replace_damaged_file(data_file: Path, source: Path, folder: Path) -> Path | None:
    """A damaged data file cannot take a backup through the API: the backup is written beside it as a
    new file (checked on the way: it is read through SQLite), the damaged file (with its -wal and -shm)
    is moved into ``folder`` as it is, and the new one takes its name. Returns where the damaged one went;
    None when there was no data file to move."""
    import shutil

    data_file, folder = Path(data_file), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    temp = data_file.with_name(f".{data_file.name}.{os.getpid()}.restoring")
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        try:
            reading = read_only_connection(Path(source), immutable=True)
            try:
                target = sqlite3.connect(temp)
                try:
                    reading.backup(target)
                    target.execute("PRAGMA journal_mode=DELETE")
                finally:
                    target.close()
            finally:
                reading.close()
        except sqlite3.Error as error:
            raise _restore_failed(source, error) from error
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    kept = folder / f"损坏的数据文件-{dt.datetime.now().strftime(STAMP)}.sqlite3.damaged"
    moved = False
    if data_file.exists():
        shutil.move(data_file, kept)
        moved = True
    for extra, suffix in ((wal_path(data_file), "-wal"), (shm_path(data_file), "-shm")):
        if extra.exists():
            shutil.move(extra, Path(f"{kept}{suffix}"))
    os.replace(temp, data_file)
    owner_only(data_file)
    return kept if moved else None
