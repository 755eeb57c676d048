"""发展党员: every person on the way into the party, grouped by stage (入党申请人, 入党积极分子, 发展对象,
预备党员, 已转正), each with the next step and its due date (red: overdue; yellow: due within 14 days) and
the rules broken marked; beside it, the selected person's 25 steps with dates, people and rule notes.

Reads through ``services.recruitment``; every write is one operation (``ui.recruitment_dialogs``) that
announces RECRUITMENT | MEMBERS, since ⑰ makes a 预备 member and ㉔ a 正式 one.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain import recruitment as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.recruitment import STEPS, Stage, Step
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import recruitment as service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import HIGHLIGHT, RowsTable, button_row, side_by_side, vertical_panel

OVERDUE = HIGHLIGHT  # red
DUE_SOON = QColor("#fff4cc")  # yellow
CASE_ROLE = Qt.UserRole

# The five groups the clerk sees. The 细则's 预备党员接收 stage (⑫–⑱) is still a 发展对象 until ⑰ makes
# the 预备党员; ㉔ makes the 正式党员.
GROUPS = ("入党申请人", "入党积极分子", "发展对象", "预备党员", "已转正")

BREACH_LABELS = {
    rules.UNDER_18: "申请时未满18岁",
    rules.TALK_LATE: "谈话超过一个月",
    rules.ACTIVIST_SHORT: "培养不满一年",
    rules.REVIEW_GAP: "超过半年未考察",
    rules.CONTACTS_COUNT: "培养联系人人数不符",
    rules.INTRODUCERS_SHORT: "入党介绍人不足两名",
    rules.TRAINING_SHORT: "集中培训不足",
    rules.PUBLICITY_SHORT: "公示不足",
    rules.ASSEMBLY_QUORUM: "支部大会不足半数",
    rules.ASSEMBLY_VOTE: "表决未过半数",
    rules.APPROVAL_LATE: "审批超过三个月",
    rules.PROBATION_SHORT: "预备期不满一年",
    rules.PROBATION_OVERDUE: "预备期满未转正",
}


def group_of(case: service.CaseRow) -> str:
    if Step.CONFIRM_APPROVAL in case.dates:
        return GROUPS[4]
    if Step.APPROVAL in case.dates:
        return GROUPS[3]
    if case.stage in (Stage.CANDIDATE, Stage.ADMISSION):
        return GROUPS[2]
    return GROUPS[1] if case.stage is Stage.ACTIVIST else GROUPS[0]


def breach_text(codes) -> str:
    return "、".join(BREACH_LABELS.get(code, code) for code in codes)


def due_text(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return ""
    days = (due - today).days
    if days < 0:
        return f"{due.isoformat()}（已逾期 {-days} 天）"
    if days == 0:
        return f"{due.isoformat()}（今天到期）"
    return f"{due.isoformat()}（还有 {days} 天）"


class RecruitmentTab(WatchesChanges, QWidget):
    """The pipeline on the left, the selected person's 25 steps on the right."""

    watches = Change.RECRUITMENT | Change.MEMBERS | Change.VILLAGE

    COLUMNS = ("姓名", "下一步", "期限", "不符合规定")

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.cases: dict[int, service.CaseRow] = {}
        self.last_dialog = None

        self.tree = QTreeWidget()
        self.tree.setObjectName("recruitTree")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column, width in enumerate((110, 190, 190)):
            self.tree.setColumnWidth(column, width)
        self.tree.currentItemChanged.connect(lambda *_: self.show_case())
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.ask_step() if item.data(0, CASE_ROLE) else None)
        self.summary = QLabel()
        self.summary.setObjectName("recruitSummary")

        self.add_button = QPushButton("登记入党申请…")
        self.add_button.setObjectName("recruitAdd")
        self.step_button = QPushButton("办理下一步…")
        self.step_button.setObjectName("recruitStep")
        self.edit_button = QPushButton("修改步骤…")
        self.edit_button.setObjectName("recruitEdit")
        self.review_button = QPushButton("考察记录…")
        self.review_button.setObjectName("recruitReview")
        self.review_button.setToolTip("对入党积极分子每半年考察一次")
        self.add_button.clicked.connect(self.ask_add)
        self.step_button.clicked.connect(self.ask_step)
        self.edit_button.clicked.connect(self.ask_edit)
        self.review_button.clicked.connect(self.ask_review)

        note = QLabel("红色：期限已过；黄色：14 天内到期。步骤按顺序逐步登记；不符合规定而确属实际情况的，写明原因后照样登记。")
        note.setWordWrap(True)
        left = vertical_panel(self.summary, (self.tree, 1),
                              button_row(self.add_button, self.step_button, self.edit_button, self.review_button), note)

        self.heading = QLabel()
        self.heading.setObjectName("recruitHeading")
        self.heading.setWordWrap(True)
        self.steps = RowsTable(["序号", "步骤", "日期", "有关人员", "规定提示"], "recruitSteps", stretch=4)
        self.steps.setSelectionMode(RowsTable.SingleSelection)
        self.steps.setWordWrap(True)
        self.steps.doubleClicked.connect(lambda _index: self.ask_edit())
        right = vertical_panel(self.heading, (self.steps, 1))

        self.splitter = side_by_side("recruitmentSplitter", left, right, (3, 4))
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    # --- the list -------------------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.selected_case()
        with self.context.store.session() as session:
            rows = service.list_cases(session, self.village_id, self.today)
        self.cases = {row.id: row for row in rows}
        grouped: dict[str, list[service.CaseRow]] = {name: [] for name in GROUPS}
        for row in rows:
            grouped[group_of(row)].append(row)
        self.tree.blockSignals(True)
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        chosen = None
        for name in GROUPS:
            people = grouped[name]
            top = QTreeWidgetItem([f"{name}（{len(people)} 人）"])
            top.setFont(0, bold)
            top.setFlags(Qt.ItemIsEnabled)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # the group's name across the row
            for case in people:
                item = QTreeWidgetItem([case.name, case.next_step.title if case.next_step else "全部步骤已完成",
                                        due_text(case.due, self.today), breach_text(case.breaches)])
                item.setData(0, CASE_ROLE, case.id)
                if case.breaches:
                    item.setText(3, "⚠ " + item.text(3))
                    item.setForeground(3, QColor("#b00000"))
                    item.setToolTip(3, "不符合规定（已写明原因记入台账）：" + breach_text(case.breaches))
                colour = self._due_colour(case.due)
                if colour is not None:
                    for column in range(len(self.COLUMNS)):
                        item.setBackground(column, colour)
                top.addChild(item)
                if current is not None and case.id == current.id:
                    chosen = item
            top.setExpanded(True)
        self.tree.blockSignals(False)
        total = len(rows)
        counts = "，".join(f"{name} {len(grouped[name])}" for name in GROUPS)
        self.summary.setText(f"共 {total} 人：{counts}" if total else "还没有登记入党申请人。有人递交入党申请书后，按“登记入党申请…”。")
        if chosen is None:
            first = next((self.tree.topLevelItem(i).child(0) for i in range(self.tree.topLevelItemCount())
                          if self.tree.topLevelItem(i).childCount()), None)
            chosen = first
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        self.show_case()

    def _due_colour(self, due: dt.date | None) -> QColor | None:
        if due is None:
            return None
        if due < self.today:
            return OVERDUE
        if (due - self.today).days <= rules.DUE_SOON_DAYS:
            return DUE_SOON
        return None

    def selected_case(self) -> service.CaseRow | None:
        item = self.tree.currentItem()
        case_id = item.data(0, CASE_ROLE) if item is not None else None
        return self.cases.get(case_id) if case_id else None

    def select_case(self, case_id: int) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, CASE_ROLE) == case_id:
                    self.tree.setCurrentItem(top.child(j))
                    return

    def group_names(self) -> dict[str, list[str]]:
        """Each group's people as shown (for tests and a quick look)."""
        shown = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            shown[top.text(0).split("（")[0]] = [top.child(j).text(0) for j in range(top.childCount())]
        return shown

    # --- the detail -----------------------------------------------------------------------------
    def show_case(self) -> None:
        case = self.selected_case()
        self.step_button.setEnabled(case is not None and case.next_step is not None)
        self.edit_button.setEnabled(case is not None)
        self.review_button.setEnabled(case is not None and Step.ACTIVIST_NAMED in case.dates
                                      and Step.CANDIDATE_NAMED not in case.dates)
        if case is None:
            self.heading.setText("选中左边的一个人，这里列出其 25 个步骤。")
            self.steps.fill([], lambda s: ())
            return
        with self.context.store.session() as session:
            people = service.people(session, self.village_id, case.id)
            kept = service.kept_breaches(session, self.village_id, case.id)
        nxt = f"下一步：{case.next_step.title}" if case.next_step else "25 个步骤已全部完成"
        due = f"，期限 {format_cn(case.due)}" if case.due else ""
        member = "；已登记在党员名册中" if case.member_id else ""
        self.heading.setText(f"<b>{case.name}</b>　{group_of(case)}　{nxt}{due}{member}")
        notes: dict[Step, list[str]] = {}
        for breach in kept:
            notes.setdefault(breach.step, []).append(f"{breach.message}（原因：{breach.reason}）")
        named = {Step.CONTACTS: people.get(service.CONTACT, []), Step.INTRODUCERS: people.get(service.INTRODUCER, [])}

        def cells(step: Step):
            day = case.dates.get(step)
            who = "、".join(p.name + ("" if p.member_id else "（外单位）") for p in named.get(step, []))
            return (step.number, step.label, day.isoformat() if day else "", who, "；".join(notes.get(step, [])))

        self.steps.fill(list(STEPS), cells, highlight=lambda step: step in notes)
        for row, step in enumerate(STEPS):
            self.steps.item(row, 0).setTextAlignment(Qt.AlignCenter)
            if step is case.next_step:
                for column in range(5):
                    self.steps.item(row, column).setBackground(self._due_colour(case.due) or QColor("#e8f0fb"))
                self.steps.item(row, 2).setText(f"下一步{('，' + case.due.isoformat() + '前') if case.due else ''}")
            elif step not in case.dates:
                for column in range(5):
                    self.steps.item(row, column).setForeground(Qt.gray)
        self.steps.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        self.steps.resizeRowsToContents()

    # --- the writes -----------------------------------------------------------------------------
    def _after(self, dialog) -> None:
        """After a save: the person selected again, and what the clerk should know about it."""
        saved = dialog.saved
        case = getattr(dialog, "case", None)
        case_id = saved.case_id if isinstance(saved, service.Advanced) else case.id if case is not None else None
        if case_id:
            self.select_case(case_id)
        title = dialog.windowTitle()
        breaches = saved.breaches if isinstance(saved, service.Advanced) else saved if isinstance(saved, tuple) else ()
        if breaches:
            self.dialogs.info(title, "已登记。不符合规定的情况已按所写原因记入台账：\n"
                              + "\n".join(f"· {b.message}" for b in breaches))
        step = saved.step if isinstance(saved, service.Advanced) else None
        if step is rules.MEMBER_STEP:
            self.dialogs.info(title, f"{case.name}已接收为预备党员，登记在党员名册中"
                                     f"（入党日期 {format_cn(case.dates[Step.ASSEMBLY])}）。")
        elif step is rules.FULL_MEMBER_STEP:
            self.dialogs.info(title, f"{case.name}已转为正式党员，党员名册已随之改正。")

    def application_dialog(self):
        from partybuild_desktop.ui.recruitment_dialogs import ApplicationDialog

        with self.context.store.session() as session:
            groups = member_service.party_groups(session, self.village_id)
        self.last_dialog = ApplicationDialog(self.context, self.village_id, self.today, groups, self)
        return self.last_dialog

    def step_dialog(self, case=None):
        from partybuild_desktop.ui.recruitment_dialogs import StepDialog, full_members

        case = case or self.selected_case()
        if case is None or case.next_step is None:
            return None
        members = full_members(self.context, self.village_id) if case.next_step in (
            Step.CONTACTS, Step.INTRODUCERS) else []
        self.last_dialog = StepDialog(self.context, self.village_id, self.today, case, members, self)
        return self.last_dialog

    def edit_dialog(self, case=None, step: Step | None = None):
        from partybuild_desktop.ui.recruitment_dialogs import EditStepDialog

        case = case or self.selected_case()
        if case is None:
            return None
        if step is None:
            row = self.steps.currentRow()
            step = STEPS[row] if 0 <= row < len(STEPS) and STEPS[row] in case.dates else None  # the row chosen
        self.last_dialog = EditStepDialog(self.context, self.village_id, self.today, case, step, parent=self)
        return self.last_dialog

    def review_dialog(self, case=None):
        from partybuild_desktop.ui.recruitment_dialogs import ReviewDialog

        case = case or self.selected_case()
        if case is None:
            return None
        self.last_dialog = ReviewDialog(self.context, self.village_id, self.today, case, self)
        return self.last_dialog

    def ask_add(self) -> None:
        dialog = self.application_dialog()
        if dialog.exec():
            self._after(dialog)

    def ask_step(self) -> None:
        dialog = self.step_dialog()
        if dialog is None:
            self.dialogs.info("办理下一步", "请先在列表中选中一个还没有完成全部步骤的人。")
            return
        if dialog.exec():
            self._after(dialog)

    def ask_edit(self) -> None:
        dialog = self.edit_dialog()
        if dialog is None:
            self.dialogs.info("修改步骤", "请先在列表中选中一个人。")
            return
        if dialog.exec():
            self._after(dialog)

    def ask_review(self) -> None:
        case = self.selected_case()
        if case is None or Step.ACTIVIST_NAMED not in case.dates:
            self.dialogs.info("考察记录", "请先在列表中选中一名入党积极分子。")
            return
        dialog = self.review_dialog(case)
        if dialog.exec():
            self._after(dialog)
