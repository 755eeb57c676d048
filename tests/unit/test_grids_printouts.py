"""附件1–4, the liaison check, the notice board and the contact cards, read back from the files written:
xlsx with python-calamine, PDF with pypdf, against what the database holds (queried here directly)."""

import datetime as dt
import io
import re
from collections import Counter

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A3, A4, landscape
from sqlalchemy import func, select

from partybuild_desktop.domain.vocabulary import GridLevel, MemberCategory, ProxyKind
from partybuild_desktop.reports.spec import DrawnPages, Report
from partybuild_desktop.reports.xlsx_writer import write_xlsx
from partybuild_desktop.services import exports, proxy_services, visits
from partybuild_desktop.services.exports import ExportOptions
from partybuild_desktop.store.models import Grid, GridBranch, Household, Member, PartyGroup, Village

from tests.conftest import SAMPLE_TODAY
from tests.helpers import embedded_fonts, pdf_text, sheet_rows

ID_PATTERN = re.compile(r"\d{17}[\dXx]")
OPTIONS = ExportOptions(today=SAMPLE_TODAY)


def export(store, tmp_path, name, suffix, options=OPTIONS):
    path = tmp_path / f"{name}.{suffix}"
    result = exports.export(store, None, name, path, options)
    assert result.path == path and path.exists()
    return path


def body_rows(path, first_header: str = "序号"):
    """The data rows: after the last header row, up to the totals row."""
    rows = sheet_rows(path)
    start = next(i for i, r in enumerate(rows) if r[0] == first_header)
    while rows[start + 1][0] in ("", first_header):
        start += 1
    end = next(i for i, r in enumerate(rows) if r[0] == "合计")
    return rows[start + 1:end], rows[end]


def flat(text):
    return re.sub(r"\s+", "", text)


def village_id(session):
    return session.scalar(select(Member.village_id).limit(1))


def test_roster_of_members_reads_back_as_the_database_holds_it(sample_store, tmp_path):
    xlsx = export(sample_store, tmp_path, "roster-members", "xlsx")
    pdf = export(sample_store, tmp_path, "roster-members", "pdf")
    with sample_store.session() as session:
        v = village_id(session)
        active = session.execute(select(Member.id, Member.name, Member.mobile).where(
            Member.village_id == v, Member.archived.is_(False))).all()
        heads = {m.id: Counter(session.scalars(select(Household.head_name).where(Household.liaison_member_id == m.id)))
                 for m in active}
    rows, totals = body_rows(xlsx)
    with sample_store.session() as session:
        township = session.scalar(select(Village.township))
    assert sheet_rows(xlsx)[0][0] == f"{township}党组织网格化管理服务工作党员包挂联系花名册"
    assert [r[0] for r in rows] == list(range(1, len(active) + 1))
    expected = Counter((m.name, m.mobile, sum(heads[m.id].values())) for m in active)
    assert Counter((r[2], r[3], int(r[5])) for r in rows) == expected
    by_name_phone = {(m.name, m.mobile): heads[m.id] for m in active}
    for r in rows:
        listed = Counter(name for part in r[7].split("；") if part for name in part.split("：")[-1].split("、"))
        assert listed == by_name_phone[(r[2], r[3])]
    assert int(totals[5]) == sum(sum(c.values()) for c in heads.values())
    text = flat(pdf_text(pdf))
    for r in rows:
        assert flat(f"{r[2]}{r[3]}") in text
        assert flat(r[7]) in text  # each member's households, whole, in the PDF too
    assert "党员包挂联系花名册" in text and "填报单位：" in text and "（盖章）" in text
    assert all(embedded_fonts(pdf).values())


def test_roster_of_hubs_reads_back(sample_store, tmp_path):
    xlsx = export(sample_store, tmp_path, "roster-hubs", "xlsx")
    pdf = export(sample_store, tmp_path, "roster-hubs", "pdf")
    with sample_store.session() as session:
        v = village_id(session)
        hubs = session.execute(select(Member.id, Member.name, Member.mobile).where(
            Member.village_id == v, Member.archived.is_(False),
            Member.is_hub_household | Member.is_model_post)).all()
        attached = {h.id: sorted(session.scalars(select(Member.name).where(
            Member.hub_id == h.id, Member.archived.is_(False)))) for h in hubs}
    rows, totals = body_rows(xlsx)
    assert Counter((r[3], r[5]) for r in rows) == Counter((h.name, h.mobile) for h in hubs)
    named = {h.name: attached[h.id] for h in hubs}
    for r in rows:
        assert sorted(r[8].split("、")) == named[r[3]] and int(r[7]) == len(named[r[3]])
    assert int(totals[7]) == sum(len(a) for a in attached.values())
    text = flat(pdf_text(pdf))
    assert all(flat(r[8]) in text for r in rows)


