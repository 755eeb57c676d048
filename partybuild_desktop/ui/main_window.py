"""The main window: tabs for what works, the File and Help menus, the status bar.

The window is built in two steps so that it appears at once: ``MainWindow(folder)`` needs no data
layer (this module imports none of it), and ``attach(context)`` adds the tabs once the data file is open.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from partybuild_desktop import APP_NAME, __version__
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.dialogs import UserDialogs
from partybuild_desktop.ui.screen_fit import fit_to_screen, keep_dialogs_on_screen

if TYPE_CHECKING:
    from partybuild_desktop.ui.context import AppContext

log = logging.getLogger(__name__)
BACKUP_FILTER = "数据备份 (*.sqlite3 *.db);;所有文件 (*)"
# The initiator of remembering that a backup was made (文件 → 备份到…): a backup is not a change of the
# data, so the 30-minute backup does not follow it.
BACKUP_RECORDED = object()


class LazyTab(QWidget):
    """A tab page whose content is made on first use; the content then refreshes itself on the changes it
    shows (``ui.operations.WatchesChanges``)."""

    def __init__(self, make):
        super().__init__()
        self.make = make
        self.content = None
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def build(self):
        if self.content is None:
            self.content = self.make()
            self.layout().addWidget(self.content)
            if self.isVisible():
                self.content.show()  # at once: a layout shows a new child only on the next pass of the event loop
        return self.content


class MainWindow(QMainWindow):
    def __init__(self, folder: Path, dialogs: UserDialogs | None = None):
        super().__init__()
        self.folder = folder
        self.context: AppContext | None = None
        self.dialogs = dialogs or UserDialogs(self)
        self.settings = QSettings(str(folder / "window.ini"), QSettings.IniFormat)
        self.setWindowTitle(APP_NAME)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.currentChanged.connect(self._show_page)
        self.pages: dict[str, LazyTab] = {}
        self.township_mode = False
        self.loading = QLabel("正在打开数据文件…")
        self.loading.setAlignment(Qt.AlignCenter)
        self.setCentralWidget(self.loading)
        self.data_actions: list[QAction] = []
        self._build_menus()
        self.data_file_label = QLabel(f"数据文件夹：{folder}")
        self.backup_label = QLabel()
        self.statusBar().addWidget(self.data_file_label, 1)
        self.statusBar().addPermanentWidget(self.backup_label)
        self._restore_geometry()
        keep_dialogs_on_screen()
        # Automatic backups: every 30 minutes while something changed, and on exit (services.backups).
        self.changed_since_backup = False
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(30 * 60 * 1000)
        self.backup_timer.timeout.connect(self.periodic_backup)

    def attach(self, context: AppContext) -> None:
        """Show the data of the now open data file: the village's tabs, or the township's screen. Each
        tab is built the first time it is shown, so start-up pays only for the first one. Called again
        when the file's use changes (程序用途) or a backup is restored."""
        if self.context is not context:
            context.operations.changed.connect(self._after_change)
        self.context = context
        self.township_mode = context.is_township()
        self.tabs.blockSignals(True)
        self.tabs.clear()
        for page in self.pages.values():
            page.setParent(None)
            page.deleteLater()
        if self.township_mode:
            self.pages = {"township": LazyTab(self._build_township_tab)}
            titles = (("township", "乡镇汇总"),)
        else:
            self.pages = {
                "overview": LazyTab(self._build_overview_tab),
                "members": LazyTab(self._build_members_tab),
                "migrants": LazyTab(self._build_migrants_tab),
                "grids": LazyTab(self._build_grids_tab),
                "meetings": LazyTab(self._build_meetings_tab),
                "recruitment": LazyTab(self._build_recruitment_tab),
                "dues": LazyTab(self._build_dues_tab),
                "funds": LazyTab(self._build_funds_tab),
                "points": LazyTab(self._build_points_tab),
                "transfers": LazyTab(self._build_transfers_tab),
                "reserve_cadres": LazyTab(self._build_reserve_cadres_tab),
            }
            titles = (("overview", "概况"), ("members", "党员"), ("grids", "网格"), ("meetings", "组织生活"),
                      ("recruitment", "发展党员"), ("dues", "党费"), ("funds", "党建经费"), ("points", "先锋榜"),
                      ("transfers", "组织关系"), ("reserve_cadres", "后备干部"), ("migrants", "流动党员"))
        for key, title in titles:
            self.tabs.addTab(self.pages[key], title)
        self.tabs.blockSignals(False)
        self.setCentralWidget(self.tabs)
        if self.isVisible():
            self.tabs.show()  # at once, not on the next pass of the event loop
        self.loading = None
        for action in self.data_actions:
            action.setEnabled(True)
        self.export_return_action.setVisible(not self.township_mode)
        self.import_dues_action.setVisible(not self.township_mode)
        self.import_recruits_action.setVisible(not self.township_mode)
        for action in self.village_actions:
            action.setVisible(not self.township_mode)
        self.print_action.setVisible(not self.township_mode)
        self.import_packages_action.setVisible(self.township_mode)
        self._fill_export_menu()
        self.refresh()
        self._show_page(self.tabs.currentIndex())
        self.backup_timer.start()
        if getattr(self, "app_lock", None) is not None:
            self.app_lock.reload()  # a restored backup brings its own 程序密码 (or none)

    # Each tab's module is imported when the tab is first shown.
    def _build_overview_tab(self):
        from partybuild_desktop.ui.overview_tab import OverviewTab

        tab = OverviewTab(self.context)
        tab.open_target.connect(self.open_target)
        return tab

    def _build_members_tab(self):
        from partybuild_desktop.ui.members_tab import MembersTab

        tab = MembersTab(self.context, self.dialogs)
        tab.print_requested.connect(self.print_report)
        return tab

    def _build_migrants_tab(self):
        from partybuild_desktop.ui.migrants_tab import MigrantsTab

        return MigrantsTab(self.context, self.dialogs)

    def _build_grids_tab(self):
        from partybuild_desktop.ui.grids_tab import GridsTab

        return GridsTab(self.context, self.dialogs)

    def _build_meetings_tab(self):
        from partybuild_desktop.ui.meetings_tab import MeetingsTab

        return MeetingsTab(self.context, self.dialogs)

    def _build_recruitment_tab(self):
        from partybuild_desktop.ui.recruitment_tab import RecruitmentTab

        return RecruitmentTab(self.context, self.dialogs)

    def _build_funds_tab(self):
        from partybuild_desktop.ui.funds_tab import FundsTab

        return FundsTab(self.context, self.dialogs)

    def _build_dues_tab(self):
        from partybuild_desktop.ui.dues_tab import DuesTab

        return DuesTab(self.context, self.dialogs)

    def _build_points_tab(self):
        from partybuild_desktop.ui.points_tab import PointsTab

        return PointsTab(self.context, self.dialogs)

    def _build_transfers_tab(self):
        from partybuild_desktop.ui.transfers_tab import TransfersTab

        return TransfersTab(self.context, self.dialogs)

    def _build_reserve_cadres_tab(self):
        from partybuild_desktop.ui.reserve_cadres_tab import ReserveCadresTab

        return ReserveCadresTab(self.context, self.dialogs)

    def _build_township_tab(self):
        from partybuild_desktop.ui.township_tab import TownshipTab

        return TownshipTab(self.context, self.dialogs)

    def _show_page(self, index: int) -> None:
        page = self.tabs.widget(index)
        if isinstance(page, LazyTab) and page.content is None:
            from partybuild_desktop.ui.widgets import make_tables_copyable

            content = page.build()
            make_tables_copyable(content)
            self._restore_splitters(content)

    @property
    def overview_tab(self):
        return self.pages["overview"].build()

    @property
    def members_tab(self):
        return self.pages["members"].build()

    @property
    def migrants_tab(self):
        return self.pages["migrants"].build()

    @property
    def grids_tab(self):
        return self.pages["grids"].build()

    @property
    def meetings_tab(self):
        return self.pages["meetings"].build()

    @property
    def recruitment_tab(self):
        return self.pages["recruitment"].build()

    @property
    def dues_tab(self):
        return self.pages["dues"].build()

    @property
    def funds_tab(self):
        return self.pages["funds"].build()

    @property
    def points_tab(self):
        return self.pages["points"].build()

    @property
    def transfers_tab(self):
        return self.pages["transfers"].build()

    @property
    def reserve_cadres_tab(self):
        return self.pages["reserve_cadres"].build()

    @property
    def township_tab(self):
        return self.pages["township"].build()

    # --- data -----------------------------------------------------------------------------------
    def _after_change(self, changes, initiator) -> None:
        """The window's own parts: the title names the village, the status bar the last backup."""
        if initiator is not BACKUP_RECORDED:
            self.changed_since_backup = True
        if changes & (Change.VILLAGE | Change.SETTINGS):
            self.refresh()

    def refresh(self) -> None:
        from partybuild_desktop.services import maintenance

        self.setWindowTitle(f"{self.context.title()} — {APP_NAME}")
        self.data_file_label.setText(f"数据文件：{self.context.store.path}")
        last = maintenance.last_backup(self.context.store)
        self.backup_label.setText(f"上次备份：{last:%Y-%m-%d %H:%M}" if last else "尚未备份")
        automatic = maintenance.last_automatic_backup(self.context.store)
        if automatic:
            self.backup_label.setText(f"{self.backup_label.text()}　自动备份：{automatic:%m-%d %H:%M}")

    def periodic_backup(self) -> None:
        """Every 30 minutes, when something changed since the last one: a backup into backups/, off the GUI thread."""
        from partybuild_desktop.services import backups
        from partybuild_desktop.ui.background import run_in_background

        if self.context is None or not self.changed_since_backup:
            return
        self.changed_since_backup = False
        store = self.context.store

        def failed(error) -> None:
            self.changed_since_backup = True  # try again next time
            log.warning("periodic backup failed: %s", type(error).__name__)
            self.statusBar().showMessage(f"自动备份没有写成：{error}" if isinstance(error, ValueError) else "自动备份没有写成",
                                         60_000)

        run_in_background(self, None, lambda: backups.make(store, "periodic"), lambda _path: self.refresh(), failed)

    def backup_on_exit(self) -> None:
        """On exit, when something changed since the last automatic backup."""
        from partybuild_desktop.services import backups

        if self.context is None or not self.changed_since_backup:
            return
        try:
            backups.make(self.context.store, "exit")
            self.changed_since_backup = False
        except Exception as error:  # the window closes all the same; the data itself is saved
            log.warning("backup on exit failed: %s", type(error).__name__)

    # --- menus ----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.data_actions = [
            self._action(file_menu, "备份到…", self.backup_to, QKeySequence("Ctrl+B")),
            self._action(file_menu, "从备份恢复…", self.restore_from_backup),
        ]
        self.export_return_action = self._action(file_menu, "导出季度报表（U 盘）…", self.export_return)
        self.import_packages_action = self._action(file_menu, "导入各村报表包…", self.import_packages)
        self.import_packages_action.setVisible(False)
        self.import_dues_action = self._action(file_menu, "导入党费登记表…", lambda: self.import_dues())
        self.import_recruits_action = self._action(file_menu, "导入发展党员台账…", self.import_recruits)
        self.data_actions += [self.export_return_action, self.import_packages_action, self.import_dues_action,
                              self.import_recruits_action]
        for action in self.data_actions:
            action.setEnabled(False)
        self._add_print_action(file_menu)
        self._action(file_menu, "打开数据文件夹", self.open_data_folder)
        file_menu.addSeparator()
        self._action(file_menu, "退出", self.close, QKeySequence("Ctrl+Q"))
        self.export_menu = self.menuBar().addMenu("导出(&E)")
        self.export_menu.setEnabled(False)
        settings_menu = self.menuBar().addMenu("设置(&S)")
        self.village_actions = [
            self._action(settings_menu, title, lambda _=False, key=key: self.open_target(f"settings/{key}"))
            for title, key in (("本村信息…", "village"), ("党小组…", "party_groups"), ("网格党支部…", "grid_branches"),
                               ("党员示范岗…", "model_posts"), ("中心户…", "hubs"))]
        self.data_actions += self.village_actions
        self.data_actions.append(self._action(settings_menu, "操作员…", lambda: self.open_target("settings/operator")))
        self.data_actions.append(self._action(settings_menu, "操作记录…", self.open_audit_log))
        self.data_actions.append(self._action(settings_menu, "程序密码…", self.open_app_lock))
        self.data_actions.append(self._action(settings_menu, "自动备份…", self.open_backup_retention))
        settings_menu.addSeparator()
        self.data_actions.append(self._action(settings_menu, "程序用途（本村台账 / 乡镇汇总）…", self.change_mode))
        for action in self.data_actions:
            action.setEnabled(False)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        self._action(help_menu, "使用说明", self.show_manual, QKeySequence.HelpContents)
        self._action(help_menu, "关于", self.show_about)

    def _action(self, menu, text, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _fill_export_menu(self) -> None:
        from partybuild_desktop.services.exports import catalogue

        self.export_menu.clear()
        if self.township_mode:
            self._action(self.export_menu, "汇总表（Excel 和 PDF）…", lambda: self.township_tab.export_consolidated())
            self.export_menu.setEnabled(True)
            return
        for definition in catalogue():
            self._action(self.export_menu, f"{definition.title}…", lambda _=False, d=definition: self.export(d))
        self.export_menu.setEnabled(True)

    def export(self, definition, member_ids: list[int] | None = None) -> None:
        """Ask where (and for which year, where it matters), then write the file off the GUI thread."""
        from PySide6.QtWidgets import QInputDialog

        from partybuild_desktop.services import exports
        from partybuild_desktop.ui.export_flow import export_report

        year = None
        if definition.uses_year:
            year, ok = QInputDialog.getInt(self, definition.title, "年度：", dt.date.today().year, 2000, 2100)
            if not ok:
                return
        options = exports.ExportOptions(year=year, member_ids=tuple(member_ids) if member_ids else None)
        export_report(self, self.context, self.dialogs, definition, options)

    # Where an alert or a set-up step sends the clerk: "members", "grids/visits", "settings/village"…
    GRID_PAGES = {"grids": 0, "households": 1, "liaison": 2, "visits": 3, "proxies": 4}

    def open_target(self, key: str) -> None:
        area, _, part = key.partition("/")
        if area == "settings":
            if part == "backup":
                self.backup_to()
                return
            from partybuild_desktop.ui.setup_dialogs import open_setup_screen

            open_setup_screen(part, self.context, self.dialogs, self)
        elif area == "return":
            self.export_return()
        elif area in self.pages:
            self.tabs.setCurrentWidget(self.pages[area])
            if area == "grids" and part in self.GRID_PAGES:
                self.grids_tab.pages.setCurrentIndex(self.GRID_PAGES[part])
            elif area == "meetings":  # "meetings", "meetings/due", "meetings/review", "meetings/study"
                self.meetings_tab.show_page(part or "list")
            elif area == "dues":  # "dues" (a dues_unpaid alert), "dues/arrears": only those in arrears
                self.dues_tab.arrears_only.setChecked(part == "arrears" or self.dues_tab.arrears_only.isChecked())
        else:
            log.warning("no screen for %r", key)

    def export_return(self) -> None:
        from partybuild_desktop.ui.return_dialog import ExportReturnDialog

        ExportReturnDialog(self.context, self.context.village().id, self.dialogs, self).exec()

    def import_packages(self) -> None:
        self.tabs.setCurrentWidget(self.pages["township"])
        self.township_tab.import_packages()

    def import_dues(self, year: int | None = None) -> None:
        """文件 → 导入党费登记表…: the clerk's 党费收缴登记表 of a year, through the import dialog's preview."""
        import re

        from PySide6.QtWidgets import QInputDialog

        from partybuild_desktop.ui.import_dialog import ImportDialog, dues_import_kind

        path = self.dialogs.open_file("选择党费收缴登记表", Path.home(), "表格文件 (*.xlsx *.xls *.xlsm *.ods *.et *.csv)")
        if path is None:
            return
        if year is None:
            named = re.search(r"(?<!\d)(20\d{2})(?!\d)", path.stem)  # 2026年党费收缴登记表.xlsx
            this_year = dt.date.today().year
            guess = int(named.group(1)) if named and int(named.group(1)) <= this_year else this_year
            year, ok = QInputDialog.getInt(self, "导入党费登记表", "登记表的年度：", guess, 2000, this_year)
            if not ok:
                return
        kind = dues_import_kind(self.context.village().id, path, year)
        ImportDialog(self.context, kind, path, self.dialogs, self).exec()

    def import_recruits(self) -> None:
        """文件 → 导入发展党员台账…: the clerk's 发展党员工作台账, through the import dialog's preview."""
        from partybuild_desktop.ui.import_dialog import ImportDialog, recruit_import_kind

        path = self.dialogs.open_file("选择发展党员工作台账", Path.home(), "表格文件 (*.xlsx *.xls *.xlsm *.ods *.et *.csv)")
        if path is None:
            return
        kind = recruit_import_kind(self.context.village().id, path)
        ImportDialog(self.context, kind, path, self.dialogs, self).exec()

    def change_mode(self) -> None:
        """程序用途: village records or township consolidation; the window shows the chosen one."""
        from partybuild_desktop.app import first_run
        from partybuild_desktop.services.consolidation import known_villages, setup_township, township_name
        from partybuild_desktop.services.village import VILLAGE_MODE, set_program_mode
        from partybuild_desktop.ui.mode_dialog import ModeDialog

        store, village = self.context.store, self.context.village()
        with store.session() as session:
            township = township_name(session) or (village.township if village else "")
            listed = [v.name for v in known_villages(session) if v.expected]
        dialog = ModeDialog(township, listed, self.township_mode, village is not None, self)
        operations = self.context.operations
        while dialog.exec():
            if dialog.wants_township():
                done = operations.run("改为乡镇汇总", lambda s: setup_township(
                    s, dialog.fields.township.text(), dialog.fields.village_names()),
                    Change.SETTINGS | Change.RETURNS, dialogs=self.dialogs).ok
            elif village is None:
                done = first_run(store, self)
                if not done:
                    return
            else:
                done = operations.run("改为本村台账", lambda s: set_program_mode(s, VILLAGE_MODE), Change.SETTINGS,
                                      dialogs=self.dialogs).ok
            if done:
                self.attach(self.context)
                return

    def backup_to(self) -> None:
        from partybuild_desktop.services import maintenance
        from partybuild_desktop.store.backup import timestamped_name

        suggested = Path.home() / timestamped_name(f"{self.context.title()}备份")
        target = self.dialogs.save_file("备份到", suggested, BACKUP_FILTER)
        if target is None:
            return
        from partybuild_desktop.store.backup import backup_to

        store, operations = self.context.store, self.context.operations

        def write(progress):
            maintenance.refuse_destination(store, target)  # never onto the data file or over a backup
            return backup_to(store, target)

        def written(path) -> None:
            operations.run("备份", maintenance.record_backup, Change.SETTINGS, dialogs=self.dialogs,
                           initiator=BACKUP_RECORDED)
            self.dialogs.info("备份完成", f"已备份到：\n{path}")

        def failed(error) -> None:
            from partybuild_desktop.ui.operations import explain

            self.dialogs.error("备份失败", f"备份没有写成：{explain(error)}\n请检查目标位置是否可写、U 盘是否插好、空间是否足够。")

        operations.query_in_background("备份", write, dialogs=self.dialogs,
                                       parent=self, on_success=written, on_failure=failed, cancellable=False,
                                       label="正在备份数据文件…")

    def restore_from_backup(self) -> None:
        from partybuild_desktop.ui.backup_dialogs import restore_from_backup

        restore_from_backup(self)

    # --- printing -------------------------------------------------------------------------------
    def _add_print_action(self, menu) -> None:
        self.print_action = self._action(menu, "打印…", lambda: self.print_report(), QKeySequence.Print)
        self.print_action.setEnabled(False)
        self.data_actions.append(self.print_action)

    def print_report(self, name: str | None = None, member_ids: list[int] | None = None) -> None:
        """打印…: a printout's PDF, the very file 导出 writes, in the print preview (``ui.print_preview``);
        the members tab's 打印… asks for one printout of the members it lists or has selected."""
        from partybuild_desktop.services.exports import catalogue
        from partybuild_desktop.ui.print_preview import print_report

        print_report(self, self.context, self.dialogs, catalogue(), name, member_ids)

    def open_app_lock(self) -> None:
        """设置 → 程序密码…: set, change or remove the password the window asks for (``ui.app_lock``)."""
        from partybuild_desktop.ui.app_lock import open_password_dialog

        open_password_dialog(self)

    def open_backup_retention(self) -> None:
        """设置 → 自动备份…: how many automatic backups are kept (``ui.backup_dialogs``)."""
        from partybuild_desktop.ui.backup_dialogs import open_retention_dialog

        self.retention_dialog = open_retention_dialog(self)

    def open_audit_log(self) -> None:
        """设置 → 操作记录…: who changed what, when (``ui.audit_dialog``)."""
        from partybuild_desktop.ui.audit_dialog import open_audit_dialog

        self.audit_dialog = open_audit_dialog(self.context, self.dialogs, self)

    def show_manual(self) -> None:
        from partybuild_desktop.ui.manual import ManualDialog

        ManualDialog.show_for(self)

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "关于",
            f"<b>{APP_NAME}</b> {__version__}<br>村党组织“一卡一本一表”、网格包挂联系、党建先锋榜和季度报表的离线台账。"
            f"<br>数据只保存在本机的数据文件夹：{self.folder}",
        )

    # --- layout memory --------------------------------------------------------------------------
    def _splitters(self, within: QWidget | None = None):
        return (within or self).findChildren(QSplitter)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 800)
        fit_to_screen(self)

    def _restore_splitters(self, within: QWidget | None = None) -> None:
        for splitter in self._splitters(within):
            state = self.settings.value(f"splitters/{splitter.objectName()}")
            if state is not None:
                splitter.restoreState(state)
        from partybuild_desktop.ui.widgets import restore_headers

        restore_headers(self.settings, within or self)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        for splitter in self._splitters():
            self.settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        from partybuild_desktop.ui.widgets import save_headers

        save_headers(self.settings, self)
        self.settings.sync()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        fit_to_screen(self)  # again, now that the title bar and borders are known

    def closeEvent(self, event) -> None:
        manual = getattr(self, "_manual_dialog", None)
        if manual is not None:
            manual.close()  # it stays open beside the work, but not after the window
        self.save_layout()
        self.backup_on_exit()
        super().closeEvent(event)
