"""打印: the printout is the very PDF that 导出 writes, made in a temporary folder and shown page by page.

``report_pdf_for_printing`` runs the export (``services.exports.export``) into a temporary file, so what
is printed never differs from what is exported. ``PdfPages`` reads that PDF with PDFium (pypdfium2) and
renders a page as pixels at a given resolution; the window paints those on the preview and the printer.
PDFium must not be entered by two threads at once, so every call into it takes one lock.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from partybuild_desktop.services.exports import ExportError, ExportOptions, ExportResult, export, find
from partybuild_desktop.store.database import Store

TEMP_PREFIX = "partybuild-print-"
_LEFT_OVER_AFTER = 24 * 3600  # seconds: a print folder this old was left by a program that did not close
_pdfium = threading.Lock()


def printable(definition) -> bool:
    return "pdf" in definition.formats


def report_pdf_for_printing(store: Store, village_id: int | None, name: str,
                            options: ExportOptions | None = None) -> ExportResult:
    """The report's PDF, written by the export, in a temporary folder of its own (``discard`` removes it)."""
    definition = find(name)
    if not printable(definition):
        raise ExportError(f"“{definition.title}”没有打印版式，只能导出为 Excel 文件后在 Excel 或 WPS 中打印。")
    sweep_left_over()
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    try:
        return export(store, village_id, name, folder / f"{definition.name}.pdf", options)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def save_copy(pdf: Path, target: Path) -> ExportResult:
    """Keep the previewed PDF as a file of the clerk's (written and checked as every export is)."""
    from partybuild_desktop.fileio import atomic_write

    target = Path(target)
    if not target.parent.is_dir():
        raise ExportError(f"文件夹“{target.parent}”不存在，请先建好文件夹或换一个位置。")
    try:
        with open(pdf, "rb") as source:
            digest = atomic_write(target, lambda out: shutil.copyfileobj(source, out))
    except PermissionError as error:
        raise ExportError(f"无法写入“{target}”：文件可能正在别的程序中打开，请关闭后重试。（{error}）") from error
    except OSError as error:
        raise ExportError(f"写入“{target}”失败：{error}。请检查 U 盘是否插好、空间是否足够。") from error
    return ExportResult(target, digest)


def sweep_left_over(now: float | None = None) -> None:
    """Remove print folders a crashed or killed program left in the temporary folder."""
    now = time.time() if now is None else now
    for folder in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > _LEFT_OVER_AFTER:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def discard(pdf: Path) -> None:
    """Remove a PDF made for printing, with its temporary folder."""
    pdf = Path(pdf)
    if pdf.parent.name.startswith(TEMP_PREFIX):
        shutil.rmtree(pdf.parent, ignore_errors=True)
    else:
        pdf.unlink(missing_ok=True)


@dataclass(frozen=True)
class PagePixels:
    """One rendered page: ``data`` holds ``height`` rows of ``stride`` bytes, 4 bytes a pixel (B, G, R, unused)."""

    width: int
    height: int
    stride: int
    data: bytes


class PdfPages:
    """The pages of one PDF file, for the preview and the printer."""

    def __init__(self, path: Path):
        import pypdfium2

        self.path = Path(path)
        with _pdfium:
            try:
                self._document = pypdfium2.PdfDocument(str(self.path))
            except pypdfium2.PdfiumError as error:
                raise ExportError(f"“{self.path.name}”不是可以打印的 PDF 文件：{error}") from error
            self.count = len(self._document)
            self._sizes = [self._document[i].get_size() for i in range(self.count)]

    def size(self, index: int) -> tuple[float, float]:
        """The page's width and height in points (1/72 inch)."""
        return self._sizes[index]

    def render(self, index: int, dpi: float, for_printer: bool = False) -> PagePixels:
        with _pdfium:
            page = self._document[index]
            try:
                bitmap = page.render(scale=dpi / 72, prefer_bgrx=True, may_draw_forms=False,
                                     optimize_mode="print" if for_printer else None)
                try:
                    return PagePixels(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
                finally:
                    bitmap.close()
            finally:
                page.close()

    def close(self) -> None:
        with _pdfium:
            self._document.close()
