"""Batch printing of 党员分类信息卡: every member of the township as one PDF, against reportlab drawing
the same pages with plain canvas calls.

The measured run is the whole export: the members read from the data file, the cards laid out (line
breaking, font checks), the pages packed and written through platypus with page numbers, the file written
safely and read back. The baseline draws the very same boxes, lines of text and page numbers, laid out
beforehand outside the clock, straight onto a canvas: what reportlab itself needs to produce those pages.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Figure

sys.path.insert(0, str(ROOT))

# The export reads, lays out and checks what the raw drawing gets ready-made. Measured at 0.7–0.8 of the
# raw rate; the target is half: the export may spend on all its own work at most as long as reportlab
# spends drawing the pages, which keeps a township's 3,000 cards well under a minute.
TARGET_SHARE = 1 / 2
MAX_RUNS = 3  # each run already prints about 1,500 pages


def _export(data_file: Path, out: Path) -> int:
    from partybuild_desktop.reports.pdf_writer import write_pdf
    from partybuild_desktop.reports.tables.card import cards_report
    from partybuild_desktop.services.member_records import member_cards
    from partybuild_desktop.store.schema import open_store

    store = open_store(data_file)
    try:
        with store.session() as session:
            cards = member_cards(session)  # every village in the file
    finally:
        store.dispose()
    write_pdf(cards_report(cards, "中共城南镇委员会", dt.date(2026, 11, 23)), out)
    return len(cards)


def _raw_pages(data_file: Path):
    """The pages as lists of laid-out forms, and the geometry to draw them, prepared off the clock."""
    from reportlab.lib.pagesizes import A4

    from partybuild_desktop.reports import pdf_writer
    from partybuild_desktop.reports.spec import pack_pages
    from partybuild_desktop.reports.tables.card import cards_report
    from partybuild_desktop.services.member_records import member_cards
    from partybuild_desktop.store.schema import open_store

    store = open_store(data_file)
    try:
        with store.session() as session:
            cards = member_cards(session)
    finally:
        store.dispose()
    forms = cards_report(cards, "中共城南镇委员会", dt.date(2026, 11, 23)).tables[0]
    width = A4[0] - 2 * pdf_writer.MARGIN
    layouts = [pdf_writer.layout_form(form, width) for form in forms.forms]
    frame_height = A4[1] - pdf_writer.MARGIN - pdf_writer.BOTTOM_MARGIN
    pages = [[layouts[i] for i in page] for page in pack_pages([l.height for l in layouts], frame_height, forms.gap)]
    return pages, forms.gap


def _draw_raw(pages, gap: float, out: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from partybuild_desktop.reports import fonts, pdf_writer

    canvas = Canvas(str(out), pagesize=A4)
    grey = pdf_writer.FORM_LABEL_GREY
    for number, page in enumerate(pages, start=1):
        top = A4[1] - pdf_writer.MARGIN
        for layout in page:
            top -= layout.height
            canvas.saveState()
            canvas.translate(pdf_writer.MARGIN, top)
            canvas.setFillColor(grey)
            for box in layout.boxes:
                if box.filled:
                    canvas.rect(box.x, box.y, box.width, box.height, stroke=0, fill=1)
            canvas.setFillColor(colors.black)
            canvas.setLineWidth(pdf_writer.GRID_WIDTH)
            for box in layout.boxes:
                canvas.rect(box.x, box.y, box.width, box.height, stroke=1, fill=0)
            canvas.setLineWidth(pdf_writer.FORM_OUTLINE_WIDTH)
            canvas.rect(*layout.grid, stroke=1, fill=0)
            current = None
            for text in layout.texts:
                if (text.font, text.size) != current:
                    canvas.setFont(text.font, text.size)
                    current = (text.font, text.size)
                canvas.drawString(text.x, text.y, text.text)
            canvas.restoreState()
            top -= gap
        canvas.setFont(fonts.body_font(), pdf_writer.FOOTER_SIZE)
        canvas.drawCentredString(A4[0] / 2, pdf_writer.BOTTOM_MARGIN / 2, f"第 {number} 页，共 {len(pages)} 页")
        canvas.showPage()
    canvas.save()


def bench(folder: Path, repeat: int) -> list[Figure]:
    from pypdf import PdfReader

    from partybuild_desktop.reports import fonts

    data_file = folder / "partybuild.sqlite3"
    fonts.active_fonts()  # font detection and registration happen once per program, not per batch
    pages, gap = _raw_pages(data_file)
    ours, raw = [], []
    with tempfile.TemporaryDirectory() as work:
        out, raw_out = Path(work) / "cards.pdf", Path(work) / "raw.pdf"
        for _ in range(max(1, min(repeat, MAX_RUNS))):  # interleaved, so a busy moment hurts both alike
            start = time.perf_counter()
            members = _export(data_file, out)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            _draw_raw(pages, gap, raw_out)
            raw.append(time.perf_counter() - start)
        page_count = len(PdfReader(out).pages)
        if len(PdfReader(raw_out).pages) != page_count:
            raise RuntimeError("the raw drawing and the export disagree on the number of pages")
    rate = page_count / statistics.median(ours)
    raw_rate = page_count / statistics.median(raw)
    return [
        Figure(f"一卡：全镇党员信息卡批量 PDF（{members} 名，{page_count} 页，中位数）", rate, raw_rate, "页/s",
               "≥ 1/2 × reportlab 直接绘制同样页面", rate >= TARGET_SHARE * raw_rate),
    ]


if __name__ == "__main__":
    from common import WORK

    for figure in bench(WORK / "township", int(sys.argv[1]) if len(sys.argv) > 1 else 1):
        print(f"{figure.name}: {figure.value:.1f} {figure.unit} (raw {figure.baseline:.1f}, {figure.ratio}) "
              f"target {figure.target}: {'met' if figure.met else 'NOT met'}")
