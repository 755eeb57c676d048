"""The public 党建先锋榜: one A3 landscape sheet to post on the board, in large type.

The top members with their photos (or a neat placeholder), and the top grids (or grid branches). It is
posted in public, so it shows only names, grids, ranks and scores: never ID numbers or phone numbers
(``BoardPrintout`` has no field for them). Drawn directly on a reportlab canvas; the fonts are the
report fonts (Windows 黑体/宋体 or the bundled one), with the fallback font for a rare character.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .. import APP_NAME
from ..fileio import atomic_write
from . import fonts
from .pdf_writer import break_lines
from .spec import format_cn_date

PAGE = landscape(A3)
MARGIN = 16 * mm
RED = colors.HexColor("#B71C1C")
DARK_RED = colors.HexColor("#8E0000")
GOLD = colors.HexColor("#FFD54F")
PALE = colors.HexColor("#FFF8E1")
GREY = colors.HexColor("#9E9E9E")
LIGHT_GREY = colors.HexColor("#ECEFF1")
INK = colors.HexColor("#212121")
MEDALS = {1: colors.HexColor("#D4A017"), 2: colors.HexColor("#8C9BA5"), 3: colors.HexColor("#B0703C")}

TITLE_SIZE = 54
SUBTITLE_SIZE = 17
HEADING_SIZE = 28
NAME_SIZE = 26
DETAIL_SIZE = 16
SCORE_SIZE = 24
NOTE_SIZE = 13
MAX_MEMBER_COLUMNS = 6  # two rows of cards: at most 12 members fit
TOP_MEMBERS = 10
TOP_UNITS = 8


@dataclass(frozen=True)
class BoardMember:
    rank: int
    name: str
    unit_name: str
    score: float
    photo: bytes | None = None


@dataclass(frozen=True)
class BoardUnit:
    rank: int
    name: str
    score: float
    members: int


@dataclass
class BoardPrintout:
    """What the public board shows, and nothing more."""

    title: str  # 东湖村2026年度党建先锋榜
    organisation: str  # 中共东湖村党总支
    as_of: dt.date
    rules_name: str
    unit_label: str  # 网格 / 网格党支部
    members: list[BoardMember]
    units: list[BoardUnit]
    notes: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # 评分内容, printed under the grids
    stem: str = ""

    def file_name(self, suffix: str) -> str:
        return f"{self.stem or self.title}{suffix}"

    def write_pdf(self, path: str | os.PathLike[str]) -> list[str]:
        """Write the board (atomically); returns warnings in Chinese."""
        return write_board_pdf(self, path)


def top_members(standings, top: int, photos: dict[int, bytes]) -> tuple[list[BoardMember], int]:
    """Members ranked ``top`` or better (ties included), as many as the sheet holds; and how many tied
    members had to be left off."""
    chosen = [m for m in standings if m.rank <= top]
    limit = 2 * MAX_MEMBER_COLUMNS
    left_off = max(0, len(chosen) - limit)
    return [BoardMember(m.rank, m.name, m.unit_name, m.score, photos.get(m.member_id)) for m in chosen[:limit]], left_off


def printout_from_board(board, organisation: str, photos: dict[int, bytes], top: int = TOP_MEMBERS,
                        top_units: int = TOP_UNITS) -> BoardPrintout:
    """The public part of a ``services.points.Board``: the top members (ties included) and grids."""
    members, left_off = top_members(board.members, top, photos)
    units = [BoardUnit(u.rank, u.name, u.score, u.members) for u in board.units if u.rank <= top_units]
    rules = board.rules
    notes = [f"党员基础分 {_score_text(rules.base_score)} 分，按积分办法各项加减分；总分相同者名次并列。"
             "公示期间如有意见，请向村党组织反映。"]
    if left_off:
        last = members[-1].rank
        notes.insert(0, f"另有 {left_off} 名党员与第 {last} 名积分相同，版面所限未能列出，详见积分明细表。")
    return BoardPrintout(
        title=board.title, organisation=organisation, as_of=board.period.end if board.closed else board.as_of,
        rules_name=rules.name, unit_label=board.unit_label, members=members, units=units, notes=notes,
        categories=[c.name for c in rules.categories], stem=board.title,
    )


def write_board_pdf(board: BoardPrintout, path: str | os.PathLike[str]) -> list[str]:
    drawer = _Drawer(board)
    atomic_write(path, drawer.draw)
    return drawer.warnings


def _score_text(score: float) -> str:
    return f"{score:.2f}".rstrip("0").rstrip(".")


class _Drawer:
    def __init__(self, board: BoardPrintout):
        self.board = board
        self.warnings: list[str] = []
        self.heading = fonts.heading_font()
        self.body = fonts.body_font()

    def font(self, text: str, preferred: str, where: str) -> str:
        missing = fonts.missing_glyphs(text, preferred)
        if not missing:
            return preferred
        fallback = fonts.fallback_font()
        if fallback != preferred and len(fonts.missing_glyphs(text, fallback)) < len(missing):
            missing = fonts.missing_glyphs(text, fallback)
            preferred = fallback
        if missing:
            chars = "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in dict.fromkeys(text) if ch in missing)
            self.warn(f"先锋榜{where}中的{chars}在所有可用字体中都没有，打印出来会是空白或方框，请打印后手写补上。")
        return preferred

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def text(self, c: Canvas, text: str, x: float, y: float, size: float, font: str, width: float | None = None,
             align: str = "center", where: str = "", color=INK, min_size: float = 8) -> None:
        """One line; shrunk to fit ``width`` (a long grid name must not run into its neighbour)."""
        font = self.font(text, font, where)
        if width is not None:
            while size > min_size and stringWidth(text, font, size) > width:
                size -= 0.5
        self._draw(c, text, x, y, size, font, align, color)

    def block(self, c: Canvas, text: str, x: float, y: float, size: float, font: str, width: float,
              height: float, align: str = "center", where: str = "", color=INK, min_size: float = 11) -> None:
        """Text in a box ``height`` points tall whose first baseline would be ``y`` for one line: shrunk
        down to ``min_size``, then broken into two lines (Chinese line-breaking rules), then cut with "…"."""
        font = self.font(text, font, where)
        lines = [text]
        while size > min_size and stringWidth(text, font, size) > width:
            size -= 0.5
        if stringWidth(text, font, size) > width:
            size = max(min_size, min(size, height / 2 / 1.15))
            lines = break_lines(text, font, size, width)
            if len(lines) > 2:
                rest = lines[1]
                while rest and stringWidth(rest + "…", font, size) > width:
                    rest = rest[:-1]
                lines = [lines[0], rest + "…"]
        if len(lines) == 1:
            self._draw(c, text, x, y, size, font, align, color)
            return
        top = y + size * 0.6  # two lines share the height one line had, centred on it
        for i, line in enumerate(lines):
            self._draw(c, line, x, top - i * size * 1.15, size, font, align, color)

    @staticmethod
    def _draw(c: Canvas, text: str, x: float, y: float, size: float, font: str, align: str, color) -> None:
        c.setFillColor(color)
        c.setFont(font, size)
        if align == "center":
            c.drawCentredString(x, y, text)
        elif align == "right":
            c.drawRightString(x, y, text)
        else:
            c.drawString(x, y, text)

    def draw(self, file) -> None:
        board = self.board
        c = Canvas(file, pagesize=PAGE, initialFontName=self.body)
        c.setTitle(board.title)
        c.setAuthor(board.organisation)
        c.setCreator(APP_NAME)
        width, height = PAGE
        c.setFillColor(PALE)
        c.rect(0, 0, width, height, stroke=0, fill=1)

        # The banner.
        banner = 40 * mm
        c.setFillColor(RED)
        c.rect(0, height - banner, width, banner, stroke=0, fill=1)
        c.setFillColor(GOLD)
        c.rect(0, height - banner - 2.2 * mm, width, 2.2 * mm, stroke=0, fill=1)
        self.text(c, board.title, width / 2, height - banner / 2 - 2 * mm, TITLE_SIZE, self.heading,
                  width - 2 * MARGIN, where="标题", color=colors.white)
        state = f"积分截至{format_cn_date(board.as_of)}"
        subtitle = f"{board.organisation}　·　{state}　·　依据《{board.rules_name}》"
        self.text(c, subtitle, width / 2, height - banner - 12 * mm, SUBTITLE_SIZE, self.body, width - 2 * MARGIN,
                  where="副标题", color=DARK_RED)

        top = height - banner - 20 * mm
        bottom = MARGIN + 22 * mm
        split = MARGIN + (width - 2 * MARGIN) * 0.70
        self.members_panel(c, MARGIN, bottom, split - 8 * mm, top)
        self.units_panel(c, split + 4 * mm, bottom, width - MARGIN, top)

        # Notes along the bottom, and who posts the board.
        y = MARGIN + 12 * mm
        for note in board.notes[:2]:
            self.text(c, note, MARGIN, y, NOTE_SIZE, self.body, width - 2 * MARGIN - 80 * mm, align="left",
                      where="说明", color=INK)
            y -= NOTE_SIZE * 1.5
        self.text(c, board.organisation, width - MARGIN, MARGIN + 12 * mm, DETAIL_SIZE, self.heading, 80 * mm,
                  align="right", where="落款")
        self.text(c, format_cn_date(board.as_of), width - MARGIN, MARGIN + 12 * mm - DETAIL_SIZE * 1.4, DETAIL_SIZE,
                  self.body, 80 * mm, align="right", where="落款")
        c.showPage()
        c.save()

    def heading_bar(self, c: Canvas, text: str, x0: float, x1: float, y: float) -> None:
        c.setFillColor(RED)
        c.roundRect(x0, y - 4 * mm, x1 - x0, 13 * mm, 2 * mm, stroke=0, fill=1)
        self.text(c, text, (x0 + x1) / 2, y, HEADING_SIZE - 6, self.heading, x1 - x0 - 8 * mm, where="栏目标题",
                  color=colors.white)

    def members_panel(self, c: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
        board = self.board
        self.heading_bar(c, "党 员 先 锋", x0, x1, y1 - 9 * mm)
        members = board.members
        if not members:
            self.text(c, "本期尚无积分记录", (x0 + x1) / 2, (y0 + y1) / 2, NAME_SIZE, self.body, where="党员栏", color=GREY)
            return
        columns = min(MAX_MEMBER_COLUMNS, max(5, math.ceil(len(members) / 2)))
        rows = 2
        area_top = y1 - 18 * mm
        cell_w = (x1 - x0) / columns
        cell_h = (area_top - y0) / rows
        for index, member in enumerate(members[: rows * columns]):
            row, col = divmod(index, columns)
            cx = x0 + cell_w * (col + 0.5)
            top = area_top - cell_h * row
            self.member_card(c, member, cx, top, cell_w - 6 * mm, cell_h - 4 * mm)

    def member_card(self, c: Canvas, member: BoardMember, cx: float, top: float, w: float, h: float) -> None:
        text_block = NAME_SIZE * 1.3 + DETAIL_SIZE * 1.4 + SCORE_SIZE * 1.3
        photo_h = min(h - text_block - 6 * mm, w * 4 / 3)
        photo_w = photo_h * 3 / 4
        px, py = cx - photo_w / 2, top - 3 * mm - photo_h
        c.setFillColor(colors.white)
        c.setStrokeColor(GOLD)
        c.setLineWidth(2)
        c.rect(px - 1.5 * mm, py - 1.5 * mm, photo_w + 3 * mm, photo_h + 3 * mm, stroke=1, fill=1)
        if not self.photo(c, member, px, py, photo_w, photo_h):
            self.placeholder(c, px, py, photo_w, photo_h)
        self.rank_badge(c, member.rank, px - 1.5 * mm, py + photo_h + 1.5 * mm)
        y = py - 3 * mm - NAME_SIZE
        self.text(c, member.name, cx, y, NAME_SIZE, self.heading, w, where=f"“{member.name}”的姓名")
        y -= DETAIL_SIZE * 1.4
        self.block(c, member.unit_name or " ", cx, y, DETAIL_SIZE, self.body, w, DETAIL_SIZE * 2.2,
                   where=f"“{member.name}”的网格", min_size=12)
        y -= SCORE_SIZE * 1.25
        self.text(c, f"{_score_text(member.score)} 分", cx, y, SCORE_SIZE, self.heading, w, where="积分", color=RED)

    def photo(self, c: Canvas, member: BoardMember, x: float, y: float, w: float, h: float) -> bool:
        if not member.photo:
            return False
        try:
            reader = ImageReader(io.BytesIO(member.photo))
            image_w, image_h = reader.getSize()
        except Exception:  # reportlab and Pillow raise many types for a damaged picture
            self.warn(f"“{member.name}”的照片无法读取，先锋榜上用了占位图，请重新导入照片。")
            return False
        # Fill the box (photos are cropped 3:4 on import); keep proportions, centre, clip the overflow.
        scale = max(w / image_w, h / image_h)
        draw_w, draw_h = image_w * scale, image_h * scale
        c.saveState()
        path = c.beginPath()
        path.rect(x, y, w, h)
        c.clipPath(path, stroke=0, fill=0)
        c.drawImage(reader, x + (w - draw_w) / 2, y + (h - draw_h) / 2, draw_w, draw_h)
        c.restoreState()
        return True

    def placeholder(self, c: Canvas, x: float, y: float, w: float, h: float) -> None:
        """A grey silhouette: head and shoulders."""
        c.setFillColor(LIGHT_GREY)
        c.rect(x, y, w, h, stroke=0, fill=1)
        c.saveState()
        path = c.beginPath()
        path.rect(x, y, w, h)
        c.clipPath(path, stroke=0, fill=0)
        c.setFillColor(colors.HexColor("#CFD8DC"))
        c.circle(x + w / 2, y + h * 0.60, w * 0.21, stroke=0, fill=1)
        c.ellipse(x + w * 0.14, y - h * 0.18, x + w * 0.86, y + h * 0.42, stroke=0, fill=1)
        c.restoreState()

    def rank_badge(self, c: Canvas, rank: int, x: float, y: float) -> None:
        radius = 9 * mm
        c.setFillColor(MEDALS.get(rank, RED))
        c.setStrokeColor(colors.white)
        c.setLineWidth(2)
        c.circle(x + radius * 0.4, y - radius * 0.4, radius, stroke=1, fill=1)
        size = 22 if rank < 100 else 16
        self.text(c, str(rank), x + radius * 0.4, y - radius * 0.4 - size * 0.36, size, self.heading,
                  where="名次", color=colors.white)

    def units_panel(self, c: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
        board = self.board
        self.heading_bar(c, f"先 进 {board.unit_label}", x0, x1, y1 - 9 * mm)
        units = board.units
        if not units:
            self.text(c, "本期尚无积分记录", (x0 + x1) / 2, (y0 + y1) / 2, DETAIL_SIZE, self.body, where="网格栏", color=GREY)
            return
        area_top = y1 - 18 * mm
        categories = board.categories
        lines = [categories[i:i + 3] for i in range(0, len(categories), 3)]
        box_h = (len(lines) * 1.6 + 2.6) * DETAIL_SIZE if lines else 0
        row_h = min(22 * mm, (area_top - y0 - box_h - 6 * mm) / len(units))
        for index, unit in enumerate(units):
            top = area_top - row_h * index
            c.setFillColor(colors.white if index % 2 == 0 else colors.HexColor("#FFF3E0"))
            c.setStrokeColor(colors.HexColor("#FFCC80"))
            c.setLineWidth(0.8)
            c.roundRect(x0, top - row_h + 1.5 * mm, x1 - x0, row_h - 3 * mm, 2 * mm, stroke=1, fill=1)
            middle = top - row_h / 2
            radius = min(7 * mm, row_h / 2 - 2.5 * mm)
            c.setFillColor(MEDALS.get(unit.rank, RED))
            c.circle(x0 + 5 * mm + radius, middle, radius, stroke=0, fill=1)
            self.text(c, str(unit.rank), x0 + 5 * mm + radius, middle - 6.5, 18, self.heading, where="名次",
                      color=colors.white)
            name_x = x0 + 8 * mm + 2 * radius
            score_w = 30 * mm
            self.block(c, unit.name, name_x, middle + 1, 22, self.heading, x1 - name_x - score_w - 4 * mm,
                       row_h * 0.55, align="left", where=f"“{unit.name}”", min_size=13)
            self.text(c, f"党员 {unit.members} 名", name_x, middle - 16, 12, self.body, align="left",
                      where=f"“{unit.name}”", color=GREY)
            self.text(c, f"{_score_text(unit.score)} 分", x1 - 4 * mm, middle - 8, 22, self.heading, score_w,
                      align="right", where="积分", color=RED)
        if lines:
            # 评分内容: what the points are given for, so a passer-by knows what the ranking means.
            c.setFillColor(colors.white)
            c.setStrokeColor(RED)
            c.setLineWidth(1)
            c.roundRect(x0, y0, x1 - x0, box_h, 2 * mm, stroke=1, fill=1)
            y = y0 + box_h - DETAIL_SIZE * 1.5
            self.text(c, "评分内容", (x0 + x1) / 2, y, DETAIL_SIZE + 2, self.heading, where="评分内容", color=RED)
            for line in lines:
                y -= DETAIL_SIZE * 1.6
                self.text(c, "　".join(line), (x0 + x1) / 2, y, DETAIL_SIZE, self.body, x1 - x0 - 6 * mm,
                          where="评分内容")
