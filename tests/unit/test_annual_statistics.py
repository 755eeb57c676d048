"""党内统计年报's 发展党员情况 and 预备党员转正情况 (``annual-recruitment``): the counts at their edges from
people made up here, and the sample village's year counted by hand and read back from the xlsx and the PDF."""

import datetime as dt

import pytest

from partybuild_desktop.domain import recruitment as rules
from partybuild_desktop.domain.recruitment import Newcomer, Probationer
from partybuild_desktop.domain.vocabulary import Education, Gender, MemberCategory
from partybuild_desktop.reports.tables import annual_statistics
from partybuild_desktop.services import exports, recruitment
from partybuild_desktop.services.village import current_village
from tests import helpers
from tests.conftest import SAMPLE_TODAY

D = dt.date
YEAR_START, YEAR_END = D(2026, 1, 1), D(2026, 12, 31)


def newcomer(name, joined, approved=None, birth=D(1990, 5, 1), gender=Gender.MALE, ethnicity="汉族",
             education=Education.COLLEGE, category=MemberCategory.FARMER):
    return Newcomer(name, gender, ethnicity, birth, education, category, joined, approved)


def test_newcomers_count_on_the_approval_where_a_case_has_one_and_every_breakdown_adds_up():
    people = [
        newcomer("一", D(2026, 1, 1)),  # the first day of the year, no case: its 入党 date
        newcomer("二", D(2025, 12, 31)),  # the last day of the year before: not this year
        newcomer("三", D(2025, 12, 20), approved=D(2026, 1, 10)),  # 支部大会 in December, approved in January
        newcomer("四", D(2026, 11, 20), approved=D(2027, 1, 5)),  # approved next year: not yet
        newcomer("五", D(2026, 6, 1), birth=D(1991, 6, 1), gender=Gender.FEMALE),  # 35 that day: 35岁及以下
        newcomer("六", D(2026, 6, 1), birth=D(1990, 6, 1), ethnicity="回族"),  # 36 that day
        newcomer("七", D(2026, 3, 1), birth=None, gender=None, ethnicity=None, education=None, category=None),
    ]
    counts = rules.newcomer_counts(people, YEAR_START, YEAR_END)
    assert counts["total"] == 5  # 一 三 五 六 七
    assert [p.name for p in rules.accepted_in(people, YEAR_START, YEAR_END)] == ["一", "三", "五", "六", "七"]
    assert (counts["gender_male"], counts["gender_female"], counts["gender_unknown"]) == (3, 1, 1)
    assert (counts["ethnicity_han"], counts["ethnicity_minority"], counts["ethnicity_unknown"]) == (3, 1, 1)
    assert counts["education_college"] == 4 and counts["education_unknown"] == 1
    assert counts["category_farmer"] == 4 and counts["category_unknown"] == 1
    # 一 35 (born 1990-05-01, accepted 2026-01-01), 三 35 (on its 支部大会 2025-12-20), 五 35, 六 36, 七 unknown
    assert counts["age_31_35"] == 3 and counts["age_36_40"] == 1 and counts["age_unknown"] == 1
    assert counts["young"] == 3
    for _, parts in rules.NEWCOMER_BREAKDOWNS:
        assert sum(counts[key] for key, _ in parts) == counts["total"]


