"""一卡一本一表: the data gathered for them, the card form layout, and the files read back."""

import dataclasses
import datetime as dt
import io
import re
import sqlite3
from collections import Counter

import openpyxl
import pytest
import reportlab
from pathlib import Path
from PIL import Image
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import event

from partybuild_desktop.domain.vocabulary import STUDY_ENTRY_TYPES, MemberCategory, RecordEntryType
from partybuild_desktop.reports import fonts, pdf_writer, xlsx_writer
from partybuild_desktop.reports.pdf_writer import NO_LINE_START, layout_form, write_pdf
from partybuild_desktop.reports.spec import Column, Form, FormCell, FormSet, FormSpec, Report, Table, TableSpec, pack_pages
from partybuild_desktop.reports.tables.card import card_form, card_spec, cards_report
from partybuild_desktop.reports.tables.contact_table import contact_table_report
from partybuild_desktop.reports.tables.record_book import record_book_report
from partybuild_desktop.reports.xlsx_writer import write_xlsx
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services.member_records import (
    COMMITTEE_STUDY_HOURS_REQUIRED,
    STUDY_HOURS_REQUIRED,
    MemberCard,
    card_photo,
    contact_rows,
    member_cards,
    record_books,
)
from partybuild_desktop.services.village import current_village
from tests.helpers import sheet_rows

DAY = dt.date(2026, 11, 23)
UNIT = "中共东湖村总支部委员会"
ID_NUMBER_RE = re.compile(r"\d{17}[\dX]")
LONG_ADDRESS = ("城南镇东湖村第三村民小组（原红星大队）幸福路128号，靠近村委会东侧，“老供销社”旧址往北第二条巷子"
                "进去第三户，门口有一棵大槐树，院墙刷成白色，门牌旁边挂着党员中心户标识牌。")
RARE_NAME = "欧阳䶮堃"  # 䶮 (U+4DAE) is missing from the bundled font, 堃 is not
VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


@pytest.fixture(autouse=True)
def restore_fonts(monkeypatch):
    monkeypatch.setattr(fonts, "_active", fonts._active)


@pytest.fixture
def village_id(sample_store):
    with sample_store.session() as session:
        return current_village(session).id


def db(store):
    return sqlite3.connect(store.path)


def jpeg(width, height, color=(180, 200, 230)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG")
    return out.getvalue()


def png(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 60)).save(out, format="PNG")
    return out.getvalue()


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


# ---------------------------------------------------------------------------------------- gathering


def test_cards_are_the_active_members_by_party_group_and_carry_no_id_number(sample_store, village_id):
    assert "id_number" not in {f.name for f in dataclasses.fields(MemberCard)}
    with sample_store.session() as session:
        member_service.change_status(session, member_service.list_members(session, village_id)[3].id,
                                     member_service.MemberEventKind.DIED, DAY, "病故", today=DAY)
    with sample_store.session() as session:
        cards = member_cards(session, village_id)
    with db(sample_store) as conn:
        active = conn.execute("SELECT id, party_group_id FROM member WHERE village_id = ? AND archived = 0",
                              (village_id,)).fetchall()
    assert sorted(c.member_id for c in cards) == sorted(i for i, _ in active)
    groups = dict(active)
    order = [groups[c.member_id] for c in cards]
    assert order == sorted(order)
    hubs = [c for c in cards if c.is_hub_household]
    assert hubs and all(c.hub_name is None for c in hubs)
    assert any(c.hub_name for c in cards if not c.is_hub_household)


def test_cards_for_given_members_keep_the_given_order(sample_store, village_id):
    with sample_store.session() as session:
        ids = [m.id for m in member_service.list_members(session, village_id)][:5]
        wanted = [ids[3], ids[0], ids[4]]
        assert [c.member_id for c in member_cards(session, member_ids=wanted)] == wanted
        assert [c.member_id for c in member_cards(session, member_ids=[ids[2]])] == [ids[2]]


