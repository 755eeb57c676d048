"""村党组织基本情况统计表: the overview tab's counts as one printable row."""

from __future__ import annotations

import datetime as dt

from partybuild_desktop.domain.vocabulary import GridLevel, MemberCategory, MemberStatus
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

TITLE = "村党组织基本情况统计表"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"

_STATUSES = (MemberStatus.FULL, MemberStatus.PROBATIONARY, MemberStatus.SUSPENDED, MemberStatus.LOST_CONTACT)


def overview_spec(unit: str, day: dt.date) -> TableSpec:
    number = dict(kind="number", width=9)
    return TableSpec(
        title=TITLE,
        orientation="landscape",
        unit=unit,
        date=day,
        signature=SIGNATURE,
        notes=("注：党员人数为在册党员（不含已转出、去世的党员）；必访户指困难家庭、孤寡空巢老人、留守儿童、失业群众和特殊人群家庭。",),
        columns=(
            Column("村", "village", width=12),
            Column("在册党员", "members", **number),
            *(Column(c.label.removesuffix("党员"), c.value, group="按类别", **number) for c in MemberCategory),
            *(Column(s.label, f"status_{s.value}", group="按状态", **number) for s in _STATUSES),
            Column("网格党支部", "grid_branches", **number),
            Column("党小组", "party_groups", **number),
            *(Column(level.label.removesuffix("网格"), f"grid_{level.value}", group="网格", **number) for level in GridLevel),
            Column("党员中心户", "hub_households", **number),
            Column("农户", "households", **number),
            Column("必访户", "must_visit", **number),
        ),
    )


def overview_report(village_name: str, unit: str, data, day: dt.date) -> Report:
    """``data`` is a ``services.overview.Overview``."""
    row = {
        "village": village_name,
        "members": data.members_active,
        **{c.value: n for c, n in data.by_category.items()},
        **{f"status_{s.value}": data.by_status[s] for s in _STATUSES},
        "grid_branches": data.grid_branches,
        "party_groups": data.party_groups,
        **{f"grid_{level.value}": n for level, n in data.grids_by_level.items()},
        "hub_households": data.hub_households,
        "households": data.households,
        "must_visit": data.must_visit_households,
    }
    return Report(stem=f"{village_name}{TITLE}", tables=[Table(overview_spec(unit, day), [row])])
