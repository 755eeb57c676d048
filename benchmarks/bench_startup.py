"""Start-up: the window shown, and the overview shown with its data, against a bare Qt window."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from common import HERE, Figure, timed_process


def bench(folder: Path, repeat: int) -> list[Figure]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else env.get("QT_QPA_PLATFORM", "xcb"))
    commands = {
        "shown": [sys.executable, "-m", "partybuild_desktop", "--data-dir", str(folder), "--exit-when-shown"],
        "ready": [sys.executable, str(HERE / "start_until_ready.py"), str(folder)],
        "bare": [sys.executable, str(HERE / "bare_window.py")],
    }
    for command in commands.values():  # warm the file cache for each
        timed_process(command, env)
    runs = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved, so a busy moment hurts all alike
        for name, command in commands.items():
            runs[name].append(timed_process(command, env))
    time_of = {name: statistics.median(t for t, _ in r) for name, r in runs.items()}
    peak_of = {name: max(m for _, m in r) for name, r in runs.items()}
    bare = time_of["bare"]
    return [
        Figure("启动到主窗口显示（--exit-when-shown，中位数）", time_of["shown"], bare, "s", "≤ 3× 空白窗口",
               time_of["shown"] <= 3 * bare),
        Figure("启动到概况数据显示（中位数）", time_of["ready"], bare, "s", "（参考）", True),
        Figure("内存峰值（概况数据显示时）", peak_of["ready"], peak_of["bare"], "MB", "≤ 250 MB", peak_of["ready"] <= 250),
    ]
