import datetime as dt
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import reportlab
from pypdf import PdfReader
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth

from partybuild_desktop.reports import fonts, pdf_writer
from partybuild_desktop.reports.pdf_writer import NO_LINE_END, NO_LINE_START, break_lines, write_pdf
from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec
from tests.helpers import embedded_fonts, make_id

ID_NUMBER = make_id("19850612", "301")
LONG_ADDRESS = "青山镇红旗村第三村民小组（原红星大队）幸福路128号，靠近村委会东侧，“老供销社”旧址。"
SIGNATURE = "书记签字：__________　　（盖章）"
VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


@pytest.fixture(autouse=True)
def restore_fonts(monkeypatch):
    """Tests may switch fonts; put the detected ones back afterwards."""
    monkeypatch.setattr(fonts, "_active", fonts._active)


def roster_spec(**changes) -> TableSpec:
    fields = dict(
        title="党员包挂联系花名册",
        columns=[
            Column("序号", "no", 5, kind="number", align="center", total=False),
            Column("姓名", "name", 8),
            Column("公民身份证号", "id_number", 21, kind="id_number"),
            Column("家庭住址", "address", 14),
            Column("户数", "households", 6, kind="number", group="联系农户"),
            Column("户主姓名", "heads", 16, group="联系农户"),
        ],
        orientation="landscape",
        unit="中共青山镇红旗村支部委员会",
        date=dt.date(2026, 11, 23),
        notes=["注：每名党员联系10—15户群众。"],
        signature=SIGNATURE,
        totals_label="合计",
    )
    fields.update(changes)
    return TableSpec(**fields)


def roster_rows(count=2):
    names = ["欧阳春花", "李四", "王小二", "买买提·艾力"]
    return [
        {"no": i + 1, "name": names[i % len(names)], "id_number": ID_NUMBER,
         "address": LONG_ADDRESS if i % 3 == 0 else "红旗村二组", "households": 10 + i % 5,
         "heads": "刘一、陈二、孙三、周四、吴五"}
        for i in range(count)
    ]


def page_lines(page):
    """(text, x, font size) of each line of text drawn on the page."""
    lines = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            lines.append((text.strip("\n"), cm[4] + tm[4], size))

    page.extract_text(visitor_text=visit)
    return lines


def test_text_reads_back_and_every_font_is_an_embedded_subset(tmp_path):
    path = tmp_path / "roster.pdf"
    warnings = write_pdf(Report("花名册", [Table(roster_spec(), roster_rows())]), path)
    assert warnings == []
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ["党员包挂联系花名册", "填报单位：中共青山镇红旗村支部委员会", "填报日期：2026年11月23日",
                     "欧阳春花", ID_NUMBER, "联系农户", "户主姓名", "合计", "注：每名党员联系10—15户群众。",
                     "第 1 页，共 1 页"]:
        assert expected in text
    assert "书记签字：__________　　（盖章）" in text  # the two ideographic spaces survive
    used = embedded_fonts(reader.pages[0])
    assert used and all(used.values()), used
    assert all(name[7] == "+" for name in used), used  # "ABCDEF+Name": a subset


def test_long_address_wraps_inside_its_cell(tmp_path):
    spec = roster_spec()
    path = tmp_path / "wrap.pdf"
    write_pdf(Report("wrap", [Table(spec, roster_rows(1))]), path)
    page = PdfReader(path).pages[0]
    # Where the address column is: the frame is split in proportion to the spec widths.
    frame_width = landscape(A4)[0] - 2 * pdf_writer.MARGIN
    widths = [c.width for c in spec.columns]
    left = pdf_writer.MARGIN + frame_width * sum(widths[:3]) / sum(widths)
    right = left + frame_width * widths[3] / sum(widths)
    address_lines = [(text, x) for text, x, size in page_lines(page)
                     if text and text in LONG_ADDRESS and size == pdf_writer.BODY_SIZE and len(text) > 1]
    assert len(address_lines) >= 3
    assert "".join(text for text, x in address_lines) == LONG_ADDRESS
    font = fonts.body_font()
    for text, x in address_lines:
        assert x >= left + pdf_writer.CELL_PAD_X - 0.01
        assert x + stringWidth(text, font, pdf_writer.BODY_SIZE) <= right - pdf_writer.CELL_PAD_X + 0.01, text
        assert text[0] not in NO_LINE_START and text[-1] not in NO_LINE_END


