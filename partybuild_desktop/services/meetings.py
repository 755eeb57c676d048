"""组织生活: meetings with who was due and who came, what each period requires, 民主评议 and study hours.

A meeting's attendance writes each attending member's 纪实本 line (组织生活, with the meeting's hours)
naming the meeting as its source; editing the meeting rewrites those lines and deleting it removes them,
as visits do. A 民主评议 grade writes the member's 民主评议 line the same way. The rules themselves are in
``domain.meetings``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, case, delete, func, insert, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal, Warning
from partybuild_desktop.domain.meetings import (
    ATTENDED,
    DUE_KINDS,
    REVIEW_KIND,
    Attendance,
    Attendee,
    DueItem,
    Frequency,
    MeetingKind,
    ReviewGrade,
    Span,
    Turnout,
    Vote,
    check_reasons,
    check_vote,
    due_item,
    excellent_cap,
    has_committee,
    months_without,
    quorum_met,
    required_study_hours,
    short_of_hours,
    turnout,
    DEFAULT_FREQUENCIES,
)
from partybuild_desktop.domain.text import clean_cell, clean_name
from partybuild_desktop.domain.vocabulary import MemberCategory, MembershipState, RecordEntryType, Standing
from partybuild_desktop.services import attachments, members
from partybuild_desktop.services.attachments import MAX_ATTACHMENT_BYTES, AttachmentRow, Attachments  # noqa: F401
from partybuild_desktop.services.village import get_setting, set_setting, village_row
from partybuild_desktop.store.models import (
    Meeting,
    MeetingAttachment,
    MeetingAttendance,
    MeetingDecision,
    Member,
    MemberReview,
    PartyGroup,
    RecordEntry,
    Setting,
)

SOURCE_KIND = "meeting"  # RecordEntry.source_kind of the lines meetings write
REVIEW_SOURCE_KIND = "review"  # … and of the lines 民主评议 writes
FREQUENCY_KEY = "meeting_frequency.{kind}"
MAX_HOURS = 24
TEXT_LIMITS = {"topic": 2000, "place": 128, "host": 32, "recorder": 32, "time": 16, "minutes": 100_000,
               "attendees_note": 2000, "reason": 200, "decision": 2000}

QUORUM_NOT_MET = "quorum_not_met"
NO_COMMITTEE = "no_committee"
EXCELLENT_OVER_CAP = "excellent_over_cap"
PROBATIONARY_NOT_GRADED = "probationary_not_graded"
DISPOSAL_MISSING = "disposal_missing"


class MeetingError(Refusal):
    """A change refused; the message says why and what to do, in Chinese. ``code`` names the rule for scripts."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------------------- settings


def _frequency(raw: str | None, kind: str) -> Frequency:
    try:
        return Frequency(raw) if raw else DEFAULT_FREQUENCIES[kind]
    except ValueError:
        return DEFAULT_FREQUENCIES[kind]


def frequency(session: Session, kind: str) -> Frequency:
    """How often a kind is due (a village setting; the rules' default otherwise)."""
    return _frequency(get_setting(session, FREQUENCY_KEY.format(kind=kind)), kind)


def frequencies(session: Session) -> dict[str, Frequency]:
    """Every kind's frequency, read in one query."""
    keys = {FREQUENCY_KEY.format(kind=kind): kind for kind in DUE_KINDS}
    stored = dict(session.connection().execute(
        select(Setting.__table__.c.key, Setting.__table__.c.value).where(Setting.__table__.c.key.in_(list(keys)))).all())
    return {kind: _frequency(stored.get(key), kind) for key, kind in keys.items()}


def set_frequency(session: Session, kind: str, value: Frequency | str) -> None:
    if kind not in DEFAULT_FREQUENCIES:
        raise MeetingError(f"没有“{kind}”这种会议。")
    set_setting(session, FREQUENCY_KEY.format(kind=kind), Frequency(value).value)


# ---------------------------------------------------------------------------------------- who is due


@dataclass(frozen=True)
class DueMember:
    """A member on a meeting's list of who is due."""

    id: int
    name: str
    standing: Standing
    category: MemberCategory
    party_group: str
    voting: bool  # 正式党员: has a vote
    frail: bool  # 年老体弱: 不作硬性要求

    @property
    def migrant(self) -> bool:
        return self.category is MemberCategory.MIGRANT


def _members_query(village_id: int, archived_too: bool = False):
    query = (
        select(Member.id, Member.name, Member.standing, Member.category, PartyGroup.name, Member.joined_date,
               Member.confirmed_date, Member.archived)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village_id, Member.membership_state == MembershipState.NORMAL)
        .order_by(PartyGroup.id.is_(None), PartyGroup.id, Member.id)
    )
    return query if archived_too else query.where(Member.archived.is_(False))


def due_members(session: Session, village_id: int, kind: MeetingKind | str, party_group_id: int | None = None,
                on: dt.date | None = None) -> list[DueMember]:
    """Who is due at a meeting of ``kind`` held ``on`` (default: now): the 正式 and 预备 members of the branch
    (of the party group for a 党小组会; the committee members for a 支委会), 党籍 not stopped, who had
    joined (or transferred in) by that day and had not yet left; a vote for those 正式 by then."""
    kind = MeetingKind(kind)
    query = _members_query(village_id, archived_too=on is not None)
    if kind is MeetingKind.GROUP:
        query = query.where(Member.party_group_id == party_group_id)
    elif kind is MeetingKind.COMMITTEE:
        query = query.where(Member.is_committee_member.is_(True))
    elif kind is MeetingKind.MIGRANT_FORUM:  # the members away that day (an open stint)
        from partybuild_desktop.services.migrants import migrant_ids_on

        query = query.where(Member.id.in_(migrant_ids_on(session, village_id, on or dt.date.today())))
    rows = session.execute(query).all()
    if on is None:
        return [DueMember(i, n, s, c, g or "", s is Standing.FULL, c is MemberCategory.ELDERLY)
                for i, n, s, c, g, *_ in rows]
    stays = members.stays(session, village_id)
    due = []
    for member_id, name, standing, category, group, joined, confirmed, archived in rows:
        stay = stays.get(member_id, members.Stay(None, None))
        if archived and stay.left is None:
            continue  # left, when is not known
        arrived = max((d for d in (joined, stay.arrived) if d), default=None)
        if (arrived and arrived > on) or (stay.left and stay.left <= on):
            continue
        voting = standing is Standing.FULL and not (confirmed and confirmed > on)
        due.append(DueMember(member_id, name, standing, category, group or "", voting, category is MemberCategory.ELDERLY))
    return due


