"""Member statistics of the quarterly return: quarters, age bands, who counts, and totals that reconcile."""

import datetime as dt

import pytest
from python_calamine import CalamineWorkbook

from partybuild_desktop.domain import statistics as st
from partybuild_desktop.domain.statistics import MemberFacts, MemberStatistics, Quarter, StatisticsMismatch
from partybuild_desktop.domain.vocabulary import Education, Gender, MemberCategory, MemberEventKind, Standing
from partybuild_desktop.services.exports import ExportOptions, export
from partybuild_desktop.services.member_statistics import member_statistics
from partybuild_desktop.services.members import change_status, list_members
from tests.conftest import SAMPLE_TODAY

Q3 = Quarter(2026, 3)


@pytest.mark.parametrize("text", ["2026Q3", "2026q3", " 2026-Q3 ", "2026 Q3", "2026年第三季度", "2026年第3季度"])
def test_quarters_are_read_in_the_ways_people_write_them(text):
    assert Quarter.parse(text) == Q3


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "26Q3", "2026", "Q3", "", "2026Q3x"])
def test_a_bad_quarter_says_how_to_write_it(text):
    with pytest.raises(ValueError, match="请写成 2026Q3"):
        Quarter.parse(text)


def test_quarter_dates_and_names():
    assert (Q3.start, Q3.end, Q3.label, Q3.title) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026Q3", "2026年第三季度")
    assert Quarter(2026, 4).end == dt.date(2026, 12, 31) and Quarter(2024, 1).end == dt.date(2024, 3, 31)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert st.last_complete_quarter(dt.date(2026, 11, 23)) == Q3


@pytest.mark.parametrize("age, band", [(18, "le30"), (30, "le30"), (31, "31_35"), (35, "31_35"), (36, "36_40"),
                                       (56, "56_60"), (60, "56_60"), (61, "ge61"), (99, "ge61")])
def test_age_bands(age, band):
    end = dt.date(2026, 9, 30)
    born_on_the_day = dt.date(end.year - age, end.month, end.day)  # the birthday itself counts
    assert st.age_band(born_on_the_day, end) == band
    assert st.age_band(born_on_the_day + dt.timedelta(days=1), end) == st.age_band(
        dt.date(end.year - age + 1, end.month, end.day), end)


def test_the_bands_are_the_ones_the_township_asks_for():
    assert [b.label for b in st.AGE_BANDS] == ["30及以下", "31—35", "36—40", "41—45", "46—50", "51—55", "56—60", "61及以上"]
    assert st.age_band(None, Q3.end) == "unknown"
    assert st.ethnicity_group("汉族") == "han" and st.ethnicity_group("回族") == "minority"
    assert st.ethnicity_group(" ") == "unknown" and st.education_group(None) == "unknown"


def facts(**changes) -> MemberFacts:
    base = dict(gender=Gender.MALE, ethnicity="汉族", birth_date=dt.date(1980, 5, 1), education=Education.COLLEGE,
                standing=Standing.FULL, confirmed_date=dt.date(2005, 1, 1), category=MemberCategory.FARMER,
                entered=dt.date(2004, 1, 1), entry_kind=MemberEventKind.JOINED, left=None, departure=None)
    base.update(changes)
    return MemberFacts(**base)


