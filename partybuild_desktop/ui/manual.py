"""帮助 → 使用说明: the offline manual (``resources/manual/manual_zh_CN.md``) with its sections listed
beside it and a find box. One window, kept open beside the main window while the clerk works."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
)

from partybuild_desktop.bundled import bundled_file

MANUAL = ("resources", "manual", "manual_zh_CN.md")


def manual_path() -> Path:
    return bundled_file(*MANUAL)


def manual_text() -> str:
    return manual_path().read_text(encoding="utf-8")


def for_display(markdown: str) -> str:
    """Markdown turns a line break inside a paragraph into a space, which Chinese text does not have:
    an indented continuation line is joined to the line before it."""
    return re.sub(r"\n[ ]{2,}(?=\S)", "", markdown)


def sections(markdown: str) -> list[str]:
    """The section headings (``## …``), in order."""
    return [line[3:].strip() for line in markdown.splitlines() if line.startswith("## ")]


class ManualDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("使用说明")
        self.setObjectName("manualDialog")
        text = manual_text()
        self.browser = QTextBrowser()
        self.browser.setObjectName("manualText")
        self.browser.setOpenLinks(False)
        self.browser.setMarkdown(for_display(text))
        self.contents = QListWidget()
        self.contents.setObjectName("manualContents")
        self.contents.addItems(sections(text))
        self.contents.currentTextChanged.connect(self.go_to)
        self.find_box = QLineEdit()
        self.find_box.setObjectName("manualFind")
        self.find_box.setPlaceholderText("查找（回车找下一处）")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.returnPressed.connect(self.find_next)
        self.not_found = QLabel()
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        splitter = QSplitter(Qt.Horizontal)
        splitter.setObjectName("manualSplitter")
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 680])
        bottom = QHBoxLayout()
        bottom.addWidget(self.find_box, 1)
        bottom.addWidget(self.not_found)
        bottom.addStretch()
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence.Find, self, activated=self.find_box.setFocus)
        self.resize(960, 680)

    @classmethod
    def show_for(cls, window) -> ManualDialog:
        """Show the window's manual, making it the first time; it stays open beside the work."""
        dialog = getattr(window, "_manual_dialog", None)
        if dialog is None:
            dialog = window._manual_dialog = cls(window)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def go_to(self, heading: str) -> None:
        """Scroll so the section ``heading`` starts at the top."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.text().strip() == heading and block.blockFormat().headingLevel() == 2:
                cursor = QTextCursor(block)
                self.browser.verticalScrollBar().setValue(self.browser.verticalScrollBar().maximum())
                self.browser.setTextCursor(cursor)
                self.browser.ensureCursorVisible()
                return
            block = block.next()

    def find_next(self) -> bool:
        text = self.find_box.text().strip()
        if not text:
            return False
        found = self.browser.find(text)
        if not found:  # from the top again
            self.browser.moveCursor(QTextCursor.Start)
            found = self.browser.find(text)
        self.not_found.setText("" if found else "没有找到")
        return found
