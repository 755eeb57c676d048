"""Qt Designer forms from ``forms/``, loaded at run time and attached by composition."""

from __future__ import annotations

from PySide6.QtCore import QFile
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from partybuild_desktop.bundled import bundled_file


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    """The widget tree of ``forms/<name>.ui``; children are found with ``findChild`` by object name."""
    path = bundled_file("forms", f"{name}.ui")
    file = QFile(str(path))
    if not file.open(QFile.ReadOnly):
        raise FileNotFoundError(f"无法打开界面文件 {path}，请重新安装本程序。")
    try:
        widget = QUiLoader().load(file, parent)
    finally:
        file.close()
    if widget is None:
        raise RuntimeError(f"界面文件 {path} 已损坏，请重新安装本程序。")
    return widget
