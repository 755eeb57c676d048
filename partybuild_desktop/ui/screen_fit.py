"""Every window within the screen's free area: a village PC may have 1366×768 or 1280×720, less the
taskbar, and a dialog taller than that hides its OK button below the bottom of the screen."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget


def fit_to_screen(window: QWidget) -> None:
    """Shrink ``window`` to the free area of its screen (never below its minimum size) and move it
    fully onto that area."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    frame = window.frameGeometry().size() - window.geometry().size()  # title bar and borders
    width = max(min(window.width(), area.width() - frame.width()), window.minimumWidth())
    height = max(min(window.height(), area.height() - frame.height()), window.minimumHeight())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    position = window.pos()
    x = max(min(position.x(), area.right() - width - frame.width() + 1), area.left())
    y = max(min(position.y(), area.bottom() - height - frame.height() + 1), area.top())
    if (x, y) != (position.x(), position.y()):
        window.move(x, y)


class _DialogsOnScreen(QObject):
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Show and isinstance(watched, QDialog) and watched.isWindow():
            fit_to_screen(watched)
        return False


_filter: _DialogsOnScreen | None = None


def keep_dialogs_on_screen() -> None:
    """From now on, each dialog is fitted to the screen as it is shown."""
    global _filter
    app = QApplication.instance()
    if app is not None and _filter is None:
        _filter = _DialogsOnScreen()
        app.installEventFilter(_filter)