def test_break_lines_keeps_closing_marks_off_the_start_of_a_line():
    text = ("支部委员会研究决定：一、“三会一课”按时召开；二、党费按月缴纳，不得拖欠！"
            "三、流动党员（外出务工）每季度联系一次……请各党小组长、中心户认真落实。")
    font, size = fonts.body_font(), 10.5
    naive_breaks_badly = False
    for chars_per_line in range(3, 40):
        width = chars_per_line * size + 1
        lines = break_lines(text, font, size, width)
        assert "".join(lines) == text
        for line in lines:
            assert stringWidth(line, font, size) <= width
            assert line[0] not in NO_LINE_START, (chars_per_line, line)
            assert line[-1] not in NO_LINE_END, (chars_per_line, line)
        naive = [text[i:i + chars_per_line] for i in range(0, len(text), chars_per_line)]
        naive_breaks_badly |= any(line[0] in NO_LINE_START for line in naive)
    assert naive_breaks_badly  # the text does exercise the rule


def test_break_lines_keeps_numbers_and_words_whole_when_they_fit():
    font, size = fonts.body_font(), 10
    width = stringWidth("13812345678", font, size) + 1
    lines = break_lines("联系电话：13812345678 Zhang San", font, size, width)
    assert lines[1:] == ["13812345678", "Zhang San"]
    assert all(stringWidth(line, font, size) <= width for line in lines)
    # A number longer than the whole line is cut, not left sticking out.
    narrow = break_lines(ID_NUMBER, font, size, 40)
    assert "".join(narrow) == ID_NUMBER and all(stringWidth(p, font, size) <= 40 for p in narrow)
    assert break_lines("第一行\n第二行", font, size, 500) == ["第一行", "第二行"]


def random_text(rng: random.Random) -> str:
    """Chinese with single punctuation marks where they occur in real text, plus Latin words and numbers."""
    hanzi = "党员群众网格中心户联系支部委员会"
    pieces = []
    for _ in range(rng.randint(1, 40)):
        kind = rng.random()
        if kind < 0.15:
            pieces.append(rng.choice(hanzi) + rng.choice("，。、；：！？”）》…"))
        elif kind < 0.25:
            pieces.append(rng.choice("“（《") + rng.choice(hanzi))
        elif kind < 0.32:
            pieces.append(" " + rng.choice(["Li", "Zhang San", "128", "No.3,"]) + " ")
        else:
            pieces.append(rng.choice(hanzi))
    return "".join(pieces).strip()


