"""附件2–4 of seed 002, the 包挂联系花名册 the township asks for, and the check of the liaison ranges.

附件2 支部委员包挂联系花名册: each committee member and grid-branch committee member, with the grid
branches and party groups they liaise with. 附件3 党员中心户包挂联系花名册: each hub household or model
post, its party group leader and its members. 附件4 党员包挂联系花名册: each member and the households
they liaise with. All A4 landscape, with the unit, date, page numbers and a line for the secretary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec
from partybuild_desktop.reports.tables.contact_table import households_text

PREFIX = "党组织网格化管理服务工作"
COMMITTEE_TITLE = "支部委员包挂联系花名册"
HUBS_TITLE = "党员中心户包挂联系花名册"
MEMBERS_TITLE = "党员包挂联系花名册"
CHECK_TITLE = "包挂联系关系检查表"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"

COMMITTEE_NOTE = "注：村党组织班子成员每人包挂1—2个网格党支部，网格党支部委员每人包挂1—2个党小组。"
HUBS_NOTE = ("注：党小组长每人联系包挂2—5名党员中心户或党员示范岗，每个党员中心户或党员示范岗联系5—10名党员；"
             "一般在10—15户农户中确定一名党员中心户。")
MEMBERS_NOTE = "注：每名党员联系10—15户群众；必访户指困难家庭、失业群众、孤寡空巢老人、留守儿童和特殊人群家庭。"


def roster_title(township: str, name: str) -> str:
    """The seed's title, "XX 乡" replaced by the township: 城南镇党组织网格化管理服务工作党员包挂联系花名册."""
    return f"{township}{PREFIX}{name}"


def _serial() -> Column:
    return Column("序号", "no", 5, kind="number", align="center", total=False)


def _count(header: str, key: str, group: str | None = None, width: float = 6) -> Column:
    return Column(header, key, width, kind="number", align="center", group=group)


def _spec(title: str, sheet: str, unit: str, day: dt.date, note: str, columns) -> TableSpec:
    return TableSpec(title=title, columns=tuple(columns), orientation="landscape", unit=unit, date=day,
                     notes=(note,), signature=SIGNATURE, totals_label="合计", sheet_name=sheet)


# ---------------------------------------------------------------------------------------- 附件2


def committee_spec(township: str, unit: str, day: dt.date) -> TableSpec:
    return _spec(roster_title(township, COMMITTEE_TITLE), "附件2 支部委员包挂联系花名册", unit, day, COMMITTEE_NOTE, (
        _serial(),
        Column("姓名", "name", 9, align="center"),
        Column("职务", "post", 18),
        Column("联系电话", "phone", 13, kind="phone"),
        _count("个数", "branch_count", "包挂网格党支部"),
        Column("网格党支部名称", "branches", 22, group="包挂网格党支部"),
        _count("个数", "group_count", "包挂党小组"),
        Column("党小组名称（村民小组）", "groups", 30, group="包挂党小组"),
        Column("备注", "remark", 10),
    ))


def committee_rows(rows: Iterable) -> list[dict]:
    """``rows``: ``services.grid_reports.CommitteeRosterRow``."""
    return [{"no": n, "name": r.name, "post": r.post, "phone": r.phone, "branch_count": len(r.grid_branches),
             "branches": "、".join(r.grid_branches), "group_count": len(r.party_groups),
             "groups": "、".join(r.party_groups), "remark": None}
            for n, r in enumerate(rows, start=1)]


def committee_report(township: str, unit: str, rows: Sequence, day: dt.date, stem: str | None = None) -> Report:
    spec = committee_spec(township, unit, day)
    return Report(stem or f"附件2 {spec.title}", [Table(spec, committee_rows(rows))])


# ---------------------------------------------------------------------------------------- 附件3


