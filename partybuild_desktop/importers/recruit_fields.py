"""The columns of a 发展党员工作台账 as clerks keep it in Excel or WPS, and how their cells read.

A 台账 has one row per person: 姓名, 性别, 身份证号, 出生日期, then the date of each step the clerk keeps
(申请入党, 谈话, 确定为入党积极分子, 确定为发展对象, 政审, 预审, 支部大会, 上级党委审批, 转正支部大会, 转正审批),
the people (培养联系人, 入党介绍人: two names in one cell, ``张三、李四``), the training (学时, or its 起止
dates) and the 公示 (``2026.03.02-2026.03.08`` in one cell, or two columns), and 备注. Dates are written every
way clerks write them (``2026.3.2``, ``2026年3月2日``, ``20260302``, date cells, Excel serials).

Every date problem refuses the row with exactly ``date_unparseable`` or ``date_in_future`` (the codes of
``domain.dates``); a bad ID number refuses it with the members import's codes. Matching against the data
file and the rules of 发展党员 are the service's job (``services.recruit_import``); this module only reads.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..domain.dates import DATE_UNPARSEABLE, DAY, format_cn, parse_date
from ..domain.text import clean_cell, clean_name
from .member_fields import (
    DUPLICATE_ID_NUMBER,
    MISSING_NAME,
    parse_gender,
    parse_id_number,
    parse_name,
)
from .roster import (
    FieldSpec,
    Issue,
    Parsed,
    RosterReading,
    SheetRows,
    parse_multiline_text,
    read_sheet_rows,
    read_sheets,
    refuse_duplicates,
)

__all__ = ["DUPLICATE_ID_NUMBER", "MISSING_NAME", "RECRUIT_FIELDS", "DATE_KEYS", "Period", "parse_period",
           "parse_people", "parse_training", "read_recruit_ledger", "read_recruit_sheets"]


@dataclass(frozen=True)
class Period:
    """A span of days written in one cell (公示起止, 培训起止), both ends counted."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _date_issue(result) -> Issue:
    return Issue(result.code, result.message)


def parse_step_date(raw: Any) -> Parsed:
    """A step's date: a refusal (``date_unparseable`` / ``date_in_future``) when it cannot be taken."""
    result = parse_date(raw)
    if not result.ok:
        return Parsed(None, [_date_issue(result)])
    return Parsed(result.value, [], result.precision)


# Between the two ends of a span: 至, 到, ~, a dash of any width (a hyphen only where it cannot be a
# separator inside a date, that is after a full date).
_FULL_DATE = re.compile(r"^\s*(\d{4})\s*[./\-年]\s*(\d{1,2})\s*[./\-月]\s*(\d{1,2})\s*[日号]?")
_SPAN_SEPARATOR = re.compile(r"^\s*(?:至|到|~|～|—+|–|－|-|―)\s*")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[./\-月]\s*(\d{1,2})\s*[日号]?$")
_DAY_ONLY = re.compile(r"^(\d{1,2})\s*[日号]$")


