"""The members table model: every row in memory, filtered and sorted in plain Python.

A keystroke in the search box filters 20,000 rows with one list comprehension over precomputed
lower-case haystacks, then resets the model; the view only asks for the rows it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.domain.vocabulary import MemberCategory, MemberStatus
from partybuild_desktop.services.members import MemberRow, normalise_query

SORT_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole + 2
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

    def accepts(self, row: MemberRow, query: str) -> bool:
        return (
            (self.include_archived or not row.archived)
            and (self.category is None or row.category is self.category)
            and (self.status is None or row.status is self.status)
            and (self.party_group_id is None or row.party_group_id == self.party_group_id)
            and (self.grid_id is None or row.grid_id == self.grid_id)
            and (not query or query in row.search_text)
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
        self.filter = member_filter
        self._apply()

    def _apply(self) -> None:
        self.beginResetModel()
        query, accepts = normalise_query(self.filter.query), self.filter.accepts
        self.visible = [row for row in self.rows if accepts(row, query)]
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
        return next((i for i, r in enumerate(self.visible) if r.id == member_id), None)

    # --- Qt model interface ---------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.visible)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.visible[index.row()]
        if role == Qt.DisplayRole:
            value = COLUMNS[index.column()][1](row, self.today)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            return COLUMNS[index.column()][2](row, self.today)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ToolTipRole and row.archived:
            return "已归档"
        if role == Qt.ForegroundRole:
            if row.archived:
                return ARCHIVED_COLOUR
            if row.status in (MemberStatus.SUSPENDED, MemberStatus.LOST_CONTACT):
                return WARNING_COLOUR
        return None