def test_who_counts_at_the_end_of_the_quarter_and_what_changed_in_it():
    people = [
        facts(),  # on the register throughout
        facts(gender=Gender.FEMALE, ethnicity="壮族", birth_date=dt.date(1996, 10, 1), education=None),  # 29 on 30 Sep
        facts(entered=dt.date(2026, 8, 1), standing=Standing.PROBATIONARY, confirmed_date=None),  # joined in Q3
        facts(entered=dt.date(2026, 8, 2), entry_kind=MemberEventKind.TRANSFERRED_IN),  # transferred in
        facts(left=dt.date(2026, 7, 10), departure=MemberEventKind.TRANSFERRED_OUT),
        facts(left=dt.date(2026, 9, 30), departure=MemberEventKind.DIED),  # the last day: gone by the end
        facts(left=dt.date(2026, 6, 30), departure=MemberEventKind.ARCHIVED),  # gone before the quarter
        facts(left=dt.date(2026, 10, 5), departure=MemberEventKind.ARCHIVED),  # still there at the end
        facts(entered=dt.date(2026, 10, 1)),  # joined after the quarter: not counted
        facts(confirmed_date=dt.date(2026, 10, 20)),  # confirmed after the end: still probationary then
        facts(entered=dt.date(2026, 7, 5), left=dt.date(2026, 9, 1), departure=MemberEventKind.TRANSFERRED_OUT),
        facts(gender=None, birth_date=None, entered=None),  # nothing known: counted, as 未填
    ]
    stats = st.compute(people, Q3.start, Q3.end)
    c = stats.counts
    assert c["total"] == 7
    assert (c["opening"], c["joined"], c["transferred_in"]) == (7, 2, 1)
    assert (c["transferred_out"], c["died"], c["left_other"]) == (2, 1, 0)
    assert c["opening"] + stats.came - stats.gone == c["total"]
    assert (c["gender_male"], c["gender_female"], c["gender_unknown"]) == (5, 1, 1)
    assert (c["ethnicity_han"], c["ethnicity_minority"]) == (6, 1)
    assert (c["standing_full"], c["standing_probationary"]) == (5, 2)
    assert (c["age_le30"], c["age_46_50"], c["age_unknown"]) == (1, 5, 1)
    assert (c["education_college"], c["education_unknown"]) == (6, 1)
    assert stats.women_share == round(100 / 7, 1) and stats.young == 1 and stats.young_share == round(100 / 7, 1)
    assert st.problems(stats) == []


def test_a_departure_dated_before_the_entry_still_reconciles():
    odd = facts(entered=dt.date(2026, 8, 1), left=dt.date(2026, 5, 1), departure=MemberEventKind.DIED)
    stats = st.compute([odd, facts()], Q3.start, Q3.end)
    assert stats.counts["joined"] == stats.counts["died"] == 1 and stats.total == 1


@pytest.mark.parametrize("key", ["gender_male", "age_ge61", "education_bachelor", "category_migrant",
                                 "standing_full", "ethnicity_han", "opening", "died"])
def test_counts_that_do_not_add_up_are_refused_loudly(key):
    good = st.compute([facts(), facts(gender=Gender.FEMALE)], Q3.start, Q3.end).to_dict()
    MemberStatistics.from_counts(good)  # as made: fine
    broken = dict(good, **{key: good[key] + 1})
    with pytest.raises(StatisticsMismatch, match="对不上"):
        MemberStatistics.from_counts(broken)
    with pytest.raises(StatisticsMismatch):
        st.reconcile(MemberStatistics(broken))


def test_counts_must_be_complete_whole_numbers():
    good = st.compute([facts()], Q3.start, Q3.end).to_dict()
    for bad in ({k: v for k, v in good.items() if k != "total"}, dict(good, total=1.0), dict(good, total=-1),
                dict(good, total=True)):
        with pytest.raises(StatisticsMismatch):
            MemberStatistics.from_counts(bad)


def test_the_sum_of_villages_reconciles():
    a = st.compute([facts(), facts(gender=Gender.FEMALE)], Q3.start, Q3.end)
    b = st.compute([facts(birth_date=None), facts(left=dt.date(2026, 8, 1), departure=MemberEventKind.DIED)],
                   Q3.start, Q3.end)
    total = st.add_up([a, b])
    assert total.to_dict() == {k: a[k] + b[k] for k in st.FIELDS} and total.total == 3


def test_attachment1_counts_are_checked():
    figures = {"members": 3, "employed": 1, "farmer": 1, "migrant": 1, "elderly": 0}
    assert st.check_attachment1(figures, figures) == figures
    with pytest.raises(StatisticsMismatch, match="按类别"):
        st.check_attachment1(dict(figures, members=4), figures)
    with pytest.raises(StatisticsMismatch, match="非负整数"):
        st.check_attachment1(dict(figures, farmer="1"), figures)


# ---------------------------------------------------------------------------------------- a real village


