"""Importing households from the clerk's messy Excel list: the same preview, statuses, problem lists and error
workbook as the members import, with a household's own columns and its own idea of "already registered"."""

import openpyxl
import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.vocabulary import CareFlag, GridLevel
from partybuild_desktop.importers import preview as shared
from partybuild_desktop.importers.error_workbook import write_error_workbook
from partybuild_desktop.importers.household_fields import group_key, household_identity, parse_care_types, parse_size
from partybuild_desktop.importers.roster import RosterUnreadable
from partybuild_desktop.services import household_import, member_import
from partybuild_desktop.services.household_import import IMPORT, REFUSED, UPDATE, WARN, apply_import, preview_import
from partybuild_desktop.services.households import HouseholdForm, load_household, save_household
from partybuild_desktop.services.members import MemberForm, save_member
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.store.models import Grid, Household, Member
from tests import helpers
from tests.helpers import by_row, codes, workbook

HEADERS = ["序号", "户　主", "组别", "家庭住址", "联系电话", "人口", "所属网格", "联户党员",
           "困难家庭", "孤寡空巢老人", "留守儿童", "失业", "特殊人群", "备注"]


def messy_list(path):
    """A household list as a clerk keeps it: title, unit line, blank rows, a total, and a problem on several rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "农户花名册"
    ws["A1"] = "东湖村农户花名册"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A2"] = "填报单位：东湖村村民委员会"
    ws["J2"] = "填报日期：2026年11月"
    ws.append(HEADERS)  # row 3
    ws.append([1, "王　大", "三组", "东湖村3组5号", "138 1234 5678", "4人", "第 一网格", "张三",
               "√", "否", "✓", None, None, "低保"])  # 4
    ws.append([])  # 5: blank separator
    ws.append([2, " 李二 ", "1组", "东湖村1组2号", 13912345678, 3, None, None, "是", "1", "有", "无", "0"])  # 6
    ws.append([3, None, "1组", "东湖村1组9号", None, 2, None, None, "否"])  # 7: no head of household
    ws.append([4, "赵四", "2组", "东湖村2组1号", "12345", "很多", "第九网格", "没这人"])  # 8: only warnings
    ws.append([5, "王大", "3组", "东湖村３组５号"])  # 9: row 4 again (三组 = 3组, full-width digits)
    ws.append([6, "孙五", "第二村民小组", "东湖村2组7号", None, "五", None, "李四", "是"])  # 10
    ws.append([None, None, "2组", None, None, None, None, None, "否", "否", "否", "否", "否"])  # 11: template line
    ws.append([])  # 12
    ws.append(["合　计", "6户"])  # 13
    ws.append(["填表人：李文书", None, None, "审核人：王书记"])  # 14
    wb.save(path)
    return path


@pytest.fixture
def village(store):
    """A village with a grid and two members who can liaise."""
    with store.session() as session:
        village_id = helpers.village(session, "东湖村", township="白马镇")
        session.add(Grid(village_id=village_id, level=GridLevel.GROUP, name="第一网格"))
        save_member(session, village_id, MemberForm(name="张三"))
        save_member(session, village_id, MemberForm(name="李四"))
    return village_id


def ids(store, model, **where):
    with store.session() as session:
        query = select(model.id)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return list(session.scalars(query))


def preview(store, village_id, path, update=False):
    with store.session() as session:
        return preview_import(session, village_id, path, update=update)


def import_file(store, village_id, path, update=False):
    with store.session() as session:
        result = preview_import(session, village_id, path, update=update)
        outcome = apply_import(session, village_id, result)
    return result, outcome


def household_count(store):
    with store.session() as session:
        return session.scalar(select(func.count(Household.id)))


def households(store):
    with store.session() as session:
        return {(h.head_name, h.villager_group): load_household(session, h.id)
                for h in session.scalars(select(Household))}


def register(store, village_id, **fields):
    with store.session() as session:
        return save_household(session, village_id, HouseholdForm(**fields))


# ---------------------------------------------------------------------------------------- the preview


def test_messy_list_gets_a_status_for_every_data_row(store, village, tmp_path):
    result = preview(store, village, messy_list(tmp_path / "农户.xlsx"))
    rows = by_row(result)
    # Title, unit line, header, blank rows, the template line, 合计 and the footer are not data rows.
    assert sorted(rows) == [4, 6, 7, 8, 9, 10]
    assert {n: r.status for n, r in rows.items()} == {4: IMPORT, 6: IMPORT, 7: REFUSED, 8: WARN, 9: REFUSED, 10: IMPORT}
    assert {n: codes(r.refusals) for n, r in rows.items() if r.refusals} == {
        7: ["missing_household_head"], 9: ["duplicate_household"]}
    assert codes(rows[8].warnings) == ["phone_format", "size_invalid", "grid_unknown", "liaison_unknown"]
    assert [r.row_number for r in result.to_import] == [4, 6, 8, 10]
    assert result.to_update == []


def test_rows_are_cleaned_and_matched(store, village, tmp_path):
    rows = by_row(preview(store, village, messy_list(tmp_path / "农户.xlsx")))
    [grid_id] = ids(store, Grid)
    zhang, li = ids(store, Member, name="张三") + ids(store, Member, name="李四")
    wang = rows[4].form
    assert (wang.head_name, wang.villager_group, wang.phone, wang.size) == ("王大", "三组", "13812345678", 4)
    assert (wang.grid_id, wang.liaison_member_id, wang.notes) == (grid_id, zhang, "低保")
    assert wang.care_flags == {CareFlag.HARDSHIP, CareFlag.LEFT_BEHIND_CHILDREN}
    li_er = rows[6].form
    assert li_er.head_name == "李二" and li_er.phone == "13912345678" and li_er.size == 3
    assert li_er.care_flags == {CareFlag.HARDSHIP, CareFlag.ELDERLY_ALONE, CareFlag.LEFT_BEHIND_CHILDREN}
    zhao = rows[8].form  # the bad phone, size, grid and liaison are left empty
    assert (zhao.phone, zhao.size, zhao.grid_id, zhao.liaison_member_id) == (None, None, None, None)
    sun = rows[10].form
    assert (sun.size, sun.liaison_member_id, sun.care_flags) == (5, li, {CareFlag.HARDSHIP})


def test_messages_say_where_and_what_to_do(store, village, tmp_path):
    rows = by_row(preview(store, village, messy_list(tmp_path / "农户.xlsx")))
    assert rows[7].refusals[0].message.startswith("第 7 行「户主」：") and "户主姓名" in rows[7].refusals[0].message
    assert rows[9].refusals[0].message.startswith("第 9 行「户主」：") and "第 4 行" in rows[9].refusals[0].message
    warnings = {p.code: p.message for p in rows[8].warnings}
    assert warnings["grid_unknown"].startswith("第 8 行「所属网格」：") and "第九网格" in warnings["grid_unknown"]
    assert "没这人" in warnings["liaison_unknown"] and "留空" in warnings["liaison_unknown"]
    assert "很多" in warnings["size_invalid"]


def test_preview_writes_nothing(store, village, tmp_path):
    preview(store, village, messy_list(tmp_path / "农户.xlsx"))
    assert household_count(store) == 0


def test_apply_writes_the_good_rows(store, village, tmp_path):
    result, outcome = import_file(store, village, messy_list(tmp_path / "农户.xlsx"))
    assert (outcome.imported, outcome.updated) == (4, 0)
    saved = households(store)
    assert set(saved) == {("王大", "三组"), ("李二", "1组"), ("赵四", "2组"), ("孙五", "第二村民小组")}
    assert saved["王大", "三组"].care_flags == {CareFlag.HARDSHIP, CareFlag.LEFT_BEHIND_CHILDREN}
    assert saved["李二", "1组"].phone == "13912345678"


@pytest.mark.parametrize("head", ["户主姓名", "户主", "户主名"])
@pytest.mark.parametrize("group", ["村民小组", "组别", "所在组", "小组"])
@pytest.mark.parametrize("address", ["家庭住址", "住址", "地址"])
def test_header_variants_of_head_group_and_address(store, village, tmp_path, head, group, address):
    path = workbook(tmp_path / "h.xlsx", [[head, group, address], ["王大", "3组", "东湖村3组5号"]])
    row = preview(store, village, path).rows[0]
    assert row.status == IMPORT, row.refusals + row.warnings
    assert (row.form.head_name, row.form.villager_group, row.form.address) == ("王大", "3组", "东湖村3组5号")


@pytest.mark.parametrize("phone", ["联系电话", "电话", "手机"])
@pytest.mark.parametrize("size", ["家庭人口", "人口", "人数"])
@pytest.mark.parametrize("grid", ["网格", "所属网格"])
@pytest.mark.parametrize("liaison", ["联系党员", "联户党员", "包户党员"])
def test_header_variants_of_the_other_columns(store, village, tmp_path, phone, size, grid, liaison):
    path = workbook(tmp_path / "h.xlsx", [["户主姓名", phone, size, grid, liaison, "备注"],
                                          ["王大", "13812345678", 4, "第一网格", "张三", "新迁入"]])
    form = preview(store, village, path).rows[0].form
    assert (form.phone, form.size, form.notes) == ("13812345678", 4, "新迁入")
    assert form.grid_id == ids(store, Grid)[0] and form.liaison_member_id == ids(store, Member, name="张三")[0]


@pytest.mark.parametrize("header, flag", [("困难家庭", CareFlag.HARDSHIP), ("孤寡空巢老人", CareFlag.ELDERLY_ALONE),
                                          ("空巢老人", CareFlag.ELDERLY_ALONE), ("留守儿童", CareFlag.LEFT_BEHIND_CHILDREN),
                                          ("失业", CareFlag.UNEMPLOYED), ("特殊人群", CareFlag.SPECIAL)])
@pytest.mark.parametrize("cell, on", [("是", True), ("√", True), ("✓", True), (1, True), ("有", True),
                                      ("否", False), ("无", False), (0, False), ("×", False)])
def test_flag_columns(store, village, tmp_path, header, flag, cell, on):
    path = workbook(tmp_path / "f.xlsx", [["户主姓名", "住址", header], ["王大", "3组5号", cell]])
    row = preview(store, village, path).rows[0]
    assert row.warnings == []
    assert row.form.care_flags == ({flag} if on else set())


def test_an_unknown_flag_value_warns_and_is_left_unset(store, village, tmp_path):
    path = workbook(tmp_path / "f.xlsx", [["户主姓名", "困难家庭"], ["王大", "不清楚"]])
    row = preview(store, village, path).rows[0]
    assert row.status == WARN and codes(row.warnings) == ["flag_unknown"]
    assert row.form.care_flags == set()


@pytest.mark.parametrize("header", ["类型", "人员类别", "重点人群"])
@pytest.mark.parametrize("cell, flags", [
    ("困难家庭、留守儿童", {CareFlag.HARDSHIP, CareFlag.LEFT_BEHIND_CHILDREN}),
    ("低保户，空巢老人", {CareFlag.HARDSHIP, CareFlag.ELDERLY_ALONE}),
    ("失业群众/特殊人群", {CareFlag.UNEMPLOYED, CareFlag.SPECIAL}),
    ("孤寡老人 留守儿童", {CareFlag.ELDERLY_ALONE, CareFlag.LEFT_BEHIND_CHILDREN}),
    ("困难家庭和留守儿童", {CareFlag.HARDSHIP, CareFlag.LEFT_BEHIND_CHILDREN}),
    ("无", set()),
    ("一般户", set()),
])
def test_one_type_column_listing_several(store, village, tmp_path, header, cell, flags):
    path = workbook(tmp_path / "t.xlsx", [["户主姓名", "住址", header], ["王大", "3组5号", cell]])
    row = preview(store, village, path).rows[0]
    assert row.warnings == []
    assert row.form.care_flags == flags


def test_a_type_the_import_does_not_know_warns_and_keeps_the_rest(store, village, tmp_path):
    path = workbook(tmp_path / "t.xlsx", [["户主姓名", "类型"], ["王大", "困难家庭、外来务工"]])
    row = preview(store, village, path).rows[0]
    assert codes(row.warnings) == ["care_type_unknown"] and "外来务工" in row.warnings[0].message
    assert row.form.care_flags == {CareFlag.HARDSHIP}


def test_a_flag_column_contradicted_by_the_type_column_warns(store, village, tmp_path):
    path = workbook(tmp_path / "t.xlsx", [["户主姓名", "留守儿童", "类型"], ["王大", "否", "困难家庭、留守儿童"]])
    row = preview(store, village, path).rows[0]
    assert codes(row.warnings) == ["care_flag_conflict"]
    assert row.form.care_flags == {CareFlag.HARDSHIP, CareFlag.LEFT_BEHIND_CHILDREN}


def test_a_two_level_header_with_the_flags_grouped(store, village, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["农户花名册"])
    ws.append(["户主姓名", "村民小组", "必访对象（在相应栏打√）", None, None])
    ws.append([None, None, "困难家庭", "留守儿童", "特殊人群"])
    ws.merge_cells("C2:E2")
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.append(["王大", "3组", "√", None, "√"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    [row] = preview(store, village, path).rows
    assert row.row_number == 4 and row.status == IMPORT
    assert row.form.care_flags == {CareFlag.HARDSHIP, CareFlag.SPECIAL}


def test_liaison_names_two_members_or_an_archived_one(store, village, tmp_path):
    with store.session() as session:
        save_member(session, village, MemberForm(name="张三"))  # a second 张三
        gone = session.get(Member, save_member(session, village, MemberForm(name="钱五")))
        gone.archived, gone.archive_reason = True, "去世"
    path = workbook(tmp_path / "l.xlsx", [["户主姓名", "联系党员"], ["王大", "张 三"], ["李二", "钱五"],
                                          ["赵四", "李四、张三"], ["孙五", "李四"]])
    rows = preview(store, village, path).rows
    assert [codes(r.warnings) for r in rows] == [["liaison_ambiguous"], ["liaison_unknown"], ["liaison_unknown"], []]
    assert "2 名党员" in rows[0].warnings[0].message and "已归档" in rows[1].warnings[0].message
    assert [r.form.liaison_member_id for r in rows] == [None, None, None, ids(store, Member, name="李四")[0]]
    assert [r.status for r in rows] == [WARN, WARN, WARN, IMPORT]


def test_a_grid_by_partial_name(store, village, tmp_path):
    path = workbook(tmp_path / "g.xlsx", [["户主姓名", "网格"], ["王大", "一网格"]])
    row = preview(store, village, path).rows[0]
    assert row.status == IMPORT and row.form.grid_id == ids(store, Grid)[0]


def test_villager_group_takes_the_registers_spelling(store, village, tmp_path):
    register(store, village, head_name="钱六", villager_group="3组")
    path = workbook(tmp_path / "g.xlsx", [["户主姓名", "村民小组"], ["王大", "三组"], ["李二", "第3村民小组"],
                                          ["赵四", "第九组"]])
    assert [r.form.villager_group for r in preview(store, village, path).rows] == ["3组", "3组", "第九组"]


def test_sizes():
    assert [parse_size(v).value for v in (4, 4.0, "4", "4人", "４", "四口", "十二")] == [4, 4, 4, 4, 4, 4, 12]
    for bad in ("很多", 0, 45, 3.5, "-1"):
        parsed = parse_size(bad)
        assert parsed.value is None and [i.code for i in parsed.issues] == ["size_invalid"]
        assert not parsed.issues[0].refuse


def test_care_types_parser():
    assert parse_care_types("五保户（1人）").value == {CareFlag.HARDSHIP}
    assert parse_care_types("").value == frozenset()


def test_what_makes_two_rows_the_same_household():
    same = [{"household_head": "王大", "villager_group": g, "address": a}
            for g, a in (("3组", "东湖村3组5号"), ("三组", "东湖村３组５号"), ("第三村民小组", "东湖村 3组 5号"),
                         (" 第3组", "东湖村3组5号"))]
    assert len({household_identity(v) for v in same}) == 1
    assert household_identity({"head_name": "王大", "villager_group": "3组", "address": "东湖村3组5号"}) == \
        household_identity(same[0])  # a registered household
    others = [{"household_head": "王大", "villager_group": "4组", "address": "东湖村3组5号"},
              {"household_head": "王大", "villager_group": "3组", "address": "东湖村3组6号"},
              {"household_head": "王大", "villager_group": "3组", "address": None},
              {"household_head": "王小", "villager_group": "3组", "address": "东湖村3组5号"}]
    assert len({household_identity(v) for v in others} | {household_identity(same[0])}) == 5
    assert household_identity({"household_head": None}) is None
    assert [group_key(g) for g in ("十二组", "第12组", "12", "一组", "东片")] == ["12", "12", "12", "1", "东片"]


def test_missing_household_head_is_refused(store, village, tmp_path):
    path = workbook(tmp_path / "m.xlsx", [["户主姓名", "住址", "电话"], ["\u3000", "东湖村1组3号", "13812345678"]])
    [row] = preview(store, village, path).rows
    assert row.status == REFUSED and codes(row.refusals) == ["missing_household_head"]


def test_a_file_without_a_head_column_or_header_is_unusable(store, village, tmp_path):
    with store.session() as session:
        with pytest.raises(RosterUnreadable, match="户主姓名"):
            preview_import(session, village, workbook(tmp_path / "n.xlsx", [["姓名", "住址", "联系电话"], ["王大", "x", None]]))
        with pytest.raises(RosterUnreadable, match="表头"):
            preview_import(session, village, workbook(tmp_path / "x.xlsx", [["随便"], ["什么", "都"]]))
        broken = tmp_path / "坏.xlsx"
        broken.write_bytes(b"PK\x03\x04 not a workbook")
        with pytest.raises(RosterUnreadable):
            preview_import(session, village, broken)


def test_a_duplicated_column_is_a_file_warning(store, village, tmp_path):
    path = workbook(tmp_path / "d.xlsx", [["户主姓名", "住址", "地址"], ["王大", "东湖村3组5号", "别的"]])
    result = preview(store, village, path)
    assert result.rows[0].form.address == "东湖村3组5号"
    assert [(w["row"], w["code"]) for w in result.problem_lists()[1]] == [(1, "duplicate_column")]


# ---------------------------------------------------------------------------------------- the register


def test_a_registered_household_is_refused_without_update(store, village, tmp_path):
    register(store, village, head_name="王大", villager_group="3组", address="东湖村3组5号")
    path = workbook(tmp_path / "u.xlsx", [["户主", "组别", "住址"], ["王 大", "三组", "东湖村３组５号"],
                                          ["王大", "3组", "东湖村3组6号"]])
    first, second = preview(store, village, path).rows
    assert first.status == REFUSED and codes(first.refusals) == ["duplicate_household"]
    assert "已在农户台账中" in first.refusals[0].message and "--update" in first.refusals[0].message
    assert second.status == IMPORT  # another address: another household


def test_update_overwrites_only_what_the_file_has(store, village, tmp_path):
    [grid_id] = ids(store, Grid)
    zhang, li = ids(store, Member, name="张三") + ids(store, Member, name="李四")
    household_id = register(store, village, head_name="王大", villager_group="3组", address="东湖村3组5号",
                            phone="13800000000", size=5, grid_id=grid_id, liaison_member_id=zhang,
                            care_flags=frozenset({CareFlag.HARDSHIP, CareFlag.SPECIAL}), notes="老台账")
    path = workbook(tmp_path / "u.xlsx", [["户主姓名", "村民小组", "家庭住址", "联系电话", "人口", "联系党员", "网格", "类型", "备注"],
                                          ["王大", "三组", "东湖村3组5号", "13911112222", None, "李四", "第九网格",
                                           "留守儿童", None]])
    result, outcome = import_file(store, village, path, update=True)
    [row] = result.rows
    assert row.action == UPDATE and row.household_id == household_id
    assert codes(row.warnings) == ["grid_unknown"] and "保持不变" in row.warnings[0].message
    assert (outcome.imported, outcome.updated) == (0, 1)
    assert household_count(store) == 1
    with store.session() as session:
        form = load_household(session, household_id)
    assert form.phone == "13911112222" and form.liaison_member_id == li
    # A blank cell, and a grid that could not be matched, keep the register's values.
    assert (form.size, form.grid_id, form.notes, form.villager_group) == (5, grid_id, "老台账", "3组")
    # A 类型 cell states the whole set of flags.
    assert form.care_flags == {CareFlag.LEFT_BEHIND_CHILDREN}


def test_update_keeps_flags_a_file_says_nothing_about(store, village, tmp_path):
    household_id = register(store, village, head_name="王大", care_flags=frozenset({CareFlag.HARDSHIP}))
    path = workbook(tmp_path / "u.xlsx", [["户主姓名", "留守儿童", "困难家庭"], ["王大", "是", None]])
    import_file(store, village, path, update=True)
    with store.session() as session:
        assert load_household(session, household_id).care_flags == {CareFlag.HARDSHIP, CareFlag.LEFT_BEHIND_CHILDREN}


def test_the_same_household_twice_in_the_file_is_refused_even_with_update(store, village, tmp_path):
    register(store, village, head_name="王大", villager_group="3组")
    path = workbook(tmp_path / "u.xlsx", [["户主姓名", "村民小组", "电话"], ["王大", "3组", "13811111111"],
                                          ["王大", "三组", "13822222222"], ["李二", "1组", None], ["李二", "一组", None]])
    for update in (False, True):
        rows = preview(store, village, path, update=update).rows
        assert [r.status for r in rows] == [UPDATE if update else REFUSED, REFUSED, IMPORT, REFUSED]
        assert [codes(r.refusals) for r in rows][1::2] == [["duplicate_household"], ["duplicate_household"]]
        assert "第 2 行" in rows[1].refusals[0].message and "第 4 行" in rows[3].refusals[0].message


def test_update_refuses_when_the_register_has_the_household_twice(store, village, tmp_path):
    register(store, village, head_name="王大", villager_group="3组")
    register(store, village, head_name="王大", villager_group="三组")
    path = workbook(tmp_path / "u.xlsx", [["户主姓名", "村民小组"], ["王大", "3组"]])
    [row] = preview(store, village, path, update=True).rows
    assert row.status == REFUSED and codes(row.refusals) == ["duplicate_household"]
    assert "2 户" in row.refusals[0].message


def test_apply_is_all_or_nothing(store, village, tmp_path, monkeypatch):
    path = messy_list(tmp_path / "农户.xlsx")
    real_save = household_import.save_household
    written = []

    def save_then_fail(*args, **kwargs):
        written.append(real_save(*args, **kwargs))  # the households really are inserted...
        if len(written) == 3:
            raise RuntimeError("磁盘已满")  # ...and then the disk fills up

    monkeypatch.setattr(household_import, "save_household", save_then_fail)
    with pytest.raises(RuntimeError):
        with store.session() as session:
            apply_import(session, village, preview_import(session, village, path))
    assert len(written) == 3
    assert household_count(store) == 0


def test_a_preview_of_another_village_is_not_applied(store, village, tmp_path):
    with store.session() as session:
        other = helpers.village(session, "西湖村", township="白马镇", secretary="李书记")
        result = preview_import(session, village, workbook(tmp_path / "a.xlsx", [["户主姓名", "住址"], ["王大", "x"]]))
        with pytest.raises(ValueError):
            apply_import(session, other, result)


# ---------------------------------------------------------------------------------------- the error workbook


def test_error_workbook_keeps_the_original_cells(store, village, tmp_path):
    result = preview(store, village, messy_list(tmp_path / "农户.xlsx"))
    out = tmp_path / "未导入.xlsx"
    assert write_error_workbook(result, out) == 2
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]] == ["序号", "户主", "组别", "家庭住址", "联系电话", "人口", "所属网格", "联户党员",
                                        "困难家庭", "孤寡空巢老人", "留守儿童", "失业", "特殊人群", "备注", "原行号", "问题"]
    rows = {r[14].value: r for r in ws.iter_rows(min_row=2)}
    assert sorted(rows) == [7, 9]
    assert rows[9][3].value == "东湖村３组５号" and rows[9][3].number_format == "@"
    assert "户主姓名" in rows[7][15].value and "第 7 行" not in rows[7][15].value


def test_corrected_error_workbook_is_accepted(store, village, tmp_path):
    first, outcome = import_file(store, village, messy_list(tmp_path / "农户.xlsx"))
    out = tmp_path / "未导入.xlsx"
    write_error_workbook(first, out)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    fixes = {7: {1: "周七"}, 9: {3: "东湖村3组15号"}}  # original row -> {column: corrected text}
    for row in ws.iter_rows(min_row=2):
        for column, value in fixes[row[14].value].items():
            row[column].value = value
    wb.save(out)

    again = preview(store, village, out)
    assert again.refused == [], [r.refusals for r in again.rows]
    with store.session() as session:
        second = apply_import(session, village, preview_import(session, village, out))
    assert outcome.imported + second.imported == 6
    assert household_count(store) == 6
    saved = households(store)
    assert saved["周七", "1组"].size == 2 and saved["周七", "1组"].care_flags == set()
    # The unchanged error workbook a second time: both rows are registered now.
    assert [codes(r.refusals) for r in preview(store, village, out).rows] == [["duplicate_household"]] * 2


# ---------------------------------------------------------------------------------------- one machinery


def test_both_imports_share_the_preview_and_its_result_object(store, village, tmp_path):
    assert household_import.ImportPreview is member_import.ImportPreview is shared.ImportPreview
    assert issubclass(household_import.HouseholdPreviewRow, shared.PreviewRow)
    assert issubclass(member_import.PreviewRow, shared.PreviewRow)
    assert (member_import.IMPORT, member_import.REFUSED) == (shared.IMPORT, shared.REFUSED)
    result = preview(store, village, messy_list(tmp_path / "农户.xlsx"))
    data = result.result_object()
    assert (data["imported"], data["updated"]) == (4, 0)
    assert [(e["row"], e["code"]) for e in data["refused"]] == [(7, "missing_household_head"), (9, "duplicate_household")]
    assert result.exit_code == shared.EXIT_ROWS_REFUSED == 3
    assert result.result_object(shared.ImportOutcome(1, 2))["imported"] == 1


def test_the_preview_dialog_imports_a_household_list(qtbot, store, village, tmp_path):
    """The members' dialog, driven through ``household_import_kind``; its error workbook is the same writer."""
    from partybuild_desktop.ui.import_dialog import ImportDialog, household_import_kind
    from tests.gui.conftest import ScriptedDialogs

    path = messy_list(tmp_path / "农户.xlsx")
    errors_file = tmp_path / "需修改.xlsx"
    dialogs = ScriptedDialogs(save=errors_file)
    dialog = ImportDialog(AppContext(store, None), household_import_kind(village, path), path, dialogs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    table = dialog.table
    shown = [(table.item(r, 0).text(), table.item(r, 1).text(), table.item(r, 3).text()) for r in range(table.rowCount())]
    assert shown == [("4", "王大", "新增"), ("6", "李二", "新增"), ("7", "", "拒绝"), ("8", "赵四", "导入，有提示"),
                     ("9", "王大", "拒绝"), ("10", "孙五", "新增")]
    assert household_count(store) == 0, "the preview writes nothing"
    assert dialog.import_button.text() == "导入 4 行"

    dialog.apply()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=15000)
    assert household_count(store) == 4
    assert dialogs.told[-1][1] == "导入完成" and "有 2 行被拒绝" in dialogs.told[-1][2]
    dialog.save_errors()
    ws = openpyxl.load_workbook(errors_file).active
    assert [r[14].value for r in ws.iter_rows(min_row=2)] == [7, 9]
