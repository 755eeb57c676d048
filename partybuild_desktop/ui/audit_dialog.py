"""设置 → 操作记录…: every change saved in this data file — when, by which operator, what, which records and
the fields changed (原值 → 新值) — filtered by dates, operator, area and text, and exported to Excel.

The log only grows: nothing here changes it (``services.audit``). ID numbers and phones are shown as the
log keeps them, masked; addresses and incomes only as changed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.services import audit
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.dialogs import default_export_folder
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import RowsTable

SHOWN = 2000  # operations listed at once; a wider range is narrowed by the filters (the export has them all)
ALL = "（全部）"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class AuditDialog(WatchesChanges, QDialog):
    """The log, newest first; the selected operation's changes below it."""

    watches = Change.EVERYTHING

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.setObjectName("auditDialog")
        self.setWindowTitle("操作记录")

        self.all_dates = QCheckBox("全部日期")
        self.all_dates.setObjectName("auditAllDates")
        self.since = QDateEdit(_qdate(self.today - dt.timedelta(days=30)))
        self.until = QDateEdit(_qdate(self.today))
        for edit, name in ((self.since, "auditSince"), (self.until, "auditUntil")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.operator = QComboBox()
        self.operator.setObjectName("auditOperator")
        self.area = QComboBox()
        self.area.setObjectName("auditArea")
        self.area.addItem(ALL, None)
        for name, label in audit.AREA_LABELS.items():
            self.area.addItem(label, name)
        self.text = QLineEdit()
        self.text.setObjectName("auditText")
        self.text.setPlaceholderText("操作或记录中的文字，例如党员姓名")
        self.text.setClearButtonEnabled(True)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setObjectName("auditExport")
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("从"))
        filters.addWidget(self.since)
        filters.addWidget(QLabel("到"))
        filters.addWidget(self.until)
        filters.addWidget(self.all_dates)
        filters.addSpacing(12)
        filters.addWidget(QLabel("操作员"))
        filters.addWidget(self.operator)
        filters.addWidget(QLabel("方面"))
        filters.addWidget(self.area)
        filters.addWidget(QLabel("查找"))
        filters.addWidget(self.text, 1)

        self.entries = RowsTable(["时间", "操作员", "操作", "涉及方面", "来源", "涉及的记录"], "auditEntries", stretch=5)
        self.entries.setSelectionMode(RowsTable.SingleSelection)
        self.changes = RowsTable(["改动", "记录", "字段", "原值", "新值", "条数"], "auditChanges")
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")
        self.detail_label = QLabel("选中一次操作，这里列出它改动的记录和字段（原值 → 新值）。")
        self.detail_label.setObjectName("auditDetailTitle")
        self.detail_label.setWordWrap(True)
        note = QLabel("操作记录只能追加，不能修改或删除。身份证号、电话只显示部分号码，住址和收入只记下改过，不记内容。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555")

        lower = QVBoxLayout()
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addWidget(self.detail_label)
        lower.addWidget(self.changes)
        bottom = QWidget()
        bottom.setLayout(lower)
        splitter = QSplitter(Qt.Vertical)
        splitter.setObjectName("auditSplitter")
        splitter.addWidget(self.entries)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)

        self.all_dates.toggled.connect(self._dates_toggled)
        for signal in (self.since.dateChanged, self.until.dateChanged, self.operator.currentIndexChanged,
                       self.area.currentIndexChanged, self.text.textChanged):
            signal.connect(self.refresh)
        self.entries.itemSelectionChanged.connect(self.show_details)
        self.export_button.clicked.connect(self.export)
        self.resize(1100, 680)
        self._fill_operators()
        self.refresh()
        self.watch(context.operations)

    # --- the filters ------------------------------------------------------------------------------
    def _dates_toggled(self, everything: bool) -> None:
        self.since.setEnabled(not everything)
        self.until.setEnabled(not everything)
        self.refresh()

    def _fill_operators(self) -> None:
        current = self.operator.currentData()
        with self.context.store.session() as session:
            names = audit.operators(session)
        self.operator.blockSignals(True)
        self.operator.clear()
        self.operator.addItem(ALL, None)
        for name in names:
            self.operator.addItem(name, name)
        index = self.operator.findData(current)
        self.operator.setCurrentIndex(max(index, 0))
        self.operator.blockSignals(False)

    def filters(self) -> dict:
        everything = self.all_dates.isChecked()
        return dict(since=None if everything else _day(self.since.date()),
                    until=None if everything else _day(self.until.date()),
                    operator_name=self.operator.currentData(), area=self.area.currentData(),
                    text=self.text.text().strip() or None)

    # --- the lists --------------------------------------------------------------------------------
    def refresh(self) -> None:
        chosen = self.entries.current()
        with self.context.store.session() as session:
            lines = audit.entries(session, limit=SHOWN + 1, **self.filters())
        more = len(lines) > SHOWN
        lines = lines[:SHOWN]
        self.entries.fill(lines, lambda line: (
            f"{line.at:%Y-%m-%d %H:%M:%S}", line.operator, line.action,
            "、".join(audit.area_label(name) for name in line.changes.names),
            "命令行" if line.source == "cli" else "窗口", _records_text(line.records)))
        self.entries.setColumnWidth(5, max(self.entries.columnWidth(5), 200))
        if more:
            self.count_label.setText(f"只列出最新的 {SHOWN} 次操作，请缩小日期范围或加上条件；导出的 Excel 含全部。")
        else:
            self.count_label.setText(f"共 {len(lines)} 次操作。" if lines else "没有符合条件的操作记录。")
        self.export_button.setEnabled(bool(lines))
        if chosen is not None:
            self.entries.select_id(chosen.id)
        if self.entries.current() is None and lines:
            self.entries.selectRow(0)
        self.show_details()

    def show_details(self) -> None:
        line = self.entries.current()
        if line is None:
            self.changes.fill([], lambda f: ())
            self.detail_label.setText("选中一次操作，这里列出它改动的记录和字段（原值 → 新值）。")
            return
        with self.context.store.session() as session:
            fields = audit.details(session, line.id)
        with_fields = {f.record for f in fields if f.field is not None}
        shown = [f for f in fields if f.field is not None or f.kind == audit.BULK or f.record not in with_fields]
        self.changes.fill(shown, lambda f: (
            audit.KIND_LABELS.get(f.kind, f.kind), f.record, f.field or "", f.old or "", f.new or "",
            "" if f.count is None else f.count))
        header = self.changes.horizontalHeader()
        self.changes.setColumnWidth(1, min(self.changes.columnWidth(1), 420))
        for column in (3, 4):
            header.setSectionResizeMode(column, QHeaderView.Stretch)
        self.detail_label.setText(
            f"{line.at:%Y-%m-%d %H:%M:%S}　{line.operator}　{line.action}：" +
            (f"{len(line.records)} 项记录" if shown else "没有记下改动的记录（这次操作在记录明细之前保存）"))

    # --- export -----------------------------------------------------------------------------------
    def export(self) -> None:
        village = self.context.village()
        name = f"{village.name if village else ''}{audit.LOG_TITLE}{self.today:%Y%m%d}.xlsx"
        target = self.dialogs.save_file("导出操作记录", default_export_folder() / name, "Excel 工作簿 (*.xlsx)")
        if target is None:
            return
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        store, filters, today = self.context.store, self.filters(), self.today

        def done(written) -> None:
            self.dialogs.exported("导出完成", written.path)

        self.context.operations.query_in_background(
            "导出操作记录", lambda progress: audit.export_log(store, target, today=today, **filters),
            dialogs=self.dialogs, parent=self, on_success=done, cancellable=False)

    def _on_changed(self, changes, initiator) -> None:
        self._fill_operators()
        super()._on_changed(changes, initiator)


def _records_text(records) -> str:
    if len(records) <= 3:
        return "；".join(records)
    return "；".join(records[:3]) + f" 等 {len(records)} 项"


def open_audit_dialog(context, dialogs, parent=None) -> AuditDialog:
    """设置 → 操作记录…: shown beside the window (not modal), so the clerk can keep working."""
    dialog = AuditDialog(context, dialogs, parent)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog
