"""The data file's lock: a running holder refuses a second copy, a stale lock is taken over, release
removes it."""

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict, replace

import pytest

from partybuild_desktop.store import lock as lock_module
from partybuild_desktop.store.lock import DataFileInUse, DataFileLock, LockHolder, lock_path, read_lock


def _holder(**changes) -> LockHolder:
    base = LockHolder("村部电脑", 4242, "张文书", time.time(), None, "t" * 32)
    return replace(base, **changes)


def _write(path, holder: LockHolder, age: float = 0.0) -> None:
    path.write_text(json.dumps(asdict(holder), ensure_ascii=False), encoding="utf-8")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))


def test_a_lock_from_a_running_program_is_refused_and_says_who(tmp_path):
    data_file = tmp_path / "partybuild.sqlite3"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from partybuild_desktop.store.lock import DataFileLock
        lock = DataFileLock.acquire(Path({str(data_file)!r}))
        print("locked", flush=True)
        sys.stdin.readline()
        lock.release()
    """)
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "locked"
        with pytest.raises(DataFileInUse) as refused:
            DataFileLock.acquire(data_file, heartbeat=None)
        holder = refused.value.holder
        assert holder.pid == other.pid and holder.host == lock_module.this_host()
        message = str(refused.value)
        started = time.strftime("%H:%M", time.localtime(holder.started))
        assert message.startswith(f"数据文件正在被使用：计算机 {holder.host} 上的 {holder.user} 从 {started} 起打开了它")
        assert "请先关闭" in message
    finally:
        other.communicate("\n", timeout=30)
    assert other.returncode == 0
    assert not lock_path(data_file).exists()  # the other program released it on its way out


def test_a_lock_left_by_a_process_that_is_gone_is_taken_over(tmp_path):
    data_file = tmp_path / "partybuild.sqlite3"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _write(lock_path(data_file), _holder(host=lock_module.this_host(), pid=gone.pid,
                                         process=lock_module.process_start(os.getpid())))
    with DataFileLock.acquire(data_file, heartbeat=None) as lock:
        holder, _ = read_lock(lock_path(data_file))
        assert holder.pid == os.getpid() and holder.token == lock.holder.token
    assert not lock_path(data_file).exists()


def test_a_reused_process_id_does_not_keep_a_stale_lock(tmp_path, monkeypatch):
    """After a restart the old program's process id may belong to another program: the start time differs."""
    data_file = tmp_path / "partybuild.sqlite3"
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    system_start = lock_module.process_start  # the system's answer where it gives one, else a stand-in
    monkeypatch.setattr(lock_module, "process_start",
                        lambda pid: (system_start(pid) or "这次启动:2") if pid == running.pid else system_start(pid))
    try:
        _write(lock_path(data_file), _holder(host=lock_module.this_host(), pid=running.pid, process="另一次启动:1"))
        with DataFileLock.acquire(data_file, heartbeat=None) as lock:
            assert lock.owned
    finally:
        running.kill()
        running.wait()


def test_another_computers_lock_counts_until_it_is_no_longer_renewed(tmp_path):
    data_file = tmp_path / "partybuild.sqlite3"
    path = lock_path(data_file)
    _write(path, _holder(host="乡镇办公室电脑"), age=60)
    with pytest.raises(DataFileInUse) as refused:
        DataFileLock.acquire(data_file, heartbeat=None)
    assert "计算机 乡镇办公室电脑 上的 张文书" in str(refused.value) and "30 分钟" in str(refused.value)
    _write(path, _holder(host="乡镇办公室电脑"), age=lock_module.STALE_AFTER + 60)
    with DataFileLock.acquire(data_file, heartbeat=None) as lock:
        assert read_lock(path)[0].token == lock.holder.token


def test_the_holder_renews_its_lock_and_release_removes_only_its_own(tmp_path):
    data_file = tmp_path / "partybuild.sqlite3"
    path = lock_path(data_file)
    lock = DataFileLock.acquire(data_file, heartbeat=0.05)
    then = time.time() - 3600
    os.utime(path, (then, then))
    deadline = time.time() + 5
    while read_lock(path)[1] > 60 and time.time() < deadline:
        time.sleep(0.05)
    assert read_lock(path)[1] < 60, "the heartbeat did not renew the lock"
    lock.release()
    assert not path.exists()
    # A lock that someone else took over meanwhile is left to them.
    lock = DataFileLock.acquire(data_file, heartbeat=None)
    _write(path, _holder(host="另一台电脑"))
    lock.release()
    assert read_lock(path)[0].host == "另一台电脑"


def test_an_empty_lock_file_from_a_crash_while_writing_is_taken_over(tmp_path):
    data_file = tmp_path / "partybuild.sqlite3"
    path = lock_path(data_file)
    path.write_text("")
    then = time.time() - 120
    os.utime(path, (then, then))
    with DataFileLock.acquire(data_file, heartbeat=None) as lock:
        assert lock.owned and lock.still_ours()


def test_the_message_gives_the_date_when_the_lock_is_from_another_day():
    holder = _holder(started=time.mktime((2026, 11, 22, 8, 5, 0, 0, 0, -1)))
    import datetime as dt

    assert holder.describe(today=dt.date(2026, 11, 23)) == "计算机 村部电脑 上的 张文书 从 11月22日 08:05 起打开了它"
    assert holder.describe(today=dt.date(2026, 11, 22)).endswith("从 08:05 起打开了它")


def test_a_lock_file_deleted_by_hand_is_written_again_by_its_holder(tmp_path):
    data_file = tmp_path / "partybuild.sqlite3"
    path = lock_path(data_file)
    lock = DataFileLock.acquire(data_file, heartbeat=0.05)
    path.unlink()
    deadline = time.time() + 5
    # The holder creates the file, then writes itself into it: wait for what it writes, not the file alone.
    while not lock.still_ours() and time.time() < deadline:
        time.sleep(0.05)
    assert lock.still_ours() and not lock.lost
    lock.release()
    assert not path.exists()
