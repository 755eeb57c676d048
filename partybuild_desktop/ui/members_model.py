"""The members table model: every row in memory, filtered, ranked and sorted in plain Python.

A keystroke in the search box filters 20,000 rows with one list comprehension over precomputed
lower-case haystacks, ranks what it found (whole fields, then the start of one, then the rest), then
resets the model. The view asks only for the rows it shows, several roles per cell; each row's texts
are formatted once, the first time the row is painted, and every later call is a tuple look-up.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QStyledItemDelegate

from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.domain.vocabulary import MemberCategory, MemberStatus
from partybuild_desktop.services.members import MemberRow, find, normalise_query, rank

SORT_ROLE = int(Qt.UserRole) + 1
ID_ROLE = int(Qt.UserRole) + 2
# Roles as plain ints: data() runs for every visible cell and role, and comparing Qt enum members
# costs far more than comparing ints.
_DISPLAY, _TOOLTIP, _FOREGROUND = int(Qt.DisplayRole), int(Qt.ToolTipRole), int(Qt.ForegroundRole)
_ANSWERED = frozenset((_TOOLTIP, _FOREGROUND, SORT_ROLE, ID_ROLE))  # besides the display role
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

    def same_but_query(self, previous: "MemberFilter") -> bool:
        return replace(self, query=previous.query) == previous

    def narrows(self, previous: "MemberFilter") -> bool:
        """True when this filter can only hide rows the previous one showed (the clerk typed on)."""
        return self.same_but_query(previous) and normalise_query(self.query).startswith(
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
    """``rows``: every member loaded; ``visible``: what the table shows, in its order."""

    def __init__(self, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.today = today or dt.date.today()
        self.rows: list[MemberRow] = []
        self.visible: list[MemberRow] = []
        self.filter = MemberFilter()
        self.sort_column, self.sort_order = -1, Qt.AscendingOrder
        self._kept: list[MemberRow] = []  # rows the filters other than the query keep, in the sort order
        self._found: list[MemberRow] = []  # of those, the ones the query finds, still in the sort order
        self._lines: list[tuple | None] = []  # per visible row: its texts, colour and tooltip, once painted
        self._line_of: dict[int, tuple] = {}  # the same by member id, kept while the rows are

    # --- loading, filtering, sorting ------------------------------------------------------------
    def set_rows(self, rows: list[MemberRow]) -> None:
        self.rows = rows
        self._line_of = {}
        self._apply()

    def set_filter(self, member_filter: MemberFilter) -> None:
        # Typing on narrows what was found already (and keeps its order); another query searches the
        # rows the other filters kept; a change of those filters starts over.
        narrowing = member_filter.narrows(self.filter)
        same_rows = member_filter.same_but_query(self.filter)
        self.filter = member_filter
        self._apply(narrowing, same_rows)

    def _apply(self, narrowing: bool = False, same_rows: bool = False) -> None:
        query = normalise_query(self.filter.query)
        if not (narrowing or same_rows):
            kept = self.rows
            for test in self.filter.predicates():
                kept = [row for row in kept if test(row)]
            self._kept = self._sorted(kept)
        self._found = find(self._found if narrowing else self._kept, query)
        shown = rank(self._found, query)
        if narrowing and shown == self.visible:
            return  # typing on changed nothing shown: the view, its scrolling and its selection stay as they are
        self.beginResetModel()
        self._show(shown)
        self.endResetModel()

    def _show(self, rows: list[MemberRow]) -> None:
        self.visible = rows
        self._lines = [None] * len(rows)

    def _sorted(self, rows: list[MemberRow]) -> list[MemberRow]:
        if self.sort_column < 0:
            return list(rows)
        key = COLUMNS[self.sort_column][2]
        return sorted(rows, key=lambda r: key(r, self.today), reverse=self.sort_order == Qt.DescendingOrder)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        """Sort by a column; while searching, the best matches stay first and each tier is sorted."""
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        moved = [(index, self.visible[index.row()].id) for index in self.persistentIndexList()
                 if index.row() < len(self.visible)]
        query = normalise_query(self.filter.query)
        self._kept = self._sorted(self._kept)
        self._found = find(self._kept, query)
        self._show(rank(self._found, query))
        rows = {row.id: i for i, row in enumerate(self.visible)}
        self.changePersistentIndexList(
            [index for index, _ in moved],
            [self.index(rows[member_id], index.column()) if member_id in rows else QModelIndex()
             for index, member_id in moved])
        self.layoutChanged.emit()

    def member_id(self, row: int) -> int:
        return self.visible[row].id

    def row_of(self, member_id: int) -> int | None:
        for i, row in enumerate(self.visible):
            if row.id == member_id:
                return i
        return None

    def widest_texts(self, column: int, among: int = 5) -> list[str]:
        """The longest texts of a column over every row loaded (by characters), to size the column."""
        display = COLUMNS[column][1]
        texts = {str(display(row, self.today)) for row in self.rows}
        return heapq.nlargest(among, texts, key=len)

    def _line(self, row: int) -> tuple:
        member = self.visible[row]
        line = self._line_of.get(member.id)
        if line is None:
            colour = ARCHIVED_COLOUR if member.archived else (
                WARNING_COLOUR if member.status in (MemberStatus.SUSPENDED, MemberStatus.LOST_CONTACT) else None)
            texts = tuple("" if value is None else str(value)
                          for value in (display(member, self.today) for _, display, _ in COLUMNS))
            line = self._line_of[member.id] = (*texts, colour, "已归档" if member.archived else None)
        self._lines[row] = line
        return line

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
        # The delegate asks for about seven roles per painted cell: the display role and the roles
        # this model never answers cost one comparison or one set look-up each.
        if role == _DISPLAY:
            row = index.row()
            return (self._lines[row] or self._line(row))[index.column()]
        if role not in _ANSWERED:
            return None
        row = index.row()
        if role == _FOREGROUND:
            return (self._lines[row] or self._line(row))[-2]
        if role == _TOOLTIP:
            return (self._lines[row] or self._line(row))[-1]
        if role == SORT_ROLE:
            return COLUMNS[index.column()][2](self.visible[row], self.today)
        return self.visible[row].id


_ALIGN = int(Qt.AlignLeft | Qt.AlignVCenter)
_MARGIN = 4  # pixels of space left and right of a cell's text


class MembersDelegate(QStyledItemDelegate):
    """Paints a members cell straight from the model's formatted line: one Python call per cell, where
    the default delegate makes seven data() calls and lays the text out again through the style. Text
    too long for its column is cut at the column's edge (columns start as wide as their longest text)."""

    def __init__(self, model: MembersModel, view):
        super().__init__(view)
        self.model, self.view = model, view
        self.palette_changed(view.palette())

    def palette_changed(self, palette: QPalette) -> None:
        self.text_colour = palette.color(QPalette.Text)
        self.highlight = palette.brush(QPalette.Highlight)
        self.highlighted_text = palette.color(QPalette.HighlightedText)

    def paint(self, painter, option, index) -> None:
        model, row = self.model, index.row()
        line = model._lines[row] or model._line(row)
        text = line[index.column()]
        # Asked of the selection model: reading option.state builds a Python flag object per cell.
        if self.view.selectionModel().isSelected(index):
            rect = option.rect
            painter.fillRect(rect, self.highlight)
            painter.setPen(self.highlighted_text)
        elif text:
            rect = option.rect
            painter.setPen(line[-2] or self.text_colour)
        else:
            return  # an empty cell: the view has drawn its background already
        if text:
            painter.drawText(rect.adjusted(_MARGIN, 0, -_MARGIN, 0), _ALIGN, text)
