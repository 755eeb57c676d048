"""The report catalogue: every table and printout the program writes, each defined once.

An ``ExportDefinition`` says how the report is built, in which formats, whether (and under which file
names) it goes into the quarterly return, which figures of the return's data file it feeds and how the
township adds those up, and what its file is called by default. The Export menu, the CLI
(``export --list``, ``export NAME --out FILE``), the return package (``services.returns``) and the
township (``services.consolidation``) all iterate the same list; ``reports.files.write_report`` writes
every file.

Adding an official table is one spec module in ``reports/tables/`` and one line in ``_CATALOGUE``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.meetings import MeetingKind, has_committee, parse_span
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.reports.files import Written, format_of, write_report
from partybuild_desktop.reports.spec import Report, safe_file_stem
from partybuild_desktop.reports.tables import grid_stats, rosters
from partybuild_desktop.reports.tables import dues as dues_tables
from partybuild_desktop.reports.tables import meeting_summary, money_summary
from partybuild_desktop.reports.tables import meetings as meeting_tables
from partybuild_desktop.reports.tables import migrants as migrant_tables
from partybuild_desktop.reports.tables import recruitment as recruit_tables
from partybuild_desktop.reports.tables import reserve_cadres as reserve_table
from partybuild_desktop.reports.tables import transfers as transfer_tables
from partybuild_desktop.reports.tables.card import TITLE as CARD_TITLE
from partybuild_desktop.reports.tables.card import cards_report
from partybuild_desktop.reports.tables.contact_table import TITLE as CONTACT_TITLE
from partybuild_desktop.reports.tables.contact_table import contact_table_report
from partybuild_desktop.reports.tables.member_statistics import TITLE as MEMBER_STATS_TITLE
from partybuild_desktop.reports.tables.member_statistics import member_stats_report
from partybuild_desktop.reports.tables.members import members_report
from partybuild_desktop.reports.tables.overview import overview_report
from partybuild_desktop.reports.tables.points_board import TITLE as POINTS_DETAIL_TITLE
from partybuild_desktop.reports.tables.points_board import points_detail_report
from partybuild_desktop.reports.tables.record_book import TITLE as BOOK_TITLE
from partybuild_desktop.reports.tables.record_book import record_book_report
from partybuild_desktop.services import audit, dues, grid_reports, meetings, member_records, points
from partybuild_desktop.services.grids import GridError, find_grid
from partybuild_desktop.services.liaison import check_liaison
from partybuild_desktop.services.member_import import member_register
from partybuild_desktop.services.member_statistics import member_statistics, statistics_period
from partybuild_desktop.services.overview import overview
from partybuild_desktop.services.village import VillageInfo, current_village, village_info
from partybuild_desktop.store.database import Store


class ExportError(Refusal):
    """An export that cannot be made; the message says why and what to do, in Chinese."""


@dataclass(frozen=True)
class ExportOptions:
    year: int | None = None
    grid: str | None = None
    today: dt.date | None = None
    # Only these members (the window's current selection or filter); None: every active member.
    member_ids: tuple[int, ...] | None = None
    # The file type being written ("xlsx" or "pdf"); ``export`` fills it in.
    format: str | None = None
    # A quarter (1–4) of ``year``: the tables offered per quarter (``uses_quarter``), and every table of
    # the quarterly return.
    quarter: int | None = None
    # Built for the quarterly return: an empty roster is written as an empty table (with a warning)
    # instead of being refused, since the township expects every attachment.
    for_return: bool = False
    # One meeting (``meeting-minutes``: its 会议记录).
    meeting_id: int | None = None
    # What a one-item export is about, as its default file name says it before the table, in place of
    # the year: ``2026年11月5日主题党日`` (see ``minutes_options``).
    subject: str | None = None
    # One person of the recruitment ledger (``recruit-record``: their 纪实表): a name or a case's 编号.
    person: str | None = None
    # One member (``transfer-letter``: their 组织关系介绍信): a name, an ID number or the member's 编号.
    member: str | None = None

    @property
    def day(self) -> dt.date:
        return self.today or dt.date.today()

    @property
    def the_year(self) -> int:
        return self.year or self.day.year

    @property
    def the_quarter(self) -> Quarter | None:
        return Quarter(self.the_year, self.quarter) if self.quarter else None


@dataclass
class Built:
    """What a definition's builder makes: the report (a ``reports.spec.Report``, or a printout that
    writes its own PDF), the PDF's own version where the print differs from the workbook, the figures
    it feeds into the return's data file, and warnings for the clerk."""

    report: object
    pdf: object | None = None
    figures: dict | None = None
    warnings: list[str] = field(default_factory=list)

    def for_format(self, fmt: str) -> object:
        return self.pdf if fmt == "pdf" and self.pdf is not None else self.report


@dataclass(frozen=True)
class ReturnFile:
    """One file a definition puts into the quarterly return: ``{村} {label}.{format}``."""

    format: str
    title: str  # the table's title, as return.json lists it
    attachment: int | None = None  # seed 002's 附件 number, which leads the file name

    @property
    def label(self) -> str:
        return f"附件{self.attachment} {self.title}" if self.attachment else self.title


