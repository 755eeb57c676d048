"""Integrity checks and backups of the data file, for the CLI and the File menu."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from partybuild_desktop.store.backup import BackupFailed, backup_files, backup_to
from partybuild_desktop.store.database import Store, opening_problems, shm_path, wal_path
from partybuild_desktop.store.schema import DataFileError, head_revision, known_revisions, read_revision
from partybuild_desktop.services.village import LAST_BACKUP, get_setting, set_setting


@dataclass(frozen=True)
class CheckResult:
    path: Path
    revision: str | None
    head: str
    problems: list[str]

    @property
    def sound(self) -> bool:
        return not self.problems


def check_data_file(path: Path) -> CheckResult:
    """Read-only: the file's header and size, any -wal beside it, SQLite's full integrity check, the
    foreign keys and the schema version. Never writes to the file."""
    path = Path(path)
    head = head_revision()
    if not path.exists():
        return CheckResult(path, None, head, [f"数据文件“{path}”不存在。"])
    try:
        revision = read_revision(path)
    except DataFileError as error:
        return CheckResult(path, None, head, [str(error)])
    problems = []
    if revision is not None and revision not in known_revisions():
        problems.append(f"数据版本 {revision} 比本程序新（本程序为 {head}），请安装最新版本。")
    problems += opening_problems(path, full=True)
    return CheckResult(path, revision, head, problems)


def refuse_destination(store: Store, destination: Path) -> None:
    """``backup --out`` and 文件 → 备份到… never write onto the data file (or its -wal, -shm) nor over a
    backup in the backups folder."""
    destination = Path(destination)
    data = store.path
    for own in (data, wal_path(data), shm_path(data)):
        if destination.exists() and own.exists() and destination.samefile(own) or \
                destination.resolve() == own.resolve():
            raise BackupFailed(f"“{destination}”就是正在使用的数据文件{'' if own == data else '的一部分'}，不能把备份写在它上面。"
                               "没有作任何改动。请选择另一个文件名，例如 U 盘上的“村名备份.sqlite3”。")
    folder = (data.parent / "backups").resolve()
    if destination.exists() and destination.resolve().parent == folder:
        raise BackupFailed(f"“{destination.name}”是备份文件夹中已有的备份，不能覆盖它。没有作任何改动。请换一个文件名或位置。")


def make_backup(store: Store, destination: Path) -> Path:
    """Back the store up to ``destination`` (checked after writing) and remember when."""
    refuse_destination(store, destination)
    written = backup_to(store, destination)
    with store.session() as session:
        record_backup(session)
    return written


def record_backup(session, at: dt.datetime | None = None) -> None:
    """Remember that a backup was made (the status bar and the ``backup_old`` alert read it)."""
    set_setting(session, LAST_BACKUP, (at or dt.datetime.now()).isoformat(timespec="seconds"))


def last_backup(store: Store) -> dt.datetime | None:
    with store.session() as session:
        value = get_setting(session, LAST_BACKUP)
    return dt.datetime.fromisoformat(value) if value else None


def last_automatic_backup(store: Store) -> dt.datetime | None:
    found = backup_files(store.path.parent / "backups")
    return found[0].time if found else None


def restore_backup(store: Store, source: Path, safety_dir: Path | None = None) -> Path:
    """Replace the data with the backup at ``source`` (checked first: RestoreRefused, nothing changed);
    the current data is first saved into the backups folder. Returns the safety copy. The caller opens
    the file again afterwards (an older backup is upgraded then)."""
    from partybuild_desktop.services.backups import restore

    return restore(store.path, Path(source), store).safety
