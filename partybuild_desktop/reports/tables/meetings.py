"""组织生活's printouts: one meeting's 会议记录, the year's 三会一课登记簿, 党员参加组织生活情况表 (each
member × month), 党员学习学时统计表 and 民主评议党员结果.

Each table is a ``TableSpec`` the xlsx and pdf writers share. The rows come from ``services.meetings``
(``MeetingRecord``, ``MeetingRow``, ``DueMember``, ``StudyRow``, ``ReviewSheet``); nothing here reads the
database. Nothing here prints an ID number, a phone number or an address: these go on the notice board
and into the township's files, and none of them needs one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.meetings import (
    ATTENDED,
    STUDY_HOURS_REQUIRED,
    STUDY_HOURS_REQUIRED_LEADERS,
    Attendance,
    MeetingKind,
    ReviewGrade,
    quorum_text,
)
from partybuild_desktop.domain.vocabulary import Standing
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

MINUTES_TITLE = "会议记录"
REGISTER_TITLE = "三会一课登记簿"
ATTENDANCE_TITLE = "党员参加组织生活情况表"
STUDY_TITLE = "党员学习学时统计表"
REVIEW_TITLE = "民主评议党员结果"

MINUTES_SIGNATURE = "主持人（签字）：____________　　　　记录人（签字）：____________"
SECRETARY_SIGNATURE = "党组织书记签字：____________　　　　（盖章）"
FRAIL = "年老体弱"
NOT_REQUIRED = "不作硬性要求"
FRAIL_NOTE = f"{FRAIL}，{NOT_REQUIRED}"
NOT_GRADED = "参加评议，不评定等次"
NOT_YET_GRADED = "尚未评定"
NONE = "无"
DISPOSAL_MISSING = "待登记"  # a 不合格 whose 处置 is not recorded yet
# A paragraph of the minutes longer than this goes on several rows: a spreadsheet row holds at most
# 409 points (about 27 lines), and a PDF table row cannot continue on the next page.
MINUTES_CHUNK = 480
# The kinds whose quorum the rules check (a 支部党员大会: the voting members; a 支委会: the committee).
QUORUM_KINDS = (MeetingKind.BRANCH_ASSEMBLY, MeetingKind.COMMITTEE)

# 党员参加组织生活情况表: what a month's cell says.
MARK_ATTENDED = "√"
MARK_LEAVE = "假"
MARK_ABSENT = "缺"
MARK_NOT_REQUIRED = "○"  # a frail member who did not come: not counted against them
MARK_EXCUSED = "免"
ATTENDANCE_LEGEND = (
    f"说明：{MARK_ATTENDED} 参加（含在流入地参加），{MARK_ATTENDED}2 即当月参加2次；{MARK_LEAVE} 请假；"
    f"{MARK_ABSENT} 无故缺席；{MARK_NOT_REQUIRED} 年老体弱党员未参加，不作硬性要求，不计请假、缺席；"
    f"{MARK_EXCUSED} 经批准不计应到；空白为当月没有其应参加的会议。"
)


def hours_text(value: float | None) -> str:
    return f"{value:g}" if value else ""


def _serial() -> Column:
    return Column("序号", "no", 5, kind="number", align="center", total=False)


def _count(header: str, key: str, width: float = 5, group: str | None = None, total: bool = True) -> Column:
    return Column(header, key, width, kind="number", align="center", group=group, total=total)


def _name() -> Column:
    return Column("姓名", "name", 9, align="center")


def _group() -> Column:
    return Column("党小组", "party_group", 11, align="center")


def _spec(title: str, sheet: str, unit: str, day: dt.date | None, columns, notes: Sequence[str] = (),
          orientation: str = "portrait", signature: str | None = SECRETARY_SIGNATURE,
          totals_label: str | None = None) -> TableSpec:
    return TableSpec(title=title, columns=tuple(columns), orientation=orientation, unit=unit, date=day,
                     notes=tuple(notes), signature=signature, totals_label=totals_label, sheet_name=sheet)


def _names(rows: Iterable, with_reason: bool = False, plain: bool = False) -> str:
    """``张三、李四（外出务工）、王五（年老体弱，不作硬性要求）``; ``plain``: the names alone."""
    parts = []
    for row in rows:
        if plain:
            parts.append(row.name)
            continue
        notes = [row.reason] if with_reason and row.reason else []
        if row.frail and row.status not in ATTENDED and row.status is not Attendance.EXCUSED:
            # A reason of 年老体弱行动不便 says the first half already.
            notes.append(NOT_REQUIRED if any(FRAIL in note for note in notes) else FRAIL_NOTE)
        if row.status is Attendance.ELSEWHERE and not with_reason:
            notes.append(Attendance.ELSEWHERE.label)
        parts.append(row.name + (f"（{'；'.join(notes)}）" if notes else ""))
    return "、".join(parts)


def _people(count: int, rows: Iterable, with_reason: bool = False, plain: bool = False) -> str:
    names = _names(rows, with_reason, plain)
    return f"{count} 人：{names}" if names else f"{count} 人"


# ---------------------------------------------------------------------------------------- 会议记录


def minutes_title(kind: MeetingKind) -> str:
    return f"{MeetingKind(kind).label}{MINUTES_TITLE}"


def meeting_subject(record) -> str:
    """What one meeting's file is about: ``2026年11月5日主题党日`` (党小组会: with the group)."""
    group = record.party_group if record.kind is MeetingKind.GROUP and record.party_group else ""
    return f"{format_cn(record.date)}{group}{record.kind.label}"


