"""打印…: the preview shows the exported PDF's pages, and the printer gets those very pages."""

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter

from partybuild_desktop.services import printing
from partybuild_desktop.ui.print_preview import PrintPreviewDialog, pages_to_print
from tests.gui.conftest import ScriptedDialogs


@pytest.fixture
def notice_board(sample_store):
    made = printing.report_pdf_for_printing(sample_store, None, "notice-board")
    yield made.path
    printing.discard(made.path)
    assert not made.path.parent.exists()


def _pdf_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)  # enough to check; a real printer reports its own
    return printer


def _preview(qtbot, pdf, dialogs=None):
    dialog = PrintPreviewDialog(pdf, "网格公示牌", dialogs or ScriptedDialogs())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.thumbnails_done, timeout=30000)
    return dialog


def test_the_preview_shows_every_page_of_the_exported_pdf(qtbot, notice_board):
    pages = len(PdfReader(notice_board).pages)
    assert pages >= 2  # one board per grid
    dialog = _preview(qtbot, notice_board)
    assert dialog.thumbnails.count() == pages
    assert [dialog.thumbnails.item(i).text() for i in (0, pages - 1)] == ["第 1 页", f"第 {pages} 页"]
    icon = dialog.thumbnails.item(pages - 1).icon().pixmap(150, 150).toImage()
    assert icon.width() > icon.height()  # the rendered landscape board, not the placeholder
    colours = {icon.pixelColor(x, y).name() for x in range(0, icon.width(), 7) for y in range(0, icon.height(), 7)}
    assert len(colours) > 3, "the thumbnail is blank"
    assert f"共 {pages} 页，A3 横向" in dialog.status.text()
    qtbot.waitUntil(lambda: dialog.page_view.pixmap() is not None and not dialog.page_view.pixmap().isNull())
    dialog.thumbnails.setCurrentRow(1)
    qtbot.waitUntil(lambda: dialog.current_page() == 1)


def test_printing_sends_the_same_number_of_pages(qtbot, notice_board, tmp_path):
    pages = len(PdfReader(notice_board).pages)
    dialog = _preview(qtbot, notice_board)
    out = tmp_path / "打印机.pdf"
    printer = _pdf_printer(out)
    printer.setPageSize(QPageSize(QPageSize.A3))
    printer.setPageOrientation(QPageLayout.Landscape)
    dialog.print_to(printer)
    printed = PdfReader(out)
    assert len(printed.pages) == pages
    box = printed.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A3 landscape, as chosen
    assert "已把" in dialog.status.text() and f"{pages} 页" in dialog.status.text()


def test_a_page_range_and_an_a4_portrait_printer(qtbot, notice_board, tmp_path):
    dialog = _preview(qtbot, notice_board)
    out = tmp_path / "第2页.pdf"
    printer = _pdf_printer(out)
    printer.setPageSize(QPageSize(QPageSize.A4))
    printer.setPageOrientation(QPageLayout.Portrait)
    printer.setPrintRange(QPrinter.PageRange)
    printer.setFromTo(2, 2)
    dialog.print_to(printer)
    printed = PdfReader(out)
    assert len(printed.pages) == 1
    box = printed.pages[0].mediabox
    assert float(box.width) < float(box.height)  # the landscape board turned to fit the portrait A4


def test_copies_the_printer_cannot_make_are_sent_again():
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName("/dev/null")
    printer.setCopyCount(2)
    printer.supportsMultipleCopies = lambda: False  # as a printer without copies of its own answers
    printer.setCollateCopies(True)
    assert pages_to_print(printer, 3) == [0, 1, 2, 0, 1, 2]
    printer.setCollateCopies(False)
    assert pages_to_print(printer, 3) == [0, 0, 1, 1, 2, 2]
    printer.setPrintRange(QPrinter.CurrentPage)
    assert pages_to_print(printer, 3, current=2) == [2, 2]
    printer.supportsMultipleCopies = lambda: True  # one that makes them itself gets each page once
    printer.setPrintRange(QPrinter.AllPages)
    assert pages_to_print(printer, 3) == [0, 1, 2]


