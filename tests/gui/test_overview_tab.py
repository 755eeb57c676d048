"""概况: the set-up list of an empty village, the 待办提醒 and their clicks, refreshed by the operation runner."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import update

from partybuild_desktop.domain.vocabulary import Standing
from partybuild_desktop.services.alerts import collect
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.village import LAST_BACKUP, set_setting
from partybuild_desktop.store.models import PartyGroup, Village
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.overview_tab import SERIOUS_COLOUR, OverviewTab
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import member, village

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def empty(store, data_folder):
    with store.session() as session:
        village_id = village(session, "东湖村")
        session.execute(update(Village).values(created_at=dt.datetime(2026, 11, 20, 9, 0)))
    return AppContext(store, data_folder), village_id


def make_tab(qtbot, context):
    tab = OverviewTab(context, today=AS_OF)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def step_texts(tab):
    return [tab.setup.rows[key][0].text() for key in ("party_groups", "grids", "members", "households")]


def test_an_empty_village_shows_what_to_set_up_with_a_button_to_each_screen(qtbot, empty):
    context, _ = empty
    tab = make_tab(qtbot, context)
    assert tab.setup.isVisible()
    assert step_texts(tab) == ["○ 1. 党小组：0", "○ 2. 网格：0", "○ 3. 党员：0", "○ 4. 农户：0"]
    targets = {}
    for key, expected in (("party_groups", "settings/party_groups"), ("grids", "grids"), ("members", "members"),
                          ("households", "grids/households")):
        button = tab.findChild(QPushButton, f"setup_{key}")
        with qtbot.waitSignal(tab.open_target) as signal:
            qtbot.mouseClick(button, Qt.LeftButton)
        targets[key] = signal.args[0]
        assert signal.args == [expected]
    assert len(targets) == 4
    assert tab.findChild(QLabel, "noAlerts").isVisible() and not tab.alerts_table.isVisible()


def test_a_change_through_the_runner_refreshes_the_list(qtbot, empty):
    context, village_id = empty
    tab = make_tab(qtbot, context)

    def add_group(session):
        session.add(PartyGroup(village_id=village_id, name="第一党小组", villager_group="1组"))

    assert context.operations.run("新增党小组", add_group, Change.VILLAGE, dialogs=ScriptedDialogs()).ok
    assert step_texts(tab)[0] == "✓ 1. 党小组：1"
    assert tab.findChild(QPushButton, "setup_party_groups").text() == "查看党小组…"


def test_the_alerts_serious_in_red_and_a_click_opens_their_screen(qtbot, empty):
    context, village_id = empty
    with context.store.session() as session:
        member(session, village_id, "钱过期", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 11, 1))
        member(session, village_id, "赵预备", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 12, 10))
        set_setting(session, LAST_BACKUP, "2026-11-22T18:00:00")
    tab = make_tab(qtbot, context)
    table = tab.alerts_table
    with context.store.session() as session:
        expected = collect(session, village_id, AS_OF)
    # The two probation alerts lead; the study hours of both (from October on) follow.
    assert table.isVisible() and table.rowCount() == len(expected) == 4
    assert [table.item(r, 1).text() for r in range(2)] == [a.message for a in expected[:2]]
    assert [table.item(r, 0).text() for r in range(2)] == ["紧急", "提醒"]
    assert [table.item(r, 2).text() for r in range(2)] == ["2026-11-01", "2026-12-10"]
    assert table.item(0, 1).foreground().color() == SERIOUS_COLOUR
    assert table.item(1, 1).foreground().color() != SERIOUS_COLOUR
    assert "待办提醒（4）" == tab.alerts_box.title()
    cell = table.visualRect(table.model().index(1, 1)).center()
    with qtbot.waitSignal(tab.open_target) as signal:
        qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=cell)
    assert signal.args == ["members"]


def test_a_set_up_village_shows_no_list_and_its_counts(qtbot, sample_store, data_folder):
    context = AppContext(sample_store, data_folder)
    tab = make_tab(qtbot, context)
    assert not tab.setup.isVisible()
    assert tab.member_counts.rowCount() > 0 and tab.organisation_counts.rowCount() > 0
    assert tab.heading.text().startswith("在册党员 ")
    assert tab.alerts_table.rowCount() == len(tab.alerts) > 0