def full_member_count(session: Session, village_id: int) -> int:
    # Counted over the village's own rows (``ix_member_village_id``): left to itself, SQLite reads every
    # current member of the file by the archived flag.
    current = (Member.archived.is_(False)) & (Member.standing == Standing.FULL) & (
        Member.membership_state == MembershipState.NORMAL)
    return session.scalar(select(func.coalesce(func.sum(case((current, 1), else_=0)), 0))
                          .where(Member.village_id == village_id)) or 0


# ---------------------------------------------------------------------------------------- forms


@dataclass
class DecisionForm:
    text: str = ""
    votes_for: int | None = None  # all three None: not voted
    votes_against: int | None = None
    votes_abstain: int | None = None

    @property
    def voted(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))

    @property
    def vote(self) -> Vote:
        return Vote(self.votes_for or 0, self.votes_against or 0, self.votes_abstain or 0)


@dataclass
class MeetingForm:
    kind: MeetingKind | None = None
    date: dt.date | None = None
    topic: str = ""
    time: str | None = None
    place: str | None = None
    host: str | None = None
    recorder: str | None = None
    party_group_id: int | None = None
    hours: float | None = None
    minutes: str | None = None
    attendees_note: str | None = None  # 列席人员
    # member id → (status, reason); everyone due who is not named is 出席.
    attendance: dict[int, tuple[Attendance, str]] = field(default_factory=dict)
    decisions: list[DecisionForm] = field(default_factory=list)


@dataclass(frozen=True)
class Saved:
    id: int
    turnout: Turnout
    quorum: bool
    warnings: tuple[Warning, ...]

    def to_json(self) -> dict:
        t = self.turnout
        return {"id": self.id, "due": t.due, "present": t.present, "voting_due": t.voting_due,
                "voting_present": t.voting_present, "quorum": self.quorum,
                "warnings": [w.to_json() for w in self.warnings]}


def _text(value: str | None, label: str, key: str, problems: list[str], keep_newlines: bool = False) -> str | None:
    text = clean_cell(value, keep_newlines=keep_newlines) if value else ""
    if len(text) > TEXT_LIMITS[key]:
        problems.append(f"“{label}”太长（{len(text)} 字，最多 {TEXT_LIMITS[key]} 字）")
    return text or None


def _roster(session: Session, village_id: int, form: MeetingForm, meeting: Meeting | None) -> dict[int, Attendee]:
    """Everyone on the meeting's list: who is due now, and (when editing) who was on it already, with the
    vote they had on the day."""
    roster = {m.id: Attendee(m.id, Attendance.PRESENT, m.voting, m.frail)
              for m in due_members(session, village_id, form.kind, form.party_group_id, on=form.date)}
    if meeting is not None and meeting.kind is form.kind and meeting.party_group_id == form.party_group_id:
        for row in session.scalars(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)):
            roster[row.member_id] = Attendee(row.member_id, Attendance.PRESENT, bool(row.voting), bool(row.frail))
    return roster


@dataclass(frozen=True)
class RosterRow:
    """A member on the attendance list the meeting dialog ticks."""

    member_id: int
    name: str
    party_group: str
    voting: bool
    frail: bool
    migrant: bool
    status: Attendance
    reason: str


def meeting_roster(session: Session, village_id: int, kind: MeetingKind | str, party_group_id: int | None = None,
                   meeting_id: int | None = None, on: dt.date | None = None) -> list[RosterRow]:
    """The list a meeting's attendance is ticked from: everyone due on the meeting's day ``on`` (all 出席
    by default), and when editing a meeting, everyone on it already with what was recorded."""
    kind = MeetingKind(kind)
    group_id = party_group_id if kind is MeetingKind.GROUP else None
    meeting = None if meeting_id is None else _meeting(session, village_id, meeting_id)
    form = MeetingForm(kind=kind, date=on or (meeting.date if meeting else None), party_group_id=group_id)
    roster = _roster(session, village_id, form, meeting)
    recorded = {}
    if meeting is not None:
        recorded = {row.member_id: row for row in session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))}
    people = {i: (n, g or "", c) for i, n, g, c in session.execute(
        select(Member.id, Member.name, PartyGroup.name, Member.category)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id).where(Member.id.in_(list(roster))))}
    rows = []
    for member_id, attendee in roster.items():
        name, group, category = people[member_id]
        row = recorded.get(member_id) if meeting is not None and meeting.kind is kind else None
        rows.append(RosterRow(member_id, name, group, attendee.voting, attendee.frail,
                              category is MemberCategory.MIGRANT, row.status if row else Attendance.PRESENT,
                              (row.reason or "") if row else ""))
    return rows


