"""Message boxes and file pickers behind one small object, so tests can answer them.

The file pickers are Qt's static ones, which use the system's own dialog where there is one (Windows);
elsewhere Qt's widget dialog is shown, in Chinese through the translations ``app.install_chinese`` loads.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def default_export_folder() -> Path:
    """Where exports are offered first: the Desktop (桌面) if there is one, else Documents (文档), else home."""
    import platformdirs

    for folder in (platformdirs.user_desktop_dir(), platformdirs.user_documents_dir()):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


class UserDialogs:
    """What the window asks the clerk. Tests replace it with a scripted stand-in."""

    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    def info(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def error(self, title: str, text: str) -> None:
        QMessageBox.critical(self.parent, title, text)

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self.parent, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def exported(self, title: str, path: Path, notes: str = "") -> None:
        """A file was written and checked: say where, and offer to open it or the folder it is in."""
        box = exported_box(self.parent, title, path, notes)
        box.exec()
        open_exported(box, path)

    def save_file(self, title: str, suggested: Path, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self.parent, title, str(suggested), filters)
        return Path(chosen) if chosen else None

    def open_file(self, title: str, folder: Path, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(self.parent, title, str(folder), filters)
        return Path(chosen) if chosen else None

    def choose_folder(self, title: str, folder: Path) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self.parent, title, str(folder))
        return Path(chosen) if chosen else None


def exported_box(parent: QWidget | None, title: str, path: Path, notes: str = "") -> QMessageBox:
    """导出完成 with 打开文件, 打开所在文件夹 and 关闭."""
    box = QMessageBox(QMessageBox.Information, title, f"已导出并核对：\n{path}{notes}", QMessageBox.NoButton, parent)
    box.setObjectName("exportedBox")
    box.addButton("打开文件", QMessageBox.AcceptRole).setObjectName("openFile")
    box.addButton("打开所在文件夹", QMessageBox.ActionRole).setObjectName("openFolder")
    box.setDefaultButton(box.addButton("关闭", QMessageBox.RejectRole))
    return box


def open_exported(box: QMessageBox, path: Path) -> bool:
    """Open what the clerk clicked in ``box`` (the file, or its folder); False when it was 关闭."""
    clicked = box.clickedButton()
    name = clicked.objectName() if clicked is not None else ""
    if name == "openFile":
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    if name == "openFolder":
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))
    return False
