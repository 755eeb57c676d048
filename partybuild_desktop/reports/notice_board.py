"""公示牌 (seed 002, 服务公示制度): one page per grid, A3 landscape (or A4), posted in the grid.

It shows the grid, its area, the grid's party organisation and its workers, each with photo, name,
phone number and duties, in type large enough to read from a few steps away. It never prints an ID
number: the data it is given (``services.grid_reports.NoticeBoard``) holds none.

Drawn with plain canvas calls as a ``spec.DrawnPages`` section; text is broken with the PDF writer's
Chinese line breaking and every string's characters are checked against the font.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from partybuild_desktop.reports import fonts
from partybuild_desktop.reports.pdf_writer import break_lines
from partybuild_desktop.reports.spec import DrawnPages, Report, format_cn_date

TITLE = "党建网格公示牌"
RED = colors.Color(0.76, 0.06, 0.06)
PALE = colors.Color(0.99, 0.95, 0.93)
GREY = colors.Color(0.55, 0.55, 0.55)
PHOTO_RATIO = 3 / 4
INFO_LINES = 6  # lines about the grid under the title; the rest is cut


class TextPen:
    """Draws text in the preferred font, or the fallback font when a character is missing (with a
    warning naming where), shrinking a single line that would not fit its width."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self._fonts: dict[tuple[str, str], str] = {}

    def font(self, text: str, preferred: str, where: str) -> str:
        key = (text, preferred)
        if key in self._fonts:
            return self._fonts[key]
        chosen = preferred
        missing = fonts.missing_glyphs(text, preferred)
        if missing:
            fallback = fonts.fallback_font()
            if fallback != preferred and len(fonts.missing_glyphs(text, fallback)) < len(missing):
                chosen, missing = fallback, fonts.missing_glyphs(text, fallback)
            if missing:
                chars = "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in dict.fromkeys(text) if ch in missing)
                message = f"{where}中的{chars}在所有可用字体中都没有，打印出来会是空白或方框，请打印后手写补上。"
                if message not in self.warnings:
                    self.warnings.append(message)
        self._fonts[key] = chosen
        return chosen

    def line(self, canvas, text: str, preferred: str, size: float, x: float, y: float, width: float,
             align: str = "left", where: str = "", colour=colors.black) -> None:
        """One line with its baseline at ``y``; shrunk (never below 60 %) to fit ``width``, then cut."""
        if not text:
            return
        font = self.font(text, preferred, where)
        fitted = size
        while stringWidth(text, font, fitted) > width and fitted > size * 0.6:
            fitted -= 0.5
        while stringWidth(text, font, fitted) > width and len(text) > 1:
            text = text[:-2] + "…"
        canvas.setFillColor(colour)
        canvas.setFont(font, fitted)
        if align == "center":
            canvas.drawCentredString(x + width / 2, y, text)
        elif align == "right":
            canvas.drawRightString(x + width, y, text)
        else:
            canvas.drawString(x, y, text)

    def paragraph(self, canvas, text: str, preferred: str, size: float, x: float, top: float, width: float,
                  max_lines: int, where: str = "", leading: float = 1.3, colour=colors.black) -> float:
        """Wrapped lines from ``top`` down (at most ``max_lines``, the last ending in "…" when cut);
        returns the y below the last line."""
        if not text:
            return top
        font = self.font(text, preferred, where)
        lines = break_lines(text, font, size, width)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            while last and stringWidth(last + "…", font, size) > width:
                last = last[:-1]
            lines[-1] = last + "…"
        canvas.setFillColor(colour)
        canvas.setFont(font, size)
        ascent = getFont(font).face.ascent / 1000 * size
        y = top - ascent
        for line in lines:
            canvas.drawString(x, y, line)
            y -= size * leading
        return top - len(lines) * size * leading