def test_probation_counts_on_time_after_an_extension_extended_and_overdue():
    people = [
        Probationer("按期", D(2025, 3, 1), D(2026, 3, 1), confirm_assembly=D(2026, 3, 2), confirmed=D(2026, 3, 20)),
        # extended in 2025 by six months, confirmed in 2026: after the extension
        Probationer("延长后", D(2024, 11, 1), D(2026, 5, 1), extensions=(D(2025, 11, 3),),
                    confirm_assembly=D(2026, 5, 5), confirmed=D(2026, 5, 30)),
        # extended this year and still on probation at the year's end
        Probationer("延长中", D(2025, 6, 1), D(2027, 1, 1), extensions=(D(2026, 6, 2),)),
        # the year ended on 2026-10-01 and no 转正 discussed by the end of the year
        Probationer("逾期", D(2025, 10, 1), D(2026, 10, 1)),
        # the 转正 discussed at the end of December, approved in January: still 预备 at the year's end
        Probationer("跨年", D(2025, 12, 10), D(2026, 12, 10), confirm_assembly=D(2026, 12, 28), confirmed=D(2027, 1, 15)),
        Probationer("转出", D(2026, 2, 1), D(2027, 2, 1), left=D(2026, 9, 1)),  # left the register in the year
        Probationer("去年", D(2024, 1, 5), D(2025, 1, 5), confirmed=D(2025, 1, 20)),  # nothing in 2026
    ]
    counts = rules.probation_counts(people, YEAR_START, YEAR_END)
    assert counts == {"confirmed": 2, "on_time": 1, "after_extension": 1, "extended": 1, "at_end": 3,
                      "overdue_at_end": 1}
    # On 2026-10-02 the 逾期 one was one day overdue; on 2026-10-01 not yet.
    assert rules.probation_states(people[3], YEAR_START, D(2026, 10, 2)) == {"at_end", "overdue_at_end"}
    assert rules.probation_states(people[3], YEAR_START, D(2026, 10, 1)) == {"at_end"}
    rows = annual_statistics.list_rows([], people, YEAR_START, YEAR_END)
    assert [(r["name"], r["counted"]) for r in rows] == [
        ("按期", "按期转正"), ("延长后", "延长预备期后转正"), ("延长中", "延长预备期、统计时段末预备党员"),
        ("逾期", "预备期满未讨论转正"), ("跨年", "统计时段末预备党员")]


def _export(store, village_id, year, path):
    return exports.export(store, village_id, "annual-recruitment", path,
                          exports.ExportOptions(year=year, today=SAMPLE_TODAY))


def _line(path, sheet):
    """The village's line of a sheet (after the title, period, unit and two header rows)."""
    rows = helpers.sheet_rows(path, sheet)
    [line] = [r for r in rows if r and r[0] == "东湖村"]
    header = rows[rows.index(line) - 1]
    upper = []
    for cell in rows[rows.index(line) - 2]:  # a group's text is in the first cell of its merged range
        upper.append(cell or (upper[-1] if upper and cell == "" else ""))
    return upper, header, [int(v) if isinstance(v, float) else v for v in line]


def test_the_sample_village_s_2026_counted_by_hand(sample_store, tmp_path):
    # By hand from the sample's member list and cases (as of 2026-11-23):
    # 发展 in 2026: 崔永金 (entered directly, 入党 2026-07-09, born 1971-06-23: 55, 初中及以下),
    #   薛青庆 (case, ⑮ 2026-08-15, ⑰ 2026-10-14, born 1995-01-16: 31, 大专), 田兵 (directly, 2026-10-03,
    #   born 1986-04-28: 40, 初中及以下); all men, 汉族, 农民党员. 张兰淑 was approved in 2025 (⑰ 2025-10-11).
    # 转正 in 2026: 韦小花 (01-29), 曾丽 (07-16), 贾家 (09-07), 谢莲英 (10-07) on their 转正 dates, and
    #   张兰淑 on her ㉔ (2026-09-04): five, none extended; 预备 on 2026-11-23: 崔永金, 薛青庆, 田兵.
    with sample_store.session() as session:
        village_id = current_village(session).id
    xlsx, pdf = tmp_path / "年报.xlsx", tmp_path / "年报.pdf"
    _export(sample_store, village_id, 2026, xlsx)
    _export(sample_store, village_id, 2026, pdf)

    upper, header, line = _line(xlsx, "发展党员（一）")
    by_header = dict(zip([f"{u}{h}" for u, h in zip(upper, header)], line))
    assert by_header["发展党员总数"] == 3 and by_header["性别男"] == 3 and by_header["性别女"] == 0
    assert by_header["民族汉族"] == 3 and by_header["民族少数民族"] == 0
    assert by_header["学历大专"] == 1 and by_header["学历初中及以下"] == 2 and by_header["学历大学本科"] == 0
    assert by_header["党员类别农民"] == 3 and by_header["35岁及以下"] == 1
    assert not any("未填" in h for h in header)  # nobody has an item blank: no 未填 column
    upper, header, line = _line(xlsx, "发展党员（二）")
    assert dict(zip(header[2:], line[2:])) == {"30及以下": 0, "31—35": 1, "36—40": 1, "41—45": 0, "46—50": 0,
                                               "51—55": 1, "56—60": 0, "61及以上": 0}
    _, header, line = _line(xlsx, "预备党员转正")
    assert line[1:] == [5, 5, 0, 0, 3, 0]
    names = helpers.sheet_rows(xlsx, "名单")
    listed = [(r[1], r[2]) for r in names if r and isinstance(r[0], float)]
    assert listed == [("崔永金", "发展党员"), ("薛青庆", "发展党员"), ("田兵", "发展党员"), ("韦小花", "按期转正"),
                      ("曾丽", "按期转正"), ("张兰淑", "按期转正"), ("贾家", "按期转正"), ("谢莲英", "按期转正"),
                      ("崔永金", "统计时段末预备党员"), ("薛青庆", "统计时段末预备党员"), ("田兵", "统计时段末预备党员")]
    text = helpers.pdf_text(pdf)
    for title in ("发展党员情况（一）", "发展党员情况（二）", "预备党员转正情况", "发展党员和预备党员转正名单"):
        assert title in text
    assert "统计时段：2026年1月1日至2026年11月23日" in text and "审批 2026年10月14日" in text
    assert "本程序不登记取消预备党员资格" in text
    for number in _id_numbers(sample_store, village_id):
        assert number not in text  # no ID number on a statistics table


