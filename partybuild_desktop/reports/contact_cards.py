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
from partybuild_desktop.reports.card_sheet import CardSheet, banded_frame
from partybuild_desktop.reports.notice_board import TextPen
from partybuild_desktop.reports.spec import DrawnPages, Report

TITLE = "民情联系卡"
SHEET = CardSheet(columns=2, rows=4, card_w=92 * mm, card_h=64 * mm, cut_mark=5 * mm, cut_gap=1.5 * mm)
CARD_W, CARD_H = SHEET.card_w, SHEET.card_h
INSET = 3 * mm  # from the cut line to the card's own frame
BLANK = "__________"
SLOGAN = "有事请找联系党员，我们随时为您服务"


def _person(name: str, phone: str) -> str:
    return f"{name or BLANK}　电话：{phone or BLANK}"


def _draw_card(canvas, pen: TextPen, card, x: float, y: float) -> None:
    heading, body = fonts.heading_font(), fonts.body_font()
    where = f"{card.head_name}户的民情联系卡"
    fx, fy, fw, fh = x + INSET, y + INSET, CARD_W - 2 * INSET, CARD_H - 2 * INSET
    band = 9 * mm
    banded_frame(canvas, fx, fy, fw, fh, line_width=0.8, radius=2 * mm, band=band)
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
    return SHEET.section(TITLE, cards, _draw_card)


def contact_cards_report(cards: Sequence, day: dt.date | None = None, stem: str = TITLE) -> Report:
    return Report(stem=stem, tables=[contact_cards_section(cards)])

