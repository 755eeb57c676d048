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
