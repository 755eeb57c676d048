"""A second copy of the program on the same data file is told who has it open, and opens nothing."""

import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QMessageBox

from partybuild_desktop import app as app_module
from partybuild_desktop import paths
from partybuild_desktop.store.lock import lock_path, read_lock
from partybuild_desktop.ui.main_window import MainWindow
from tests.gui.conftest import ScriptedDialogs


def test_a_second_copy_is_refused_with_who_and_since_when(qtbot, data_folder, monkeypatch):
    data_file = paths.data_file(data_folder)
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from partybuild_desktop.store.lock import DataFileLock
        lock = DataFileLock.acquire(Path({str(data_file)!r}))
        print("locked", flush=True)
        sys.stdin.readline()
        lock.release()
    """)
    first = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    shown, exits = [], []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    monkeypatch.setattr(app_module.QApplication, "exit", lambda code=0: exits.append(code))
    try:
        assert first.stdout.readline().strip() == "locked"
        window = MainWindow(data_folder, ScriptedDialogs())
        qtbot.addWidget(window)
        window.show()
        app_module.start(window)
        assert exits == [2]
        assert shown[0][0] == "数据文件正在使用"
        assert shown[0][1].startswith("数据文件正在被使用：计算机 ") and "起打开了它" in shown[0][1]
        assert window.context is None and not data_file.exists()  # nothing was opened, let alone created
        assert read_lock(lock_path(data_file))[0].pid == first.pid
    finally:
        first.communicate("\n", timeout=30)


def test_the_window_holds_the_lock_and_gives_it_back(qtbot, qapp, sample_store, data_folder):
    sample_store.dispose()
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    app_module.start(window)
    qtbot.waitUntil(lambda: window.context is not None, timeout=10000)
    path = lock_path(paths.data_file(data_folder))
    holder, _ = read_lock(path)
    assert holder is not None and holder.user
    window.context.store.dispose()
    window.close()
    qapp.aboutToQuit.emit()  # what the program's end does
    assert not path.exists()


def test_the_window_is_told_when_another_program_took_the_lock_over(qtbot, data_folder, monkeypatch):
    import json
    import time
    from dataclasses import asdict

    from partybuild_desktop.store.lock import DataFileLock, LockHolder

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    lock = DataFileLock.acquire(paths.data_file(data_folder), heartbeat=0.05)
    timer = app_module.watch_lock(window, lock, interval_ms=20)
    qtbot.wait(100)
    assert shown == []  # still ours
    other = LockHolder("乡镇办公室电脑", 77, "李文书", time.time(), None, "y" * 32)
    lock.path.write_text(json.dumps(asdict(other), ensure_ascii=False), encoding="utf-8")
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[0][0] == "数据文件已被接管" and "计算机 乡镇办公室电脑 上的 李文书" in shown[0][1]
    assert not timer.isActive()
    lock.release()
    assert lock.path.exists()  # it is the other program's now
