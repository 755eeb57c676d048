"""The members tab: search and filter every member, open the editor, see the selected member's book.

Keyboard first: typing anywhere in the table goes to the search box, Enter opens the selected member,
Ctrl+N adds one.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.vocabulary import MemberCategory, MemberStatus
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.members_model import MemberFilter, MembersModel, paint_rows
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.record_book import RecordBookPanel
from partybuild_desktop.ui.widgets import RESTORED, choose_columns, make_copyable, remember_header

BOOK_DELAY_MS = 200  # after the last keystroke, the record book shows the selected member
COLUMN_PADDING = 28  # the cell's margins and the header's sort arrow
MAX_COLUMN_WIDTH = 320


class MembersTable(QTableView):
    """A table that hands printable keystrokes to the search box and opens a row on Enter."""

    open_requested = Signal()
    typed = Signal(str)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.open_requested.emit()
            return
        text = event.text()
        if text and text.isprintable() and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.typed.emit(text)
            return
        super().keyPressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not isinstance(self.model(), MembersModel):
            super().paintEvent(event)
            return
        painter = QPainter(self.viewport())
        try:
            paint_rows(self, self.model(), painter, event.rect())
        finally:
            painter.end()


class MembersTab(WatchesChanges, QWidget):
    watches = Change.MEMBERS | Change.RECORDS | Change.VILLAGE | Change.GRIDS
    changed = Signal()
    print_requested = Signal(str, list)  # export name, member ids

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.model = MembersModel(self, self.today)
        self._typing = False

        self.search = QLineEdit()
        self.search.setObjectName("memberSearch")
        self.search.setPlaceholderText("搜索：姓名、拼音或首字母（如 zs）、身份证号、电话")
        self.search.setClearButtonEnabled(True)
        self.category = self._combo("category", "全部类别", [(c.label, c.value) for c in MemberCategory])
        self.status = self._combo("status", "全部状态", [(s.label, s.value) for s in MemberStatus])
        self.party_group = self._combo("partyGroup", "全部党小组", [])
        self.grid = self._combo("grid", "全部网格", [])
        self.include_archived = QCheckBox("含已归档")
        self.count = QLabel()
        # A fixed size: a label whose size hint may change re-lays out the whole tab on every keystroke.
        self.count.setFixedSize(self.count.fontMetrics().horizontalAdvance("显示 88888 / 88888 人") + 8,
                                self.count.fontMetrics().height() + 4)
        self.add_button = QPushButton("新增党员")
        self.add_button.setToolTip("Ctrl+N")
        self.open_button = QPushButton("打开")
        self.open_button.setToolTip("回车")
        self.delete_button = QPushButton("删除党员")
        self.delete_button.setToolTip("删除录错的党员（已有纪实、联系农户等记录的不能删除；党员离开请用“状态变动”）")
        self.print_button = QPushButton("打印…")
        self.print_button.setToolTip("为列表中显示的党员打印信息卡或纪实本（先用搜索和筛选选好人）")
        print_menu = QMenu(self.print_button)
        print_menu.addAction("信息卡（当前列表中的党员）…", lambda: self._print("cards", self.visible_member_ids()))
        print_menu.addAction("信息卡（选中的党员）…", lambda: self._print("cards", self._selected_ids()))
        print_menu.addAction("纪实本（当前列表中的党员）…", lambda: self._print("book", self.visible_member_ids()))
        print_menu.addAction("纪实本（选中的党员）…", lambda: self._print("book", self._selected_ids()))
        self.print_button.setMenu(print_menu)
        self.import_button = QPushButton("导入花名册…")
        self.import_button.setToolTip("从 Excel / WPS 表格（.xlsx .xls .ods）导入党员，导入前逐行预览")

        filters = QHBoxLayout()
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("搜索：姓名、拼音或首字母") + 24)
        filters.addWidget(self.search, 3)
        for widget in (self.category, self.status, self.party_group, self.grid, self.include_archived):
            filters.addWidget(widget)
        filters.addStretch()
        filters.addWidget(self.count)
        # Below the list, as under the record book: one row above it would not fit a 1280-pixel screen.
        actions = QHBoxLayout()
        for button in (self.add_button, self.open_button, self.delete_button, self.print_button, self.import_button):
            actions.addWidget(button)
        actions.addStretch()

        self.table = MembersTable()
        self.table.setObjectName("membersTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)  # one line per cell: much cheaper to paint, and a list reads better
        # The scroll bar stays, however few members a search finds: the columns do not jump as the clerk
        # types, and the table is not laid out and painted again on every keystroke.
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        make_copyable(self.table)
        choose_columns(self.table, always_shown=(0,))
        remember_header(self.table)
        self._columns_sized = False

        self.book = RecordBookPanel(context, dialogs, today=self.today)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("membersSplitter")
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addLayout(actions)
        self.splitter.addWidget(listing)
        self.splitter.addWidget(self.book)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

        # While the clerk types, the record book follows the selection once typing pauses: loading a
        # member's entries on every keystroke would slow each one down.
        self.book_timer = QTimer(self)
        self.book_timer.setSingleShot(True)
        self.book_timer.setInterval(BOOK_DELAY_MS)
        self.book_timer.timeout.connect(self._show_selected)
        self.search.textChanged.connect(lambda: self.apply_filter(typing=True))
        for combo in (self.category, self.status, self.party_group, self.grid):
            combo.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.include_archived.toggled.connect(lambda _: self.apply_filter())
        self.table.typed.connect(self._type_into_search)
        self.table.open_requested.connect(self.open_selected)
        self.table.doubleClicked.connect(lambda _: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_moved())
        self.search.returnPressed.connect(self._search_enter)
        self.add_button.clicked.connect(self.add_member)
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self.import_roster)
        QShortcut(QKeySequence.New, self, activated=self.add_member)
        QShortcut(QKeySequence.Find, self, activated=self.search.setFocus)
        self.table.addAction(self._mark_menu().menuAction())
        self.reload()
        self.watch(context.operations)

    def _combo(self, name: str, everything: str, items) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"{name}Filter")
        # As wide as a short name, not the longest grid's: the row must leave room for the search box.
        combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        combo.addItem(everything, None)
        for label, data in items:
            combo.addItem(label, data)
        return combo

    # --- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """After a change: the list again, the same member still selected."""
        self.reload(keep_member=self.selected_member_id())

    def reload(self, keep_member: int | None = None) -> None:
        village_id = self.context.village().id
        with self.context.store.session() as session:
            rows = member_service.list_members(session, village_id)
            groups = member_service.party_groups(session, village_id)
            grids = member_service.grids(session, village_id)
        for combo, items in ((self.party_group, groups), (self.grid, grids)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for item in items:
                combo.addItem(item.name, item.id)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
            combo.blockSignals(False)
        self.model.set_rows(rows)
        self._size_columns()
        self.apply_filter()
        if keep_member is not None:
            self.select_member(keep_member)
        self.book.refresh()

    def _size_columns(self) -> None:
        """Once, with the first members: each column as wide as its longest text (ID numbers whole),
        unless the clerk's own widths were put back from the last session."""
        header = self.table.horizontalHeader()
        if self._columns_sized or header.property(RESTORED) or not self.model.rows:
            return
        self._columns_sized = True
        text_width = self.table.fontMetrics().horizontalAdvance
        header_width = header.fontMetrics().horizontalAdvance
        for column in range(self.model.columnCount()):
            widest = max([text_width(t) for t in self.model.widest_texts(column)]
                         + [header_width(self.model.headerData(column, Qt.Horizontal))])
            header.resizeSection(column, min(widest + COLUMN_PADDING, MAX_COLUMN_WIDTH))

    def current_filter(self) -> MemberFilter:
        category, status = self.category.currentData(), self.status.currentData()
        return MemberFilter(
            query=self.search.text(),
            category=MemberCategory(category) if category else None,
            status=MemberStatus(status) if status else None,
            party_group_id=self.party_group.currentData(),
            grid_id=self.grid.currentData(),
            include_archived=self.include_archived.isChecked() or status in (MemberStatus.TRANSFERRED_OUT, MemberStatus.DECEASED),
        )

    def apply_filter(self, typing: bool = False) -> None:
        """Filter on every keystroke; the selected member stays selected while still shown."""
        selected = self.selected_member_id()
        self._typing = typing
        try:
            self.model.set_filter(self.current_filter())
            self.count.setText(f"显示 {len(self.model.visible)} / {len(self.model.rows)} 人")
            row = self.model.row_of(selected) if selected is not None else None
            if row is None and self.model.visible:
                row = 0
            if row is not None:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
                )
        finally:
            self._typing = False
        if typing:
            self.book_timer.start()
        else:
            self._show_selected()

    def _selection_moved(self) -> None:
        if self._typing:
            self.book_timer.start()
        else:
            self._show_selected()

    def visible_member_ids(self) -> list[int]:
        return [row.id for row in self.model.visible]

    def selected_member_id(self) -> int | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.member_id(index.row()) if index.isValid() and self.model.visible else None

    def select_member(self, member_id: int) -> None:
        row = self.model.row_of(member_id)
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
            )
            self.table.scrollTo(self.model.index(row, 0))

    def selected_member_ids(self) -> list[int]:
        """Every selected member, top to bottom as shown."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.member_id(row) for row in rows if row < len(self.model.visible)]

    def _selected_ids(self) -> list[int]:
        return self.selected_member_ids()

    def _print(self, name: str, member_ids: list[int]) -> None:
        if not member_ids:
            self.dialogs.info("打印", "列表中没有党员。请先清除搜索或筛选条件。")
            return
        self.print_requested.emit(name, member_ids)

    def _show_selected(self) -> None:
        self.book_timer.stop()
        member_id = self.selected_member_id()
        if member_id != self.book.member_id:
            self.book.show_member(member_id)

    def _type_into_search(self, text: str) -> None:
        self.search.setFocus()
        self.search.insert(text)

    def _search_enter(self) -> None:
        if len(self.model.visible) >= 1:
            self.table.setFocus()
            self.open_selected()

    # --- actions --------------------------------------------------------------------------------
    def _edit(self, member_id: int | None) -> None:
        from partybuild_desktop.ui.member_editor import MemberEditor

        editor = MemberEditor(self.context, member_id, self.dialogs, self, self.today)
        if editor.exec():  # the editor saved through the runner; the list has refreshed from its broadcast
            self.select_member(editor.saved_id)

    def delete_selected(self) -> None:
        """删除: a member entered by mistake, refused (with the reason) while anything refers to them."""
        member_id = self.selected_member_id()
        row = self.model.row_of(member_id) if member_id is not None else None
        if row is None:
            return
        name = self.model.visible[row].name
        if self.dialogs.confirm("删除党员", f"删除党员“{name}”及其状态记录？删除后不能恢复。\n"
                                            "（党员转出、去世等离开的，请在党员信息中用“状态变动”登记，不要删除。）"):
            self.context.operations.run(f"删除党员“{name}”", lambda s: member_service.delete_member(s, member_id),
                                        Change.MEMBERS, dialogs=self.dialogs, initiator=self)

    def add_member(self) -> None:
        self._edit(None)

    def open_selected(self) -> None:
        member_id = self.selected_member_id()
        if member_id is not None:
            self._edit(member_id)

    def _mark_menu(self) -> QMenu:
        """Right-click 设为中心户 / 示范岗: the selected members (several at once) become 党员中心户 or 党员示范岗."""
        from partybuild_desktop.ui.setup_dialogs import mark_members

        menu = QMenu("设为中心户 / 示范岗", self.table)
        for kind, label in (("hubs", "党员中心户"), ("model_posts", "党员示范岗")):
            menu.addAction(f"设为{label}…", lambda kind=kind: mark_members(kind, self._selected_ids(), self.context,
                                                                         self.dialogs, self))
        if self.table.contextMenuPolicy() == Qt.DefaultContextMenu:
            self.table.setContextMenuPolicy(Qt.ActionsContextMenu)
        return menu

    def import_roster(self) -> None:
        from pathlib import Path

        from partybuild_desktop.ui.import_dialog import ImportDialog, member_import_kind

        path = self.dialogs.open_file("选择党员花名册", Path.home(), "表格文件 (*.xlsx *.xls *.xlsm *.ods *.et *.csv)")
        if path is None:
            return
        ImportDialog(self.context, member_import_kind(self.context.village().id, path), path, self.dialogs, self).exec()
