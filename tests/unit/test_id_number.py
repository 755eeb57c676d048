import datetime as dt
import random

import pytest
from stdnum.cn import ric

from partybuild_desktop.domain import id_number
from partybuild_desktop.domain.id_number import (
    CHECKSUM,
    FORMAT,
    MANGLED_BY_EXCEL,
    MISSING,
    birth_date,
    check,
    check_char,
    is_male,
    is_valid,
    mask,
    normalise,
    upgrade_15_to_18,
)
from tests.helpers import make_id

TODAY = dt.date(2026, 11, 23)
# The worked example of GB 11643-1999.
STANDARD_EXAMPLE = "11010519491231002X"


def test_standard_example_is_valid():
    assert is_valid(STANDARD_EXAMPLE)
    assert birth_date(STANDARD_EXAMPLE) == dt.date(1949, 12, 31)
    assert not is_male(STANDARD_EXAMPLE)


def test_check_char_agrees_with_python_stdnum():
    rng = random.Random(11643)
    for _ in range(500):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert check_char(first17) == ric.calc_check_digit(first17 + "0")


def test_mask_keeps_region_and_last_four():
    assert mask("320482196503121234") == "320482********1234"
    assert mask("") == ""
    assert mask(None) == ""


@pytest.mark.parametrize(
    "raw, expected",
    [
        (" 11010519491231002x ", STANDARD_EXAMPLE),
        ("１１０１０５１９４９１２３１００２ｘ", STANDARD_EXAMPLE),
        ("110105\u30001949 1231\u00a0002X", STANDARD_EXAMPLE),
        ("'11010519491231002X", STANDARD_EXAMPLE),
        (None, ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_upgrade_15_to_18():
    assert upgrade_15_to_18("110105491231002") == STANDARD_EXAMPLE
    with pytest.raises(ValueError):
        upgrade_15_to_18("12345")


@pytest.mark.parametrize("raw", [STANDARD_EXAMPLE, "11010519491231002x", " 11010519491231002Ｘ"])
def test_check_accepts_valid_numbers(raw):
    result = check(raw, today=TODAY)
    assert result.ok
    assert result.number == STANDARD_EXAMPLE
    assert result.note == ""


def test_check_accepts_an_exact_int():
    number = next(n for n in (make_id(serial=i) for i in range(100, 120)) if n[-1] != "X")
    result = check(int(number), today=TODAY)
    assert result.ok and result.number == number


def test_check_upgrades_15_digits_with_a_note():
    result = check("110105491231002", today=TODAY)
    assert result.ok
    assert result.number == STANDARD_EXAMPLE
    assert "15 位" in result.note and STANDARD_EXAMPLE in result.note


@pytest.mark.parametrize(
    "raw",
    [
        320482196503121000,  # an int whose last digits Excel turned to zeros
        3.20482196503121e17,  # the float that a number cell holds
        float(make_id()[:17] + "0"),  # even when the digits look complete
        "3.20482E+17",  # the text Excel shows for such a cell
        "3.20482196503121e+17",
    ],
)
def test_check_recognises_numbers_mangled_by_excel(raw):
    result = check(raw, today=TODAY)
    assert result.code == MANGLED_BY_EXCEL
    assert result.number is None
    assert "文本格式" in result.message and "18 位" in result.message


def test_check_reports_a_wrong_check_digit():
    good = make_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    result = check(wrong, today=TODAY)
    assert result.code == CHECKSUM
    assert good[17] in result.message
    assert wrong in result.message


def test_checksum_message_hints_at_excel_for_trailing_zeros():
    result = check("320482196503121000", today=TODAY)
    assert result.code == CHECKSUM
    assert "Excel" in result.message


@pytest.mark.parametrize(
    "raw",
    [
        "32048219650312123",  # 17 characters
        "3204821965031212345",  # 19
        "32048219650312A234",  # a letter inside
        make_id(birth="19651332"),  # no 32nd of the 13th month
        make_id(birth="20990101"),  # born in the future
        "320482651332123",  # 15 digits with an impossible date
        "张三",
    ],
)
def test_check_reports_format_problems(raw):
    result = check(raw, today=TODAY)
    assert result.code == FORMAT
    assert result.number is None
    assert result.message


def test_check_of_blank_is_missing():
    assert check("  ", today=TODAY).code == MISSING
    assert check(None, today=TODAY).code == MISSING


def test_module_keeps_its_original_helpers():
    for name in ("is_valid", "birth_date", "is_male", "mask", "check_char"):
        assert callable(getattr(id_number, name))
