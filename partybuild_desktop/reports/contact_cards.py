"""民情联系卡 (seed 002): a card for each household saying whom to call, eight to an A4 sheet with cut
marks. Each card names the household's liaison member, its hub household and its grid leader with their
phone numbers, and leaves lines for the household's requests (群众诉求). No ID numbers: the data
(``services.grid_reports.ContactCard``) holds none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm

from partybuild_desktop.reports import fonts
from partybuild_desktop.reports.notice_board import RED, TextPen
from partybuild_desktop.reports.spec import DrawnPages, Report

TITLE = "民情联系卡"
COLUMNS, ROWS = 2, 4
CARDS_PER_PAGE = COLUMNS * ROWS
CARD_W, CARD_H = 92 * mm, 64 * mm
CUT_MARK = 5 * mm  # length of a cut mark
CUT_GAP = 1.5 * mm  # between a cut mark and the cards
INSET = 3 * mm  # from the cut line to the card's own frame
BLANK = "__________"
SLOGAN = "有事请找联系党员，我们随时为您服务"


def _origin(width: float, height: float) -> tuple[float, float]:
    """Bottom-left corner of the block of cards, centred on the page."""
    return (width - COLUMNS * CARD_W) / 2, (height - ROWS * CARD_H) / 2


def _cut_marks(canvas, width: float, height: float) -> None:
    x0, y0 = _origin(width, height)
    x1, y1 = x0 + COLUMNS * CARD_W, y0 + ROWS * CARD_H
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.4)
    for i in range(COLUMNS + 1):  # vertical cut lines: marks above and below the block
        x = x0 + i * CARD_W
        canvas.line(x, y1 + CUT_GAP, x, y1 + CUT_GAP + CUT_MARK)
        canvas.line(x, y0 - CUT_GAP, x, y0 - CUT_GAP - CUT_MARK)
    for j in range(ROWS + 1):  # horizontal cut lines: marks left and right of the block
        y = y0 + j * CARD_H
        canvas.line(x0 - CUT_GAP, y, x0 - CUT_GAP - CUT_MARK, y)
        canvas.line(x1 + CUT_GAP, y, x1 + CUT_GAP + CUT_MARK, y)
    # Small crosses where inner cut lines meet, so a guillotine can be lined up on any card.
    canvas.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
    for i in range(1, COLUMNS):
        for j in range(1, ROWS):
            x, y = x0 + i * CARD_W, y0 + j * CARD_H
            canvas.line(x - 2 * mm, y, x + 2 * mm, y)
            canvas.line(x, y - 2 * mm, x, y + 2 * mm)


def _person(name: str, phone: str) -> str:
    return f"{name or BLANK}　电话：{phone or BLANK}"


def _draw_card(canvas, pen: TextPen, card, x: float, y: float) -> None:
    heading, body = fonts.heading_font(), fonts.body_font()
    where = f"{card.head_name}户的民情联系卡"
    fx, fy, fw, fh = x + INSET, y + INSET, CARD_W - 2 * INSET, CARD_H - 2 * INSET
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(0.8)
    canvas.roundRect(fx, fy, fw, fh, 2 * mm, stroke=1, fill=0)
    band = 9 * mm
    canvas.setFillColor(RED)  # the band follows the frame's rounded top corners
    canvas.roundRect(fx, fy + fh - band, fw, band, 2 * mm, stroke=0, fill=1)
    canvas.rect(fx, fy + fh - band, fw, band / 2, stroke=0, fill=1)
    pen.line(canvas, TITLE, heading, 14, fx + 3 * mm, fy + fh - band + 2.6 * mm, fw * 0.5, where=where,
             colour=colors.white)
    pen.line(canvas, card.village, body, 9, fx + fw * 0.5, fy + fh - band + 3 * mm, fw * 0.5 - 3 * mm, align="right",
             where=where, colour=colors.white)
    left, width = fx + 3 * mm, fw - 6 * mm
    size, step = 10, 5.6 * mm
    line_y = fy + fh - band - 6 * mm
    household = f"{card.head_name}（{card.villager_group}）" if card.villager_group else card.head_name
    rows = (
        ("户　　主：", household),
        ("联系党员：", _person(card.liaison, card.liaison_phone)),
        ("党员中心户：", _person(card.hub, card.hub_phone)),
        ("网 格 长：", _person(card.grid_leader, card.grid_leader_phone)),
    )
    label_w = 21 * mm
    for label, value in rows:
        pen.line(canvas, label, heading, size, left, line_y, label_w, where=where)
        pen.line(canvas, value, body, size, left + label_w, line_y, width - label_w, where=where)
        line_y -= step
    pen.line(canvas, "群众诉求：", heading, size, left, line_y, label_w, where=where)
    canvas.setStrokeColor(colors.Color(0.5, 0.5, 0.5))
    canvas.setLineWidth(0.4)
    rule_y = line_y - 1
    canvas.line(left + label_w, rule_y, left + width, rule_y)
    while rule_y - step > fy + 6 * mm:
        rule_y -= step
        canvas.line(left, rule_y, left + width, rule_y)
    pen.line(canvas, SLOGAN, body, 7.5, left, fy + 2 * mm, width, align="center", where=where,
             colour=colors.Color(0.4, 0.4, 0.4))


def contact_cards_section(cards: Sequence) -> DrawnPages:
    """``cards``: ``services.grid_reports.ContactCard``, eight to a page, left to right, top to bottom."""
    cards = list(cards)

    def draw(canvas, index: int, width: float, height: float):
        pen = TextPen()
        _cut_marks(canvas, width, height)
        x0, y0 = _origin(width, height)
        for position, card in enumerate(cards[index * CARDS_PER_PAGE:(index + 1) * CARDS_PER_PAGE]):
            col, row = position % COLUMNS, position // COLUMNS
            _draw_card(canvas, pen, card, x0 + col * CARD_W, y0 + (ROWS - 1 - row) * CARD_H)
        return pen.warnings

    pages = max(1, -(-len(cards) // CARDS_PER_PAGE))
    return DrawnPages(title=TITLE, count=pages, draw=draw, paper="A4", orientation="portrait", page_numbers=False)


def contact_cards_report(cards: Sequence, day: dt.date | None = None, stem: str = TITLE) -> Report:
    return Report(stem=stem, tables=[contact_cards_section(cards)])

