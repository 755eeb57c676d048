"""The dialogs of 发展党员: 登记入党申请 (①), 办理下一步 (the next step, asking only what it needs), 修改步骤
(a step done: its date, people, training, 公示 and note) and 考察记录 (an activist's six-monthly review).

Each dialog collects; OK runs ONE operation through the runner (``services.recruitment`` checks and
writes). A refusal keeps the dialog open with what was typed and the service's Chinese message. When the
refusal is a rule broken (a breach a reason can keep), the rule's message is shown with a 原因 box: the
clerk writes why and presses OK again to keep it, or presses 返回修改 to correct the dates instead.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.recruitment import STEPS, Step
from partybuild_desktop.domain.vocabulary import Gender, MemberStatus
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import recruitment as service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.recruitment import CaseForm, Person, RecruitError, StepForm
from partybuild_desktop.ui.checked import CheckedDialog, Told
from partybuild_desktop.ui.widgets import date_edit

# ⑰ makes a member and ㉔ confirms one: every write of this tab may change the member list too.
CHANGES = Change.RECRUITMENT | Change.MEMBERS
NO_DATE = QDate(1900, 1, 1)  # a date field left blank shows “未填”


def run_recruitment(context, title: str, work, initiator=None):
    """``work(session)`` as one operation announcing RECRUITMENT | MEMBERS. Returns (outcome, the
    RecruitError that refused it or None, the message the runner gave)."""
    caught: dict[str, RecruitError] = {}

    def wrapped(session):
        try:
            return work(session)
        except RecruitError as error:
            caught["error"] = error
            raise

    told = Told()
    outcome = context.operations.run(title, wrapped, CHANGES, dialogs=told, initiator=initiator)
    return outcome, caught.get("error"), told.message


def full_members(context, village_id: int) -> list[tuple[str, int]]:
    """(shown name, member id) of the village's 正式 members, for 培养联系人 and 入党介绍人; a name two
    members share carries the 编号."""
    with context.store.session() as session:
        rows = [r for r in member_service.list_members(session, village_id, include_archived=False)
                if r.status is MemberStatus.FULL]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.name] = counts.get(r.name, 0) + 1
    return [(r.name if counts[r.name] == 1 else f"{r.name}（编号 {r.id}）", r.id) for r in rows]


class PersonBox(QComboBox):
    """A member picked from the list, or the name of someone from elsewhere typed in."""

    def __init__(self, choices: list[tuple[str, int]], name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setEditable(True)
        self.addItem("", None)
        for label, member_id in choices:
            self.addItem(label, member_id)
        self.setCurrentIndex(0)
        self.lineEdit().setPlaceholderText("选本村正式党员，外单位的可直接写姓名")

    def person(self) -> Person | None:
        text = self.currentText().strip()
        if not text:
            return None
        index = self.findText(text)
        if index > 0:
            return Person(member_id=self.itemData(index))
        return Person(text)

    def choose(self, text: str) -> None:
        index = self.findText(text)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(text)


def _date_field(value: dt.date, today: dt.date, name: str) -> QDateEdit:
    edit = date_edit(value)
    edit.setObjectName(name)
    edit.setMaximumDate(QDate(today))
    return edit


class _RuleDialog(CheckedDialog):
    """A form with, below it, the reason a broken rule is kept with (shown only once a rule is broken)."""

    def __init__(self, title: str, context, village_id: int, today: dt.date, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.context, self.village_id, self.today = context, village_id, today
        self.saved = None
        self.form_layout = QFormLayout(self)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("recruitReason")
        self.reason.setPlaceholderText("确属实际情况的，写明原因（例如：经镇党委同意延后）；原因会一并记入台账")
        self.reason.setFixedHeight(self.fontMetrics().height() * 4)
        self.back = QPushButton("返回修改")
        self.back.setObjectName("recruitBack")
        self.back.setToolTip("不保留这项不符合规定的情况：回到上面改正日期或人员")
        self.back.clicked.connect(self.go_back)
        self.reason_row = QWidget()
        row = QHBoxLayout(self.reason_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.reason, 1)
        row.addWidget(self.back)

    def finish_layout(self) -> None:
        self.form_layout.addRow(self.problem)
        self.form_layout.addRow("原因", self.reason_row)
        self.form_layout.setRowVisible(self.reason_row, False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form_layout.addRow(self.buttons)

    @property
    def asking_reason(self) -> bool:
        return self.reason_row.isVisibleTo(self)

    def given_reason(self) -> str | None:
        text = self.reason.toPlainText().strip()
        return text if self.asking_reason and text else None

    def go_back(self) -> None:
        self.reason.clear()
        self.form_layout.setRowVisible(self.reason_row, False)
        self.problem.hide()

    def save(self, title: str, work) -> bool:
        """Run ``work`` as one operation. A refusal is raised as a Refusal, which the dialog shows and
        stays open with; on a breach a reason can keep, the 原因 box is shown too."""
        outcome, error, message = run_recruitment(self.context, title, work, initiator=self)
        if outcome.ok:
            self.saved = outcome.value
            return True
        if error is not None and error.keepable:
            self.form_layout.setRowVisible(self.reason_row, True)
            self.reason.setFocus()
            rules = "\n".join(f"· {b.message}" for b in error.breaches)
            raise Refusal(f"不符合规定，没有保存：\n{rules}\n确属实际情况的，请在下面写明原因后按“确定”照样登记"
                          "（原因记入台账）；否则按“返回修改”改正。")
        raise Refusal(message or "没有保存。")  # shown in the dialog, which stays open as typed

    def check(self) -> bool | None:
        return self.write()

    def write(self) -> bool:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------- ①


class ApplicationDialog(_RuleDialog):
    """登记入党申请: the applicant and the day the application was handed in (① 递交入党申请书)."""

    def __init__(self, context, village_id: int, today: dt.date, groups, parent=None):
        super().__init__("登记入党申请", context, village_id, today, parent)
        self.name = QLineEdit()
        self.name.setObjectName("recruitName")
        self.id_number = QLineEdit()
        self.id_number.setObjectName("recruitIdNumber")
        self.id_number.setPlaceholderText("18 位；填了可不填性别和出生日期")
        self.gender = QComboBox()
        self.gender.setObjectName("recruitGender")
        self.gender.addItem("", None)
        for gender in Gender:
            self.gender.addItem(gender.label, gender)
        self.birth = date_edit(NO_DATE.toPython())
        self.birth.setObjectName("recruitBirth")
        self.birth.setMinimumDate(NO_DATE)
        self.birth.setSpecialValueText("未填")
        self.birth.setMaximumDate(QDate(today))
        self.group = QComboBox()
        self.group.setObjectName("recruitGroup")
        self.group.addItem("（暂不确定）", None)
        for choice in groups:
            self.group.addItem(choice.name, choice.id)
        self.applied = _date_field(today, today, "recruitApplied")
        self.notes = QLineEdit()
        self.notes.setObjectName("recruitNotes")
        self.form_layout.addRow(QLabel("第1步：递交入党申请书。年满 18 周岁方可申请；党组织应在一个月内派人谈话。"))
        for label, widget in (("姓名", self.name), ("身份证号", self.id_number), ("性别", self.gender),
                              ("出生日期", self.birth), ("拟编入党小组", self.group),
                              ("递交入党申请书日期", self.applied), ("备注", self.notes)):
            self.form_layout.addRow(label, widget)
        self.finish_layout()

    def form(self) -> CaseForm:
        birth = self.birth.date()
        return CaseForm(name=self.name.text(), applied=self.applied.date().toPython(),
                        gender=self.gender.currentData(), id_number=self.id_number.text().strip() or None,
                        birth_date=None if birth == NO_DATE else birth.toPython(),
                        party_group_id=self.group.currentData(), notes=self.notes.text() or None,
                        reason=self.given_reason())

    def write(self) -> bool:
        form, village_id, today = self.form(), self.village_id, self.today
        name = form.name.strip() or "未填姓名"
        return self.save(f"登记入党申请人（{name}）",
                         lambda s: service.create_case(s, village_id, form, today=today))


# ---------------------------------------------------------------------------------------- the next step


STEP_HINTS = {
    Step.TALK: "收到入党申请书后一个月内派人谈话。说明中可写谈话人。",
    Step.CONTACTS: "指定一至两名正式党员作培养联系人。",
    Step.ACTIVIST_TRAINING: "确定为入党积极分子后的培养教育考察；每半年考察一次请用“考察记录…”登记。",
    Step.CANDIDATE_NAMED: "经过一年以上培养教育和考察，方可确定为发展对象。",
    Step.INTRODUCERS: "两名正式党员作入党介绍人。",
    Step.TRAINING: "集中培训不少于 3 天或 24 学时。",
    Step.COMMITTEE_REVIEW: "支部委员会审查后对发展对象进行公示；公示日期可在这里填，也可在预审时填。",
    Step.PRE_REVIEW: "预审前公示不少于规定的工作日数（公示日期已在支委会审查时填写的，可不再填）。",
    Step.ASSEMBLY: "支部党员大会讨论接收预备党员：到会有表决权的党员超过应到的半数，赞成票超过应到的半数。",
    Step.APPROVAL: "上级党委在支部大会后三个月内审批。审批后即登记为预备党员（入党日期为支部大会日期），"
                   "出现在党员名册中。",
    Step.CONFIRM_ASSEMBLY: "预备期满一年（从支部大会通过之日算起）后讨论转正。",
    Step.CONFIRM_APPROVAL: "上级党委在支部大会后三个月内审批转正；审批后党员名册中即为正式党员。",
}


class StepDialog(_RuleDialog):
    """办理下一步: the case's next step with its date and only what that step needs."""

    def __init__(self, context, village_id: int, today: dt.date, case, members: list[tuple[str, int]], parent=None):
        super().__init__(f"办理下一步：{case.name}", context, village_id, today, parent)
        self.case = case
        self.step: Step = case.next_step
        self.date = _date_field(today, today, "recruitStepDate")
        heading = QLabel(f"<b>{self.step.title}</b>（{self.step.stage.label}阶段）")
        heading.setObjectName("recruitStepTitle")
        self.form_layout.addRow(heading)
        hint = STEP_HINTS.get(self.step)
        if hint:
            label = QLabel(hint)
            label.setWordWrap(True)
            self.form_layout.addRow(label)
        self.form_layout.addRow("日期", self.date)
        self.people: list[PersonBox] = []
        if self.step in (Step.CONTACTS, Step.INTRODUCERS):
            what = "培养联系人" if self.step is Step.CONTACTS else "入党介绍人"
            for number in (1, 2):
                box = PersonBox(members, f"recruitPerson{number}")
                self.people.append(box)
                self.form_layout.addRow(f"{what}{'一二'[number - 1]}", box)
        self.hours = self.days = None
        if self.step is Step.TRAINING:
            self.hours = QDoubleSpinBox()
            self.hours.setObjectName("recruitHours")
            self.hours.setRange(0, 1000)
            self.hours.setDecimals(1)
            self.hours.setSuffix(" 学时")
            self.days = QDoubleSpinBox()
            self.days.setObjectName("recruitDays")
            self.days.setRange(0, 100)
            self.days.setDecimals(1)
            self.days.setSuffix(" 天")
            self.form_layout.addRow("培训学时", self.hours)
            self.form_layout.addRow("培训天数", self.days)
        self.publicity = self.publicity_from = self.publicity_to = None
        if self.step in (Step.COMMITTEE_REVIEW, Step.PRE_REVIEW):
            self.publicity = QCheckBox("填写公示日期")
            self.publicity.setObjectName("recruitPublicity")
            self.publicity.setChecked(False)  # ⑬: usually entered at ⑫ already; the service says when it is missing
            self.publicity_from = _date_field(today, today, "recruitPublicityFrom")
            self.publicity_to = _date_field(today, today, "recruitPublicityTo")
            span = QWidget()
            row = QHBoxLayout(span)
            row.setContentsMargins(0, 0, 0, 0)
            for widget in (self.publicity, self.publicity_from, QLabel("至"), self.publicity_to):
                row.addWidget(widget)
            row.addStretch()
            self.publicity.toggled.connect(self._publicity_shown)
            self._publicity_shown(self.publicity.isChecked())
            self.form_layout.addRow("公示", span)
        self.note = QLineEdit()
        self.note.setObjectName("recruitNote")
        self.note.setPlaceholderText("谈话人、审查意见、会议情况等（可不填）")
        self.form_layout.addRow("说明", self.note)
        self.finish_layout()

    def _publicity_shown(self, on: bool) -> None:
        self.publicity_from.setEnabled(on)
        self.publicity_to.setEnabled(on)

    def form(self) -> StepForm:
        form = StepForm(self.step, self.date.date().toPython(), reason=self.given_reason(),
                        note=self.note.text().strip() or None)
        if self.step is Step.CONTACTS:
            form.contacts = [p for p in (box.person() for box in self.people) if p]
        elif self.step is Step.INTRODUCERS:
            form.introducers = [p for p in (box.person() for box in self.people) if p]
        elif self.step is Step.TRAINING:
            form.training_hours = self.hours.value() or None
            form.training_days = self.days.value() or None
        elif self.publicity is not None and self.publicity.isChecked():
            form.publicity_start = self.publicity_from.date().toPython()
            form.publicity_end = self.publicity_to.date().toPython()
        return form

    def write(self) -> bool:
        form, village_id, today, case_id = self.form(), self.village_id, self.today, self.case.id
        return self.save(f"登记发展党员步骤（{self.case.name}：{self.step.title}）",
                         lambda s: service.advance(s, village_id, case_id, form, today=today))