def draw_photo(canvas, pen: TextPen, photo: bytes | None, x: float, y: float, w: float, h: float,
               placeholder_size: float, where: str) -> None:
    """The photo fitted into the box with its proportions kept, or a neat empty box saying 照片."""
    if photo:
        try:
            reader = ImageReader(io.BytesIO(photo))
            iw, ih = reader.getSize()
            ratio = min(w / iw, h / ih)
            dw, dh = iw * ratio, ih * ratio
            canvas.drawImage(reader, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh)
            canvas.setStrokeColor(GREY)
            canvas.setLineWidth(0.5)
            canvas.rect(x, y, w, h, stroke=1, fill=0)
            return
        except Exception:  # a damaged picture prints as an empty box, with a warning
            message = f"{where}的照片无法读取，已留空，请重新导入照片。"
            if message not in pen.warnings:
                pen.warnings.append(message)
    canvas.setFillColor(colors.Color(0.96, 0.96, 0.96))
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.8)
    canvas.setDash(4, 3)
    canvas.rect(x, y, w, h, stroke=1, fill=1)
    canvas.setDash()
    pen.line(canvas, "照片", fonts.body_font(), placeholder_size, x, y + h / 2 - placeholder_size / 3, w,
             align="center", colour=GREY)


# ---------------------------------------------------------------------------------------- one board


class _Board:
    """Sizes for a page ``width`` × ``height``; A3 landscape is the reference (scale 1)."""

    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.scale = min(width / 1190.55, height / 841.89)
        self.margin = 14 * mm * self.scale

    def s(self, value: float) -> float:
        return value * self.scale


PEOPLE_HEADING = "网格党组织成员及网格工作人员"
CARD_W, CARD_H = 520, 200  # a person's card at scale 1 on A3
MAX_CARD_SCALE = 1.3


