"""登记会议 / 修改会议记录: one meeting with who was due and who came, its decisions and attachments.

The attendance list is a model over the roster ``services.meetings.meeting_roster`` gives (everyone
出席 at the start), shown in one table view: no widget per row, so 150 members open at once. Rows are
set by selecting them and pressing 1–5 (or the buttons below the list); the reason is typed or picked
in its cell, and applies to every selected row of the same status. The line under the list says the
quorum as it is ticked.

The dialog writes nothing until 保存: then the meeting, its attendance, decisions and the attachments
added or removed go in ONE operation; a refusal is shown in the dialog, which stays open as typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.meetings import (
    EXCUSED_REASONS,
    LEAVE_REASONS,
    NEEDS_REASON,
    Attendance,
    Attendee,
    MeetingKind,
    Vote,
    quorum_met,
    quorum_text,
    turnout,
    vote_passes,
)
from partybuild_desktop.services import meetings as meeting_service
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.meetings import DecisionForm, MeetingError, MeetingForm
from partybuild_desktop.ui.checked import CheckedDialog, run_checked
from partybuild_desktop.ui.widgets import (
    KeyedTableView,
    NumberedTableModel,
    PickDelegate,
    make_copyable,
    open_attachment_copy,
    open_with_desktop,
)

# The keys that set the selected rows' status, in this order (also the buttons' order).
STATUS_KEYS = (
    (Attendance.PRESENT, "1"),
    (Attendance.LEAVE, "2"),
    (Attendance.ABSENT, "3"),
    (Attendance.ELSEWHERE, "4"),
    (Attendance.EXCUSED, "5"),
)
STATUS_COLOURS = {
    Attendance.LEAVE: QColor("#fff4cc"),
    Attendance.ABSENT: QColor("#fde2e2"),
    Attendance.ELSEWHERE: QColor("#e3f1e3"),
    Attendance.EXCUSED: QColor("#e6e6e6"),
}
MISSING_REASON = QColor("#f7b6b6")
DECIDING = (MeetingKind.BRANCH_ASSEMBLY, MeetingKind.COMMITTEE)  # a quorum not met is shown red
ATTACHMENT_FILTER = "照片或扫描件 (*.jpg *.jpeg *.png *.pdf);;所有文件 (*)"


# ---------------------------------------------------------------------------------------- attendance


@dataclass
class _Line:
    row: meeting_service.RosterRow
    status: Attendance
    reason: str


class AttendanceModel(NumberedTableModel):
    """The roster with each member's status and reason; ``counted`` is emitted after every change."""

    COLUMNS = ("姓名", "党小组", "身份", "说明", "出席情况", "原因")
    STATUS, REASON = 4, 5
    counted = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines: list[_Line] = []

    # --- filling ------------------------------------------------------------------------------
    def load(self, roster, kept: dict[int, tuple[Attendance, str]] | None = None) -> None:
        """The roster's rows; ``kept``: what was already ticked for members still on it."""
        kept = kept or {}
        self.beginResetModel()
        self.lines = [_Line(r, *kept.get(r.member_id, (r.status, r.reason))) for r in roster]
        self.endResetModel()
        self.counted.emit()

    def ticks(self) -> dict[int, tuple[Attendance, str]]:
        return {line.row.member_id: (line.status, line.reason) for line in self.lines}

    def attendance(self) -> dict[int, tuple[Attendance, str]]:
        """What the form sends: everyone not 出席 (the service takes the rest as 出席)."""
        return {line.row.member_id: (line.status, line.reason.strip()) for line in self.lines
                if line.status is not Attendance.PRESENT or line.reason.strip()}

    def attendees(self) -> list[Attendee]:
        return [Attendee(line.row.member_id, line.status, line.row.voting, line.row.frail, line.reason)
                for line in self.lines]

    def missing_reasons(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if line.status in NEEDS_REASON and not line.reason.strip()]

    # --- changing -----------------------------------------------------------------------------
    def set_status(self, rows, status: Attendance) -> None:
        rows = sorted(set(rows))
        if not rows:
            return
        for row in rows:
            line = self.lines[row]
            if line.status is not status and status is Attendance.PRESENT:
                line.reason = ""  # a reason belongs to being away
            line.status = status
        self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(self.COLUMNS) - 1))
        self.counted.emit()

    def set_reason(self, rows, text: str) -> None:
        rows = sorted(set(rows))
        if not rows:
            return
        for row in rows:
            self.lines[row].reason = text.strip()
        self.dataChanged.emit(self.index(rows[0], self.REASON), self.index(rows[-1], self.REASON))
        self.counted.emit()

    # --- Qt's model ---------------------------------------------------------------------------
    def line_count(self) -> int:
        return len(self.lines)

    def flags(self, index):
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == self.STATUS:
            return base | Qt.ItemIsEditable
        if index.column() == self.REASON and self.lines[index.row()].status is not Attendance.PRESENT:
            return base | Qt.ItemIsEditable
        return base

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        line, column = self.lines[index.row()], index.column()
        if role in (Qt.DisplayRole, Qt.EditRole):
            row = line.row
            if column == 0:
                return row.name
            if column == 1:
                return row.party_group
            if column == 2:
                return "正式" if row.voting else "预备"
            if column == 3:
                return "、".join(t for t, on in (("年老体弱", row.frail), ("流动党员", row.migrant)) if on)
            if column == self.STATUS:
                return line.status.label if role == Qt.DisplayRole else line.status.value
            if column == self.REASON:
                return line.reason
        if role == Qt.BackgroundRole:
            if column == self.REASON and line.status in NEEDS_REASON and not line.reason.strip():
                return MISSING_REASON
            if column in (self.STATUS, self.REASON):
                return STATUS_COLOURS.get(line.status)
        if role == Qt.ToolTipRole:
            if column == self.REASON and line.status in NEEDS_REASON and not line.reason.strip():
                return f"{line.status.label}要填写原因：双击这一格选择或输入"
            if column == 3 and line.row.frail:
                return "年老体弱：不作硬性要求，缺席不计入考核"
        return None

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.EditRole:
            return False
        if index.column() == self.STATUS:
            self.set_status([index.row()], Attendance(value))
            return True
        if index.column() == self.REASON:
            self.set_reason([index.row()], str(value or ""))
            return True
        return False


