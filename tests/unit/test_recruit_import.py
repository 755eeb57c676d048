"""Importing the clerk's 发展党员工作台账: a messy ledger read (merged title, 填报单位 line, dates written every
way, 公示起止 in one cell, two introducers in one cell), each row written through the recruitment service
step by step, the rules broken kept with the reason 「台账导入」 and reported as warnings, and the result read
back as the service's own list of cases."""

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.recruitment import Step
from partybuild_desktop.domain.vocabulary import Standing
from partybuild_desktop.importers.error_workbook import write_error_workbook
from partybuild_desktop.importers.recruit_fields import Period, parse_people, parse_period, read_recruit_sheets
from partybuild_desktop.importers.roster import RosterUnreadable, SheetRows
from partybuild_desktop.services import recruitment
from partybuild_desktop.services.recruit_import import IMPORT, REFUSED, UPDATE, WARN, apply_import, preview_import
from partybuild_desktop.store.models import Member, RecruitBreach, RecruitCase
from tests import helpers
from tests.helpers import make_id

TODAY = dt.date(2026, 12, 1)
WANG = make_id("19900315", 111)  # a man
LI = make_id("19950620", 122)  # a woman
ZHAO = make_id("20070601", 131)  # under 18 at his application in January 2025
ZHOU = make_id("19980808", 141)  # already in the data file
WU = make_id("19880101", 151)

HEADERS = ["序号", "姓名", "性别", "身份证号码", "出生年月", "递交入党申请书时间", "谈话时间", "列为积极分子时间", "培养联系人",
           "列为发展对象时间", "介绍人", "培训学时", "公示起止", "预审时间", "接收预备党员时间", "上级党委审批时间",
           "转正支部大会时间", "转正时间", "备注"]


def serial(day: dt.date) -> int:
    """The day as Excel keeps a date it was not told is a date."""
    return (day - dt.date(1899, 12, 30)).days


def ledger_rows():
    return [
        # 4: from application to 正式 member, every date written another way, no rule broken
        [1, "王小明", "男", WANG, "1990.03", "2020.3.2", "2020年3月20日", 20200901, "张三", dt.datetime(2021, 10, 8),
         "张三、李四", "24学时", "2022.03.02-2022.03.08", "2022.3.10", "2022-04-06", serial(dt.date(2022, 5, 20)),
         "2023.4.10", "2023年5月15日", "已转正"],
        # 5: the talk more than a month after the application; now an activist
        [2, "李红", "女", LI, None, "2025年1月5日", "2025.2.20", "2025.3.1", "王五", None, None, None, None, None, None,
         None, None, None, None],
        # 6: under 18 when he applied
        [3, "赵强", None, ZHAO, "2007.06.01", "20250110", None, None, None, None, None, None, None, None, None, None,
         None, None, None],
        # 7: the talk before the application
        [4, "钱多", "男", None, None, "2024.5.1", "2024.4.1", None, None, None, None, None, None, None, None, None,
         None, None, None],
        None,  # 8: a blank separator row
        # 9: a date that is no date
        [5, "孙丽", "女", None, None, "2024年13月", None, None, None, None, None, None, None, None, None, None, None,
         None, None],
        # 10: already in the data file (same ID number): updated, activist under a year, one introducer, training
        #     in days
        [6, "周杰", "男", ZHOU, None, "2023.1.10", "2023.1.20", "2023.3.1", "张三", "2024.1.5", "张三", "3天", None,
         None, None, None, None, None, "更新"],
        # 11: 预备 member: training short, 公示 short, approval late, and no 转正 discussed a year on
        [7, "吴刚", "男", WU, None, "2021.1.5", "2021.1.25", "2021.6.1", "李四", "2022.7.1", "张三，李四", 16,
         "2023年3月2日至3月6日", "2023.3.7", "2023.4.1", "2023.8.1", None, None, None],
        ["合计", None, "7人"],
    ]


