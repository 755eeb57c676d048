"""Small building blocks the tabs share: a read-only table filled from rows (or from an official table's
definition), a form dialog, date fields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from partybuild_desktop.reports.spec import Table, display_text

PATH_ROLE = Qt.UserRole

HIGHLIGHT = QColor("#fde2e2")
TOTALS = QColor("#eef3fb")


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
