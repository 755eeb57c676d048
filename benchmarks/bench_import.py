"""Members import: a 3,000-row 党员花名册 (the township's members, exported) previewed and imported into a
fresh, empty data file, against reading the same file with python-calamine alone (target: ≤ 3×)."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from common import WORK, Figure

ROWS = 3000


def _make_roster(folder: Path, path: Path) -> int:
    """The members of every village in ``folder`` as one 党员花名册 sheet; returns the number of rows."""
    import datetime as dt

    from partybuild_desktop.reports.tables.members import members_report
    from partybuild_desktop.reports.xlsx_writer import write_xlsx
    from partybuild_desktop.services.member_import import member_register
    from partybuild_desktop.services.village import list_villages
    from partybuild_desktop.store.schema import open_store

    store = open_store(folder / "partybuild.sqlite3")
    try:
        with store.session() as session:
            rows = [row for village in list_villages(session) for row in member_register(session, village.id)]
    finally:
        store.dispose()
    rows = [dict(row, serial=number) for number, row in enumerate(rows[:ROWS], start=1)]
    write_xlsx(members_report("全镇", "全镇党员", rows, dt.date.today()), path)
    return len(rows)


def _read_with_calamine(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return time.perf_counter() - start


def _import_into_fresh_file(path: Path, folder: Path) -> float:
    """Seconds for preview + apply + commit; creating the empty data file is not counted."""
    from partybuild_desktop.domain.vocabulary import BranchType
    from partybuild_desktop.services.member_import import apply_import, preview_import
    from partybuild_desktop.services.village import create_village
    from partybuild_desktop.store.schema import open_store

    shutil.rmtree(folder, ignore_errors=True)
    store = open_store(folder / "partybuild.sqlite3")
    try:
        with store.session() as session:
            village = create_village(session, "白马镇", "新建村", BranchType.BRANCH, "书记")
        start = time.perf_counter()
        with store.session() as session:
            preview = preview_import(session, village.id, path)
            outcome = apply_import(session, village.id, preview)
        elapsed = time.perf_counter() - start
    finally:
        store.dispose()
    if outcome.imported != len(preview.rows) or preview.refused:
        raise RuntimeError(f"import of {path} refused rows: {preview.problem_lists()[0][:3]}")
    return elapsed


def bench(folder: Path, repeat: int) -> list[Figure]:
    roster = WORK / "import_roster.xlsx"
    target = WORK / "import_target"
    rows = _make_roster(folder, roster)
    _read_with_calamine(roster)  # warm the file cache and the imports
    _import_into_fresh_file(roster, target)
    reads, imports = [], []
    for _ in range(repeat):  # interleaved, so a busy moment hurts both alike
        reads.append(_read_with_calamine(roster))
        imports.append(_import_into_fresh_file(roster, target))
    shutil.rmtree(target, ignore_errors=True)
    read, imported = statistics.median(reads), statistics.median(imports)
    return [
        Figure(f"导入 {rows} 行党员花名册（预览 + 写入，中位数）", imported, read, "s",
               "≤ 3× python-calamine 单纯读取", imported <= 3 * read),
    ]
