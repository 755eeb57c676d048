"""发展党员's printouts and its part of the quarterly return.

- 发展党员工作台账 (``recruits``): one line per person, every step's date, the people, the training, the
  公示 and the rules broken (kept with their reasons), A4 landscape in bands of columns with 序号 and 姓名
  repeated on each.
- 发展党员纪实表 (``recruit-record``): one person's 25 steps with their dates, the people and what each step
  records, the rule each step is held to, and any rule broken with the reason kept, for the person's file.
- 预备党员考察 (``probation``): each 预备党员, the day the probation ends and 转正 is due, the 考察 and any
  extension.
- 发展党员工作情况统计表 (``recruitment-summary``): the quarter's pipeline for the return: 入党申请人,
  入党积极分子 and 发展对象 at the quarter's end, 预备党员 accepted and 转正 in the quarter
  (``FIGURE_KEYS``); the township's table puts the villages side by side with a 合计, and a village whose
  package was written before this table joined the return reads 未报送 with blank numbers, never zeros.

The rows come from ``services.recruitment`` through the builders of ``services.exports``; nothing here
reads the database. No ID number is printed in full (``domain.id_number.mask``), and no phone number or
address appears: these tables go into the person's file and to the township.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from dataclasses import dataclass

from partybuild_desktop.domain import recruitment as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.recruitment import Stage, Step
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec
from partybuild_desktop.reports.tables.named_counts import named_counts_report
from partybuild_desktop.reports.tables.township_rows import NOT_REPORTED, count_summary_report, period_text

if TYPE_CHECKING:  # the people as services.recruitment.ledger reads them
    from partybuild_desktop.services.recruitment import CaseSheet, KeptRule

LEDGER_TITLE = "发展党员工作台账"
RECORD_TITLE = "发展党员纪实表"
PROBATION_TITLE = "预备党员考察"
TITLE = "发展党员工作情况统计表"  # the return's table
SHEET = "发展党员"
SIGNATURE = "党组织书记签字：____________　　　　（盖章）"
RECORD_SIGNATURE = "党组织书记签字：____________　　　　经办人：____________　　　　（盖章）"
NONE = "无"

# What each step is held to (《中国共产党发展党员工作细则》), as the 纪实表 prints it beside the step.
STEP_RULES = {
    Step.APPLICATION: "年满十八岁，向工作、学习所在单位党组织提出",
    Step.TALK: "收到入党申请书后一个月内派人谈话",
    Step.ACTIVIST_NAMED: "党员推荐、群团组织推优，支部委员会研究确定",
    Step.ACTIVIST_FILED: "报上级党委备案",
    Step.CONTACTS: "指定一至两名正式党员作培养联系人",
    Step.ACTIVIST_TRAINING: "党支部每半年考察一次",
    Step.CANDIDATE_NAMED: "经过一年以上培养教育和考察，听取党小组、培养联系人、党员和群众意见",
    Step.CANDIDATE_FILED: "报上级党委备案",
    Step.INTRODUCERS: "两名正式党员作入党介绍人",
    Step.POLITICAL_REVIEW: "政治审查，形成结论性材料",
    Step.TRAINING: f"集中培训不少于 {rules.TRAINING_MIN_DAYS} 天或 {rules.TRAINING_MIN_HOURS} 学时",
    Step.COMMITTEE_REVIEW: "支部委员会审查，审查前公示",
    Step.PRE_REVIEW: "公示期满（不少于 {days} 个工作日）后报上级党委预审",
    Step.APPLICATION_FORM: "预审合格后填写入党志愿书",
    Step.ASSEMBLY: "有表决权的党员到会超过半数，赞成票超过应到会有表决权党员的半数，逐个讨论表决",
    Step.UPPER_TALK: "上级党委审批前派人谈话",
    Step.APPROVAL: f"支部大会后 {rules.APPROVAL_WITHIN_MONTHS} 个月内审批（特殊情况不超过 "
                   f"{rules.APPROVAL_SPECIAL_MONTHS} 个月）",
    Step.APPROVAL_FILED: "报再上一级党委组织部门备案",
    Step.PLACED: "编入党支部和党小组",
    Step.OATH: "及时进行入党宣誓",
    Step.PROBATION_REVIEW: "预备期一年，继续教育考察",
    Step.CONFIRM_APPLICATION: "预备期满，本人提出书面转正申请",
    Step.CONFIRM_ASSEMBLY: "预备期满及时讨论转正（可延长一次，六个月至一年）",
    Step.CONFIRM_APPROVAL: f"支部大会后 {rules.APPROVAL_WITHIN_MONTHS} 个月内审批",
    Step.ARCHIVED: "入党志愿书、转正申请等材料存入本人档案",
}


# ---------------------------------------------------------------------------------------- what is printed


@dataclass(frozen=True)
class ProbationLine:
    """One 预备党员 (with or without a recruitment case)."""

    name: str
    party_group: str
    joined: dt.date | None  # the 支部大会 that accepted them
    approved: dt.date | None  # ⑰, where a case records it
    end: dt.date | None  # the probation's end, with any extension
    extension: str  # "延长6个月（2026年5月10日支部大会）" or ""
    reviews: list[dt.date]
    confirm_application: dt.date | None
    confirm_assembly: dt.date | None


def step_title(step: Step) -> str:
    """``17.上级党委审批``: the circled numbers past ⑳ are missing from most CJK fonts, so print plain ones."""
    return f"{step.number}.{step.label}"


def _number(value: float | None) -> str:
    return f"{value:g}" if value else ""


def training_text(sheet: CaseSheet) -> str:
    parts = [f"{_number(sheet.training_days)} 天" if sheet.training_days else "",
             f"{_number(sheet.training_hours)} 学时" if sheet.training_hours else ""]
    return "、".join(p for p in parts if p)


def publicity_text(sheet: CaseSheet) -> str:
    if not (sheet.publicity_start and sheet.publicity_end):
        return ""
    return f"{format_cn(sheet.publicity_start)}至{format_cn(sheet.publicity_end)}"


def dates_text(days: Sequence[dt.date]) -> str:
    return "、".join(format_cn(d) for d in sorted(days))


def breach_text(kept: Sequence[KeptRule]) -> str:
    return "；".join(f"{step_title(k.step)}：{k.message.rstrip('。')}（原因：{k.reason}）" for k in kept)


# ---------------------------------------------------------------------------------------- 发展党员工作台账

REPEATED = 2  # 序号, 姓名


def ledger_report(sheets: Sequence[CaseSheet], unit: str, day: dt.date, stem: str) -> Report:
    """Every person, in the order they applied."""
    date_columns = []
    for index, step in enumerate(rules.STEPS):
        date_columns.append(Column(step_title(step), f"d_{step.value}", 11, kind="date", group=step.stage.label,
                                   new_page=index == 0))
    spec = TableSpec(
        title=LEDGER_TITLE, orientation="landscape", unit=unit, date=day, signature=SIGNATURE, sheet_name=LEDGER_TITLE,
        repeat_columns=REPEATED, print_scale=90,
        notes=(ledger_summary(sheets),
               "注：日期为各步骤完成的日期；“违反规定”为登记时不符合《中国共产党发展党员工作细则》规定、经说明原因后记入台账的情况。"
               "身份证号只显示前六位和后四位。"),
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name", 9, align="center"),
            Column("性别", "gender", 5, align="center"),
            Column("出生日期", "birth", 11, kind="date"),
            Column("身份证号", "id_number", 20, align="center"),
            Column("党小组", "party_group", 11, align="center"),
            Column("当前阶段", "stage", 13, align="center"),
            Column("下一步", "next_step", 16),
            Column("应办日期", "due", 11, kind="date"),
            Column("培养联系人", "contacts", 12),
            Column("入党介绍人", "introducers", 12),
            Column("考察日期", "reviews", 16),
            Column("集中培训", "training", 10, align="center"),
            Column("公示", "publicity", 16),
            Column("违反规定（已说明原因）", "breaches", 30),
            *date_columns,
        ),
    )
    rows = []
    for n, s in enumerate(sheets, start=1):
        breaches = breach_text(s.kept)
        if s.overdue:
            breaches = "；".join(p for p in (breaches, "预备期已满，尚未讨论转正") if p)
        rows.append({
            "no": n, "name": s.name, "gender": s.gender, "birth": s.birth_date, "id_number": s.masked_id,
            "party_group": s.party_group, "stage": "已转为正式党员" if _full(s) else s.stage.label,
            "next_step": step_title(s.next_step) if s.next_step else "已完成", "due": s.due,
            "contacts": "、".join(s.contacts), "introducers": "、".join(s.introducers),
            "reviews": dates_text(s.reviews), "training": training_text(s), "publicity": publicity_text(s),
            "breaches": breaches, **{f"d_{step.value}": s.dates.get(step) for step in rules.STEPS},
        })
    return Report(stem, [Table(spec, rows)])


def ledger_summary(sheets: Sequence[CaseSheet]) -> str:
    if not sheets:
        return "尚未登记入党申请人。"
    counts = {stage: sum(s.stage is stage and not _full(s) for s in sheets) for stage in Stage}
    parts = "、".join(f"{stage.label} {counts[stage]} 人" for stage in Stage if counts[stage])
    full = sum(_full(s) for s in sheets)
    done = f"、已转为正式党员 {full} 人" if full else ""
    return f"共 {len(sheets)} 人：{parts}{done}。"


def _full(sheet: CaseSheet) -> bool:
    return rules.FULL_MEMBER_STEP in sheet.dates


# ---------------------------------------------------------------------------------------- 发展党员纪实表


def record_rows(sheet: CaseSheet, publicity_days: int = rules.PUBLICITY_WORKING_DAYS) -> list[dict]:
    """The 25 steps of one person: date, people and what was recorded, the rule, any rule broken."""
    kept: dict[Step, list[KeptRule]] = {}
    for k in sheet.kept:
        kept.setdefault(k.step, []).append(k)
    rows = []
    for step in rules.STEPS:
        details = []
        if step is Step.CONTACTS and sheet.contacts:
            details.append("培养联系人：" + "、".join(sheet.contacts))
        if step is Step.ACTIVIST_TRAINING and sheet.reviews:
            details.append("考察：" + dates_text(sheet.reviews))
        if step is Step.INTRODUCERS and sheet.introducers:
            details.append("入党介绍人：" + "、".join(sheet.introducers))
        if step is Step.TRAINING and training_text(sheet):
            details.append("培训：" + training_text(sheet))
        if step is Step.COMMITTEE_REVIEW and publicity_text(sheet):
            details.append("公示：" + publicity_text(sheet))
        if step in sheet.step_notes:
            details.append(sheet.step_notes[step])
        if step is sheet.next_step and sheet.due is not None:
            details.append(f"应于{format_cn(sheet.due)}前办理")
        rows.append({
            "no": step.number, "stage": step.stage.label, "step": step.label,
            "date": sheet.dates.get(step), "details": "；".join(details),
            "rule": STEP_RULES[step].format(days=publicity_days),
            "breach": "；".join(f"{k.message.rstrip('。')}。原因：{k.reason}" for k in kept.get(step, [])),
        })
    return rows


def record_report(sheet: CaseSheet, unit: str, day: dt.date, stem: str,
                  publicity_days: int = rules.PUBLICITY_WORKING_DAYS) -> Report:
    who = [f"姓名：{sheet.name}"]
    if sheet.gender:
        who.append(f"性别：{sheet.gender}")
    if sheet.birth_date:
        who.append(f"出生日期：{format_cn(sheet.birth_date)}")
    if sheet.id_number:
        who.append(f"身份证号：{sheet.masked_id}")
    if sheet.party_group:
        who.append(f"党小组：{sheet.party_group}")
    who.append(f"当前阶段：{sheet.stage.label if not _full(sheet) else '已转为正式党员'}")
    notes = ["注：日期为各步骤完成的日期，空白为尚未办理。“规定”摘自《中国共产党发展党员工作细则》；"
             "“违反规定及原因”为登记时不符合规定、经说明原因后如实记入的情况。"]
    if sheet.overdue:
        notes.insert(0, "预备期已满，尚未召开支部大会讨论转正。")
    spec = TableSpec(
        title=RECORD_TITLE, subtitle="　".join(who), unit=unit, date=day, signature=RECORD_SIGNATURE,
        sheet_name=RECORD_TITLE, notes=tuple(notes),
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("阶段", "stage", 10, align="center"),
            Column("步骤", "step", 14),
            Column("日期", "date", 11, kind="date"),
            Column("有关人员和情况", "details", 22),
            Column("规定", "rule", 22),
            Column("违反规定及原因", "breach", 18),
        ),
    )
    return Report(stem, [Table(spec, record_rows(sheet, publicity_days))])


# ---------------------------------------------------------------------------------------- 预备党员考察


def probation_state(line: ProbationLine, day: dt.date) -> str:
    if line.confirm_assembly is not None:
        return f"已于{format_cn(line.confirm_assembly)}讨论转正"
    if line.end is None:
        return "入党日期未登记"
    left = (line.end - day).days
    if left < 0:
        return f"已逾期 {-left} 天，未讨论转正"
    return f"还有 {left} 天期满"


def probation_report(lines: Sequence[ProbationLine], unit: str, day: dt.date, stem: str) -> Report:
    spec = TableSpec(
        title=PROBATION_TITLE, orientation="landscape", unit=unit, date=day, signature=SIGNATURE,
        sheet_name=PROBATION_TITLE,
        notes=(f"共有预备党员 {len(lines)} 人。" if lines else "目前没有预备党员。",
               "注：预备期一年，从支部大会通过其为预备党员之日算起；延长预备期的，期满日按延长的期限推算（只能延长一次，"
               "六个月至一年）。预备期满应及时召开支部大会讨论转正。"),
        columns=(
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name", 9, align="center"),
            Column("党小组", "party_group", 11, align="center"),
            Column("接收日期（支部大会）", "joined", 12, kind="date"),
            Column("上级党委审批", "approved", 12, kind="date"),
            Column("预备期满（转正到期）", "end", 12, kind="date"),
            Column("延长预备期", "extension", 16),
            Column("考察情况", "reviews", 22),
            Column("转正申请", "confirm_application", 12, kind="date"),
            Column("转正情况", "state", 18),
        ),
    )
    rows = [{
        "no": n, "name": line.name, "party_group": line.party_group, "joined": line.joined, "approved": line.approved,
        "end": line.end, "extension": line.extension or NONE,
        "reviews": ("考察：" + dates_text(line.reviews)) if line.reviews else "",
        "confirm_application": line.confirm_application, "state": probation_state(line, day),
    } for n, line in enumerate(lines, start=1)]
    return Report(stem, [Table(spec, rows)])


# ---------------------------------------------------------------------------------------- the return

# key → label
FIGURES = {
    "applicants": "入党申请人（季末，人）",
    "activists": "入党积极分子（季末，人）",
    "candidates": "发展对象（季末，人）",
    "accepted": "本季度接收预备党员（人）",
    "confirmed": "本季度预备党员转正（人）",
}
FIGURE_KEYS = tuple(FIGURES)
MAX_PEOPLE = 100_000
# The steps that place a person among the 发展对象: from ⑦ 确定发展对象 until ⑰ makes them 预备党员.
_CANDIDATE_STEPS = rules.STEPS[rules.STEPS.index(Step.CANDIDATE_NAMED):rules.STEPS.index(rules.MEMBER_STEP)]

SUMMARY_NOTES = (
    "注：1.各村数字取自各村报送的季度报表：入党申请人、入党积极分子、发展对象为季度末的人数（按发展党员台账中已完成的步骤计）；"
    "接收预备党员、预备党员转正按上级党委审批的日期计入本季度。",
    f"2.“{NOT_REPORTED}”的村，其报表包由旧版程序导出，没有这张表，相应数字空缺（不是没有发展党员）；合计为已报送各村之和。",
)


def standing_on(dates: Mapping[Step, dt.date], day: dt.date) -> str | None:
    """Where a person stood on ``day`` by the steps done by then: "applicants", "activists", "candidates",
    "probation" (预备党员), "full", or None (not yet applied)."""
    done = [step for step in rules.STEPS if step in dates and dates[step] <= day]
    if not done:
        return None
    if rules.FULL_MEMBER_STEP in done:
        return "full"
    if rules.MEMBER_STEP in done:
        return "probation"
    if any(step in done for step in _CANDIDATE_STEPS):
        return "candidates"
    if Step.ACTIVIST_NAMED in done:
        return "activists"
    return "applicants"


def quarter_people(cases: Sequence[tuple[str, Mapping[Step, dt.date]]], start: dt.date, end: dt.date
                   ) -> dict[str, list[str]]:
    """Each figure's people (names), from (name, step dates) of every case: the three stages as they stood
    on ``end``, and those approved as 预备党员 (⑰) or 正式党员 (㉔) from ``start`` to ``end``."""
    people: dict[str, list[str]] = {key: [] for key in FIGURE_KEYS}
    for name, dates in cases:
        where = standing_on(dates, end)
        if where in ("applicants", "activists", "candidates"):
            people[where].append(name)
        for key, step in (("accepted", rules.MEMBER_STEP), ("confirmed", rules.FULL_MEMBER_STEP)):
            if step in dates and start <= dates[step] <= end:
                people[key].append(name)
    return people


def figures(people: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """What the return carries (``FIGURE_KEYS``)."""
    return {key: len(people[key]) for key in FIGURE_KEYS}


def check_figures(figures: Mapping[str, object]) -> dict[str, int]:
    """A return's recruitment figures as whole numbers ≥ 0 within bounds; a ValueError names the first wrong one."""
    if not isinstance(figures, Mapping):
        raise ValueError("发展党员工作情况不是一组数字")
    values = {}
    for key, label in FIGURES.items():
        if key not in figures:
            raise ValueError(f"发展党员工作情况缺少“{label}”")
        value = figures[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"发展党员工作情况的“{label}”不是非负整数：{value!r}")
        if value > MAX_PEOPLE:
            raise ValueError(f"发展党员工作情况的“{label}”为 {value}，不可能这么多")
        values[key] = value
    return values


def village_report(unit: str, day: dt.date, start: dt.date, end: dt.date, people: Mapping[str, Sequence[str]],
                   stem: str) -> Report:
    notes = ("注：入党申请人、入党积极分子、发展对象为季度末的人数，按发展党员台账中已完成的步骤计；"
             "接收预备党员、预备党员转正按上级党委审批的日期计入本季度。",)
    return named_counts_report(TITLE, period_text(start, end), unit, day, FIGURES, people, notes, SIGNATURE, SHEET,
                               stem, item_width=26, names_width=40)


def summary_report(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date,
                   villages: Sequence[tuple[str, Mapping[str, int] | None]], stem: str | None = None) -> Report:
    """The township's table: one line per village (None: a return without these figures, 未报送), 合计."""
    return count_summary_report(township, TITLE, unit, day, start, end, villages, FIGURES, SUMMARY_NOTES, SIGNATURE,
                                SHEET, stem)
