"""Starting the window: fonts, Chinese translation, data folder, then the data file, first run and tabs.

The window appears before the data layer is even imported: opening the data file (SQLAlchemy, the
schema check) happens on a worker thread after the first paint, and the tabs follow when it is done.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from partybuild_desktop import APP_NAME, paths
from partybuild_desktop.bundled import bundled_file
from partybuild_desktop.reports.fonts import bundled_font_path
from partybuild_desktop.ui.background import run_in_background
from partybuild_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)
QT_EXTRA_TRANSLATION = "qt_extra_zh_CN.qm"  # built from resources/translations/qt_extra_zh_CN.ts


def install_chinese(app: QApplication) -> None:
    """Qt's own buttons and dialogs in Chinese, and the bundled CJK font where the system has none."""
    QLocale.setDefault(QLocale(QLocale.Chinese, QLocale.China))
    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        app.installTranslator(translator)
    # Installed last, so asked first: the few of Qt's own strings qtbase_zh_CN lacks (file dialog labels).
    extra = QTranslator(app)
    try:
        if extra.load(str(bundled_file("resources", "translations", QT_EXTRA_TRANSLATION))):
            app.installTranslator(extra)
    except FileNotFoundError:
        log.warning("missing %s; Qt's file dialog keeps a few English labels", QT_EXTRA_TRANSLATION)
    font_id = QFontDatabase.addApplicationFont(str(bundled_font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families and sys.platform != "win32":  # Windows has 微软雅黑; elsewhere the bundled font is safest
        app.setFont(QFont(families[0], 10))


def install_error_dialog() -> None:
    """An uncaught exception is logged and shown in Chinese; saved data stays (every change commits on its own)."""

    def handle(kind, value, tb):
        # Written by the log's own formatter: no SQL, parameters or ID numbers (partybuild_desktop.logs).
        log.error("uncaught exception", exc_info=(kind, value, tb))
        if QApplication.instance() is not None:
            from partybuild_desktop.logs import FAULT, failure_message

            said = failure_message(value)
            QMessageBox.critical(
                None,
                "程序出错",
                ("程序遇到意外错误。" if said == FAULT else f"程序遇到意外错误：{said}\n\n")
                + "已经保存的数据不会丢失；刚才正在进行的这一步没有保存。"
                "\n错误详情已写入数据文件夹中的日志文件 partybuild.log，可以交给技术人员。",
            )

    sys.excepthook = handle


class _OnFirstPaint(QObject):
    """Calls back once, after the watched window has been painted for the first time."""

    def __init__(self, window, callback):
        super().__init__(window)
        self.callback = callback
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Paint and self.callback is not None:
            callback, self.callback = self.callback, None
            QTimer.singleShot(0, callback)
        return False


def open_data_file(folder):
    """On the worker thread: open (and if need be upgrade) the data file; say whether it needs the first run."""
    from partybuild_desktop.services.backups import open_data_folder
    from partybuild_desktop.services.village import needs_first_run

    from partybuild_desktop.services.members import refresh_search_keys

    # Checked as it opens (the full check after an unclean exit), marked open, backed up once a day.
    store = open_data_folder(folder)
    with store.session() as session:
        # Upkeep with the upgrade, not in a later read: pinyin keys written by an older rule are redone.
        refresh_search_keys(session)
        return store, needs_first_run(session)


def first_run(store, parent=None) -> bool:
    """Ask for the village (or the township) or load the sample; False when the clerk cancels."""
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.first_run import FirstRunWizard

    wizard = FirstRunWizard(parent)
    operations = AppContext(store, None).operations
    while wizard.exec():
        if _set_up(operations, wizard):
            return True
    return False


def _set_up(operations, wizard) -> bool:
    """Write the wizard's choice through the operation runner, off the GUI thread (a sample village of
    some thousand members takes a while), and wait for it; a refusal is shown and the wizard reopens."""
    from PySide6.QtCore import QEventLoop

    from partybuild_desktop.services.changes import Change
    from partybuild_desktop.ui.dialogs import UserDialogs
    from partybuild_desktop.ui.operations import FAULT, explain

    work = wizard.setup_work()
    loop, done = QEventLoop(), []

    def succeeded(_value) -> None:
        done.append(True)
        loop.quit()

    def failed(error) -> None:
        loop.quit()
        message = explain(error)
        QMessageBox.warning(wizard, "建立台账" if message == FAULT else "请补充", message)

    operations.run_in_background("建立台账（首次启动）", lambda session, progress: work(session), Change.EVERYTHING,
                                 dialogs=UserDialogs(wizard), parent=wizard, on_success=succeeded, on_failure=failed,
                                 cancellable=False, label="正在建立台账…")
    loop.exec()
    return bool(done)


def lock_data_file(window: MainWindow) -> bool:
    """Take the data file's lock for this window (released when the program ends); False, after saying
    who has the file open, when another running copy holds it."""
    import atexit

    from partybuild_desktop.store.lock import DataFileInUse, DataFileLock

    try:
        lock = DataFileLock.acquire(paths.data_file(window.folder))
    except DataFileInUse as error:
        QMessageBox.critical(window, "数据文件正在使用", str(error))
        return False
    atexit.register(lock.release)
    QApplication.instance().aboutToQuit.connect(lock.release)
    window.destroyed.connect(lambda *_: lock.release())
    watch_lock(window, lock)
    return True


def watch_lock(window, lock, interval_ms: int = 60_000) -> QTimer:
    """Say so once if another program took the lock over (this computer slept past the lock's
    time-out, and a copy elsewhere opened the file): both would then be changing it."""
    from partybuild_desktop.store.lock import read_lock

    timer = QTimer(window)
    timer.setInterval(interval_ms)

    def check() -> None:
        if not lock.lost:
            return
        timer.stop()
        holder, _ = read_lock(lock.path)
        who = f"{holder.describe()}。" if holder else "另一个程序打开了它。"
        QMessageBox.warning(window, "数据文件已被接管",
                            f"本程序有一段时间没有确认对数据文件的占用（例如电脑休眠），其间{who}\n"
                            "两边同时修改会互相覆盖。请在这里不再修改，关闭本程序，到那边继续工作。")

    timer.timeout.connect(check)
    timer.start()
    return timer


def start(window: MainWindow, on_ready=None) -> None:
    """Open the data file behind the shown window, then attach it (after the first run, if needed)."""
    from partybuild_desktop.ui.context import AppContext

    if not lock_data_file(window):
        QApplication.exit(2)
        return
    def closed_normally() -> None:  # imported at the end, not before the first paint
        from partybuild_desktop.services.backups import closed_normally

        closed_normally(window.folder)

    QApplication.instance().aboutToQuit.connect(closed_normally)

    def opened(result) -> None:
        from partybuild_desktop.ui.app_lock import AppLock

        store, first = result
        # 程序密码: asked before anything of the data is shown (at once when none is set).
        AppLock.of(window, lambda: window.context.store if window.context else store).ask_at_start(
            lambda: show(store, first))

    def show(store, first) -> None:
        if first and not first_run(store, window):
            QApplication.exit(0)
            return
        window.attach(AppContext(store, window.folder))
        if on_ready:
            _OnFirstPaint(window, on_ready)
            window.update()

    def failed(error: Exception) -> None:
        from partybuild_desktop.services.backups import DamagedDataFile
        from partybuild_desktop.store.schema import DataFileError

        if isinstance(error, DamagedDataFile):  # offered the newest backup that passes
            from partybuild_desktop.ui.backup_dialogs import offer_restore_at_start

            if offer_restore_at_start(window, error):
                open_now()
                return
            QApplication.exit(2)
            return
        text = str(error) if isinstance(error, DataFileError) else "打开数据文件时出错，详情已写入日志文件 partybuild.log。"
        QMessageBox.critical(window, "无法打开数据文件", text)
        QApplication.exit(2)

    def open_now() -> None:
        # The window already says 正在打开数据文件…, so no progress dialog on top of it.
        run_in_background(window, None, lambda: open_data_file(window.folder), opened, failed)

    open_now()


def run(args, on_ready=None) -> int:
    folder = paths.data_dir(args.data_dir)
    paths.setup_logging(folder)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    install_chinese(app)
    install_error_dialog()
    window = MainWindow(folder)
    if args.exit_when_shown:  # for timing start-up from outside
        _OnFirstPaint(window, QApplication.quit)
    else:
        _OnFirstPaint(window, lambda: start(window, on_ready))
    window.show()
    return app.exec()
