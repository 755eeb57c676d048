"""一卡一本一表 from the command line: a sample village, then each export, read back from the files."""

import re
import sqlite3

import openpyxl
import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from tests.helpers import cli, embedded_fonts, sheet_rows

ID_NUMBER_RE = re.compile(r"\d{17}[\dX]")
YEAR = 2026


@pytest.fixture(scope="module")
def village(tmp_path_factory):
    folder = tmp_path_factory.mktemp("村")
    made = cli("--data-dir", str(folder), "demo", "--members", "40", "--seed", "5")
    assert made.returncode == 0, made.stderr
    return folder


def export(folder, *args):
    result = cli("--data-dir", str(folder), "export", *args)
    assert result.returncode == 0, result.stderr
    return result


def query(folder, sql, *params):
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def test_the_new_exports_are_listed(village):
    listed = cli("--data-dir", str(village), "export", "--list").stdout
    for name in ("cards", "book", "contact-table"):
        assert re.search(rf"^{name}\t", listed, re.M), listed


def test_cards_pdf_and_xlsx(village, tmp_path):
    names = [n for n, in query(village, "SELECT name FROM member WHERE archived = 0")]
    assert len(names) == 40 + 2  # two of them accepted through the sample's recruitment cases
    pdf, xlsx = tmp_path / "信息卡.pdf", tmp_path / "信息卡.xlsx"
    assert "已导出" in export(village, "cards", "--out", str(pdf)).stdout
    export(village, "cards", "--out", str(xlsx))

    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert 20 <= len(reader.pages) < 40  # two cards to a page, now and then one
    assert ID_NUMBER_RE.search(text) is None
    assert all(name in text for name in names)
    assert text.count("党员分类信息卡") == 42
    assert all(embedded_fonts(reader).values())

    rows = sheet_rows(xlsx, "党员分类信息卡")
    values = [str(v) for row in rows for v in row if v != ""]
    assert not any(ID_NUMBER_RE.search(v) for v in values)
    assert set(names) <= set(values) and values.count("党员分类信息卡") == 42
    sheet = openpyxl.load_workbook(xlsx).active
    assert len(sheet.row_breaks.brk) + 1 == len(reader.pages)
    assert int(sheet.page_setup.paperSize) == 9 and not sheet.sheet_properties.pageSetUpPr.fitToPage


def test_record_book_pdf_and_xlsx(village, tmp_path):
    pdf, xlsx = tmp_path / "纪实本.pdf", tmp_path / "纪实本.xlsx"
    export(village, "book", "--year", str(YEAR), "--out", str(pdf))
    export(village, "book", "--year", str(YEAR), "--out", str(xlsx))
    members = query(village, "SELECT id, name FROM member WHERE archived = 0 ORDER BY party_group_id, id")
    hours = dict(query(village, "SELECT member_id, sum(hours) FROM record_entry WHERE entry_type IN "
                                "('organisational_life', 'political_study') AND date BETWEEN ? AND ? GROUP BY member_id",
                       f"{YEAR}-01-01", f"{YEAR}-12-31"))

    reader = PdfReader(pdf)
    assert all(embedded_fonts(reader).values())
    pages = [page.extract_text() for page in reader.pages]
    starts = [i for i, text in enumerate(pages) if f"党员分类管理纪实本（{YEAR}年度）" in text]
    assert len(starts) == len(members)  # each member's book starts on a new page
    for (member_id, name), start, end in zip(members, starts, starts[1:] + [len(pages)]):
        section = "".join(pages[start:end])
        assert f"姓名：{name}" in pages[start] and "第 1 页" in pages[start]
        total = float(re.search(r"本年度学时合计：([\d.]+)学时", section).group(1))
        assert total == pytest.approx(hours.get(member_id) or 0)

    workbook = CalamineWorkbook.from_path(str(xlsx))
    assert len(workbook.sheet_names) == len(members)
    for sheet_name, (member_id, name) in zip(workbook.sheet_names, members):
        rows = workbook.get_sheet_by_name(sheet_name).to_python()
        assert rows[1][0].startswith(f"姓名：{name}")
        study = sum(r[4] for r in rows if r[2] in ("组织生活", "政治学习") and isinstance(r[4], float))
        footer = next(r[0] for r in rows if str(r[0]).startswith("本年度学时合计"))
        assert float(re.search(r"([\d.]+)学时", footer).group(1)) == pytest.approx(study)
        assert study == pytest.approx(hours.get(member_id) or 0)


def test_contact_table_xlsx_and_pdf(village, tmp_path):
    xlsx, pdf = tmp_path / "联系表.xlsx", tmp_path / "联系表.pdf"
    export(village, "contact-table", "--out", str(xlsx))
    export(village, "contact-table", "--out", str(pdf))
    counts = dict(query(village, "SELECT m.name || '#' || m.id, count(h.id) FROM member m "
                                 "LEFT JOIN household h ON h.liaison_member_id = m.id WHERE m.archived = 0 "
                                 "GROUP BY m.id ORDER BY m.party_group_id, m.id"))
    rows = sheet_rows(xlsx, "党员联系表")
    body = [r for r in rows if isinstance(r[0], float)]
    assert [(r[2], r[7]) for r in body] == [(key.split("#")[0], n) for key, n in counts.items()]
    assert next(r for r in rows if r[0] == "合计")[7] == sum(counts.values())
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9

    reader = PdfReader(pdf)
    assert all(embedded_fonts(reader).values())
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "党员联系表" in text and "本人为中心户" in text


def test_a_wrong_extension_is_refused_in_chinese(village, tmp_path):
    result = cli("--data-dir", str(village), "export", "cards", "--out", str(tmp_path / "卡.docx"))
    assert result.returncode == 2 and "只能导出为" in result.stderr
