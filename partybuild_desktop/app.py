"""Starting the window: fonts, Chinese translation, data folder, database, first run, main window."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from partybuild_desktop import APP_NAME, paths
from partybuild_desktop.reports.fonts import bundled_font_path
from partybuild_desktop.store.schema import DataFileError, open_store
from partybuild_desktop.ui.main_window import AppContext, MainWindow

log = logging.getLogger(__name__)


def install_chinese(app: QApplication) -> None:
    """Qt's own buttons and dialogs in Chinese, and the bundled CJK font where the system has none."""
    QLocale.setDefault(QLocale(QLocale.Chinese, QLocale.China))
    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        app.installTranslator(translator)
    font_id = QFontDatabase.addApplicationFont(str(bundled_font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families and sys.platform != "win32":  # Windows has 微软雅黑; elsewhere the bundled font is safest
        app.setFont(QFont(families[0], 10))


def install_error_dialog() -> None:
    """An uncaught exception is logged and shown in Chinese; saved data stays (every change commits on its own)."""

    def handle(kind, value, tb):
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None,
                "程序出错",
                f"程序遇到意外错误：{value}\n\n已经保存的数据不会丢失；刚才正在进行的这一步没有保存。"
                "\n错误详情已写入数据文件夹中的日志文件 partybuild.log，可以交给技术人员。",
            )

    sys.excepthook = handle


class _QuitWhenShown(QObject):
    """For timing start-up from outside: quit once the main window has been painted."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False


def first_run(context_store) -> bool:
    """Ask for the village or load the sample; False when the clerk cancels."""
    from partybuild_desktop.services.village import create_village
    from partybuild_desktop.ui.first_run import FirstRunWizard

    wizard = FirstRunWizard()
    while wizard.exec():
        try:
            with context_store.session() as session:
                if wizard.wants_sample:
                    from partybuild_desktop.services.demo import generate

                    generate(session, **wizard.sample_fields())
                else:
                    create_village(session, **wizard.village_fields())
            return True
        except ValueError as error:
            QMessageBox.warning(wizard, "请补充", str(error))
    return False


def run(args) -> int:
    folder = paths.data_dir(args.data_dir)
    paths.setup_logging(folder)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    install_chinese(app)
    install_error_dialog()
    try:
        store = open_store(paths.data_file(folder), paths.backup_dir(folder))
    except DataFileError as error:
        QMessageBox.critical(None, "无法打开数据文件", str(error))
        return 2
    context = AppContext(store, folder)
    with store.session() as session:
        from partybuild_desktop.services.village import current_village

        has_village = current_village(session) is not None
    if not has_village and not first_run(store):
        return 0
    window = MainWindow(context)
    if args.exit_when_shown:
        quitter = _QuitWhenShown(window)
        window.installEventFilter(quitter)
    window.show()
    return app.exec()
