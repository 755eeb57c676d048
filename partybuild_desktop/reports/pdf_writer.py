"""Write a ``Report`` as a PDF with embedded Chinese fonts: one section per table, each starting on a new
page with its own paper size and its own "第 N 页，共 M 页" numbering (a section is printed, signed and
stamped as one document).

Lines are broken here rather than by reportlab: its CJK wrap lets "，" or "”" start a line and hangs a
closing mark past the right edge, which in a table cell runs over the border. ``break_lines`` keeps such
marks with the character before them and always stays inside the width. Table cells then draw their
lines directly (``_CellText``): a Paragraph per cell would wrap the same text again several times while
the table is laid out, which made a 2,000-row roster take twice as long. Free-standing text (title,
notes, signature) stays a Paragraph with ``wordWrap='CJK'``, which can continue on the next page.

A form set (cards) is laid out here box by box (``layout_form``) and drawn with plain canvas calls; the
forms are put on pages by ``spec.pack_pages``, one flowable per page, so platypus only adds the pages.
"""

from __future__ import annotations

import io
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import TableStyle

from .. import APP_NAME
from ..fileio import atomic_write
from . import fonts
from .spec import (
    SHORT_TEXT_WIDTH,
    DrawnPages,
    Form,
    FormCell,
    FormSet,
    Report,
    Section,
    Table,
    display_text,
    display_width,
    pack_pages,
)

BODY_SIZE = 10.5  # 五号
SMALL_HEADER_SIZE = 9  # 小五: the header of a table with many narrow columns
FIT_SLACK = 0.5  # points a column keeps beyond the text it must hold on one line (rounding in the layout)
TITLE_SIZE = 16
FOOTER_SIZE = 9
LEADING = 1.3  # line height as a multiple of the font size
MARGIN = 15 * mm
BOTTOM_MARGIN = 18 * mm  # room for the page number
CELL_PAD_X = 3
CELL_PAD_Y = 2.5
GRID_WIDTH = 0.5
PAGE_NUMBER = "第 {page} 页，共 {pages} 页"
FORM_TITLE_GAP = 2 * mm  # between a form's title (or caption) and what follows
FORM_OUTLINE_WIDTH = 1.0  # the frame around a form's grid
FORM_LABEL_GREY = colors.Color(0.95, 0.95, 0.95)  # label and heading boxes (xlsx: F2F2F2)
PHOTO_INSET = 3  # points between a photo and its box

# Chinese line-breaking rules (GB/T 15834 and common typesetting practice).
NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉〗”’…‥·%‰℃,.;:!?)]}")
NO_LINE_END = frozenset("（《「『【〔〈〖“‘([{")

_PAPER = {"A4": A4, "A3": A3}
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


def write_pdf(report: Report, path: str | os.PathLike[str]) -> list[str]:
    """Write ``report`` to ``path`` safely (see ``fileio.atomic_write``). Returns warnings in Chinese,
    e.g. a character of a name that had to be printed in the fallback font or cannot be printed at all."""
    if not report.tables:
        raise ValueError("报表中没有任何表格，无法导出。")
    writer = _Writer()
    atomic_write(path, lambda f: writer.build(report, f))
    return writer.warnings


