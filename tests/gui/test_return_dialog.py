"""导出季度报表 from the window: the package is written, verified, and replaced only when confirmed."""

import datetime as dt

from PySide6.QtWidgets import QPushButton

from partybuild_desktop.services.village import current_village
from partybuild_desktop.ui.return_dialog import ExportReturnDialog
from tests.gui.conftest import ScriptedDialogs

TODAY = dt.date(2026, 11, 23)


def test_export_then_replace_after_confirmation(qtbot, sample_store, tmp_path):
    stick = tmp_path / "U盘"
    stick.mkdir()
    dialogs = ScriptedDialogs(confirm=True, folder=stick)
    with sample_store.session() as session:
        village = current_village(session)
    dialog = ExportReturnDialog(sample_store, village.id, dialogs, today=TODAY)
    qtbot.addWidget(dialog)
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "选择其他文件夹…").click()
    assert dialog.places.path() == stick
    dialog.quarter.setCurrentIndex(dialog.quarter.findData("2026Q3"))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)
    package = dialog.result.path
    assert package.name.endswith("2026Q3") and package.parent == stick
    assert (package / "return.json").exists() and "可以" in dialogs.told[-1][2]
    first = dialog.result
    dialog.result = None
    dialog.export()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60000)
    assert any(t[0] == "confirm" for t in dialogs.told)
    assert dialog.result.replaced is not None and dialog.result.replaced.exists()
    assert first.path == dialog.result.path
