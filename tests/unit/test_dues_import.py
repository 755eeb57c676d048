"""Importing the clerk's 党费收缴登记表: the messy register read, each row matched to a member, the year's
assessment from January and a payment per paid month written through the dues service, and the result read
back as the dues service's own year grid (arrears per member)."""

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.dues import DuesKind
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.importers.dues_fields import (
    PAID_AS_DUE,
    Unreadable,
    parse_kind,
    parse_month_cell,
    read_dues_sheets,
)
from partybuild_desktop.importers.error_workbook import write_error_workbook
from partybuild_desktop.importers.roster import RosterUnreadable, SheetRows
from partybuild_desktop.services import dues
from partybuild_desktop.services.dues_import import IMPORT, REFUSED, UNCHANGED, WARN, apply_import, preview_import
from partybuild_desktop.services.members import MemberForm, save_member
from partybuild_desktop.store.models import DuesAssessment, DuesPayment, Member
from tests import helpers
from tests.helpers import by_row, codes, make_id

YEAR = 2026
TODAY = dt.date(2026, 12, 20)
ZHENG_1, ZHENG_2, CHEN_1 = make_id("19700101", 111), make_id("19800202", 113), make_id("19750505", 115)
MONTHS = [f"{m}月" for m in range(1, 13)]
HEADERS = ["序号", "姓名", "身份证号", "人员类型", "缴费基数", "月缴纳额", *MONTHS, "合计", "备注"]


def messy_register(path, rows=None):
    """A register as a clerk keeps it: merged title, 填报单位 line, a header, blank months, `20元` cells,
    a blank row, a 合计 row and the 备注 column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党费收缴登记表"
    ws["A1"] = f"东湖村党支部{YEAR}年度党费收缴登记表"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A2"] = "填报单位：中共东湖村党支部"
    ws["M2"] = "单位：元"
    ws.append(HEADERS)  # row 3
    for row in rows if rows is not None else register_rows():
        ws.append(row)
    wb.save(path)
    return path


def register_rows():
    blank = [None] * 12
    return [
        # 4: in work, base 4000 → 1 % = 40.00 (computed), January–October paid, November–December not
        [1, "张三", None, "在职", 4000, None, *(["40元"] * 10), None, None, "400", None],
        # 5: retired, base 4000 → 0.5 % = 20.00, every month paid in several spellings, a name with a space
        [2, "李 四", None, "退休", "4,000", "20", "20", "20.00", "20元", "￥20", 20, 20.0, "20", "20", "20", "20",
         "20", "20", "240", "按月交"],
        # 6: a farmer: the village's amount (0.50), the first half of the year; 0 in July is nothing paid
        [3, "王五", None, "农民党员", None, None, *(["0.5"] * 6), 0, *([None] * 5), "3", None],
        # 7: a student, ticked months
        [4, "赵六", None, "在校学生", None, None, *(["√"] * 12), None, None],
        # 8: the sheet's amount is not the rule's (2999 → 15.00), and March paid with another amount
        [5, "刘七", None, "在职", 2999, 20, 20, 20, 15, *([20] * 9), None, "调资"],
        # 9: two members of this name, no ID number
        [6, "陈八", None, "在职", 3000, None, *(["15"] * 12), None, None],
        # 10: nobody of this name
        [7, "孙九", None, "在职", 3000, None, *(["15"] * 12), None, None],
        # 11: a cell that is not money
        [8, "周十", None, "在职", 2000, None, "10", "10", "二十", *(["10"] * 9), None, None],
        # 12: in work with neither base nor monthly amount
        [9, "吴十一", None, "在职", None, None, *(["10"] * 12), None, None],
        [None] * len(HEADERS),  # 13: blank
        # 14: two members of this name: the ID number says which
        [10, "郑十二", ZHENG_2, "下岗", None, None, *(["0.2"] * 12), None, None],
        ["合计", None, None, None, None, None, *blank, "1000", None],  # 15
    ]


@pytest.fixture
def village(store):
    with store.session() as session:
        village_id = helpers.village(session, "东湖村", township="白马镇")
        for name, category, number in [
            ("张三", MemberCategory.EMPLOYED, None), ("李四", MemberCategory.FARMER, None),
            ("王五", MemberCategory.FARMER, None), ("赵六", MemberCategory.FARMER, None),
            ("刘七", MemberCategory.EMPLOYED, None), ("陈八", MemberCategory.FARMER, CHEN_1),
            ("陈八", MemberCategory.FARMER, None), ("周十", MemberCategory.FARMER, None),
            ("吴十一", MemberCategory.EMPLOYED, None), ("郑十二", MemberCategory.FARMER, ZHENG_1),
            ("郑十二", MemberCategory.FARMER, ZHENG_2)]:
            save_member(session, village_id, MemberForm(name=name, category=category, id_number=number))
    return village_id


def preview(store, village_id, path, year=YEAR):
    with store.session() as session:
        return preview_import(session, village_id, path, year=year, today=TODAY)


def import_file(store, village_id, path, year=YEAR):
    with store.session() as session:
        result = preview_import(session, village_id, path, year=year, today=TODAY)
        outcome = apply_import(session, village_id, result)
    return result, outcome


def standing(store, village_id):
    """(name, ID number) -> the dues service's year line, worked out to December."""
    with store.session() as session:
        grid = dues.dues_year(session, village_id, YEAR, (YEAR, 12))
        numbers = {i: n for i, n in session.execute(select(Member.id, Member.id_number))}
    return {(row.name, numbers[row.member_id]): row for row in grid.rows}