def card_grid(count: int, width: float, height: float, gap: float) -> tuple[int, float]:
    """Columns and scale (relative to CARD_W × CARD_H) that show ``count`` cards as large as fits."""
    best = (1, 0.0)
    for cols in range(1, 6):
        rows = -(-max(count, 1) // cols)
        scale = min((width - (cols - 1) * gap) / cols / CARD_W, (height - (rows - 1) * gap) / rows / CARD_H,
                    MAX_CARD_SCALE)
        if scale > best[1] + 1e-6:
            best = (cols, scale)
    return best


def _draw_board(canvas, board, width: float, height: float, day: dt.date) -> list[str]:
    pen = TextPen()
    b = _Board(width, height)
    heading, body = fonts.heading_font(), fonts.body_font()
    m = b.margin
    where = f"“{board.grid_name}”公示牌"

    # Title band.
    band_h = b.s(92)
    top = height - m
    canvas.setFillColor(RED)
    canvas.rect(m, top - band_h, width - 2 * m, band_h, stroke=0, fill=1)
    name = board.grid_name if board.grid_name.startswith(board.village) else f"{board.village}{board.grid_name}"
    pen.line(canvas, name, heading, b.s(44), m, top - b.s(52), width - 2 * m,
             align="center", where=where, colour=colors.white)
    pen.line(canvas, f"{board.level.label} · {TITLE}", heading, b.s(20), m, top - b.s(80), width - 2 * m,
             align="center", where=where, colour=colors.white)
    y = top - band_h - b.s(14)

    # The grid: area, organisation, counts.
    facts = [f"网格范围：{board.area or '（未填写）'}"]
    organisation = []
    if board.grid_branch:
        organisation.append(board.grid_branch)
    organisation += board.party_groups
    if organisation:
        facts.append("网格党组织：" + "、".join(organisation))
    facts.append(f"网格内农户 {board.households} 户、党员 {board.members} 名")
    if board.hubs:
        facts.append("党员中心户：" + "、".join(board.hubs))
    size, leading, inner = b.s(19), 1.35, width - 2 * m - b.s(24)
    lines = [line for fact in facts for line in break_lines(fact, pen.font(fact, body, where), size, inner)]
    lines = lines[:INFO_LINES]
    info_h = len(lines) * size * leading + b.s(16)
    canvas.setFillColor(PALE)
    canvas.rect(m, y - info_h, width - 2 * m, info_h, stroke=0, fill=1)
    pen.paragraph(canvas, "\n".join(lines), body, size, m + b.s(12), y - b.s(8), inner, INFO_LINES, where, leading)
    y -= info_h + b.s(12)

    # People: one card each, as large as the space allows.
    footer_h = b.s(34)
    bar_h, gap = b.s(34), b.s(12)
    canvas.setFillColor(RED)
    canvas.rect(m, y - bar_h, b.s(8), bar_h, stroke=0, fill=1)
    pen.line(canvas, PEOPLE_HEADING, heading, b.s(24), m + b.s(18), y - bar_h + b.s(9), width - 2 * m,
             where=where, colour=RED)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(b.s(1.5))
    canvas.line(m, y - bar_h - b.s(3), width - m, y - bar_h - b.s(3))
    y -= bar_h + gap
    people = board.people
    if not people:
        pen.line(canvas, "（尚未配备网格长和网格员）", body, b.s(22), m + b.s(18), y - b.s(30), width - 2 * m,
                 where=where, colour=GREY)
    cols, scale = card_grid(len(people), width - 2 * m, y - (m + footer_h) - gap, gap)
    # Cards keep about their proportions; a short row is centred rather than stretched across the page.
    card_w = min((width - 2 * m - (cols - 1) * gap) / cols, CARD_W * scale * 1.25)
    card_h = CARD_H * scale
    left = (width - (cols * card_w + (cols - 1) * gap)) / 2
    for index, person in enumerate(people):
        col, row = index % cols, index // cols
        x = left + col * (card_w + gap)
        card_top = y - row * (card_h + gap)
        _draw_person(canvas, pen, person, x, card_top - card_h, card_w, card_h, b, scale / b.scale, where)

    # Footer: who posts it and when.
    pen.line(canvas, board.branch_name, body, b.s(16), m, m + b.s(6), width / 2 - m, where=where)
    pen.line(canvas, f"公示日期：{format_cn_date(day)}", body, b.s(16), width / 2, m + b.s(6), width / 2 - m,
             align="right", where=where)
    return pen.warnings


def _draw_person(canvas, pen: TextPen, person, x: float, y: float, w: float, h: float, b: _Board,
                 text_scale: float, where: str) -> None:
    heading, body = fonts.heading_font(), fonts.body_font()
    canvas.setStrokeColor(colors.Color(0.85, 0.75, 0.72))
    canvas.setLineWidth(b.s(1))
    canvas.roundRect(x, y, w, h, b.s(6), stroke=1, fill=0)
    pad = b.s(12) * text_scale
    photo_h = h - 2 * pad
    photo_w = photo_h * PHOTO_RATIO
    draw_photo(canvas, pen, person.photo, x + pad, y + pad, photo_w, photo_h, b.s(18) * text_scale,
               f"{where}{person.name}")
    tx = x + pad * 2 + photo_w
    tw = w - (tx - x) - pad
    top = y + h - pad
    size_role, size_name, size_phone, size_duty = (b.s(v) * text_scale for v in (18, 34, 24, 17))
    pen.line(canvas, person.role, heading, size_role, tx, top - size_role, tw, where=where, colour=RED)
    top -= size_role * 1.4
    pen.line(canvas, person.name, heading, size_name, tx, top - size_name * 0.9, tw, where=where)
    top -= size_name * 1.25
    pen.line(canvas, f"电话：{person.phone or ''}", body, size_phone, tx, top - size_phone * 0.9, tw, where=where)
    top -= size_phone * 1.45
    room = int(max(0.0, top - (y + pad)) // (size_duty * 1.3))
    if person.duties and room:
        pen.paragraph(canvas, f"职责：{person.duties_text}", body, size_duty, tx, top, tw, room, where)


def notice_board_section(boards: Sequence, day: dt.date, paper: str = "A3") -> DrawnPages:
    """``boards``: ``services.grid_reports.NoticeBoard``, one page each."""
    boards = list(boards)

    def draw(canvas, index: int, width: float, height: float):
        return _draw_board(canvas, boards[index], width, height, day)

    return DrawnPages(title=TITLE, count=len(boards), draw=draw, paper=paper, orientation="landscape",
                      page_numbers=False)


def notice_board_report(boards: Sequence, day: dt.date, paper: str = "A3", stem: str = TITLE) -> Report:
    return Report(stem=stem, tables=[notice_board_section(boards, day, paper)])
