"""发展党员 (recruitment): the five stages and 25 steps of 《中国共产党发展党员工作细则》(2014), and the dated
rules checked as each step's date is entered.

Plain Python: no SQL, no Qt. ``services.recruitment`` keeps the cases and asks these rules. Each rule
is a function returning a ``Breach`` (its code, for scripts, and a Chinese message) or None; a breach can
be kept only with a reason (it happened; the ledger records history). Dates out of order are refused
outright (``DatesOutOfOrder``).

"One month", "three months" and "one year" are calendar spans (``add_months``: 1 March + 1 month is
1 April, 31 January + 1 month is 28/29 February), the way the 细则 and the clerk count them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.probation import add_months
from partybuild_desktop.domain.statistics import AGE_BANDS, YOUNG_AGE, age_at, age_band, education_group, ethnicity_group
from partybuild_desktop.domain.vocabulary import Education, Gender, Labelled, MemberCategory


class Stage(Labelled):
    """发展阶段"""

    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    ADMISSION = "admission", "预备党员接收"
    PROBATION = "probation", "预备党员教育考察和转正"


class Step(Labelled):
    """发展党员步骤"""

    APPLICATION = "application", "递交入党申请书"
    TALK = "talk", "党组织派人谈话"
    ACTIVIST_NAMED = "activist_named", "推荐和确定入党积极分子"
    ACTIVIST_FILED = "activist_filed", "入党积极分子报上级党委备案"
    CONTACTS = "contacts", "指定培养联系人"
    ACTIVIST_TRAINING = "activist_training", "培养教育考察"
    CANDIDATE_NAMED = "candidate_named", "确定发展对象"
    CANDIDATE_FILED = "candidate_filed", "发展对象报上级党委备案"
    INTRODUCERS = "introducers", "确定入党介绍人"
    POLITICAL_REVIEW = "political_review", "进行政治审查"
    TRAINING = "training", "开展集中培训"
    COMMITTEE_REVIEW = "committee_review", "支部委员会审查"
    PRE_REVIEW = "pre_review", "上级党委预审"
    APPLICATION_FORM = "application_form", "填写入党志愿书"
    ASSEMBLY = "assembly", "支部党员大会讨论"
    UPPER_TALK = "upper_talk", "上级党委派人谈话"
    APPROVAL = "approval", "上级党委审批"
    APPROVAL_FILED = "approval_filed", "再上一级党委组织部门备案"
    PLACED = "placed", "编入党支部和党小组"
    OATH = "oath", "入党宣誓"
    PROBATION_REVIEW = "probation_review", "继续教育考察"
    CONFIRM_APPLICATION = "confirm_application", "提出转正申请"
    CONFIRM_ASSEMBLY = "confirm_assembly", "支部党员大会讨论转正"
    CONFIRM_APPROVAL = "confirm_approval", "上级党委审批转正"
    ARCHIVED = "archived", "材料归档"

    @property
    def number(self) -> int:
        """1–25, as the 细则 numbers the steps."""
        return STEPS.index(self) + 1

    @property
    def stage(self) -> Stage:
        return STAGE_OF[self]

    @property
    def title(self) -> str:
        """``第17步上级党委审批``: a numeral every font holds (the circled ㉑–㉕ are missing from many)."""
        return f"第{self.number}步{self.label}"


STEPS: tuple[Step, ...] = tuple(Step)
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕"
_STAGE_STEPS = {
    Stage.APPLICANT: STEPS[0:2], Stage.ACTIVIST: STEPS[2:6], Stage.CANDIDATE: STEPS[6:11],
    Stage.ADMISSION: STEPS[11:18], Stage.PROBATION: STEPS[18:25],
}
STAGE_OF: dict[Step, Stage] = {step: stage for stage, steps in _STAGE_STEPS.items() for step in steps}


def stage_steps(stage: Stage) -> tuple[Step, ...]:
    return _STAGE_STEPS[stage]


def parse_step(text: str) -> Step:
    """A step as the clerk or a script names it: its code (``talk``), its number (``2``, ``②``) or its
    Chinese name (``党组织派人谈话``). ValueError in Chinese otherwise."""
    raw = (text or "").strip()
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= len(STEPS):
        return STEPS[int(raw) - 1]
    if len(raw) == 1 and raw in CIRCLED:
        return STEPS[CIRCLED.index(raw)]
    for step in STEPS:
        if raw in (step.value, step.label, step.title):
            return step
    raise ValueError(f"没有“{text}”这个步骤：请写步骤序号 1—25、中文名称或代码。")


# The step at which the person becomes a 预备党员 (a member is made) and a 正式党员.
MEMBER_STEP = Step.APPROVAL
FULL_MEMBER_STEP = Step.CONFIRM_APPROVAL

# ---------------------------------------------------------------------------------------- the rules' numbers

MIN_AGE = 18
TALK_WITHIN_MONTHS = 1
ACTIVIST_MIN_MONTHS = 12
REVIEW_EVERY_MONTHS = 6
MIN_CONTACTS, MAX_CONTACTS = 1, 2
INTRODUCERS_REQUIRED = 2
TRAINING_MIN_DAYS, TRAINING_MIN_HOURS = 3, 24
PUBLICITY_WORKING_DAYS = 5  # [local] a village setting; some places ask 7
APPROVAL_WITHIN_MONTHS, APPROVAL_SPECIAL_MONTHS = 3, 6
PROBATION_MONTHS = 12
DUE_SOON_DAYS = 14  # ``recruit_step_due``: a step due within this many days

# Breach codes (what scripts match on; the import's warning codes are the same words).
UNDER_18 = "under_18_at_application"
TALK_LATE = "talk_after_one_month"
ACTIVIST_SHORT = "activist_under_one_year"
REVIEW_GAP = "review_over_six_months"
CONTACTS_COUNT = "contacts_not_one_or_two"
INTRODUCERS_SHORT = "introducers_fewer_than_two"
TRAINING_SHORT = "training_too_short"
PUBLICITY_SHORT = "publicity_too_short"
ASSEMBLY_QUORUM = "assembly_quorum_not_met"
ASSEMBLY_VOTE = "assembly_vote_not_passed"
APPROVAL_LATE = "approval_after_three_months"
PROBATION_SHORT = "probation_not_one_year"
PROBATION_OVERDUE = "probation_overdue"
# Refusals that no reason can keep.
DATES_OUT_OF_ORDER = "dates_out_of_order"
DATE_IN_FUTURE = "date_in_future"

BREACH_CODES = (UNDER_18, TALK_LATE, ACTIVIST_SHORT, REVIEW_GAP, CONTACTS_COUNT, INTRODUCERS_SHORT, TRAINING_SHORT,
                PUBLICITY_SHORT, ASSEMBLY_QUORUM, ASSEMBLY_VOTE, APPROVAL_LATE, PROBATION_SHORT, PROBATION_OVERDUE)


@dataclass(frozen=True)
class Breach:
    """A rule broken: its code and what the rule says, in Chinese."""

    code: str
    message: str


class DatesOutOfOrder(Refusal):
    """A date before the step it follows (or after one that follows it): never kept."""

    code = DATES_OUT_OF_ORDER


# ---------------------------------------------------------------------------------------- dates


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years (周岁) on ``day``; one born on 29 February has their birthday on 1 March in other years."""
    years = day.year - birth.year
    birthday = (birth.month, birth.day)
    if birthday == (2, 29) and not _leap(day.year):
        birthday = (3, 1)
    return years - ((day.month, day.day) < birthday)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def working_days(start: dt.date, end: dt.date) -> int:
    """Monday to Friday from ``start`` to ``end``, both counted (public holidays are not known here)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    count += sum((weekday + i) % 7 < 5 for i in range(rest))
    return count


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The day on which ``count`` working days from ``start`` (counted) are complete."""
    day, seen = start, 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen >= count:
                return day
        day += dt.timedelta(days=1)