def counts(store):
    with store.session() as session:
        return (session.scalar(select(func.count(DuesAssessment.id))),
                session.scalar(select(func.count(DuesPayment.id))))


# ---------------------------------------------------------------------------------------- the cells


@pytest.mark.parametrize("raw, fen", [(20, 2000), (20.0, 2000), ("20", 2000), ("20.00", 2000), ("20元", 2000),
                                      ("￥20", 2000), ("¥ 20.5", 2050), ("２０元", 2000), ("0.2", 20)])
def test_a_month_cell_is_money_in_fen(raw, fen):
    assert parse_month_cell(raw).value == fen


@pytest.mark.parametrize("raw", [0, "0", "0.00", "-", "未交", "／"])
def test_nothing_paid_is_not_a_payment(raw):
    assert parse_month_cell(raw).value is None


def test_a_tick_is_paid_as_due_and_words_are_unreadable():
    assert parse_month_cell("√").value is PAID_AS_DUE
    assert parse_month_cell("二十").value == Unreadable("二十")


@pytest.mark.parametrize("text, kind", [
    ("在职", DuesKind.EMPLOYED), ("在职党员", DuesKind.EMPLOYED), ("离退休", DuesKind.RETIRED),
    ("退休", DuesKind.RETIRED), ("退休干部", DuesKind.RETIRED), ("离休", DuesKind.RETIRED),
    ("个体", DuesKind.SELF_EMPLOYED), ("个体工商户", DuesKind.SELF_EMPLOYED), ("农民", DuesKind.FARMER),
    ("农民党员", DuesKind.FARMER), ("学生", DuesKind.STUDENT), ("失业", DuesKind.UNEMPLOYED),
    ("下岗", DuesKind.UNEMPLOYED), ("下岗失业", DuesKind.UNEMPLOYED), ("低保", DuesKind.RELIEF),
    ("生活困难", DuesKind.RELIEF), ("减免", DuesKind.REDUCED), ("免交", DuesKind.REDUCED)])
def test_the_usual_kinds_are_recognised(text, kind):
    assert parse_kind(text).value is kind


def test_a_kind_not_known_is_refused_and_a_standing_says_nothing():
    assert codes(parse_kind("外星人").issues) == ["kind_unknown"]
    assert parse_kind("正式党员").value is None and not parse_kind("正式党员").issues


