"""党费收缴登记表 and 党费收缴情况公示 written and read back: months, totals, and no income on the notice."""

import datetime as dt

import pytest

from partybuild_desktop.domain.dues import DuesKind
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services import dues, exports
from partybuild_desktop.services.dues import AssessmentForm, PaymentForm
from tests import helpers

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def village(store):
    with store.session() as session:
        village_id = helpers.village(session)
        worker = helpers.member(session, village_id, "在职甲", category=MemberCategory.EMPLOYED,
                                id_number=helpers.make_id(), joined_date=dt.date(2000, 1, 1))
        helpers.member(session, village_id, "农民乙", joined_date=dt.date(1990, 1, 1))
        dues.set_assessment(session, village_id, worker, AssessmentForm(DuesKind.EMPLOYED, 623_456, None, (2026, 1)),
                            today=TODAY)
        dues.pay(session, village_id, worker, PaymentForm([(2026, m) for m in (1, 2, 3)], 28_056, dt.date(2026, 3, 30)),
                 today=TODAY)
        dues.collect_month(session, village_id, (2026, 4), dt.date(2026, 4, 28), today=TODAY)
    return store, village_id


def export(store, village_id, name, path):
    return exports.export(store, village_id, name, path, exports.ExportOptions(year=2026, today=TODAY))


def test_the_register_lists_members_by_month_with_the_base_and_totals(village, tmp_path):
    store, village_id = village
    export(store, village_id, "dues-register", tmp_path / "登记表.xlsx")
    rows = helpers.sheet_rows(tmp_path / "登记表.xlsx")
    header = next(r for r in rows if r and r[0] == "序号")
    worker = next(r for r in rows if "在职甲" in r)
    farmer = next(r for r in rows if "农民乙" in r)
    assert float(worker[4]) == 6234.56 and float(worker[5]) == 93.52  # 6234.56 × 1.5 % = 93.5184, half up
    months = worker[6:18]
    assert [float(m) if m not in (None, "") else None for m in months] == [93.52] * 4 + [None] * 8
    assert [float(m) if m not in (None, "") else None for m in farmer[6:18]] == [None] * 3 + [0.5] + [None] * 8
    total = next(r for r in rows if r and r[0] == "合计")
    assert float(total[-2]) == round(4 * 93.52 + 0.5, 2)
    assert header  # the header row is there
    pdf = export(store, village_id, "dues-register", tmp_path / "登记表.pdf")
    assert "2026年度党费收缴登记表" in helpers.pdf_text(pdf.path)


def test_the_notice_shows_what_was_paid_and_no_income_or_id_number(village, tmp_path):
    store, village_id = village
    result = export(store, village_id, "dues-notice", tmp_path / "公示.pdf")
    text = helpers.pdf_text(result.path)
    assert "2026年度党费收缴情况公示" in text and "在职甲" in text and "374.08" in text  # 4 × 93.52
    assert "6234.56" not in text and "6,234.56" not in text and helpers.make_id()[:6] not in text
    export(store, village_id, "dues-notice", tmp_path / "公示.xlsx")
    cells = [c for row in helpers.sheet_rows(tmp_path / "公示.xlsx") for c in row if c is not None]
    assert not any(str(c).startswith("6234") for c in cells)


def test_the_quarterly_return_carries_dues_and_funds_and_the_township_adds_them_up(village, tmp_path):
    from partybuild_desktop.domain.statistics import Quarter
    from partybuild_desktop.reports.tables import money_summary
    from partybuild_desktop.services import funds
    from partybuild_desktop.services.consolidation import consolidate, quarter_figures
    from partybuild_desktop.services.returns import export_return

    store, village_id = village
    with store.session() as session:
        funds.add_entry(session, village_id, funds.FundsForm("income", dt.date(2026, 4, 2), 2_000_000, "镇拨付党建经费",
                                                             source="财政拨付"), today=TODAY)
        funds.add_entry(session, village_id, funds.FundsForm("expense", dt.date(2026, 5, 6), 35_000, "购买学习资料",
                                                             project="学习教育"), today=TODAY)
    result = export_return(store, village_id, Quarter(2026, 2), tmp_path / "stick", today=TODAY)
    import json

    data = json.loads((result.path / "return.json").read_text("utf-8"))
    # April–June: the worker owes 3 × 93.52 and paid April; the farmer owes 3 × 0.50 and paid April.
    assert data["figures"]["money"] == {"dues_members": 2, "dues_due_fen": 3 * 9352 + 150,
                                        "dues_paid_fen": 9352 + 50, "dues_in_arrears": 2,
                                        "funds_income_fen": 2_000_000, "funds_spent_fen": 35_000}
    assert any(f["name"].endswith(f"{money_summary.TITLE}.pdf") for f in data["files"])
    township = helpers.new_store(tmp_path / "township")
    outcome = consolidate(township, "2026Q2", [result.path], out_dir=tmp_path / "out", today=TODAY)
    assert [p.status for p in outcome.packages] == ["accepted"]
    with township.session() as session:
        assert quarter_figures(session, "2026Q2")[0].figures["money"]["funds_spent_fen"] == 35_000
    summary = next(p for p in outcome.files if money_summary.TITLE in p.name and p.suffix == ".xlsx")
    total = next(r for r in helpers.sheet_rows(summary) if r and r[0] == "合计")
    assert float(total[3]) == round((9352 + 50) / 100, 2) and float(total[5]) == 20000


@pytest.mark.parametrize("damage, message", [
    (dict(dues_members=-1), "不是非负整数"), (dict(dues_paid_fen=2 ** 63), "不可能这么多"),
    (dict(dues_in_arrears=99), "欠交人数多于应交人数"), (dict(funds_income_fen="20000"), "不是非负整数"),
])
def test_money_figures_that_cannot_be_true_are_refused(damage, message):
    from partybuild_desktop.reports.tables import money_summary

    good = {key: 0 for key in money_summary.FIGURE_KEYS} | {"dues_members": 5}
    assert money_summary.check_figures(good) == good
    with pytest.raises(ValueError, match=message):
        money_summary.check_figures(good | damage)
