"""After an export: 打开文件 and 打开所在文件夹; exports are offered on the Desktop first."""

from pathlib import Path

import platformdirs
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from partybuild_desktop.ui import dialogs as dialogs_module
from partybuild_desktop.ui.dialogs import default_export_folder, exported_box, open_exported


def test_the_buttons_open_the_file_or_its_folder(qtbot, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    path = tmp_path / "东湖村党员花名册.xlsx"
    path.write_bytes(b"x")
    for button, expected in (("openFile", str(path)), ("openFolder", str(tmp_path)), (None, None)):
        box = exported_box(None, "导出完成", path, "\n提示：有 1 个生僻字")
        qtbot.addWidget(box)
        assert sorted(b.text() for b in box.buttons()) == sorted(["打开文件", "打开所在文件夹", "关闭"])
        assert str(path) in box.text() and "生僻字" in box.text()
        box.show()
        if button is None:
            box.defaultButton().click()
            assert not open_exported(box, path) and not opened
        else:
            box.findChild(QPushButton, button).click()
            assert open_exported(box, path)
            assert Path(opened.pop()) == Path(expected)


def test_exports_go_to_the_desktop_then_documents_then_home(tmp_path, monkeypatch):
    desktop, documents = tmp_path / "桌面", tmp_path / "文档"
    monkeypatch.setattr(platformdirs, "user_desktop_dir", lambda: str(desktop))
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(documents))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    assert default_export_folder() == tmp_path
    documents.mkdir()
    assert default_export_folder() == documents
    desktop.mkdir()
    assert default_export_folder() == desktop
    assert dialogs_module.default_export_folder is default_export_folder


def test_the_window_suggests_village_table_and_year_on_the_desktop(qtbot, sample_store, data_folder, tmp_path,
                                                                   monkeypatch):
    from partybuild_desktop.services.exports import find
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow
    from tests.gui.conftest import ScriptedDialogs

    desktop = tmp_path / "Desktop"
    desktop.mkdir()
    monkeypatch.setattr(platformdirs, "user_desktop_dir", lambda: str(desktop))
    asked = []

    class Recording(ScriptedDialogs):
        def save_file(self, title, suggested, filters):
            asked.append(suggested)
            return desktop / "公示牌.pdf"

    dialogs = Recording()
    window = MainWindow(data_folder, dialogs)
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(sample_store, data_folder))
    window.export(find("notice-board"))
    qtbot.waitUntil(lambda: any(t[0] == "exported" for t in dialogs.told), timeout=30000)
    assert asked == [desktop / "东湖村网格公示牌（A3）.pdf"]
    kind, title, path, notes = dialogs.told[-1]
    assert (kind, title, Path(path)) == ("exported", "导出完成", desktop / "公示牌.pdf") and Path(path).exists()
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getInt", lambda *args: (2025, True))
    dialogs.told.clear()
    window.export(find("points-board"))
    qtbot.waitUntil(lambda: any(t[0] == "exported" for t in dialogs.told), timeout=30000)
    assert asked[-1].parent == desktop and asked[-1].name.startswith("东湖村") and "2025年" in asked[-1].name
    window.context.store.dispose()
