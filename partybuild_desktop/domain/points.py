"""党建先锋榜: the scoring rules (积分评价办法) as data, their file format, and the engine that applies them.

Plain Python: no SQL, no Qt. The services gather what is recorded into ``Tally`` objects (how many facts of
one kind a member or a grid has in a period, their study hours, and in which months they fall) plus the
manual awards, and ``score_subject`` turns them into scored lines. The board and the explanation of one
member's score both go through ``score_subject``, so a score and its trace cannot disagree.

Facts are keyed by where they come from: ``entry:<RecordEntryType>`` (record-book entries), ``visit``
(民情日记), ``proxy_service`` (事项代办 handled), ``meeting_attended`` / ``meeting_absent`` (a meeting's
attendance: 出席 or 在流入地参加 / 缺席 without leave, a 年老体弱 member's never counted) and ``review:<grade>``
(民主评议), ``dues_unpaid`` (a month of 党费 owed and not paid, from the dues ledger). A new kind of fact needs a key here, a ``CountUnit`` that counts it (``UNIT_FACT_KEYS``) and a
fact source in ``services.points``.

The rules' figures have at most two decimals; the engine counts in whole hundredths of a point and
rounds every line to 0.01, so the lines of a trace add up to the score exactly. Results leave as floats
with at most two decimals.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from partybuild_desktop.domain.vocabulary import STUDY_ENTRY_TYPES, Labelled, RecordEntryType

FORMAT_NAME = "partybuild-point-rules"
FORMAT_VERSION = 1


class CountUnit(Labelled):
    """计分方式"""

    ENTRY = "entry", "每条纪实"
    STUDY_HOUR = "study_hour", "每学时"
    STUDY_HOUR_SHORT = "study_hour_short", "每差一学时"
    MONTH_WITH = "month_with", "每个有纪实的月份"
    MONTH_WITHOUT = "month_without", "每个缺纪实的月份"
    VISIT = "visit", "每次走访（民情日记）"
    PROXY_SERVICE = "proxy_service", "每件办结的代办事项"
    MEETING_ATTENDED = "meeting_attended", "每次参加会议（三会一课、主题党日等）"
    MEETING_ABSENT = "meeting_absent", "每次无故缺席会议"
    REVIEW_EXCELLENT = "review_excellent", "民主评议为优秀"
    REVIEW_BASIC = "review_basic", "民主评议为基本合格"
    REVIEW_UNQUALIFIED = "review_unqualified", "民主评议为不合格"
    DUES_MONTH_UNPAID = "dues_month_unpaid", "每个欠交党费的月份"
    MANUAL = "manual", "按登记（每次）"


# What a line's quantity counts, for the printed trace: "计 12 条".
QUANTITY_WORDS = {
    CountUnit.ENTRY: "条", CountUnit.STUDY_HOUR: "学时", CountUnit.STUDY_HOUR_SHORT: "学时",
    CountUnit.MONTH_WITH: "个月", CountUnit.MONTH_WITHOUT: "个月", CountUnit.VISIT: "次",
    CountUnit.PROXY_SERVICE: "件", CountUnit.MEETING_ATTENDED: "次", CountUnit.MEETING_ABSENT: "次",
    CountUnit.REVIEW_EXCELLENT: "次", CountUnit.REVIEW_BASIC: "次", CountUnit.REVIEW_UNQUALIFIED: "次",
    CountUnit.DUES_MONTH_UNPAID: "个月", CountUnit.MANUAL: "次",
}


class Scope(Labelled):
    """适用对象"""

    MEMBER = "member", "党员"
    GRID = "grid", "网格（支部）"
    BOTH = "both", "党员和网格（双向）"


class UnitLevel(Labelled):
    """网格积分单位"""

    GRID = "grid", "网格"
    GRID_BRANCH = "grid_branch", "网格党支部"


# Units counting record-book entries; the study-hour units fall back to the study entry types.
ENTRY_UNITS = frozenset({CountUnit.ENTRY, CountUnit.STUDY_HOUR, CountUnit.STUDY_HOUR_SHORT,
                         CountUnit.MONTH_WITH, CountUnit.MONTH_WITHOUT})
UNITS_NEEDING_ENTRY_TYPES = frozenset({CountUnit.ENTRY, CountUnit.MONTH_WITH, CountUnit.MONTH_WITHOUT})
DEDUCTION_UNITS = frozenset({CountUnit.STUDY_HOUR_SHORT, CountUnit.MONTH_WITHOUT, CountUnit.MEETING_ABSENT,
                             CountUnit.DUES_MONTH_UNPAID})
VISIT_KEY = "visit"
PROXY_KEY = "proxy_service"
MEETING_ATTENDED_KEY = "meeting_attended"
MEETING_ABSENT_KEY = "meeting_absent"
REVIEW_KEY = "review"  # review:<grade code>
DUES_UNPAID_KEY = "dues_unpaid"  # a month owed and not paid, from the dues ledger
# The facts each unit counts that do not come from record-book entries.
UNIT_FACT_KEYS = {
    CountUnit.VISIT: (VISIT_KEY,),
    CountUnit.PROXY_SERVICE: (PROXY_KEY,),
    CountUnit.MEETING_ATTENDED: (MEETING_ATTENDED_KEY,),
    CountUnit.MEETING_ABSENT: (MEETING_ABSENT_KEY,),
    CountUnit.REVIEW_EXCELLENT: (f"{REVIEW_KEY}:excellent",),
    CountUnit.REVIEW_BASIC: (f"{REVIEW_KEY}:basic",),
    CountUnit.REVIEW_UNQUALIFIED: (f"{REVIEW_KEY}:unqualified",),
    CountUnit.DUES_MONTH_UNPAID: (DUES_UNPAID_KEY,),
}
# Facts that are counted from their own table: a record-book entry written by one of these (it names
# it in ``source_kind``) is not counted again as an entry. A meeting's 组织生活 lines are counted as
# entries too (the months with organisational life, the study hours); its attendance is its own fact.
DIRECT_SOURCE_KINDS = (VISIT_KEY, PROXY_KEY, REVIEW_KEY)


_ENTRY_KEYS = {t.value: f"entry:{t.value}" for t in RecordEntryType}


def entry_key(entry_type: str) -> str:
    key = _ENTRY_KEYS.get(entry_type)  # an enum member is a str equal to its code
    return key if key is not None else f"entry:{RecordEntryType(entry_type).value}"


# ---------------------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class Category:
    code: str
    name: str


@dataclass(frozen=True)
class RuleItem:
    """One clause of the rules: so many points per unit counted, capped per year.

    ``points`` is per unit (negative: a deduction). ``cap`` limits what the item can add (or take away)
    in a year, as an absolute value; None: no cap. A grid scored by a two-way item uses ``grid_points``
    and ``grid_cap`` when given, else the member's figures (a grid adds up many members' facts, so it
    usually wants its own)."""

    code: str
    name: str
    category: str  # a Category.code
    unit: CountUnit
    points: float
    cap: float | None = None
    applies_to: Scope = Scope.MEMBER
    entry_types: tuple[RecordEntryType, ...] = ()
    threshold: float | None = None  # STUDY_HOUR_SHORT: the yearly hours required (seed 001: 32)
    grid_points: float | None = None
    grid_cap: float | None = None
    note: str = ""

    def applies(self, scope: Scope) -> bool:
        return self.applies_to is Scope.BOTH or self.applies_to is scope

    def points_for(self, scope: Scope) -> float:
        if scope is Scope.GRID and self.grid_points is not None:
            return self.grid_points
        return self.points

    def cap_for(self, scope: Scope) -> float | None:
        if scope is Scope.GRID and self.grid_cap is not None:
            return self.grid_cap
        return self.cap

    @property
    def counted_entry_types(self) -> tuple[RecordEntryType, ...]:
        if self.entry_types or self.unit not in (CountUnit.STUDY_HOUR, CountUnit.STUDY_HOUR_SHORT):
            return self.entry_types
        return tuple(t for t in RecordEntryType if t in STUDY_ENTRY_TYPES)

    def fact_keys(self) -> tuple[str, ...]:
        if self.unit in ENTRY_UNITS:
            return tuple(entry_key(t) for t in self.counted_entry_types)
        return UNIT_FACT_KEYS.get(self.unit, ())

    def describe(self, scope: Scope = Scope.MEMBER) -> str:
        """``每次走访（民情日记） +1 分，全年最多 20 分``"""
        points = self.points_for(scope)
        text = f"{self.unit.label} {format_points(points, signed=True)} 分"
        if self.unit is CountUnit.STUDY_HOUR_SHORT and self.threshold:
            text = f"全年应学 {format_points(self.threshold)} 学时，{text}"
        cap = self.cap_for(scope)
        if cap is not None:
            text += f"，全年{'最多扣' if points < 0 else '最多'} {format_points(cap)} 分"
        return text


@dataclass(frozen=True)
class RuleSet:
    """积分评价办法 of one village for one year."""

    name: str
    categories: tuple[Category, ...]
    items: tuple[RuleItem, ...]
    base_score: float = 100
    warning_line: float = 60
    grid_base_score: float = 100
    unit_level: UnitLevel = UnitLevel.GRID
    year: int | None = None
    note: str = ""

    def category(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)

    def item(self, code: str) -> RuleItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def items_for(self, scope: Scope) -> list[RuleItem]:
        return [item for item in self.items if item.applies(scope)]

    def for_year(self, year: int) -> "RuleSet":
        return replace(self, year=year)


class RuleFileError(ValueError):
    """A rule file or rule set that cannot be used; ``problems`` lists each one in Chinese."""

    def __init__(self, problems: Sequence[str], heading: str = "积分评价办法有误"):
        self.problems = list(problems)
        super().__init__(f"{heading}：\n" + "\n".join(f"  · {p}" for p in self.problems))


ITEM_FIELDS = {
    "code": "编号", "name": "名称", "category": "类别", "unit": "计分方式", "points": "分值", "cap": "全年封顶",
    "applies_to": "适用对象", "entry_types": "纪实类型", "threshold": "应达学时", "grid_points": "网格分值",
    "grid_cap": "网格全年封顶", "note": "说明",
}
TOP_FIELDS = {
    "format": "文件类型", "version": "格式版本", "name": "办法名称", "year": "年度", "village": "村",
    "base_score": "基础分", "warning_line": "预警线", "grid_base_score": "网格基础分", "unit_level": "网格积分单位",
    "categories": "积分类别", "items": "积分项目", "note": "说明", "exported_at": "导出时间",
}


def _number(value) -> float | None:
    """A JSON number (not a boolean), or a numeric string typed by hand; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _too_precise(number: float) -> bool:
    """Scores are kept to 0.01: a figure with more decimals (0.333) cannot be added up exactly."""
    return Decimal(repr(number)).as_tuple().exponent < -2