def check_order(earlier: dt.date | None, later: dt.date | None, earlier_label: str, later_label: str) -> None:
    """DatesOutOfOrder when ``later`` comes before ``earlier``."""
    if earlier is not None and later is not None and later < earlier:
        raise DatesOutOfOrder(f"{later_label}（{format_cn(later)}）早于{earlier_label}（{format_cn(earlier)}），"
                              "日期先后不对，请核对。")


# ---------------------------------------------------------------------------------------- the dated checks


def under_18_at_application(birth: dt.date | None, applied: dt.date) -> Breach | None:
    """年满十八岁 on the day the application was handed in."""
    if birth is None or age_on(birth, applied) >= MIN_AGE:
        return None
    return Breach(UNDER_18, f"递交入党申请书时（{format_cn(applied)}）未满 18 周岁（{format_cn(birth)}出生）："
                            "入党申请人应年满十八岁。")


def talk_after_one_month(applied: dt.date, talk: dt.date) -> Breach | None:
    """党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话."""
    latest = add_months(applied, TALK_WITHIN_MONTHS)
    if talk <= latest:
        return None
    return Breach(TALK_LATE, f"谈话（{format_cn(talk)}）超过了收到入党申请书（{format_cn(applied)}）后一个月"
                             f"（应不晚于{format_cn(latest)}）。")


