"""Opening a data file: engine with the right pragmas, short-lived sessions, and the checks made first.

The checks read the file without writing to it and say in Chinese what is wrong and what to do: a
file cut short (its size not a whole number of pages, or fewer pages than its header says), a header
marked read-only, a file or folder the program cannot write, a ``-wal`` beside it that does not belong
to it, and the pages themselves (``PRAGMA quick_check`` at every opening, the full ``integrity_check``
in ``check`` and after an unclean exit, which the marker below detects).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
SQLITE_HEADER = b"SQLite format 3\x00"
RESTORE_HINT = "文件未作任何改动。请用“文件 → 从备份恢复…”（命令行：restore 备份文件）恢复最近的备份。"


def make_engine(path: Path | str) -> Engine:
    """An engine on a SQLite file in WAL mode, foreign keys on, synchronous=FULL."""
    # hide_parameters: an error's text (which reaches the log) never carries the row's values.
    engine = create_engine(f"sqlite:///{Path(path)}", future=True, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: sqlite3.Connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def owner_only(path: Path) -> None:
    """Readable and writable by the user only (0600), where the system has such permissions."""
    if sys.platform == "win32":
        return
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        log.warning("could not make a file private to its owner")


def create_private(path: Path) -> None:
    """An empty file readable by the user only, so that SQLite (and its -wal and -shm) take that mode."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    owner_only(path)


class Store:
    """The open data file: its path, engine and a session factory."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.exists():
            create_private(self.path)
        else:
            owner_only(self.path)
        self.engine = make_engine(self.path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


# ------------------------------------------------------------------------------------------ opening checks


def wal_path(path: Path) -> Path:
    return Path(f"{path}-wal")


def shm_path(path: Path) -> Path:
    return Path(f"{path}-shm")


def read_only_connection(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """A connection that cannot write: ``immutable`` reads the file alone, ignoring any -wal beside it."""
    from urllib.parse import quote

    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True)


def header_problem(path: Path) -> str | None:
    """What the file's size and 100-byte header show is wrong; None for a sound header (or an empty file)."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return None
    with open(path, "rb") as handle:
        header = handle.read(100)
    if not header.startswith(SQLITE_HEADER):
        return f"“{path}”不是本程序的数据文件（也不是 SQLite 数据库）。文件未作任何改动，请检查是否选错了文件。"
    if len(header) < 100:
        return f"数据文件“{path}”不完整（只有 {size} 字节）。{RESTORE_HINT}"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"数据文件“{path}”的文件头已损坏（页大小无效）。{RESTORE_HINT}"
    write_version, read_version = header[18], header[19]
    if read_version > 2:
        return f"数据文件“{path}”的文件头已损坏（标记了本程序不认识的格式），不能读取。{RESTORE_HINT}"
    if write_version > 2:
        return (f"数据文件“{path}”的文件头被标记为只读，本程序不能在其中保存任何改动。这不是本程序做的标记，"
                f"文件可能被其他软件改动过。{RESTORE_HINT}")
    if size % page_size:
        return (f"数据文件“{path}”不完整：文件末尾缺了一部分（{size} 字节，不是整页）。可能是复制或存盘时被中断。"
                f"{RESTORE_HINT}")
    change_counter, valid_for = header[24:28], header[92:96]
    pages = int.from_bytes(header[28:32], "big")
    if change_counter == valid_for and pages and size < pages * page_size and not _has_wal(path):
        return (f"数据文件“{path}”不完整：文件头记载 {pages} 页，实际只有 {size // page_size} 页。"
                f"可能是复制或存盘时被中断。{RESTORE_HINT}")
    return None


def _has_wal(path: Path) -> bool:
    wal = wal_path(path)
    return wal.exists() and wal.stat().st_size > 0


def writable_problem(path: Path) -> str | None:
    """A data file (or its folder) the program cannot write to."""
    path = Path(path)
    if path.exists() and not os.access(path, os.W_OK):
        return (f"数据文件“{path}”是只读的，本程序不能在其中保存。请在文件属性中取消“只读”"
                "（或把数据文件夹复制到可以写入的位置），再打开程序。文件未作任何改动。")
    if not os.access(path.parent, os.W_OK):
        return (f"数据文件夹“{path.parent}”不能写入（可能是只读的 U 盘或光盘），本程序不能在其中保存。"
                "请把数据文件夹复制到电脑硬盘上再打开。文件未作任何改动。")
    return None


