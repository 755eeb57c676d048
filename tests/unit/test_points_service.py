"""The points board from recorded facts: sources, manual awards, grids, ties, rules over time, closed years."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.points import Category, CountUnit, RuleItem, RuleSet, Scope, UnitLevel
from partybuild_desktop.domain.vocabulary import (
    GridLevel,
    MemberCategory,
    ProxyKind,
    ProxyStatus,
    RecordEntryType as T,
)
from partybuild_desktop.domain.meetings import ReviewGrade
from partybuild_desktop.services import meetings, point_rules, points
from partybuild_desktop.store.models import (
    Grid,
    GridBranch,
    Household,
    Member,
    PartyGroup,
    ProxyService,
    RecordEntry,
    Visit,
)
from tests import helpers

TODAY = dt.date(2026, 11, 23)
CATS = (Category("grid_service", "网格服务"), Category("life", "组织生活"), Category("study", "政治学习"),
        Category("review", "民主评议"), Category("dues", "党费缴纳"))


def test_rules(**changes) -> RuleSet:
    items = (
        RuleItem("visit", "走访联系户", "grid_service", CountUnit.VISIT, 1, cap=5, applies_to=Scope.BOTH,
                 grid_points=0.5, grid_cap=50),
        RuleItem("proxy", "代办事项办结", "grid_service", CountUnit.PROXY_SERVICE, 2, applies_to=Scope.BOTH),
        RuleItem("door", "入户走访纪实", "grid_service", CountUnit.ENTRY, 1, entry_types=(T.HOUSEHOLD_VISIT,)),
        RuleItem("study", "学习学时", "study", CountUnit.STUDY_HOUR, 0.5, cap=20),
        RuleItem("excellent", "评议优秀", "review", CountUnit.MANUAL, 10),
        RuleItem("grid_award", "先进网格", "review", CountUnit.MANUAL, 8, applies_to=Scope.GRID),
        RuleItem("warned", "被通报", "review", CountUnit.MANUAL, -30),
    )
    return replace(RuleSet("测试积分办法", CATS, items), **changes)


test_rules.__test__ = False  # a helper, not a test


class Village:
    """A small village built by hand: two grids in two grid branches, households, members."""

    def __init__(self, session, name="测试村"):
        self.session = session
        self.id = helpers.village(session, name)
        self.branches = [GridBranch(village_id=self.id, name=f"第{i}网格党支部") for i in (1, 2)]
        session.add_all(self.branches)
        session.flush()
        self.grids = [Grid(village_id=self.id, level=GridLevel.GROUP, name=f"第{i}网格", grid_branch_id=b.id)
                      for i, b in zip((1, 2), self.branches)]
        self.group = PartyGroup(village_id=self.id, name="第1党小组")
        session.add_all(self.grids + [self.group])
        session.flush()
        self.household = Household(village_id=self.id, head_name="张三", grid_id=self.grids[0].id)
        session.add(self.household)
        session.flush()

    def member(self, name, grid=0, id_number=None, joined=dt.date(2000, 1, 1), **kw):
        member = Member(village_id=self.id, name=name, category=MemberCategory.FARMER, id_number=id_number,
                        grid_id=self.grids[grid].id if grid is not None else None, joined_date=joined,
                        party_group_id=self.group.id, search_keys=name, **kw)
        self.session.add(member)
        self.session.flush()
        return member.id

    def entry(self, member_id, day, entry_type=T.POLITICAL_STUDY, hours=None, text="学习", **kw):
        self.session.add(RecordEntry(member_id=member_id, date=day, entry_type=entry_type, text=text, hours=hours, **kw))
        self.session.flush()

    def visit(self, member_id, day, matter="反映道路破损"):
        visit = Visit(village_id=self.id, date=day, member_id=member_id, household_id=self.household.id, matter=matter)
        self.session.add(visit)
        self.session.flush()
        return visit.id

    def proxy(self, member_id, received, completed=None, status=ProxyStatus.DONE, matter="代办医保缴费"):
        service = ProxyService(village_id=self.id, kind=ProxyKind.PROMISED, household_id=self.household.id,
                               applicant="张三", matter=matter, received_date=received, completed_date=completed,
                               handler_id=member_id, status=status)
        self.session.add(service)
        self.session.flush()

    def board(self, year=2026, **kw):
        kw.setdefault("as_of", TODAY)
        return points.board(self.session, self.id, year, **kw)

    def score(self, member_id, year=2026, **kw):
        return next(m for m in self.board(year, **kw).members if m.member_id == member_id)

    def unit(self, index, year=2026, **kw):
        grid_id = self.grids[index].id
        return next(u for u in self.board(year, **kw).units if u.unit_id == grid_id)

    def save(self, rules, year=2026):
        return point_rules.save_rules(self.session, self.id, year, rules, "文书")


@pytest.fixture
def village(store):
    with store.session() as session:
        built = Village(session)
        built.save(test_rules())
        yield built


def test_facts_come_from_entries_visits_and_services_without_retyping(village):
    a = village.member("甲")
    village.entry(a, dt.date(2026, 3, 1), T.HOUSEHOLD_VISIT, text="入户宣传政策")
    visit_id = village.visit(a, dt.date(2026, 3, 2))
    # A record-book entry written by the visit names it: it must not count a second time.
    village.entry(a, dt.date(2026, 3, 2), T.HOUSEHOLD_VISIT, text="走访张三户", source_kind="visit", source_id=visit_id)
    village.proxy(a, dt.date(2026, 4, 1), dt.date(2026, 4, 3))
    village.proxy(a, dt.date(2026, 4, 5), status=ProxyStatus.OPEN)  # not handled yet
    village.proxy(a, dt.date(2025, 12, 20), dt.date(2026, 1, 5))  # counted in the year it was completed
    village.proxy(a, dt.date(2026, 12, 20) - dt.timedelta(days=400), dt.date(2025, 11, 1))  # last year
    trace = points.explain(village.session, village.id, 2026, a, as_of=TODAY)
    by_item = {line.item_code: line for line in trace.lines}
    assert by_item["door"].quantity == 1 and by_item["door"].evidence[0].text == "走访联户：入户宣传政策"
    assert by_item["visit"].quantity == 1 and "走访张三户：反映道路破损" in by_item["visit"].evidence[0].text
    assert by_item["proxy"].quantity == 2 and by_item["proxy"].points == 4
    assert [e.date for e in by_item["proxy"].evidence] == [dt.date(2026, 1, 5), dt.date(2026, 4, 3)]
    assert trace.score == 100 + 1 + 1 + 4 == village.score(a).score


def test_the_trace_adds_up_to_the_score_for_every_member_of_the_sample_village(sample_store):
    from partybuild_desktop.services.village import current_village

    with sample_store.session() as session:
        village_id = current_village(session).id
        member_id = session.scalars(select(Member.id).where(Member.village_id == village_id).limit(1)).one()
        points.add_award(session, village_id, item_code="development", date=dt.date(2026, 11, 20),
                         reason="带动就业", entered_by="文书", member_id=member_id, today=TODAY)
        meetings.set_reviews(session, village_id, 2026, {member_id: meetings.ReviewForm(ReviewGrade.EXCELLENT)},
                             decided_on=dt.date(2026, 11, 20), today=TODAY)
        board = points.board(session, village_id, 2026, as_of=TODAY)
        assert len(board.members) > 100 and {m.member_id for m in board.members} >= {member_id}
        for standing in board.members:
            trace = points.explain(session, village_id, 2026, standing.member_id, as_of=TODAY)
            assert trace.score == standing.score
            assert trace.total() == Decimal(repr(standing.score))
            for line in trace.lines:
                assert line.evidence, f"{line.item_name} has no evidence"
                assert abs(line.points) <= abs(line.before_cap)
        for unit in board.units:
            trace = points.explain_unit(session, village_id, 2026, unit.unit_id, as_of=TODAY)
            assert trace.score == unit.score and trace.total() == Decimal(repr(unit.score))
        quarter = points.board(session, village_id, 2026, quarter=4, as_of=TODAY)
        some = quarter.members[len(quarter.members) // 2]
        assert points.explain(session, village_id, 2026, some.member_id, quarter=4, as_of=TODAY).score == some.score


def test_caps_apply_per_year_and_the_trace_shows_before_and_after(village):
    a = village.member("甲")
    for day in range(1, 9):
        village.visit(a, dt.date(2026, 5, day))
    line = next(l for l in points.explain(village.session, village.id, 2026, a, as_of=TODAY).lines if l.item_code == "visit")
    assert (line.quantity, line.before_cap, line.points, line.capped) == (8, 8, 5, True)
    assert village.score(a).score == 105
    assert village.unit(0).score == 100 + 4  # the grid: 8 visits × 0.5, its own cap of 50


def test_study_hours_and_deductions(village):
    rules = test_rules()
    rules = replace(rules, items=rules.items + (
        RuleItem("dues", "未缴党费", "dues", CountUnit.MONTH_WITHOUT, -3, entry_types=(T.DUES_PAYMENT,), cap=15),
        RuleItem("short", "学时不足", "study", CountUnit.STUDY_HOUR_SHORT, -1, threshold=24),
    ))
    village.save(rules)
    a = village.member("甲")
    village.entry(a, dt.date(2026, 2, 1), T.POLITICAL_STUDY, hours=3.5)
    village.entry(a, dt.date(2026, 3, 1), T.ORGANISATIONAL_LIFE, hours=2.5)
    village.entry(a, dt.date(2026, 3, 2), T.VOLUNTEERING, hours=6)  # not study
    for month in range(1, 9):
        village.entry(a, dt.date(2026, month, 5), T.DUES_PAYMENT, text="缴纳党费")
    trace = points.explain(village.session, village.id, 2026, a, as_of=TODAY)
    by_item = {line.item_code: line for line in trace.lines}
    assert by_item["study"].quantity == 6 and by_item["study"].points == 3
    # September and October are over without dues; November is still running.
    assert by_item["dues"].quantity == 2 and by_item["dues"].points == -6
    assert [e.text for e in by_item["dues"].evidence] == ["9月没有“党费缴纳”纪实", "10月没有“党费缴纳”纪实"]
    # 24 hours a year, 10 months over: 20 due, 6 done.
    assert by_item["short"].quantity == 14 and by_item["short"].points == -14
    assert trace.score == 100 + 3 - 6 - 14


def test_a_member_who_joined_this_year_is_judged_from_that_month(village):
    rules = test_rules()
    village.save(replace(rules, items=rules.items + (
        RuleItem("dues", "未缴党费", "dues", CountUnit.MONTH_WITHOUT, -1, entry_types=(T.DUES_PAYMENT,)),)))
    old, new = village.member("老"), village.member("新", joined=dt.date(2026, 9, 15))
    assert village.score(old).score == 90 and village.score(new).score == 98
    later = village.member("明年", joined=dt.date(2027, 2, 1))
    assert later not in {m.member_id for m in village.board().members}


def test_manual_awards_carry_reason_date_and_who_entered_them(village):
    a = village.member("甲")
    award_id = points.add_award(village.session, village.id, item_code="excellent", date=dt.date(2026, 11, 10),
                                reason="民主评议为优秀", entered_by="李文书", member_id=a, today=TODAY)
    points.add_award(village.session, village.id, item_code="warned", date=dt.date(2026, 6, 1),
                     reason="镇通报〔2026〕3号", entered_by="李文书", member_id=a, points=-12, today=TODAY)
    points.add_award(village.session, village.id, item_code="grid_award", date=dt.date(2026, 10, 1),
                     reason="评为先进网格", entered_by="李文书", grid_id=village.grids[1].id, today=TODAY)
    trace = points.explain(village.session, village.id, 2026, a, as_of=TODAY)
    by_item = {line.item_code: line for line in trace.lines}
    assert by_item["excellent"].evidence[0].text == "民主评议为优秀（李文书登记）"
    assert by_item["excellent"].evidence[0].date == dt.date(2026, 11, 10)
    assert by_item["warned"].points == -12
    assert trace.score == 98
    village.member("乙", grid=1)
    assert village.unit(1).score == 108
    listed = points.list_awards(village.session, village.id, 2026)
    assert [(r.item_name, r.target, r.points) for r in listed] == [
        ("被通报", "甲", -12), ("先进网格", "第2网格", 8), ("评议优秀", "甲", 10)]
    points.delete_award(village.session, village.id, award_id)
    assert village.score(a).score == 88


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(item_code="study"), "自动计分"),
        (dict(item_code="nothing"), "没有编号为“nothing”"),
        (dict(reason=" "), "请填写加减分的理由"),
        (dict(entered_by=""), "请填写登记人"),
        (dict(date=dt.date(2026, 12, 1)), "晚于今天"),
        (dict(item_code="grid_award"), "只适用于网格"),
        (dict(member_id=None), "记给一名党员或一个网格"),
    ],
)
def test_manual_awards_are_checked(village, kwargs, message):
    a = village.member("甲")
    args = dict(item_code="excellent", date=dt.date(2026, 5, 1), reason="理由", entered_by="文书", member_id=a,
                today=TODAY)
    args.update(kwargs)
    with pytest.raises(points.PointsError, match=message):
        points.add_award(village.session, village.id, **args)


def test_ties_share_a_rank_and_the_next_rank_skips(village):
    ids = [village.member(name) for name in ("甲", "乙", "丙", "丁")]
    for member_id, visits in zip(ids, (2, 3, 3, 1)):
        for day in range(1, visits + 1):
            village.visit(member_id, dt.date(2026, 4, day))
    board = village.board()
    assert [(m.name, m.rank, m.score) for m in board.members] == [
        ("丙", 1, 103), ("乙", 1, 103), ("甲", 3, 102), ("丁", 4, 101)]


def test_members_under_the_warning_line_are_flagged(village):
    a = village.member("甲")
    village.member("乙")
    for _ in range(2):
        points.add_award(village.session, village.id, item_code="warned", date=dt.date(2026, 6, 1),
                         reason="通报", entered_by="文书", member_id=a, today=TODAY)
    board = village.board()
    assert [(m.name, m.below_warning) for m in board.members] == [("乙", False), ("甲", True)]
    assert [m.member_id for m in board.below_warning()] == [a]


def test_the_quarter_so_far_counts_only_its_own_facts(village):
    a, b = village.member("甲"), village.member("乙")
    for day in (1, 2, 3):
        village.visit(a, dt.date(2026, 3, day))
    village.visit(b, dt.date(2026, 10, 9))
    village.visit(b, dt.date(2026, 11, 30))  # after as_of: not yet
    year = village.board()
    quarter = village.board(quarter=4)
    assert [m.name for m in year.members] == ["甲", "乙"]
    assert [(m.name, m.score) for m in quarter.members] == [("乙", 101), ("甲", 100)]
    assert quarter.period.label == "2026年第四季度" and quarter.title == "测试村2026年第四季度党建先锋榜"


def test_a_member_who_moved_grids_takes_the_years_facts_to_the_new_grid(village):
    """Grid history is not stored: in an open year all of a member's facts count for the current grid."""
    a = village.member("甲", grid=0)
    village.member("乙", grid=1)
    for day in (1, 2, 3, 4):
        village.visit(a, dt.date(2026, 2, day))  # while in grid 1
    assert (village.unit(0).score, village.unit(1).score) == (102, 100)
    village.session.get(Member, a).grid_id = village.grids[1].id  # moved in June
    village.visit(a, dt.date(2026, 7, 1))
    board = village.board()
    assert [(u.name, u.members, u.score) for u in board.units] == [("第2网格", 2, 102.5)]
    assert village.score(a).unit_name == "第2网格"