def hubs_spec(township: str, unit: str, day: dt.date) -> TableSpec:
    return _spec(roster_title(township, HUBS_TITLE), "附件3 党员中心户包挂联系花名册", unit, day, HUBS_NOTE, (
        _serial(),
        Column("党小组", "party_group", 11),
        Column("党小组长", "leader", 9, align="center"),
        Column("姓名", "name", 9, align="center", group="党员中心户（示范岗）"),
        Column("类别", "kind", 8, align="center", group="党员中心户（示范岗）"),
        Column("联系电话", "phone", 13, kind="phone", group="党员中心户（示范岗）"),
        Column("家庭住址", "address", 22, group="党员中心户（示范岗）"),
        _count("人数", "member_count", "联系党员"),
        Column("党员姓名", "members", 34, group="联系党员"),
        Column("备注", "remark", 8),
    ))


def hub_rows(rows: Iterable) -> list[dict]:
    """``rows``: ``services.grid_reports.HubRosterRow``."""
    return [{"no": n, "party_group": r.party_group, "leader": r.group_leader,
             "name": r.name, "kind": r.kind, "phone": r.phone, "address": r.address, "member_count": len(r.members),
             "members": "、".join(r.members), "remark": None}
            for n, r in enumerate(rows, start=1)]


def hubs_report(township: str, unit: str, rows: Sequence, day: dt.date, stem: str | None = None) -> Report:
    spec = hubs_spec(township, unit, day)
    return Report(stem or f"附件3 {spec.title}", [Table(spec, hub_rows(rows))])


# ---------------------------------------------------------------------------------------- 附件4


def members_spec(township: str, unit: str, day: dt.date) -> TableSpec:
    return _spec(roster_title(township, MEMBERS_TITLE), "附件4 党员包挂联系花名册", unit, day, MEMBERS_NOTE, (
        _serial(),
        Column("党小组", "party_group", 11),
        Column("姓名", "name", 9, align="center"),
        Column("联系电话", "phone", 13, kind="phone"),
        Column("所属中心户", "hub", 10, align="center"),
        _count("户数", "household_count", "联系农户"),
        _count("其中必访户", "must_visit", "联系农户", 7),
        Column("户主姓名（村民小组）", "households", 56, group="联系农户"),
    ))


def member_rows(rows: Iterable) -> list[dict]:
    """``rows``: ``services.grid_reports.MemberRosterRow``."""
    return [{"no": n, "party_group": r.party_group, "name": r.name, "phone": r.phone, "hub": r.hub,
             "household_count": len(r.households), "must_visit": r.must_visit,
             "households": households_text(r.households)}
            for n, r in enumerate(rows, start=1)]


def members_report(township: str, unit: str, rows: Sequence, day: dt.date, stem: str | None = None) -> Report:
    spec = members_spec(township, unit, day)
    return Report(stem or f"附件4 {spec.title}", [Table(spec, member_rows(rows))])


# ---------------------------------------------------------------------------------------- the check


def check_spec(village: str, unit: str, day: dt.date, summary: str) -> TableSpec:
    return TableSpec(
        title=f"{village}{CHECK_TITLE}", orientation="landscape", unit=unit, date=day, sheet_name=CHECK_TITLE,
        notes=(summary, "注：包挂联系的范围见《关于深化推进基层党建网格化管理工作方案》四级联系服务制度；"
                        "处理后可再次导出本表核对。"),
        columns=(
            _serial(),
            Column("包挂层级", "rule", 16),
            Column("对象", "subject", 16),
            Column("所在", "where", 14),
            Column("现有", "count", 5, kind="number", align="center", total=False),
            Column("应为", "expected", 12, align="center"),
            Column("问题", "issue", 30),
            Column("处理建议", "advice", 40),
        ),
    )


def check_summary(check) -> str:
    checked = sum(check.checked.values())
    if not check.problems:
        return f"经检查，共{checked}项（人、单位）的包挂联系均在规定范围内。"
    return f"共检查{checked}项（人、单位），发现{len(check.problems)}项不在规定范围内，见上表。"


def check_report(village: str, unit: str, check, day: dt.date, stem: str | None = None) -> Report:
    """``check``: a ``services.liaison.LiaisonCheck``."""
    rows = [{"no": n, "rule": p.rule.label, "subject": p.subject, "where": p.where, "count": p.count,
             "expected": p.expected, "issue": p.issue, "advice": p.advice}
            for n, p in enumerate(check.problems, start=1)]
    spec = check_spec(village, unit, day, check_summary(check))
    return Report(stem or spec.title, [Table(spec, rows)])
