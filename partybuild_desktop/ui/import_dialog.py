"""Roster import with a preview: every row shown as 新增 / 更新 / 有提示 / 拒绝 (and why) before anything is
written; the good rows are written in one transaction; the refused ones can be saved to an error workbook,
fixed in Excel or WPS and imported again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.widgets import make_copyable

STATUS_LABELS = {"import": "新增", "update": "更新", "warn": "导入，有提示", "refused": "拒绝", "unchanged": "已登记过，不变"}
STATUS_COLOURS = {"warn": QColor("#fff3cd"), "refused": QColor("#fde2e2")}


@dataclass(frozen=True)
class ImportKind:
    """What is being imported: the words the dialog uses and the service calls behind it."""

    title: str  # 党员花名册
    preview: Callable[[Any, bool], Any]  # (session, update) -> preview
    apply: Callable[[Any, Any], Any]  # (session, preview) -> outcome with .imported and .updated
    changes: Change = Change.MEMBERS
    name_key: str = "name"
    id_key: str | None = "id_number"
    # The words that differ between a members roster and a household list.
    name_header: str = "姓名"
    # None: the import never updates (the choice is not offered)
    update_text: str | None = "身份证号已在台账中的，用文件中的内容更新原有记录（不重复登记）"
    counter: str = "人"


class ImportDialog(QDialog):
    def __init__(self, context, kind: ImportKind, path: Path, dialogs, parent=None):
        super().__init__(parent)
        self.context, self.kind, self.path, self.dialogs = context, kind, path, dialogs
        self.preview = None
        self.outcome = None
        self.setWindowTitle(f"导入{kind.title}：{path.name}")
        self.resize(980, 620)
        self.summary = QLabel("正在读取文件…")
        self.update_existing = QCheckBox(kind.update_text or "")
        if kind.update_text is None:
            self.update_existing.hide()
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("importPreview")
        make_copyable(self.table)
        self.table.setHorizontalHeaderLabels(["行号", kind.name_header, "身份证号", "处理", "原因"])
        self.table.setColumnHidden(2, kind.id_key is None)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        self.table.setWordWrap(True)
        self.import_button = QPushButton("导入")
        self.import_button.setDefault(True)
        self.errors_button = QPushButton("保存被拒绝的行…")
        cancel = QPushButton("取消")
        buttons = QHBoxLayout()
        buttons.addWidget(self.errors_button)
        buttons.addStretch()
        buttons.addWidget(self.import_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.update_existing)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.update_existing.toggled.connect(self.load_preview)
        self.import_button.clicked.connect(self.apply)
        self.errors_button.clicked.connect(self.save_errors)
        cancel.clicked.connect(self.reject)
        self.load_preview()

    # --- preview --------------------------------------------------------------------------------
    def load_preview(self) -> None:
        self.import_button.setEnabled(False)
        self.errors_button.setEnabled(False)
        update = self.update_existing.isChecked()

        def work(progress):
            with self.context.store.session() as session:
                return self.kind.preview(session, update)

        self.context.operations.query_in_background(
            f"检查{self.kind.title}", work, dialogs=self.dialogs, parent=self, on_success=self.show_preview,
            on_failure=self.failed, cancellable=False)

    def failed(self, error: Exception) -> None:
        from partybuild_desktop.ui.operations import explain

        self.summary.setText(f"<span style='color:#b00000'>{explain(error)}</span>")
        self.dialogs.error("无法导入", explain(error))

    def show_preview(self, preview) -> None:
        self.preview = preview
        rows = preview.rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = row.result.values
            problems = [p.message for p in (*row.refusals, *row.warnings)]
            cells = (
                str(row.row_number),
                values.get(self.kind.name_key) or "",
                mask(values.get(self.kind.id_key)) if self.kind.id_key else "",
                STATUS_LABELS.get(row.status, row.status),
                "\n".join(problems),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if row.status in STATUS_COLOURS:
                    item.setBackground(STATUS_COLOURS[row.status])
                self.table.setItem(index, column, item)
        for column in range(4):
            self.table.resizeColumnToContents(column)
        self.table.resizeRowsToContents()
        writing = len(preview.to_import) + len(preview.to_update)
        refused = len(preview.refused)
        file_notes = "".join(f"<br>{p.message}" for _, p in getattr(preview, "file_problems", []))
        self.summary.setText(
            f"共 {len(rows)} 行：新增 {len(preview.to_import)}，更新 {len(preview.to_update)}，"
            f"<span style='color:#b00000'>拒绝 {refused}</span>。点“导入”后一次写入，被拒绝的行不会写入。{file_notes}"
        )
        self.import_button.setText(f"导入 {writing} 行")
        self.import_button.setEnabled(writing > 0)
        self.errors_button.setEnabled(refused > 0)

    # --- writing --------------------------------------------------------------------------------
    def apply(self) -> None:
        """Write the good rows in one transaction (all of them or none), off the GUI thread."""
        self.import_button.setEnabled(False)
        preview, store = self.preview, self.context.store

        def work(session, progress):
            from partybuild_desktop.services import backups

            backups.before(store, "import")  # refused, with nothing written, when no backup can be made
            return self.kind.apply(session, preview)

        self.context.operations.run_in_background(
            f"导入{self.kind.title}", work, self.kind.changes,
            dialogs=self.dialogs, parent=self, on_success=self._applied, on_failure=self._not_applied,
            cancellable=False, label=f"正在写入{self.kind.title}…")

    def _applied(self, outcome) -> None:
        self.outcome = outcome
        refused = len(self.preview.refused)
        unit = self.kind.counter
        text = f"已新增 {outcome.imported} {unit}，更新 {outcome.updated} {unit}。"
        if refused:
            text += f"\n有 {refused} 行被拒绝，可用“保存被拒绝的行…”导出修改后再导入。"
        self.dialogs.info("导入完成", text)
        if not refused:
            self.accept()

    def _not_applied(self, error: BaseException) -> None:
        from partybuild_desktop.ui.operations import explain

        self.import_button.setEnabled(True)
        self.dialogs.error("导入失败", f"{explain(error)}\n没有写入任何数据。")

    def save_errors(self) -> None:
        from partybuild_desktop.importers.error_workbook import write_error_workbook

        target = self.dialogs.save_file(
            "保存被拒绝的行", self.path.with_name(f"{self.path.stem}-需修改.xlsx"), "Excel 工作簿 (*.xlsx)"
        )
        if target is None:
            return
        try:
            count = write_error_workbook(self.preview, target)
        except OSError as error:
            self.dialogs.error("保存失败", f"{error}\n请关闭在 Excel/WPS 中打开的同名文件，或换一个位置。")
            return
        self.dialogs.info("已保存", f"{count} 行已保存到：\n{target}\n改正“问题”一列所说的内容后，可直接再次导入这个文件。")


def member_import_kind(village_id: int, path: Path) -> ImportKind:
    from partybuild_desktop.services.member_import import apply_import, preview_import

    return ImportKind(
        title="党员花名册",
        preview=lambda session, update: preview_import(session, village_id, path, update=update),
        apply=lambda session, preview: apply_import(session, village_id, preview),
        changes=Change.MEMBERS | Change.VILLAGE,  # party groups named in the roster are created
    )


def household_import_kind(village_id: int, path: Path) -> ImportKind:
    """The same dialog for a household list: the name column shows 户主姓名; households have no ID number."""
    from partybuild_desktop.services.household_import import apply_import, preview_import

    return ImportKind(
        title="农户名单",
        preview=lambda session, update: preview_import(session, village_id, path, update=update),
        apply=lambda session, preview: apply_import(session, village_id, preview),
        changes=Change.HOUSEHOLDS | Change.GRIDS,
        name_key="household_head",
        id_key=None,
        name_header="户主",
        update_text="户主、村民小组和住址都相同的农户已在台账中时，用文件中的内容更新原有记录（不重复登记）",
        counter="户",
    )


def dues_import_kind(village_id: int, path: Path, year: int) -> ImportKind:
    """The same dialog for a 党费收缴登记表 of ``year``: one row per member; a month already recorded stays."""
    from partybuild_desktop.services.dues_import import apply_import, preview_import

    return ImportKind(
        title=f"{year}年党费收缴登记表",
        preview=lambda session, update: preview_import(session, village_id, path, year=year),
        apply=lambda session, preview: apply_import(session, village_id, preview),
        changes=Change.RECORDS,  # as the dues service's payments are announced
        update_text=None,
    )


def recruit_import_kind(village_id: int, path: Path) -> ImportKind:
    """The same dialog for a 发展党员工作台账: one row per person; a person already recorded (same ID number)
    is always updated, so the choice is not offered. ⑰ and ㉔ make members, hence MEMBERS too."""
    from partybuild_desktop.services.recruit_import import apply_import, preview_import

    return ImportKind(
        title="发展党员台账",
        preview=lambda session, update: preview_import(session, village_id, path),
        apply=lambda session, preview: apply_import(session, village_id, preview),
        changes=Change.RECRUITMENT | Change.MEMBERS,
        update_text=None,
    )
