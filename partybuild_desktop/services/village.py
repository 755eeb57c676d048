"""The village this data file keeps, and the file's own settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from partybuild_desktop.domain.committee import CommitteePost, TermState, term_state
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.phone import check_phone
from partybuild_desktop.domain.text import clean_name
from partybuild_desktop.domain.vocabulary import BranchType
from partybuild_desktop.store.models import CommitteePostHolder, CommitteeTerm, Member, Setting, Village

CURRENT_VILLAGE = "current_village_id"
LAST_BACKUP = "last_backup_at"
PROGRAM_MODE = "program_mode"  # "village" (the default): the village's records; "township": consolidation
VILLAGE_MODE, TOWNSHIP_MODE = "village", "township"


@dataclass(frozen=True)
class VillageInfo:
    id: int
    township: str
    name: str
    branch_type: BranchType
    branch_name: str
    secretary_name: str  # the current 书记 (see ``committee``)
    phone: str | None = None
    address: str | None = None

    @property
    def title(self) -> str:
        return f"{self.township}{self.name}"


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def default_branch_name(village: str, branch_type: BranchType) -> str:
    return f"中共{village}{branch_type.label}"


def create_village(
    session: Session,
    township: str,
    name: str,
    branch_type: BranchType,
    secretary_name: str | None,
    branch_name: str | None = None,
) -> VillageInfo:
    """Add a village; the first one becomes the current village. ``secretary_name`` None: the secretary
    is not named yet (``init`` without ``--secretary``), to be filled in under 设置 → 本村信息; a blank
    name typed into a form is refused."""
    named = secretary_name is not None
    township, name, secretary_name = township.strip(), name.strip(), (secretary_name or "").strip()
    checks = (("乡镇", township), ("村名", name)) + ((("书记姓名", secretary_name),) if named else ())
    problems = [label for label, value in checks if not value]
    if problems:
        raise Refusal("请填写：" + "、".join(problems) + "。")
    village = Village(
        township=township,
        name=name,
        branch_type=branch_type,
        branch_name=(branch_name or "").strip() or default_branch_name(name, branch_type),
        secretary_name=secretary_name,
    )
    session.add(village)
    session.flush()
    # The first term, its election date to be filled in; the secretary as named.
    term = CommitteeTerm(village_id=village.id)
    session.add(term)
    session.flush()
    if secretary_name:
        session.add(CommitteePostHolder(village_id=village.id, term_id=term.id, post=CommitteePost.SECRETARY,
                                        name=secretary_name))
    if get_setting(session, CURRENT_VILLAGE) is None:
        set_setting(session, CURRENT_VILLAGE, str(village.id))
    return _info(village)


def _info(village: Village) -> VillageInfo:
    return VillageInfo(
        village.id, village.township, village.name, village.branch_type, village.branch_name, village.secretary_name,
        village.phone, village.address,
    )


def current_village(session: Session) -> VillageInfo | None:
    """The village the window shows; None before the first run has created one."""
    chosen = get_setting(session, CURRENT_VILLAGE)
    village = session.get(Village, int(chosen)) if chosen else None
    if village is None:
        village = session.scalars(select(Village).order_by(Village.id)).first()
    return _info(village) if village else None


def village_row(session: Session, model, row_id: int | None, village_id: int):
    """The ``model`` row with ``row_id`` when it belongs to the village; None when there is none (or it is
    another village's): what every choice made in a form is checked against."""
    row = session.get(model, row_id) if row_id is not None else None
    return row if row is not None and row.village_id == village_id else None


def village_info(session: Session, village_id: int) -> VillageInfo | None:
    village = session.get(Village, village_id)
    return _info(village) if village else None


def list_villages(session: Session) -> list[VillageInfo]:
    return [_info(v) for v in session.scalars(select(Village).order_by(Village.id))]


def program_mode(session: Session) -> str:
    """``village`` or ``township``: which screens the window shows for this data file."""
    return get_setting(session, PROGRAM_MODE, VILLAGE_MODE) or VILLAGE_MODE


def set_program_mode(session: Session, mode: str) -> None:
    if mode not in (VILLAGE_MODE, TOWNSHIP_MODE):
        raise ValueError(f"unknown program mode {mode!r}")
    set_setting(session, PROGRAM_MODE, mode)


def needs_first_run(session: Session) -> bool:
    """A village file without its village yet; a township file needs none."""
    return program_mode(session) == VILLAGE_MODE and current_village(session) is None


# ---------------------------------------------------------------------------------------- 本村信息
# The village's own details and its committee (班子). Each post is held by a member or by a plain name;
# a change of holder ends the old record on the day of the change and starts a new one, and a 换届 ends
# the whole term and starts the next, so who held what, from when to when, is kept.


class VillageError(Refusal):
    """A change to the village's details refused; the message says why and what to do, in Chinese."""


@dataclass(frozen=True)
class PostRecord:
    """One line of the 换届 history: who held a post from when to when."""

    id: int
    post: CommitteePost
    member_id: int | None
    name: str
    started_on: dt.date | None
    ended_on: dt.date | None  # None: holds the post now
    term_id: int | None
    term_started_on: dt.date | None

    @property
    def current(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class VillageDetails:
    info: VillageInfo
    holders: dict[CommitteePost, PostRecord]  # the current holder of each filled post
    term: TermState


@dataclass
class PostChoice:
    """A post as chosen in the form: a member of the list, or a plain name; neither leaves it vacant."""

    member_id: int | None = None
    name: str = ""


@dataclass
class VillageForm:
    township: str = ""
    name: str = ""
    branch_type: BranchType = BranchType.BRANCH
    branch_name: str = ""
    phone: str | None = None
    address: str | None = None
    posts: dict[CommitteePost, PostChoice] = field(default_factory=dict)
    # The day a change of holder takes effect, or the new term's election day (default today).
    changed_on: dt.date | None = None
    new_term: bool = False  # 换届: the current term ends on ``changed_on`` and a new one starts
    term_started_on: dt.date | None = None  # the current term's election day, when filled in or corrected


def _village(session: Session, village_id: int) -> Village:
    village = session.get(Village, village_id)
    if village is None:
        raise VillageError("找不到这个村，请重新打开数据文件。")
    return village


def _current_term(session: Session, village_id: int) -> CommitteeTerm | None:
    return session.scalars(select(CommitteeTerm).where(CommitteeTerm.village_id == village_id,
                                                       CommitteeTerm.ended_on.is_(None))
                           .order_by(CommitteeTerm.id.desc())).first()


def _records(session: Session, village_id: int, current_only: bool = False) -> list[PostRecord]:
    query = (select(CommitteePostHolder, CommitteeTerm.started_on)
             .outerjoin(CommitteeTerm, CommitteeTerm.id == CommitteePostHolder.term_id)
             .where(CommitteePostHolder.village_id == village_id))
    if current_only:
        query = query.where(CommitteePostHolder.ended_on.is_(None))
    order = {post: i for i, post in enumerate(CommitteePost)}
    rows = [PostRecord(h.id, h.post, h.member_id, h.name, h.started_on, h.ended_on, h.term_id, term_start)
            for h, term_start in session.execute(query)]
    # Current holders first in the order of the posts, then past ones, the most recent first.
    far = dt.date.max

    def key(r: PostRecord):
        started = far - (r.started_on or dt.date.min)
        if r.current:
            return (0, order[r.post], started, r.id)
        return (1, far - r.ended_on, started, order[r.post], r.id)

    rows.sort(key=key)
    return rows


def term_status(session: Session, village_id: int, today: dt.date | None = None) -> TermState:
    """When the current committee's five-year term ends and whether it has run out."""
    term = _current_term(session, village_id)
    return term_state(term.started_on if term else None, today or dt.date.today())


def village_details(session: Session, village_id: int, today: dt.date | None = None) -> VillageDetails:
    village = _village(session, village_id)
    holders = {r.post: r for r in _records(session, village_id, current_only=True)}
    return VillageDetails(_info(village), holders, term_status(session, village_id, today))


def committee_history(session: Session, village_id: int) -> list[PostRecord]:
    """Every post record, current holders first, then the most recent."""
    _village(session, village_id)
    return _records(session, village_id)


def _text(value: str | None, label: str, limit: int, required: bool = False) -> str | None:
    text = " ".join((value or "").split())
    if required and not text:
        raise VillageError(f"请填写{label}。")
    if len(text) > limit:
        raise VillageError(f"{label}太长（{len(text)}个字），请不超过{limit}个字。")
    return text or None


def _holder(session: Session, village_id: int, post: CommitteePost, choice: PostChoice | None) -> tuple[int | None, str]:
    """The member id (or None) and the name for a post; ("", None) when left vacant."""
    if choice is None:
        return None, ""
    if choice.member_id is not None:
        member = village_row(session, Member, choice.member_id, village_id)
        if member is None:
            raise VillageError(f"所选{post.label}不是本村党员，请重新选择。")
        if member.archived:
            raise VillageError(f"“{member.name}”已归档，不能担任{post.label}。请重新选择。")
        return member.id, member.name
    name = clean_name(choice.name or "")
    if len(name) > 32:
        raise VillageError(f"{post.label}的姓名太长，请不超过32个字。")
    return None, name


def _same_person(record: CommitteePostHolder, member_id: int | None, name: str) -> bool:
    if record.member_id is not None and member_id is not None:
        return record.member_id == member_id
    return record.name == name  # a plain name, or a plain name now linked to the member of that name


def save_village_details(session: Session, village_id: int, form: VillageForm,
                         today: dt.date | None = None) -> VillageInfo:
    """Write 本村信息: the village's details and its committee. A change of holder keeps the old one with
    its dates; ``new_term`` is a 换届. Members who hold a post are marked as committee members (班子成员);
    those who leave their last post no longer are."""
    today = today or dt.date.today()
    village = _village(session, village_id)
    township = _text(form.township, "乡镇", 64, required=True)
    name = _text(form.name, "村名", 64, required=True)
    branch_type = BranchType(form.branch_type)
    branch_name = _text(form.branch_name, "党组织全称", 128) or default_branch_name(name, branch_type)
    address = _text(form.address, "党组织地址", 200)
    phone = (form.phone or "").strip() or None
    if phone:
        checked = check_phone(phone)
        if not checked.ok:
            raise VillageError(f"党组织电话{checked.message}")
        phone = checked.number
    other = session.scalar(select(Village.id).where(Village.township == township, Village.name == name,
                                                    Village.id != village_id))
    if other is not None:
        raise VillageError(f"数据文件中已有{township}{name}，请核对乡镇和村名。")
    chosen = {post: _holder(session, village_id, post, form.posts.get(post)) for post in CommitteePost}
    if not chosen[CommitteePost.SECRETARY][1]:
        raise VillageError("请填写书记：从党员中选择，或直接输入姓名。")
    changed_on = form.changed_on or today
    if changed_on > today:
        raise VillageError(f"变动日期 {format_cn(changed_on)} 晚于今天，请核对（班子变动在发生后登记）。")
    if form.term_started_on is not None and form.term_started_on > today:
        raise VillageError(f"本届班子的选举日期 {format_cn(form.term_started_on)} 晚于今天，请核对。")

    term = _current_term(session, village_id)
    current = {h.post: h for h in session.scalars(select(CommitteePostHolder).where(
        CommitteePostHolder.village_id == village_id, CommitteePostHolder.ended_on.is_(None)))}
    before = {h.member_id for h in current.values() if h.member_id is not None}
    if term is not None and form.term_started_on is not None:
        term.started_on = form.term_started_on
        for record in current.values():  # holders since the election whose start was not recorded
            if record.term_id == term.id and record.started_on is None:
                record.started_on = term.started_on
    if form.new_term:
        if term is not None and term.started_on is not None and changed_on <= term.started_on:
            raise VillageError(f"换届日期 {format_cn(changed_on)} 应晚于本届班子的选举日期 "
                               f"{format_cn(term.started_on)}，请核对。")
        if term is not None:
            term.ended_on = changed_on
        for post, record in current.items():
            if record.started_on is not None and changed_on < record.started_on:
                raise VillageError(f"换届日期 {format_cn(changed_on)} 早于{record.name}任{post.label}的日期 "
                                   f"{format_cn(record.started_on)}，请核对。")
            record.ended_on = changed_on
        current = {}
        term = CommitteeTerm(village_id=village_id, started_on=changed_on)
        session.add(term)
        session.flush()
    elif term is None:  # a file whose terms were never recorded
        term = CommitteeTerm(village_id=village_id, started_on=form.term_started_on)
        session.add(term)
        session.flush()
    for post, (member_id, holder_name) in chosen.items():
        record = current.get(post)
        if record is not None and holder_name and _same_person(record, member_id, holder_name):
            record.member_id, record.name = member_id, holder_name
            continue
        if record is not None:
            if record.started_on is not None and changed_on < record.started_on:
                raise VillageError(f"变动日期 {format_cn(changed_on)} 早于{record.name}任{post.label}的日期 "
                                   f"{format_cn(record.started_on)}，请核对变动日期。")
            record.ended_on = changed_on
        if holder_name:
            session.add(CommitteePostHolder(village_id=village_id, term_id=term.id, post=post, member_id=member_id,
                                            name=holder_name, started_on=term.started_on if form.new_term else changed_on))
    village.township, village.name, village.branch_type, village.branch_name = township, name, branch_type, branch_name
    village.phone, village.address = phone, address
    village.secretary_name = chosen[CommitteePost.SECRETARY][1]
    session.flush()
    _mark_committee(session, village_id, before)
    return _info(village)


def _mark_committee(session: Session, village_id: int, held_before: set[int]) -> None:
    holding = set(session.scalars(select(CommitteePostHolder.member_id).where(
        CommitteePostHolder.village_id == village_id, CommitteePostHolder.ended_on.is_(None),
        CommitteePostHolder.member_id.is_not(None))))
    if holding:
        session.execute(update(Member).where(Member.id.in_(holding)).values(is_committee_member=True))
    left = held_before - holding
    if left:
        session.execute(update(Member).where(Member.id.in_(left)).values(is_committee_member=False))


@dataclass
class PostRecordForm:
    """A line of the history typed in or corrected: a past holder, or the dates of a record."""

    post: CommitteePost = CommitteePost.SECRETARY
    member_id: int | None = None
    name: str = ""
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


def _check_record_dates(started_on, ended_on, today: dt.date, current: bool) -> None:
    if started_on is not None and started_on > today:
        raise VillageError(f"任职日期 {format_cn(started_on)} 晚于今天，请核对。")
    if current:
        return
    if ended_on is None:
        raise VillageError("请填写离任日期（现任人员请在“本村信息”中修改）。")
    if ended_on > today:
        raise VillageError(f"离任日期 {format_cn(ended_on)} 晚于今天，请核对。")
    if started_on is not None and ended_on < started_on:
        raise VillageError("离任日期早于任职日期，请核对。")


def save_post_record(session: Session, village_id: int, form: PostRecordForm, record_id: int | None = None,
                     today: dt.date | None = None) -> int:
    """Add a past holder (from before the program kept terms), or correct a record. A current holder's
    record keeps no end date here: who holds a post now is changed in 本村信息."""
    today = today or dt.date.today()
    _village(session, village_id)
    post = CommitteePost(form.post)
    member_id, name = _holder(session, village_id, post, PostChoice(form.member_id, form.name))
    if record_id is None:
        if not name:
            raise VillageError("请选择或填写姓名。")
        _check_record_dates(form.started_on, form.ended_on, today, current=False)
        record = CommitteePostHolder(village_id=village_id, post=post, member_id=member_id, name=name,
                                     started_on=form.started_on, ended_on=form.ended_on)
        session.add(record)
        session.flush()
        return record.id
    record = session.get(CommitteePostHolder, record_id)
    if record is None or record.village_id != village_id:
        raise VillageError("找不到这条任职记录，可能已被删除。请刷新后重试。")
    current = record.ended_on is None
    if current and (post is not record.post or not _same_person(record, member_id, name)):
        raise VillageError("现任人员的职务和姓名请在“本村信息”中修改（那里会保留原任人员的记录）。")
    if not name:
        raise VillageError("请选择或填写姓名。")
    _check_record_dates(form.started_on, None if current else form.ended_on, today, current)
    record.post, record.member_id, record.name, record.started_on = post, member_id, name, form.started_on
    if not current:
        record.ended_on = form.ended_on
    return record.id


def delete_post_record(session: Session, village_id: int, record_id: int) -> None:
    """Remove a history line entered by mistake; refused for whoever holds a post now."""
    record = session.get(CommitteePostHolder, record_id)
    if record is None or record.village_id != village_id:
        raise VillageError("找不到这条任职记录，可能已被删除。请刷新后重试。")
    if record.ended_on is None:
        raise VillageError(f"{record.name}现任{record.post.label}，不能删除这条记录。"
                           "换人请在“本村信息”中修改（原任人员的记录会保留）。")
    session.delete(record)
