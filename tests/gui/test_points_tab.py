"""The points tab: the board, the trace behind a score, the rule editor, awards and closing a year."""

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from partybuild_desktop.services import point_rules
from partybuild_desktop.ui import points_tab as points_ui
from partybuild_desktop.ui.points_tab import PointsTab, RuleEditor
from tests.gui.conftest import shown_tab

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def tab(qtbot, sample_store, data_folder):
    return shown_tab(qtbot, PointsTab, sample_store, data_folder, TODAY)


def score_of_row(tab, row):
    return float(tab.table.item(row, 3).text())


def test_board_ranks_with_ties_and_the_trace_adds_up(tab):
    assert tab.table.rowCount() == len(tab.board.members) > 0
    ranks = [int(tab.table.item(r, 0).text()) for r in range(tab.table.rowCount())]
    scores = [score_of_row(tab, r) for r in range(tab.table.rowCount())]
    assert scores == sorted(scores, reverse=True)
    for r in range(1, len(ranks)):  # a tie shares the rank; the next rank skips
        assert ranks[r] == (ranks[r - 1] if scores[r] == scores[r - 1] else r + 1)
    tab.table.selectRow(3)
    lines = [tab.trace.topLevelItem(i) for i in range(tab.trace.topLevelItemCount())]
    base = tab.board.rules.base_score
    assert round(base + sum(float(item.text(3)) for item in lines), 2) == score_of_row(tab, 3)
    assert str(tab.table.item(3, 1).text()) in tab.trace_heading.text()


def score_of(tab, member_id):
    return next(m.score for m in tab.board.members if m.member_id == member_id)


def test_changing_the_rules_changes_the_board_but_not_a_closed_year(qtbot, tab, monkeypatch):
    scores = {m.member_id: m.score for m in tab.board.members}

    def raise_base(editor):
        editor.base.setValue(editor.base.value() + 10)
        return 1

    monkeypatch.setattr(RuleEditor, "exec", raise_base)
    tab.edit_rules()
    assert {round(score_of(tab, m) - s, 2) for m, s in scores.items()} == {10}

    tab.dialogs.answer = True
    tab.close_year()
    assert tab.board.closed and tab.close_button.text() == "重新打开年度…"
    closed_scores = {m.member_id: m.score for m in tab.board.members}
    with tab.context.store.session() as session:
        record = point_rules.load_rules(session, tab.village_id, 2026)
    editor = RuleEditor(record, tab.dialogs)
    qtbot.addWidget(editor)
    assert not editor.buttons.button(QDialogButtonBox.Save).isEnabled()
    tab.edit_rules()  # raise_base again: the service refuses a closed year
    assert tab.dialogs.told[-1][0] == "error"
    assert {m.member_id: m.score for m in tab.board.members} == closed_scores


def test_a_manual_award_shows_in_the_trace(qtbot, tab, monkeypatch):
    target = tab.board.members[-1]

    def fill_and_save(self):
        self.item.setCurrentIndex(next(i for i in range(self.item.count()) if "带头致富" in self.item.itemText(i)))
        self.search.setText(target.name)
        self.who.item(0).setSelected(True)
        self.date.setText("2026-11-20")
        self.reason.setText("带动就业")
        self.entered_by.setText("文书")
        self.accept()
        return self.result()

    monkeypatch.setattr(points_ui.AwardDialog, "exec", fill_and_save)
    tab.add_award()
    row = next(i for i, m in enumerate(tab.board.members) if m.member_id == target.member_id)
    assert tab.board.members[row].score > target.score
    tab.table.selectRow(row)
    texts = [tab.trace.topLevelItem(i).child(j).text(0) for i in range(tab.trace.topLevelItemCount())
             for j in range(tab.trace.topLevelItem(i).childCount())]
    assert any("带动就业" in text for text in texts)
