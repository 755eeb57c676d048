"""党费: a member assessed (3000.00 元 → 15.00 a month), three months paid and seen in the grid and the
totals; refusals keep a dialog open with its message and save nothing; cancel saves nothing; 按月收缴
records everyone who owes the month and says how many; a month undone; 只看欠交 and the search."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.dues import DuesKind
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services import dues as dues_service
from partybuild_desktop.store.models import DuesAssessment, DuesPayment
from partybuild_desktop.ui import dues_dialogs
from partybuild_desktop.ui.dues_tab import (
    ARREARS,
    BASE,
    DUE,
    FIRST_MONTH,
    KIND,
    MONTHLY,
    NOT_OWED,
    PAID,
    RUN,
    SERIOUS,
    UNPAID,
    DuesTab,
)
from tests.gui.conftest import ScriptedDialogs, shown_tab
from tests.helpers import group, member, village

TODAY = dt.date(2026, 11, 23)
FARMERS = ("李四", "王五", "赵六", "孙七")


@pytest.fixture
def branch(store):
    """One employed member (张三) and four farmers in two party groups; no dues recorded yet."""
    with store.session() as session:
        village_id = village(session)
        groups = [group(session, village_id, "第1党小组", "1组"), group(session, village_id, "第2党小组", "2组")]
        ids = {"张三": member(session, village_id, "张三", category=MemberCategory.EMPLOYED, party_group_id=groups[0])}
        for i, name in enumerate(FARMERS):
            ids[name] = member(session, village_id, name, party_group_id=groups[i % 2])
    return {"village": village_id, "members": ids}


@pytest.fixture
def dialogs():
    return ScriptedDialogs()


@pytest.fixture
def tab(qtbot, store, data_folder, branch, dialogs):
    return shown_tab(qtbot, DuesTab, store, data_folder, TODAY, dialogs)


def cell(tab, name, column, role=None):
    from PySide6.QtCore import Qt

    row = next(i for i, r in enumerate(tab.model.visible) if r.name == name)
    return tab.model.index(row, column).data(role if role is not None else Qt.DisplayRole)


def background(tab, name, column):
    from PySide6.QtCore import Qt

    return cell(tab, name, column, Qt.BackgroundRole)


def payments(store, member_id=None):
    with store.session() as session:
        query = select(func.count(DuesPayment.id))
        if member_id is not None:
            query = query.where(DuesPayment.member_id == member_id)
        return session.scalar(query)


def assessments(store):
    with store.session() as session:
        return session.scalar(select(func.count(DuesAssessment.id)))


def opened(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def assess_zhang(qtbot, tab, base="3000"):
    assert tab.select(tab.model.visible[0].member_id)
    dialog = opened(qtbot, tab.assess_dialog())
    dialog.kind.setCurrentIndex(dialog.kind.findData(DuesKind.EMPLOYED.value))
    dialog.base.setText(base)
    dialog.from_month.setDate(dt.date(2026, 1, 1))
    return dialog


def test_assess_pay_three_months_and_see_cells_and_totals(qtbot, tab, store, branch, dialogs):
    assert tab.model.visible[0].name == "张三" and len(tab.model.visible) == 5
    assert "还没有党费记录" in tab.summary.text()
    assert cell(tab, "张三", FIRST_MONTH) == "—"  # nothing owed before the village keeps dues here

    dialog = assess_zhang(qtbot, tab)
    assert dialog.amount.text() == "15.00" and dialog.amount.isReadOnly()  # worked out as typed
    assert "3000.00 元 × 0.5%" in dialog.rule.text() and "15.00" in dialog.rule.text()
    dialog.base.setText("5000.01")
    assert dialog.amount.text() == "75.00"  # 1.5 %
    dialog.base.setText("3000.00")
    dialog.accept()
    assert dialog.result() and dialog.warnings == []
    assert cell(tab, "张三", KIND) == "在职" and cell(tab, "张三", MONTHLY) == "15.00"
    assert cell(tab, "张三", BASE) == "3000.00"
    assert tab.view.isColumnHidden(BASE)  # an income: shown only when asked for
    tab.show_base.setChecked(True)
    assert not tab.view.isColumnHidden(BASE)
    tab.show_base.setChecked(False)

    assert tab.select_month(branch["members"]["张三"], 1)
    pay = opened(qtbot, tab.pay_dialog())
    assert pay.first.currentData() == 1
    pay.last.setCurrentIndex(2)  # 1月 to 3月
    assert pay.amount.text() == "45.00" and "3 个月应交 45.00 元" in pay.owed.text()
    pay.paid_on.setDate(dt.date(2026, 3, 10))
    pay.collector.setText("王会计")
    pay.receipt.setText("0012")
    pay.accept()
    assert pay.result() and pay.warnings == []
    assert [cell(tab, "张三", FIRST_MONTH + m) for m in range(4)] == ["15.00", "15.00", "15.00", ""]
    assert background(tab, "张三", FIRST_MONTH + 3) == UNPAID  # 4月 owed, not paid: red
    assert cell(tab, "张三", FIRST_MONTH + 11) == ""  # 12月: after 算到 (11月), blank
    assert cell(tab, "张三", DUE) == "165.00" and cell(tab, "张三", PAID) == "45.00"
    assert cell(tab, "张三", ARREARS) == "8" and cell(tab, "张三", RUN) == "8"
    assert background(tab, "张三", RUN) == SERIOUS
    with store.session() as session:
        row = session.scalars(select(DuesPayment).order_by(DuesPayment.month)).first()
        assert (row.amount_fen, row.collector, row.receipt_no, row.method) == (1500, "王会计", "0012", "quarterly")
    # Farmers owe the village's amount from the month dues began to be kept.
    assert cell(tab, "李四", KIND) == "农民" and cell(tab, "李四", MONTHLY) == "0.50"
    assert cell(tab, "李四", DUE) == "5.50" and background(tab, "李四", FIRST_MONTH) == UNPAID

    tab.as_of.setCurrentIndex(2)  # 算到 3月: 张三 owes nothing more
    assert cell(tab, "张三", DUE) == "45.00" and cell(tab, "张三", ARREARS) in ("", "0")
    assert "算到2026年3月应交" in tab.summary.text()

    tab.view.clearSelection()
    text = tab.copy_all()
    assert text.splitlines()[0].split("\t")[:4] == ["姓名", "党小组", "类别", "月缴纳额"]  # no 缴费基数
    assert "3000.00" not in text and text.splitlines()[1].startswith("张三\t第1党小组\t在职\t15.00\t15.00")


def test_paying_off_the_rule_and_a_make_up_are_warned_about(qtbot, tab, store, branch, dialogs, monkeypatch):
    dialog = assess_zhang(qtbot, tab)
    dialog.accept()
    tab.select_month(branch["members"]["张三"], 2)

    def fill(pay):
        pay.amount.setText("10")
        pay.paid_on.setDate(dt.date(2026, 11, 20))
        pay.accept()
        return pay.result()

    monkeypatch.setattr(dues_dialogs.PaymentDialog, "exec", fill)
    tab.ask_pay()
    told = dialogs.told[-1]
    assert told[0] == "info" and "已保存" in told[2] and "应交 15.00 元" in told[2]
    assert "补交一般不超过 6 个月" in told[2]
    assert cell(tab, "张三", FIRST_MONTH + 1) == "10.00"


def test_a_refusal_keeps_the_dialog_open_with_its_message_and_saves_nothing(qtbot, tab, store, branch):
    dialog = assess_zhang(qtbot, tab)
    dialog.accept()
    assert payments(store) == 0 and assessments(store) == 1

    tab.select_month(branch["members"]["张三"], 1)
    pay = opened(qtbot, tab.pay_dialog())
    pay.amount.setText("十五块")
    pay.accept()
    assert pay.isVisible() and not pay.problem.isHidden() and "不是金额" in pay.problem.text()
    assert payments(store) == 0

    pay.amount.setText("15")
    pay.accept()
    assert pay.result() and payments(store) == 1
    again = opened(qtbot, tab.pay_dialog())
    again.first.setCurrentIndex(0)
    again.last.setCurrentIndex(1)
    again.amount.setText("30")
    again.receipt.setText("0099")
    again.accept()
    assert again.isVisible() and "已经登记过" in again.problem.text()
    assert again.receipt.text() == "0099" and again.amount.text() == "30"  # kept as typed
    assert payments(store) == 1

    tab.select(branch["members"]["李四"])
    farmer = opened(qtbot, tab.assess_dialog())
    assert farmer.selected_kind() is DuesKind.FARMER and farmer.amount.text() == "0.50"
    farmer.amount.setText("2")
    assert "0.20 元到 1.00 元" in farmer.rule.text()
    farmer.accept()
    assert farmer.isVisible() and "0.20 元到 1.00 元" in farmer.problem.text()
    assert assessments(store) == 1

    reduced = opened(qtbot, tab.assess_dialog())
    reduced.kind.setCurrentIndex(reduced.kind.findData(DuesKind.REDUCED.value))
    assert reduced.decided_on.isVisible() and reduced.approved_by.isVisible() and not reduced.base.isVisible()
    reduced.amount.setText("")
    reduced.accept()
    assert reduced.isVisible() and "减免" in reduced.problem.text() and assessments(store) == 1
    reduced.amount.setText("0")
    reduced.approved_by.setText("城南镇党委")
    reduced.accept()
    assert reduced.result() and assessments(store) == 2
    assert cell(tab, "李四", KIND) == "减免" and cell(tab, "李四", FIRST_MONTH + 10) == "—"
    assert cell(tab, "李四", FIRST_MONTH + 10, 9) == NOT_OWED  # Qt.ForegroundRole: the grey dash


def test_cancel_saves_nothing(qtbot, tab, store, branch):
    dialog = assess_zhang(qtbot, tab)
    dialog.reject()
    assert assessments(store) == 0
    dialog = assess_zhang(qtbot, tab)
    dialog.accept()
    tab.select_month(branch["members"]["张三"], 4)
    pay = opened(qtbot, tab.pay_dialog())
    pay.amount.setText("15")
    pay.reject()
    assert payments(store) == 0
    collect = opened(qtbot, tab.collect_dialog())
    collect.reject()
    farmer = opened(qtbot, tab.farmer_dialog())
    farmer.amount.setText("0.80")
    farmer.reject()
    assert payments(store) == 0
    with store.session() as session:
        assert dues_service.farmer_amount(session) == 50


def test_collect_a_month_records_everyone_owing_and_says_how_many(qtbot, tab, store, branch, dialogs, monkeypatch):
    assess_zhang(qtbot, tab).accept()
    tab.select_month(branch["members"]["王五"], 10)
    pay = opened(qtbot, tab.pay_dialog())
    pay.amount.setText("0.5")
    pay.accept()
    assert pay.result()

    def fill(collect):
        collect.month.setCurrentIndex(9)  # 10月
        collect.collector.setText("王会计")
        assert "应交未交的有 4 人" in collect.preview.text()
        collect.accept()
        return collect.result()

    monkeypatch.setattr(dues_dialogs.CollectDialog, "exec", fill)
    tab.ask_collect()
    confirm = next(t for t in dialogs.told if t[0] == "confirm")
    assert "为 4 名党员登记2026年10月的党费，共 16.50 元" in confirm[2]
    assert dialogs.told[-1] == ("info", "按月收缴", "已为 4 名党员登记2026年10月的党费，共 16.50 元。")
    assert [cell(tab, n, FIRST_MONTH + 9) for n in ("张三", *FARMERS)] == ["15.00", "0.50", "0.50", "0.50", "0.50"]
    assert payments(store) == 5

    # Said no to: nothing recorded, the dialog stays open.
    dialogs.answer = False
    collect = opened(qtbot, tab.collect_dialog())
    collect.month.setCurrentIndex(10)
    collect.accept()
    assert collect.isVisible() and payments(store) == 5
    # Nobody left owing that month: refused in the dialog.
    collect.month.setCurrentIndex(9)
    collect.accept()
    assert collect.isVisible() and "没有应交而未交" in collect.problem.text()


def test_undo_a_month(qtbot, tab, store, branch, dialogs):
    assess_zhang(qtbot, tab).accept()
    zhang = branch["members"]["张三"]
    tab.select_month(zhang, 1)
    assert not tab.undo_button.isEnabled()  # nothing paid there yet
    pay = opened(qtbot, tab.pay_dialog())
    pay.last.setCurrentIndex(1)
    pay.accept()
    assert payments(store, zhang) == 2
    tab.select_month(zhang, 2)
    assert tab.undo_button.isEnabled()
    dialogs.answer = False
    tab.ask_undo()
    assert payments(store, zhang) == 2
    dialogs.answer = True
    tab.ask_undo()
    confirm = [t for t in dialogs.told if t[0] == "confirm"][-1]
    assert "撤销张三2026年2月已登记的 15.00 元党费" in confirm[2]
    assert payments(store, zhang) == 1
    assert cell(tab, "张三", FIRST_MONTH + 1) == "" and background(tab, "张三", FIRST_MONTH + 1) == UNPAID
    assert cell(tab, "张三", FIRST_MONTH) == "15.00"
    assert tab.current() == (zhang, FIRST_MONTH + 1)


def test_arrears_only_and_search(qtbot, tab, store, branch, monkeypatch):
    assess_zhang(qtbot, tab).accept()
    tab.select_month(branch["members"]["张三"], 1)
    pay = opened(qtbot, tab.pay_dialog())
    pay.last.setCurrentIndex(10)  # 1月 to 11月: nothing owed
    pay.accept()
    assert pay.result()
    assert cell(tab, "张三", ARREARS) == "" and cell(tab, "张三", PAID) == "165.00"
    tab.arrears_only.setChecked(True)
    assert [r.name for r in tab.model.visible] == ["李四", "赵六", "王五", "孙七"]  # by 党小组, as the register
    assert "列出 4 人" in tab.summary.text()
    tab.search.setText("王")
    assert [r.name for r in tab.model.visible] == ["王五"]
    tab.arrears_only.setChecked(False)
    assert [r.name for r in tab.model.visible] == ["王五"]
    tab.search.setText("第1党小组")
    assert [r.name for r in tab.model.visible] == ["张三", "李四", "赵六"]
    tab.search.clear()
    assert len(tab.model.visible) == 5


def test_farmer_amount_changes_what_farmers_owe(qtbot, tab, store, branch):
    assess_zhang(qtbot, tab).accept()
    dialog = opened(qtbot, tab.farmer_dialog())
    dialog.amount.setText("1.5")
    dialog.accept()
    assert dialog.isVisible() and "0.20 元到 1.00 元" in dialog.problem.text()
    dialog.amount.setText("0.80")
    dialog.accept()
    assert dialog.result()
    assert cell(tab, "李四", MONTHLY) == "0.80" and cell(tab, "李四", DUE) == "8.80"
