"""党内统计年报: 发展党员情况 and 预备党员转正情况 (``annual-recruitment``), for one village and one year.

Counted from the same data as the recruitment ledger and the quarterly return's 发展党员工作情况统计表: a
person made through a case counts as 发展 on its ⑰ 上级党委审批 and as 转正 on its ㉔; a 预备党员 entered
directly in the member list counts on their 入党 and 转正 dates (``services.recruitment.annual_people``,
counted by ``domain.recruitment``).

- 发展党员情况（一）: the total, gender, ethnicity, education, category and 35岁及以下 at acceptance.
- 发展党员情况（二）: the age when accepted, in the member statistics' bands (30及以下 … 61及以上).
- 预备党员转正情况: 转为正式党员 (按期, after an extension), 延长预备期 decided in the year, and the 预备党员
  on the register at the period's end, with those whose probation had ended with no 转正 discussed.
- 名单: each person counted, so the clerk can check every figure before signing.

Each table is one line per unit, so a township's consolidation can add lines under it. Every breakdown
adds up to its total; an "未填" column appears only when someone has that item blank. No ID number,
birth date, phone number or address is printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from partybuild_desktop.domain import recruitment as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.statistics import age_at
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, format_cn_date

TITLE = "发展党员和预备党员转正情况统计表"  # the report; the file title
NEWCOMERS_TITLE = "发展党员情况"
PROBATION_TITLE = "预备党员转正情况"
LIST_TITLE = "发展党员和预备党员转正名单"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"
UNKNOWN = "未填"

NEWCOMER_NOTES = (
    "注：1.发展党员按上级党委审批接收为预备党员的日期计入（发展党员台账第17步，与季度报表相同）；党员名册中直接登记、"
    "没有发展党员台账的，按入党时间计入；组织关系转入的党员不计。",
    "2.入党时年龄按支部党员大会接收之日计算；性别、民族、学历、党员类别、年龄各项之和都等于发展党员总数，"
    f"“{UNKNOWN}”为党员名册中没有填写该项的人。",
)
PROBATION_NOTES = (
    "注：1.转为正式党员按上级党委审批转正的日期计入（发展党员台账第24步）；没有台账的按党员名册中的转正日期计入。"
    "“按期转正”指预备期没有延长；“延长预备期后转正”指延长预备期期满后转正。",
    "2.延长预备期按支部党员大会作出决定的日期计入；统计时段末预备党员为那一天仍在册的预备党员，"
    "其中“预备期满未讨论转正”指预备期（含延长的预备期）已满、还没有召开支部党员大会讨论转正的。",
    "3.本程序不登记取消预备党员资格，如有，请另行填报。",
)
LIST_NOTES = ("注：名单供核对上面各表的数字，一人可能列在几项下（如本年延长预备期、统计时段末仍为预备党员）。",)

COUNT_WIDTH = 6.5
TOTAL_WIDTH = 8
UNIT_WIDTH = 11

# The 转正 table's columns: key → (group, header).
PROBATION_COLUMNS: dict[str, tuple[str | None, str]] = {
    "confirmed": ("转为正式党员", "合计"),
    "on_time": ("转为正式党员", "按期转正"),
    "after_extension": ("转为正式党员", "延长预备期后转正"),
    "extended": (None, "延长预备期"),
    "at_end": ("统计时段末预备党员", "合计"),
    "overdue_at_end": ("统计时段末预备党员", "预备期满未讨论转正"),
}
STATE_LABELS = {"confirmed": "转为正式党员", "on_time": "按期转正", "after_extension": "延长预备期后转正",
                "extended": "延长预备期", "at_end": "统计时段末预备党员", "overdue_at_end": "预备期满未讨论转正"}


def period_of(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The year, ending today when it is not over; ValueError in Chinese for a year not yet begun."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if start > today:
        raise ValueError(f"{year}年还没有开始，无法统计。")
    return start, min(end, today)


def _count(header: str, key: str, group: str | None = None, width: float = COUNT_WIDTH) -> Column:
    return Column(header, key, width=width, kind="number", align="center", group=group)


def _subtitle(start: dt.date, end: dt.date) -> str:
    return f"统计时段：{format_cn_date(start)}至{format_cn_date(end)}（党内统计年报，统计截止日为12月31日）"


def _spec(title: str, sheet: str, unit: str, day: dt.date, start: dt.date, end: dt.date, notes, columns,
          orientation: str = "landscape") -> TableSpec:
    return TableSpec(title=title, subtitle=_subtitle(start, end), orientation=orientation, unit=unit, date=day,
                     notes=notes, signature=SIGNATURE, sheet_name=sheet,
                     columns=(Column("单位", "unit", width=UNIT_WIDTH, align="center"), *columns))


def _parts(name: str, shown: set[str]) -> list[Column]:
    parts = dict(rules.NEWCOMER_BREAKDOWNS)[name]
    return [_count(label, key, name) for key, label in parts if not key.endswith("_unknown") or key in shown]


def newcomer_specs(unit: str, day: dt.date, start: dt.date, end: dt.date, shown: set[str]) -> list[TableSpec]:
    first = _spec(f"{NEWCOMERS_TITLE}（一）", "发展党员（一）", unit, day, start, end, NEWCOMER_NOTES, (
        _count("发展党员总数", "total", width=TOTAL_WIDTH),
        *_parts("性别", shown), *_parts("民族", shown), *_parts("学历", shown), *_parts("党员类别", shown),
        _count("35岁及以下", "young", width=TOTAL_WIDTH),
    ))
    second = _spec(f"{NEWCOMERS_TITLE}（二）", "发展党员（二）", unit, day, start, end, NEWCOMER_NOTES, (
        _count("发展党员总数", "total", width=TOTAL_WIDTH),
        *(Column(label, key, width=COUNT_WIDTH, kind="number", align="center", group="入党时年龄（岁）")
          for key, label in dict(rules.NEWCOMER_BREAKDOWNS)["入党时年龄"]
          if not key.endswith("_unknown") or key in shown),
    ))
    return [first, second]


def probation_spec(unit: str, day: dt.date, start: dt.date, end: dt.date) -> TableSpec:
    return _spec(PROBATION_TITLE, "预备党员转正", unit, day, start, end, PROBATION_NOTES, tuple(
        _count(header, key, group, width=TOTAL_WIDTH if group is None or header != "合计" else COUNT_WIDTH + 1)
        for key, (group, header) in PROBATION_COLUMNS.items()))


def list_spec(unit: str, day: dt.date, start: dt.date, end: dt.date) -> TableSpec:
    return TableSpec(
        title=LIST_TITLE, subtitle=_subtitle(start, end), orientation="landscape", unit=unit, date=day,
        notes=LIST_NOTES, signature=SIGNATURE, sheet_name="名单",
        columns=(Column("序号", "no", width=5, kind="number", align="center", total=False),
                 Column("姓名", "name", width=10, align="center"),
                 Column("计入", "counted", width=20),
                 Column("入党时间（支部大会）", "joined", width=15, kind="date"),
                 Column("审批、转正或延长的日期", "on", width=22),
                 Column("说明", "about", width=44)))


def _newcomer_about(person: rules.Newcomer) -> str:
    joined = person.joined or person.approved
    age = f"入党时{age_at(person.birth_date, joined)}岁" if person.birth_date and joined else f"入党时年龄{UNKNOWN}"
    parts = [person.gender.label if person.gender else f"性别{UNKNOWN}", person.ethnicity or f"民族{UNKNOWN}", age,
             person.education.label if person.education else f"学历{UNKNOWN}",
             person.category.label if person.category else f"党员类别{UNKNOWN}"]
    where = "" if person.approved else "；党员名册中直接登记，按入党时间计入"
    return "，".join(parts) + where


def list_rows(newcomers: Sequence[rules.Newcomer], probationers: Sequence[rules.Probationer], start: dt.date,
              end: dt.date) -> list[dict]:
    rows = []
    for person in rules.accepted_in(newcomers, start, end):
        rows.append({"name": person.name, "counted": "发展党员", "joined": person.joined,
                     "on": f"审批 {format_cn(person.approved)}" if person.approved else "", "about": _newcomer_about(person)})
    for person in probationers:
        states = rules.probation_states(person, start, end)
        if not states:
            continue
        shown = [STATE_LABELS[k] for k in ("on_time", "after_extension", "extended", "overdue_at_end") if k in states]
        if "at_end" in states and "overdue_at_end" not in states:
            shown.append(STATE_LABELS["at_end"])
        on = []
        if person.confirmed is not None and "confirmed" in states:
            on.append(f"转正 {format_cn(person.confirmed)}")
        on += [f"延长 {format_cn(d)}" for d in person.extensions if start <= d <= end]
        rows.append({"name": person.name, "counted": "、".join(shown), "joined": person.joined, "on": "；".join(on),
                     "about": f"预备期满 {format_cn(person.end)}"})
    for number, row in enumerate(rows, start=1):
        row["no"] = number
    return rows


def annual_tables(unit: str, day: dt.date, start: dt.date, end: dt.date,
                  units: Sequence[tuple[str, Mapping[str, int], Mapping[str, int]]],
                  names: Sequence[dict] | None = None) -> list[Table]:
    """The tables for ``units`` (name, newcomer counts, probation counts); ``names``: the 名单's rows, when
    there is one unit to list."""
    if not units:
        raise ValueError("没有可统计的单位。")
    shown = {key for _, counts, _ in units for key in rules.NEWCOMER_KEYS if key.endswith("_unknown") and counts[key]}
    newcomer_rows = [{"unit": name, **counts} for name, counts, _ in units]
    probation_rows = [{"unit": name, **counts} for name, _, counts in units]
    first, second = newcomer_specs(unit, day, start, end, shown)
    tables = [Table(first, newcomer_rows), Table(second, newcomer_rows),
              Table(probation_spec(unit, day, start, end), probation_rows)]
    if names is not None:
        tables.append(Table(list_spec(unit, day, start, end), list(names)))
    return tables


def village_report(village: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                   newcomers: Sequence[rules.Newcomer], probationers: Sequence[rules.Probationer], stem: str) -> Report:
    """One village's tables and its 名单."""
    counts = rules.newcomer_counts(newcomers, start, end)
    probation = rules.probation_counts(probationers, start, end)
    return Report(stem, annual_tables(unit, day, start, end, [(village, counts, probation)],
                                      list_rows(newcomers, probationers, start, end)))