def _enum(enum_cls, value):
    if not isinstance(value, str):
        return None
    try:
        return enum_cls.from_label(value)
    except ValueError:
        return None


def rules_from_dict(data: object, year: int | None = None) -> RuleSet:
    """Read a rule set in the file format (see ``rules_to_dict``), checking every field; raises
    ``RuleFileError`` listing every problem, each naming the item and the field."""
    if not isinstance(data, Mapping):
        raise RuleFileError(["文件内容不是一个积分评价办法（应为 JSON 对象）。"], "文件无法使用")
    if data.get("format") != FORMAT_NAME:
        raise RuleFileError([f"这不是积分评价办法文件（“format”应为“{FORMAT_NAME}”）。请确认选择的是从本程序导出的积分办法文件。"],
                            "文件无法使用")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise RuleFileError(["缺少格式版本（“version”应为整数）。"], "文件无法使用")
    if version > FORMAT_VERSION:
        raise RuleFileError([f"文件的格式版本为 {version}，本程序只认识到版本 {FORMAT_VERSION}。请升级本程序后再导入。"],
                            "文件无法使用")
    problems: list[str] = []
    unknown = [k for k in data if k not in TOP_FIELDS]
    if unknown:
        problems.append(f"有不认识的字段：{'、'.join(f'“{k}”' for k in unknown)}（是否拼写有误？）")

    def top_number(key: str, default: float) -> float:
        if key not in data:
            return default
        number = _number(data[key])
        if number is None:
            problems.append(f"“{TOP_FIELDS[key]}”（{key}）应为数字，而文件中是“{data[key]}”。")
            return default
        if _too_precise(number):
            problems.append(f"“{TOP_FIELDS[key]}”（{key}）最多保留两位小数，而文件中是“{data[key]}”。")
        return number

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("缺少“办法名称”（name）。")
        name = ""
    base = top_number("base_score", 100)
    warning = top_number("warning_line", 60)
    grid_base = top_number("grid_base_score", base)
    unit_level = UnitLevel.GRID
    if "unit_level" in data:
        unit_level = _enum(UnitLevel, data["unit_level"])
        if unit_level is None:
            problems.append(f"“网格积分单位”（unit_level）应为 grid（网格）或 grid_branch（网格党支部），而文件中是“{data['unit_level']}”。")
            unit_level = UnitLevel.GRID
    file_year = data.get("year")
    if file_year is not None and (isinstance(file_year, bool) or not isinstance(file_year, int) or not 2000 <= file_year <= 2100):
        problems.append(f"“年度”（year）应为 2000 到 2100 之间的整数，而文件中是“{file_year}”。")
        file_year = None

    categories: list[Category] = []
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        problems.append("缺少“积分类别”（categories），至少要有一个类别。")
        raw_categories = []
    for number, raw in enumerate(raw_categories, start=1):
        if not isinstance(raw, Mapping):
            problems.append(f"第{number}个积分类别应写成 {{\"code\": …, \"name\": …}}。")
            continue
        code, cat_name = raw.get("code"), raw.get("name")
        where = f"第{number}个积分类别“{cat_name or code or ''}”"
        if not isinstance(code, str) or not code.strip():
            problems.append(f"{where}缺少“编号”（code）。")
            continue
        if not isinstance(cat_name, str) or not cat_name.strip():
            problems.append(f"{where}缺少“名称”（name）。")
            continue
        if any(c.code == code.strip() for c in categories):
            problems.append(f"{where}的编号“{code}”与前面的类别重复。")
            continue
        if any(c.name == cat_name.strip() for c in categories):
            problems.append(f"{where}的名称与前面的类别重复。")
            continue
        categories.append(Category(code.strip(), cat_name.strip()))

    items: list[RuleItem] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("缺少“积分项目”（items），至少要有一项。")
        raw_items = []
    for number, raw in enumerate(raw_items, start=1):
        item = _item_from_dict(raw, number, categories, problems)
        if item is None:
            continue
        if any(i.code == item.code for i in items):
            problems.append(f"第{number}项“{item.name}”的“编号”（code）“{item.code}”与前面的项目重复，每项的编号必须不同。")
            continue
        items.append(item)
    if problems:
        raise RuleFileError(problems)
    return RuleSet(
        name=name.strip(), categories=tuple(categories), items=tuple(items), base_score=base, warning_line=warning,
        grid_base_score=grid_base, unit_level=unit_level, year=year if year is not None else file_year,
        note=data.get("note") if isinstance(data.get("note"), str) else "",
    )


