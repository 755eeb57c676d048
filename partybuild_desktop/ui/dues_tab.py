"""党费: the year's 党费收缴登记表 on screen, as the clerk keeps it in Excel: one row per member, 1月…12月,
应交, 已交, 欠交 and the run of unpaid months, with the year's assessments, payments and the monthly
collection day.

The grid is ``services.dues.dues_year`` in a table model that holds the rows and formats a row's texts
the first time it is painted, so 3,000 members open at once. The 缴费基数 (a member's income) is shown
only here and only when 显示基数 is ticked: it is hidden from copying too while hidden. Every write goes
through the operation runner in one operation (``ui.dues_dialogs`` holds the dialogs).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.dues import ARREARS_NOTICE_MONTHS, ARREARS_SERIOUS_MONTHS, month_text
from partybuild_desktop.domain.money import format_money
from partybuild_desktop.services import dues as dues_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import copy_rows, make_copyable, remember_header, tell_warnings, year_combo

UNPAID = QColor("#fde2e2")  # a month owed up to 算到 and not paid
NOT_OWED = QColor("#9a9a9a")  # the grey “—”
NOTICE = QColor("#fff4cc")  # 连续未交 ≥ 3 months
SERIOUS = QColor("#f7b6b6")  # 连续未交 ≥ 6 months: 按自行脱党处理 unless there is good reason
OFF_AMOUNT = QColor("#b06000")  # a month paid with another amount than owed

NAME, GROUP, KIND, BASE, MONTHLY = range(5)
FIRST_MONTH = 5  # 1月 is this column, 12月 is FIRST_MONTH + 11
DUE, PAID, ARREARS, RUN = range(FIRST_MONTH + 12, FIRST_MONTH + 16)
HEADERS = ("姓名", "党小组", "类别", "缴费基数", "月缴纳额", *(f"{m}月" for m in range(1, 13)), "应交", "已交", "欠交月数",
           "连续未交")
WIDTHS = {NAME: 76, GROUP: 84, KIND: 56, BASE: 78, MONTHLY: 70, DUE: 70, PAID: 70, ARREARS: 64, RUN: 64}
MONTH_WIDTH = 50

_DISPLAY, _BACKGROUND, _FOREGROUND = int(Qt.DisplayRole), int(Qt.BackgroundRole), int(Qt.ForegroundRole)
_TOOLTIP, _ALIGNMENT = int(Qt.ToolTipRole), int(Qt.TextAlignmentRole)
_RIGHT, _CENTRE = int(Qt.AlignRight | Qt.AlignVCenter), int(Qt.AlignCenter)
_LEFT = int(Qt.AlignLeft | Qt.AlignVCenter)


def yuan(fen: int | None) -> str:
    return "" if fen is None else format_money(fen)


def _month_cell(cell) -> tuple[str, QColor | None, QColor | None, str | None]:
    """(text, background, foreground, tooltip) of one month."""
    if cell.paid_fen is not None:
        off = cell.due_fen is not None and cell.paid_fen != cell.due_fen
        tip = f"已交 {format_money(cell.paid_fen)} 元" + (f"，应交 {format_money(cell.due_fen)} 元" if off else "")
        return format_money(cell.paid_fen), None, OFF_AMOUNT if off else None, tip
    if cell.future:
        return "", None, None, None
    if cell.due_fen is None:
        return "—", None, NOT_OWED, "不需交纳（入党之前、离开之后、本村开始记党费之前，或还没有核定标准）"
    if cell.due_fen == 0:
        return "—", None, NOT_OWED, "减免：这个月应交 0 元"
    return "", UNPAID, None, f"应交 {format_money(cell.due_fen)} 元，未交"


def _line(row) -> tuple:
    """A row's texts, backgrounds, foregrounds and tooltips, column by column."""
    texts = [row.name, row.party_group, row.kind.label if row.kind else "未核定", yuan(row.base_fen),
             format_money(row.monthly_fen) if row.kind else ""]
    backgrounds: list = [None] * FIRST_MONTH
    foregrounds: list = [None, None, NOT_OWED if row.kind is None else None, None, None]
    tips: list = [None, None, "还没有核定党费标准：请用“核定党费标准…”" if row.kind is None else None, None, None]
    for cell in row.months:
        text, background, foreground, tip = _month_cell(cell)
        texts.append(text)
        backgrounds.append(background)
        foregrounds.append(foreground)
        tips.append(tip)
    run = row.unpaid_run
    run_colour = SERIOUS if run >= ARREARS_SERIOUS_MONTHS else NOTICE if run >= ARREARS_NOTICE_MONTHS else None
    run_tip = (f"连续 {run} 个月未交纳党费（党章第九条：连续 6 个月不交纳党费，没有正当理由的，按自行脱党处理）"
               if run_colour is SERIOUS else f"连续 {run} 个月未交纳党费，请提醒本人" if run_colour else None)
    texts += [format_money(row.due_fen), format_money(row.paid_fen), str(row.arrears_months or ""), str(run or "")]
    backgrounds += [None, None, None, run_colour]
    foregrounds += [None, None, None, None]
    tips += [None, None, "、".join(month_text(m) for m in row.unpaid_months) or None, run_tip]
    return tuple(texts), tuple(backgrounds), tuple(foregrounds), tuple(tips)