def break_lines(text: str, font_name: str, font_size: float, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` points. Chinese may break between any two
    characters, Latin words and numbers only at spaces (unless longer than a line); a closing mark never
    starts a line and an opening mark never ends one. Newlines in ``text`` are kept."""

    def width(s: str) -> float:
        return stringWidth(s, font_name, font_size)

    lines: list[str] = []
    for paragraph in text.split("\n"):
        current, current_width, wrapped = "", 0.0, False
        for cluster in _clusters(paragraph):
            if wrapped and not current and cluster.isspace():
                continue  # spaces at a line break disappear (an indent at the start stays)
            w = width(cluster)
            if current_width + w <= max_width:
                current, current_width = current + cluster, current_width + w
                continue
            if current.strip():
                lines.append(current.rstrip())
            current, current_width, wrapped = "", 0.0, True
            if cluster.isspace():
                continue
            if w <= max_width:
                current, current_width = cluster, w
                continue
            pieces = _split_long(cluster, width, max_width)
            lines.extend(pieces[:-1])
            current, current_width = pieces[-1], width(pieces[-1])
        lines.append(current.rstrip())
    return lines


def _fitting_lines(text: str, font_name: str, font_size: float, max_width: float) -> list[str]:
    """``break_lines``, with a shortcut for the usual one-line box."""
    if "\n" not in text and stringWidth(text, font_name, font_size) <= max_width:
        return [text.rstrip()]
    return break_lines(text, font_name, font_size, max_width)


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80  # CJK scripts and full-width forms: a break is allowed on either side


def _clusters(text: str) -> list[str]:
    """Pieces that must not be broken: one Chinese character, a Latin word or number, a space; then a
    closing mark is glued to the piece before it and an opening mark to the piece after it."""
    tokens: list[str] = []
    for ch in text:
        if ch == " " or _is_wide(ch) or not tokens or tokens[-1] == " " or _is_wide(tokens[-1][-1]):
            tokens.append(ch)
        else:
            tokens[-1] += ch
    clusters: list[str] = []
    glue_to_next = False
    for token in tokens:
        if clusters and token[0] in NO_LINE_START and clusters[-1].isspace() and len(clusters) > 1:
            clusters[-2] += clusters.pop()  # "word ," : the mark takes the space and the word with it
        if clusters and (glue_to_next or token[0] in NO_LINE_START):
            clusters[-1] += token
        else:
            clusters.append(token)
        glue_to_next = token[-1] in NO_LINE_END
    return clusters


def _split_long(cluster: str, width, max_width: float) -> list[str]:
    """Cut a piece wider than a whole line (a long number, a run of marks) character by character,
    still keeping a closing mark off the start of a line when the line before can spare a character."""
    pieces = [""]
    for ch in cluster:
        if pieces[-1] and width(pieces[-1] + ch) > max_width:
            if ch in NO_LINE_START and len(pieces[-1]) > 1:
                pieces[-1], carried = pieces[-1][:-1], pieces[-1][-1]
                pieces.append(carried)
            else:
                pieces.append("")
        pieces[-1] += ch
    return pieces


class _BrokenParagraph(Paragraph):
    """A paragraph of lines already broken by ``break_lines``, joined by <br/>. Unlike ``Paragraph`` it
    keeps runs of spaces (a signature line's "　　" would otherwise shrink to one space); its CJK wrap
    has nothing left to do but stays on as a safety net."""

    def __init__(self, markup: str, style: ParagraphStyle):
        self.caseSensitive = 1
        # Paragraph itself passes a cleaner that collapses whitespace; this one leaves the text alone.
        self._setup(markup, style, None, None, lambda text: text)


class _CellText(Flowable):
    """Text in a table cell: broken by ``break_lines`` for the width the table offers, drawn line by line."""

    def __init__(self, text: str, font_name: str, size: float, align: str):
        super().__init__()
        self.text, self.font_name, self.size, self.align = text, font_name, size, align
        self.leading = size * LEADING
        self.lines: list[str] = []
        self._broken_for: float | None = None

    def wrap(self, available_width, available_height):
        if available_width != self._broken_for:
            self.lines = break_lines(self.text, self.font_name, self.size, available_width)
            self._broken_for = available_width
        self.width, self.height = available_width, len(self.lines) * self.leading
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        canvas.setFont(self.font_name, self.size)
        # Centre each line's em box in its slot; the baseline sits the font's descent above the box bottom.
        descent = -getFont(self.font_name).face.descent / 1000 * self.size
        for i, line in enumerate(self.lines):
            y = self.height - (i + 1) * self.leading + (self.leading - self.size) / 2 + descent
            if self.align == "right":
                canvas.drawRightString(self.width, y, line)
            elif self.align == "center":
                canvas.drawCentredString(self.width / 2, y, line)
            else:
                canvas.drawString(0, y, line)


class _SectionStart(Flowable):
    """Invisible marker telling the canvas that a new table (a new page count) begins on this page."""

    def __init__(self, index: int, numbered: bool = True):
        super().__init__()
        self.index, self.numbered = index, numbered

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.canv.section_index = self.index
        self.canv.section_numbered = self.numbered


class _DrawnPage(Flowable):
    """One page of a ``DrawnPages`` section, filling a frame that covers the whole page."""

    def __init__(self, section: DrawnPages, index: int, warnings: Callable[[str], None]):
        super().__init__()
        self.section, self.index, self.warn = section, index, warnings

    def wrap(self, available_width, available_height):
        self.width, self.height = available_width, available_height
        return self.width, self.height

    def draw(self):
        self.canv.saveState()
        for message in self.section.draw(self.canv, self.index, self.width, self.height) or ():
            self.warn(message)
        self.canv.restoreState()


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each can say how many pages its section has."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.section_index = 0
        self.section_numbered = True
        self._saved_pages: list[dict] = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        totals = Counter(state["section_index"] for state in self._saved_pages)
        numbers: defaultdict[int, int] = defaultdict(int)
        for state in self._saved_pages:
            self.__dict__.update(state)
            numbers[self.section_index] += 1
            if not self.section_numbered:
                super().showPage()
                continue
            text = PAGE_NUMBER.format(page=numbers[self.section_index], pages=totals[self.section_index])
            font = fonts.body_font()
            if fonts.missing_glyphs(text, font):
                font = fonts.fallback_font()
            self.setFont(font, FOOTER_SIZE)
            self.drawCentredString(self._pagesize[0] / 2, BOTTOM_MARGIN / 2, text)
            super().showPage()
        super().save()


class _Writer:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self._styles: dict[tuple[str, float, str], ParagraphStyle] = {}
        # Forms repeat the same labels and many of the same values: break and check each text once.
        self._lines: dict[tuple[str, str, float, float], list[str]] = {}
        self._printable: set[tuple[str, str]] = set()

    def build(self, report: Report, file) -> None:
        templates, story = [], []
        for i, section in enumerate(report.tables):
            page_size = _page_size(section)
            if isinstance(section, DrawnPages):  # the layout keeps its own margins
                templates.append(PageTemplate(id=f"section{i}", pagesize=page_size, frames=[
                    Frame(0, 0, *page_size, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)]))
                if i:
                    story += [NextPageTemplate(f"section{i}"), PageBreak()]
                story.append(_SectionStart(i, section.page_numbers))
                for page in range(section.count):
                    if page:
                        story.append(PageBreak())
                    story.append(_DrawnPage(section, page, self._warn))
                continue
            frame_width = page_size[0] - 2 * MARGIN
            frame_height = page_size[1] - MARGIN - BOTTOM_MARGIN
            frame = Frame(MARGIN, BOTTOM_MARGIN, frame_width, frame_height,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
            templates.append(PageTemplate(id=f"section{i}", frames=[frame], pagesize=page_size))
            if i:
                story += [NextPageTemplate(f"section{i}"), PageBreak()]
            story.append(_SectionStart(i))
            if isinstance(section, FormSet):
                story += self._form_section(section, frame_width, frame_height)
            else:
                story += self._section(section, frame_width)
        first = report.tables[0]
        author = first.spec.unit if isinstance(first, Table) else ""
        doc = BaseDocTemplate(
            file, pageTemplates=templates, pagesize=_page_size(first),
            title=report.stem, author=author or "", creator=APP_NAME, lang="zh-CN",
            initialFontName=fonts.body_font(),  # else every page names Helvetica, a font not embedded
        )
        doc.build(story, canvasmaker=_NumberedCanvas)

    def _section(self, table: Table, frame_width: float) -> list[Flowable]:
        """A table; a banded one (too wide for a page) as one run of pages per band of columns, each
        with the title and the repeated columns, the notes and signature after the last."""
        if not table.banded:
            return self._table(table, frame_width, *self._fitted_widths(table, frame_width))
        natural = self._natural_widths(table)
        bands = table.column_bands(natural, frame_width)
        story: list[Flowable] = []
        for number, band in enumerate(bands):
            part = table.band(band)
            if number:
                story.append(PageBreak())
            last = number == len(bands) - 1
            story += self._table(part, frame_width, *self._fitted_widths(part, frame_width), end=last)
        return story

    def _needs(self, table: Table, header_lines: int, header_size: float = BODY_SIZE) -> list[float]:
        """The least width of each column: its short cells (农民党员, 第1党小组) on one line, and its
        header in at most ``header_lines`` lines of two characters or more."""
        body, heading = fonts.body_font(), fonts.heading_font()
        rows = table.value_rows()
        needs = []
        for i, column in enumerate(table.spec.columns):
            texts = {display_text(r[i], column) for r in rows}
            short = max((stringWidth(t, body, BODY_SIZE) for t in texts
                         if t and "\n" not in t and display_width(t) <= SHORT_TEXT_WIDTH), default=0.0)
            header = _header_width(column.header, heading, header_lines, header_size)
            needs.append(max(short, header) + 2 * CELL_PAD_X + FIT_SLACK)
        return needs

    def _natural_widths(self, table: Table) -> list[float]:
        """Column widths at full size (a Chinese character of the body is two units), for banding."""
        needs = self._needs(table, 2)
        return [max(need, w * BODY_SIZE / 2 + 2 * CELL_PAD_X) for need, w in zip(needs, table.column_widths())]

    def _fitted_widths(self, table: Table, frame_width: float) -> tuple[list[float], float]:
        """The spec's widths spread over the frame, each column given at least what it needs, and the
        header's font size: headers in two lines at the body's size if the page has room for that,
        else in 小五 (9 pt), in two lines or else three; the spec's proportions when even that does
        not fit. A header is never stacked one character a line while the page has room."""
        widths = table.column_widths()
        for size, lines in ((BODY_SIZE, 2), (SMALL_HEADER_SIZE, 2), (SMALL_HEADER_SIZE, 3)):
            fitted = fit_widths(widths, self._needs(table, lines, size), frame_width)
            if fitted is not None:
                return fitted, size
        return [frame_width * w / sum(widths) for w in widths], BODY_SIZE

    def _table(self, table: Table, frame_width: float, col_widths: list[float], header_size: float = BODY_SIZE,
               end: bool = True) -> list[Flowable]:
        spec = table.spec
        title = spec.title
        heading, body = fonts.heading_font(), fonts.body_font()
        story: list[Flowable] = [
            self._paragraph(spec.title, heading, TITLE_SIZE, "center", frame_width, f"「{title}」的标题"),
            Spacer(1, 4 * mm),
        ]
        if spec.subtitle:
            story += [self._paragraph(spec.subtitle, body, BODY_SIZE, "center", frame_width, f"「{title}」的副标题"),
                      Spacer(1, 2 * mm)]

        if spec.unit_text or spec.date_text:
            half = frame_width / 2
            line = PdfTable(
                [[self._cell(spec.unit_text, body, "left", f"「{title}」的填报单位"),
                  self._cell(spec.date_text, body, "right", f"「{title}」的填报日期")]],
                colWidths=[half, half],
                style=[("FONTNAME", (0, 0), (-1, -1), body),
                       ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 3)],
            )
            story.append(line)

        n_header = spec.header_row_count
        data: list[list] = [[""] * len(spec.columns) for _ in range(n_header)]
        commands = [
            ("FONTNAME", (0, 0), (-1, -1), body),  # a table names its default font even for empty cells
            ("GRID", (0, 0), (-1, -1), GRID_WIDTH, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
        ]
        for cell in spec.header_cells():
            data[cell.row][cell.col] = self._cell(cell.text, heading, "center", f"「{title}」的表头", header_size)
            if cell.row_span > 1 or cell.col_span > 1:
                last = (cell.col + cell.col_span - 1, cell.row + cell.row_span - 1)
                commands.append(("SPAN", (cell.col, cell.row), last))

        for number, values in enumerate(table.value_rows(), start=1):
            data.append([
                self._cell(display_text(value, column), body, column.alignment,
                           f"「{title}」第{number}行「{column.header}」")
                for column, value in zip(spec.columns, values)
            ])

        totals = table.totals_row()
        if totals is not None:
            span = spec.totals_label_span
            row: list = [self._cell(str(totals[0]), heading, "center", f"「{title}」的合计行")]
            row += [""] * (span - 1)
            row += [self._cell(display_text(value, column), heading, column.alignment, f"「{title}」的合计行")
                    for column, value in zip(spec.columns[span:], totals[span:])]
            data.append(row)
            if span > 1:
                commands.append(("SPAN", (0, len(data) - 1), (span - 1, len(data) - 1)))

        story.append(PdfTable(data, colWidths=col_widths, repeatRows=n_header, style=TableStyle(commands)))
        if not end:
            return story

        if spec.notes:
            story.append(Spacer(1, 2 * mm))
        for note in spec.notes:
            story.append(self._paragraph(note, body, BODY_SIZE, "left", frame_width, f"「{title}」的表下说明"))
        if spec.signature:
            story.append(Spacer(1, 8 * mm))
            story.append(self._paragraph(spec.signature, body, BODY_SIZE, "right", frame_width,
                                         f"「{title}」的签字栏"))
        return story

    def _form_section(self, forms: FormSet, frame_width: float, frame_height: float) -> list[Flowable]:
        layouts = [self.layout_form(form, frame_width, f"「{forms.title}」{form.name}") for form in forms.forms]
        for layout in layouts:
            layout.fit_height(frame_height)
        pages = pack_pages([layout.drawn_height for layout in layouts], frame_height, forms.gap)
        story: list[Flowable] = []
        for number, page in enumerate(pages):
            if number:
                story.append(PageBreak())
            story.append(_FormPage([layouts[i] for i in page], forms.gap))
        return story

    def layout_form(self, form: Form, width: float, where: str = "") -> FormLayout:
        """Where every line, box and picture of ``form`` goes when it is ``width`` points wide."""
        spec = form.spec
        heading, body = fonts.heading_font(), fonts.body_font()
        where = where or form.name
        layout = FormLayout(width)
        ops_top: list[tuple] = []  # (text, font, size, align, x, width, line bottom from the top)
        y = 0.0
        title_font = self._font_for(spec.title, heading, f"{where}的标题")
        for line in self._lines_of(spec.title, title_font, TITLE_SIZE, width):
            y += TITLE_SIZE * LEADING
            ops_top.append((line, title_font, TITLE_SIZE, "center", 0.0, width, y))
        y += FORM_TITLE_GAP
        if form.caption_left or form.caption_right:
            start = y
            for text, align, x in ((form.caption_left, "left", 0.0), (form.caption_right, "right", width / 2)):
                font = self._font_for(text, body, f"{where}的表头")
                line_y = start
                for line in self._lines_of(text, font, BODY_SIZE, width / 2) if text else []:
                    line_y += BODY_SIZE * LEADING
                    ops_top.append((line, font, BODY_SIZE, align, x, width / 2, line_y))
                y = max(y, line_y)
            y += FORM_TITLE_GAP / 2

        total = sum(spec.widths)
        col_x = [0.0]
        for w in spec.widths:
            col_x.append(col_x[-1] + width * w / total)
        broken: dict[FormCell, tuple[str, list[str]]] = {}

        def needed(cell: FormCell, text: str) -> float:
            font = self._font_for(text, heading if cell.kind in ("label", "heading") else body,
                                  lambda: f"{where}的「{spec.label_of(cell)}」")
            inner = col_x[cell.col + cell.col_span] - col_x[cell.col] - 2 * CELL_PAD_X
            lines = self._lines_of(text, font, BODY_SIZE, inner) if text else []
            broken[cell] = (font, lines)
            return len(lines) * BODY_SIZE * LEADING + 2 * CELL_PAD_Y

        row_heights = form.row_heights(needed)
        grid_top = y
        row_y = [grid_top]
        for h in row_heights:
            row_y.append(row_y[-1] + h)
        layout.height = height = row_y[-1]
        layout.grid = (0.0, 0.0, width, height - grid_top)
        for line, font, size, align, x, w, slot_bottom in ops_top:
            descent = -getFont(font).face.descent / 1000 * size
            baseline = height - slot_bottom + (size * LEADING - size) / 2 + descent
            layout.add_text(line, font, size, align, x, w, baseline, box=None)

        descent_of: dict[str, float] = {}
        for cell in spec.cells:
            x0, x1 = col_x[cell.col], col_x[cell.col + cell.col_span]
            top, bottom = row_y[cell.row], row_y[cell.row + cell.row_span]
            box = (x0, height - bottom, x1 - x0, bottom - top)
            layout.boxes.append(FormBox(*box, filled=cell.kind in ("label", "heading")))
            image = form.image(cell)
            if image is not None:
                if self._place_image(layout, image, box, f"{where}的照片"):
                    continue
            if cell.kind == "photo":
                font = self._font_for(cell.text, body, f"{where}的照片框")
                lines = self._lines_of(cell.text, font, BODY_SIZE, box[2] - 2 * CELL_PAD_X)
            else:
                font, lines = broken[cell]
            if font not in descent_of:
                descent_of[font] = -getFont(font).face.descent / 1000 * BODY_SIZE
            leading = BODY_SIZE * LEADING
            block_top = box[1] + box[3] - (box[3] - len(lines) * leading) / 2
            for i, line in enumerate(lines):
                baseline = block_top - (i + 1) * leading + (leading - BODY_SIZE) / 2 + descent_of[font]
                layout.add_text(line, font, BODY_SIZE, cell.alignment, x0 + CELL_PAD_X, x1 - x0 - 2 * CELL_PAD_X,
                                baseline, box=box)
        return layout

    def _place_image(self, layout: FormLayout, data: bytes, box, where: str) -> bool:
        """Fit a picture in a box, proportions kept, centred; False (with a warning) when it cannot be read."""
        try:
            reader = ImageReader(io.BytesIO(data))
            image_w, image_h = reader.getSize()
        except Exception:  # reportlab and Pillow raise many types for a damaged picture
            self._warn(f"{where}无法读取，已留空，请重新导入照片。")
            return False
        x, y, w, h = box
        inner_w, inner_h = w - 2 * PHOTO_INSET, h - 2 * PHOTO_INSET
        ratio = min(inner_w / image_w, inner_h / image_h)
        draw_w, draw_h = image_w * ratio, image_h * ratio
        layout.images.append(FormImage(reader, x + (w - draw_w) / 2, y + (h - draw_h) / 2, draw_w, draw_h))
        return True

    def _cell(self, text: str, font_name: str, align: str, where: str, size: float = BODY_SIZE) -> _CellText:
        return _CellText(text, self._font_for(text, font_name, where), size, align)

    def _paragraph(self, text: str, font_name: str, size: float, align: str, width: float,
                   where: str) -> Paragraph:
        """A paragraph broken into lines that fit ``width``, in ``font_name`` or, when that lacks one
        of the characters, in the fallback font (recording a warning either way)."""
        font_name = self._font_for(text, font_name, where)
        lines = break_lines(text, font_name, size, width)
        markup = "<br/>".join(escape(line) for line in lines)
        return _BrokenParagraph(markup, self._style(font_name, size, align))

    def _lines_of(self, text: str, font_name: str, size: float, width: float) -> list[str]:
        key = (text, font_name, size, width)
        lines = self._lines.get(key)
        if lines is None:
            lines = self._lines[key] = _fitting_lines(text, font_name, size, width)
        return lines

    def _font_for(self, text: str, preferred: str, where: str | Callable[[], str]) -> str:
        """``where`` names the place for a warning; it may be a function, called only when needed."""
        if (text, preferred) in self._printable:
            return preferred
        missing = fonts.missing_glyphs(text, preferred)
        if not missing:
            self._printable.add((text, preferred))
            return preferred
        if callable(where):
            where = where()
        chosen = preferred
        fallback = fonts.fallback_font()
        if fallback != preferred:
            missing_in_fallback = fonts.missing_glyphs(text, fallback)
            if len(missing_in_fallback) < len(missing):
                found = _chars(text, missing - missing_in_fallback)
                self._warn(f"{where}中的{found}在{fonts.font_label(preferred)}中没有，"
                           f"已改用{fonts.font_label(fallback)}打印这一格。")
                chosen, missing = fallback, missing_in_fallback
        if missing:
            self._warn(f"{where}中的{_chars(text, missing)}在所有可用字体中都没有，打印出来会是空白或方框，"
                       f"请打印后手写补上。")
        return chosen

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _style(self, font_name: str, size: float, align: str) -> ParagraphStyle:
        key = (font_name, size, align)
        if key not in self._styles:
            self._styles[key] = ParagraphStyle(
                f"pb-{font_name}-{size}-{align}", fontName=font_name, fontSize=size,
                leading=size * LEADING, alignment=_ALIGN[align], wordWrap="CJK",
            )
        return self._styles[key]


def fit_widths(widths: list[float], needs: list[float], total: float) -> list[float] | None:
    """``widths`` scaled to add up to ``total``, each at least its ``needs``: a column below its need is
    set to it and the others share what is left in their proportions. None when the needs alone are
    more than ``total``."""
    if sum(needs) > total:
        return None
    fixed: set[int] = set()
    result = [total * w / sum(widths) for w in widths]
    while True:
        short = [i for i in range(len(widths)) if i not in fixed and result[i] < needs[i]]
        if not short:
            return result
        fixed.update(short)
        free = [i for i in range(len(widths)) if i not in fixed]
        left = total - sum(needs[i] for i in fixed)
        share = sum(widths[i] for i in free)
        for i in fixed:
            result[i] = needs[i]
        for i in free:
            result[i] = left * widths[i] / share


def _header_width(text: str, font: str, lines: int, size: float = BODY_SIZE) -> float:
    """The width a header needs to print in ``lines`` lines of about equal length (at least two
    characters each), e.g. 网格党支部 in two lines: 网格党 / 支部."""
    longest = max(text.split("\n"), key=len, default="")
    if not longest:
        return 0.0
    per_line = max(2, -(-len(longest) // lines))
    pieces = [longest[i: i + per_line] for i in range(0, len(longest), per_line)]
    return max(stringWidth(piece, font, size) for piece in pieces)


def _page_size(section: Section) -> tuple[float, float]:
    paper, orientation = (section.spec.paper, section.spec.orientation) if isinstance(section, Table) else (
        section.paper, section.orientation)
    size = _PAPER[paper]
    return landscape(size) if orientation == "landscape" else portrait(size)


@dataclass
class FormText:
    """One line of text: drawn at (``x``, ``y``) (baseline, left end) inside ``box`` (None: title or
    caption, outside the grid)."""

    text: str
    font: str
    size: float
    x: float
    y: float
    box: tuple[float, float, float, float] | None


@dataclass
class FormBox:
    x: float
    y: float
    width: float
    height: float
    filled: bool


@dataclass
class FormImage:
    image: ImageReader
    x: float
    y: float
    width: float
    height: float


@dataclass
class FormLayout:
    """One form laid out, in points from its bottom-left corner; drawn by ``draw_form``."""

    width: float
    height: float = 0.0
    grid: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # the outline around the boxes
    texts: list[FormText] = field(default_factory=list)
    boxes: list[FormBox] = field(default_factory=list)
    images: list[FormImage] = field(default_factory=list)
    scale: float = 1.0  # below 1 when a form taller than a page is shrunk to fit

    def add_text(self, text: str, font: str, size: float, align: str, x: float, width: float, y: float,
                 box) -> None:
        if align != "left":
            shift = width - stringWidth(text, font, size)
            x += shift if align == "right" else shift / 2
        self.texts.append(FormText(text, font, size, x, y, box))

    def fit_height(self, available: float) -> None:
        if self.height > available:
            self.scale = available / self.height

    @property
    def drawn_height(self) -> float:
        return self.height * self.scale


def layout_form(form: Form, width: float) -> FormLayout:
    """How ``form`` is drawn ``width`` points wide (for tests and measurements; warnings are dropped)."""
    return _Writer().layout_form(form, width)


def draw_form(canvas: Canvas, layout: FormLayout, x: float, y: float) -> None:
    """Draw a laid-out form with its bottom-left corner at (``x``, ``y``)."""
    canvas.saveState()
    canvas.translate(x, y)
    if layout.scale != 1:
        canvas.translate(layout.width * (1 - layout.scale) / 2, 0)
        canvas.scale(layout.scale, layout.scale)
    canvas.setFillColor(FORM_LABEL_GREY)
    for box in layout.boxes:
        if box.filled:
            canvas.rect(box.x, box.y, box.width, box.height, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setLineWidth(GRID_WIDTH)
    for box in layout.boxes:
        canvas.rect(box.x, box.y, box.width, box.height, stroke=1, fill=0)
    canvas.setLineWidth(FORM_OUTLINE_WIDTH)
    canvas.rect(*layout.grid, stroke=1, fill=0)
    for picture in layout.images:
        canvas.drawImage(picture.image, picture.x, picture.y, picture.width, picture.height)
    current = None
    for text in layout.texts:
        if (text.font, text.size) != current:
            canvas.setFont(text.font, text.size)
            current = (text.font, text.size)
        canvas.drawString(text.x, text.y, text.text)
    canvas.restoreState()


class _FormPage(Flowable):
    """The forms of one page, one under another."""

    def __init__(self, layouts: list[FormLayout], gap: float):
        super().__init__()
        self.layouts, self.gap = layouts, gap

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = sum(layout.drawn_height for layout in self.layouts) + self.gap * (len(self.layouts) - 1)
        return self.width, self.height

    def draw(self):
        top = self.height
        for layout in self.layouts:
            top -= layout.drawn_height
            draw_form(self.canv, layout, 0, top)
            top -= self.gap


def _chars(text: str, chars: set[str]) -> str:
    """The characters in the order they appear in ``text``, with their code points: a missing
    character may show as nothing on screen."""
    return "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in dict.fromkeys(text) if ch in chars)
