"""流动党员 tab: a member registered out, contacted and back through the tab's dialogs (each writing only on OK,
through the runner); a refusal keeping the dialog open with nothing saved; cancel saving nothing; the
alerts' colours; the cards and the ledger exported; the window's tab and its open_target."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from pypdf import PdfReader
from sqlalchemy import func, select

from partybuild_desktop.domain import migrants as rules
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services import migrants as service
from partybuild_desktop.services.migrants import ContactForm, StintForm
from partybuild_desktop.domain.migrants import ContactHow
from partybuild_desktop.store.models import AuditEntry, Member, MigrantContact, MigrantStint
from partybuild_desktop.ui.migrants_tab import NOTICE, MigrantsTab
from partybuild_desktop.ui.widgets import HIGHLIGHT
from tests.gui.conftest import ScriptedDialogs, shown_tab
from tests.helpers import SAMPLE_TODAY, member, village

TODAY = SAMPLE_TODAY  # 2026-11-23


@pytest.fixture
def branch(store):
    with store.session() as s:
        vid = village(s, name="东湖村")
        for name in ("王建国", "李秀英", "张明"):
            member(s, vid, name)
    return store, vid


def count(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_out_contact_and_back_through_the_dialogs(qtbot, branch, data_folder):
    store, vid = branch
    tab = shown_tab(qtbot, MigrantsTab, store, data_folder, today=TODAY)
    assert tab.shown_names() == [] and "没有在外的流动党员" in tab.summary.text()
    audits = count(store, AuditEntry)

    dialog = tab.out_dialog()
    dialog.member.setCurrentIndex(dialog.member.findText("张明"))
    dialog.left_on.setDate(QDate(2026, 6, 23))
    dialog.province.setText("广东省")
    dialog.city.setText("深圳市")
    dialog.phone.setText("138 1234 5678")
    dialog.keeper.setEditText("王建国")
    dialog.card_no.setText("HD-1")
    dialog.card_expires.setDate(QDate(2026, 12, 10))
    dialog.accept()
    assert dialog.result() == 1 and dialog.problem.isHidden()
    assert tab.shown_names() == ["张明"] and count(store, AuditEntry) == audits + 1
    with store.session() as s:
        assert s.scalar(select(Member.category).where(Member.name == "张明")) is MemberCategory.MIGRANT
    row = tab.selected()
    assert row.alerts == [rules.CONTACT_OVERDUE, rules.CARD_EXPIRING]  # 5 months away, no contact yet
    assert tab.table.item(0, 0).background().color() == NOTICE

    contact = tab.contact_dialog()
    assert contact.by_whom.currentText() == "王建国"
    contact.date.setDate(QDate(2026, 11, 20))
    contact.how.setCurrentIndex(contact.how.findText("微信"))
    contact.note.setPlainText("了解工作情况")
    contact.accept()
    assert contact.result() == 1
    assert tab.contacts.texts() == [["2026-11-20", "微信", "王建国", "了解工作情况"]]
    assert tab.selected().alerts == [rules.CARD_EXPIRING]

    back = tab.back_dialog()
    back.back_on.setDate(QDate(2026, 11, 22))
    back.accept()
    assert back.result() == 1 and [w.code for w in back.warnings] == ["activity_card_return"]
    assert tab.shown_names() == []
    with store.session() as s:
        assert s.scalar(select(Member.category).where(Member.name == "张明")) is MemberCategory.FARMER


def test_a_refusal_keeps_the_dialog_open_and_cancel_saves_nothing(qtbot, branch, data_folder):
    store, vid = branch
    tab = shown_tab(qtbot, MigrantsTab, store, data_folder, today=TODAY)
    dialog = tab.out_dialog()
    dialog.member.setCurrentIndex(dialog.member.findText("李秀英"))
    dialog.accept()  # no destination
    assert dialog.result() == 0 and "外出流向" in dialog.problem.text() and not dialog.problem.isHidden()
    assert count(store, MigrantStint) == 0
    dialog.province.setText("浙江省")
    dialog.accept()
    assert dialog.result() == 1 and count(store, MigrantStint) == 1

    contact = tab.contact_dialog()
    contact.note.setPlainText("不保存")
    contact.reject()
    assert count(store, MigrantContact) == 0
    edit = tab.edit_dialog()
    edit.host.setText("杭州市萧山区流动党员党委")
    edit.no_transfer.setText("务工地点不固定")
    edit.accept()
    assert edit.result() == 1
    assert tab.selected().host_organisation == "杭州市萧山区流动党员党委"
    assert tab.table.item(0, 5).text() == "杭州市萧山区流动党员党委"


def test_lost_contact_is_red_and_the_cards_and_ledger_export(qtbot, branch, data_folder, tmp_path):
    store, vid = branch
    with store.session() as s:
        ids = dict(s.execute(select(Member.name, Member.id)).all())
        for name, left in (("张明", dt.date(2025, 1, 10)), ("李秀英", dt.date(2026, 10, 1))):
            service.register_out(s, vid, ids[name], StintForm(left_on=left, province="广东省", city="东莞市",
                                                               contact_person="王建国"), today=TODAY)
        service.add_contact(s, vid, ids["张明"], ContactForm(dt.date(2026, 1, 5), ContactHow.PHONE), today=TODAY)
    cards = tmp_path / "卡.pdf"
    dialogs = ScriptedDialogs(save=cards, confirm=False)  # 否: every migrant's card
    tab = shown_tab(qtbot, MigrantsTab, store, data_folder, today=TODAY, dialogs=dialogs)
    assert tab.shown_names() == ["李秀英", "张明"]
    assert tab.table.item(1, 0).background().color() == HIGHLIGHT
    assert "失去联系" in tab.table.item(1, 9).text()
    tab.table.selectRow(1)
    tab.print_cards()
    qtbot.waitUntil(lambda: any(t[0] == "exported" for t in dialogs.told), timeout=10000)
    reader = PdfReader(cards)
    assert len(reader.pages) == 1 and "张明" in reader.pages[0].extract_text() and "李秀英" in reader.pages[0].extract_text()
    ledger = tmp_path / "台账.xlsx"
    dialogs.save = ledger
    tab.export_ledger()
    qtbot.waitUntil(lambda: ledger.exists(), timeout=10000)


def test_the_window_has_the_tab_and_alerts_open_it(qtbot, sample_store, data_folder):
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow

    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.attach(AppContext(sample_store, data_folder))
    window.open_target("migrants")
    assert window.tabs.currentWidget() is window.pages["migrants"]
    assert window.tabs.tabText(window.tabs.currentIndex()) == "流动党员"
    assert len(window.migrants_tab.shown_names()) >= 10


def test_the_review_page_marks_the_migrants(qtbot, branch):
    from partybuild_desktop.services import meetings
    from partybuild_desktop.ui.review_page import ReviewModel

    store, vid = branch
    with store.session() as s:
        ids = dict(s.execute(select(Member.name, Member.id)).all())
        service.register_out(s, vid, ids["张明"], StintForm(left_on=dt.date(2025, 3, 1), province="广东省",
                                                             host_organisation="深圳市宝安区流动党员党支部"), today=TODAY)
        sheet = meetings.review_sheet(s, vid, 2025)
    model = ReviewModel()
    model.load(sheet, keep_edits=False)
    shown = {model.data(model.index(row, 0)): model.data(model.index(row, 2)) for row in range(model.rowCount())}
    assert shown == {"王建国": "正式", "李秀英": "正式", "张明": "正式，流动党员"}
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0)) == "张明")
    assert "在流入地" in model.data(model.index(row, 2), Qt.ToolTipRole)


def test_the_out_dialog_reads_the_open_stints_in_one_query(qtbot, branch, data_folder):
    from sqlalchemy import event

    store, vid = branch
    with store.session() as s:
        for number in range(12):
            member(s, vid, f"党员{number}")
        service.register_out(s, vid, s.scalar(select(Member.id).where(Member.name == "党员3")),
                             StintForm(left_on=dt.date(2026, 6, 1), province="广东省"), today=TODAY)
    tab = shown_tab(qtbot, MigrantsTab, store, data_folder, today=TODAY)
    stint_reads = []

    def seen(conn, cursor, statement, *_):
        if "FROM migrant_stint" in statement:
            stint_reads.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        dialog = tab.out_dialog()
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    names = [dialog.member.itemText(i) for i in range(dialog.member.count())]
    assert "党员3" not in names and "党员4" in names and "张明" in names
    assert len(stint_reads) == 1
