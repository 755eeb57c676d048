"""党建先锋榜积分明细表 (xlsx): every member's score by category, rank and warning flag; the grids'
(or grid branches') scores; and the rules they were scored with. For the branch's own use: the public
board is ``reports.points_board``. No ID numbers or phones here either."""

from __future__ import annotations

from partybuild_desktop.domain.points import Scope, format_points
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

TITLE = "党建先锋榜积分明细表"
WARNING_FLAG = "低于预警线"


def _notes(board) -> tuple[str, ...]:
    rules = board.rules
    state = "（已结账）" if board.closed else f"（截至{board.period.end:%Y年%m月%d日}）"
    return (
        f"注：依据《{rules.name}》{state}。党员基础分 {format_points(rules.base_score)} 分，"
        f"{board.unit_label}基础分 {format_points(rules.grid_base_score)} 分，预警线 {format_points(rules.warning_line)} 分；"
        "分类得分为各项加减分（已按全年封顶计）。总分相同者名次并列，其后名次顺延。",
    )


def members_table(board, unit: str) -> Table:
    categories = board.rules.categories
    score = dict(kind="number", total=False)
    spec = TableSpec(
        title=f"{board.village_name}{board.period.label}党员积分明细表",
        sheet_name="党员积分",
        orientation="landscape",
        unit=unit,
        date=board.as_of,
        notes=_notes(board),
        columns=(
            Column("名次", "rank", width=6, **score),
            Column("姓名", "name", width=10),
            Column(board.unit_label, "unit", width=14),
            Column("基础分", "base", width=7, **score),
            *(Column(c.name, f"cat_{c.code}", width=8, group="分类得分", **score) for c in categories),
            Column("总分", "score", width=9, **score),
            Column("预警", "flag", width=11, align="center"),
        ),
    )
    rows = [
        {"rank": m.rank, "name": m.name, "unit": m.unit_name, "base": board.rules.base_score, "score": m.score,
         "flag": WARNING_FLAG if m.below_warning else "",
         **{f"cat_{c.code}": m.by_category.get(c.code, 0) for c in categories}}
        for m in board.members
    ]
    return Table(spec, rows)


def units_table(board, unit: str) -> Table:
    categories = board.rules.categories
    score = dict(kind="number", total=False)
    spec = TableSpec(
        title=f"{board.village_name}{board.period.label}{board.unit_label}积分明细表",
        sheet_name=f"{board.unit_label}积分",
        orientation="landscape",
        unit=unit,
        date=board.as_of,
        notes=_notes(board),
        columns=(
            Column("名次", "rank", width=6, **score),
            Column(board.unit_label, "name", width=16),
            Column("党员数", "members", width=7, **score),
            Column("基础分", "base", width=7, **score),
            *(Column(c.name, f"cat_{c.code}", width=8, group="分类得分", **score) for c in categories),
            Column("总分", "score", width=9, **score),
            Column("预警", "flag", width=11, align="center"),
        ),
    )
    rows = [
        {"rank": u.rank, "name": u.name, "members": u.members, "base": board.rules.grid_base_score,
         "score": u.score, "flag": WARNING_FLAG if u.below_warning else "",
         **{f"cat_{c.code}": u.by_category.get(c.code, 0) for c in categories}}
        for u in board.units
    ]
    return Table(spec, rows)


def rules_table(rules, unit: str) -> Table:
    """The rules as a table: what each item counts and is worth."""
    spec = TableSpec(
        title=rules.name,
        sheet_name="积分办法",
        orientation="landscape",
        unit=unit,
        notes=(rules.note,) if rules.note else (),
        columns=(
            Column("类别", "category", width=10),
            Column("项目", "name", width=30),
            Column("计分方式", "unit", width=18),
            Column("分值", "points", width=7, kind="number", total=False),
            Column("全年封顶", "cap", width=8, kind="number", total=False),
            Column("适用对象", "applies_to", width=16),
            Column("网格分值", "grid_points", width=8, kind="number", total=False),
            Column("网格封顶", "grid_cap", width=8, kind="number", total=False),
            Column("说明", "note", width=36),
        ),
    )
    rows = []
    for item in rules.items:
        grid = item.applies(Scope.GRID)
        unit_text = item.unit.label
        if item.entry_types:
            unit_text += "（" + "、".join(t.label for t in item.entry_types) + "）"
        if item.threshold is not None:
            unit_text += f"（应学 {format_points(item.threshold)} 学时）"
        rows.append({
            "category": rules.category(item.category).name, "name": item.name, "unit": unit_text,
            "points": item.points, "cap": item.cap, "applies_to": item.applies_to.label,
            "grid_points": item.points_for(Scope.GRID) if grid else None,
            "grid_cap": item.cap_for(Scope.GRID) if grid else None,
            "note": item.note,
        })
    return Table(spec, rows)


def points_detail_report(board, unit: str) -> Report:
    """``board`` is a ``services.points.Board``; ``unit`` the branch's name (填报单位)."""
    return Report(
        stem=f"{board.village_name}{board.period.label}{TITLE}",
        tables=[members_table(board, unit), units_table(board, unit), rules_table(board.rules, unit)],
    )