def _clean(session: Session, village_id: int, form: MeetingForm, meeting: Meeting | None,
           today: dt.date) -> tuple[MeetingForm, list[Attendee]]:
    problems: list[str] = []
    if form.kind is None:
        raise MeetingError("请选择会议类型（支部党员大会、支部委员会、党小组会、党课、主题党日或组织生活会）。")
    kind = MeetingKind(form.kind)
    if form.date is None:
        problems.append("请填写会议日期")
    elif form.date > today:
        problems.append(f"会议日期 {format_cn(form.date)} 晚于今天，请核对（会议开过之后再登记）")
    topic = _text(form.topic, "议题", "topic", problems, keep_newlines=True)
    if not topic:
        problems.append("请填写会议议题（主题）")
    group_id = form.party_group_id if kind is MeetingKind.GROUP else None
    if kind is MeetingKind.GROUP:
        if village_row(session, PartyGroup, group_id, village_id) is None:
            problems.append("党小组会要选择是哪个党小组")
    hours = form.hours
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        problems.append(f"学时应在 0 到 {MAX_HOURS} 之间")
    cleaned = MeetingForm(
        kind, form.date, topic or "", _text(form.time, "时间", "time", problems),
        _text(form.place, "地点", "place", problems), clean_name(form.host) or None if form.host else None,
        clean_name(form.recorder) or None if form.recorder else None, group_id, hours or None,
        _text(form.minutes, "会议内容", "minutes", problems, keep_newlines=True),
        _text(form.attendees_note, "列席人员", "attendees_note", problems, keep_newlines=True),
    )
    for name, label in ((cleaned.host, "主持人"), (cleaned.recorder, "记录人")):
        if name and len(name) > TEXT_LIMITS["host"]:
            problems.append(f"“{label}”太长")
    if problems:
        raise MeetingError("；".join(problems) + "。")

    roster = _roster(session, village_id, cleaned, meeting)
    if not roster:
        who = {MeetingKind.GROUP: "这个党小组还没有党员", MeetingKind.COMMITTEE: "还没有登记支部委员（班子成员）",
               MeetingKind.MIGRANT_FORUM: "这一天没有在外的流动党员（请先在“流动党员”中办理外出登记）"}
        raise MeetingError(f"{who.get(kind, '还没有在册党员')}，没有应到会的人，无法登记会议。")
    unknown = [member_id for member_id in form.attendance if member_id not in roster]
    if unknown:
        raise MeetingError("有人不在这次会议的应到名单上（可能已归档或不属于这个党小组），请刷新后重新勾选。")
    attendees = []
    for member_id, base in roster.items():
        status, reason = form.attendance.get(member_id, (Attendance.PRESENT, ""))
        reason = clean_cell(reason) if reason else ""
        if len(reason) > TEXT_LIMITS["reason"]:
            reason = reason[:TEXT_LIMITS["reason"]]
        attendees.append(Attendee(member_id, Attendance(status), base.voting, base.frail, reason))
    names = dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(list(roster)))).all())
    problems = check_reasons(attendees, names)
    result = turnout(attendees)
    for number, decision in enumerate(form.decisions, start=1):
        text = clean_cell(decision.text, keep_newlines=True) if decision.text else ""
        if not text:
            if decision.voted:
                problems.append(f"第 {number} 项决议没有写内容")
            continue
        if len(text) > TEXT_LIMITS["decision"]:
            problems.append(f"第 {number} 项决议太长")
        if decision.voted:
            present = result.voting_present if kind is MeetingKind.BRANCH_ASSEMBLY else result.present
            problem = check_vote(decision.vote, present)
            if problem:
                problems.append(f"第 {number} 项决议：{problem}")
        cleaned.decisions.append(DecisionForm(text, *(None if not decision.voted else v for v in (
            decision.vote.agree, decision.vote.against, decision.vote.abstain))))
    if problems:
        raise MeetingError("；".join(problems) + "。")
    return cleaned, attendees


def entry_text(kind: MeetingKind, topic: str, status: Attendance) -> str:
    """The 纪实本 line a meeting writes for a member who took part."""
    where = "（在流入地参加）" if status is Attendance.ELSEWHERE else ""
    first = topic.splitlines()[0] if topic else ""
    return f"参加{kind.label}{where}：{first}"


def _write_rows(session: Session, meeting: Meeting, form: MeetingForm, attendees: Sequence[Attendee]) -> None:
    """The meeting's attendance, decisions and 纪实 lines, written anew: one batch statement each, into
    the tables themselves (the ORM's bulk insert would split the batch wherever a column is sometimes
    empty)."""
    meeting_id = meeting.id
    session.execute(delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting_id))
    session.execute(delete(MeetingDecision).where(MeetingDecision.meeting_id == meeting_id))
    session.execute(delete(RecordEntry).where(RecordEntry.source_kind == SOURCE_KIND,
                                              RecordEntry.source_id == meeting_id))
    session.execute(insert(MeetingAttendance.__table__), [
        dict(meeting_id=meeting_id, member_id=a.member_id, status=a.status, reason=a.reason or None,
             voting=a.voting, frail=a.frail) for a in attendees])
    if form.decisions:
        session.execute(insert(MeetingDecision.__table__), [
            dict(meeting_id=meeting_id, position=n, text=d.text, votes_for=d.votes_for,
                 votes_against=d.votes_against, votes_abstain=d.votes_abstain)
            for n, d in enumerate(form.decisions, start=1)])
    entries = [dict(member_id=a.member_id, date=form.date, entry_type=RecordEntryType.ORGANISATIONAL_LIFE,
                    text=entry_text(form.kind, form.topic, a.status), hours=form.hours, source_kind=SOURCE_KIND,
                    source_id=meeting_id)
               for a in attendees if a.status in ATTENDED]
    if entries:
        session.execute(insert(RecordEntry.__table__), entries)


