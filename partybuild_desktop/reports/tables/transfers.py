"""党员组织关系转接登记簿 (the year's transfers out and in) and 后备干部和党员组织关系转接情况表 (the
quarterly return's figures: the reserve cadres of the year, and the quarter's transfers), with the
township's table putting the villages side by side and a 合计 line.

The register names no ID numbers. A village whose package was written before this table joined the
return has no figures for it: its line reads 未报送 with blank numbers, never zeros.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec
from partybuild_desktop.reports.tables.township_rows import NOT_REPORTED, count_summary_report, period_text

REGISTER_TITLE = "党员组织关系转接登记簿"
TITLE = "后备干部和党员组织关系转接情况表"
SHEET = "后备干部和转接"
SIGNATURE = "党组织书记签字：____________　　　　经办人：____________　　　　（盖章）"

FIGURES = {
    "reserve_cadres": "后备干部（人）",
    "transfers_out": "开出转出介绍信（份）",
    "receipts_received": "收到回执（份）",
    "transfers_in": "转入党员（人）",
    "receipts_missing": "逾期未收到回执（份）",
}
FIGURE_KEYS = tuple(FIGURES)
MAX_COUNT = 100_000

SUMMARY_NOTES = (
    "注：1.后备干部为各村本年度后备干部名单的人数；介绍信、回执、转入为本季度的份数和人数；"
    "逾期未收到回执为季末已过有效期仍未收到回执的介绍信。",
    f"2.“{NOT_REPORTED}”的村，其报表包由旧版程序导出，没有这张表，相应数字空缺；合计为已报送各村之和。",
)


def check_figures(figures: Mapping[str, object]) -> dict[str, int]:
    """A return's figures of this table as whole numbers ≥ 0; a ValueError names the first wrong one."""
    if not isinstance(figures, Mapping):
        raise ValueError(f"{TITLE}不是一组数字")
    values = {}
    for key, label in FIGURES.items():
        if key not in figures:
            raise ValueError(f"{TITLE}缺少“{label}”")
        value = figures[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise ValueError(f"{TITLE}的“{label}”不是合理的非负整数：{value!r}")
        values[key] = value
    return values


def _month(month) -> str:
    return f"{month[0]}年{month[1]}月" if month else ""


def register_report(rows: Sequence, unit: str, year: int, day: dt.date, stem: str) -> Report:
    """``rows``: ``services.transfers.TransferRow``s, oldest first."""
    out = [r for r in rows if r.direction == "out"]
    notes = (
        f"本年度转出 {len(out)} 名（已收到回执 {sum(1 for r in out if r.receipt_on)} 份，"
        f"逾期未收到回执 {sum(1 for r in out if r.receipt_missing)} 份），转入 {len(rows) - len(out)} 名。",
        "注：转出党员在收到回执之前仍由本支部管理；有效期自开出介绍信的次日起计算，最后一天收到回执的为按期。",
    )
    spec = TableSpec(
        title=f"{year}年度{REGISTER_TITLE}", orientation="landscape", unit=unit, date=day, notes=notes,
        signature=SIGNATURE, sheet_name=REGISTER_TITLE,
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("转出/转入", "direction", 8, align="center"),
            Column("姓名", "name", 9, align="center"),
            Column("人员类别", "standing", 9, align="center"),
            Column("转往或转自的党组织", "organisation", 34),
            Column("介绍信编号", "letter", 11, align="center"),
            Column("日期", "date", 11, kind="date"),
            Column("有效期（天）", "valid", 7, kind="number", align="center", total=False),
            Column("有效期至", "expires", 11, kind="date"),
            Column("党费交至", "dues", 10, align="center"),
            Column("回执收到日期", "receipt", 11, kind="date"),
            Column("状态", "state", 14, align="center"),
        ),
    )
    table_rows = [{
        "no": n, "direction": "转出" if r.direction == "out" else "转入", "name": r.name, "standing": r.standing.label,
        "organisation": r.organisation, "letter": r.letter_no or "", "date": r.date, "valid": r.valid_days,
        "expires": r.expires_on, "dues": _month(r.dues_paid_to), "receipt": r.receipt_on, "state": r.state,
    } for n, r in enumerate(rows, start=1)]
    return Report(stem, [Table(spec, table_rows)])


def village_report(unit: str, day: dt.date, start: dt.date, end: dt.date, figures: Mapping[str, int],
                   target: int, stem: str) -> Report:
    """One village's quarter: each figure on a line, the reserve cadres against the target."""
    spec = TableSpec(
        title=TITLE, subtitle=period_text(start, end), unit=unit, date=day, signature=SIGNATURE, sheet_name=SHEET,
        columns=(Column("项目", "item", 30), Column("数量", "count", 10, kind="number", align="center", total=False),
                 Column("说明", "note", 30)),
        notes=(f"注：后备干部为{start.year}年度名单的人数，镇里要求每村不少于 {target} 名；其余为本季度的份数和人数。",),
    )
    short = max(0, target - figures["reserve_cadres"])
    notes = {"reserve_cadres": f"目标 {target} 名，" + (f"还差 {short} 名" if short else "已达到"),
             "receipts_missing": f"截至{format_cn(end)}" if figures["receipts_missing"] else ""}
    rows = [{"item": label, "count": figures[key], "note": notes.get(key, "")} for key, label in FIGURES.items()]
    return Report(stem, [Table(spec, rows)])


def summary_report(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                   villages: Sequence[tuple[str, Mapping[str, int] | None]], stem: str | None = None) -> Report:
    """The township's table: one line per village (None: a return without these figures, 未报送), 合计."""
    return count_summary_report(township, TITLE, unit, day, start, end, villages, FIGURES, SUMMARY_NOTES, SIGNATURE,
                                SHEET, stem)
