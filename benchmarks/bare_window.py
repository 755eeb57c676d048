"""The baseline for start-up: a bare QMainWindow with one QTableView, quitting once painted."""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView


class QuitWhenPainted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False


app = QApplication(sys.argv[:1])
window = QMainWindow()
view = QTableView()
view.setModel(QStandardItemModel(20, 4))
window.setCentralWidget(view)
window.resize(1200, 800)
window.installEventFilter(QuitWhenPainted(window))
window.show()
sys.exit(app.exec())
