"""Automatic backups, the backups folder, restoring a backup, and opening the data file with its checks.

``before(store, reason)`` is the one call made before every risky operation (imports, restores, the
point rules' import, a year's close, consolidation; the schema upgrade makes its own in ``store.schema``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from partybuild_desktop import paths
from partybuild_desktop.domain.backup_retention import DEFAULT_LIMITS, BackupLimits, checked_limits, start_backup_due
from partybuild_desktop.store import backup as files
from partybuild_desktop.store.backup import BackupFailed, Contents, backup_files, contents, make_automatic
from partybuild_desktop.store.database import (Store, left_unclean, mark_closed, mark_open, marker_path, opening_problems,
                                               wal_path, wal_problem)
from partybuild_desktop.store.schema import DataFileCorrupt, DataFileError, known_revisions, open_store

log = logging.getLogger(__name__)

__all__ = ["BackupFailed", "before", "make", "listing", "restore", "compare", "open_data_folder"]


def folder_of(data_file: Path) -> Path:
    return Path(data_file).parent / "backups"


def make(store, reason: str, now: dt.datetime | None = None) -> Path | None:
    """An automatic backup into ``backups/`` for ``reason`` (see ``store.backup.REASONS``); None when the
    file holds nothing yet. BackupFailed (in Chinese) when it could not be written or checked."""
    if not files.has_data(store):
        return None
    try:
        return make_automatic(store, reason, folder_of(store.path), now=now)
    except BackupFailed:
        raise
    except OSError as error:
        log.warning("automatic backup (%s) failed: %s", reason, type(error).__name__)
        raise BackupFailed(f"没能在“{folder_of(store.path)}”中写入备份：{_os_reason(error)}") from error


def retention(session) -> BackupLimits:
    """How many daily, weekly and monthly backups are kept (设置 → 自动备份…; 12, 10, 9 unless set)."""
    from partybuild_desktop.services.village import get_setting

    values = {}
    for name, key in files.LIMIT_SETTINGS.items():
        raw = (get_setting(session, key) or "").strip()
        if raw.isdigit():
            values[name] = int(raw)
    return BackupLimits(**{**DEFAULT_LIMITS.__dict__, **values})


def set_retention(session, daily: int, weekly: int, monthly: int) -> BackupLimits:
    from partybuild_desktop.services.village import set_setting

    limits = checked_limits(daily, weekly, monthly)
    for name, key in files.LIMIT_SETTINGS.items():
        set_setting(session, key, str(getattr(limits, name)))
    return limits


def _os_reason(error: Exception) -> str:
    import errno

    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "磁盘已满，请腾出空间后重试。"
    if isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "没有权限写入该文件夹。"
    return "请检查磁盘空间和文件夹权限。"


def before(store, reason: str) -> Path | None:
    """The backup made before a risky operation; when it cannot be made, the operation is refused
    (BackupFailed says so in Chinese, before anything was changed)."""
    try:
        return make(store, reason)
    except BackupFailed as error:
        raise BackupFailed(f"{error}为安全起见，这一步没有进行，数据没有改动。") from error


def newest_time(folder: Path) -> dt.datetime | None:
    found = backup_files(folder)
    return found[0].time if found else None


def at_start(store, now: dt.datetime | None = None) -> Path | None:
    """At start: a backup when the newest in ``backups/`` is older than a day (or there is none)."""
    now = now or dt.datetime.now()
    if not start_backup_due(newest_time(folder_of(store.path)), now):
        return None
    try:
        return make(store, "start", now)
    except BackupFailed:
        log.warning("the backup at start failed", exc_info=True)
        return None


# ----------------------------------------------------------------------------------------- the listing


@dataclass(frozen=True)
class Listed:
    file: files.BackupFile
    contents: Contents

    def to_json(self) -> dict:
        return {"file": str(self.file.path), "time": self.file.time.isoformat(timespec="seconds"),
                "reason": self.file.reason, "reason_text": self.file.reason_text, "members": self.contents.members,
                "village": self.contents.village, "ok": self.contents.ok, "problems": list(self.contents.problems)}


def listing(folder: Path) -> list[Listed]:
    """Every automatic backup in ``folder``, newest first, each checked again (SQLite's quick check, the
    schema, a village: each had the full integrity check when it was written; a restore repeats it)."""
    known = known_revisions()
    return [Listed(found, contents(found.path, full=False, known=known)) for found in backup_files(folder)]


def newest_sound(folder: Path) -> Listed | None:
    """The newest backup that passes its check."""
    known = known_revisions()
    for found in backup_files(folder):
        checked = contents(found.path, full=True, known=known)
        if checked.ok:
            return Listed(found, checked)
    return None


# --------------------------------------------------------------------------------------------- restoring


class RestoreRefused(DataFileError):
    """A backup that cannot be restored; nothing was changed. ``code`` as in ``store.backup.Contents``."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Comparison:
    backup: Contents
    current: Contents

    def to_json(self) -> dict:
        return {"backup": self.backup.to_json(), "current": self.current.to_json()}


def current_contents(data_file: Path) -> Contents:
    return contents(data_file, full=False, live=True)


def check_backup(source: Path, data_file: Path | None = None) -> Contents:
    """The backup's check before anything is replaced: RestoreRefused with the reason when it fails."""
    source = Path(source)
    if data_file is not None and source.exists() and Path(data_file).exists() and source.samefile(data_file):
        raise RestoreRefused(f"“{source}”就是正在使用的数据文件本身，不是备份。没有作任何改动。请选择 backups 文件夹或 U 盘中的备份文件。",
                             "backup_is_data_file")
    checked = contents(source, full=True, known=known_revisions())
    if not checked.ok:
        raise RestoreRefused(f"不能用“{source.name}”恢复：{checked.problems[0]}当前数据没有改动。", checked.code or "backup_damaged")
    return checked


