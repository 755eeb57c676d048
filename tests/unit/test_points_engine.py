"""The scoring engine and the rule file format, without a database."""

import datetime as dt
import json

import pytest

from partybuild_desktop.domain.points import (
    Award,
    Category,
    CountUnit,
    RuleFileError,
    RuleItem,
    RuleSet,
    Scope,
    Tally,
    competition_ranks,
    entry_key,
    month_mask,
    period,
    rules_from_dict,
    rules_from_json,
    rules_to_dict,
    score_subject,
)
from partybuild_desktop.domain.vocabulary import RecordEntryType as T
from partybuild_desktop.services.point_rules import default_rules

CATS = (Category("study", "政治学习"), Category("dues", "党费缴纳"), Category("life", "组织生活"),
        Category("review", "民主评议"))
YEAR_END = dt.date(2026, 12, 31)


def rules(*items, **kw):
    return RuleSet(name="测试办法", categories=CATS, items=tuple(items), **kw)


def item(code, unit, points, **kw):
    kw.setdefault("category", "study")
    return RuleItem(code=code, name=code, unit=unit, points=points, **kw)


def whole_year():
    return period(2026, dt.date(2027, 3, 1))


def tally(count=0, hours=0.0, months=()):
    return Tally(count, hours, month_mask(months))


def test_a_cap_limits_a_bonus_and_the_trace_keeps_both_figures():
    r = rules(item("vol", CountUnit.ENTRY, 2, entry_types=(T.VOLUNTEERING,), cap=10))
    result = score_subject(r, Scope.MEMBER, {entry_key(T.VOLUNTEERING): tally(7)}, [], whole_year())
    (line,) = result.lines
    assert (line.quantity, line.before_cap, line.points, line.capped) == (7, 14, 10, True)
    assert result.score == 110


def test_a_cap_limits_a_deduction_from_below():
    r = rules(item("dues", CountUnit.MONTH_WITHOUT, -5, entry_types=(T.DUES_PAYMENT,), category="dues", cap=20))
    paid = {entry_key(T.DUES_PAYMENT): tally(2, months=(1, 2))}
    result = score_subject(r, Scope.MEMBER, paid, [], whole_year())
    (line,) = result.lines
    assert (line.quantity, line.before_cap, line.points) == (10, -50, -20)
    assert result.score == 80


def test_without_a_cap_a_deduction_counts_in_full():
    r = rules(item("dues", CountUnit.MONTH_WITHOUT, -5, entry_types=(T.DUES_PAYMENT,), category="dues"))
    result = score_subject(r, Scope.MEMBER, {}, [], whole_year())
    assert result.score == 100 - 60


def test_only_months_that_are_over_and_on_the_board_can_lack_something():
    r = rules(item("dues", CountUnit.MONTH_WITHOUT, -1, entry_types=(T.DUES_PAYMENT,), category="dues"))
    as_of = dt.date(2026, 7, 10)  # January to June are over; July is not judged yet
    p = period(2026, as_of)
    assert score_subject(r, Scope.MEMBER, {}, [], p).score == 94
    joined_april = month_mask(range(4, 13))
    assert score_subject(r, Scope.MEMBER, {}, [], p, joined_april).score == 97
    paid_may = {entry_key(T.DUES_PAYMENT): tally(1, months=(5,))}
    assert score_subject(r, Scope.MEMBER, paid_may, [], p, joined_april).score == 98


def test_study_hours_count_by_the_hour():
    r = rules(item("hours", CountUnit.STUDY_HOUR, 0.5, cap=20))
    facts = {entry_key(T.POLITICAL_STUDY): tally(3, 7.5), entry_key(T.ORGANISATIONAL_LIFE): tally(2, 5.0),
             entry_key(T.VOLUNTEERING): tally(4, 8.0)}  # volunteering hours are not study hours
    result = score_subject(r, Scope.MEMBER, facts, [], whole_year())
    assert result.lines[0].quantity == 12.5 and result.score == 106.25


def test_missing_study_hours_are_prorated_to_the_months_that_are_over():
    r = rules(item("short", CountUnit.STUDY_HOUR_SHORT, -0.5, threshold=32, cap=16))
    facts = {entry_key(T.POLITICAL_STUDY): tally(5, 10.0)}
    full = score_subject(r, Scope.MEMBER, facts, [], whole_year())
    assert full.lines[0].quantity == 22 and full.score == 89
    # By the end of June half the year is due: 16 hours, 6 short.
    half = score_subject(r, Scope.MEMBER, facts, [], period(2026, dt.date(2026, 7, 1)))
    assert half.lines[0].quantity == 6 and half.score == 97
    enough = score_subject(r, Scope.MEMBER, {entry_key(T.POLITICAL_STUDY): tally(9, 40.0)}, [], whole_year())
    assert enough.lines == () and enough.score == 100