def test_gathering_takes_a_few_queries_whatever_the_number_of_members(sample_store, village_id):
    with sample_store.session() as session:
        with QueryCounter(sample_store.engine) as counted:
            cards = member_cards(session, village_id)
            books = record_books(session, village_id, 2026)
            rows = contact_rows(session, village_id)
    assert len(cards) == len(books) == len(rows) > 100
    assert counted.count <= 6


def test_record_book_hours_agree_with_the_study_hours_service(sample_store, village_id):
    with sample_store.session() as session:
        first = member_service.list_members(session, village_id)[0].id
        before = member_service.study_hours(session, [first], 2026)[first]
        # Hours on a non-study entry, and study hours of another year, do not count.
        member_service.add_entry(session, first, dt.date(2026, 5, 1), RecordEntryType.VOLUNTEERING, "防汛值守", 3.0,
                                 today=DAY)
        member_service.add_entry(session, first, dt.date(2025, 12, 31), RecordEntryType.POLITICAL_STUDY, "学习", 4.0,
                                 today=DAY)
    with sample_store.session() as session:
        books = record_books(session, village_id, 2026)
        assert books[0].member_id == first and books[0].study_hours == before
        assert any(e.entry_type is RecordEntryType.VOLUNTEERING and e.hours == 3.0 for e in books[0].entries)
        expected = member_service.study_hours(session, [b.member_id for b in books], 2026)
    with db(sample_store) as conn:
        counts = Counter(r[0] for r in conn.execute(
            "SELECT member_id FROM record_entry WHERE date BETWEEN '2026-01-01' AND '2026-12-31'"))
        committee = {r[0] for r in conn.execute("SELECT id FROM member WHERE is_committee_member = 1")}
    for book in books:
        assert book.study_hours == pytest.approx(expected[book.member_id])
        assert len(book.entries) == counts[book.member_id]
        assert [e.date for e in book.entries] == sorted(e.date for e in book.entries)
        assert all(e.date.year == 2026 for e in book.entries)
        assert book.required_hours == (COMMITTEE_STUDY_HOURS_REQUIRED if book.member_id in committee
                                       else STUDY_HOURS_REQUIRED)
        assert book.requirement_met == (book.study_hours >= book.required_hours)
    assert {b.required_hours for b in books} == {32, 56}


def test_contact_rows_count_the_households_in_the_database(sample_store, village_id):
    with sample_store.session() as session:
        rows = contact_rows(session, village_id)
    with db(sample_store) as conn:
        counts = dict(conn.execute("SELECT liaison_member_id, count(*) FROM household GROUP BY liaison_member_id"))
        leaders = dict(conn.execute("SELECT m.id, pg.leader_id FROM member m JOIN party_group pg ON pg.id = m.party_group_id"))
    assert {r.member_id: len(r.households) for r in rows} == {r.member_id: counts.get(r.member_id, 0) for r in rows}
    assert all(r.group_leader_id == leaders[r.member_id] for r in rows)
    assert all(h.villager_group for r in rows for h in r.households)


def test_card_photo_keeps_a_3_by_4_picture_and_crops_any_other():
    portrait = jpeg(300, 400)
    assert card_photo(portrait) is portrait
    cropped = card_photo(png(800, 600))
    with Image.open(io.BytesIO(cropped)) as image:
        assert image.format == "JPEG" and image.size[0] * 4 == image.size[1] * 3
    assert card_photo(b"not a picture") is None
    assert card_photo(None) is None


# ---------------------------------------------------------------------------------------- the form spec


def test_form_spec_refuses_overlaps_and_holes():
    FormSpec("x", (4, 4), (20,), (FormCell("label", 0, 0, "a"), FormCell("value", 0, 1, key="a")))
    with pytest.raises(ValueError, match="overlap"):
        FormSpec("x", (4, 4), (20,), (FormCell("label", 0, 0, "a", col_span=2), FormCell("value", 0, 1, key="a")))
    with pytest.raises(ValueError, match="no cell covers"):
        FormSpec("x", (4, 4), (20, 20), (FormCell("label", 0, 0, "a"), FormCell("value", 0, 1, key="a")))
    with pytest.raises(ValueError, match="needs a key"):
        FormCell("value", 0, 0)


