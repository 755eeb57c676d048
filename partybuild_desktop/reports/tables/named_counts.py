"""A village's quarterly-return table of counts of people with the names behind each count: one numbered
line per figure (项目, 人数, 名单). The 发展党员 and 流动党员 tables of the return use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec


def named_counts_report(title: str, subtitle: str, unit: str, day: dt.date, figures: Mapping[str, str],
                        named: Mapping[str, Sequence[str]], notes: Sequence[str], signature: str, sheet: str,
                        stem: str, item_width: int, names_width: int) -> Report:
    """``figures``: key → the line's label, in the table's order; ``named``: key → the names counted."""
    spec = TableSpec(
        title=title, subtitle=subtitle, unit=unit, date=day, signature=signature, sheet_name=sheet,
        columns=(Column("序号", "no", 5, kind="number", align="center", total=False),
                 Column("项目", "item", item_width),
                 Column("人数", "people", 8, kind="number", align="center", total=False),
                 Column("名单", "names", names_width)),
        notes=tuple(notes),
    )
    rows = [{"no": n, "item": label, "people": len(named[key]), "names": "、".join(named[key])}
            for n, (key, label) in enumerate(figures.items(), start=1)]
    return Report(stem, [Table(spec, rows)])