def test_month_with_counts_months_not_entries():
    r = rules(item("life", CountUnit.MONTH_WITH, 1, entry_types=(T.ORGANISATIONAL_LIFE,), category="life"))
    facts = {entry_key(T.ORGANISATIONAL_LIFE): tally(9, 18.0, months=(1, 2, 3))}
    assert score_subject(r, Scope.MEMBER, facts, [], whole_year()).score == 103


def test_manual_awards_use_the_items_points_unless_the_amount_was_decided():
    r = rules(item("excellent", CountUnit.MANUAL, 10, category="review"),
              item("decided", CountUnit.MANUAL, 0, category="review"))
    awards = [Award(1, "excellent", dt.date(2026, 12, 1)), Award(2, "decided", dt.date(2026, 6, 1), points=-7.5),
              Award(3, "gone", dt.date(2026, 6, 1), points=99)]  # an item no longer in the rules counts nothing
    result = score_subject(r, Scope.MEMBER, {}, awards, whole_year())
    assert [line.points for line in result.lines] == [10, -7.5] and result.score == 102.5


def test_two_way_items_use_the_grids_points_and_cap_for_a_grid():
    r = rules(
        item("visit", CountUnit.VISIT, 1, cap=20, applies_to=Scope.BOTH, grid_points=0.5, grid_cap=30),
        item("member_only", CountUnit.VISIT, 3),
        item("grid_only", CountUnit.PROXY_SERVICE, 2, applies_to=Scope.GRID),
        grid_base_score=50,
    )
    facts = {"visit": tally(70), "proxy_service": tally(4)}
    member = score_subject(r, Scope.MEMBER, facts, [], whole_year())
    grid = score_subject(r, Scope.GRID, facts, [], whole_year())
    assert [l.item.code for l in member.lines] == ["visit", "member_only"] and member.score == 100 + 20 + 210
    assert [l.item.code for l in grid.lines] == ["visit", "grid_only"] and grid.score == 50 + 30 + 8


def test_lines_are_rounded_to_hundredths_and_add_up_to_the_score_exactly():
    from decimal import Decimal

    r = rules(item("hours", CountUnit.STUDY_HOUR, 0.15), item("award", CountUnit.MANUAL, 0.35, category="review"),
              item("short", CountUnit.STUDY_HOUR_SHORT, -0.25, threshold=10))
    facts = {entry_key(T.POLITICAL_STUDY): tally(3, 0.1 + 0.2 + 2.05)}  # 2.35 hours, whatever floats make of it
    awards = [Award(1, "award", dt.date(2026, 1, 1), quantity=0.5), Award(2, "award", dt.date(2026, 2, 1), points=1.01)]
    result = score_subject(r, Scope.MEMBER, facts, awards, whole_year())
    # 2.35 h × 0.15 = 0.3525 → 0.35; 0.5 × 0.35 + 1.01 = 1.185 → 1.19; 7.65 h short × -0.25 = -1.9125 → -1.91
    assert [(l.quantity, l.points) for l in result.lines] == [(2.35, 0.35), (1.5, 1.19), (7.65, -1.91)]
    assert result.score == 99.63
    assert Decimal(repr(result.base)) + sum(Decimal(repr(l.points)) for l in result.lines) == Decimal(repr(result.score))


def test_ties_share_a_rank_and_the_next_rank_skips():
    assert competition_ranks([90.0, 95.5, 95.5, 80.0, 95.5, 80.0, 70.0]) == [4, 1, 1, 5, 1, 5, 7]
    assert competition_ranks([]) == []


def test_periods_year_quarter_and_closed():
    p = period(2026, dt.date(2026, 11, 23))
    assert (p.start, p.end, p.label) == (dt.date(2026, 1, 1), dt.date(2026, 11, 23), "2026年度")
    assert p.completed == month_mask(range(1, 11))
    q = period(2026, dt.date(2026, 11, 23), quarter=4)
    assert (q.start, q.end, q.label, q.completed) == (dt.date(2026, 10, 1), dt.date(2026, 11, 23), "2026年第四季度", month_mask([10]))
    closed = period(2026, dt.date(2026, 11, 23), closed=True)
    assert closed.end == YEAR_END and closed.completed == month_mask(range(1, 13))
    future = period(2027, dt.date(2026, 11, 23))
    assert future.end < future.start and future.completed == 0
    with pytest.raises(ValueError, match="季度"):
        period(2026, dt.date(2026, 1, 1), quarter=5)