def _item_from_dict(raw: object, number: int, categories: list[Category], problems: list[str]) -> RuleItem | None:
    if not isinstance(raw, Mapping):
        problems.append(f"第{number}项应写成 {{\"code\": …, \"name\": …, …}}。")
        return None
    label = raw.get("name") if isinstance(raw.get("name"), str) and raw.get("name").strip() else raw.get("code")
    where = f"第{number}项“{label or ''}”"
    before = len(problems)

    def bad(key: str, text: str) -> None:
        problems.append(f"{where}的“{ITEM_FIELDS[key]}”（{key}）{text}")

    unknown = [k for k in raw if k not in ITEM_FIELDS]
    if unknown:
        problems.append(f"{where}有不认识的字段：{'、'.join(f'“{k}”' for k in unknown)}（是否拼写有误？）")
    code, name = raw.get("code"), raw.get("name")
    if not isinstance(code, str) or not code.strip():
        bad("code", "不能为空。")
    if not isinstance(name, str) or not name.strip():
        bad("name", "不能为空。")
    category = None
    raw_category = raw.get("category")
    if isinstance(raw_category, str):
        category = next((c for c in categories if raw_category.strip() in (c.code, c.name)), None)
    if category is None:
        known = "、".join(c.name for c in categories)
        bad("category", f"“{raw_category or ''}”不是已列出的积分类别（{known}）。")
    unit = _enum(CountUnit, raw.get("unit"))
    if unit is None:
        known = "、".join(f"{u.value}（{u.label}）" for u in CountUnit)
        bad("unit", f"“{raw.get('unit') or ''}”不认识，应为：{known}。")
    points = _number(raw.get("points"))
    if points is None:
        bad("points", f"应为数字（加分为正数，扣分为负数），而文件中是“{raw.get('points')}”。")
    elif points == 0 and unit is not CountUnit.MANUAL:
        bad("points", "不能为 0。")
    elif unit in DEDUCTION_UNITS and points > 0:
        bad("points", f"应为负数：“{unit.label}”是扣分项。")
    elif _too_precise(points):
        bad("points", f"最多保留两位小数，而文件中是“{raw.get('points')}”。")

    def optional_number(key: str, positive: bool = True) -> float | None:
        value = raw.get(key)
        if value is None or value == "":
            return None
        number_value = _number(value)
        if number_value is None or (positive and number_value <= 0):
            bad(key, f"应为大于 0 的数字，或者不填，而文件中是“{value}”。")
            return None
        if _too_precise(number_value):
            bad(key, f"最多保留两位小数，而文件中是“{value}”。")
            return None
        return number_value

    cap = optional_number("cap")
    grid_points = optional_number("grid_points", positive=False)
    grid_cap = optional_number("grid_cap")
    threshold = optional_number("threshold")
    applies_to = Scope.MEMBER
    if raw.get("applies_to") not in (None, ""):
        applies_to = _enum(Scope, raw.get("applies_to"))
        if applies_to is None:
            bad("applies_to", f"“{raw.get('applies_to')}”不认识，应为 member（党员）、grid（网格）或 both（双向）。")
    entry_types: list[RecordEntryType] = []
    raw_types = raw.get("entry_types", [])
    if isinstance(raw_types, str):
        raw_types = [raw_types]
    if not isinstance(raw_types, list):
        bad("entry_types", "应为纪实类型的列表。")
        raw_types = []
    for value in raw_types:
        entry_type = _enum(RecordEntryType, value)
        if entry_type is None:
            known = "、".join(t.label for t in RecordEntryType)
            bad("entry_types", f"中的“{value}”不是纪实类型（{known}）。")
        elif entry_type not in entry_types:
            entry_types.append(entry_type)
    if unit in UNITS_NEEDING_ENTRY_TYPES and not entry_types and not raw_types:
        bad("entry_types", f"不能为空：“{unit.label}”要写明按哪些纪实类型计。")
    if unit is CountUnit.STUDY_HOUR_SHORT and threshold is None:
        bad("threshold", "不能为空：“每差一学时”要写明全年应学多少学时（如 32）。")
    if grid_points is not None and grid_points == 0:
        bad("grid_points", "不能为 0（不计网格分请把适用对象改为“党员”）。")
    elif grid_points is not None and unit in DEDUCTION_UNITS and grid_points > 0:
        bad("grid_points", f"应为负数：“{unit.label}”是扣分项。")
    note = raw.get("note") or ""
    if not isinstance(note, str):
        bad("note", "应为文字。")
        note = ""
    if len(problems) > before:
        return None
    return RuleItem(
        code=code.strip(), name=name.strip(), category=category.code, unit=unit, points=points, cap=cap,
        applies_to=applies_to, entry_types=tuple(entry_types), threshold=threshold, grid_points=grid_points,
        grid_cap=grid_cap, note=note,
    )


