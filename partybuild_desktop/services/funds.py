"""党建经费台账: the branch's budget (预算, by project), the money it receives (拨付) and what it spends.

用前有预算、用时有项目、用后有报账: a budget line per project and year, every expense under a project and
with its voucher (凭证号), who approved it and who handled it (经办人), and the voucher's scans kept with
it. Amounts are whole 分 (``domain.money``); the ledger is per village.

What the status says (``funds_status``):

- per project: the year's budget, what was spent under it, and what is left of the budget line
  (预算余额 = 预算 − 支出); an expense whose project has no budget line that year is *unbudgeted*;
- in total: the year's budget, income and spending, and the money in hand (结余). The money in hand
  **carries over** from earlier years (上年结转 = everything received minus everything spent before
  the year): a village ledger is a cash book, and a clerk expects January's balance to be December's.
  Budgets do not carry over: each year is budgeted anew;
- the year's income against the village's minimum (``funds_minimum_fen``, 4万元 unless set): seed 001
  asks for at least 40,000 元 a year per village. Only the year's own income counts, not the carry-over.

With a quarter, the figures run from 1 January to the quarter's end (累计), the quarter's own income
and spending beside them, and the entries listed are the quarter's: what the quarterly 公示 prints.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal, Warning
from partybuild_desktop.domain.money import format_money, parse_money
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.domain.text import clean_cell, clean_name
from partybuild_desktop.services.attachments import MAX_ATTACHMENT_BYTES, AttachmentRow, Attachments  # noqa: F401
from partybuild_desktop.services.village import get_setting, set_setting, village_row
from partybuild_desktop.store.models import FundsAttachment, FundsEntry

BUDGET, INCOME, EXPENSE = "budget", "income", "expense"
KINDS = (BUDGET, INCOME, EXPENSE)
KIND_LABELS = {BUDGET: "预算", INCOME: "拨付", EXPENSE: "支出"}
SOURCES = ("财政拨付", "党费返还", "上级补助", "其他")  # where income comes from (free text allowed)
MINIMUM_KEY = "funds_minimum_fen"
DEFAULT_MINIMUM_FEN = 4_000_000  # 4万元 a year (seed 001)
MAX_AMOUNT_FEN = 100_000_000_00  # 1亿元: anything more is a typing slip
FIRST_YEAR = 2000
LIMITS = {"item": 200, "project": 64, "source": 32, "voucher_no": 32, "approved_by": 32, "handled_by": 32}

# Warning codes (the entry is saved; the clerk is told).
EXPENSE_WITHOUT_BUDGET = "expense_without_budget"
OVER_BUDGET = "over_budget"
VOUCHER_MISSING = "voucher_missing"
VOUCHER_DUPLICATE = "voucher_duplicate"
SPENT_MORE_THAN_RECEIVED = "spent_more_than_received"


class FundsError(Refusal):
    """A ledger change refused; the message says why and what to do, in Chinese."""


# ---------------------------------------------------------------------------------------- settings


def funds_minimum(session: Session) -> int:
    """The least the village should receive in a year, in 分 (设置; 4万元 by default)."""
    raw = get_setting(session, MINIMUM_KEY)
    try:
        value = int(raw) if raw else DEFAULT_MINIMUM_FEN
    except ValueError:
        return DEFAULT_MINIMUM_FEN
    return value if value >= 0 else DEFAULT_MINIMUM_FEN


def set_funds_minimum(session: Session, fen: int) -> None:
    """0: no minimum checked."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise FundsError("每年经费标准应为 0 或正数（元）；填 0 表示不检查。")
    if fen > MAX_AMOUNT_FEN:
        raise FundsError(f"每年经费标准 {format_money(fen)} 元太大了，请核对。")
    set_setting(session, MINIMUM_KEY, str(fen))


# ---------------------------------------------------------------------------------------- forms


@dataclass
class FundsForm:
    """One ledger line as typed. ``amount``: 分 (an int) or what the clerk typed ("1,200.50元")."""

    kind: str | None = None
    date: dt.date | None = None
    amount: int | str | None = None
    item: str = ""
    project: str | None = None
    source: str | None = None
    voucher_no: str | None = None
    approved_by: str | None = None
    handled_by: str | None = None


@dataclass(frozen=True)
class Saved:
    id: int
    kind: str
    amount_fen: int
    warnings: tuple[Warning, ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "amount_fen": self.amount_fen,
                "warnings": [w.to_json() for w in self.warnings]}