def test_the_shipped_rules_cover_the_seeds_nine_categories_and_round_trip():
    shipped = default_rules(2026)
    names = [c.name for c in shipped.categories]
    for name in ("网格服务", "分类管理", "定岗履职", "组织生活", "民主评议", "党费缴纳", "政治学习", "志愿公益", "助力发展"):
        assert name in names
    assert shipped.base_score == 100 and shipped.warning_line == 60
    assert {i.unit for i in shipped.items} == set(CountUnit)
    assert {i.applies_to for i in shipped.items} == set(Scope)
    again = rules_from_json(json.dumps(rules_to_dict(shipped)))
    assert again == shipped


def good_file():
    return rules_to_dict(default_rules(2026))


def _item(data: dict, code: str) -> dict:
    return next(item for item in data["items"] if item["code"] == code)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: d["items"][0].update(points="三分"), "第1项“走访联系户（民情日记）”的“分值”（points）应为数字"),
        (lambda d: d["items"][2].update(unit="per_day"), "第3项“为群众代办事项办结”的“计分方式”（unit）“per_day”不认识"),
        (lambda d: d["items"][1].update(category="宣传"), "第2项“入户走访、宣传政策”的“类别”（category）“宣传”不是已列出的积分类别"),
        (lambda d: d["items"][1].update(entry_types=["打卡"]), "第2项“入户走访、宣传政策”的“纪实类型”（entry_types）中的“打卡”不是纪实类型"),
        (lambda d: d["items"][1].pop("entry_types"), "“纪实类型”（entry_types）不能为空"),
        (lambda d: d["items"][0].update(cap=-5), "第1项“走访联系户（民情日记）”的“全年封顶”（cap）应为大于 0 的数字"),
        (lambda d: _item(d, "dues_missed").update(points=2), "“当月未按时缴纳党费”的“分值”（points）应为负数"),
        (lambda d: _item(d, "study_short").pop("threshold"), "“应达学时”（threshold）不能为空"),
        (lambda d: d["items"][4].update(code="visit"), "第5项“谈心谈话”的“编号”（code）“visit”与前面的项目重复"),
        (lambda d: d["items"][4].update(pionts=1), "第5项“谈心谈话”有不认识的字段：“pionts”"),
        (lambda d: d["items"][4].update(applies_to="村民"), "第5项“谈心谈话”的“适用对象”（applies_to）“村民”不认识"),
        (lambda d: d.update(base_score="一百"), "“基础分”（base_score）应为数字"),
        (lambda d: _item(d, "study_hours").update(points=0.125), "第18项“参加学习培训”的“分值”（points）最多保留两位小数"),
        (lambda d: d.update(items=[]), "缺少“积分项目”（items）"),
        (lambda d: d.update(format="something-else"), "这不是积分评价办法文件"),
        (lambda d: d.update(version=2), "格式版本为 2"),
    ],
)
def test_a_bad_rule_file_names_the_item_and_the_field(damage, message):
    data = good_file()
    damage(data)
    with pytest.raises(RuleFileError) as raised:
        rules_from_dict(data)
    assert message in str(raised.value)


def test_every_problem_is_listed_at_once():
    data = good_file()
    data["items"][0]["points"] = None
    data["items"][5]["unit"] = "?"
    with pytest.raises(RuleFileError) as raised:
        rules_from_dict(data)
    assert len(raised.value.problems) == 2


def test_labels_are_accepted_instead_of_codes_in_a_hand_written_file():
    data = good_file()
    data["items"][1].update(category="网格服务", unit="每条纪实", entry_types=["走访联户"], applies_to="党员")
    parsed = rules_from_dict(data)
    assert parsed.items[1].category == "grid_service" and parsed.items[1].entry_types == (T.HOUSEHOLD_VISIT,)


def test_broken_json_says_where():
    with pytest.raises(RuleFileError, match="第 2 行"):
        rules_from_json('{"format": "partybuild-point-rules",\n "version": 1 "name": "x"}')
