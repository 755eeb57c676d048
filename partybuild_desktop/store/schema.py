"""Schema versions: open a data file, back it up, upgrade it to head, or refuse it.

Order at start: read the file's revision read-only (a corrupt or foreign file is refused untouched),
refuse a revision this program does not know (made by a newer version), back up with SQLite's online
backup API, upgrade, and on failure put the backup back.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from partybuild_desktop.store.backup import restore_from
from partybuild_desktop.store.database import Store

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"


class DataFileError(Exception):
    """A data file that cannot be opened; the message is for the clerk, in Chinese."""


class DataFileCorrupt(DataFileError):
    pass


class DataFileTooNew(DataFileError):
    pass


class UpgradeFailed(DataFileError):
    pass


# The newest schema this program writes. Alembic itself is imported only to upgrade (it is slow to
# import); a test keeps this constant equal to Alembic's head and the file names below.
HEAD_REVISION = "0013"


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    return HEAD_REVISION


def known_revisions() -> set[str]:
    """Every revision this program knows: migration files are named ``<revision>_<what it does>.py``."""
    return {path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("*_*.py")}


def read_revision(path: Path) -> str | None:
    """The file's schema revision, read without writing; None for an empty new database."""
    from partybuild_desktop.store.database import RESTORE_HINT, header_problem, read_only_connection

    path = Path(path)
    if path.stat().st_size == 0:
        return None
    problem = header_problem(path)
    if problem:
        raise DataFileCorrupt(problem)
    try:
        connection = read_only_connection(path)
        try:
            # A full integrity check reads every page; ``check`` does that. Here a damaged file shows
            # itself when its schema and version are read.
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                if tables:
                    raise DataFileCorrupt(f"“{path}”不是本程序的数据文件。文件未作任何改动。")
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            connection.close()
    except (sqlite3.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        log.warning("reading the schema of a data file failed: %s", type(error).__name__)
        from partybuild_desktop.store.database import wal_problem

        problem = wal_problem(path)  # a -wal beside it that is not its own, rather than the file itself
        if problem:
            raise DataFileCorrupt(problem) from error
        raise DataFileCorrupt(f"数据文件“{path}”已损坏（数据表的目录读不出来）。{RESTORE_HINT}") from error


def integrity_problems(path: Path) -> list[str]:
    """Read-only: what SQLite's integrity and foreign-key checks find wrong in the file, in Chinese."""
    problems = []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append("完整性检查未通过：" + "；".join(result[:5]))
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            problems.append(f"有 {len(broken)} 条记录引用了不存在的数据（表 {broken[0][0]}）。")
    finally:
        connection.close()
    return problems


def _upgrade(store: Store) -> None:
    from alembic import command

    # Batch migrations rebuild tables, which foreign keys would block; they are checked afterwards.
    config = alembic_config()
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"升级后有 {len(broken)} 条记录的引用不完整")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def open_store(path: Path, backup_dir: Path | None = None) -> Store:
    """Open (creating if needed) the data file at ``path``, upgraded to this program's schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    revision = read_revision(path) if existed else None
    from partybuild_desktop.store.database import opening_problems, writable_problem

    problems = ([writable_problem(path)] if writable_problem(path) else []) + (opening_problems(path) if existed else [])
    if problems:
        raise DataFileCorrupt(problems[0])
    if revision is not None and revision not in known_revisions():
        raise DataFileTooNew(
            f"数据文件“{path}”由更新版本的村党建工作台创建（数据版本 {revision}），本程序无法打开。"
            "文件未作任何改动，请安装最新版本后再打开。"
        )
    store = Store(path)
    if revision == head_revision():
        return store
    backup_path = None
    if existed:
        from partybuild_desktop.store.backup import make_automatic

        backup_path = make_automatic(store, "upgrade", Path(backup_dir or path.parent / "backups"),
                                     detail=revision or "空", require_village=False)
        log.info("backed up %s to %s before upgrading from %s", path, backup_path, revision)
    try:
        _upgrade(store)
    except Exception as error:
        log.exception("schema upgrade failed")
        if backup_path is not None:
            restore_from(store, backup_path)
        store.dispose()
        kept = f"数据已恢复为升级前的状态，备份在“{backup_path}”。" if backup_path else ""
        raise UpgradeFailed(f"数据文件升级失败（{error}）。{kept}请把日志文件交给技术人员。") from error
    return store