def test_month_headers_in_the_usual_spellings_and_a_two_row_header():
    rows = [["2026年党费收缴登记表"], [], ["姓名", "类别", "缴费基数", "交纳情况", None, None, None],
            [None, None, None, "一月", "02月", "2026年3月", "4月份"], ["张三", "在职", 4000, 40, "40", "40元", None]]
    reading = read_dues_sheets([SheetRows("Sheet1", rows)], YEAR)
    [row] = reading.rows
    assert row.row_number == 5
    assert [row.values[f"m{m:02d}"] for m in range(1, 5)] == [4000, 4000, 4000, None]


# ---------------------------------------------------------------------------------------- the preview


def test_every_data_row_gets_a_status_and_the_refusals_their_codes(store, village, tmp_path):
    result = preview(store, village, messy_register(tmp_path / "党费.xlsx"))
    rows = by_row(result)
    # Title, unit line, header, the blank row and the 合计 row are not data rows.
    assert sorted(rows) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 14]
    assert {n: r.status for n, r in rows.items()} == {
        4: IMPORT, 5: IMPORT, 6: IMPORT, 7: IMPORT, 8: WARN, 9: REFUSED, 10: REFUSED, 11: REFUSED, 12: REFUSED,
        14: IMPORT}
    assert {n: codes(r.refusals) for n, r in rows.items() if r.refusals} == {
        9: ["member_ambiguous"], 10: ["member_unknown"], 11: ["amount_unparseable"], 12: ["base_missing"]}
    assert codes(rows[8].warnings) == ["amount_differs_from_rule", "payment_differs_from_due"]
    refused, warnings = result.problem_lists()
    assert [(p["row"], p["code"]) for p in refused] == [
        (9, "member_ambiguous"), (10, "member_unknown"), (11, "amount_unparseable"), (12, "base_missing")]
    assert [(p["row"], p["code"]) for p in warnings] == [(8, "amount_differs_from_rule"), (8, "payment_differs_from_due")]
    assert result.result_object() == {"imported": 6, "refused": refused, "warnings": warnings}
    assert result.exit_code == 3


def test_messages_say_where_what_and_what_to_do(store, village, tmp_path):
    rows = by_row(preview(store, village, messy_register(tmp_path / "党费.xlsx")))
    bad = rows[11].refusals[0].message
    assert bad.startswith("第 11 行：") and "“3月”列的“二十”" in bad
    assert "陈八" in rows[9].refusals[0].message and "身份证号" in rows[9].refusals[0].message
    assert "孙九" in rows[10].refusals[0].message
    assert "缴费基数" in rows[12].refusals[0].message
    rule, paid = (p.message for p in rows[8].warnings)
    assert "20.00" in rule and "15.00" in rule
    assert "2026年3月交 15.00 元（应交 20.00 元）" in paid


def test_the_preview_writes_nothing(store, village, tmp_path):
    preview(store, village, messy_register(tmp_path / "党费.xlsx"))
    assert counts(store) == (0, 0)


# ---------------------------------------------------------------------------------------- written and read back