def activist_under_one_year(activist_named: dt.date, candidate_named: dt.date) -> Breach | None:
    """经过一年以上培养教育和考察 before 确定为发展对象."""
    earliest = add_months(activist_named, ACTIVIST_MIN_MONTHS)
    if candidate_named >= earliest:
        return None
    return Breach(ACTIVIST_SHORT, f"确定为发展对象（{format_cn(candidate_named)}）时，确定为入党积极分子"
                                  f"（{format_cn(activist_named)}）还不满一年（应在{format_cn(earliest)}以后）。")


def review_over_six_months(activist_named: dt.date, reviews: Sequence[dt.date], until: dt.date) -> Breach | None:
    """党支部每半年对入党积极分子进行一次考察: from 确定积极分子 to ``until`` (确定发展对象), no gap of more
    than six months without a review."""
    previous = activist_named
    for day in [*sorted(d for d in reviews if activist_named <= d <= until), until]:
        if day > add_months(previous, REVIEW_EVERY_MONTHS):
            return Breach(REVIEW_GAP, f"{format_cn(previous)}到{format_cn(day)}之间超过半年没有对入党积极分子进行考察"
                                      "（应每半年考察一次）。")
        previous = day
    return None


def next_review_due(activist_named: dt.date, reviews: Sequence[dt.date]) -> dt.date:
    """When the next six-monthly review of an activist is due."""
    return add_months(max([activist_named, *reviews]), REVIEW_EVERY_MONTHS)


def contacts_not_one_or_two(count: int) -> Breach | None:
    """一至两名正式党员 as 培养联系人."""
    if MIN_CONTACTS <= count <= MAX_CONTACTS:
        return None
    return Breach(CONTACTS_COUNT, f"指定了 {count} 名培养联系人：应为一至两名正式党员。")


def introducers_fewer_than_two(count: int) -> Breach | None:
    """两名正式党员 as 入党介绍人."""
    if count >= INTRODUCERS_REQUIRED:
        return None
    return Breach(INTRODUCERS_SHORT, f"只有 {count} 名入党介绍人：应有两名正式党员作入党介绍人。")


def training_too_short(days: float | None, hours: float | None) -> Breach | None:
    """集中培训 at least three days or 24 学时."""
    if (days or 0) >= TRAINING_MIN_DAYS or (hours or 0) >= TRAINING_MIN_HOURS:
        return None
    have = "、".join(part for part in (f"{days:g} 天" if days else "", f"{hours:g} 学时" if hours else "") if part)
    return Breach(TRAINING_SHORT, f"集中培训只有{have or ' 0 学时'}：应不少于 3 天或 24 学时。")


def publicity_too_short(start: dt.date, end: dt.date, pre_review: dt.date,
                        required: int = PUBLICITY_WORKING_DAYS) -> Breach | None:
    """公示 of at least ``required`` working days (Monday to Friday) before 上级党委预审; the days from the
    预审 on do not count."""
    counted = working_days(start, min(end, pre_review - dt.timedelta(days=1)))
    if counted >= required:
        return None
    return Breach(PUBLICITY_SHORT, f"公示（{format_cn(start)}至{format_cn(end)}）在预审（{format_cn(pre_review)}）前只有 "
                                   f"{counted} 个工作日：应不少于 {required} 个工作日。")


def approval_after_three_months(assembly: dt.date, approval: dt.date) -> Breach | None:
    """上级党委 approves within three months of the 支部大会 (at most six in special cases, with the reason)."""
    latest = add_months(assembly, APPROVAL_WITHIN_MONTHS)
    if approval <= latest:
        return None
    special = add_months(assembly, APPROVAL_SPECIAL_MONTHS)
    beyond = ("，也超过了特殊情况下的六个月" if approval > special else "（特殊情况可延长至六个月，须写明原因）")
    return Breach(APPROVAL_LATE, f"上级党委审批（{format_cn(approval)}）超过了支部大会（{format_cn(assembly)}）后三个月"
                                 f"（应不晚于{format_cn(latest)}）{beyond}。")


def probation_not_one_year(joined: dt.date, confirm_assembly: dt.date) -> Breach | None:
    """转正 is discussed when the year of probation (from the 支部大会 that accepted the member) is over."""
    end = add_months(joined, PROBATION_MONTHS)
    if confirm_assembly >= end:
        return None
    return Breach(PROBATION_SHORT, f"支部大会讨论转正（{format_cn(confirm_assembly)}）时预备期还不满一年"
                                   f"（{format_cn(joined)}接收为预备党员，{format_cn(end)}期满）。")