class StatusDelegate(PickDelegate):
    """A combo of the five statuses; a pick is taken at once."""

    def choices(self):
        return [(status.label, status.value) for status, _key in STATUS_KEYS]


class ReasonDelegate(QStyledItemDelegate):
    """An editable combo of the usual reasons for the row's status. What is typed goes to every selected
    row of the same status (three 请假 for the same reason are typed once)."""

    def __init__(self, view: QTableView, proxy: QSortFilterProxyModel, model: AttendanceModel):
        super().__init__(view)
        self.view, self.proxy, self.model = view, proxy, model

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QComboBox(parent)
        editor.setEditable(True)
        status = self.model.lines[self.proxy.mapToSource(index).row()].status
        editor.addItems(LEAVE_REASONS if status is Attendance.LEAVE else EXCUSED_REASONS
                        if status is Attendance.EXCUSED else ())
        editor.lineEdit().setPlaceholderText("选择或输入原因")
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setCurrentText(index.data(Qt.EditRole) or "")
        editor.lineEdit().selectAll()

    def setModelData(self, editor, model, index):  # noqa: N802
        row = self.proxy.mapToSource(index).row()
        status = self.model.lines[row].status
        chosen = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        rows = [r for r in chosen if self.model.lines[r].status is status] if row in chosen else []
        self.model.set_reason(rows or [row], editor.currentText())


