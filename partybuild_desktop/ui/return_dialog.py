"""导出季度报表: pick the quarter and where to write (USB sticks first), write the package off the GUI
thread, and say plainly when the stick may be removed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from partybuild_desktop.domain.statistics import recent_quarters
from partybuild_desktop.services import returns
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.dialogs import default_export_folder
from partybuild_desktop.ui.widgets import PlacesList


NO_STICK = "没有找到 U 盘。请插入 U 盘后点“刷新”，或点“选择其他文件夹…”写到任意文件夹。"
NO_STICK_BUT_FOLDER = "没有找到 U 盘，将写到下面选中的文件夹。要写到 U 盘，请插入 U 盘后点“刷新”。"


class ExportReturnDialog(QDialog):
    def __init__(self, context, village_id: int, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.village_id, self.dialogs = context, village_id, dialogs
        self.today = today or dt.date.today()
        self.result = None
        self.setWindowTitle("导出季度报表")
        self.setMinimumWidth(520)
        self.quarter = QComboBox()
        self.quarter.setObjectName("returnQuarter")
        for quarter in recent_quarters(self.today):
            self.quarter.addItem(quarter.title, quarter.label)
        self.places = PlacesList("returnPlaces", returns.removable_drives())
        self.folders: list[Path] = []  # chosen with 选择其他文件夹…, kept when the drives are listed again
        other = QPushButton("选择其他文件夹…")
        other.clicked.connect(self._choose_folder)
        refresh = QPushButton("刷新")
        refresh.setObjectName("refreshDrives")
        refresh.setToolTip("插入或换了 U 盘后，重新查找")
        refresh.clicked.connect(self.refresh_drives)
        self.no_stick = QLabel(NO_STICK)
        self.no_stick.setObjectName("noStickHint")
        self.no_stick.setWordWrap(True)
        self.no_stick.setStyleSheet("color: #a61b1b;")
        self.no_stick.setVisible(self.places.count() == 0)
        self.status = QLabel("报表包包括附件1–4、党员统计表、积分汇总（Excel 和 PDF）以及供乡镇汇总的数据文件，写完后逐一核对。")
        self.status.setWordWrap(True)
        self.export_button = QPushButton("导出")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("季度", self.quarter)
        form.addRow("写到（U 盘在前）", self.places)
        form.addRow("", self.no_stick)
        place_buttons = QHBoxLayout()
        place_buttons.addWidget(refresh)
        place_buttons.addWidget(other)
        place_buttons.addStretch()
        form.addRow("", place_buttons)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _choose_folder(self) -> None:
        folder = self.dialogs.choose_folder("选择保存报表包的文件夹", default_export_folder())
        if folder is not None:
            self.choose(folder)

    def choose(self, folder: Path) -> None:
        self.folders.append(folder)
        self.places.add(folder)
        self.no_stick.setVisible(False)

    def refresh_drives(self) -> None:
        """List the drives again (a stick inserted since): a newly found stick is selected, else the
        place selected before stays selected."""
        before = self.places.path()
        known = {self.places.path(self.places.item(i)) for i in range(self.places.count())}
        drives = returns.removable_drives()
        self.places.clear()
        for drive in drives:
            self.places.add(drive.path, PlacesList.drive_label(drive), select=False)
        for folder in self.folders:
            self.places.add(folder, select=False)
        new = [i for i, drive in enumerate(drives) if drive.path not in known]
        paths = [self.places.path(self.places.item(i)) for i in range(self.places.count())]
        if new:
            self.places.setCurrentRow(new[0])
        elif before in paths:
            self.places.setCurrentRow(paths.index(before))
        elif paths:
            self.places.setCurrentRow(0)
        self.no_stick.setVisible(not drives)
        self.no_stick.setText(NO_STICK if not self.folders else NO_STICK_BUT_FOLDER)

    def export(self, replace_existing: bool = False) -> None:
        out_dir = self.places.path()
        if out_dir is None:
            self.dialogs.info("导出季度报表", "请先选择 U 盘或文件夹。")
            return
        quarter = self.quarter.currentData()
        self.export_button.setEnabled(False)
        self.status.setText("正在导出，请不要拔下 U 盘…")

        def work(progress):
            return returns.export_return(self.context.store, self.village_id, quarter, out_dir,
                                         progress.report, progress.cancelled, replace_existing=replace_existing,
                                         today=self.today)

        self.context.operations.query_in_background(
            "导出季度报表", work, dialogs=self.dialogs, parent=self, on_success=self._done, on_failure=self._failed,
            on_cancel=self._cancelled, label="正在写入并核对报表包…")

    def _done(self, result) -> None:
        self.context.operations.announce(Change.RETURNS, self)  # the quarter is recorded as written
        self.result = result
        self.export_button.setEnabled(True)
        self.status.setText(result.message)
        self.dialogs.info("导出成功", result.message)

    def _cancelled(self) -> None:
        self.export_button.setEnabled(True)
        self.status.setText("已取消导出，没有留下报表包。")

    def _failed(self, error: Exception) -> None:
        from partybuild_desktop.ui.operations import explain

        self.export_button.setEnabled(True)
        if isinstance(error, returns.ReturnExists):
            self.status.setText(str(error))
            if self.dialogs.confirm("报表包已存在", f"{error}\n要替换吗？原来的报表包会改名保留。"):
                self.export(replace_existing=True)
            return
        self.status.setText(explain(error))
        self.dialogs.error("导出失败", explain(error))