def _chunks(text: str) -> list[str]:
    """The minutes as rows: one per paragraph, a long paragraph cut at ``MINUTES_CHUNK`` characters."""
    rows = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        while len(paragraph) > MINUTES_CHUNK:
            rows.append(paragraph[:MINUTES_CHUNK])
            paragraph = paragraph[MINUTES_CHUNK:]
        if paragraph:
            rows.append(paragraph)
    return rows


def decision_text(number: int, decision, voting_due: int, assembly: bool) -> str:
    """``1. 同意……\n表决：赞成 20 票，反对 1 票，弃权 0 票；通过（……）``; ``decision``: a ``DecisionRow``."""
    text = f"{number}. {decision.text}"
    if decision.vote is None:
        return text + "\n（未表决）"
    vote = decision.vote
    who = "应到会有表决权党员" if assembly else "应到会人员"
    verdict = "通过" if decision.passed else "未通过"
    reason = "超过" if decision.passed else "未超过"
    return (text + f"\n表决：赞成 {vote.agree} 票，反对 {vote.against} 票，弃权 {vote.abstain} 票；"
                   f"{verdict}（赞成票{reason}{who} {voting_due} 人的半数）")


def minutes_rows(record) -> list[dict]:
    """The 会议记录's lines; ``record``: a ``services.meetings.MeetingRecord``."""
    kind, result = record.kind, record.turnout
    when = format_cn(record.date) + (f" {record.time}" if record.time else "")
    rows: list[tuple[str, str]] = [("会议类型", kind.label)]
    if kind is MeetingKind.GROUP:
        rows.append(("党小组", record.party_group or ""))
    rows += [
        ("时间", when),
        ("地点", record.place or ""),
        ("主持人", record.host or ""),
        ("记录人", record.recorder or ""),
        ("议题", record.topic),
        ("应到", _people(result.due, [a for a in record.attendance if a.status is not Attendance.EXCUSED],
                         plain=True)),
        ("实到", _people(result.present, record.with_status(*ATTENDED))),
        ("请假", _people(result.leave, record.with_status(Attendance.LEAVE), with_reason=True)),
        ("缺席", _people(result.absent, record.with_status(Attendance.ABSENT))),
        ("在流入地参加", _people(result.elsewhere, record.with_status(Attendance.ELSEWHERE), plain=True)),
        ("不计应到", _people(result.excused, record.with_status(Attendance.EXCUSED), with_reason=True)),
        ("列席人员", record.attendees_note or NONE),
        ("到会情况", quorum_text(kind, result) + "。"),
        ("学时", f"{hours_text(record.hours)} 学时（计入参加人员的学习学时）" if record.hours else "不计学时"),
    ]
    content = _chunks(record.minutes or "")
    rows += [("会议内容" if i == 0 else "", text) for i, text in enumerate(content)] or [("会议内容", "")]
    assembly = kind is MeetingKind.BRANCH_ASSEMBLY
    voting_due = result.voting_due if assembly else result.due
    decisions = [decision_text(n, d, voting_due, assembly) for n, d in enumerate(record.decisions, start=1)]
    rows += [("决议事项" if i == 0 else "", text) for i, text in enumerate(decisions)] or [("决议事项", NONE)]
    if record.attachments:
        names = "、".join(a.name for a in record.attachments)
        rows.append(("附件", f"{names}（共 {len(record.attachments)} 个，保存在数据文件中）"))
    return [{"label": label, "value": value} for label, value in rows]


def minutes_report(record, unit: str, stem: str) -> Report:
    spec = TableSpec(
        title=minutes_title(record.kind),
        columns=(Column("项目", "label", 14, align="center"), Column("内容", "value", 72)),
        subtitle=f"党组织：{unit}",
        signature=MINUTES_SIGNATURE,
        sheet_name=MINUTES_TITLE,
    )
    return Report(stem, [Table(spec, minutes_rows(record))])


