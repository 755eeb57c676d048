"""发展党员: recruitment cases from ① 递交入党申请书 to ㉕ 材料归档, one step at a time.

A case is a person who is not yet a member (``RecruitCase``: kept apart from the member list, its
statistics and its unique ID numbers). Each step is entered with its date and only what that step needs
(the 培养联系人 at ⑤, the 入党介绍人 at ⑨, the training at ⑪, the 公示 at ⑫/⑬); the rules of
``domain.recruitment`` are checked as it is entered. A rule broken is refused with its code and message
unless a reason is given; then it is kept with the reason (``RecruitBreach``). Dates out of order, or in
the future, are refused whatever the reason. Each call is one unit of work: on a refusal nothing is
written (the caller's session is rolled back by ``Store.session``, and nothing is flushed before the
checks have passed).

At ⑰ (上级党委审批) the person becomes a 预备 member through ``services.members`` (joined = the 支部大会
date of ⑮, a JOINED event); at ㉔ a 正式 member (a CONFIRMED event, dated the day the probation ended:
党龄从预备期满转为正式党员之日算起, 细则第三十九条). The case stays linked to the member.

The 支部党员大会 of ⑮ and ㉓ is looked up among the meetings: when one is recorded on that day, its
quorum and (where a decision names the person) its vote are checked; when none is, the date is taken.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain import id_number as id_numbers
from partybuild_desktop.domain import recruitment as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.meetings import MeetingKind
from partybuild_desktop.domain.probation import add_months, probation_end
from partybuild_desktop.domain.recruitment import Breach, DatesOutOfOrder, Stage, Step
from partybuild_desktop.domain import field_limits
from partybuild_desktop.domain.field_limits import FIELD_TOO_LONG, too_long
from partybuild_desktop.domain.text import clean_cell, clean_name
from partybuild_desktop.domain.vocabulary import Gender, MemberEventKind, MembershipState, Standing
from partybuild_desktop.services import members
from partybuild_desktop.services.village import get_setting, set_setting, village_row
from partybuild_desktop.store.models import (
    Meeting,
    Member,
    MemberEvent,
    PartyGroup,
    RecruitBreach,
    RecruitCase,
    RecruitPerson,
    RecruitReview,
    RecruitStep,
)

PUBLICITY_DAYS_KEY = "recruitment.publicity_working_days"
CONTACT, INTRODUCER = "contact", "introducer"
NOT_FULL_MEMBER = "not_full_member"
NAME_LIMIT, NOTE_LIMIT = field_limits.NAME_CHARS, field_limits.NOTE_CHARS
NO_RECRUITMENT_YEARS = 3


class RecruitError(Refusal):
    """A step refused; the message says why and what to do, in Chinese. ``code`` names the rule (the
    first broken, for a breach that a reason can keep); ``breaches`` are all the rules broken."""

    def __init__(self, message: str, code: str | None = None, breaches: Sequence[Breach] = ()):
        super().__init__(message)
        self.code = code
        self.breaches = tuple(breaches)

    @property
    def keepable(self) -> bool:
        """A breach of the rules that can be kept with a reason (not a date out of order)."""
        return bool(self.breaches)


# ---------------------------------------------------------------------------------------- settings


def publicity_working_days(session: Session) -> int:
    """How many working days a 公示 lasts before the 预审 ([local]: a village setting, 5 unless set)."""
    raw = get_setting(session, PUBLICITY_DAYS_KEY)
    return int(raw) if raw and raw.isdigit() and 1 <= int(raw) <= 30 else rules.PUBLICITY_WORKING_DAYS


def set_publicity_working_days(session: Session, days: int) -> None:
    if not 1 <= int(days) <= 30:
        raise RecruitError("公示的工作日数应在 1 到 30 之间。")
    set_setting(session, PUBLICITY_DAYS_KEY, str(int(days)))


# ---------------------------------------------------------------------------------------- forms


@dataclass
class CaseForm:
    """What ① asks: the applicant and the day the application was handed in."""

    name: str = ""
    applied: dt.date | None = None
    gender: Gender | None = None
    id_number: str | None = None
    birth_date: dt.date | None = None
    party_group_id: int | None = None  # the party group intended
    notes: str | None = None
    reason: str | None = None  # keeps a breach of ① (under 18)


@dataclass(frozen=True)
class Person:
    """A 培养联系人 or 入党介绍人: a member of the branch (by id) or a name (someone from elsewhere; a name
    that is a current member's is linked to them)."""

    name: str = ""
    member_id: int | None = None


@dataclass
class StepForm:
    """One step done: its date and only what it needs."""

    step: Step
    date: dt.date
    reason: str | None = None  # keeps the breaches of this step
    note: str | None = None  # 谈话人, 审查意见 …
    contacts: list[Person] | None = None  # ⑤
    introducers: list[Person] | None = None  # ⑨
    training_hours: float | None = None  # ⑪
    training_days: float | None = None
    publicity_start: dt.date | None = None  # ⑫ or ⑬
    publicity_end: dt.date | None = None
    # Rules the record entered from cannot speak to (a ledger with no column for the activist's reviews):
    # their breaches are not looked for.
    unknown: frozenset[str] = frozenset()


# What each step takes beside its date (and note, and reason).
_TAKES = {
    Step.CONTACTS: {"contacts"}, Step.INTRODUCERS: {"introducers"},
    Step.TRAINING: {"training_hours", "training_days"},
    Step.COMMITTEE_REVIEW: {"publicity_start", "publicity_end"}, Step.PRE_REVIEW: {"publicity_start", "publicity_end"},
}
_FIELD_LABELS = {"contacts": "培养联系人", "introducers": "入党介绍人", "training_hours": "培训学时",
                 "training_days": "培训天数", "publicity_start": "公示开始日期", "publicity_end": "公示结束日期"}


@dataclass(frozen=True)
class Advanced:
    case_id: int
    step: Step
    breaches: tuple[Breach, ...]  # kept with the reason
    member_id: int | None  # the member made (⑰) or confirmed (㉔), else the case's member

    def to_json(self) -> dict:
        return {"id": self.case_id, "step": self.step.value, "member_id": self.member_id,
                "breaches": [b.code for b in self.breaches]}


# ---------------------------------------------------------------------------------------- reading a case


@dataclass
class _Case:
    """A case as the rules see it: its row, the step dates, the people, the reviews and what is kept."""

    row: RecruitCase
    dates: dict[Step, dt.date]
    people: dict[str, list[Person]]
    reviews: list[dt.date]
    kept: list[RecruitBreach] = field(default_factory=list)
    stored_roles: set[str] = field(default_factory=set)  # the roles with people in the database


def _case_row(session: Session, village_id: int, case_id: int) -> RecruitCase:
    row = village_row(session, RecruitCase, case_id, village_id)
    if row is None:
        raise RecruitError("找不到这名发展对象（入党申请人），可能已被删除。请刷新列表。")
    return row


def _load(session: Session, village_id: int, case_id: int) -> _Case:
    row = _case_row(session, village_id, case_id)
    dates = {s.step: s.date for s in session.scalars(select(RecruitStep).where(RecruitStep.case_id == case_id))}
    people: dict[str, list[Person]] = defaultdict(list)
    for p in session.scalars(select(RecruitPerson).where(RecruitPerson.case_id == case_id).order_by(RecruitPerson.id)):
        people[p.role].append(Person(p.name, p.member_id))
    reviews = sorted(session.scalars(select(RecruitReview.date).where(RecruitReview.case_id == case_id)))
    kept = list(session.scalars(select(RecruitBreach).where(RecruitBreach.case_id == case_id)
                                .order_by(RecruitBreach.id)))
    return _Case(row, dates, people, reviews, kept, set(people))


def _probation_end(session: Session, case: _Case) -> dt.date | None:
    joined = case.dates.get(Step.ASSEMBLY)
    if Step.APPROVAL not in case.dates or joined is None:
        return None
    notes = []
    if case.row.member_id is not None:
        notes = list(session.scalars(select(MemberEvent.note).where(
            MemberEvent.member_id == case.row.member_id, MemberEvent.kind == MemberEventKind.PROBATION_EXTENDED)))
    return probation_end(joined, notes).date


# ---------------------------------------------------------------------------------------- the checks


def _assembly_breaches(session: Session, village_id: int, name: str, day: dt.date) -> list[Breach]:
    """The 支部党员大会 recorded on ``day``, if any: its quorum, and the vote of a decision naming the person."""
    from partybuild_desktop.services.meetings import meeting_record

    meeting_id = session.scalar(select(Meeting.id).where(
        Meeting.village_id == village_id, Meeting.kind == MeetingKind.BRANCH_ASSEMBLY, Meeting.date == day)
        .order_by(Meeting.id).limit(1))
    if meeting_id is None:
        return []
    record = meeting_record(session, village_id, meeting_id)
    found = []
    t = record.turnout
    if not record.quorum:
        found.append(Breach(rules.ASSEMBLY_QUORUM, f"{format_cn(day)}的支部党员大会有表决权的党员应到 {t.voting_due} 人，"
                                                   f"到会 {t.voting_present} 人，未超过半数，不能表决。"))
    for decision in record.decisions:
        if name in decision.text and decision.vote is not None and not decision.passed:
            found.append(Breach(rules.ASSEMBLY_VOTE, f"{format_cn(day)}的支部党员大会对{name}的表决：赞成 "
                                                     f"{decision.vote.agree} 票，未超过应到会有表决权党员 {t.voting_due} 人的半数。"))
    return found


def _step_breaches(session: Session, village_id: int, case: _Case, step: Step, today: dt.date) -> list[Breach]:
    """The rules broken by ``step`` as the case now stands."""
    d, row = case.dates, case.row
    day = d[step]
    found: list[Breach | None] = []
    if step is Step.APPLICATION:
        found.append(rules.under_18_at_application(row.birth_date, day))
    elif step is Step.TALK:
        found.append(rules.talk_after_one_month(d[Step.APPLICATION], day))
    elif step is Step.CONTACTS:
        found.append(rules.contacts_not_one_or_two(len(case.people.get(CONTACT, []))))
    elif step is Step.CANDIDATE_NAMED:
        found.append(rules.activist_under_one_year(d[Step.ACTIVIST_NAMED], day))
        found.append(rules.review_over_six_months(d[Step.ACTIVIST_NAMED], case.reviews, day))
    elif step is Step.INTRODUCERS:
        found.append(rules.introducers_fewer_than_two(len(case.people.get(INTRODUCER, []))))
    elif step is Step.TRAINING:
        found.append(rules.training_too_short(row.training_days, row.training_hours))
    elif step is Step.PRE_REVIEW:
        found.append(rules.publicity_too_short(row.publicity_start, row.publicity_end, day,
                                               publicity_working_days(session)))
    elif step is Step.ASSEMBLY:
        found.extend(_assembly_breaches(session, village_id, row.name, day))
    elif step is Step.APPROVAL:
        found.append(rules.approval_after_three_months(d[Step.ASSEMBLY], day))
    elif step is Step.CONFIRM_ASSEMBLY:
        found.append(rules.probation_not_one_year(d[Step.ASSEMBLY], day))
        found.extend(_assembly_breaches(session, village_id, row.name, day))
    elif step is Step.CONFIRM_APPROVAL:
        found.append(rules.approval_after_three_months(d[Step.CONFIRM_ASSEMBLY], day))
    return [b for b in found if b is not None]


def _check_dates(case: _Case, today: dt.date) -> None:
    """Every step on or after the one before it, none in the future, the 公示 between ⑫ and ⑬, the
    reviews after ③. DatesOutOfOrder or RecruitError(date_in_future) otherwise."""
    done = [s for s in rules.STEPS if s in case.dates]
    for step in done:
        if case.dates[step] > today:
            raise RecruitError(f"{step.title}的日期 {format_cn(case.dates[step])} 晚于今天，请核对（做过之后再登记）。",
                               rules.DATE_IN_FUTURE)
    for earlier, later in zip(done, done[1:]):
        rules.check_order(case.dates[earlier], case.dates[later], earlier.title, later.title)
    row = case.row
    if row.publicity_start or row.publicity_end:
        if not (row.publicity_start and row.publicity_end):
            raise RecruitError("请同时填写公示的开始和结束日期。")
        if max(row.publicity_start, row.publicity_end) > today:
            raise RecruitError("公示日期晚于今天，请核对。", rules.DATE_IN_FUTURE)
        rules.check_order(row.publicity_start, row.publicity_end, "公示开始", "公示结束")
        rules.check_order(case.dates.get(Step.COMMITTEE_REVIEW), row.publicity_start, Step.COMMITTEE_REVIEW.title,
                          "公示开始")
        pre_review = case.dates.get(Step.PRE_REVIEW)
        if pre_review is not None and row.publicity_start >= pre_review:
            raise DatesOutOfOrder(f"公示开始（{format_cn(row.publicity_start)}）不在{Step.PRE_REVIEW.title}"
                                  f"（{format_cn(pre_review)}）之前，日期先后不对，请核对。")
    activist = case.dates.get(Step.ACTIVIST_NAMED)
    for day in case.reviews:
        if activist is None or day < activist:
            raise DatesOutOfOrder(f"考察（{format_cn(day)}）早于确定为入党积极分子，日期先后不对，请核对。")


def _refuse(breaches: Sequence[Breach], step: Step) -> RecruitError:
    text = "；".join(b.message.rstrip("。") for b in breaches)
    return RecruitError(f"{step.title}：{text}。确属实际情况的，请写明原因后再登记（原因会一并记入台账）。",
                        breaches[0].code, breaches)


def _keep(session: Session, case_id: int, step: Step, breaches: Sequence[Breach], reason: str, today: dt.date) -> None:
    for breach in breaches:
        session.add(RecruitBreach(case_id=case_id, step=step, code=breach.code, message=breach.message, reason=reason,
                                  accepted_on=today))


def _reason(text: str | None) -> str:
    return _limited(text, "原因")


def _limited(text: str | None, label: str = "备注") -> str:
    """A note or reason cleaned; one longer than the limit (``domain.field_limits``) is refused."""
    cleaned = clean_cell(text, keep_newlines=True) if text else ""
    if len(cleaned) > NOTE_LIMIT:
        raise RecruitError(too_long("note", cleaned, label), FIELD_TOO_LONG)
    return cleaned


# ---------------------------------------------------------------------------------------- people


def _resolve(session: Session, village_id: int, people: Sequence[Person], role: str) -> list[Person]:
    """Each person as stored: a member of the branch (who must be a 正式党员) or a name from elsewhere."""
    what = "培养联系人" if role == CONTACT else "入党介绍人"
    resolved = []
    named = {clean_name(p.name) for p in people if p.member_id is None} - {""}
    by_name: dict[str, list] = defaultdict(list)
    if named:  # the members of those names, in one query
        for found in session.execute(
                select(Member.id, Member.name, Member.standing, Member.membership_state, Member.archived)
                .where(Member.village_id == village_id, Member.archived.is_(False), Member.name.in_(named))
                .order_by(Member.id)):
            by_name[found.name].append(found)
    for person in people:
        if person.member_id is not None:
            row = village_row(session, Member, person.member_id, village_id)
            if row is None:
                raise RecruitError(f"{what}：本村没有编号为 {person.member_id} 的党员。")
            candidates = [row]
        else:
            name = clean_name(person.name)
            if not name:
                continue
            if len(name) > NAME_LIMIT:
                raise RecruitError(f"{what}：" + too_long("name", name, "姓名"), FIELD_TOO_LONG)
            candidates = by_name.get(name, [])
            if len(candidates) > 1:
                listed = "、".join(f"编号 {m.id}" for m in candidates)
                raise RecruitError(f"本村有 {len(candidates)} 名党员叫“{name}”（{listed}），请用编号写明是哪一位{what}。")
            if not candidates:
                resolved.append(Person(name, None))  # someone from elsewhere, named
                continue
        member = candidates[0]
        if (member.standing is not Standing.FULL or member.membership_state is not MembershipState.NORMAL
                or member.archived):
            raise RecruitError(f"{member.name}不是在册的正式党员，不能作{what}（{what}应为正式党员）。", NOT_FULL_MEMBER)
        resolved.append(Person(member.name, member.id))
    ids = [p.member_id for p in resolved if p.member_id is not None]
    names = [p.name for p in resolved]
    if len(set(ids)) != len(ids) or len(set(names)) != len(names):
        raise RecruitError(f"同一个人不能两次作{what}。")
    return resolved


# ---------------------------------------------------------------------------------------- ① a new case


def _check_identity(session: Session, form: CaseForm, case_id: int | None, member_id: int | None,
                    today: dt.date) -> CaseForm:
    name = clean_name(form.name or "")
    if not name:
        raise RecruitError("请填写入党申请人的姓名。")
    if len(name) > NAME_LIMIT:
        raise RecruitError(too_long("name", name, "姓名"), FIELD_TOO_LONG)
    number, birth, gender = form.id_number, form.birth_date, form.gender
    if number and number.strip():
        checked = id_numbers.check(number, today=today)
        if not checked.ok:
            raise RecruitError(checked.message, checked.code)
        number = checked.number
        born = id_numbers.birth_date(number)
        if birth is not None and birth != born:
            raise RecruitError(f"出生日期 {format_cn(birth)} 与身份证号（{format_cn(born)}）不一致，请核对。")
        birth = born
        id_gender = Gender.MALE if id_numbers.is_male(number) else Gender.FEMALE
        if gender is not None and gender != id_gender:
            raise RecruitError(f"性别“{gender.label}”与身份证号（{id_gender.label}）不一致，请核对。")
        gender = id_gender
        other = session.scalar(select(RecruitCase.name).where(RecruitCase.id_number == number,
                                                              RecruitCase.id != (case_id or 0)))
        if other is not None:
            raise RecruitError(f"身份证号 {number} 已登记为入党申请人“{other}”，同一个人不能登记两次。")
        owner = session.execute(select(Member.id, Member.name).where(Member.id_number == number)).first()
        if owner is not None and owner.id != member_id:
            raise RecruitError(f"身份证号 {number} 已属于党员“{owner.name}”：已经是党员的，不能再作为入党申请人登记。")
    else:
        number = None
    if birth is not None and birth > today:
        raise RecruitError(f"出生日期 {format_cn(birth)} 晚于今天，请核对。", rules.DATE_IN_FUTURE)
    notes = clean_cell(form.notes, keep_newlines=True) or None if form.notes else None
    if notes and len(notes) > NOTE_LIMIT:
        raise RecruitError(too_long("notes", notes, "备注"), FIELD_TOO_LONG)
    return CaseForm(name, form.applied, gender, number, birth, form.party_group_id, notes, form.reason)


def create_case(session: Session, village_id: int, form: CaseForm, today: dt.date | None = None) -> Advanced:
    """① 递交入党申请书: a new case. Under 18 on that day is refused (``under_18_at_application``) unless a
    reason is given."""
    return create_case_with_steps(session, village_id, form, (), today)[0]


def create_case_with_steps(session: Session, village_id: int, form: CaseForm, steps: Sequence[StepForm],
                           today: dt.date | None = None) -> list[Advanced]:
    """① and the steps after it in one call (what one line of a 台账 holds): ① checked as ``create_case``
    checks it, then each step as ``advance`` does, against the case as the steps before it leave it; every
    check is made before anything is written, so a refusal writes nothing. Returns ①'s outcome, then each
    step's."""
    today = today or dt.date.today()
    if form.applied is None:
        raise RecruitError("请填写递交入党申请书的日期。")
    cleaned = _check_identity(session, form, None, None, today)
    if cleaned.party_group_id is not None and village_row(session, PartyGroup, cleaned.party_group_id, village_id) is None:
        raise RecruitError("拟编入的党小组不在本村，请重新选择。")
    row = RecruitCase(village_id=village_id, name=cleaned.name, gender=cleaned.gender, id_number=cleaned.id_number,
                      birth_date=cleaned.birth_date, party_group_id=cleaned.party_group_id, notes=cleaned.notes)
    case = _Case(row, {Step.APPLICATION: form.applied}, defaultdict(list), [])
    _check_dates(case, today)
    breaches = _step_breaches(session, village_id, case, Step.APPLICATION, today)
    reason = _reason(form.reason)
    if breaches and not reason:
        raise _refuse(breaches, Step.APPLICATION)
    with session.no_autoflush:
        checked = [_check_step(session, village_id, case, step, today) for step in steps]
    session.add(row)
    session.flush()
    session.add(RecruitStep(case_id=row.id, step=Step.APPLICATION, date=form.applied))
    _keep(session, row.id, Step.APPLICATION, breaches, reason, today)
    done = [Advanced(row.id, Step.APPLICATION, tuple(breaches), None),
            *_write_steps(session, village_id, case, checked, today)]
    session.flush()
    return done


def update_case(session: Session, village_id: int, case_id: int, form: CaseForm, today: dt.date | None = None) -> None:
    """Correct the person's details (name, gender, ID number, birth date, party group, notes); the member
    made at ⑰ keeps their own card."""
    today = today or dt.date.today()
    row = _case_row(session, village_id, case_id)
    cleaned = _check_identity(session, form, case_id, row.member_id, today)
    if cleaned.party_group_id is not None and village_row(session, PartyGroup, cleaned.party_group_id, village_id) is None:
        raise RecruitError("拟编入的党小组不在本村，请重新选择。")
    case = _load(session, village_id, case_id)
    applied = case.dates[Step.APPLICATION]
    breach = rules.under_18_at_application(cleaned.birth_date, applied)
    kept = {(b.step, b.code) for b in case.kept}
    if breach and (Step.APPLICATION, breach.code) not in kept:
        reason = _reason(form.reason)
        if not reason:
            raise _refuse([breach], Step.APPLICATION)
        _keep(session, case_id, Step.APPLICATION, [breach], reason, today)
    for name in ("name", "gender", "id_number", "birth_date", "party_group_id", "notes"):
        setattr(row, name, getattr(cleaned, name))
    session.flush()


# ---------------------------------------------------------------------------------------- the steps


def _apply_fields(session: Session, village_id: int, case: _Case, form: StepForm) -> None:
    """Put what the step brings into the case (in memory: written only once every check has passed)."""
    takes = _TAKES.get(form.step, set())
    for name, label in _FIELD_LABELS.items():
        if getattr(form, name) is not None and name not in takes:
            raise RecruitError(f"{form.step.title}不用填写{label}。")
    if form.step is Step.CONTACTS:
        case.people[CONTACT] = _resolve(session, village_id, form.contacts or [], CONTACT)
    elif form.step is Step.INTRODUCERS:
        introducers = _resolve(session, village_id, form.introducers or [], INTRODUCER)
        if len(introducers) > rules.INTRODUCERS_REQUIRED:
            raise RecruitError(f"写了 {len(introducers)} 名入党介绍人：入党介绍人为两名正式党员。")
        case.people[INTRODUCER] = introducers
    elif form.step is Step.TRAINING:
        if form.training_hours is None and form.training_days is None:
            raise RecruitError("集中培训请填写培训学时或天数（应不少于 3 天或 24 学时）。")
        for value, label, top in ((form.training_hours, "培训学时", 1000), (form.training_days, "培训天数", 100)):
            if value is not None and not 0 <= value <= top:
                raise RecruitError(f"{label}应在 0 到 {top} 之间。")
        case.row.training_hours, case.row.training_days = form.training_hours, form.training_days
    elif form.step in (Step.COMMITTEE_REVIEW, Step.PRE_REVIEW):
        if form.publicity_start is not None or form.publicity_end is not None:
            case.row.publicity_start, case.row.publicity_end = form.publicity_start, form.publicity_end
        if form.step is Step.PRE_REVIEW and not (case.row.publicity_start and case.row.publicity_end):
            raise RecruitError("上级党委预审前要公示：请填写公示的开始和结束日期。")


def advance(session: Session, village_id: int, case_id: int, form: StepForm, today: dt.date | None = None) -> Advanced:
    """Record the next step of a case (steps go in order). Refused, with nothing written, when its date is
    out of order or in the future, when it lacks what it needs, or when it breaks a rule and no reason is
    given; a breach given a reason is kept with it. ⑰ makes the 预备 member, ㉔ the 正式 member."""
    return advance_steps(session, village_id, case_id, [form], today)[0]


def advance_steps(session: Session, village_id: int, case_id: int, forms: Sequence[StepForm],
                  today: dt.date | None = None) -> list[Advanced]:
    """Record several next steps of a case at once, in order: each is checked exactly as ``advance``
    checks it, against the case as the steps before it in ``forms`` leave it. The case is read once and
    every step is checked before anything is written: a refusal of any step writes none of them."""
    today = today or dt.date.today()
    case = _load(session, village_id, case_id)
    checked: list[tuple[StepForm, list[Breach], str]] = []
    # The checks read the case as it would be; nothing reaches the database until they have passed, and
    # a refusal leaves the case's row as it was stored.
    with session.no_autoflush:
        try:
            for form in forms:
                checked.append(_check_step(session, village_id, case, form, today))
        except Refusal:
            session.expire(case.row)
            raise
    done = _write_steps(session, village_id, case, checked, today)
    session.flush()
    return done


def _check_step(session: Session, village_id: int, case: _Case, form: StepForm, today: dt.date
                ) -> tuple[StepForm, list[Breach], str]:
    """One step's checks, the step then put into ``case`` (in memory) for the next one to be judged by."""
    step = Step(form.step)
    expected = rules.next_step(list(case.dates))
    if expected is None:
        raise RecruitError(f"{case.row.name}的 25 个步骤都已登记完毕。")
    if step is not expected:
        if step in case.dates:
            raise RecruitError(f"{case.row.name}的{step.title}已经登记过了（{format_cn(case.dates[step])}）；"
                               "要改日期请用“修改步骤”（命令行：recruit edit）。")
        raise RecruitError(f"{case.row.name}下一步应是{expected.title}，还不能登记{step.title}（按顺序逐步登记）。")
    reason = _reason(form.reason)
    case.dates[step] = form.date
    _apply_fields(session, village_id, case, form)
    _check_dates(case, today)
    breaches = [b for b in _step_breaches(session, village_id, case, step, today) if b.code not in form.unknown]
    if breaches and not reason:
        raise _refuse(breaches, step)
    return form, breaches, reason


def _write_steps(session: Session, village_id: int, case: _Case, checked: Sequence[tuple[StepForm, list[Breach], str]],
                 today: dt.date) -> list[Advanced]:
    """Write the steps checked (``_check_step``): their rows, people and breaches kept in one batch each,
    then the member made at ⑰ and confirmed at ㉔."""
    row, case_id = case.row, case.row.id
    steps, people, kept = [], [], []
    for form, breaches, reason in checked:
        step = Step(form.step)
        steps.append(dict(case_id=case_id, step=step, date=form.date, note=_limited(form.note) or None))
        for role, its_step in ((CONTACT, Step.CONTACTS), (INTRODUCER, Step.INTRODUCERS)):
            if step is its_step:
                if role in case.stored_roles:
                    session.execute(delete(RecruitPerson).where(RecruitPerson.case_id == case_id,
                                                                RecruitPerson.role == role))
                case.stored_roles.add(role)
                people += [dict(case_id=case_id, role=role, member_id=p.member_id, name=p.name)
                           for p in case.people[role]]
        kept += [dict(case_id=case_id, step=step, code=b.code, message=b.message, reason=reason, accepted_on=today)
                 for b in breaches]
    for model, rows in ((RecruitStep, steps), (RecruitPerson, people), (RecruitBreach, kept)):
        if rows:
            session.execute(insert(model), rows)
    done = []
    for form, breaches, _ in checked:
        step = Step(form.step)
        if step is rules.MEMBER_STEP:
            row.member_id = _make_member(session, village_id, row, case.dates[Step.ASSEMBLY], today)
            session.flush()
        elif step is rules.FULL_MEMBER_STEP:
            _confirm_member(session, case, form.date, today)
        done.append(Advanced(case_id, step, tuple(breaches), row.member_id))
    return done


def _make_member(session: Session, village_id: int, row: RecruitCase, joined: dt.date, today: dt.date) -> int:
    """⑰: the person as a 预备党员, joined on the day of the 支部大会 (⑮), with a JOINED event."""
    form = members.MemberForm(name=row.name, gender=row.gender, id_number=row.id_number, birth_date=row.birth_date,
                              standing=Standing.PROBATIONARY, joined_date=joined, party_group_id=row.party_group_id,
                              notes=row.notes)
    try:
        return members.save_member(session, village_id, form, today=today)
    except members.MemberError as error:
        raise RecruitError(f"{rules.MEMBER_STEP.title}：登记为预备党员时出错：{error}") from error


def _confirm_member(session: Session, case: _Case, approved: dt.date, today: dt.date) -> None:
    """㉔: the member becomes 正式 on the day the probation ended (党龄从预备期满之日算起), or on the day of
    the approval when that came first (a breach kept with its reason)."""
    member_id = case.row.member_id
    if member_id is None:
        raise RecruitError("这名预备党员的党员记录已被删除，无法登记转正。请先核对党员名册。")
    end = _probation_end(session, case) or approved
    try:
        members.change_status(session, member_id, MemberEventKind.CONFIRMED, min(end, approved),
                              note=f"{rules.FULL_MEMBER_STEP.label}（{format_cn(approved)}）", today=today)
    except members.MemberError as error:
        raise RecruitError(f"{rules.FULL_MEMBER_STEP.title}：{error}") from error


def extend_probation(session: Session, village_id: int, case_id: int, date: dt.date, months: int, reason: str | None,
                     today: dt.date | None = None) -> None:
    """The 支部大会 decided to extend the probation (once, 6 to 12 months): a 延长预备期 of the member."""
    today = today or dt.date.today()
    case = _load(session, village_id, case_id)
    if case.row.member_id is None or Step.CONFIRM_APPROVAL in case.dates:
        raise RecruitError("只有已接收、尚未转正的预备党员才能延长预备期。")
    if not 6 <= months <= 12:
        raise RecruitError("预备期只能延长一次，时间为半年到一年（6 到 12 个月）。")
    rules.check_order(case.dates[Step.ASSEMBLY], date, Step.ASSEMBLY.title, "延长预备期")
    note = f"延长{months}个月" + (f"：{_reason(reason)}" if reason else "")
    try:
        members.change_status(session, case.row.member_id, MemberEventKind.PROBATION_EXTENDED, date, note, today=today)
    except members.MemberError as error:
        raise RecruitError(str(error)) from error


def add_review(session: Session, village_id: int, case_id: int, date: dt.date, note: str | None = None,
               today: dt.date | None = None) -> int:
    """A six-monthly 考察 of an activist (from ③ on)."""
    today = today or dt.date.today()
    case = _load(session, village_id, case_id)
    if Step.ACTIVIST_NAMED not in case.dates:
        raise RecruitError(f"{case.row.name}还没有确定为入党积极分子，不能登记考察。")
    if date > today:
        raise RecruitError(f"考察日期 {format_cn(date)} 晚于今天，请核对。", rules.DATE_IN_FUTURE)
    case.reviews.append(date)
    _check_dates(case, today)
    review = RecruitReview(case_id=case_id, date=date,
                           note=_limited(note) or None)
    session.add(review)
    session.flush()
    return review.id


@dataclass
class StepEdit:
    """A correction of a step done: what is given replaces what was recorded, what is None stays."""

    step: Step
    date: dt.date | None = None
    reason: str | None = None  # keeps the breaches the correction causes
    note: str | None = None
    contacts: list[Person] | None = None  # ⑤
    introducers: list[Person] | None = None  # ⑨
    training_hours: float | None = None  # ⑪
    training_days: float | None = None
    publicity_start: dt.date | None = None  # ⑫ or ⑬
    publicity_end: dt.date | None = None

    @property
    def changes_anything(self) -> bool:
        return any(getattr(self, name) is not None for name in ("date", "note", *_FIELD_LABELS))


def edit_date(session: Session, village_id: int, case_id: int, step: Step, date: dt.date, reason: str | None = None,
              today: dt.date | None = None) -> tuple[Breach, ...]:
    """Correct the date of a step done (``edit_step`` with the date alone)."""
    return edit_step(session, village_id, case_id, StepEdit(Step(step), date=date, reason=reason), today)


def _edit_fields(session: Session, village_id: int, case: _Case, edit: StepEdit) -> set[str]:
    """Put the correction's people, training and 公示 into the case (in memory); returns what changed."""
    takes = _TAKES.get(edit.step, set())
    for name, label in _FIELD_LABELS.items():
        if getattr(edit, name) is not None and name not in takes:
            raise RecruitError(f"{edit.step.title}没有{label}可改。")
    changed = set()
    row = case.row
    if edit.contacts is not None:
        case.people[CONTACT] = _resolve(session, village_id, edit.contacts, CONTACT)
        changed.add("contacts")
    if edit.introducers is not None:
        introducers = _resolve(session, village_id, edit.introducers, INTRODUCER)
        if len(introducers) > rules.INTRODUCERS_REQUIRED:
            raise RecruitError(f"写了 {len(introducers)} 名入党介绍人：入党介绍人为两名正式党员。")
        case.people[INTRODUCER] = introducers
        changed.add("introducers")
    if edit.training_hours is not None or edit.training_days is not None:
        for value, label, top in ((edit.training_hours, "培训学时", 1000), (edit.training_days, "培训天数", 100)):
            if value is not None and not 0 <= value <= top:
                raise RecruitError(f"{label}应在 0 到 {top} 之间。")
        if edit.training_hours is not None:
            row.training_hours = edit.training_hours or None
        if edit.training_days is not None:
            row.training_days = edit.training_days or None
        if not (row.training_hours or row.training_days):
            raise RecruitError("集中培训请填写培训学时或天数（应不少于 3 天或 24 学时）。")
        changed.add("training")
    if edit.publicity_start is not None or edit.publicity_end is not None:
        row.publicity_start = edit.publicity_start or row.publicity_start
        row.publicity_end = edit.publicity_end or row.publicity_end
        changed.add("publicity")
    return changed


def edit_step(session: Session, village_id: int, case_id: int, edit: StepEdit, today: dt.date | None = None
              ) -> tuple[Breach, ...]:
    """Correct a step done: its date, and what it recorded (the 培养联系人 of ⑤, the 入党介绍人 of ⑨, the
    training of ⑪, the 公示 of ⑫/⑬, the note). The order is checked again, and the rules of every step
    the correction bears on (``domain.recruitment.rechecked_by``): a breach it newly causes needs a
    reason; one it mends is no longer kept. Nothing is written on a refusal. The member made at ⑰
    follows a corrected 支部大会 date (joined) and ㉔ (confirmed)."""
    today = today or dt.date.today()
    step = Step(edit.step)
    case = _load(session, village_id, case_id)
    if step not in case.dates:
        raise RecruitError(f"{case.row.name}还没有登记{step.title}，请先按顺序登记。")
    if not edit.changes_anything:
        raise RecruitError(f"没有要改的内容：请写明{step.title}改为哪一天，或改正的人员、培训学时、公示日期。")
    reason_text = _reason(edit.reason)
    with session.no_autoflush:
        try:
            changed = _edit_fields(session, village_id, case, edit)
            if edit.date is not None and edit.date != case.dates[step]:
                case.dates[step] = edit.date
                changed.add(step)
            if step is Step.PRE_REVIEW and step in changed:
                changed.add("publicity")  # the working days of the 公示 are counted up to the 预审
            _check_dates(case, today)
            kept = {(b.step, b.code): b for b in case.kept}
            new: dict[Step, list[Breach]] = {}
            stale = []
            for done in sorted(rules.rechecked_by(changed) & set(case.dates), key=rules.STEPS.index):
                now = {b.code: b for b in _step_breaches(session, village_id, case, done, today)}
                new[done] = [b for code, b in now.items() if (done, code) not in kept]
                stale += [b for (s, code), b in kept.items() if s is done and code not in now]
            fresh = [b for breaches in new.values() for b in breaches]
            if fresh and not reason_text:
                raise _refuse(fresh, step)
        except Refusal:
            session.expire(case.row)
            raise
    date = case.dates[step]
    values = {"date": date}
    if edit.note is not None:
        values["note"] = _limited(edit.note) or None
    session.execute(RecruitStep.__table__.update().where(RecruitStep.case_id == case_id, RecruitStep.step == step)
                    .values(**values))
    for role in (CONTACT, INTRODUCER):
        if role + "s" in changed:
            session.execute(delete(RecruitPerson).where(RecruitPerson.case_id == case_id, RecruitPerson.role == role))
            session.add_all(RecruitPerson(case_id=case_id, role=role, member_id=p.member_id, name=p.name)
                            for p in case.people[role])
    for breach in stale:
        session.delete(breach)
    for done, breaches in new.items():
        _keep(session, case_id, done, breaches, reason_text, today)
    member_id = case.row.member_id
    if member_id is not None and step is Step.ASSEMBLY:
        member = session.get(Member, member_id)
        if member is not None:
            member.joined_date = date
            session.execute(MemberEvent.__table__.update().where(
                MemberEvent.member_id == member_id, MemberEvent.kind == MemberEventKind.JOINED).values(date=date))
    if member_id is not None and step is Step.CONFIRM_APPROVAL:
        member = session.get(Member, member_id)
        end = _probation_end(session, case) or date
        confirmed = min(end, date)
        if member is not None:
            member.confirmed_date = confirmed
            session.execute(MemberEvent.__table__.update().where(
                MemberEvent.member_id == member_id, MemberEvent.kind == MemberEventKind.CONFIRMED).values(date=confirmed))
    session.flush()
    return tuple(fresh)


def step_date(session: Session, village_id: int, case_id: int, step: Step) -> dt.date | None:
    """The date recorded for ``step`` of the case, or None."""
    _case_row(session, village_id, case_id)
    return session.scalar(select(RecruitStep.date).where(RecruitStep.case_id == case_id, RecruitStep.step == step))


def delete_case(session: Session, village_id: int, case_id: int) -> None:
    """Remove a case entered by mistake (its steps, people, reviews and breaches); the member made at ⑰,
    if any, stays in the member list."""
    row = _case_row(session, village_id, case_id)
    for model in (RecruitStep, RecruitPerson, RecruitReview, RecruitBreach):
        session.execute(delete(model).where(model.case_id == case_id))
    session.delete(row)
    session.flush()


# ---------------------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class CaseRow:
    """A case as the list (and ``recruits --json``) shows it."""

    id: int
    name: str
    stage: Stage
    next_step: Step | None
    due: dt.date | None
    breaches: tuple[str, ...]  # the codes kept, then probation_overdue as of today
    member_id: int | None
    dates: dict[Step, dt.date]

    def to_json(self) -> dict:
        return {"name": self.name, "stage": self.stage.value,
                "next_step": self.next_step.value if self.next_step else None,
                "due": self.due.isoformat() if self.due else None, "breaches": list(self.breaches)}


def list_cases(session: Session, village_id: int, today: dt.date | None = None) -> list[CaseRow]:
    """Every case of the village, in the order they applied: stage, next step, its due date and the
    rules broken (read in five queries, whatever the number of cases)."""
    today = today or dt.date.today()
    cases = session.execute(select(RecruitCase.id, RecruitCase.name, RecruitCase.member_id, RecruitCase.publicity_end)
                            .where(RecruitCase.village_id == village_id).order_by(RecruitCase.id)).all()
    ids = [c.id for c in cases]
    dates: dict[int, dict[Step, dt.date]] = defaultdict(dict)
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    breaches: dict[int, list[str]] = defaultdict(list)
    extensions: dict[int, list[str | None]] = defaultdict(list)
    if ids:
        for case_id, step, date in session.execute(
                select(RecruitStep.case_id, RecruitStep.step, RecruitStep.date)
                .join(RecruitCase, RecruitCase.id == RecruitStep.case_id).where(RecruitCase.village_id == village_id)):
            dates[case_id][step] = date
        for case_id, date in session.execute(
                select(RecruitReview.case_id, RecruitReview.date)
                .join(RecruitCase, RecruitCase.id == RecruitReview.case_id).where(RecruitCase.village_id == village_id)):
            reviews[case_id].append(date)
        for case_id, code in session.execute(
                select(RecruitBreach.case_id, RecruitBreach.code)
                .join(RecruitCase, RecruitCase.id == RecruitBreach.case_id).where(RecruitCase.village_id == village_id)
                .order_by(RecruitBreach.id)):
            if code not in breaches[case_id]:
                breaches[case_id].append(code)
        for member_id, note in session.execute(
                select(MemberEvent.member_id, MemberEvent.note)
                .join(RecruitCase, RecruitCase.member_id == MemberEvent.member_id)
                .where(RecruitCase.village_id == village_id, MemberEvent.kind == MemberEventKind.PROBATION_EXTENDED)):
            extensions[member_id].append(note)
    rows = []
    for case_id, name, member_id, publicity_end in cases:
        done = dates[case_id]
        end = None
        if Step.APPROVAL in done and Step.ASSEMBLY in done:
            end = probation_end(done[Step.ASSEMBLY], extensions.get(member_id, ())).date
        codes = list(breaches[case_id])
        if end is not None:
            overdue = rules.probation_overdue(end, done.get(Step.CONFIRM_ASSEMBLY), today)
            if overdue and overdue.code not in codes:
                codes.append(overdue.code)
        facts = rules.CaseDates(dict(done), tuple(sorted(reviews[case_id])), publicity_end, end)
        rows.append(CaseRow(case_id, name, rules.stage_of_case(list(done)), rules.next_step(list(done)),
                            rules.due_date(facts), tuple(codes), member_id, dict(done)))
    rows.sort(key=lambda r: (r.dates.get(Step.APPLICATION, dt.date.max), r.id))
    return rows


def find_cases(session: Session, village_id: int, text: str) -> list[tuple[int, str]]:
    """(id, name) of the cases named ``text``: by 编号 (digits) or by name."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit():
        row = village_row(session, RecruitCase, int(text), village_id)
        if row is not None:
            return [(row.id, row.name)]
    name = clean_name(text)
    return [tuple(r) for r in session.execute(select(RecruitCase.id, RecruitCase.name).where(
        RecruitCase.village_id == village_id, RecruitCase.name == name).order_by(RecruitCase.id))]


@dataclass(frozen=True)
class KeptBreach:
    step: Step
    code: str
    message: str
    reason: str
    accepted_on: dt.date


def kept_breaches(session: Session, village_id: int, case_id: int) -> list[KeptBreach]:
    _case_row(session, village_id, case_id)
    return [KeptBreach(b.step, b.code, b.message, b.reason, b.accepted_on) for b in session.scalars(
        select(RecruitBreach).where(RecruitBreach.case_id == case_id).order_by(RecruitBreach.id))]


def people(session: Session, village_id: int, case_id: int) -> dict[str, list[Person]]:
    """The case's 培养联系人 (``contact``) and 入党介绍人 (``introducer``)."""
    return dict(_load(session, village_id, case_id).people)


# ---------------------------------------------------------------------------------------- the village


def last_accepted(session: Session, village_id: int) -> dt.date | None:
    """The latest day anyone was accepted as a 预备党员 in the village (a member's joined date); None when no
    member has a joined date recorded."""
    return session.scalar(select(func.max(Member.joined_date)).where(Member.village_id == village_id))


def no_recruitment_since(session: Session, village_id: int, as_of: dt.date) -> dt.date | None:
    """The last acceptance when there has been none in three years (the village would be 挂牌督办); None
    otherwise, or when nothing is recorded to judge from."""
    last = last_accepted(session, village_id)
    if last is None or last >= add_months(as_of, -12 * NO_RECRUITMENT_YEARS):
        return None
    return last


# ---------------------------------------------------------------------------------------- the ledger as printed


@dataclass(frozen=True)
class KeptRule:
    """A rule broken at a step, kept with its reason."""

    step: Step
    message: str
    reason: str


@dataclass
class CaseSheet:
    """One person as the ledger and the printouts see them (``ledger``)."""

    id: int
    name: str
    gender: str  # 男/女 or ""
    birth_date: dt.date | None
    id_number: str | None  # whole: masked here
    party_group: str
    stage: Stage
    next_step: Step | None
    due: dt.date | None
    dates: dict[Step, dt.date]
    contacts: list[str] = field(default_factory=list)
    introducers: list[str] = field(default_factory=list)
    reviews: list[dt.date] = field(default_factory=list)
    training_days: float | None = None
    training_hours: float | None = None
    publicity_start: dt.date | None = None
    publicity_end: dt.date | None = None
    step_notes: dict[Step, str] = field(default_factory=dict)
    kept: list[KeptRule] = field(default_factory=list)
    overdue: bool = False  # probation_overdue as of today

    @property
    def masked_id(self) -> str:
        return id_numbers.mask(self.id_number)


def ledger(session: Session, village_id: int, today: dt.date | None = None,
           case_ids: Sequence[int] | None = None) -> list[CaseSheet]:
    """The cases as the 台账 and the 纪实表 show them: ``list_cases`` (stage, next step, due date, breaches)
    with each person's details, people, reviews, step notes and the rules kept with their reasons, read
    in five queries over the village whatever the number of cases."""
    rows = [r for r in list_cases(session, village_id, today) if case_ids is None or r.id in case_ids]
    wanted = {r.id for r in rows}
    if not wanted:
        return []

    def of_village(query, column):
        return query.join(RecruitCase, RecruitCase.id == column).where(RecruitCase.village_id == village_id)

    details = {c.id: c for c in session.execute(
        select(RecruitCase.id, RecruitCase.gender, RecruitCase.birth_date, RecruitCase.id_number,
               RecruitCase.training_days, RecruitCase.training_hours, RecruitCase.publicity_start,
               RecruitCase.publicity_end, PartyGroup.name.label("party_group"))
        .outerjoin(PartyGroup, PartyGroup.id == RecruitCase.party_group_id)
        .where(RecruitCase.village_id == village_id))}
    people: dict[int, dict[str, list[str]]] = {i: {CONTACT: [], INTRODUCER: []} for i in wanted}
    for case_id, role, name in session.execute(of_village(
            select(RecruitPerson.case_id, RecruitPerson.role, RecruitPerson.name), RecruitPerson.case_id)
            .order_by(RecruitPerson.id)):
        if case_id in wanted:
            people[case_id].setdefault(role, []).append(name)
    reviews: dict[int, list[dt.date]] = {i: [] for i in wanted}
    for case_id, day in session.execute(of_village(select(RecruitReview.case_id, RecruitReview.date),
                                                   RecruitReview.case_id)):
        if case_id in wanted:
            reviews[case_id].append(day)
    notes: dict[int, dict] = {i: {} for i in wanted}
    for case_id, step, note in session.execute(of_village(
            select(RecruitStep.case_id, RecruitStep.step, RecruitStep.note), RecruitStep.case_id)
            .where(RecruitStep.note.is_not(None))):
        if case_id in wanted:
            notes[case_id][step] = note
    kept: dict[int, list[KeptRule]] = {i: [] for i in wanted}
    for case_id, step, message, reason in session.execute(of_village(
            select(RecruitBreach.case_id, RecruitBreach.step, RecruitBreach.message, RecruitBreach.reason),
            RecruitBreach.case_id).order_by(RecruitBreach.id)):
        if case_id in wanted:
            kept[case_id].append(KeptRule(step, message, reason))
    sheets = []
    for r in rows:
        d = details[r.id]
        sheets.append(CaseSheet(
            r.id, r.name, d.gender.label if d.gender else "", d.birth_date, d.id_number, d.party_group or "",
            r.stage, r.next_step, r.due, dict(r.dates), people[r.id][CONTACT], people[r.id][INTRODUCER],
            sorted(reviews[r.id]), d.training_days, d.training_hours, d.publicity_start, d.publicity_end,
            notes[r.id], kept[r.id], "probation_overdue" in r.breaches))
    return sheets


# ---------------------------------------------------------------------------------------- the annual statistics

_ENTRY_KINDS = (MemberEventKind.JOINED, MemberEventKind.TRANSFERRED_IN)
_EXIT_KINDS = (MemberEventKind.TRANSFERRED_OUT, MemberEventKind.DIED, MemberEventKind.ARCHIVED)
_CASE_STEPS = (Step.APPROVAL, Step.CONFIRM_ASSEMBLY, Step.CONFIRM_APPROVAL)


@dataclass(frozen=True)
class AnnualPeople:
    """Who the 党内统计年报's 发展党员 and 预备党员转正 tables count (``domain.recruitment``'s counts)."""

    newcomers: list[rules.Newcomer]
    probationers: list[rules.Probationer]


def annual_people(session: Session, village_id: int) -> AnnualPeople:
    """Every member of the village (archived ones too) as the annual statistics see them, read in three
    queries: the members with their case, the cases' ⑰ ㉓ ㉔ dates, and the members' entry, exit and
    延长预备期 events.

    A member made through a case counts as 发展 on its ⑰ and becomes 正式 on its ㉔; a member entered
    directly with a 入党 date (not transferred in) counts on that date and becomes 正式 on their 转正 date.
    A 正式 member with no 转正 date was never a 预备党员 that these tables can date, and is left out of
    the 转正 table."""
    rows = session.execute(
        select(Member.id, Member.name, Member.gender, Member.ethnicity, Member.birth_date, Member.education,
               Member.category, Member.standing, Member.joined_date, Member.confirmed_date, Member.archived,
               RecruitCase.id.label("case_id"))
        .outerjoin(RecruitCase, RecruitCase.member_id == Member.id)
        .where(Member.village_id == village_id).order_by(Member.joined_date, Member.id)).all()
    steps: dict[int, dict[Step, dt.date]] = defaultdict(dict)
    for case_id, step, date in session.execute(
            select(RecruitStep.case_id, RecruitStep.step, RecruitStep.date)
            .join(RecruitCase, RecruitCase.id == RecruitStep.case_id)
            .where(RecruitCase.village_id == village_id, RecruitCase.member_id.is_not(None),
                   RecruitStep.step.in_(_CASE_STEPS))):
        steps[case_id][step] = date
    entries: dict[int, MemberEventKind] = {}
    exits: dict[int, dt.date] = {}
    extensions: dict[int, list[tuple[dt.date, str | None]]] = defaultdict(list)
    for member_id, kind, date, note in session.execute(
            select(MemberEvent.member_id, MemberEvent.kind, MemberEvent.date, MemberEvent.note)
            .join(Member, Member.id == MemberEvent.member_id)
            .where(Member.village_id == village_id,
                   MemberEvent.kind.in_((*_ENTRY_KINDS, *_EXIT_KINDS, MemberEventKind.PROBATION_EXTENDED)))
            .order_by(MemberEvent.date, MemberEvent.id)):
        if kind in _ENTRY_KINDS:
            entries.setdefault(member_id, kind)  # the first entry
        elif kind in _EXIT_KINDS:
            exits[member_id] = date  # the last departure
        else:
            extensions[member_id].append((date, note))
    newcomers, probationers = [], []
    for r in rows:
        done = steps.get(r.case_id, {}) if r.case_id is not None else {}
        transferred_in = entries.get(r.id) is MemberEventKind.TRANSFERRED_IN
        if r.case_id is not None or (r.joined_date is not None and not transferred_in):
            newcomers.append(rules.Newcomer(r.name, r.gender, r.ethnicity, r.birth_date, r.education, r.category,
                                            r.joined_date, done.get(Step.APPROVAL)))
        if r.joined_date is None:
            continue
        confirmed = done.get(Step.CONFIRM_APPROVAL)
        if confirmed is None and r.standing is Standing.FULL:
            confirmed = r.confirmed_date
            if confirmed is None:
                continue  # 正式, 转正 date unknown: not a 预备党员 these tables can date
        extended = extensions.get(r.id, [])
        left = exits.get(r.id, r.joined_date) if r.archived else None
        probationers.append(rules.Probationer(
            r.name, r.joined_date, probation_end(r.joined_date, [note for _, note in extended]).date,
            tuple(day for day, _ in extended), done.get(Step.CONFIRM_ASSEMBLY), confirmed, left))
    return AnnualPeople(newcomers, probationers)
