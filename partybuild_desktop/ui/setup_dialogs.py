"""The set-up screens: 本村信息 (with the 换届 history), 党小组, 网格党支部, 党员示范岗, 党员中心户, 操作员.

Each list screen is a table with 新增 / 修改 / 删除; each editor collects what is typed and writes it in
one operation when OK is pressed (``ui.operations``). A refusal is shown and the editor stays open with
what was typed, so nothing is lost and nothing is half-saved.

``open_setup_screen(key, …)`` opens a screen by name; ``mark_members(kind, ids, …)`` is what the members
list calls for the members selected there.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.committee import TERM_YEARS, CommitteePost
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.vocabulary import BranchType
from partybuild_desktop.services import audit, households, organisation
from partybuild_desktop.services import village as village_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.organisation import HUBS, KIND_LABEL, MODEL_POSTS, GridBranchForm, PartyGroupForm
from partybuild_desktop.services.village import PostChoice, PostRecordForm, VillageForm
from partybuild_desktop.ui.widgets import RowsTable, button_row, make_copyable

NO_DATE = QDate(1900, 1, 1)  # shown as “未填写”: a date edit cannot be empty
MEMBER_ROLE = Qt.UserRole


# ---------------------------------------------------------------------------------------- small widgets


class OptionalDate(QDateEdit):
    """A date that may be left unfilled (shown as 未填写). Clicking or typing into an unfilled one starts
    from ``start`` (today), not from the year 1900 the empty value stands for."""

    def __init__(self, value: dt.date | None, name: str = "", start: dt.date | None = None):
        super().__init__()
        self.setObjectName(name)
        self.start = start or dt.date.today()
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText("未填写")
        self.setDate(QDate(value) if value else NO_DATE)

    def _begin(self) -> None:
        if self.date() == NO_DATE:
            self.setDate(QDate(self.start))

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._begin()
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.text() and event.text().isprintable():
            self._begin()
        super().keyPressEvent(event)


def optional_date(value: dt.date | None, name: str = "", start: dt.date | None = None) -> OptionalDate:
    return OptionalDate(value, name, start)


def date_of(edit: QDateEdit) -> dt.date | None:
    return None if edit.date() == NO_DATE else edit.date().toPython()


def _labels(choices) -> dict[int, str]:
    """How each member is shown: the name, with the party group when two members share a name."""
    count: dict[str, int] = {}
    for c in choices:
        count[c.name] = count.get(c.name, 0) + 1
    return {c.id: f"{c.name}（{c.party_group or '未编组'}）" if count[c.name] > 1 else c.name for c in choices}


class MemberPicker(QComboBox):
    """One member of the village, or nobody."""

    def __init__(self, choices, current: int | None = None, blank: str = "（未指定）", name: str = ""):
        super().__init__()
        self.setObjectName(name)
        self.addItem(blank, None)
        for member_id, label in _labels(choices).items():
            self.addItem(label, member_id)
        self.set_member(current)

    def set_member(self, member_id: int | None) -> None:
        self.setCurrentIndex(max(self.findData(member_id), 0))

    def member_id(self) -> int | None:
        return self.currentData()


class MemberOrName(QComboBox):
    """A member chosen from the list, or the plain name of someone not in it (typed in)."""

    def __init__(self, choices, name: str = ""):
        super().__init__()
        self._given: PostChoice | None = None
        self.setObjectName(name)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.NoInsert)
        self.lineEdit().setPlaceholderText("从党员中选择，或直接输入姓名")
        self.addItem("", None)
        for member_id, label in _labels(choices).items():
            self.addItem(label, member_id)

    def set_choice(self, choice: PostChoice | None) -> None:
        self._given = choice  # kept as it was while its name is left alone (a holder no longer listed)
        index = self.findData(choice.member_id) if choice and choice.member_id is not None else -1
        if index > 0:
            self.setCurrentIndex(index)
        else:
            self.setCurrentIndex(0)
            self.setEditText(choice.name if choice else "")

    def choice(self) -> PostChoice:
        text = self.currentText().strip()
        given = self._given
        if given is not None and given.member_id is not None and self.findData(given.member_id) < 0 \
                and text == given.name:
            return given
        index = self.findText(text, Qt.MatchExactly) if text else -1
        if index > 0:
            return PostChoice(self.itemData(index), self.itemText(index))
        return PostChoice(None, text)


class MemberChecklist(QWidget):
    """Several members, ticked in a list (name, party group) that a search box narrows; those ticked
    when it opens come first."""

    def __init__(self, choices, checked=(), name: str = ""):
        super().__init__()
        self.setObjectName(name)
        self.search = QLineEdit()
        self.search.setPlaceholderText("筛选：姓名或党小组")
        self.search.setClearButtonEnabled(True)
        self.list = QTreeWidget()
        self.list.setObjectName(f"{name}List" if name else "")
        self.list.setHeaderLabels(["姓名", "党小组"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        make_copyable(self.list)
        labels = _labels(choices)
        checked = set(checked)
        for c in sorted(choices, key=lambda c: c.id not in checked):
            item = QTreeWidgetItem([labels[c.id], c.party_group or "未编组"])
            item.setData(0, MEMBER_ROLE, c.id)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(0, Qt.Checked if c.id in checked else Qt.Unchecked)
            self.list.addTopLevelItem(item)
        self.list.setColumnWidth(0, 160)
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count)
        self.search.textChanged.connect(self._filter)
        self.list.itemChanged.connect(lambda *_: self._show_count())
        self._show_count()

    def _items(self):
        return [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]

    def _filter(self, text: str) -> None:
        text = text.strip()
        for item in self._items():
            item.setHidden(bool(text) and text not in item.text(0) and text not in item.text(1))

    def _show_count(self) -> None:
        self.count.setText(f"已选 {len(self.checked_ids())} 人")

    def set_checked(self, member_ids) -> None:
        wanted = set(member_ids)
        for item in self._items():
            item.setCheckState(0, Qt.Checked if item.data(0, MEMBER_ROLE) in wanted else Qt.Unchecked)

    def checked_ids(self) -> list[int]:
        return [item.data(0, MEMBER_ROLE) for item in self._items() if item.checkState(0) == Qt.Checked]


class EditorDialog(QDialog):
    """An editor that writes on OK: ``save()`` runs the operation; the dialog closes only when it worked."""

    def __init__(self, context, dialogs, title: str, parent=None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModal)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saved = None

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def run(self, title: str, work: Callable, changes: Change) -> bool:
        outcome = self.context.operations.run(title, work, changes, dialogs=self.dialogs, initiator=self)
        if outcome.ok:
            self.saved = outcome.value
        return outcome.ok

    def save(self) -> None:
        if self.write():
            self.accept()

    def write(self) -> bool:  # pragma: no cover - every editor defines it
        raise NotImplementedError


class ListDialog(QDialog):
    """A table of rows with 新增 / 修改 / 删除 and 关闭. Subclasses say how to read, edit and delete."""

    headers: tuple[str, ...] = ()
    table_name = ""
    add_text, edit_text, delete_text = "新增…", "修改…", "删除"

    def __init__(self, context, dialogs, title: str, note: str = "", parent=None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModal)
        self.table = RowsTable(self.headers, self.table_name, stretch=len(self.headers) - 1)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.doubleClicked.connect(lambda _: self.edit())
        self.add_button = QPushButton(self.add_text)
        self.edit_button = QPushButton(self.edit_text)
        self.delete_button = QPushButton(self.delete_text)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        layout = QVBoxLayout(self)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(self.table, 1)
        buttons = button_row(self.add_button, self.edit_button, self.delete_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(820, 440)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def refresh(self) -> None:
        with self.context.store.session() as session:
            rows = self.read(session)
        self.table.fill(rows, self.cells)
        for column in range(self.table.columnCount() - 1):  # room to read, the last column stretches
            self.table.setColumnWidth(column, max(self.table.columnWidth(column) + 16, 90))
        self.edit_button.setEnabled(bool(rows))
        self.delete_button.setEnabled(bool(rows))
        if rows and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def chosen(self):
        row = self.table.current()
        if row is None:
            self.dialogs.info(self.windowTitle(), "请先在表中选择一行。")
        return row

    def add(self) -> None:
        editor = self.editor(None)
        editor.exec()
        self.refresh()

    def edit(self) -> None:
        row = self.chosen()
        if row is not None:
            self.editor(row).exec()
            self.refresh()

    def delete(self) -> None:
        row = self.chosen()
        if row is None:
            return
        question, title, work, changes = self.deletion(row)
        if self.dialogs.confirm(title, question):
            self.context.operations.run(title, work, changes, dialogs=self.dialogs, initiator=self)
            self.refresh()

    # What each list defines.
    def read(self, session):  # pragma: no cover
        raise NotImplementedError

    def cells(self, row):  # pragma: no cover
        raise NotImplementedError

    def editor(self, row) -> EditorDialog:  # pragma: no cover
        raise NotImplementedError

    def deletion(self, row):  # pragma: no cover
        raise NotImplementedError


def _members(context) -> list:
    with context.store.session() as session:
        return organisation.member_choices(session, context.village().id)


# ---------------------------------------------------------------------------------------- 本村信息


class VillageDialog(EditorDialog):
    """设置 → 本村信息: the village, its branch, and the committee by post."""

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(context, dialogs, "本村信息", parent)
        self.setObjectName("villageDialog")
        self.today = today or dt.date.today()
        choices = _members(context)
        with context.store.session() as session:
            details = village_service.village_details(session, self.village_id, self.today)
        info = details.info
        self.details = details

        self.township = QLineEdit(info.township)
        self.township.setObjectName("township")
        self.village_name = QLineEdit(info.name)
        self.village_name.setObjectName("villageName")
        self.branch_type = QComboBox()
        self.branch_type.setObjectName("branchType")
        for item in (BranchType.GENERAL_BRANCH, BranchType.BRANCH, BranchType.COMMITTEE):
            self.branch_type.addItem(item.label, item)
        self.branch_type.setCurrentIndex(max(self.branch_type.findData(info.branch_type), 0))
        self.branch_name = QLineEdit(info.branch_name)
        self.branch_name.setObjectName("branchName")
        self.phone = QLineEdit(info.phone or "")
        self.phone.setObjectName("branchPhone")
        self.phone.setPlaceholderText("例如：0512-65211234")
        self.address = QLineEdit(info.address or "")
        self.address.setObjectName("branchAddress")
        self.address.setPlaceholderText("例如：东湖村村部")
        self.village_name.textChanged.connect(self._suggest_branch_name)
        self.branch_type.currentIndexChanged.connect(self._suggest_branch_name)
        self._suggest_branch_name()

        basics = QGroupBox("本村党组织")
        form = QFormLayout(basics)
        form.addRow("乡镇 *", self.township)
        form.addRow("村名 *", self.village_name)
        form.addRow("党组织类型 *", self.branch_type)
        form.addRow("党组织全称", self.branch_name)
        form.addRow("党组织电话", self.phone)
        form.addRow("党组织地址", self.address)

        self.posts: dict[CommitteePost, MemberOrName] = {}
        committee = QGroupBox("班子成员")
        posts_form = QFormLayout(committee)
        for post in CommitteePost:
            picker = MemberOrName(choices, name=f"post_{post.value}")
            record = details.holders.get(post)
            picker.set_choice(PostChoice(record.member_id, record.name) if record else None)
            self.posts[post] = picker
            posts_form.addRow(f"{post.label}{' *' if post is CommitteePost.SECRETARY else ''}", picker)
        started = details.term.started_on
        self.term_started = optional_date(started, "termStarted", self.today)
        self.term_started.setToolTip("本届班子换届选举的日期；任期五年，从这一天算起")
        posts_form.addRow("本届选举日期", self.term_started)
        self.term_line = QLabel(details.term.sentence())
        self.term_line.setObjectName("termLine")
        self.term_line.setWordWrap(True)
        if details.term.ended or details.term.ending_soon or not details.term.known:
            self.term_line.setStyleSheet("color: #b00020;")
        posts_form.addRow(self.term_line)
        current_ids = {c.id for c in choices}
        gone = [f"{post.label}{r.name}" for post, r in details.holders.items()
                if r.member_id is not None and r.member_id not in current_ids]
        self.gone_line = QLabel(f"{'、'.join(gone)}已转出、去世或归档，请改选现任人员。" if gone else "")
        self.gone_line.setObjectName("goneLine")
        self.gone_line.setWordWrap(True)
        self.gone_line.setStyleSheet("color: #b00020;")
        self.gone_line.setVisible(bool(gone))
        posts_form.addRow(self.gone_line)

        change = QGroupBox("班子变动")
        change_form = QFormLayout(change)
        self.changed_on = QDateEdit(QDate(self.today))
        self.changed_on.setObjectName("changedOn")
        self.changed_on.setCalendarPopup(True)
        self.changed_on.setDisplayFormat("yyyy-MM-dd")
        self.new_term = QCheckBox(f"这是换届：原班子全部离任，新一届从变动日期起任期{TERM_YEARS}年")
        self.new_term.setObjectName("newTerm")
        change_form.addRow("变动日期", self.changed_on)
        change_form.addRow(self.new_term)
        hint = QLabel("更换书记或委员时，原任人员的记录连同任职日期保留在“换届记录”中，新任人员从变动日期起任职。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        change_form.addRow(hint)

        self.history_button = QPushButton("换届记录…")
        self.history_button.clicked.connect(self.show_history)
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(basics)
        left.addWidget(change)
        left.addStretch()
        columns.addLayout(left, 1)
        columns.addWidget(committee, 1)
        layout.addLayout(columns)
        bottom = button_row(self.history_button)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.resize(900, 470)

    def _suggest_branch_name(self) -> None:
        name = self.village_name.text().strip()
        kind = BranchType(self.branch_type.currentData())
        self.branch_name.setPlaceholderText(village_service.default_branch_name(name, kind) if name else "")

    def form(self) -> VillageForm:
        started = date_of(self.term_started)
        return VillageForm(
            township=self.township.text(), name=self.village_name.text(),
            branch_type=BranchType(self.branch_type.currentData()), branch_name=self.branch_name.text(),
            phone=self.phone.text(), address=self.address.text(),
            posts={post: picker.choice() for post, picker in self.posts.items()},
            changed_on=self.changed_on.date().toPython(), new_term=self.new_term.isChecked(),
            term_started_on=started if started != self.details.term.started_on else None,
        )

    def write(self) -> bool:
        form = self.form()
        if form.new_term and not self.dialogs.confirm(
                "换届", f"登记换届？本届班子将于{format_cn(form.changed_on)}全部离任（记录保留），"
                        f"表中的人员为新一届班子，任期{TERM_YEARS}年。"):
            return False
        return self.run("保存本村信息", lambda s: village_service.save_village_details(s, self.village_id, form, self.today),
                        Change.VILLAGE | Change.MEMBERS)

    def show_history(self) -> None:
        CommitteeHistoryDialog(self.context, self.dialogs, self, self.today).exec()


class CommitteeHistoryDialog(ListDialog):
    """换届记录: who held each post from when to when."""

    headers = ("职务", "姓名", "任职日期", "离任日期", "状态")
    table_name = "committeeHistory"

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(context, dialogs, "换届记录",
                         "每一行是一人担任一个职务的起止日期。现任人员在“本村信息”中更换；这里可以补录程序使用前的"
                         "历届班子，或更正日期。", parent)
        self.today = today or dt.date.today()
        self.add_button.setText("补录往届…")
        self.refresh()

    def read(self, session):
        return village_service.committee_history(session, self.village_id)

    def cells(self, r):
        return (r.post.label, r.name, format_cn(r.started_on) or "未填写", format_cn(r.ended_on),
                "现任" if r.current else "已离任")

    def editor(self, row):
        return PostRecordEditor(self.context, self.dialogs, row, self, self.today)

    def deletion(self, r):
        return (f"删除“{r.name}”任{r.post.label}的记录？只用于删除录错的记录。", "删除任职记录",
                lambda s: village_service.delete_post_record(s, self.village_id, r.id), Change.VILLAGE)


class PostRecordEditor(EditorDialog):
    def __init__(self, context, dialogs, record, parent=None, today: dt.date | None = None):
        super().__init__(context, dialogs, "修改任职记录" if record else "补录往届任职", parent)
        self.record, self.today = record, today or dt.date.today()
        self.post = QComboBox()
        self.post.setObjectName("recordPost")
        for post in CommitteePost:
            self.post.addItem(post.label, post)
        self.person = MemberOrName(_members(context), name="recordPerson")
        self.started = optional_date(record.started_on if record else None, "recordStarted", self.today)
        self.ended = optional_date(record.ended_on if record else None, "recordEnded", self.today)
        if record is not None:
            self.post.setCurrentIndex(self.post.findData(record.post))
            self.person.set_choice(PostChoice(record.member_id, record.name))
            if record.current:  # who holds a post now is changed in 本村信息
                self.post.setEnabled(False)
                self.person.setEnabled(False)
                self.ended.setEnabled(False)
                self.ended.setSpecialValueText("现任")
        form = QFormLayout(self)
        form.addRow("职务", self.post)
        form.addRow("姓名", self.person)
        form.addRow("任职日期", self.started)
        form.addRow("离任日期", self.ended)
        form.addRow(self.buttons)
        self.setMinimumWidth(420)

    def write(self) -> bool:
        choice = self.person.choice()
        form = PostRecordForm(self.post.currentData(), choice.member_id, choice.name, date_of(self.started),
                              date_of(self.ended))
        record_id = self.record.id if self.record else None
        return self.run("保存任职记录", lambda s: village_service.save_post_record(s, self.village_id, form, record_id,
                                                                              self.today), Change.VILLAGE)


# ---------------------------------------------------------------------------------------- 党小组


class PartyGroupsDialog(ListDialog):
    headers = ("党小组", "村民小组", "党小组长", "所属网格党支部", "包挂的网格支部委员", "党员")
    table_name = "partyGroups"

    def __init__(self, context, dialogs, parent=None):
        super().__init__(context, dialogs, "党小组",
                         "党小组一般按村民小组设立。党小组长联系本组的中心户和示范岗；每个党小组由一名网格支部委员包挂联系。",
                         parent)
        self.setObjectName("partyGroupsDialog")
        self.refresh()

    def read(self, session):
        return organisation.list_party_groups(session, self.village_id)

    def cells(self, r):
        return (r.name, r.villager_group or "", r.leader, r.grid_branch, r.branch_contact, f"{r.member_count}人")

    def editor(self, row):
        return PartyGroupEditor(self.context, self.dialogs, row, self)

    def deletion(self, r):
        return (f"删除党小组“{r.name}”？", "删除党小组",
                lambda s: organisation.delete_party_group(s, self.village_id, r.id), Change.VILLAGE)


class PartyGroupEditor(EditorDialog):
    def __init__(self, context, dialogs, row=None, parent=None):
        super().__init__(context, dialogs, "修改党小组" if row else "新增党小组", parent)
        self.row = row
        current = row.form() if row else PartyGroupForm()
        choices = _members(context)
        with context.store.session() as session:
            branches = organisation.list_grid_branches(session, self.village_id)
            villager_groups = households.villager_groups(session, self.village_id)
        self.name = QLineEdit(current.name)
        self.name.setObjectName("groupName")
        self.name.setPlaceholderText("例如：第1党小组")
        self.villager_group = QComboBox()
        self.villager_group.setObjectName("villagerGroup")
        self.villager_group.setEditable(True)
        self.villager_group.setInsertPolicy(QComboBox.NoInsert)
        self.villager_group.addItems([""] + villager_groups)
        self.villager_group.setEditText(current.villager_group or "")
        self.villager_group.lineEdit().setPlaceholderText("例如：1组")
        self.leader = MemberPicker(choices, current.leader_id, name="groupLeader")
        self.grid_branch = QComboBox()
        self.grid_branch.setObjectName("groupBranch")
        self.grid_branch.addItem("（不属于网格党支部）", None)
        for b in branches:
            self.grid_branch.addItem(b.name, b.id)
        self.grid_branch.setCurrentIndex(max(self.grid_branch.findData(current.grid_branch_id), 0))
        self.contact = MemberPicker(choices, current.branch_contact_id, name="groupContact")
        form = QFormLayout(self)
        form.addRow("名称 *", self.name)
        form.addRow("村民小组", self.villager_group)
        form.addRow("党小组长", self.leader)
        form.addRow("所属网格党支部", self.grid_branch)
        form.addRow("包挂的网格支部委员", self.contact)
        form.addRow(self.buttons)
        self.setMinimumWidth(460)

    def write(self) -> bool:
        form = PartyGroupForm(self.name.text(), self.villager_group.currentText(), self.leader.member_id(),
                              self.grid_branch.currentData(), self.contact.member_id())
        group_id = self.row.id if self.row else None
        return self.run("保存党小组", lambda s: organisation.save_party_group(s, self.village_id, form, group_id),
                        Change.VILLAGE)


# ---------------------------------------------------------------------------------------- 网格党支部


class GridBranchesDialog(ListDialog):
    headers = ("网格党支部", "书记", "支部委员", "包挂的班子成员", "党小组", "网格")
    table_name = "gridBranches"

    def __init__(self, context, dialogs, parent=None):
        super().__init__(context, dialogs, "网格党支部",
                         "网格党支部建在网格上，下设党小组。每个网格党支部由一名村党组织班子成员包挂联系；"
                         "支部委员包挂联系党小组。", parent)
        self.setObjectName("gridBranchesDialog")
        self.refresh()

    def read(self, session):
        return organisation.list_grid_branches(session, self.village_id)

    def cells(self, r):
        return (r.name, r.secretary, "、".join(r.committee), r.committee_contact, "、".join(r.party_groups),
                f"{r.grid_count}个" if r.grid_count else "")

    def editor(self, row):
        return GridBranchEditor(self.context, self.dialogs, row, self)

    def deletion(self, r):
        return (f"删除网格党支部“{r.name}”？", "删除网格党支部",
                lambda s: organisation.delete_grid_branch(s, self.village_id, r.id), Change.VILLAGE)


class GridBranchEditor(EditorDialog):
    def __init__(self, context, dialogs, row=None, parent=None):
        super().__init__(context, dialogs, "修改网格党支部" if row else "新增网格党支部", parent)
        self.row = row
        current = row.form() if row else GridBranchForm()
        choices = _members(context)
        self.name = QLineEdit(current.name)
        self.name.setObjectName("branchUnitName")
        self.name.setPlaceholderText("例如：第一网格党支部")
        self.secretary = MemberPicker(choices, current.secretary_id, name="branchSecretary")
        self.committee = MemberChecklist(choices, current.committee_ids, name="branchCommittee")
        self.committee.setMinimumHeight(220)
        committee_members = [c for c in choices if c.is_committee_member or c.id == current.committee_contact_id]
        self.contact = MemberPicker(committee_members, current.committee_contact_id, name="branchContact")
        if not committee_members:
            self.contact.setItemText(0, "（本村班子成员尚未登记，请先在“本村信息”中填写）")
        form = QFormLayout(self)
        form.addRow("名称 *", self.name)
        form.addRow("书记", self.secretary)
        form.addRow("支部委员", self.committee)
        form.addRow("包挂的村党组织班子成员", self.contact)
        form.addRow(self.buttons)
        self.resize(520, 520)

    def write(self) -> bool:
        form = GridBranchForm(self.name.text(), self.secretary.member_id(), tuple(self.committee.checked_ids()),
                              self.contact.member_id())
        branch_id = self.row.id if self.row else None
        return self.run("保存网格党支部", lambda s: organisation.save_grid_branch(s, self.village_id, form, branch_id),
                        Change.VILLAGE)


# ---------------------------------------------------------------------------------------- 示范岗, 中心户


class MarkedMembersDialog(ListDialog):
    """党员中心户 or 党员示范岗: who is one, how many members are attached, add several at once, end it."""

    headers = ("姓名", "党小组", "联系党员", "兼任")
    add_text, edit_text, delete_text = "添加党员…", "", "取消选中的"

    def __init__(self, context, dialogs, kind: str, parent=None):
        self.kind = kind
        self.label = KIND_LABEL[kind]
        self.table_name = f"{kind}Table"
        note = ("每10–15户设一户党员中心户，每户中心户联系5–10名党员。" if kind == HUBS else
                "党员示范岗由党小组长联系，每个示范岗联系5–10名党员。")
        super().__init__(context, dialogs, self.label, note + "可以一次添加多名党员；也可以在“党员”页选中党员后右键设置。",
                         parent)
        self.setObjectName(f"{kind}Dialog")
        self.edit_button.hide()
        self.resize(640, 440)
        self.refresh()

    def read(self, session):
        return organisation.list_marked(session, self.village_id, self.kind)

    def cells(self, r):
        other = "党员示范岗" if self.kind == HUBS and r.is_model_post else (
            "党员中心户" if self.kind == MODEL_POSTS and r.is_hub_household else "")
        return (r.name, r.party_group or "未编组", f"{r.attached}人", other)

    def edit(self) -> None:
        """Nothing to edit on a hub or a model post itself (a double-click does nothing)."""

    def add(self) -> None:
        marked = {r.id for r in self.table.objects}
        choices = [c for c in _members(self.context) if c.id not in marked]
        picker = PickMembersDialog(choices, f"添加{self.label}", self)
        if picker.exec() and mark_members(self.kind, picker.checked_ids(), self.context, self.dialogs, self,
                                          ask=False):
            self.refresh()

    def delete(self) -> None:
        row = self.chosen()
        if row is not None:
            unmark_members(self.kind, [row.id], self.context, self.dialogs, self)
            self.refresh()


class PickMembersDialog(QDialog):
    """Tick several members; OK hands the ticked ones back (nothing is written here)."""

    def __init__(self, choices, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModal)
        self.members = MemberChecklist(choices, name="pickMembers")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.members, 1)
        layout.addWidget(buttons)
        self.resize(400, 480)

    def checked_ids(self) -> list[int]:
        return self.members.checked_ids()


def _outcome_text(label: str, outcome, on: bool) -> str:
    done = "设为" if on else "不再是"
    lines = []
    if outcome.changed:
        lines.append(f"已将{'、'.join(outcome.changed)}{done}{label}。" if on else
                     f"{'、'.join(outcome.changed)}已不再是{label}。")
    if outcome.unchanged:
        lines.append(f"{'、'.join(outcome.unchanged)}原来就{'是' if on else '不是'}{label}。")
    if outcome.problems:
        lines.append("以下包挂关系超出了规定范围：")
        lines += [f"· {p.subject}（{p.where}）：{p.issue}{p.advice}" for p in outcome.problems[:8]]
    return "\n".join(lines)


def mark_members(kind: str, member_ids, context, dialogs, parent=None, ask: bool = True) -> bool:
    """Make the given members 党员中心户 (``kind`` "hubs") or 党员示范岗 ("model_posts") in one operation;
    what the members list calls for its selected rows. Returns whether it was saved."""
    label = KIND_LABEL[kind]
    ids = list(member_ids)
    if not ids:
        dialogs.info(label, f"请先选择要设为{label}的党员。")
        return False
    if ask and not dialogs.confirm(label, f"把选中的{len(ids)}名党员设为{label}？"):
        return False
    village_id = context.village().id
    outcome = context.operations.run(f"设为{label}", lambda s: organisation.mark_members(s, village_id, kind, ids),
                                     Change.MEMBERS, dialogs=dialogs, initiator=parent)
    if outcome.ok:
        dialogs.info(label, _outcome_text(label, outcome.value, True))
    return outcome.ok


def unmark_members(kind: str, member_ids, context, dialogs, parent=None) -> bool:
    label = KIND_LABEL[kind]
    ids = list(member_ids)
    if not ids or not dialogs.confirm(f"取消{label}", f"选中的{len(ids)}名党员不再担任{label}？"):
        return False
    village_id = context.village().id
    outcome = context.operations.run(f"取消{label}",
                                     lambda s: organisation.mark_members(s, village_id, kind, ids, on=False),
                                     Change.MEMBERS, dialogs=dialogs, initiator=parent)
    if outcome.ok and outcome.value.problems:
        dialogs.info(label, _outcome_text(label, outcome.value, False))
    return outcome.ok


# ---------------------------------------------------------------------------------------- 操作员


class OperatorDialog(EditorDialog):
    """设置 → 操作员: who is using the program; every change from now on is recorded under this name."""

    def __init__(self, context, dialogs, parent=None):
        super().__init__(context, dialogs, "操作员", parent)
        self.setObjectName("operatorDialog")
        with context.store.session() as session:
            current = audit.operator(session)
        self.name = QLineEdit("" if current == audit.UNNAMED_OPERATOR else current)
        self.name.setObjectName("operatorName")
        self.name.setPlaceholderText("例如：张文书")
        self.name.setMaxLength(audit.MAX_OPERATOR_LENGTH)
        note = QLabel("以后的每一次保存（党员、纪实、积分办法、加减分、结账等）都记下操作员的姓名。"
                      "换人使用程序时，请先在这里改成自己的姓名。")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(note)
        form.addRow("操作员姓名 *", self.name)
        form.addRow(self.buttons)
        self.setMinimumWidth(480)

    def write(self) -> bool:
        name = self.name.text()
        return self.run("设置操作员", lambda s: audit.set_operator(s, name), Change.SETTINGS)


# ---------------------------------------------------------------------------------------- the entry point

SCREENS = ("village", "party_groups", "grid_branches", "model_posts", "hubs", "operator")


def setup_screen(key: str, context, dialogs, parent=None) -> QDialog:
    """The dialog of a set-up screen, built but not shown."""
    if key == "village":
        return VillageDialog(context, dialogs, parent)
    if key == "party_groups":
        return PartyGroupsDialog(context, dialogs, parent)
    if key == "grid_branches":
        return GridBranchesDialog(context, dialogs, parent)
    if key in (MODEL_POSTS, HUBS):
        return MarkedMembersDialog(context, dialogs, key, parent)
    if key == "operator":
        return OperatorDialog(context, dialogs, parent)
    raise ValueError(f"unknown set-up screen {key!r}; one of {', '.join(SCREENS)}")


def open_setup_screen(key: str, context, dialogs, parent=None) -> None:
    """Open a set-up screen (one of ``SCREENS``) and wait until it is closed."""
    setup_screen(key, context, dialogs, parent).exec()