# ---------------------------------------------------------------------------------------- 三会一课登记簿


def register_summary(rows: Sequence) -> str:
    if not rows:
        return "本年度尚未登记会议。"
    counts = Counter(r.kind for r in rows)
    parts = "、".join(f"{kind.label} {counts[kind]} 次" for kind in MeetingKind if counts[kind])
    return f"本年度共登记会议 {len(rows)} 次：{parts}。"


def register_report(rows: Sequence, unit: str, year: int, day: dt.date, stem: str) -> Report:
    """``rows``: ``services.meetings.MeetingRow``s of the year, in date order."""
    spec = _spec(
        f"{year}年度{REGISTER_TITLE}", REGISTER_TITLE, unit, day, orientation="landscape",
        notes=(register_summary(rows),
               "注：“是否达到法定人数”只对支部党员大会（有表决权的党员到会超过半数）和支部委员会（委员到会超过半数）填写；"
               "实到含在流入地参加的流动党员。"),
        columns=(
            _serial(),
            Column("日期", "date", 11, kind="date"),
            Column("会议类型", "kind", 12, align="center"),
            _group(),
            Column("议题", "topic", 36),
            Column("主持人", "host", 8, align="center"),
            Column("记录人", "recorder", 8, align="center"),
            _count("应到", "due", group="人数"),
            _count("实到", "present", group="人数"),
            _count("请假", "leave", group="人数"),
            _count("缺席", "absent", group="人数"),
            _count("学时", "hours"),
            Column("是否达到法定人数", "quorum", 9, align="center"),
        ),
    )
    table_rows = [{
        "no": n, "date": r.date, "kind": r.kind.label, "party_group": r.party_group or "", "topic": r.topic,
        "host": r.host or "", "recorder": r.recorder or "", "due": r.turnout.due, "present": r.turnout.present,
        "leave": r.turnout.leave, "absent": r.turnout.absent, "hours": r.hours or None,
        "quorum": ("是" if r.quorum else "否") if r.kind in QUORUM_KINDS else "",
    } for n, r in enumerate(rows, start=1)]
    return Report(stem, [Table(spec, table_rows)])


# ---------------------------------------------------------------------------------------- 参加组织生活情况表


def _mark(symbol: str, count: int) -> str:
    return "" if not count else symbol if count == 1 else f"{symbol}{count}"


def month_tally(members: Sequence, records: Iterable) -> dict[int, dict[int, Counter]]:
    """member id → month → how often each mark applies; a frail member who was on leave or absent is
    counted as not required. ``records``: ``MeetingRecord``s; ``members``: ``DueMember``s."""
    wanted = {m.id for m in members}
    tally: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for record in records:
        for a in record.attendance:
            if a.member_id not in wanted:
                continue
            if a.status in ATTENDED:
                mark = MARK_ATTENDED
            elif a.status is Attendance.EXCUSED:
                mark = MARK_EXCUSED
            elif a.frail:
                mark = MARK_NOT_REQUIRED
            else:
                mark = MARK_LEAVE if a.status is Attendance.LEAVE else MARK_ABSENT
            tally[a.member_id][record.date.month][mark] += 1
    return tally


_MARKS = (MARK_ATTENDED, MARK_LEAVE, MARK_ABSENT, MARK_NOT_REQUIRED, MARK_EXCUSED)


def cell_text(counts: Counter) -> str:
    return "".join(_mark(symbol, counts[symbol]) for symbol in _MARKS)


def attendance_report(members: Sequence, records: Sequence, unit: str, year: int, day: dt.date, stem: str) -> Report:
    """``members``: the branch's current members (``DueMember``); ``records``: the year's meetings."""
    tally = month_tally(members, records)
    month_columns = [Column(f"{m}月", f"m{m}", 5, align="center", group="各月参加情况") for m in range(1, 13)]
    spec = _spec(
        f"{year}年度{ATTENDANCE_TITLE}", ATTENDANCE_TITLE, unit, day, orientation="landscape",
        notes=(ATTENDANCE_LEGEND,
               f"注：本表按{year}年登记的会议统计（三会一课、主题党日、组织生活会）；“不作要求”为年老体弱党员未参加的次数，"
               "不作为缺席看待。"),
        totals_label="合计",
        columns=(
            _serial(), _name(), _group(), *month_columns,
            _count("参加", "attended", 5, "全年（次）"),
            _count("请假", "leave", 5, "全年（次）"),
            _count("缺席", "absent", 5, "全年（次）"),
            _count("不作要求", "not_required", 6, "全年（次）"),
            Column("备注", "remark", 14),
        ),
    )
    rows = []
    for n, m in enumerate(members, start=1):
        months = tally.get(m.id, {})
        total = sum(months.values(), Counter())
        remark = [FRAIL_NOTE] if m.frail else []
        if m.standing is Standing.PROBATIONARY:
            remark.append(Standing.PROBATIONARY.label)
        if m.migrant:
            remark.append("流动党员")
        rows.append({
            "no": n, "name": m.name, "party_group": m.party_group or "",
            **{f"m{month}": cell_text(months.get(month, Counter())) for month in range(1, 13)},
            "attended": total[MARK_ATTENDED], "leave": total[MARK_LEAVE], "absent": total[MARK_ABSENT],
            "not_required": total[MARK_NOT_REQUIRED], "remark": "；".join(remark),
        })
    return Report(stem, [Table(spec, rows)])


