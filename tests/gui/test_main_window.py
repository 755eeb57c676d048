"""The main window, driven for real with pytest-qt (offscreen)."""

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QSplitter, QTableWidget

from partybuild_desktop import app as app_module
from partybuild_desktop.services.overview import overview
from partybuild_desktop.ui.main_window import MainWindow
from tests.gui.conftest import ScriptedDialogs


def table_values(table: QTableWidget) -> dict:
    return {table.item(r, 0).text(): int(table.item(r, 1).text()) for r in range(table.rowCount())}


def test_title_and_overview_show_the_real_counts(window_for, sample_store):
    window = window_for(sample_store)
    assert window.windowTitle().endswith("东湖村 — 村党建工作台")
    with sample_store.session() as session:
        village_id = window.context.village().id
        data = overview(session, village_id)
    members = table_values(window.findChild(QTableWidget, "memberCounts"))
    organisation = table_values(window.findChild(QTableWidget, "organisationCounts"))
    assert all(members[c.label] == n for c, n in data.by_category.items())
    assert all(members[f"状态：{s.label}"] == n for s, n in data.by_status.items())
    assert sum(members[c.label] for c in data.by_category) == data.members_active > 0
    assert organisation["农户"] == data.households > 0
    assert organisation["党小组"] == data.party_groups
    assert organisation["户级网格"] > 0 and organisation["党员中心户"] > 0
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["概况", "党员", "网格", "组织生活", "发展党员", "党费", "党建经费", "先锋榜",
        "组织关系", "后备干部", "流动党员"]


def test_menus_are_chinese_and_complete(window_for, sample_store):
    window = window_for(sample_store)
    menus = {m.title(): [a.text() for a in m.actions() if a.text() and a.isVisible()]
             for m in (a.menu() for a in window.menuBar().actions())}
    assert menus["文件(&F)"] == ["备份到…", "从备份恢复…", "导出季度报表（U 盘）…", "导入党费登记表…", "导入发展党员台账…",
                                 "打印…", "打开数据文件夹",
                                 "退出"]
    assert menus["设置(&S)"] == ["本村信息…", "党小组…", "网格党支部…", "党员示范岗…", "中心户…", "操作员…",
                                 "操作记录…", "程序密码…", "自动备份…", "程序用途（本村台账 / 乡镇汇总）…"]
    assert menus["帮助(&H)"] == ["使用说明", "关于"]


def test_backup_then_restore_from_the_window(qtbot, window_for, sample_store, tmp_path, monkeypatch):
    monkeypatch.setattr("partybuild_desktop.ui.backup_dialogs.ask", lambda dialog: True)  # 恢复 in the comparison
    target = tmp_path / "U盘" / "备份.sqlite3"
    dialogs = ScriptedDialogs(save=target, open_=target)
    window = window_for(sample_store, dialogs)
    assert window.backup_label.text() == "尚未备份"
    window.backup_to()
    qtbot.waitUntil(lambda: bool(dialogs.told) and dialogs.told[-1][1] == "备份完成", timeout=15000)
    assert target.exists()
    assert window.backup_label.text().startswith("上次备份：")
    assert "数据文件：" in window.data_file_label.text()

    from partybuild_desktop.services.changes import Change
    from partybuild_desktop.store.models import Household

    window.context.operations.run("删除全部农户", lambda session: session.query(Household).delete(), Change.HOUSEHOLDS,
                                  dialogs=dialogs)
    assert table_values(window.findChild(QTableWidget, "organisationCounts"))["农户"] == 0
    window.restore_from_backup()
    assert dialogs.told[-1][1] == "恢复完成", dialogs.told
    assert table_values(window.findChild(QTableWidget, "organisationCounts"))["农户"] > 0
    window.context.store.dispose()


