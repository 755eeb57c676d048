"""The grid exports from the command line, as a clerk's script would run them."""

import pytest
from pypdf import PdfReader

from tests.helpers import cli, sheet_rows

GRID_EXPORTS = ("stats", "roster-committee", "roster-hubs", "roster-members", "liaison-check")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grids")
    made = cli("--data-dir", str(folder), "demo", "--members", "60", "--village", "石桥村", "--seed", "5")
    assert made.returncode == 0, made.stderr
    return folder


def test_the_list_names_every_grid_export(folder):
    listed = cli("--data-dir", str(folder), "export", "--list")
    assert listed.returncode == 0, listed.stderr
    names = {line.split("\t")[0] for line in listed.stdout.splitlines()}
    assert names >= {*GRID_EXPORTS, "notice-board", "notice-board-a4", "contact-cards"}


@pytest.mark.parametrize("name", GRID_EXPORTS)
def test_attachments_as_excel_and_pdf(folder, tmp_path, name):
    for suffix in ("xlsx", "pdf"):
        out = tmp_path / f"{name}.{suffix}"
        result = cli("--data-dir", str(folder), "export", name, "--out", str(out), "--year", "2026")
        assert result.returncode == 0, result.stderr
        assert f"已导出：{out}" in result.stdout
        if suffix == "xlsx":
            title = sheet_rows(out)[0][0]
        else:
            title = PdfReader(out).pages[0].extract_text()
        assert ("包挂联系" in title) or ("统计表" in title)


def test_notice_board_for_one_grid_and_contact_cards(folder, tmp_path):
    board = tmp_path / "公示牌.pdf"
    result = cli("--data-dir", str(folder), "export", "notice-board", "--grid", "第1网格", "--out", str(board))
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(board).pages) == 1 and "第1网格" in PdfReader(board).pages[0].extract_text()
    cards = tmp_path / "联系卡.pdf"
    result = cli("--data-dir", str(folder), "export", "contact-cards", "--out", str(cards))
    assert result.returncode == 0, result.stderr
    assert "民情联系卡" in PdfReader(cards).pages[0].extract_text()


def test_refusals_are_in_chinese_with_what_to_do(folder, tmp_path):
    unknown = cli("--data-dir", str(folder), "export", "notice-board", "--grid", "第99网格",
                  "--out", str(tmp_path / "x.pdf"))
    assert unknown.returncode == 2
    assert "本村没有名为“第99网格”的网格。现有网格：" in unknown.stderr
    wrong = cli("--data-dir", str(folder), "export", "contact-cards", "--out", str(tmp_path / "x.xlsx"))
    assert wrong.returncode == 2 and "只能导出为 .pdf 文件" in wrong.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.xlsx").exists()
