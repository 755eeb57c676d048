"""流动党员联系卡 (seed 001's "一张联系卡"): a card each migrant carries, two to an A4 sheet with cut marks.
It names the member and where they went, and whom at home to call: the branch, its phone, the secretary
and the contact person the village named. No ID number and no phone number of the member: the data
(``services.migrants.CardLine``) holds none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.reports import fonts
from partybuild_desktop.reports.notice_board import RED, TextPen
from partybuild_desktop.reports.spec import DrawnPages, Report

TITLE = "流动党员联系卡"
COLUMNS, ROWS = 1, 2
CARDS_PER_PAGE = COLUMNS * ROWS
CARD_W, CARD_H = 180 * mm, 128 * mm
CUT_MARK = 6 * mm
CUT_GAP = 2 * mm
INSET = 4 * mm
REMINDERS = (
    "外出期间请主动与村党组织保持联系，每季度至少联系一次；变更地址、电话或工作单位时请及时告知。",
    "持流动党员活动证的，可在流入地党组织参加组织生活、交纳党费（在流入地没有表决权、选举权）。",
    "外出满6个月、地点相对固定的，应及时转移组织关系；每年春节返乡期间请参加流动党员座谈会。",
)


def _origin(width: float, height: float) -> tuple[float, float]:
    return (width - COLUMNS * CARD_W) / 2, (height - ROWS * CARD_H) / 2


def _cut_marks(canvas, width: float, height: float) -> None:
    x0, y0 = _origin(width, height)
    x1, y1 = x0 + COLUMNS * CARD_W, y0 + ROWS * CARD_H
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.4)
    for i in range(COLUMNS + 1):  # the vertical cut lines: marks above and below the block
        x = x0 + i * CARD_W
        canvas.line(x, y1 + CUT_GAP, x, y1 + CUT_GAP + CUT_MARK)
        canvas.line(x, y0 - CUT_GAP, x, y0 - CUT_GAP - CUT_MARK)
    for j in range(ROWS + 1):  # the horizontal cut lines: marks left and right of the block
        y = y0 + j * CARD_H
        canvas.line(x0 - CUT_GAP, y, x0 - CUT_GAP - CUT_MARK, y)
        canvas.line(x1 + CUT_GAP, y, x1 + CUT_GAP + CUT_MARK, y)


def _draw_card(canvas, pen: TextPen, card, x: float, y: float, day: dt.date) -> None:
    heading, body = fonts.heading_font(), fonts.body_font()
    where = f"{card.name}的{TITLE}"
    fx, fy, fw, fh = x + INSET, y + INSET, CARD_W - 2 * INSET, CARD_H - 2 * INSET
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1)
    canvas.roundRect(fx, fy, fw, fh, 3 * mm, stroke=1, fill=0)
    band = 14 * mm
    canvas.setFillColor(RED)
    canvas.roundRect(fx, fy + fh - band, fw, band, 3 * mm, stroke=0, fill=1)
    canvas.rect(fx, fy + fh - band, fw, band / 2, stroke=0, fill=1)
    pen.line(canvas, TITLE, heading, 20, fx + 6 * mm, fy + fh - band + 4 * mm, fw * 0.5, where=where,
             colour=colors.white)
    pen.line(canvas, card.branch_name, body, 11, fx + fw * 0.45, fy + fh - band + 5 * mm, fw * 0.55 - 6 * mm,
             align="right", where=where, colour=colors.white)
    left, width = fx + 8 * mm, fw - 16 * mm
    label_w, size, step = 46 * mm, 12.5, 8.6 * mm
    line_y = fy + fh - band - 10 * mm
    rows = (
        ("党员姓名：", card.name),
        ("外出流向：", card.destination),
        ("流入地党组织：", card.host_organisation or ""),
        ("村党组织电话：", card.branch_phone or ""),
        ("党组织书记：", card.secretary or ""),
        ("村联系人：", card.contact_person or ""),
        ("流入地联系人及电话：", ""),  # filled in by hand where the member goes
    )
    canvas.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
    canvas.setLineWidth(0.4)
    for label, value in rows:
        pen.line(canvas, label, heading, size, left, line_y, label_w, where=where)
        if value:
            pen.line(canvas, value, body, size, left + label_w, line_y, width - label_w, where=where)
        canvas.line(left + label_w, line_y - 1.6 * mm, left + width, line_y - 1.6 * mm)
        line_y -= step
    line_y -= 1 * mm
    for reminder in REMINDERS:
        pen.line(canvas, f"· {reminder}", body, 9, left, line_y, width, where=where,
                 colour=colors.Color(0.25, 0.25, 0.25))
        line_y -= 5.4 * mm
    pen.line(canvas, f"发卡日期：{format_cn(day)}", body, 9, left, fy + 4 * mm, width, align="right", where=where,
             colour=colors.Color(0.35, 0.35, 0.35))


def migrant_cards_section(cards: Sequence, day: dt.date) -> DrawnPages:
    """``cards``: ``services.migrants.CardLine``, two to a page, one above the other."""
    cards = list(cards)

    def draw(canvas, index: int, width: float, height: float):
        pen = TextPen()
        _cut_marks(canvas, width, height)
        x0, y0 = _origin(width, height)
        for position, card in enumerate(cards[index * CARDS_PER_PAGE:(index + 1) * CARDS_PER_PAGE]):
            col, row = position % COLUMNS, position // COLUMNS
            _draw_card(canvas, pen, card, x0 + col * CARD_W, y0 + (ROWS - 1 - row) * CARD_H, day)
        return pen.warnings

    pages = max(1, -(-len(cards) // CARDS_PER_PAGE))
    return DrawnPages(title=TITLE, count=pages, draw=draw, paper="A4", orientation="portrait", page_numbers=False)


def migrant_cards_report(cards: Sequence, day: dt.date, stem: str = TITLE) -> Report:
    return Report(stem=stem, tables=[migrant_cards_section(cards, day)])