# ---------------------------------------------------------------------------------------- 修改步骤


def _spin(name: str, suffix: str, top: int) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setObjectName(name)
    box.setRange(0, top)
    box.setDecimals(1)
    box.setSuffix(suffix)
    return box


class EditStepDialog(_RuleDialog):
    """修改步骤: correct a step done — its date, and what it recorded: the 培养联系人 (⑤), the 入党介绍人
    (⑨), the training (⑪), the 公示 (⑫/⑬) and the note. Only what the chosen step holds is shown; only
    what was changed is sent, and the order and the rules it bears on are checked again."""

    def __init__(self, context, village_id: int, today: dt.date, case, step: Step | None = None,
                 members: list[tuple[str, int]] | None = None, parent=None):
        super().__init__(f"修改步骤：{case.name}", context, village_id, today, parent)
        self.case = case
        with context.store.session() as session:
            self.recorded = service.people(session, village_id, case.id)
            [self.sheet] = service.ledger(session, village_id, today, [case.id])
        members = members if members is not None else full_members(context, village_id)
        self.step_box = QComboBox()
        self.step_box.setObjectName("recruitEditStep")
        done = [s for s in STEPS if s in case.dates]
        for s in done:
            self.step_box.addItem(f"{s.title}（{format_cn(case.dates[s])}）", s)
        chosen = step if step in case.dates else done[-1]
        self.date = _date_field(case.dates[chosen], today, "recruitEditDate")
        note = QLabel("改后重新核对先后顺序和有关规定；接收预备党员的支部大会日期改了，党员名册中的入党日期随之改正。")
        note.setWordWrap(True)
        self.form_layout.addRow(note)
        self.form_layout.addRow("步骤", self.step_box)
        self.form_layout.addRow("日期", self.date)
        self.people = [PersonBox(members, f"recruitEditPerson{n}") for n in (1, 2)]
        self.people_labels = [QLabel(), QLabel()]
        for label, box in zip(self.people_labels, self.people):
            self.form_layout.addRow(label, box)
        self.hours = _spin("recruitEditHours", " 学时", 1000)
        self.days = _spin("recruitEditDays", " 天", 100)
        self.form_layout.addRow("培训学时", self.hours)
        self.form_layout.addRow("培训天数", self.days)
        self.publicity_from = _date_field(self.sheet.publicity_start or today, today, "recruitEditPublicityFrom")
        self.publicity_to = _date_field(self.sheet.publicity_end or today, today, "recruitEditPublicityTo")
        self.publicity_span = QWidget()
        row = QHBoxLayout(self.publicity_span)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.publicity_from, QLabel("至"), self.publicity_to):
            row.addWidget(widget)
        row.addStretch()
        self.form_layout.addRow("公示", self.publicity_span)
        self.note = QLineEdit()
        self.note.setObjectName("recruitEditNote")
        self.form_layout.addRow("说明", self.note)
        self.finish_layout()
        self.step_box.currentIndexChanged.connect(lambda _i: self.show_step())
        self.step_box.setCurrentIndex(self.step_box.findData(chosen))
        self.show_step()

    @property
    def step(self) -> Step:
        return Step(self.step_box.currentData())  # the combo box hands the code back as a plain str

    def _role(self) -> str | None:
        return {Step.CONTACTS: service.CONTACT, Step.INTRODUCERS: service.INTRODUCER}.get(self.step)

    def show_step(self) -> None:
        """The chosen step's date and what it holds, as recorded."""
        step, sheet = self.step, self.sheet
        self.date.setDate(QDate(self.case.dates[step]))
        role = self._role()
        what = "培养联系人" if step is Step.CONTACTS else "入党介绍人"
        recorded = self.recorded.get(role, []) if role else []
        for number, (label, box) in enumerate(zip(self.people_labels, self.people)):
            label.setText(f"{what}{'一二'[number]}")
            self.form_layout.setRowVisible(box, role is not None)
            box.setCurrentIndex(0)
            if number < len(recorded):
                person = recorded[number]
                index = box.findData(person.member_id) if person.member_id is not None else -1
                if index > 0:
                    box.setCurrentIndex(index)
                else:
                    box.choose(person.name)
        training = step is Step.TRAINING
        self.hours.setValue(sheet.training_hours or 0)
        self.days.setValue(sheet.training_days or 0)
        self.form_layout.setRowVisible(self.hours, training)
        self.form_layout.setRowVisible(self.days, training)
        publicity = step in (Step.COMMITTEE_REVIEW, Step.PRE_REVIEW)
        self.form_layout.setRowVisible(self.publicity_span, publicity)
        if sheet.publicity_start and sheet.publicity_end:
            self.publicity_from.setDate(QDate(sheet.publicity_start))
            self.publicity_to.setDate(QDate(sheet.publicity_end))
        self.note.setText(sheet.step_notes.get(step, ""))
        self.go_back()

    def edit(self) -> service.StepEdit:
        """What was changed, and only that."""
        step, sheet = self.step, self.sheet
        edit = service.StepEdit(step, reason=self.given_reason())
        day = self.date.date().toPython()
        if day != self.case.dates[step]:
            edit.date = day
        role = self._role()
        if role is not None:
            people = [p for p in (box.person() for box in self.people) if p]
            before = self.recorded.get(role, [])
            same = [(p.member_id, p.name if p.member_id is None else None) for p in people] == [
                (p.member_id, p.name if p.member_id is None else None) for p in before]
            if not same:
                setattr(edit, "contacts" if step is Step.CONTACTS else "introducers", people)
        if step is Step.TRAINING:
            if self.hours.value() != (sheet.training_hours or 0):
                edit.training_hours = self.hours.value()
            if self.days.value() != (sheet.training_days or 0):
                edit.training_days = self.days.value()
        if step in (Step.COMMITTEE_REVIEW, Step.PRE_REVIEW):
            start, end = self.publicity_from.date().toPython(), self.publicity_to.date().toPython()
            if (start, end) != (sheet.publicity_start, sheet.publicity_end):
                edit.publicity_start, edit.publicity_end = start, end
        note = self.note.text().strip()
        if note != sheet.step_notes.get(step, ""):
            edit.note = note
        return edit

    def write(self) -> bool:
        edit = self.edit()
        if not edit.changes_anything:
            raise Refusal("没有改动任何内容。要改哪一项，请先改好再按“确定”；不改请按“取消”。")
        village_id, today, case_id = self.village_id, self.today, self.case.id
        return self.save(f"改正发展党员步骤（{self.case.name}：{edit.step.title}）",
                         lambda s: service.edit_step(s, village_id, case_id, edit, today=today))


