"""Money in whole 分: what a clerk types, how it prints, and a rate applied to a base."""

from decimal import Decimal

import pytest

from partybuild_desktop.domain.money import apply_rate, format_money, parse_money


@pytest.mark.parametrize("typed, fen", [
    ("15", 1500), ("15.5", 1550), ("15.00元", 1500), ("１５.００", 1500), ("１５．０５", 1505),
    (" 15.50 元 ", 1550), ("¥1,234.56", 123456), ("￥8", 800), ("人民币20元整", 2000), ("15。5", 1550),
    ("0.01", 1), (".5", 50), ("15.", 1500), ("15.500", 1550), ("0", 0),
    (15, 1500), (Decimal("15.05"), 1505), (15.55, 1555),
])
def test_parse_money_gives_whole_fen(typed, fen):
    assert parse_money(typed) == fen
    assert isinstance(parse_money(typed), int)


@pytest.mark.parametrize("typed, message", [
    ("", "请填写金额"), ("  元 ", "请填写金额"), ("十五元", "不是金额"), ("15.5.5", "不是金额"), ("1,23", "不是金额"),
    ("15.005", "小数超过两位"), (Decimal("0.001"), "小数超过两位"), ("-3", "负数"), (True, "不是金额"),
    (0.1 + 0.2, "小数超过两位"),
])
def test_parse_money_refuses_with_a_chinese_reason(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_money(typed)


def test_a_negative_amount_only_when_allowed():
    assert parse_money("-3.5", allow_negative=True) == -350
    assert parse_money("－３", allow_negative=True) == -300


@pytest.mark.parametrize("fen, text", [(1500, "15.00"), (1505, "15.05"), (1, "0.01"), (0, "0.00"),
                                       (-5, "-0.05"), (123456789, "1234567.89")])
def test_format_money(fen, text):
    assert format_money(fen) == text
    assert parse_money(text, allow_negative=True) == fen


@pytest.mark.parametrize("bad", [15.0, "15", None, True])
def test_format_money_takes_only_whole_fen(bad):
    with pytest.raises(TypeError):
        format_money(bad)


@pytest.mark.parametrize("base, rate, fen", [
    (333300, "0.005", 1667),  # 1666.5 分: the half goes up
    (333200, "0.005", 1666),
    (300000, Decimal("0.01"), 3000),
    (100, "0.015", 2),  # 1.5 分 → 2
    (100, "0.014", 1),
    (-100, "0.015", -2),  # a correction rounds away from zero, as its positive does
    (123456, 1, 123456),
])
def test_apply_rate_rounds_half_up_to_the_fen(base, rate, fen):
    assert apply_rate(base, rate) == fen


def test_apply_rate_refuses_floats_and_nonsense():
    with pytest.raises(TypeError):
        apply_rate(100, 0.005)
    with pytest.raises(TypeError):
        apply_rate(1.0, "0.005")
    with pytest.raises(ValueError, match="不是比例"):
        apply_rate(100, "百分之一")
    with pytest.raises(ValueError, match="不能小于 0"):
        apply_rate(100, "-0.01")
