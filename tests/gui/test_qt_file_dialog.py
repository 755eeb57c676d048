"""Qt's own file dialog speaks Chinese throughout: where the platform has no native dialog (or it is
turned off) Qt's widget dialog is shown, and none of its labels, buttons or tips may be English."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QFileSystemModel, QHeaderView, QLabel, QWidget

from partybuild_desktop import app as app_module

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def _english_on_screen(dialog: QFileDialog) -> list[str]:
    found = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisible():
            continue
        texts = [widget.toolTip()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QHeaderView):
            model = widget.model()
            texts += [str(model.headerData(i, Qt.Horizontal)) for i in range(model.columnCount())]
        found += [f"{type(widget).__name__} {widget.objectName()}: {t!r}" for t in texts if t and ENGLISH.search(t)]
    return found


@pytest.mark.parametrize("mode", ["open", "save", "folder"])
def test_the_widget_file_dialog_has_no_english_left(qtbot, qapp, tmp_path, mode):
    app_module.install_chinese(qapp)
    (tmp_path / "花名册.xlsx").write_bytes(b"")
    (tmp_path / "报表包").mkdir()
    dialog = QFileDialog(None, "导出", str(tmp_path), "Excel 工作簿 (*.xlsx);;所有文件 (*)")
    dialog.setOption(QFileDialog.DontUseNativeDialog, True)
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptSave)
    elif mode == "folder":
        dialog.setFileMode(QFileDialog.Directory)
    dialog.setViewMode(QFileDialog.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert _english_on_screen(dialog) == []
    model = dialog.findChild(QFileSystemModel)
    qtbot.waitUntil(lambda: model.index(str(tmp_path / "报表包")).isValid(), timeout=5000)
    folder_row = model.index(str(tmp_path / "报表包"))
    assert model.data(folder_row.siblingAtColumn(2)) == "文件夹"  # the type column
    labels = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
    assert labels["lookInLabel"] == "查找范围(&L)：" and labels["fileTypeLabel"] == "文件类型(&T)："


def test_the_shipped_translation_is_built_from_its_source(tmp_path):
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    tool = str(lrelease) if lrelease.exists() else shutil.which("pyside6-lrelease")
    assert tool, "pyside6-lrelease (part of PySide6-Essentials) is missing"
    built = tmp_path / "built.qm"
    subprocess.run([tool, str(TRANSLATIONS / "qt_extra_zh_CN.ts"), "-qm", str(built)], check=True,
                   capture_output=True)
    assert built.read_bytes() == (TRANSLATIONS / app_module.QT_EXTRA_TRANSLATION).read_bytes(), \
        "run: pyside6-lrelease resources/translations/qt_extra_zh_CN.ts"