def parse_period(raw: Any) -> Parsed:
    """``2026.03.02-2026.03.08``, ``2026年3月2日至3月8日``, ``2026.3.2—3.8``, ``2026-03-02~2026-03-08``; the
    end may leave out the year (and month). A date cell alone is a one-day span."""
    single = parse_date(raw) if not isinstance(raw, str) else None
    if single is not None:
        if not single.ok:
            return Parsed(None, [_date_issue(single)])
        return Parsed(Period(single.value, single.value))
    text = unicodedata.normalize("NFKC", clean_cell(raw))
    shown = clean_cell(raw)
    wrong = Parsed(None, [Issue(DATE_UNPARSEABLE, f"「{shown}」不是能识别的起止日期。请写成 2026.03.02-2026.03.08 "
                                                  "或 2026年3月2日至3月8日 这样，或分成开始、结束两列。")])
    first = _FULL_DATE.match(text)
    if not first:
        return wrong
    rest = text[first.end():]
    separator = _SPAN_SEPARATOR.match(rest)
    if not separator:
        return wrong
    rest = rest[separator.end():].strip()
    year, month = int(first.group(1)), int(first.group(2))
    start = parse_date(f"{first.group(1)}-{first.group(2)}-{first.group(3)}")
    if not start.ok:
        return Parsed(None, [_date_issue(start)])
    if (m := _MONTH_DAY.match(rest)):
        end = parse_date(f"{year}-{m.group(1)}-{m.group(2)}")
    elif (m := _DAY_ONLY.match(rest)):
        end = parse_date(f"{year}-{month}-{m.group(1)}")
    else:
        end = parse_date(rest)
    if not end.ok or end.value is None or end.precision != DAY:
        return Parsed(None, [_date_issue(end)]) if not end.ok else wrong
    if end.value < start.value:
        return Parsed(None, [Issue("dates_out_of_order", f"「{shown}」的结束日期（{format_cn(end.value)}）早于开始日期"
                                                          f"（{format_cn(start.value)}），请核对。")])
    return Parsed(Period(start.value, end.value))


_PEOPLE_SEPARATORS = re.compile(r"[、，,；;/／\s]+|和|及")


def parse_people(raw: Any) -> Parsed:
    """Names in one cell: ``张三、李四``, ``张三，李四``, ``张三 李四``, ``张三和李四``."""
    text = unicodedata.normalize("NFKC", clean_cell(raw))
    names = [clean_name(part) for part in _PEOPLE_SEPARATORS.split(text)]
    return Parsed(tuple(name for name in names if name) or None)


@dataclass(frozen=True)
class Training:
    hours: float | None = None
    days: float | None = None


_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)\s*(学时|课时|小时|个学时|h|天|日)?$", re.IGNORECASE)


