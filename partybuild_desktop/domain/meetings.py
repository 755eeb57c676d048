"""组织生活: the kinds of meeting, who is due, quorum and votes, what each period requires, 民主评议's
grades and cap, and the yearly study hours (支部工作条例 2018; 党员教育管理工作条例 2019; 选举工作条例 2020).

Plain Python: no SQL, no Qt. ``services.meetings`` gathers the rows and asks these rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from partybuild_desktop.domain.vocabulary import Labelled


class MeetingKind(Labelled):
    """会议类型"""

    BRANCH_ASSEMBLY = "branch_assembly", "支部党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life_meeting", "组织生活会"
    # 三个一 (seed 001): the Spring Festival 座谈会 of the members away, held while they are home; those due
    # are the members with an open stint that day. Not in the due list (``DUE_KINDS``): it is once a year,
    # at 春节, and the return's 三会一课 counts stay as they were.
    MIGRANT_FORUM = "migrant_forum", "流动党员座谈会"


# 民主评议 is due like a meeting (once a year) but is recorded as grades: the due list names it so.
REVIEW_KIND = "review"
REVIEW_LABEL = "民主评议党员"


class Attendance(Labelled):
    """出席情况"""

    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"
    ELSEWHERE = "elsewhere", "在流入地参加"
    EXCUSED = "excused", "不计应到"


# Took part in the branch's organisational life (writes the 纪实本 line, with the hours).
ATTENDED = frozenset({Attendance.PRESENT, Attendance.ELSEWHERE})
# A reason must be given (请假原因, why left out of 应到).
NEEDS_REASON = frozenset({Attendance.LEAVE, Attendance.EXCUSED})

# Reasons offered in the attendance list; any other may be typed.
LEAVE_REASONS = ("外出务工", "生病", "家中有事", "年老体弱行动不便", "工作冲突")
EXCUSED_REASONS = ("长期卧床", "服刑", "出国半年以上", "流动且应转未转组织关系", "丧失表达能力")


class Frequency(Labelled):
    """应开频次"""

    MONTHLY = "monthly", "每月1次"
    QUARTERLY = "quarterly", "每季度1次"
    HALF_YEARLY = "half_yearly", "每半年1次"
    YEARLY = "yearly", "每年1次"
    NONE = "none", "不作要求"

    @property
    def months(self) -> int:
        """How many months one required meeting covers (0: none required)."""
        return {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12, "none": 0}[self.value]


# The defaults of the rules; each is a village setting.
DEFAULT_FREQUENCIES: dict[str, Frequency] = {
    MeetingKind.BRANCH_ASSEMBLY.value: Frequency.QUARTERLY,
    MeetingKind.COMMITTEE.value: Frequency.MONTHLY,
    MeetingKind.GROUP.value: Frequency.MONTHLY,
    MeetingKind.LECTURE.value: Frequency.QUARTERLY,
    MeetingKind.THEME_DAY.value: Frequency.MONTHLY,
    MeetingKind.LIFE_MEETING.value: Frequency.YEARLY,
    REVIEW_KIND: Frequency.YEARLY,
}
DUE_KINDS = tuple(DEFAULT_FREQUENCIES)  # the order of the due list


def kind_label(kind: str) -> str:
    return REVIEW_LABEL if kind == REVIEW_KIND else MeetingKind(kind).label


# A branch with fewer 正式党员 than this has a 书记 and no 支委会 (支部工作条例 第八条).
COMMITTEE_MIN_FULL_MEMBERS = 7


def has_committee(full_members: int) -> bool:
    return full_members >= COMMITTEE_MIN_FULL_MEMBERS


# ---------------------------------------------------------------------------------------- attendance


@dataclass(frozen=True)
class Attendee:
    """One member on a meeting's list: ``voting`` for a 正式党员 (预备党员 have no vote); ``frail`` for a
    年老体弱 member, whose absence never counts against them (不作硬性要求)."""

    member_id: int
    status: Attendance
    voting: bool
    frail: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Turnout:
    """应到 / 实到 / 请假 / 缺席 and the voting members among them. 在流入地参加 counts as 实到 (the member
    took part) but not as a vote here; 不计应到 is left out of 应到."""

    due: int
    present: int
    leave: int
    absent: int
    elsewhere: int
    excused: int
    voting_due: int
    voting_present: int

    @property
    def voting_quorum(self) -> bool:
        """有表决权的党员到会超过半数."""
        return 2 * self.voting_present > self.voting_due

    @property
    def quorum(self) -> bool:
        """More than half of those due present (a 支委会: of the committee)."""
        return 2 * self.present > self.due


def turnout(attendees: Iterable[Attendee]) -> Turnout:
    counts = {status: 0 for status in Attendance}
    voting_due = voting_present = 0
    for a in attendees:
        counts[a.status] += 1
        if a.voting and a.status is not Attendance.EXCUSED:
            voting_due += 1
            voting_present += a.status is Attendance.PRESENT
    excused = counts[Attendance.EXCUSED]
    due = sum(counts.values()) - excused
    present = counts[Attendance.PRESENT] + counts[Attendance.ELSEWHERE]
    return Turnout(due, present, counts[Attendance.LEAVE], counts[Attendance.ABSENT], counts[Attendance.ELSEWHERE],
                   excused, voting_due, voting_present)


def quorum_met(kind: MeetingKind, result: Turnout) -> bool:
    """A 支部党员大会 counts the voting members present; every other meeting more than half of those due
    (for a 支委会 the list is the committee)."""
    if kind is MeetingKind.BRANCH_ASSEMBLY:
        return result.voting_quorum
    return result.quorum


def quorum_text(kind: MeetingKind, result: Turnout) -> str:
    """``应到 32 人，实到 30 人；有表决权 28 人，到会 27 人，超过半数``."""
    text = f"应到 {result.due} 人，实到 {result.present} 人"
    if result.leave:
        text += f"，请假 {result.leave} 人"
    if result.absent:
        text += f"，缺席 {result.absent} 人"
    if result.excused:
        text += f"（另有 {result.excused} 人经批准不计应到）"
    if kind is MeetingKind.BRANCH_ASSEMBLY:
        met = "超过半数，可以表决" if result.voting_quorum else "未超过半数，不能表决"
        text += f"；有表决权 {result.voting_due} 人，到会 {result.voting_present} 人，{met}"
    elif kind is MeetingKind.COMMITTEE:
        text += "，超过半数" if result.quorum else "，未超过半数"
    return text


def check_reasons(attendees: Sequence[Attendee], names: dict[int, str]) -> list[str]:
    """Each 请假 and 不计应到 needs its reason."""
    return [f"“{names.get(a.member_id, a.member_id)}”{a.status.label}，请填写原因"
            for a in attendees if a.status in NEEDS_REASON and not a.reason.strip()]


# ---------------------------------------------------------------------------------------- votes


@dataclass(frozen=True)
class Vote:
    """表决情况 of one decision."""

    agree: int
    against: int
    abstain: int

    @property
    def cast(self) -> int:
        return self.agree + self.against + self.abstain


def vote_passes(vote: Vote, voting_due: int) -> bool:
    """A decision passes with more than half of those due to vote (应到会有表决权), not of those present."""
    return 2 * vote.agree > voting_due


def check_vote(vote: Vote, voting_present: int) -> str | None:
    if min(vote.agree, vote.against, vote.abstain) < 0:
        return "票数不能为负数"
    if vote.cast > voting_present:
        return f"赞成、反对、弃权合计 {vote.cast} 票，多于到会的有表决权党员 {voting_present} 人"
    return None


# ---------------------------------------------------------------------------------------- what is due


@dataclass(frozen=True)
class Span:
    """A period asked about: a month, a quarter or a year."""

    start: dt.date
    end: dt.date
    label: str  # 2026Q3, 2026-07, 2026

    @property
    def title(self) -> str:
        if len(self.label) == 4:
            return f"{self.label}年"
        if "Q" in self.label:
            return f"{self.start.year}年第{'一二三四'[int(self.label[-1]) - 1]}季度"
        return f"{self.start.year}年{self.start.month}月"


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def parse_span(text: str) -> Span:
    """``2026``, ``2026Q3`` or ``2026-07``; ValueError with a Chinese message otherwise."""
    raw = (text or "").strip().upper()
    try:
        if len(raw) == 4 and raw.isdigit():
            year = int(raw)
            span = Span(dt.date(year, 1, 1), dt.date(year, 12, 31), raw)
        elif len(raw) == 6 and raw[4] == "Q" and raw[:4].isdigit() and raw[5] in "1234":
            year, quarter = int(raw[:4]), int(raw[5])
            span = Span(dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), raw)
        elif len(raw) == 7 and raw[4] == "-" and raw[:4].isdigit() and raw[5:].isdigit() and 1 <= int(raw[5:]) <= 12:
            year, month = int(raw[:4]), int(raw[5:])
            span = Span(dt.date(year, month, 1), _month_end(year, month), raw)
        else:
            raise ValueError
        if not 2000 <= span.start.year <= 2100:
            raise ValueError
    except ValueError:
        raise ValueError(f"期间“{text}”的写法不对，请写成 2026（全年）、2026Q3（季度）或 2026-07（月份）。") from None
    return span


def frequency_periods(frequency: Frequency, span: Span) -> list[tuple[dt.date, dt.date]]:
    """The periods of ``frequency`` (each needing one meeting) that end within ``span``; a period may
    begin before it (a yearly requirement is judged in the span holding December)."""
    size = frequency.months
    if not size:
        return []
    periods = []
    year = span.start.year
    for year in range(span.start.year, span.end.year + 1):
        for first in range(1, 13, size):
            start = dt.date(year, first, 1)
            end = _month_end(year, first + size - 1)
            if span.start <= end <= span.end:
                periods.append((start, end))
    return periods


@dataclass(frozen=True)
class DueItem:
    kind: str  # a MeetingKind code, or REVIEW_KIND
    group: str | None  # the party group, for 党小组会
    required: int
    held: int
    missing: int
    # The periods that ended (by ``as_of``) short of their meeting: what the alert names.
    missed_periods: tuple[tuple[dt.date, dt.date], ...] = ()

    @property
    def label(self) -> str:
        return kind_label(self.kind) + (f"（{self.group}）" if self.group else "")

    def to_json(self) -> dict:
        return {"kind": self.kind, "group": self.group, "required": self.required, "held": self.held,
                "missing": self.missing}


def due_item(kind: str, group: str | None, frequency: Frequency, span: Span, dates: Sequence[dt.date],
             as_of: dt.date) -> DueItem:
    """One kind's requirement in ``span``: one meeting per frequency period ending in it; ``held`` counts
    the meetings from the first such period's start (or the span's) to the span's end; a period is
    missing its meeting when none falls inside it."""
    periods = frequency_periods(frequency, span)
    start = min([span.start] + [p[0] for p in periods])
    held = sum(start <= day <= span.end for day in dates)
    short = [p for p in periods if not any(p[0] <= day <= p[1] for day in dates)]
    missed = tuple(p for p in short if p[1] < as_of)
    return DueItem(kind, group, len(periods), held, len(short), missed)


def period_text(period: tuple[dt.date, dt.date]) -> str:
    """``2026年3月``, ``2026年第二季度``, ``2026年上半年``, ``2026年``."""
    start, end = period
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return f"{start.year}年{start.month}月"
    if months == 3:
        return f"{start.year}年第{'一二三四'[(start.month - 1) // 3]}季度"
    if months == 6:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    return f"{start.year}年"


def months_without(attended_months: set[tuple[int, int]], first: tuple[int, int], last: tuple[int, int]) -> int:
    """How many months, ending at ``last`` and going back no further than ``first`` ((year, month) pairs),
    went by in a row without organisational life."""
    run = 0
    year, month = last
    while (year, month) >= first and (year, month) not in attended_months:
        run += 1
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return run


# 党章第九条: six months in a row without 组织生活 (without good reason) is treated as leaving the party.
NO_LIFE_NOTICE_MONTHS = 3
NO_LIFE_SERIOUS_MONTHS = 6


# ---------------------------------------------------------------------------------------- 民主评议


class ReviewGrade(Labelled):
    """评议等次"""

    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


DISPOSALS = ("限期改正", "劝其退党", "党内除名", "给予党纪处分", "停止党籍")


def excellent_cap(full_members: int) -> int:
    """优秀 at most one third of the 正式党员 graded, rounded down."""
    return max(full_members, 0) // 3


# ---------------------------------------------------------------------------------------- study hours

STUDY_HOURS_REQUIRED = 32
STUDY_HOURS_REQUIRED_LEADERS = 56  # 书记 and committee members
STUDY_ALERT_FROM_MONTH = 10  # ``study_hours_short`` is raised from 1 October


def required_study_hours(leader: bool) -> int:
    return STUDY_HOURS_REQUIRED_LEADERS if leader else STUDY_HOURS_REQUIRED


def short_of_hours(hours: float, required: int) -> bool:
    return round(hours, 4) < required
