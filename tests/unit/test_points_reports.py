"""The printed board (public A3 PDF) and the detail workbook, read back."""

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from partybuild_desktop.services import exports, points
from partybuild_desktop.services.village import current_village
from partybuild_desktop.store.models import Grid, Member

TODAY = dt.date(2026, 11, 23)
ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{6}\*{8}\d{3}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}|1[3-9]\d\*{4}\d{4}")


def photo_bytes(colour) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 400), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def village(sample_store):
    with sample_store.session() as session:
        village = current_village(session)
        board = points.board(session, village.id, 2026, as_of=TODAY)
        # Photos for the first two, and one member pushed under the warning line.
        for standing, colour in zip(board.members[:2], ("red", "blue")):
            session.get(Member, standing.member_id).photo = photo_bytes(colour)
        last = board.members[-1].member_id
        for _ in range(2):
            points.add_award(session, village.id, item_code="discipline", date=dt.date(2026, 11, 1),
                             reason="受到党纪处分", entered_by="文书", member_id=last, today=TODAY)
    return sample_store, village


def export(store, village, path):
    return exports.export(store, village.id, "points-board", path, exports.ExportOptions(year=2026, today=TODAY))


def test_the_public_board_is_a3_landscape_with_the_top_members_and_grids(village, tmp_path):
    from pypdf import PdfReader

    store, info = village
    result = export(store, info, tmp_path / "先锋榜.pdf")
    assert result.warnings == []
    reader = PdfReader(str(result.path))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (1191, 842)  # A3 landscape, in points
    text = page.extract_text()
    with store.session() as session:
        board = points.board(session, info.id, 2026, as_of=TODAY)
    assert "东湖村2026年度党建先锋榜" in text and "党员先锋" in text.replace(" ", "")
    # The ten best (ties included) as far as the sheet holds them; the tied ones left off are counted.
    from partybuild_desktop.reports.points_board import MAX_MEMBER_COLUMNS

    top = [m for m in board.members if m.rank <= 10]
    shown, left_off = top[:2 * MAX_MEMBER_COLUMNS], top[2 * MAX_MEMBER_COLUMNS:]
    for member in shown:
        assert member.name in text
    if left_off:
        assert f"另有 {len(left_off)} 名党员与第 {shown[-1].rank} 名积分相同" in text
    assert board.members[len(top)].name not in text or board.members[len(top)].name in {m.name for m in top}
    for unit in board.units:
        assert unit.name in text
    # The two photos are on the page; the other cards have the drawn placeholder.
    images = page["/Resources"]["/XObject"]
    assert len([k for k in images if images[k]["/Subtype"] == "/Image"]) == 2
    fonts = {page["/Resources"]["/Font"][name]["/BaseFont"] for name in page["/Resources"]["/Font"]}
    assert all("+" in font for font in fonts)  # subset, embedded


def test_the_public_board_has_no_id_number_and_no_phone(village, tmp_path):
    from pypdf import PdfReader

    store, info = village
    path = export(store, info, tmp_path / "先锋榜.pdf").path
    text = PdfReader(str(path)).pages[0].extract_text()
    compact = re.sub(r"\s", "", text)
    assert not ID_NUMBER.search(compact) and not MOBILE.search(compact)
    with store.session() as session:
        private = session.execute(select(Member.id_number, Member.mobile).where(Member.village_id == info.id)).all()
    for id_number, mobile in private:
        assert id_number not in compact and (not mobile or mobile not in compact)
    raw = path.read_bytes()
    assert all(id_number.encode() not in raw for id_number, _ in private)


def test_a_photo_that_cannot_be_read_gets_the_placeholder_and_a_warning(village, tmp_path):
    store, info = village
    with store.session() as session:
        first = points.board(session, info.id, 2026, as_of=TODAY).members[0]
        session.get(Member, first.member_id).photo = b"not a picture"
    result = export(store, info, tmp_path / "先锋榜.pdf")
    assert result.warnings == [f"“{first.name}”的照片无法读取，先锋榜上用了占位图，请重新导入照片。"]


def test_the_detail_workbook_reads_back_with_every_member_and_category(village, tmp_path):
    from python_calamine import CalamineWorkbook

    store, info = village
    path = export(store, info, tmp_path / "积分明细.xlsx").path
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["党员积分", "网格积分", "积分办法"]
    rows = book.get_sheet_by_name("党员积分").to_python()
    with store.session() as session:
        board = points.board(session, info.id, 2026, as_of=TODAY)
    assert rows[0][0] == "东湖村2026年度党员积分明细表"
    header_at = next(i for i, r in enumerate(rows) if r[0] == "名次")
    categories = [c.name for c in board.rules.categories]
    assert rows[header_at + 1][4:4 + len(categories)] == categories
    data = [r for r in rows[header_at + 2:] if isinstance(r[0], (int, float)) and r[1]]
    assert len(data) == len(board.members)
    for row, standing in zip(data, board.members):
        assert (int(row[0]), row[1], row[2], row[-2]) == (standing.rank, standing.name, standing.unit_name, standing.score)
        by_category = dict(zip([c.code for c in board.rules.categories], row[4:4 + len(categories)]))
        assert by_category == {c.code: standing.by_category.get(c.code, 0) for c in board.rules.categories}
        assert row[-1] == ("低于预警线" if standing.below_warning else "")
        assert row[3] + sum(by_category.values()) == pytest.approx(row[-2])
    assert [r[1] for r in data if r[-1]] == [board.members[-1].name]
    units = book.get_sheet_by_name("网格积分").to_python()
    assert {r[1] for r in units if isinstance(r[0], (int, float))} == {u.name for u in board.units}
    rules_rows = book.get_sheet_by_name("积分办法").to_python()
    assert any(r[1] == "走访联系户（民情日记）" for r in rules_rows)
    flat = "".join(str(cell) for sheet in ("党员积分", "网格积分") for r in book.get_sheet_by_name(sheet).to_python() for cell in r)
    assert not ID_NUMBER.search(flat) and not MOBILE.search(flat)


def test_a_year_without_members_cannot_be_posted(store, tmp_path):
    from partybuild_desktop.domain.vocabulary import BranchType
    from partybuild_desktop.services.village import create_village

    with store.session() as session:
        empty = create_village(session, "城南镇", "空村", BranchType.BRANCH, "王书记")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(exports.ExportError, match="没有可以排名的党员"):
        export(store, empty, out / "x.pdf")
    assert not list(out.iterdir())


def test_long_grid_names_and_rare_characters_still_print(village, tmp_path):
    store, info = village
    with store.session() as session:
        first = points.board(session, info.id, 2026, as_of=TODAY).members[0]
        session.get(Grid, first.unit_id).name = "东湖片区沿河组团中心户联合网格（试点）"
        session.get(Member, first.member_id).name = "欧阳𬀩"
    result = export(store, info, tmp_path / "先锋榜.pdf")
    assert len(result.warnings) == 1 and "U+2C029" in result.warnings[0]
