"""组织生活: a 主题党日 for 150 members entered in one dialog and found in the list, the book, the trace and
the due list; refusals keep the dialog open and save nothing; edits and deletions follow the meeting; the
民主评议 cap; the study hours."""

import datetime as dt
import time

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QComboBox, QDialog

from partybuild_desktop.domain.meetings import Attendance, Frequency, MeetingKind, ReviewGrade
from partybuild_desktop.domain.vocabulary import MemberCategory, Standing
from partybuild_desktop.services import meetings as meeting_service
from partybuild_desktop.services import members as member_service
from partybuild_desktop.ui.meeting_dialog import AttendanceModel, MeetingDialog
from partybuild_desktop.ui.meetings_tab import FrequencyDialog, MeetingsTab
from tests.gui.conftest import ScriptedDialogs, shown_tab
from tests.helpers import group, member, village

TODAY = dt.date(2026, 11, 23)
ROWS = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def branch(store):
    """A village of 150 members in 3 party groups: 10 预备, 6 年老体弱, 5 流动, 7 on the committee."""
    with store.session() as session:
        village_id = village(session)
        groups = [group(session, village_id, f"第{n}党小组", f"{n}组") for n in (1, 2, 3)]
        ids = []
        for i in range(150):
            category = (MemberCategory.ELDERLY if i % 25 == 3 else MemberCategory.MIGRANT if i % 30 == 7
                        else MemberCategory.FARMER)
            ids.append(member(session, village_id, f"党员{i + 1:03d}", category=category,
                              party_group_id=groups[i % 3],
                              standing=Standing.PROBATIONARY if i % 15 == 14 else Standing.FULL,
                              is_committee_member=i < 7))
    return {"village": village_id, "groups": groups, "members": ids}


@pytest.fixture
def tab(qtbot, store, data_folder, branch):
    return shown_tab(qtbot, MeetingsTab, store, data_folder, TODAY)