class AttendanceFilter(QSortFilterProxyModel):
    """The list as shown: a name typed in 查找姓名, and optionally only those not 出席."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.away_only = False

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text.strip()))

    def set_away_only(self, on: bool) -> None:
        self._refilter(lambda: setattr(self, "away_only", on))

    def _refilter(self, change) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, row, parent) -> bool:  # noqa: N802 (Qt's name)
        line = self.sourceModel().lines[row]
        if self.away_only and line.status is Attendance.PRESENT:
            return False
        return not self.text or self.text in line.row.name


class AttendanceView(KeyedTableView):
    """1–5 set the status of the selected rows; Enter or F2 edits the reason of the current row."""

    KEYS = STATUS_KEYS


# ---------------------------------------------------------------------------------------- the dialog


@dataclass
class PendingAttachment:
    name: str
    data: bytes


class MeetingDialog(CheckedDialog):
    """One meeting, new (``meeting_id`` None) or recorded; ``saved`` holds the service's ``Saved`` after 保存."""

    def __init__(self, context, dialogs, parent=None, meeting_id: int | None = None, today: dt.date | None = None,
                 kind: MeetingKind | None = None, open_file=None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.meeting_id = meeting_id
        self.saved = None
        self.village_id = context.village().id
        # How an attachment is shown: the system's viewer (tests replace it).
        self.open_file = open_file or open_with_desktop
        with context.store.session() as session:
            record = meeting_service.meeting_record(session, self.village_id, meeting_id) if meeting_id else None
            self.groups = member_service.party_groups(session, self.village_id)
            names = [m.name for m in meeting_service.due_members(session, self.village_id,
                                                                  MeetingKind.BRANCH_ASSEMBLY)]
        self.record = record
        self.setWindowTitle("修改会议记录" if record else "登记会议")
        self.setObjectName("meetingDialog")
        self._build(names)
        self._fill(record, kind)
        self.roster_kind, self.roster_group, self.roster_day = None, None, None
        self.remembered: dict[int, tuple[Attendance, str]] = {}
        self.reload_roster()
        self.resize(1280, 880)  # fitted to smaller screens as it is shown (ui.screen_fit)

    # --- building -----------------------------------------------------------------------------
    def _build(self, names: list[str]) -> None:
        self.kind = QComboBox()
        self.kind.setObjectName("meetingKind")
        for kind in MeetingKind:
            self.kind.addItem(kind.label, kind.value)
        self.group = QComboBox()
        self.group.setObjectName("meetingGroup")
        self.group.addItem("（请选择党小组）", None)
        for choice in self.groups:
            self.group.addItem(choice.name, choice.id)
        self.date = QDateEdit()
        self.date.setObjectName("meetingDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDateRange(QDate(2000, 1, 1), QDate(self.today))  # a meeting is recorded once held
        self.date.setDate(QDate(self.today))
        self.time = QLineEdit()
        self.time.setObjectName("meetingTime")
        self.time.setPlaceholderText("如 上午9:00")
        self.time.setMaxLength(meeting_service.TEXT_LIMITS["time"])
        self.place = QLineEdit()
        self.place.setObjectName("meetingPlace")
        self.place.setPlaceholderText("如 村党群服务中心")
        self.host = self._name_box(names, "meetingHost")
        self.recorder = self._name_box(names, "meetingRecorder")
        self.hours = QDoubleSpinBox()
        self.hours.setObjectName("meetingHours")
        self.hours.setRange(0, meeting_service.MAX_HOURS)
        self.hours.setSingleStep(0.5)
        self.hours.setDecimals(1)
        self.hours.setSpecialValueText("不计学时")
        self.hours.setSuffix(" 学时")
        self.topic = QPlainTextEdit()
        self.topic.setObjectName("meetingTopic")
        self.topic.setPlaceholderText("会议议题（主题），多项议题每行一项")
        self.topic.setTabChangesFocus(True)
        self.topic.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.guests = QLineEdit()
        self.guests.setObjectName("meetingGuests")
        self.guests.setPlaceholderText("列席人员（非本支部党员等），可不填")

        when = QHBoxLayout()
        when.addWidget(self.date)
        when.addWidget(QLabel("时间"))
        when.addWidget(self.time, 1)
        people = QHBoxLayout()
        people.addWidget(self.host, 1)
        people.addWidget(QLabel("记录人"))
        people.addWidget(self.recorder, 1)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind, 1)
        kind_row.addWidget(QLabel("党小组"))
        kind_row.addWidget(self.group, 1)
        form = QFormLayout()
        form.addRow("会议类型", kind_row)
        form.addRow("日期", when)
        form.addRow("地点", self.place)
        form.addRow("主持人", people)
        form.addRow("学时", self.hours)
        form.addRow("议题", self.topic)
        form.addRow("列席", self.guests)

        self.minutes = QPlainTextEdit()
        self.minutes.setObjectName("meetingMinutes")
        self.minutes.setPlaceholderText("会议内容：主持人讲话、学习内容、讨论发言、议定事项……")
        self.details = QTabWidget()
        self.details.setObjectName("meetingDetails")
        self.details.addTab(self.minutes, "会议内容")
        self.details.addTab(self._decisions_page(), "决议和表决")
        self.details.addTab(self._attachments_page(), "附件")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(self.details, 1)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("meetingSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self._attendance_panel())
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Save).setText("保存")
        for button in self.buttons.buttons():  # Enter in a field must not save a meeting half ticked
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.problem, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.group.currentIndexChanged.connect(lambda _i: self.reload_roster())
        self.date.dateChanged.connect(lambda _d: self.reload_roster())  # who was due depends on the day

    @staticmethod
    def _name_box(names: list[str], name: str) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.NoInsert)
        box.addItems(names)
        box.setCurrentIndex(-1)
        box.lineEdit().setPlaceholderText("选择或输入姓名")
        box.setMaxVisibleItems(15)
        return box

    def _attendance_panel(self) -> QWidget:
        self.model = AttendanceModel(self)
        self.proxy = AttendanceFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = AttendanceView()
        self.view.setObjectName("attendanceTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                                  | QAbstractItemView.AnyKeyPressed)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.verticalHeader().setMinimumWidth(32)
        self.view.setItemDelegateForColumn(AttendanceModel.STATUS, StatusDelegate(self.view))
        self.view.setItemDelegateForColumn(AttendanceModel.REASON, ReasonDelegate(self.view, self.proxy, self.model))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(AttendanceModel.REASON, QHeaderView.Stretch)
        header.setMinimumSectionSize(40)
        for column, width in enumerate((72, 84, 44, 84, 96)):
            self.view.setColumnWidth(column, width)
        make_copyable(self.view)
        self.view.picked.connect(self.set_selected)
        self.model.counted.connect(self.update_quorum)

        self.find = QLineEdit()
        self.find.setObjectName("attendanceFind")
        self.find.setPlaceholderText("查找姓名")
        self.find.setClearButtonEnabled(True)
        self.find.textChanged.connect(self.proxy.set_text)
        self.away_only = QCheckBox("只看未出席")
        self.away_only.setObjectName("attendanceAwayOnly")
        self.away_only.setToolTip("只列出请假、缺席、在流入地参加和不计应到的党员，便于核对原因")
        self.away_only.toggled.connect(self.proxy.set_away_only)
        self.find.returnPressed.connect(self._focus_found)
        QShortcut(QKeySequence.Find, self, activated=self.find.setFocus)
        heading = QHBoxLayout()
        heading.addWidget(QLabel("<b>出席情况</b>　默认全部出席；选中一人或多人后按数字键或下面的按钮"))
        heading.addStretch()
        heading.addWidget(self.away_only)
        heading.addWidget(self.find)

        self.status_buttons = {}
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for status, key in STATUS_KEYS:
            button = QPushButton(f"{status.label} ({key})")
            button.setObjectName(f"mark_{status.value}")
            button.setToolTip(f"把选中的党员设为“{status.label}”（快捷键 {key}）")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, s=status: self.set_selected(s))
            self.status_buttons[status] = button
            buttons.addWidget(button)
        self.select_all = QPushButton("全选")
        self.select_all.setAutoDefault(False)
        self.select_all.clicked.connect(self.view.selectAll)
        buttons.addWidget(self.select_all)
        buttons.addStretch()

        self.quorum = QLabel()
        self.quorum.setObjectName("quorumLine")
        self.quorum.setWordWrap(True)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(heading)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.quorum)
        return panel

    def _decisions_page(self) -> QWidget:
        self.decisions = QTableWidget(0, 5)
        self.decisions.setObjectName("meetingDecisions")
        self.decisions.setHorizontalHeaderLabels(["决议内容", "赞成", "反对", "弃权", "结果"])
        self.decisions.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for column in (1, 2, 3):
            self.decisions.setColumnWidth(column, 48)
        self.decisions.setColumnWidth(4, 64)
        self.decisions.itemChanged.connect(lambda item: item.column() != 4 and self.update_results())
        self.decisions.verticalHeader().setVisible(False)
        add, remove = QPushButton("添加决议"), QPushButton("删除选中决议")
        for button in (add, remove):
            button.setAutoDefault(False)
        add.clicked.connect(lambda: self.add_decision())
        remove.clicked.connect(self._remove_decision)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch()
        row.addWidget(QLabel("票数不填：未表决"))
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.decisions, 1)
        layout.addLayout(row)
        return page

    def _attachments_page(self) -> QWidget:
        self.attachments = QListWidget()
        self.attachments.setObjectName("meetingAttachments")
        self.attachments.itemDoubleClicked.connect(lambda _item: self.open_attachment())
        self.added: list[PendingAttachment] = []
        self.removed: list[int] = []
        add, show, remove = QPushButton("添加附件…"), QPushButton("打开"), QPushButton("移除")
        for button in (add, show, remove):
            button.setAutoDefault(False)
        add.clicked.connect(self.add_attachment)
        show.clicked.connect(self.open_attachment)
        remove.clicked.connect(self.remove_attachment)
        row = QHBoxLayout()
        for button in (add, show, remove):
            row.addWidget(button)
        row.addStretch()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("签到表、现场照片或会议记录的扫描件（JPG、PNG 或 PDF），随会议一起保存"))
        layout.addWidget(self.attachments, 1)
        layout.addLayout(row)
        return page

    def _fill(self, record, kind: MeetingKind | None) -> None:
        self.kind.blockSignals(True)
        self.group.blockSignals(True)
        chosen = record.kind if record else (kind or MeetingKind.THEME_DAY)
        self.kind.setCurrentIndex(self.kind.findData(MeetingKind(chosen).value))
        if record:
            self.date.setDate(QDate(record.date))
            self.time.setText(record.time or "")
            self.place.setText(record.place or "")
            self.host.setCurrentText(record.host or "")
            self.recorder.setCurrentText(record.recorder or "")
            self.hours.setValue(record.hours or 0)
            self.topic.setPlainText(record.topic)
            self.guests.setText(record.attendees_note or "")
            self.minutes.setPlainText(record.minutes or "")
            if record.party_group_id is not None:
                self.group.setCurrentIndex(max(self.group.findData(record.party_group_id), 0))
            for decision in record.decisions:
                vote = decision.vote
                self.add_decision(decision.text, *((vote.agree, vote.against, vote.abstain) if vote else ()))
            for attachment in record.attachments:
                self._list_attachment(attachment.name, attachment.size, ("saved", attachment.id))
        if not self.decisions.rowCount():
            self.add_decision()
        self.group.setEnabled(self.current_kind() is MeetingKind.GROUP)
        self.kind.blockSignals(False)
        self.group.blockSignals(False)

    # --- attendance ---------------------------------------------------------------------------
    def current_kind(self) -> MeetingKind:
        return MeetingKind(self.kind.currentData())

    def current_group(self) -> int | None:
        return self.group.currentData() if self.current_kind() is MeetingKind.GROUP else None

    def _kind_changed(self) -> None:
        self.group.setEnabled(self.current_kind() is MeetingKind.GROUP)
        self.reload_roster()

    def reload_roster(self) -> None:
        """Who is due for the kind and party group chosen; the ticks of members still listed are kept."""
        kind, group, day = self.current_kind(), self.current_group(), self.date.date().toPython()
        if (kind, group, day) == (self.roster_kind, self.roster_group, self.roster_day):
            return
        # Every tick made in this dialog is remembered, so passing through a list that leaves someone out
        # (a 党小组会 before its group is chosen) does not lose it.
        self.remembered.update(self.model.ticks())
        if kind is MeetingKind.GROUP and group is None:
            roster = []
        else:
            with self.context.store.session() as session:
                roster = meeting_service.meeting_roster(session, self.village_id, kind, group, self.meeting_id,
                                                        on=day)
        self.roster_kind, self.roster_group, self.roster_day = kind, group, day
        self.model.load(roster, self.remembered)

    def selected_rows(self) -> list[int]:
        return sorted({self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()})

    def set_selected(self, status: Attendance) -> None:
        rows = self.selected_rows()
        if not rows:
            current = self.view.currentIndex()
            rows = [self.proxy.mapToSource(current).row()] if current.isValid() else []
        if not rows:
            return
        self.model.set_status(rows, status)
        self.view.setFocus()
        if status in NEEDS_REASON and len(rows) == 1:
            index = self.proxy.mapFromSource(self.model.index(rows[0], AttendanceModel.REASON))
            self.view.setCurrentIndex(index)
            self.view.edit(index)

    def _focus_found(self) -> None:
        if self.proxy.rowCount():
            self.view.setFocus()
            self.view.selectRow(0)

    def update_quorum(self) -> None:
        kind = self.current_kind()
        if kind is MeetingKind.GROUP and self.current_group() is None:
            self.quorum.setText("党小组会：请先选择是哪个党小组，再勾选出席情况。")
            self.quorum.setStyleSheet("")
            return
        if not self.model.lines:
            self.quorum.setText("没有应到会的人（没有在册党员，或这个党小组、支委会还没有成员）。")
            self.quorum.setStyleSheet("color: #b00000;")
            return
        result = turnout(self.model.attendees())
        text = quorum_text(kind, result)
        missing = len(self.model.missing_reasons())
        if missing:
            text += f"<br>还有 {missing} 人请假或不计应到，没有填写原因（红色的格子）。"
        bad = kind in DECIDING and not quorum_met(kind, result)
        self.quorum.setText(text)
        self.quorum.setStyleSheet("color: #b00000; font-weight: bold;" if bad else "")
        self.update_results()

    # --- decisions ----------------------------------------------------------------------------
    def add_decision(self, text: str = "", *votes) -> None:
        row = self.decisions.rowCount()
        self.decisions.insertRow(row)
        self.decisions.setItem(row, 0, QTableWidgetItem(text))
        for column in (1, 2, 3):
            value = votes[column - 1] if len(votes) >= column and votes[column - 1] is not None else ""
            item = QTableWidgetItem(str(value))
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.decisions.setItem(row, column, item)
        result = QTableWidgetItem()
        result.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
        self.decisions.setItem(row, 4, result)
        self.update_results()

    def update_results(self) -> None:
        """Each voted decision's result as the votes stand: passed with more than half of those due to vote
        (a 支部党员大会: of the voting members due; other meetings: of those due)."""
        if not hasattr(self, "model"):
            return
        result = turnout(self.model.attendees())
        due = result.voting_due if self.current_kind() is MeetingKind.BRANCH_ASSEMBLY else result.due
        for row in range(self.decisions.rowCount()):
            cell = self.decisions.item(row, 4)
            if cell is None:
                continue
            raw = [(self.decisions.item(row, c).text().strip() if self.decisions.item(row, c) else "") for c in (1, 2, 3)]
            if not any(raw) or not all(r.isdigit() or not r for r in raw):
                text, tip = "", ""
            else:
                agree = int(raw[0] or 0)
                passed = vote_passes(Vote(agree, int(raw[1] or 0), int(raw[2] or 0)), due)
                text = "通过" if passed else "未通过"
                tip = f"赞成 {agree} 票，应到会有表决权 {due} 人，{'超过' if passed else '未超过'}半数"
            self.decisions.blockSignals(True)
            cell.setText(text)
            cell.setToolTip(tip)
            cell.setForeground(QColor("#006400") if text == "通过" else QColor("#b00000"))
            self.decisions.blockSignals(False)

    def _remove_decision(self) -> None:
        for row in sorted({i.row() for i in self.decisions.selectedIndexes()}, reverse=True):
            self.decisions.removeRow(row)

    def decision_forms(self) -> list[DecisionForm]:
        forms = []
        for row in range(self.decisions.rowCount()):
            cells = [(self.decisions.item(row, c).text().strip() if self.decisions.item(row, c) else "")
                     for c in range(4)]
            votes = []
            for label, raw in zip(("赞成", "反对", "弃权"), cells[1:]):
                if not raw:
                    votes.append(None)
                elif raw.isdigit():
                    votes.append(int(raw))
                else:
                    raise MeetingError(f"第 {row + 1} 项决议的{label}票数“{raw}”不是整数，请填写票数或留空。")
            if any(v is not None for v in votes):
                votes = [v or 0 for v in votes]  # a vote taken: a blank count is none
            if cells[0] or any(v is not None for v in votes):
                forms.append(DecisionForm(cells[0], *votes))
        return forms

    # --- attachments --------------------------------------------------------------------------
    def _list_attachment(self, name: str, size: int, key) -> None:
        item = QListWidgetItem(f"{name}（{size / 1024:.0f} KB）" + ("　待保存" if key[0] == "new" else ""))
        item.setData(Qt.UserRole, key)
        self.attachments.addItem(item)

    def add_attachment(self) -> None:
        path = self.dialogs.open_file("添加会议附件", Path.home(), ATTACHMENT_FILTER)
        if path is None:
            return
        try:
            name, data = meeting_service.read_attachment(path)
        except meeting_service.MeetingError as error:
            self.dialogs.error("添加附件", str(error))
            return
        self.added.append(PendingAttachment(name, data))
        self._list_attachment(name, len(data), ("new", len(self.added) - 1))

    def _chosen_attachment(self):
        item = self.attachments.currentItem()
        return (item, item.data(Qt.UserRole)) if item is not None else (None, None)

    def open_attachment(self) -> None:
        item, key = self._chosen_attachment()
        if key is None:
            return
        if key[0] == "new":
            pending = self.added[key[1]]
            name, data = pending.name, pending.data
        else:
            with self.context.store.session() as session:
                try:
                    name, data = meeting_service.attachment_data(session, self.village_id, key[1])
                except MeetingError as error:
                    self.dialogs.error("打开附件", str(error))
                    return
        open_attachment_copy(name, data, self.open_file)

    def remove_attachment(self) -> None:
        item, key = self._chosen_attachment()
        if key is None:
            return
        if key[0] == "saved":
            self.removed.append(key[1])
        else:
            self.added[key[1]] = None  # its place is kept: the other pending items keep their index
        self.attachments.takeItem(self.attachments.row(item))

    # --- saving -------------------------------------------------------------------------------
    def form(self) -> MeetingForm:
        kind = self.current_kind()
        return MeetingForm(
            kind=kind, date=self.date.date().toPython(), topic=self.topic.toPlainText(),
            time=self.time.text(), place=self.place.text(), host=self.host.currentText(),
            recorder=self.recorder.currentText(), party_group_id=self.current_group(),
            hours=self.hours.value() or None, minutes=self.minutes.toPlainText(),
            attendees_note=self.guests.text(), attendance=self.model.attendance(),
            decisions=self.decision_forms())

    def check(self) -> bool | None:
        form = self.form()
        missing = self.model.missing_reasons()
        if missing:  # the service says so too; here the first row is also shown
            index = self.proxy.mapFromSource(self.model.index(missing[0], AttendanceModel.REASON))
            if index.isValid():
                self.view.scrollTo(index)
                self.view.setCurrentIndex(index)
        village_id, meeting_id = self.village_id, self.meeting_id
        added = [a for a in self.added if a is not None]
        removed = list(self.removed)

        def work(session):
            saved = meeting_service.save_meeting(session, village_id, form, meeting_id, today=self.today)
            for attachment in added:
                meeting_service.add_attachment(session, village_id, saved.id, attachment.name, attachment.data)
            for attachment_id in removed:
                meeting_service.delete_attachment(session, village_id, attachment_id)
            return saved

        title = "修改会议记录" if meeting_id else "登记会议"
        self.saved = run_checked(self, title, work, Change.RECORDS, MeetingError)
        return None
