"""网格: the grid tree and its staff, the household register, the liaison pyramid (包挂联系),
the visit diary (民情日记) and proxy services (事项代办).

Each action is two steps: ``ask_…`` shows a dialog, ``do_…`` takes plain values and calls the
service, so the window and the tests run the same code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.liaison import summary as liaison_summary
from partybuild_desktop.domain.vocabulary import CareFlag, GridLevel, GridRole, ProxyKind
from partybuild_desktop.services import grids as grid_service
from partybuild_desktop.services import households as household_service
from partybuild_desktop.services import liaison as liaison_service
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import proxy_services, visits
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.checked import CheckedDialog
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import FormDialog, RowsTable, button_row, combo, date_edit


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class GridsTab(WatchesChanges, QWidget):
    watches = Change.GRIDS | Change.HOUSEHOLDS | Change.MEMBERS | Change.VILLAGE | Change.SETTINGS

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.pages = QTabWidget()
        self.pages.setObjectName("gridPages")
        self.pages.addTab(self._grids_page(), "网格与人员")
        self.pages.addTab(self._households_page(), "农户")
        self.pages.addTab(self._liaison_page(), "包挂联系")
        self.pages.addTab(self._visits_page(), "民情日记")
        self.pages.addTab(self._proxies_page(), "事项代办")
        QVBoxLayout(self).addWidget(self.pages)
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def _change(self, title: str, work, changes: Change):
        """Run a change through the window's one runner; the value it returns, or None when refused."""
        outcome = self.context.operations.run(title, work, changes, dialogs=self.dialogs, initiator=self)
        return outcome.value if outcome.ok else None

    def _show_problems(self, problems, title: str) -> None:
        if problems:
            self.dialogs.info(title, "已保存。以下包挂关系超出了规定范围：\n" +
                              "\n".join(f"· {p.subject}（{p.where}）：{p.issue}{p.advice}" for p in problems))

    def refresh(self) -> None:
        with self.context.store.session() as session:
            self.tree_data = grid_service.grid_tree(session, self.village_id)
            self.member_choices = [(c.name, c.id) for c in member_service.list_members(session, self.village_id, False)]
            self.groups = household_service.villager_groups(session, self.village_id)
        self._fill_tree()
        self.refresh_households()
        self.refresh_liaison()
        self.refresh_visits()
        self.refresh_proxies()

    # ======================================================================== grids and staff
    def _grids_page(self) -> QWidget:
        page = QWidget()
        self.tree = QTreeWidget()
        self.tree.setObjectName("gridTree")
        self.tree.setHeaderLabels(["网格", "层级", "网格长", "网格员", "党员", "农户"])
        self.tree.currentItemChanged.connect(lambda *_: self._show_staff())
        self.staff = RowsTable(["职务", "姓名", "是否党员", "电话", "职责"], "gridStaff", stretch=4)
        self.grid_heading = QLabel()
        self.grid_heading.setWordWrap(True)
        add_grid, edit_grid, delete_grid = QPushButton("新建下级网格…"), QPushButton("修改网格…"), QPushButton("删除网格")
        add_staff, remove_staff = QPushButton("添加网格长/网格员…"), QPushButton("移除选中人员")
        add_grid.clicked.connect(self.ask_new_grid)
        edit_grid.clicked.connect(self.ask_edit_grid)
        delete_grid.clicked.connect(self.ask_delete_grid)
        add_staff.clicked.connect(self.ask_add_staff)
        remove_staff.clicked.connect(self.ask_remove_staff)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.grid_heading)
        right_layout.addWidget(self.staff, 1)
        right_layout.addLayout(button_row(add_staff, remove_staff))
        splitter = QSplitter(Qt.Horizontal)
        splitter.setObjectName("gridsSplitter")
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
        layout = QVBoxLayout(page)
        layout.addWidget(splitter, 1)
        layout.addLayout(button_row(add_grid, edit_grid, delete_grid))
        return page

    def _fill_tree(self) -> None:
        current = self.selected_grid()
        self.tree.clear()
        self.grid_nodes = {}

        def add(node, parent):
            leader = node.leader.name if node.leader else "（未设）"
            item = QTreeWidgetItem([node.name, node.level.label, leader, str(len(node.workers)),
                                    str(node.member_count), str(node.household_count)])
            item.setData(0, Qt.UserRole, node.id)
            self.grid_nodes[node.id] = node
            (parent.addChild(item) if parent else self.tree.addTopLevelItem(item))
            for child in node.children:
                add(child, item)
            return item

        for root in self.tree_data:
            add(root, None)
        self.tree.expandToDepth(1)
        for column in range(1, 6):
            self.tree.resizeColumnToContents(column)
        self.tree.setColumnWidth(0, 220)
        if current is not None:
            self.select_grid(current.id)
        elif self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def select_grid(self, grid_id: int) -> None:
        for item in self._tree_items():
            if item.data(0, Qt.UserRole) == grid_id:
                self.tree.setCurrentItem(item)

    def _tree_items(self):
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.child(i) for i in range(item.childCount()))

    def selected_grid(self):
        item = self.tree.currentItem() if hasattr(self, "tree") else None
        return self.grid_nodes.get(item.data(0, Qt.UserRole)) if item else None

    def _show_staff(self) -> None:
        node = self.selected_grid()
        if node is None:
            self.staff.fill([], lambda s: ())
            self.grid_heading.setText("")
            return
        branch = f"　所属网格党支部：{node.grid_branch}" if node.grid_branch else ""
        self.grid_heading.setText(f"<b>{node.name}</b>（{node.level.label}）　区域：{node.area or '未填'}{branch}")
        self.staff.fill(node.staff, lambda s: (s.role.label, s.name, "是" if s.is_member else "否", s.phone or "",
                                               s.duties or ""))

    def ask_new_grid(self) -> None:
        parent = self.selected_grid()
        levels = list(GridLevel)
        below = levels[min(levels.index(parent.level) + 1, len(levels) - 1)] if parent else GridLevel.VILLAGE
        name, area = QLineEdit(), QLineEdit()
        dialog = FormDialog("新建网格", [("上级网格", QLabel(parent.name if parent else "（无）")),
                                        ("层级", QLabel(below.label)), ("名称", name), ("区域范围", area)], self)
        if dialog.exec():
            self.do_new_grid(below, name.text(), parent.id if parent else None, area.text())

    def do_new_grid(self, level: GridLevel, name: str, parent_id: int | None, area: str | None):
        grid_id = self._change("新建网格", lambda s: grid_service.create_grid(s, self.village_id, level, name, parent_id, area or None), Change.GRIDS)
        if grid_id:
            self.select_grid(grid_id)
        return grid_id

    def ask_edit_grid(self) -> None:
        node = self.selected_grid()
        if node is None:
            return
        name, area = QLineEdit(node.name), QLineEdit(node.area or "")
        if FormDialog("修改网格", [("名称", name), ("区域范围", area)], self).exec():
            self._change("修改网格", lambda s: grid_service.update_grid(s, node.id, name.text(), area.text() or None,
                                                                          node.grid_branch_id), Change.GRIDS)

    def ask_delete_grid(self) -> None:
        node = self.selected_grid()
        if node and self.dialogs.confirm("删除网格", f"删除“{node.name}”？"):
            self._change("删除网格", lambda s: grid_service.delete_grid(s, node.id), Change.GRIDS)

    def ask_add_staff(self) -> None:
        node = self.selected_grid()
        if node is None:
            return
        role = combo([(r.label, r.value) for r in GridRole], GridRole.WORKER.value)
        member = combo(self.member_choices, blank="（不是党员，填写下面的姓名）")
        name, phone, duties = QLineEdit(), QLineEdit(), QLineEdit()
        dialog = FormDialog(f"添加到“{node.name}”", [("职务", role), ("党员", member), ("姓名", name), ("电话", phone),
                                                    ("职责", duties)], self)
        if dialog.exec():
            self.do_add_staff(node.id, grid_service.StaffForm(GridRole(role.currentData()), member.currentData(),
                                                              name.text(), phone.text() or None, duties.text() or None))

    def do_add_staff(self, grid_id: int, form) -> int | None:
        return self._change("添加网格人员", lambda s: grid_service.add_staff(s, grid_id, form), Change.GRIDS)

    def ask_remove_staff(self) -> None:
        for staff in self.staff.selected():
            if self.dialogs.confirm("移除人员", f"把{staff.role.label}“{staff.name}”从网格中移除？"):
                self._change("移除网格人员", lambda s, staff_id=staff.id: grid_service.remove_staff(s, staff_id), Change.GRIDS)

    # ======================================================================== households
    def _households_page(self) -> QWidget:
        page = QWidget()
        self.household_group = QComboBox()
        self.household_group.setObjectName("householdGroup")
        self.must_visit_only = QCheckBox("只看必访户")
        self.household_search = QLineEdit()
        self.household_search.setPlaceholderText("搜索户主、住址、电话")
        self.household_count = QLabel()
        self.households = RowsTable(["户主", "村民小组", "住址", "电话", "人口", "网格", "联系党员", "必访类别"],
                                    "householdsTable", stretch=2)
        self.households.doubleClicked.connect(lambda _: self.ask_edit_household())
        add, edit, delete = QPushButton("新增农户…"), QPushButton("修改…"), QPushButton("删除")
        assign, import_button = QPushButton("指定联系党员…"), QPushButton("导入农户名单…")
        add.clicked.connect(lambda: self.ask_edit_household(new=True))
        edit.clicked.connect(self.ask_edit_household)
        delete.clicked.connect(self.ask_delete_household)
        assign.clicked.connect(self.ask_assign_households)
        import_button.clicked.connect(self.import_households)
        filters = QHBoxLayout()
        for widget in (self.household_group, self.must_visit_only, self.household_search):
            filters.addWidget(widget)
        filters.addStretch()
        filters.addWidget(self.household_count)
        self.household_group.currentIndexChanged.connect(self.refresh_households)
        self.must_visit_only.toggled.connect(self.refresh_households)
        self.household_search.textChanged.connect(self.refresh_households)
        layout = QVBoxLayout(page)
        layout.addLayout(filters)
        layout.addWidget(self.households, 1)
        layout.addLayout(button_row(add, edit, delete, assign, import_button))
        return page

    def _refill_groups(self, box: QComboBox, everything: str | None) -> None:
        chosen = box.currentData()
        box.blockSignals(True)
        box.clear()
        if everything:
            box.addItem(everything, None)
        for group in self.groups:
            box.addItem(group, group)
        box.setCurrentIndex(max(box.findData(chosen), 0))
        box.blockSignals(False)

    def refresh_households(self) -> None:
        if not hasattr(self, "groups"):
            return
        self._refill_groups(self.household_group, "全部村民小组")
        with self.context.store.session() as session:
            rows = household_service.list_households(
                session, self.village_id, villager_group=self.household_group.currentData(),
                must_visit_only=self.must_visit_only.isChecked(), text=self.household_search.text())
        self.households.fill(rows, lambda h: (h.head_name, h.villager_group, h.address, h.phone, h.size or "", h.grid,
                                              h.liaison_member, h.care_text), highlight=lambda h: h.liaison_member_id is None)
        self.household_count.setText(f"{len(rows)} 户（无联系党员的标红）")

    def ask_edit_household(self, new: bool = False) -> None:
        row = None if new else self.households.current()
        if not new and row is None:
            return
        with self.context.store.session() as session:
            form = household_service.HouseholdForm() if row is None else household_service.load_household(session, row.id)
        head, group, address = QLineEdit(form.head_name), QLineEdit(form.villager_group or ""), QLineEdit(form.address or "")
        phone, size = QLineEdit(form.phone or ""), QSpinBox()
        size.setRange(0, 30)
        size.setValue(form.size or 0)
        size.setSpecialValueText("未填")
        grid = combo([(n.name, n.id) for root in self.tree_data for n in root.walk()], form.grid_id, blank="（未定）")
        liaison = combo(self.member_choices, form.liaison_member_id, blank="（未定）")
        flags = {flag: QCheckBox(flag.label) for flag in CareFlag}
        flag_box = QWidget()
        flag_layout = QHBoxLayout(flag_box)
        flag_layout.setContentsMargins(0, 0, 0, 0)
        for flag, box in flags.items():
            box.setChecked(flag in form.care_flags)
            flag_layout.addWidget(box)
        notes = QLineEdit(form.notes or "")
        dialog = FormDialog("农户", [("户主 *", head), ("村民小组", group), ("住址", address), ("电话", phone),
                                    ("人口", size), ("网格", grid), ("联系党员", liaison), ("必访类别", flag_box),
                                    ("备注", notes)], self)
        if dialog.exec():
            new_form = household_service.HouseholdForm(
                head.text(), group.text() or None, address.text() or None, phone.text() or None, size.value() or None,
                grid.currentData(), liaison.currentData(), frozenset(f for f, b in flags.items() if b.isChecked()),
                notes.text() or None)
            self.do_save_household(new_form, row.id if row else None)

    def do_save_household(self, form, household_id: int | None = None):
        return self._change("保存农户", lambda s: household_service.save_household(s, self.village_id, form, household_id),
                            Change.HOUSEHOLDS)

    def ask_delete_household(self) -> None:
        row = self.households.current()
        if row and self.dialogs.confirm("删除农户", f"删除户主为“{row.head_name}”的农户？"):
            self._change("删除农户", lambda s: household_service.delete_household(s, row.id), Change.HOUSEHOLDS)

    def ask_assign_households(self) -> None:
        chosen = self.households.selected()
        if not chosen:
            self.dialogs.info("指定联系党员", "请先在表中选中要分配的农户（可按住 Ctrl 多选）。")
            return
        member = combo(self.member_choices)
        if FormDialog(f"为选中的 {len(chosen)} 户指定联系党员", [("联系党员", member)], self).exec():
            self.do_assign_households(member.currentData(), [h.id for h in chosen])

    def do_assign_households(self, member_id: int, household_ids: list[int]):
        problems = self._change("指定联系党员", lambda s: liaison_service.assign_households(s, member_id, household_ids),
                                Change.HOUSEHOLDS)
        if isinstance(problems, list):
            self._show_problems(problems, "包挂联系")
        return problems

    def import_households(self) -> None:
        from partybuild_desktop.ui.import_dialog import ImportDialog, household_import_kind

        path = self.dialogs.open_file("选择农户名单", Path.home(), "表格文件 (*.xlsx *.xls *.xlsm *.ods *.et *.csv)")
        if path is None:
            return
        ImportDialog(self.context, household_import_kind(self.village_id, path), path, self.dialogs, self).exec()

    # ======================================================================== liaison pyramid
    def _liaison_page(self) -> QWidget:
        page = QWidget()
        self.liaison_summary = QLabel()
        self.liaison_summary.setWordWrap(True)
        self.liaison_problems = RowsTable(["对象", "所在", "现有", "规定", "问题", "怎么办"], "liaisonProblems", stretch=5)
        self.suggest_group = QComboBox()
        self.suggest_group.setObjectName("suggestGroup")
        self.include_assigned = QCheckBox("重新分配本组全部农户（不勾选：只分配还没有联系党员的农户）")
        suggest, apply = QPushButton("建议分配"), QPushButton("按建议分配")
        suggest.clicked.connect(lambda: self.do_suggest(self.suggest_group.currentData(), self.include_assigned.isChecked()))
        apply.clicked.connect(self.do_apply_proposal)
        self.proposal = None
        self.proposal_table = RowsTable(["党员", "现联系户数", "分配后户数", "新增农户"], "proposalTable")
        self.proposal_notes = QLabel()
        self.proposal_notes.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("村民小组"))
        for widget in (self.suggest_group, self.include_assigned, suggest, apply):
            row.addWidget(widget)
        row.addStretch()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<b>检查包挂关系</b>：超出范围的每一项（班子成员联系 1–2 个网格支部，支部委员联系 1–2 个党小组，"
                                "党小组长联系 2–5 个中心户或示范岗，中心户联系 5–10 名党员，党员联系 10–15 户）"))
        layout.addWidget(self.liaison_summary)
        layout.addWidget(self.liaison_problems, 2)
        layout.addLayout(row)
        layout.addWidget(self.proposal_notes)
        layout.addWidget(self.proposal_table, 1)
        return page

    def refresh_liaison(self) -> None:
        if not hasattr(self, "groups"):
            return
        self._refill_groups(self.suggest_group, None)
        with self.context.store.session() as session:
            check = liaison_service.check_liaison(session, self.village_id)
        self.liaison_problems.fill(check.problems, lambda p: (p.subject, p.where, "" if p.count is None else p.count,
                                                              p.expected, p.issue, p.advice))
        self.liaison_summary.setText(liaison_summary(check.checked, check.problems)
                                     + "也可从“导出 → 包挂联系关系检查表…”打印。")

    def do_suggest(self, villager_group: str | None, include_assigned: bool = False):
        if not villager_group:
            return None
        with self.context.store.session() as session:
            self.proposal = liaison_service.suggest_households(session, self.village_id, villager_group, include_assigned)
        self.proposal_table.fill(self.proposal.members, lambda m: (m.name, m.before, m.after, len(m.new_household_ids)),
                                 highlight=lambda m: not 10 <= m.after <= 15)
        unassigned = f"；{len(self.proposal.unassigned)} 户无人可分" if self.proposal.unassigned else ""
        self.proposal_notes.setText(f"建议调整 {self.proposal.changes} 户{unassigned}。" + "　".join(self.proposal.notes)
                                    + "　核对后点“按建议分配”才会保存。")
        return self.proposal

    def do_apply_proposal(self):
        if self.proposal is None:
            return None
        proposal, self.proposal = self.proposal, None
        problems = self._change("按建议分配联系户", lambda s: liaison_service.apply_proposal(s, proposal), Change.HOUSEHOLDS)
        self.proposal_table.fill([], lambda m: ())
        self.proposal_notes.setText("")
        if isinstance(problems, list):
            self._show_problems(problems, "包挂联系")
        return problems

    # ======================================================================== visit diary
    def _visits_page(self) -> QWidget:
        page = QWidget()
        self.visits = RowsTable(["日期", "党员", "户主", "村民小组", "民情事项", "办理情况", "跟踪落实", "群众反馈"],
                                "visitsTable", stretch=4)
        self.visit_days = QSpinBox()
        self.visit_days.setRange(1, 365)
        self.visit_days.setSuffix(" 天")
        self.overdue_visits = RowsTable(["户主", "村民小组", "必访类别", "联系党员", "电话", "上次走访", "已过天数"],
                                        "overdueVisits", stretch=2)
        add, delete = QPushButton("记一次走访…"), QPushButton("删除选中走访")
        add.clicked.connect(self.ask_add_visit)
        delete.clicked.connect(self.ask_delete_visit)
        self.visit_days.editingFinished.connect(
            lambda: self._change("设置必访期限", lambda s: visits.set_must_visit_days(s, self.visit_days.value()),
                                 Change.SETTINGS))
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>超期未走访的必访户</b>　期限"))
        row.addWidget(self.visit_days)
        row.addStretch()
        layout = QVBoxLayout(page)
        layout.addWidget(self.visits, 3)
        layout.addLayout(button_row(add, delete))
        layout.addLayout(row)
        layout.addWidget(self.overdue_visits, 2)
        return page

    def refresh_visits(self) -> None:
        with self.context.store.session() as session:
            rows = visits.list_visits(session, self.village_id, limit=500)
            days = visits.must_visit_days(session)
            overdue = visits.overdue_must_visits(session, self.village_id, today=self.today)
        self.visit_days.blockSignals(True)
        self.visit_days.setValue(days)
        self.visit_days.blockSignals(False)
        self.visits.fill(rows, lambda v: (_date(v.date), v.member, v.household, v.villager_group, v.matter, v.action,
                                          v.follow_up, v.feedback))
        self.overdue_visits.fill(overdue, lambda m: (m.head_name, m.villager_group, m.care_text, m.liaison_member,
                                                     m.liaison_phone, _date(m.last_visit) or "从未走访",
                                                     "" if m.days_since is None else m.days_since))

    def _household_choices(self, member_id: int | None = None):
        with self.context.store.session() as session:
            rows = household_service.list_households(session, self.village_id, liaison_member_id=member_id)
        return [(f"{h.head_name}（{h.villager_group or ''}）", h.id) for h in rows]

    def ask_add_visit(self) -> None:
        VisitDialog(self, self.member_choices, self._household_choices, self.today,
                    save=lambda form: self.do_add_visit(form) is not None).exec()

    def do_add_visit(self, form):
        return self._change("记录走访", lambda s: visits.add_visit(s, self.village_id, form, today=self.today),
                            Change.HOUSEHOLDS | Change.RECORDS)

    def ask_delete_visit(self) -> None:
        visit = self.visits.current()
        if visit and self.dialogs.confirm("删除走访", f"删除 {visit.date} {visit.member} 走访 {visit.household} 的记录？"
                                                     "\n它写入纪实本的那一条也会一并删除。"):
            self._change("删除走访", lambda s: visits.delete_visit(s, visit.id), Change.HOUSEHOLDS | Change.RECORDS)

    # ======================================================================== proxy services
    def _proxies_page(self) -> QWidget:
        page = QWidget()
        self.proxies = RowsTable(["类型", "申办人", "户主", "事项", "受理", "承诺办结", "办结", "代办员", "状态", "说明"],
                                 "proxiesTable", stretch=3)
        self.overdue_proxies = RowsTable(["类型", "申办人", "事项", "应办结", "超期天数", "原因"], "overdueProxies", stretch=2)
        add, done = QPushButton("登记代办事项…"), QPushButton("办结选中事项")
        add.clicked.connect(self.ask_register_proxy)
        done.clicked.connect(lambda: [self.do_complete_proxy(p.id, self.today) for p in self.proxies.selected()])
        layout = QVBoxLayout(page)
        layout.addWidget(self.proxies, 3)
        layout.addLayout(button_row(add, done))
        layout.addWidget(QLabel("<b>超期未办结</b>（即办件当日、承诺件到承诺日期、其他 30 天）"))
        layout.addWidget(self.overdue_proxies, 2)
        return page

    def refresh_proxies(self) -> None:
        with self.context.store.session() as session:
            rows = proxy_services.list_proxies(session, self.village_id)
            overdue = proxy_services.overdue_proxies(session, self.village_id, today=self.today)
        late = {o.item.id for o in overdue}
        self.proxies.fill(rows, lambda p: (p.kind.label, p.applicant, p.household, p.matter, _date(p.received_date),
                                           _date(p.promised_date), _date(p.completed_date), p.handler, p.status.label,
                                           p.refusal_reason or p.notes or ""), highlight=lambda p: p.id in late)
        self.overdue_proxies.fill(overdue, lambda o: (o.item.kind.label, o.item.applicant, o.item.matter, _date(o.due),
                                                      o.days_overdue, o.reason))

    def ask_register_proxy(self) -> None:
        ProxyDialog(self, self._household_choices(), self.member_choices, self.today,
                    save=lambda form: self.do_register_proxy(form) is not None).exec()

    def do_register_proxy(self, form):
        return self._change("登记代办事项", lambda s: proxy_services.register_proxy(s, self.village_id, form, today=self.today),
                            Change.HOUSEHOLDS | Change.RECORDS)

    def do_complete_proxy(self, proxy_id: int, completed: dt.date):
        return self._change("办结代办事项", lambda s: proxy_services.complete_proxy(s, proxy_id, completed, today=self.today),
                            Change.HOUSEHOLDS | Change.RECORDS)


