"""Cards printed several to an A4 sheet (portrait), in a block centred on the page with cut marks around it,
to be cut apart: the layout the card printouts (民情联系卡, 流动党员联系卡) share. Each printout draws its own
card into the cell the sheet gives it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm

from partybuild_desktop.reports.notice_board import RED, TextPen
from partybuild_desktop.reports.spec import DrawnPages


@dataclass(frozen=True)
class CardSheet:
    """``columns`` × ``rows`` cards of ``card_w`` × ``card_h``; cut marks ``cut_mark`` long, ``cut_gap``
    away from the block."""

    columns: int
    rows: int
    card_w: float
    card_h: float
    cut_mark: float
    cut_gap: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, width: float, height: float) -> tuple[float, float]:
        """Bottom-left corner of the block of cards, centred on the page."""
        return (width - self.columns * self.card_w) / 2, (height - self.rows * self.card_h) / 2

    def cut_marks(self, canvas, width: float, height: float) -> None:
        x0, y0 = self.origin(width, height)
        x1, y1 = x0 + self.columns * self.card_w, y0 + self.rows * self.card_h
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.4)
        for i in range(self.columns + 1):  # vertical cut lines: marks above and below the block
            x = x0 + i * self.card_w
            canvas.line(x, y1 + self.cut_gap, x, y1 + self.cut_gap + self.cut_mark)
            canvas.line(x, y0 - self.cut_gap, x, y0 - self.cut_gap - self.cut_mark)
        for j in range(self.rows + 1):  # horizontal cut lines: marks left and right of the block
            y = y0 + j * self.card_h
            canvas.line(x0 - self.cut_gap, y, x0 - self.cut_gap - self.cut_mark, y)
            canvas.line(x1 + self.cut_gap, y, x1 + self.cut_gap + self.cut_mark, y)
        if self.columns > 1 and self.rows > 1:
            # Small crosses where inner cut lines meet, so a guillotine can be lined up on any card.
            canvas.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
            for i in range(1, self.columns):
                for j in range(1, self.rows):
                    x, y = x0 + i * self.card_w, y0 + j * self.card_h
                    canvas.line(x - 2 * mm, y, x + 2 * mm, y)
                    canvas.line(x, y - 2 * mm, x, y + 2 * mm)

    def section(self, title: str, cards: Sequence, draw_card: Callable[..., None]) -> DrawnPages:
        """The pages of ``cards``, left to right, top to bottom; ``draw_card(canvas, pen, card, x, y)`` draws
        one card whose cell has its bottom-left corner at (x, y). At least one page, blank when no cards."""
        cards = list(cards)

        def draw(canvas, index: int, width: float, height: float):
            pen = TextPen()
            self.cut_marks(canvas, width, height)
            x0, y0 = self.origin(width, height)
            for position, card in enumerate(cards[index * self.per_page:(index + 1) * self.per_page]):
                col, row = position % self.columns, position // self.columns
                draw_card(canvas, pen, card, x0 + col * self.card_w, y0 + (self.rows - 1 - row) * self.card_h)
            return pen.warnings

        pages = max(1, -(-len(cards) // self.per_page))
        return DrawnPages(title=title, count=pages, draw=draw, paper="A4", orientation="portrait",
                          page_numbers=False)


def banded_frame(canvas, x: float, y: float, w: float, h: float, line_width: float, radius: float,
                 band: float) -> None:
    """A card's red frame (``x``, ``y`` its bottom-left corner) and the red band across its top, ``band``
    high, which follows the frame's rounded top corners; the card's title goes on the band in white."""
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(line_width)
    canvas.roundRect(x, y, w, h, radius, stroke=1, fill=0)
    canvas.setFillColor(RED)
    canvas.roundRect(x, y + h - band, w, band, radius, stroke=0, fill=1)
    canvas.rect(x, y + h - band, w, band / 2, stroke=0, fill=1)
