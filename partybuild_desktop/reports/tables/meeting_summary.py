"""三会一课开展情况统计表: what the quarter required of the branch's organisational life and what it held,
kind by kind (支部党员大会, 支委会, 党小组会, 党课, 主题党日, 组织生活会, 民主评议党员), A4 portrait.

The village's table has one line per kind, 党小组会 as one line added up over the party groups, with
应开, 已开 and 缺少 (the periods that passed without their meeting). The quarterly return carries the
应开/已开 counts (``FIGURE_KEYS``, as ``services.meetings.quarter_figures`` names them); the township's
table puts the villages side by side, one line each with every kind's 应开/已开, and a 合计 line.

A village whose package was written before this table joined the return has no such figures: its line
reads 未报送 with the numbers left blank (never zeros, which would say it held nothing), and the 合计 adds
up the villages that did report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from partybuild_desktop.domain.meetings import DUE_KINDS, Frequency, MeetingKind, kind_label
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, format_cn_date
from partybuild_desktop.reports.tables.township_rows import NOT_REPORTED, summary_rows

TITLE = "三会一课开展情况统计表"
SHEET = "三会一课"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"

WHAT = ("required", "held")
WHAT_LABEL = {"required": "应开", "held": "已开"}
# What the return carries: per kind, meetings required and held in the quarter.
FIGURE_KEYS = tuple(f"{kind}_{what}" for kind in DUE_KINDS for what in WHAT)

# The most a quarter can require of one kind: one a month (a kind's frequency is a village setting, and
# monthly is the most often any can be set); 党小组会 once a month in each party group.
MONTHS = 3
MAX_PARTY_GROUPS = 100
MAX_HELD = 5000  # of one kind in one quarter: more than fifty a day is not a count but a damaged file

VILLAGE_NOTES = (
    "注：1.应开次数按本支部设定的频次计算：统计时段内结束的每个周期应开1次（如每月1次的，一个季度应开3次；"
    "每年1次的，在第四季度计1次）；缺少次数为其中没有开会的周期数。",
    "2.已开次数为统计时段内登记的会议；按年度、半年要求的，从该周期开始时算起。党小组会为各党小组之和。",
    "3.正式党员不足7人的党支部不设支部委员会，支委会不计应开次数。",
)
SUMMARY_NOTES = (
    "注：1.各村数字取自各村报送的季度报表；应开次数按各村设定的频次计算，党小组会为各党小组之和。",
    f"2.“{NOT_REPORTED}”的村，其报表包由旧版程序导出，没有三会一课开展情况，相应数字空缺（不是没有开会）；"
    "合计为已报送各村之和。",
)


def key_label(key: str) -> str:
    """主题党日应开次数, for messages."""
    kind, _, what = key.rpartition("_")
    return f"{kind_label(kind)}{WHAT_LABEL.get(what, what)}次数"


def period_text(start: dt.date, end: dt.date) -> str:
    return f"统计时段：{format_cn_date(start)}至{format_cn_date(end)}"


def check_figures(figures: Mapping[str, object]) -> dict[str, int]:
    """A return's meetings figures as whole numbers, checked: every key of ``FIGURE_KEYS`` there, ≥ 0,
    and no more than a quarter can hold (``MONTHS`` a kind, in each of at most ``MAX_PARTY_GROUPS``
    party groups for 党小组会; ``MAX_HELD`` held). A ValueError names the first count that is wrong."""
    if not isinstance(figures, Mapping):
        raise ValueError("三会一课开展情况不是一组数字")
    values: dict[str, int] = {}
    for key in FIGURE_KEYS:
        if key not in figures:
            raise ValueError(f"三会一课开展情况缺少“{key_label(key)}”")
        value = figures[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"三会一课开展情况的“{key_label(key)}”不是非负整数：{value!r}")
        kind, _, what = key.rpartition("_")
        most = MONTHS * (MAX_PARTY_GROUPS if kind == MeetingKind.GROUP.value else 1) if what == "required" else MAX_HELD
        if value > most:
            raise ValueError(f"三会一课开展情况的“{key_label(key)}”为 {value}，一个季度不可能有这么多（最多 {most}）")
        values[key] = value
    return values


# ---------------------------------------------------------------------------------------- the village


def village_spec(unit: str, day: dt.date, start: dt.date, end: dt.date) -> TableSpec:
    n = dict(kind="number", align="center", width=10)
    return TableSpec(
        title=TITLE, subtitle=period_text(start, end), unit=unit, date=day, notes=VILLAGE_NOTES,
        signature=SIGNATURE, sheet_name=SHEET,
        columns=(
            Column("序号", "no", width=6, kind="number", align="center", total=False),
            Column("会议类型", "kind", width=16, align="center"),
            Column("应开次数", "required", **n),
            Column("已开次数", "held", **n),
            Column("缺少次数", "missing", **n),
            Column("开会要求", "requirement", width=36),
        ),
    )


def requirements(frequencies: Mapping[str, Frequency], party_groups: int, committee: bool) -> dict[str, str]:
    """Each kind's 开会要求 as the village has set it: 每月1次, 各党小组每月1次（共3个）, 不设支委会…"""
    texts = {}
    for kind in DUE_KINDS:
        frequency = frequencies[kind]
        text = frequency.label
        if kind == MeetingKind.COMMITTEE.value and not committee:
            text = "正式党员不足7人，不设支委会"
        elif kind == MeetingKind.GROUP.value:
            text = f"各党小组{text}（共{party_groups}个党小组）" if party_groups else "未设党小组"
        texts[kind] = text
    return texts