def _warnings(session: Session, village_id: int, kind: MeetingKind, result: Turnout) -> tuple[Warning, ...]:
    warnings = []
    if kind is MeetingKind.COMMITTEE and not has_committee(full_member_count(session, village_id)):
        warnings.append(Warning(NO_COMMITTEE, "本支部正式党员不足 7 人，不设支部委员会，一般不召开支委会；"
                                              "请核对会议类型（可登记为支部党员大会）。"))
    if kind in (MeetingKind.BRANCH_ASSEMBLY, MeetingKind.COMMITTEE) and not quorum_met(kind, result):
        if kind is MeetingKind.BRANCH_ASSEMBLY:
            text = (f"有表决权的党员应到 {result.voting_due} 人，到会 {result.voting_present} 人，未超过半数："
                    "这次支部党员大会不能作出决议或进行表决。")
        else:
            text = f"支部委员应到 {result.due} 人，到会 {result.present} 人，未超过半数：这次支委会不能作出决定。"
        warnings.append(Warning(QUORUM_NOT_MET, text))
    return tuple(warnings)


def save_meeting(session: Session, village_id: int, form: MeetingForm, meeting_id: int | None = None,
                 today: dt.date | None = None) -> Saved:
    """Add (``meeting_id`` None) or change a meeting with its attendance, decisions and the members' 纪实
    lines; returns the turnout and what the rules warn about (the meeting is saved either way)."""
    meeting = None if meeting_id is None else _meeting(session, village_id, meeting_id)
    form, attendees = _clean(session, village_id, form, meeting, today or dt.date.today())
    if meeting is None:
        meeting = Meeting(village_id=village_id)
        session.add(meeting)
    for name in ("kind", "date", "topic", "time", "place", "host", "recorder", "party_group_id", "hours", "minutes",
                 "attendees_note"):
        setattr(meeting, name, getattr(form, name))
    session.flush()
    _write_rows(session, meeting, form, attendees)
    session.flush()
    result = turnout(attendees)
    return Saved(meeting.id, result, quorum_met(form.kind, result), _warnings(session, village_id, form.kind, result))


def delete_meeting(session: Session, village_id: int, meeting_id: int) -> None:
    """Remove a meeting with its attendance, decisions, attachments and the 纪实 lines it wrote."""
    meeting = _meeting(session, village_id, meeting_id)
    session.execute(delete(RecordEntry).where(RecordEntry.source_kind == SOURCE_KIND,
                                              RecordEntry.source_id == meeting_id))
    for model in (MeetingAttendance, MeetingDecision, MeetingAttachment):
        session.execute(delete(model).where(model.meeting_id == meeting_id))
    session.delete(meeting)
    session.flush()


def _meeting(session: Session, village_id: int, meeting_id: int) -> Meeting:
    meeting = village_row(session, Meeting, meeting_id, village_id)
    if meeting is None:
        raise MeetingError("找不到这次会议，可能已被删除。请刷新列表。")
    return meeting


# ---------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    name: str
    party_group: str
    status: Attendance
    reason: str
    voting: bool
    frail: bool


@dataclass(frozen=True)
class DecisionRow:
    text: str
    vote: Vote | None
    passed: bool | None  # None: not voted


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting as its 会议记录 shows it."""

    id: int
    kind: MeetingKind
    date: dt.date
    time: str | None
    place: str | None
    topic: str
    host: str | None
    recorder: str | None
    party_group_id: int | None
    party_group: str | None
    hours: float | None
    minutes: str | None
    attendees_note: str | None
    attendance: tuple[AttendanceRow, ...]
    decisions: tuple[DecisionRow, ...]
    turnout: Turnout
    quorum: bool
    attachments: tuple["AttachmentRow", ...] = ()

    def with_status(self, *statuses: Attendance) -> list[AttendanceRow]:
        return [a for a in self.attendance if a.status in statuses]

    def form(self) -> MeetingForm:
        return MeetingForm(
            self.kind, self.date, self.topic, self.time, self.place, self.host, self.recorder, self.party_group_id,
            self.hours, self.minutes, self.attendees_note,
            {a.member_id: (a.status, a.reason) for a in self.attendance},
            [DecisionForm(d.text, *(None, None, None) if d.vote is None else (d.vote.agree, d.vote.against,
                                                                                 d.vote.abstain))
             for d in self.decisions])


def meeting_record(session: Session, village_id: int, meeting_id: int) -> MeetingRecord:
    m = _meeting(session, village_id, meeting_id)
    group = session.get(PartyGroup, m.party_group_id).name if m.party_group_id else None
    rows = session.execute(
        select(MeetingAttendance.member_id, Member.name, PartyGroup.name, MeetingAttendance.status,
               MeetingAttendance.reason, MeetingAttendance.voting, MeetingAttendance.frail)
        .join(Member, Member.id == MeetingAttendance.member_id)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(MeetingAttendance.meeting_id == meeting_id)
        .order_by(PartyGroup.id.is_(None), PartyGroup.id, Member.id)).all()
    attendance = tuple(AttendanceRow(i, n, g or "", s, r or "", bool(v), bool(f)) for i, n, g, s, r, v, f in rows)
    result = turnout(Attendee(a.member_id, a.status, a.voting, a.frail) for a in attendance)
    voting_due = result.voting_due if m.kind is MeetingKind.BRANCH_ASSEMBLY else result.due
    decisions = []
    for d in m.decisions:
        voted = any(v is not None for v in (d.votes_for, d.votes_against, d.votes_abstain))
        vote = Vote(d.votes_for or 0, d.votes_against or 0, d.votes_abstain or 0) if voted else None
        decisions.append(DecisionRow(d.text, vote, None if vote is None else 2 * vote.agree > voting_due))
    return MeetingRecord(m.id, m.kind, m.date, m.time, m.place, m.topic, m.host, m.recorder, m.party_group_id, group,
                         m.hours, m.minutes, m.attendees_note, attendance, tuple(decisions), result,
                         quorum_met(m.kind, result), tuple(list_attachments(session, village_id, meeting_id)))


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as the 三会一课登记簿 lists it."""

    id: int
    kind: MeetingKind
    date: dt.date
    time: str | None
    place: str | None
    topic: str
    host: str | None
    recorder: str | None
    party_group: str | None
    hours: float | None
    turnout: Turnout
    quorum: bool
    decisions: int
    attachments: int


