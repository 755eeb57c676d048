"""The columns of a household list (农户花名册), their parsers, and the checks across a row or the file.

Care flags (必访对象) come either as one column per flag (是/否/√/1/有 …) or as one column that lists
several (类型: "困难家庭、留守儿童"), or both. Matching the liaison member and the grid against the
register is the service's job (``services.household_import``): this module only reads.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Sequence

from ..domain.text import clean_cell
from ..domain.vocabulary import CareFlag
from .member_fields import parse_name, parse_phone
from .roster import (
    FieldSpec,
    Issue,
    Parsed,
    RosterReading,
    RowResult,
    SheetRows,
    parse_flag,
    parse_multiline_text,
    read_sheet_rows,
    read_sheets,
    refuse_duplicates,
)

# Row and file-level problem codes (phone_format, flag_unknown, name_format: as for members).
MISSING_HOUSEHOLD_HEAD = "missing_household_head"
DUPLICATE_HOUSEHOLD = "duplicate_household"
SIZE_INVALID = "size_invalid"
CARE_TYPE_UNKNOWN = "care_type_unknown"
CARE_FLAG_CONFLICT = "care_flag_conflict"

MAX_SIZE = 30  # the household editor's limit (services.households.MAX_SIZE)


def parse_size(raw: Any) -> Parsed:
    """家庭人口: ``4``, ``4.0``, ``4人``, ``４``, ``四口``. Anything else is a warning and left empty."""
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, (int, float)):
        value = int(raw) if float(raw).is_integer() else None
    else:
        text = unicodedata.normalize("NFKC", clean_cell(raw)).replace(" ", "").removesuffix("口").removesuffix("人")
        value = _chinese_number(text)
    if value is None:
        return Parsed(None, [Issue(SIZE_INVALID, f"「{clean_cell(raw)}」不是人数，请填写整数（如 4），本项暂时留空。",
                                   refuse=False)])
    if not 1 <= value <= MAX_SIZE:
        return Parsed(None, [Issue(SIZE_INVALID, f"家庭人口 {value} 人不合常理（应为 1 到 {MAX_SIZE}），本项暂时留空，请核对。",
                                   refuse=False)])
    return Parsed(value)


# Words a 类型 cell may use for each care flag; longer words are tried first.
_CARE_WORDS: dict[str, CareFlag] = {
    **dict.fromkeys(("困难家庭", "困难户", "困难群众", "低保户", "低保", "五保户", "五保", "特困户", "特困",
                     "贫困户", "贫困", "困难"), CareFlag.HARDSHIP),
    **dict.fromkeys(("孤寡空巢老人", "孤寡老人", "空巢老人", "独居老人", "留守老人", "孤寡", "空巢", "独居"),
                    CareFlag.ELDERLY_ALONE),
    **dict.fromkeys(("留守儿童", "留守"), CareFlag.LEFT_BEHIND_CHILDREN),
    **dict.fromkeys(("失业群众", "失业人员", "失业"), CareFlag.UNEMPLOYED),
    **dict.fromkeys(("特殊人群", "特殊群体", "特殊"), CareFlag.SPECIAL),
}
_CARE_ORDER = sorted(_CARE_WORDS, key=len, reverse=True)
# A 类型 cell that says the household is none of them.
_NO_CARE = {"无", "否", "没有", "一般户", "一般", "普通户", "普通", "正常户", "正常", "/", "-", "—", "0"}
_SEPARATORS = re.compile(r"[、，,；;/／|+＋\s]+")
# What may be left over between recognised words ("困难家庭和留守儿童", "低保户（2人）").
_FILLER = re.compile(r"[和及与、（）()\d人户个名]+")


def parse_care_types(raw: Any) -> Parsed:
    """The care flags a 类型 cell lists: a frozenset; words it does not know are pointed out."""
    text = unicodedata.normalize("NFKC", clean_cell(raw))
    found: set[CareFlag] = set()
    unknown: list[str] = []
    for piece in _SEPARATORS.split(text):
        if not piece or piece in _NO_CARE:
            continue
        rest = piece
        for word in _CARE_ORDER:
            if word in rest:
                found.add(_CARE_WORDS[word])
                rest = rest.replace(word, " ")
        leftover = _FILLER.sub("", rest.replace(" ", ""))
        if leftover:
            unknown.append(piece)
    issues = []
    if unknown:
        labels = "、".join(flag.label for flag in CareFlag)
        issues.append(Issue(CARE_TYPE_UNKNOWN, f"不认识「{'、'.join(unknown)}」，没有导入这一部分。必访对象请写 {labels}，"
                            "几项之间用顿号隔开。", refuse=False))
    return Parsed(frozenset(found), issues)


HOUSEHOLD_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("household_head", "户主姓名", ("户主", "户主名", "户主名字", "户主姓名(签字)"), required=True,
              parser=parse_name),
    FieldSpec("villager_group", "村民小组", ("组别", "所在组", "小组", "村民组", "所在村民小组", "组", "组名")),
    FieldSpec("address", "家庭住址", ("住址", "地址", "家庭地址", "现住址", "居住地址", "门牌号", "门牌号码")),
    FieldSpec("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式", "户主电话", "户主联系电话"),
              parser=parse_phone),
    FieldSpec("size", "家庭人口", ("人口", "人数", "家庭人数", "人口数", "家庭人口数", "户人口数", "在册人口"),
              parser=parse_size),
    FieldSpec("grid", "网格", ("所属网格", "所在网格", "网格名称")),
    FieldSpec("liaison", "联系党员", ("联户党员", "包户党员", "包联党员", "联系党员姓名", "结对党员", "帮扶党员")),
    FieldSpec(CareFlag.HARDSHIP.value, "困难家庭", ("困难户", "是否困难家庭", "是否困难户", "低保户"), parser=parse_flag),
    FieldSpec(CareFlag.ELDERLY_ALONE.value, "孤寡空巢老人", ("空巢老人", "孤寡老人", "是否孤寡空巢老人", "是否空巢老人",
                                                            "独居老人"), parser=parse_flag),
    FieldSpec(CareFlag.LEFT_BEHIND_CHILDREN.value, "留守儿童", ("是否留守儿童", "有无留守儿童"), parser=parse_flag),
    FieldSpec(CareFlag.UNEMPLOYED.value, "失业群众", ("失业", "失业人员", "是否失业", "失业人口"), parser=parse_flag),
    FieldSpec(CareFlag.SPECIAL.value, "特殊人群", ("特殊群体", "是否特殊人群"), parser=parse_flag),
    FieldSpec("care_types", "类型", ("人员类别", "重点人群", "户类型", "家庭类型", "必访对象", "必访类型", "重点人群类别",
                                     "关爱对象", "帮扶对象类型"), parser=parse_care_types),
    FieldSpec("notes", "备注", (), parser=parse_multiline_text),
)
FLAG_KEYS = tuple(flag.value for flag in CareFlag)


def care_flags(row: RowResult) -> dict[CareFlag, bool]:
    """The care flags the row states; a flag it says nothing about is absent.

    A flag is set when its column says 是 or the 类型 cell names it, and cleared when its column says 否
    or a filled 类型 cell leaves it out. When its column says 否 but 类型 names it, it is set and the row
    is warned (``care_flag_conflict``).
    """
    values = row.values
    listed = values.get("care_types")
    stated: dict[CareFlag, bool] = {}
    for flag in CareFlag:
        column = values.get(flag.value)
        in_list = listed is not None and flag in listed
        if column is False and in_list:
            row.warn(CARE_FLAG_CONFLICT, f"「{row.label(flag.value)}」填的是“否”，「{row.label('care_types')}」"
                     f"却写有“{flag.label}”。已按有“{flag.label}”导入，请核对。", row.label(flag.value))
        if column is True or in_list:
            stated[flag] = True
        elif column is False or listed is not None:
            stated[flag] = False
    return stated


def household_identity(values: dict) -> tuple[str, str, str] | None:
    """What makes two rows, or a row and a registered household, the same household.

    A household has no ID number, so it is the head's name, the villager group and the address, each
    normalised (``identity_text``): "3组"/"三组"/"第三村民小组" are one group, and full-width or spaced
    text matches its plain form. A blank group or address counts as blank, so only rows blank in the same
    places can match. None when the head's name is missing.
    """
    name = values.get("household_head") or values.get("head_name")
    if not name:
        return None
    return identity_text(name), group_key(values.get("villager_group")), identity_text(values.get("address"))


def identity_text(text: Any) -> str:
    """Text as compared: full-width folded, no spaces, one kind of dash, case ignored."""
    text = unicodedata.normalize("NFKC", clean_cell(text))
    text = re.sub(r"[\s\u3000]+", "", text)
    return re.sub(r"[－—–‐]", "-", text).lower()


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(text: str) -> int | None:
    """Digits, or 一 … 九十九, as a number; None for anything else."""
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def group_key(text: Any) -> str:
    """A villager group as compared: "3组", "三组", "第三组", "第3村民小组", "三 组" are all "3"."""
    key = identity_text(text)
    bare = key.removeprefix("第")
    for suffix in ("村民小组", "村民组", "小组", "组"):
        if bare.endswith(suffix):
            bare = bare[: -len(suffix)]
            break
    number = _chinese_number(bare)
    return str(number) if number is not None else key


def describe_household(values: dict) -> str:
    """「张三」户（3组，东湖村3组12号）, for messages."""
    name = values.get("household_head") or values.get("head_name") or ""
    place = "，".join(clean_cell(values.get(k)) for k in ("villager_group", "address") if values.get(k))
    return f"「{name}」户" + (f"（{place}）" if place else "")


def _template_line(row: RowResult) -> bool:
    """A template line with only a pre-filled 村民小组 or 否 in the flag columns: not a household."""
    def says_nothing(key: str, value: Any) -> bool:
        return (value is None or key == "villager_group" or (key in FLAG_KEYS and value is False)
                or (key == "care_types" and not value))

    return all(says_nothing(key, value) for key, value in row.values.items()) and not row.warnings


def check_household_rows(reading: RosterReading) -> RosterReading:
    """Drop template lines and refuse a household that appears twice in the file."""
    reading.rows = [row for row in reading.rows if not _template_line(row)]
    refuse_duplicates(
        reading.rows, "household_head", DUPLICATE_HOUSEHOLD,
        value_of=lambda row: household_identity(row.values),
        message=lambda row, earlier: f"{describe_household(row.values)}与{earlier.where()}是同一户"
        "（户主姓名、村民小组、住址都相同），本行没有导入。请核对是否重复登记；如果是两户，请在住址中写明门牌号以便区分。",
    )
    return reading


def read_household_sheets(sheets: Sequence[SheetRows], path: str | Path = "") -> RosterReading:
    return check_household_rows(read_sheets(sheets, HOUSEHOLD_FIELDS, path))


def read_household_roster(path: str | Path) -> RosterReading:
    """Read a household list. Raises ``RosterUnreadable`` when the file cannot be opened."""
    return read_household_sheets(read_sheet_rows(path), path)
