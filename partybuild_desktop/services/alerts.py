"""待办提醒 (alerts): what the clerk should do next, gathered from every module, for 概况 and ``alerts``.

Each module contributes dated items through one function registered here: a *contributor*
``(session, village_id, as_of) -> list[Alert]``. An alert has a kind (a fixed English word, what
scripts match on), a level (``notice`` or ``serious``), whom it concerns (a member's name, or None),
when it is or was due (or None), what to do (Chinese), and the screen the window opens on a click.

Adding a kind is one function in this module::

    @contributor
    def committee_term_ended(session, village_id, as_of):
        state = ...  # ask the module's own service
        if not state.ended:
            return []
        return [Alert("committee_term_ended", SERIOUS, None, state.ends_on,
                      "本届村党组织班子任期已满五年，请向镇党委报告并筹备换届选举。", "settings/village")]

Keep the message a whole sentence that says what to do and where; keep the rule itself in the
module's service (or ``domain/``), so the contributor only turns its answer into alerts. ``collect``
runs every contributor and sorts: serious first, then by due date (undated last).

Target screens the window knows: ``members``, ``grids``, ``grids/visits``, ``grids/proxies``,
``grids/households``, ``settings/village``, ``settings/party_groups``, ``settings/backup``, ``return``,
``meetings``, ``meetings/due``, ``meetings/review``, ``meetings/study``, ``dues``, ``funds``,
``transfers``, ``reserve_cadres``, ``migrants``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.probation import DUE_NOTICE_DAYS, probation_end
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.domain.vocabulary import MemberEventKind, Standing
from partybuild_desktop.services.village import LAST_BACKUP, get_setting
from partybuild_desktop.store.models import Member, MemberEvent, Village

NOTICE, SERIOUS = "notice", "serious"
LEVELS = (NOTICE, SERIOUS)


@dataclass(frozen=True)
class Alert:
    kind: str
    level: str  # NOTICE or SERIOUS
    member: str | None  # whom it concerns
    due: dt.date | None
    message: str  # what to do, in Chinese
    target: str  # the screen the window opens for it

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown alert level {self.level!r}")

    def to_json(self) -> dict:
        """The object ``alerts --json`` prints for it."""
        return {"kind": self.kind, "level": self.level, "member": self.member,
                "due": self.due.isoformat() if self.due else None, "message": self.message}


Contributor = Callable[[Session, int, dt.date], list[Alert]]
CONTRIBUTORS: list[Contributor] = []


def contributor(function: Contributor) -> Contributor:
    """Register ``function`` as a source of alerts (see the module's notes)."""
    CONTRIBUTORS.append(function)
    return function


def sort_key(alert: Alert) -> tuple:
    return (alert.level != SERIOUS, alert.due is None, alert.due or dt.date.max, alert.kind, alert.member or "",
            alert.message)


def collect(session: Session, village_id: int, as_of: dt.date | None = None) -> list[Alert]:
    """Every contributor's alerts for the village on ``as_of`` (default today), serious first, then by due date."""
    as_of = as_of or dt.date.today()
    found = [alert for source in CONTRIBUTORS for alert in source(session, village_id, as_of)]
    return sorted(found, key=sort_key)


def _names(names: list[str], shown: int = 5) -> str:
    listed = "、".join(names[:shown])
    return f"{listed}等 {len(names)} 户" if len(names) > shown else listed


# ---------------------------------------------------------------------------------------- grids


@contributor
def must_visit_overdue(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """Must-visit households not visited within the interval (设置 must_visit_days), one alert per liaison
    member. Serious once a household has waited twice the interval; a household with no visit recorded
    at all is a notice (often its visits have not been entered since the households were imported)."""
    from partybuild_desktop.services.visits import must_visit_days, overdue_must_visits

    days = must_visit_days(session)
    by_liaison: dict[str | None, list] = defaultdict(list)
    for row in overdue_must_visits(session, village_id, today=as_of, days=days):
        by_liaison[row.liaison_member or None].append(row)
    alerts = []
    for liaison, rows in by_liaison.items():
        dues = [row.last_visit + dt.timedelta(days=days) for row in rows if row.last_visit is not None]
        never = sum(1 for row in rows if row.last_visit is None)
        serious = any(row.days_since is not None and row.days_since > 2 * days for row in rows)
        who = f"{liaison}联系的" if liaison else "没有联系党员的"
        names = _names([row.head_name for row in rows])
        if never == len(rows):
            text = f"{who} {len(rows)} 户必访户还没有走访记录：{names}"
        else:
            text = f"{who} {len(rows)} 户必访户超过 {days} 天没有走访：{names}"
            text += f"（其中 {never} 户还没有走访记录）" if never else ""
        text += "。请安排上门走访，并在民情日记中登记。" if liaison else "。请为这些农户指定联系党员并安排走访。"
        alerts.append(Alert("must_visit_overdue", SERIOUS if serious else NOTICE, liaison,
                            min(dues) if dues else None, text, "grids/visits"))
    return alerts


@contributor
def proxy_overdue(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """Proxy services open past their time (a promise to a villager not kept): serious."""
    from partybuild_desktop.services.proxy_services import overdue_proxies

    alerts = []
    for overdue in overdue_proxies(session, village_id, today=as_of):
        item = overdue.item
        if item.received_date > as_of:
            continue
        handler = f"，代办人{item.handler}" if item.handler else ""
        alerts.append(Alert(
            "proxy_overdue", SERIOUS, item.handler or None, overdue.due,
            f"代办事项“{item.matter}”（申办人{item.applicant}{handler}）{overdue.reason}，已逾期 {overdue.days_overdue} 天。"
            "请督促办结，办结后登记办结日期。", "grids/proxies"))
    return alerts


# ---------------------------------------------------------------------------------------- members


@contributor
def probation(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """预备党员 whose year of probation (with any extension) ends within 30 days (``probation_due``, a
    notice) or has ended while they are still 预备 (``probation_overdue``, serious)."""
    members = session.execute(
        select(Member.id, Member.name, Member.joined_date)
        .where(Member.village_id == village_id, Member.standing == Standing.PROBATIONARY,
               Member.archived.is_(False), Member.joined_date.is_not(None), Member.joined_date <= as_of)
        .order_by(Member.joined_date, Member.id)
    ).all()
    extensions: dict[int, list[str | None]] = defaultdict(list)
    for member_id, note in session.execute(
            select(MemberEvent.member_id, MemberEvent.note)
            .join(Member, Member.id == MemberEvent.member_id)
            .where(Member.village_id == village_id, MemberEvent.kind == MemberEventKind.PROBATION_EXTENDED,
                   MemberEvent.date <= as_of)
            .order_by(MemberEvent.date, MemberEvent.id)):
        extensions[member_id].append(note)
    alerts = []
    for member_id, name, joined in members:
        end = probation_end(joined, extensions.get(member_id, ()))
        left = end.days_left(as_of)
        kind = "延长的预备期" if end.extended else "预备期"
        assumed = "（延长预备期的期限没有写明，按最短 6 个月计算，请在状态变动的说明中写明）" if end.assumed else ""
        if left < 0:
            alerts.append(Alert(
                "probation_overdue", SERIOUS, name, end.date,
                f"{name}的{kind}已于{format_cn(end.date)}期满{assumed}，仍登记为预备党员。请及时召开支部大会讨论转正"
                "（或延长预备期），并在党员的“状态变动”中登记。", "members"))
        elif left <= DUE_NOTICE_DAYS:
            alerts.append(Alert(
                "probation_due", NOTICE, name, end.date,
                f"{name}的{kind}将于{format_cn(end.date)}期满{assumed}（还有 {left} 天）。请提醒本人提交转正申请，"
                "并准备支部大会讨论转正。", "members"))
    return alerts


# ---------------------------------------------------------------------------------------- the data file


BACKUP_DAYS = 7  # a backup at least once a week
BACKUP_SERIOUS_DAYS = 30


def _first_use(session: Session) -> dt.date | None:
    """When the first village of this file was set up."""
    created = session.scalar(select(Village.created_at).order_by(Village.created_at).limit(1))
    return created.date() if created else None


@contributor
def backup_old(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """No backup (文件 → 备份到…) for 7 days, or none since the file was set up 7 days ago; serious after 30."""
    value = get_setting(session, LAST_BACKUP)
    last = dt.datetime.fromisoformat(value).date() if value else None
    since = last or _first_use(session)
    if since is None or (as_of - since).days <= BACKUP_DAYS:
        return []
    waited = (as_of - since).days
    level = SERIOUS if waited > BACKUP_SERIOUS_DAYS else NOTICE
    if last is None:
        text = (f"台账建立已 {waited} 天，还没有备份过。请用“文件 → 备份到…”备份到 U 盘或另一台电脑，"
                "之后每周至少备份一次。")
    else:
        text = f"已有 {waited} 天没有备份（上次备份：{format_cn(last)}）。请用“文件 → 备份到…”备份到 U 盘或另一台电脑。"
    return [Alert("backup_old", level, None, since + dt.timedelta(days=BACKUP_DAYS), text, "settings/backup")]


# ---------------------------------------------------------------------------------------- returns


RETURN_SERIOUS_DAYS = 30  # a month after the quarter's end the return is late


@contributor
def return_not_exported(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """Last quarter's return not yet written (文件 → 导出季度报表) now that the quarter has ended; serious a
    month after its end. A village set up after that quarter ended is not asked for it."""
    from partybuild_desktop.services.returns import exported_quarters

    quarter = Quarter.of(as_of).previous()
    created = session.scalar(select(Village.created_at).where(Village.id == village_id))
    if created is not None and created.date() > quarter.end:
        return []
    if quarter.label in exported_quarters(session, village_id):
        return []
    late = (as_of - quarter.end).days > RETURN_SERIOUS_DAYS
    return [Alert("return_not_exported", SERIOUS if late else NOTICE, None, quarter.end,
                  f"{quarter.title}的季度报表包还没有导出。请用“文件 → 导出季度报表（U 盘）…”导出，报送镇组织办。",
                  "return")]


# ---------------------------------------------------------------------------------------- the committee


@contributor
def committee_term_ended(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """The village committee's five-year term has run out (serious), or runs out within 90 days (notice).
    A term whose election date was never entered gives none (本村信息 says so)."""
    from partybuild_desktop.services.village import term_status

    state = term_status(session, village_id, as_of)
    start, end = format_cn(state.started_on), format_cn(state.ends_on)
    if state.ended:
        return [Alert("committee_term_ended", SERIOUS, None, state.ends_on,
                      f"本届村党组织班子{start}选出，任期五年，已于{end}届满。请向镇党委报告并按程序组织换届选举，"
                      "选举后在“设置 → 本村信息”中登记换届。", "settings/village")]
    if state.ending_soon:
        return [Alert("committee_term_ended", NOTICE, None, state.ends_on,
                      f"本届村党组织班子{start}选出，任期五年，将于{end}届满（还有 {state.days_left} 天）。"
                      "请提前向镇党委报告，筹备换届选举。", "settings/village")]
    return []


# ---------------------------------------------------------------------------------------- dues


@contributor
def dues_unpaid(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """A member who owes 党费 for 3 months in a row up to last month (notice) or 6 (serious: 党章第九条,
    six months without dues and without good reason is treated as leaving the party)."""
    from partybuild_desktop.domain.dues import ARREARS_NOTICE_MONTHS, month_text, previous_month
    from partybuild_desktop.domain.money import format_money
    from partybuild_desktop.services.dues import dues_year

    last = previous_month((as_of.year, as_of.month))
    alerts = []
    for row in dues_year(session, village_id, last[0], last).rows:
        if row.left or row.unpaid_run < ARREARS_NOTICE_MONTHS:
            continue
        serious = row.warning == "serious"
        text = (f"{row.name}已连续 {row.unpaid_run} 个月没有交纳党费（到{month_text(last)}，每月 "
                f"{format_money(row.monthly_fen)} 元）。")
        text += ("党章规定连续六个月不交纳党费又无正当理由的，按自行脱党处理：请支部尽快联系本人，查明原因；"
                 "确有困难的，可经支部研究、报上级批准减免。" if serious else
                 "请提醒本人按月交纳（外出的可按季度交或委托代交），交纳后在“党费”页登记。")
        alerts.append(Alert("dues_unpaid", SERIOUS if serious else NOTICE, row.name, None, text, "dues"))
    return alerts


# ---------------------------------------------------------------------------------------- organisational life


MEETING_SERIOUS_DAYS = 30  # a month after its period ended, a meeting not held is serious


@contributor
def meeting_missing(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """A period that ended without its meetings (三会一课, 主题党日, 组织生活会, 民主评议), one alert per kind
    (and party group), naming the periods. Looked at: the last twelve months, from the month of the
    village's first meeting recorded (with none recorded yet, only last month's periods), and never
    before the village was set up in this data file."""
    from partybuild_desktop.domain.meetings import Span, period_text
    from partybuild_desktop.services.meetings import due, first_meeting_date, frequencies

    began = first_meeting_date(session, village_id)
    last_month = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start = dt.date(as_of.year - 1, as_of.month, 1)
    start = max(start, began.replace(day=1)) if began is not None else last_month
    created = session.scalar(select(Village.created_at).where(Village.id == village_id))
    if created is not None:  # a period that ended before the village was set up here is not asked for
        start = max(start, created.date().replace(day=1))
    end = as_of - dt.timedelta(days=1)
    if end < start:
        return []
    settings = frequencies(session)
    alerts = []
    for item in due(session, village_id, Span(start, end, "alerts"), as_of):
        if not item.missed_periods:
            continue
        periods = "、".join(period_text(p) for p in item.missed_periods)
        late = (as_of - item.missed_periods[0][1]).days > MEETING_SERIOUS_DAYS
        alerts.append(Alert(
            "meeting_missing", SERIOUS if late else NOTICE, None, item.missed_periods[0][1],
            f"{item.label}应{settings[item.kind].label}，{periods}没有登记召开。请按时召开；已经开过的，请在"
            "“组织生活 → 会议记录”中补登。", "meetings/due"))
    return alerts


@contributor
def no_organisational_life(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """A member who took part in no organisational life, and had no leave, for 3 months in a row (notice)
    or 6 (serious: 党章第九条, six months without good reason is treated as leaving the party)."""
    from partybuild_desktop.domain.meetings import NO_LIFE_NOTICE_MONTHS, NO_LIFE_SERIOUS_MONTHS
    from partybuild_desktop.services.meetings import life_gaps

    alerts = []
    for gap in life_gaps(session, village_id, as_of, NO_LIFE_NOTICE_MONTHS):
        serious = gap.months >= NO_LIFE_SERIOUS_MONTHS
        last = f"（最近一次：{gap.last[0]}年{gap.last[1]}月）" if gap.last else ""
        text = f"{gap.name}已连续 {gap.months} 个月没有参加组织生活{last}。"
        text += ("党章规定连续六个月不参加组织生活又无正当理由的，按自行脱党处理：请支部尽快联系本人，查明原因、教育帮助，"
                 "并把处理情况记入纪实本。" if serious else
                 "请联系本人，安排参加主题党日或党小组会（流动党员可在流入地参加），参加后在会议记录中登记。")
        alerts.append(Alert("no_organisational_life", SERIOUS if serious else NOTICE, gap.name, None, text,
                            "meetings"))
    return alerts


@contributor
def study_hours_short(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """From 1 October, members whose study hours this year are below 32 (56 for the 书记 and committee
    members): a notice each."""
    from partybuild_desktop.domain.meetings import STUDY_ALERT_FROM_MONTH
    from partybuild_desktop.services.meetings import study_table

    if as_of.month < STUDY_ALERT_FROM_MONTH:
        return []
    year_end = dt.date(as_of.year, 12, 31)
    return [Alert("study_hours_short", NOTICE, row.name, year_end,
                  f"{row.name}{as_of.year}年已学习 {row.hours:g} 学时，要求 {row.required} 学时，还差 {row.lacking:g} 学时。"
                  "请在年底前安排参加党课、主题党日等学习，并在会议记录或纪实本中登记学时。", "meetings/study")
            for row in study_table(session, village_id, as_of.year) if row.short]


@contributor
def review_disposal_missing(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """A member graded 不合格 in 民主评议 whose 处置 has not been recorded."""
    from partybuild_desktop.services.meetings import unhandled_reviews

    return [Alert("review_disposal_missing", SERIOUS, name, decided_on,
                  f"{name}在{year}年度民主评议中被评为不合格，还没有登记处置方式（限期改正、劝其退党、党内除名等）。"
                  "请按规定处置，并在“组织生活 → 民主评议”中登记。", "meetings/review")
            for name, year, decided_on in unhandled_reviews(session, village_id)]


# ---------------------------------------------------------------------------------------- 党建经费


FUNDS_ALERT_FROM_MONTH = 10  # from 1 October the year's income should have reached the minimum


@contributor
def funds_below_minimum(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """From 1 October, the year's funds received (拨付) below the village's minimum (4万元 unless set): a
    notice. Only for a village that keeps its ledger here (some line entered in any year)."""
    from partybuild_desktop.domain.money import format_money
    from partybuild_desktop.services.funds import funds_status, has_entries

    if as_of.month < FUNDS_ALERT_FROM_MONTH or not has_entries(session, village_id):
        return []
    status = funds_status(session, village_id, as_of.year)
    if not status.below_minimum:
        return []
    return [Alert("funds_below_minimum", NOTICE, None, dt.date(as_of.year, 12, 31),
                  f"{as_of.year}年党建经费已到位 {format_money(status.income_fen)} 元，低于每村每年 "
                  f"{format_money(status.minimum_fen)} 元的标准，还差 {format_money(status.minimum_fen - status.income_fen)} 元。"
                  "请向镇党委反映落实；已经到账的，请在“党建经费”中登记拨付。", "funds")]


@contributor
def expense_without_budget(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """This year's expenses whose project has no budget line (用前有预算): one notice naming them."""
    from partybuild_desktop.domain.money import format_money
    from partybuild_desktop.services.funds import funds_status

    status = funds_status(session, village_id, as_of.year)
    rows = [r for r in status.unbudgeted if r.date <= as_of]
    if not rows:
        return []
    shown = "、".join(f"{r.date.month}月{r.date.day}日“{r.project}”{r.item}（{format_money(r.amount_fen)} 元）"
                     for r in rows[:5])
    more = f"等 {len(rows)} 笔" if len(rows) > 5 else ""
    return [Alert("expense_without_budget", NOTICE, None, rows[0].date,
                  f"{as_of.year}年有 {len(rows)} 笔支出的项目没有预算：{shown}{more}。用前要有预算：请在“党建经费”中补登"
                  "这些项目的预算，或把支出改到已有预算的项目下。", "funds")]


# ---------------------------------------------------------------------------------------- 发展党员


@contributor
def recruitment_steps(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """A recruitment case whose next step (the talk, an activist's six-monthly review, the 预审 once the
    公示 has ended, an approval) is due within 14 days (``recruit_step_due``, a notice) or is past due
    (``recruit_step_overdue``, serious). The end of a 预备期 is the members' ``probation_due``/``_overdue``."""
    from partybuild_desktop.domain.recruitment import DUE_SOON_DAYS, Stage, Step
    from partybuild_desktop.services.recruitment import list_cases

    alerts = []
    for case in list_cases(session, village_id, as_of):
        step = case.next_step
        if case.due is None or step is None or (step.stage is Stage.PROBATION and step is not Step.CONFIRM_APPROVAL):
            continue
        days = (case.due - as_of).days
        what = "考察入党积极分子（每半年一次）" if step.stage is Stage.ACTIVIST or step is Step.CANDIDATE_NAMED else step.title
        if days < 0:
            alerts.append(Alert("recruit_step_overdue", SERIOUS, case.name, case.due,
                                f"{case.name}的{what}应在{format_cn(case.due)}前完成，已逾期 {-days} 天。请尽快办理，"
                                "并在“发展党员”中登记日期。", "recruitment"))
        elif days <= DUE_SOON_DAYS:
            alerts.append(Alert("recruit_step_due", NOTICE, case.name, case.due,
                                f"{case.name}的{what}应在{format_cn(case.due)}前完成（还有 {days} 天）。请按时办理，"
                                "并在“发展党员”中登记日期。", "recruitment"))
    return alerts


@contributor
def no_recruitment_three_years(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """No new 预备党员 in three years (the village would be 挂牌督办): serious. Judged only where some member's
    joined date is recorded."""
    from partybuild_desktop.services.recruitment import NO_RECRUITMENT_YEARS, no_recruitment_since

    last = no_recruitment_since(session, village_id, as_of)
    if last is None:
        return []
    return [Alert("no_recruitment_three_years", SERIOUS, None, last,
                  f"本村已连续 {NO_RECRUITMENT_YEARS} 年以上没有发展党员（最近一次接收预备党员：{format_cn(last)}），"
                  "按规定将被挂牌督办。请从入党申请人、入党积极分子中做好培养，按程序发展党员。", "recruitment")]


# ---------------------------------------------------------------------------------------- 组织关系转接


@contributor
def transfer_receipt_missing(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """A 介绍信 out past its validity with no 回执 (serious): the member stays on the list, flagged, until
    the 回执 is filed or the letter is taken back."""
    from partybuild_desktop.services.transfers import missing_receipts

    return [Alert("transfer_receipt_missing", SERIOUS, row.name, row.expires_on,
                  f"{row.name}的组织关系介绍信（第 {row.letter_no} 号，转往{row.organisation}）已于"
                  f"{format_cn(row.expires_on)}过了有效期，还没有收到回执。请与接收党组织联系，确认接转后在“组织关系”中"
                  "登记回执；介绍信作废的，撤销后重新开具。", "transfers")
            for row in missing_receipts(session, village_id, as_of)]


# ---------------------------------------------------------------------------------------- 流动党员


@contributor
def migrants(session: Session, village_id: int, as_of: dt.date) -> list[Alert]:
    """Each migrant away on ``as_of``: no contact within the village's interval (``migrant_contact_overdue``),
    away 6 months or more with neither a transfer nor a reason for the 活动证 (``migrant_should_transfer``),
    6 months without any contact (``migrant_lost_contact``, serious: 失联, then 停止党籍 through the member's
    status), a 活动证 expiring within 30 days or expired (``activity_card_expiring``)."""
    from partybuild_desktop.domain import migrants as rules
    from partybuild_desktop.domain.probation import add_months
    from partybuild_desktop.services.migrants import contact_interval
    from partybuild_desktop.services.migrants import migrants as away_on

    interval = contact_interval(session)
    alerts = []
    for row in away_on(session, village_id, as_of):
        reference = row.last_contact or row.left_on
        last = f"最近一次联系是{format_cn(row.last_contact)}" if row.last_contact else "外出后还没有联系记录"
        if rules.CONTACT_OVERDUE in row.alerts:
            alerts.append(Alert(
                rules.CONTACT_OVERDUE, NOTICE, row.name, add_months(reference, interval) if reference else None,
                f"流动党员{row.name}（{row.destination or '流向未登记'}）{last}，超过 {interval} 个月没有联系。"
                f"请{row.contact_person or '村联系人'}通过电话、微信等联系本人，并在“流动党员 → 联系记录”中登记。",
                "migrants"))
        if rules.SHOULD_TRANSFER in row.alerts:
            alerts.append(Alert(
                rules.SHOULD_TRANSFER, NOTICE, row.name, add_months(row.left_on, rules.SHOULD_TRANSFER_MONTHS),
                f"流动党员{row.name}自{format_cn(row.left_on)}外出已满 {row.months_away} 个月。外出半年以上、地点相对固定的，"
                "应转移组织关系；确实不能转接的，请办理流动党员活动证，并在“流动党员 → 修改登记”中写明不转接的原因。",
                "migrants"))
        if rules.LOST_CONTACT in row.alerts:
            if row.lost_contact_marked:
                text = (f"流动党员{row.name}已登记失去联系，{last}，已满 {rules.LOST_CONTACT_MONTHS} 个月。经查找仍联系不上的，"
                        "由支部研究决定停止党籍：在“党员”页打开本人信息，“状态记录 → 状态变动”登记停止党籍。")
            else:
                text = (f"流动党员{row.name}{last}，已满 {rules.LOST_CONTACT_MONTHS} 个月没有联系上。请继续多方查找；"
                        "确实找不到的，在“党员”页打开本人信息，“状态记录 → 状态变动”登记失去联系，由支部研究决定停止党籍。")
            alerts.append(Alert(rules.LOST_CONTACT, SERIOUS, row.name,
                                add_months(reference, rules.LOST_CONTACT_MONTHS), text, "migrants"))
        if rules.CARD_EXPIRING in row.alerts:
            expired = row.card_expires_on < as_of
            state = "已于" if expired else "将于"
            alerts.append(Alert(
                rules.CARD_EXPIRING, SERIOUS if expired else NOTICE, row.name, row.card_expires_on,
                f"流动党员{row.name}的活动证（{row.card_no}）{state}{format_cn(row.card_expires_on)}到期。仍在外的，"
                "请到镇党委办理续期，并在“流动党员 → 修改登记”中改有效期；已返回的，请登记返回并收回活动证。",
                "migrants"))
    return alerts