def test_closing_a_year_keeps_its_grids_its_rules_and_its_score(village):
    a = village.member("甲", grid=0)
    b = village.member("乙", grid=1)
    for day in (1, 2, 3):
        village.visit(a, dt.date(2025, 5, day))
    village.save(test_rules(), 2025)
    before = village.board(2025)
    point_rules.close_year(village.session, village.id, 2025, "王书记", today=TODAY)
    # Next year's rules start as a copy and then change; a member moves grids.
    point_rules.copy_to_next_year(village.session, village.id, 2025, replace_existing=True)
    changed = test_rules()
    changed = replace(changed, base_score=50, items=tuple(
        replace(item, points=9, cap=None, grid_points=9) if item.code == "visit" else item for item in changed.items))
    village.save(changed, 2026)
    village.session.get(Member, a).grid_id = village.grids[1].id
    after = village.board(2025)
    assert after.closed and after.rules == before.rules
    assert [(m.name, m.score) for m in after.members] == [(m.name, m.score) for m in before.members] == [("甲", 103), ("乙", 100)]
    assert [(u.name, u.members, u.score) for u in after.units] == [(u.name, u.members, u.score) for u in before.units]
    assert village.score(a, 2026).score == 50  # this year: the new base, no visits yet
    # The closed year refuses edits of every kind.
    with pytest.raises(point_rules.YearClosedError, match="已于.*结账"):
        village.save(changed, 2025)
    with pytest.raises(points.PointsError, match="结账"):
        points.add_award(village.session, village.id, item_code="excellent", date=dt.date(2025, 12, 1),
                         reason="补登", entered_by="文书", member_id=b, today=TODAY)
    # Archiving a member later does not take them off the closed board.
    village.session.get(Member, b).archived = True
    assert [m.name for m in village.board(2025).members] == ["甲", "乙"]
    assert [m.name for m in village.board(2026).members] == ["甲"]
    point_rules.reopen_year(village.session, village.id, 2025)
    assert not village.board(2025).closed


