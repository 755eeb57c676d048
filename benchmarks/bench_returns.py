"""Quarterly returns: a township's 21 village packages consolidated, against merely reading them; and one
village's whole package exported.

The villages are 21 separate data files (each village keeps its own), about 3,000 members in all, made
once and kept under benchmarks/work/returns/ with their packages for the third quarter of 2026.

Measured: ``consolidate`` taking the 21 packages into a fresh township data file (reading every file,
checking every hash and the figures, storing each package in its own transaction). Baseline, in the same
run: reading every file of the 21 packages once and parsing each return.json (target: ≤ 2×, under 3 s).
Writing the consolidated tables is timed as a reference figure. Exporting one village's whole package
(12 report files, return.json and the manifest, written safely and verified) has a target of 2 s.
Before timing, the consolidated totals are checked against the sum of the villages' own figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, WORK, Figure

sys.path.insert(0, str(ROOT))

RETURNS = WORK / "returns"
VILLAGES = 21
MEMBERS = 3000 // VILLAGES
TOWNSHIP = "城南镇"
TODAY = dt.date(2026, 11, 23)
QUARTER = "2026Q3"
CONSOLIDATE_TARGET = 2.0


def village_folders() -> list[Path]:
    """21 village data folders, made once (the demo's village names, each with its own seed)."""
    from sqlalchemy import update

    from partybuild_desktop import paths
    from partybuild_desktop.services.demo import VILLAGE_NAMES, generate
    from partybuild_desktop.store.models import Village
    from partybuild_desktop.store.schema import open_store

    base = RETURNS / "villages"
    folders = [base / f"{i:02d}" for i in range(VILLAGES)]
    if (base / "made").exists():
        return folders
    shutil.rmtree(base, ignore_errors=True)
    for index, folder in enumerate(folders):
        store = open_store(paths.data_file(folder))
        with store.session() as session:
            generate(session, villages=1, members=MEMBERS, first_village=VILLAGE_NAMES[index], seed=2026 + index,
                     today=TODAY)
            session.execute(update(Village).values(township=TOWNSHIP))
        store.dispose()
    (base / "made").write_text(dt.datetime.now().isoformat())
    return folders


def export_one(folder: Path, out: Path):
    from partybuild_desktop import paths
    from partybuild_desktop.services.returns import export_return
    from partybuild_desktop.store.schema import open_store

    store = open_store(paths.data_file(folder))
    try:
        return export_return(store, None, QUARTER, out, replace_existing=True, today=TODAY)
    finally:
        store.dispose()


def village_packages(folders: list[Path]) -> list[Path]:
    """Each village's return for the quarter, on one "stick", made once."""
    stick = RETURNS / "U盘"
    marker = stick / ".made"
    if marker.exists():
        return sorted(p for p in stick.iterdir() if p.is_dir() and not p.name.startswith("."))
    shutil.rmtree(stick, ignore_errors=True)
    stick.mkdir(parents=True)
    packages = [export_one(folder, stick).path for folder in folders]
    marker.write_text(dt.datetime.now().isoformat())
    return sorted(packages)


def read_every_file(packages: list[Path]) -> int:
    """The baseline: every file of every package read once, each return.json parsed."""
    size = 0
    for package in packages:
        for path in package.iterdir():
            data = path.read_bytes()
            size += len(data)
            if path.name == "return.json":
                json.loads(data)
    return size


def read_and_hash(packages: list[Path]) -> None:
    """A second reference: every file read once and its SHA-256 worked out, the least a check can do."""
    for package in packages:
        for path in package.iterdir():
            hashlib.sha256(path.read_bytes()).hexdigest()


def check_only(packages: list[Path]) -> None:
    """A third reference: every package read and checked as consolidating does, nothing stored."""
    from partybuild_desktop.services.returns import load_package

    for package in packages:
        load_package(package)


def empty_township(template: Path, target: Path):
    """A new township data file, open as the program holds it (connected: opening is not the work)."""
    from sqlalchemy import text

    from partybuild_desktop.store.schema import open_store

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copyfile(template, target / "partybuild.sqlite3")
    store = open_store(target / "partybuild.sqlite3")
    with store.session() as session:
        session.execute(text("SELECT 1"))
    return store


def check_sums(store, packages: list[Path]) -> None:
    """The township's totals are the sum of the villages' own figures, table by table."""
    from partybuild_desktop.domain.statistics import FIELDS, add_up
    from partybuild_desktop.services.consolidation import quarter_figures

    own = [json.loads((p / "return.json").read_text(encoding="utf-8"))["figures"] for p in packages]
    with store.session() as session:
        stored = quarter_figures(session, QUARTER)
    assert len(stored) == VILLAGES
    total = add_up([v.member_statistics for v in stored]).to_dict()
    assert total == {k: sum(o["member_statistics"][k] for o in own) for k in FIELDS}
    for key in own[0]["attachment1"]:
        assert sum(v.attachment1[key] for v in stored) == sum(o["attachment1"][key] for o in own), key


def bench(folder: Path, repeat: int) -> list[Figure]:
    from partybuild_desktop.services.consolidation import consolidate, write_consolidated
    from partybuild_desktop.store.schema import open_store

    folders = village_folders()
    packages = village_packages(folders)
    template = RETURNS / "township-empty.sqlite3"  # an empty township data file at this schema
    template.unlink(missing_ok=True)
    open_store(template).dispose()
    out = RETURNS / "汇总"
    runs: dict[str, list[float]] = {"consolidate": [], "read": [], "hash": [], "check": [], "write": [], "export": []}
    for attempt in range(max(1, repeat) + 1):  # the first round warms caches and imports, and is not counted
        store = empty_township(template, RETURNS / "township")
        try:
            start = time.perf_counter()
            result = consolidate(store, QUARTER, packages, today=TODAY)
            took = time.perf_counter() - start
            assert [p.status for p in result.packages] == ["accepted"] * VILLAGES, result.to_json()
            start = time.perf_counter()
            read_every_file(packages)
            baseline = time.perf_counter() - start
            start = time.perf_counter()
            read_and_hash(packages)
            hashed = time.perf_counter() - start
            start = time.perf_counter()
            check_only(packages)
            checked = time.perf_counter() - start
            if attempt == 0:
                check_sums(store, packages)
            start = time.perf_counter()
            write_consolidated(store, QUARTER, out, today=TODAY)
            wrote = time.perf_counter() - start
        finally:
            store.dispose()
        start = time.perf_counter()
        export_one(folders[0], RETURNS / "export")
        exported = time.perf_counter() - start
        if attempt:
            for name, value in (("consolidate", took), ("read", baseline), ("hash", hashed), ("check", checked),
                                ("write", wrote), ("export", exported)):
                runs[name].append(value)
    took, baseline, hashed, checked, wrote, exported = (
        statistics.median(runs[k]) for k in ("consolidate", "read", "hash", "check", "write", "export"))
    size = read_every_file(packages) / 1e6
    return [
        Figure(f"汇总全镇{VILLAGES}个村的季度报表包（{size:.1f} MB：核对每个文件、入库）", took, baseline, "s",
               f"≤ {CONSOLIDATE_TARGET:g}× 读一遍全部文件并解析 return.json，且 < 3 s",
               took <= CONSOLIDATE_TARGET * baseline and took < 3),
        Figure("（对照：读一遍全部文件并计算每个文件的 SHA-256）", hashed, baseline, "s", "（参考）", True),
        Figure("（对照：核对全部报表包，不入库）", checked, baseline, "s", "（参考）", True),
        Figure("写出汇总表（党员统计、附件1、各村对照，xlsx 和 pdf）", wrote, None, "s", "（参考）", True),
        Figure(f"导出一个村（约{MEMBERS}名党员）的季度报表包", exported, None, "s", "< 2 s", exported < 2),
    ]


if __name__ == "__main__":
    for figure in bench(WORK / "township", 3):
        baseline = f"{figure.baseline:.3f} {figure.unit}" if figure.baseline is not None else "—"
        print(f"{figure.name}: {figure.value:.3f} {figure.unit}, baseline {baseline}, {figure.ratio}, "
              f"target {figure.target}, met: {figure.met}")
