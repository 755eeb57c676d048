import datetime as dt

import pytest

from partybuild_desktop.domain.text import cell_text, clean_cell, clean_name, is_plausible_name


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("张　三", "张三"),  # full-width padding between the two characters
        ("张  三", "张三"),
        (" 张三 ", "张三"),
        ("\u00a0李四\u00a0", "李四"),
        ("王\u200b五", "王五"),
        ("艾力·买买提", "艾力·买买提"),
        ("艾力.买买提", "艾力·买买提"),
        ("艾力・买买提", "艾力·买买提"),
        ("艾力 · 买买提", "艾力·买买提"),
        ("艾力··买买提", "艾力·买买提"),
        ("ＴＯＭ　ＬＥＥ", "TOM LEE"),
        (None, ""),
    ],
)
def test_clean_name(raw, expected):
    assert clean_name(raw) == expected


def test_plausible_names():
    assert is_plausible_name("张三")
    assert is_plausible_name("艾力·买买提")
    assert not is_plausible_name("张三1")
    assert not is_plausible_name("")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  南京路\u3000 8 号 ", "南京路 8 号"),
        ("a\nb", "a b"),
        (None, ""),
        (13812345678.0, "13812345678"),
        (1965.03, "1965.03"),
        (3.20482196503121e17, "320482196503121000"),  # what Excel shows for the cell
        (dt.date(1965, 3, 12), "1965-03-12"),
        (dt.datetime(1965, 3, 12), "1965-03-12"),
        (True, "是"),
    ],
)
def test_clean_cell(raw, expected):
    assert clean_cell(raw) == expected


def test_clean_cell_can_keep_line_breaks():
    assert clean_cell(" 第一行 \r\n  第二行\n", keep_newlines=True) == "第一行\n第二行"


def test_cell_text_keeps_the_inside():
    assert cell_text("张　三") == "张　三"
