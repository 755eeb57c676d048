"""Points board: a year's board recomputed for 3,000 members with 10 record-book entries a month each,
against one plain SQL aggregate over the same entries (target: ≤ 3× and under 1 s)."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, WORK, Figure

MEMBERS = 3000
ENTRIES_PER_MONTH = 10
# Baselines: one plain aggregate over the entries. "year" reads exactly the board's entries (the year so
# far) through the same covering index the board uses (left to itself SQLite's planner takes the date
# index and reads the table row by row, several times slower: no fair yardstick). "all" is the plain
# query over the whole table (a few more entries: last year's months too), reported for reference.
BASELINE_SQL = {
    "year": "SELECT member_id, entry_type, count(*), sum(hours) FROM record_entry INDEXED BY ix_record_entry_points "
            "WHERE date BETWEEN ? AND ? GROUP BY 1, 2",
    "all": "SELECT member_id, entry_type, count(*), sum(hours) FROM record_entry GROUP BY 1, 2",
}

def data_set() -> Path:
    """One village of 3,000 members with a year of entries; made once and kept (the marker says so)."""
    folder = WORK / "points"
    marker = folder / "made"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "partybuild_desktop", "--data-dir", str(folder), "demo", "--villages", "1",
         "--members", str(MEMBERS), "--entries-per-month", str(ENTRIES_PER_MONTH), "--seed", "2026"],
        check=True, cwd=ROOT,
    )
    marker.write_text(dt.datetime.now().isoformat())
    return folder


def bench(folder: Path, repeat: int) -> list[Figure]:
    from partybuild_desktop.services.points import board
    from partybuild_desktop.services.village import current_village
    from partybuild_desktop.store.schema import open_store

    store = open_store(data_set() / "partybuild.sqlite3")
    today = dt.date.today()
    year = today.year
    bounds = (dt.date(year, 1, 1).isoformat(), today.isoformat())
    try:
        with store.session() as session:
            village_id = current_village(session).id
            entries = session.connection().exec_driver_sql(
                "SELECT count(*) FROM record_entry WHERE date BETWEEN ? AND ?", bounds).scalar()
            assert "ix_record_entry_points" in str(session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + BASELINE_SQL["year"], bounds).fetchall())

        def baseline(which: str) -> float:
            with store.session() as session:
                connection = session.connection()
                start = time.perf_counter()
                connection.exec_driver_sql(BASELINE_SQL[which], bounds if which == "year" else ()).fetchall()
                return time.perf_counter() - start

        def recompute() -> float:
            with store.session() as session:
                start = time.perf_counter()
                result = board(session, village_id, year, as_of=today)
                elapsed = time.perf_counter() - start
            if len(result.members) < MEMBERS * 0.95:
                raise RuntimeError(f"board of {len(result.members)} members, expected about {MEMBERS}")
            return elapsed

        baseline("year"), baseline("all"), recompute()  # warm the page cache and the imports
        plain: dict[str, list[float]] = {"year": [], "all": []}
        boards = []
        for _ in range(repeat):  # interleaved, so a busy moment hurts all alike
            for which in plain:
                plain[which].append(baseline(which))
            boards.append(recompute())
    finally:
        store.dispose()
    same, everything = statistics.median(plain["year"]), statistics.median(plain["all"])
    whole = statistics.median(boards)
    return [
        Figure(f"先锋榜全年重算（{MEMBERS} 名党员、{entries} 条纪实，中位数）", whole, same, "s",
               "≤ 3× 同一批纪实的 SQL 汇总，且 < 1 s", whole <= 3 * same and whole < 1.0),
        Figure("先锋榜全年重算，对比全表 SQL 汇总（不按年度筛选）", whole, everything, "s", "（参考）", True),
    ]


if __name__ == "__main__":  # python benchmarks/bench_points.py [repeat]
    for figure in bench(WORK, int(sys.argv[1]) if len(sys.argv) > 1 else 7):
        print(f"{figure.name}: {figure.value:.3f} {figure.unit}, baseline {figure.baseline:.3f} {figure.unit}, "
              f"{figure.ratio}, {'met' if figure.met else 'MISSED'} ({figure.target})")
