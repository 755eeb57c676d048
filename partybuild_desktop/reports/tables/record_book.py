"""党员分类管理纪实本 (一本): per member, the year's dated entries and the study hours against the rule.

One table per member: in the PDF each member's book starts on a new page with its own page numbers; in
the xlsx each member has a sheet, to be edited and printed on its own or with the whole workbook.
"""

from __future__ import annotations

from collections.abc import Iterable

from partybuild_desktop.domain.vocabulary import STUDY_ENTRY_TYPES, RecordEntryType
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

TITLE = "党员分类管理纪实本"
SIGNATURE = "党员本人签字：__________　　党小组长签字：__________"
NO_ENTRIES = "本年度暂无纪实记录"

COLUMNS = (
    Column("序号", "no", 5, kind="number", align="center", total=False),
    Column("日期", "date", 11, kind="date"),
    Column("类型", "type", 10, align="center"),
    Column("内容", "text", 46),
    Column("学时", "hours", 6, kind="number", align="center"),
)
_STUDY_TYPES = "、".join(t.label for t in RecordEntryType if t in STUDY_ENTRY_TYPES)


def _hours(value: float) -> str:
    return f"{value:g}"


def hours_line(book) -> str:
    """The footer: the year's study hours, the requirement and whether it is met."""
    who = "村党组织班子成员" if book.is_committee_member else "党员"
    done, required = book.study_hours, book.required_hours
    verdict = "已达到要求" if book.requirement_met else f"未达到要求，尚差{_hours(required - done)}学时"
    return (f"本年度学时合计：{_hours(done)}学时（{_STUDY_TYPES}计入学时）；"
            f"年度要求：{_hours(required)}学时（{who}）；{verdict}。")


def book_table(book, unit: str) -> Table:
    """One member's book; ``book`` is a ``services.member_records.RecordBook``."""
    spec = TableSpec(
        title=f"{TITLE}（{book.year}年度）",
        columns=COLUMNS,
        unit=unit,
        subtitle=(f"姓名：{book.name}　　党小组：{book.party_group or '未分组'}　　"
                  f"党员类别：{book.category.label}（{book.management_mode.label}）"),
        notes=(hours_line(book),),
        signature=SIGNATURE,
        sheet_name=book.name,
    )
    rows = [
        {"no": number, "date": entry.date, "type": entry.entry_type.label, "text": entry.text, "hours": entry.hours}
        for number, entry in enumerate(book.entries, start=1)
    ] or [{"text": NO_ENTRIES}]
    return Table(spec, rows)


def record_book_report(books: Iterable, unit: str, stem: str) -> Report:
    """Every given member's book in one file (one member's book: a list of one)."""
    tables = [book_table(book, unit) for book in books]
    if not tables:
        raise ValueError("没有要打印纪实本的党员。")
    return Report(stem=stem, tables=tables)
