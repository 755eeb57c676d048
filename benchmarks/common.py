"""What every benchmark shares: the figure it reports and how a child process is timed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"


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


def timed_process(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds from start to exit, and peak memory in MB, of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args} failed: {process.stderr.read().decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024




def demo_data_set(name: str, *demo_args: str) -> Path:
    """A sample data folder made once by ``demo DEMO_ARGS…`` and kept in ``benchmarks/work/NAME``."""
    folder = WORK / name
    if not (folder / "made").exists():
        subprocess.run([sys.executable, "-m", "partybuild_desktop", "--data-dir", str(folder), "demo", *demo_args],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        (folder / "made").write_text("yes")
    return folder
