"""The member editor as a clerk uses it: closing it every way, status changes kept until OK, records
corrected or removed, warnings that follow the form, and members deleted from the list."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from sqlalchemy import func, select

from partybuild_desktop.domain.vocabulary import MemberCategory, MemberEventKind, Standing
from partybuild_desktop.services import members as member_service
from partybuild_desktop.store.models import Household, Member, MemberEvent
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.forms import load_form
from partybuild_desktop.ui.member_editor import MemberEditor, StatusChangeDialog
from partybuild_desktop.ui.members_tab import MembersTab
from tests.helpers import some_member
from tests.gui.conftest import ScriptedDialogs

TODAY = dt.date(2026, 11, 23)


def snapshot(store, member_id):
    """Everything a status change or the form could touch, to compare before and after."""
    with store.session() as session:
        m = session.get(Member, member_id)
        events = [(e.kind, e.date, e.note) for e in m.events]
        return (m.name, m.standing, m.confirmed_date, m.membership_state, m.lost_contact, m.archived,
                m.departure, m.is_hub_household, tuple(events))


def open_dialogs():
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


@pytest.fixture
def context(sample_store, data_folder):
    return AppContext(sample_store, data_folder)


@pytest.fixture
def editor_for(qtbot, context):
    def make(member_id=None, dialogs=None):
        editor = MemberEditor(context, member_id, dialogs or ScriptedDialogs(), today=TODAY)
        qtbot.addWidget(editor)
        editor.show()
        return editor

    return make


def answer_status_dialog(monkeypatch, kind, date=dt.date(2026, 11, 1), note="", seen=None):
    """Let the next 状态变动 dialog be filled in as given and OK pressed; what it offered goes in ``seen``."""
    def run(dialog):
        if seen is not None:
            seen.append([dialog.kind.itemData(i) for i in range(dialog.kind.count())])
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind.value))
        dialog.date.setDate(date)
        dialog.note.setText(note)
        dialog.accept()
        if seen is not None:
            seen.append(dialog.problem.text() if dialog.problem.isVisible() else "")
        return dialog.result()

    monkeypatch.setattr(StatusChangeDialog, "exec", run)


def test_the_form_is_a_plain_widget_not_a_second_dialog(qtbot):
    form = load_form("member_editor")
    qtbot.addWidget(form)
    assert not isinstance(form, QDialog)


@pytest.mark.parametrize("how", ["escape", "close_button", "cancel"])
def test_esc_close_and_cancel_close_the_whole_editor_and_change_nothing(editor_for, sample_store, qtbot, how):
    member = some_member(sample_store)
    before = snapshot(sample_store, member.id)
    dialogs = ScriptedDialogs(confirm=False)
    editor = editor_for(member.id, dialogs)
    editor.w("name").setText("改过的名字")

    def close():
        if how == "escape":
            qtbot.keyClick(editor.w("name"), Qt.Key_Escape)
        elif how == "close_button":
            editor.close()
        else:
            editor.w("buttons").button(QDialogButtonBox.Cancel).click()

    close()  # the clerk says no to losing the typed name: the editor stays, as typed
    assert dialogs.told[-1][0] == "confirm" and "放弃" in dialogs.told[-1][2]
    assert editor.isVisible() and editor.w("name").text() == "改过的名字"
    dialogs.answer = True
    close()
    assert not editor.isVisible() and editor.result() == QDialog.DialogCode.Rejected
    assert open_dialogs() == []
    assert snapshot(sample_store, member.id) == before


def test_an_untouched_editor_closes_without_asking(editor_for, sample_store, qtbot):
    dialogs = ScriptedDialogs()
    editor = editor_for(some_member(sample_store).id, dialogs)
    qtbot.keyClick(editor.w("name"), Qt.Key_Escape)
    assert not editor.isVisible() and dialogs.told == []
    assert open_dialogs() == []


def test_a_status_change_is_saved_with_ok_and_discarded_with_cancel(editor_for, sample_store, monkeypatch):
    member = some_member(sample_store, lost_contact=False, is_hub_household=False)
    before = snapshot(sample_store, member.id)
    answer_status_dialog(monkeypatch, MemberEventKind.LOST_CONTACT, dt.date(2026, 10, 8), "电话停机")
    editor = editor_for(member.id)
    editor.change_status()
    assert "失去联系" in editor.w("status_summary").text() and "未保存" in editor.w("events").item(
        editor.w("events").rowCount() - 1, 2).text()
    assert snapshot(sample_store, member.id) == before  # nothing written before OK
    editor.reject()
    assert editor.dialogs.told[-1][0] == "confirm"
    assert snapshot(sample_store, member.id) == before

    editor = editor_for(member.id)
    editor.change_status()
    editor.save()
    assert editor.result() == QDialog.DialogCode.Accepted
    with sample_store.session() as session:
        saved = session.get(Member, member.id)
        assert saved.lost_contact and saved.lost_contact_date == dt.date(2026, 10, 8)
        assert saved.events[-1].kind is MemberEventKind.LOST_CONTACT and saved.events[-1].note == "电话停机"


def test_only_changes_that_make_sense_now_are_offered(editor_for, sample_store, monkeypatch):
    member = some_member(sample_store, lost_contact=False, standing=Standing.FULL)
    seen = []
    answer_status_dialog(monkeypatch, MemberEventKind.LOST_CONTACT, seen=seen)
    editor = editor_for(member.id)
    editor.change_status()
    offered = seen[0]
    assert MemberEventKind.CONTACT_RESTORED.value not in offered and MemberEventKind.CONFIRMED.value not in offered
    assert MemberEventKind.LOST_CONTACT.value in offered
    seen.clear()
    editor.change_status()  # now out of contact (not saved yet): 恢复联系 is offered, 失联 no longer
    assert MemberEventKind.CONTACT_RESTORED.value in seen[0] and MemberEventKind.LOST_CONTACT.value not in seen[0]


def test_the_status_dialog_keeps_what_was_typed_when_refused(qtbot):
    dialog = StatusChangeDialog(None, TODAY, (MemberEventKind.DIED,))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()  # 去世 needs a reason
    assert dialog.isVisible() and "原因" in dialog.problem.text()
    assert dialog.date.maximumDate().toPython() == TODAY  # no date after today can be picked
    dialog.note.setText("因病去世")
    dialog.accept()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted


def test_the_hub_flag_stays_cleared_after_died(editor_for, sample_store, monkeypatch):
    member = some_member(sample_store, is_hub_household=True)
    answer_status_dialog(monkeypatch, MemberEventKind.DIED, dt.date(2026, 11, 2), "因病去世")
    editor = editor_for(member.id)
    assert editor.w("is_hub_household").isChecked()
    editor.change_status()
    assert not editor.w("is_hub_household").isChecked() and not editor.w("is_hub_household").isEnabled()
    editor.w("notes").setPlainText("2026年11月病故")  # another field typed in the same edit
    editor.save()
    assert editor.result() == QDialog.DialogCode.Accepted
    with sample_store.session() as session:
        saved = session.get(Member, member.id)
        assert (saved.archived, saved.departure, saved.is_hub_household) == (True, MemberEventKind.DIED, False)
        assert saved.notes == "2026年11月病故"


def test_the_service_applies_the_history_after_the_form(sample_store):
    """Even a form that still says 中心户 cannot undo the 去世 saved with it."""
    member = some_member(sample_store, is_hub_household=True)
    with sample_store.session() as session:
        form = member_service.load_form(session, member.id)
        assert form.is_hub_household
        edit = member_service.HistoryEdit(added=(member_service.StatusEvent(MemberEventKind.DIED, dt.date(2026, 11, 2),
                                                                            "因病去世"),))
        member_service.save_member_edit(session, member.village_id, form, member.id, edit, TODAY)
    with sample_store.session() as session:
        assert not session.get(Member, member.id).is_hub_household


def test_a_removed_record_recomputes_the_state(editor_for, sample_store, monkeypatch):
    member = some_member(sample_store, lost_contact=False, is_hub_household=False)
    with sample_store.session() as session:
        member_service.change_status(session, member.id, MemberEventKind.LOST_CONTACT, dt.date(2026, 9, 1), "外出",
                                     today=TODAY)
        member_service.change_status(session, member.id, MemberEventKind.DIED, dt.date(2026, 10, 1), "录错了",
                                     today=TODAY)
    editor = editor_for(member.id)
    table = editor.w("events")
    kinds = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert not editor.w("change_status").isEnabled()  # 去世: nothing left to change

    def remove(label):
        table.selectRow([table.item(r, 1).text() for r in range(table.rowCount())].index(label))
        editor.remove_event()

    remove("去世")
    assert "去世" not in editor.w("status_summary").text() and "失去联系" in editor.w("status_summary").text()
    assert editor.w("change_status").isEnabled()
    remove("失去联系")
    assert table.rowCount() == len(kinds) - 2
    editor.save()
    with sample_store.session() as session:
        saved = session.get(Member, member.id)
        assert not saved.archived and saved.departure is None and not saved.lost_contact
        assert [e.kind for e in saved.events if e.kind in (MemberEventKind.DIED, MemberEventKind.LOST_CONTACT)] == []


def test_removing_a_record_others_depend_on_is_refused(editor_for, sample_store):
    member = some_member(sample_store, lost_contact=False)
    with sample_store.session() as session:
        for kind, day in ((MemberEventKind.LOST_CONTACT, 1), (MemberEventKind.CONTACT_RESTORED, 20)):
            member_service.change_status(session, member.id, kind, dt.date(2026, 9, day), today=TODAY)
    editor = editor_for(member.id)
    table = editor.w("events")
    table.selectRow([table.item(r, 1).text() for r in range(table.rowCount())].index("失去联系"))
    editor.remove_event()
    assert editor.dialogs.told[-1][0] == "error" and "并未失去联系" in editor.dialogs.told[-1][2]
    assert not editor.edit


def test_a_record_entered_wrongly_is_corrected(editor_for, sample_store, monkeypatch):
    member = some_member(sample_store, lost_contact=False)
    with sample_store.session() as session:
        member_service.change_status(session, member.id, MemberEventKind.LOST_CONTACT, dt.date(2026, 9, 1), today=TODAY)
    editor = editor_for(member.id)
    table = editor.w("events")
    table.selectRow([table.item(r, 1).text() for r in range(table.rowCount())].index("失去联系"))
    answer_status_dialog(monkeypatch, MemberEventKind.LOST_CONTACT, dt.date(2026, 8, 15), "八月中旬起联系不上")
    editor.correct_event()
    editor.save()
    with sample_store.session() as session:
        saved = session.get(Member, member.id)
        assert saved.lost_contact_date == dt.date(2026, 8, 15)
        lost = [e for e in saved.events if e.kind is MemberEventKind.LOST_CONTACT]
        assert [(e.date, e.note) for e in lost] == [(dt.date(2026, 8, 15), "八月中旬起联系不上")]


def test_warnings_follow_the_form_as_it_is(editor_for, sample_store):
    member = some_member(sample_store, category=MemberCategory.FARMER)
    dialogs = ScriptedDialogs(confirm=False)
    editor = editor_for(member.id, dialogs)
    editor.w("post").setText("")
    editor.save()  # the warning is shown and the clerk does not save
    assert "设岗定责" in editor.w("problems").text() and editor.isVisible()
    editor.w("category").setCurrentIndex(editor.w("category").findData(MemberCategory.ELDERLY.value))
    assert "设岗定责" not in editor.w("problems").text()
    editor.w("category").setCurrentIndex(editor.w("category").findData(MemberCategory.FARMER.value))
    assert "设岗定责" in editor.w("problems").text()
    editor.w("post").setText("环境卫生监督岗")
    assert editor.w("problems").text() == ""


# ------------------------------------------------------------------------------------ deleting from the list


@pytest.fixture
def tab(qtbot, context):
    widget = MembersTab(context, ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_delete_is_refused_while_referred_to_and_done_otherwise(tab, sample_store):
    with sample_store.session() as session:
        busy = session.scalar(select(Household.liaison_member_id).where(Household.liaison_member_id.is_not(None)))
        village_id = tab.context.village().id
        mistaken = member_service.save_member(session, village_id, member_service.MemberForm(name="录错的人", post="无"),
                                              today=TODAY)
        member_count = session.scalar(select(func.count()).select_from(Member))
    tab.reload()
    tab.select_member(busy)
    tab.delete_selected()
    assert tab.dialogs.told[-1][0] == "error" and "联系农户" in tab.dialogs.told[-1][2]
    tab.select_member(mistaken)
    told = len(tab.dialogs.told)
    tab.delete_selected()
    assert [kind for kind, *_ in tab.dialogs.told[told:]] == ["confirm"]  # asked, then done without a refusal
    with sample_store.session() as session:
        assert session.get(Member, mistaken) is None and session.get(Member, busy) is not None
        assert session.scalar(select(func.count()).select_from(Member)) == member_count - 1
        assert session.scalars(select(MemberEvent).where(MemberEvent.member_id == mistaken)).all() == []
    assert tab.model.row_of(mistaken) is None  # the list refreshed itself from the broadcast


def test_confirmation_shows_on_the_form_as_it_will_be_saved(editor_for, sample_store, monkeypatch):
    member = some_member(sample_store, standing=Standing.PROBATIONARY)
    answer_status_dialog(monkeypatch, MemberEventKind.CONFIRMED, dt.date(2026, 11, 10))
    editor = editor_for(member.id)
    assert editor.w("standing").currentData() == Standing.PROBATIONARY.value
    editor.change_status()
    assert editor.w("standing").currentData() == Standing.FULL.value and not editor.w("standing").isEnabled()
    assert editor.w("confirmed_date").text() == "2026-11-10"
    editor.save()
    with sample_store.session() as session:
        saved = session.get(Member, member.id)
        assert (saved.standing, saved.confirmed_date) == (Standing.FULL, dt.date(2026, 11, 10))
