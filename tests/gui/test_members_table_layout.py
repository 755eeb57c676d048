"""The members table as a clerk arranges it: widths that fit, columns chosen from the header, several rows
selected, and the arrangement back on the next start."""

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.main_window import MainWindow
from partybuild_desktop.ui.members_tab import MembersTab
from partybuild_desktop.ui.widgets import column_menu, remember_header, restore_headers, save_headers
from tests.gui.conftest import ScriptedDialogs, shown_tab

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def tab(qtbot, sample_store, data_folder):
    return shown_tab(qtbot, MembersTab, sample_store, data_folder, TODAY)


def column(tab, title):
    return next(c for c in range(tab.model.columnCount()) if tab.model.headerData(c, Qt.Horizontal) == title)


def test_columns_fit_their_longest_text(tab):
    header, metrics = tab.table.horizontalHeader(), tab.table.fontMetrics()
    for title in ("身份证号", "姓名", "党小组", "手机"):
        c = column(tab, title)
        longest = max(metrics.horizontalAdvance(tab.model.index(r, c).data()) for r in range(len(tab.model.visible)))
        assert header.sectionSize(c) >= longest + 8, title


def test_the_header_menu_shows_and_hides_columns(tab):
    menu = column_menu(tab.table)
    actions = menu.actions()
    assert [a.text() for a in actions] == [tab.model.headerData(c, Qt.Horizontal) for c in range(tab.model.columnCount())]
    assert not actions[0].isEnabled()  # 姓名 always stays
    gender = column(tab, "性别")
    actions[gender].setChecked(False)
    assert tab.table.horizontalHeader().isSectionHidden(gender)
    assert not column_menu(tab.table).actions()[gender].isChecked()
    column_menu(tab.table).actions()[gender].setChecked(True)
    assert not tab.table.horizontalHeader().isSectionHidden(gender)
    assert tab.table.horizontalHeader().contextMenuPolicy() == Qt.CustomContextMenu
    assert tab.table.horizontalHeader().sectionsMovable()


def test_shift_click_selects_several_members(qtbot, tab):
    table = tab.table
    assert table.selectionMode() == QAbstractItemView.ExtendedSelection
    first, fourth = (table.visualRect(tab.model.index(r, 0)).center() for r in (0, 3))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=first)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, Qt.ShiftModifier, pos=fourth)
    assert tab.selected_member_ids() == [row.id for row in tab.model.visible[:4]]


def test_header_state_round_trips_through_settings(qtbot, tab, tmp_path):
    header = tab.table.horizontalHeader()
    header.setSectionHidden(column(tab, "岗位"), True)
    header.moveSection(header.visualIndex(column(tab, "手机")), 1)
    header.resizeSection(column(tab, "网格"), 171)
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.IniFormat)
    save_headers(settings, tab)
    settings.sync()
    again = MembersTab(tab.context, ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(again)
    restore_headers(QSettings(str(tmp_path / "window.ini"), QSettings.IniFormat), again)
    restored = again.table.horizontalHeader()
    assert restored.isSectionHidden(column(again, "岗位"))
    assert restored.logicalIndex(1) == column(again, "手机")
    assert restored.sectionSize(column(again, "网格")) == 171


def test_a_view_without_a_name_cannot_be_remembered(qtbot):
    with pytest.raises(ValueError):
        remember_header(QTableView())


def test_the_window_remembers_the_members_columns(qtbot, sample_store, data_folder):
    def open_window():
        window = MainWindow(data_folder, ScriptedDialogs())
        qtbot.addWidget(window)
        window.show()
        window.attach(AppContext(sample_store, data_folder))
        window.tabs.setCurrentIndex(1)  # 党员
        return window, window.members_tab

    window, tab = open_window()
    header = tab.table.horizontalHeader()
    hidden, moved = column(tab, "入党时间"), column(tab, "身份证号")
    header.setSectionHidden(hidden, True)
    header.moveSection(header.visualIndex(moved), 0)
    header.resizeSection(column(tab, "姓名"), 133)
    window.close()
    window, tab = open_window()
    header = tab.table.horizontalHeader()
    assert header.isSectionHidden(hidden)
    assert header.logicalIndex(0) == moved
    assert header.sectionSize(column(tab, "姓名")) == 133
    tab.reload()  # a later reload keeps the clerk's widths
    assert header.sectionSize(column(tab, "姓名")) == 133
