"""The 2008 dues rules at every boundary (domain.dues): brackets, rounding, fixed and farmers' amounts,
hardship, and the arrears arithmetic across a year end."""

import pytest

from partybuild_desktop.domain.dues import (
    DuesKind,
    DuesRuleError,
    assess,
    differs,
    months_between,
    parse_month,
    rate_for,
    standing,
)
from partybuild_desktop.domain.money import parse_money


@pytest.mark.parametrize("base, monthly", [
    ("3000", "15.00"), ("3000.01", "30.00"), ("5000", "50.00"), ("5000.01", "75.00"), ("10000", "150.00"),
    ("10000.01", "200.00"), ("2999", "15.00"), ("0", "0.00"), ("3333", "33.33"), ("3333.50", "33.34"),
])
def test_in_work_brackets_each_upper_bound_in_the_lower_bracket(base, monthly):
    result = assess(DuesKind.EMPLOYED, parse_money(base))
    assert result.monthly_fen == parse_money(monthly) and result.rule_fen == result.monthly_fen


def test_2999_yuan_at_half_a_percent_rounds_half_up_to_1500_fen():
    assert assess(DuesKind.EMPLOYED, 299_900).monthly_fen == 1500  # 14.995 元 → 15.00 元


@pytest.mark.parametrize("base, monthly", [("5000", "25.00"), ("5000.01", "50.00"), ("1000", "5.00")])
def test_retired_brackets(base, monthly):
    assert assess(DuesKind.RETIRED, parse_money(base)).monthly_fen == parse_money(monthly)


def test_self_employed_use_the_in_work_brackets():
    assert rate_for(DuesKind.SELF_EMPLOYED, 600_000) == rate_for(DuesKind.EMPLOYED, 600_000)
    assert assess(DuesKind.SELF_EMPLOYED, 600_000).monthly_fen == 9000


@pytest.mark.parametrize("amount, ok", [(19, False), (20, True), (100, True), (101, False)])
def test_farmers_pay_between_20_fen_and_one_yuan(amount, ok):
    if ok:
        assert assess(DuesKind.FARMER, entered_fen=amount).monthly_fen == amount
    else:
        with pytest.raises(DuesRuleError, match="0.20 元到 1.00 元"):
            assess(DuesKind.FARMER, entered_fen=amount)


def test_farmers_without_an_amount_pay_the_villages():
    assert assess(DuesKind.FARMER, farmer_fen=80).monthly_fen == 80


@pytest.mark.parametrize("kind", [DuesKind.STUDENT, DuesKind.UNEMPLOYED, DuesKind.RELIEF])
def test_students_unemployed_and_relief_pay_20_fen(kind):
    assert assess(kind).monthly_fen == 20


def test_based_kinds_need_a_base_and_hardship_needs_its_amount():
    with pytest.raises(DuesRuleError, match="缴费基数"):
        assess(DuesKind.EMPLOYED)
    with pytest.raises(DuesRuleError, match="可以为 0"):
        assess(DuesKind.REDUCED)
    assert assess(DuesKind.REDUCED, entered_fen=0).monthly_fen == 0


def test_an_entered_amount_that_is_not_the_rule_is_noticed():
    kept = assess(DuesKind.EMPLOYED, 300_000, entered_fen=2000)
    assert kept.monthly_fen == 2000 and kept.rule_fen == 1500 and differs(kept)
    assert not differs(assess(DuesKind.EMPLOYED, 300_000, entered_fen=1500))


def test_months_are_read_in_the_usual_forms():
    assert parse_month("2026-03") == parse_month("2026-3") == parse_month("2026年3月") == (2026, 3)
    for bad in ("2026-13", "26-03", "三月", ""):
        with pytest.raises(ValueError, match="月份“.*”的写法不对"):
            parse_month(bad)


def test_arrears_and_the_unpaid_run_across_a_year_end():
    year = months_between((2026, 1), (2026, 3))
    earlier = [(m, 1500) for m in months_between((2025, 1), (2025, 12))]
    paid = {(2025, m): 1500 for m in range(1, 11)}  # paid up to October 2025
    result = standing([(m, 1500) for m in year], paid, earlier)
    assert result.arrears_months == 3 and result.unpaid_run == 5  # Nov, Dec 2025 and Jan–Mar 2026
    assert result.warning == "notice" and (result.due_fen, result.paid_fen) == (4500, 0)
    paid.update({(2025, 11): 1500})
    assert standing([(m, 1500) for m in year], paid, earlier).unpaid_run == 4
    six = standing([(m, 1500) for m in year], {(2025, m): 1500 for m in range(1, 10)}, earlier)
    assert six.unpaid_run == 6 and six.warning == "serious"


def test_a_month_paid_later_ends_the_run_and_a_month_owing_nothing_is_never_unpaid():
    months = months_between((2026, 1), (2026, 6))
    result = standing([(m, 20) for m in months], {(2026, 4): 20})
    assert result.unpaid_run == 2 and result.arrears_months == 5
    reduced = standing([(m, 0) for m in months], {})
    assert (reduced.arrears_months, reduced.unpaid_run, reduced.warning) == (0, 0, "none")
