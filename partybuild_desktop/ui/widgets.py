"""Small building blocks the tabs share: a read-only table filled from rows (or from an official table's
definition), a form dialog, date fields; copying any table's rows for Excel or WPS; a header whose
columns the clerk chooses, moves and sizes, remembered between sessions."""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QDate, QEvent, QMimeData, QModelIndex, QObject, QPersistentModelIndex, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QColor, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.reports.spec import Table, display_text

PATH_ROLE = Qt.UserRole

HIGHLIGHT = QColor("#fde2e2")
TOTALS = QColor("#eef3fb")


class NumberedTableModel(QAbstractTableModel):
    """A flat table model headed ``COLUMNS``, its rows numbered 1, 2, 3 … down the side; a subclass says
    how many rows there are (``line_count``) and what each cell holds (``data``, ``flags``, ``setData``)."""

    COLUMNS: Sequence[str] = ()

    def line_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else self.line_count()

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.COLUMNS[section]
        if orientation == Qt.Vertical and role == Qt.DisplayRole:
            return str(section + 1)
        return None


class PickDelegate(QStyledItemDelegate):
    """A cell edited with a combo of fixed ``choices()`` ((label, value) pairs); a pick is taken at once."""

    def choices(self) -> Iterable[tuple[str, object]]:
        raise NotImplementedError

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt's name)
        editor = QComboBox(parent)
        for label, value in self.choices():
            editor.addItem(label, value)
        editor.activated.connect(lambda _i, e=editor: (self.commitData.emit(e), self.closeEditor.emit(e)))
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.EditRole)), 0))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentData())


class KeyedTableView(QTableView):
    """A table whose selected rows are marked from the keyboard: a key of ``KEYS`` ((value, key) pairs)
    emits ``picked`` with its value, and with ``CLEARABLE`` Delete or Backspace emits None; not while a
    cell is being edited, nor with Ctrl or Alt held."""

    picked = Signal(object)
    KEYS: Sequence[tuple[object, str]] = ()
    CLEARABLE = False

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.state() != QAbstractItemView.EditingState and not event.modifiers() & (
                Qt.ControlModifier | Qt.AltModifier):
            for value, key in self.KEYS:
                if event.text() == key:
                    self.picked.emit(value)
                    return
            if self.CLEARABLE and event.key() in (Qt.Key_Delete, Qt.Key_Backspace):
                self.picked.emit(None)
                return
        super().keyPressEvent(event)


class RowsTable(QTableWidget):
    """A read-only table of plain rows; remembers the object behind each row."""

    def __init__(self, headers: Sequence[str], name: str, stretch: int | None = None, parent=None):
        super().__init__(0, len(headers), parent)
        self.setObjectName(name)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        if stretch is not None:
            self.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.Stretch)
        self.objects: list = []
        make_copyable(self)

    def fill(self, objects: Iterable, cells, highlight=lambda obj: False) -> None:
        """``cells(obj)`` gives the row's texts; ``highlight(obj)`` marks a row that needs attention."""
        self.objects = list(objects)
        self.setRowCount(len(self.objects))
        for row, obj in enumerate(self.objects):
            marked = highlight(obj)
            for column, value in enumerate(cells(obj)):
                item = QTableWidgetItem("" if value is None else str(value))
                if marked:
                    item.setBackground(HIGHLIGHT)
                self.setItem(row, column, item)
        self.resizeColumnsToContents()

    def selected(self):
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        return [self.objects[row] for row in rows if row < len(self.objects)]

    def current(self):
        row = self.currentRow()
        return self.objects[row] if 0 <= row < len(self.objects) else None

    def select_id(self, row_id: int) -> None:
        """Select the row of the object with this ``id`` (a line just saved), where it is listed."""
        for row, obj in enumerate(self.objects):
            if obj.id == row_id:
                self.selectRow(row)

    def texts(self) -> list[list[str]]:
        """Every line as shown."""
        return [[self.item(r, c).text() if self.item(r, c) else "" for c in range(self.columnCount())]
                for r in range(self.rowCount())]


