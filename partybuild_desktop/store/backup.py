"""Backups with SQLite's online backup API (never a file copy of a live database)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from partybuild_desktop.store.database import Store


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)
    target.commit()


def backup_to(store: Store, destination: Path) -> Path:
    """Write a consistent copy of the store to ``destination`` (atomically: temp file, then replace)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temp = destination.with_name(destination.name + ".part")
    temp.unlink(missing_ok=True)
    raw = store.engine.raw_connection()
    try:
        target = sqlite3.connect(temp)
        try:
            _copy(raw.driver_connection, target)
            # A backup is one self-contained file: fold the WAL back in.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        raw.close()
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, destination)
    return destination


def check_backup_file(path: Path) -> None:
    """Raise DataFileError unless ``path`` is a sound data file of a schema this program knows."""
    from partybuild_desktop.store.schema import DataFileTooNew, known_revisions, read_revision

    revision = read_revision(Path(path))
    if revision is not None and revision not in known_revisions():
        raise DataFileTooNew(f"备份文件“{path}”由更新版本的程序创建（数据版本 {revision}），不能恢复。")


def restore_from(store: Store, source: Path) -> None:
    """Replace the store's contents with the backup at ``source``, through the backup API."""
    store.engine.dispose()
    with sqlite3.connect(source) as backup_connection:
        target = sqlite3.connect(store.path)
        try:
            _copy(backup_connection, target)
        finally:
            target.close()
    store.engine.dispose()


def timestamped_name(prefix: str = "备份") -> str:
    return f"{prefix}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.sqlite3"