def test_backup_to_an_unwritable_place_says_so(qtbot, window_for, sample_store, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    dialogs = ScriptedDialogs(save=blocker / "备份.sqlite3")
    window = window_for(sample_store, dialogs)
    window.backup_to()
    qtbot.waitUntil(lambda: bool(dialogs.told), timeout=15000)
    kind, title, text = dialogs.told[-1]
    assert kind == "error" and "备份没有写成" in text and "Errno" not in text
    assert window.backup_label.text() == "尚未备份"


def test_restore_of_a_bad_file_changes_nothing(window_for, sample_store, tmp_path):
    bad = tmp_path / "坏的备份.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    dialogs = ScriptedDialogs(open_=bad)
    window = window_for(sample_store, dialogs)
    before = table_values(window.findChild(QTableWidget, "organisationCounts"))
    window.restore_from_backup()
    assert dialogs.told[-1][0] == "error" and "当前数据没有改动" in dialogs.told[-1][2]
    assert table_values(window.findChild(QTableWidget, "organisationCounts")) == before


def test_window_size_and_splitters_are_remembered(qtbot, window_for, sample_store):
    window = window_for(sample_store)
    window.resize(760, 560)  # within the offscreen screen (800×600)
    splitter = window.findChild(QSplitter, "overviewSplitter")
    splitter.setSizes([500, 200])
    wanted = splitter.sizes()
    window.close()
    again = window_for(sample_store)
    assert (again.size().width(), again.size().height()) == (760, 560)
    assert again.findChild(QSplitter, "overviewSplitter").sizes() == wanted


def test_qt_dialogs_speak_chinese(qapp):
    app_module.install_chinese(qapp)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("QPlatformTheme", "&Yes") != "&Yes"


def test_uncaught_exception_is_logged_and_shown_in_chinese(qapp, monkeypatch, data_folder):
    from partybuild_desktop import paths

    log_file = paths.setup_logging(data_folder)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_module.install_error_dialog()
    try:
        raise ValueError("测试用的意外")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert shown and shown[0][0] == "程序出错" and "已经保存的数据不会丢失" in shown[0][1]
    assert "测试用的意外" in Path(log_file).read_text(encoding="utf-8")


def test_first_run_wizard_creates_the_village(qtbot, store, monkeypatch):
    from partybuild_desktop.services.village import current_village
    from partybuild_desktop.ui.first_run import FirstRunWizard

    def fill_and_accept(wizard):
        wizard.restart()
        wizard.next()
        assert wizard.currentId() == FirstRunWizard.VILLAGE_PAGE
        page = wizard.village_page
        assert not page.isComplete()
        page.township.setText("城南镇")
        page.village.setText("  柳塘村 ")
        page.secretary.setText("赵德胜")
        assert page.isComplete()
        return True

    monkeypatch.setattr(FirstRunWizard, "exec", lambda self: fill_and_accept(self))
    assert app_module.first_run(store)
    with store.session() as session:
        village = current_village(session)
    assert (village.township, village.name, village.secretary_name) == ("城南镇", "柳塘村", "赵德胜")
    assert village.branch_name == "中共柳塘村党总支"


def test_first_run_wizard_can_load_the_sample(qtbot, store, monkeypatch):
    from sqlalchemy import select

    from partybuild_desktop.store.models import AuditEntry
    from partybuild_desktop.services.overview import overview as load
    from partybuild_desktop.services.village import current_village
    from partybuild_desktop.ui.first_run import FirstRunWizard

    def choose_sample(wizard):
        wizard.restart()
        wizard.choice_page.sample.setChecked(True)
        wizard.next()
        assert wizard.currentId() == FirstRunWizard.SAMPLE_PAGE
        wizard.sample_page.village.setText("样板村")
        wizard.sample_page.members.setValue(40)
        return True

    monkeypatch.setattr(FirstRunWizard, "exec", lambda self: choose_sample(self))
    assert app_module.first_run(store)
    with store.session() as session:
        village = current_village(session)
        assert village.name == "样板村"
        assert 35 <= load(session, village.id).members_active <= 45
        (entry,) = session.scalars(select(AuditEntry)).all()  # written off the GUI thread, through the runner
        assert entry.action == "建立台账（首次启动）"


def test_the_window_appears_first_and_the_data_follows(qtbot, sample_store, data_folder):
    """The real start-up path: window shown, data file opened on a worker thread, tabs attached."""
    sample_store.dispose()
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    assert window.centralWidget() is window.loading and window.windowTitle() == "村党建工作台"
    assert not window.data_actions[0].isEnabled()
    ready = []
    app_module.start(window, on_ready=lambda: ready.append(True))
    qtbot.waitUntil(lambda: window.context is not None, timeout=10000)
    qtbot.waitUntil(lambda: bool(ready), timeout=5000)
    assert window.centralWidget() is window.tabs and "东湖村" in window.windowTitle()
    assert window.data_actions[0].isEnabled()
    window.context.store.dispose()


def test_a_corrupt_data_file_is_reported_at_start(qtbot, data_folder, monkeypatch):
    (data_folder / "partybuild.sqlite3").write_bytes(b"not a database" * 100)
    shown, exits = [], []
    # The offer of a backup is a message box; the clerk closes it with 退出 (no backup exists here).
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.windowTitle(), box.text())) or 0)
    monkeypatch.setattr(app_module.QApplication, "exit", lambda code=0: exits.append(code))
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    app_module.start(window)
    qtbot.waitUntil(lambda: bool(exits), timeout=10000)
    assert exits == [2] and shown[0][0] == "数据文件有问题" and "partybuild.sqlite3" in shown[0][1]
    assert (data_folder / "partybuild.sqlite3").read_bytes() == b"not a database" * 100