# ---------------------------------------------------------------------------------------- 学习学时统计表


def study_summary(rows: Sequence) -> str:
    short = [r for r in rows if r.short]
    text = f"共 {len(rows)} 名党员，达到要求 {len(rows) - len(short)} 人，未达到要求 {len(short)} 人"
    if short:
        text += "：" + "、".join(r.name for r in short)
    return text + "。"


def study_report(rows: Sequence, unit: str, year: int, day: dt.date, stem: str) -> Report:
    """``rows``: ``services.meetings.StudyRow``s."""
    spec = _spec(
        f"{year}年度{STUDY_TITLE}", STUDY_TITLE, unit, day,
        notes=(study_summary(rows),
               f"注：党员每年学习不少于 {STUDY_HOURS_REQUIRED} 学时，村党组织书记和班子成员不少于 "
               f"{STUDY_HOURS_REQUIRED_LEADERS} 学时（党员教育管理工作条例第二十条）；学时来自组织生活和政治学习纪实。"),
        columns=(
            _serial(), _name(), _group(),
            Column("是否班子成员", "leader", 8, align="center"),
            _count("学时", "hours", 7, total=False),
            _count("要求", "required", 6, total=False),
            _count("差额", "lacking", 6, total=False),
            Column("是否达标", "met", 8, align="center"),
        ),
    )
    table_rows = [{
        "no": n, "name": r.name, "party_group": r.party_group or "", "leader": "是" if r.leader else "否",
        "hours": round(r.hours, 2), "required": r.required, "lacking": r.lacking or None,
        "met": "未达标" if r.short else "达标",
    } for n, r in enumerate(rows, start=1)]
    return Report(stem, [Table(spec, table_rows)])


# ---------------------------------------------------------------------------------------- 民主评议党员结果


def review_counts_text(sheet) -> str:
    """How many of each grade, and who is not graded."""
    counts = sheet.counts()
    graded = [r for r in sheet.rows if r.gradable]
    waiting = sum(r.grade is None for r in graded)
    probationary = len(sheet.rows) - len(graded)
    text = f"正式党员 {len(graded)} 人：" + "、".join(f"{grade.label} {counts[grade]} 人" for grade in ReviewGrade)
    if waiting:
        text += f"、{NOT_YET_GRADED} {waiting} 人"
    text += f"；预备党员 {probationary} 人参加评议，不评定等次。"
    return text


def review_cap_text(sheet) -> str:
    return (f"优秀不超过正式党员的三分之一：正式党员 {sheet.full_members} 人，优秀最多 {sheet.cap} 人，"
            f"本次评定优秀 {sheet.excellent} 人。")


def review_report(sheet, unit: str, day: dt.date, stem: str) -> Report:
    """``sheet``: a ``services.meetings.ReviewSheet``."""
    spec = _spec(
        f"{sheet.year}年度{REVIEW_TITLE}", REVIEW_TITLE, unit, day,
        notes=(review_counts_text(sheet), review_cap_text(sheet),
               "注：评定为不合格的，限期改正（一般不超过一年），期满仍无转变的按规定组织处置。"),
        columns=(
            _serial(), _name(), _group(),
            Column("人员类别", "standing", 10, align="center"),
            Column("评议等次", "grade", 22, align="center"),
            Column("处置", "disposal", 12, align="center"),
            Column("备注", "note", 16),
        ),
    )
    table_rows = []
    for n, r in enumerate(sheet.rows, start=1):
        grade = r.grade.label if r.grade else NOT_YET_GRADED if r.gradable else NOT_GRADED
        table_rows.append({
            "no": n, "name": r.name, "party_group": r.party_group or "", "standing": r.standing.label,
            "grade": grade, "disposal": (r.disposal or DISPOSAL_MISSING) if r.grade is ReviewGrade.UNQUALIFIED else "",
            "note": "；".join(text for text in (r.away, r.note) if text),  # 流动党员: where reviewed
        })
    return Report(stem, [Table(spec, table_rows)])