@dataclass(frozen=True)
class Figures:
    """What a table in the return feeds the township: ``section`` of return.json's "figures" (the
    builder's ``Built.figures``), the counts in it when the table's spec names them, and the township's
    table adding them up over the villages."""

    section: str  # "attachment1", "member_statistics": also the attribute of a received village's figures
    # summary(township, unit, day, start, end, [(village, figures)], stem) -> Report
    summary: Callable[..., Report]
    keys: tuple[str, ...] | None = None  # None: the figures check themselves (``MemberStatistics``)
    # read(section) -> the counts, checked (a ValueError in Chinese otherwise); None: the checks of the
    # first two tables of the return (``services.returns.read_section``).
    read: Callable[[Mapping[str, object]], Mapping[str, int]] | None = None
    # A table that joined the return after its format's first packages: a package without the section is
    # still taken, and the township shows the village as not having reported it (never as zeros).
    optional: bool = False
    # The largest count the township takes (None: the return's ``MAX_FIGURE``); amounts in 分 need more.
    most: int | None = None


@dataclass(frozen=True)
class ExportDefinition:
    name: str
    title: str  # as the Export menu and ``export --list`` show it
    formats: tuple[str, ...]
    build: Callable[[Session, VillageInfo, ExportOptions], Built]
    uses_year: bool = False  # the window asks for the year
    per_member: bool = False  # can be made for a chosen list of members
    uses_quarter: bool = False  # may be made for one quarter (``ExportOptions.quarter``)
    file_title: str | None = None  # the table in a file name, when ``title`` says more than that
    dated: bool = True  # the default file name carries the year (or the quarter)
    return_files: tuple[ReturnFile, ...] = ()  # in the quarterly return under these names; () for not
    optional_in_return: bool = False  # left out of the return (with a warning) when it cannot be made
    figures: Figures | None = None

    @property
    def in_return(self) -> bool:
        return bool(self.return_files)

    def suggested_name(self, village: VillageInfo | str, options: ExportOptions | None = None,
                       fmt: str | None = None) -> str:
        """The file name the save dialog offers: village, table, then the year or quarter where the
        table has one, e.g. 东湖村党员花名册2026年.xlsx, 东湖村党员基本情况统计表2026年第三季度.pdf.
        ``village``: a VillageInfo or the village's name; ``fmt``: default the first format."""
        options = options or ExportOptions()
        name = village if isinstance(village, str) else village.name
        parts = [name]
        if options.grid:
            parts.append(options.grid)
        if options.subject:
            parts.append(options.subject)
        parts.append(self.file_title or self.title)
        if self.dated and not options.subject:
            quarter = options.the_quarter if (self.uses_quarter or self.in_return) else None
            parts.append(quarter.title if quarter else f"{options.the_year}年")
        fmt = fmt or options.format or self.formats[0]
        return f"{safe_file_stem(''.join(parts))}.{fmt}"


# ---------------------------------------------------------------------------------------- builders


def _period(options: ExportOptions) -> tuple[dt.date, dt.date, str]:
    """The dates a per-period table covers and its name: the quarter (ending today when it has not
    ended yet), else the whole year."""
    quarter = options.the_quarter
    if quarter is not None:
        return quarter.start, min(quarter.end, options.day), quarter.title
    year = options.the_year
    return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年度"


def _empty(options: ExportOptions, problem: str, refusal: str) -> list[str]:
    """An empty table: refused for an export (``refusal``), written with a warning into a return."""
    if not options.for_return:
        raise ExportError(refusal)
    return [problem]


