"""组织生活: the 三会一课 register (会议记录), what is due (应开会议), 民主评议 and 学时统计.

Each page reads through ``services.meetings``; every write goes through the operation runner in one
operation. The 民主评议 and 学时统计 pages are in ``ui.review_page``; the meeting dialog in
``ui.meeting_dialog``.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.meetings import DEFAULT_FREQUENCIES, DUE_KINDS, Frequency, MeetingKind, kind_label, parse_span, period_text
from partybuild_desktop.services import meetings as meeting_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.checked import CheckedDialog
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.review_page import ReviewPage, StudyPage
from partybuild_desktop.ui.widgets import RowsTable, button_row, show_year, tell_warnings, year_combo

PAGES = {"list": 0, "due": 1, "review": 2, "study": 3}  # open_target("meetings/…")
OPEN_PERIOD = QColor("#fff4cc")
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def _hours(value: float | None) -> str:
    return f"{value:g}" if value else ""


class MeetingsTab(WatchesChanges, QWidget):
    """The four pages of 组织生活; all refresh when records, members or settings change."""

    watches = Change.RECORDS | Change.MEMBERS | Change.SETTINGS | Change.VILLAGE

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.pages = QTabWidget()
        self.pages.setObjectName("meetingPages")
        self.pages.addTab(self._list_page(), "会议记录")
        self.pages.addTab(self._due_page(), "应开会议")
        self.review = ReviewPage(context, dialogs, self.today, self)
        self.study = StudyPage(context, dialogs, self.today, self)
        self.pages.addTab(self.review, "民主评议")
        self.pages.addTab(self.study, "学时统计")
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def refresh(self) -> None:
        self.refresh_meetings()
        self.refresh_due()
        self.review.refresh()
        self.study.refresh()

    def show_page(self, part: str) -> None:
        self.pages.setCurrentIndex(PAGES.get(part, 0))

    # ======================================================================== 会议记录
    def _list_page(self) -> QWidget:
        page = QWidget()
        self.year = year_combo(self.today, "meetingsYear")
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("meetingsKind")
        self.kind_filter.addItem("全部类型", None)
        for kind in MeetingKind:
            self.kind_filter.addItem(kind.label, kind.value)
        self.list_summary = QLabel()
        self.meetings = RowsTable(["日期", "类型", "党小组", "议题", "应到", "实到", "请假", "缺席", "学时", "法定人数",
                                   "附件"], "meetingsTable", stretch=3)
        self.meetings.setSelectionMode(RowsTable.SingleSelection)
        self.meetings.doubleClicked.connect(lambda _index: self.ask_edit())
        self.add_button = QPushButton("登记会议…")
        self.add_button.setObjectName("addMeeting")
        self.edit_button = QPushButton("修改…")
        self.delete_button = QPushButton("删除")
        self.print_button = QPushButton("打印会议记录…")
        self.print_button.setToolTip("选中的会议的会议记录：先看打印预览，再打印或另存为 PDF")
        self.add_button.clicked.connect(self.ask_add)
        self.edit_button.clicked.connect(self.ask_edit)
        self.delete_button.clicked.connect(self.ask_delete)
        self.print_button.clicked.connect(self.print_minutes)
        top = QHBoxLayout()
        for widget in (QLabel("年度"), self.year, QLabel("类型"), self.kind_filter):
            top.addWidget(widget)
        top.addWidget(self.list_summary, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.meetings, 1)
        layout.addLayout(button_row(self.add_button, self.edit_button, self.delete_button, self.print_button))
        self.year.currentIndexChanged.connect(lambda _i: self.refresh_meetings())
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.refresh_meetings())
        return page

    def refresh_meetings(self) -> None:
        current = self.meetings.current()
        kind = self.kind_filter.currentData()
        with self.context.store.session() as session:
            rows = meeting_service.list_meetings(session, self.village_id, year=self.year.currentData(),
                                                 kind=MeetingKind(kind) if kind else None)

        def cells(m):
            t = m.turnout
            first = m.topic.splitlines()[0] if m.topic else ""
            return (m.date.isoformat(), m.kind.label, m.party_group or "", first, t.due, t.present, t.leave, t.absent,
                    _hours(m.hours), "✓" if m.quorum else "✗", m.attachments or "")

        self.meetings.fill(rows, cells)
        for row, meeting in enumerate(rows):
            for column in range(4, 11):
                self.meetings.item(row, column).setTextAlignment(Qt.AlignCenter)
            mark = self.meetings.item(row, 9)
            mark.setForeground(Qt.darkGreen if meeting.quorum else Qt.red)
            mark.setToolTip("到会超过半数" if meeting.quorum else "到会未超过半数")
        for column, width in ((0, 96), (1, 96), (2, 84), *((c, 46) for c in range(4, 9)), (9, 64), (10, 40)):
            self.meetings.setColumnWidth(column, max(self.meetings.columnWidth(column), width))
        attended = sum(m.turnout.present for m in rows)
        self.list_summary.setText(f"　共 {len(rows)} 次会议，参加 {attended} 人次" if rows else "　这一年还没有登记会议")
        if current is not None:
            for row, meeting in enumerate(rows):
                if meeting.id == current.id:
                    self.meetings.selectRow(row)
        for button in (self.edit_button, self.delete_button, self.print_button):
            button.setEnabled(bool(rows))

    def selected_meeting(self):
        return self.meetings.current()

    def _dialog(self, meeting_id: int | None = None):
        from partybuild_desktop.ui.meeting_dialog import MeetingDialog

        kind = self.kind_filter.currentData()
        return MeetingDialog(self.context, self.dialogs, self, meeting_id, self.today,
                             kind=MeetingKind(kind) if kind else None)

    def ask_add(self) -> None:
        dialog = self._dialog()
        if dialog.exec():
            self._after_save(dialog, "登记会议")

    def ask_edit(self) -> None:
        meeting = self.selected_meeting()
        if meeting is None:
            self.dialogs.info("修改会议记录", "请先在列表中选中一次会议。")
            return
        dialog = self._dialog(meeting.id)
        if dialog.exec():
            self._after_save(dialog, "修改会议记录")

    def _after_save(self, dialog, title: str) -> None:
        saved = dialog.saved
        if saved is None:
            return
        year = dialog.date.date().year()
        show_year(self.year, year)
        self.meetings.select_id(saved.id)
        tell_warnings(self.dialogs, title, saved.warnings)

    def ask_delete(self) -> None:
        meeting = self.selected_meeting()
        if meeting is None:
            self.dialogs.info("删除会议", "请先在列表中选中一次会议。")
            return
        first = meeting.topic.splitlines()[0] if meeting.topic else ""
        if not self.dialogs.confirm("删除会议", f"删除 {meeting.date.isoformat()} 的{meeting.kind.label}“{first}”？\n"
                                              f"出席情况、决议、附件和参会党员纪实本中的这条记录都会一起删除。"):
            return
        village_id = self.village_id
        self.context.operations.run("删除会议", lambda s: meeting_service.delete_meeting(s, village_id, meeting.id),
                                    Change.RECORDS, dialogs=self.dialogs, initiator=self)

    def print_minutes(self) -> None:
        """打印会议记录…: the catalogue's 会议记录 of the selected meeting, in the print preview."""
        from partybuild_desktop.services import exports

        meeting = self.selected_meeting()
        if meeting is None:
            self.dialogs.info("打印会议记录", "请先在列表中选中一次会议。")
            return
        try:
            definition = exports.find("meeting-minutes")
        except exports.ExportError as error:
            self.dialogs.error("打印会议记录", str(error))
            return
        from partybuild_desktop.ui.print_preview import preview_report

        options = exports.ExportOptions(year=meeting.date.year, meeting_id=meeting.id, today=self.today)
        self.last_preview = None
        preview_report(self, self.context, self.dialogs, definition, options,
                       on_preview=lambda preview: setattr(self, "last_preview", preview))

    # ======================================================================== 应开会议
    def _due_page(self) -> QWidget:
        page = QWidget()
        self.period_kind = QComboBox()
        self.period_kind.setObjectName("duePeriodKind")
        for label, code in (("月", "month"), ("季度", "quarter"), ("年", "year")):
            self.period_kind.addItem(label, code)
        self.period_year = QSpinBox()
        self.period_year.setObjectName("duePeriodYear")
        self.period_year.setRange(2000, self.today.year)
        self.period_year.setValue(self.today.year)
        self.period_year.setSuffix(" 年")
        self.period_part = QComboBox()
        self.period_part.setObjectName("duePeriodPart")
        self.due_heading = QLabel()
        self.due_table = RowsTable(["类型", "党小组", "频次", "应开", "已开", "缺少", "未按期召开的期间"], "dueTable",
                                   stretch=6)
        self.frequency_button = QPushButton("会议频次…")
        self.frequency_button.setToolTip("各类会议多久开一次（本村设置，默认按支部工作条例）")
        self.frequency_button.clicked.connect(self.ask_frequencies)
        top = QHBoxLayout()
        for widget in (QLabel("期间"), self.period_kind, self.period_year, self.period_part):
            top.addWidget(widget)
        top.addWidget(self.due_heading, 1)
        top.addWidget(self.frequency_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.due_table, 1)
        note = QLabel("红色：期间已结束而没有开；黄色：本期还没有开（期间未结束）。支部委员会在正式党员不足 7 人的支部不作要求；党小组会按每个党小组分别计算。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.period_kind.setCurrentIndex(1)
        self._fill_parts()
        self.period_kind.currentIndexChanged.connect(lambda _i: (self._fill_parts(), self.refresh_due()))
        self.period_year.valueChanged.connect(lambda _v: self.refresh_due())
        self.period_part.currentIndexChanged.connect(lambda _i: self.refresh_due())
        return page

    def _fill_parts(self) -> None:
        kind = self.period_kind.currentData()
        self.period_part.blockSignals(True)
        self.period_part.clear()
        if kind == "month":
            for month in range(1, 13):
                self.period_part.addItem(f"{month}月", month)
            self.period_part.setCurrentIndex(self.today.month - 1)
        elif kind == "quarter":
            for number, label in enumerate(QUARTERS, start=1):
                self.period_part.addItem(label, number)
            self.period_part.setCurrentIndex((self.today.month - 1) // 3)
        self.period_part.setVisible(kind != "year")
        self.period_part.blockSignals(False)

    def set_period(self, text: str) -> None:
        """Choose the period as the command line writes it: 2026, 2026Q3 or 2026-07."""
        span = parse_span(text)
        kind = "year" if len(span.label) == 4 else "quarter" if "Q" in span.label else "month"
        self.period_kind.setCurrentIndex(self.period_kind.findData(kind))
        self.period_year.setValue(span.start.year)
        if kind != "year":
            part = span.start.month if kind == "month" else (span.start.month - 1) // 3 + 1
            self.period_part.setCurrentIndex(self.period_part.findData(part))

    def period(self) -> str:
        kind, year, part = self.period_kind.currentData(), self.period_year.value(), self.period_part.currentData()
        if kind == "month":
            return f"{year}-{part:02d}"
        if kind == "quarter":
            return f"{year}Q{part}"
        return str(year)

    def refresh_due(self) -> None:
        span = parse_span(self.period())
        with self.context.store.session() as session:
            items = meeting_service.due(session, self.village_id, span, as_of=self.today)
            settings = meeting_service.frequencies(session)
        self.due_items = items

        def cells(item):
            late = "、".join(period_text(p) for p in item.missed_periods)
            waiting = item.missing - len(item.missed_periods)  # periods not over yet: still time to meet
            if waiting:
                late += ("；" if late else "") + f"本期尚未召开 {waiting} 次（期间未结束）"
            return (kind_label(item.kind), item.group or "", settings[item.kind].label, item.required, item.held,
                    item.missing or "", late)

        # Red: a period has ended without its meeting; yellow: one is still open and not yet held.
        self.due_table.fill(items, cells, highlight=lambda i: bool(i.missed_periods))
        for row, item in enumerate(items):
            for column in range(7):
                cell = self.due_table.item(row, column)
                if column in (3, 4, 5):
                    cell.setTextAlignment(Qt.AlignCenter)
                if item.missing and not item.missed_periods:
                    cell.setBackground(OPEN_PERIOD)
        for column, width in enumerate((110, 100, 90, 56, 56, 56)):
            self.due_table.setColumnWidth(column, max(self.due_table.columnWidth(column), width))
        late = sum(1 for i in items if i.missed_periods)
        open_ = sum(1 for i in items if i.missing and not i.missed_periods)
        if not items:
            text = "没有应开的会议"
        elif not late and not open_:
            text = "各类会议都已按要求召开"
        else:
            text = "，".join(part for part in (f"{late} 项已过期未开" if late else "",
                                               f"{open_} 项本期尚未召开" if open_ else "") if part)
        self.due_heading.setText(f"　{span.title}：{text}")

    def ask_frequencies(self) -> None:
        with self.context.store.session() as session:
            current = meeting_service.frequencies(session)
        operations, dialogs = self.context.operations, self.dialogs

        def save(values: dict[str, Frequency]) -> bool:
            def work(session):
                for kind, value in values.items():
                    meeting_service.set_frequency(session, kind, value)

            return operations.run("设置会议频次", work, Change.SETTINGS, dialogs=dialogs, initiator=self).ok

        FrequencyDialog(current, save, self).exec()


class FrequencyDialog(CheckedDialog):
    """会议频次: how often each kind is due (the 支部工作条例's defaults until changed)."""

    def __init__(self, current: dict[str, Frequency], save, parent=None):
        super().__init__(parent)
        self.setWindowTitle("会议频次")
        self.save = save
        self.boxes: dict[str, QComboBox] = {}
        form = QFormLayout(self)
        form.addRow(QLabel("各类会议多久至少召开一次；“应开会议”和提醒按这里计算。"))
        for kind in DUE_KINDS:
            box = QComboBox()
            box.setObjectName(f"frequency_{kind}")
            for frequency in Frequency:
                box.addItem(frequency.label, frequency.value)
            box.setCurrentIndex(box.findData(current[kind].value))
            default = DEFAULT_FREQUENCIES[kind]
            box.setToolTip(f"默认：{default.label}")
            self.boxes[kind] = box
            form.addRow(kind_label(kind), box)
        restore = QPushButton("恢复默认")
        restore.clicked.connect(self.restore_defaults)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.addButton(restore, QDialogButtonBox.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def restore_defaults(self) -> None:
        for kind, box in self.boxes.items():
            box.setCurrentIndex(box.findData(DEFAULT_FREQUENCIES[kind].value))

    def values(self) -> dict[str, Frequency]:
        return {kind: Frequency(box.currentData()) for kind, box in self.boxes.items()}

    def check(self) -> bool | None:
        return self.save(self.values())
