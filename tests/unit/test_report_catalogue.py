"""One report catalogue: the Export menu, the CLI, the quarterly return and the township read the same
definitions; one ``write_report`` writes every file; default file names come from the definition."""

import datetime as dt
import json
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import update

from partybuild_desktop.reports.files import write_report
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec
from partybuild_desktop.reports.tables import grid_stats
from partybuild_desktop.services import exports, returns
from partybuild_desktop.services.exports import ExportOptions, catalogue, find, return_definitions
from partybuild_desktop.services.returns import export_return
from partybuild_desktop.store.models import Village
from tests.conftest import SAMPLE_TODAY

DAY = dt.date(2026, 11, 23)


def test_every_definition_is_whole():
    names = [d.name for d in catalogue()]
    assert len(names) == len(set(names))
    for definition in catalogue():
        assert set(definition.formats) <= {"xlsx", "pdf"} and definition.formats
        assert {f.format for f in definition.return_files} <= set(definition.formats), definition.name
        if definition.figures is not None:
            assert definition.in_return, definition.name
    assert [d.name for d in return_definitions()] == [
        "points-board", "stats", "roster-committee", "roster-hubs", "roster-members", "member-stats",
        "meetings-summary", "money-summary", "recruitment-summary", "migrants-summary", "transfers-summary"]
    assert {d.figures.section for d in exports.figure_definitions()} == {"attachment1", "member_statistics", "meetings", "recruitment",
                                                                         "money", "migrants", "reserve_and_transfers"}


def test_attachment1_figures_are_the_counts_its_spec_prints():
    printed = {c.key for c in grid_stats.COLUMNS if c.kind == "number"}
    assert printed <= set(grid_stats.FIGURE_KEYS)
    assert set(grid_stats.FIGURE_KEYS) - printed == set(grid_stats.UNPRINTED_FIGURES)
    assert returns.ATTACHMENT1_KEYS == grid_stats.FIGURE_KEYS == find("stats").figures.keys


@pytest.mark.parametrize("name, options, fmt, expected", [
    ("members", ExportOptions(today=DAY), None, "东湖村党员花名册2026年.xlsx"),
    ("members", ExportOptions(today=DAY), "pdf", "东湖村党员花名册2026年.pdf"),
    ("book", ExportOptions(year=2025, today=DAY), None, "东湖村党员分类管理纪实本2025年.pdf"),
    ("member-stats", ExportOptions(year=2026, quarter=3, today=DAY), "xlsx", "东湖村党员基本情况统计表2026年第三季度.xlsx"),
    ("member-stats", ExportOptions(year=2026, today=DAY), "xlsx", "东湖村党员基本情况统计表2026年.xlsx"),
    ("stats", ExportOptions(year=2026, quarter=3, today=DAY), None,
     "东湖村基层党组织网格化管理服务工作情况统计表（附件1）2026年第三季度.xlsx"),
    ("notice-board", ExportOptions(grid="第1网格", today=DAY), None, "东湖村第1网格网格公示牌（A3）.pdf"),
    ("contact-cards", ExportOptions(today=DAY), None, "东湖村民情联系卡.pdf"),
])
def test_suggested_names_carry_village_table_and_period(name, options, fmt, expected):
    assert find(name).suggested_name("东湖村", options, fmt) == expected


def test_a_suggested_name_is_one_windows_accepts():
    name = find("overview").suggested_name('东湖村/新区:"一"', ExportOptions(today=DAY))
    assert name == "东湖村_新区__一_村党组织基本情况统计表2026年.xlsx"


def test_the_export_names_itself_with_the_village_info(sample_store):
    from partybuild_desktop.services.village import current_village

    with sample_store.session() as session:
        village = current_village(session)
    assert find("members").suggested_name(village, ExportOptions(today=DAY)) == f"{village.name}党员花名册2026年.xlsx"


def test_write_report_picks_the_writer_by_format(tmp_path):
    spec = TableSpec(title="测试表", columns=(Column("姓名", "name"), Column("人数", "n", kind="number")))
    report = Report("测试表", [Table(spec, [{"name": "张三", "n": 3}])])
    xlsx = write_report(report, tmp_path / "a.xlsx")
    assert zipfile.is_zipfile(xlsx.path) and openpyxl.load_workbook(xlsx.path).active["A1"].value == "测试表"
    pdf = write_report(report, tmp_path / "b.bin", "pdf")
    assert pdf.path.read_bytes().startswith(b"%PDF") and "张三" in PdfReader(pdf.path).pages[0].extract_text()
    assert len(xlsx.sha256) == len(pdf.sha256) == 64
    with pytest.raises(ValueError, match="只能导出为"):
        write_report(report, tmp_path / "c.docx")


def test_the_return_holds_exactly_the_catalogues_return_files(sample_store, tmp_path):
    with sample_store.session() as session:
        session.execute(update(Village).values(township="城南镇"))
    result = export_return(sample_store, None, "2026Q3", tmp_path, today=SAMPLE_TODAY)
    village = result.village.name
    expected = {(f"{village} {f.label}.{f.format}", d.name, f.title)
                for d in return_definitions() for f in d.return_files}
    assert {(f.name, f.kind, f.format and f.title) for f in result.files if f.kind != "data"} == expected
    data = json.loads((result.path / "return.json").read_text(encoding="utf-8"))
    assert set(data["figures"]) == {d.figures.section for d in exports.figure_definitions()}
    assert tuple(data["figures"]["attachment1"]) == grid_stats.FIGURE_KEYS