def test_break_lines_holds_its_rules_on_random_text():
    rng = random.Random(7)
    font, size = fonts.body_font(), 10
    for _ in range(300):
        text = random_text(rng)
        width = rng.uniform(25, 200)
        lines = break_lines(text, font, size, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for i, line in enumerate(lines):
            assert stringWidth(line, font, size) <= width, (text, width, line)
            assert line == line.strip()
            assert i == 0 or line[0] not in NO_LINE_START, (text, width, lines)
            assert line[-1] not in NO_LINE_END, (text, width, lines)


def test_pages_are_numbered_per_table_and_headers_repeat(tmp_path):
    stats = TableSpec(title="网格化管理服务工作情况统计表", paper="A3",
                      columns=[Column("村名", "village"), Column("网格数", "grids", kind="number")])
    path = tmp_path / "two.pdf"
    write_pdf(Report("两表", [Table(roster_spec(), roster_rows(70)), Table(stats, [("红旗村", 5)])]), path)
    reader = PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    roster_pages = len(pages) - 1
    assert roster_pages >= 3
    for number, text in enumerate(pages[:roster_pages], start=1):
        assert f"第 {number} 页，共 {roster_pages} 页" in text
        assert "联系农户" in text and "户主姓名" in text  # both header rows on every page
    assert "第 1 页，共 1 页" in pages[-1] and "网格化管理服务工作情况统计表" in pages[-1]
    assert SIGNATURE in pages[roster_pages - 1] and SIGNATURE not in pages[0]
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [round(v) for v in landscape(A4)]
    assert [round(float(v)) for v in reader.pages[-1].mediabox[2:]] == [round(v) for v in A3]


def test_missing_glyphs_reads_the_font_cmap():
    bundled = fonts.fallback_font()
    assert fonts.missing_glyphs("张三\ue000", bundled) == {"\ue000"}
    assert fonts.missing_glyphs("第一行\n第二行\t", bundled) == set()  # control characters are not drawn


def use_vera_as_preferred_font():
    vera = fonts.FontFace("PB-Test-Vera", VERA, 0, "Vera")
    fonts.use_fonts(fonts.FontSet(body=vera, heading=vera, fallback=fonts.bundled_face()))
    return vera


def test_a_character_missing_in_the_preferred_font_falls_back_with_a_warning(tmp_path):
    vera = use_vera_as_preferred_font()
    assert fonts.missing_glyphs("张三", vera.name) == {"张", "三"}
    spec = TableSpec(title="Roster", columns=[Column("Name", "name"), Column("Note", "note")])
    path = tmp_path / "fallback.pdf"
    warnings = write_pdf(Report("f", [Table(spec, [("Zhang", "ok"), ("张三", "x\ue000")])]), path)
    assert len(warnings) == 2
    assert "第2行「Name」" in warnings[0] and "张（U+5F20）、三（U+4E09）" in warnings[0]
    assert "Vera中没有" in warnings[0] and "文泉驿微米黑" in warnings[0]
    assert "第2行「Note」" in warnings[1] and "U+E000" in warnings[1] and "都没有" in warnings[1]
    page = PdfReader(path).pages[0]
    assert "张三" in page.extract_text() and "第 1 页，共 1 页" in page.extract_text()
    used = embedded_fonts(page)
    assert all(used.values())
    assert {name.split("+")[1] for name in used} == {"BitstreamVeraSans-Roman", "WenQuanYiMicroHei-0"}


def test_system_fonts_are_preferred_and_unusable_ones_skipped(tmp_path):
    shutil.copy(VERA, tmp_path / "simhei.ttf")  # stands in for Windows' 黑体
    (tmp_path / "simsun.ttc").write_bytes(b"not a font")
    found = fonts.find_fonts(tmp_path)
    assert found.heading.label == "黑体" and found.heading.path == tmp_path / "simhei.ttf"
    assert found.body == found.fallback == fonts.bundled_face()


def test_bundled_font_is_found_in_a_pyinstaller_bundle(tmp_path, monkeypatch):
    assert fonts.bundled_font_path().is_file()
    (tmp_path / "resources" / "fonts").mkdir(parents=True)
    (tmp_path / "resources" / "fonts" / fonts.BUNDLED_FONT_FILE).write_bytes(b"")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.bundled_font_path() == tmp_path / "resources" / "fonts" / fonts.BUNDLED_FONT_FILE


def test_a_writer_failing_half_way_leaves_no_file(tmp_path, monkeypatch):
    def broken_save(canvas):
        canvas._filename.write(b"%PDF-1.4 half a document")
        raise OSError("U盘被拔出")

    monkeypatch.setattr(pdf_writer._NumberedCanvas, "save", broken_save)
    target = tmp_path / "out.pdf"
    with pytest.raises(OSError, match="U盘被拔出"):
        write_pdf(Report("x", [Table(roster_spec(), roster_rows(40))]), target)
    assert list(tmp_path.iterdir()) == []


def test_pdftotext_agrees(tmp_path):
    assert shutil.which("pdftotext"), "poppler-utils is installed by the test command (packaging/dev.sh test)"
    path = tmp_path / "roster.pdf"
    write_pdf(Report("花名册", [Table(roster_spec(), roster_rows())]), path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "党员包挂联系花名册" in text and "第 1 页，共 1 页" in text