def test_print_from_the_window_previews_the_notice_board_and_cleans_up(qtbot, sample_store, data_folder, monkeypatch):
    from PySide6.QtWidgets import QApplication, QDialog

    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow
    from partybuild_desktop.ui.print_preview import ChoosePrintoutDialog

    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(sample_store, data_folder))
    file_menu = window.menuBar().actions()[0].menu()
    action = next(a for a in file_menu.actions() if a.text() == "打印…")
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+P"
    offered = []

    def choose(chooser):
        offered.extend(d.name for d in chooser.definitions)
        assert chooser.chosen()[0].name == "notice-board"  # what is printed most
        return QDialog.Accepted

    monkeypatch.setattr(ChoosePrintoutDialog, "exec", choose)
    action.trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, PrintPreviewDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=30000)
    preview = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreviewDialog) and w.isVisible())
    from partybuild_desktop.services.exports import catalogue

    assert offered == [d.name for d in catalogue() if "pdf" in d.formats] and "members" in offered
    assert preview.thumbnails.count() == len(PdfReader(preview.pdf).pages) > 1
    pdf = preview.pdf
    preview.close()
    assert not pdf.exists()
    window.context.store.dispose()


def test_the_members_tabs_print_previews_the_cards_of_the_members_listed_and_saves_a_copy(
        qtbot, sample_store, data_folder, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication, QDialog

    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow
    from partybuild_desktop.ui.print_preview import ChoosePrintoutDialog

    saved = tmp_path / "信息卡.pdf"
    dialogs = ScriptedDialogs(save=saved)
    window = MainWindow(data_folder, dialogs)
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(sample_store, data_folder))
    members = window.members_tab
    listed = members.visible_member_ids()[:3]  # as the tab hands over the members it lists
    offered = []
    monkeypatch.setattr(ChoosePrintoutDialog, "exec",
                        lambda chooser: offered.extend(d.name for d in chooser.definitions) or QDialog.Accepted)
    members._print("cards", listed)
    qtbot.waitUntil(lambda: any(isinstance(w, PrintPreviewDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=30000)
    preview = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreviewDialog) and w.isVisible())
    assert offered == ["cards"]
    text = "".join(page.extract_text() for page in PdfReader(preview.pdf).pages)
    with sample_store.session() as session:
        from partybuild_desktop.store.models import Member

        names = [m.name for m in session.query(Member).filter(Member.id.in_(listed))]
    assert names and all(name in text for name in names)
    everyone = printing.report_pdf_for_printing(sample_store, None, "cards")
    assert len(PdfReader(preview.pdf).pages) < len(PdfReader(everyone.path).pages)  # only those listed
    printing.discard(everyone.path)
    preview.save_as()
    assert saved.read_bytes() == preview.pdf.read_bytes()
    assert dialogs.told[-1][:3] == ("exported", "保存完成", str(saved))
    preview.close()
    window.context.store.dispose()


def test_printing_through_the_runner_runs_off_the_gui_thread(qtbot, sample_store, data_folder, notice_board, tmp_path):
    from partybuild_desktop.ui.context import AppContext

    pages = len(PdfReader(notice_board).pages)
    context = AppContext(sample_store, data_folder)
    dialogs = ScriptedDialogs()
    dialog = PrintPreviewDialog(notice_board, "网格公示牌", dialogs, context.operations)
    qtbot.addWidget(dialog)
    dialog.show()
    out = tmp_path / "后台打印.pdf"
    printer = _pdf_printer(out)
    dialog.print_to(printer)
    assert dialog._printing  # the job is on a worker; the preview waits for it
    dialog.reject()
    assert dialog.isVisible()  # not closed under the printer's feet
    qtbot.waitUntil(lambda: "已把" in dialog.status.text(), timeout=60000)
    assert len(PdfReader(out).pages) == pages and dialogs.told == []
    dialog.reject()
    assert not dialog.isVisible()


def test_print_folders_left_by_a_crash_are_swept_away(tmp_path, monkeypatch):
    import os
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old, fresh = tmp_path / f"{printing.TEMP_PREFIX}old", tmp_path / f"{printing.TEMP_PREFIX}fresh"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "notice-board.pdf").write_bytes(b"%PDF")
    then = time.time() - 2 * 24 * 3600
    os.utime(old, (then, then))
    printing.sweep_left_over()
    assert not old.exists() and fresh.exists()