def probation_overdue(probation_end: dt.date, confirm_assembly: dt.date | None, today: dt.date) -> Breach | None:
    """The year (and any extension) of probation has ended with no 转正 discussed, as of ``today``."""
    if confirm_assembly is not None or today <= probation_end:
        return None
    return Breach(PROBATION_OVERDUE, f"预备期已于{format_cn(probation_end)}期满，还没有召开支部大会讨论转正。")


# ---------------------------------------------------------------------------------------- what a rule reads

# What the rules of a step read besides its own date (other steps' dates, and what steps record: the
# people, the training, the 公示, the reviews). A correction re-checks the steps whose rules read what it
# changed, and only those.
RULE_READS: dict[Step, frozenset] = {
    Step.APPLICATION: frozenset({"birth"}),
    Step.TALK: frozenset({Step.APPLICATION}),
    Step.CONTACTS: frozenset({"contacts"}),
    Step.CANDIDATE_NAMED: frozenset({Step.ACTIVIST_NAMED, "reviews"}),
    Step.INTRODUCERS: frozenset({"introducers"}),
    Step.TRAINING: frozenset({"training"}),
    Step.PRE_REVIEW: frozenset({"publicity"}),
    Step.ASSEMBLY: frozenset(),
    Step.APPROVAL: frozenset({Step.ASSEMBLY}),
    Step.CONFIRM_ASSEMBLY: frozenset({Step.ASSEMBLY}),
    Step.CONFIRM_APPROVAL: frozenset({Step.CONFIRM_ASSEMBLY}),
}


def rechecked_by(changed: set) -> set[Step]:
    """The steps whose rules are to be checked again when ``changed`` (steps whose date moved, and
    "contacts", "introducers", "training", "publicity") is corrected."""
    return {step for step, reads in RULE_READS.items() if step in changed or reads & changed}


# ---------------------------------------------------------------------------------------- what is next


def next_step(done: Sequence[Step]) -> Step | None:
    """The first step not yet done (steps are done in order); None when all 25 are."""
    taken = set(done)
    return next((step for step in STEPS if step not in taken), None)


def stage_of_case(done: Sequence[Step]) -> Stage:
    """The stage of the last step done (a case starts at ① 递交入党申请书)."""
    last = max((STEPS.index(step) for step in done), default=0)
    return STEPS[last].stage


@dataclass(frozen=True)
class CaseDates:
    """What the due date of a case's next step is worked out from."""

    dates: dict[Step, dt.date]
    reviews: tuple[dt.date, ...] = ()
    publicity_end: dt.date | None = None
    probation_end: dt.date | None = None  # from the member's joined date and extensions


def due_date(case: CaseDates) -> dt.date | None:
    """When the next step is due: the talk a month after the application; an activist's next six-monthly
    review; the 预审 once the 公示 ends; the approval three months after its 支部大会; the 转正 discussion
    when the probation ends. None where the rules set no date."""
    dates = case.dates
    step = next_step(list(dates))
    if step is None:
        return None
    if step is Step.TALK:
        return add_months(dates[Step.APPLICATION], TALK_WITHIN_MONTHS)
    if step.stage is Stage.ACTIVIST or step is Step.CANDIDATE_NAMED:
        if Step.ACTIVIST_NAMED in dates:
            return next_review_due(dates[Step.ACTIVIST_NAMED], case.reviews)
        return None
    if step is Step.PRE_REVIEW:
        return case.publicity_end
    if step is Step.APPROVAL:
        return add_months(dates[Step.ASSEMBLY], APPROVAL_WITHIN_MONTHS)
    if step is Step.CONFIRM_APPROVAL:
        return add_months(dates[Step.CONFIRM_ASSEMBLY], APPROVAL_WITHIN_MONTHS)
    if Step.APPROVAL in dates and step.stage is Stage.PROBATION and STEPS.index(step) <= STEPS.index(
            Step.CONFIRM_ASSEMBLY):
        return case.probation_end
    return None


# ---------------------------------------------------------------------------------------- the annual statistics
# 党内统计年报's 发展党员情况 and 预备党员转正情况, counted from the cases and the members they made (and the
# 预备党员 entered directly in the member list). Plain data in, counts out; ``services.recruitment``
# reads the people and ``reports.tables.annual_statistics`` prints the counts.


