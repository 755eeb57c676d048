"""流动党员: the 流动党员台账 (each migrant's stint, 活动证, last contact and alerts) and the quarterly return's
流动党员管理情况统计表 (how many are away, with a 活动证, with contact overdue, out of contact), with the
township's table adding the villages up.

- The 台账 is the branch's own book: it carries the migrants' phone and 微信 (the township holds the
  data too), never an ID number.
- The return's table has one line per count and the names behind it (``FIGURE_KEYS``); the township's
  table puts the villages side by side with a 合计, and a village whose package was written before this
  table joined the return reads 未报送 with blank numbers, never zeros.

The rows come from ``services.migrants`` through the builders of ``services.exports``; nothing here reads
the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec, format_cn_date
from partybuild_desktop.reports.tables.named_counts import named_counts_report
from partybuild_desktop.reports.tables.township_rows import NOT_REPORTED, count_summary_report

if TYPE_CHECKING:
    from partybuild_desktop.services.migrants import MigrantRow

LEDGER_TITLE = "流动党员台账"
CARDS_TITLE = "流动党员联系卡"
TITLE = "流动党员管理情况统计表"  # the return's table
SHEET = "流动党员"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"
FIGURES = {
    "away": "外出流动党员",
    "with_card": "持流动党员活动证",
    "contact_overdue": "联系超期",
    "lost_contact": "失去联系",
}
FIGURE_KEYS = tuple(FIGURES)
MAX_PEOPLE = 100_000
SUMMARY_NOTES = (
    "注：1.各村数字取自各村报送的季度报表，为季度末（本季度未结束的为报送之日）在外的流动党员人数；联系超期指超过村里规定的"
    "联系间隔（默认3个月）没有联系，失去联系指6个月以上没有联系上或已登记失去联系。",
    f"2.“{NOT_REPORTED}”的村，其报表包由旧版程序导出，没有这张表，相应数字空缺（不是没有流动党员）；合计为已报送各村之和。",
)


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def ledger_report(rows: Sequence["MigrantRow"], unit: str, day: dt.date, stem: str) -> Report:
    """流动党员台账 on ``day``: one line per migrant away, on A3 landscape (one page across)."""
    spec = TableSpec(
        title=LEDGER_TITLE, subtitle=f"截至{format_cn_date(day)}在外的流动党员", unit=unit, date=day,
        paper="A3", orientation="landscape", sheet_name=SHEET, signature=SIGNATURE, repeat_columns=2,
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name", 8, align="center"),
            Column("党小组", "party_group", 10),
            Column("外出时间", "left_on", 11, align="center", group="外出情况"),
            Column("月数", "months", 5, kind="number", align="center", total=False, group="外出情况"),
            Column("外出流向", "destination", 20, group="外出情况"),
            Column("流入地党组织", "host", 14, group="外出情况"),
            Column("外出原因", "reason", 9, group="外出情况"),
            Column("从事职业", "occupation", 9, group="外出情况"),
            Column("联系电话", "phone", 12, kind="phone", group="联系方式"),
            Column("微信", "wechat", 9, group="联系方式"),
            Column("村联系人", "keeper", 8, align="center"),
            Column("活动证号", "card_no", 10, align="center", group="流动党员活动证"),
            Column("有效期至", "card_expires", 11, align="center", group="流动党员活动证"),
            Column("最近联系", "last_contact", 11, align="center", group="联系情况"),
            Column("方式", "how", 12, align="center", group="联系情况"),
            Column("提醒", "alerts", 16),
        ),
        notes=("注：提醒中“联系超期”指超过村里规定的联系间隔没有联系；“应转组织关系”指外出满6个月、未转组织关系也未写明"
               "持活动证不转接的原因；“失去联系”指6个月以上没有联系上；“活动证到期”指30天内到期或已过期。",),
    )
    lines = [{
        "no": n, "name": r.name, "party_group": r.party_group, "left_on": _date(r.left_on) or "不详",
        "months": r.months_away, "destination": r.destination, "host": r.host_organisation, "reason": r.reason,
        "occupation": r.occupation, "phone": r.phone, "wechat": r.wechat, "keeper": r.contact_person,
        "card_no": r.card_no, "card_expires": _date(r.card_expires_on), "last_contact": _date(r.last_contact) or "无记录",
        "how": r.last_contact_how.label if r.last_contact_how else "", "alerts": r.alert_labels,
    } for n, r in enumerate(rows, start=1)]
    return Report(stem, [Table(spec, lines)])


# ---------------------------------------------------------------------------------------- the return


def people(rows: Sequence["MigrantRow"], as_of: dt.date) -> dict[str, list[str]]:
    """Who each count of the return is (``FIGURE_KEYS``), on ``as_of``."""
    from partybuild_desktop.domain import migrants as rules

    return {
        "away": [r.name for r in rows],
        "with_card": [r.name for r in rows if r.card_no and (r.card_expires_on is None or r.card_expires_on >= as_of)],
        "contact_overdue": [r.name for r in rows if rules.CONTACT_OVERDUE in r.alerts],
        "lost_contact": [r.name for r in rows if rules.LOST_CONTACT in r.alerts or r.lost_contact_marked],
    }


def figures(named: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """What the return carries (``FIGURE_KEYS``)."""
    return {key: len(named[key]) for key in FIGURE_KEYS}


def check_figures(values: Mapping[str, object]) -> dict[str, int]:
    """A return's migrant figures as whole numbers ≥ 0 within bounds, none above the number away; a
    ValueError names the first wrong one."""
    if not isinstance(values, Mapping):
        raise ValueError("流动党员管理情况不是一组数字")
    checked = {}
    for key, label in FIGURES.items():
        if key not in values:
            raise ValueError(f"流动党员管理情况缺少“{label}”")
        value = values[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"流动党员管理情况的“{label}”不是非负整数：{value!r}")
        if value > MAX_PEOPLE:
            raise ValueError(f"流动党员管理情况的“{label}”为 {value}，不可能这么多")
        checked[key] = value
    for key in FIGURE_KEYS[1:]:
        if checked[key] > checked["away"]:
            raise ValueError(f"流动党员管理情况的“{FIGURES[key]}”（{checked[key]}）多于外出流动党员（{checked['away']}）")
    return checked


def _as_of(day: dt.date) -> str:
    return f"统计日期：{format_cn_date(day)}"


def village_report(unit: str, day: dt.date, as_of: dt.date, named: Mapping[str, Sequence[str]], stem: str) -> Report:
    notes = ("注：在外的流动党员按外出登记计（统计日期当天尚未返回）；联系超期指超过村里规定的联系间隔没有联系，"
             "失去联系指6个月以上没有联系上或已登记失去联系。",)
    return named_counts_report(TITLE, _as_of(as_of), unit, day, FIGURES, named, notes, SIGNATURE, SHEET, stem,
                               item_width=20, names_width=46)


def summary_report(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                   villages: Sequence[tuple[str, Mapping[str, int] | None]], stem: str | None = None) -> Report:
    """The township's table: one line per village (None: a return without these figures, 未报送), 合计."""
    return count_summary_report(township, TITLE, unit, day, start, end, villages, FIGURES, SUMMARY_NOTES, SIGNATURE,
                                SHEET, stem)