def test_the_register_gives_the_expected_arrears_for_every_member(store, village, tmp_path):
    result, outcome = import_file(store, village, messy_register(tmp_path / "党费.xlsx"))
    assert outcome.imported == 6
    lines = standing(store, village)
    expected = {  # (name, ID number): (kind, base, monthly, due, paid, arrears months, unpaid run, warning)
        ("张三", None): ("在职", 400000, 4000, 48000, 40000, 2, 2, "none"),
        ("李四", None): ("离退休", 400000, 2000, 24000, 24000, 0, 0, "none"),
        ("王五", None): ("农民", None, 50, 600, 300, 6, 6, "serious"),
        ("赵六", None): ("学生", None, 20, 240, 240, 0, 0, "none"),
        ("刘七", None): ("在职", 299900, 2000, 24000, 23500, 0, 0, "none"),
        # refused rows write nothing: a farmer not assessed owes the village's amount, others owe nothing yet
        ("陈八", CHEN_1): (None, None, 50, 600, 0, 12, 12, "serious"),
        ("陈八", None): (None, None, 50, 600, 0, 12, 12, "serious"),
        ("周十", None): (None, None, 50, 600, 0, 12, 12, "serious"),
        ("吴十一", None): (None, None, 0, 0, 0, 0, 0, "none"),
        ("郑十二", ZHENG_1): (None, None, 50, 600, 0, 12, 12, "serious"),
        ("郑十二", ZHENG_2): ("失业", None, 20, 240, 240, 0, 0, "none"),
    }
    got = {key: (r.to_json()["kind"], r.base_fen, r.monthly_fen, r.due_fen, r.paid_fen, r.arrears_months,
                 r.unpaid_run, r.warning) for key, r in lines.items()}
    # members without an assessment whose category is a farmer owe the village's amount (services.dues)
    for key in [("陈八", CHEN_1), ("陈八", None), ("周十", None), ("郑十二", ZHENG_1)]:
        expected[key] = ("农民",) + expected[key][1:]
    assert got == expected


def test_payments_are_dated_at_the_end_of_their_month_and_monthly(store, village, tmp_path):
    import_file(store, village, messy_register(tmp_path / "党费.xlsx"))
    with store.session() as session:
        zhang = session.scalar(select(Member.id).where(Member.name == "张三"))
        paid = session.execute(select(DuesPayment.month, DuesPayment.amount_fen, DuesPayment.paid_on,
                                      DuesPayment.method).where(DuesPayment.member_id == zhang)
                               .order_by(DuesPayment.month)).all()
        [(start, kind)] = session.execute(select(DuesAssessment.from_month, DuesAssessment.kind)
                                          .where(DuesAssessment.member_id == zhang)).all()
    assert len(paid) == 10 and {p.method for p in paid} == {"monthly"} and {p.amount_fen for p in paid} == {4000}
    assert (paid[0].month, paid[0].paid_on) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert paid[1].paid_on == dt.date(2026, 2, 28)
    assert (start, kind) == (dt.date(2026, 1, 1), DuesKind.EMPLOYED)


def test_a_month_after_today_is_paid_today(store, village, tmp_path):
    path = messy_register(tmp_path / "党费.xlsx", [[1, "张三", None, "在职", 4000, None, *(["40"] * 12)]])
    with store.session() as session:
        result = preview_import(session, village, path, year=YEAR, today=dt.date(2026, 6, 10))
        apply_import(session, village, result)
        dates = session.scalars(select(DuesPayment.paid_on).order_by(DuesPayment.month)).all()
    assert dates[4] == dt.date(2026, 5, 31) and set(dates[5:]) == {dt.date(2026, 6, 10)}


def test_importing_the_same_register_twice_writes_nothing_new(store, village, tmp_path):
    path = messy_register(tmp_path / "党费.xlsx")
    import_file(store, village, path)
    before = counts(store)
    result, outcome = import_file(store, village, path)
    assert outcome.imported == 0 and counts(store) == before
    rows = by_row(result)
    assert {n for n, r in rows.items() if r.status == UNCHANGED} == {4, 5, 6, 7, 8, 14}
    assert "month_already_paid" in codes(rows[4].warnings)
    assert [r.row_number for r in result.refused] == [9, 10, 11, 12]  # the same refusals, nothing new


def test_a_month_already_recorded_is_left_as_it_is(store, village, tmp_path):
    with store.session() as session:
        zhang = session.scalar(select(Member.id).where(Member.name == "张三"))
        dues.set_assessment(session, village, zhang, dues.AssessmentForm(DuesKind.EMPLOYED, 400000, from_month=(YEAR, 1)),
                            today=TODAY)
        dues.pay(session, village, zhang, dues.PaymentForm([(YEAR, 2)], 3000, dt.date(2026, 2, 10)), today=TODAY)
    result, _ = import_file(store, village, messy_register(tmp_path / "党费.xlsx", register_rows()[:1]))
    [row] = result.rows
    assert row.status == WARN and codes(row.warnings) == ["month_already_paid"] and "2026年2月" in row.warnings[0].message
    with store.session() as session:
        february = session.execute(select(DuesPayment.amount_fen, DuesPayment.paid_on)
                                   .where(DuesPayment.month == dt.date(2026, 2, 1))).one()
    assert tuple(february) == (3000, dt.date(2026, 2, 10))
    assert standing(store, village)[("张三", None)].paid_fen == 3000 + 9 * 4000


