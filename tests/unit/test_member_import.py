"""Importing members from messy rosters: preview, apply, the error workbook and the export round trip."""

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.domain.vocabulary import (
    Education,
    Gender,
    GridLevel,
    MemberCategory,
    MemberEventKind,
    MembershipState,
    Standing,
)
from partybuild_desktop.importers.error_workbook import write_error_workbook
from partybuild_desktop.importers.roster import RosterUnreadable
from partybuild_desktop.services import exports, member_import
from partybuild_desktop.services.member_import import (
    IMPORT,
    REFUSED,
    UPDATE,
    WARN,
    apply_import,
    preview_import,
)
from partybuild_desktop.services.members import MemberForm, check_form, save_member
from partybuild_desktop.services.migrants import form_fields_of
from partybuild_desktop.services.village import current_village
from partybuild_desktop.store.models import Grid, Member, MemberEvent, PartyGroup

from .. import helpers
from ..conftest import SAMPLE_TODAY
from ..helpers import by_row, codes, make_id, make_id_for, new_store, sheet_rows, workbook, wrong_check_digit

TODAY = dt.date.today()
NEXT_YEAR = TODAY.year + 1


ID_ZHANG = make_id_for("19650312", digit_only=True)
ID_LI = make_id_for("19700515", male=False, last="X")
ID_WANG = make_id_for("19580101", digit_only=True)
ID_QIAN = make_id_for("19660420", male=False, digit_only=True)
ID_SUN = make_id_for("19751111", digit_only=True)
ID_ZHOU = make_id_for("19800808", male=False, digit_only=True)
ID_WU = make_id_for("19621003", digit_only=True)
ID_ZHENG = make_id_for("19850606", digit_only=True)
ID_FENG = make_id_for("19900909", digit_only=True)
ID_CHEN = make_id_for("19550505", digit_only=True)
ID_CHU = make_id_for("19720202", digit_only=True)
# A first-generation number (born 1965-03-12); the register keeps its 18-digit form.
ID_ZHAO_15 = "320482650312127"
ID_ZHAO_18 = make_id("19650312", "127")

HEADERS = ["序号", "姓　名", "性别", "公民身份号码", "出生年月", "党员类别", "入党时间", "手机号码", "党小组", "网格", "备注"]


