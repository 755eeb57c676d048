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


SCORE = dict(kind="number", total=False)


def _ranking(board, unit: str, title: str, sheet: str, leading: tuple[Column, ...], base: float, ranked,
             lead) -> Table:
    """A ranking: 名次, the ``leading`` columns (``lead(entry)`` fills them), 基础分, each category's score,
    总分 and the warning flag. Members and grids are ranked alike."""
    categories = board.rules.categories
    spec = TableSpec(
        title=title,
        sheet_name=sheet,
        orientation="landscape",
        unit=unit,
        date=board.as_of,
        notes=_notes(board),
        columns=(
            Column("名次", "rank", width=6, **SCORE),
            *leading,
            Column("基础分", "base", width=7, **SCORE),
            *(Column(c.name, f"cat_{c.code}", width=8, group="分类得分", **SCORE) for c in categories),
            Column("总分", "score", width=9, **SCORE),
            Column("预警", "flag", width=11, align="center"),
        ),
    )
    rows = [
        {"rank": e.rank, **lead(e), "base": base, "score": e.score, "flag": WARNING_FLAG if e.below_warning else "",
         **{f"cat_{c.code}": e.by_category.get(c.code, 0) for c in categories}}
        for e in ranked
    ]
    return Table(spec, rows)


def members_table(board, unit: str) -> Table:
    return _ranking(board, unit, f"{board.village_name}{board.period.label}党员积分明细表", "党员积分",
                    (Column("姓名", "name", width=10), Column(board.unit_label, "unit", width=14)),
                    board.rules.base_score, board.members, lambda m: {"name": m.name, "unit": m.unit_name})


def units_table(board, unit: str) -> Table:
    return _ranking(board, unit, f"{board.village_name}{board.period.label}{board.unit_label}积分明细表",
                    f"{board.unit_label}积分",
                    (Column(board.unit_label, "name", width=16), Column("党员数", "members", width=7, **SCORE)),
                    board.rules.grid_base_score, board.units, lambda u: {"name": u.name, "members": u.members})


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