def test_a_rule_changed_mid_year_applies_to_the_whole_year(village):
    """The board shows the year under its rules as they stand: a change rescores earlier facts too."""
    a = village.member("甲")
    village.visit(a, dt.date(2026, 2, 1))
    assert village.score(a).score == 101
    rules = test_rules()
    village.save(replace(rules, items=tuple(replace(i, points=3, cap=None) if i.code == "visit" else i for i in rules.items)))
    village.visit(a, dt.date(2026, 8, 1))
    assert village.score(a).score == 106


def test_rules_for_a_year_not_saved_follow_the_latest_earlier_year_else_the_sample(village):
    record = point_rules.load_rules(village.session, village.id, 2027)
    assert (record.saved, record.origin, record.rules.name) == (False, "沿用2026年度办法（尚未保存）", "测试积分办法")
    assert record.rules.year == 2027
    first = point_rules.load_rules(village.session, village.id, 2020)
    assert first.origin == "示范文本（尚未保存）" and first.rules.items == point_rules.default_rules().items
    with pytest.raises(point_rules.RuleSetError, match="已经有积分办法"):
        village.save(test_rules(), 2027)
        point_rules.copy_to_next_year(village.session, village.id, 2026)


def test_grid_branch_level_rolls_grids_and_awards_up_to_branches(village):
    village.save(test_rules(unit_level=UnitLevel.GRID_BRANCH))
    a, b = village.member("甲", grid=0), village.member("乙", grid=1)
    village.member("无网格", grid=None)  # counts for the branch of the party group (none here)
    village.visit(a, dt.date(2026, 3, 1))
    village.visit(b, dt.date(2026, 3, 1))
    village.visit(b, dt.date(2026, 3, 2))
    points.add_award(village.session, village.id, item_code="grid_award", date=dt.date(2026, 10, 1),
                     reason="先进", entered_by="文书", grid_branch_id=village.branches[0].id, today=TODAY)
    board = village.board()
    assert [(u.name, u.score) for u in board.units] == [("第1网格党支部", 108.5), ("第2网格党支部", 101)]
    assert board.unit_label == "网格党支部"


def test_finding_a_member_by_name_or_number_masks_id_numbers(village):
    a = village.member("王芳", id_number="320482197001011223")
    village.member("王芳", grid=1, id_number="320482198502021240")
    found = points.find_members(village.session, village.id, "王芳")
    assert [m.masked_id_number for m in found] == ["320482********1223", "320482********1240"]
    assert [m.id for m in points.find_members(village.session, village.id, str(a))] == [a]
    assert points.find_members(village.session, village.id, "李") == []


def test_another_village_in_the_same_file_does_not_count(village):
    a = village.member("甲")
    village.entry(a, dt.date(2026, 3, 1), T.HOUSEHOLD_VISIT)
    alone = [(m.name, m.score) for m in village.board().members]
    other = Village(village.session, "邻村")  # a second village: the entry query now filters by village
    other.save(test_rules())
    b = other.member("乙")
    for day in range(1, 6):
        other.entry(b, dt.date(2026, 3, day), T.HOUSEHOLD_VISIT)
    assert [(m.name, m.score) for m in village.board().members] == alone == [("甲", 101)]
    assert [(m.name, m.score) for m in other.board().members] == [("乙", 105)]
