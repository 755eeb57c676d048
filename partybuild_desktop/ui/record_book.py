"""一本: the selected member's record book (党员分类管理纪实本): entries by year, searched, added, edited."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
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
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.checked import CheckedDialog


class EntryDialog(CheckedDialog):
    """One record-book entry: date, type, what was done, and hours where they count as study.

    OK checks the entry first and then hands it to ``save(values)`` (a write through the operation
    runner, True when it was saved); when either refuses, the dialog stays open with the text as typed."""

    def __init__(self, parent=None, entry=None, today: dt.date | None = None, save=None):
        super().__init__(parent)
        self.setWindowTitle("纪实记录")
        self.today = today or dt.date.today()
        self.save = save
        self.date = QDateEdit(QDate(entry.date if entry else self.today))
        self.date.setObjectName("entryDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate(self.today))  # a 纪实 records what has happened
        self.entry_type = QComboBox()
        for kind in RecordEntryType:
            self.entry_type.addItem(kind.label, kind.value)
        self.text = QPlainTextEdit(entry.text if entry else "")
        self.text.setObjectName("entryText")
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
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self):
        hours = self.hours.value() or None
        return self.date.date().toPython(), RecordEntryType(self.entry_type.currentData()), self.text.toPlainText(), hours

    def check(self) -> bool | None:
        date, _, text, hours = self.values()
        member_service.check_entry(date, text, hours, self.today)
        return self.save(self.values()) if self.save is not None else None


class RecordBookPanel(QWidget):
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

    def _change(self, title: str, work) -> bool:
        """One write through the window's runner; the members tab refreshes this panel from its broadcast."""
        return self.context.operations.run(title, work, Change.RECORDS, dialogs=self.dialogs, initiator=self).ok

    def add_entry(self) -> None:
        member_id, today = self.member_id, self.today
        EntryDialog(self, today=today, save=lambda values: self._change(
            "添加纪实", lambda s: member_service.add_entry(s, member_id, *values, today=today))).exec()

    def edit_entry(self) -> None:
        entry = self._selected_entry()
        if entry is None:
            return
        today = self.today
        EntryDialog(self, entry, today=today, save=lambda values: self._change(
            "修改纪实", lambda s: member_service.update_entry(s, entry.id, *values, today=today))).exec()

    def delete_entry(self) -> None:
        entry = self._selected_entry()
        if entry is None or not self.dialogs.confirm("删除纪实", f"删除 {entry.date} 的这条纪实？\n{entry.text}"):
            return
        self._change("删除纪实", lambda s: member_service.delete_entry(s, entry.id))