def test_export_menu_lists_every_export_and_writes_a_file(qtbot, window_for, sample_store, tmp_path):
    from partybuild_desktop.services.exports import catalogue

    target = tmp_path / "概况.xlsx"
    dialogs = ScriptedDialogs(save=target)
    window = window_for(sample_store, dialogs)
    titles = [a.text() for a in window.export_menu.actions()]
    assert titles == [f"{d.title}…" for d in catalogue()]
    window.export_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: bool(dialogs.told), timeout=20000)
    assert dialogs.told[-1][1] == "导出完成" and target.exists()


def test_cards_for_the_filtered_members_only(qtbot, window_for, sample_store, tmp_path, monkeypatch):
    from pypdf import PdfReader
    from PySide6.QtWidgets import QApplication, QDialog

    from partybuild_desktop.ui.print_preview import ChoosePrintoutDialog, PrintPreviewDialog

    target = tmp_path / "信息卡.pdf"
    dialogs = ScriptedDialogs(save=target)
    window = window_for(sample_store, dialogs)
    tab = window.members_tab
    tab.category.setCurrentIndex(tab.category.findData("elderly"))
    shown = {row.name for row in tab.model.visible}
    others = {row.name for row in tab.model.rows if row.name not in shown and not row.archived}
    monkeypatch.setattr(ChoosePrintoutDialog, "exec", lambda chooser: QDialog.Accepted)
    tab._print("cards", tab.visible_member_ids())  # 打印… opens the print preview, which can keep the PDF
    qtbot.waitUntil(lambda: any(isinstance(w, PrintPreviewDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=20000)
    preview = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreviewDialog) and w.isVisible())
    preview.save_as()
    preview.close()
    assert dialogs.told[-1][1] == "保存完成", dialogs.told
    pages = PdfReader(str(target)).pages
    text = "".join(page.extract_text() for page in pages)
    assert all(name in text for name in shown)
    # Two cards to a page (a card that grew takes a page of its own): far fewer pages than everyone's.
    assert len(shown) / 2 <= len(pages) <= len(shown) < len(shown | others) / 2


def test_tabs_are_built_when_first_shown_and_kept_in_step(qtbot, window_for, sample_store):
    window = window_for(sample_store)
    assert window.pages["overview"].content is not None
    assert window.pages["points"].content is None and window.pages["grids"].content is None
    window.tabs.setCurrentWidget(window.pages["points"])
    points_tab = window.pages["points"].content
    assert points_tab is not None and points_tab.table.rowCount() > 0
    before = table_values(window.findChild(QTableWidget, "organisationCounts"))["农户"]
    from partybuild_desktop.services import households

    window.grids_tab.do_save_household(households.HouseholdForm(head_name="新来的户", villager_group="1组"))
    window.tabs.setCurrentIndex(0)  # a hidden tab catches up when it is shown
    assert table_values(window.findChild(QTableWidget, "organisationCounts"))["农户"] == before + 1
