"""Ctrl+C and 复制 on every table: the selected rows with the header line, as cells for Excel or WPS."""

import csv
import datetime as dt
import io

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QTreeView, QTreeWidget, QTreeWidgetItem

from partybuild_desktop.reports.spec import Column, TableSpec
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.members_tab import MembersTab
from partybuild_desktop.ui.widgets import COPY_ACTION, RowsTable, SpecTable, make_copyable
from tests.gui.conftest import ScriptedDialogs

TODAY = dt.date(2026, 11, 23)


def clipboard_cells() -> list[list[str]]:
    """What a spreadsheet makes of the clipboard's text: tab-separated, Excel's quoting."""
    return list(csv.reader(io.StringIO(QApplication.clipboard().text(), newline=""), dialect="excel-tab"))


def press_copy(qtbot, view) -> None:
    view.setFocus()
    qtbot.keyClick(view, Qt.Key_C, Qt.ControlModifier)


def copy_action(view):
    return next(a for a in view.actions() if a.objectName() == COPY_ACTION)


@pytest.fixture
def members_tab(qtbot, sample_store, data_folder):
    tab = MembersTab(AppContext(sample_store, data_folder), ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def select_rows(view, rows) -> None:
    selection = view.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(view.model().index(row, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)


def test_ctrl_c_copies_the_selected_members_with_the_header(qtbot, members_tab):
    QApplication.clipboard().setText("nothing yet")
    model = members_tab.model
    select_rows(members_tab.table, [4, 1, 2])
    press_copy(qtbot, members_tab.table)
    cells = clipboard_cells()
    headers = [model.headerData(c, Qt.Horizontal) for c in range(model.columnCount())]
    assert cells[0] == headers
    assert [line[0] for line in cells[1:]] == [model.visible[r].name for r in (1, 2, 4)]
    id_column = headers.index("身份证号")
    assert cells[1][id_column] == model.index(1, id_column).data()
    assert members_tab.selected_member_ids() == [model.visible[r].id for r in (1, 2, 4)]


def test_the_right_click_copy_follows_the_columns_as_shown(qtbot, members_tab):
    header = members_tab.table.horizontalHeader()
    header.setSectionHidden(1, True)  # 性别
    header.moveSection(header.visualIndex(3), 0)  # 类别 first
    select_rows(members_tab.table, [0])
    QApplication.clipboard().clear()
    action = copy_action(members_tab.table)
    assert action.text() == "复制"
    assert members_tab.table.contextMenuPolicy() == Qt.ActionsContextMenu
    action.trigger()
    cells = clipboard_cells()
    assert cells[0][:3] == ["类别", "姓名", "年龄"]
    assert "性别" not in cells[0]
    assert cells[1][:2] == [members_tab.model.visible[0].category.label, members_tab.model.visible[0].name]


def test_cells_with_tabs_line_breaks_and_quotes_arrive_whole(qtbot):
    table = RowsTable(["事项", "说明", "身份证号"], "copyTest")
    qtbot.addWidget(table)
    awkward = [("修路\t东段", '村民说"尽快"', "320482196503120123"), ("第一行\n第二行", "普通", "0571")]
    table.fill(awkward, lambda row: row)
    table.selectAll()
    press_copy(qtbot, table)
    assert clipboard_cells() == [["事项", "说明", "身份证号"], *[list(row) for row in awkward]]
    html = QApplication.clipboard().mimeData().html()
    # Excel and WPS keep ID numbers and leading zeros as text only when told so.
    assert "mso-number-format" in html and "320482196503120123" in html
    assert html.count("mso-number-format") == 2


def test_an_official_table_copies_the_cells_chosen(qtbot):
    from partybuild_desktop.reports.spec import Table

    spec = TableSpec(title="测试表", columns=(Column("村", "village"), Column("党员数", "members", kind="number"),
                                               Column("党小组数", "groups", kind="number")))
    table = SpecTable(Table(spec, rows=[{"village": "东湖村", "members": 12, "groups": 3},
                                        {"village": "西湖村", "members": 20, "groups": 4}]), "specCopy")
    qtbot.addWidget(table)
    selection = table.selectionModel()
    for row in (0, 1):
        selection.select(table.model().index(row, 1), QItemSelectionModel.Select)
    press_copy(qtbot, table)
    assert clipboard_cells() == [["党员数"], ["12"], ["20"]]


def test_a_tree_copies_its_selected_rows_in_the_order_shown(qtbot):
    tree = QTreeWidget()
    qtbot.addWidget(tree)
    tree.setHeaderLabels(["网格", "党员"])
    tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
    village = QTreeWidgetItem(["东湖村网格", "30"])
    tree.addTopLevelItem(village)
    first, second = QTreeWidgetItem(village, ["第一网格", "12"]), QTreeWidgetItem(village, ["第二网格", "18"])
    tree.expandAll()
    make_copyable(tree)
    second.setSelected(True)
    village.setSelected(True)
    press_copy(qtbot, tree)
    assert clipboard_cells() == [["网格", "党员"], ["东湖村网格", "30"], ["第二网格", "18"]]
    assert not first.isSelected()


def test_nothing_selected_leaves_the_clipboard_alone(qtbot):
    table = RowsTable(["甲"], "emptyCopy")
    qtbot.addWidget(table)
    table.fill([("一",)], lambda row: row)
    table.clearSelection()
    QApplication.clipboard().setText("原来的内容")
    press_copy(qtbot, table)
    assert QApplication.clipboard().text() == "原来的内容"


def test_every_table_in_the_window_copies(qtbot, sample_store, data_folder):
    from partybuild_desktop.ui.main_window import MainWindow

    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(sample_store, data_folder))
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
    views = window.findChildren(QTableView) + window.findChildren(QTreeView)
    assert len(views) > 10
    missing = [v.objectName() or type(v).__name__ for v in views
               if not any(a.objectName() == COPY_ACTION for a in v.actions())]
    assert missing == []


def test_the_member_editors_events_copy(qtbot, sample_store, data_folder):
    from partybuild_desktop.ui.member_editor import MemberEditor

    tab = MembersTab(AppContext(sample_store, data_folder), ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(tab)
    editor = MemberEditor(AppContext(sample_store, data_folder), tab.model.visible[0].id, ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(editor)
    events = editor.w("events")
    assert any(a.objectName() == COPY_ACTION for a in events.actions())


def test_rows_clicked_with_columns_hidden_and_moved_still_copy(qtbot, members_tab):
    table = members_tab.table
    header = table.horizontalHeader()
    header.setSectionHidden(1, True)
    header.moveSection(header.visualIndex(4), 0)
    first, third = (table.visualRect(members_tab.model.index(r, 0)).center() for r in (0, 2))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=first)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, Qt.ShiftModifier, pos=third)
    press_copy(qtbot, table)
    cells = clipboard_cells()
    assert cells[0][:2] == ["状态", "姓名"] and "性别" not in cells[0]
    assert [line[1] for line in cells[1:]] == [r.name for r in members_tab.model.visible[:3]]
    assert members_tab.selected_member_ids() == [r.id for r in members_tab.model.visible[:3]]