def test_rows_grow_for_their_text_and_a_merged_box_takes_from_its_last_row():
    spec = FormSpec("x", (4, 4), (20, 20, 20), (
        FormCell("photo", 0, 0, "照片", key="p", row_span=2), FormCell("value", 0, 1, key="a"),
        FormCell("value", 1, 1, key="b"), FormCell("value", 2, 0, key="c", col_span=2)))
    need = {"A": 30, "B": 10, "C": 50}
    heights = Form(spec, {"a": "A", "b": "B", "c": "C"}).row_heights(lambda cell, text: need[text])
    assert heights == [30, 20, 50]


def test_pack_pages_puts_as_many_forms_on_a_page_as_fit():
    assert pack_pages([300, 300, 300, 500, 900, 100], 700, 20) == [[0, 1], [2], [3], [4], [5]]
    assert pack_pages([300, 380, 100, 100], 700, 20) == [[0, 1], [2, 3]]
    assert pack_pages([], 700, 20) == []


# ---------------------------------------------------------------------------------------- the cards


def sample_cards(store, village_id):
    with store.session() as session:
        return member_cards(session, village_id)


def awkward_card(cards):
    """A migrant member with a rare-character name, a very long address and a photo."""
    migrant = next(c for c in cards if c.category is MemberCategory.MIGRANT)
    return dataclasses.replace(migrant, name=RARE_NAME, address=LONG_ADDRESS, photo=jpeg(300, 400))


def test_every_line_of_a_card_stays_inside_its_box():
    card = MemberCard(
        member_id=1, village_id=1, name=RARE_NAME, gender=None, ethnicity="土家族", birth_date=dt.date(1970, 5, 1),
        education=None, joined_date=dt.date(1999, 7, 1), standing=member_service.Standing.PROBATIONARY,
        category=MemberCategory.MIGRANT, post="政策宣传岗（兼环境整治、矛盾调解、治安巡逻）", job_post=None,
        party_group="第十二党小组（原红星大队第三、第四生产队）", grid="第1网格", is_hub_household=False,
        hub_name="诸葛欧阳春花", mobile="13812345678", landline="0510-87654321", address=LONG_ADDRESS,
        away_since=dt.date(2024, 3, 1), away_reason="务工经商", away_province="广东省", away_city="深圳市",
        away_county="宝安区", away_contact="13812345678", away_occupation="电子厂工人（夜班）兼个体经营",
        activity_card_no="LD20260001", employer=None, employer_contact=None, care_needs=None,
        visit_interval_days=None, photo=None)
    form = card_form(card, UNIT, DAY)
    width = A4[0] - 2 * pdf_writer.MARGIN
    layout = layout_form(form, width)
    by_box: dict[tuple, list[str]] = {}
    for text in layout.texts:
        drawn = stringWidth(text.text, text.font, text.size)
        if text.box is None:
            assert 0 <= text.x and text.x + drawn <= width + 0.01
            continue
        x, y, w, h = text.box
        assert text.x >= x + pdf_writer.CELL_PAD_X - 0.01, text
        assert text.x + drawn <= x + w - pdf_writer.CELL_PAD_X + 0.01, text
        assert y <= text.y - text.size * 0.25 and text.y + text.size <= y + h + 0.01, text
        by_box.setdefault(text.box, []).append(text.text)
    address_lines = next(lines for lines in by_box.values() if lines[0].startswith("城南镇"))
    assert len(address_lines) >= 2 and "".join(address_lines) == LONG_ADDRESS
    assert all(line[0] not in NO_LINE_START for line in address_lines)
    assert any(t.text == RARE_NAME for t in layout.texts)  # the name fits on one line
    grid_height = layout.grid[3]
    assert grid_height > sum(card_spec(MemberCategory.MIGRANT).heights)  # rows grew for the long texts


