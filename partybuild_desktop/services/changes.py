"""What an operation changed, so each screen can tell whether it needs to refresh.

A change is a set of areas (``Change.MEMBERS | Change.RECORDS``); the operation runner broadcasts it
after the commit and writes it into the audit row.
"""

from __future__ import annotations

import enum


class Change(enum.Flag):
    NOTHING = 0
    VILLAGE = enum.auto()  # the village's own details, its party groups and grid branches
    MEMBERS = enum.auto()  # members, their status and their classification
    RECORDS = enum.auto()  # record-book entries (纪实)
    GRIDS = enum.auto()  # grids and grid staff
    HOUSEHOLDS = enum.auto()  # households, liaison links, visits and proxy services
    POINTS = enum.auto()  # point rules, awards, closed years
    RETURNS = enum.auto()  # quarterly returns written, or received by the township
    SETTINGS = enum.auto()  # the file's settings: program use, operator, intervals
    RECRUITMENT = enum.auto()  # 发展党员 cases: their steps, people, reviews and breaches kept
    EVERYTHING = VILLAGE | MEMBERS | RECORDS | GRIDS | HOUSEHOLDS | POINTS | RETURNS | SETTINGS | RECRUITMENT

    @property
    def names(self) -> list[str]:
        """The areas as lower-case words, in a fixed order: what the audit row stores."""
        return [area.name.lower() for area in Change if area in self]  # single areas only

    @classmethod
    def from_names(cls, names) -> "Change":
        result = cls.NOTHING
        for name in names:
            result |= cls[name.upper()]
        return result


# The areas a change touches, as the 操作记录 names them (``Change`` member names → Chinese).
AREA_LABELS = {
    "village": "本村信息", "members": "党员", "records": "纪实", "grids": "网格", "households": "农户",
    "points": "积分", "returns": "报表", "settings": "设置", "recruitment": "发展党员",
}
