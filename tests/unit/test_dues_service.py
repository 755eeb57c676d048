"""党费 through services.dues on a real data file: assessments changing mid-year, who owes which months,
payments and make-ups, the month's collection, arrears, the alert and the points board."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.dues import DuesKind
from partybuild_desktop.domain.vocabulary import MemberCategory, MemberEventKind, Standing
from partybuild_desktop.services import alerts, dues, points
from partybuild_desktop.services.dues import AssessmentForm, DuesError, PaymentForm
from partybuild_desktop.store.models import DuesPayment, Member, MemberEvent
from tests import helpers

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def village(store):
    """An employed member, a farmer with no assessment, a 预备党员 accepted in May and a member who
    transferred out in September."""
    with store.session() as session:
        village_id = helpers.village(session)
        worker = helpers.member(session, village_id, "在职甲", category=MemberCategory.EMPLOYED,
                                joined_date=dt.date(2000, 1, 1))
        farmer = helpers.member(session, village_id, "农民乙", joined_date=dt.date(1990, 1, 1))
        probation = helpers.member(session, village_id, "预备丙", standing=Standing.PROBATIONARY,
                                   category=MemberCategory.EMPLOYED, joined_date=dt.date(2026, 5, 20))
        gone = helpers.member(session, village_id, "转出丁", joined_date=dt.date(1995, 1, 1), archived=True)
        session.add(MemberEvent(member_id=gone, date=dt.date(2026, 9, 10), kind=MemberEventKind.TRANSFERRED_OUT,
                                note="转往县城"))
        dues.set_assessment(session, village_id, worker, AssessmentForm(DuesKind.EMPLOYED, 300_000, None, (2026, 1)),
                            today=TODAY)
    return store, village_id, dict(worker=worker, farmer=farmer, probation=probation, gone=gone)


def row(grid, member_id):
    return next(r for r in grid.rows if r.member_id == member_id)


def test_a_pay_change_applies_from_the_month_it_starts(village):
    store, village_id, who = village
    with store.session() as session:
        dues.set_assessment(session, village_id, who["worker"], AssessmentForm(DuesKind.EMPLOYED, 500_001, None, (2026, 7)),
                            today=TODAY)
        grid = dues.dues_year(session, village_id, 2026, (2026, 12))
        cells = row(grid, who["worker"]).months
        assert [c.due_fen for c in cells] == [1500] * 6 + [7500] * 6
        assert row(grid, who["worker"]).due_fen == 6 * 1500 + 6 * 7500
        assert row(grid, who["worker"]).monthly_fen == 7500


def test_who_owes_which_months(village):
    store, village_id, who = village
    with store.session() as session:
        grid = dues.dues_year(session, village_id, 2026, (2026, 11))
        assert row(grid, who["farmer"]).kind is DuesKind.FARMER and row(grid, who["farmer"]).monthly_fen == 50
        # 预备党员 from the month of the assembly that accepted them (May); not assessed yet: owes nothing.
        assert [c.due_fen for c in row(grid, who["probation"]).months] == [None] * 12
        # The probationary member has no assessment and is not a farmer: 未核定, owing nothing yet.
        assert row(grid, who["probation"]).kind is None
        dues.set_assessment(session, village_id, who["probation"], AssessmentForm(DuesKind.STUDENT, None, None, (2026, 1)),
                            today=TODAY)
        cells = row(dues.dues_year(session, village_id, 2026, (2026, 11)), who["probation"]).months
        assert [c.due_fen for c in cells] == [None] * 4 + [20] * 8
        # Transferred out in September: owes January to September (党费交到转出当月).
        gone = row(grid, who["gone"]).months
        assert [c.due_fen for c in gone] == [50] * 9 + [None] * 3


def test_payments_for_several_months_make_ups_and_refusals(village):
    store, village_id, who = village
    with store.session() as session:
        paid = dues.pay(session, village_id, who["worker"], PaymentForm([(2026, 1), (2026, 2), (2026, 3)], 4500,
                                                                        dt.date(2026, 3, 31), "王会计", "No.001"),
                        today=TODAY)
        assert [a for _, a, _ in paid.months] == [1500, 1500, 1500] and paid.warnings == ()
        each = dues.pay(session, village_id, who["worker"], PaymentForm([(2026, 4), (2026, 5)], 1500,
                                                                        dt.date(2026, 6, 1)), today=TODAY)
        assert each.total_fen == 3000  # one month's amount given for two months: each month's
        odd = dues.pay(session, village_id, who["worker"], PaymentForm([(2026, 6), (2026, 7)], 2001,
                                                                       dt.date(2026, 8, 1)), today=TODAY)
        assert [a for _, a, _ in odd.months] == [1001, 1000]
        assert [w.code for w in odd.warnings] == ["payment_differs_from_due"]
        late = dues.pay(session, village_id, who["farmer"], PaymentForm([(2026, 1)], 50, TODAY), today=TODAY)
        assert [w.code for w in late.warnings] == ["make_up_over_six_months"]
        before = session.scalar(select(func.count()).select_from(DuesPayment))
        for form, message in (
                (PaymentForm([(2026, 1)], 1500, TODAY), "已经登记过"),
                (PaymentForm([(2027, 1)], 1500, TODAY), "不能预交下一年度"),
                (PaymentForm([(2026, 8)], 1500, TODAY + dt.timedelta(days=1)), "晚于今天"),
                (PaymentForm([], 1500, TODAY), "哪几个月"),
        ):
            with pytest.raises(DuesError, match=message):
                dues.pay(session, village_id, who["worker"], form, today=TODAY)
        with pytest.raises(DuesError, match="不需要交纳党费"):
            dues.pay(session, village_id, who["gone"], PaymentForm([(2026, 10)], 50, TODAY), today=TODAY)
        assert session.scalar(select(func.count()).select_from(DuesPayment)) == before


def test_the_months_collection_records_everyone_owing_it_at_the_standard_amount(village):
    store, village_id, who = village
    with store.session() as session:
        dues.pay(session, village_id, who["farmer"], PaymentForm([(2026, 10)], 50, TODAY), today=TODAY)
        collected = dues.collect_month(session, village_id, (2026, 10), dt.date(2026, 10, 25), "王会计", today=TODAY)
        assert (collected.members, collected.total_fen) == (1, 1500)  # the worker; the farmer had paid
        again = dues.collect_month(session, village_id, (2026, 10), dt.date(2026, 10, 25), today=TODAY)
        assert again.members == 0
        with pytest.raises(DuesError, match="还没有到"):
            dues.collect_month(session, village_id, (2027, 1), today=TODAY)


def test_arrears_the_alert_and_the_points_line(village):
    store, village_id, who = village
    with store.session() as session:
        dues.pay(session, village_id, who["worker"], PaymentForm([(2026, m) for m in range(1, 6)], 7500,
                                                                 dt.date(2026, 5, 31)), today=TODAY)
        grid = dues.dues_year(session, village_id, 2026, (2026, 11))
        worker = row(grid, who["worker"])
        assert (worker.arrears_months, worker.unpaid_run, worker.warning) == (6, 6, "serious")
        assert worker.to_json()["kind"] == "在职" and worker.to_json()["base_fen"] == 300_000
        unpaid = {a.member: a for a in alerts.dues_unpaid(session, village_id, TODAY)}
        assert unpaid["在职甲"].level == "serious" and "连续 6 个月" in unpaid["在职甲"].message
        assert "转出丁" not in unpaid  # left in September
        trace = points.explain(session, village_id, 2026, who["worker"], as_of=TODAY)
        line = next(l for l in trace.lines if l.item_code == "dues_missed")
        assert line.quantity == 6 and line.points == -12
        assert [e.text for e in line.evidence][:2] == ["2026年6月党费未交（应交 15.00 元）", "2026年7月党费未交（应交 15.00 元）"]
        board = {m.member_id: m.score for m in points.board(session, village_id, 2026, as_of=TODAY).members}
        assert board[who["worker"]] == trace.score


def test_hardship_needs_its_decision_and_owing_nothing_is_never_in_arrears(village):
    store, village_id, who = village
    with store.session() as session:
        with pytest.raises(DuesError, match="决定的日期"):
            dues.set_assessment(session, village_id, who["farmer"], AssessmentForm(DuesKind.REDUCED, None, 0, (2026, 1)),
                                today=TODAY)
        dues.set_assessment(session, village_id, who["farmer"], AssessmentForm(
            DuesKind.REDUCED, None, 0, (2026, 1), dt.date(2026, 1, 5), "镇党委"), today=TODAY)
        farmer = row(dues.dues_year(session, village_id, 2026, (2026, 11)), who["farmer"])
        assert (farmer.due_fen, farmer.arrears_months, farmer.warning) == (0, 0, "none")
        with pytest.raises(DuesError, match="0.20 元到 1.00 元"):
            dues.set_assessment(session, village_id, who["farmer"], AssessmentForm(DuesKind.FARMER, None, 150, (2026, 2)),
                                today=TODAY)
        warnings = dues.set_assessment(session, village_id, who["worker"],
                                       AssessmentForm(DuesKind.EMPLOYED, 300_000, 2000, (2026, 3)), today=TODAY)
        assert [w.code for w in warnings] == ["amount_differs_from_rule"]
        assert session.get(Member, who["worker"]) is not None


def test_the_grids_query_gives_the_same_rows_in_sqlites_form_and_the_portable_one(village):
    from partybuild_desktop.store import dues_facts

    store, village_id, who = village
    with store.session() as session:
        dues.set_assessment(session, village_id, who["worker"], AssessmentForm(DuesKind.EMPLOYED, 500_001, None, (2026, 7)),
                            today=TODAY)
        dues.pay(session, village_id, who["worker"], PaymentForm([(2026, 1), (2026, 2)], 1500, dt.date(2026, 2, 2)),
                 today=TODAY)
        dues.pay(session, village_id, who["farmer"], PaymentForm([(2025, 12)], 50, dt.date(2026, 1, 2)), today=TODAY)
        connection = session.connection()
        tuned = dues_facts.member_year(connection, village_id, 2026)
        assert tuned == dues_facts.member_year(connection, village_id, 2026, portable=True)
        assert dues_facts.member_year(connection, village_id, 2026, [who["worker"]]) == [
            r for r in tuned if r[0] == who["worker"]]
        worker = [r for r in tuned if r[0] == who["worker"]]
        assert [r[6] for r in worker] == [2026 * 12, 2026 * 12 + 6]  # both assessments, in order (January, July)
        assert worker[0][10] == (1 << 12) | (1 << 13) and worker[0][11] == 3000  # January and February 2026
        farmer = next(r for r in tuned if r[0] == who["farmer"])
        assert farmer[10] == 1 << 11 and farmer[11] == 50  # December 2025: in the two-year window


def test_a_member_who_transferred_in_owes_from_that_month(village):
    store, village_id, who = village
    with store.session() as session:
        moved = helpers.member(session, village_id, "转入戊", joined_date=dt.date(1991, 3, 1))
        session.add(MemberEvent(member_id=moved, date=dt.date(2026, 8, 10), kind=MemberEventKind.TRANSFERRED_IN,
                                note="从邻村转入"))
        grid = dues.dues_year(session, village_id, 2026, (2026, 11))
        assert [c.due_fen for c in row(grid, moved).months] == [None] * 7 + [50] * 5
        assert (row(grid, moved).arrears_months, row(grid, moved).warning) == (4, "notice")
