"""Dialogs that check before they close: the award dialog (found by the members' pinyin search, empty at
the start), the visit diary and proxy services. A refused entry leaves the dialog open as typed."""

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from partybuild_desktop.domain.pinyin import initials
from partybuild_desktop.services import members as member_service
from partybuild_desktop.store.models import PointAward, ProxyService, Visit
from partybuild_desktop.ui import grids_tab as grids_ui
from partybuild_desktop.ui import points_tab as points_ui
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.grids_tab import GridsTab
from partybuild_desktop.ui.points_tab import PointsTab
from tests.gui.conftest import ScriptedDialogs

TODAY = dt.date(2026, 11, 23)


def count(store, model):
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def driving(monkeypatch, cls, steps, seen):
    """The next ``cls`` dialog is shown and ``steps(dialog)`` plays the clerk; the dialog goes in ``seen``."""
    def run(dialog):
        dialog.show()
        seen.append(dialog)
        steps(dialog)
        return dialog.result()

    monkeypatch.setattr(cls, "exec", run)


# ------------------------------------------------------------------------------------------- awards


@pytest.fixture
def points_tab(qtbot, sample_store, data_folder):
    widget = PointsTab(AppContext(sample_store, data_folder), ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def listed(dialog):
    return [dialog.who.item(i).text() for i in range(dialog.who.count())]


def test_the_award_dialog_starts_empty_and_finds_members_by_pinyin(points_tab, sample_store, monkeypatch):
    with sample_store.session() as session:
        rows = member_service.list_members(session, points_tab.village_id, include_archived=False)
    target = next(row for row in rows if len(row.name) == 3)
    seen = []
    driving(monkeypatch, points_ui.AwardDialog, lambda dialog: None, seen)
    points_tab.add_award()
    dialog = seen[0]
    assert dialog.target() is None and dialog.who.selectedItems() == []  # nobody chosen at the start
    on_board = len(points_tab.board.members)
    assert on_board > points_ui.MAX_LISTED  # the sample lists only the first ones, and says how many more
    assert f"还有 {on_board - points_ui.MAX_LISTED} 名" in listed(dialog)[points_ui.MAX_LISTED]
    dialog.search.setText(initials(target.name)[0])
    names = listed(dialog)
    assert any(text.startswith(target.name) for text in names)
    # The same search as the members list: the same members, best first.
    query = member_service.normalise_query(initials(target.name)[0])
    expected = [row.name for row in member_service.rank(member_service.find(rows, query), query)]
    assert [text.split("（")[0] for text in names][:len(expected)] == expected
    dialog.search.setText(target.id_number)
    assert [text.split("（")[0] for text in listed(dialog)] == [target.name]


def test_a_refused_award_keeps_what_was_typed(points_tab, sample_store, monkeypatch):
    before, seen = count(sample_store, PointAward), []

    def clerk(dialog):
        dialog.item.setCurrentIndex(next(i for i in range(dialog.item.count()) if "带头致富" in dialog.item.itemText(i)))
        dialog.reason.setText("带动就业")
        dialog.accept()  # nobody chosen
        assert dialog.isVisible() and "请在“对象”中搜索并选中" in dialog.problem.text()
        dialog.search.setText(points_tab.board.members[0].name)
        dialog.who.item(0).setSelected(True)
        dialog.date.setText((TODAY + dt.timedelta(days=3)).isoformat())
        dialog.accept()  # a date still to come
        assert dialog.isVisible() and "晚于今天" in dialog.problem.text()
        dialog.date.setText("2026-11-20")
        dialog.accept()  # no 登记人: the service refuses, through the runner
        assert dialog.isVisible() and points_tab.dialogs.told[-1][0] == "error"
        assert "登记人" in points_tab.dialogs.told[-1][2] and dialog.reason.text() == "带动就业"
        dialog.entered_by.setText("文书")
        dialog.accept()

    driving(monkeypatch, points_ui.AwardDialog, clerk, seen)
    points_tab.add_award()
    assert seen[0].result() == QDialog.DialogCode.Accepted and not seen[0].isVisible()
    assert count(sample_store, PointAward) == before + 1


# ------------------------------------------------------------------------------- visits and proxy services


@pytest.fixture
def grids_tab(qtbot, sample_store, data_folder):
    widget = GridsTab(AppContext(sample_store, data_folder), ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_a_refused_visit_keeps_what_was_typed(grids_tab, sample_store, monkeypatch):
    before, seen = count(sample_store, Visit), []

    def clerk(dialog):
        assert dialog.date.maximumDate().toPython() == TODAY  # a visit has happened
        dialog.action.setText("联系了电工")
        dialog.accept()  # 民情事项 missing
        assert dialog.isVisible() and "民情事项" in grids_tab.dialogs.told[-1][2]
        assert dialog.action.text() == "联系了电工"
        dialog.matter.setPlainText("反映村道路灯不亮")
        dialog.accept()

    driving(monkeypatch, grids_ui.VisitDialog, clerk, seen)
    grids_tab.ask_add_visit()
    assert seen[0].result() == QDialog.DialogCode.Accepted
    assert count(sample_store, Visit) == before + 1


def test_a_refused_proxy_service_keeps_what_was_typed(grids_tab, sample_store, monkeypatch):
    before, seen = count(sample_store, ProxyService), []

    def clerk(dialog):
        assert dialog.received.maximumDate().toPython() == TODAY
        dialog.kind.setCurrentIndex(dialog.kind.findData("refused"))
        dialog.applicant.setText("李大爷")
        dialog.matter.setPlainText("申请宅基地")
        dialog.accept()  # 不予办理 without its reason
        assert dialog.isVisible() and "原因" in grids_tab.dialogs.told[-1][2]
        assert dialog.matter.toPlainText() == "申请宅基地" and dialog.applicant.text() == "李大爷"
        dialog.reason.setText("不符合一户一宅规定")
        dialog.accept()

    driving(monkeypatch, grids_ui.ProxyDialog, clerk, seen)
    grids_tab.ask_register_proxy()
    assert seen[0].result() == QDialog.DialogCode.Accepted
    assert count(sample_store, ProxyService) == before + 1
