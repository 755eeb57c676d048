"""The members tab, the member editor and the record book panel, driven offscreen."""

import datetime as dt
import io

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from partybuild_desktop.domain.pinyin import initials
from partybuild_desktop.domain.vocabulary import Gender, MemberCategory, MemberStatus
from partybuild_desktop.services import members as member_service
from partybuild_desktop.store.models import Member, RecordEntry
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.member_editor import MemberEditor
from partybuild_desktop.ui.members_tab import MembersTab
from partybuild_desktop.ui import record_book
from tests.helpers import some_member
from tests.gui.conftest import ScriptedDialogs, shown_tab
from tests.helpers import make_id

TODAY = dt.date(2026, 11, 23)
ID_NUMBER = make_id("19800515", "013")  # a man (odd serial) born 1980-05-15


@pytest.fixture
def tab(qtbot, sample_store, data_folder):
    return shown_tab(qtbot, MembersTab, sample_store, data_folder, TODAY)


def visible_names(tab):
    return [row.name for row in tab.model.visible]


def test_search_by_initials_full_pinyin_id_part_and_phone(qtbot, tab, sample_store):
    member = some_member(sample_store)
    first_reading = member.search_keys.split("|")[2]
    for query in (first_reading, initials(member.name)[0],
                  member.id_number[6:14], member.mobile[-8:], member.name):
        tab.search.setText(query)
        assert member.name in visible_names(tab), query
    tab.search.setText("这个名字不存在")
    assert visible_names(tab) == []
    assert tab.count.text().startswith("显示 0 /")


def test_the_record_book_follows_the_search_once_typing_pauses(qtbot, tab, sample_store):
    member = some_member(sample_store)
    shown = tab.book.member_id
    for n in range(1, len(member.id_number) + 1):  # typed digit by digit: the book waits for the pause
        tab.search.setText(member.id_number[:n])
    assert tab.selected_member_id() == member.id
    assert tab.book.member_id == shown != member.id
    qtbot.waitUntil(lambda: tab.book.member_id == member.id, timeout=3000)
    other = next(row for row in tab.model.rows if row.id != member.id and not row.archived)
    tab.search.setText(other.id_number)
    assert tab.book.member_id == member.id  # still typing
    tab.include_archived.setChecked(True)  # any other filter shows the selected member at once
    assert tab.book.member_id == tab.selected_member_id() == other.id


def test_filters_by_category_and_status_match_the_service(tab, sample_store):
    with sample_store.session() as session:
        rows = member_service.list_members(session, tab.context.village().id)
    tab.category.setCurrentIndex(tab.category.findData(MemberCategory.MIGRANT.value))
    assert len(tab.model.visible) == sum(1 for r in rows if r.category is MemberCategory.MIGRANT and not r.archived)
    tab.category.setCurrentIndex(0)
    tab.status.setCurrentIndex(tab.status.findData(MemberStatus.PROBATIONARY.value))
    assert all(r.status is MemberStatus.PROBATIONARY for r in tab.model.visible)


def test_typing_in_the_table_searches_and_enter_opens(qtbot, tab, monkeypatch):
    opened = []
    monkeypatch.setattr(MemberEditor, "exec", lambda self: opened.append(self.member_id) or 0)
    tab.table.setFocus()
    target = tab.model.visible[3]
    typed = initials(target.name)[0]
    qtbot.keyClicks(tab.table, typed[0])
    assert tab.search.text() == typed[0]
    qtbot.keyClicks(tab.search, typed[1:])
    assert target.name in visible_names(tab)
    tab.search.setText(target.id_number)
    qtbot.keyClick(tab.search, Qt.Key_Return)
    assert opened == [target.id]
    qtbot.keyClick(tab.table, Qt.Key_N, Qt.ControlModifier)
    assert opened == [target.id, None]


def test_sorting_by_age(tab):
    tab.model.sort(2, Qt.DescendingOrder)
    ages = [r.age(TODAY) for r in tab.model.visible]
    assert ages == sorted(ages, reverse=True)


@pytest.fixture
def editor_for(qtbot, sample_store):
    def make(member_id=None, dialogs=None):
        editor = MemberEditor(AppContext(sample_store, None), member_id, dialogs or ScriptedDialogs(), today=TODAY)
        qtbot.addWidget(editor)
        return editor

    return make


