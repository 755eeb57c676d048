"""发展党员 tab: one person taken from ① to ㉕ through the tab's dialogs (a 预备 member at ⑰ with the 支部大会
date, 正式 at ㉔, both in the member list); a broken rule shown with its message and kept only with a
reason; a refusal keeping the dialog open with nothing saved; cancel saving nothing; the groups, the due
colours and the window's tab with its open_target."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from partybuild_desktop.domain.recruitment import STEPS, TALK_LATE, Step
from partybuild_desktop.domain.vocabulary import MemberStatus, Standing
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import recruitment as service
from partybuild_desktop.store.models import AuditEntry, RecruitBreach, RecruitCase, RecruitStep
from partybuild_desktop.ui.recruitment_tab import DUE_SOON, OVERDUE, RecruitmentTab
from tests.gui.conftest import ScriptedDialogs, shown_tab
from tests.helpers import SAMPLE_TODAY, make_id, member, village

TODAY = SAMPLE_TODAY  # 2026-11-23

# The dates of one person's 25 steps, each within the rules (the talk, on purpose, is not: see below).
DATES = {
    Step.TALK: "2023-04-05",  # more than a month after 2023-03-01: kept only with a reason
    Step.ACTIVIST_NAMED: "2023-04-10", Step.ACTIVIST_FILED: "2023-04-20", Step.CONTACTS: "2023-04-25",
    Step.ACTIVIST_TRAINING: "2023-05-01", Step.CANDIDATE_NAMED: "2024-05-10", Step.CANDIDATE_FILED: "2024-05-15",
    Step.INTRODUCERS: "2024-05-20", Step.POLITICAL_REVIEW: "2024-06-01", Step.TRAINING: "2024-06-10",
    Step.COMMITTEE_REVIEW: "2024-06-20", Step.PRE_REVIEW: "2024-07-01", Step.APPLICATION_FORM: "2024-07-05",
    Step.ASSEMBLY: "2024-07-10", Step.UPPER_TALK: "2024-07-20", Step.APPROVAL: "2024-08-20",
    Step.APPROVAL_FILED: "2024-08-25", Step.PLACED: "2024-08-26", Step.OATH: "2024-09-01",
    Step.PROBATION_REVIEW: "2024-12-01", Step.CONFIRM_APPLICATION: "2025-07-01",
    Step.CONFIRM_ASSEMBLY: "2025-07-15", Step.CONFIRM_APPROVAL: "2025-08-01", Step.ARCHIVED: "2025-08-10",
}


def qdate(text: str) -> QDate:
    return QDate.fromString(text, "yyyy-MM-dd")


@pytest.fixture
def branch(store):
    with store.session() as s:
        vid = village(s, name="东湖村")
        member(s, vid, "王建国")
        member(s, vid, "李秀英")
    return store, vid


@pytest.fixture
def tab(qtbot, branch, data_folder):
    return shown_tab(qtbot, RecruitmentTab, branch[0], data_folder, today=TODAY)


def count(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def audit_count(store) -> int:
    return count(store, AuditEntry)


def the_member(store, vid, name):
    with store.session() as s:
        return next(r for r in member_service.list_members(s, vid) if r.name == name)


def apply(tab, name="张小明", applied="2023-03-01", **fields):
    dialog = tab.application_dialog()
    dialog.name.setText(name)
    dialog.id_number.setText(fields.get("id_number", make_id("19950612", 321)))
    dialog.applied.setDate(qdate(applied))
    dialog.accept()
    return dialog


def step(tab, step, **fill):
    case = tab.selected_case()
    assert case.next_step is step, (case.next_step, step)
    dialog = tab.step_dialog()
    dialog.date.setDate(qdate(DATES[step]))
    for what, value in fill.items():
        if what == "people":
            for box, text in zip(dialog.people, value):
                box.choose(text)
        elif what == "hours":
            dialog.hours.setValue(value)
        elif what == "publicity":
            dialog.publicity.setChecked(True)
            dialog.publicity_from.setDate(qdate(value[0]))
            dialog.publicity_to.setDate(qdate(value[1]))
        elif what == "reason":
            dialog.reason.setPlainText(value)
    dialog.accept()
    return dialog


def test_one_person_from_application_to_full_member(tab, branch):
    store, vid = branch
    dialog = apply(tab)
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    assert tab.group_names()["入党申请人"] == ["张小明"]
    assert tab.selected_case().name == "张小明"

    # ② a month and four days after the application: the rule is shown, nothing is written …
    before = count(store, RecruitStep), audit_count(store)
    talk = step(tab, Step.TALK)
    assert talk.result() != QDialog.Accepted and talk.asking_reason
    assert "超过了收到入党申请书" in talk.problem.text() and "写明原因" in talk.problem.text()
    assert talk.problem.isVisibleTo(talk)
    assert (count(store, RecruitStep), audit_count(store)) == before
    # … 返回修改 drops the question; OK without a reason asks again; with one, it is kept.
    talk.go_back()
    assert not talk.asking_reason and not talk.problem.isVisibleTo(talk)
    talk.accept()
    assert talk.result() != QDialog.Accepted and talk.asking_reason and talk.problem.isVisibleTo(talk)
    talk.reason.setPlainText("申请人外出务工，返乡后谈话")
    talk.accept()
    assert talk.result() == QDialog.Accepted, talk.problem.text()
    with store.session() as s:
        kept = s.execute(select(RecruitBreach.code, RecruitBreach.reason)).all()
    assert [tuple(k) for k in kept] == [(TALK_LATE, "申请人外出务工，返乡后谈话")]
    tab._after(talk)  # what ask_step does after the dialog's OK
    assert any("已按所写原因记入台账" in text for kind, _t, text in tab.dialogs.told if kind == "info")

    step(tab, Step.ACTIVIST_NAMED)
    assert tab.group_names()["入党积极分子"] == ["张小明"]
    step(tab, Step.ACTIVIST_FILED)
    contacts = step(tab, Step.CONTACTS, people=["王建国", "陈明"])
    assert contacts.result() == QDialog.Accepted, contacts.problem.text()
    step(tab, Step.ACTIVIST_TRAINING)
    for day in ("2023-10-10", "2024-04-05"):  # 考察记录, every six months
        review = tab.review_dialog()
        review.date.setDate(qdate(day))
        review.note.setPlainText("表现良好")
        review.accept()
        assert review.result() == QDialog.Accepted, review.problem.text()
    assert step(tab, Step.CANDIDATE_NAMED).result() == QDialog.Accepted
    assert tab.group_names()["发展对象"] == ["张小明"]
    step(tab, Step.CANDIDATE_FILED)
    assert step(tab, Step.INTRODUCERS, people=["王建国", "李秀英"]).result() == QDialog.Accepted
    step(tab, Step.POLITICAL_REVIEW)
    assert step(tab, Step.TRAINING, hours=24).result() == QDialog.Accepted
    assert step(tab, Step.COMMITTEE_REVIEW, publicity=("2024-06-21", "2024-06-28")).result() == QDialog.Accepted
    pre = tab.step_dialog()
    pre.publicity.setChecked(False)  # the 公示 was entered at ⑫
    pre.date.setDate(qdate(DATES[Step.PRE_REVIEW]))
    pre.accept()
    assert pre.result() == QDialog.Accepted, pre.problem.text()
    for s in (Step.APPLICATION_FORM, Step.ASSEMBLY, Step.UPPER_TALK):
        assert step(tab, s).result() == QDialog.Accepted
    assert not any(r.name == "张小明" for r in _members(store, vid))

    approval = step(tab, Step.APPROVAL)
    assert approval.result() == QDialog.Accepted, approval.problem.text()
    reserve = the_member(store, vid, "张小明")
    assert reserve.status is MemberStatus.PROBATIONARY and reserve.joined_date == dt.date(2024, 7, 10)
    assert tab.group_names()["预备党员"] == ["张小明"]
    tab._after(approval)
    assert any("接收为预备党员" in text for _k, _t, text in tab.dialogs.told)

    for s in STEPS[STEPS.index(Step.APPROVAL_FILED):STEPS.index(Step.CONFIRM_APPROVAL) + 1]:
        done = step(tab, s)
        assert done.result() == QDialog.Accepted, (s, done.problem.text())
    full = the_member(store, vid, "张小明")
    assert full.status is MemberStatus.FULL
    assert tab.group_names()["已转正"] == ["张小明"]
    step(tab, Step.ARCHIVED)
    case = tab.selected_case()
    assert case.next_step is None and not tab.step_button.isEnabled()

    # The detail panel: 25 steps with their dates, the people and the rule kept with its reason.
    lines = tab.steps.texts()
    assert len(lines) == 25 and lines[0][2] == "2023-03-01" and lines[24][2] == "2025-08-10"
    assert lines[16][:2] == ["17", "上级党委审批"]
    assert lines[4][3] == "王建国、陈明（外单位）"
    assert lines[8][3] == "王建国、李秀英"
    assert "原因：申请人外出务工，返乡后谈话" in lines[1][4]
    assert "⚠" in tab.tree.topLevelItem(4).child(0).text(3)


def _members(store, vid):
    with store.session() as s:
        return member_service.list_members(s, vid)


def test_a_refusal_keeps_the_dialog_open_and_saves_nothing(tab, branch):
    store, vid = branch
    nameless = apply(tab, name="")
    assert nameless.result() != QDialog.Accepted and "姓名" in nameless.problem.text()
    assert nameless.problem.isVisibleTo(nameless)
    assert count(store, RecruitCase) == 0 and audit_count(store) == 0
    assert apply(tab).result() == QDialog.Accepted
    before = count(store, RecruitStep), audit_count(store)
    talk = tab.step_dialog()
    talk.date.setDate(qdate("2023-02-01"))  # before the application
    talk.note.setText("谈话人：王书记")
    talk.accept()
    assert talk.result() != QDialog.Accepted
    assert "日期先后不对" in talk.problem.text() and not talk.asking_reason  # no reason keeps a date out of order
    assert talk.problem.isVisibleTo(talk)
    assert talk.note.text() == "谈话人：王书记"  # as typed
    assert (count(store, RecruitStep), audit_count(store)) == before
    # A member who is not 正式 cannot be a 培养联系人: refused by the service, shown in the dialog.
    with store.session() as s:
        service.advance(s, vid, tab.selected_case().id, service.StepForm(Step.TALK, dt.date(2023, 3, 20)), today=TODAY)
        service.advance(s, vid, tab.selected_case().id, service.StepForm(Step.ACTIVIST_NAMED, dt.date(2023, 4, 1)),
                        today=TODAY)
        service.advance(s, vid, tab.selected_case().id, service.StepForm(Step.ACTIVIST_FILED, dt.date(2023, 4, 2)),
                        today=TODAY)
        member(s, vid, "赵预备", standing=Standing.PROBATIONARY)
    tab.refresh()
    contacts = tab.step_dialog()
    assert contacts.step is Step.CONTACTS
    assert contacts.people[0].findText("赵预备") < 0  # only 正式 members are offered
    contacts.people[0].setEditText("赵预备")
    contacts.date.setDate(qdate("2023-04-03"))
    before = count(store, RecruitStep), audit_count(store)
    contacts.accept()
    assert contacts.result() != QDialog.Accepted and "不是在册的正式党员" in contacts.problem.text()
    assert contacts.problem.isVisibleTo(contacts)
    assert (count(store, RecruitStep), audit_count(store)) == before


def test_cancel_saves_nothing(qtbot, tab, branch):
    store, _vid = branch

    def fill_and_cancel():
        dialog = tab.last_dialog
        dialog.name.setText("钱多多")
        dialog.reject()

    QTimer.singleShot(0, fill_and_cancel)
    qtbot.mouseClick(tab.add_button, Qt.LeftButton)
    assert count(store, RecruitCase) == 0 and audit_count(store) == 0
    assert apply(tab).result() == QDialog.Accepted
    audits = audit_count(store)
    QTimer.singleShot(0, lambda: (tab.last_dialog.date.setDate(qdate("2023-03-10")), tab.last_dialog.reject()))
    tab.ask_step()
    edit = tab.edit_dialog()
    edit.date.setDate(qdate("2023-03-05"))
    edit.reject()
    assert count(store, RecruitStep) == 1 and audit_count(store) == audits
    assert tab.selected_case().dates == {Step.APPLICATION: dt.date(2023, 3, 1)}


def test_groups_and_due_colours_and_the_window_tab(qtbot, branch, data_folder):
    store, vid = branch
    with store.session() as s:
        late = service.create_case(s, vid, service.CaseForm("逾期甲", dt.date(2026, 9, 1)), today=TODAY).case_id
        soon = service.create_case(s, vid, service.CaseForm("将到乙", dt.date(2026, 11, 1)), today=TODAY).case_id
        service.create_case(s, vid, service.CaseForm("刚交丙", dt.date(2026, 11, 20)), today=TODAY)
    tab = shown_tab(qtbot, RecruitmentTab, store, data_folder, today=TODAY)
    groups = tab.group_names()
    assert groups["入党申请人"] == ["逾期甲", "将到乙", "刚交丙"] and groups["预备党员"] == []
    top = tab.tree.topLevelItem(0)
    colours = {top.child(i).text(0): top.child(i).background(2).color() for i in range(top.childCount())}
    assert colours["逾期甲"] == OVERDUE and colours["将到乙"] == DUE_SOON
    assert colours["刚交丙"] not in (OVERDUE, DUE_SOON)
    assert "已逾期" in top.child(0).text(2) and top.child(1).text(1) == "第2步党组织派人谈话"
    tab.select_case(late)
    assert tab.selected_case().id == late and not tab.review_button.isEnabled()

    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow

    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(store, data_folder))
    window.open_target("recruitment")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "发展党员"
    shown = window.recruitment_tab
    assert isinstance(shown, RecruitmentTab) and "逾期甲" in shown.group_names()["入党申请人"]
    assert soon in shown.cases
