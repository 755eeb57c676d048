"""党员联系表 (一表): for each member, who they answer to and whom they look after. Landscape A4."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

TITLE = "党员联系表"
SELF = "本人"
NOTE = ("注：党小组长、联系支部委员为本党小组的组长和包挂联系的支部委员；每名党员中心户联系5—10名党员，"
        "每名党员联系10—15户群众（联户）。")


def contact_spec(unit: str, day: dt.date) -> TableSpec:
    return TableSpec(
        title=TITLE,
        orientation="landscape",
        unit=unit,
        date=day,
        notes=(NOTE,),
        totals_label="合计",
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("党小组", "party_group", 11),
            Column("姓名", "name", 9),
            Column("联系电话", "phone", 13, kind="phone"),
            Column("党小组长", "group_leader", 10),
            Column("联系支部委员", "branch_contact", 14),
            Column("所属中心户", "hub", 12),
            Column("户数", "household_count", 6, kind="number", align="center", group="联系农户（联户）"),
            Column("户主姓名（村民小组）", "households", 48, group="联系农户（联户）"),
        ),
    )


def households_text(households) -> str:
    """户主 names by villager group, groups in the order first met: ``1组：王建国、李秀英；2组：张三``."""
    groups: dict[str, list[str]] = {}
    for household in households:
        groups.setdefault(household.villager_group or "", []).append(household.head_name)
    return "；".join(f"{group}：{'、'.join(names)}" if group else "、".join(names) for group, names in groups.items())


def _self_or(member_id: int | None, name: str | None, own_id: int) -> str | None:
    return SELF if member_id == own_id else name


def contact_row(number: int, row) -> dict:
    """One line; ``row`` is a ``services.member_records.ContactRow``."""
    if row.is_hub_household:
        hub = "本人为中心户"
    else:
        hub = row.hub_name
    return {
        "no": number,
        "party_group": row.party_group,
        "name": row.name,
        "phone": "\n".join(p for p in (row.mobile, row.landline) if p),
        "group_leader": _self_or(row.group_leader_id, row.group_leader, row.member_id),
        "branch_contact": _self_or(row.branch_contact_id, row.branch_contact, row.member_id),
        "hub": hub,
        "household_count": len(row.households),
        "households": households_text(row.households),
    }


def contact_table_report(rows: Iterable, unit: str, day: dt.date, stem: str = TITLE) -> Report:
    lines = [contact_row(number, row) for number, row in enumerate(rows, start=1)]
    return Report(stem=stem, tables=[Table(contact_spec(unit, day), lines)])
