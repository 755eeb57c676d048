"""The lines of a township's side-by-side table: one per village from the figures its return carried,
shown 未报送 with blank numbers where a return did not carry them, and a 合计 line adding up those that
reported. The 三会一课 and the 党费和党建经费 summaries both use it; the summaries whose figures are all
counts (发展党员, 流动党员, 后备干部和转接) take the whole table from ``count_summary_report``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, format_cn_date

TOTAL_LABEL = "合计"
REPORTED, NOT_REPORTED = "已报送", "未报送"


def summary_rows(villages: Sequence[tuple[str, Mapping[str, int] | None]],
                 keys: Sequence[str]) -> list[dict]:
    """(village name, its figures or None) → the table's lines, ``keys`` the figures' columns, 合计 last."""
    rows = []
    reported = [counts for _, counts in villages if counts is not None]
    for name, counts in villages:
        if counts is None:
            rows.append({"village": name, "state": NOT_REPORTED})
        else:
            rows.append({"village": name, **{key: counts[key] for key in keys}, "state": REPORTED})
    total: dict = {"village": TOTAL_LABEL, "state": f"{REPORTED}{len(reported)}个"}
    if len(reported) < len(villages):
        total["state"] += f"，{NOT_REPORTED}{len(villages) - len(reported)}个"
    if reported:
        total.update({key: sum(counts[key] for counts in reported) for key in keys})
    rows.append(total)
    return rows


def period_text(start: dt.date, end: dt.date) -> str:
    return f"统计时段：{format_cn_date(start)}至{format_cn_date(end)}"


def count_summary_report(township: str, title: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                         villages: Sequence[tuple[str, Mapping[str, int] | None]], figures: Mapping[str, str],
                         notes: Sequence[str], signature: str, sheet: str, stem: str | None = None) -> Report:
    """The township's table of a section whose ``figures`` (key → column label) are counts: one line per
    village (None: a return without these figures, 未报送), 合计 last."""
    spec = TableSpec(
        title=f"{township}{title}", subtitle=period_text(start, end), orientation="landscape", unit=unit, date=day,
        notes=tuple(notes), signature=signature, sheet_name=sheet,
        columns=(Column("单位", "village", 10, align="center"),
                 *(Column(label, key, 12, kind="number", align="center") for key, label in figures.items()),
                 Column("报送情况", "state", 20, align="center")),
    )
    return Report(stem or spec.title, [Table(spec, summary_rows(villages, tuple(figures)))])
