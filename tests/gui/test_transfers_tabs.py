"""组织关系 and 后备干部 tabs: the sample's transfers (the expired letter marked), a letter out, its 回执 and
a transfer in through the dialogs (written only on OK, refusals kept in the dialog), the reserve cadres
against the target, a cadre added and the roster renewed; screenshots at 1280×720 and 1600×1000."""

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QDate

from partybuild_desktop.services import reserve_cadres, transfers
from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.reserve_cadres_tab import ReserveCadresTab
from partybuild_desktop.ui.transfers_tab import TransfersTab
from partybuild_desktop.ui.widgets import HIGHLIGHT
from tests.gui.conftest import ScriptedDialogs, shown_tab
from tests.helpers import SAMPLE_TODAY

SHOTS = os.environ.get("PARTYBUILD_SHOTS")


def _shoot(widget, name: str) -> None:
    """With PARTYBUILD_SHOTS set, save the tab at both sizes there (to look at)."""
    if not SHOTS:
        return
    for width, height in ((1280, 720), (1600, 1000)):
        widget.resize(width, height - 80)
        widget.grab().save(str(Path(SHOTS) / f"{name}-{width}x{height}.png"))


def test_the_transfers_tab_shows_the_sample_and_takes_a_letter_and_its_receipt(qtbot, sample_store, data_folder):
    dialogs = ScriptedDialogs()
    tab = shown_tab(qtbot, TransfersTab, sample_store, data_folder, dialogs=dialogs)
    lines = tab.table.texts()
    states = {line[1]: line[-1] for line in lines}
    assert sorted(states.values()) == ["回执逾期未回", "已收到回执", "已转入"]
    expired = next(r for r, line in enumerate(lines) if line[-1] == "回执逾期未回")
    assert tab.table.item(expired, 0).background().color() == HIGHLIGHT
    assert "待回执 1，其中逾期 1" in tab.summary.text()
    _shoot(tab, "transfers")

    # A letter out: refused without the organisation (the dialog stays open, nothing written), then saved.
    with sample_store.session() as session:
        people = transfers.transferable_members(session, 1)
    from partybuild_desktop.ui.transfers_tab import ReceiptDialog, TransferOutDialog

    dialog = TransferOutDialog(tab.context, 1, SAMPLE_TODAY, people, 90, "2026-003", tab)
    name = people[0][1]
    dialog.member.setCurrentIndex(0)
    dialog.date.setDate(QDate(2026, 11, 2))
    dialog.accept()
    assert not dialog.problem.isHidden() and "转往的党组织" in dialog.problem.text() and not dialog.result()
    with sample_store.session() as session:
        assert transfers.open_transfer(session, 1, people[0][0]) is None
    dialog.organisation.setText("中共某县某镇某村党支部")
    dialog.accept()
    assert dialog.result() and dialog.saved.letter_no == "2026-003"
    tab.refresh()
    assert any(line[1] == name and line[-1] == "待回执" for line in tab.table.texts())

    # Its 回执: the member leaves the list.
    receipt = ReceiptDialog(tab.context, 1, SAMPLE_TODAY, dialog.saved, tab)
    receipt.date.setDate(QDate(2026, 11, 20))
    receipt.accept()
    assert receipt.result()
    with sample_store.session() as session:
        assert session.get(Member, people[0][0]).archived


def test_a_transfer_in_through_the_dialog(qtbot, sample_store, data_folder):
    from partybuild_desktop.ui.transfers_tab import TransferInDialog

    tab = shown_tab(qtbot, TransfersTab, sample_store, data_folder)
    dialog = TransferInDialog(tab.context, 1, SAMPLE_TODAY, [], [("第1党小组", None)], tab)
    assert not dialog.back.isEnabled()  # nobody transferred out can come back in this test's list
    dialog.name.setText("钱新到")
    dialog.organisation.setText("中共某县某镇某村党支部")
    dialog.accept()
    assert "介绍信的编号" in dialog.problem.text() and not dialog.result()
    dialog.letter.setText("W-12")
    dialog.accept()
    assert dialog.result() and dialog.saved.created
    tab.refresh()
    assert any(line[1] == "钱新到" and line[0] == "转入" for line in tab.table.texts())
    second = TransferInDialog(tab.context, 1, SAMPLE_TODAY, [], [("第1党小组", None)], tab)
    second.name.setText("马新华")
    second.ethnicity.setText(" 回族 ")
    second.organisation.setText("中共某县某镇某村党支部")
    second.letter.setText("W-13")
    second.accept()
    assert second.result()
    with sample_store.session() as session:
        assert session.get(Member, dialog.saved.row.member_id).ethnicity is None  # not typed: not 汉族 by default
        assert session.get(Member, second.saved.row.member_id).ethnicity == "回族"


def test_the_reserve_cadres_tab(qtbot, sample_store, data_folder):
    from partybuild_desktop.ui.reserve_cadres_tab import CadreDialog

    dialogs = ScriptedDialogs()
    tab = shown_tab(qtbot, ReserveCadresTab, sample_store, data_folder, dialogs=dialogs)
    tab.year.setCurrentIndex(tab.year.findData(2026))
    with sample_store.session() as session:
        standing = reserve_cadres.standing(session, 1, 2026)
    assert tab.table.rowCount() == standing.count > 10
    assert tab.summary.text() == standing.text
    assert "续备" in {line[9] for line in tab.table.texts()} and "新选" in {line[9] for line in tab.table.texts()}
    _shoot(tab, "reserve-cadres")

    dialog = CadreDialog(tab.context, 1, 2026, SAMPLE_TODAY, [(1, "书记")], None, tab)
    dialog.name.setText("新后备")
    dialog.phone.setText("12")
    dialog.accept()
    assert "联系电话" in dialog.problem.text() and not dialog.result()
    dialog.phone.setText("13900001111")
    dialog.source.setCurrentText("退役军人")
    dialog.accept()
    assert dialog.result()
    tab.refresh()
    assert tab.table.rowCount() == standing.count + 1

    tab.year.setCurrentIndex(tab.year.findData(2026))
    tab.ask_renew()
    assert dialogs.told[-1][1] == "续备"
    assert tab.year.currentData() == 2027 and tab.table.rowCount() == standing.count + 1


def test_the_alert_opens_the_transfers_tab(qtbot, sample_store, data_folder):
    from partybuild_desktop.services import alerts
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow

    with sample_store.session() as session:
        (alert,) = [a for a in alerts.collect(session, 1, SAMPLE_TODAY) if a.kind == "transfer_receipt_missing"]
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(sample_store, data_folder))
    window.open_target(alert.target)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "组织关系"
    assert isinstance(window.transfers_tab, TransfersTab)
    window.open_target("reserve_cadres")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "后备干部"
    assert isinstance(window.reserve_cadres_tab, ReserveCadresTab)