def new_dialog(qtbot, tab, meeting_id=None):
    dialog = tab._dialog(meeting_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def row_of(dialog, member_id) -> int:
    return next(i for i, line in enumerate(dialog.model.lines) if line.row.member_id == member_id)


def select(dialog, rows) -> None:
    dialog.view.clearSelection()
    selection = dialog.view.selectionModel()
    for row in rows:
        index = dialog.proxy.mapFromSource(dialog.model.index(row, 0))
        selection.select(index, ROWS)


def entries_of(store, village_id, member_id):
    with store.session() as session:
        return [e for e in member_service.list_entries(session, village_id, member_id)
                if e.source_kind == meeting_service.SOURCE_KIND]


def fill_theme_day(qtbot, dialog, branch, topic="学习党的二十届四中全会精神"):
    """主题党日 for everyone: three 请假 (two for the same reason, typed once) and one 缺席, by keys."""
    dialog.kind.setCurrentIndex(dialog.kind.findData(MeetingKind.THEME_DAY.value))
    dialog.topic.setPlainText(topic)
    dialog.place.setText("村党群服务中心")
    dialog.host.setCurrentText("党员001")
    dialog.recorder.setCurrentText("党员002")
    dialog.hours.setValue(2)
    dialog.minutes.setPlainText("书记领学，分组讨论。")
    ids = branch["members"]
    select(dialog, [row_of(dialog, ids[10]), row_of(dialog, ids[11])])
    dialog.view.setFocus()
    qtbot.keyClick(dialog.view, "2")
    dialog.model.set_reason([row_of(dialog, ids[10]), row_of(dialog, ids[11])], "外出务工")
    select(dialog, [row_of(dialog, ids[12])])
    dialog.status_buttons[Attendance.LEAVE].click()  # one row: its reason is edited at once
    editor = dialog.view.viewport().findChild(QComboBox)
    assert editor is not None and editor.findText("生病") >= 0
    editor.setCurrentText("生病")
    qtbot.keyClick(editor.lineEdit(), Qt.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.lines[row_of(dialog, ids[12])].reason == "生病", timeout=1000)
    assert dialog.model.lines[row_of(dialog, ids[12])].reason == "生病"
    select(dialog, [row_of(dialog, ids[20])])
    qtbot.keyClick(dialog.view, "3")


def test_a_theme_day_for_150_members_is_found_in_the_list_the_book_and_the_due_list(qtbot, tab, branch, store):
    started = time.perf_counter()
    dialog = new_dialog(qtbot, tab)
    opened = time.perf_counter() - started
    assert dialog.model.rowCount() == 150 and opened < 1.5, opened
    assert all(line.status is Attendance.PRESENT for line in dialog.model.lines)
    fill_theme_day(qtbot, dialog, branch)
    assert "应到 150 人，实到 146 人，请假 3 人，缺席 1 人" in dialog.quorum.text()
    dialog.away_only.setChecked(True)
    assert dialog.proxy.rowCount() == 4
    dialog.find.setText("党员013")
    assert dialog.proxy.rowCount() == 1
    dialog.find.clear()
    dialog.away_only.setChecked(False)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    assert dialog.saved.turnout.present == 146

    assert tab.meetings.rowCount() == 1
    cells = tab.meetings.texts()[0]
    assert cells[:9] == [TODAY.isoformat(), "主题党日", "", "学习党的二十届四中全会精神", "150", "146", "3", "1", "2"]
    assert cells[9] == "✓"

    ids, village_id = branch["members"], branch["village"]
    present = entries_of(store, village_id, ids[0])
    assert [(e.text, e.hours, e.date) for e in present] == [("参加主题党日：学习党的二十届四中全会精神", 2.0, TODAY)]
    assert entries_of(store, village_id, ids[10]) == [] and entries_of(store, village_id, ids[20]) == []
    with store.session() as session:
        record = meeting_service.meeting_record(session, village_id, dialog.saved.id)
    assert {(a.name, a.reason) for a in record.with_status(Attendance.LEAVE)} == {
        ("党员011", "外出务工"), ("党员012", "外出务工"), ("党员013", "生病")}
    assert [a.name for a in record.with_status(Attendance.ABSENT)] == ["党员021"]

    tab.pages.setCurrentIndex(1)
    tab.set_period("2026-11")
    theme = next(i for i in tab.due_items if i.kind == MeetingKind.THEME_DAY.value)
    assert (theme.required, theme.held, theme.missing) == (1, 1, 0)
    tab.set_period("2026Q4")
    theme_row = next(r for r in tab.due_table.texts() if r[0] == "主题党日")
    assert theme_row[3:5] == ["3", "1"]  # October, November, December required; one held so far


def test_the_points_trace_names_the_meeting(qtbot, tab, branch, store):
    from partybuild_desktop.services import points

    dialog = new_dialog(qtbot, tab)
    fill_theme_day(qtbot, dialog, branch, topic="主题党日活动")
    dialog.accept()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    with store.session() as session:
        explanation = points.explain(session, branch["village"], 2026, branch["members"][0], as_of=TODAY)
    attended = next(line for line in explanation.lines if line.item_code == "meeting_attended")
    assert [(e.source, e.text) for e in attended.evidence] == [("meeting", "主题党日（出席）：主题党日活动")]


def test_a_leave_without_reason_keeps_the_dialog_open_and_saves_nothing(qtbot, tab, branch, store):
    dialog = new_dialog(qtbot, tab)
    dialog.topic.setPlainText("党课")
    select(dialog, [5])
    dialog.set_selected(Attendance.LEAVE)
    dialog.view.closePersistentEditor(dialog.view.currentIndex())
    assert "1 人请假或不计应到，没有填写原因" in dialog.quorum.text()
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.Accepted
    name = dialog.model.lines[5].row.name
    assert dialog.problem.isVisible() and f"“{name}”请假，请填写原因" in dialog.problem.text()
    assert dialog.model.lines[5].status is Attendance.LEAVE  # everything as typed
    with store.session() as session:
        assert meeting_service.list_meetings(session, branch["village"]) == []
    assert tab.meetings.rowCount() == 0
    dialog.reject()


def test_cancel_saves_nothing(qtbot, tab, branch, store, monkeypatch):
    def fill_and_cancel(self):
        fill_theme_day(qtbot, self, branch)
        self.reject()
        return self.result()

    monkeypatch.setattr(MeetingDialog, "exec", fill_and_cancel)
    tab.ask_add()
    with store.session() as session:
        assert meeting_service.list_meetings(session, branch["village"]) == []
        assert member_service.list_entries(session, branch["village"]) == []


def save_theme_day(qtbot, tab, branch):
    dialog = new_dialog(qtbot, tab)
    fill_theme_day(qtbot, dialog, branch)
    dialog.accept()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    tab._after_save(dialog, "登记会议")
    dialog.close()
    return dialog.saved.id


def test_editing_a_meeting_rewrites_the_record_book_and_deleting_removes_it(qtbot, tab, branch, store):
    meeting_id = save_theme_day(qtbot, tab, branch)
    ids, village_id = branch["members"], branch["village"]
    tab.meetings.selectRow(0)
    dialog = new_dialog(qtbot, tab, meeting_id)
    assert dialog.windowTitle() == "修改会议记录"
    assert dialog.topic.toPlainText() == "学习党的二十届四中全会精神" and dialog.hours.value() == 2
    assert dialog.model.lines[row_of(dialog, ids[12])].reason == "生病"  # what was recorded comes back
    dialog.topic.setPlainText("学习新修订的党章")
    select(dialog, [row_of(dialog, ids[0])])
    dialog.set_selected(Attendance.ABSENT)
    select(dialog, [row_of(dialog, ids[20])])
    dialog.set_selected(Attendance.PRESENT)
    dialog.accept()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    assert entries_of(store, village_id, ids[0]) == []
    assert [e.text for e in entries_of(store, village_id, ids[20])] == ["参加主题党日：学习新修订的党章"]
    assert [e.text for e in entries_of(store, village_id, ids[1])] == ["参加主题党日：学习新修订的党章"]
    assert tab.meetings.texts()[0][3:8] == ["学习新修订的党章", "150", "146", "3", "1"]

    tab.meetings.selectRow(0)
    tab.dialogs.answer = False
    tab.ask_delete()
    assert tab.meetings.rowCount() == 1
    tab.dialogs.answer = True
    tab.ask_delete()
    assert tab.meetings.rowCount() == 0
    assert entries_of(store, village_id, ids[1]) == [] and entries_of(store, village_id, ids[20]) == []


def test_changing_the_kind_reloads_the_roster_and_keeps_the_ticks_of_those_still_listed(qtbot, tab, branch):
    dialog = new_dialog(qtbot, tab)
    ids = branch["members"]
    select(dialog, [row_of(dialog, ids[3]), row_of(dialog, ids[4])])
    dialog.set_selected(Attendance.LEAVE)
    dialog.model.set_reason([row_of(dialog, ids[3]), row_of(dialog, ids[4])], "生病")
    dialog.kind.setCurrentIndex(dialog.kind.findData(MeetingKind.GROUP.value))
    assert dialog.group.isEnabled() and dialog.model.rowCount() == 0
    assert "请先选择是哪个党小组" in dialog.quorum.text()
    dialog.group.setCurrentIndex(dialog.group.findData(branch["groups"][0]))  # ids[3] is in group 1, ids[4] not
    assert dialog.model.rowCount() == 50
    line = dialog.model.lines[row_of(dialog, ids[3])]
    assert (line.status, line.reason) == (Attendance.LEAVE, "生病")
    assert all(line.row.member_id != ids[4] for line in dialog.model.lines)
    dialog.kind.setCurrentIndex(dialog.kind.findData(MeetingKind.COMMITTEE.value))
    assert not dialog.group.isEnabled() and dialog.model.rowCount() == 7
    for _ in range(4):  # four of the seven committee members away: no quorum, the line turns red
        select(dialog, [dialog.model.rowCount() - 1 - _])
        dialog.set_selected(Attendance.ABSENT)
    assert "未超过半数" in dialog.quorum.text() and "b00000" in dialog.quorum.styleSheet()
    dialog.reject()


def test_decisions_and_attachments_are_saved_with_the_meeting(qtbot, tab, branch, store, tmp_path):
    photo = tmp_path / "签到表.png"
    photo.write_bytes(PNG)
    text = tmp_path / "说明.txt"
    text.write_text("不是照片")
    dialog = new_dialog(qtbot, tab)
    dialog.kind.setCurrentIndex(dialog.kind.findData(MeetingKind.BRANCH_ASSEMBLY.value))
    dialog.topic.setPlainText("讨论发展对象")
    dialog.decisions.item(0, 0).setText("同意张三列为发展对象")
    dialog.decisions.item(0, 1).setText("120")
    dialog.decisions.item(0, 2).setText("3")
    assert dialog.decisions.item(0, 4).text() == "通过"  # 120 of the 140 正式 members due
    dialog.decisions.item(0, 1).setText("70")
    assert dialog.decisions.item(0, 4).text() == "未通过"
    dialog.decisions.item(0, 1).setText("120")
    tab.dialogs.open_ = text
    dialog.add_attachment()
    assert tab.dialogs.told[-1][0] == "error" and dialog.attachments.count() == 0
    tab.dialogs.open_ = photo
    dialog.add_attachment()
    assert dialog.attachments.count() == 1
    opened = []
    dialog.open_file = opened.append
    dialog.attachments.setCurrentRow(0)
    dialog.open_attachment()
    assert opened and opened[0].read_bytes() == PNG
    dialog.decisions.item(0, 3).setText("两票")
    dialog.accept()
    assert "弃权票数“两票”不是整数" in dialog.problem.text()
    dialog.decisions.item(0, 3).setText("")
    dialog.accept()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    with store.session() as session:
        record = meeting_service.meeting_record(session, branch["village"], dialog.saved.id)
    assert [(d.text, d.vote.agree, d.vote.against, d.vote.abstain, d.passed) for d in record.decisions] == [
        ("同意张三列为发展对象", 120, 3, 0, True)]
    assert [(a.name, a.size) for a in record.attachments] == [("签到表.png", len(PNG))]
    assert tab.meetings.texts()[0][10] == "1"

    again = new_dialog(qtbot, tab, dialog.saved.id)  # removed only when saved
    again.attachments.setCurrentRow(0)
    again.remove_attachment()
    again.reject()
    with store.session() as session:
        assert len(meeting_service.list_attachments(session, branch["village"], dialog.saved.id)) == 1
    again = new_dialog(qtbot, tab, dialog.saved.id)
    again.attachments.setCurrentRow(0)
    again.remove_attachment()
    again.accept()
    with store.session() as session:
        assert meeting_service.list_attachments(session, branch["village"], dialog.saved.id) == []


def test_a_committee_meeting_without_quorum_is_saved_with_the_warning(qtbot, tab, branch):
    dialog = new_dialog(qtbot, tab)
    dialog.kind.setCurrentIndex(dialog.kind.findData(MeetingKind.COMMITTEE.value))
    dialog.topic.setPlainText("研究冬季慰问")
    select(dialog, range(4))
    dialog.set_selected(Attendance.ABSENT)
    dialog.accept()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    tab._after_save(dialog, "登记会议")
    assert tab.dialogs.told[-1][0] == "info" and "未超过半数" in tab.dialogs.told[-1][2]
    assert tab.meetings.texts()[0][9] == "✗"


def test_frequencies_are_set_in_one_operation(qtbot, tab, store, monkeypatch):
    def quarterly_theme_day(self):
        self.boxes["theme_day"].setCurrentIndex(self.boxes["theme_day"].findData(Frequency.QUARTERLY.value))
        self.accept()
        return self.result()

    monkeypatch.setattr(FrequencyDialog, "exec", quarterly_theme_day)
    tab.set_period("2026Q4")
    tab.ask_frequencies()
    with store.session() as session:
        assert meeting_service.frequencies(session)["theme_day"] is Frequency.QUARTERLY
    theme_row = next(r for r in tab.due_table.texts() if r[0] == "主题党日")
    assert theme_row[2:4] == ["每季度1次", "1"]


@pytest.fixture
def ten_members(store):
    with store.session() as session:
        village_id = village(session)
        full = [member(session, village_id, f"正式{i}") for i in range(10)]
        probationary = member(session, village_id, "预备甲", standing=Standing.PROBATIONARY)
    return village_id, full, probationary


def test_the_review_refuses_a_fourth_excellent_and_saves_nothing(qtbot, store, data_folder, ten_members):
    village_id, full, probationary = ten_members
    tab = shown_tab(qtbot, MeetingsTab, store, data_folder, TODAY)
    tab.pages.setCurrentIndex(2)
    page = tab.review
    assert page.model.rowCount() == 11
    last = page.model.rowCount() - 1
    assert page.model.data(page.model.index(last, 3)) == "参加评议，不评定等次"
    assert not page.model.flags(page.model.index(last, 3)) & Qt.ItemIsEnabled
    page.view.selectAll()
    page.grade_selected(ReviewGrade.QUALIFIED)
    page.view.clearSelection()
    selection = page.view.selectionModel()
    for row in range(4):
        selection.select(page.model.index(row, 0), ROWS)
    page.view.setFocus()
    qtbot.keyClick(page.view, "1")
    assert "优秀 4 人 / 最多 3 人" in page.summary.text() and "b00000" in page.summary.styleSheet()
    page.save()
    assert tab.dialogs.told[-1][0] == "error" and "最多 3 人" in tab.dialogs.told[-1][2]
    with store.session() as session:
        assert meeting_service.review_sheet(session, village_id, 2026).counts()[ReviewGrade.QUALIFIED] == 0

    page.model.set_grade([3], ReviewGrade.UNQUALIFIED)
    assert "1 名不合格的没有登记处置" in page.summary.text()
    page.save()
    assert "需要登记处置方式" in tab.dialogs.told[-1][2]
    page.model.setData(page.model.index(3, 4), "限期改正")
    page.save()
    with store.session() as session:
        sheet = meeting_service.review_sheet(session, village_id, 2026)
        book = member_service.list_entries(session, village_id, full[3])
    assert sheet.excellent == 3 and sheet.counts()[ReviewGrade.UNQUALIFIED] == 1
    assert "2026年度民主评议：不合格（处置：限期改正）" in [e.text for e in book]
    assert "优秀 3 人 / 最多 3 人" in page.summary.text() and not page.save_button.isEnabled()


def test_the_study_page_lists_those_short_of_hours(qtbot, tab, branch, store):
    meeting_id = save_theme_day(qtbot, tab, branch)
    assert meeting_id
    tab.pages.setCurrentIndex(3)
    page = tab.study
    assert page.table.rowCount() == 150 and "未达标 150 人" in page.summary.text()
    row = page.table.texts()[0]
    assert row == ["党员001", "第1党小组", "是", "2", "56", "54", "✗"]
    with store.session() as session:
        member_service.add_entry(session, branch["members"][30], dt.date(2026, 5, 1),
                                 member_service.RecordEntryType.POLITICAL_STUDY, "自学党章", 24, today=TODAY)
        member_service.add_entry(session, branch["members"][30], dt.date(2026, 6, 1),
                                 member_service.RecordEntryType.POLITICAL_STUDY, "网络学习", 8, today=TODAY)
    page.refresh()
    page.short_only.setChecked(True)
    assert page.table.rowCount() == 149 and "党员031" not in [r[0] for r in page.table.texts()]


def test_alerts_open_each_page(qtbot, store, data_folder, branch):
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow

    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(store, data_folder))
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles.index("组织生活") == titles.index("网格") + 1
    for key, page in (("meetings/due", 1), ("meetings/review", 2), ("meetings/study", 3), ("meetings", 0)):
        window.open_target(key)
        assert window.tabs.currentWidget() is window.pages["meetings"]
        assert window.meetings_tab.pages.currentIndex() == page
    window.context.store.dispose()


