"""党员基本情况统计表: three tables, one line per unit (a village, or every village of the township with
a 合计 line under them). The village's own return and the township's consolidation print the same
definition, so the two read alike and their columns line up.

表一 gender, ethnicity, standing, category and the shares of women and of members 35 or younger;
表二 age bands and education; 表三 the period's changes (期初 + 增加 − 减少 = 期末). Every breakdown
sits beside the total it must add up to. "未填" columns appear only when some unit has such members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from partybuild_desktop.domain.statistics import (
    BREAKDOWN,
    FLOW_IN,
    FLOW_OUT,
    UNKNOWN_KEYS,
    UNKNOWN_LABEL,
    MemberStatistics,
    add_up,
)
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, format_cn_date

TITLE = "党员基本情况统计表"
FLOW_TITLE = "党员增减情况统计表"
TOTAL_LABEL = "合计"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"
NOTES = (
    "注：1.党员人数为统计时段末在册的党员（含停止党籍、失去联系的党员，不含已转出、去世和因其他原因离开的党员）；"
    "年龄按统计时段末计算；人员类别为统计时段末的正式、预备党员。",
    f"2.每一种分类（性别、民族、人员类别、党员类别、年龄、学历）的各项之和都等于党员总数；“{UNKNOWN_LABEL}”"
    "为台账中没有填写该项的党员。",
)
FLOW_NOTES = (
    "注：期初党员数加本期增加、减本期减少，等于期末党员数。增加和减少按党员状态变动登记的日期统计；"
    "“其他”指转出、去世以外离开本党组织的党员。",
)

COUNT_WIDTH = 6.5
TOTAL_WIDTH = 7.5
UNIT_WIDTH = 11


def _count(header: str, key: str, group: str | None = None, width: float = COUNT_WIDTH) -> Column:
    return Column(header, key, width=width, kind="number", align="center", group=group)


def _share(header: str, key: str) -> Column:
    return Column(header, key, width=COUNT_WIDTH, kind="number", align="center", group="占比（%）", decimals=1,
                  total=False)


def _parts(name: str, shown_unknown: set[str], group: str | None = None) -> list[Column]:
    breakdown = BREAKDOWN[name]
    return [_count(label, key, group or name) for key, label in breakdown.parts
            if key not in UNKNOWN_KEYS or key in shown_unknown]


def _period(start: dt.date, end: dt.date) -> str:
    return f"统计时段：{format_cn_date(start)}至{format_cn_date(end)}"


def _spec(title: str, sheet: str, unit: str, day: dt.date, start: dt.date, end: dt.date, notes, columns) -> TableSpec:
    return TableSpec(title=title, subtitle=_period(start, end), orientation="landscape", unit=unit, date=day,
                     notes=notes, signature=SIGNATURE, sheet_name=sheet,
                     columns=(Column("单位", "unit", width=UNIT_WIDTH, align="center"), *columns))


def basic_spec(unit: str, day: dt.date, start: dt.date, end: dt.date, shown_unknown: set[str]) -> TableSpec:
    return _spec(f"{TITLE}（一）", "表一 基本情况", unit, day, start, end, NOTES, (
        _count("党员总数", "total", width=TOTAL_WIDTH),
        *_parts("性别", shown_unknown),
        *_parts("民族", shown_unknown),
        *_parts("人员类别", shown_unknown),
        *_parts("党员类别", shown_unknown),
        _share("女党员", "women_share"),
        _share("35岁及以下", "young_share"),
    ))


def age_education_spec(unit: str, day: dt.date, start: dt.date, end: dt.date, shown_unknown: set[str]) -> TableSpec:
    return _spec(f"{TITLE}（二）", "表二 年龄和学历", unit, day, start, end, NOTES, (
        _count("党员总数", "total", width=TOTAL_WIDTH),
        *_parts("年龄", shown_unknown, "年龄（岁）"),
        *_parts("学历", shown_unknown),
    ))


def flow_spec(unit: str, day: dt.date, start: dt.date, end: dt.date) -> TableSpec:
    return _spec(FLOW_TITLE, "表三 增减情况", unit, day, start, end, FLOW_NOTES, (
        _count("期初党员数", "opening", width=TOTAL_WIDTH),
        *(_count(label, key, "本期增加") for key, label in FLOW_IN),
        _count("小计", "came", "本期增加"),
        *(_count(label, key, "本期减少") for key, label in FLOW_OUT),
        _count("小计", "gone", "本期减少"),
        _count("期末党员数", "total", width=TOTAL_WIDTH),
    ))


def stats_row(unit_name: str, stats: MemberStatistics) -> dict:
    """One unit's line: every count, the shares and the changes' subtotals."""
    return {"unit": unit_name, **stats.to_dict(), "women_share": stats.women_share, "young_share": stats.young_share,
            "came": stats.came, "gone": stats.gone}


def member_stats_tables(unit: str, day: dt.date, start: dt.date, end: dt.date,
                        units: Sequence[tuple[str, MemberStatistics]]) -> list[Table]:
    """The three tables for ``units`` (name, statistics), with a 合计 line when there are several. The
    合计 line is the reconciled sum (``domain.statistics.add_up``), its shares worked out from the sums."""
    if not units:
        raise ValueError("没有可统计的单位。")
    rows = [stats_row(name, stats) for name, stats in units]
    if len(units) > 1:
        rows.append(stats_row(TOTAL_LABEL, add_up([stats for _, stats in units])))
    shown_unknown = {key for key in UNKNOWN_KEYS if any(stats[key] for _, stats in units)}
    return [Table(basic_spec(unit, day, start, end, shown_unknown), rows),
            Table(age_education_spec(unit, day, start, end, shown_unknown), rows),
            Table(flow_spec(unit, day, start, end), rows)]


def member_stats_report(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                        units: Sequence[tuple[str, MemberStatistics]], stem: str | None = None) -> Report:
    return Report(stem or f"{township}{TITLE}", member_stats_tables(unit, day, start, end, units))


# ---------------------------------------------------------------------------------------- the township


VILLAGES_TITLE = "各村季度报表报送情况对照表"
SENT, NOT_SENT = "已报送", "未报送"


def villages_spec(township: str, unit: str, day: dt.date, period_name: str, start: dt.date, end: dt.date) -> TableSpec:
    n = dict(kind="number", align="center", width=6)
    return TableSpec(
        title=f"{township}{period_name}{VILLAGES_TITLE}", subtitle=_period(start, end), orientation="landscape",
        unit=unit, date=day, sheet_name="各村对照",
        notes=("注：党员人数为统计时段末在册数；网格、农户为各村填报日的数字；走访和代办为统计时段内的数字。"
               "“已报送（更正）”指收到过更正后的报表，以更正后的为准。",),
        columns=(
            Column("序号", "no", width=5, kind="number", align="center", total=False),
            Column("村", "village", width=10, align="center"),
            Column("报送情况", "state", width=10, align="center"),
            Column("填报日期", "filed_on", width=14, kind="date"),
            Column("收到日期", "received_on", width=14, kind="date"),
            Column("总数", "total", group="党员（名）", **n),
            Column("女", "gender_female", group="党员（名）", **n),
            Column("35岁及以下", "young", group="党员（名）", **n),
            Column("预备党员", "standing_probationary", group="党员（名）", **n),
            Column("增加", "came", group="本期党员增减", **n),
            Column("减少", "gone", group="本期党员增减", **n),
            _share("女党员", "women_share"),
            _share("35岁及以下", "young_share"),
            Column("网格", "grids", group="网格", **n),
            Column("中心户", "hub_households", group="网格", **n),
            Column("总户数", "households", group="农户（户）", **dict(n, width=7.5)),
            Column("必访户", "must_visit", group="农户（户）", **n),
            Column("走访次数", "visits", group="民情日记", **n),
            Column("受理", "proxies", group="事项代办（件）", **n),
            Column("办结", "proxies_done", group="事项代办（件）", **n),
            Column("超期", "proxies_overdue", group="事项代办（件）", **n),
        ),
    )


def _village_line(number: int, name: str, sent) -> dict:
    row: dict = {"no": number, "village": name, "state": NOT_SENT}
    if sent is None:
        return row
    stats = sent.member_statistics
    row.update(sent.attachment1)
    row.update(stats_row(name, stats))
    row.update(no=number, village=name, young=stats.young, filed_on=sent.filed_on,
               received_on=sent.received_at.date(), state=f"{SENT}（更正）" if sent.replaced else SENT)
    return row


def villages_report(township: str, unit: str, day: dt.date, period_name: str, start: dt.date, end: dt.date,
                    villages: Sequence[tuple[str, object]], stem: str | None = None) -> Report:
    """Every village side by side: ``villages`` holds (name, its current return's figures or None when it
    has sent nothing; see ``services.consolidation.VillageFigures``), with a 合计 line."""
    rows = [_village_line(n, name, sent) for n, (name, sent) in enumerate(villages, start=1)]
    sent = [s for _, s in villages if s is not None]
    unsent = len(villages) - len(sent)
    total: dict = {"village": TOTAL_LABEL, "state": f"{SENT}{len(sent)}个" + (f"，{NOT_SENT}{unsent}个" if unsent else "")}
    if sent:
        stats = add_up([s.member_statistics for s in sent])
        total.update({key: sum(s.attachment1.get(key, 0) for s in sent) for key in sent[0].attachment1})
        total.update(stats_row(TOTAL_LABEL, stats))
        total.update(young=stats.young, state=total["state"])
    rows.append(total)
    spec = villages_spec(township, unit, day, period_name, start, end)
    return Report(stem or spec.title, [Table(spec, rows)])