# ---------------------------------------------------------------------------------------- 考察记录


class ReviewDialog(_RuleDialog):
    """考察记录: one six-monthly 考察 of an activist (from ③ on)."""

    def __init__(self, context, village_id: int, today: dt.date, case, parent=None):
        super().__init__(f"考察记录：{case.name}", context, village_id, today, parent)
        self.case = case
        self.date = _date_field(today, today, "recruitReviewDate")
        self.note = QPlainTextEdit()
        self.note.setObjectName("recruitReviewNote")
        self.note.setPlaceholderText("考察意见：思想、学习、工作表现等")
        self.note.setFixedHeight(self.fontMetrics().height() * 5)
        label = QLabel("党支部每半年对入党积极分子考察一次；超过半年没有考察的，确定发展对象时会提示。")
        label.setWordWrap(True)
        self.form_layout.addRow(label)
        self.form_layout.addRow("考察日期", self.date)
        self.form_layout.addRow("考察意见", self.note)
        self.finish_layout()

    def write(self) -> bool:
        day, note = self.date.date().toPython(), self.note.toPlainText().strip() or None
        village_id, today, case_id = self.village_id, self.today, self.case.id
        return self.save(f"登记入党积极分子考察（{self.case.name}）",
                         lambda s: service.add_review(s, village_id, case_id, day, note, today=today))
