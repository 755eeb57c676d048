"""Every export the window offers, by name; the CLI's ``export NAME --out FILE`` uses the same list.

The file's extension picks the writer (.xlsx or .pdf); both take the same ``Report``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
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
    # The file type being written ("xlsx" or "pdf"); export() fills it in, so a table may print differently.
    format: str | None = None
    # A quarter (1–4) of ``year``, for the tables that can be made per quarter (``uses_quarter``).
    quarter: int | None = None

    @property
    def day(self) -> dt.date:
        return self.today or dt.date.today()


@dataclass(frozen=True)
class ExportDefinition:
    name: str
    title: str
    formats: tuple[str, ...]
    build: Callable[[Session, VillageInfo, ExportOptions], object]  # returns a reports.spec.Report
    uses_year: bool = False  # the window asks for the year
    per_member: bool = False  # can be made for a chosen list of members
    uses_quarter: bool = False  # may be made for one quarter (``ExportOptions.quarter``)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    warnings: list[str] = field(default_factory=list)


def _overview(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.reports.tables.overview import overview_report
    from partybuild_desktop.services.overview import overview

    return overview_report(village.name, village.branch_name, overview(session, village.id, options.day), options.day)


def _cards(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.reports.tables.card import TITLE, cards_report
    from partybuild_desktop.services.member_records import member_cards

    cards = member_cards(session, village.id, member_ids=options.member_ids)
    if not cards:
        raise ExportError(f"{village.name}还没有在册党员，无法打印党员分类信息卡。")
    return cards_report(cards, village.branch_name, options.day, stem=f"{village.name}{TITLE}")


def _book(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.reports.tables.record_book import TITLE, record_book_report
    from partybuild_desktop.services.member_records import record_books

    year = options.year or options.day.year
    books = record_books(session, village.id, year, member_ids=options.member_ids)
    if not books:
        raise ExportError(f"{village.name}还没有在册党员，无法打印党员分类管理纪实本。")
    return record_book_report(books, village.branch_name, stem=f"{village.name}{year}年度{TITLE}")


def _contact_table(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.reports.tables.contact_table import TITLE, contact_table_report
    from partybuild_desktop.services.member_records import contact_rows

    return contact_table_report(contact_rows(session, village.id), village.branch_name, options.day,
                                stem=f"{village.name}{TITLE}")


def _members(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.reports.tables.members import members_report
    from partybuild_desktop.services.member_import import member_register

    # The xlsx keeps every column and whole ID numbers, so it can be imported again; the PDF is for print.
    return members_report(village.name, village.branch_name, member_register(session, village.id), options.day,
                          for_print=options.format == "pdf")


def _points_board(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.services.points import board, member_photos

    year = options.year or options.day.year
    as_of = options.today or dt.date.today()
    result = board(session, village.id, year, as_of=as_of)
    if not result.members:
        raise ExportError(f"{village.name}{year}年度没有可以排名的党员，无法生成党建先锋榜。")
    if options.format == "pdf":
        # The public A3 board has a layout of its own (it writes itself, see ``export``).
        from partybuild_desktop.reports.points_board import TOP_MEMBERS, printout_from_board

        top = [m.member_id for m in result.members if m.rank <= TOP_MEMBERS]
        return printout_from_board(result, village.branch_name, member_photos(session, top))
    from partybuild_desktop.reports.tables.points_board import points_detail_report

    return points_detail_report(result, village.branch_name)


def _member_stats(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.services.member_statistics import member_stats_export

    return member_stats_export(session, village, options)


def _grid_export(name: str):
    """A printout of the grid work (seed 002's 附件1–4, the liaison check, notice boards, contact cards);
    ``services.grid_reports.build_export`` builds it."""

    def build(session: Session, village: VillageInfo, options: ExportOptions):
        from partybuild_desktop.services.grid_reports import build_export

        return build_export(name, session, village, options)

    return build


_CATALOGUE = (
    ExportDefinition("overview", "村党组织基本情况统计表", ("xlsx", "pdf"), _overview),
    ExportDefinition("cards", "党员分类信息卡", ("pdf", "xlsx"), _cards, per_member=True),
    ExportDefinition("book", "党员分类管理纪实本", ("pdf", "xlsx"), _book, uses_year=True, per_member=True),
    ExportDefinition("contact-table", "党员联系表", ("xlsx", "pdf"), _contact_table),
    ExportDefinition("members", "党员花名册", ("xlsx", "pdf"), _members),
    ExportDefinition("points-board", "党建先锋榜", ("pdf", "xlsx"), _points_board, uses_year=True),
    ExportDefinition("stats", "基层党组织网格化管理服务工作情况统计表（附件1）", ("xlsx", "pdf"), _grid_export("stats")),
    ExportDefinition("roster-committee", "支部委员包挂联系花名册（附件2）", ("xlsx", "pdf"), _grid_export("roster-committee")),
    ExportDefinition("roster-hubs", "党员中心户包挂联系花名册（附件3）", ("xlsx", "pdf"), _grid_export("roster-hubs")),
    ExportDefinition("roster-members", "党员包挂联系花名册（附件4）", ("xlsx", "pdf"), _grid_export("roster-members")),
    ExportDefinition("liaison-check", "包挂联系关系检查表", ("xlsx", "pdf"), _grid_export("liaison-check")),
    ExportDefinition("notice-board", "网格公示牌（A3横向，每个网格一页）", ("pdf",), _grid_export("notice-board")),
    ExportDefinition("notice-board-a4", "网格公示牌（A4横向，每个网格一页）", ("pdf",), _grid_export("notice-board-a4")),
    ExportDefinition("contact-cards", "民情联系卡（每张A4八张卡）", ("pdf",), _grid_export("contact-cards")),
    ExportDefinition("member-stats", "党员基本情况统计表（性别、民族、年龄、学历、类别、增减）", ("xlsx", "pdf"),
                     _member_stats, uses_year=True, uses_quarter=True),
)


def catalogue() -> list[ExportDefinition]:
    return list(_CATALOGUE)


def find(name: str) -> ExportDefinition:
    for definition in _CATALOGUE:
        if definition.name == name:
            return definition
    names = "、".join(d.name for d in _CATALOGUE)
    raise ExportError(f"没有名为“{name}”的报表。可导出的报表有：{names}。")


def export(store: Store, village_id: int | None, name: str, path: Path, options: ExportOptions | None = None) -> ExportResult:
    """Build the named report for the village and write it to ``path`` (atomically, read back)."""
    definition = find(name)
    options = options or ExportOptions()
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in definition.formats:
        allowed = " 或 ".join(f".{f}" for f in definition.formats)
        raise ExportError(f"“{definition.title}”只能导出为 {allowed} 文件，而给出的文件名是“{path.name}”。请改用 {allowed} 扩展名。")
    if not path.parent.is_dir():
        raise ExportError(f"文件夹“{path.parent}”不存在，请先建好文件夹或换一个位置。")
    with store.session() as session:
        village = current_village(session) if village_id is None else village_info(session, village_id)
        if village is None:
            raise ExportError("数据文件中还没有村，无法导出。")
        report = definition.build(session, village, replace(options, format=suffix))
    warnings: list[str] = []
    try:
        if suffix == "xlsx":
            from partybuild_desktop.reports.xlsx_writer import write_xlsx

            digest = write_xlsx(report, path)
        else:
            from partybuild_desktop.fileio import sha256_of
            from partybuild_desktop.reports.pdf_writer import write_pdf

            # A printout with a layout of its own (the points board) writes itself.
            own_writer = getattr(report, "write_pdf", None)
            warnings = own_writer(path) if own_writer else write_pdf(report, path)
            digest = sha256_of(path)
    except PermissionError as error:
        raise ExportError(f"无法写入“{path}”：文件可能正在 Excel 或 WPS 中打开，请关闭后重试。（{error}）") from error
    except OSError as error:
        raise ExportError(f"写入“{path}”失败：{error}。请检查 U 盘是否插好、空间是否足够，然后重新导出。") from error
    return ExportResult(path, digest, warnings)