class VisitDialog(CheckedDialog):
    """民情日记: one visit. OK hands the visit to ``save(form)`` (the write through the operation runner,
    True when saved); when it is refused the dialog stays open with everything as typed."""

    def __init__(self, parent, member_choices, household_choices, today: dt.date, save):
        super().__init__(parent)
        self.setWindowTitle("民情日记")
        self.setMinimumWidth(460)
        self.save, self.household_choices = save, household_choices
        self.member = combo(member_choices)
        self.member.setObjectName("visitMember")
        self.household = combo(household_choices(self.member.currentData()))
        self.household.setObjectName("visitHousehold")
        self.member.currentIndexChanged.connect(self._member_changed)
        self.date = date_edit(today)
        self.date.setMaximumDate(today)  # a visit that has happened
        self.matter = QPlainTextEdit()
        self.matter.setObjectName("visitMatter")
        self.action, self.follow_up, self.feedback = QLineEdit(), QLineEdit(), QLineEdit()
        form = QFormLayout(self)
        for label, widget in (("日期", self.date), ("走访党员", self.member), ("走访农户", self.household),
                              ("民情事项", self.matter), ("办理情况", self.action), ("跟踪落实", self.follow_up),
                              ("群众反馈", self.feedback)):
            form.addRow(label, widget)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _member_changed(self) -> None:
        self.household.clear()
        for label, data in self.household_choices(self.member.currentData()):
            self.household.addItem(label, data)

    def form(self) -> visits.VisitForm:
        return visits.VisitForm(self.date.date().toPython(), self.member.currentData(), self.household.currentData(),
                                self.matter.toPlainText(), self.action.text() or None, self.follow_up.text() or None,
                                self.feedback.text() or None)

    def check(self) -> bool:
        return self.save(self.form())