def _overview(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    return Built(overview_report(village.name, village.branch_name, overview(session, village.id, options.day),
                                 options.day))


def _cards(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    cards = member_records.member_cards(session, village.id, member_ids=options.member_ids)
    if not cards:
        raise ExportError(f"{village.name}还没有在册党员，无法打印党员分类信息卡。")
    return Built(cards_report(cards, village.branch_name, options.day, stem=f"{village.name}{CARD_TITLE}"))


def _book(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    year = options.the_year
    books = member_records.record_books(session, village.id, year, member_ids=options.member_ids)
    if not books:
        raise ExportError(f"{village.name}还没有在册党员，无法打印党员分类管理纪实本。")
    return Built(record_book_report(books, village.branch_name, stem=f"{village.name}{year}年度{BOOK_TITLE}"))


def _contact_table(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    return Built(contact_table_report(member_records.contact_rows(session, village.id), village.branch_name,
                                      options.day, stem=f"{village.name}{CONTACT_TITLE}"))


def _members(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    rows = member_register(session, village.id)
    # The workbook keeps every column and whole ID numbers, so it can be imported again; the PDF is for
    # print, its ID numbers masked.
    return Built(members_report(village.name, village.branch_name, rows, options.day),
                 pdf=members_report(village.name, village.branch_name, rows, options.day, for_print=True))


def _points_board(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    # The public A3 board draws itself with reportlab: loaded only when a board is made.
    from partybuild_desktop.reports.points_board import TOP_MEMBERS, printout_from_board

    year, quarter = options.the_year, options.the_quarter
    _, end, period = _period(options)
    try:
        result = points.board(session, village.id, year, quarter=options.quarter,
                              as_of=end if quarter else options.day)
    except (points.PointsError, ValueError) as error:
        raise ExportError(str(error)) from error
    if not result.members:
        raise ExportError(f"{village.name}{period}没有可以排名的党员，无法生成党建先锋榜。")
    top = [m.member_id for m in result.members if m.rank <= TOP_MEMBERS]
    return Built(points_detail_report(result, village.branch_name),
                 pdf=printout_from_board(result, village.branch_name, points.member_photos(session, top)))


def _stats(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    start, end, _ = _period(options)
    stats = grid_reports.grid_statistics(session, village.id, start, end, today=options.day)
    stem = f"{village.name}{options.the_year}年 附件1 {grid_stats.TITLE}"
    return Built(grid_stats.stats_report(village.township, village.branch_name, [stats], options.day, stem=stem),
                 figures=grid_stats.figures(stats))


def _roster(number: int, read, make, title: str, empty: str):
    """附件2–4: a roster of seed 002; empty, it is refused as an export and written empty into a return."""

    def build(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
        rows = read(session, village.id)
        warnings = [] if rows else _empty(options, f"附件{number}{title}是空表：{village.name}{empty}。",
                                          f"{village.name}{empty}，无法导出{title}。")
        report = make(village.township, village.branch_name, rows, options.day,
                      stem=f"{village.name} 附件{number} {title}")
        return Built(report, warnings=warnings)

    return build


def _liaison_check(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    return Built(rosters.check_report(village.name, village.branch_name, check_liaison(session, village.id),
                                      options.day, stem=f"{village.name}{rosters.CHECK_TITLE}"))


def _grid_id(session: Session, village: VillageInfo, options: ExportOptions) -> int | None:
    if not options.grid:
        return None
    try:
        return find_grid(session, village.id, options.grid)
    except GridError as error:
        raise ExportError(str(error)) from error


def _notice_board(paper: str):
    def build(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
        # Drawn with reportlab: loaded only when a board is made.
        from partybuild_desktop.reports.notice_board import TITLE, notice_board_report

        grid_id = _grid_id(session, village, options)
        boards = grid_reports.notice_boards(session, village.id, grid_id)
        if not boards:
            raise ExportError(f"{village.name}还没有划分网格，无法打印公示牌。请先在“网格”中建立网格。")
        suffix = boards[0].grid_name if grid_id is not None else "全部网格"
        return Built(notice_board_report(boards, options.day, paper, stem=f"{village.name}{suffix}{TITLE}"))

    return build


def _contact_cards(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    # Drawn with reportlab: loaded only when the cards are made.
    from partybuild_desktop.reports.contact_cards import TITLE, contact_cards_report

    grid_id = _grid_id(session, village, options)
    cards = grid_reports.contact_cards(session, village.id, grid_id)
    if not cards:
        where = f"“{options.grid}”" if grid_id is not None else village.name
        raise ExportError(f"{where}还没有登记农户，无法打印民情联系卡。")
    return Built(contact_cards_report(cards, options.day, stem=f"{village.name}{TITLE}"))


def _member_stats(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    day = options.day
    try:
        start, end, name = statistics_period(options.year, options.quarter, day)
    except ValueError as error:  # a period not begun yet
        raise ExportError(str(error)) from error
    stats = member_statistics(session, village.id, start, end)
    report = member_stats_report(village.township, village.branch_name, day, start, end, [(village.name, stats)],
                                 stem=f"{village.name}{name}{MEMBER_STATS_TITLE}")
    return Built(report, figures=stats.to_dict())


def _minutes(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    record = _meeting_record(session, village, options.meeting_id)
    subject = meeting_tables.meeting_subject(record)
    return Built(meeting_tables.minutes_report(record, village.branch_name,
                                               stem=f"{village.name}{subject}{meeting_tables.MINUTES_TITLE}"))


def _meeting_record(session: Session, village: VillageInfo, meeting_id: int | None):
    if meeting_id is None:
        raise ExportError("请指定要打印会议记录的会议：在“组织生活”中选中一次会议，"
                          "或在命令行写 --meeting 会议编号。")
    try:
        return meetings.meeting_record(session, village.id, meeting_id)
    except meetings.MeetingError as error:
        raise ExportError(f"{village.name}没有编号为 {meeting_id} 的会议，可能已被删除，无法打印会议记录。"
                          "请核对会议编号。") from error


def minutes_options(session: Session, village_id: int, meeting_id: int, **others) -> ExportOptions:
    """The options of one meeting's 会议记录, its subject filled in for the default file name
    (东湖村2026年11月5日主题党日会议记录.pdf)."""
    village = village_info(session, village_id)
    record = _meeting_record(session, village, meeting_id)
    return ExportOptions(meeting_id=meeting_id, subject=meeting_tables.meeting_subject(record), **others)


def _meeting_register(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    year = options.the_year
    rows = meetings.list_meetings(session, village.id, year=year)
    return Built(meeting_tables.register_report(
        rows, village.branch_name, year, options.day, stem=f"{village.name}{year}年度{meeting_tables.REGISTER_TITLE}"))


def _attendance(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    year = options.the_year
    people = meetings.due_members(session, village.id, MeetingKind.BRANCH_ASSEMBLY)
    if not people:
        raise ExportError(f"{village.name}还没有在册党员，无法导出{meeting_tables.ATTENDANCE_TITLE}。")
    records = [meetings.meeting_record(session, village.id, row.id)
               for row in meetings.list_meetings(session, village.id, year=year)]
    return Built(meeting_tables.attendance_report(
        people, records, village.branch_name, year, options.day,
        stem=f"{village.name}{year}年度{meeting_tables.ATTENDANCE_TITLE}"))


def _study_hours(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    year = options.the_year
    rows = meetings.study_table(session, village.id, year)
    if not rows:
        raise ExportError(f"{village.name}还没有在册党员，无法导出{meeting_tables.STUDY_TITLE}。")
    return Built(meeting_tables.study_report(rows, village.branch_name, year, options.day,
                                             stem=f"{village.name}{year}年度{meeting_tables.STUDY_TITLE}"))


def _review(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    year = options.the_year
    sheet = meetings.review_sheet(session, village.id, year)
    if not sheet.rows:
        raise ExportError(f"{village.name}还没有在册党员，无法导出{year}年度{meeting_tables.REVIEW_TITLE}。")
    return Built(meeting_tables.review_report(sheet, village.branch_name, options.day,
                                              stem=f"{village.name}{year}年度{meeting_tables.REVIEW_TITLE}"))


def _dues_year(session: Session, village: VillageInfo, options: ExportOptions, title: str):
    """The year's dues, up to this month (a past year: all of it)."""
    year = options.the_year
    as_of = min((year, 12), (options.day.year, options.day.month))
    grid = dues.dues_year(session, village.id, year, as_of)
    if not grid.rows:
        raise ExportError(f"{village.name}还没有在册党员，无法导出{year}年度{title}。")
    return grid


def _dues_register(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    grid = _dues_year(session, village, options, dues_tables.REGISTER_TITLE)
    return Built(dues_tables.register_report(grid, village.branch_name, options.day,
                                             stem=f"{village.name}{grid.year}年度{dues_tables.REGISTER_TITLE}"))


def _dues_notice(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    grid = _dues_year(session, village, options, dues_tables.NOTICE_TITLE)
    return Built(dues_tables.notice_report(grid, village.branch_name, options.day,
                                           stem=f"{village.name}{grid.year}年度{dues_tables.NOTICE_TITLE}"))


def _meetings_summary(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """三会一课开展情况统计表 of the quarter (else the year): each kind's meetings required, held and missing."""
    start, end, _ = _period(options)
    quarter = options.the_quarter
    span = parse_span(quarter.label if quarter else str(options.the_year))
    items = meetings.due(session, village.id, span, options.day)
    committee = has_committee(meetings.full_member_count(session, village.id))
    groups = sum(item.kind == MeetingKind.GROUP.value for item in items)
    wanted = meeting_summary.requirements(meetings.frequencies(session), groups, committee)
    report = meeting_summary.village_report(village.branch_name, options.day, start, end, items, wanted,
                                            stem=f"{village.name}{span.title}{meeting_summary.TITLE}")
    return Built(report, figures=meeting_summary.figures(items))


def _funds(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """党建经费使用情况公示 of the quarter (else the year): its 拨付 and 支出, the year's figures to its end."""
    from partybuild_desktop.reports.tables import funds as funds_table
    from partybuild_desktop.services import funds

    try:
        status = funds.funds_status(session, village.id, options.the_year, options.quarter)
    except ValueError as error:
        raise ExportError(str(error)) from error
    return Built(funds_table.funds_report(status, village.branch_name, village.name, options.day,
                                          stem=f"{village.name}{status.title}{funds_table.TITLE}"))


def _money_summary(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """党费和党建经费收支情况表 of the quarter (else the year), up to today when it has not ended."""
    from partybuild_desktop.services import funds

    start, end, period = _period(options)
    if end < start:
        raise ExportError(f"{period}还没有开始。")
    owed = dues.period_dues(session, village.id, (start.year, start.month), (end.year, end.month))
    status = funds.funds_status(session, village.id, options.the_year, options.quarter)
    figures = {"dues_members": owed.members, "dues_due_fen": owed.due_fen, "dues_paid_fen": owed.paid_fen,
               "dues_in_arrears": owed.in_arrears, "funds_income_fen": status.period_income_fen,
               "funds_spent_fen": status.period_spent_fen}
    money = money_summary.QuarterMoney(figures, status.balance_fen, status.income_fen, status.spent_fen)
    report = money_summary.village_report(village.branch_name, options.day, start, end, money,
                                          stem=f"{village.name}{period}{money_summary.TITLE}")
    return Built(report, figures=figures)


def _recruits(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """发展党员工作台账: every person, every date."""
    from partybuild_desktop.services import recruitment

    sheets = recruitment.ledger(session, village.id, options.day)
    if not sheets:
        raise ExportError(f"{village.name}还没有登记入党申请人，无法导出{recruit_tables.LEDGER_TITLE}。"
                          "请先在“发展党员”中登记，或用 import-recruits 导入台账。")
    return Built(recruit_tables.ledger_report(sheets, village.branch_name, options.day,
                                              stem=f"{village.name}{recruit_tables.LEDGER_TITLE}"))


def _recruit_case_id(session: Session, village: VillageInfo, person: str | None) -> int:
    from partybuild_desktop.services import recruitment

    if not person or not person.strip():
        raise ExportError("请指定要打印纪实表的人：在“发展党员”中选中一人，或在命令行写 --person 姓名或编号。")
    found = recruitment.find_cases(session, village.id, person)
    if not found:
        raise ExportError(f"{village.name}的发展党员台账中没有“{person.strip()}”。请核对姓名或编号（见 recruits 命令）。")
    if len(found) > 1:
        listed = "、".join(f"编号 {case_id}" for case_id, _ in found)
        raise ExportError(f"{village.name}有 {len(found)} 人叫“{person.strip()}”（{listed}），请用 --person 编号写明是哪一位。")
    return found[0][0]


def recruit_record_options(session: Session, village_id: int, person: str, **others) -> ExportOptions:
    """The options of one person's 纪实表, its subject the person's name for the default file name
    (东湖村周晓梅发展党员纪实表.pdf)."""
    from partybuild_desktop.services import recruitment

    village = village_info(session, village_id)
    case_id = _recruit_case_id(session, village, person)
    [sheet] = recruitment.ledger(session, village.id, ExportOptions(**others).day, [case_id])
    return ExportOptions(person=str(case_id), subject=sheet.name, **others)


def _recruit_record(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """发展党员纪实表 of one person: the 25 steps."""
    from partybuild_desktop.services import recruitment

    case_id = _recruit_case_id(session, village, options.person)
    [sheet] = recruitment.ledger(session, village.id, options.day, [case_id])
    return Built(recruit_tables.record_report(
        sheet, village.branch_name, options.day, stem=f"{village.name}{sheet.name}{recruit_tables.RECORD_TITLE}",
        publicity_days=recruitment.publicity_working_days(session)))


def _probation(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """预备党员考察: each 预备党员 of the village (made through a case or entered directly), the day their
    probation ends, the reviews and any extension."""
    from sqlalchemy import select

    from partybuild_desktop.domain.probation import probation_end
    from partybuild_desktop.domain.recruitment import Step
    from partybuild_desktop.domain.vocabulary import MemberEventKind, Standing
    from partybuild_desktop.store.models import Member, MemberEvent, PartyGroup, RecruitCase, RecruitReview, RecruitStep

    members = session.execute(
        select(Member.id, Member.name, Member.joined_date, PartyGroup.name.label("party_group"))
        .outerjoin(PartyGroup, PartyGroup.id == Member.party_group_id)
        .where(Member.village_id == village.id, Member.standing == Standing.PROBATIONARY, Member.archived.is_(False))
        .order_by(Member.joined_date, Member.id)).all()
    ids = [m.id for m in members]
    extensions: dict[int, list] = {i: [] for i in ids}
    case_of: dict[int, int] = {}
    steps: dict[int, dict] = {}
    reviews: dict[int, list[dt.date]] = {}
    if ids:
        for member_id, day, note in session.execute(
                select(MemberEvent.member_id, MemberEvent.date, MemberEvent.note)
                .where(MemberEvent.member_id.in_(ids), MemberEvent.kind == MemberEventKind.PROBATION_EXTENDED)
                .order_by(MemberEvent.date, MemberEvent.id)):
            extensions[member_id].append((day, note))
        case_of = dict(session.execute(select(RecruitCase.member_id, RecruitCase.id).where(
            RecruitCase.village_id == village.id, RecruitCase.member_id.in_(ids))).all())
        cases = list(case_of.values())
        for case_id, step, day in session.execute(select(RecruitStep.case_id, RecruitStep.step, RecruitStep.date)
                                                  .where(RecruitStep.case_id.in_(cases))):
            steps.setdefault(case_id, {})[step] = day
        for case_id, day in session.execute(select(RecruitReview.case_id, RecruitReview.date)
                                            .where(RecruitReview.case_id.in_(cases))):
            reviews.setdefault(case_id, []).append(day)
    lines = []
    for m in members:
        case_id = case_of.get(m.id)
        done = steps.get(case_id, {})
        joined = m.joined_date
        end = probation_end(joined, [note for _, note in extensions[m.id]]).date if joined else None
        extension = "；".join(f"{note or '延长预备期'}（{_day_text(day)}）" for day, note in extensions[m.id])
        seen = [d for d in reviews.get(case_id, []) if joined is None or d >= joined]
        if Step.PROBATION_REVIEW in done:
            seen.append(done[Step.PROBATION_REVIEW])
        lines.append(recruit_tables.ProbationLine(
            m.name, m.party_group or "", joined, done.get(Step.APPROVAL), end, extension, sorted(set(seen)),
            done.get(Step.CONFIRM_APPLICATION), done.get(Step.CONFIRM_ASSEMBLY)))
    return Built(recruit_tables.probation_report(lines, village.branch_name, options.day,
                                                 stem=f"{village.name}{recruit_tables.PROBATION_TITLE}"))


def _day_text(day: dt.date) -> str:
    from partybuild_desktop.domain.dates import format_cn

    return format_cn(day)


def _recruitment_summary(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """发展党员工作情况统计表 of the quarter (else the year): the pipeline at its end, and who was accepted
    and confirmed in it."""
    from partybuild_desktop.services import recruitment

    start, end, period = _period(options)
    if end < start:
        raise ExportError(f"{period}还没有开始。")
    cases = [(r.name, r.dates) for r in recruitment.list_cases(session, village.id, options.day)]
    people = recruit_tables.quarter_people(cases, start, end)
    report = recruit_tables.village_report(village.branch_name, options.day, start, end, people,
                                           stem=f"{village.name}{period}{recruit_tables.TITLE}")
    return Built(report, figures=recruit_tables.figures(people))


def _annual_recruitment(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """党内统计年报的发展党员情况和预备党员转正情况 of the year (to today when it is not over), with the
    名单 of those counted."""
    from partybuild_desktop.reports.tables import annual_statistics
    from partybuild_desktop.services import recruitment

    try:
        start, end = annual_statistics.period_of(options.the_year, options.day)
    except ValueError as error:
        raise ExportError(str(error)) from error
    people = recruitment.annual_people(session, village.id)
    return Built(annual_statistics.village_report(
        village.name, village.branch_name, options.day, start, end, people.newcomers, people.probationers,
        stem=f"{village.name}{options.the_year}年度{annual_statistics.TITLE}"))


def _transfers(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """党员组织关系转接登记簿 of the year: letters out with their 回执, members transferred in."""
    from partybuild_desktop.reports.tables import transfers as transfer_tables
    from partybuild_desktop.services import transfers

    year = options.the_year
    rows = transfers.list_transfers(session, village.id, year, options.day)
    if not rows:
        raise ExportError(f"{village.name}{year}年没有组织关系转出或转入，无法导出{transfer_tables.REGISTER_TITLE}。"
                          "请先在“组织关系”中登记（命令行 transfer out / transfer in）。")
    return Built(transfer_tables.register_report(
        rows, village.branch_name, year, options.day, stem=f"{village.name}{year}年度{transfer_tables.REGISTER_TITLE}"))


def transfer_letter_options(session: Session, village_id: int, member: str, **others) -> ExportOptions:
    """The options of one member's 介绍信, its subject the member's name for the default file name
    (东湖村张建国党员组织关系介绍信.pdf)."""
    from partybuild_desktop.services import transfers

    try:
        name, _ = transfers.letter_of_member(session, village_id, member)
    except transfers.TransferError as error:
        raise ExportError(str(error)) from error
    return ExportOptions(member=member, subject=name, **others)


def _transfer_letter(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """中国共产党党员组织关系介绍信 of one member (存根, 正文, 回执), their latest letter out."""
    from partybuild_desktop.reports.transfer_letter import TITLE, letter_report
    from partybuild_desktop.services import transfers

    if not options.member or not options.member.strip():
        raise ExportError("请指定要打印介绍信的党员：在“组织关系”中选中一条转出记录，或在命令行写 --member 姓名或编号。")
    try:
        name, letter = transfers.letter_of_member(session, village.id, options.member)
    except transfers.TransferError as error:
        raise ExportError(str(error)) from error
    return Built(letter_report([letter], options.day, stem=f"{village.name}{name}{TITLE}"))


def _reserve_cadres(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """村级后备干部名册 of the year, with the count against the township's target."""
    from partybuild_desktop.reports.tables import reserve_cadres as reserve_table
    from partybuild_desktop.services import reserve_cadres

    year = options.the_year
    rows = reserve_cadres.roster(session, village.id, year)
    if not rows:
        raise ExportError(f"{village.name}还没有{year}年的后备干部名单，无法导出{reserve_table.TITLE}。"
                          "请先在“后备干部”中登记，或把上一年的名单续备过来。")
    return Built(reserve_table.roster_report(rows, village.branch_name, year,
                                             reserve_cadres.standing(session, village.id, year), options.day,
                                             stem=f"{village.name}{year}年度{reserve_table.TITLE}"))


def _transfers_summary(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """后备干部和党员组织关系转接情况表 of the quarter (else the year): the year's reserve cadres and the
    period's transfers."""
    from partybuild_desktop.reports.tables import transfers as transfer_tables
    from partybuild_desktop.services import reserve_cadres, transfers

    start, end, period = _period(options)
    if end < start:
        raise ExportError(f"{period}还没有开始。")
    figures = {"reserve_cadres": reserve_cadres.count(session, village.id, options.the_year),
               **transfers.period_counts(session, village.id, start, end)}
    report = transfer_tables.village_report(village.branch_name, options.day, start, end, figures,
                                            reserve_cadres.target(session),
                                            stem=f"{village.name}{period}{transfer_tables.TITLE}")
    return Built(report, figures=figures)


def _migrants(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """流动党员台账: each migrant away on the day, with the stint, the 活动证, the last contact and the alerts."""
    from partybuild_desktop.reports.tables import migrants as migrant_tables
    from partybuild_desktop.services import migrants

    rows = migrants.migrants(session, village.id, options.day)
    if not rows:
        raise ExportError(f"{village.name}现在没有在外的流动党员，无法导出{migrant_tables.LEDGER_TITLE}。"
                          "党员外出时，请在“流动党员”中办理外出登记（命令行 migrant out）。")
    return Built(migrant_tables.ledger_report(rows, village.branch_name, options.day,
                                              stem=f"{village.name}{migrant_tables.LEDGER_TITLE}"))


def _migrant_cards(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """流动党员联系卡, two to an A4 sheet: of every migrant away, or of those chosen."""
    # Drawn with reportlab: loaded only when the cards are made.
    from partybuild_desktop.reports.migrant_cards import TITLE, migrant_cards_report
    from partybuild_desktop.services import migrants

    chosen = list(options.member_ids) if options.member_ids else None
    cards = migrants.contact_cards(session, village.id, options.day, member_ids=chosen)
    if not cards:
        who = "选中的党员中没有在外的流动党员" if chosen else "现在没有在外的流动党员"
        raise ExportError(f"{village.name}{who}，无法打印{TITLE}。请先在“流动党员”中办理外出登记。")
    return Built(migrant_cards_report(cards, options.day, stem=f"{village.name}{TITLE}"))


def _migrants_summary(session: Session, village: VillageInfo, options: ExportOptions) -> Built:
    """流动党员管理情况统计表 at the end of the quarter (else the year), or today when it has not ended."""
    from partybuild_desktop.reports.tables import migrants as migrant_tables
    from partybuild_desktop.services import migrants

    start, end, period = _period(options)
    end = min(end, options.day)
    if end < start:
        raise ExportError(f"{period}还没有开始。")
    named = migrant_tables.people(migrants.migrants(session, village.id, end), end)
    report = migrant_tables.village_report(village.branch_name, options.day, end, named,
                                           stem=f"{village.name}{period}{migrant_tables.TITLE}")
    return Built(report, figures=migrant_tables.figures(named))


def _both(title: str, attachment: int | None = None) -> tuple[ReturnFile, ...]:
    return ReturnFile("xlsx", title, attachment), ReturnFile("pdf", title, attachment)


_CATALOGUE = (
    ExportDefinition("overview", "村党组织基本情况统计表", ("xlsx", "pdf"), _overview),
    ExportDefinition("cards", "党员分类信息卡", ("pdf", "xlsx"), _cards, per_member=True),
    ExportDefinition("book", "党员分类管理纪实本", ("pdf", "xlsx"), _book, uses_year=True, per_member=True),
    ExportDefinition("contact-table", "党员联系表", ("xlsx", "pdf"), _contact_table),
    ExportDefinition("members", "党员花名册", ("xlsx", "pdf"), _members),
    ExportDefinition("points-board", "党建先锋榜", ("pdf", "xlsx"), _points_board, uses_year=True,
                     return_files=(ReturnFile("xlsx", POINTS_DETAIL_TITLE), ReturnFile("pdf", "党建先锋榜")),
                     optional_in_return=True),
    ExportDefinition("stats", "基层党组织网格化管理服务工作情况统计表（附件1）", ("xlsx", "pdf"), _stats,
                     return_files=_both(grid_stats.TITLE, 1),
                     figures=Figures("attachment1", grid_stats.summary_report, grid_stats.FIGURE_KEYS)),
    ExportDefinition("roster-committee", "支部委员包挂联系花名册（附件2）", ("xlsx", "pdf"),
                     _roster(2, grid_reports.committee_roster, rosters.committee_report, rosters.COMMITTEE_TITLE,
                             "还没有登记村党组织班子成员或网格支部委员"),
                     return_files=_both(rosters.COMMITTEE_TITLE, 2)),
    ExportDefinition("roster-hubs", "党员中心户包挂联系花名册（附件3）", ("xlsx", "pdf"),
                     _roster(3, grid_reports.hub_roster, rosters.hubs_report, rosters.HUBS_TITLE,
                             "还没有确定党员中心户或党员示范岗"),
                     return_files=_both(rosters.HUBS_TITLE, 3)),
    ExportDefinition("roster-members", "党员包挂联系花名册（附件4）", ("xlsx", "pdf"),
                     _roster(4, grid_reports.member_roster, rosters.members_report, rosters.MEMBERS_TITLE,
                             "还没有在册党员"),
                     return_files=_both(rosters.MEMBERS_TITLE, 4)),
    ExportDefinition("liaison-check", "包挂联系关系检查表", ("xlsx", "pdf"), _liaison_check),
    ExportDefinition("audit", "操作记录（一年的全部操作）", ("xlsx",), lambda s, v, o: Built(audit.year_report(s, v, o.the_year, o.day)), uses_year=True, file_title=audit.LOG_TITLE),
    ExportDefinition("notice-board", "网格公示牌（A3横向，每个网格一页）", ("pdf",), _notice_board("A3"),
                     file_title="网格公示牌（A3）", dated=False),
    ExportDefinition("notice-board-a4", "网格公示牌（A4横向，每个网格一页）", ("pdf",), _notice_board("A4"),
                     file_title="网格公示牌（A4）", dated=False),
    ExportDefinition("contact-cards", "民情联系卡（每张A4八张卡）", ("pdf",), _contact_cards,
                     file_title="民情联系卡", dated=False),
    ExportDefinition("member-stats", "党员基本情况统计表（性别、民族、年龄、学历、类别、增减）", ("xlsx", "pdf"),
                     _member_stats, uses_year=True, uses_quarter=True, file_title=MEMBER_STATS_TITLE,
                     return_files=_both(MEMBER_STATS_TITLE),
                     figures=Figures("member_statistics", member_stats_report)),
    ExportDefinition("meetings-summary", meeting_summary.TITLE, ("xlsx", "pdf"), _meetings_summary, uses_year=True,
                     uses_quarter=True, return_files=_both(meeting_summary.TITLE),
                     figures=Figures("meetings", meeting_summary.summary_report, meeting_summary.FIGURE_KEYS,
                                     read=meeting_summary.check_figures, optional=True)),
    ExportDefinition("money-summary", money_summary.TITLE, ("xlsx", "pdf"), _money_summary, uses_year=True,
                     uses_quarter=True, return_files=_both(money_summary.TITLE),
                     figures=Figures("money", money_summary.summary_report, money_summary.FIGURE_KEYS,
                                     read=money_summary.check_figures, optional=True, most=money_summary.MAX_FEN)),
    ExportDefinition("recruitment-summary", recruit_tables.TITLE, ("xlsx", "pdf"), _recruitment_summary,
                     uses_year=True, uses_quarter=True, return_files=_both(recruit_tables.TITLE),
                     figures=Figures("recruitment", recruit_tables.summary_report, recruit_tables.FIGURE_KEYS,
                                     read=recruit_tables.check_figures, optional=True)),
    ExportDefinition("meeting-minutes", "会议记录（一次会议）", ("pdf", "xlsx"), _minutes,
                     file_title=meeting_tables.MINUTES_TITLE, dated=False),
    ExportDefinition("meetings", meeting_tables.REGISTER_TITLE, ("xlsx", "pdf"), _meeting_register, uses_year=True),
    ExportDefinition("attendance", meeting_tables.ATTENDANCE_TITLE, ("xlsx", "pdf"), _attendance, uses_year=True),
    ExportDefinition("study-hours", meeting_tables.STUDY_TITLE, ("xlsx", "pdf"), _study_hours, uses_year=True),
    ExportDefinition("review", meeting_tables.REVIEW_TITLE, ("xlsx", "pdf"), _review, uses_year=True),
    ExportDefinition("funds", "党建经费使用情况公示", ("pdf", "xlsx"), _funds, uses_year=True, uses_quarter=True),
    ExportDefinition("dues-register", dues_tables.REGISTER_TITLE, ("xlsx", "pdf"), _dues_register, uses_year=True),
    ExportDefinition("dues-notice", f"{dues_tables.NOTICE_TITLE}（张贴，不含收入）", ("pdf", "xlsx"), _dues_notice,
                     uses_year=True, file_title=dues_tables.NOTICE_TITLE),
    ExportDefinition("recruits", recruit_tables.LEDGER_TITLE, ("xlsx", "pdf"), _recruits, dated=False),
    ExportDefinition("recruit-record", f"{recruit_tables.RECORD_TITLE}（一人）", ("pdf", "xlsx"), _recruit_record,
                     file_title=recruit_tables.RECORD_TITLE, dated=False),
    ExportDefinition("probation", recruit_tables.PROBATION_TITLE, ("xlsx", "pdf"), _probation, dated=False),
    ExportDefinition("migrants", migrant_tables.LEDGER_TITLE, ("xlsx", "pdf"), _migrants, dated=False),
    ExportDefinition("migrant-cards", "流动党员联系卡（每张A4两张卡）", ("pdf",), _migrant_cards, per_member=True,
                     file_title=migrant_tables.CARDS_TITLE, dated=False),
    ExportDefinition("migrants-summary", migrant_tables.TITLE, ("xlsx", "pdf"), _migrants_summary, uses_year=True,
                     uses_quarter=True, return_files=_both(migrant_tables.TITLE),
                     figures=Figures("migrants", migrant_tables.summary_report, migrant_tables.FIGURE_KEYS,
                                     read=migrant_tables.check_figures, optional=True)),
    ExportDefinition("transfers", transfer_tables.REGISTER_TITLE, ("xlsx", "pdf"), _transfers, uses_year=True),
    ExportDefinition("transfer-letter", "党员组织关系介绍信（一人）", ("pdf",), _transfer_letter,
                     file_title="党员组织关系介绍信", dated=False),
    ExportDefinition("reserve-cadres", reserve_table.TITLE, ("xlsx", "pdf"), _reserve_cadres, uses_year=True),
    ExportDefinition("transfers-summary", transfer_tables.TITLE, ("xlsx", "pdf"), _transfers_summary, uses_year=True,
                     uses_quarter=True, return_files=_both(transfer_tables.TITLE),
                     figures=Figures("reserve_and_transfers", transfer_tables.summary_report, transfer_tables.FIGURE_KEYS,
                                     read=transfer_tables.check_figures, optional=True)),
    ExportDefinition("annual-recruitment", "党内统计年报：发展党员和预备党员转正情况", ("xlsx", "pdf"),
                     _annual_recruitment, uses_year=True, file_title="发展党员和预备党员转正情况统计表"),
)


def catalogue() -> list[ExportDefinition]:
    return list(_CATALOGUE)


def return_definitions() -> list[ExportDefinition]:
    """The tables of the quarterly return, in the order the package lists them."""
    return [d for d in _CATALOGUE if d.in_return]


def figure_definitions() -> list[ExportDefinition]:
    """The tables whose figures the return carries and the township adds up."""
    return [d for d in _CATALOGUE if d.figures is not None]


def find(name: str) -> ExportDefinition:
    for definition in _CATALOGUE:
        if definition.name == name:
            return definition
    names = "、".join(d.name for d in _CATALOGUE)
    raise ExportError(f"没有名为“{name}”的报表。可导出的报表有：{names}。")


# ---------------------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    warnings: list[str] = field(default_factory=list)


def write_file(report, path: Path, fmt: str) -> Written:
    """``reports.files.write_report``, with a failure to write explained in Chinese (``ExportError``)."""
    try:
        return write_report(report, path, fmt)
    except PermissionError as error:
        raise ExportError(f"无法写入“{path}”：文件可能正在 Excel 或 WPS 中打开，请关闭后重试。（{error}）") from error
    except OSError as error:
        raise ExportError(f"写入“{path}”失败：{error}。请检查 U 盘是否插好、空间是否足够，然后重新导出。") from error


def export(store: Store, village_id: int | None, name: str, path: Path, options: ExportOptions | None = None) -> ExportResult:
    """Build the named report for the village and write it to ``path`` (atomically, read back); the
    file's extension picks the format."""
    definition = find(name)
    options = options or ExportOptions()
    path = Path(path)
    fmt = format_of(path)
    if fmt not in definition.formats:
        allowed = " 或 ".join(f".{f}" for f in definition.formats)
        raise ExportError(f"“{definition.title}”只能导出为 {allowed} 文件，而给出的文件名是“{path.name}”。请改用 {allowed} 扩展名。")
    if not path.parent.is_dir():
        raise ExportError(f"文件夹“{path.parent}”不存在，请先建好文件夹或换一个位置。")
    with store.session() as session:
        village = current_village(session) if village_id is None else village_info(session, village_id)
        if village is None:
            raise ExportError("数据文件中还没有村，无法导出。")
        built = definition.build(session, village, replace(options, format=fmt))
    written = write_file(built.for_format(fmt), path, fmt)
    return ExportResult(path, written.sha256, built.warnings + written.warnings)


def summaries(township: str, unit: str, day: dt.date, start: dt.date, end: dt.date, prefix: str,
              villages: Sequence) -> list[Report]:
    """The township's tables adding up the villages' figures, one per definition that feeds figures:
    ``villages`` are received returns whose ``figures`` map each section to its figures, or to None when
    the return did not carry it (an ``optional`` section; ``consolidation``'s ``VillageFigures``); each
    table is named ``{prefix} {label}（汇总）``."""
    reports = []
    for definition in figure_definitions():
        section = definition.figures.section
        rows = [(v.village, v.figures.get(section)) for v in villages]
        stem = f"{prefix} {definition.return_files[0].label}（汇总）"
        reports.append(definition.figures.summary(township, unit, day, start, end, rows, stem=stem))
    return reports
