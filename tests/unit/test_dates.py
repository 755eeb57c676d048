import datetime as dt

import pytest

from partybuild_desktop.domain.dates import (
    DATE_IN_FUTURE,
    DATE_UNPARSEABLE,
    DAY,
    MONTH,
    format_cn,
    format_dotted,
    format_iso,
    parse_date,
)

TODAY = dt.date(2026, 11, 23)
DAY_1965 = dt.date(1965, 3, 12)
MONTH_1965 = dt.date(1965, 3, 1)


@pytest.mark.parametrize(
    "raw, expected, precision",
    [
        (DAY_1965, DAY_1965, DAY),
        (dt.datetime(1965, 3, 12, 8, 30), DAY_1965, DAY),
        (23813, DAY_1965, DAY),  # Excel serial
        (23813.0, DAY_1965, DAY),
        (23813.75, DAY_1965, DAY),  # serial with a time of day
        ("1965.03", MONTH_1965, MONTH),
        ("1965.3", MONTH_1965, MONTH),
        ("1965-03-12", DAY_1965, DAY),
        ("1965-3-12", DAY_1965, DAY),
        ("1965年3月", MONTH_1965, MONTH),
        ("1965年3月12日", DAY_1965, DAY),
        ("1965年03月12号", DAY_1965, DAY),
        ("1965 年 3 月", MONTH_1965, MONTH),
        ("19650312", DAY_1965, DAY),
        ("196503", MONTH_1965, MONTH),
        ("1965/3/12", DAY_1965, DAY),
        ("1965/03", MONTH_1965, MONTH),
        ("1965.03.12", DAY_1965, DAY),
        ("1965-03-12 00:00:00", DAY_1965, DAY),
        ("１９６５．３", MONTH_1965, MONTH),
        (19650312, DAY_1965, DAY),  # typed as a number
        (196503, MONTH_1965, MONTH),
        (1965.03, MONTH_1965, MONTH),  # 1965.03 typed into a number cell
        (1965.12, dt.date(1965, 12, 1), MONTH),
    ],
)
def test_accepted_forms(raw, expected, precision):
    result = parse_date(raw, today=TODAY)
    assert result.ok, result.message
    assert result.value == expected
    assert result.precision == precision


def test_text_one_point_one_is_january_but_the_number_is_october():
    assert parse_date("1965.1", today=TODAY).value == dt.date(1965, 1, 1)
    number = parse_date(1965.1, today=TODAY)
    assert number.value == dt.date(1965, 10, 1)
    assert "10月" in number.note


@pytest.mark.parametrize("raw", ["abc", "1965.13", "1965-02-30", "1965", 1965, "65.3", True, "1965.3.12.1", "1890-01-01"])
def test_unparseable(raw):
    result = parse_date(raw, today=TODAY)
    assert result.code == DATE_UNPARSEABLE
    assert result.value is None
    assert "日期" in result.message or "年份" in result.message


def test_bare_year_asks_for_the_month():
    assert "月份" in parse_date("1965", today=TODAY).message


@pytest.mark.parametrize("raw", ["2027-01-01", "2026.12", dt.date(2026, 11, 24)])
def test_future(raw):
    result = parse_date(raw, today=TODAY)
    assert result.code == DATE_IN_FUTURE
    assert "晚于今天" in result.message


def test_today_is_not_future():
    assert parse_date(TODAY, today=TODAY).ok
    assert parse_date("2026.11", today=TODAY).ok


def test_blank_is_empty_not_an_error():
    for raw in (None, "", "  "):
        result = parse_date(raw, today=TODAY)
        assert result.ok and result.empty


def test_formats():
    day = dt.date(2026, 11, 23)
    assert format_cn(day) == "2026年11月23日"
    assert format_cn(dt.date(2026, 3, 1), MONTH) == "2026年3月"
    assert format_iso(day) == "2026-11-23"
    assert format_iso(dt.date(2026, 3, 1), MONTH) == "2026-03"
    assert format_dotted(dt.date(2026, 3, 5)) == "2026.03.05"
    assert format_cn(None) == "" and format_iso(None) == ""