def leave_some(store):
    """Three members leave in the third quarter and one before it."""
    with store.session() as session:
        members = [m for m in list_members(session, 1) if not m.archived][10:14]
        change_status(session, members[0].id, MemberEventKind.TRANSFERRED_OUT, dt.date(2026, 7, 15), "转往县城", SAMPLE_TODAY)
        change_status(session, members[1].id, MemberEventKind.DIED, dt.date(2026, 9, 2), "病故", SAMPLE_TODAY)
        change_status(session, members[2].id, MemberEventKind.ARCHIVED, dt.date(2026, 8, 20), "出国定居", SAMPLE_TODAY)
        change_status(session, members[3].id, MemberEventKind.TRANSFERRED_OUT, dt.date(2026, 5, 1), "转往邻村", SAMPLE_TODAY)


def test_a_villages_statistics_count_its_departures(sample_store):
    with sample_store.session() as session:
        before = member_statistics(session, 1, Q3.start, Q3.end)
    leave_some(sample_store)
    with sample_store.session() as session:
        after = member_statistics(session, 1, Q3.start, Q3.end)
    # The sample village itself transferred one member out in the quarter (the 回执 came on 2 July).
    assert (before["transferred_out"], before["died"], before["left_other"]) == (1, 0, 0)
    assert (after["transferred_out"], after["died"], after["left_other"]) == (2, 1, 1)
    assert after.total == before.total - 4 and after["opening"] == before["opening"] - 1
    assert st.problems(after) == []


def read_tables(path):
    """Each sheet of a member-stats workbook as (headers of the lower header row, data rows)."""
    book = CalamineWorkbook.from_path(str(path))
    tables = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        header_at = next(i for i, r in enumerate(rows) if r[0] == "单位")
        groups, headers = rows[header_at], rows[header_at + 1]
        data = []
        for r in rows[header_at + 2:]:
            if not isinstance(r[1], (int, float)) or isinstance(r[1], bool) or r[0] == "":
                break
            data.append(r)
        tables.append((name, groups, headers, data))
    return tables


def test_the_exported_tables_reconcile_breakdown_by_breakdown(sample_store, tmp_path):
    leave_some(sample_store)
    path = tmp_path / "统计.xlsx"
    export(sample_store, None, "member-stats", path, ExportOptions(year=2026, quarter=3, today=SAMPLE_TODAY))
    tables = read_tables(path)
    assert [t[0] for t in tables] == ["表一 基本情况", "表二 年龄和学历", "表三 增减情况"]
    with sample_store.session() as session:
        expected = member_statistics(session, 1, Q3.start, Q3.end)
    checked = 0
    for name, groups, headers, data in tables[:2]:
        (row,) = data
        total = row[1]
        assert total == expected.total
        # Columns under one group heading (merged: the heading is in its first column) add up to the total.
        group = None
        sums: dict[str, float] = {}
        for i in range(2, len(headers)):
            group = groups[i] or group
            if group and group != "占比（%）":
                sums[group] = sums.get(group, 0) + row[i]
        assert set(sums) >= ({"性别", "民族", "人员类别", "党员类别"} if name.startswith("表一") else {"年龄（岁）", "学历"})
        for group, value in sums.items():
            assert value == total, f"{name} {group}"
            checked += 1
    assert checked == 6
    (flow,) = tables[2][3]
    opening, joined, moved_in, came, out, died, other, gone, closing = flow[1:10]
    assert (out, died, other) == (2, 1, 1) and came == joined + moved_in  # the sample's own transfer out too and gone == out + died + other
    assert opening + came - gone == closing == expected.total


def test_the_year_version_and_a_quarter_not_begun(sample_store, tmp_path):
    from partybuild_desktop.services.exports import ExportError

    result = export(sample_store, None, "member-stats", tmp_path / "年.pdf", ExportOptions(year=2026, today=SAMPLE_TODAY))
    assert result.path.exists()
    with pytest.raises(ExportError, match="还没有开始"):
        export(sample_store, None, "member-stats", tmp_path / "x.xlsx", ExportOptions(year=2027, quarter=1, today=SAMPLE_TODAY))
    assert not (tmp_path / "x.xlsx").exists()
