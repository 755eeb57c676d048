"""附件1 基层党组织网格化管理服务工作情况统计表 (seed 002): one line per village, A4 landscape.

The organisation and liaison counts are as they stand on the day of filing; visits (民情日记) and proxy
services (事项代办) are those of the period in the subtitle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from partybuild_desktop.domain.vocabulary import GridLevel, MemberCategory
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, format_cn_date

TITLE = "基层党组织网格化管理服务工作情况统计表"
SHEET = "附件1 统计表"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"
NOTES = (
    "注：1.网格、党组织、工作人员、党员、农户和包挂联系为填报日的数字；民情日记和事项代办为统计时段内的数字。",
    "2.包挂联系依次为：班子成员包挂的网格党支部数、网格支部委员包挂的党小组数、党小组长联系的中心户（示范岗）数、"
    "中心户（示范岗）联系的党员数、有党员联系的农户数。",
    "3.超期：承诺件过了承诺日期、即办件未当日办结、其他代办件受理超过30天仍未办结。",
)


def title(township: str) -> str:
    """The seed's title, with the township's name for "XX 乡"."""
    return f"{township}{TITLE}"


def period_text(start: dt.date, end: dt.date) -> str:
    return f"统计时段：{format_cn_date(start)}至{format_cn_date(end)}"


# Column widths: two digits, three digits, four or more. 27 columns share A4 landscape, so each is
# as narrow as its numbers allow (the headers wrap): fitted to the page width, Excel and WPS print the
# sheet at about 90 %, 9.5 pt.
NARROW, MID, WIDE = 5, 6, 7.5


def _n(header: str, key: str, group: str, width: float = NARROW) -> Column:
    return Column(header, key, width=width, kind="number", align="center", group=group)


def _columns() -> tuple[Column, ...]:
    return (
        Column("单位", "village", width=9, align="center"),
        *(_n(level.label.removesuffix("网格"), f"grid_{level.value}", "网格（个）") for level in GridLevel),
        _n("网格党支部", "grid_branches", "网格党组织（个）"),
        _n("党小组", "party_groups", "网格党组织（个）"),
        _n("党员中心户", "hub_households", "中心户、示范岗（个）"),
        _n("党员示范岗", "model_posts", "中心户、示范岗（个）"),
        _n("网格长", "grid_leaders", "网格人员（人）"),
        _n("网格员", "grid_workers", "网格人员（人）"),
        _n("合计", "members", "党员（名）", MID),
        *(_n(c.label.removesuffix("党员"), c.value, "党员（名）", MID) for c in MemberCategory),
        _n("总户数", "households", "农户（户）", WIDE),
        _n("必访户", "must_visit", "农户（户）", MID),
        _n("网格党支部", "links_branches", "包挂联系"),
        _n("党小组", "links_groups", "包挂联系"),
        _n("中心户", "links_hubs", "包挂联系"),
        _n("党员", "links_members", "包挂联系", MID),
        _n("农户", "links_households", "包挂联系", WIDE),
        _n("走访次数", "visits", "民情日记", WIDE),
        _n("走访户数", "visited_households", "民情日记", WIDE),
        _n("受理", "proxies", "事项代办（件）", MID),
        _n("办结", "proxies_done", "事项代办（件）", MID),
        _n("不予办理", "proxies_refused", "事项代办（件）"),
        _n("超期", "proxies_overdue", "事项代办（件）"),
    )


COLUMNS = _columns()
# The counts the return carries to the township and the township adds up: every count the table prints,
# and three it does not print but checks with (all grids, 网格长/网格员 who are not members, proxy
# services still open).
UNPRINTED_FIGURES = ("grids", "non_member_staff", "proxies_open")
FIGURE_KEYS = tuple(c.key for c in COLUMNS if c.kind == "number") + UNPRINTED_FIGURES


def stats_spec(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date, rows: int = 1) -> TableSpec:
    return TableSpec(
        title=title(township),
        subtitle=period_text(start, end),
        orientation="landscape",
        unit=unit,
        date=day,
        notes=NOTES,
        signature=SIGNATURE,
        totals_label="合计" if rows > 1 else None,
        sheet_name=SHEET,
        columns=COLUMNS,
    )


def stats_row(stats) -> dict:
    """One line; ``stats`` is a ``services.grid_reports.GridStats``."""
    return {
        "village": stats.village,
        "grids": stats.grids,
        **{f"grid_{level.value}": n for level, n in stats.grids_by_level.items()},
        "grid_branches": stats.grid_branches,
        "party_groups": stats.party_groups,
        "hub_households": stats.hub_households,
        "model_posts": stats.model_posts,
        "grid_leaders": stats.grid_leaders,
        "grid_workers": stats.grid_workers,
        "non_member_staff": stats.non_member_staff,
        "members": stats.members,
        **{c.value: n for c, n in stats.members_by_category.items()},
        "households": stats.households,
        "must_visit": stats.must_visit_households,
        "links_branches": stats.committee_branch_links,
        "links_groups": stats.branch_group_links,
        "links_hubs": stats.leader_hub_links,
        "links_members": stats.hub_member_links,
        "links_households": stats.member_household_links,
        "visits": stats.visits,
        "visited_households": stats.visited_households,
        "proxies": stats.proxies,
        "proxies_done": stats.proxies_done,
        "proxies_open": stats.proxies_open,
        "proxies_refused": stats.proxies_refused,
        "proxies_overdue": stats.proxies_overdue,
    }


def figures(stats) -> dict[str, int]:
    """What one village's return carries of 附件1 (``FIGURE_KEYS``); ``stats`` a ``GridStats``."""
    row = stats_row(stats)
    return {key: int(row[key]) for key in FIGURE_KEYS}


def stats_report(township: str, unit: str, stats: Sequence, day: dt.date, stem: str | None = None) -> Report:
    """``stats``: one ``GridStats`` per village, all of the same period."""
    first = stats[0]
    spec = stats_spec(township, unit, day, first.start, first.end, len(stats))
    return Report(stem=stem or f"附件1 {spec.title}", tables=[Table(spec, [stats_row(s) for s in stats])])


def summary_report(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                   villages: Sequence[tuple[str, dict]], stem: str | None = None) -> Report:
    """The township's 附件1: one line per village from the figures its return carried, and a 合计 line."""
    spec = stats_spec(township, unit, day, start, end, rows=len(villages))
    return Report(stem or f"附件1 {spec.title}", [Table(spec, [{"village": name, **counts} for name, counts in villages])])
