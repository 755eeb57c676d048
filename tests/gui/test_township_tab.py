"""The township's screen, driven offscreen: set up at first run or in 程序用途, packages imported from a
folder (a bad one refused while the others go through, a second package for a village only when
confirmed), the missing villages and the consolidated tables on screen, the tables written out."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from partybuild_desktop import app as app_module
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.services import consolidation
from partybuild_desktop.services.returns import export_return
from partybuild_desktop.services.village import program_mode
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.main_window import MainWindow
from partybuild_desktop.ui.township_tab import PackageImportDialog, quarter_choices
from tests.conftest import SAMPLE_TODAY
from tests.helpers import sheet_rows, village_file
from tests.gui.conftest import ScriptedDialogs

Q3 = Quarter(2026, 3)
VILLAGES = (("东湖村", 40, 1), ("石桥村", 30, 2))


@pytest.fixture(scope="module")
def stick(tmp_path_factory):
    """A stick holding the two villages' third-quarter returns, 东湖村's second-quarter one, and (kept
    apart) 石桥村's return filed again a day later."""
    root = tmp_path_factory.mktemp("villages")
    stick = root / "U盘"
    for name, members, seed in VILLAGES:
        store = village_file(root / name, name, members, seed)
        export_return(store, None, Q3, stick, today=SAMPLE_TODAY)
        if name == "东湖村":
            export_return(store, None, "2026Q2", stick, today=SAMPLE_TODAY)
        else:
            export_return(store, None, Q3, root / "later", today=SAMPLE_TODAY + dt.timedelta(days=1))
        store.dispose()
    return stick


def township_window(qtbot, store, folder, dialogs):
    with store.session() as session:
        consolidation.setup_township(session, "城南镇", ["东湖村", "石桥村", "柳塘村"])
    window = MainWindow(folder, dialogs)
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(store, folder))
    return window


def import_from(qtbot, tab, folder, dialogs):
    dialog = PackageImportDialog(tab.context, tab.selected_quarter(), dialogs, tab)
    qtbot.addWidget(dialog)
    dialog.choose(folder)
    dialog.import_selected()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    # the tab refreshes itself from the import's broadcast
    return dialog


def test_the_wizard_sets_up_the_township(qtbot, store, data_folder, monkeypatch):
    from partybuild_desktop.ui.first_run import FirstRunWizard

    def choose_township(wizard):
        wizard.restart()
        wizard.choice_page.township.setChecked(True)
        wizard.next()
        assert wizard.currentId() == FirstRunWizard.TOWNSHIP_PAGE
        fields = wizard.township_page.fields
        assert not wizard.township_page.isComplete()
        fields.township.setText("城南镇")
        fields.villages.setPlainText("东湖村\n石桥村、柳塘村\n\n")
        assert wizard.township_page.isComplete()
        return True

    monkeypatch.setattr(FirstRunWizard, "exec", lambda self: choose_township(self))
    assert app_module.first_run(store)
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.attach(AppContext(store, data_folder))
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["乡镇汇总"]
    assert window.windowTitle().startswith("城南镇（乡镇汇总）")
    assert window.import_packages_action.isVisible() and not window.export_return_action.isVisible()
    summary = window.township_tab.summary.text()
    assert "应报 3 个村，已收到 0 个" in summary and "东湖村、石桥村、柳塘村" in summary


def test_import_from_a_stick_refuses_the_bad_and_takes_the_rest(qtbot, store, data_folder, stick, tmp_path):
    folder = tmp_path / "U盘"
    shutil.copytree(stick, folder)
    edited = next((folder / "城南镇-石桥村-2026Q3").glob("*.xlsx"))
    edited.write_bytes(edited.read_bytes() + b"\0")  # an xlsx edited after export
    (folder / "照片").mkdir()  # not a package: not offered
    dialogs = ScriptedDialogs()
    window = township_window(qtbot, store, data_folder, dialogs)
    tab = window.township_tab
    tab.choose_quarter(Q3)

    dialog = PackageImportDialog(tab.context, Q3, dialogs, tab)
    qtbot.addWidget(dialog)
    dialog.choose(folder)
    offered = {dialog.found.item(r, 0).text(): dialog.found.item(r, 0).checkState()
               for r in range(dialog.found.rowCount())}
    assert offered == {"城南镇-东湖村-2026Q2": Qt.Unchecked, "城南镇-东湖村-2026Q3": Qt.Checked,
                       "城南镇-石桥村-2026Q3": Qt.Checked}
    dialog.import_selected()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    outcomes = {p.village: (p.status, p.code) for p in dialog.result.packages}
    assert outcomes == {"东湖村": ("accepted", None), "石桥村": ("refused", "manifest_mismatch")}
    kind, title, text = dialogs.told[-1]
    assert kind == "error" and "石桥村" in text and "改动" in text
    results = {dialog.found.item(r, 1).text(): dialog.found.item(r, 3).text() for r in range(dialog.found.rowCount())}
    assert results["东湖村"] == "已导入" and results["石桥村"] == "没有导入"

    # the tab refreshes itself from the import's broadcast
    assert tab.quarter.currentData() == "2026Q3"
    assert "已收到 1 个" in tab.summary.text() and "石桥村、柳塘村" in tab.summary.text()
    pages = {tab.pages.tabText(i): tab.pages.widget(i) for i in range(tab.pages.count())}
    side_by_side = {row[1]: row for row in pages["各村对照"].texts()}
    assert side_by_side["东湖村"][2].startswith("已报送") and side_by_side["石桥村"][2] == "未报送"
    with store.session() as session:
        (figures,) = consolidation.quarter_figures(session, Q3)
    basic = {row[0]: row for row in pages["表一 基本情况"].texts()}
    assert list(basic) == ["东湖村"] and int(basic["东湖村"][1]) == figures.member_statistics.total
    assert [row[0] for row in pages["收到的报表包"].texts()] == ["东湖村"]