def rules_to_dict(rules: RuleSet, village: str | None = None) -> dict:
    """The file format (version 1); what ``rules_from_dict`` reads back."""

    def plain(number: float | None):
        if number is None:
            return None
        return int(number) if float(number).is_integer() else number

    items = []
    for item in rules.items:
        entry = {"code": item.code, "name": item.name, "category": item.category, "unit": item.unit.value,
                 "points": plain(item.points), "cap": plain(item.cap), "applies_to": item.applies_to.value}
        if item.entry_types:
            entry["entry_types"] = [t.value for t in item.entry_types]
        if item.threshold is not None:
            entry["threshold"] = plain(item.threshold)
        if item.grid_points is not None:
            entry["grid_points"] = plain(item.grid_points)
        if item.grid_cap is not None:
            entry["grid_cap"] = plain(item.grid_cap)
        if item.note:
            entry["note"] = item.note
        items.append(entry)
    data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "name": rules.name}
    if rules.year is not None:
        data["year"] = rules.year
    if village:
        data["village"] = village
    data.update({
        "base_score": plain(rules.base_score), "warning_line": plain(rules.warning_line),
        "grid_base_score": plain(rules.grid_base_score), "unit_level": rules.unit_level.value,
        "categories": [{"code": c.code, "name": c.name} for c in rules.categories], "items": items,
    })
    if rules.note:
        data["note"] = rules.note
    return data