def _sort_key(column: int):
    if column == NAME:
        return lambda r: r.name
    if column == GROUP:
        return lambda r: r.party_group
    if column == KIND:
        return lambda r: r.kind.label if r.kind else ""
    if column == BASE:
        return lambda r: r.base_fen or 0
    if column == MONTHLY:
        return lambda r: r.monthly_fen
    if FIRST_MONTH <= column < DUE:
        return lambda r: r.months[column - FIRST_MONTH].paid_fen or 0
    return {DUE: lambda r: r.due_fen, PAID: lambda r: r.paid_fen, ARREARS: lambda r: r.arrears_months,
            RUN: lambda r: r.unpaid_run}[column]


class DuesModel(QAbstractTableModel):
    """``rows``: the year's grid, every member; ``visible``: what the table shows, in its order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []
        self.visible: list = []
        self.query = ""
        self.arrears_only = False
        self.sort_column, self.sort_order = -1, Qt.AscendingOrder
        self._lines: dict[int, tuple] = {}  # member id → its formatted line, once painted

    def set_rows(self, rows) -> None:
        self.rows = list(rows)
        self._lines = {}
        self._apply()

    def set_filter(self, query: str, arrears_only: bool) -> None:
        self.query, self.arrears_only = query.strip(), arrears_only
        self._apply()

    def _apply(self) -> None:
        rows = self.rows
        if self.arrears_only:
            rows = [r for r in rows if r.arrears_months]
        if self.query:
            needle = self.query.lower()
            rows = [r for r in rows if needle in r.name.lower() or needle in r.party_group.lower()]
        if self.sort_column >= 0:
            rows = sorted(rows, key=_sort_key(self.sort_column), reverse=self.sort_order == Qt.DescendingOrder)
        self.beginResetModel()
        self.visible = list(rows)
        self.endResetModel()

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._apply()

    def row_of(self, member_id: int) -> int | None:
        for i, row in enumerate(self.visible):
            if row.member_id == member_id:
                return i
        return None

    def _line(self, row: int) -> tuple:
        member = self.visible[row]
        line = self._lines.get(member.member_id)
        if line is None:
            line = self._lines[member.member_id] = _line(member)
        return line

    # --- Qt model interface ---------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.visible)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == _DISPLAY:
            return HEADERS[section]
        if orientation == Qt.Horizontal and role == _TOOLTIP and section == BASE:
            return "每月税后收入（个体：上季度月平均纯收入）。只在本页显示，不打印、不公示。"
        return None

    def data(self, index, role=_DISPLAY):
        column = index.column()
        if role == _DISPLAY:
            return self._line(index.row())[0][column]
        if role == _BACKGROUND:
            return self._line(index.row())[1][column]
        if role == _FOREGROUND:
            return self._line(index.row())[2][column]
        if role == _TOOLTIP:
            return self._line(index.row())[3][column]
        if role == _ALIGNMENT:
            if column in (NAME, GROUP):
                return _LEFT
            return _CENTRE if column in (KIND, ARREARS, RUN) or FIRST_MONTH <= column < DUE else _RIGHT
        return None


class DuesTab(WatchesChanges, QWidget):
    """The year's dues grid with its actions; refreshes on records, members, settings and the village."""

    watches = Change.RECORDS | Change.MEMBERS | Change.SETTINGS | Change.VILLAGE

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.grid = None
        self.year = year_combo(self.today, "duesYear")
        self.as_of = QComboBox()
        self.as_of.setObjectName("duesAsOf")
        self.as_of.setToolTip("算到哪个月：这个月及以前的月份算应交，之后的月份不算欠交")
        for month in range(1, 13):
            self.as_of.addItem(f"{month}月", month)
        self.as_of.setCurrentIndex(self.today.month - 1)
        self.search = QLineEdit()
        self.search.setObjectName("duesSearch")
        self.search.setPlaceholderText("按姓名或党小组查找")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(150)
        self.search.setMaximumWidth(220)
        self.arrears_only = QCheckBox("只看欠交")
        self.arrears_only.setObjectName("duesArrearsOnly")
        self.show_base = QCheckBox("显示基数")
        self.show_base.setObjectName("duesShowBase")
        self.show_base.setToolTip("缴费基数是党员的收入，只在本页显示，不打印、不公示；不显示时也不会被复制")
        self.summary = QLabel()
        self.summary.setObjectName("duesSummary")
        self.summary.setWordWrap(True)  # its own line: a long summary must not widen the window past the screen
        self.model = DuesModel(self)
        self.view = QTableView()
        self.view.setObjectName("duesTable")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(False)  # red and yellow cells read better on one ground
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setHighlightSections(False)
        for column in range(len(HEADERS)):
            header.resizeSection(column, WIDTHS.get(column, MONTH_WIDTH))
        header.setSortIndicator(-1, Qt.AscendingOrder)  # the service's order (by 党小组) until a header is clicked
        self.view.setSortingEnabled(True)
        self.view.setColumnHidden(BASE, True)
        make_copyable(self.view)
        remember_header(self.view)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._enable())

        self.assess_button = QPushButton("核定党费标准…")
        self.assess_button.setObjectName("duesAssess")
        self.assess_button.setToolTip("选中党员的党费类别、缴费基数和每月交纳额，从哪个月起")
        self.pay_button = QPushButton("登记交纳…")
        self.pay_button.setObjectName("duesPay")
        self.pay_button.setToolTip("选中党员交的一个月或几个月的党费（双击表格中的月份也可以）")
        self.undo_button = QPushButton("撤销这个月")
        self.undo_button.setObjectName("duesUndo")
        self.undo_button.setToolTip("撤销选中的那个月已登记的交纳（登记错了时用）")
        self.collect_button = QPushButton("按月收缴…")
        self.collect_button.setObjectName("duesCollect")
        self.collect_button.setToolTip("收缴日：为这个月应交而未交的党员，按标准数额一次登记")
        self.farmer_button = QPushButton("农民党员标准…")
        self.farmer_button.setObjectName("duesFarmerAmount")
        self.farmer_button.setToolTip("本村农民党员每月交纳多少（0.20 元到 1.00 元）")
        self.copy_button = QPushButton("复制全表")
        self.copy_button.setObjectName("duesCopy")
        self.copy_button.setToolTip("把表中列出的全部党员复制下来，可以粘贴到 Excel 或 WPS")
        self.assess_button.clicked.connect(self.ask_assess)
        self.pay_button.clicked.connect(self.ask_pay)
        self.undo_button.clicked.connect(self.ask_undo)
        self.collect_button.clicked.connect(self.ask_collect)
        self.farmer_button.clicked.connect(self.ask_farmer_amount)
        self.copy_button.clicked.connect(self.copy_all)

        top = QHBoxLayout()
        for widget in (QLabel("年度"), self.year, QLabel("算到"), self.as_of, self.search, self.arrears_only,
                       self.show_base):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.farmer_button)
        buttons = QHBoxLayout()
        for widget in (self.assess_button, self.pay_button, self.undo_button, self.collect_button):
            buttons.addWidget(widget)
        buttons.addStretch()
        buttons.addWidget(self.copy_button)
        note = QLabel(f"红色：应交未交；灰色“—”：不需交纳（入党前、离开后、未核定）；连续未交 {ARREARS_NOTICE_MONTHS} 个月标黄、"
                      f"{ARREARS_SERIOUS_MONTHS} 个月标红（党章第九条）。缴费基数只在本页显示，不打印、不公示。")
        note.setObjectName("duesNote")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(note)

        self.year.currentIndexChanged.connect(lambda _i: self._year_changed())
        self.as_of.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search.textChanged.connect(lambda _t: self._filter())
        self.arrears_only.toggled.connect(lambda _on: self._filter())
        self.show_base.toggled.connect(lambda on: self.view.setColumnHidden(BASE, not on))
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def selected_year(self) -> int:
        return self.year.currentData()

    def as_of_month(self) -> tuple[int, int]:
        return self.selected_year(), self.as_of.currentData()

    def _year_changed(self) -> None:
        """A past year is worked out to December; this year to this month."""
        self.as_of.blockSignals(True)
        self.as_of.setCurrentIndex(self.today.month - 1 if self.selected_year() == self.today.year else 11)
        self.as_of.blockSignals(False)
        self.refresh()

    # --- reading --------------------------------------------------------------------------------
    def refresh(self) -> None:
        kept = self.current()
        with self.context.store.session() as session:
            self.grid = dues_service.dues_year(session, self.village_id, self.selected_year(), self.as_of_month())
            self.farmer_fen = dues_service.farmer_amount(session)
            self.started = dues_service.dues_start(session, self.village_id)
        self.model.set_rows(self.grid.rows)
        self._show_summary()
        if kept is not None:
            self.select(*kept)
        self._enable()

    def _filter(self) -> None:
        kept = self.current()
        self.model.set_filter(self.search.text(), self.arrears_only.isChecked())
        if kept is not None:
            self.select(*kept)
        self._show_summary()
        self._enable()

    def _show_summary(self) -> None:
        grid = self.grid
        totals = grid.totals
        rows = grid.rows
        notice = sum(1 for r in rows if r.warning == "notice")
        serious = sum(1 for r in rows if r.warning == "serious")
        unassessed = sum(1 for r in rows if r.kind is None)
        parts = [f"{len(rows)} 名党员，算到{month_text(grid.as_of)}应交 {format_money(totals['due_fen'])} 元，"
                 f"已交 {format_money(totals['paid_fen'])} 元，{totals['in_arrears']} 人欠交"]
        if notice or serious:
            parts.append(f"连续未交 {ARREARS_NOTICE_MONTHS} 个月以上 {notice + serious} 人"
                         + (f"（其中 {ARREARS_SERIOUS_MONTHS} 个月以上 {serious} 人）" if serious else ""))
        if unassessed:
            parts.append(f"{unassessed} 人未核定")
        if self.started is None:
            parts = ["还没有党费记录：先为党员“核定党费标准…”，或“登记交纳…”第一笔党费"]
        shown = len(self.model.visible)
        if shown != len(rows):
            parts.append(f"列出 {shown} 人")
        self.summary.setText("；".join(parts))

    def current(self) -> tuple[int, int] | None:
        """(member id, column) of the current cell."""
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.visible):
            return None
        return self.model.visible[index.row()].member_id, index.column()

    def current_row(self):
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.visible):
            return None
        return self.model.visible[index.row()]

    def current_month(self) -> int | None:
        """The month (1–12) of the current cell, when it is in a month column."""
        index = self.view.currentIndex()
        if index.isValid() and FIRST_MONTH <= index.column() < DUE:
            return index.column() - FIRST_MONTH + 1
        return None

    def select(self, member_id: int, column: int = NAME) -> bool:
        row = self.model.row_of(member_id)
        if row is None:
            return False
        index = self.model.index(row, column)
        self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.ClearAndSelect)
        self.view.scrollTo(index)
        return True

    def select_month(self, member_id: int, month: int) -> bool:
        return self.select(member_id, FIRST_MONTH + month - 1)

    def _enable(self) -> None:
        row, month = self.current_row(), self.current_month()
        self.assess_button.setEnabled(row is not None)
        self.pay_button.setEnabled(row is not None)
        self.undo_button.setEnabled(row is not None and month is not None
                                    and row.months[month - 1].paid_fen is not None)
        self.copy_button.setEnabled(bool(self.model.visible))

    def copy_all(self) -> str:
        self.view.selectAll()
        return copy_rows(self.view)

    # --- actions --------------------------------------------------------------------------------
    def _double_clicked(self, index) -> None:
        if FIRST_MONTH <= index.column() < DUE:
            row = self.model.visible[index.row()]
            if row.months[index.column() - FIRST_MONTH].paid_fen is None:
                self.ask_pay()
        elif index.column() in (KIND, BASE, MONTHLY):
            self.ask_assess()

    def _need_member(self, title: str):
        row = self.current_row()
        if row is None:
            self.dialogs.info(title, "请先在表格中选中一名党员。")
        return row

    def assess_dialog(self):
        from partybuild_desktop.ui.dues_dialogs import AssessmentDialog

        row = self.current_row()
        if row is None:
            return None
        return AssessmentDialog(self.context, row, self.selected_year(), self.farmer_fen, self, today=self.today)

    def ask_assess(self) -> None:
        row = self._need_member("核定党费标准")
        if row is None:
            return
        dialog = self.assess_dialog()
        if dialog.exec():
            self._after(dialog, "核定党费标准", row.member_id)

    def pay_dialog(self):
        from partybuild_desktop.ui.dues_dialogs import PaymentDialog

        row = self.current_row()
        if row is None:
            return None
        return PaymentDialog(self.context, row, self.selected_year(), self, month=self.current_month(),
                             as_of=self.as_of.currentData(), today=self.today)

    def ask_pay(self) -> None:
        row = self._need_member("登记交纳党费")
        if row is None:
            return
        dialog = self.pay_dialog()
        if dialog.exec():
            self._after(dialog, "登记交纳党费", row.member_id)

    def _after(self, dialog, title: str, member_id: int) -> None:
        self.select(member_id)
        tell_warnings(self.dialogs, title, dialog.warnings)

    def ask_undo(self) -> None:
        title = "撤销党费交纳"
        row, month = self.current_row(), self.current_month()
        if row is None or month is None or row.months[month - 1].paid_fen is None:
            self.dialogs.info(title, "请先在表格中选中一名党员已交的那个月。")
            return
        paid = row.months[month - 1].paid_fen
        when = (self.selected_year(), month)
        if not self.dialogs.confirm(title, f"撤销{row.name}{month_text(when)}已登记的 {format_money(paid)} 元党费？\n"
                                           "撤销后这个月又算作未交。"):
            return
        village_id, member_id = self.village_id, row.member_id
        outcome = self.context.operations.run(
            f"撤销党费交纳（{row.name}{month_text(when)}）",
            lambda s: dues_service.undo_payment(s, village_id, member_id, when), Change.RECORDS,
            dialogs=self.dialogs, initiator=self)
        if outcome.ok:
            self.select_month(member_id, month)

    def collect_dialog(self):
        from partybuild_desktop.ui.dues_dialogs import CollectDialog

        return CollectDialog(self.context, self.dialogs, self.selected_year(), self.as_of.currentData(), self,
                             today=self.today)

    def ask_collect(self) -> None:
        dialog = self.collect_dialog()
        if dialog.exec() and dialog.collected is not None:
            done = dialog.collected
            self.dialogs.info("按月收缴", f"已为 {done.members} 名党员登记{month_text(done.month)}的党费，"
                                          f"共 {format_money(done.total_fen)} 元。")

    def farmer_dialog(self):
        from partybuild_desktop.ui.dues_dialogs import FarmerAmountDialog

        return FarmerAmountDialog(self.context, self.farmer_fen, self)

    def ask_farmer_amount(self) -> None:
        self.farmer_dialog().exec()
