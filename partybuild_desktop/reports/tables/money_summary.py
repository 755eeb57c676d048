"""党费和党建经费收支情况表: the quarter's dues (members owing, owed, paid, in arrears) and the branch
funds (received and spent), for the quarterly return; the township's table puts the villages side by
side with a 合计 line.

The return carries the figures ``FIGURE_KEYS`` (分 and head counts). A village whose package was written
before this table joined the return has none: its line reads 未报送 with blank numbers, never zeros.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from partybuild_desktop.domain.money import format_money
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, format_cn_date
from partybuild_desktop.reports.tables.township_rows import NOT_REPORTED, summary_rows

TITLE = "党费和党建经费收支情况表"
SHEET = "党费和经费"
SIGNATURE = "党组织书记签字：____________　　　　经办人：____________　　　　（盖章）"

# key → (label, money?)
FIGURES = {
    "dues_members": ("应交党费党员（人）", False),
    "dues_due_fen": ("应交党费（元）", True),
    "dues_paid_fen": ("实交党费（元）", True),
    "dues_in_arrears": ("欠交党费党员（人）", False),
    "funds_income_fen": ("党建经费收入（元）", True),
    "funds_spent_fen": ("党建经费支出（元）", True),
}
FIGURE_KEYS = tuple(FIGURES)
MAX_PEOPLE = 100_000
MAX_FEN = 10 ** 12  # 100 亿元: beyond it a figure is a damaged file, not money

SUMMARY_NOTES = (
    "注：1.各村数字取自各村报送的季度报表：党费为本季度各月应交、实交（按所交月份计），欠交人数为本季度有应交未交月份的党员；"
    "党建经费为本季度收入和支出。",
    f"2.“{NOT_REPORTED}”的村，其报表包由旧版程序导出，没有这张表，相应数字空缺；合计为已报送各村之和。",
)


@dataclass(frozen=True)
class QuarterMoney:
    """One village's quarter: the figures, and the funds balance for the village's own table."""

    figures: dict[str, int]
    balance_fen: int  # funds in hand at the quarter's end (carried over + received − spent)
    year_income_fen: int
    year_spent_fen: int


def check_figures(figures: Mapping[str, object]) -> dict[str, int]:
    """A return's money figures as whole numbers ≥ 0 within bounds; a ValueError names the first wrong one."""
    if not isinstance(figures, Mapping):
        raise ValueError("党费和党建经费收支情况不是一组数字")
    values = {}
    for key, (label, money) in FIGURES.items():
        if key not in figures:
            raise ValueError(f"党费和党建经费收支情况缺少“{label}”")
        value = figures[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"党费和党建经费收支情况的“{label}”不是非负整数：{value!r}")
        most = MAX_FEN if money else MAX_PEOPLE
        if value > most:
            raise ValueError(f"党费和党建经费收支情况的“{label}”为 {value}，不可能这么多")
        values[key] = value
    if values["dues_in_arrears"] > values["dues_members"]:
        raise ValueError("党费和党建经费收支情况的欠交人数多于应交人数")
    return values


def _period(start: dt.date, end: dt.date) -> str:
    return f"统计时段：{format_cn_date(start)}至{format_cn_date(end)}"


def village_report(unit: str, day: dt.date, start: dt.date, end: dt.date, money: QuarterMoney, stem: str) -> Report:
    f = money.figures
    spec = TableSpec(
        title=TITLE, subtitle=_period(start, end), unit=unit, date=day, signature=SIGNATURE, sheet_name=SHEET,
        columns=(Column("类别", "group", 10, align="center"), Column("项目", "item", 22),
                 Column("金额（元）", "amount", 14, kind="money", total=False),
                 Column("人数", "people", 8, kind="number", align="center", total=False)),
        notes=("注：党费按所交月份计入本季度；欠交人数为本季度有应交而未交月份的党员。党建经费结余为上年结转加本年收入减本年支出。",),
    )
    rows = [
        {"group": "党费", "item": "应交党费", "amount": f["dues_due_fen"], "people": f["dues_members"]},
        {"group": "党费", "item": "实交党费", "amount": f["dues_paid_fen"]},
        {"group": "党费", "item": "欠交党费", "amount": max(0, f["dues_due_fen"] - f["dues_paid_fen"]),
         "people": f["dues_in_arrears"]},
        {"group": "党建经费", "item": "本季度收入", "amount": f["funds_income_fen"]},
        {"group": "党建经费", "item": "本季度支出", "amount": f["funds_spent_fen"]},
        {"group": "党建经费", "item": "本年累计收入", "amount": money.year_income_fen},
        {"group": "党建经费", "item": "本年累计支出", "amount": money.year_spent_fen},
        {"group": "党建经费", "item": "季末结余", "amount": money.balance_fen if money.balance_fen >= 0 else None},
    ]
    if money.balance_fen < 0:
        rows[-1]["item"] = f"季末结余（超支 {format_money(-money.balance_fen)} 元）"
    return Report(stem, [Table(spec, rows)])


def summary_report(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                   villages: Sequence[tuple[str, Mapping[str, int] | None]], stem: str | None = None) -> Report:
    """The township's table: one line per village (None: a return without these figures, 未报送), 合计."""
    spec = TableSpec(
        title=f"{township}{TITLE}", subtitle=_period(start, end), orientation="landscape", unit=unit, date=day,
        notes=SUMMARY_NOTES, signature=SIGNATURE, sheet_name=SHEET,
        columns=(Column("单位", "village", 10, align="center"),
                 *(Column(label, key, 12, kind="money" if money else "number",
                          align=None if money else "center") for key, (label, money) in FIGURES.items()),
                 Column("报送情况", "state", 20, align="center")),
    )
    return Report(stem or spec.title, [Table(spec, summary_rows(villages, FIGURE_KEYS))])