def rules_to_json(rules: RuleSet, village: str | None = None) -> str:
    return json.dumps(rules_to_dict(rules, village), ensure_ascii=False, indent=2) + "\n"


def rules_from_json(text: str, year: int | None = None) -> RuleSet:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RuleFileError([f"第 {error.lineno} 行第 {error.colno} 列：JSON 格式有误（{error.msg}）。"
                             "请用记事本检查是否缺了逗号、引号或括号。"], "文件无法使用") from error
    return rules_from_dict(data, year)


def check_rules(rules: RuleSet) -> None:
    """Check a rule set built in the editor the same way a file is checked (raises RuleFileError)."""
    rules_from_dict(rules_to_dict(rules))


# ---------------------------------------------------------------------------------------- periods


def month_mask(months: Iterable[int]) -> int:
    mask = 0
    for month in months:
        mask |= 1 << month
    return mask


def months_of(mask: int) -> list[int]:
    return [m for m in range(1, 13) if mask >> m & 1]


@dataclass(frozen=True)
class Period:
    """The dates a board covers: a year, or a quarter so far. ``completed`` are the months that are over
    by ``as_of`` (only those can lack something: the month under way is not judged yet)."""

    year: int
    start: dt.date
    end: dt.date  # last day counted: the period's end, or ``as_of`` when earlier
    quarter: int | None
    completed: int  # month mask
    due_months: int  # how many months are over (a yearly requirement is due in twelfths)

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度" if self.quarter else f"{self.year}年度"

    @property
    def months(self) -> int:
        return month_mask(range(self.start.month, self.end.month + 1)) if self.start <= self.end else 0