def test_every_page_and_button_the_manual_names_on_this_tab_exists(tab):
    import re

    from PySide6.QtWidgets import QPushButton

    from partybuild_desktop.ui.manual import manual_text

    named = re.findall(r"“组织生活”页 → “([^”]+)”", manual_text())
    assert len(named) >= 9
    pages = [tab.pages.tabText(i) for i in range(tab.pages.count())]
    buttons = [b.text() for b in tab.findChildren(QPushButton)]
    assert [n for n in named if n not in pages and n not in buttons] == []


def test_the_minutes_of_the_selected_meeting_open_in_the_print_preview(qtbot, tab, branch):
    from tests.helpers import pdf_text

    save_theme_day(qtbot, tab, branch)
    tab.meetings.selectRow(0)
    tab.print_minutes()
    qtbot.waitUntil(lambda: getattr(tab, "last_preview", None) is not None, timeout=20000)
    preview = tab.last_preview
    text = pdf_text(preview.pdf)
    assert "学习党的二十届四中全会精神" in text and "党员013" in text and "生病" in text
    assert "会议记录" in preview.windowTitle()
    preview.close()


def test_the_study_hours_are_exported_for_the_year_shown(qtbot, tab, branch, tmp_path):
    from tests.helpers import sheet_rows

    save_theme_day(qtbot, tab, branch)
    target = tmp_path / "学时.xlsx"
    tab.dialogs.save = target
    tab.pages.setCurrentIndex(3)
    tab.study.export()
    qtbot.waitUntil(lambda: any(t[0] == "exported" for t in tab.dialogs.told), timeout=20000)
    cells = [str(c) for row in sheet_rows(target) for c in row]
    assert "党员001" in cells and "2026" in "".join(cells)
