"""One program at a time on a data file: a lock file beside it says who has it open.

``partybuild.sqlite3.lock`` holds the computer's name, the process id, the user and the time the file
was opened. It is made with ``O_CREAT | O_EXCL`` (atomic on Windows, Linux and network shares alike),
so of two copies starting together exactly one gets it. A lock left behind by a crash is recognised:

- on the same computer, when its process no longer runs (the process's start time is recorded too, so
  a process id reused after a restart does not count as the old program);
- from another computer, whose processes cannot be seen from here, when the holder has not renewed it
  for ``STALE_AFTER``: a running program touches its lock every ``HEARTBEAT`` seconds.

A stale lock is removed under a short-lived guard file, so two copies finding the same stale lock do not
both take it over. No ``fcntl`` and no Qt: the window and the command line use it alike.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import os
import socket
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
HEARTBEAT = 300.0  # seconds between renewals by the holder
STALE_AFTER = 1800.0  # a lock from another computer not renewed for this long is left over from a crash
_GUARD_STALE_AFTER = 30.0  # a take-over guard older than this was left by a crash in the middle of one
_FRESH_UNREADABLE = 10.0  # an empty or half-written lock younger than this is someone still writing it


@dataclass(frozen=True)
class LockHolder:
    host: str
    pid: int
    user: str
    started: float  # seconds since the epoch
    process: str | None  # the process's start time as the system records it; None where unknown
    token: str  # tells this holder apart from any other with the same host and pid

    def describe(self, today: dt.date | None = None) -> str:
        started = dt.datetime.fromtimestamp(self.started)
        when = f"{started:%H:%M}" if started.date() == (today or dt.date.today()) else \
            f"{started.month}月{started.day}日 {started:%H:%M}"
        return f"计算机 {self.host} 上的 {self.user} 从 {when} 起打开了它"


class DataFileInUse(Exception):
    """Another running program has the data file open; the message says who, since when, what to do."""

    def __init__(self, holder: LockHolder | None, same_host: bool):
        self.holder = holder
        if holder is None:
            text = "数据文件正在被使用：另一个程序刚刚打开了它。"
        else:
            text = f"数据文件正在被使用：{holder.describe()}（进程号 {holder.pid}）。"
        text += "\n同一个数据文件同一时间只能在一个程序中打开，以免两边的修改互相覆盖。请先关闭那边的村党建工作台，再打开。"
        if holder is not None and not same_host:
            text += (f"\n如果那台计算机已经关机或程序意外退出，这个占用会在它最后一次确认后 "
                     f"{int(STALE_AFTER // 60)} 分钟自动失效。")
        super().__init__(text)


def lock_path(data_file: Path) -> Path:
    return Path(data_file).with_name(Path(data_file).name + LOCK_SUFFIX)


def this_host() -> str:
    return socket.gethostname() or "未知计算机"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some services); the lock still works
        return "未知用户"


class DataFileLock:
    """The lock this process holds on one data file. ``release()`` (or leaving a ``with``) removes it."""

    def __init__(self, path: Path, holder: LockHolder, owned: bool = True):
        self.path, self.holder, self.owned = path, holder, owned
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self.lost = False  # set when the lock file no longer is ours (someone else took it over)

    @classmethod
    def acquire(cls, data_file: Path, heartbeat: float | None = HEARTBEAT) -> DataFileLock:
        """Take the lock on ``data_file``, taking over a stale one; DataFileInUse when someone has it."""
        path = lock_path(data_file)
        mine = LockHolder(this_host(), os.getpid(), _user(), time.time(), process_start(os.getpid()), uuid.uuid4().hex)
        for _ in range(20):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pass
            except OSError as error:
                if path.exists():  # Windows: a lock being deleted by its holder refuses access a moment
                    time.sleep(0.1)
                    continue
                # A read-only folder: opening the data file itself will say why.
                log.warning("no lock file at %s: %s", path, error)
                return cls(path, mine, owned=False)
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(asdict(mine), f, ensure_ascii=False)
                    f.flush()
                    os.fsync(f.fileno())
                lock = cls(path, mine)
                if heartbeat:
                    lock.start_heartbeat(heartbeat)
                return lock
            holder, age = read_lock(path)
            if holder is not None and _is_this_process(holder):
                return cls(path, holder, owned=False)  # this program opens its own file again (CLI in-process)
            if holder is None and age is not None and age < _FRESH_UNREADABLE:
                time.sleep(0.1)  # another copy is writing its lock right now
                continue
            if holder is not None and not is_stale(holder, age):
                raise DataFileInUse(holder, _same_host(holder))
            log.warning("taking over a stale lock %s: %s", path, holder)
            _remove_stale(path, holder)
        holder, _ = read_lock(path)
        raise DataFileInUse(holder, holder is not None and _same_host(holder))

    def start_heartbeat(self, interval: float) -> None:
        self._beat = threading.Thread(target=self._renew, args=(interval,), name="data-file-lock", daemon=True)
        self._beat.start()

    def _renew(self, interval: float) -> None:
        while not self._stop.wait(interval):
            if read_lock(self.path) == (None, None) and self._write_again():
                continue  # the lock file was deleted by hand: it is ours again
            if not self.still_ours():
                self.lost = True
                log.error("the lock %s is no longer ours", self.path)
                return
            try:
                os.utime(self.path)
            except OSError as error:  # a stick or share gone for a moment; the next beat tries again
                log.warning("could not renew the lock %s: %s", self.path, error)

    def _write_again(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(self.holder), f, ensure_ascii=False)
        return True

    def still_ours(self) -> bool:
        holder, _ = read_lock(self.path)
        return holder is not None and holder.token == self.holder.token

    def release(self) -> None:
        """Remove the lock if it is still ours; safe to call more than once."""
        self._stop.set()
        if self._beat is not None and self._beat is not threading.current_thread():
            self._beat.join(timeout=5)  # a renewal under way must not write the file again after this
        if self.owned and self.still_ours():
            try:
                self.path.unlink()
            except OSError as error:
                log.warning("could not remove the lock %s: %s", self.path, error)
        self.owned = False

    def __enter__(self) -> DataFileLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def read_lock(path: Path) -> tuple[LockHolder | None, float | None]:
    """The holder written in the lock file (None if missing or unreadable) and the seconds since it was
    last written or renewed (None if there is no file)."""
    try:
        age = time.time() - path.stat().st_mtime
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockHolder(str(data["host"]), int(data["pid"]), str(data["user"]), float(data["started"]),
                          data.get("process"), str(data["token"])), age
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError, KeyError, TypeError):
        try:
            return None, time.time() - path.stat().st_mtime
        except OSError:
            return None, None


def is_stale(holder: LockHolder, age: float | None) -> bool:
    if _same_host(holder):
        return not process_alive(holder.pid, holder.process)
    return age is None or age > STALE_AFTER


def _same_host(holder: LockHolder) -> bool:
    return holder.host.casefold() == this_host().casefold()


def _is_this_process(holder: LockHolder) -> bool:
    return _same_host(holder) and holder.pid == os.getpid() and holder.process == process_start(os.getpid())


def _remove_stale(path: Path, seen: LockHolder | None) -> None:
    """Remove the stale lock ``seen``, unless another copy has replaced it meanwhile."""
    guard = path.with_name(path.name + ".takeover")
    try:
        fd = os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        try:
            if time.time() - guard.stat().st_mtime > _GUARD_STALE_AFTER:
                guard.unlink()
        except OSError:
            pass
        time.sleep(0.1)
        return
    os.close(fd)
    try:
        current, _ = read_lock(path)
        if current == seen or (seen is None and current is None):
            path.unlink(missing_ok=True)
    finally:
        guard.unlink(missing_ok=True)


# --- is a process still running? -------------------------------------------------------------------
def process_start(pid: int) -> str | None:
    """When the system started process ``pid`` (as an opaque string), or None where it cannot be read."""
    if sys.platform == "win32":
        return _windows_process(pid)[1]
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
    return f"{boot}:{stat.rsplit(')', 1)[1].split()[19]}"


def process_alive(pid: int, started: str | None) -> bool:
    """True while ``pid`` runs and, when ``started`` is known, is the same process that wrote the lock."""
    if sys.platform == "win32":
        alive, now_started = _windows_process(pid)
    else:
        try:
            os.kill(pid, 0)  # signal 0 only checks (on POSIX; on Windows os.kill would end the process)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # someone else's process: it runs
        alive, now_started = _posix_zombie(pid) is not True, process_start(pid)
    if not alive:
        return False
    return started is None or now_started is None or started == now_started


def _posix_zombie(pid: int) -> bool | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return None


def _windows_process(pid: int) -> tuple[bool, str | None]:
    """(running, creation time) through the Win32 API."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == access_denied, None
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value != still_active:
            return False, None
        created, exited, kernel, user = (wintypes.FILETIME() for _ in range(4))
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in (created, exited, kernel, user))):
            return True, None
        return True, str((created.dwHighDateTime << 32) | created.dwLowDateTime)
    finally:
        kernel32.CloseHandle(handle)