def test_roster_of_committee_reads_back(sample_store, tmp_path):
    xlsx = export(sample_store, tmp_path, "roster-committee", "xlsx")
    pdf = export(sample_store, tmp_path, "roster-committee", "pdf")
    with sample_store.session() as session:
        v = village_id(session)
        branches = Counter(session.scalars(select(Member.name).join(
            GridBranch, GridBranch.committee_contact_id == Member.id).where(GridBranch.village_id == v)))
        groups = Counter(session.scalars(select(Member.name).join(
            PartyGroup, PartyGroup.branch_contact_id == Member.id).where(PartyGroup.village_id == v)))
        committee = set(session.scalars(select(Member.name).where(Member.village_id == v, Member.is_committee_member)))
    rows, totals = body_rows(xlsx)
    assert {r[1] for r in rows} >= committee
    assert {r[1]: int(r[4]) for r in rows if r[4]} == dict(branches)
    assert {r[1]: int(r[6]) for r in rows if r[6]} == dict(groups)
    assert int(totals[4]) == sum(branches.values()) and int(totals[6]) == sum(groups.values())
    text = flat(pdf_text(pdf))
    assert all(flat(f"{r[1]}{r[2]}{r[3]}") in text for r in rows)


def test_statistics_table_counts_what_the_database_holds(sample_store, tmp_path):
    with sample_store.session() as session:
        v = village_id(session)
        member_id = session.scalar(select(Member.id).where(Member.village_id == v))
        household_ids = list(session.scalars(select(Household.id).where(Household.village_id == v).limit(3)))
        for h in household_ids:
            form = visits.VisitForm(SAMPLE_TODAY, member_id, h, "了解生产生活")
            visits.add_visit(session, v, form, today=SAMPLE_TODAY)
        visits.add_visit(session, v, visits.VisitForm(dt.date(2025, 12, 31), member_id, household_ids[0], "去年"),
                         today=SAMPLE_TODAY)
        proxy_services.register_proxy(session, v, proxy_services.ProxyForm(
            kind=ProxyKind.PROMISED, household_id=household_ids[0], matter="办理医保",
            received_date=dt.date(2026, 10, 1), promised_date=dt.date(2026, 10, 8)), today=SAMPLE_TODAY)
        expected_grids = dict(session.execute(select(Grid.level, func.count()).where(Grid.village_id == v)
                                              .group_by(Grid.level)).all())
        categories = dict(session.execute(select(Member.category, func.count()).where(
            Member.village_id == v, Member.archived.is_(False)).group_by(Member.category)).all())
        household_count = session.scalar(select(func.count()).select_from(Household).where(Household.village_id == v))
    xlsx = export(sample_store, tmp_path, "stats", "xlsx", ExportOptions(today=SAMPLE_TODAY, year=2026))
    rows = sheet_rows(xlsx)
    with sample_store.session() as session:
        township = session.scalar(select(Village.township))
    assert rows[0][0] == f"{township}基层党组织网格化管理服务工作情况统计表"
    assert rows[1][0] == "统计时段：2026年1月1日至2026年12月31日"
    headers = rows[4]
    line = dict(zip(headers, rows[5]))
    grids = [int(rows[5][i]) for i in range(1, 4)]
    assert grids == [expected_grids.get(level, 0) for level in GridLevel]
    members_at = headers.index("合计", 4)
    assert int(rows[5][members_at]) == sum(categories.values())
    assert [int(rows[5][members_at + 1 + i]) for i in range(4)] == [categories.get(c, 0) for c in MemberCategory]
    assert int(line["总户数"]) == household_count
    assert (int(line["走访次数"]), int(line["走访户数"])) == (3, 3)
    assert (int(line["受理"]), int(line["办结"]), int(line["超期"])) == (1, 0, 1)
    pdf = export(sample_store, tmp_path, "stats", "pdf", ExportOptions(today=SAMPLE_TODAY, year=2026))
    text = pdf_text(pdf)
    assert "统计时段：2026年1月1日至2026年12月31日" in text and "第 1 页，共 1 页" in text
    assert all(embedded_fonts(pdf).values())


def test_liaison_check_export_lists_every_problem(sample_store, tmp_path):
    from partybuild_desktop.services.liaison import check_liaison

    with sample_store.session() as session:
        check = check_liaison(session, village_id(session))
    xlsx = export(sample_store, tmp_path, "liaison-check", "xlsx")
    rows = sheet_rows(xlsx)
    start = next(i for i, r in enumerate(rows) if r[0] == "序号") + 1
    listed = [r for r in rows[start:] if isinstance(r[0], float)]
    assert [(r[2], r[6]) for r in listed] == [(p.subject, p.issue) for p in check.problems]
    assert any(f"发现{len(check.problems)}项不在规定范围内" in str(r[0]) for r in rows)
    text = flat(pdf_text(export(sample_store, tmp_path, "liaison-check", "pdf")))
    assert all(flat(p.advice) in text for p in check.problems)


