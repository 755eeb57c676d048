"""打印预览: the pages of the exported PDF as they will print, then Qt's print dialog (printer, pages, copies).

Each page is rendered by PDFium (``services.printing.PdfPages``) and painted on the printer as an image
at the printer's resolution (at most ``MAX_PRINT_DPI``), so the paper shows exactly what the PDF shows.
A page whose orientation differs from the paper's (an A3 landscape board on A4 portrait) is turned to
fit, the way PDF readers print.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRect, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut, QTransform
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
)

from partybuild_desktop.services.exports import ExportError
from partybuild_desktop.services.printing import (
    PagePixels,
    PdfPages,
    discard,
    printable,
    report_pdf_for_printing,
    save_copy,
)
from partybuild_desktop.ui.dialogs import default_export_folder

# 300 dpi is sharp for text on any office printer; a 600 dpi A3 page would take ~280 MB of memory.
MAX_PRINT_DPI = 300
THUMBNAIL_WIDTH = 150
_PAPER_NAMES = {QPageSize.A3: "A3", QPageSize.A4: "A4", QPageSize.A5: "A5", QPageSize.B5: "B5"}


class PrintError(Exception):
    """The printer could not be used; the message says so in Chinese."""


def to_image(pixels: PagePixels) -> QImage:
    return QImage(pixels.data, pixels.width, pixels.height, pixels.stride, QImage.Format_RGB32).copy()


def paper_of(width_pt: float, height_pt: float) -> tuple[QPageSize, QPageLayout.Orientation]:
    """The standard paper a PDF page is made for (A3, A4…), and its orientation."""
    landscape = width_pt > height_pt
    portrait = QSizeF(min(width_pt, height_pt), max(width_pt, height_pt))
    size = QPageSize(portrait, QPageSize.Point, "", QPageSize.FuzzyMatch)
    return size, QPageLayout.Landscape if landscape else QPageLayout.Portrait


def describe_paper(width_pt: float, height_pt: float) -> str:
    size, orientation = paper_of(width_pt, height_pt)
    name = _PAPER_NAMES.get(size.id(), f"{round(width_pt / 72 * 25.4)}×{round(height_pt / 72 * 25.4)} 毫米")
    return f"{name} {'横向' if orientation == QPageLayout.Landscape else '纵向'}"


def prepare_printer(printer: QPrinter, pages: PdfPages, title: str) -> None:
    """The print dialog starts with the paper and orientation the PDF was made for."""
    printer.setDocName(title)
    if pages.count:
        size, orientation = paper_of(*pages.size(0))
        printer.setPageSize(size)
        printer.setPageOrientation(orientation)
    printer.setFromTo(1, max(pages.count, 1))


def pages_to_print(printer: QPrinter, count: int, current: int = 0) -> list[int]:
    """The pages (0-based) in the order they go to the printer: the range chosen, the copies the printer
    does not make itself (collated or not), first or last page first."""
    if printer.printRange() == QPrinter.CurrentPage:
        chosen = [current]
    elif printer.printRange() == QPrinter.PageRange:
        ranges = printer.pageRanges()
        if not ranges.isEmpty():
            chosen = [i - 1 for r in ranges.toRangeList() for i in range(r.from_, r.to + 1) if 1 <= i <= count]
        else:
            chosen = list(range(max(printer.fromPage(), 1) - 1, min(printer.toPage() or count, count)))
    else:
        chosen = list(range(count))
    if printer.pageOrder() == QPrinter.LastPageFirst:
        chosen.reverse()
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    if printer.collateCopies():
        return chosen * copies
    return [page for page in chosen for _ in range(copies)]


def _thumbnail_size(width_pt: float, height_pt: float) -> QSize:
    scale = THUMBNAIL_WIDTH / max(width_pt, height_pt)
    return QSize(round(width_pt * scale), round(height_pt * scale))


def _fit(image_size: QSize, area: QRect) -> QRect:
    scale = min(area.width() / image_size.width(), area.height() / image_size.height())
    width, height = round(image_size.width() * scale), round(image_size.height() * scale)
    return QRect(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2, width, height)


def print_pages(pages: PdfPages, printer: QPrinter, current: int = 0, progress=None) -> int:
    """Paint the chosen pages on ``printer``; the number of pages sent. ``progress`` (optional) has
    ``report(done, total, text)`` and ``check()``, which raises to cancel the job."""
    order = pages_to_print(printer, pages.count, current)
    if not order:
        raise PrintError("所选的页码范围内没有页面，请重新选择要打印的页。")
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(f"无法使用打印机“{printer.printerName() or printer.outputFileName()}”。"
                         "请检查打印机是否开机、是否连接好，或在“打印”对话框中换一台打印机。")
    try:
        area = QRect(0, 0, printer.width(), printer.height())
        resolution = printer.resolution()
        for done, index in enumerate(order):
            if progress is not None:
                progress.check()
                progress.report(done, len(order), f"正在打印第 {index + 1} 页（{done + 1}/{len(order)}）…")
            if done:
                printer.newPage()
            width_pt, height_pt = pages.size(index)
            turn = (width_pt > height_pt) != (area.width() > area.height()) and width_pt != height_pt
            page_size = QSize(round(height_pt), round(width_pt)) if turn else QSize(round(width_pt), round(height_pt))
            target = _fit(page_size, area)
            # Render at the size the page takes on the paper, at the printer's resolution up to MAX_PRINT_DPI.
            dpi = 72 * target.width() / page_size.width() * min(1.0, MAX_PRINT_DPI / resolution)
            image = to_image(pages.render(index, dpi, for_printer=True))
            if turn:
                image = image.transformed(QTransform().rotate(90))
            painter.drawImage(target, image)
    except BaseException:
        printer.abort()
        raise
    finally:
        painter.end()
    return len(order)


class PrintPreviewDialog(QDialog):
    """The PDF's pages (thumbnails, and the chosen page large) with 打印… to send them to a printer."""

    def __init__(self, pdf: Path, title: str, dialogs, operations=None, parent=None, on_close=None,
                 file_name: str | None = None):
        super().__init__(parent)
        self.pdf, self.title, self.dialogs, self.operations = Path(pdf), title, dialogs, operations
        self.file_name = file_name or f"{title}.pdf"  # what 另存为 PDF… offers
        self.on_close = on_close  # e.g. remove the temporary PDF
        self.pages = PdfPages(self.pdf)
        self.setWindowTitle(f"打印预览 — {title}")
        self.thumbnails = QListWidget()
        self.thumbnails.setObjectName("previewThumbnails")
        self.thumbnails.setViewMode(QListView.IconMode)
        self.thumbnails.setFlow(QListView.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Static)
        self.thumbnails.setIconSize(QSize(THUMBNAIL_WIDTH, THUMBNAIL_WIDTH))
        self.thumbnails.setMinimumWidth(THUMBNAIL_WIDTH + 48)
        self.page_view = QLabel()
        self.page_view.setObjectName("previewPage")
        self.page_view.setAlignment(Qt.AlignCenter)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.page_view)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignCenter)
        self.scroll.setStyleSheet("QScrollArea { background: #808080; } QLabel#previewPage { background: #808080; }")
        splitter = QSplitter()
        splitter.setObjectName("printPreviewSplitter")
        splitter.addWidget(self.thumbnails)
        splitter.addWidget(self.scroll)
        splitter.setStretchFactor(1, 1)
        paper = describe_paper(*self.pages.size(0)) if self.pages.count else ""
        self.status = QLabel(f"共 {self.pages.count} 页，{paper}。打印的就是导出的 PDF，内容完全相同。")
        self.status.setObjectName("previewStatus")
        self.print_button = QPushButton("打印…")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.choose_printer_and_print)
        self.save_button = QPushButton("另存为 PDF…")
        self.save_button.clicked.connect(self.save_as)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.Print, self, activated=self.choose_printer_and_print)
        first = _thumbnail_size(*self.pages.size(0)) if self.pages.count else QSize(THUMBNAIL_WIDTH, THUMBNAIL_WIDTH)
        self.thumbnails.setGridSize(QSize(THUMBNAIL_WIDTH + 24, first.height() + 36))  # room for 第 N 页
        placeholder = QPixmap(first)
        placeholder.fill(Qt.white)
        for index in range(self.pages.count):
            item = QListWidgetItem(QIcon(placeholder), f"第 {index + 1} 页")
            item.setTextAlignment(Qt.AlignHCenter)
            self.thumbnails.addItem(item)
        self.thumbnails.currentRowChanged.connect(lambda _row: self._show_later.start())
        # Thumbnails are drawn a few at a time, so a long document opens at once.
        self._next_thumbnail = 0
        self._printing = False
        self._thumbnail_timer = QTimer(self, interval=0, timeout=self._render_thumbnail)
        self._thumbnail_timer.start()
        self._show_later = QTimer(self, singleShot=True, interval=60, timeout=self._show_current)
        self.resize(1100, 760)
        if self.pages.count:
            self.thumbnails.setCurrentRow(0)

    # --- on screen ------------------------------------------------------------------------------
    def current_page(self) -> int:
        return max(self.thumbnails.currentRow(), 0)

    def _render_thumbnail(self) -> None:
        if self._printing:
            self._thumbnail_timer.setInterval(200)
            return
        self._thumbnail_timer.setInterval(0)
        if self._next_thumbnail >= self.pages.count:
            self._thumbnail_timer.stop()
            return
        index = self._next_thumbnail
        self._next_thumbnail += 1
        width_pt, height_pt = self.pages.size(index)
        image = to_image(self.pages.render(index, 72 * THUMBNAIL_WIDTH / max(width_pt, height_pt)))
        self.thumbnails.item(index).setIcon(QIcon(QPixmap.fromImage(image)))

    def thumbnails_done(self) -> bool:
        return self._next_thumbnail >= self.pages.count

    def _show_current(self) -> None:
        if not self.pages.count or self._printing:
            return
        index = self.current_page()
        width_pt, height_pt = self.pages.size(index)
        room = self.scroll.viewport().size()
        ratio = self.devicePixelRatioF()
        # The whole page in view, at most at its real size on a 96 dpi screen.
        scale = min((room.width() - 24) / width_pt, (room.height() - 24) / height_pt, 96 / 72)
        image = to_image(self.pages.render(index, 72 * max(scale, 0.2) * ratio))
        image.setDevicePixelRatio(ratio)
        self.page_view.setPixmap(QPixmap.fromImage(image))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._show_later.start()

    def save_as(self) -> None:
        target = self.dialogs.save_file(f"另存{self.title}", default_export_folder() / self.file_name, "PDF 文件 (*.pdf)")
        if target is None:
            return
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            saved = save_copy(self.pdf, target)
        except ExportError as error:
            self.dialogs.error("保存失败", str(error))
            return
        self.dialogs.exported("保存完成", saved.path)

    # --- printing -------------------------------------------------------------------------------
    def choose_printer_and_print(self) -> None:
        printer = QPrinter(QPrinter.HighResolution)
        prepare_printer(printer, self.pages, self.title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"打印 — {self.title}")
        dialog.setMinMax(1, max(self.pages.count, 1))
        dialog.setOptions(QAbstractPrintDialog.PrintPageRange | QAbstractPrintDialog.PrintCurrentPage
                          | QAbstractPrintDialog.PrintCollateCopies | QAbstractPrintDialog.PrintShowPageSize)
        if dialog.exec() != QDialog.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Send the chosen pages to ``printer``: off the GUI thread behind a progress dialog that can be
        cancelled when the window's runner is given, else at once (a test's PDF printer)."""
        current = self.current_page()
        where = printer.printerName() or printer.outputFileName()

        def sent(count: int) -> None:
            self.status.setText(f"已把 {count} 页发送到打印机“{where}”。")

        def failed(error: BaseException) -> None:
            from partybuild_desktop.ui.operations import explain

            self.dialogs.error("打印失败", str(error) if isinstance(error, PrintError) else f"打印没有完成：{explain(error)}")

        if self.operations is None:
            try:
                sent(print_pages(self.pages, printer, current))
            except PrintError as error:
                failed(error)
            return

        def work(progress):
            try:
                return print_pages(self.pages, printer, current, progress)
            finally:
                self._printing = False

        self._printing = True  # thumbnails wait meanwhile: PDFium renders for the printer
        if not self.operations.query_in_background("打印", work, dialogs=self.dialogs, parent=self, on_success=sent,
                                                   on_failure=failed, label=f"正在打印{self.title}…"):
            self._printing = False  # not started: another piece of work is running

    def done(self, result: int) -> None:  # noqa: A003 (Qt's name)
        if self._printing:
            return  # the pages are still going to the printer
        self._thumbnail_timer.stop()
        self._show_later.stop()
        self.pages.close()
        if self.on_close is not None:
            self.on_close()
            self.on_close = None
        super().done(result)


class ChoosePrintoutDialog(QDialog):
    """打印…: which printout (every export that has a PDF layout), and the year where it matters."""

    def __init__(self, definitions, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle("打印")
        self.definitions = [d for d in definitions if printable(d)]
        self.choices = QListWidget()
        self.choices.setObjectName("printoutChoices")
        for definition in self.definitions:
            self.choices.addItem(definition.title)
        self.year = QSpinBox()
        self.year.setObjectName("printoutYear")
        self.year.setRange(2000, 2100)
        self.year.setValue((today or dt.date.today()).year)
        self.year.setSuffix(" 年度")
        self.choices.currentRowChanged.connect(
            lambda row: self.year.setEnabled(0 <= row < len(self.definitions) and self.definitions[row].uses_year))
        self.choices.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("预览…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel("选择要打印的表格，先看打印预览，再选打印机、页码和份数。"))
        form.addRow("表格", self.choices)
        form.addRow("年度", self.year)
        form.addRow(buttons)
        self.resize(560, 460)

    def select(self, name: str) -> None:
        self.choices.setCurrentRow(next(i for i, d in enumerate(self.definitions) if d.name == name))

    def chosen(self):
        """(definition, year or None), or None when nothing is selected."""
        row = self.choices.currentRow()
        if not 0 <= row < len(self.definitions):
            return None
        definition = self.definitions[row]
        return definition, self.year.value() if definition.uses_year else None


def print_report(parent, context, dialogs, definitions, name: str | None = None,
                 member_ids: list[int] | None = None) -> None:
    """打印… from the window: choose the printout (only ``name`` when given; ``member_ids``: only these
    members), have the export write its PDF to a temporary file off the GUI thread, then show it in the
    print preview; the file goes when the preview closes."""
    from partybuild_desktop.services.exports import ExportOptions

    if name is not None:
        definitions = [d for d in definitions if d.name == name]
    chooser = ChoosePrintoutDialog(definitions, parent)
    if chooser.definitions:
        chooser.select(next((d.name for d in chooser.definitions if d.name == "notice-board"),
                            chooser.definitions[0].name))
    if chooser.exec() != QDialog.Accepted or chooser.chosen() is None:
        return
    definition, year = chooser.chosen()
    options = ExportOptions(year=year, member_ids=tuple(member_ids) if member_ids else None)
    preview_report(parent, context, dialogs, definition, options)


def preview_report(parent, context, dialogs, definition, options, on_preview=None,
                   show_warnings: bool = True) -> None:
    """Have the export write ``definition``'s PDF with ``options`` to a temporary file off the GUI thread,
    then show it in the print preview, the export's warnings under the pages unless ``show_warnings`` is
    off; the file goes when the preview closes. ``on_preview`` is handed the preview before it opens."""
    village = context.village()
    store, operations = context.store, context.operations

    def show(result) -> None:
        preview = PrintPreviewDialog(result.path, definition.title, dialogs, operations, parent,
                                     on_close=lambda: discard(result.path),
                                     file_name=definition.suggested_name(village, options, "pdf"))
        preview.setAttribute(Qt.WA_DeleteOnClose)
        if show_warnings and result.warnings:
            preview.status.setText(preview.status.text() + "".join(f"\n提示：{w}" for w in result.warnings))
        if on_preview is not None:
            on_preview(preview)
        preview.open()

    operations.query_in_background(
        f"打印{definition.title}",
        lambda progress: report_pdf_for_printing(store, village.id, definition.name, options),
        dialogs=dialogs, parent=parent, on_success=show, cancellable=False, label=f"正在生成{definition.title}…")
