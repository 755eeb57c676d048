"""乡镇汇总: the township's screen. Pick the quarter; import the villages' packages from a stick or a
folder (each checked, a second package for a village taken only when confirmed); see who has not sent
theirs; read the consolidated tables, the villages side by side, and write them out as xlsx and PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.statistics import Quarter, recent_quarters
from partybuild_desktop.services import consolidation, reserve_cadres, returns
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.first_run import TownshipFields
from partybuild_desktop.ui.widgets import HIGHLIGHT, PATH_ROLE, PlacesList, RowsTable, SpecTable


def quarter_choices(today: dt.date, received: list[Quarter]) -> list[Quarter]:
    """The current quarter and the five before it, and every quarter something was received for; latest first."""
    return sorted(set(recent_quarters(today)) | set(received), reverse=True)


class TownshipTab(WatchesChanges, QWidget):
    watches = Change.RETURNS | Change.SETTINGS

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.shown: consolidation.TownshipQuarter | None = None
        self.quarter = QComboBox()
        self.quarter.setObjectName("townshipQuarter")
        self.import_button = QPushButton("导入报表包…")
        self.import_button.clicked.connect(self.import_packages)
        self.export_button = QPushButton("导出汇总表…")
        self.export_button.clicked.connect(self.export_consolidated)
        self.list_button = QPushButton("村名单…")
        self.list_button.clicked.connect(self.edit_villages)
        self.target_button = QPushButton("后备干部目标…")
        self.target_button.clicked.connect(self.edit_reserve_target)
        self.summary = QLabel()
        self.summary.setObjectName("townshipSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.pages = QTabWidget()
        self.pages.setObjectName("townshipPages")
        top = QHBoxLayout()
        top.addWidget(QLabel("季度"))
        top.addWidget(self.quarter)
        top.addStretch()
        for button in (self.import_button, self.export_button, self.list_button, self.target_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)
        self._fill_quarters()
        self.quarter.currentIndexChanged.connect(lambda _: self.show_quarter())
        self.show_quarter()
        self.watch(context.operations)

    def selected_quarter(self) -> Quarter:
        return Quarter.parse(self.quarter.currentData())

    def choose_quarter(self, quarter: Quarter | str) -> None:
        label = str(quarter)
        if self.quarter.findData(label) < 0:
            self._fill_quarters(extra=[Quarter.parse(label)])
        self.quarter.setCurrentIndex(self.quarter.findData(label))

    def _fill_quarters(self, extra: list[Quarter] = ()) -> None:
        with self.context.store.session() as session:
            received = consolidation.received_quarters(session)
        current = self.quarter.currentData()
        self.quarter.blockSignals(True)
        self.quarter.clear()
        for quarter in quarter_choices(self.today, received + list(extra)):
            self.quarter.addItem(quarter.title + ("（已收到报表）" if quarter in received else ""), quarter.label)
        # The quarter shown before; else the latest one with returns; else the current quarter.
        wanted = current or (received[0].label if received else Quarter.of(self.today).label)
        self.quarter.setCurrentIndex(max(self.quarter.findData(wanted), 0))
        self.quarter.blockSignals(False)

    def refresh(self) -> None:
        """After a change: the quarters received may have changed too."""
        self._fill_quarters()
        self.show_quarter()

    def show_quarter(self) -> None:
        with self.context.store.session() as session:
            self.shown = consolidation.township_quarter(session, self.selected_quarter(), self.today)
            cadres = reserve_cadres.received_counts(session, [r.id for r in self.shown.received])
            wanted = reserve_cadres.target(session)
        self.summary.setText(self.shown.summary)
        self.export_button.setEnabled(bool(self.shown.current))
        index = self.pages.currentIndex()
        while self.pages.count():
            page = self.pages.widget(0)
            self.pages.removeTab(0)
            page.deleteLater()
        reports = self.shown.reports  # the consolidated tables, then the villages side by side
        for report in reports[-1:] + reports[:-1]:  # who has sent what first
            for table in report.tables:
                spec = table.spec
                self.pages.addTab(SpecTable(table, f"township:{spec.sheet_name or spec.title}"),
                                  spec.sheet_name or spec.title)
        received = RowsTable(["村", "填报日期", "收到时间", "党员数", f"后备干部（目标 {wanted} 名）", "报表包", "状态"],
                             "receivedReturns", stretch=5)
        received.fill(self.shown.received, lambda r: (
            r.village, r.filed_on, f"{r.received_at:%Y-%m-%d %H:%M}", r.total_members,
            reserve_cadres.township_text(cadres.get(r.id), wanted), r.package_name,
            "当前" if r.superseded_at is None else f"已被替换（{r.superseded_at:%Y-%m-%d %H:%M}）"),
            highlight=lambda r: r.superseded_at is not None)
        self.pages.addTab(received, "收到的报表包")
        self.pages.setCurrentIndex(min(max(index, 0), self.pages.count() - 1))

    # --- actions --------------------------------------------------------------------------------
    def import_packages(self) -> None:
        PackageImportDialog(self.context, self.selected_quarter(), self.dialogs, self).exec()

    def export_consolidated(self) -> None:
        quarter = self.selected_quarter()
        folder = self.dialogs.choose_folder(f"保存{quarter.title}汇总表的文件夹", Path.home())
        if folder is None:
            return
        store, today = self.context.store, self.today

        def done(files) -> None:
            names = "\n".join(f.name for f in files)
            self.dialogs.info("导出完成", f"已写出 {len(files)} 个文件到“{folder}”：\n{names}")

        self.context.operations.query_in_background(
            "导出汇总表", lambda progress: consolidation.write_consolidated(
                store, quarter, folder, today=today, cancelled=progress.cancelled),
            dialogs=self.dialogs, parent=self, on_success=done, label="正在写出汇总表…")

    def edit_reserve_target(self) -> None:
        """How many 后备干部 each village should have a year (16 unless set), shown beside each village."""
        from partybuild_desktop.ui.reserve_cadres_tab import TargetDialog

        with self.context.store.session() as session:
            wanted = reserve_cadres.target(session)
        self.last_dialog = TargetDialog(self.context, wanted, self)
        self.last_dialog.exec()

    def edit_villages(self) -> None:
        with self.context.store.session() as session:
            township = consolidation.township_name(session)
            listed = [v.name for v in consolidation.known_villages(session) if v.expected]
        dialog = TownshipListDialog(township, listed, self)
        while dialog.exec():
            if self.context.operations.run("修改村名单", lambda s: consolidation.set_expected_villages(
                    s, dialog.fields.township.text(), dialog.fields.village_names()),
                    Change.RETURNS | Change.SETTINGS, dialogs=self.dialogs).ok:
                return


class TownshipListDialog(QDialog):
    def __init__(self, township: str, villages: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("本乡镇的村名单")
        self.setMinimumSize(420, 420)
        self.fields = TownshipFields(township, villages)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addWidget(buttons)


OUTCOME_TEXT = {"accepted": "已导入", "refused": "没有导入"}


class PackageImportDialog(QDialog):
    """Where the packages are (sticks first), which of those found to import, and what became of each."""

    COLUMNS = ("报表包", "村", "季度", "结果", "说明")

    def __init__(self, context, quarter: Quarter, dialogs, parent=None):
        super().__init__(parent)
        self.context, self.quarter, self.dialogs = context, quarter, dialogs
        self.result: consolidation.ConsolidationResult | None = None
        self.setWindowTitle(f"导入{quarter.title}报表包")
        self.setMinimumSize(760, 480)
        self.places = PlacesList("packagePlaces", returns.removable_drives())
        self.places.setMaximumHeight(110)
        self.places.currentItemChanged.connect(lambda item, _: self._list_packages(item))
        folder = QPushButton("选择文件夹…")
        folder.clicked.connect(self._choose_folder)
        files = QPushButton("选择 .zip 报表包…")
        files.clicked.connect(self._choose_files)
        self.found = QTableWidget(0, len(self.COLUMNS))
        self.found.setObjectName("foundPackages")
        self.found.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.found.horizontalHeader().setStretchLastSection(True)
        self.found.verticalHeader().setVisible(False)
        self.found.setEditTriggers(QTableWidget.NoEditTriggers)
        self.status = QLabel(f"本次汇总的是{quarter.title}。勾选要导入的报表包；其他季度的默认不勾选。每个报表包都会逐个文件核对，"
                             "有问题的不导入，其余照常导入。")
        self.status.setWordWrap(True)
        self.import_button = QPushButton("导入所选")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_selected)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        places = QHBoxLayout()
        places.addWidget(self.places, 1)
        choose = QVBoxLayout()
        choose.addWidget(folder)
        choose.addWidget(files)
        choose.addStretch()
        places.addLayout(choose)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("报表包在哪里（U 盘在前）："))
        layout.addLayout(places)
        layout.addWidget(self.found, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._list_packages(self.places.currentItem())

    # --- where ----------------------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = self.dialogs.choose_folder("选择报表包所在的文件夹（或 U 盘）", Path.home())
        if folder is not None:
            self.choose(folder)

    def _choose_files(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        chosen, _ = QFileDialog.getOpenFileNames(self, "选择报表包", str(Path.home()), "报表包 (*.zip)")
        self._show_found([found for path in chosen for found in returns.find_packages(Path(path))])

    def choose(self, folder: Path) -> None:
        self.places.add(folder)

    def _list_packages(self, item) -> None:
        if item is not None:
            self._show_found(returns.find_packages(self.places.path(item)))

    def _show_found(self, found: list) -> None:
        self.found.setRowCount(len(found))
        for row, package in enumerate(found):
            other = package.quarter is not None and package.quarter != self.quarter.label
            name = QTableWidgetItem(package.path.name)
            name.setData(PATH_ROLE, str(package.path))
            name.setFlags(name.flags() | Qt.ItemIsUserCheckable)
            name.setCheckState(Qt.Unchecked if other else Qt.Checked)
            quarter = Quarter.parse(package.quarter).title if _is_quarter(package.quarter) else (package.quarter or "不明")
            cells = (name, QTableWidgetItem(package.village or "不明"), QTableWidgetItem(quarter),
                     QTableWidgetItem(""), QTableWidgetItem("其他季度的报表" if other else ""))
            for column, cell in enumerate(cells):
                self.found.setItem(row, column, cell)
        self.found.resizeColumnsToContents()
        if not found:
            self.status.setText("这里没有找到报表包。报表包是名为“乡镇-村-季度”的文件夹或 .zip 文件，请选择它所在的 U 盘或文件夹。")

    def checked_packages(self) -> list[str]:
        return [self.found.item(r, 0).data(PATH_ROLE) for r in range(self.found.rowCount())
                if self.found.item(r, 0).checkState() == Qt.Checked]

    # --- import ---------------------------------------------------------------------------------
    def import_selected(self) -> None:
        packages = self.checked_packages()
        if not packages:
            self.dialogs.info("导入报表包", "请先勾选要导入的报表包。")
            return
        self.import_button.setEnabled(False)
        store, quarter = self.context.store, self.quarter
        self.context.operations.query_in_background(
            "核对报表包", lambda progress: consolidation.inspect_packages(
                store, quarter, packages, progress=progress.report, cancelled=progress.cancelled),
            dialogs=self.dialogs, parent=self, on_success=lambda checks: self._confirm_then_import(packages, checks),
            on_failure=self._failed, on_cancel=lambda: self.import_button.setEnabled(True), label="正在核对报表包…")

    def _confirm_then_import(self, packages: list[str], checks) -> None:
        """Ask about each village received before (nothing is stored yet), then import."""
        replace = {c.replacement.village_key for c in checks
                   if c.replacement is not None and self.dialogs.confirm("替换已收到的报表", c.replacement.question)}
        quarter, data = self.quarter, self.context.store

        def work(store, progress):
            from partybuild_desktop.services import backups

            backups.before(data, "consolidation")
            return consolidation.consolidate(store, quarter, packages, progress=progress.report,
                                             cancelled=progress.cancelled, replace=replace)

        self.context.operations.run_in_background(
            f"导入{quarter.title}报表包", work,
            Change.RETURNS | Change.SETTINGS, dialogs=self.dialogs, parent=self, on_success=self._done,
            on_failure=self._failed, on_cancel=lambda: self.import_button.setEnabled(True), label="正在导入报表包…",
            own_transaction=True)

    def _done(self, result: consolidation.ConsolidationResult) -> None:
        self.import_button.setEnabled(True)
        self.result = result
        by_path = {p.package: p for p in result.packages}
        for row in range(self.found.rowCount()):
            outcome = by_path.get(self.found.item(row, 0).data(PATH_ROLE))
            if outcome is None:
                continue
            self.found.item(row, 0).setCheckState(Qt.Unchecked)
            if outcome.village:
                self.found.item(row, 1).setText(outcome.village)
            self.found.item(row, 3).setText(OUTCOME_TEXT[outcome.status])
            self.found.item(row, 4).setText(outcome.message)
            self.found.item(row, 4).setToolTip(outcome.message)  # the column is narrower than a long reason
            if outcome.status == consolidation.REFUSED:
                for column in range(self.found.columnCount()):
                    self.found.item(row, column).setBackground(HIGHLIGHT)
        self.found.resizeColumnsToContents()
        text = f"导入 {len(result.accepted)} 份，没有导入 {len(result.refused)} 份。"
        if result.missing:
            text += f"{result.quarter.title}还没有报送的村：{'、'.join(result.missing)}。"
        text += "".join(result.warnings)
        self.status.setText(text)
        if result.refused:
            details = "\n".join(f"· {p.village or Path(p.package).name}：{p.message}" for p in result.refused)
            self.dialogs.error("有报表包没有导入", f"{text}\n\n{details}")
        else:
            self.dialogs.info("导入完成", text)

    def _failed(self, error: Exception) -> None:
        from partybuild_desktop.ui.operations import explain

        self.import_button.setEnabled(True)
        self.status.setText(explain(error))
        self.dialogs.error("导入失败", f"{explain(error)}\n没有导入任何报表包，乡镇的数据没有改动。")


def _is_quarter(text: str | None) -> bool:
    try:
        Quarter.parse(text or "")
    except ValueError:
        return False
    return True