def parse_training(raw: Any) -> Parsed:
    """集中培训: ``24``, ``24学时``, ``3天``."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Parsed(Training(hours=float(raw))) if raw >= 0 else _not_training(raw)
    text = unicodedata.normalize("NFKC", clean_cell(raw)).replace(" ", "")
    found = _NUMBER.match(text)
    if not found:
        return _not_training(raw)
    value = float(found.group(1))
    if found.group(2) in ("天", "日"):
        return Parsed(Training(days=value))
    return Parsed(Training(hours=value))


def _not_training(raw: Any) -> Parsed:
    return Parsed(None, [Issue("training_unparseable", f"「{clean_cell(raw)}」不是培训学时，请填写数字（如 24 或 24学时、3天）。",
                               refuse=False)])


# The dates of the steps, in the order of the steps (the service checks this order).
DATE_KEYS = ("applied", "talk", "activist_named", "candidate_named", "political_review", "committee_review",
             "pre_review", "assembly", "approval", "confirm_assembly", "confirm_approval")

RECRUIT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "姓名", ("申请人姓名", "入党申请人姓名", "发展对象姓名", "名字"), required=True, parser=parse_name),
    FieldSpec("gender", "性别", (), parser=parse_gender),
    FieldSpec("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证", "公民身份证号", "公民身份证号码",
                                    "身份证件号码"), parser=parse_id_number),
    FieldSpec("birth_date", "出生日期", ("出生年月", "出生年月日", "生日"), parser=parse_step_date),
    FieldSpec("applied", "申请入党时间", ("入党申请时间", "递交入党申请书时间", "递交入党申请书日期", "递交申请书时间",
                                      "申请入党日期", "入党申请日期", "申请时间", "提交入党申请书时间", "递交入党申请时间",
                                      "递交申请时间", "申请入党"), parser=parse_step_date),
    FieldSpec("talk", "谈话时间", ("谈话日期", "党组织派人谈话时间", "派人谈话时间", "谈话", "首次谈话时间"),
              parser=parse_step_date),
    FieldSpec("activist_named", "确定为入党积极分子时间", (
        "列为积极分子时间", "列为入党积极分子时间", "确定积极分子时间", "确定为积极分子时间", "确定入党积极分子时间",
        "积极分子确定时间", "确定为入党积极分子日期", "列为积极分子日期", "确定为积极分子日期", "列为入党积极分子日期"),
              parser=parse_step_date),
    FieldSpec("contacts", "培养联系人", ("培养人", "培养联系人姓名", "联系人"), parser=parse_people),
    FieldSpec("candidate_named", "确定为发展对象时间", (
        "列为发展对象时间", "确定发展对象时间", "确定为发展对象日期", "列为发展对象日期", "发展对象确定时间"),
              parser=parse_step_date),
    FieldSpec("introducers", "入党介绍人", ("介绍人", "入党介绍人姓名"), parser=parse_people),
    FieldSpec("political_review", "政审时间", ("政审", "政审日期", "政治审查时间", "政治审查", "政治审查日期"),
              parser=parse_step_date),
    FieldSpec("training", "培训学时", ("集中培训学时", "学时", "培训时长", "集中培训时长"), parser=parse_training),
    FieldSpec("training_period", "培训起止", ("培训起止时间", "培训时间", "集中培训时间", "集中培训起止",
                                          "集中培训起止时间", "培训起止日期"), parser=parse_period),
    FieldSpec("publicity", "公示起止", ("公示起止时间", "公示时间", "公示期", "公示日期", "公示起止日期", "公示"),
              parser=parse_period),
    FieldSpec("publicity_start", "公示开始时间", ("公示开始日期", "公示开始", "公示起始时间", "公示起始日期"),
              parser=parse_step_date),
    FieldSpec("publicity_end", "公示结束时间", ("公示结束日期", "公示结束", "公示截止时间", "公示截止日期"),
              parser=parse_step_date),
    FieldSpec("committee_review", "支委会审查时间", ("支部委员会审查时间", "支委会审查", "支委会审查日期"),
              parser=parse_step_date),
    FieldSpec("pre_review", "预审时间", ("上级党委预审时间", "预审日期", "党委预审时间", "预审"), parser=parse_step_date),
    FieldSpec("assembly", "支部大会讨论时间", (
        "接收预备党员时间", "支部大会讨论日期", "支部大会讨论通过时间", "支部大会时间", "支部大会通过时间",
        "接收为预备党员时间", "支部党员大会讨论时间", "支部大会讨论接收时间", "接收预备党员日期", "入党时间", "入党日期", "发展为预备党员时间"), parser=parse_step_date),
    FieldSpec("approval", "上级党委审批时间", ("上级党委审批日期", "党委审批时间", "审批时间", "批准时间",
                                        "上级党委批准时间", "审批为预备党员时间", "批准为预备党员时间"), parser=parse_step_date),
    FieldSpec("confirm_assembly", "转正支部大会时间", (
        "支部大会讨论转正时间", "转正讨论时间", "转正支部大会讨论时间", "讨论转正时间", "转正支部大会日期"),
              parser=parse_step_date),
    FieldSpec("confirm_approval", "转正审批时间", ("转正时间", "转正日期", "上级党委审批转正时间", "批准转正时间",
                                             "转正批准时间", "转正审批日期", "转为正式党员时间"), parser=parse_step_date),
    FieldSpec("notes", "备注", (), parser=parse_multiline_text),
)


def check_recruit_rows(reading: RosterReading) -> RosterReading:
    """The same ID number on two rows: the later one is refused (the members import's code)."""
    refuse_duplicates(reading.rows, "id_number", DUPLICATE_ID_NUMBER)
    return reading


def read_recruit_sheets(sheets: Sequence[SheetRows], path: str | Path = "") -> RosterReading:
    return check_recruit_rows(read_sheets(sheets, RECRUIT_FIELDS, path))


def read_recruit_ledger(path: str | Path) -> RosterReading:
    """Read a 发展党员工作台账. Raises ``RosterUnreadable`` when the file cannot be opened."""
    return read_recruit_sheets(read_sheet_rows(path), path)