def project_key(text: str | None) -> str:
    """What two spellings of one project share: full-width and half-width alike, no spaces at all
    (``党员 教育`` and ``党员教育`` are one project)."""
    text = unicodedata.normalize("NFKC", clean_cell(text) if text else "")
    return "".join(text.split()).lower()


def _clean_project(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", clean_cell(text)).split()) if text else ""


def _amount(value: int | str | None) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FundsError("请填写金额（元），例如 1200 或 1200.50。")
    if isinstance(value, int) and not isinstance(value, bool):
        fen = value
    else:
        try:
            fen = parse_money(value, allow_negative=True)
        except ValueError as error:
            raise FundsError(str(error)) from error
    if fen <= 0:
        raise FundsError(f"金额应大于 0（填的是 {format_money(fen)} 元）；退回的钱请登记为收入，冲销错账请修改或删除原来那一笔。")
    if fen > MAX_AMOUNT_FEN:
        raise FundsError(f"金额 {format_money(fen)} 元太大了，请核对（是否多打了几个 0）。")
    return fen


def _clean(form: FundsForm, today: dt.date) -> FundsForm:
    if form.kind not in KINDS:
        raise FundsError("请选择类型：预算、拨付（收入）或支出。")
    problems: list[str] = []
    if form.date is None:
        problems.append("请填写日期")
    elif form.date > today:
        problems.append(f"日期 {format_cn(form.date)} 晚于今天，请核对（钱到账或花出之后再登记；预算从当年 1 月起登记）")
    elif form.date.year < FIRST_YEAR:
        problems.append(f"日期 {format_cn(form.date)} 太早了，请核对")
    try:
        amount = _amount(form.amount)
    except FundsError as error:
        problems.append(str(error).rstrip("。"))
        amount = 0
    item = clean_cell(form.item) if form.item else ""
    if not item:
        what = {BUDGET: "预算的内容（例如“全年党员教育培训”）", INCOME: "拨付的摘要（例如“县财政拨付2026年党建经费”）",
                EXPENSE: "支出的摘要（用途，例如“购买党员学习资料”）"}[form.kind]
        problems.append(f"请填写{what}")
    project = _clean_project(form.project)
    if form.kind == BUDGET and not project:
        project = _clean_project(item)  # a budget line without a project is a project of its own
    # An expense without a project is kept and flagged (用时有项目: ``expense_without_budget``); income
    # without its source counts as 其他.
    source = (clean_cell(form.source) if form.source else "") or (SOURCES[-1] if form.kind == INCOME else "")
    values = {"item": item, "project": project, "source": source,
              "voucher_no": clean_cell(form.voucher_no) if form.voucher_no else "",
              "approved_by": clean_name(form.approved_by) if form.approved_by else "",
              "handled_by": clean_name(form.handled_by) if form.handled_by else ""}
    labels = {"item": "摘要", "project": "项目", "source": "来源", "voucher_no": "凭证号", "approved_by": "审批人",
              "handled_by": "经办人"}
    for key, text in values.items():
        if len(text) > LIMITS[key]:
            problems.append(f"“{labels[key]}”太长（{len(text)} 字，最多 {LIMITS[key]} 字）")
    if problems:
        raise FundsError("；".join(problems) + "。")
    return FundsForm(form.kind, form.date, amount, item, project or None,
                     (source or None) if form.kind == INCOME else None, values["voucher_no"] or None,
                     values["approved_by"] or None, values["handled_by"] or None)


def budget_projects(session: Session, village_id: int, year: int) -> list[str]:
    """The projects with a budget line in ``year``, as the budget spells them, in the order entered."""
    names: dict[str, str] = {}
    for (project,) in session.execute(
            select(FundsEntry.project).where(FundsEntry.village_id == village_id, FundsEntry.kind == BUDGET,
                                             FundsEntry.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
            .order_by(FundsEntry.date, FundsEntry.id)):
        if project:
            names.setdefault(project_key(project), project)
    return list(names.values())


def _year_sum(session: Session, village_id: int, kind: str, year: int, exclude: int | None = None,
              project: str | None = None) -> int:
    query = select(FundsEntry.amount_fen, FundsEntry.project, FundsEntry.id).where(
        FundsEntry.village_id == village_id, FundsEntry.kind == kind,
        FundsEntry.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    total = 0
    for amount, entry_project, entry_id in session.execute(query):
        if entry_id == exclude or (project is not None and project_key(entry_project) != project_key(project)):
            continue
        total += amount
    return total


def _warnings(session: Session, village_id: int, form: FundsForm, entry_id: int) -> tuple[Warning, ...]:
    if form.kind != EXPENSE:
        return ()
    year = form.date.year
    warnings = []
    budgeted = {project_key(p) for p in budget_projects(session, village_id, year)}
    if not form.project:
        warnings.append(Warning(EXPENSE_WITHOUT_BUDGET, "这笔支出没有写明项目：用时要有项目，请写明用在哪个有预算的项目上。"))
    elif project_key(form.project) not in budgeted:
        warnings.append(Warning(EXPENSE_WITHOUT_BUDGET,
                                f"{year}年的预算中没有“{form.project}”这个项目：用前要有预算，请补登这个项目的预算，"
                                "或把支出改到已有预算的项目下。"))
    else:
        budget = _year_sum(session, village_id, BUDGET, year, project=form.project)
        spent = _year_sum(session, village_id, EXPENSE, year, project=form.project)
        if spent > budget:
            warnings.append(Warning(OVER_BUDGET, f"“{form.project}”{year}年预算 {format_money(budget)} 元，已支出 "
                                                 f"{format_money(spent)} 元，超出预算 {format_money(spent - budget)} 元。"))
    if not form.voucher_no:
        warnings.append(Warning(VOUCHER_MISSING, "这笔支出没有填凭证号：用后要有报账，请报账后补上凭证号。"))
    else:
        same = session.scalar(select(func.count(FundsEntry.id)).where(
            FundsEntry.village_id == village_id, FundsEntry.kind == EXPENSE, FundsEntry.voucher_no == form.voucher_no,
            FundsEntry.id != entry_id, FundsEntry.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31))))
        if same:
            warnings.append(Warning(VOUCHER_DUPLICATE, f"凭证号“{form.voucher_no}”在{year}年已用于另一笔支出，请核对是否重复登记。"))
    status = funds_status(session, village_id, year)
    if status.balance_fen < 0:
        warnings.append(Warning(SPENT_MORE_THAN_RECEIVED,
                                f"{year}年支出已超过可用经费（上年结转加本年拨付）{format_money(-status.balance_fen)} 元，"
                                "请核对是否有拨付没有登记。"))
    return tuple(warnings)


def _entry(session: Session, village_id: int, entry_id: int) -> FundsEntry:
    entry = village_row(session, FundsEntry, entry_id, village_id)
    if entry is None:
        raise FundsError("找不到这笔账，可能已被删除。请刷新列表。")
    return entry


def _write(entry: FundsEntry, form: FundsForm) -> None:
    entry.kind, entry.date, entry.amount_fen, entry.item = form.kind, form.date, form.amount, form.item
    entry.project, entry.source, entry.voucher_no = form.project, form.source, form.voucher_no
    entry.approved_by, entry.handled_by = form.approved_by, form.handled_by


def _spelled_as_budget(session: Session, village_id: int, form: FundsForm) -> FundsForm:
    """An expense's project written as its budget line writes it, so the two add up together."""
    if form.kind == EXPENSE and form.project:
        for name in budget_projects(session, village_id, form.date.year):
            if project_key(name) == project_key(form.project):
                form.project = name
    return form


def add_entry(session: Session, village_id: int, form: FundsForm, today: dt.date | None = None) -> Saved:
    """Add a budget line, an income or an expense; returns its id and what to look at (saved either way)."""
    cleaned = _spelled_as_budget(session, village_id, _clean(form, today or dt.date.today()))
    entry = FundsEntry(village_id=village_id)
    _write(entry, cleaned)
    session.add(entry)
    session.flush()
    return Saved(entry.id, entry.kind, entry.amount_fen, _warnings(session, village_id, cleaned, entry.id))


def update_entry(session: Session, village_id: int, entry_id: int, form: FundsForm,
                 today: dt.date | None = None) -> Saved:
    entry = _entry(session, village_id, entry_id)
    cleaned = _spelled_as_budget(session, village_id, _clean(form, today or dt.date.today()))
    _write(entry, cleaned)
    session.flush()
    return Saved(entry.id, entry.kind, entry.amount_fen, _warnings(session, village_id, cleaned, entry.id))


def delete_entry(session: Session, village_id: int, entry_id: int) -> None:
    """Remove a ledger line with its scans."""
    entry = _entry(session, village_id, entry_id)
    session.execute(delete(FundsAttachment).where(FundsAttachment.entry_id == entry_id))
    session.delete(entry)
    session.flush()


# ---------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class EntryRow:
    id: int
    date: dt.date
    kind: str
    amount_fen: int
    item: str
    project: str | None
    source: str | None
    voucher_no: str | None
    approved_by: str | None
    handled_by: str | None
    attachments: int = 0
    unbudgeted: bool = False  # an expense whose project has no budget line that year

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def form(self) -> FundsForm:
        return FundsForm(self.kind, self.date, self.amount_fen, self.item, self.project, self.source,
                         self.voucher_no, self.approved_by, self.handled_by)

    def to_json(self) -> dict:
        return {"id": self.id, "date": self.date.isoformat(), "kind": self.kind, "amount_fen": self.amount_fen,
                "item": self.item, "project": self.project, "source": self.source, "voucher_no": self.voucher_no,
                "approved_by": self.approved_by, "handled_by": self.handled_by, "attachments": self.attachments}


def period(year: int, quarter: int | None = None) -> tuple[dt.date, dt.date]:
    """The dates a year, or one quarter of it, covers; a ValueError in Chinese for a quarter not 1–4."""
    if quarter is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    q = Quarter(year, quarter)
    return q.start, q.end


def list_entries(session: Session, village_id: int, year: int, quarter: int | None = None,
                 kind: str | None = None) -> list[EntryRow]:
    """The ledger of the year (or quarter) in date order: budget lines, income and expenses."""
    start, end = period(year, quarter)
    query = (select(FundsEntry).where(FundsEntry.village_id == village_id, FundsEntry.date.between(start, end))
             .order_by(FundsEntry.date, FundsEntry.id))
    if kind is not None:
        query = query.where(FundsEntry.kind == kind)
    entries = list(session.scalars(query))
    counts = dict(session.execute(
        select(FundsAttachment.entry_id, func.count(FundsAttachment.id))
        .where(FundsAttachment.entry_id.in_([e.id for e in entries])).group_by(FundsAttachment.entry_id)).all()) \
        if entries else {}
    budgeted = {project_key(p) for p in budget_projects(session, village_id, year)}
    return [EntryRow(e.id, e.date, e.kind, e.amount_fen, e.item, e.project, e.source, e.voucher_no, e.approved_by,
                     e.handled_by, counts.get(e.id, 0),
                     e.kind == EXPENSE and project_key(e.project) not in budgeted)
            for e in entries]


def entry_row(session: Session, village_id: int, entry_id: int) -> EntryRow:
    entry = _entry(session, village_id, entry_id)
    for row in list_entries(session, village_id, entry.date.year):
        if row.id == entry_id:
            return row
    raise FundsError("找不到这笔账，可能已被删除。请刷新列表。")  # pragma: no cover (listed above)


@dataclass(frozen=True)
class ProjectLine:
    project: str
    budget_fen: int
    spent_fen: int  # from 1 January to the period's end
    period_spent_fen: int  # in the period (the quarter) alone
    budgeted: bool  # has a budget line this year

    @property
    def balance_fen(self) -> int:
        """What is left of the budget line."""
        return self.budget_fen - self.spent_fen

    @property
    def over_budget(self) -> bool:
        return self.spent_fen > self.budget_fen

    def to_json(self) -> dict:
        return {"project": self.project, "budget_fen": self.budget_fen, "spent_fen": self.spent_fen,
                "balance_fen": self.balance_fen, "over_budget": self.over_budget, "budgeted": self.budgeted}


@dataclass(frozen=True)
class FundsStatus:
    year: int
    quarter: int | None
    start: dt.date  # the period the entries and ``period_*`` figures cover
    end: dt.date
    carried_over_fen: int  # 上年结转: received minus spent in all the years before
    budget_fen: int  # the year's budget
    income_fen: int  # received from 1 January to ``end``
    spent_fen: int  # spent from 1 January to ``end``
    period_income_fen: int
    period_spent_fen: int
    income_by_source: dict[str, int]  # from 1 January to ``end``
    projects: tuple[ProjectLine, ...]
    unbudgeted: tuple[EntryRow, ...]  # expenses (to ``end``) whose project has no budget line
    minimum_fen: int
    entries: tuple[EntryRow, ...] = field(default=())  # the period's ledger

    @property
    def balance_fen(self) -> int:
        """Money in hand at ``end``: carried over, plus received, minus spent."""
        return self.carried_over_fen + self.income_fen - self.spent_fen

    @property
    def below_minimum(self) -> bool:
        """The year's income (to ``end``) is below the village's minimum (0: not checked)."""
        return self.minimum_fen > 0 and self.income_fen < self.minimum_fen

    @property
    def title(self) -> str:
        return Quarter(self.year, self.quarter).title if self.quarter else f"{self.year}年度"

    def to_json(self) -> dict:
        return {"year": self.year, "quarter": self.quarter, "carried_over_fen": self.carried_over_fen,
                "budget_fen": self.budget_fen, "income_fen": self.income_fen, "spent_fen": self.spent_fen,
                "balance_fen": self.balance_fen, "period_income_fen": self.period_income_fen,
                "period_spent_fen": self.period_spent_fen, "income_by_source": self.income_by_source,
                "projects": [p.to_json() for p in self.projects], "minimum_fen": self.minimum_fen,
                "below_minimum": self.below_minimum,
                "unbudgeted": [{"id": e.id, "date": e.date.isoformat(), "project": e.project, "item": e.item,
                                "amount_fen": e.amount_fen} for e in self.unbudgeted]}


def funds_status(session: Session, village_id: int, year: int, quarter: int | None = None) -> FundsStatus:
    """The year's budget, income, spending and balance, per project and in total (see the module's notes)."""
    start, end = period(year, quarter)
    year_start = dt.date(year, 1, 1)
    before = dict(session.execute(
        select(FundsEntry.kind, func.sum(FundsEntry.amount_fen))
        .where(FundsEntry.village_id == village_id, FundsEntry.date < year_start,
               FundsEntry.kind.in_([INCOME, EXPENSE])).group_by(FundsEntry.kind)).all())
    rows = list_entries(session, village_id, year)
    to_end = [r for r in rows if r.date <= end]
    in_period = tuple(r for r in to_end if r.date >= start)

    def total(kind: str, entries) -> int:
        return sum(r.amount_fen for r in entries if r.kind == kind)

    by_source: dict[str, int] = defaultdict(int)
    for r in to_end:
        if r.kind == INCOME:
            by_source[r.source or "其他"] += r.amount_fen
    names: dict[str, str] = {}
    budget: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    spent_now: dict[str, int] = defaultdict(int)
    for r in rows:  # a budget counts for the whole year, whenever in the year it was entered
        if r.kind == BUDGET:
            key = project_key(r.project)
            names.setdefault(key, r.project or "")
            budget[key] += r.amount_fen
    budgeted = set(budget)
    for r in to_end:
        if r.kind == EXPENSE:
            key = project_key(r.project)
            names.setdefault(key, r.project or "（未写项目）")
            spent[key] += r.amount_fen
            if r.date >= start:
                spent_now[key] += r.amount_fen
    projects = tuple(ProjectLine(names[key], budget.get(key, 0), spent.get(key, 0), spent_now.get(key, 0),
                                 key in budgeted) for key in names)
    return FundsStatus(
        year, quarter, start, end, (before.get(INCOME) or 0) - (before.get(EXPENSE) or 0), total(BUDGET, rows),
        total(INCOME, to_end), total(EXPENSE, to_end), total(INCOME, in_period), total(EXPENSE, in_period),
        dict(by_source), projects, tuple(r for r in to_end if r.unbudgeted), funds_minimum(session), in_period)


def has_entries(session: Session, village_id: int) -> bool:
    """Whether the village keeps its ledger here at all."""
    return session.scalar(select(FundsEntry.id).where(FundsEntry.village_id == village_id).limit(1)) is not None


def projects_in_use(session: Session, village_id: int, year: int) -> list[str]:
    """The projects a form offers: the year's budget lines first, then other projects used that year."""
    names = budget_projects(session, village_id, year)
    keys = {project_key(n) for n in names}
    for (project,) in session.execute(
            select(FundsEntry.project).distinct().where(
                FundsEntry.village_id == village_id, FundsEntry.project.is_not(None),
                FundsEntry.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))):
        if project_key(project) not in keys:
            keys.add(project_key(project))
            names.append(project)
    return names


# ---------------------------------------------------------------------------------------- attachments


_ATTACHMENTS = Attachments(FundsAttachment, FundsEntry, "entry_id", FundsError, what="凭证附件", shrink="扫描件")


def add_attachment(session: Session, village_id: int, entry_id: int, name: str, data: bytes) -> int:
    """Keep a scan of the voucher or invoice (JPG, PNG or PDF) with its ledger line."""
    _entry(session, village_id, entry_id)
    return _ATTACHMENTS.add(session, entry_id, name, data)


def list_attachments(session: Session, village_id: int, entry_id: int) -> list[AttachmentRow]:
    return _ATTACHMENTS.rows(session, village_id, entry_id)


def attachment_data(session: Session, village_id: int, attachment_id: int) -> tuple[str, bytes]:
    row = _ATTACHMENTS.get(session, village_id, attachment_id)
    return row.name, row.data


def delete_attachment(session: Session, village_id: int, attachment_id: int) -> None:
    session.delete(_ATTACHMENTS.get(session, village_id, attachment_id))
    session.flush()
