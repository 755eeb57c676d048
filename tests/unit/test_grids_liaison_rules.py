"""The pyramid's ranges and the spreading rule, as plain functions."""

import random

import pytest

from partybuild_desktop.domain.liaison import (
    RANGES,
    LiaisonRule,
    Range,
    count_problem,
    coverage_problem,
    hubs_needed,
    spread,
)

EDGES = {
    LiaisonRule.COMMITTEE_BRANCHES: (0, 1, 2, 3),
    LiaisonRule.BRANCH_GROUPS: (0, 1, 2, 3),
    LiaisonRule.LEADER_HUBS: (1, 2, 5, 6),
    LiaisonRule.HUB_MEMBERS: (4, 5, 10, 11),
    LiaisonRule.MEMBER_HOUSEHOLDS: (9, 10, 15, 16),
}


@pytest.mark.parametrize("rule", list(EDGES))
def test_each_range_holds_at_its_edges_and_breaks_just_outside(rule):
    below, low, high, above = EDGES[rule]
    assert count_problem(rule, "member", 1, "甲", "第1党小组", low) is None
    assert count_problem(rule, "member", 1, "甲", "第1党小组", high) is None
    few = count_problem(rule, "member", 1, "甲", "第1党小组", below)
    many = count_problem(rule, "member", 1, "甲", "第1党小组", above)
    assert (few.kind, few.distance, few.count) == ("low", 1, below)
    assert (many.kind, many.distance, many.count) == ("high", 1, above)
    assert few.expected == many.expected == RANGES[rule].text
    assert few.advice and many.advice and few.issue != many.issue


def test_problems_say_what_and_what_to_do_in_chinese():
    many = count_problem(LiaisonRule.MEMBER_HOUSEHOLDS, "member", 1, "李四", "第2党小组", 16)
    assert many.issue == "联系16户，超过15户"
    assert "1户" in many.advice and "“建议分配”" in many.advice and "“按建议分配”" in many.advice
    few = count_problem(LiaisonRule.HUB_MEMBERS, "member", 2, "张三", "第1党小组", 4)
    assert few.issue == "联系4名党员，少于5名" and "1名" in few.advice


@pytest.mark.parametrize("households, expected", [
    (0, (0, 0)), (5, (1, 1)), (10, (1, 1)), (15, (1, 1)), (16, (1, 2)), (20, (2, 2)), (30, (2, 3)), (150, (10, 15)),
])
def test_hubs_needed_one_per_ten_to_fifteen_households(households, expected):
    assert hubs_needed(households) == expected


def test_coverage_problem_edges():
    assert coverage_problem("1组", "第1党小组", 30, 2) is None
    assert coverage_problem("1组", "第1党小组", 30, 3) is None
    assert coverage_problem("1组", "第1党小组", 30, 1).advice.startswith("请在本组再确定")
    assert coverage_problem("1组", "第1党小组", 30, 4).issue == "共30户，党员中心户4户，平均每8户一户"
    assert coverage_problem("1组", "第1党小组", 30, 0).issue == "共30户，没有党员中心户"


@pytest.mark.parametrize("loads, available, shares, left_over, short", [
    ([0, 0, 0], 30, (10, 10, 10), 0, ()),
    ([0, 0, 0], 45, (15, 15, 15), 0, ()),
    ([0, 0, 0], 46, (15, 15, 15), 1, ()),
    ([0, 0, 0], 29, (10, 10, 9), 0, (2,)),  # too few: two in range, the third as close to 10 as possible
    ([0, 0, 0], 31, (11, 10, 10), 0, ()),
    ([15, 0], 10, (0, 10), 0, ()),  # a member at the top gets nothing more
    ([16, 0], 20, (0, 15), 5, ()),  # one above the top stays as it was
    ([9, 0, 0], 12, (1, 10, 1), 0, (2,)),  # the one closest to 10 is brought up first
    ([], 5, (), 5, ()),
])
def test_spread_examples(loads, available, shares, left_over, short):
    result = spread(loads, available)
    assert (result.shares, result.left_over, result.short) == (shares, left_over, short)


def best_in_range(loads, available, limits):
    """How many people could be in range at best: fill the smallest needs first."""
    in_range = sum(1 for load in loads if limits.holds(load))
    needs = sorted(limits.low - load for load in loads if load < limits.low)
    for need in needs:
        if need > available:
            break
        available -= need
        in_range += 1
    return in_range


def test_spread_never_breaks_a_range_it_could_keep():
    rng = random.Random(2026)
    limits = Range(10, 15, "户")
    for _ in range(3000):
        loads = [rng.choice((0, 0, 0, 3, 9, 10, 12, 15, 16, 20)) for _ in range(rng.randint(1, 8))]
        available = rng.randint(0, 130)
        result = spread(loads, available, limits)
        after = [load + share for load, share in zip(loads, result.shares)]
        assert all(share >= 0 for share in result.shares)
        assert sum(result.shares) + result.left_over == available
        # Nobody is pushed over the top; everything is placed while anyone has room.
        assert all(a <= limits.high or s == 0 for a, s in zip(after, result.shares))
        room = sum(max(limits.high - load, 0) for load in loads)
        assert result.left_over == max(available - room, 0)
        # As many people in range as possible, and at most one left part-way below the range.
        assert sum(1 for a in after if limits.holds(a)) == best_in_range(loads, available, limits)
        partial = [i for i, (load, s) in enumerate(zip(loads, result.shares)) if s and load + s < limits.low]
        assert len(partial) <= 1
        assert result.short == tuple(i for i, a in enumerate(after) if a < limits.low)
