import pytest

from partybuild_desktop.domain.phone import (
    LANDLINE,
    MOBILE,
    PHONE_FORMAT,
    check_phone,
    is_valid_phone,
    mask_phone,
    split_phones,
)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        13812345678,
        13812345678.0,  # a number cell as calamine returns it
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "8613812345678",
        "１３８１２３４５６７８",
    ],
)
def test_mobiles(raw):
    result = check_phone(raw)
    assert result.ok
    assert result.number == "13812345678"
    assert result.kind == MOBILE


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0512-68123456", "0512-68123456"),
        ("051268123456", "0512-68123456"),
        ("0512 6812345", "0512-6812345"),
        ("(0512)6812345", "0512-6812345"),
        ("（0512）68123456", "0512-68123456"),
        ("010-68123456", "010-68123456"),
        ("01068123456", "010-68123456"),
        ("02168123456", "021-68123456"),
        ("0512-68123456-801", "0512-68123456-801"),
        ("0512-68123456转801", "0512-68123456-801"),
    ],
)
def test_landlines(raw, expected):
    result = check_phone(raw)
    assert result.ok
    assert result.number == expected
    assert result.kind == LANDLINE


@pytest.mark.parametrize(
    "raw, hint",
    [
        ("1381234567", "11 位"),  # one digit short
        ("12812345678", "11 位"),  # no mobile starts with 12
        ("68123456", "区号"),  # landline without area code
        ("051-6812345", "区号-号码"),  # no such three-digit area code
        ("0512-0812345", "区号-号码"),  # local numbers do not start with 0
        ("不详", "区号-号码"),
    ],
)
def test_invalid_numbers_have_a_chinese_message(raw, hint):
    result = check_phone(raw)
    assert result.code == PHONE_FORMAT
    assert result.number is None
    assert raw in result.message
    assert hint in result.message
    assert not is_valid_phone(raw)


def test_blank_is_not_a_problem():
    result = check_phone("  ")
    assert result.ok and result.number is None
    assert not is_valid_phone(None)


def test_split_phones():
    assert split_phones("13812345678/0512-68123456") == ["13812345678", "0512-68123456"]
    assert split_phones("13812345678、13912345678") == ["13812345678", "13912345678"]
    assert split_phones(13812345678.0) == ["13812345678"]


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0512-68123456") == "0512-****3456"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""
