"""The record book panel: entries written through the operation runner; a dialog that cannot save stays
open with what was typed."""

import datetime as dt

import pytest
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import func, select

from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import visits
from partybuild_desktop.store.models import Household, RecordEntry
from partybuild_desktop.ui import record_book
from partybuild_desktop.ui.members_tab import MembersTab
from tests.gui.conftest import shown_tab

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def tab(qtbot, sample_store, data_folder):
    return shown_tab(qtbot, MembersTab, sample_store, data_folder, TODAY)


@pytest.fixture(autouse=True)
def close_entry_dialogs():
    """The tests leave a refused entry dialog open on purpose; it goes with the test."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, record_book.EntryDialog):
            widget.done(QDialog.DialogCode.Rejected)


def entries(store):
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(RecordEntry))


def typing(monkeypatch, text, seen):
    """The next entry dialog gets ``text`` typed and 保存 pressed; the dialog is kept in ``seen``."""
    def run(dialog):
        dialog.show()
        dialog.text.setPlainText(text)
        dialog.accept()
        seen.append(dialog)
        return dialog.result()

    monkeypatch.setattr(record_book.EntryDialog, "exec", run)


def test_an_empty_entry_is_refused_in_the_dialog(tab, sample_store, monkeypatch):
    before, seen = entries(sample_store), []
    typing(monkeypatch, "   ", seen)
    tab.book.add_entry()
    dialog = seen[0]
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "请填写纪实内容" in dialog.problem.text()
    assert entries(sample_store) == before


def test_a_failed_save_keeps_the_text(tab, sample_store, monkeypatch):
    with sample_store.session() as session:
        member_id = member_service.save_member(session, tab.context.village().id,
                                               member_service.MemberForm(name="新来的", post="卫生监督岗"), today=TODAY)
    tab.reload(keep_member=member_id)
    assert tab.book.member_id == member_id
    with sample_store.session() as session:  # meanwhile the member is deleted (another copy, a script)
        member_service.delete_member(session, member_id)
    before, seen = entries(sample_store), []
    typing(monkeypatch, "参加村党支部主题党日，学习新修订的条例", seen)
    tab.book.add_entry()
    dialog = seen[0]
    assert tab.dialogs.told[-1][0] == "error" and "找不到这名党员" in tab.dialogs.told[-1][2]
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.text.toPlainText() == "参加村党支部主题党日，学习新修订的条例"
    assert entries(sample_store) == before


def test_an_entry_written_by_a_visit_cannot_be_edited_here_and_the_dialog_stays(tab, sample_store, monkeypatch):
    member_id = tab.book.member_id
    with sample_store.session() as session:
        household = session.scalars(select(Household.id)).first()
        visit = visits.add_visit(session, tab.context.village().id, visits.VisitForm(
            dt.date(2026, 11, 2), member_id, household, "反映村道路灯不亮"), today=TODAY)
        entry = session.scalars(select(RecordEntry).where(RecordEntry.source_id == visit,
                                                          RecordEntry.source_kind == visits.SOURCE_KIND)).one()
        original = entry.text
    tab.book.refresh()  # written behind the window's back: shown once the book is read again
    row = next(i for i, e in enumerate(tab.book.entries) if e.source_kind == visits.SOURCE_KIND)
    tab.book.table.selectRow(row)
    seen = []
    typing(monkeypatch, "改过的走访内容", seen)
    tab.book.edit_entry()
    assert seen[0].isVisible() and seen[0].text.toPlainText() == "改过的走访内容"
    assert "自动生成" in tab.dialogs.told[-1][2]
    with sample_store.session() as session:
        assert session.get(RecordEntry, entry.id).text == original


def test_an_entry_saved_closes_the_dialog_and_shows_in_the_book(tab, sample_store, monkeypatch):
    before, seen = entries(sample_store), []
    typing(monkeypatch, "为孤寡老人代购药品", seen)
    tab.book.add_entry()
    assert not seen[0].isVisible() and seen[0].result() == QDialog.DialogCode.Accepted
    assert entries(sample_store) == before + 1
    assert "为孤寡老人代购药品" in [e.text for e in tab.book.entries]  # refreshed from the broadcast
    assert seen[0].date.maximumDate().toPython() == TODAY