def compare(data_file: Path, source: Path) -> Comparison:
    """The backup (checked: RestoreRefused when it fails) beside the current data file."""
    backup = check_backup(source, data_file)
    return Comparison(backup, current_contents(data_file))


@dataclass(frozen=True)
class Restored:
    comparison: Comparison
    safety: Path | None  # the data as it was before (a backup, or the damaged file moved aside); None: there was no data file
    after: Contents


def restore(data_file: Path, source: Path, store=None) -> Restored:
    """Replace the data file's contents with the backup at ``source``: the backup is checked first, the
    current data is saved into ``backups/`` (a sound file as a backup named 恢复前-…, a damaged one moved
    there as it is), then the backup is copied in through SQLite's backup API. ``store``: the open store
    of ``data_file``, if any; it is disposed of and the caller opens the file again."""
    data_file, source = Path(data_file), Path(source)
    comparison = compare(data_file, source)
    sound = data_file.exists() and data_file.stat().st_size > 0 and not opening_problems(data_file)
    folder = folder_of(data_file)
    try:
        if sound:
            opened = store or Store(data_file)
            try:
                limits = files.read_limits(opened)
                # The thinning waits until the backup has been read: it may be one the rule no longer keeps.
                safety = make_automatic(opened, "restore", folder, require_village=False, thinning=False)
                files.restore_from(opened, source)
            finally:
                opened.dispose()
            try:
                files.thin(folder, dt.datetime.now(), limits, keep=(source,))
            except OSError:
                log.warning("thinning the backups after a restore failed", exc_info=True)
        else:
            if store is not None:
                store.dispose()
            safety = files.replace_damaged_file(data_file, source, folder)
    except files.RestoreFailed as error:
        raise RestoreRefused(f"{error}当前数据没有改动。", "restore_failed") from error
    after = contents(data_file, full=False, live=True)
    return Restored(comparison, safety, after)


# --------------------------------------------------------------------------------- opening the data file


class DamagedDataFile(DataFileCorrupt):
    """The data file failed its checks at opening; ``backup`` is the newest sound backup, if any."""

    def __init__(self, message: str, backup: Listed | None):
        super().__init__(message)
        self.backup = backup


class ForeignWalFile(DamagedDataFile):
    """The data file is sound but the ``-wal`` beside it is not its own: it is to be moved away, not the
    file restored, so no backup is offered."""

    def __init__(self, message: str):
        super().__init__(message, None)


def offer(folder: Path) -> tuple[str, Listed | None]:
    """What the clerk is offered when the data file is damaged: the newest backup that passes, with its date."""
    found = newest_sound(folder)
    if found is None:
        return ("备份文件夹中没有完好的备份。如果 U 盘上有备份，请用“文件 → 从备份恢复…”选择它；否则请把数据文件夹交给技术人员。",
                None)
    when = f"{found.file.time:%Y-%m-%d %H:%M}"
    return (f"最近一份完好的备份是 {when} 的“{found.file.path.name}”（{found.file.reason_text}，党员 "
            f"{found.contents.members} 名）。可以在程序中选“恢复这份备份”，或运行：partybuild-desktop restore "
            f"\"{found.file.path}\" --yes", found)


def _foreign_wal(data_file: Path) -> str | None:
    """What is wrong with the ``-wal`` beside a data file that failed to open, when that is the trouble."""
    if not data_file.exists():
        return None
    try:
        return wal_problem(data_file)
    except OSError:
        log.warning("checking the -wal beside the data file failed", exc_info=True)
        return None


def open_data_folder(folder: Path, working: bool = True):
    """Open the data file of ``folder`` as the window and the writing commands do: after an unclean exit
    (the marker left behind, or a -wal) the full integrity check first; the quick check at every opening
    (in ``open_store``); then the marker while it is open, and a backup when the last is a day old.
    DamagedDataFile (in Chinese, with the newest sound backup) when the file fails a check.

    ``working`` False (the commands that only read): the checks, but no marker and no backup."""
    data_file = paths.data_file(folder)
    backups_folder = paths.backup_dir(folder)
    unclean = left_unclean(data_file) or (wal_path(data_file).exists() and wal_path(data_file).stat().st_size > 0)
    try:
        if working and unclean and data_file.exists():
            log.info("the data file was not closed normally last time: full check")
            problems = opening_problems(data_file, full=True)
            if problems:
                raise DataFileCorrupt(problems[0])
        store = open_store(data_file, backups_folder)
    except DataFileCorrupt as error:
        foreign = _foreign_wal(data_file)
        if foreign:  # the file itself is sound: the -wal goes, no backup is offered
            raise ForeignWalFile(foreign) from error
        advice, found = offer(backups_folder)
        raise DamagedDataFile(f"{error}\n{advice}", found) from error
    if working:
        mark_open(data_file)
        at_start(store)
    return store


def closed_normally(folder: Path) -> None:
    """The program ends normally: the marker goes (only the one this process wrote)."""
    marker = marker_path(paths.data_file(folder))
    try:
        mine = marker.read_text(encoding="utf-8").split(" ", 1)[0] == str(os.getpid())
    except OSError:
        return
    if mine:
        mark_closed(paths.data_file(folder))
