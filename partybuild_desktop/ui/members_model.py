"""The members table model: every row in memory, filtered and sorted in plain Python.

A keystroke in the search box filters 20,000 rows with one list comprehension over precomputed
lower-case haystacks, then resets the model; the view only asks for the rows it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.domain.vocabulary import MemberCategory, MemberStatus
from partybuild_desktop.services.members import MemberRow, normalise_query

SORT_ROLE = int(Qt.UserRole) + 1
ID_ROLE = int(Qt.UserRole) + 2
# Roles as plain ints: data() runs for every visible cell and role, and comparing Qt enum members
# costs far more than comparing ints.
_DISPLAY, _TOOLTIP, _FOREGROUND = int(Qt.DisplayRole), int(Qt.ToolTipRole), int(Qt.ForegroundRole)
_HORIZONTAL = Qt.Horizontal
ARCHIVED_COLOUR = QColor("#999999")
WARNING_COLOUR = QColor("#b03030")


@dataclass(frozen=True)
class MemberFilter:
    query: str = ""
    category: MemberCategory | None = None
    status: MemberStatus | None = None
    party_group_id: int | None = None
    grid_id: int | None = None
    include_archived: bool = False

    def predicates(self):
        """Only the tests that filter something, so an idle filter costs nothing per row."""
        tests = []
        if not self.include_archived:
            tests.append(lambda r: not r.archived)
        if self.category is not None:
            tests.append(lambda r: r.category is self.category)
        if self.status is not None:
            tests.append(lambda r: r.status is self.status)
        if self.party_group_id is not None:
            tests.append(lambda r: r.party_group_id == self.party_group_id)
        if self.grid_id is not None:
            tests.append(lambda r: r.grid_id == self.grid_id)
        return tests

    def narrows(self, previous: "MemberFilter") -> bool:
        """True when this filter can only hide rows the previous one showed (the clerk typed on)."""
        return replace(self, query=previous.query) == previous and normalise_query(self.query).startswith(
            normalise_query(previous.query)
        )


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


# (header, display, sort key); the ID number is shown masked on screen, searched whole.
COLUMNS = (
    ("姓名", lambda r, t: r.name, lambda r, t: r.name),
    ("性别", lambda r, t: r.gender.label if r.gender else "", lambda r, t: r.gender or ""),
    ("年龄", lambda r, t: r.age(t) if r.birth_date else "", lambda r, t: r.age(t) or 0),
    ("类别", lambda r, t: r.category.label, lambda r, t: r.category.value),
    ("状态", lambda r, t: r.status.label, lambda r, t: r.status.value),
    ("党小组", lambda r, t: r.party_group, lambda r, t: (r.party_group_id or 0, r.party_group)),
    ("网格", lambda r, t: r.grid, lambda r, t: r.grid),
    ("岗位", lambda r, t: r.post or "", lambda r, t: r.post or ""),
    ("入党时间", lambda r, t: _date(r.joined_date), lambda r, t: r.joined_date or dt.date.min),
    ("手机", lambda r, t: r.mobile or r.landline or "", lambda r, t: r.mobile or r.landline or ""),
    ("身份证号", lambda r, t: mask(r.id_number), lambda r, t: r.id_number or ""),
    ("中心户", lambda r, t: "是" if r.is_hub_household else "", lambda r, t: r.is_hub_household),
)


class MembersModel(QAbstractTableModel):
    def __init__(self, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.today = today or dt.date.today()
        self.rows: list[MemberRow] = []
        self.visible: list[MemberRow] = []
        self.filter = MemberFilter()
        self.sort_column, self.sort_order = -1, Qt.AscendingOrder

    # --- loading, filtering, sorting ------------------------------------------------------------
    def set_rows(self, rows: list[MemberRow]) -> None:
        self.rows = rows
        self._apply()

    def set_filter(self, member_filter: MemberFilter) -> None:
        # Typing on narrows what is shown already (and keeps its order); anything else starts over.
        narrowing = member_filter.narrows(self.filter)
        self.filter = member_filter
        self._apply(self.visible if narrowing else None)

    def _apply(self, among: list[MemberRow] | None = None) -> None:
        rows = self.rows if among is None else among
        query = normalise_query(self.filter.query)
        if query:
            rows = [row for row in rows if query in row.search_text]
        for test in self.filter.predicates() if among is None else ():
            rows = [row for row in rows if test(row)]
        if among is not None and len(rows) == len(among):
            return  # typing on hid nobody: the view, its scrolling and its selection stay as they are
        self.beginResetModel()
        self.visible = rows if rows is not self.rows else list(rows)
        if among is None:
            self._sort_visible()
        self.endResetModel()

    def _sort_visible(self) -> None:
        if self.sort_column >= 0:
            key = COLUMNS[self.sort_column][2]
            self.visible.sort(key=lambda r: key(r, self.today), reverse=self.sort_order == Qt.DescendingOrder)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        self._sort_visible()
        self.layoutChanged.emit()

    def member_id(self, row: int) -> int:
        return self.visible[row].id

    def row_of(self, member_id: int) -> int | None:
        for i, row in enumerate(self.visible):
            if row.id == member_id:
                return i
        return None

    # --- Qt model interface ---------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.visible)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == _HORIZONTAL and role == _DISPLAY:
            return COLUMNS[section][0]
        return None

    def data(self, index, role=_DISPLAY):
        role = int(role)
        if role == _DISPLAY:
            value = COLUMNS[index.column()][1](self.visible[index.row()], self.today)
            return "" if value is None else str(value)
        if role == _FOREGROUND:
            row = self.visible[index.row()]
            if row.archived:
                return ARCHIVED_COLOUR
            if row.status in (MemberStatus.SUSPENDED, MemberStatus.LOST_CONTACT):
                return WARNING_COLOUR
            return None
        if role == SORT_ROLE:
            return COLUMNS[index.column()][2](self.visible[index.row()], self.today)
        if role == ID_ROLE:
            return self.visible[index.row()].id
        if role == _TOOLTIP and self.visible[index.row()].archived:
            return "已归档"
        return None
