"""中国共产党党员组织关系介绍信: the outgoing letter in its three parts on one A4 sheet, as the 中组部 form
(组通字〔2006〕45号) has them: 第一联 存根 (kept by the branch, the 回执 pasted on it when it comes back),
第二联 the letter itself (carried by the member to the receiving organisation), 第三联 回执 (filled in and
sent back by the receiving organisation). Dashed cut lines between the parts carry the letter's number
for the 骑缝章. The month the dues are paid to and the days of validity are in 大写 numbers.

The letter is an official document handed to a party organisation, not a public printout: the form asks
for the member's ID number in full. Data: ``domain.transfers.Letter``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.transfers import Letter, upper_month, upper_number
from partybuild_desktop.reports import fonts
from partybuild_desktop.reports.notice_board import TextPen
from partybuild_desktop.reports.spec import DrawnPages, Report

TITLE = "党员组织关系介绍信"
FORM_TITLE = "中国共产党党员组织关系介绍信"
RECEIPT_TITLE = "中国共产党党员组织关系介绍信回执"
MARGIN = 18 * mm
BLANK = "________"
LONG_BLANK = "____________________"
GREY = colors.Color(0.45, 0.45, 0.45)
# The page's three parts, top to bottom, as shares of the height between the margins.
PARTS = (0.27, 0.46, 0.27)


def _or_blank(text: str | None, blank: str = BLANK) -> str:
    return text if text else blank


def _cut_line(canvas, pen: TextPen, y: float, width: float, number: str, where: str) -> None:
    """A dashed cut line across the sheet, the letter's number in its middle for the 骑缝章."""
    canvas.saveState()
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    label = f"（骑缝）第 {number} 号" if number else "（骑缝）"
    gap = 52 * mm
    middle = width / 2
    canvas.line(MARGIN / 2, y, middle - gap / 2, y)
    canvas.line(middle + gap / 2, y, width - MARGIN / 2, y)
    canvas.restoreState()
    pen.line(canvas, label, fonts.body_font(), 9, middle - gap / 2, y - 3, gap, align="center", where=where,
             colour=GREY)


def _number(canvas, pen: TextPen, letter: Letter, top: float, right: float, where: str) -> None:
    pen.line(canvas, f"第 {_or_blank(letter.number)} 号", fonts.body_font(), 11, right - 60 * mm, top, 60 * mm,
             align="right", where=where)


def _stub(canvas, pen: TextPen, letter: Letter, top: float, bottom: float, width: float) -> None:
    where = "介绍信存根"
    body, heading = fonts.body_font(), fonts.heading_font()
    inner = width - 2 * MARGIN
    pen.line(canvas, FORM_TITLE, heading, 15, MARGIN, top - 8 * mm, inner, align="center", where=where)
    pen.line(canvas, "（存　根）", body, 11, MARGIN, top - 14 * mm, inner, align="center", where=where)
    _number(canvas, pen, letter, top - 20 * mm, width - MARGIN, where)
    text = (f"　　{letter.member_name}同志系中共{letter.standing}党员，组织关系由{letter.from_organisation}"
            f"转到{letter.to_organisation}。")
    pen.paragraph(canvas, text, body, 12, MARGIN, top - 24 * mm, inner, max_lines=4, where=where, leading=1.6)
    pen.line(canvas, format_cn(letter.issued_on), body, 12, width - MARGIN - 60 * mm, bottom + 12 * mm, 60 * mm,
             align="right", where=where)
    pen.line(canvas, "第一联（存根，收到回执后贴于此处）", body, 9, MARGIN, bottom + 4 * mm, inner, where=where,
             colour=GREY)