def list_meetings(session: Session, village_id: int, year: int | None = None, kind: MeetingKind | None = None,
                  start: dt.date | None = None, end: dt.date | None = None) -> list[MeetingRow]:
    """The village's meetings, in date order; the filters combine."""
    query = (select(Meeting.id, Meeting.kind, Meeting.date, Meeting.time, Meeting.place, Meeting.topic, Meeting.host,
                    Meeting.recorder, PartyGroup.name, Meeting.hours)
             .outerjoin(PartyGroup, PartyGroup.id == Meeting.party_group_id)
             .where(Meeting.village_id == village_id).order_by(Meeting.date, Meeting.id))
    if year is not None:
        query = query.where(Meeting.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if start is not None:
        query = query.where(Meeting.date >= start)
    if end is not None:
        query = query.where(Meeting.date <= end)
    if kind is not None:
        query = query.where(Meeting.kind == MeetingKind(kind))
    meetings = session.execute(query).all()
    ids = [row[0] for row in meetings]
    attendees: dict[int, list[Attendee]] = defaultdict(list)
    counts: dict[str, dict[int, int]] = {"decisions": {}, "attachments": {}}
    if ids:
        for meeting_id, member_id, status, voting, frail in session.execute(
                select(MeetingAttendance.meeting_id, MeetingAttendance.member_id, MeetingAttendance.status,
                       MeetingAttendance.voting, MeetingAttendance.frail)
                .where(MeetingAttendance.meeting_id.in_(ids))):
            attendees[meeting_id].append(Attendee(member_id, status, bool(voting), bool(frail)))
        for name, model in (("decisions", MeetingDecision), ("attachments", MeetingAttachment)):
            counts[name] = dict(session.execute(select(model.meeting_id, func.count()).where(
                model.meeting_id.in_(ids)).group_by(model.meeting_id)).all())
    rows = []
    for meeting_id, kind_, date, time, place, topic, host, recorder, group, hours in meetings:
        result = turnout(attendees[meeting_id])
        rows.append(MeetingRow(meeting_id, kind_, date, time, place, topic, host, recorder, group, hours, result,
                               quorum_met(kind_, result), counts["decisions"].get(meeting_id, 0),
                               counts["attachments"].get(meeting_id, 0)))
    return rows


# ---------------------------------------------------------------------------------------- attachments


_ATTACHMENTS = Attachments(MeetingAttachment, Meeting, "meeting_id", MeetingError, what="会议附件", shrink="照片")


def read_attachment(path) -> tuple[str, bytes]:
    """A photo or scan chosen from disk: its name and bytes, read only when its size is within the limit
    (a video picked by mistake is not loaded), and its kind checked. MeetingError in Chinese otherwise."""
    return attachments.read_attachment(path, MeetingError)


def add_attachment(session: Session, village_id: int, meeting_id: int, name: str, data: bytes) -> int:
    """Keep a photo (签到表, 现场照片) or a scan with the meeting."""
    _meeting(session, village_id, meeting_id)
    return _ATTACHMENTS.add(session, meeting_id, name, data)


def list_attachments(session: Session, village_id: int, meeting_id: int) -> list[AttachmentRow]:
    return _ATTACHMENTS.rows(session, village_id, meeting_id)


def attachment_data(session: Session, village_id: int, attachment_id: int) -> tuple[str, bytes]:
    row = _ATTACHMENTS.get(session, village_id, attachment_id)
    return row.name, row.data


def delete_attachment(session: Session, village_id: int, attachment_id: int) -> None:
    row = _ATTACHMENTS.find(session, village_id, attachment_id)
    if row is not None:
        session.delete(row)
        session.flush()


# ---------------------------------------------------------------------------------------- what is due


_MEETING = Meeting.__table__.c
_REVIEW = MemberReview.__table__.c
_MEMBER = Member.__table__.c
_GROUP = PartyGroup.__table__.c
# The due list's statements, built once (each call only binds its values): the meetings and the days
# 民主评议 grades were (last) decided, the village's party groups, and who is due, counted.
_DATES = union_all(
    select(type_coerce(_MEETING.kind, String), _MEETING.party_group_id, _MEETING.date)  # codes, 'review' among them
    .where(_MEETING.village_id == bindparam("village"), _MEETING.date.between(bindparam("start"), bindparam("end"))),
    select(literal(REVIEW_KIND), literal(None), func.max(_REVIEW.decided_on))
    .where(_REVIEW.village_id == bindparam("village"), _REVIEW.decided_on.between(bindparam("start"), bindparam("end")))
    .group_by(_REVIEW.year))
_GROUPS = select(_GROUP.id, _GROUP.name).where(_GROUP.village_id == bindparam("village")).order_by(_GROUP.id)
_COUNTS = (select(_MEMBER.party_group_id, _MEMBER.is_committee_member, _MEMBER.standing, func.count())
           .where(_MEMBER.village_id == bindparam("village"), _MEMBER.archived.is_(False),
                  _MEMBER.membership_state == MembershipState.NORMAL.value)
           .group_by(_MEMBER.party_group_id, _MEMBER.is_committee_member, _MEMBER.standing))


def _dates(connection, village_id: int, start: dt.date, end: dt.date) -> dict[tuple[str, int | None], list]:
    """(kind, party group) → the dates of the meetings held from ``start`` to ``end``; 民主评议 counts once
    a year, on the day its grades were (last) decided."""
    dates: dict[tuple[str, int | None], list] = defaultdict(list)
    group_kind = MeetingKind.GROUP.value
    for kind, group, date in connection.execute(_DATES, dict(village=village_id, start=start, end=end)):
        if isinstance(date, str):  # the union's date column comes back as SQLite stored it
            date = dt.date.fromisoformat(date)
        dates[(kind, group if kind == group_kind else None)].append(date)
    return dates


def _due_counts(connection, village_id: int) -> dict:
    """How many members are due: in the branch (key None), in each party group (its id), on the committee
    ("committee"), and how many of them are 正式 ("full")."""
    counts: dict = {None: 0, "committee": 0, "full": 0}
    for group_id, committee, standing, count in connection.execute(_COUNTS, dict(village=village_id)):
        counts[None] += count
        if group_id is not None:
            counts[group_id] = counts.get(group_id, 0) + count
        if committee:
            counts["committee"] += count
        if standing is Standing.FULL or standing == Standing.FULL.value:
            counts["full"] += count
    return counts


def due(session: Session, village_id: int, span: Span, as_of: dt.date | None = None) -> list[DueItem]:
    """Each kind's required, held and missing meetings in ``span`` (per party group for 党小组会); a 支委会 is
    not due in a branch of fewer than 7 正式党员, and nothing is due where nobody is (a branch or a party
    group without members)."""
    as_of = as_of or dt.date.today()
    connection = session.connection()
    settings = frequencies(session)
    dates = _dates(connection, village_id, dt.date(span.start.year, 1, 1), span.end)
    groups = connection.execute(_GROUPS, dict(village=village_id)).all()
    people = _due_counts(connection, village_id)
    committee = has_committee(people["full"])
    items = []
    for kind in DUE_KINDS:
        wanted = settings[kind]
        if kind == MeetingKind.COMMITTEE.value and not (committee and people["committee"]):
            wanted = Frequency.NONE
        elif kind != MeetingKind.GROUP.value and not people[None]:
            wanted = Frequency.NONE  # nobody to hold it with yet
        if kind == MeetingKind.GROUP.value:
            for group_id, name in groups:
                frequency_here = wanted if people.get(group_id) else Frequency.NONE
                item = due_item(kind, name, frequency_here, span, dates.get((kind, group_id), ()), as_of)
                if item.required or item.held or people.get(group_id):
                    items.append(item)
            continue
        item = due_item(kind, None, wanted, span, dates.get((kind, None), ()), as_of)
        if item.required or item.held:
            items.append(item)
    return items


def quarter_figures(session: Session, village_id: int, span: Span, as_of: dt.date | None = None) -> dict[str, int]:
    """What the quarterly return carries: per kind, meetings required and held (党小组会 added up over the
    groups): ``{"theme_day_required": 3, "theme_day_held": 3, …}``."""
    figures = {f"{kind}_{what}": 0 for kind in DUE_KINDS for what in ("required", "held")}
    for item in due(session, village_id, span, as_of):
        figures[f"{item.kind}_required"] += item.required
        figures[f"{item.kind}_held"] += item.held
    return figures


# ---------------------------------------------------------------------------------------- 民主评议


@dataclass(frozen=True)
class ReviewRow:
    member_id: int
    name: str
    standing: Standing
    party_group: str
    grade: ReviewGrade | None
    disposal: str | None
    note: str | None
    # 流动党员 away at the December review: "流动党员" or "流动党员，在流入地（深圳市宝安区流动党员党支部）参加评议"
    # where the 流入地党组织 is recorded (三个一: 一评议).
    away: str | None = None

    @property
    def gradable(self) -> bool:
        return self.standing is Standing.FULL


@dataclass(frozen=True)
class ReviewSheet:
    year: int
    rows: tuple[ReviewRow, ...]  # 正式 members first, then 预备 members (listed, not graded)
    full_members: int
    cap: int  # most 优秀 allowed

    @property
    def excellent(self) -> int:
        return sum(r.grade is ReviewGrade.EXCELLENT for r in self.rows)

    def counts(self) -> dict[ReviewGrade, int]:
        return {grade: sum(r.grade is grade for r in self.rows) for grade in ReviewGrade}


def review_sheet(session: Session, village_id: int, year: int) -> ReviewSheet:
    """The year's 民主评议: every current member (预备 members listed, not gradable) and any member graded
    that year who has since left, with the grades given so far and the ⅓ cap on 优秀."""
    grades = {r.member_id: r for r in session.scalars(
        select(MemberReview).where(MemberReview.village_id == village_id, MemberReview.year == year))}
    current = list(session.execute(_members_query(village_id)))
    seen = {row[0] for row in current}
    left = [row for row in session.execute(
        select(Member.id, Member.name, Member.standing, Member.category, PartyGroup.name)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.id.in_([i for i in grades if i not in seen])))] if set(grades) - seen else []
    away = _away_at_review(session, village_id, year)
    rows = []
    for member_id, name, standing, _category, group, *_dates in current + left:
        review = grades.get(member_id)
        rows.append(ReviewRow(member_id, name, standing, group or "", review.grade if review else None,
                              review.disposal if review else None, review.note if review else None,
                              away.get(member_id)))
    rows.sort(key=lambda r: r.standing is not Standing.FULL)
    full = sum(r.gradable for r in rows if r.member_id in seen)
    return ReviewSheet(year, tuple(rows), full, excellent_cap(full))


