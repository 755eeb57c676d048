"""党建经费台账 through services.funds on a real data file: refusals that write nothing, projects matched
across spellings, the year's status per project and in total with the carry-over, a quarter's figures,
the minimum, attachments, the alerts, and the 公示 read back as xlsx and pdf."""

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from partybuild_desktop.services import alerts, exports, funds
from partybuild_desktop.services.exports import ExportOptions
from partybuild_desktop.services.funds import FundsError, FundsForm
from partybuild_desktop.store.models import FundsAttachment, FundsEntry
from tests import helpers

TODAY = dt.date(2026, 11, 23)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def add(session, village_id, *args, **fields):
    return funds.add_entry(session, village_id, FundsForm(*args, **fields), TODAY)


@pytest.fixture
def ledger(store):
    """2025: 5,000 in, 1,000 out (4,000 carried over). 2026: budgets for 党员教育 (10,000) and 阵地建设
    (8,000); 30,000 from the county in March and 3,560 of dues returned in July; spending in every quarter,
    one of it under a project without a budget, and 党员教育 over its budget."""
    with store.session() as s:
        vid = helpers.village(s, name="东湖村")
        add(s, vid, "income", dt.date(2025, 3, 1), 500000, "2025年拨付", source="财政拨付")
        add(s, vid, "expense", dt.date(2025, 6, 1), 100000, "2025年支出", project="阵地建设", voucher_no="2025-1")
        add(s, vid, "budget", dt.date(2026, 1, 5), "10000", "全年党员教育培训", project="党员教育")
        add(s, vid, "budget", dt.date(2026, 1, 5), "8000", "活动室维修", project="阵地建设")
        add(s, vid, "income", dt.date(2026, 3, 15), "30000", "县财政拨付", source="财政拨付")
        add(s, vid, "expense", dt.date(2026, 2, 10), "2380.50", "学习资料", project="党员教育", voucher_no="记-1",
            approved_by="王书记", handled_by="李会计")
        add(s, vid, "income", dt.date(2026, 7, 2), "3560", "上半年党费返还", source="党费返还")
        add(s, vid, "expense", dt.date(2026, 8, 12), "8000", "七一培训", project="党员 教育", voucher_no="记-7")
        add(s, vid, "expense", dt.date(2026, 9, 20), "860", "宣传横幅", project="宣传", voucher_no="记-9")
        add(s, vid, "expense", dt.date(2026, 10, 8), "1200", "活动室刷墙", project="阵地建设", voucher_no="记-10")
    return store, vid


def test_refusals_say_what_to_fix_and_write_nothing(store):
    with store.session() as s:
        vid = helpers.village(s)
    cases = [
        (FundsForm("expense", dt.date(2026, 5, 1), "0", "买书", project="党员教育"), "金额应大于 0"),
        (FundsForm("expense", dt.date(2026, 5, 1), "-20", "买书", project="党员教育"), "金额应大于 0"),
        (FundsForm("expense", dt.date(2026, 5, 1), "十块", "买书", project="党员教育"), "不是金额"),
        (FundsForm("expense", dt.date(2026, 5, 1), "1.234", "买书", project="党员教育"), "小数超过两位"),
        (FundsForm("expense", dt.date(2026, 11, 24), "20", "买书", project="党员教育"), "晚于今天"),
        (FundsForm("expense", dt.date(2026, 5, 1), "20", "  ", project="党员教育"), "请填写支出的摘要"),
        (FundsForm("transfer", dt.date(2026, 5, 1), "20", "x"), "请选择类型"),
        (FundsForm("expense", None, "20", "买书", project="党员教育"), "请填写日期"),
        (FundsForm("expense", dt.date(2026, 5, 1), "20", "买书", project="党员教育", voucher_no="记" * 40), "凭证号"),
    ]
    for form, words in cases:
        with pytest.raises(FundsError, match=words):
            with store.session() as s:
                funds.add_entry(s, vid, form, TODAY)
    with store.session() as s:
        assert s.scalar(select(func.count(FundsEntry.id))) == 0


