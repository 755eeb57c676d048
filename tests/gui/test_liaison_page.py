"""The 包挂联系 page speaks Chinese: its counts as a sentence, its advice naming the buttons as labelled."""

import datetime as dt
import re

import pytest
from PySide6.QtWidgets import QCheckBox, QPushButton

from partybuild_desktop.domain.liaison import LiaisonRule, count_problem, summary
from partybuild_desktop.ui.grids_tab import GridsTab
from tests.gui.conftest import shown_tab

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def tab(qtbot, sample_store, data_folder):
    return shown_tab(qtbot, GridsTab, sample_store, data_folder, TODAY)


def test_the_counts_are_a_sentence(tab):
    text = tab.liaison_summary.text()
    assert text.startswith("共检查 ") and "分项：" in text
    assert not re.search(r"[{}<>:]|LiaisonRule|Counter", text), text
    assert "党员联系农户" in text


def test_every_button_the_advice_names_is_on_the_page(tab):
    labels = {w.text() for w in tab.findChildren(QPushButton)} | {w.text() for w in tab.findChildren(QCheckBox)}
    advice = [line[5] for line in tab.liaison_problems.texts()]
    assert advice, "the sample village has liaison problems to show"
    named = {name for text in advice for name in re.findall(r"点“([^”]+)”", text)}
    named |= {name for text in advice for name in re.findall(r"勾选“([^”]+)”", text) if "班子成员" not in name}
    assert named, advice
    for name in named:
        assert any(label.startswith(name) for label in labels), (name, sorted(labels))


def test_the_sentence_counts_each_rule_and_its_problems():
    problems = [count_problem(LiaisonRule.MEMBER_HOUSEHOLDS, "member", i, f"党员{i}", "第1党小组", 3) for i in (1, 2)]
    checked = {LiaisonRule.MEMBER_HOUSEHOLDS: 20, LiaisonRule.HUB_COVERAGE: 4}
    assert summary(checked, problems) == ("共检查 24 项，其中 2 项超出范围，见下表。"
                                          "分项：党员联系农户 20 项（2 项超出）、每10—15户确定一户中心户 4 项。")
    assert summary(checked, []).startswith("共检查 24 项，全部符合规定。")
    assert "请先" in summary({}, [])
