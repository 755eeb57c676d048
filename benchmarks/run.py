"""The performance harness: builds a township-sized data set and prints each figure beside a
baseline measured in the same run, then writes benchmarks/RESULTS.md.

    python benchmarks/run.py [--repeat N] [--keep]

Each figure is a function in FIGURES returning one or more ``Figure`` rows; later work adds its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
TOWNSHIP = dict(villages=21, members=3000)


@dataclass
class Figure:
    name: str
    value: float
    baseline: float | None
    unit: str
    target: str
    met: bool

    @property
    def ratio(self) -> str:
        return f"{self.value / self.baseline:.2f}×" if self.baseline else "—"


def _timed_process(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds from start to exit, and peak memory in MB, of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args} failed: {process.stderr.read().decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024


def township_data_set(keep: bool) -> Path:
    """One data folder holding 21 sample villages, about 3,000 members and 40,000 households."""
    folder = WORK / "township"
    marker = folder / "made"
    if keep and marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "partybuild_desktop", "--data-dir", str(folder), "demo",
         "--villages", str(TOWNSHIP["villages"]), "--members", str(TOWNSHIP["members"]), "--seed", "2026"],
        check=True, cwd=ROOT,
    )
    marker.write_text(dt.datetime.now().isoformat())
    return folder


def bench_startup(folder: Path, repeat: int) -> list[Figure]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else env.get("QT_QPA_PLATFORM", "xcb"))
    commands = {
        "shown": [sys.executable, "-m", "partybuild_desktop", "--data-dir", str(folder), "--exit-when-shown"],
        "ready": [sys.executable, str(HERE / "start_until_ready.py"), str(folder)],
        "bare": [sys.executable, str(HERE / "bare_window.py")],
    }
    for command in commands.values():  # warm the file cache for each
        _timed_process(command, env)
    runs = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved, so a busy moment hurts all alike
        for name, command in commands.items():
            runs[name].append(_timed_process(command, env))
    time_of = {name: statistics.median(t for t, _ in r) for name, r in runs.items()}
    peak_of = {name: max(m for _, m in r) for name, r in runs.items()}
    bare = time_of["bare"]
    return [
        Figure("启动到主窗口显示（--exit-when-shown，中位数）", time_of["shown"], bare, "s", "≤ 3× 空白窗口",
               time_of["shown"] <= 3 * bare),
        Figure("启动到概况数据显示（中位数）", time_of["ready"], bare, "s", "（参考）", True),
        Figure("内存峰值（概况数据显示时）", peak_of["ready"], peak_of["bare"], "MB", "≤ 250 MB", peak_of["ready"] <= 250),
    ]


FIGURES = [bench_startup]


def write_results(figures: list[Figure], notes: list[str]) -> str:
    lines = [
        "# 性能测量结果 (benchmarks/RESULTS.md)",
        "",
        f"最近一次运行：{dt.datetime.now():%Y-%m-%d %H:%M}，{platform.system()} {platform.machine()}，"
        f"Python {platform.python_version()}，{os.cpu_count()} 核。由 `bash packaging/dev.sh bench` 生成。",
        "",
        *notes,
        "",
        "| 项目 | 测得 | 同一次运行中的基线 | 比值 | 目标 | 达标 |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        baseline = f"{f.baseline:.3f} {f.unit}" if f.baseline is not None else "—"
        lines.append(f"| {f.name} | {f.value:.3f} {f.unit} | {baseline} | {f.ratio} | {f.target} | {'是' if f.met else '否'} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the data set of the last run")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    started = time.perf_counter()
    folder = township_data_set(args.keep)
    built = time.perf_counter() - started
    import sqlite3

    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("village", "member", "household", "record_entry")]
    notes = [f"数据集：{counts[0]} 个村，党员 {counts[1]} 名，农户 {counts[2]} 户，纪实 {counts[3]} 条（生成用时 {built:.1f} s）。"]
    figures = [figure for bench in FIGURES for figure in bench(folder, args.repeat)]
    report = write_results(figures, notes)
    (HERE / "RESULTS.md").write_text(report, encoding="utf-8")
    print(report)
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