def give_photos(store):
    """A photo for the first grid leader who is a member, so the boards draw one."""
    picture = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 30, 30)).save(picture, format="JPEG")
    with store.session() as session:
        member = session.scalar(select(Member).where(Member.is_committee_member).order_by(Member.id))
        member.photo = picture.getvalue()
        return member.name


def public_text_has_no_id_numbers(store, path):
    text = pdf_text(path)
    with store.session() as session:
        numbers = [n for n in session.scalars(select(Member.id_number)) if n]
    assert numbers and ID_PATTERN.fullmatch(numbers[0])  # the scan would see one
    assert re.search(r"1[3-9]\d{9}", text)  # the text is readable: phone numbers are there
    squeezed = flat(text)
    assert not ID_PATTERN.search(squeezed)
    assert not [n for n in numbers if n in squeezed or n[-6:] + n[:6] in squeezed]
    return text


def test_notice_board_one_a3_page_per_grid_with_names_phones_duties_and_no_id_numbers(sample_store, tmp_path):
    with_photo = give_photos(sample_store)
    path = export(sample_store, tmp_path, "notice-board", "pdf")
    with sample_store.session() as session:
        grid_names = list(session.scalars(select(Grid.name).where(Grid.village_id == village_id(session))))
    reader = PdfReader(path)
    assert len(reader.pages) == len(grid_names)
    a3 = [round(x) for x in landscape(A3)]
    assert all([round(float(x)) for x in page.mediabox[2:]] == a3 for page in reader.pages)
    text = public_text_has_no_id_numbers(sample_store, path)
    assert "第 1 页" not in text  # a public board carries no page numbers
    for name in grid_names:
        assert name in text
    assert "网格长" in text and "职责：" in text and with_photo in text
    images = sum(len(page["/Resources"].get("/XObject", {})) for page in reader.pages)
    assert images >= 1
    assert all(embedded_fonts(path).values())
    one = export(sample_store, tmp_path, "notice-board-a4", "pdf", ExportOptions(today=SAMPLE_TODAY, grid="第2网格"))
    pages = PdfReader(one).pages
    assert len(pages) == 1 and [round(float(x)) for x in pages[0].mediabox[2:]] == [round(x) for x in landscape(A4)]
    assert "第2网格" in pages[0].extract_text()


def test_contact_cards_eight_to_a_page_with_who_to_call_and_no_id_numbers(sample_store, tmp_path):
    path = export(sample_store, tmp_path, "contact-cards", "pdf", ExportOptions(today=SAMPLE_TODAY, grid="第1网格"))
    with sample_store.session() as session:
        v = village_id(session)
        top = session.scalar(select(Grid.id).where(Grid.village_id == v, Grid.name == "第1网格"))
        inside = {top} | set(session.scalars(select(Grid.id).where(Grid.parent_id == top)))
        heads = list(session.scalars(select(Household.head_name).where(Household.grid_id.in_(inside))))
        phones = set(session.scalars(select(Member.mobile).join(Household, Household.liaison_member_id == Member.id)
                                     .where(Household.grid_id.in_(inside))))
    reader = PdfReader(path)
    assert len(reader.pages) == -(-len(heads) // 8)
    text = public_text_has_no_id_numbers(sample_store, path)
    assert text.count("民情联系卡") == len(heads) and text.count("群众诉求") == len(heads)
    squeezed = flat(text)
    assert all(flat(head) in squeezed for head in heads)
    assert all(phone in squeezed for phone in phones)
    assert all(embedded_fonts(path).values())


def test_self_drawn_pages_are_pdf_only(tmp_path):
    pages = DrawnPages("公示牌", 1, lambda canvas, index, width, height: None)
    with pytest.raises(ValueError, match="只能导出为 PDF"):
        write_xlsx(Report("公示牌", [pages]), tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(exports.ExportError, match="只能导出为 .pdf"):
        exports.export(None, None, "notice-board", tmp_path / "x.xlsx")


def test_roster_sheet_prints_right_from_excel(sample_store, tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(export(sample_store, tmp_path, "roster-members", "xlsx")).active
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    last = next(r for r in range(header, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    for row in ws.iter_rows(min_row=header, max_row=last):
        for cell in row:
            if type(cell).__name__ == "MergedCell":
                continue  # openpyxl rebuilds a merged range's inner borders from its first cell on loading
            assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin", cell.coordinate
    phone = [c.value for c in ws[header]].index("联系电话") + 1
    assert all(ws.cell(r, phone).number_format == "@" for r in range(header + 2, last))
    assert ws.cell(header, 1).font.b and not ws.cell(header + 2, 2).font.b
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"  # A4
    assert ws.print_title_rows == f"${header}:${header + 1}" and ws.oddFooter.center.text == "第 &P 页，共 &N 页"
