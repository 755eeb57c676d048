"""The performance harness: builds a township-sized data set and prints each figure beside a
baseline measured in the same run, then writes benchmarks/RESULTS.md.

    python benchmarks/run.py [--repeat N] [--keep]

Each figure is a ``bench(folder, repeat) -> list[Figure]`` function listed in FIGURES; a topic's
benchmarks live in their own ``bench_<topic>.py`` beside this file, and each topic runs in a child
process of its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_attachments  # noqa: E402
import bench_cards  # noqa: E402
import bench_dues  # noqa: E402
import bench_import  # noqa: E402
import bench_meetings  # noqa: E402
import bench_points  # noqa: E402
import bench_recruitment  # noqa: E402
import bench_refresh  # noqa: E402
import bench_returns  # noqa: E402
import bench_search  # noqa: E402
import bench_startup  # noqa: E402
from common import HERE, ROOT, WORK, Figure  # noqa: E402

TOWNSHIP = dict(villages=21, members=3000)


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


# Each topic's benchmarks: bench_<topic>.bench(folder, repeat) -> list[Figure].
FIGURES = [bench_startup.bench, bench_search.bench, bench_refresh.bench, bench_import.bench, bench_cards.bench,
           bench_points.bench, bench_attachments.bench, bench_returns.bench, bench_meetings.bench,
           bench_dues.bench, bench_recruitment.bench]
TOPICS = {bench.__module__: bench for bench in FIGURES}
FIGURES_LINE = "FIGURES "


def run_topic(name: str, folder: Path, repeat: int) -> list[Figure]:
    """One topic in a child process of its own, as a clerk runs one task in a fresh program: what an
    earlier topic left in memory (20,000 members in a table, say) cannot slow a later one."""
    result = subprocess.run([sys.executable, __file__, "--topic", name, "--folder", str(folder), "--repeat", str(repeat)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    line = next(line for line in reversed(result.stdout.splitlines()) if line.startswith(FIGURES_LINE))
    return [Figure(**figure) for figure in json.loads(line[len(FIGURES_LINE):])]



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
    parser.add_argument("--topic", choices=sorted(TOPICS), help=argparse.SUPPRESS)  # the child's part
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.topic:
        figures = TOPICS[args.topic](args.folder, args.repeat)
        print(FIGURES_LINE + json.dumps([dataclasses.asdict(f) for f in figures], ensure_ascii=False))
        return 0
    WORK.mkdir(exist_ok=True)
    started = time.perf_counter()
    folder = township_data_set(args.keep)
    built = time.perf_counter() - started

    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("village", "member", "household", "record_entry")]
    made = "沿用上次生成的数据" if args.keep and built < 1 else f"生成用时 {built:.1f} s"
    notes = [f"数据集：{counts[0]} 个村，党员 {counts[1]} 名，农户 {counts[2]} 户，纪实 {counts[3]} 条（{made}）。"]
    figures = [figure for name in TOPICS for figure in run_topic(name, folder, args.repeat)]
    report = write_results(figures, notes)
    (HERE / "RESULTS.md").write_text(report, encoding="utf-8")
    print(report)
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter teardown: Qt objects a topic's benchmarks made can crash it.
    os._exit(code)