class SpecTable(RowsTable):
    """An official table on screen as it prints: its columns (a group's name above its columns' names),
    its lines, and its totals line, every value read as the printed cell reads it."""

    def __init__(self, table: Table, name: str, parent=None):
        columns = table.spec.columns
        super().__init__([f"{c.group}\n{c.header}" if c.group else c.header for c in columns], name, parent=parent)
        self.setSelectionBehavior(QAbstractItemView.SelectItems)
        rows = table.value_rows()
        totals = table.totals_row()
        self.setRowCount(len(rows) + (totals is not None))
        for row, values in enumerate(rows + ([totals] if totals is not None else [])):
            for column, (value, spec) in enumerate(zip(values, columns)):
                item = QTableWidgetItem(display_text(value, spec))
                item.setTextAlignment({"left": Qt.AlignLeft, "right": Qt.AlignRight}.get(
                    spec.alignment, Qt.AlignHCenter) | Qt.AlignVCenter)
                if values is totals:
                    item.setBackground(TOTALS)
                self.setItem(row, column, item)
        self.resizeColumnsToContents()


class PlacesList(QListWidget):
    """Where to write to or read from: removable drives first (USB sticks), then any folder chosen."""

    def __init__(self, name: str, drives, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        for drive in drives:
            self.add(drive.path, self.drive_label(drive), select=False)
        if self.count():
            self.setCurrentRow(0)

    @staticmethod
    def drive_label(drive) -> str:
        return f"{drive.label}（{drive.path}{_free_space(drive.free_bytes)}）"

    def add(self, path: Path, label: str | None = None, select: bool = True) -> None:
        item = QListWidgetItem(label or str(path))
        item.setData(PATH_ROLE, str(path))
        self.addItem(item)
        if select:
            self.setCurrentItem(item)

    def path(self, item: QListWidgetItem | None = None) -> Path | None:
        item = item or self.currentItem()
        return Path(item.data(PATH_ROLE)) if item else None


def _free_space(free: int | None) -> str:
    return "" if free is None else f"，可用 {free / 1024 ** 3:.1f} GB"


def date_edit(value: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit(QDate(value or dt.date.today()))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def combo(items: Iterable[tuple[str, object]], current=None, blank: str | None = None) -> QComboBox:
    box = QComboBox()
    if blank is not None:
        box.addItem(blank, None)
    for label, data in items:
        box.addItem(label, data)
    if current is not None:
        box.setCurrentIndex(max(box.findData(current), 0))
    return box


def year_combo(today: dt.date, name: str, years: int = 6) -> QComboBox:
    """The year chooser above a tab's tables: this year first, then the ``years`` − 1 before it."""
    box = QComboBox()
    box.setObjectName(name)
    for year in range(today.year, today.year - years, -1):
        box.addItem(f"{year}年", year)
    return box


def open_with_desktop(path) -> bool:
    """Open a file with the program the desktop has for it (a photo viewer, a PDF reader)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_attachment_copy(name: str, data: bytes, open_file=open_with_desktop) -> Path:
    """Show an attachment kept in the database: its bytes written under its own name into a fresh
    temporary folder and opened there with ``open_file``; returns the copy's path."""
    folder = Path(tempfile.mkdtemp(prefix="partybuild-attachment-"))
    path = folder / Path(name).name
    path.write_bytes(data)
    open_file(path)
    return path


def button_row(*widgets) -> QHBoxLayout:
    """Buttons (or any widgets) side by side from the left, the rest of the row left empty."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch()
    return row


def vertical_panel(*items) -> QWidget:
    """A widget of ``items`` one above the other, without margins (one side of a splitter): each item a
    widget, a layout, or a (widget, stretch) pair."""
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        if isinstance(item, tuple):
            layout.addWidget(*item)
        elif isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    return panel


def side_by_side(name: str, left: QWidget, right: QWidget, stretch: tuple[int, int]) -> QSplitter:
    """A list and its detail: ``left`` and ``right`` in a splitter named ``name``, sharing the width as
    ``stretch`` says."""
    splitter = QSplitter()
    splitter.setObjectName(name)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    return splitter


def show_year(box: QComboBox, year: int) -> None:
    """Turn a ``year_combo`` to ``year`` (where a record just saved belongs) when it offers that year."""
    if box.currentData() != year and box.findData(year) >= 0:
        box.setCurrentIndex(box.findData(year))


def tell_warnings(dialogs, title: str, warnings) -> None:
    """After a save: tell the clerk what the service warned about (the change is kept all the same)."""
    if warnings:
        dialogs.info(title, "已保存。请注意：\n" + "\n".join(f"· {w.message}" for w in warnings))


class FormDialog(QDialog):
    """A dialog of labelled fields with OK/Cancel; the caller reads the widgets afterwards."""

    def __init__(self, title: str, rows: Sequence[tuple[str, QWidget]], parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        form = QFormLayout(self)
        for label, widget in rows:
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setWindowModality(Qt.WindowModal)


# ---------------------------------------------------------------------------------------- copying

COPY_ACTION = "copyRows"
_LONG_NUMBER = re.compile(r"0\d+|\d{12,}")  # Excel would drop the leading zero or round the digits


def make_copyable(view: QAbstractItemView) -> QAction:
    """Ctrl+C and a right-click 复制 on ``view`` put its selected rows, with the header line, on the
    clipboard as tab-separated text and as an HTML table, so they paste into Excel or WPS as cells.
    Any table or tree: QTableView, QTableWidget, QTreeWidget. Calling it again changes nothing."""
    action = view.findChild(QAction, COPY_ACTION)
    if action is not None:
        return action
    action = QAction("复制", view)
    action.setObjectName(COPY_ACTION)
    action.setShortcut(QKeySequence.Copy)  # shown in the menu; the key itself is taken below
    action.setShortcutContext(Qt.WidgetShortcut)
    action.triggered.connect(lambda: copy_rows(view))
    view.addAction(action)
    if view.contextMenuPolicy() == Qt.DefaultContextMenu:
        view.setContextMenuPolicy(Qt.ActionsContextMenu)
    # The view itself answers Ctrl+C by copying only its current cell: the key is taken from it first.
    view.installEventFilter(_CopyKey(view))
    return action


class _CopyKey(QObject):
    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in (QEvent.ShortcutOverride, QEvent.KeyPress) and event.matches(QKeySequence.Copy):
            if kind == QEvent.KeyPress:
                copy_rows(watched)
            event.accept()
            return True
        return False


def copy_rows(view: QAbstractItemView) -> str:
    """Put the view's selected rows on the clipboard; returns the text (empty when nothing is selected)."""
    lines = selected_lines(view)
    if len(lines) < 2:
        return ""
    text = tab_separated(lines)
    data = QMimeData()
    data.setText(text)
    data.setHtml(html_table(lines))
    QGuiApplication.clipboard().setMimeData(data)
    return text


def selected_lines(view: QAbstractItemView) -> list[list[str]]:
    """The header line, then each selected row as shown: columns in their on-screen order, hidden ones
    left out. A view that selects single cells gives only the columns something is selected in."""
    model, selection = view.model(), view.selectionModel()
    if model is None or selection is None:
        return []
    header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
    columns = [header.logicalIndex(v) for v in range(header.count())]
    columns = [c for c in columns if not header.isSectionHidden(c)]
    whole_rows = view.selectionBehavior() == QAbstractItemView.SelectRows
    # A whole-row selection is asked for once per row: all 20,000 members selected stay quick to copy.
    indexes = selection.selectedRows() if whole_rows else selection.selectedIndexes()
    indexes = [i for i in indexes if i.isValid()]
    if not indexes:
        return []
    if not whole_rows:
        chosen = {i.column() for i in indexes}
        columns = [c for c in columns if c in chosen]
    lines = [[_text(model.headerData(c, Qt.Horizontal, Qt.DisplayRole)) for c in columns]]
    for parent, row in _rows_in_order(model, indexes):
        lines.append([_text(model.index(row, c, parent).data(Qt.DisplayRole)) for c in columns])
    return lines


def _rows_in_order(model, indexes) -> list[tuple[QModelIndex, int]]:
    """The rows the indexes lie in, once each, top to bottom (a tree's rows in the order it shows them)."""
    if all(not i.parent().isValid() for i in indexes):
        return [(QModelIndex(), row) for row in sorted({i.row() for i in indexes})]
    wanted = {QPersistentModelIndex(i.siblingAtColumn(0)) for i in indexes}
    found: list[tuple[QModelIndex, int]] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            if QPersistentModelIndex(index) in wanted:
                found.append((parent, row))
            if model.hasChildren(index):
                walk(index)

    walk(QModelIndex())
    return found


def _text(value) -> str:
    return "" if value is None else str(value)


def _cell(text: str) -> str:
    """A cell as Excel writes it to the clipboard: quoted, quotes doubled, when it holds a tab, a line
    break or a quote; otherwise as it is."""
    if any(ch in text for ch in '\t\n\r"'):
        return '"' + text.replace('"', '""') + '"'
    return text


def tab_separated(lines: list[list[str]]) -> str:
    return "".join("\t".join(_cell(cell) for cell in line) + "\n" for line in lines)


def html_table(lines: list[list[str]]) -> str:
    """The same cells as an HTML table; numbers that must stay text (ID numbers, numbers with a leading
    zero) are marked as text for Excel and WPS, and line breaks stay inside their cell."""

    def cell(tag: str, text: str) -> str:
        style = ' style="mso-number-format:\'\\@\'"' if _LONG_NUMBER.fullmatch(text) else ""
        body = html.escape(text).replace("\n", '<br style="mso-data-placement:same-cell">')
        return f"<{tag}{style}>{body}</{tag}>"

    head = "".join(cell("th", text) for text in lines[0])
    body = "".join("<tr>" + "".join(cell("td", text) for text in line) + "</tr>" for line in lines[1:])
    return f'<html><head><meta charset="utf-8"></head><body><table><tr>{head}</tr>{body}</table></body></html>'


def make_tables_copyable(root: QWidget) -> None:
    """Every table and tree inside ``root`` copies its rows (see make_copyable)."""
    for view in root.findChildren(QTableView) + root.findChildren(QTreeView):
        make_copyable(view)


# ---------------------------------------------------------------------------------------- columns

REMEMBERED = "rememberState"  # a header with this property keeps its columns between sessions
RESTORED = "stateRestored"  # set once a saved state was put back


def choose_columns(view: QTableView, always_shown: Sequence[int] = (0,)) -> None:
    """A right-click menu on the view's header to show or hide each column; columns can be dragged to
    another place. ``always_shown`` columns cannot be hidden."""
    header = view.horizontalHeader()
    header.setSectionsMovable(True)
    header.setContextMenuPolicy(Qt.CustomContextMenu)
    header.customContextMenuRequested.connect(lambda pos: column_menu(view, always_shown).exec(header.mapToGlobal(pos)))


def column_menu(view: QTableView, always_shown: Sequence[int] = (0,)) -> QMenu:
    header, model = view.horizontalHeader(), view.model()
    menu = QMenu("显示的列", view)
    for visual in range(header.count()):
        column = header.logicalIndex(visual)
        action = menu.addAction(_text(model.headerData(column, Qt.Horizontal, Qt.DisplayRole)))
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(column))
        action.setEnabled(column not in always_shown)
        action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
    return menu


def remember_header(view: QAbstractItemView) -> None:
    """Keep the column order, widths, hidden columns and sort of ``view`` in the window's settings,
    under the view's object name (see save_headers / restore_headers)."""
    if not view.objectName():
        raise ValueError("a view whose header is remembered needs an object name")
    header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
    header.setProperty(REMEMBERED, True)


def _remembered(root: QWidget):
    for header in root.findChildren(QHeaderView):
        view = header.parent()
        if header.property(REMEMBERED) and header.orientation() == Qt.Horizontal and view is not None:
            yield f"headers/{view.objectName()}", header


def save_headers(settings: QSettings, root: QWidget) -> None:
    for key, header in _remembered(root):
        settings.setValue(key, header.saveState())


def restore_headers(settings: QSettings, root: QWidget) -> None:
    for key, header in _remembered(root):
        state = settings.value(key)
        if state is not None and header.restoreState(state):
            header.setProperty(RESTORED, True)
