"""党建经费使用情况公示: the quarter's (or year's) money received and spent, posted for the members.

One ``TableSpec`` for the xlsx and the pdf: every 拨付 and 支出 of the period with its project, what it
was for and its voucher number, the period's totals; under it the year's figures to the period's end
(上年结转, 拨付 by source, 支出, 结余), how each project's budget stands, the 公示 date, and the 书记 and
经办人 signature lines. The rows come from ``services.funds.FundsStatus``; nothing here reads the
database. No personal data: who approved or handled each payment stays in the ledger, not on the notice.
"""

from __future__ import annotations

import datetime as dt

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.money import format_money
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

TITLE = "党建经费使用情况公示"
SIGNATURE = "党组织书记（签字）：____________　　　　经办人（签字）：____________"
KIND_TEXT = {"income": "拨付", "expense": "支出"}
NOTHING = "本期没有经费收支"


def _yuan(fen: int) -> str:
    return f"{format_money(fen)} 元"


def period_text(status, day: dt.date | None = None) -> str:
    """The period covered: to ``day`` when the period has not ended by then."""
    end = min(status.end, day) if day is not None and day >= status.start else status.end
    return f"{format_cn(status.start)}至{format_cn(end)}"


def figures_note(status) -> str:
    """The year's money to the period's end, in one line."""
    sources = "、".join(f"{name} {_yuan(fen)}" for name, fen in status.income_by_source.items())
    upto = f"截至{format_cn(status.end)}，" if status.quarter else ""
    return (f"经费收支：{upto}上年结转 {_yuan(status.carried_over_fen)}；{status.year}年拨付 {_yuan(status.income_fen)}"
            f"{f'（{sources}）' if sources else ''}；支出 {_yuan(status.spent_fen)}；结余 {_yuan(status.balance_fen)}。")


def budget_notes(status) -> list[str]:
    """How each project's budget stands, a line each; unbudgeted spending named as such."""
    lines = [p for p in status.projects if p.budgeted]
    if not lines:
        notes = [f"预算执行：{status.year}年尚未登记预算。"]
    else:
        notes = [f"预算执行（{status.year}年预算合计 {_yuan(status.budget_fen)}）："]
        for p in lines:
            left = f"超出预算 {_yuan(-p.balance_fen)}" if p.over_budget else f"余 {_yuan(p.balance_fen)}"
            notes.append(f"　　{p.project}：预算 {_yuan(p.budget_fen)}，已支出 {_yuan(p.spent_fen)}，{left}。")
    outside = [p for p in status.projects if not p.budgeted]
    if outside:
        names = "、".join(p.project for p in outside)
        notes.append(f"　　未列入预算的支出 {_yuan(sum(p.spent_fen for p in outside))}（{names}）。")
    return notes


def notice_rows(status) -> list[dict]:
    rows = []
    for entry in status.entries:
        if entry.kind not in KIND_TEXT:
            continue
        rows.append({
            "no": len(rows) + 1, "date": entry.date, "kind": KIND_TEXT[entry.kind],
            "project": (entry.project if entry.kind == "expense" else entry.source) or "",
            "item": entry.item, "income": entry.amount_fen if entry.kind == "income" else None,
            "expense": entry.amount_fen if entry.kind == "expense" else None, "voucher": entry.voucher_no or "",
        })
    return rows


def funds_report(status, unit: str, village: str, day: dt.date, stem: str) -> Report:
    """``status``: a ``services.funds.FundsStatus`` of the period (its ``entries`` listed)."""
    rows = notice_rows(status) or [{"item": NOTHING}]
    spec = TableSpec(
        title=f"{village}{status.title}{TITLE}",
        subtitle=f"统计期间：{period_text(status, day)}",
        unit=unit,
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("日期", "date", 11, kind="date"),
            Column("类别", "kind", 6, align="center"),
            Column("项目或来源", "project", 14, align="center"),
            Column("摘要（用途）", "item", 32),
            Column("拨付", "income", 11, kind="money", group="金额（元）"),
            Column("支出", "expense", 11, kind="money", group="金额（元）"),
            Column("凭证号", "voucher", 10, align="center"),
        ),
        totals_label="本期合计" if status.quarter else "合计",
        notes=(figures_note(status), *budget_notes(status),
               f"公示日期：{format_cn(day)}。对经费使用有疑问的，请向村党组织反映。"),
        signature=SIGNATURE,
        sheet_name="经费公示",
    )
    return Report(stem, [Table(spec, rows)])