def _id_numbers(store, village_id):
    from sqlalchemy import select

    from partybuild_desktop.store.models import Member

    with store.session() as session:
        return [n for n in session.scalars(select(Member.id_number).where(Member.village_id == village_id)) if n]


def test_the_sample_village_s_2025_and_the_quarterly_return_agree(sample_store, tmp_path):
    # 2025 by hand: 韦小花 (01-29), 曾丽 (07-16, born 2002: 22), 贾家 (09-07), 谢莲英 (10-07, 回族, born 2002: 23)
    # directly, and 张兰淑 through her case (⑰ 2025-10-11): five, four of them women, one 少数民族.
    with sample_store.session() as session:
        village_id = current_village(session).id
        people = recruitment.annual_people(session, village_id)
        cases = [(r.name, r.dates) for r in recruitment.list_cases(session, village_id, SAMPLE_TODAY)]
    counts = rules.newcomer_counts(people.newcomers, D(2025, 1, 1), D(2025, 12, 31))
    assert (counts["total"], counts["gender_female"], counts["ethnicity_minority"], counts["age_le30"]) == (5, 4, 1, 2)
    # The cases' part of the year is what the four quarterly returns carried (⑰ in the quarter).
    from partybuild_desktop.domain.statistics import Quarter
    from partybuild_desktop.reports.tables.recruitment import quarter_people

    quarters = [quarter_people(cases, Quarter(2025, q).start, Quarter(2025, q).end) for q in (1, 2, 3, 4)]
    by_cases = [p.name for p in rules.accepted_in(people.newcomers, D(2025, 1, 1), D(2025, 12, 31)) if p.approved]
    assert sorted(by_cases) == sorted(name for q in quarters for name in q["accepted"]) == ["张兰淑"]
    xlsx = tmp_path / "2025.xlsx"
    _export(sample_store, village_id, 2025, xlsx)
    _, _, line = _line(xlsx, "预备党员转正")
    assert line[1] == 7  # 陶明 叶国 吴文永 任义才 邓玲娥 叶庆 邵生海, each a year after joining in 2024
    assert "统计时段：2025年1月1日至2025年12月31日" in helpers.sheet_rows(xlsx, 0)[1][0]


def test_a_year_not_begun_is_refused(sample_store, tmp_path):
    with sample_store.session() as session:
        village_id = current_village(session).id
    with pytest.raises(exports.ExportError, match="2027年还没有开始"):
        _export(sample_store, village_id, 2027, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
