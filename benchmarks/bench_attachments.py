"""Seed 002's four attachments (附件1–4) as Excel for every village of the township, against writing the
same cells with openpyxl's write-only mode (target: ≤ 2×).

The measured run is what the clerk's export does for each village and attachment: the data read from the
data file, the table built, the workbook written with styles, merges and print setup, saved safely
(temporary file, fsync, rename) and read back for its hash.

The baseline writes the very same cells, taken beforehand (outside the clock) from the files the export
wrote: each cell's value with its font, alignment, border and number format, the merged ranges, row
heights and column widths, one workbook per attachment, in write-only mode, each distinct style set once
and copied to the other cells that share it. A second, reference figure writes the cell values alone,
unstyled: the least any writer could do, though not the same cells.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import sys
import time
from copy import copy
from pathlib import Path

from common import ROOT, WORK, Figure

sys.path.insert(0, str(ROOT))

ATTACHMENTS = ("stats", "roster-committee", "roster-hubs", "roster-members")
TODAY = dt.date(2026, 11, 23)
TARGET = 2.0


def _villages(store) -> list[int]:
    from partybuild_desktop.services.village import list_villages

    with store.session() as session:
        return [v.id for v in list_villages(session)]


def _export_all(store, villages: list[int], out: Path) -> list[Path]:
    """Every attachment of every village through the export catalogue."""
    from partybuild_desktop.services.exports import ExportOptions, export

    options = ExportOptions(today=TODAY, year=TODAY.year)
    paths = []
    for village_id in villages:
        for name in ATTACHMENTS:
            paths.append(export(store, village_id, name, out / f"{village_id}-{name}.xlsx", options).path)
    return paths


def _sheet_contents(paths: list[Path]) -> list[dict]:
    """What each written sheet holds: rows of (value, style key), the styles, merges, heights, widths."""
    from openpyxl import load_workbook

    sheets = []
    for path in paths:
        ws = load_workbook(path).active
        styles: dict[tuple, tuple] = {}
        rows = []
        for row in ws.iter_rows():
            line = []
            for cell in row:
                if cell.value is None and not cell.has_style:
                    line.append(None)
                    continue
                key = tuple(cell._style)  # the loaded workbook's style indexes: one key per distinct style
                if key not in styles:
                    styles[key] = (copy(cell.font), copy(cell.alignment), copy(cell.border), cell.number_format)
                line.append((cell.value, key))
            rows.append(line)
        sheets.append(dict(
            title=ws.title, rows=rows, styles=styles,
            merges=[str(r) for r in ws.merged_cells.ranges],
            heights={i: d.height for i, d in ws.row_dimensions.items() if d.height},
            widths={k: d.width for k, d in ws.column_dimensions.items() if d.width},
            values=[[c[0] if c else None for c in line] for line in rows],
        ))
    return sheets


def _write_styled(sheets: list[dict], out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    for index, sheet in enumerate(sheets):
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet["title"])
        for letter, width in sheet["widths"].items():
            ws.column_dimensions[letter].width = width
        for number, height in sheet["heights"].items():
            ws.row_dimensions[number].height = height
        for merged in sheet["merges"]:
            ws.merged_cells.add(merged)
        arrays: dict[tuple, object] = {}
        for line in sheet["rows"]:
            cells = []
            for item in line:
                if item is None:
                    cells.append(None)
                    continue
                value, key = item
                cell = WriteOnlyCell(ws, value)
                known = arrays.get(key)
                if known is None:
                    cell.font, cell.alignment, cell.border, cell.number_format = sheet["styles"][key]
                    arrays[key] = copy(cell._style)
                else:
                    cell._style = copy(known)
                cells.append(cell)
            ws.append(cells)
        book.save(out / f"{index}.xlsx")


def _write_values(sheets: list[dict], out: Path) -> None:
    from openpyxl import Workbook

    for index, sheet in enumerate(sheets):
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet["title"])
        for line in sheet["values"]:
            ws.append(line)
        book.save(out / f"{index}.xlsx")


def bench(folder: Path, repeat: int) -> list[Figure]:
    from partybuild_desktop.store.schema import open_store

    dirs = ours_dir, styled_dir, values_dir = (WORK / "attachments", WORK / "attachments_styled",
                                               WORK / "attachments_values")
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    store = open_store(folder / "partybuild.sqlite3")
    try:
        villages = _villages(store)
        paths = _export_all(store, villages, ours_dir)  # also warms caches and imports
        sheets = _sheet_contents(paths)
        _write_styled(sheets, styled_dir)
        _write_values(sheets, values_dir)
        runs: dict[str, list[float]] = {"ours": [], "styled": [], "values": []}
        for _ in range(max(1, repeat)):  # interleaved, so a busy moment hurts all alike
            for name, work in (("ours", lambda: _export_all(store, villages, ours_dir)),
                               ("styled", lambda: _write_styled(sheets, styled_dir)),
                               ("values", lambda: _write_values(sheets, values_dir))):
                start = time.perf_counter()
                work()
                runs[name].append(time.perf_counter() - start)
    finally:
        store.dispose()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    ours, styled, values = (statistics.median(runs[k]) for k in ("ours", "styled", "values"))
    name = f"附件1–4（Excel）全镇{len(villages)}个村共{len(paths)}个文件"
    return [
        Figure(name, ours, styled, "s", f"≤ {TARGET:g}× 只写模式写同样的单元格（值和格式）", ours <= TARGET * styled),
        Figure(f"{name}（对照：只写模式只写值，不带格式）", ours, values, "s", "（参考）", True),
    ]


if __name__ == "__main__":
    for figure in bench(WORK / "township", 3):
        print(f"{figure.name}: {figure.value:.3f} {figure.unit}, baseline {figure.baseline:.3f} {figure.unit}, "
              f"{figure.ratio}, target {figure.target}, met: {figure.met}")