def test_every_problem_of_a_form_is_named_at_once(store):
    with store.session() as s:
        vid = helpers.village(s)
        with pytest.raises(FundsError) as refused:
            funds.add_entry(s, vid, FundsForm("expense", dt.date(2027, 1, 1), "0", ""), TODAY)
    message = str(refused.value)
    assert all(words in message for words in ("晚于今天", "金额应大于 0", "摘要"))


def test_what_the_command_may_leave_out_is_kept_and_flagged(store):
    with store.session() as s:
        vid = helpers.village(s)
        income = funds.add_entry(s, vid, FundsForm("income", dt.date(2026, 5, 1), "20", "拨付"), TODAY)
        assert s.get(FundsEntry, income.id).source == "其他"
        budget = funds.add_entry(s, vid, FundsForm("budget", dt.date(2026, 1, 1), "20", "全年 学习资料"), TODAY)
        assert s.get(FundsEntry, budget.id).project == "全年学习资料"
        expense = funds.add_entry(s, vid, FundsForm("expense", dt.date(2026, 5, 1), "20", "买书", project="　"), TODAY)
        assert funds.EXPENSE_WITHOUT_BUDGET in [w.code for w in expense.warnings]
        assert "没有写明项目" in expense.warnings[0].message


def test_an_expense_takes_its_budget_lines_spelling_and_warns_without_one(store):
    with store.session() as s:
        vid = helpers.village(s)
        add(s, vid, "budget", dt.date(2026, 1, 5), "1000", "全年", project="党员教育培训")
        add(s, vid, "income", dt.date(2026, 1, 6), "2000", "拨付", source="其他")
        saved = add(s, vid, "expense", dt.date(2026, 3, 1), "100", "资料", project=" 党员　教育 培训 ", voucher_no="1")
        assert saved.warnings == ()
        assert s.get(FundsEntry, saved.id).project == "党员教育培训"
        other = add(s, vid, "expense", dt.date(2026, 3, 2), "50", "茶水", project="主题党日")
        assert [w.code for w in other.warnings] == [funds.EXPENSE_WITHOUT_BUDGET, funds.VOUCHER_MISSING]
        assert "主题党日" in other.warnings[0].message
        over = add(s, vid, "expense", dt.date(2026, 3, 3), "950", "培训", project="党员教育培训", voucher_no="1")
        assert [w.code for w in over.warnings] == [funds.OVER_BUDGET, funds.VOUCHER_DUPLICATE]
        assert "超出预算 50.00 元" in over.warnings[0].message
        big = add(s, vid, "expense", dt.date(2026, 3, 4), "1000", "x", project="党员教育培训", voucher_no="2")
        assert [w.code for w in big.warnings] == [funds.OVER_BUDGET, funds.SPENT_MORE_THAN_RECEIVED]
        assert "超过可用经费（上年结转加本年拨付）100.00 元" in big.warnings[1].message  # 2,100 of 2,000


def test_the_years_status_per_project_and_in_total_with_the_carry_over(ledger):
    store, vid = ledger
    with store.session() as s:
        status = funds.funds_status(s, vid, 2026)
    assert status.carried_over_fen == 400000
    assert (status.budget_fen, status.income_fen, status.spent_fen) == (1800000, 3356000, 1244050)
    assert status.balance_fen == 400000 + 3356000 - 1244050
    assert status.income_by_source == {"财政拨付": 3000000, "党费返还": 356000}
    lines = {p.project: p for p in status.projects}
    assert list(lines) == ["党员教育", "阵地建设", "宣传"]
    assert (lines["党员教育"].budget_fen, lines["党员教育"].spent_fen) == (1000000, 1038050)
    assert lines["党员教育"].over_budget and lines["党员教育"].balance_fen == -38050
    assert not lines["阵地建设"].over_budget and lines["阵地建设"].balance_fen == 800000 - 120000
    assert not lines["宣传"].budgeted and lines["宣传"].over_budget
    assert [e.project for e in status.unbudgeted] == ["宣传"]
    assert status.below_minimum and status.minimum_fen == funds.DEFAULT_MINIMUM_FEN
    data = status.to_json()
    assert {"year", "budget_fen", "income_fen", "spent_fen", "balance_fen", "projects", "below_minimum",
            "unbudgeted"} <= set(data)
    assert data["projects"][0] == {"project": "党员教育", "budget_fen": 1000000, "spent_fen": 1038050,
                                   "balance_fen": -38050, "over_budget": True, "budgeted": True}
    with store.session() as s:
        last_year = funds.funds_status(s, vid, 2025)
    assert (last_year.carried_over_fen, last_year.balance_fen, last_year.budget_fen) == (0, 400000, 0)