def test_a_second_package_replaces_the_first_only_when_confirmed(qtbot, store, data_folder, stick):
    dialogs = ScriptedDialogs(confirm=False)
    window = township_window(qtbot, store, data_folder, dialogs)
    tab = window.township_tab
    tab.choose_quarter(Q3)
    import_from(qtbot, tab, stick, dialogs)
    later = stick.parent / "later"

    dialog = import_from(qtbot, tab, later, dialogs)  # declined: refused, the first kept
    assert any(t[0] == "confirm" and "石桥村" in t[2] for t in dialogs.told)
    assert [(p.status, p.code) for p in dialog.result.packages] == [("refused", "duplicate_village")]
    dialogs.answer = True
    dialog = import_from(qtbot, tab, later, dialogs)
    assert [(p.status, p.code) for p in dialog.result.packages] == [("accepted", None)]
    received = tab.pages.widget(tab.pages.count() - 1).texts()
    states = sorted(row[-1][:3] for row in received if row[0] == "石桥村")
    # Each village's 后备干部 against the township's target (16 unless set), from the return.
    assert all(re.fullmatch(r"\d+/16(（差\d+）)?", row[4]) for row in received)
    assert states == sorted(["已被替", "当前"])
    assert "已收到 2 个" in tab.summary.text()


def test_the_consolidated_tables_are_written_out(qtbot, store, data_folder, stick, tmp_path):
    out = tmp_path / "汇总"
    dialogs = ScriptedDialogs(folder=out)
    window = township_window(qtbot, store, data_folder, dialogs)
    tab = window.township_tab
    tab.choose_quarter(Q3)
    import_from(qtbot, tab, stick, dialogs)
    tab.export_consolidated()
    qtbot.waitUntil(lambda: dialogs.told[-1][1] == "导出完成", timeout=30000)
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 16 and {Path(n).suffix for n in written} == {".xlsx", ".pdf"}
    villages = next(out.glob("*各村报送情况对照表.xlsx"))
    cells = [c for row in sheet_rows(villages) for c in row]
    assert "东湖村" in cells and "石桥村" in cells and "柳塘村" in cells


def test_program_mode_switches_between_village_and_township(qtbot, sample_store, data_folder, monkeypatch):
    from partybuild_desktop.ui.mode_dialog import ModeDialog

    def answer(township: bool):
        def exec_(dialog):
            (dialog.township if township else dialog.village).setChecked(True)
            dialog.fields.township.setText("城南镇")
            dialog.fields.villages.setPlainText("东湖村 石桥村")
            return True
        monkeypatch.setattr(ModeDialog, "exec", exec_)

    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.attach(AppContext(sample_store, data_folder))
    members = window.overview_tab  # built: the village's tabs are there
    assert members is not None
    answer(township=True)
    window.change_mode()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["乡镇汇总"]
    assert "应报 2 个村" in window.township_tab.summary.text()
    answer(township=False)
    window.change_mode()
    # The village's tabs are back (whatever tabs the village side has grown since), the township's gone.
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[:3] == ["概况", "党员", "网格"] and "先锋榜" in titles and "乡镇汇总" not in titles
    with sample_store.session() as session:
        assert program_mode(session) == "village"
    assert "东湖村" in window.windowTitle()


def test_quarters_offered_are_recent_and_received():
    offered = quarter_choices(dt.date(2026, 11, 23), [Quarter(2024, 2)])
    assert [q.label for q in offered] == ["2026Q4", "2026Q3", "2026Q2", "2026Q1", "2025Q4", "2025Q3", "2024Q2"]


def test_a_township_file_starts_without_the_village_wizard(qtbot, store, data_folder, monkeypatch):
    from partybuild_desktop.ui.first_run import FirstRunWizard

    with store.session() as session:
        consolidation.setup_township(session, "城南镇", ["东湖村"])
    store.dispose()
    monkeypatch.setattr(FirstRunWizard, "exec", lambda self: pytest.fail("no first run for a township file"))
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    app_module.start(window)
    qtbot.waitUntil(lambda: window.context is not None, timeout=10000)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["乡镇汇总"]
    assert "东湖村" in window.township_tab.summary.text()
    window.context.store.dispose()