def test_cards_pdf_reads_back_with_embedded_fonts_and_no_id_numbers(sample_store, village_id, tmp_path):
    cards = sample_cards(sample_store, village_id)
    cards[1] = awkward_card(cards)
    path = tmp_path / "cards.pdf"
    warnings = write_pdf(cards_report(cards, UNIT, DAY), path)
    assert len(warnings) == 1 and "䶮（U+4DAE）" in warnings[0] and "「姓名」" in warnings[0]
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert len(cards) / 2 <= pages < len(cards)  # mostly two to a page
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert ID_NUMBER_RE.search(text) is None
    for card in cards[2:]:
        assert card.name in text
    assert "堃" in text and "党员分类信息卡" in text and "一寸照片" in text and "填卡日期：2026年11月23日" in text
    assert f"第 {pages} 页，共 {pages} 页" in reader.pages[-1].extract_text()
    for page in reader.pages[:3]:
        for font in page["/Resources"]["/Font"].values():
            assert "/FontFile2" in font.get_object()["/FontDescriptor"].get_object()
    assert len(reader.pages[0].images) == 1  # the photo of the second card
    # The long address is drawn inside the address box (rendered positions, not only the layout).
    width = A4[0] - 2 * pdf_writer.MARGIN
    widths = card_spec(MemberCategory.MIGRANT).widths
    left = pdf_writer.MARGIN + width * widths[0] / sum(widths)
    right = pdf_writer.MARGIN + width
    # A line mixing two font subsets comes in pieces, each reported at the line's start.
    lines: dict[tuple[float, float], str] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            key = (round(cm[4] + tm[4], 2), round(cm[5] + tm[5], 2))
            lines[key] = lines.get(key, "") + text.strip()

    reader.pages[0].extract_text(visitor_text=visit)
    start = left + pdf_writer.CELL_PAD_X
    drawn = [(text, x) for (x, y), text in lines.items()
             if abs(x - start) < 0.5 and len(text) >= 2 and text in LONG_ADDRESS]
    assert "".join(t for t, _ in drawn) == LONG_ADDRESS
    for line, x in drawn:
        assert left + pdf_writer.CELL_PAD_X - 0.01 <= x
        assert x + stringWidth(line, fonts.body_font(), pdf_writer.BODY_SIZE) <= right - pdf_writer.CELL_PAD_X + 0.01


def test_a_card_falls_back_to_the_bundled_font_for_a_name_the_preferred_font_lacks(tmp_path):
    vera = fonts.FontFace("PB-Test-Vera", VERA, 0, "Vera")
    fonts.use_fonts(fonts.FontSet(body=vera, heading=vera, fallback=fonts.bundled_face()))
    spec = FormSpec("Card", (8, 8), (20,), (FormCell("label", 0, 0, "Name"), FormCell("value", 0, 1, key="name")))
    path = tmp_path / "fallback.pdf"
    warnings = write_pdf(Report("f", [FormSet("Cards", [Form(spec, {"name": "张三"}, name="Zhang")])]), path)
    assert len(warnings) == 1 and "「Name」" in warnings[0] and "文泉驿微米黑" in warnings[0]
    page = PdfReader(path).pages[0]
    assert "张三" in page.extract_text()
    names = {f.get_object()["/BaseFont"].split("+")[1] for f in page["/Resources"]["/Font"].values()}
    assert names == {"BitstreamVeraSans-Roman", "WenQuanYiMicroHei-0"}


