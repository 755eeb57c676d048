"""党员分类信息卡 (一卡): one card per member, a "label: value" form with a photo box.

The common part is the same for every member; below it a section with the category's own fields and
what its management mode asks for. Cards are printed one under another, two to an A4 page when they fit
(``FormSet``); the xlsx puts them on one sheet with page breaks in the same places. No ID number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from partybuild_desktop.domain.dates import MONTH, format_cn
from partybuild_desktop.domain.vocabulary import MemberCategory, management_mode
from partybuild_desktop.reports.spec import FormCell, FormSet, FormSpec, Form, Report, format_cn_date

TITLE = "党员分类信息卡"
# Columns: label, value, label, value, label, value, photo (spreadsheet units; a Chinese character is 2).
WIDTHS = (9, 14, 9, 13, 9, 15, 15)
ROW_HEIGHT = 24  # points: room to write in by hand
PHOTO_PLACEHOLDER = "一寸照片"
CARD_GAP = 28  # points between the two cards of a page, room to cut them apart

# What each management mode asks of the branch (seed 000 三.3, seed 001 on migrant members).
REQUIREMENTS = {
    MemberCategory.EMPLOYED: "村党组织与工作单位双向管理：参加双方组织生活，在村里亮身份、作表率，工作单位的表现作为评议参考。",
    MemberCategory.FARMER: "岗位管理：设岗定责、承诺践诺，按岗位履职情况评议和积分。",
    MemberCategory.MIGRANT: "动态管理：登记外出原因、流向、联系方式和从事职业，保持经常联系；每年春节座谈一次、年底评议一次，发放联系卡。",
    MemberCategory.ELDERLY: "关爱管理：定期上门走访看望，了解生活困难，不安排繁重任务。",
}


def _label(row: int, col: int, text: str) -> FormCell:
    return FormCell("label", row, col, text)


def _value(row: int, col: int, key: str, span: int = 1) -> FormCell:
    return FormCell("value", row, col, key=key, col_span=span)


def _pairs(row: int, *pairs: tuple[str, str, int]) -> list[FormCell]:
    """A row of label, value boxes: (label, key, columns the value spans)."""
    cells, col = [], 0
    for text, key, span in pairs:
        cells += [_label(row, col, text), _value(row, col + 1, key, span)]
        col += 1 + span
    return cells


_COMMON = (
    *_pairs(0, ("姓名", "name", 1), ("性别", "gender", 1), ("民族", "ethnicity", 1)),
    FormCell("photo", 0, 6, PHOTO_PLACEHOLDER, key="photo", row_span=6),
    *_pairs(1, ("出生年月", "birth", 1), ("学历", "education", 1), ("人员类别", "standing", 1)),
    *_pairs(2, ("入党时间", "joined", 1), ("党员类别", "category", 1), ("管理方式", "mode", 1)),
    *_pairs(3, ("党小组", "party_group", 1), ("所在网格", "grid", 3)),
    *_pairs(4, ("设岗定责", "post", 1), ("工作岗位", "job_post", 3)),
    *_pairs(5, ("手机号码", "mobile", 1), ("固定电话", "landline", 1), ("中心户", "hub", 1)),
    *_pairs(6, ("家庭住址", "address", 6)),
)
# The category's own rows (after the section heading); every row fills the 7 columns.
_CATEGORY_ROWS = {
    MemberCategory.MIGRANT: (
        (("外出时间", "away_since", 1), ("外出原因", "away_reason", 1), ("从事职业", "away_occupation", 2)),
        (("外出流向", "away_place", 3), ("活动证号", "activity_card_no", 2)),
        (("联系方式", "away_contact", 6),),
    ),
    MemberCategory.EMPLOYED: ((("工作单位", "employer", 3), ("单位电话", "employer_contact", 2)),),
    MemberCategory.ELDERLY: ((("关爱需求", "care_needs", 3), ("走访周期", "visit_interval", 2)),),
    MemberCategory.FARMER: (),
}


@lru_cache(maxsize=None)
def card_spec(category: MemberCategory) -> FormSpec:
    """The card of a member category: the common part, then the category's section."""
    category = MemberCategory(category)
    cells = list(_COMMON)
    row = 7
    heading = f"{category.label}管理信息（{management_mode(category).label}）"
    cells.append(FormCell("heading", row, 0, heading, col_span=len(WIDTHS)))
    for pairs in _CATEGORY_ROWS[category]:
        row += 1
        cells += _pairs(row, *pairs)
    row += 1
    cells += _pairs(row, ("管理要求", "requirement", 6))
    return FormSpec(TITLE, WIDTHS, (ROW_HEIGHT,) * (row + 1), tuple(cells))


def _place(*parts: str | None) -> str:
    """省/市/县 joined, a repeated name said once (上海市上海市浦东新区 → 上海市浦东新区)."""
    result: list[str] = []
    for part in parts:
        if part and (not result or result[-1] != part):
            result.append(part)
    return "".join(result)


def card_values(card) -> dict[str, object]:
    """The boxes of one card; ``card`` is a ``services.member_records.MemberCard``."""
    if card.is_hub_household:
        hub = "本人是中心户"
    elif card.hub_name:
        hub = f"属{card.hub_name}中心户"
    else:
        hub = ""
    return {
        "name": card.name,
        "gender": card.gender.label if card.gender else "",
        "ethnicity": card.ethnicity,
        "birth": format_cn(card.birth_date, MONTH),
        "education": card.education.label if card.education else "",
        "standing": card.standing.label,
        "joined": format_cn(card.joined_date),
        "category": card.category.label,
        "mode": card.management_mode.label,
        "party_group": card.party_group,
        "grid": card.grid,
        "post": card.post,
        "job_post": card.job_post,
        "mobile": card.mobile,
        "landline": card.landline,
        "hub": hub,
        "address": card.address,
        "away_since": format_cn(card.away_since, MONTH),
        "away_reason": card.away_reason,
        "away_occupation": card.away_occupation,
        "away_place": _place(card.away_province, card.away_city, card.away_county),
        "activity_card_no": card.activity_card_no,
        "away_contact": card.away_contact,
        "employer": card.employer,
        "employer_contact": card.employer_contact,
        "care_needs": card.care_needs,
        "visit_interval": f"每{card.visit_interval_days}天走访一次" if card.visit_interval_days else "",
        "requirement": REQUIREMENTS[card.category],
        "photo": card.photo,
    }


def card_form(card, unit: str, day: dt.date) -> Form:
    return Form(card_spec(card.category), card_values(card), name=card.name,
                caption_left=f"所在党组织：{unit}", caption_right=f"填卡日期：{format_cn_date(day)}")


def cards_report(cards: Iterable, unit: str, day: dt.date, stem: str = TITLE) -> Report:
    """All the cards in one file. ``cards``: ``MemberCard``s (one card, a filter, or a whole village)."""
    forms = [card_form(card, unit, day) for card in cards]
    if not forms:
        raise ValueError("没有要打印信息卡的党员。")
    return Report(stem=stem, tables=[FormSet(TITLE, forms, gap=CARD_GAP)])
