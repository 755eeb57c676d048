"""The overview tab (概况): what to set up next in a new village, the 待办提醒, and the village's counts.

A click on an alert or a set-up button emits ``open_target(key)`` with the screen it names
("grids/visits", "members", "settings/party_groups"…); the main window opens that screen.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.services.alerts import SERIOUS, Alert, collect
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.overview import Overview, SetupStep, needs_setup, overview, setup_steps
from partybuild_desktop.ui.operations import WatchesChanges

SERIOUS_COLOUR = QColor("#b00020")
LEVEL_LABELS = {SERIOUS: "紧急", "notice": "提醒"}


def _counts_table(name: str) -> QTableWidget:
    table = QTableWidget(0, 2)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(["项目", "数量"])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, int]]) -> None:
    table.setRowCount(len(rows))
    for row, (label, value) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(label))
        number = QTableWidgetItem(str(value))
        number.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        table.setItem(row, 1, number)


class SetupChecklist(QGroupBox):
    """What an empty village sets up next: each step with its count and a button to its screen."""

    open_target = Signal(str)

    def __init__(self, parent=None):
        super().__init__("建立台账：接下来要做的", parent)
        self.setObjectName("setupChecklist")
        self.grid = QGridLayout(self)
        self.rows: dict[str, tuple[QLabel, QLabel, QPushButton]] = {}
        self.targets: dict[str, str] = {}

    def show_steps(self, steps: list[SetupStep]) -> None:
        for number, step in enumerate(steps):
            if step.key not in self.rows:
                title, hint, button = QLabel(), QLabel(), QPushButton()
                button.setObjectName(f"setup_{step.key}")
                hint.setWordWrap(True)
                for column, widget in enumerate((title, hint, button)):
                    self.grid.addWidget(widget, number, column)
                self.rows[step.key] = (title, hint, button)
                button.clicked.connect(lambda _=False, key=step.key: self.open_target.emit(self.targets[key]))
            self.targets[step.key] = step.target
            title, hint, button = self.rows[step.key]
            mark = "✓" if step.done else "○"
            title.setText(f"{mark} {number + 1}. {step.title}：{step.count}")
            hint.setText(step.hint)
            button.setText(f"去设置{step.title}…" if not step.done else f"查看{step.title}…")
        self.grid.setColumnStretch(1, 1)


class OverviewTab(WatchesChanges, QWidget):
    """The set-up list (while something is missing), the alerts, then the counts side by side."""

    watches = Change.EVERYTHING
    open_target = Signal(str)

    def __init__(self, context, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context = context
        self.today = today  # None: the real today at each refresh
        self.alerts: list[Alert] = []
        self.heading = QLabel()
        self.heading.setObjectName("overviewHeading")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold; padding: 6px;")
        self.warnings = QLabel()
        self.warnings.setStyleSheet("color: #a33;")

        self.setup = SetupChecklist()
        self.setup.open_target.connect(self.open_target)

        self.alerts_box = QGroupBox("待办提醒")
        self.alerts_table = QTableWidget(0, 3)
        self.alerts_table.setObjectName("alertsTable")
        self.alerts_table.setHorizontalHeaderLabels(["级别", "事项（单击打开要办理的页面）", "期限"])
        self.alerts_table.verticalHeader().setVisible(False)
        self.alerts_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.alerts_table.setSelectionBehavior(QTableWidget.SelectRows)
        self.alerts_table.setWordWrap(True)
        header = self.alerts_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.alerts_table.cellClicked.connect(lambda row, _column: self._open_alert(row))
        self.no_alerts = QLabel("没有待办提醒。")
        self.no_alerts.setObjectName("noAlerts")
        box = QVBoxLayout(self.alerts_box)
        box.addWidget(self.no_alerts)
        box.addWidget(self.alerts_table)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("overviewSplitter")
        self.member_counts = _counts_table("memberCounts")
        self.organisation_counts = _counts_table("organisationCounts")
        for title, table in (("党员", self.member_counts), ("组织与网格", self.organisation_counts)):
            counts = QGroupBox(title)
            QVBoxLayout(counts).addWidget(table)
            self.splitter.addWidget(counts)

        self.body = QSplitter(Qt.Vertical)
        self.body.setObjectName("overviewBody")
        self.body.addWidget(self.alerts_box)
        self.body.addWidget(self.splitter)
        self.body.setStretchFactor(0, 1)
        self.body.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.warnings)
        layout.addWidget(self.setup)
        layout.addWidget(self.body, 1)
        self.watch(context.operations)
        self.refresh()

    def refresh(self) -> None:
        as_of = self.today or dt.date.today()
        village = self.context.village()
        with self.context.store.session() as session:
            data: Overview = overview(session, village.id, as_of)
            steps = setup_steps(session, village.id)
            self.alerts = collect(session, village.id, as_of)
        self.heading.setText(f"在册党员 {data.members_active} 名　农户 {data.households} 户")
        self.warnings.setText("　".join(data.warnings))
        self.warnings.setVisible(bool(data.warnings))
        self.setup.show_steps(steps)
        self.setup.setVisible(needs_setup(steps))
        self._show_alerts()
        member_rows = [(f"{category.label}", n) for category, n in data.by_category.items()]
        member_rows += [(f"状态：{status.label}", n) for status, n in data.by_status.items()]
        organisation_rows = [
            ("网格党支部", data.grid_branches),
            ("党小组", data.party_groups),
            *[(level.label, n) for level, n in data.grids_by_level.items()],
            ("党员中心户", data.hub_households),
            ("农户", data.households),
            ("其中必访户（困难、孤寡空巢、留守儿童、失业、特殊人群）", data.must_visit_households),
            ("今年的纪实记录", data.record_entries_this_year),
        ]
        _fill(self.member_counts, member_rows)
        _fill(self.organisation_counts, organisation_rows)

    def _show_alerts(self) -> None:
        table = self.alerts_table
        table.setRowCount(len(self.alerts))
        for row, alert in enumerate(self.alerts):
            cells = (LEVEL_LABELS.get(alert.level, alert.level), alert.message,
                     alert.due.isoformat() if alert.due else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(alert.message)
                if alert.level == SERIOUS:
                    item.setForeground(QBrush(SERIOUS_COLOUR))
                table.setItem(row, column, item)
        table.resizeRowsToContents()
        self.alerts_box.setTitle(f"待办提醒（{len(self.alerts)}）" if self.alerts else "待办提醒")
        self.no_alerts.setVisible(not self.alerts)
        table.setVisible(bool(self.alerts))

    def _open_alert(self, row: int) -> None:
        if 0 <= row < len(self.alerts):
            self.open_target.emit(self.alerts[row].target)
