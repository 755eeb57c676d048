"""Message boxes and file pickers behind one small object, so tests can answer them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


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

    def save_file(self, title: str, suggested: Path, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self.parent, title, str(suggested), filters)
        return Path(chosen) if chosen else None

    def open_file(self, title: str, folder: Path, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(self.parent, title, str(folder), filters)
        return Path(chosen) if chosen else None

    def choose_folder(self, title: str, folder: Path) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self.parent, title, str(folder))
        return Path(chosen) if chosen else None