def test_cards_xlsx_one_sheet_page_breaks_like_the_pdf_and_no_id_numbers(sample_store, village_id, tmp_path):
    cards = sample_cards(sample_store, village_id)
    cards[1] = awkward_card(cards)
    report = cards_report(cards, UNIT, DAY)
    xlsx, pdf = tmp_path / "cards.xlsx", tmp_path / "cards.pdf"
    write_xlsx(report, xlsx)
    write_pdf(report, pdf)
    workbook = CalamineWorkbook.from_path(str(xlsx))
    assert workbook.sheet_names == ["党员分类信息卡"]
    rows = workbook.get_sheet_by_name("党员分类信息卡").to_python()
    values = [str(v) for row in rows for v in row if v not in ("", None)]
    assert not any(ID_NUMBER_RE.search(v) for v in values)
    assert values.count("党员分类信息卡") == len(cards)
    assert {c.name for c in cards} <= set(values)
    assert LONG_ADDRESS in values and "一寸照片" in values

    sheet = openpyxl.load_workbook(xlsx).active
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "portrait"
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage  # else Excel ignores the manual breaks
    assert int(sheet.page_setup.scale) == xlsx_writer.form_print_scale(report.tables[0])
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert len(sheet.row_breaks.brk) + 1 == len(PdfReader(pdf).pages)
    assert len(sheet._images) == 1
    # Every card's rows fit on its printed page, the break rows fall between cards.
    printable = xlsx_writer.printable_points("A4", "portrait")[1] * 100 / int(sheet.page_setup.scale)
    breaks = [0] + [b.id for b in sheet.row_breaks.brk] + [sheet.max_row]
    for top, bottom in zip(breaks, breaks[1:]):
        height = sum(sheet.row_dimensions[r].height or 15 for r in range(top + 1, bottom + 1))
        assert height <= printable
        assert sheet.cell(row=top + 1, column=1).value == "党员分类信息卡"
    # The long address's row is tall enough for the lines Excel wraps it into.
    address_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == LONG_ADDRESS)
    widths = card_spec(MemberCategory.MIGRANT).widths
    lines = xlsx_writer._wrapped_line_count(LONG_ADDRESS, sum(widths[1:]))
    assert lines >= 2
    assert sheet.row_dimensions[address_row].height >= lines * xlsx_writer.LINE_HEIGHT
    assert sheet.cell(row=address_row, column=2).alignment.wrap_text


def test_a_card_too_tall_for_a_page_is_shrunk_to_fit(tmp_path):
    spec = FormSpec("Tall", (8, 30), (20,), (FormCell("label", 0, 0, "说明"), FormCell("value", 0, 1, key="t")))
    form = Form(spec, {"t": "很长的说明。" * 900})
    path = tmp_path / "tall.pdf"
    write_pdf(Report("t", [FormSet("Cards", [form, form])]), path)
    assert len(PdfReader(path).pages) == 2


# ---------------------------------------------------------------------------------------- the book


def book_footer_hours(text):
    return float(re.search(r"本年度学时合计：([\d.]+)学时", text).group(1))


def test_record_book_pdf_one_member_per_section_with_the_hours_total(sample_store, village_id, tmp_path):
    with sample_store.session() as session:
        books = record_books(session, village_id, 2026)[:6]
    path = tmp_path / "book.pdf"
    write_pdf(record_book_report(books, UNIT, "纪实本"), path)
    pages = [page.extract_text() for page in PdfReader(path).pages]
    starts = [i for i, text in enumerate(pages) if "党员分类管理纪实本（2026年度）" in text]
    assert len(starts) == len(books)
    with db(sample_store) as conn:
        for book, start in zip(books, starts):
            text = pages[start]
            assert f"姓名：{book.name}" in text and "第 1 页" in text
            assert f"党员类别：{book.category.label}" in text
            hours = conn.execute(
                "SELECT coalesce(sum(hours), 0) FROM record_entry WHERE member_id = ? AND entry_type IN (?, ?) "
                "AND date BETWEEN '2026-01-01' AND '2026-12-31'", (book.member_id, *sorted(STUDY_ENTRY_TYPES))
            ).fetchone()[0]
            section = "".join(pages[start: (starts + [len(pages)])[starts.index(start) + 1]])
            assert book_footer_hours(section) == pytest.approx(hours)
            assert f"年度要求：{book.required_hours:g}学时" in section
            assert ("已达到要求" in section.replace("\n", "")) == (hours >= book.required_hours)  # may wrap