def page_problems(path: Path, full: bool = False, immutable: bool = False) -> list[str]:
    """SQLite's own check of every page (``integrity_check`` when ``full``, else ``quick_check``) and, when
    ``full``, of the foreign keys, in Chinese. SQLite's words go to the log only."""
    path = Path(path)
    pragma = "integrity_check" if full else "quick_check"
    try:
        connection = read_only_connection(path, immutable)
        try:
            result = [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}(20)")]
            broken = connection.execute("PRAGMA foreign_key_check").fetchall() if full and result == ["ok"] else []
        finally:
            connection.close()
    except (sqlite3.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        log.warning("%s of the data file failed: %s", pragma, type(error).__name__)
        return [f"数据文件“{path}”已损坏，读不出来。{RESTORE_HINT}"]
    problems = []
    if result != ["ok"]:
        log.warning("%s found %d problems: %s", pragma, len(result), "; ".join(result[:5]))
        problems.append(f"数据文件“{path}”已损坏（{'完整性' if full else '快速'}检查发现"
                        f"{'至少 ' if len(result) >= 20 else ''}{len(result)} 处问题）。{RESTORE_HINT}")
    if broken:
        problems.append(f"数据文件“{path}”中有 {len(broken)} 条记录引用了不存在的数据（表 {broken[0][0]}）。{RESTORE_HINT}")
    return problems


def _villages(connection: sqlite3.Connection) -> set:
    try:
        return set(connection.execute("SELECT id, created_at FROM village"))
    except sqlite3.Error:
        return set()


def wal_problem(path: Path) -> str | None:
    """A ``-wal`` beside the data file that does not belong to it (copied from elsewhere, or damaged): its
    pages do not fit the file, or it replaces the file's villages by others."""
    path = Path(path)
    wal = wal_path(path)
    if not _has_wal(path):
        return None
    advice = (f"数据文件“{path}”旁边的“{wal.name}”与它不相配（可能是从别的电脑或文件夹复制来的，或已损坏）。"
              f"数据文件本身未作任何改动。请关闭本程序，把“{wal.name}”"
              f"{'和“' + shm_path(path).name + '”' if shm_path(path).exists() else ''}移到别的文件夹（先不要删除），"
              "再打开程序；如果数据缺了最近的改动，再用“文件 → 从备份恢复…”恢复最近的备份。")
    with open(path, "rb") as handle:
        header = handle.read(100)
    with open(wal, "rb") as handle:
        wal_header = handle.read(32)
    if len(header) >= 18 and len(wal_header) == 32:
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        magic = int.from_bytes(wal_header[0:4], "big")
        if magic not in (0x377F0682, 0x377F0683) or int.from_bytes(wal_header[8:12], "big") != page_size:
            return advice
    try:
        alone = read_only_connection(path, immutable=True)
        try:
            before = _villages(alone)
        finally:
            alone.close()
    except sqlite3.Error:
        before = set()
    if page_problems(path, full=True):
        if not page_problems(path, full=False, immutable=True):
            return advice  # the file alone is sound: the -wal breaks it
        return None  # the file itself is damaged: told as such
    try:
        combined = read_only_connection(path)
        try:
            after = _villages(combined)
        finally:
            combined.close()
    except sqlite3.Error:
        return advice
    return advice if before and not before <= after else None


def opening_problems(path: Path, full: bool = False) -> list[str]:
    """Everything that keeps the data file at ``path`` from being opened safely, in Chinese; [] when sound."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return []
    problem = header_problem(path)
    if problem:
        return [problem]
    problems = page_problems(path, full=full)
    if _has_wal(path) and (full or problems):
        problem = wal_problem(path)
        if problem:
            return [problem]
    return problems


# --------------------------------------------------------------------------------------- unclean exits
# The window and the commands that write leave a marker beside the data file while it is open, and
# remove it when they end normally. A marker found at the next start means the program was killed
# or the computer lost power: the file then gets the full check.


def marker_path(path: Path) -> Path:
    return Path(f"{path}.running")


def left_unclean(path: Path) -> bool:
    return marker_path(Path(path)).exists()


def mark_open(path: Path) -> Path:
    marker = marker_path(Path(path))
    fd = os.open(marker, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        os.write(fd, f"{os.getpid()} {dt.datetime.now().isoformat(timespec='seconds')}\n".encode())
    finally:
        os.close(fd)
    return marker


def mark_closed(path: Path) -> None:
    marker_path(Path(path)).unlink(missing_ok=True)