def period(year: int, as_of: dt.date, quarter: int | None = None, closed: bool = False) -> Period:
    """The year (or quarter) as far as it has gone by ``as_of``; a closed year counts whole."""
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1 到 4，而不是 {quarter}。")
    first_month, last_month = ((quarter - 1) * 3 + 1, quarter * 3) if quarter else (1, 12)
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, 1) + dt.timedelta(days=31)
    end = end.replace(day=1) - dt.timedelta(days=1)
    if not closed and as_of < end:
        end = as_of  # may fall before ``start``: a period not begun counts nothing
    if closed or (year, last_month) < (as_of.year, as_of.month):
        last_completed = last_month
    elif year == as_of.year:
        last_completed = min(last_month, as_of.month - 1)
    else:
        last_completed = 0
    completed = month_mask(range(first_month, last_completed + 1))
    return Period(year, start, end, quarter, completed, bin(completed).count("1"))


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


# ---------------------------------------------------------------------------------------- the engine


@dataclass(slots=True)
class Tally:
    """Facts of one kind for one member (or one grid) in a period."""

    count: int = 0
    hours: float = 0.0
    months: int = 0  # mask of the months with at least one fact

    def add(self, other: "Tally") -> None:
        self.count += other.count
        self.hours += other.hours
        self.months |= other.months


