"""The members table model: every row in memory, filtered, ranked and sorted in plain Python.

A keystroke in the search box filters 20,000 rows with one list comprehension over precomputed
lower-case haystacks, ranks what it found (whole fields, then the start of one, then the rest), then
resets the model. The view paints only the rows it shows, in one pass (``paint_rows``); each row's texts
are formatted once, the first time the row is painted, and every later call is a tuple look-up.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

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
        # Painting goes through ``paint_rows``; copying, column sizing and sorting ask here, several
        # roles per cell: the display role and the roles never answered cost one comparison or look-up.
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


def paint_rows(view, model: "MembersModel", painter: QPainter, area: QRect) -> None:
    """Paint the members table's rows within ``area`` of its viewport in one pass, straight from the
    model's formatted lines: QTableView's own painting asks a delegate (and the style) once per cell.
    Rows keep the view's look: alternating base colours, the selection, the member's colour, the grid;
    text too long for its column is cut at the column's edge (columns start as wide as their text)."""
    count = model.rowCount()
    if not count:
        return
    first = max(view.rowAt(area.top()), 0)
    last = view.rowAt(area.bottom())
    last = count - 1 if last < 0 else last
    header = view.horizontalHeader()
    columns = []
    for visual in range(header.count()):
        logical = header.logicalIndex(visual)
        x, width = header.sectionViewportPosition(logical), header.sectionSize(logical)
        if not header.isSectionHidden(logical) and x + width >= area.left() and x <= area.right():
            columns.append((logical, x, width))
    palette = view.palette()
    base, alternate = palette.base(), palette.alternateBase() if view.alternatingRowColors() else palette.base()
    highlight, highlighted, text_colour = palette.highlight(), palette.color(QPalette.HighlightedText), \
        palette.color(QPalette.Text)
    selection, root, right = view.selectionModel(), view.rootIndex(), area.right() + 1
    lines = model._lines
    for row in range(first, last + 1):
        top, height = view.rowViewportPosition(row), view.rowHeight(row)
        line = lines[row] or model._line(row)
        if selection.isRowSelected(row, root):
            painter.fillRect(0, top, right, height, highlight)
            painter.setPen(highlighted)
        else:
            painter.fillRect(0, top, right, height, alternate if row % 2 else base)
            painter.setPen(line[-2] or text_colour)
        for logical, x, width in columns:
            text = line[logical]
            if text:
                painter.drawText(QRect(x + _MARGIN, top, width - 2 * _MARGIN, height - 1), _ALIGN, text)
    if view.showGrid():
        option = QStyleOptionViewItem()
        painter.setPen(QColor.fromRgba(view.style().styleHint(QStyle.SH_Table_GridLineColor, option, view) & 0xFFFFFFFF))
        bottom = view.rowViewportPosition(last) + view.rowHeight(last) - 1
        for row in range(first, last + 1):
            line_y = view.rowViewportPosition(row) + view.rowHeight(row) - 1
            painter.drawLine(0, line_y, right, line_y)
        for _logical, x, width in columns:
            painter.drawLine(x + width - 1, area.top(), x + width - 1, bottom)
