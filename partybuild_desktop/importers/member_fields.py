"""The columns of a members roster, their parsers, and the checks that span a whole row or file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..domain import id_number
from ..domain.dates import MONTH, format_cn, parse_date
from ..domain.phone import check_phone, split_phones
from ..domain.text import clean_cell, clean_name, is_plausible_name
from ..domain.vocabulary import Education, Gender, MemberCategory, Standing
from .roster import (
    FieldSpec,
    Issue,
    Parsed,
    RosterReading,
    RowResult,
    SheetRows,
    parse_multiline_text,
    read_sheet_rows,
    read_sheets,
    refuse_duplicates,
)

# Row and file-level problem codes (the ID number codes come from domain.id_number).
MISSING_NAME = "missing_name"
NAME_FORMAT = "name_format"
MISSING_ID_NUMBER = "missing_id_number"
ID_NUMBER_UPGRADED = "id_number_upgraded"
DUPLICATE_ID_NUMBER = "duplicate_id_number"
GENDER_UNKNOWN = "gender_unknown"
GENDER_CONFLICTS_WITH_ID = "gender_conflicts_with_id"
BIRTH_DATE_CONFLICTS_WITH_ID = "birth_date_conflicts_with_id"
DATE_GUESSED = "date_guessed"
EDUCATION_UNKNOWN = "education_unknown"
STANDING_UNKNOWN = "standing_unknown"
CATEGORY_UNKNOWN = "category_unknown"
CONFIRMED_BEFORE_JOINED = "confirmed_before_joined"
JOINED_UNDER_18 = "joined_under_18"
PHONE_EXTRA_NUMBERS = "phone_extra_numbers"


def _compact(raw: Any) -> str:
    return clean_cell(raw).replace(" ", "")


def parse_name(raw: Any) -> Parsed:
    name = clean_name(raw)
    if not name:
        return Parsed(None)
    issues = []
    if not is_plausible_name(name):
        issues.append(Issue(NAME_FORMAT, f"姓名「{name}」含有数字或符号，请核对。", refuse=False))
    return Parsed(name, issues)


_GENDERS = {
    "男": Gender.MALE, "男性": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
    "女": Gender.FEMALE, "女性": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE,
}


def parse_gender(raw: Any) -> Parsed:
    text = _compact(raw).lower()
    if text in _GENDERS:
        return Parsed(_GENDERS[text])
    return Parsed(None, [Issue(GENDER_UNKNOWN, f"「{clean_cell(raw)}」不是性别，请填写“男”或“女”。", refuse=False)])


def parse_ethnicity(raw: Any) -> Parsed:
    """``汉`` → ``汉族``: every one of the 56 official names ends in 族."""
    text = _compact(raw)
    if text and not text.endswith("族") and len(text) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in text):
        text += "族"
    return Parsed(text or None)


def parse_id_number(raw: Any) -> Parsed:
    result = id_number.check(raw)
    if not result.ok:
        return Parsed(None, [Issue(result.code, result.message)])
    issues = [Issue(ID_NUMBER_UPGRADED, result.note, refuse=False)] if result.note else []
    return Parsed(result.number, issues)


def _date_parser(refuse: bool):
    def parse(raw: Any) -> Parsed:
        result = parse_date(raw)
        if not result.ok:
            return Parsed(None, [Issue(result.code, result.message, refuse=refuse)])
        issues = [Issue(DATE_GUESSED, result.note, refuse=False)] if result.note else []
        return Parsed(result.value, issues, result.precision)

    parse.__doc__ = "A date cell; a problem " + ("refuses the row." if refuse else "is a warning.")
    return parse


# Birth date problems only warn: the ID number usually supplies it.
parse_birth_date = _date_parser(refuse=False)
parse_event_date = _date_parser(refuse=True)


_EDUCATION_WORDS = (
    (Education.POSTGRADUATE, ("研究生", "博士", "硕士", "博士研究生", "硕士研究生")),
    (Education.BACHELOR, ("大学本科", "本科", "大学", "学士")),
    (Education.COLLEGE, ("大专", "大学专科", "专科", "高职")),
    (Education.SECONDARY, ("中专/高中", "中专", "高中", "职高", "中技", "技校", "中专或高中", "高中/中专", "中职")),
    (Education.JUNIOR_OR_BELOW, ("初中及以下", "初中", "小学", "文盲", "半文盲", "小学及以下", "无", "识字")),
)
_EDUCATIONS = {word: level for level, words in _EDUCATION_WORDS for word in words}


def parse_education(raw: Any) -> Parsed:
    text = _compact(raw)
    for suffix in ("毕业", "文化", "学历", "在读", "肄业"):
        if text.endswith(suffix) and text[: -len(suffix)] in _EDUCATIONS:
            text = text[: -len(suffix)]
    if text in _EDUCATIONS:
        return Parsed(_EDUCATIONS[text])
    labels = "、".join(level.label for level in Education)
    return Parsed(None, [Issue(EDUCATION_UNKNOWN, f"不认识学历「{clean_cell(raw)}」，请填写 {labels} 之一。", refuse=False)])


_STANDINGS = {"正式": Standing.FULL, "正式党员": Standing.FULL, "预备": Standing.PROBATIONARY, "预备党员": Standing.PROBATIONARY}


def parse_standing(raw: Any) -> Parsed:
    text = _compact(raw)
    if text in _STANDINGS:
        return Parsed(_STANDINGS[text])
    return Parsed(None, [Issue(STANDING_UNKNOWN, f"不认识人员类别「{clean_cell(raw)}」，请填写“正式党员”或“预备党员”。", refuse=False)])


_CATEGORIES = {
    "无职党员": MemberCategory.FARMER, "无职": MemberCategory.FARMER,
    "农民": MemberCategory.FARMER, "农民党员": MemberCategory.FARMER,
    "在职": MemberCategory.EMPLOYED, "在职党员": MemberCategory.EMPLOYED,
    "流动": MemberCategory.MIGRANT, "流动党员": MemberCategory.MIGRANT,
    "年老体弱": MemberCategory.ELDERLY, "年老体弱党员": MemberCategory.ELDERLY,
}


def parse_category(raw: Any) -> Parsed:
    text = _compact(raw)
    if text in _CATEGORIES:
        return Parsed(_CATEGORIES[text])
    labels = "、".join(category.label for category in MemberCategory)
    return Parsed(None, [Issue(CATEGORY_UNKNOWN, f"不认识党员类别「{clean_cell(raw)}」，请填写 {labels} 之一。", refuse=False)])


def parse_phone(raw: Any) -> Parsed:
    """The first number of the cell; further numbers are pointed out, not dropped silently."""
    pieces = split_phones(raw) or [clean_cell(raw)]
    first = check_phone(pieces[0])
    if not first.ok:
        return Parsed(None, [Issue(first.code, first.message, refuse=False)])
    issues = []
    if len(pieces) > 1:
        rest = "、".join(pieces[1:])
        issues.append(
            Issue(PHONE_EXTRA_NUMBERS, f"一格里有多个号码，只导入了 {first.number}；{rest} 没有导入，如需保留请写进备注。", refuse=False)
        )
    return Parsed(first.number, issues)


MEMBER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "姓名", ("党员姓名", "名字"), required=True, parser=parse_name),
    FieldSpec("gender", "性别", (), parser=parse_gender),
    FieldSpec("ethnicity", "民族", (), parser=parse_ethnicity),
    FieldSpec(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证", "公民身份证号", "公民身份证号码", "身份证件号码"),
        parser=parse_id_number,
    ),
    FieldSpec("birth_date", "出生日期", ("出生年月", "出生年月日", "生日"), parser=parse_birth_date),
    FieldSpec("education", "学历", ("文化程度", "全日制学历"), parser=parse_education),
    FieldSpec("standing", "人员类别", ("正式或预备", "党员身份"), parser=parse_standing),
    FieldSpec("category", "党员类别", ("类别", "分类", "党员分类"), parser=parse_category),
    FieldSpec("joined_on", "入党时间", ("加入党组织日期", "入党日期", "入党年月"), parser=parse_event_date),
    FieldSpec("confirmed_on", "转正时间", ("转为正式党员日期", "转正日期"), parser=parse_event_date),
    FieldSpec("post", "工作岗位", ("职务", "岗位", "现任职务")),
    FieldSpec("phone", "联系电话", ("手机", "手机号码", "手机号", "电话", "联系方式"), parser=parse_phone),
    FieldSpec("address", "家庭住址", ("住址", "现住址", "家庭地址")),
    FieldSpec("party_group", "党小组", ("所在党小组",)),
    FieldSpec("grid", "网格", ("所在网格",)),
    FieldSpec("native_place", "籍贯", ()),
    FieldSpec("notes", "备注", (), parser=parse_multiline_text),
)

def _same_date(typed: dt.date, precision: str | None, from_id: dt.date) -> bool:
    if precision == MONTH:
        return (typed.year, typed.month) == (from_id.year, from_id.month)
    return typed == from_id


def check_member_row(row: RowResult, present: Iterable[str] | None = None) -> None:
    """Checks across columns of one member row; fills gender and birth date from the ID number.

    ``present`` holds the keys of the columns the sheet has (a missing ID number is only
    pointed out when the sheet has an ID number column).
    """
    values = row.values
    number = values.get("id_number")
    id_column_refused = any(p.column_label == row.label("id_number") for p in row.refusals)
    if number is None and not id_column_refused and (present is None or "id_number" in present):
        row.warn(MISSING_ID_NUMBER, "没有填写身份证号，无法核对出生日期和性别，也无法查重。请尽快补上。", row.label("id_number"))

    if number is not None:
        gender_from_id = Gender.MALE if id_number.is_male(number) else Gender.FEMALE
        if values.get("gender") is None:
            values["gender"] = gender_from_id
        elif values["gender"] != gender_from_id:
            row.warn(
                GENDER_CONFLICTS_WITH_ID,
                f"表中填的是“{values['gender'].label}”，身份证号显示为“{gender_from_id.label}”。"
                "已按表中填写导入，请核对后改正其中一处。",
                row.label("gender"),
            )
        born = id_number.birth_date(number)
        if values.get("birth_date") is None:
            values["birth_date"] = born
            row.precision["birth_date"] = "day"
        else:
            precision = row.precision.get("birth_date")
            if not _same_date(values["birth_date"], precision, born):
                row.warn(
                    BIRTH_DATE_CONFLICTS_WITH_ID,
                    f"表中填的是 {format_cn(values['birth_date'], precision or 'day')}，"
                    f"身份证号显示为 {format_cn(born)}。已按表中填写导入，请核对后改正其中一处。",
                    row.label("birth_date"),
                )

    joined, confirmed = values.get("joined_on"), values.get("confirmed_on")
    if values.get("standing") is None and confirmed is not None:
        values["standing"] = Standing.FULL
    if joined and confirmed and confirmed < joined:
        row.warn(
            CONFIRMED_BEFORE_JOINED,
            f"转正时间 {format_cn(confirmed, row.precision.get('confirmed_on', 'day'))} 早于入党时间 "
            f"{format_cn(joined, row.precision.get('joined_on', 'day'))}，请核对。",
            row.label("confirmed_on"),
        )
    born = values.get("birth_date")
    if joined and born:
        # Month-precision dates compare by month only.
        eighteen = (born.year + 18, born.month)
        if (joined.year, joined.month) < eighteen:
            row.warn(
                JOINED_UNDER_18,
                f"入党时间 {format_cn(joined, row.precision.get('joined_on', 'day'))} 时还不满 18 周岁，请核对入党时间和出生日期。",
                row.label("joined_on"),
            )


def check_member_rows(reading: RosterReading) -> RosterReading:
    present_by_sheet = {sheet.name: set(sheet.columns.values()) for sheet in reading.sheets}
    for row in reading.rows:
        check_member_row(row, present_by_sheet.get(row.sheet))
    refuse_duplicates(reading.rows, "id_number", DUPLICATE_ID_NUMBER)
    return reading


def read_member_sheets(sheets: Sequence[SheetRows], path: str | Path = "") -> RosterReading:
    return check_member_rows(read_sheets(sheets, MEMBER_FIELDS, path))


def read_member_roster(path: str | Path) -> RosterReading:
    """Read a members roster. Raises ``RosterUnreadable`` when the file cannot be opened."""
    return read_member_sheets(read_sheet_rows(path), path)