def village_rows(items: Sequence, requirements: Mapping[str, str]) -> list[dict]:
    """One line per kind, in ``DUE_KINDS`` order: ``items`` are ``domain.meetings.DueItem`` (one per party
    group for 党小组会, added up here); a kind without an item is a line of zeros. ``requirements``: the
    开会要求 text of each kind."""
    lines = {kind: {"kind": kind_label(kind), "required": 0, "held": 0, "missing": 0,
                    "requirement": requirements.get(kind, "")} for kind in DUE_KINDS}
    for item in items:
        line = lines[item.kind]
        line["required"] += item.required
        line["held"] += item.held
        line["missing"] += item.missing
    return [{"no": number, **line} for number, line in enumerate(lines.values(), start=1)]


def figures(items: Sequence) -> dict[str, int]:
    """What one village's return carries (``FIGURE_KEYS``) from its due items, as ``village_rows`` adds them up."""
    counts = dict.fromkeys(FIGURE_KEYS, 0)
    for item in items:
        counts[f"{item.kind}_required"] += int(item.required)
        counts[f"{item.kind}_held"] += int(item.held)
    return counts


def village_report(unit: str, day: dt.date, start: dt.date, end: dt.date, items: Sequence,
                   requirements: Mapping[str, str], stem: str | None = None) -> Report:
    spec = village_spec(unit, day, start, end)
    return Report(stem or TITLE, [Table(spec, village_rows(items, requirements))])


# ---------------------------------------------------------------------------------------- the township


def summary_spec(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date) -> TableSpec:
    n = dict(kind="number", align="center", width=5)
    return TableSpec(
        title=f"{township}{TITLE}", subtitle=period_text(start, end), orientation="landscape", unit=unit,
        date=day, notes=SUMMARY_NOTES, signature=SIGNATURE, sheet_name=SHEET,
        columns=(
            Column("单位", "village", width=10, align="center"),
            *(Column(WHAT_LABEL[what], f"{kind}_{what}", group=kind_label(kind), **n)
              for kind in DUE_KINDS for what in WHAT),
            Column("报送情况", "state", width=22, align="center"),
        ),
    )


def summary_report(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                   villages: Sequence[tuple[str, Mapping[str, int] | None]], stem: str | None = None) -> Report:
    """The township's table: one line per village from the figures its return carried (None: a return
    without them, shown 未报送 with blank numbers), and a 合计 line adding up those that reported."""
    spec = summary_spec(township, unit, day, start, end)
    return Report(stem or spec.title, [Table(spec, summary_rows(villages, FIGURE_KEYS))])
