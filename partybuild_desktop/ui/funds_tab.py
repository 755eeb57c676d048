"""党建经费: the branch's ledger of budget lines, money received (拨付) and money spent, by year.

The page reads through ``services.funds``: the ledger of the year (or one quarter), the totals per project
(预算 / 支出 / 余额, over-budget and unbudgeted lines marked) and the selected line's scans. Every write is
one operation of the runner (``Change.RECORDS``; the yearly minimum ``Change.SETTINGS``); the entry dialog
writes only on OK and stays open, with what was typed, when the service refuses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.money import format_money, parse_money
from partybuild_desktop.services import funds as funds_service
from partybuild_desktop.services.attachments import read_attachment
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.checked import CheckedDialog
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import (
    HIGHLIGHT,
    TOTALS,
    RowsTable,
    button_row,
    date_edit,
    open_attachment_copy,
    open_with_desktop,
    show_year,
    tell_warnings,
    year_combo,
)

ATTACHMENT_FILTER = "凭证照片或扫描件 (*.jpg *.jpeg *.png *.pdf);;所有文件 (*)"
QUARTERS = ("全年", "第一季度", "第二季度", "第三季度", "第四季度")
OVER_BUDGET = QColor("#fff4cc")  # spent more than the budget line
UNBUDGETED = HIGHLIGHT  # spent with no budget line at all
LEDGER_COLUMNS = ["日期", "类型", "项目", "摘要", "金额（元）", "凭证号", "审批人", "经办人", "附件"]
AMOUNT_COLUMN = 4


class FundsTab(WatchesChanges, QWidget):
    """年度 and 季度 on top; the ledger; under it the totals per project and the selected line's scans."""

    watches = Change.RECORDS | Change.SETTINGS | Change.VILLAGE

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None, open_file=None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        # How a scan is shown: the system's viewer (tests replace it).
        self.open_file = open_file or open_with_desktop
        self.status: funds_service.FundsStatus | None = None
        self.last_preview = None

        self.year = year_combo(self.today, "fundsYear")
        self.quarter = QComboBox()
        self.quarter.setObjectName("fundsQuarter")
        for number, label in enumerate(QUARTERS):
            self.quarter.addItem(label, number or None)
        self.summary = QLabel()
        self.summary.setObjectName("fundsSummary")
        self.summary.setWordWrap(True)
        self.minimum_button = QPushButton("经费标准…")
        self.minimum_button.setToolTip("每村每年党建经费不少于多少元（默认 4 万元）；低于标准时提醒")
        self.minimum_button.clicked.connect(self.ask_minimum)
        self.print_button = QPushButton("打印公示…")
        self.print_button.setToolTip("党建经费使用情况公示：所选季度（选“全年”为全年）的收支，先看打印预览")
        self.print_button.clicked.connect(self.print_notice)
        top = QHBoxLayout()
        for widget in (QLabel("年度"), self.year, QLabel("期间"), self.quarter):
            top.addWidget(widget)
        top.addWidget(self.summary, 1)
        top.addWidget(self.minimum_button)
        top.addWidget(self.print_button)

        self.ledger = RowsTable(LEDGER_COLUMNS, "fundsLedger", stretch=3)
        self.ledger.setSelectionMode(RowsTable.SingleSelection)
        self.ledger.doubleClicked.connect(lambda _index: self.ask_edit())
        self.ledger.itemSelectionChanged.connect(self.refresh_attachments)
        self.add_buttons = {}
        for kind, text in ((funds_service.BUDGET, "登记预算…"), (funds_service.INCOME, "登记拨付…"),
                           (funds_service.EXPENSE, "登记支出…")):
            button = QPushButton(text)
            button.setObjectName(f"addFunds_{kind}")
            button.clicked.connect(lambda _=False, kind=kind: self.ask_add(kind))
            self.add_buttons[kind] = button
        self.edit_button = QPushButton("修改…")
        self.delete_button = QPushButton("删除")
        self.edit_button.clicked.connect(self.ask_edit)
        self.delete_button.clicked.connect(self.ask_delete)
        ledger_box = QWidget()
        ledger_layout = QVBoxLayout(ledger_box)
        ledger_layout.setContentsMargins(0, 0, 0, 0)
        ledger_layout.addWidget(self.ledger, 1)
        ledger_layout.addLayout(button_row(*self.add_buttons.values(), self.edit_button, self.delete_button))

        self.projects = RowsTable(["项目", "预算（元）", "支出（元）", "预算余额（元）", "说明"], "fundsProjects", stretch=4)
        projects_box = QGroupBox("按项目")
        QVBoxLayout(projects_box).addWidget(self.projects)
        self.attachments = QListWidget()
        self.attachments.setObjectName("fundsAttachments")
        self.attachments.itemDoubleClicked.connect(lambda _item: self.open_attachment())
        self.attachment_buttons = [QPushButton(t) for t in ("添加附件…", "查看", "删除附件")]
        for button, slot in zip(self.attachment_buttons, (self.add_attachment, self.open_attachment,
                                                          self.remove_attachment)):
            button.clicked.connect(slot)
        attachments_box = QGroupBox("凭证附件（选中的一笔）")
        attachments_layout = QVBoxLayout(attachments_box)
        attachments_layout.addWidget(self.attachments, 1)
        attachments_layout.addLayout(button_row(*self.attachment_buttons))
        lower = QSplitter(Qt.Horizontal)
        lower.setObjectName("fundsLowerSplitter")
        lower.addWidget(projects_box)
        lower.addWidget(attachments_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        splitter = QSplitter(Qt.Vertical)
        splitter.setObjectName("fundsSplitter")
        splitter.addWidget(ledger_box)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        note = QLabel("用前有预算、用时有项目、用后有报账：每笔支出写明项目和凭证号，凭证扫描件作为附件保存。"
                      "红色：支出的项目没有预算；黄色：支出超过预算。结余含上年结转。")
        note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(note)
        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        self.quarter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    # ------------------------------------------------------------------------------------ reading
    def refresh(self) -> None:
        current = self.ledger.current()
        year, quarter = self.year.currentData(), self.quarter.currentData()
        with self.context.store.session() as session:
            status = funds_service.funds_status(session, self.village_id, year, quarter)
        self.status = status
        rows = list(status.entries)

        def cells(e):
            project = e.project if e.kind != funds_service.INCOME else (e.source or "")
            return (e.date.isoformat(), e.kind_label, project or "", e.item, format_money(e.amount_fen),
                    e.voucher_no or "", e.approved_by or "", e.handled_by or "", e.attachments or "")

        self.ledger.fill(rows, cells, highlight=lambda e: e.unbudgeted)
        for row, entry in enumerate(rows):
            self.ledger.item(row, AMOUNT_COLUMN).setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            for column in (1, 8):
                self.ledger.item(row, column).setTextAlignment(Qt.AlignCenter)
            if entry.unbudgeted:
                self.ledger.item(row, 2).setToolTip("这个项目本年没有预算")
            if entry.kind == funds_service.EXPENSE and not entry.voucher_no:
                self.ledger.item(row, 5).setToolTip("没有凭证号：报账后请补上")
        for column, width in ((0, 96), (1, 56), (2, 120), (4, 100), (5, 80), (6, 72), (7, 72), (8, 44)):
            self.ledger.setColumnWidth(column, max(self.ledger.columnWidth(column), width))
        if current is not None:
            for row, entry in enumerate(rows):
                if entry.id == current.id:
                    self.ledger.selectRow(row)
        self._fill_projects(status)
        self._fill_summary(status)
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(bool(rows))
        self.refresh_attachments()

    def _fill_projects(self, status) -> None:
        lines = list(status.projects) + ["total"]

        def cells(line):
            if line == "total":
                return ("合计", format_money(status.budget_fen), format_money(status.spent_fen),
                        format_money(status.budget_fen - status.spent_fen), "")
            remark = ("没有预算" if not line.budgeted
                      else f"超出预算 {format_money(-line.balance_fen)} 元" if line.over_budget else "")
            return (line.project, format_money(line.budget_fen), format_money(line.spent_fen),
                    format_money(line.balance_fen), remark)

        self.projects.fill(lines, cells, highlight=lambda line: line != "total" and not line.budgeted)
        for row, line in enumerate(lines):
            for column in (1, 2, 3):
                self.projects.item(row, column).setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if line == "total":
                for column in range(5):
                    self.projects.item(row, column).setBackground(TOTALS)
            elif line.budgeted and line.over_budget:
                for column in range(5):
                    self.projects.item(row, column).setBackground(OVER_BUDGET)
        for column, width in ((0, 140), (1, 100), (2, 100), (3, 110)):
            self.projects.setColumnWidth(column, max(self.projects.columnWidth(column), width))

    def _fill_summary(self, status) -> None:
        upto = "（累计到季度末）" if status.quarter else ""
        text = (f"　（元）上年结转 {format_money(status.carried_over_fen)}，拨付 {format_money(status.income_fen)}，"
                f"支出 {format_money(status.spent_fen)}，<b>结余 {format_money(status.balance_fen)}</b>{upto}")
        if status.quarter:
            text += (f"；本季度拨付 {format_money(status.period_income_fen)}，"
                     f"支出 {format_money(status.period_spent_fen)}")
        warnings = []
        if status.below_minimum:
            warnings.append(f"{status.year}年拨付低于每年 {format_money(status.minimum_fen)} 元的标准")
        if status.unbudgeted:
            warnings.append(f"{len(status.unbudgeted)} 笔支出没有预算")
        if warnings:
            text += "　<span style='color:#b00000'>" + "；".join(warnings) + "</span>"
        self.summary.setText(text)

    def selected_entry(self):
        return self.ledger.current()

    # ------------------------------------------------------------------------------------ writing
    def _projects(self, year: int) -> list[str]:
        with self.context.store.session() as session:
            return funds_service.projects_in_use(session, self.village_id, year)

    def _open_dialog(self, title: str, form: funds_service.FundsForm, entry_id: int | None) -> "FundsEntryDialog":
        village_id, today = self.village_id, self.today
        operations, dialogs = self.context.operations, self.dialogs
        self.last_saved = None

        def save(filled: funds_service.FundsForm) -> bool:
            def work(session):
                if entry_id is None:
                    return funds_service.add_entry(session, village_id, filled, today)
                return funds_service.update_entry(session, village_id, entry_id, filled, today)

            outcome = operations.run(title, work, Change.RECORDS, dialogs=dialogs, initiator=self)
            if outcome.ok:
                self.last_saved = outcome.value
            return outcome.ok

        dialog = FundsEntryDialog(title, form, self._projects((form.date or today).year), save, today, self)
        self.last_dialog = dialog
        return dialog

    def add_dialog(self, kind: str) -> "FundsEntryDialog":
        """登记预算 / 登记拨付 / 登记支出, dated today (or within the year shown)."""
        year = self.year.currentData()
        day = self.today if year == self.today.year else dt.date(year, 1, 1) if kind == funds_service.BUDGET \
            else dt.date(year, 12, 31)
        title = {"budget": "登记预算", "income": "登记拨付", "expense": "登记支出"}[kind]
        return self._open_dialog(title, funds_service.FundsForm(kind, day), None)

    def edit_dialog(self, entry) -> "FundsEntryDialog":
        return self._open_dialog("修改经费记录", entry.form(), entry.id)

    def ask_add(self, kind: str) -> None:
        dialog = self.add_dialog(kind)
        if dialog.exec():
            self._after_save(dialog.windowTitle())

    def ask_edit(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            self.dialogs.info("修改经费记录", "请先在台账中选中一笔。")
            return
        dialog = self.edit_dialog(entry)
        if dialog.exec():
            self._after_save("修改经费记录")

    def _after_save(self, title: str) -> None:
        saved = self.last_saved
        if saved is None:
            return
        with self.context.store.session() as session:
            year = funds_service.entry_row(session, self.village_id, saved.id).date.year
        show_year(self.year, year)
        self.ledger.select_id(saved.id)
        tell_warnings(self.dialogs, title, saved.warnings)

    def ask_delete(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            self.dialogs.info("删除经费记录", "请先在台账中选中一笔。")
            return
        scans = f"\n它的 {entry.attachments} 个凭证附件也会一起删除。" if entry.attachments else ""
        if not self.dialogs.confirm("删除经费记录", f"删除 {entry.date.isoformat()} 的{entry.kind_label}"
                                                  f"“{entry.item}”（{format_money(entry.amount_fen)} 元）？{scans}"):
            return
        village_id = self.village_id
        self.context.operations.run("删除经费记录", lambda s: funds_service.delete_entry(s, village_id, entry.id),
                                    Change.RECORDS, dialogs=self.dialogs, initiator=self)

    def ask_minimum(self) -> None:
        self.minimum_dialog().exec()

    def minimum_dialog(self) -> "MinimumDialog":
        """经费标准…: saved as one operation on OK."""
        with self.context.store.session() as session:
            current = funds_service.funds_minimum(session)
        operations, dialogs = self.context.operations, self.dialogs

        def save(fen: int) -> bool:
            return operations.run("设置经费标准", lambda s: funds_service.set_funds_minimum(s, fen), Change.SETTINGS,
                                  dialogs=dialogs, initiator=self).ok

        self.last_dialog = MinimumDialog(current, save, self)
        return self.last_dialog

    # ------------------------------------------------------------------------------------ attachments
    def refresh_attachments(self) -> None:
        entry = self.selected_entry()
        self.attachments.clear()
        if entry is not None:
            with self.context.store.session() as session:
                rows = funds_service.list_attachments(session, self.village_id, entry.id)
            for row in rows:
                item = QListWidgetItem(f"{row.name}（{row.size / 1024:.0f} KB）")
                item.setData(Qt.UserRole, row.id)
                self.attachments.addItem(item)
            if rows:
                self.attachments.setCurrentRow(0)
        for button in self.attachment_buttons:
            button.setEnabled(entry is not None)

    def add_attachment(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            self.dialogs.info("添加凭证附件", "请先在台账中选中一笔。")
            return
        path = self.dialogs.open_file("添加凭证附件", Path.home(), ATTACHMENT_FILTER)
        if path is None:
            return
        try:
            name, data = read_attachment(path)
        except Refusal as error:
            self.dialogs.error("添加凭证附件", str(error))
            return
        village_id = self.village_id
        self.context.operations.run("添加凭证附件", lambda s: funds_service.add_attachment(s, village_id, entry.id,
                                                                                     name, data),
                                    Change.RECORDS, dialogs=self.dialogs, initiator=self)

    def _chosen_attachment(self) -> int | None:
        item = self.attachments.currentItem()
        return item.data(Qt.UserRole) if item is not None else None

    def open_attachment(self) -> None:
        attachment_id = self._chosen_attachment()
        if attachment_id is None:
            return
        with self.context.store.session() as session:
            try:
                name, data = funds_service.attachment_data(session, self.village_id, attachment_id)
            except funds_service.FundsError as error:
                self.dialogs.error("查看凭证附件", str(error))
                return
        open_attachment_copy(name, data, self.open_file)

    def remove_attachment(self) -> None:
        attachment_id = self._chosen_attachment()
        if attachment_id is None:
            return
        name = self.attachments.currentItem().text()
        if not self.dialogs.confirm("删除凭证附件", f"删除附件“{name}”？"):
            return
        village_id = self.village_id
        self.context.operations.run("删除凭证附件",
                                    lambda s: funds_service.delete_attachment(s, village_id, attachment_id),
                                    Change.RECORDS, dialogs=self.dialogs, initiator=self)

    # ------------------------------------------------------------------------------------ printing
    def print_notice(self) -> None:
        """打印公示…: the catalogue's 党建经费使用情况公示 of the chosen quarter (or year), in the print preview."""
        from partybuild_desktop.services import exports
        from partybuild_desktop.ui.print_preview import preview_report

        try:
            definition = exports.find("funds")
        except exports.ExportError as error:
            self.dialogs.error("打印公示", str(error))
            return
        options = exports.ExportOptions(year=self.year.currentData(), quarter=self.quarter.currentData(),
                                        today=self.today)
        preview_report(self, self.context, self.dialogs, definition, options,
                       on_preview=lambda preview: setattr(self, "last_preview", preview), show_warnings=False)


class FundsEntryDialog(CheckedDialog):
    """One ledger line: 类型, 日期, 金额, 项目 (budget and expense) or 来源 (income), 摘要, 凭证号, 审批人, 经办人.
    OK hands the form to ``save`` (one operation); a refusal keeps the dialog open with what was typed."""

    def __init__(self, title: str, form: funds_service.FundsForm, projects: list[str], save, today: dt.date,
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.save, self.today = save, today
        self.kind = QComboBox()
        self.kind.setObjectName("fundsKind")
        for kind in funds_service.KINDS:
            self.kind.addItem(funds_service.KIND_LABELS[kind] + ("（收入）" if kind == funds_service.INCOME else ""), kind)
        self.kind.setCurrentIndex(max(self.kind.findData(form.kind), 0))
        self.date = date_edit(form.date or today)
        self.date.setObjectName("fundsDate")
        self.date.setMaximumDate(QDate(today))
        amount = form.amount
        self.amount = QLineEdit(format_money(amount) if isinstance(amount, int) else (amount or ""))
        self.amount.setObjectName("fundsAmount")
        self.amount.setPlaceholderText("元，例如 1200 或 1200.50")
        self.project = QComboBox()
        self.project.setObjectName("fundsProject")
        self.project.setEditable(True)
        self.project.addItems(projects)
        self.project.setEditText(form.project or "")
        self.project.lineEdit().setPlaceholderText("例如：党员教育培训、阵地建设、走访慰问")
        self.source = QComboBox()
        self.source.setObjectName("fundsSource")
        self.source.setEditable(True)
        self.source.addItems(funds_service.SOURCES)
        self.source.setEditText(form.source or funds_service.SOURCES[0])
        self.item = QLineEdit(form.item or "")
        self.item.setObjectName("fundsItem")
        self.voucher = QLineEdit(form.voucher_no or "")
        self.voucher.setObjectName("fundsVoucher")
        self.approved_by = QLineEdit(form.approved_by or "")
        self.approved_by.setObjectName("fundsApprovedBy")
        self.handled_by = QLineEdit(form.handled_by or "")
        self.handled_by.setObjectName("fundsHandledBy")
        self.form_layout = QFormLayout(self)
        for label, widget in (("类型", self.kind), ("日期", self.date), ("金额（元）", self.amount),
                              ("项目", self.project), ("来源", self.source), ("摘要", self.item),
                              ("凭证号", self.voucher), ("审批人", self.approved_by), ("经办人", self.handled_by)):
            self.form_layout.addRow(label, widget)
        self.form_layout.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form_layout.addRow(buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_fields())
        self._show_fields()

    def _show_fields(self) -> None:
        kind = self.kind.currentData()
        income, budget = kind == funds_service.INCOME, kind == funds_service.BUDGET
        self.form_layout.setRowVisible(self.project, not income)
        self.form_layout.setRowVisible(self.source, income)
        for widget in (self.voucher, self.approved_by, self.handled_by):
            self.form_layout.setRowVisible(widget, not budget)
        self.item.setPlaceholderText({funds_service.BUDGET: "预算内容，例如：全年党员教育培训",
                                      funds_service.INCOME: "例如：县财政拨付2026年党建经费",
                                      funds_service.EXPENSE: "用途，例如：购买党员学习资料"}[kind])

    def form(self) -> funds_service.FundsForm:
        kind = self.kind.currentData()
        day = self.date.date().toPython()
        text = self.amount.text().strip()
        try:
            amount = parse_money(text, allow_negative=True) if text else None
        except ValueError as error:
            raise Refusal(str(error)) from error
        income, budget = kind == funds_service.INCOME, kind == funds_service.BUDGET
        return funds_service.FundsForm(
            kind, day, amount, self.item.text(), None if income else self.project.currentText(),
            self.source.currentText() if income else None, None if budget else self.voucher.text(),
            None if budget else self.approved_by.text(), None if budget else self.handled_by.text())

    def check(self) -> bool | None:
        return self.save(self.form())


class MinimumDialog(CheckedDialog):
    """经费标准: the least the village should receive in a year (0: not checked)."""

    def __init__(self, current_fen: int, save, parent=None):
        super().__init__(parent)
        self.setWindowTitle("经费标准")
        self.save = save
        self.amount = QLineEdit(format_money(current_fen))
        self.amount.setObjectName("fundsMinimum")
        form = QFormLayout(self)
        form.addRow(QLabel("每村每年党建经费不少于（元）；10 月起本年拨付低于这个数时，概况中会提醒。填 0 不检查。"))
        form.addRow("每年不少于（元）", self.amount)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        restore = QPushButton("恢复默认")
        restore.clicked.connect(lambda: self.amount.setText(format_money(funds_service.DEFAULT_MINIMUM_FEN)))
        buttons.addButton(restore, QDialogButtonBox.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def check(self) -> bool | None:
        try:
            fen = parse_money(self.amount.text())
        except ValueError as error:
            raise Refusal(str(error)) from error
        return self.save(fen)
