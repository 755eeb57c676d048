"""The Qt binding must not corrupt the interpreter: PySide6 6.12.0 dropped a reference to None on every
call of a method returning nothing, and Python 3.11 (where None is not immortal) then crashes."""

import sys

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_void_calls_keep_none_alive(qapp: QApplication):
    table, item = QTableWidget(3, 3), QTableWidgetItem("x")
    before = sys.getrefcount(None)
    for _ in range(2000):
        item.setText("y")
        table.setRowCount(3)
    assert abs(sys.getrefcount(None) - before) < 100
