"""党费's printouts: the branch's 党费收缴登记表 (members × 12 months, with the base: it goes to the
branch and the township, never on a wall) and the 党费收缴情况公示 posted to members (names and amounts
paid only: no base, no income, no ID number).

The rows come from ``services.dues`` (``DuesYear``); nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt

from partybuild_desktop.domain.dues import month_text
from partybuild_desktop.domain.money import format_money
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

REGISTER_TITLE = "党费收缴登记表"
NOTICE_TITLE = "党费收缴情况公示"
SIGNATURE = "党组织书记签字：____________　　　　收缴人：____________　　　　（盖章）"
NOTICE_SIGNATURE = "公示期间如有异议，请向村党组织反映。"


def _months(group: str) -> list[Column]:
    return [Column(f"{m}月", f"m{m}", 7, kind="money", group=group) for m in range(1, 13)]


def register_report(year, unit: str, day: dt.date, stem: str) -> Report:
    """``year``: a ``services.dues.DuesYear``. A month owed and not paid is left blank; a month not owed
    (before joining, after leaving, not assessed) shows 一."""
    spec = TableSpec(
        title=f"{year.year}年度{REGISTER_TITLE}", sheet_name=REGISTER_TITLE, unit=unit, date=day,
        orientation="landscape", paper="A3", totals_label="合计", signature=SIGNATURE, repeat_columns=2,
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name", 9, align="center"),
            Column("党小组", "party_group", 10, align="center"),
            Column("类别", "kind", 7, align="center"),
            Column("缴费基数（元）", "base", 10, kind="money", total=False),
            Column("月缴纳额（元）", "monthly", 9, kind="money", total=False),
            *_months("各月交纳（元）"),
            Column("应交（元）", "due", 9, kind="money"),
            Column("已交（元）", "paid", 9, kind="money"),
            Column("欠交月数", "arrears", 6, kind="number", align="center"),
        ),
        notes=(f"注：各月为当月实际交纳的金额，空白为应交未交，“—”为当月不需交纳（入党前、转出后或未核定）；"
               f"应交、已交、欠交月数算到{month_text(year.as_of)}。按中组发〔2008〕3号文件规定计算。",),
    )
    rows = []
    for n, r in enumerate(year.rows, start=1):
        row = {"no": n, "name": r.name, "party_group": r.party_group, "kind": r.kind.label if r.kind else "未核定",
               "base": r.base_fen, "monthly": r.monthly_fen if r.kind else None, "due": r.due_fen, "paid": r.paid_fen,
               "arrears": r.arrears_months or None}
        for cell in r.months:
            row[f"m{cell.month}"] = cell.paid_fen if cell.paid_fen is not None else ("—" if cell.due_fen is None else None)
        rows.append(row)
    return Report(stem, [Table(spec, rows)])


def notice_report(year, unit: str, day: dt.date, stem: str) -> Report:
    """The posted notice: each member's amount paid by quarter and in the year, nothing about incomes."""
    totals = year.totals
    spec = TableSpec(
        title=f"{year.year}年度{NOTICE_TITLE}", sheet_name=NOTICE_TITLE, unit=unit, date=day, totals_label="合计",
        signature=NOTICE_SIGNATURE,
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name", 10, align="center"),
            Column("党小组", "party_group", 11, align="center"),
            *[Column(f"第{'一二三四'[q - 1]}季度", f"q{q}", 10, kind="money", group="交纳党费（元）") for q in (1, 2, 3, 4)],
            Column("全年合计（元）", "paid", 12, kind="money"),
        ),
        notes=(f"截至{month_text(year.as_of)}，{totals['members']} 名党员应交党费 {format_money(totals['due_fen'])} 元，"
               f"实交 {format_money(totals['paid_fen'])} 元。党费收缴、使用和管理情况每年向党员公布一次。",),
    )
    rows = []
    for n, r in enumerate(year.rows, start=1):
        quarters = {f"q{q}": sum(c.paid_fen or 0 for c in r.months if (c.month - 1) // 3 + 1 == q) for q in (1, 2, 3, 4)}
        rows.append({"no": n, "name": r.name, "party_group": r.party_group, **quarters, "paid": r.paid_in_year_fen})
    return Report(stem, [Table(spec, rows)])