def test_a_refused_row_writes_nothing_for_its_member(store, village, tmp_path):
    import_file(store, village, messy_register(tmp_path / "党费.xlsx"))
    with store.session() as session:
        zhou = session.scalar(select(Member.id).where(Member.name == "周十"))
        assert session.scalar(select(func.count(DuesPayment.id)).where(DuesPayment.member_id == zhou)) == 0
        assert session.scalar(select(func.count(DuesAssessment.id)).where(DuesAssessment.member_id == zhou)) == 0


def test_the_error_workbook_fixed_imports_again(store, village, tmp_path):
    result, _ = import_file(store, village, messy_register(tmp_path / "党费.xlsx"))
    report = tmp_path / "问题清单.xlsx"
    assert write_error_workbook(result, report) == 4
    wb = openpyxl.load_workbook(report)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:len(HEADERS)] == HEADERS and header[-2:] == ["原行号", "问题"]
    by_name = {ws.cell(row=r, column=2).value: r for r in range(2, ws.max_row + 1)}
    assert set(by_name) == {"陈八", "孙九", "周十", "吴十一"}
    ws.cell(row=by_name["周十"], column=HEADERS.index("3月") + 1, value="10")
    ws.cell(row=by_name["陈八"], column=HEADERS.index("身份证号") + 1, value=CHEN_1)
    wb.save(report)
    again, outcome = import_file(store, village, report)
    assert outcome.imported == 2 and codes(again.refused[0].refusals + again.refused[1].refusals) == [
        "member_unknown", "base_missing"]
    lines = standing(store, village)
    assert (lines[("周十", None)].arrears_months, lines[("周十", None)].monthly_fen) == (0, 1000)
    assert (lines[("陈八", CHEN_1)].arrears_months, lines[("陈八", CHEN_1)].kind) == (0, DuesKind.EMPLOYED)
    assert lines[("陈八", None)].arrears_months == 12


def test_only_months_keep_the_assessment_and_a_sheet_amount_without_base_is_kept(store, village, tmp_path):
    with store.session() as session:
        li = session.scalar(select(Member.id).where(Member.name == "李四"))
        dues.set_assessment(session, village, li, dues.AssessmentForm(DuesKind.RETIRED, 600000, from_month=(YEAR, 1)),
                            today=TODAY)
    path = helpers.workbook(tmp_path / "简表.xlsx", [
        ["姓名", "人员类型", "每月应交", *MONTHS],
        ["李四", None, None, *([60] * 12)],
        ["张三", "在职", "35元", *([35] * 3)]])
    result, outcome = import_file(store, village, path)
    assert outcome.imported == 2 and not result.refused
    lines = standing(store, village)
    assert (lines[("李四", None)].base_fen, lines[("李四", None)].monthly_fen, lines[("李四", None)].arrears_months) == (
        600000, 6000, 0)
    zhang = lines[("张三", None)]
    assert (zhang.kind, zhang.base_fen, zhang.monthly_fen, zhang.arrears_months) == (DuesKind.EMPLOYED, None, 3500, 9)


def test_a_farmer_above_the_rule_is_assessed_at_the_village_amount_with_a_warning(store, village, tmp_path):
    path = helpers.workbook(tmp_path / "农民.xlsx", [["姓名", "类别", "月缴纳额", *MONTHS], ["王五", "农民", 2, *([2] * 12)]])
    result, _ = import_file(store, village, path)
    [row] = result.rows
    assert codes(row.warnings) == ["amount_differs_from_rule", "payment_differs_from_due"]
    line = standing(store, village)[("王五", None)]
    assert (line.monthly_fen, line.paid_fen, line.arrears_months) == (50, 2400, 0)


