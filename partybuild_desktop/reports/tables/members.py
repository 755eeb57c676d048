"""党员花名册: every member on the register with the national 党员基本信息 fields, the village's own
classification and the category fields.

Each header is one the members importer recognises, so an exported roster can be imported into another
data file (or back, with 更新) without losing a column. ID numbers stay whole in the xlsx (as text, for
that round trip); the PDF masks them.

Forty columns do not fit one page across at a readable size. Both files print the national
党员基本信息 fields first, then (from 党员类别 on, on pages of their own) the village's own fields, on
A3 landscape at 9.2 pt, with 序号 and 姓名 repeated on every page and the header rows on every page
down. The workbook stays one sheet, so it still imports in one go.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

TITLE = "党员花名册"
NOTE = "注：党员类别为在职党员、农民党员、流动党员、年老体弱党员；流动党员、在职党员和年老体弱党员的情况填在相应各列。"


def _text(header: str, key: str, width: float | None = None) -> Column:
    return Column(header, key, width=width)


def _date(header: str, key: str) -> Column:
    return Column(header, key, width=11, kind="date")


COLUMNS: tuple[Column, ...] = (
    Column("序号", "serial", width=5, kind="number", total=False),
    _text("姓名", "name", 9),
    _text("性别", "gender", 5),
    _text("民族", "ethnicity", 7),
    Column("公民身份号码", "id_number", width=20, kind="id_number"),
    _date("出生日期", "birth_date"),
    _text("籍贯", "native_place", 10),
    _text("学历", "education", 10),
    _text("学位", "degree", 6),
    _text("人员类别", "standing", 9),
    _text("党籍状态", "membership_state", 9),
    _text("所在党支部", "branch", 18),
    _date("加入党组织日期", "joined_date"),
    _date("转为正式党员日期", "confirmed_date"),
    _text("工作岗位", "job_post", 12),
    Column("手机号码", "mobile", width=13, kind="phone"),
    Column("固定电话", "landline", width=13, kind="phone"),
    _text("家庭住址", "address", 24),
    _text("是否失联", "lost_contact", 6),
    _date("失去联系日期", "lost_contact_date"),
    _text("是否流动党员", "is_migrant", 8),
    _text("外出流向省份", "away_province", 8),
    _text("外出流向城市", "away_city", 8),
    _text("外出流向县区", "away_county", 8),
    Column("党员类别", "category", width=10, new_page=True),  # the village's own fields from here on
    _text("党小组", "party_group", 10),
    _text("网格", "grid", 8),
    _text("设岗定责", "post", 10),
    _text("是否中心户", "is_hub_household", 6),
    _text("是否班子成员", "is_committee_member", 6),
    _date("外出时间", "away_since"),
    _text("外出原因", "away_reason", 8),
    Column("外出联系方式", "away_contact", width=12, kind="phone"),
    _text("从事职业", "away_occupation", 10),
    _text("流动党员活动证号", "activity_card_no", 10),
    _text("工作单位", "employer", 12),
    Column("单位联系电话", "employer_contact", width=12, kind="phone"),
    _text("关爱需求", "care_needs", 9),
    Column("走访周期（天）", "visit_interval_days", width=6, kind="number", total=False),
    _text("备注", "notes", 8),
)


REPEATED = 2  # 序号 and 姓名, on every page across
PRINT_SCALE = 88  # 10.5 pt printed at 88 %: 9.2 pt


def members_spec(unit: str, day: dt.date) -> TableSpec:
    return TableSpec(
        title=TITLE,
        columns=COLUMNS,
        paper="A3",
        orientation="landscape",
        unit=unit,
        date=day,
        notes=(NOTE,),
        repeat_columns=REPEATED,
        print_scale=PRINT_SCALE,
    )


def members_report(village_name: str, unit: str, rows: Iterable[Mapping], day: dt.date,
                   for_print: bool = False) -> Report:
    """``rows`` as ``services.member_import.member_register`` gives them. ``for_print`` (the PDF): ID
    numbers masked."""
    rows = [dict(row, id_number=mask(row.get("id_number"))) if for_print else row for row in rows]
    return Report(stem=f"{village_name}{TITLE}", tables=[Table(members_spec(unit, day), rows)])
