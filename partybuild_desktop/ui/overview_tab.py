"""The overview tab: the village's real counts, refreshed whenever data changes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.services.overview import Overview


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


class OverviewTab(QWidget):
    """Members by category and status on the left; the organisation and households on the right."""

    def __init__(self, load_overview, parent=None):
        super().__init__(parent)
        self.load_overview = load_overview
        self.heading = QLabel()
        self.heading.setObjectName("overviewHeading")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold; padding: 6px;")
        self.warnings = QLabel()
        self.warnings.setStyleSheet("color: #a33;")
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("overviewSplitter")
        self.member_counts = _counts_table("memberCounts")
        self.organisation_counts = _counts_table("organisationCounts")
        for title, table in (("党员", self.member_counts), ("组织与网格", self.organisation_counts)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(table)
            self.splitter.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.warnings)
        layout.addWidget(self.splitter, 1)
        self.refresh()

    def refresh(self) -> None:
        data: Overview = self.load_overview()
        self.heading.setText(f"在册党员 {data.members_active} 名　农户 {data.households} 户")
        self.warnings.setText("　".join(data.warnings))
        self.warnings.setVisible(bool(data.warnings))
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