def test_the_same_member_twice_is_refused_on_the_later_row(store, village, tmp_path):
    path = helpers.workbook(tmp_path / "重复.xlsx", [["姓名", "人员类型", "缴费基数", "1月"], ["张三", "在职", 4000, 40],
                                                    ["张三", "在职", 4000, 40]])
    rows = by_row(preview(store, village, path))
    assert (rows[2].status, codes(rows[3].refusals)) == (IMPORT, ["duplicate_member"])


def test_a_csv_register_imports_the_same_way(store, village, tmp_path):
    path = tmp_path / "党费.csv"
    path.write_text("2026年党费收缴登记表\n姓名,人员类型,缴费基数,1月,2月,3月\n张三,在职,4000,40元,40元,\n合计,,,80,80,\n",
                    encoding="gb18030")
    result, outcome = import_file(store, village, path)
    assert outcome.imported == 1 and not result.refused
    assert standing(store, village)[("张三", None)].paid_fen == 8000


def test_a_file_that_is_not_a_register_is_refused_in_chinese(store, village, tmp_path):
    not_a_sheet = tmp_path / "党费.xlsx"
    not_a_sheet.write_text("这不是表格", encoding="utf-8")
    with pytest.raises(RosterUnreadable, match="无法读取"):
        preview(store, village, not_a_sheet)
    roster = helpers.workbook(tmp_path / "花名册.xlsx", [["姓名", "身份证号"], ["张三", ZHENG_1]])
    with pytest.raises(RosterUnreadable, match="不像党费收缴登记表"):
        preview(store, village, roster)
    no_name = helpers.workbook(tmp_path / "无姓名.xlsx", [["序号", "1月", "2月"], [1, 20, 20]])
    with pytest.raises(RosterUnreadable, match="表头"):
        preview(store, village, no_name)
    other_year = helpers.workbook(tmp_path / "去年.xlsx", [["姓名", "2025年1月", "2025年2月"], ["张三", 40, 40]])
    with pytest.raises(RosterUnreadable, match="2025 年"):
        preview(store, village, other_year)
    with pytest.raises(RosterUnreadable, match="年度"):
        preview(store, village, messy_register(tmp_path / "党费2.xlsx"), year=2030)
    assert counts(store) == (0, 0)


def test_an_ods_register_imports_the_same_way(store, village, tmp_path):
    from tests.unit.test_roster_reader import write_ods

    path = write_ods(tmp_path / "党费.ods", [["党费收缴登记表"], ["姓名", "类别", "月收入", "01月", "02月"],
                                            ["张 三", "在职", 4000, 40, "40元"]], sheet="2026年")
    result, outcome = import_file(store, village, path)
    assert outcome.imported == 1 and not result.refused
    assert standing(store, village)[("张三", None)].paid_fen == 8000


def test_a_workbook_with_a_sheet_per_year_imports_the_years_sheet(store, village, tmp_path):
    wb = openpyxl.Workbook()
    last = wb.active
    last.title = "2025年"
    for row in [["姓名", "人员类型", "缴费基数", "1月"], ["张三", "在职", 9000, 135]]:
        last.append(row)
    this = wb.create_sheet("2026年")
    for row in [["姓名", "人员类型", "缴费基数", "1月", "2月"], ["张三", "在职", 4000, 40, 40]]:
        this.append(row)
    wb.save(tmp_path / "党费.xlsx")
    result, outcome = import_file(store, village, tmp_path / "党费.xlsx")
    assert outcome.imported == 1 and [r.result.sheet for r in result.rows] == ["2026年"]
    line = standing(store, village)[("张三", None)]
    assert (line.base_fen, line.paid_fen) == (400000, 8000)
