"""The writing commands respect the window's lock on the data file; the reading ones do not need it."""

import json
import os
import time
from dataclasses import asdict

from partybuild_desktop.cli import main
from partybuild_desktop.store.lock import LockHolder, STALE_AFTER, lock_path


def test_a_writing_command_is_refused_while_another_computer_has_the_file(tmp_path, capsys):
    folder = tmp_path / "村"
    folder.mkdir()
    lock = lock_path(folder / "partybuild.sqlite3")
    holder = LockHolder("村部电脑", 4242, "张文书", time.time(), None, "x" * 32)
    lock.write_text(json.dumps(asdict(holder), ensure_ascii=False), encoding="utf-8")
    assert main(["--data-dir", str(folder), "demo", "--members", "10"]) == 2
    assert "数据文件正在被使用：计算机 村部电脑 上的 张文书" in capsys.readouterr().err
    assert not (folder / "partybuild.sqlite3").exists()
    assert main(["--data-dir", str(folder), "export", "--list"]) == 0  # reading needs no lock

    old = time.time() - STALE_AFTER - 60
    os.utime(lock, (old, old))  # not renewed for long: left over from a crash there
    assert main(["--data-dir", str(folder), "demo", "--members", "10"]) == 0
    assert not lock.exists()  # taken over, then given back at the end of the command
