"""帮助 → 使用说明: the manual opens from the window, and every menu item, page and shortcut it names is
really there (a renamed menu item fails this test until the manual follows)."""

import re

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton, QTabWidget

from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.main_window import MainWindow
from partybuild_desktop.ui.manual import ManualDialog, manual_text, sections
from tests.gui.conftest import ScriptedDialogs

MENU_PATH = re.compile(r"“(文件|导出|设置|帮助) → ([^”]+)”")
PAGE_PATH = re.compile(r"“(概况|党员|网格|组织生活|发展党员|党费|党建经费|先锋榜|组织关系|后备干部|流动党员)”页 → “([^”]+)”")
SHORTCUT_ROW = re.compile(r"^\| (Ctrl\+[A-Z]|F\d+) \| ([^|（]+)", re.M)


def _window(qtbot, store, folder):
    window = MainWindow(folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(store, folder))
    return window


def _menus(window) -> dict[str, dict[str, object]]:
    menus = {}
    for top in window.menuBar().actions():
        title = top.menu().title().split("(")[0]
        menus[title] = {a.text(): a for a in top.menu().actions() if a.text()}
    return menus


def test_every_menu_item_page_and_shortcut_in_the_manual_exists(qtbot, sample_store, data_folder):
    window = _window(qtbot, sample_store, data_folder)
    text = manual_text()
    menus = _menus(window)
    named = MENU_PATH.findall(text)
    assert len(named) >= 10
    missing = [f"{menu} → {item}" for menu, item in named if item not in menus[menu]]
    assert missing == [], f"the manual names menu items the window does not have: {missing}"

    tabs = {window.tabs.tabText(i): window.tabs.widget(i) for i in range(window.tabs.count())}
    for page, part in PAGE_PATH.findall(text):
        assert page in tabs
        content = tabs[page].build()
        sub_pages = [t.tabText(i) for t in content.findChildren(QTabWidget) for i in range(t.count())]
        buttons = [b.text() for b in content.findChildren(QPushButton)]
        assert part in sub_pages or part in buttons, f"“{page}”页 has no “{part}”"

    listed = dict(SHORTCUT_ROW.findall(text))
    assert {"Ctrl+P", "Ctrl+B", "Ctrl+Q", "F1"} <= set(listed)
    for menu in menus.values():
        for title, action in menu.items():
            key = action.shortcut().toString()
            if key:
                assert key in listed, f"the shortcut {key} of {title} is not in the manual"
                assert listed[key].strip().startswith(title.rstrip("…").split("（")[0]), (key, listed[key], title)
    window.context.store.dispose()


def test_help_opens_the_manual_and_its_sections_and_find_work(qtbot, sample_store, data_folder):
    window = _window(qtbot, sample_store, data_folder)
    help_action = _menus(window)["帮助"]["使用说明"]
    assert help_action.shortcut() == QKeySequence(QKeySequence.HelpContents)
    help_action.trigger()
    dialog = window.findChild(ManualDialog)
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "使用说明"
    help_action.trigger()
    assert len(window.findChildren(ManualDialog)) == 1  # the same window again, not a second one
    text = manual_text()
    headings = sections(text)
    for expected in ("建立本村台账", "党小组和网格", "录入和导入党员", "纪实", "包挂联系", "民情日记", "先锋榜",
                     "季度报表", "备份与恢复", "快捷键"):
        assert any(expected in h for h in headings), expected
    assert dialog.contents.count() == len(headings)
    plain = dialog.browser.toPlainText()
    assert "##" not in plain and "|---|" not in plain  # shown as formatted text, not as Markdown source
    dialog.contents.setCurrentRow(len(headings) - 1)
    assert dialog.browser.textCursor().block().text() == headings[-1]
    assert dialog.browser.verticalScrollBar().value() > 0
    dialog.find_box.setText("U 盘")
    assert dialog.find_next() and dialog.browser.textCursor().selectedText() == "U 盘"
    dialog.find_box.setText("没有这句话")
    assert not dialog.find_next() and dialog.not_found.text() == "没有找到"
    window.context.store.dispose()


def test_a_wrapped_line_of_chinese_is_joined_without_a_space(qtbot):
    from partybuild_desktop.ui.manual import for_display

    assert for_display("- 原任人员连同\n  任职日期保留\n- 下一项") == "- 原任人员连同任职日期保留\n- 下一项"
    dialog = ManualDialog()
    qtbot.addWidget(dialog)
    assert "原任人员连同任职日期" in dialog.browser.toPlainText()