def test_a_quarter_counts_from_january_to_its_end_and_lists_its_own_entries(ledger):
    store, vid = ledger
    with store.session() as s:
        q3 = funds.funds_status(s, vid, 2026, 3)
    assert (q3.start, q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert [e.item for e in q3.entries] == ["上半年党费返还", "七一培训", "宣传横幅"]
    assert (q3.period_income_fen, q3.period_spent_fen) == (356000, 886000)
    assert (q3.income_fen, q3.spent_fen) == (3356000, 238050 + 886000)  # October's 1,200 not yet
    assert {p.project: p.period_spent_fen for p in q3.projects} == {"党员教育": 800000, "阵地建设": 0, "宣传": 86000}
    with pytest.raises(ValueError):
        funds.period(2026, 5)


def test_minimum_setting_and_alerts(ledger):
    store, vid = ledger
    with store.session() as s:
        found = {a.kind: a for a in alerts.collect(s, vid, TODAY) if a.target == "funds"}
    assert set(found) == {"funds_below_minimum", "expense_without_budget"}
    assert found["funds_below_minimum"].level == alerts.NOTICE
    assert "33560.00 元" in found["funds_below_minimum"].message and "还差 6440.00 元" in found["funds_below_minimum"].message
    assert "宣传" in found["expense_without_budget"].message and "宣传横幅" in found["expense_without_budget"].message
    with store.session() as s:
        # Before October no minimum alert yet; the unbudgeted expense (September) is named from then on.
        kinds = {a.kind for a in alerts.collect(s, vid, dt.date(2026, 9, 30)) if a.target == "funds"}
        assert kinds == {"expense_without_budget"}
        funds.set_funds_minimum(s, 3_000_000)
        assert funds.funds_minimum(s) == 3_000_000
        assert not funds.funds_status(s, vid, 2026).below_minimum
        assert "funds_below_minimum" not in {a.kind for a in alerts.collect(s, vid, TODAY)}
        with pytest.raises(FundsError):
            funds.set_funds_minimum(s, -1)


def test_a_village_without_a_ledger_is_not_nagged(store):
    with store.session() as s:
        vid = helpers.village(s)
        assert [a for a in alerts.collect(s, vid, TODAY) if a.target == "funds"] == []


def test_update_delete_and_attachments(ledger):
    store, vid = ledger
    with store.session() as s:
        entry = next(e for e in funds.list_entries(s, vid, 2026) if e.project == "宣传")
        assert entry.unbudgeted
        form = entry.form()
        form.project = "阵地建设"
        saved = funds.update_entry(s, vid, entry.id, form, TODAY)
        assert saved.warnings == ()
        assert funds.funds_status(s, vid, 2026).unbudgeted == ()
        attachment = funds.add_attachment(s, vid, entry.id, "发票.png", PNG)
        assert [a.name for a in funds.list_attachments(s, vid, entry.id)] == ["发票.png"]
        assert funds.attachment_data(s, vid, attachment) == ("发票.png", PNG)
        assert funds.entry_row(s, vid, entry.id).attachments == 1
        with pytest.raises(FundsError, match="不是 JPG"):
            funds.add_attachment(s, vid, entry.id, "说明.txt", b"hello")
        with pytest.raises(FundsError, match="超过"):
            funds.add_attachment(s, vid, entry.id, "大.png", PNG + b"\0" * funds.MAX_ATTACHMENT_BYTES)
        funds.delete_entry(s, vid, entry.id)
        assert s.scalar(select(func.count(FundsAttachment.id))) == 0
        with pytest.raises(FundsError, match="找不到"):
            funds.update_entry(s, vid, entry.id, form, TODAY)
        other = helpers.village(s, name="西湖村")
        first = funds.list_entries(s, vid, 2026)[0]
        with pytest.raises(FundsError, match="找不到"):
            funds.delete_entry(s, other, first.id)  # another village's line


def test_the_quarterly_notice_read_back_as_xlsx_and_pdf(ledger, tmp_path):
    store, vid = ledger
    options = ExportOptions(year=2026, quarter=3, today=TODAY)
    definition = exports.find("funds")
    assert definition.uses_year and definition.uses_quarter and set(definition.formats) == {"pdf", "xlsx"}
    assert definition.suggested_name("东湖村", options, "pdf") == "东湖村党建经费使用情况公示2026年第三季度.pdf"
    xlsx, pdf = tmp_path / "公示.xlsx", tmp_path / "公示.pdf"
    exports.export(store, vid, "funds", xlsx, options)
    exports.export(store, vid, "funds", pdf, options)

    sheet = openpyxl.load_workbook(xlsx).active
    cells = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in cells)
    assert "东湖村2026年第三季度党建经费使用情况公示" in text
    assert "统计期间：2026年7月1日至2026年9月30日" in text
    lines = {row[4]: row for row in cells if row and row[4] in ("上半年党费返还", "七一培训", "宣传横幅")}
    assert set(lines) == {"上半年党费返还", "七一培训", "宣传横幅"}
    assert lines["七一培训"][2:4] == ("支出", "党员教育") and lines["七一培训"][7] == "记-7"
    assert lines["上半年党费返还"][3] == "党费返还"
    money = [v for v in (lines["上半年党费返还"][5], lines["七一培训"][6]) if v is not None]
    assert [float(v) for v in money] == [3560.0, 8000.0]
    totals = next(row for row in cells if row and row[0] == "本期合计")
    assert [float(v) for v in totals[5:7]] == [3560.0, 8860.0]
    assert "结余 26319.50 元" in text  # 4,000 + 33,560 − 2,380.50 − 8,000 − 860, to 30 September
    assert "未列入预算的支出 860.00 元（宣传）" in text
    assert "党员教育：预算 10000.00 元，已支出 10380.50 元，超出预算 380.50 元" in text
    assert "阵地建设：预算 8000.00 元，已支出 0.00 元，余 8000.00 元" in text  # October's 1,200 comes later
    assert "党组织书记（签字）" in text and "经办人（签字）" in text and "公示日期：2026年11月23日" in text
    assert "王书记" not in text and "李会计" not in text  # who approved and handled stays in the ledger
    assert "活动室刷墙" not in text  # October: not in the third quarter

    printed = helpers.pdf_text(pdf)
    for words in ("党建经费使用情况公示", "七一培训", "宣传横幅", "8000.00", "3560.00", "本期合计", "8860.00",
                  "结余 26319.50 元", "超出预算 380.50 元", "党组织书记（签字）", "经办人（签字）", "公示日期：2026年11月23日"):
        assert words in printed, words
    assert "李会计" not in printed


def test_an_empty_quarter_still_prints_its_notice(store, tmp_path):
    with store.session() as s:
        vid = helpers.village(s, name="东湖村")
    path = tmp_path / "空.pdf"
    exports.export(store, vid, "funds", path, ExportOptions(year=2026, quarter=1, today=TODAY))
    printed = helpers.pdf_text(path)
    assert "本期没有经费收支" in printed and "尚未登记预算" in printed
