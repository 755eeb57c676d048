"""导出季度报表 from the window: the package is written, verified, and replaced only when confirmed."""

import datetime as dt

from PySide6.QtWidgets import QPushButton

from partybuild_desktop.services.village import current_village
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.return_dialog import ExportReturnDialog
from tests.gui.conftest import ScriptedDialogs

TODAY = dt.date(2026, 11, 23)


def test_export_then_replace_after_confirmation(qtbot, sample_store, tmp_path):
    stick = tmp_path / "U盘"
    stick.mkdir()
    dialogs = ScriptedDialogs(confirm=True, folder=stick)
    with sample_store.session() as session:
        village = current_village(session)
    dialog = ExportReturnDialog(AppContext(sample_store, None), village.id, dialogs, today=TODAY)
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


def test_without_a_stick_the_dialog_says_what_to_do_and_refresh_finds_it(qtbot, sample_store, tmp_path, monkeypatch):
    from partybuild_desktop.services import returns
    from partybuild_desktop.services.returns import Drive

    drives = []
    monkeypatch.setattr(returns, "removable_drives", lambda: list(drives))
    with sample_store.session() as session:
        village = current_village(session)
    folder = tmp_path / "文件夹"
    dialog = ExportReturnDialog(AppContext(sample_store, None), village.id, ScriptedDialogs(folder=folder), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    hint = dialog.no_stick
    assert hint.isVisible() and hint.text().startswith("没有找到 U 盘。请插入 U 盘后点“刷新”")
    buttons = {b.text(): b for b in dialog.findChildren(QPushButton)}
    assert "“选择其他文件夹…”" in hint.text() and "选择其他文件夹…" in buttons and "刷新" in buttons
    assert dialog.places.count() == 0
    buttons["选择其他文件夹…"].click()
    assert dialog.places.path() == folder and not hint.isVisible()
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    drives.append(Drive(stick, "U 盘 (E:)", 8 * 1024 ** 3))
    buttons["刷新"].click()
    assert [dialog.places.item(i).text() for i in range(dialog.places.count())] == [
        f"U 盘 (E:)（{stick}，可用 8.0 GB）", str(folder)]
    assert dialog.places.path() == stick and not hint.isVisible()  # the stick just inserted is chosen
    drives.clear()
    buttons["刷新"].click()
    assert dialog.places.path() == folder and hint.isVisible() and "将写到下面选中的文件夹" in hint.text()