def _away_at_review(session: Session, village_id: int, year: int) -> dict[int, str]:
    """The members away in December of ``year`` (the 一评议 of 流动党员): on the year's last day, or today
    when the year has not ended; where the 流入地党组织 is recorded, they are reviewed there."""
    from partybuild_desktop.services.migrants import migrants

    day = min(dt.date(year, 12, 31), dt.date.today())
    if day < dt.date(year, 1, 1):
        return {}
    return {row.member_id: f"流动党员，在流入地（{row.host_organisation}）参加评议" if row.host_organisation
            else "流动党员" for row in migrants(session, village_id, day)}


@dataclass
class ReviewForm:
    grade: ReviewGrade | None
    disposal: str | None = None
    note: str | None = None


def set_reviews(session: Session, village_id: int, year: int, grades: Mapping[int, ReviewForm],
                decided_on: dt.date | None = None, today: dt.date | None = None,
                require_disposal: bool = True) -> list[Warning]:
    """Grade some members for ``year`` (a ``grade`` of None takes a grade back). Refused as a whole when a
    预备党员 is graded (``probationary_not_graded``), when 优秀 would exceed ⅓ of the 正式 members
    (``excellent_over_cap``), or when a 不合格 lacks its 处置 and ``require_disposal`` (``disposal_missing``;
    otherwise a warning). Each grade writes the member's 民主评议 纪实 line."""
    today = today or dt.date.today()
    if not 2000 <= year <= today.year:
        raise MeetingError(f"评议年度应为 2000 年到今年（{today.year}）之间。")
    decided_on = decided_on or min(today, dt.date(year, 12, 31))
    if decided_on.year != year or decided_on > today:
        raise MeetingError(f"评定日期 {format_cn(decided_on)} 应在 {year} 年内，且不晚于今天。")
    sheet = review_sheet(session, village_id, year)
    rows = {r.member_id: r for r in sheet.rows}
    final = {member_id: row.grade for member_id, row in rows.items()}
    warnings = []
    for member_id, form in grades.items():
        row = rows.get(member_id)
        if row is None:
            raise MeetingError("要评议的党员不在本村的在册党员中（可能已归档），请刷新后重试。")
        if form.grade is not None:
            grade = ReviewGrade(form.grade)
            if not row.gradable:
                raise MeetingError(f"{row.name}是预备党员：预备党员参加民主评议，但不评定等次。", PROBATIONARY_NOT_GRADED)
            if grade is ReviewGrade.UNQUALIFIED and not (form.disposal or "").strip():
                text = f"{row.name}评为不合格，需要登记处置方式（限期改正、劝其退党、党内除名等）"
                if require_disposal:
                    raise MeetingError(text + "。", DISPOSAL_MISSING)
                warnings.append(Warning(DISPOSAL_MISSING, text + "，请尽快补登。"))
        final[member_id] = form.grade
    excellent = sum(grade is ReviewGrade.EXCELLENT for grade in final.values())
    if excellent > sheet.cap:
        raise MeetingError(f"优秀不能超过正式党员（{sheet.full_members} 人）的三分之一，即最多 {sheet.cap} 人；"
                           f"这样评定会有 {excellent} 人优秀。请调整后再保存。", EXCELLENT_OVER_CAP)
    existing = {r.member_id: r for r in session.scalars(
        select(MemberReview).where(MemberReview.village_id == village_id, MemberReview.year == year,
                                   MemberReview.member_id.in_(list(grades))))}
    for member_id, form in grades.items():
        review = existing.get(member_id)
        if review is not None:
            session.execute(delete(RecordEntry).where(RecordEntry.source_kind == REVIEW_SOURCE_KIND,
                                                      RecordEntry.source_id == review.id))
        if form.grade is None:
            if review is not None:
                session.delete(review)
            continue
        if review is None:
            review = MemberReview(village_id=village_id, year=year, member_id=member_id)
            session.add(review)
        grade = ReviewGrade(form.grade)
        review.grade, review.decided_on = grade, decided_on
        review.disposal = clean_cell(form.disposal)[:64] or None if grade is ReviewGrade.UNQUALIFIED and form.disposal else None
        review.note = clean_cell(form.note, keep_newlines=True)[:2000] or None if form.note else None
        session.flush()
        text = f"{year}年度民主评议：{grade.label}" + (f"（处置：{review.disposal}）" if review.disposal else "")
        if rows[member_id].away:
            text += f"（{rows[member_id].away}）"
        session.add(RecordEntry(member_id=member_id, date=decided_on, entry_type=RecordEntryType.DEMOCRATIC_REVIEW,
                                text=text, source_kind=REVIEW_SOURCE_KIND, source_id=review.id))
    session.flush()
    return warnings