@dataclass(frozen=True)
class Award:
    """A manual award or deduction: ``quantity`` times the item's points, or ``points`` when the clerk
    set the amount (a "按研究决定" item)."""

    id: int
    item_code: str
    date: dt.date
    quantity: float = 1.0
    points: float | None = None
    reason: str = ""
    entered_by: str = ""


@dataclass(frozen=True)
class Line:
    """What one rule item gave a subject."""

    item: RuleItem
    quantity: float  # units counted (entries, hours, months, visits, …)
    before_cap: float
    points: float  # after the cap: what goes into the score
    per_unit: float
    cap: float | None

    @property
    def capped(self) -> bool:
        return self.points != self.before_cap


@dataclass(frozen=True)
class SubjectScore:
    base: float
    lines: tuple[Line, ...]
    score: float
    categories: dict[str, float]  # category code → the lines' points added up (the base not included)

    def by_category(self) -> dict[str, float]:
        return dict(self.categories)


def _dec(number: float) -> Decimal:
    return Decimal(repr(float(number)))


def _cents(number: float) -> int:
    """A figure of the rules (at most two decimals, see ``_too_precise``) in hundredths."""
    return int((_dec(number) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _divide(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero (as ROUND_HALF_UP does for Decimal)."""
    quotient, remainder = divmod(abs(numerator), denominator)
    quotient += 2 * remainder >= denominator
    return quotient if numerator >= 0 else -quotient


@dataclass(frozen=True)
class _Compiled:
    """A rule item made ready for one scope: its fact keys and figures (in hundredths) worked out once."""

    item: RuleItem
    unit: CountUnit
    keys: tuple[str, ...]
    per_unit: int  # points per unit, in hundredths
    cap: int | None  # in hundredths
    threshold: int  # STUDY_HOUR_SHORT: yearly hours, in ten-thousandths


_COUNTED = frozenset({CountUnit.ENTRY} | set(UNIT_FACT_KEYS))
_HOURS = frozenset({CountUnit.STUDY_HOUR, CountUnit.STUDY_HOUR_SHORT})
HOUR_SCALE = 10000  # study hours are counted to 0.0001 (so 0.1 + 0.2 hours is 0.3)


class Scorer:
    """A rule set made ready to score many members (``Scope.MEMBER``) or grids (``Scope.GRID``).

    The arithmetic is in whole hundredths of a point (hours in ten-thousandths), so it is exact and
    every line is rounded to 0.01 before it is added: the lines of a trace add up to the score. This
    loop runs for every member and item of a board (tens of thousands of times), hence its plain style."""

    def __init__(self, rules: RuleSet, scope: Scope):
        self.rules, self.scope = rules, scope
        self.base = _cents(rules.base_score if scope is Scope.MEMBER else rules.grid_base_score)
        self.items = []
        for item in rules.items:
            if item.applies(scope):
                cap = item.cap_for(scope)
                self.items.append(_Compiled(item, item.unit, item.fact_keys(), _cents(item.points_for(scope)),
                                            None if cap is None else _cents(cap),
                                            round((item.threshold or 0) * HOUR_SCALE)))

    def score(self, tallies: Mapping[str, Tally], awards: Sequence[Award], period_: Period,
              months_on_board: int | None = None, with_lines: bool = True) -> SubjectScore:
        """``months_on_board`` masks the months the subject is judged on (a member who joined the party
        this year is not judged on the months before). Without lines only the score and the category
        totals are kept (the board); the arithmetic is the same."""
        if months_on_board is None:
            months_on_board = period_.months | period_.completed
        due_mask = period_.completed & months_on_board
        total = self.base
        lines = []
        categories: dict[str, int] = {}
        for c in self.items:
            unit = c.unit
            if unit in _COUNTED:
                quantity = 0
                for key in c.keys:
                    tally = tallies.get(key)
                    if tally is not None:
                        quantity += tally.count
                if not quantity:
                    continue
                raw = quantity * c.per_unit
            elif unit in _HOURS:
                hours = 0.0
                for key in c.keys:
                    tally = tallies.get(key)
                    if tally is not None:
                        hours += tally.hours
                scaled = round(hours * HOUR_SCALE)
                if unit is CountUnit.STUDY_HOUR:
                    if not scaled:
                        continue
                    quantity = scaled / HOUR_SCALE
                    raw = _divide(scaled * c.per_unit, HOUR_SCALE)
                else:
                    # The yearly requirement, in proportion to the months that are over (and on the
                    # board), less the hours done; rounded to 0.01 hour.
                    due = bin(due_mask).count("1")
                    short = _divide(c.threshold * due - 12 * scaled, 12 * HOUR_SCALE // 100)
                    if short <= 0:
                        continue
                    quantity = short / 100
                    raw = _divide(short * c.per_unit, 100)
            elif unit is CountUnit.MANUAL:
                mine = [a for a in awards if a.item_code == c.item.code]
                if not mine:
                    continue
                quantity = sum(a.quantity for a in mine)
                scaled = sum(_cents(a.points) * HOUR_SCALE if a.points is not None
                             else round(a.quantity * HOUR_SCALE) * c.per_unit for a in mine)
                raw = _divide(scaled, HOUR_SCALE)
            else:  # MONTH_WITH / MONTH_WITHOUT
                months = 0
                for key in c.keys:
                    tally = tallies.get(key)
                    if tally is not None:
                        months |= tally.months
                if unit is CountUnit.MONTH_WITH:
                    quantity = bin(months & months_on_board).count("1")
                else:
                    quantity = bin(due_mask & ~months).count("1")
                if not quantity:
                    continue
                raw = quantity * c.per_unit
            cap = c.cap
            points = raw if cap is None or -cap <= raw <= cap else (cap if raw > 0 else -cap)
            total += points
            code = c.item.category
            categories[code] = categories.get(code, 0) + points
            if with_lines:
                lines.append(Line(c.item, float(quantity), raw / 100, points / 100, c.per_unit / 100,
                                  None if cap is None else cap / 100))
        return SubjectScore(self.base / 100, tuple(lines), total / 100,
                            {code: value / 100 for code, value in categories.items()})


def score_subject(rules: RuleSet, scope: Scope, tallies: Mapping[str, Tally], awards: Sequence[Award],
                  period_: Period, months_on_board: int | None = None) -> SubjectScore:
    """Score one member or grid from its facts and manual awards (``Scorer`` for many)."""
    return Scorer(rules, scope).score(tallies, awards, period_, months_on_board)


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """Ranks for scores, highest first; equal scores share a rank and the next rank skips (1, 2, 2, 4)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranks = [0] * len(scores)
    for position, index in enumerate(order):
        if position and scores[index] == scores[order[position - 1]]:
            ranks[index] = ranks[order[position - 1]]
        else:
            ranks[index] = position + 1
    return ranks


def format_points(value: float, signed: bool = False) -> str:
    """``12``, ``2.5``, ``+3``, ``-0.5``: no trailing zeros."""
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("+0", "-0") else text