def test_record_book_xlsx_sheet_per_member_hours_column_adds_up(sample_store, village_id, tmp_path):
    with sample_store.session() as session:
        books = record_books(session, village_id, 2026)[:5]
    path = tmp_path / "book.xlsx"
    write_xlsx(record_book_report(books, UNIT, "纪实本"), path)
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == [b.name for b in books]
    study_labels = {t.label for t in STUDY_ENTRY_TYPES}
    for book in books:
        rows = workbook.get_sheet_by_name(book.name).to_python()
        assert rows[1][0].startswith(f"姓名：{book.name}")
        header = rows.index(["序号", "日期", "类型", "内容", "学时"])
        entries = [r for r in rows[header + 1:] if isinstance(r[0], (int, float)) and r[0] != ""]
        assert len(entries) == len(book.entries)
        study = sum(r[4] for r in entries if r[2] in study_labels and r[4] != "")
        footer = next(r[0] for r in rows if str(r[0]).startswith("本年度学时合计"))
        assert book_footer_hours(footer) == pytest.approx(study) == pytest.approx(book.study_hours)
    sheet = openpyxl.load_workbook(path)[books[0].name]
    assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows


def test_a_member_without_entries_gets_an_empty_book():
    from partybuild_desktop.services.member_records import RecordBook

    book = RecordBook(1, "李四", "第1党小组", MemberCategory.ELDERLY, False, 2026, ())
    table = record_book_report([book], UNIT, "x").tables[0]
    assert table.value_rows()[0][3] == "本年度暂无纪实记录"
    assert "本年度学时合计：0学时" in table.spec.notes[0] and "尚差32学时" in table.spec.notes[0]


# ---------------------------------------------------------------------------------------- the contact table


def test_contact_table_household_counts_equal_the_database(sample_store, village_id, tmp_path):
    with sample_store.session() as session:
        rows = contact_rows(session, village_id)
    xlsx, pdf = tmp_path / "contact.xlsx", tmp_path / "contact.pdf"
    report = contact_table_report(rows, UNIT, DAY)
    write_xlsx(report, xlsx)
    write_pdf(report, pdf)
    with db(sample_store) as conn:
        counts = dict(conn.execute("SELECT liaison_member_id, count(*) FROM household GROUP BY liaison_member_id"))
        names = dict(conn.execute("SELECT id, name FROM member"))
        hubs = dict(conn.execute("SELECT m.id, h.name FROM member m LEFT JOIN member h ON h.id = m.hub_id"))
    table = sheet_rows(xlsx, "党员联系表")
    header = next(i for i, r in enumerate(table) if r[0] == "序号")
    body = [r for r in table[header + 2:] if isinstance(r[0], float)]
    assert len(body) == len(rows)
    for line, row in zip(body, rows):
        assert line[2] == names[row.member_id]
        assert line[7] == counts.get(row.member_id, 0)
        assert len(re.split("[、；]", line[8])) == line[7]
        assert line[6] == ("本人为中心户" if row.is_hub_household else hubs[row.member_id] or "")
    totals = next(r for r in table if r[0] == "合计")
    assert totals[7] == sum(counts.get(r.member_id, 0) for r in rows)
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    reader = PdfReader(pdf)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    text = "".join(p.extract_text() for p in reader.pages)
    assert "党员联系表" in text and "本人为中心户" in text and rows[-1].name in text


def test_table_subtitle_is_written_by_both_writers(tmp_path):
    spec = TableSpec(title="表", subtitle="姓名：张三", columns=(Column("A", "a"),))
    report = Report("s", [Table(spec, [("x",)])])
    write_xlsx(report, tmp_path / "s.xlsx")
    write_pdf(report, tmp_path / "s.pdf")
    rows = sheet_rows(tmp_path / "s.xlsx", "表")
    assert rows[:3] == [["表"], ["姓名：张三"], ["A"]]
    assert "姓名：张三" in PdfReader(tmp_path / "s.pdf").pages[0].extract_text()
