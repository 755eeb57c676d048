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
from partybuild_desktop.reports.card_sheet import CardSheet, banded_frame
from partybuild_desktop.reports.notice_board import TextPen
from partybuild_desktop.reports.spec import DrawnPages, Report

TITLE = "流动党员联系卡"
SHEET = CardSheet(columns=1, rows=2, card_w=180 * mm, card_h=128 * mm, cut_mark=6 * mm, cut_gap=2 * mm)
CARD_W, CARD_H = SHEET.card_w, SHEET.card_h
INSET = 4 * mm
REMINDERS = (
    "外出期间请主动与村党组织保持联系，每季度至少联系一次；变更地址、电话或工作单位时请及时告知。",
    "持流动党员活动证的，可在流入地党组织参加组织生活、交纳党费（在流入地没有表决权、选举权）。",
    "外出满6个月、地点相对固定的，应及时转移组织关系；每年春节返乡期间请参加流动党员座谈会。",
)


def _draw_card(canvas, pen: TextPen, card, x: float, y: float, day: dt.date) -> None:
    heading, body = fonts.heading_font(), fonts.body_font()
    where = f"{card.name}的{TITLE}"
    fx, fy, fw, fh = x + INSET, y + INSET, CARD_W - 2 * INSET, CARD_H - 2 * INSET
    band = 14 * mm
    banded_frame(canvas, fx, fy, fw, fh, line_width=1, radius=3 * mm, band=band)
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
    return SHEET.section(TITLE, cards, lambda canvas, pen, card, x, y: _draw_card(canvas, pen, card, x, y, day))


def migrant_cards_report(cards: Sequence, day: dt.date, stem: str = TITLE) -> Report:
    return Report(stem=stem, tables=[migrant_cards_section(cards, day)])