def _letter(canvas, pen: TextPen, letter: Letter, top: float, bottom: float, width: float) -> None:
    where = "介绍信正文"
    body, heading = fonts.body_font(), fonts.heading_font()
    inner = width - 2 * MARGIN
    pen.line(canvas, FORM_TITLE, heading, 18, MARGIN, top - 11 * mm, inner, align="center", where=where)
    _number(canvas, pen, letter, top - 18 * mm, width - MARGIN, where)
    pen.line(canvas, f"{letter.to_organisation}：", body, 12, MARGIN, top - 26 * mm, inner, where=where)
    gender = letter.gender or "男/女"
    age = f"{letter.age}岁" if letter.age is not None else f"{BLANK}岁"
    ethnicity = letter.ethnicity or f"{BLANK}族"
    dues = upper_month(letter.dues_paid_to) if letter.dues_paid_to else f"{BLANK}年{BLANK}月"
    text = (f"　　{letter.member_name}同志（{gender}），{age}，{ethnicity}，系中共{letter.standing}党员，"
            f"身份证号码{_or_blank(letter.id_number, LONG_BLANK)}，由{letter.from_organisation}去"
            f"{letter.to_organisation}，请转接组织关系。")
    y = pen.paragraph(canvas, text, body, 12, MARGIN, top - 31 * mm, inner, max_lines=6, where=where, leading=1.7)
    y = pen.paragraph(canvas, f"　　该同志党费已交到{dues}。", body, 12, MARGIN, y - 1 * mm, inner, max_lines=2,
                      where=where, leading=1.7)
    pen.line(canvas, f"（有效期{upper_number(letter.valid_days)}天）", body, 12, MARGIN, y - 7 * mm, inner,
             where=where)
    right = width - MARGIN - 60 * mm
    pen.line(canvas, "（盖章）", body, 12, right, y - 7 * mm, 60 * mm, align="center", where=where)
    pen.line(canvas, format_cn(letter.issued_on), body, 12, right, y - 15 * mm, 60 * mm, align="center", where=where)
    lines = (
        f"党员联系电话或其他联系方式：{_or_blank(letter.member_phone, LONG_BLANK)}",
        f"党员原所在基层党委通讯地址：{_or_blank(letter.branch_address, LONG_BLANK)}",
        f"联系电话：{_or_blank(letter.branch_phone, LONG_BLANK)}　　传真：{BLANK}　　邮编：{BLANK}",
    )
    line_y = bottom + 24 * mm
    for line in lines:
        pen.line(canvas, line, body, 10.5, MARGIN, line_y, inner, where=where)
        line_y -= 6 * mm
    pen.line(canvas, "第二联（介绍信，由党员本人携带，在有效期内到接收党组织办理接转）", body, 9, MARGIN, bottom + 5 * mm,
             inner, where=where, colour=GREY)


def _receipt(canvas, pen: TextPen, letter: Letter, top: float, bottom: float, width: float) -> None:
    where = "介绍信回执"
    body, heading = fonts.body_font(), fonts.heading_font()
    inner = width - 2 * MARGIN
    pen.line(canvas, RECEIPT_TITLE, heading, 15, MARGIN, top - 9 * mm, inner, align="center", where=where)
    _number(canvas, pen, letter, top - 16 * mm, width - MARGIN, where)
    pen.line(canvas, f"{letter.from_organisation}：", body, 12, MARGIN, top - 23 * mm, inner, where=where)
    pen.paragraph(canvas, f"　　{letter.member_name}同志的党员组织关系已转达我处，特此回复。", body, 12, MARGIN,
                  top - 28 * mm, inner, max_lines=2, where=where, leading=1.6)
    right = width - MARGIN - 60 * mm
    pen.line(canvas, "（盖章）", body, 12, right, bottom + 22 * mm, 60 * mm, align="center", where=where)
    pen.line(canvas, "　　年　　月　　日", body, 12, right, bottom + 15 * mm, 60 * mm, align="center", where=where)
    pen.line(canvas, f"经办人：{BLANK}　　联系电话：{LONG_BLANK}", body, 10.5, MARGIN, bottom + 15 * mm, inner - 62 * mm,
             where=where)
    pen.line(canvas, "第三联（回执，由接收党员组织关系的基层党委在接收后一个月内寄回或传真至党员原所在基层党委）", body, 8.5,
             MARGIN, bottom + 4 * mm, inner, where=where, colour=GREY)


def letters_section(letters: Sequence[Letter]) -> DrawnPages:
    """One A4 page per letter: 存根, 正文, 回执 top to bottom, with cut lines between them."""
    letters = list(letters)

    def draw(canvas, index: int, width: float, height: float):
        pen = TextPen()
        letter = letters[index]
        usable = height - 2 * MARGIN
        tops = [height - MARGIN]
        for share in PARTS:
            tops.append(tops[-1] - usable * share)
        _stub(canvas, pen, letter, tops[0], tops[1], width)
        _cut_line(canvas, pen, tops[1], width, letter.number, "介绍信骑缝")
        _letter(canvas, pen, letter, tops[1], tops[2], width)
        _cut_line(canvas, pen, tops[2], width, letter.number, "介绍信骑缝")
        _receipt(canvas, pen, letter, tops[2], tops[3], width)
        return pen.warnings

    return DrawnPages(title=TITLE, count=max(1, len(letters)), draw=draw, paper="A4", orientation="portrait",
                      page_numbers=False)


def letter_report(letters: Sequence[Letter], day: dt.date | None = None, stem: str = TITLE) -> Report:
    return Report(stem=stem, tables=[letters_section(letters)])
