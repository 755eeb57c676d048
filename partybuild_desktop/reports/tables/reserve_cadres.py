"""后备干部名册: the year's reserve cadres, with where each comes from, their strengths and the member who
trains them, and the count against the township's target. No ID numbers (the roster holds none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

TITLE = "村级后备干部名册"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"


def roster_report(rows: Sequence, unit: str, year: int, standing, day: dt.date, stem: str) -> Report:
    """``rows``: ``services.reserve_cadres.CadreRow``s; ``standing``: the year's count against the target."""
    spec = TableSpec(
        title=f"{year}年度{TITLE}", orientation="landscape", unit=unit, date=day, signature=SIGNATURE,
        sheet_name=TITLE, notes=(standing.text, "注：年龄为当年满的周岁数；“续备”为上一年度名单中继续培养的人选。"),
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name", 9, align="center"),
            Column("性别", "gender", 5, align="center"),
            Column("出生年份", "birth", 8, align="center"),
            Column("年龄", "age", 5, kind="number", align="center", total=False),
            Column("学历", "education", 10, align="center"),
            Column("联系电话", "phone", 14, kind="phone"),
            Column("来源", "source", 12, align="center"),
            Column("特长", "strengths", 26),
            Column("培养联系人", "trainer", 9, align="center"),
            Column("新选/续备", "carried", 7, align="center"),
            Column("备注", "notes", 16),
        ),
    )
    table_rows = [{
        "no": n, "name": r.name, "gender": r.gender.label if r.gender else "",
        "birth": str(r.birth_year) if r.birth_year else "", "age": r.age, "education": r.education.label if r.education else "",
        "phone": r.phone or "", "source": r.source or "", "strengths": r.strengths or "", "trainer": r.trainer,
        "carried": "续备" if r.carried else "新选", "notes": r.notes or "",
    } for n, r in enumerate(rows, start=1)]
    return Report(stem, [Table(spec, table_rows)])