def unhandled_reviews(session: Session, village_id: int) -> list[tuple[str, int, dt.date]]:
    """(name, year, decided on) of the 不合格 grades whose 处置 is not recorded, current members only."""
    return [tuple(row) for row in session.execute(
        select(Member.name, MemberReview.year, MemberReview.decided_on)
        .join(Member, Member.id == MemberReview.member_id)
        .where(MemberReview.village_id == village_id, MemberReview.grade == ReviewGrade.UNQUALIFIED,
               MemberReview.disposal.is_(None), Member.archived.is_(False))
        .order_by(MemberReview.year, Member.id))]


# ---------------------------------------------------------------------------------------- study hours


@dataclass(frozen=True)
class StudyRow:
    member_id: int
    name: str
    party_group: str
    leader: bool  # 书记 or committee member: 56 学时
    hours: float
    required: int

    @property
    def short(self) -> bool:
        return short_of_hours(self.hours, self.required)

    @property
    def lacking(self) -> float:
        return max(0.0, round(self.required - self.hours, 2))

    def to_json(self) -> dict:
        return {"name": self.name, "hours": round(self.hours, 2), "required": self.required, "short": self.short}


def study_table(session: Session, village_id: int, year: int) -> list[StudyRow]:
    """Every current member's study hours in ``year`` (组织生活 and 政治学习 纪实) against 32, or 56 for the
    书记 and committee members."""
    from partybuild_desktop.domain.vocabulary import STUDY_ENTRY_TYPES

    members = session.execute(
        select(Member.id, Member.name, PartyGroup.name, Member.is_committee_member)
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village_id, Member.archived.is_(False))
        .order_by(PartyGroup.id.is_(None), PartyGroup.id, Member.id)).all()
    hours = dict(session.execute(
        select(RecordEntry.member_id, func.coalesce(func.sum(RecordEntry.hours), 0.0))
        .join(Member, Member.id == RecordEntry.member_id)
        .where(Member.village_id == village_id, RecordEntry.entry_type.in_(list(STUDY_ENTRY_TYPES)),
               RecordEntry.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .group_by(RecordEntry.member_id)).all())
    return [StudyRow(i, n, g or "", bool(leader), float(hours.get(i, 0.0)), required_study_hours(bool(leader)))
            for i, n, g, leader in members]


# ---------------------------------------------------------------------------------------- organisational life by month


def attended_months(session: Session, village_id: int, start: dt.date, end: dt.date) -> dict[int, set[tuple[int, int]]]:
    """member id → the (year, month)s with organisational life: a meeting attended, or a 组织生活 纪实 line."""
    months: dict[int, set[tuple[int, int]]] = defaultdict(set)
    rows = session.execute(
        select(RecordEntry.member_id, RecordEntry.date).distinct()
        .join(Member, Member.id == RecordEntry.member_id)
        .where(Member.village_id == village_id, RecordEntry.entry_type == RecordEntryType.ORGANISATIONAL_LIFE,
               RecordEntry.date.between(start, end)))
    for member_id, date in rows:
        months[member_id].add((date.year, date.month))
    return months


def covered_months(session: Session, village_id: int, start: dt.date, end: dt.date) -> dict[int, set[tuple[int, int]]]:
    """member id → the (year, month)s with organisational life or a good reason for missing it: the months
    of ``attended_months``, and those with a meeting the member was on leave from or excused."""
    months = attended_months(session, village_id, start, end)
    for member_id, date in session.execute(
            select(MeetingAttendance.member_id, Meeting.date)
            .join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
            .where(Meeting.village_id == village_id, Meeting.date.between(start, end),
                   MeetingAttendance.status.in_([Attendance.LEAVE, Attendance.EXCUSED]))):
        months[member_id].add((date.year, date.month))
    return months


def first_meeting_date(session: Session, village_id: int) -> dt.date | None:
    return session.scalar(select(func.min(Meeting.date)).where(Meeting.village_id == village_id))


def first_record_of_life(session: Session, village_id: int) -> dt.date | None:
    """When the village began recording organisational life: its first meeting, or its first 组织生活 纪实
    line; None when nothing is recorded yet."""
    meeting = first_meeting_date(session, village_id)
    entry = session.scalar(select(func.min(RecordEntry.date)).join(Member, Member.id == RecordEntry.member_id)
                           .where(Member.village_id == village_id,
                                  RecordEntry.entry_type == RecordEntryType.ORGANISATIONAL_LIFE))
    return min((d for d in (meeting, entry) if d is not None), default=None)


@dataclass(frozen=True)
class LifeGap:
    """A member who has gone months in a row without organisational life (and without leave)."""

    member_id: int
    name: str
    months: int
    last: tuple[int, int] | None  # the last (year, month) with organisational life, within the months looked at


def life_gaps(session: Session, village_id: int, as_of: dt.date, at_least: int) -> list[LifeGap]:
    """Members (not 年老体弱: 不作硬性要求) with ``at_least`` completed months in a row, up to last month,
    without organisational life or leave, counted no further back than a year, than their joining, or
    than the month the village began recording organisational life."""
    began = first_record_of_life(session, village_id)
    if began is None:
        return []
    last = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
    floor = max((began.year, began.month), (as_of.year - 1, as_of.month))
    covered = covered_months(session, village_id, dt.date(*floor, 1), as_of)
    gaps = []
    for member_id, name, joined in session.execute(
            select(Member.id, Member.name, Member.joined_date)
            .where(Member.village_id == village_id, Member.archived.is_(False),
                   Member.membership_state == MembershipState.NORMAL, Member.category != MemberCategory.ELDERLY)
            .order_by(Member.id)):
        first = max(floor, (joined.year, joined.month)) if joined else floor
        months = covered.get(member_id, set())
        run = months_without(months, first, last)
        if run >= at_least:
            before = [m for m in months if m <= last]
            gaps.append(LifeGap(member_id, name, run, max(before) if before else None))
    return gaps


def meeting_counts(session: Session, village_id: int, start: dt.date, end: dt.date) -> dict[str, int]:
    """How many meetings of each kind were held from ``start`` to ``end`` (the figure the due list is
    compared with in the benchmarks)."""
    return {kind.value: count for kind, count in session.execute(
        select(Meeting.kind, func.count()).where(Meeting.village_id == village_id, Meeting.date.between(start, end))
        .group_by(Meeting.kind))}


def members_named(session: Session, village_id: int, names: Iterable[str]) -> dict[str, list[int]]:
    """Current members by name (for the command line's NAME arguments)."""
    wanted = {clean_name(n) for n in names if n}
    found: dict[str, list[int]] = defaultdict(list)
    if wanted:
        for member_id, name in session.execute(select(Member.id, Member.name).where(
                Member.village_id == village_id, Member.archived.is_(False), Member.name.in_(wanted))
                .order_by(Member.id)):
            found[name].append(member_id)
    return found
