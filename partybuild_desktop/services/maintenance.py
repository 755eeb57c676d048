"""Integrity checks and backups of the data file, for the CLI and the File menu."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from partybuild_desktop.store.backup import backup_to
from partybuild_desktop.store.database import Store
from partybuild_desktop.store.schema import (
    DataFileError,
    head_revision,
    integrity_problems,
    known_revisions,
    read_revision,
)
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
    """Read-only: integrity, foreign keys and schema version. Never writes to the file."""
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
    problems += integrity_problems(path)
    return CheckResult(path, revision, head, problems)


def make_backup(store: Store, destination: Path) -> Path:
    """Back the store up to ``destination`` and remember when."""
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


def restore_backup(store: Store, source: Path, safety_dir: Path) -> Path:
    """Replace the data with the backup at ``source``; the current data is first saved to ``safety_dir``.

    Returns the safety copy. The caller reopens the file afterwards (an older backup is upgraded then).
    """
    from partybuild_desktop.store.backup import check_backup_file, restore_from, timestamped_name

    check_backup_file(Path(source))
    safety = backup_to(store, Path(safety_dir) / timestamped_name("恢复前"))
    restore_from(store, Path(source))
    return safety
