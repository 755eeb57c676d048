"""Windows and dialogs stay within the screen's free area, so their buttons and status bar are seen."""

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

from partybuild_desktop.ui.main_window import MainWindow
from partybuild_desktop.ui.screen_fit import fit_to_screen


def inside(widget) -> bool:
    return QGuiApplication.primaryScreen().availableGeometry().contains(widget.frameGeometry())


def test_a_dialog_taller_than_the_screen_is_fitted_when_shown(qtbot, data_folder):
    window = MainWindow(data_folder)
    qtbot.addWidget(window)
    area = QGuiApplication.primaryScreen().availableGeometry()
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QDialogButtonBox(QDialogButtonBox.Ok))
    dialog.resize(area.width() + 300, area.height() + 200)
    dialog.move(area.left() + 150, area.top() + 100)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.height() <= area.height() and dialog.width() <= area.width() and inside(dialog)


def test_the_window_remembered_on_a_bigger_screen_fits_this_one(qtbot, data_folder):
    area = QGuiApplication.primaryScreen().availableGeometry()
    window = MainWindow(data_folder)
    qtbot.addWidget(window)
    window.resize(area.width() + 400, area.height() + 300)
    window.move(area.right() - 50, area.bottom() - 50)
    fit_to_screen(window)
    window.show()
    qtbot.waitExposed(window)
    assert inside(window) and window.statusBar().isVisible()