class ProxyDialog(CheckedDialog):
    """事项代办: one matter registered. OK hands it to ``save(form)``; refused, the dialog stays open as typed."""

    def __init__(self, parent, household_choices, member_choices, today: dt.date, save):
        super().__init__(parent)
        self.setWindowTitle("事项代办")
        self.setMinimumWidth(460)
        self.save = save
        self.kind = combo([(k.label, k.value) for k in ProxyKind])
        self.kind.setObjectName("proxyKind")
        self.household = combo(household_choices, blank="（不是本村登记的农户）")
        self.applicant, self.matter = QLineEdit(), QPlainTextEdit()
        self.matter.setObjectName("proxyMatter")
        self.received, self.promised = date_edit(today), date_edit(today + dt.timedelta(days=7))
        self.received.setMaximumDate(today)  # received: a day that has come
        self.handler = combo(member_choices, blank="（未定）")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("不予办理时必填，写明依据")
        form = QFormLayout(self)
        for label, widget in (("类型", self.kind), ("申办农户", self.household), ("申办人", self.applicant),
                              ("事项", self.matter), ("受理日期", self.received), ("承诺办结日期（承诺件）", self.promised),
                              ("代办员", self.handler), ("不予办理的理由", self.reason)):
            form.addRow(label, widget)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def form(self) -> proxy_services.ProxyForm:
        chosen = ProxyKind(self.kind.currentData())
        return proxy_services.ProxyForm(
            chosen, self.household.currentData(), self.applicant.text(), self.matter.toPlainText(),
            self.received.date().toPython(), self.promised.date().toPython() if chosen is ProxyKind.PROMISED else None,
            None, self.handler.currentData(), self.reason.text() or None)

    def check(self) -> bool:
        return self.save(self.form())
