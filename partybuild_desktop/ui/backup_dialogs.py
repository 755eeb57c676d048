"""文件 → 从备份恢复…: the chosen backup is checked and shown beside the current data before anything is
replaced; and, at start, a damaged data file is met with the offer of the newest backup that passes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QMessageBox,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from partybuild_desktop import paths
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.checked import CheckedFormDialog, run_checked

log = logging.getLogger(__name__)
BACKUP_FILTER = "数据备份 (*.sqlite3 *.db);;所有文件 (*)"
ROWS = ("文件", "备份时间", "村", "在册党员", "纪实记录", "最后改动", "检查")


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "没有操作记录"


def _made(path: Path, is_backup: bool) -> str:
    from partybuild_desktop.store.backup import parse_name

    if not is_backup:
        return "—（正在使用）"
    named = parse_name(path)
    if named is not None:
        return f"{named.time:%Y-%m-%d %H:%M}（{named.reason_text}）"
    from datetime import datetime

    return f"{datetime.fromtimestamp(path.stat().st_mtime):%Y-%m-%d %H:%M}（文件的修改时间）"


def _column(contents, is_backup: bool) -> list[str]:
    return [contents.path.name, _made(contents.path, is_backup), contents.village or "—",
            "—" if contents.members is None else f"{contents.members} 名",
            "—" if contents.records is None else f"{contents.records} 条",
            _when(contents.last_change),
            "完好" if contents.ok else "有问题：" + contents.problems[0]]


class RestoreDialog(QDialog):
    """The backup beside the current data (village, members, records, last change); 恢复 replaces."""

    def __init__(self, comparison, parent=None):
        super().__init__(parent)
        self.setWindowTitle("从备份恢复")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        backup, current = comparison.backup, comparison.current
        heading = QLabel(f"<b>用这份备份替换当前的全部数据吗？</b><br>备份已检查：完整性检查通过，数据版本 {backup.revision}，"
                         f"其中有{backup.village}的台账。请核对下面两列再决定。")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.table = QTableWidget(len(ROWS), 2)
        self.table.setObjectName("restoreComparison")
        self.table.setHorizontalHeaderLabels(["备份", "当前数据"])
        self.table.setVerticalHeaderLabels(list(ROWS))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setWordWrap(True)
        for column, values in enumerate((_column(backup, True), _column(current, False))):
            for row, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(str(backup.path if column == 0 else current.path) if row == 0 else value)
                self.table.setItem(row, column, item)
        self._mark_differences()
        self.table.resizeRowsToContents()
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        height = self.table.horizontalHeader().sizeHint().height() + self.table.verticalHeader().length()
        self.table.setFixedHeight(height + 2 * self.table.frameWidth() + 2)
        layout.addWidget(self.table)
        if backup.village and current.village and backup.village != current.village:
            other = QLabel(f"注意：备份是{backup.village}的台账，当前是{current.village}的。")
            other.setStyleSheet("color: #b00000")
            layout.addWidget(other)
        note = QLabel("恢复之前，当前数据会先另存一份到数据文件夹的 backups 中（“恢复前-日期时间”），恢复错了还可以再恢复回来。"
                      "恢复后，备份之后所做的改动都不再有。")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("恢复", QDialogButtonBox.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _mark_differences(self) -> None:
        for row in range(2, len(ROWS) - 1):
            left, right = self.table.item(row, 0), self.table.item(row, 1)
            if left.text() != right.text():
                for item in (left, right):
                    item.setBackground(QColor("#fff3cd"))
        check = self.table.item(len(ROWS) - 1, 1)
        if check.text() != "完好":
            check.setForeground(QColor("#b00000"))

    def values(self) -> dict[str, tuple[str, str]]:
        return {ROWS[row]: (self.table.item(row, 0).text(), self.table.item(row, 1).text()) for row in range(len(ROWS))}


def ask(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.Accepted


def restore_from_backup(window) -> None:
    """文件 → 从备份恢复…: choose a backup (the backups folder first), see it beside the current data, restore."""
    from partybuild_desktop.services import backups
    from partybuild_desktop.logs import is_database_error
    from partybuild_desktop.store.schema import DataFileError, open_store
    from partybuild_desktop.ui.operations import explain

    source = window.dialogs.open_file("从备份恢复", paths.backup_dir(window.folder), BACKUP_FILTER)
    if source is None:
        return
    store = window.context.store
    try:
        comparison = backups.compare(store.path, Path(source))
    except backups.RestoreRefused as error:
        window.dialogs.error("不能恢复", str(error))
        return
    if not ask(RestoreDialog(comparison, window)):
        return
    try:
        restored = backups.restore(store.path, Path(source), store)
    except Exception as error:  # noqa: BLE001 - a database error is told in Chinese, never shown as it is
        if not isinstance(error, (DataFileError, OSError, ValueError)) and not is_database_error(error):
            raise
        log.warning("restore failed: %s", type(error).__name__)
        window.context.store = open_store(store.path, paths.backup_dir(window.folder))
        window.dialogs.error("不能恢复", f"{error if isinstance(error, DataFileError) else explain(error)}\n当前数据没有改动。")
        return
    try:
        window.context.store = open_store(store.path, paths.backup_dir(window.folder))
    except DataFileError as error:
        window.dialogs.error("不能恢复", str(error))
        return
    window.attach(window.context)  # the backup may be of the other use (village or township)
    window.context.operations.run(f"从备份恢复（{Path(source).name}）", lambda s: None, Change.EVERYTHING,
                                  dialogs=window.dialogs)
    window.dialogs.info("恢复完成", f"已从备份恢复。{_safety_text(restored.safety, '恢复前的数据另存在')}")


def _safety_text(safety, saved_as: str) -> str:
    """Where the data as it was before went, or that there was none to keep."""
    if safety is None:
        return "恢复前文件夹中没有数据文件，所以没有另存恢复前的数据。"
    return f"{saved_as}：\n{safety}"


def offer_restore_at_start(parent, error) -> bool:
    """The data file failed its checks at opening: say so, and offer the newest backup that passes.
    True when the clerk chose it and it was restored (the caller opens the file again)."""
    from partybuild_desktop.services import backups

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Critical)
    box.setWindowTitle("数据文件有问题")
    problem, _, offered = str(error).partition("\n")
    box.setText(problem)
    if offered:
        box.setInformativeText(offered)
    found = getattr(error, "backup", None)
    restore_button = box.addButton("恢复这份备份", QMessageBox.AcceptRole) if found is not None else None
    box.addButton("退出", QMessageBox.RejectRole)
    box.setTextInteractionFlags(Qt.TextSelectableByMouse)
    box.exec()
    if restore_button is None or box.clickedButton() is not restore_button:
        return False
    data_file = paths.data_file(Path(parent.folder))
    try:
        restored = backups.restore(data_file, found.file.path)
    except (backups.RestoreRefused, OSError) as failure:
        QMessageBox.critical(parent, "不能恢复", f"{failure if isinstance(failure, backups.RestoreRefused) else '恢复时读写出错。'}"
                             "\n数据文件没有改动。")
        return False
    QMessageBox.information(parent, "恢复完成", f"已从 {found.file.time:%Y-%m-%d %H:%M} 的备份恢复。"
                            f"{_safety_text(restored.safety, '有问题的数据文件保留在')}")
    return True


class RetentionDialog(CheckedFormDialog):
    """设置 → 自动备份…: how many automatic backups are kept, and where they are."""

    def __init__(self, context, limits, parent=None):
        from partybuild_desktop.domain.backup_retention import LIMIT_RANGES

        super().__init__("自动备份", context, parent, width=520)
        note = QLabel("程序在启动时（距上次备份满一天）、有改动时每 30 分钟、退出时，以及导入、恢复、关闭年度、"
                      "汇总报表包之前自动备份。今天和昨天的备份全部保留，更早的按下面的份数保留。")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.spins = {}
        for name, (low, high, label) in LIMIT_RANGES.items():
            spin = QSpinBox()
            spin.setObjectName(f"keep_{name}")
            spin.setRange(low, high)
            spin.setValue(getattr(limits, name))
            spin.setSuffix(" 份")
            self.spins[name] = spin
            self.form.addRow(label, spin)
        where = QLabel(str(paths.backup_dir(Path(context.folder))))
        where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.form.addRow("备份文件夹", where)
        self.finish()

    def check(self) -> bool | None:
        from partybuild_desktop.services import backups

        values = {name: spin.value() for name, spin in self.spins.items()}
        self.saved = run_checked(self, "设置自动备份的保留份数",
                                 lambda s: backups.set_retention(s, **values), Change.SETTINGS)
        return None


def open_retention_dialog(window) -> RetentionDialog:
    from partybuild_desktop.services import backups

    with window.context.store.session() as session:
        limits = backups.retention(session)
    dialog = RetentionDialog(window.context, limits, window)
    dialog.open()
    return dialog