def messy_roster(path):
    """A roster as a clerk keeps it: title, unit line, blank and total rows, and a problem on many rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws["A1"] = "东湖村党员花名册"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A2"] = "填报单位：东湖村党支部"
    ws["H2"] = "填报日期：2026年11月"
    ws.append(HEADERS)  # row 3
    ws.append([1, "张　三", "男", ID_ZHANG, "1965.03", "无职党员", "1990-07-01", "138 1234 5678", "第一党小组", "一网格"])  # 4
    ws.append([])  # 5: blank separator
    ws.append([2, " 李四 ", "女", ID_LI.lower(), "1970年5月", "农民", "1995/3/12", 13912345678, "第一党小组"])  # 6
    ws.append([3, "王五", "男", int(ID_WANG), "1958.01", "在职"])  # 7: the 18 digits stored as a number
    ws.append([4, "赵六", None, ID_ZHAO_15, "19650312", "流动", "1988年7月", None, "第二党小组"])  # 8
    ws.append([5, "钱七", "男", ID_QIAN, dt.datetime(1966, 4, 20), "年老体弱", dt.date(1985, 6, 1)])  # 9: gender conflicts
    ws.append([6, "孙八", "男", wrong_check_digit(ID_SUN)])  # 10
    ws.append([7, "周九", "女", ID_ZHOU[:17]])  # 11: 17 characters
    ws.append([8, None, "男", ID_WU, "1962/10/3"])  # 12: no name
    ws.append([9, "吴十", "男", ID_ZHANG])  # 13: the number of row 4 again
    ws.append([10, "郑一", "男", ID_ZHENG, "1985-06-06", "在职", f"{NEXT_YEAR}.01"])  # 14: joined next year
    ws.append([11, "冯二", "男", ID_FENG, "1990-09-09", "农民", "不详"])  # 15
    ws.append([12, "陈三", "男", ID_CHEN, "1955年13月", "年老体弱"])  # 16: no such month
    ws.append([13, "褚四", "男", ID_CHU, 19720202, "农民", 19960701])  # 17: dates as numbers
    ws.append([])  # 18
    ws.append(["合计", "13人"])  # 19
    ws.append(["填表人：李文书", None, None, "审核人：王书记"])  # 20
    wb.save(path)
    return path


@pytest.fixture
def village(store):
    with store.session() as session:
        return helpers.village(session, "东湖村", township="白马镇")


def preview(store, village_id, path, update=False, today=None):
    with store.session() as session:
        return preview_import(session, village_id, path, update=update, today=today)


def import_file(store, village_id, path, update=False):
    with store.session() as session:
        result = preview_import(session, village_id, path, update=update)
        outcome = apply_import(session, village_id, result)
    return result, outcome


def member_count(store):
    with store.session() as session:
        return session.scalar(select(func.count(Member.id)))


def member(store, number):
    with store.session() as session:
        return session.scalars(select(Member).where(Member.id_number == number)).one()


# ---------------------------------------------------------------------------------------- the preview


def test_messy_roster_gets_a_status_for_every_data_row(store, village, tmp_path):
    result = preview(store, village, messy_roster(tmp_path / "名册.xlsx"))
    rows = by_row(result)
    # Title, unit line, header, blank rows, the 合计 row and the footer are not data rows.
    assert sorted(rows) == [4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    statuses = {number: row.status for number, row in rows.items()}
    assert statuses == {
        4: WARN,  # a new party group and an unknown grid
        6: IMPORT,
        7: REFUSED, 8: WARN, 9: WARN, 10: REFUSED, 11: REFUSED, 12: REFUSED, 13: REFUSED,
        14: REFUSED, 15: REFUSED, 16: REFUSED, 17: IMPORT,
    }
    refused = {number: codes(row.refusals) for number, row in rows.items() if row.refusals}
    assert refused == {
        7: ["id_number_mangled_by_excel"],
        10: ["id_number_checksum"],
        11: ["id_number_format"],
        12: ["missing_name"],
        13: ["duplicate_id_number"],
        14: ["date_in_future"],
        15: ["date_unparseable"],
        16: ["date_unparseable"],
    }
    assert codes(rows[4].warnings) == ["grid_unknown", "party_group_created"]
    assert codes(rows[8].warnings) == ["id_number_upgraded", "party_group_created"]
    assert codes(rows[9].warnings) == ["gender_conflicts_with_id"]
    assert [r.row_number for r in result.to_import] == [4, 6, 8, 9, 17]
    assert result.to_update == []


def test_messages_say_where_and_what_to_do(store, village, tmp_path):
    rows = by_row(preview(store, village, messy_roster(tmp_path / "名册.xlsx")))
    assert rows[7].refusals[0].message.startswith("第 7 行「公民身份号码」：")
    assert "文本格式" in rows[7].refusals[0].message
    assert rows[13].refusals[0].message.startswith("第 13 行「公民身份号码」：") and "第 4 行" in rows[13].refusals[0].message
    assert rows[14].refusals[0].message.startswith("第 14 行「入党时间」：")
    assert rows[16].refusals[0].message.startswith("第 16 行「出生年月」：")
    assert "一网格" in rows[4].warnings[0].message


def test_a_file_without_id_numbers_is_flagged_before_anything_is_written(store, village, tmp_path):
    """e.g. a grid roster (附件4) picked by mistake: its people would come in without ID numbers."""
    path = workbook(tmp_path / "附件4.xlsx", [["网格党员花名册"], ["序号", "姓名", "性别", "联系电话"],
                                               [1, "张三", "男", "13812345678"]])
    result = preview(store, village, path)
    (problem,) = [p for _, p in result.file_problems if p.code == "id_number_column_missing"]
    assert result.problem_lists()[1][-1]["row"] == 2 and "没有「公民身份号码」列" in problem.message
    assert "如果这不是党员名册，请不要导入" in problem.message and member_count(store) == 0
    roster = preview(store, village, messy_roster(tmp_path / "名册.xlsx"))
    assert not [p for _, p in roster.file_problems if p.code == "id_number_column_missing"]


def test_preview_writes_nothing(store, village, tmp_path):
    preview(store, village, messy_roster(tmp_path / "名册.xlsx"))
    assert member_count(store) == 0
    with store.session() as session:
        assert session.scalar(select(func.count(PartyGroup.id))) == 0


def test_apply_writes_the_good_rows_cleaned(store, village, tmp_path):
    result, outcome = import_file(store, village, messy_roster(tmp_path / "名册.xlsx"))
    assert (outcome.imported, outcome.updated) == (5, 0)
    assert outcome.party_groups_created == ("第一党小组", "第二党小组")
    assert member_count(store) == 5

    zhang = member(store, ID_ZHANG)
    assert zhang.name == "张三"
    assert zhang.birth_date == dt.date(1965, 3, 12)  # "1965.03" agrees with the ID number, which has the day
    assert zhang.category is MemberCategory.FARMER
    assert zhang.joined_date == dt.date(1990, 7, 1)
    assert zhang.mobile == "13812345678"
    assert zhang.grid_id is None  # unknown grid left empty
    li = member(store, ID_LI)  # typed with a lower-case x
    assert li.name == "李四" and li.gender is Gender.FEMALE and li.mobile == "13912345678"
    assert li.party_group_id == zhang.party_group_id
    zhao = member(store, ID_ZHAO_18)
    assert zhao.category is MemberCategory.MIGRANT
    assert zhao.gender is Gender.MALE and zhao.birth_date == dt.date(1965, 3, 12)  # from the ID number
    qian = member(store, ID_QIAN)
    assert qian.gender is Gender.MALE  # as typed; the conflict was a warning
    assert qian.category is MemberCategory.ELDERLY and qian.joined_date == dt.date(1985, 6, 1)
    chu = member(store, ID_CHU)
    assert chu.birth_date == dt.date(1972, 2, 2) and chu.joined_date == dt.date(1996, 7, 1)
    with store.session() as session:
        joined = session.scalar(select(func.count(MemberEvent.id)).where(MemberEvent.kind == MemberEventKind.JOINED))
    assert joined == 5  # every member with an 入党时间 has the event in the status history


def test_refused_rows_are_never_written(store, village, tmp_path):
    import_file(store, village, messy_roster(tmp_path / "名册.xlsx"))
    with store.session() as session:
        names = set(session.scalars(select(Member.name)))
    assert names == {"张三", "李四", "赵六", "钱七", "褚四"}


@pytest.mark.parametrize("id_header", ["身份证号", "身份证号码", "公民身份号码"])
@pytest.mark.parametrize("birth_header", ["出生年月", "出生日期"])
@pytest.mark.parametrize("category_header", ["党员类别", "类别"])
def test_header_variants(store, village, tmp_path, id_header, birth_header, category_header):
    path = workbook(tmp_path / "h.xlsx", [["姓名", id_header, birth_header, category_header],
                                          ["张三", ID_ZHANG, "1965-03-12", "在职"]])
    row = preview(store, village, path).rows[0]
    assert row.status == IMPORT, row.refusals + row.warnings
    assert row.form.id_number == ID_ZHANG
    assert row.form.birth_date == dt.date(1965, 3, 12)
    assert row.form.category is MemberCategory.EMPLOYED


@pytest.mark.parametrize("cell", ["1965.03", "1965-03-12", "1965年3月", "19650312", "1965/3/12",
                                  dt.date(1965, 3, 12), dt.datetime(1965, 3, 12)])
def test_birth_dates_as_clerks_write_them(store, village, tmp_path, cell):
    path = workbook(tmp_path / "d.xlsx", [["姓名", "身份证号", "出生年月"], ["张三", ID_ZHANG, cell]])
    row = preview(store, village, path).rows[0]
    assert row.status == IMPORT, row.warnings
    assert row.form.birth_date == dt.date(1965, 3, 12)


@pytest.mark.parametrize("label, category", [("无职党员", MemberCategory.FARMER), ("农民", MemberCategory.FARMER),
                                             ("在职", MemberCategory.EMPLOYED), ("流动", MemberCategory.MIGRANT),
                                             ("年老体弱", MemberCategory.ELDERLY)])
def test_category_labels(store, village, tmp_path, label, category):
    path = workbook(tmp_path / "c.xlsx", [["姓名", "类别"], ["张三", label]])
    assert preview(store, village, path).rows[0].form.category is category


@pytest.mark.parametrize("header", ["出生日期", "入党时间", "转正时间", "外出时间", "失去联系日期"])
@pytest.mark.parametrize("cell, code", [("不详", "date_unparseable"), ("1990.13", "date_unparseable"),
                                        (f"{NEXT_YEAR}-01-01", "date_in_future"),
                                        (dt.date(NEXT_YEAR, 1, 1), "date_in_future")])
def test_bad_dates_in_every_date_column_refuse_the_row(store, village, tmp_path, header, cell, code):
    path = workbook(tmp_path / "d.xlsx", [["姓名", "身份证号", header], ["张三", ID_ZHANG, cell]])
    row = preview(store, village, path).rows[0]
    assert row.status == REFUSED
    assert codes(row.refusals) == [code]
    assert row.refusals[0].message.startswith(f"第 2 行「{header}」：")
    assert not [p for p in row.warnings if p.code.startswith("date")]


def test_future_date_against_the_given_today(store, village, tmp_path):
    path = workbook(tmp_path / "d.xlsx", [["姓名", "入党时间"], ["张三", "2020-05-01"]])
    row = preview(store, village, path, today=dt.date(2020, 1, 1)).rows[0]
    assert codes(row.refusals) == ["date_in_future"]


def test_the_editors_rules_refuse_the_same_rows(store, village, tmp_path):
    """转正 before 入党 only warns in the generic reader; the editor refuses it, so the import does too."""
    form = MemberForm(name="张三", joined_date=dt.date(1991, 7, 1), confirmed_date=dt.date(1990, 7, 1))
    assert "confirmed_date" in check_form(form).errors
    path = workbook(tmp_path / "r.xlsx", [["姓名", "入党时间", "转正时间"], ["张三", "1991.07.01", "1990.07.01"]])
    row = preview(store, village, path).rows[0]
    assert codes(row.refusals) == ["confirmed_before_joined"]
    assert row.warnings == []


def test_several_problems_of_one_row_are_all_reported(store, village, tmp_path):
    path = workbook(tmp_path / "r.xlsx", [["姓名", "身份证号", "入党时间", "外出时间"],
                                          [None, wrong_check_digit(ID_ZHANG), "不详", f"{NEXT_YEAR}.03"]])
    row = preview(store, village, path).rows[0]
    assert sorted(codes(row.refusals)) == ["date_in_future", "date_unparseable", "id_number_checksum", "missing_name"]


def test_names_with_full_width_and_padding_spaces(store, village, tmp_path):
    path = workbook(tmp_path / "n.xlsx", [["姓名", "身份证号"], ["\u3000王\u3000五 ", ID_WANG], ["艾力 · 买买提", ID_SUN]])
    first, second = preview(store, village, path).rows
    assert first.form.name == "王五"
    assert second.form.name == "艾力·买买提"


def test_unknown_grid_warns_and_a_known_one_is_used(store, village, tmp_path):
    with store.session() as session:
        grid = Grid(village_id=village, level=GridLevel.GROUP, name="第一网格")
        group = PartyGroup(village_id=village, name="第一党小组")
        session.add_all([grid, group])
        session.flush()
        grid_id, group_id = grid.id, group.id
    path = workbook(tmp_path / "g.xlsx", [["姓名", "党小组", "网格"], ["张三", "第一党小组", "第 一网格"],
                                          ["李四", "第一党小组", "第九网格"]])
    first, second = preview(store, village, path).rows
    assert first.status == IMPORT and (first.form.grid_id, first.form.party_group_id) == (grid_id, group_id)
    assert codes(second.warnings) == ["grid_unknown"] and second.form.grid_id is None


def test_a_row_with_only_the_branch_filled_in_is_not_a_member(store, village, tmp_path):
    path = workbook(tmp_path / "b.xlsx", [["姓名", "身份证号", "所在党支部"], ["张三", ID_ZHANG, "东湖村党支部"],
                                          [None, None, "东湖村党支部"]])
    result = preview(store, village, path)
    assert [r.row_number for r in result.rows] == [2]


def test_an_unreadable_file(store, village, tmp_path):
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with store.session() as session:
        with pytest.raises(RosterUnreadable):
            preview_import(session, village, broken)
        with pytest.raises(RosterUnreadable, match="找不到文件"):
            preview_import(session, village, tmp_path / "没有.xlsx")
        with pytest.raises(RosterUnreadable, match="表头"):
            preview_import(session, village, workbook(tmp_path / "x.xlsx", [["随便"], ["什么", "都"]]))


# ---------------------------------------------------------------------------------------- the register


def save(store, village_id, **fields):
    with store.session() as session:
        return save_member(session, village_id, MemberForm(**fields))


def test_a_number_already_registered_is_refused_without_update(store, village, tmp_path):
    save(store, village, name="张三", id_number=ID_ZHANG)
    path = workbook(tmp_path / "u.xlsx", [["姓名", "身份证号"], ["张三", ID_ZHANG], ["李四", ID_LI]])
    first, second = preview(store, village, path).rows
    assert first.status == REFUSED and codes(first.refusals) == ["duplicate_id_number"]
    assert "已在党员名册中" in first.refusals[0].message and "更新" in first.refusals[0].message
    assert "--update" in first.refusals[0].message
    assert second.status == IMPORT


def test_update_overwrites_only_the_columns_the_file_has(store, village, tmp_path):
    member_id = save(store, village, name="张三", id_number=ID_ZHANG, mobile="13800000000", address="东湖村1组8号",
                     post="环境整治岗", education=Education.SECONDARY, native_place="江苏金坛",
                     category=MemberCategory.FARMER)
    path = workbook(tmp_path / "u.xlsx", [["姓名", "身份证号", "手机号码", "党员类别", "籍贯"],
                                          ["张三", ID_ZHANG, "13911112222", "在职", None]])
    result, outcome = import_file(store, village, path, update=True)
    assert result.rows[0].status == UPDATE
    assert (outcome.imported, outcome.updated) == (0, 1)
    assert member_count(store) == 1
    zhang = member(store, ID_ZHANG)
    assert zhang.id == member_id
    assert zhang.mobile == "13911112222" and zhang.category is MemberCategory.EMPLOYED
    # Columns the file does not have, and a blank cell, keep the register's values.
    assert zhang.address == "东湖村1组8号" and zhang.post == "环境整治岗"
    assert zhang.education is Education.SECONDARY and zhang.native_place == "江苏金坛"
    with store.session() as session:
        kinds = list(session.scalars(select(MemberEvent.kind).where(MemberEvent.member_id == member_id)))
    assert kinds == [MemberEventKind.CATEGORY_CHANGED]


def test_update_with_a_different_name_warns(store, village, tmp_path):
    save(store, village, name="张三", id_number=ID_ZHANG)
    path = workbook(tmp_path / "u.xlsx", [["姓名", "身份证号"], ["张山", ID_ZHANG]])
    row = preview(store, village, path, update=True).rows[0]
    assert row.status == WARN and row.action == UPDATE
    assert codes(row.warnings) == ["name_differs_from_register"]


def test_a_number_of_another_village_is_refused_even_with_update(store, village, tmp_path):
    with store.session() as session:
        other = helpers.village(session, "西湖村", township="白马镇", secretary="李书记")
    save(store, other, name="张三", id_number=ID_ZHANG)
    path = workbook(tmp_path / "u.xlsx", [["姓名", "身份证号"], ["张三", ID_ZHANG]])
    row = preview(store, village, path, update=True).rows[0]
    assert codes(row.refusals) == ["duplicate_id_number"] and "西湖村" in row.refusals[0].message


def test_status_columns_become_dated_status_changes(store, village, tmp_path):
    path = workbook(tmp_path / "s.xlsx", [["姓名", "身份证号", "党籍状态", "是否失联", "失去联系日期"],
                                          ["张三", ID_ZHANG, "停止党籍", "是", "2025-03-01"]])
    import_file(store, village, path)
    zhang = member(store, ID_ZHANG)
    assert zhang.membership_state is MembershipState.SUSPENDED
    assert zhang.lost_contact and zhang.lost_contact_date == dt.date(2025, 3, 1)
    with store.session() as session:
        kinds = set(session.scalars(select(MemberEvent.kind).where(MemberEvent.member_id == zhang.id)))
    assert kinds == {MemberEventKind.SUSPENDED, MemberEventKind.LOST_CONTACT}


def test_apply_is_all_or_nothing(store, village, tmp_path, monkeypatch):
    path = messy_roster(tmp_path / "名册.xlsx")
    real_save = member_import.save_members
    written = []

    def save_then_fail(*args, **kwargs):
        written.extend(real_save(*args, **kwargs))  # the members really are inserted...
        raise RuntimeError("磁盘已满")  # ...and then the disk fills up

    monkeypatch.setattr(member_import, "save_members", save_then_fail)
    with pytest.raises(RuntimeError):
        with store.session() as session:
            apply_import(session, village, preview_import(session, village, path))
    assert len(written) > 2
    assert member_count(store) == 0
    with store.session() as session:
        assert session.scalar(select(func.count(PartyGroup.id))) == 0
        assert session.scalar(select(func.count(MemberEvent.id))) == 0


# ---------------------------------------------------------------------------------------- the error workbook


def test_error_workbook_keeps_the_original_cells(store, village, tmp_path):
    result = preview(store, village, messy_roster(tmp_path / "名册.xlsx"))
    out = tmp_path / "未导入.xlsx"
    assert write_error_workbook(result, out) == 8
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header == ["序号", "姓名", "性别", "公民身份号码", "出生年月", "党员类别", "入党时间", "手机号码", "党小组", "网格",
                      "备注", "原行号", "问题"]
    assert all(c.font.bold for c in ws[1])
    rows = {r[11].value: r for r in ws.iter_rows(min_row=2)}
    assert sorted(rows) == [7, 10, 11, 12, 13, 14, 15, 16]
    mangled = rows[7][3]
    assert mangled.data_type == "s" and mangled.number_format == "@"
    assert len(mangled.value) == 18 and mangled.value.endswith("000")  # what Excel showed, as text
    assert rows[10][3].value == wrong_check_digit(ID_SUN) and rows[10][3].number_format == "@"
    assert rows[14][6].value == f"{NEXT_YEAR}.01"
    assert "文本格式" in rows[7][12].value and "第 7 行" not in rows[7][12].value
    # Column widths count a Chinese character as 2.
    assert ws.column_dimensions["D"].width >= 18 + 2
    assert ws.column_dimensions["B"].width >= 6


def test_error_workbook_from_a_reading_alone(tmp_path):
    from partybuild_desktop.importers.member_fields import read_member_roster

    reading = read_member_roster(messy_roster(tmp_path / "名册.xlsx"))
    assert write_error_workbook(reading, tmp_path / "e.xlsx") == len(reading.refused_rows)


def test_corrected_error_workbook_is_accepted(store, village, tmp_path):
    first, outcome = import_file(store, village, messy_roster(tmp_path / "名册.xlsx"))
    out = tmp_path / "未导入.xlsx"
    write_error_workbook(first, out)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    # Original row -> {column: corrected text}; columns as in HEADERS (3: ID number, 6: 入党时间).
    fixes = {7: {3: ID_WANG}, 10: {3: ID_SUN}, 11: {3: ID_ZHOU}, 12: {1: "吴十一"},
             13: {3: make_id_for("19630303", digit_only=True)}, 14: {6: "2008.01"}, 15: {6: "2012年7月"}, 16: {4: "1955.05"}}
    for row in ws.iter_rows(min_row=2):
        for column, value in fixes[row[11].value].items():
            row[column].value = value
    wb.save(out)

    again = preview(store, village, out)
    assert [r.status for r in again.rows if r.status == REFUSED] == [], [r.refusals for r in again.rows]
    assert len(again.to_import) == 8
    with store.session() as session:
        second = apply_import(session, village, preview_import(session, village, out))
    assert outcome.imported + second.imported == 13
    assert member_count(store) == 13
    assert member(store, ID_WANG).name == "王五"


# ---------------------------------------------------------------------------------------- the round trip

NATIONAL = ("name", "gender", "ethnicity", "id_number", "birth_date", "education", "standing", "joined_date",
            "confirmed_date", "job_post", "mobile", "landline", "address", "membership_state", "lost_contact",
            "lost_contact_date", "native_place", "degree")
VILLAGE_OWN = ("category", "post", "is_hub_household", "is_committee_member", "away_since", "away_reason",
               "away_province", "away_city", "away_county", "away_contact", "away_occupation", "activity_card_no",
               "employer", "employer_contact", "care_needs", "visit_interval_days", "notes")


def snapshot(store, village_id):
    with store.session() as session:
        groups = dict(session.execute(select(PartyGroup.id, PartyGroup.name)).all())
        members = session.scalars(select(Member).where(Member.village_id == village_id,
                                                       Member.archived.is_(False))).all()
        away = form_fields_of(session, [m.id for m in members])  # the open stint's 外出 fields
        return {
            m.id_number: {**{f: away[m.id][f] if f in away[m.id] else getattr(m, f) for f in NATIONAL + VILLAGE_OWN},
                          "party_group": groups.get(m.party_group_id)}
            for m in members
        }


def test_round_trip_export_then_import_into_an_empty_village(sample_store, tmp_path):
    with sample_store.session() as session:
        source = current_village(session)
        members = session.scalars(select(Member).where(Member.village_id == source.id).order_by(Member.id)).all()
        # Fill the fields the sample leaves empty, so the round trip covers them too.
        members[1].native_place, members[1].degree, members[1].landline = "江苏金坛", "学士", "0519-82123456"
        members[2].notes = "曾任村民小组长\n2019年评为优秀党员"
        members[3].membership_state = MembershipState.SUSPENDED
        members[4].lost_contact, members[4].lost_contact_date = True, dt.date(2025, 8, 1)
        members[5].standing, members[5].confirmed_date = Standing.PROBATIONARY, None
    path = tmp_path / "花名册.xlsx"
    exports.export(sample_store, source.id, "members", path, exports.ExportOptions(today=SAMPLE_TODAY))
    expected = snapshot(sample_store, source.id)
    assert len(expected) >= 100

    # ID numbers and phone numbers are text cells, as another program reads them.
    rows = sheet_rows(path)
    header = rows[2]
    numbers = [r[header.index("公民身份号码")] for r in rows[3:] if r[1]]
    assert numbers and all(isinstance(n, str) and len(n) == 18 for n in numbers)
    assert all(isinstance(r[header.index("手机号码")], str) for r in rows[3:] if r[1])

    fresh_folder = tmp_path / "fresh"
    fresh = new_store(fresh_folder)
    try:
        with fresh.session() as session:
            target = helpers.village(session, "新村", township="白马镇", secretary="张书记")
        result, outcome = import_file(fresh, target, path)
        assert result.refused == [], [r.refusals for r in result.refused]
        assert outcome.imported == len(expected)
        # Only the grids are left behind (they have to be set up first) and the new party groups are named.
        warned = {p.code for r in result.rows for p in r.warnings}
        assert warned <= {"grid_unknown", "party_group_created"}
        got = snapshot(fresh, target)
    finally:
        fresh.dispose()
    assert got.keys() == expected.keys()
    for number, fields in expected.items():
        assert got[number] == fields, number


def test_members_pdf_masks_id_numbers(sample_store, tmp_path):
    from pypdf import PdfReader

    with sample_store.session() as session:
        village = current_village(session)
        number = session.scalars(select(Member.id_number).where(Member.village_id == village.id)).first()
    path = tmp_path / "花名册.pdf"
    exports.export(sample_store, village.id, "members", path, exports.ExportOptions(today=SAMPLE_TODAY))
    reader = PdfReader(path)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # A4 landscape
    text = "".join(page.extract_text() for page in reader.pages)
    assert number not in text
    assert mask(number) in text
    assert "党员花名册" in text


def test_members_export_is_in_the_catalogue():
    definition = exports.find("members")
    assert definition.title == "党员花名册" and set(definition.formats) == {"xlsx", "pdf"}


def test_every_export_header_is_recognised_by_the_importer():
    from partybuild_desktop.importers.roster import normalise_header
    from partybuild_desktop.reports.tables.members import COLUMNS

    known = {name for spec in member_import.IMPORT_FIELDS for name in spec.names()}
    unknown = [c.header for c in COLUMNS if normalise_header(c.header) not in known]
    assert unknown == ["序号"]  # the row number is read past on purpose