def messy_ledger(path, rows=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发展党员台账"
    ws["A1"] = "东湖村发展党员工作台账"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A2"] = "填报单位：中共东湖村党支部"
    ws["P2"] = "填报日期：2026年11月"
    ws.append(HEADERS)  # row 3
    for row in rows if rows is not None else ledger_rows():
        ws.append(row or [])
    wb.save(path)
    return path


@pytest.fixture
def store(tmp_path):
    store = helpers.new_store(tmp_path / "data")
    yield store
    store.dispose()


@pytest.fixture
def village_id(store):
    with store.session() as session:
        village_id = helpers.village(session, "东湖村", township="白马镇")
        recruitment.create_case(session, village_id, recruitment.CaseForm(
            name="周杰", applied=dt.date(2023, 1, 10), id_number=ZHOU), today=TODAY)
    return village_id


def problems(preview):
    refused, warnings = preview.problem_lists()
    return ({(p["row"], p["code"]) for p in refused}, {(p["row"], p["code"]) for p in warnings})


def by_row(preview):
    return {row.row_number: row for row in preview.rows}


def test_the_messy_ledger_is_previewed_row_by_row_and_nothing_is_written(store, village_id, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")
    with store.session() as session:
        preview = preview_import(session, village_id, path, today=TODAY)
        rows = by_row(preview)
        assert sorted(rows) == [4, 5, 6, 7, 9, 10, 11]  # Excel's row numbers; no title, blank or 合计 row
        assert rows[4].status == IMPORT and not rows[4].warnings
        assert rows[5].status == WARN and rows[6].status == WARN and rows[11].status == WARN
        assert rows[10].action == UPDATE and rows[10].status == WARN
        assert rows[7].status == REFUSED and rows[9].status == REFUSED
        refused, warnings = problems(preview)
        assert refused == {(7, "dates_out_of_order"), (9, "date_unparseable")}
        assert warnings == {(5, "talk_after_one_month"), (6, "under_18_at_application"),
                            (10, "activist_under_one_year"), (10, "introducers_fewer_than_two"),
                            (11, "training_too_short"), (11, "publicity_too_short"),
                            (11, "approval_after_three_months"), (11, "probation_overdue")}
        result = preview.result_object()
        assert (result["imported"], result["updated"]) == (4, 1)
        message = next(p["message"] for p in result["refused"] if p["row"] == 7)
        assert "第 7 行" in message and "谈话时间" in message and "递交入党申请书时间" in message
    with store.session() as session:  # the preview wrote nothing, not even the 预备 member of row 4
        assert session.scalar(select(func.count()).select_from(RecruitCase)) == 1
        assert session.scalar(select(func.count()).select_from(Member)) == 0


def test_the_import_writes_every_good_row_through_the_service(store, village_id, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")
    with store.session() as session:
        preview = preview_import(session, village_id, path, today=TODAY)
        outcome = apply_import(session, village_id, preview)
        assert (outcome.imported, outcome.updated) == (4, 1)
    with store.session() as session:
        cases = {c.name: c for c in recruitment.list_cases(session, village_id, today=TODAY)}
        assert set(cases) == {"王小明", "李红", "赵强", "周杰", "吴刚"}
        assert cases["王小明"].stage.value == "probation" and cases["王小明"].next_step is Step.ARCHIVED
        assert cases["王小明"].breaches == ()
        assert cases["王小明"].dates[Step.APPROVAL] == dt.date(2022, 5, 20)  # an Excel serial
        assert cases["王小明"].dates[Step.ACTIVIST_NAMED] == dt.date(2020, 9, 1)  # 20200901
        assert cases["李红"].stage.value == "activist" and cases["李红"].breaches == ("talk_after_one_month",)
        assert cases["赵强"].stage.value == "applicant" and cases["赵强"].breaches == ("under_18_at_application",)
        assert cases["周杰"].stage.value == "candidate"
        assert set(cases["周杰"].breaches) == {"activist_under_one_year", "introducers_fewer_than_two"}
        assert cases["吴刚"].stage.value == "admission"
        assert set(cases["吴刚"].breaches) == {"training_too_short", "publicity_too_short",
                                               "approval_after_three_months", "probation_overdue"}
        # Every breach kept carries the import's reason.
        assert set(session.scalars(select(RecruitBreach.reason))) == {"台账导入"}
        # ⑰ made the 预备 member (joined on the 支部大会 day) and ㉔ the 正式 member.
        wang = session.scalar(select(Member).where(Member.id_number == WANG))
        assert wang.standing is Standing.FULL and wang.joined_date == dt.date(2022, 4, 6)
        wu = session.scalar(select(Member).where(Member.id_number == WU))
        assert wu.standing is Standing.PROBATIONARY and wu.joined_date == dt.date(2023, 4, 1)
        assert session.scalar(select(func.count()).select_from(Member)) == 2
        introducers = recruitment.people(session, village_id, cases["吴刚"].id)["introducer"]
        assert [p.name for p in introducers] == ["张三", "李四"]
        wu_case = session.get(RecruitCase, cases["吴刚"].id)
        assert (wu_case.publicity_start, wu_case.publicity_end) == (dt.date(2023, 3, 2), dt.date(2023, 3, 6))
        assert wu_case.training_hours == 16


def test_importing_the_same_ledger_again_updates_and_adds_nothing(store, village_id, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")
    for _ in range(2):
        with store.session() as session:
            preview = preview_import(session, village_id, path, today=TODAY)
            outcome = apply_import(session, village_id, preview)
    assert (outcome.imported, outcome.updated) == (0, 5)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(RecruitCase)) == 5
        assert session.scalar(select(func.count()).select_from(Member)) == 2


def test_a_row_without_an_id_number_is_matched_by_name_when_importing_again(store, village_id, tmp_path):
    rows = [[1, "郑好", "女", None, None, "2025.6.3", None, None, None, None, None, None, None, None, None, None, None,
             None, None]]
    path = messy_ledger(tmp_path / "a.xlsx", rows)
    with store.session() as session:
        assert apply_import(session, village_id, preview_import(session, village_id, path, today=TODAY)).imported == 1
    rows[0][6] = "2025.6.20"
    path = messy_ledger(tmp_path / "a.xlsx", rows)
    with store.session() as session:
        outcome = apply_import(session, village_id, preview_import(session, village_id, path, today=TODAY))
        assert (outcome.imported, outcome.updated) == (0, 1)
    with store.session() as session:
        case = next(c for c in recruitment.list_cases(session, village_id, today=TODAY) if c.name == "郑好")
        assert case.dates[Step.TALK] == dt.date(2025, 6, 20)
        assert session.scalar(select(func.count()).select_from(RecruitCase).where(RecruitCase.name == "郑好")) == 1


def test_a_corrected_date_in_the_ledger_corrects_the_recorded_one(store, village_id, tmp_path):
    rows = [[1, "周杰", "男", ZHOU, None, "2023.1.12", "2023.1.20", None, None, None, None, None, None, None, None, None,
             None, None, None]]
    with store.session() as session:
        apply_import(session, village_id, preview_import(session, village_id, messy_ledger(tmp_path / "a.xlsx", rows),
                                                         today=TODAY))
    with store.session() as session:
        (case,) = recruitment.list_cases(session, village_id, today=TODAY)
        assert case.dates == {Step.APPLICATION: dt.date(2023, 1, 12), Step.TALK: dt.date(2023, 1, 20)}


def test_the_refused_rows_saved_then_fixed_import(store, village_id, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")
    report = tmp_path / "问题清单.xlsx"
    with store.session() as session:
        preview = preview_import(session, village_id, path, today=TODAY)
        assert write_error_workbook(preview, report) == 2
        apply_import(session, village_id, preview)
    wb = openpyxl.load_workbook(report)
    ws = wb.active
    header = [c.value for c in ws[1]]
    for line in range(2, ws.max_row + 1):
        if ws.cell(line, header.index("姓名") + 1).value == "钱多":
            ws.cell(line, header.index("谈话时间") + 1).value = "2024.5.20"
        else:
            ws.cell(line, header.index("递交入党申请书时间") + 1).value = "2024年3月1日"
    wb.save(report)
    with store.session() as session:
        again = preview_import(session, village_id, report, today=TODAY)
        assert not again.refused and len(again.to_import) == 2
        apply_import(session, village_id, again)
    with store.session() as session:
        names = {c.name: c for c in recruitment.list_cases(session, village_id, today=TODAY)}
        assert names["钱多"].dates[Step.TALK] == dt.date(2024, 5, 20)
        assert names["孙丽"].dates[Step.APPLICATION] == dt.date(2024, 3, 1)


def test_two_publicity_columns_and_id_number_codes(store, village_id, tmp_path):
    headers = ["姓名", "身份证号", "申请入党时间", "确定为入党积极分子时间", "确定为发展对象时间", "入党介绍人", "培训起止",
               "公示开始时间", "公示结束时间", "预审时间"]
    rows = [["陈一", make_id("19920202", 161), "2021.1.4", "2021.3.1", "2022.4.1", "张三 李四", "2022.5.9-2022.5.11",
             "2022.5.16", "2022.5.20", "2022.5.23"],
            ["陈二", "32048219920202161", "2021.1.4", None, None, None, None, None, None, None],
            [None, None, "2021.1.4", None, None, None, None, None, None, None]]
    wb = openpyxl.Workbook()
    wb.active.append(headers)
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "两列公示.xlsx"
    wb.save(path)
    with store.session() as session:
        preview = preview_import(session, village_id, path, today=TODAY)
        refused, warnings = problems(preview)
        assert refused == {(3, "id_number_format"), (4, "missing_name")}
        assert (2, "publicity_too_short") not in warnings and (2, "training_too_short") not in warnings
        apply_import(session, village_id, preview)
    with store.session() as session:
        case = next(c for c in recruitment.list_cases(session, village_id, today=TODAY) if c.name == "陈一")
        assert case.next_step is Step.APPLICATION_FORM and case.breaches == ()
        row = session.get(RecruitCase, case.id)
        assert (row.publicity_start, row.publicity_end, row.training_days) == (dt.date(2022, 5, 16), dt.date(2022, 5, 20), 3)


def test_a_person_who_is_already_a_member_is_refused(store, village_id, tmp_path):
    from partybuild_desktop.services.members import MemberForm, save_member

    with store.session() as session:
        save_member(session, village_id, MemberForm(name="老党员", id_number=WU))
    rows = [[1, "老党员", None, WU, None, "2021.1.5", None, None, None, None, None, None, None, None, None, None, None,
             None, None]]
    with store.session() as session:
        preview = preview_import(session, village_id, messy_ledger(tmp_path / "a.xlsx", rows), today=TODAY)
        assert problems(preview)[0] == {(4, "duplicate_id_number")}


def test_a_file_that_is_not_a_spreadsheet_is_unreadable(store, village_id, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    with store.session() as session, pytest.raises(RosterUnreadable) as raised:
        preview_import(session, village_id, path, today=TODAY)
    assert "无法读取" in raised.value.message


@pytest.mark.parametrize("text, period", [
    ("2026.03.02-2026.03.08", (dt.date(2026, 3, 2), dt.date(2026, 3, 8))),
    ("2026-03-02-2026-03-08", (dt.date(2026, 3, 2), dt.date(2026, 3, 8))),
    ("2026年3月2日至3月8日", (dt.date(2026, 3, 2), dt.date(2026, 3, 8))),
    ("2026.3.2—3.8", (dt.date(2026, 3, 2), dt.date(2026, 3, 8))),
    ("2026.3.2～2026.3.8", (dt.date(2026, 3, 2), dt.date(2026, 3, 8))),
    ("2026年3月28日至4月3日", (dt.date(2026, 3, 28), dt.date(2026, 4, 3))),
])
def test_a_span_in_one_cell(text, period):
    parsed = parse_period(text)
    assert not parsed.issues and parsed.value == Period(*period)


def test_a_span_that_is_not_one_is_refused_as_unparseable():
    assert [i.code for i in parse_period("三月上旬").issues] == ["date_unparseable"]
    assert [i.code for i in parse_period("2026.3.8-2026.3.2").issues] == ["dates_out_of_order"]


def test_a_date_after_today_refuses_the_row(store, village_id, tmp_path):
    later = dt.date.today() + dt.timedelta(days=40)
    rows = [[1, "冯远", None, None, None, "2025.6.3", f"{later:%Y.%m.%d}", None, None, None, None, None, None, None,
             None, None, None, None, None]]
    with store.session() as session:
        preview = preview_import(session, village_id, messy_ledger(tmp_path / "a.xlsx", rows))
        assert problems(preview) == ({(4, "date_in_future")}, set())


def test_names_in_one_cell():
    assert parse_people("张三、李四").value == ("张三", "李四")
    assert parse_people("张三，李四").value == ("张三", "李四")
    assert parse_people(" 张三 / 李四 ").value == ("张三", "李四")


def test_header_variants_are_recognised():
    headers = ["名字", "入党申请时间", "列为入党积极分子时间", "列为发展对象时间", "介绍人", "政审", "入党时间", "转正时间"]
    reading = read_recruit_sheets([SheetRows("表", [headers, ["甲", "2020.1.1", None, None, None, None, None, None]])])
    assert sorted(reading.sheets[0].columns.values()) == sorted(
        ["name", "applied", "activist_named", "candidate_named", "introducers", "political_review", "assembly",
         "confirm_approval"])