def test_new_member_gets_birth_date_and_gender_from_the_id_number(editor_for, sample_store):
    editor = editor_for()
    editor.w("name").setText(" 单　雄 ")
    editor.w("id_number").setText(ID_NUMBER.lower())
    editor.w("id_number").editingFinished.emit()
    assert editor.w("birth_date").text() == "1980-05-15"
    assert editor.w("gender").currentData() == Gender.MALE.value
    editor.w("category").setCurrentIndex(editor.w("category").findData(MemberCategory.MIGRANT.value))
    assert editor.w("management_mode").text() == "动态管理"
    editor.w("away_province").setText("广东省")
    editor.w("mobile").setText("138 1234 5678")
    editor.save()
    assert editor.result() == QDialog.DialogCode.Accepted
    with sample_store.session() as session:
        member = session.get(Member, editor.saved_id)
        assert (member.name, member.birth_date, member.gender, member.mobile) == ("单雄", dt.date(1980, 5, 15), Gender.MALE, "13812345678")
        assert "shanxiong" in member.search_keys


def test_a_bad_id_number_is_shown_and_nothing_is_saved(editor_for, sample_store):
    editor = editor_for()
    editor.w("name").setText("李四")
    bad = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    editor.w("id_number").setText(bad)
    editor.save()
    assert editor.result() != QDialog.DialogCode.Accepted and editor.saved_id is None
    assert "id_number" in editor.w("id_number").objectName() and editor.w("id_number").styleSheet()
    assert "校验" in editor.w("problems").text() or "号码" in editor.w("problems").text()
    with sample_store.session() as session:
        assert session.scalar(select(Member).where(Member.name == "李四")) is None


def test_a_conflict_with_the_id_number_is_a_warning_the_clerk_confirms(editor_for, sample_store):
    dialogs = ScriptedDialogs(confirm=False)
    editor = editor_for(dialogs=dialogs)
    editor.w("name").setText("王芳")
    editor.w("id_number").setText(ID_NUMBER)
    editor.w("gender").setCurrentIndex(editor.w("gender").findData(Gender.FEMALE.value))
    editor.save()
    assert dialogs.told[-1][0] == "confirm" and "不一致" in dialogs.told[-1][2]
    assert editor.saved_id is None
    dialogs.answer = True
    editor.save()
    assert editor.saved_id is not None


def test_photo_is_cropped_to_three_by_four(editor_for, sample_store, tmp_path):
    picture = tmp_path / "photo.png"
    Image.new("RGB", (1200, 900), "red").save(picture)
    editor = editor_for(some_member(sample_store).id, ScriptedDialogs(open_=picture))
    editor.import_photo()
    assert Image.open(io.BytesIO(editor.photo)).size == (300, 400)
    editor.save()
    with sample_store.session() as session:
        assert session.get(Member, editor.saved_id).photo == editor.photo


def test_record_book_panel_adds_an_entry_and_counts_its_hours(qtbot, tab, sample_store, monkeypatch):
    member_id = tab.selected_member_id()
    before = len(tab.book.entries)
    def fill_and_save(dialog):
        dialog.date.setDate(dt.date(2026, 11, 20))
        dialog.entry_type.setCurrentIndex(dialog.entry_type.findData(member_service.RecordEntryType.POLITICAL_STUDY.value))
        dialog.text.setPlainText("学习二十届四中全会精神")
        dialog.hours.setValue(3.0)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(record_book.EntryDialog, "exec", fill_and_save)
    hours_before = tab.book.hours.text()
    tab.book.add_entry()
    assert len(tab.book.entries) == before + 1
    assert tab.book.table.item(0, 2).text() == "学习二十届四中全会精神"
    assert tab.book.hours.text() != hours_before
    tab.book.search.setText("四中全会")
    assert len(tab.book.entries) == 1
    with sample_store.session() as session:
        assert session.scalar(select(RecordEntry).where(RecordEntry.member_id == member_id, RecordEntry.hours == 3.0,
                                                        RecordEntry.text.contains("四中全会"))) is not None