@dataclass(frozen=True)
class Newcomer:
    """One person accepted as a 预备党员 (发展党员): made through a case (``approved``: ⑰) or entered in
    the member list with a 入党 date and no case."""

    name: str
    gender: Gender | None
    ethnicity: str | None
    birth_date: dt.date | None
    education: Education | None
    category: MemberCategory | None
    joined: dt.date | None  # the 支部大会 that accepted them (入党时间)
    approved: dt.date | None  # ⑰ 上级党委审批, where a case records it

    @property
    def counted_on(self) -> dt.date | None:
        """The day the person counts as 发展 on: the approval where a case records it (as the quarterly
        return counts), else the 入党 date."""
        return self.approved or self.joined


@dataclass(frozen=True)
class Probationer:
    """A 预备党员 at some time: when accepted, when the probation ends (with its extensions), the
    extensions decided, the 转正 discussion and the day they became 正式 (㉔ where a case records it,
    else the member's 转正 date), and the day they left the register, if they did."""

    name: str
    joined: dt.date
    end: dt.date
    extensions: tuple[dt.date, ...] = ()
    confirm_assembly: dt.date | None = None
    confirmed: dt.date | None = None
    left: dt.date | None = None


NEWCOMER_BREAKDOWNS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("性别", (("gender_male", "男"), ("gender_female", "女"), ("gender_unknown", "未填"))),
    ("民族", (("ethnicity_han", "汉族"), ("ethnicity_minority", "少数民族"), ("ethnicity_unknown", "未填"))),
    ("学历", (*((f"education_{e.value}", e.label) for e in Education), ("education_unknown", "未填"))),
    ("党员类别", (*((f"category_{c.value}", c.label.removesuffix("党员")) for c in MemberCategory),
               ("category_unknown", "未填"))),
    ("入党时年龄", (*((f"age_{b.key}", b.label) for b in AGE_BANDS), ("age_unknown", "未填"))),
)
NEWCOMER_KEYS: tuple[str, ...] = ("total", "young", *(key for _, parts in NEWCOMER_BREAKDOWNS for key, _ in parts))
PROBATION_KEYS: tuple[str, ...] = ("confirmed", "on_time", "after_extension", "extended", "at_end", "overdue_at_end")


def newcomer_groups(person: Newcomer) -> tuple[str, ...]:
    """The count keys one newcomer falls under, one per breakdown (and ``young``: 35 or under when accepted)."""
    joined = person.joined or person.approved
    band = age_band(person.birth_date, joined) if joined else "unknown"
    keys = (
        f"gender_{person.gender.value}" if person.gender else "gender_unknown",
        f"ethnicity_{ethnicity_group(person.ethnicity)}",
        f"education_{education_group(person.education)}",
        f"category_{MemberCategory(person.category).value}" if person.category else "category_unknown",
        f"age_{band}",
    )
    young = person.birth_date is not None and joined is not None and age_at(person.birth_date, joined) <= YOUNG_AGE
    return (*keys, "young") if young else keys


def accepted_in(people: Sequence[Newcomer], start: dt.date, end: dt.date) -> list[Newcomer]:
    return [p for p in people if p.counted_on is not None and start <= p.counted_on <= end]


def newcomer_counts(people: Sequence[Newcomer], start: dt.date, end: dt.date) -> dict[str, int]:
    """发展党员 from ``start`` to ``end``: the total and each breakdown (each adds up to the total)."""
    counts = dict.fromkeys(NEWCOMER_KEYS, 0)
    for person in accepted_in(people, start, end):
        counts["total"] += 1
        for key in newcomer_groups(person):
            counts[key] += 1
    return counts


def probation_states(person: Probationer, start: dt.date, end: dt.date) -> set[str]:
    """What one 预备党员 counts under from ``start`` to ``end`` (``PROBATION_KEYS``)."""
    found = set()
    if person.confirmed is not None and start <= person.confirmed <= end:
        found.add("confirmed")
        found.add("after_extension" if any(d <= person.confirmed for d in person.extensions) else "on_time")
    if any(start <= d <= end for d in person.extensions):
        found.add("extended")
    still = (person.joined <= end and (person.confirmed is None or person.confirmed > end)
             and (person.left is None or person.left > end))
    if still:
        found.add("at_end")
        if person.end < end and (person.confirm_assembly is None or person.confirm_assembly > end):
            found.add("overdue_at_end")
    return found


def probation_counts(people: Sequence[Probationer], start: dt.date, end: dt.date) -> dict[str, int]:
    """预备党员转正 from ``start`` to ``end``: 转为正式党员 (按期, after an extension), 延长预备期 decided,
    预备党员 on the register at ``end`` and those of them whose probation had ended with no 转正 discussed."""
    counts = dict.fromkeys(PROBATION_KEYS, 0)
    for person in people:
        for key in probation_states(person, start, end):
            counts[key] += 1
    return counts
