"""一本: the selected member's record book (党员分类管理纪实本): entries by year, searched, added, edited."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.vocabulary import STUDY_ENTRY_TYPES, RecordEntryType
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services.members import MemberError


class EntryDialog(QDialog):
    """One record-book entry: date, type, what was done, and hours where they count as study."""

    def __init__(self, parent=None, entry=None, today: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle("纪实记录")
        today = today or dt.date.today()
        self.date = QDateEdit(QDate(entry.date if entry else today))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.entry_type = QComboBox()
        for kind in RecordEntryType:
            self.entry_type.addItem(kind.label, kind.value)
        self.text = QPlainTextEdit(entry.text if entry else "")
        self.text.setPlaceholderText("做了什么、为谁做的、结果如何")
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0, 24)
        self.hours.setSingleStep(0.5)
        self.hours.setSpecialValueText("—")
        if entry:
            self.entry_type.setCurrentIndex(self.entry_type.findData(entry.entry_type.value))
            self.hours.setValue(entry.hours or 0)
        form = QFormLayout(self)
        form.addRow("日期", self.date)
        form.addRow("类型", self.entry_type)
        form.addRow("内容", self.text)
        form.addRow("学时", self.hours)
        form.addRow(QLabel("组织生活、政治学习的学时计入年度学习学时（党员 32，班子成员 56）。"))
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self):
        hours = self.hours.value() or None
        return self.date.date().toPython(), RecordEntryType(self.entry_type.currentData()), self.text.toPlainText(), hours


class RecordBookPanel(QWidget):
    changed = Signal()

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.member_id: int | None = None
        self.entries = []
        self.heading = QLabel("纪实本")
        self.heading.setStyleSheet("font-weight: bold;")
        self.year = QComboBox()
        self.year.setObjectName("bookYear")
        for year in range(self.today.year, self.today.year - 6, -1):
            self.year.addItem(f"{year}年", year)
        self.year.addItem("全部年份", None)
        self.search = QLineEdit()
        self.search.setObjectName("bookSearch")
        self.search.setPlaceholderText("搜索纪实内容")
        self.hours = QLabel()
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("bookTable")
        self.table.setHorizontalHeaderLabels(["日期", "类型", "内容", "学时"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.setWordWrap(True)
        self.add_button = QPushButton("添加纪实")
        self.edit_button = QPushButton("修改")
        self.delete_button = QPushButton("删除")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.year)
        top.addWidget(self.search)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hours, 1)
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.year.currentIndexChanged.connect(self.refresh)
        self.search.textChanged.connect(self.refresh)
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_entry)
        self.delete_button.clicked.connect(self.delete_entry)
        self.table.doubleClicked.connect(lambda _: self.edit_entry())
        self.show_member(None)

    def show_member(self, member_id: int | None) -> None:
        self.member_id = member_id
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setEnabled(member_id is not None)
        self.refresh()

    def refresh(self) -> None:
        if self.member_id is None:
            self.entries = []
            self.heading.setText("纪实本")
            self.hours.setText("")
        else:
            year = self.year.currentData()
            village_id = self.context.village().id
            with self.context.store.session() as session:
                self.entries = member_service.list_entries(
                    session, village_id, self.member_id, year=year, text=self.search.text()
                )
                form = member_service.load_form(session, self.member_id)
                study_year = year or self.today.year
                hours = member_service.study_hours(session, [self.member_id], study_year)[self.member_id]
            required = 56 if form.is_committee_member else 32
            self.heading.setText(f"{form.name} 的纪实本")
            self.hours.setText(f"{study_year}年学习 {hours:g} 学时（要求 {required}）")
            self.hours.setStyleSheet("" if hours >= required else "color: #b03030;")
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            hours = f"{entry.hours:g}" if entry.hours and entry.entry_type in STUDY_ENTRY_TYPES else ""
            values = (entry.date.isoformat(), entry.entry_type.label, entry.text, hours)
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if entry.source_kind:
                    item.setToolTip("由其他记录自动生成")
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    def _selected_entry(self):
        row = self.table.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _run(self, change) -> None:
        try:
            with self.context.store.session() as session:
                change(session)
        except MemberError as error:
            self.dialogs.error("纪实本", str(error))
            return
        self.refresh()
        self.changed.emit()

    def add_entry(self) -> None:
        dialog = EntryDialog(self, today=self.today)
        if dialog.exec():
            values = dialog.values()
            self._run(lambda s: member_service.add_entry(s, self.member_id, *values, today=self.today))

    def edit_entry(self) -> None:
        entry = self._selected_entry()
        if entry is None:
            return
        dialog = EntryDialog(self, entry, today=self.today)
        if dialog.exec():
            values = dialog.values()
            self._run(lambda s: member_service.update_entry(s, entry.id, *values, today=self.today))

    def delete_entry(self) -> None:
        entry = self._selected_entry()
        if entry is None or not self.dialogs.confirm("删除纪实", f"删除 {entry.date} 的这条纪实？\n{entry.text}"):
            return
        self._run(lambda s: member_service.delete_entry(s, entry.id))
