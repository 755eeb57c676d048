"""The generic roster reader and the member field list, on messy workbooks built here."""

import datetime as dt
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest

from partybuild_desktop.domain.vocabulary import Education, Gender, MemberCategory, Standing
from partybuild_desktop.importers.member_fields import (
    MEMBER_FIELDS,
    parse_category,
    read_member_roster,
)
from partybuild_desktop.importers.roster import (
    DUPLICATE_COLUMN,
    HEADER_NOT_FOUND,
    MISSING_COLUMN,
    FieldSpec,
    RosterUnreadable,
    find_header_row,
    normalise_header,
    read_roster,
    read_sheet_rows,
)
from tests.helpers import by_row, make_id, make_id_for, workbook

THIS_YEAR = dt.date.today().year


ID_ZHANG = make_id_for("19650312", male=True, digit_only=True)
ID_LI = make_id_for("19700515", male=False, last="X")
ID_WANG = make_id_for("19580101", male=True, digit_only=True)
ID_QIAN = make_id_for("19650420", male=True)
ID_NAMELESS = make_id_for("19800808", male=True)
ID_ZHOU = make_id_for("19450610", male=False)
# A first-generation number for someone born 1965-03-12; the 18-digit form is computed by the reader.
ID_ZHAO_15 = "320482650312127"

HEADERS = [
    "序号", "姓 名", "性别", "民族", "身份证号", "出生年月", "文化程度", "人员类别", "类别",
    "*入党时间", "转为正式\n党员日期", "职务", "手机号码（必填）", "住址", "所在党小组", "网格", "籍贯", "备注",
]


def messy_members_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws["A1"] = "东湖村党员花名册"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A2"] = "填报单位：东湖村党支部"
    ws["J2"] = "填报日期：2026年11月"
    ws.append(HEADERS)  # row 3
    ws.append([1, "张　三", "男", "汉", ID_ZHANG, dt.date(1965, 3, 12), "高中", "正式", "无职党员",
               "1990.07", "1991.7", "保洁员", "138 1234 5678", "东湖村3组", "第一党小组", "一网格", "江苏金坛", "好人"])  # 4
    ws.append([])  # 5: blank separator
    ws.append([2, " 李四 ", "女", "汉族", ID_LI.lower(), "1970年5月", "初中", "预备党员", "农民",
               f"{THIS_YEAR - 1}-3-1", None, None, 13912345678])  # 6: phone stored as a number
    ws.append([3, "王五", "男", "汉", int(ID_WANG), "1958.01", None, None, "在职"])  # 7: ID stored as a number
    ws.append([4, "赵六", "男", "汉", ID_ZHAO_15, "19650312", None, None, "流动党员"])  # 8
    ws.append([5, "钱七", "女", "汉", ID_QIAN, 1966.03, None, None, "年老体弱党员"])  # 9: both conflict with the ID
    ws.append([6, "孙八", "男", "汉", ID_ZHANG])  # 10: duplicate of row 4
    ws.append([7, None, "男", "汉", ID_NAMELESS])  # 11: no name
    ws.append([8, "周\u00a0九", None, None, ID_ZHOU, None, "小学", None, "年老体弱",
               "1980年7月1日", "1981/7/1", None, "0512-68123456"])  # 12: gender and birth date from the ID
    ws.append([9])  # 13: a pre-numbered empty line of the template
    ws.append([])  # 14
    ws.append(["合计", "8人"])  # 15
    ws.append(["填表人：李文书", None, None, None, "审核人：王书记"])  # 16
    wb.save(path)
    return path


@pytest.fixture
def messy(tmp_path):
    return read_member_roster(messy_members_workbook(tmp_path / "党员名册.xlsx"))


def codes(problems):
    return {p.code for p in problems}


def test_header_row_found_below_title_and_unit_line(tmp_path):
    sheets = read_sheet_rows(messy_members_workbook(tmp_path / "a.xlsx"))
    match = find_header_row(sheets[0].rows, MEMBER_FIELDS)
    assert match.header_rows == (2,)
    assert set(match.columns.values()) == {spec.key for spec in MEMBER_FIELDS}


def test_skips_blank_total_footer_and_prenumbered_rows(messy):
    assert [row.row_number for row in messy.rows] == [4, 6, 7, 8, 9, 10, 11, 12]
    assert messy.problems == []
    assert all(row.sheet == "党员名册" for row in messy.rows)


def test_a_clean_row(messy):
    row = by_row(messy)[4]
    assert row.accepted and row.warnings == []
    v = row.values
    assert v["name"] == "张三"
    assert v["gender"] is Gender.MALE
    assert v["ethnicity"] == "汉族"
    assert v["id_number"] == ID_ZHANG
    assert v["birth_date"] == dt.date(1965, 3, 12) and row.precision["birth_date"] == "day"
    assert v["education"] is Education.SECONDARY
    assert v["standing"] is Standing.FULL
    assert v["category"] is MemberCategory.FARMER
    assert v["joined_on"] == dt.date(1990, 7, 1) and row.precision["joined_on"] == "month"
    assert v["confirmed_on"] == dt.date(1991, 7, 1)
    assert v["post"] == "保洁员"
    assert v["phone"] == "13812345678"
    assert v["address"] == "东湖村3组"
    assert v["party_group"] == "第一党小组"
    assert v["grid"] == "一网格"
    assert v["native_place"] == "江苏金坛"
    assert v["notes"] == "好人"
    # The original text, under the headers as the file shows them, for an error workbook.
    assert row.original["姓名"] == "张　三"
    assert row.original["序号"] == "1"
    assert row.original["出生年月"] == "1965-03-12"
    assert row.original["转为正式党员日期"] == "1991.7"


def test_lower_case_x_month_dates_and_numeric_phone(messy):
    row = by_row(messy)[6]
    assert row.accepted, row.refusals
    assert row.values["name"] == "李四"
    assert row.values["id_number"] == ID_LI and ID_LI.endswith("X")
    assert row.values["birth_date"] == dt.date(1970, 5, 1)
    assert row.precision["birth_date"] == "month"
    assert "birth_date_conflicts_with_id" not in codes(row.warnings)  # same year and month
    assert row.values["standing"] is Standing.PROBATIONARY
    assert row.values["phone"] == "13912345678"


def test_id_number_stored_as_a_number_is_refused(messy):
    row = by_row(messy)[7]
    assert not row.accepted
    assert [p.code for p in row.refusals] == ["id_number_mangled_by_excel"]
    assert row.refusals[0].message == (
        "第 7 行「身份证号」：单元格被 Excel 当成数字，后几位已丢失。请把该列设为文本格式后重新填写完整的 18 位号码。"
    )
    assert row.refusals[0].column_label == "身份证号"
    assert row.values["category"] is MemberCategory.EMPLOYED
    # The original shows what Excel shows: 15 significant digits.
    assert row.original["身份证号"].endswith("000")


def test_fifteen_digit_number_is_upgraded_with_a_warning(messy):
    row = by_row(messy)[8]
    assert row.accepted
    assert row.values["id_number"] == make_id("19650312", "127")
    assert codes(row.warnings) == {"id_number_upgraded"}
    assert row.values["category"] is MemberCategory.MIGRANT


def test_conflicts_with_the_id_number_are_warnings(messy):
    row = by_row(messy)[9]
    assert row.accepted
    assert codes(row.warnings) == {"gender_conflicts_with_id", "birth_date_conflicts_with_id"}
    gender = next(p for p in row.warnings if p.code == "gender_conflicts_with_id")
    assert gender.message.startswith("第 9 行「性别」：")
    assert "女" in gender.message and "男" in gender.message
    birth = next(p for p in row.warnings if p.code == "birth_date_conflicts_with_id")
    assert "1966年3月" in birth.message and "1965年4月20日" in birth.message
    # The typed values stay; the clerk decides.
    assert row.values["gender"] is Gender.FEMALE
    assert row.values["birth_date"] == dt.date(1966, 3, 1)
    assert row.values["category"] is MemberCategory.ELDERLY


def test_duplicate_id_number_refused_on_the_later_row(messy):
    rows = by_row(messy)
    assert rows[4].accepted
    duplicate = rows[10]
    assert codes(duplicate.refusals) == {"duplicate_id_number"}
    assert "第 4 行" in duplicate.refusals[0].message
    assert duplicate.refusals[0].message.startswith("第 10 行「身份证号」：")


def test_missing_name_is_refused(messy):
    row = by_row(messy)[11]
    assert codes(row.refusals) == {"missing_name"}
    assert row.refusals[0].message.startswith("第 11 行「姓名」：")
    assert "姓名" in row.refusals[0].message


def test_gender_and_birth_date_filled_from_id(messy):
    row = by_row(messy)[12]
    assert row.accepted
    assert row.values["name"] == "周九"
    assert row.values["gender"] is Gender.FEMALE
    assert row.values["birth_date"] == dt.date(1945, 6, 10)
    assert row.values["education"] is Education.JUNIOR_OR_BELOW
    assert row.values["joined_on"] == dt.date(1980, 7, 1)
    assert row.precision["joined_on"] == "day"
    assert row.values["confirmed_on"] == dt.date(1981, 7, 1)
    assert row.values["standing"] is Standing.FULL  # a confirmation date implies it
    assert row.values["phone"] == "0512-68123456"


def test_accepted_and_refused_lists(messy):
    assert [r.row_number for r in messy.refused_rows] == [7, 10, 11]
    assert len(messy.accepted_rows) == 5
    assert messy.headers[:3] == ["序号", "姓名", "性别"]


DATE_CELLS = [
    ("real date", dt.date(1990, 7, 1), dt.date(1990, 7, 1), "day"),
    ("real datetime", dt.datetime(1990, 7, 1, 9, 30), dt.date(1990, 7, 1), "day"),
    ("serial", 32690, dt.date(1989, 7, 1), "day"),
    ("dotted", "1990.07", dt.date(1990, 7, 1), "month"),
    ("dotted short", "1990.7", dt.date(1990, 7, 1), "month"),
    ("number", 1990.07, dt.date(1990, 7, 1), "month"),
    ("iso", "1990-07-01", dt.date(1990, 7, 1), "day"),
    ("iso short", "1990-7-1", dt.date(1990, 7, 1), "day"),
    ("chinese month", "1990年7月", dt.date(1990, 7, 1), "month"),
    ("chinese day", "1990年7月1日", dt.date(1990, 7, 1), "day"),
    ("compact", "19900701", dt.date(1990, 7, 1), "day"),
    ("compact month", "199007", dt.date(1990, 7, 1), "month"),
    ("slashes", "1990/7/1", dt.date(1990, 7, 1), "day"),
    ("slash month", "1990/07", dt.date(1990, 7, 1), "month"),
]


def test_dates_in_every_format(tmp_path):
    rows = [["姓名", "入党时间", "备注"]]
    rows += [[f"党员{i}", cell, kind] for i, (kind, cell, _, _) in enumerate(DATE_CELLS)]
    reading = read_member_roster(workbook(tmp_path / "dates.xlsx", rows))
    assert len(reading.rows) == len(DATE_CELLS)
    for row, (kind, _, expected, precision) in zip(reading.rows, DATE_CELLS):
        assert row.accepted, (kind, row.refusals)
        assert row.values["joined_on"] == expected, kind
        assert row.precision["joined_on"] == precision, kind


def test_bad_dates_refuse_event_dates_but_only_warn_for_birth(tmp_path):
    rows = [
        ["姓名", "出生日期", "入党日期"],
        ["甲", "不详", "1990.13"],
        ["乙", "2099-01-01", f"{THIS_YEAR + 1}.01"],
    ]
    first, second = read_member_roster(workbook(tmp_path / "bad.xlsx", rows)).rows
    assert codes(first.refusals) == {"date_unparseable"}
    assert first.refusals[0].message.startswith("第 2 行「入党日期」：")
    assert codes(first.warnings) == {"date_unparseable"}
    assert codes(second.refusals) == {"date_in_future"}
    assert codes(second.warnings) == {"date_in_future"}


@pytest.mark.parametrize(
    "key, header",
    [(spec.key, variant) for spec in MEMBER_FIELDS for variant in (spec.label, *spec.variants)]
    + [("name", "姓\n名"), ("name", "* 姓名（必填）"), ("id_number", "公民身份号码\n(18位)"), ("phone", "手 机")],
)
def test_header_variants(tmp_path, key, header):
    other = "性别" if key == "name" else "姓名"
    reading = read_roster(workbook(tmp_path / "h.xlsx", [[other, header], ["x", "y"]]), MEMBER_FIELDS)
    assert key in reading.sheets[0].columns.values()


def test_normalise_header():
    assert normalise_header(" *姓　名\n（必填） ") == "姓名"
    assert normalise_header("出生年月(年.月)") == "出生年月"
    assert normalise_header("手机号码：") == "手机号码"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("无职党员", MemberCategory.FARMER), ("无职", MemberCategory.FARMER),
        ("农民", MemberCategory.FARMER), ("农民党员", MemberCategory.FARMER),
        ("在职", MemberCategory.EMPLOYED), ("在职党员", MemberCategory.EMPLOYED),
        ("流动", MemberCategory.MIGRANT), ("流动党员", MemberCategory.MIGRANT),
        ("年老体弱", MemberCategory.ELDERLY), ("年老体弱党员", MemberCategory.ELDERLY),
        (" 年老 体弱 ", MemberCategory.ELDERLY),
    ],
)
def test_category_labels(text, expected):
    assert parse_category(text).value is expected


def test_unknown_category_warns(tmp_path):
    rows = [["姓名", "分类"], ["张三", "优秀党员"]]
    row = read_member_roster(workbook(tmp_path / "c.xlsx", rows)).rows[0]
    assert row.accepted
    assert codes(row.warnings) == {"category_unknown"}
    assert "优秀党员" in row.warnings[0].message
    assert row.values["category"] is None


def test_two_sheets_name_the_sheet_and_hidden_sheets_are_ignored(tmp_path):
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "一组"
    for row in (["姓名", "身份证号"], ["张三", ID_ZHANG]):
        first.append(row)
    second = wb.create_sheet("二组")
    for row in (["姓名", "身份证号"], ["李四", "123"], ["王五", ID_ZHANG]):
        second.append(row)
    hidden = wb.create_sheet("旧数据")
    for row in (["姓名", "身份证号"], ["旧人", ID_WANG]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    notes = wb.create_sheet("填表说明")
    notes.append(["请用文本格式填写身份证号"])
    path = tmp_path / "two.xlsx"
    wb.save(path)

    reading = read_member_roster(path)
    assert [(r.sheet, r.row_number) for r in reading.rows] == [("一组", 2), ("二组", 2), ("二组", 3)]
    li, wang = reading.rows[1], reading.rows[2]
    assert codes(li.refusals) == {"id_number_format"}
    assert li.refusals[0].message.startswith("工作表「二组」第 2 行「身份证号」：")
    # Duplicates are found across sheets.
    assert codes(wang.refusals) == {"duplicate_id_number"}
    assert "工作表「一组」第 2 行" in wang.refusals[0].message


def test_two_level_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "党内信息", None, "联系电话"])
    ws.append([None, None, "入党时间", "转正时间", None])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:D1")
    ws.merge_cells("E1:E2")
    ws.append(["张三", "男", "1990.07", "1991.07", "13812345678"])
    path = tmp_path / "two_level.xlsx"
    wb.save(path)
    reading = read_member_roster(path)
    assert set(reading.sheets[0].columns.values()) == {"name", "gender", "joined_on", "confirmed_on", "phone"}
    assert [r.row_number for r in reading.rows] == [3]
    assert reading.rows[0].values["confirmed_on"] == dt.date(1991, 7, 1)


def test_repeated_header_and_example_rows_are_skipped(tmp_path):
    rows = [
        ["姓名", "性别"],
        ["示例：张三", "男"],
        ["李四", "女"],
        ["姓名", "性别"],
        ["王五", "男"],
    ]
    reading = read_member_roster(workbook(tmp_path / "r.xlsx", rows))
    assert [r.values["name"] for r in reading.rows] == ["李四", "王五"]


def test_no_header_found(tmp_path):
    reading = read_member_roster(workbook(tmp_path / "x.xlsx", [["随便"], ["什么", "都", "行"]]))
    assert reading.rows == []
    assert codes(reading.problems) == {HEADER_NOT_FOUND}
    assert "表头" in reading.problems[0].message


def test_missing_required_column(tmp_path):
    rows = [["性别", "身份证号", "民族"], ["男", ID_ZHANG, "汉"]]
    reading = read_member_roster(workbook(tmp_path / "m.xlsx", rows))
    assert reading.rows == []
    assert codes(reading.problems) == {MISSING_COLUMN}
    assert "「姓名」" in reading.problems[0].message


def test_duplicate_column_is_reported(tmp_path):
    rows = [["姓名", "手机", "联系电话"], ["张三", "13812345678", "13912345678"]]
    reading = read_member_roster(workbook(tmp_path / "d.xlsx", rows))
    assert codes(reading.problems) == {DUPLICATE_COLUMN}
    assert reading.rows[0].values["phone"] == "13812345678"


def test_generic_reader_with_its_own_fields(tmp_path):
    def parse_count(raw):
        count = int(float(raw))
        if count < 1:
            raise ValueError("人口数应至少为 1。")
        return count

    fields = [
        FieldSpec("head", "户主姓名", ("户主",), required=True),
        FieldSpec("size", "家庭人口", ("人口数",), parser=parse_count),
    ]
    rows = [["户主", "人口数"], ["张三", 4], ["李四", 0]]
    reading = read_roster(workbook(tmp_path / "hh.xlsx", rows), fields)
    assert [r.values for r in reading.rows] == [{"head": "张三", "size": 4}, {"head": "李四", "size": None}]
    assert reading.rows[1].refusals[0].code == "size_invalid"
    assert reading.rows[1].refusals[0].message == "第 3 行「人口数」：人口数应至少为 1。"


def write_ods(path, rows, sheet="Sheet1"):
    """A minimal OpenDocument spreadsheet, written by hand so no ODF library is needed."""

    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, dt.date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                    f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_reads_an_ods_file(tmp_path):
    path = write_ods(
        tmp_path / "名册.ods",
        [
            ["东湖村党员名册"],
            ["姓名", "性别", "身份证号", "入党时间"],
            ["张 三", "男", ID_LI.lower(), dt.date(1990, 7, 1)],
            [None],
            ["李四", "女", ID_ZHOU, 1990.07],
        ],
        sheet="党员",
    )
    reading = read_member_roster(path)
    assert [(r.sheet, r.row_number) for r in reading.rows] == [("党员", 3), ("党员", 5)]
    zhang, li = reading.rows
    assert zhang.values["name"] == "张三"
    assert zhang.values["id_number"] == ID_LI
    assert zhang.values["joined_on"] == dt.date(1990, 7, 1)
    assert codes(zhang.warnings) == {"gender_conflicts_with_id"}
    assert li.values["joined_on"] == dt.date(1990, 7, 1)
    assert li.accepted


def test_reads_a_gbk_csv(tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes("姓名,性别,身份证号\r\n张三,男,{}\r\n".format(ID_ZHANG).encode("gb18030"))
    reading = read_member_roster(path)
    assert reading.rows[0].values["name"] == "张三"
    assert reading.rows[0].values["id_number"] == ID_ZHANG


@pytest.mark.parametrize(
    "name, content",
    [("坏文件.xlsx", b"this is not a spreadsheet"), ("名册.xls", b"\x00\x01garbage"), ("说明.txt", "你好".encode())],
)
def test_unreadable_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterUnreadable) as caught:
        read_member_roster(path)
    assert name in caught.value.message
    assert "另存为 .xlsx" in caught.value.message


def test_missing_file(tmp_path):
    with pytest.raises(RosterUnreadable) as caught:
        read_sheet_rows(tmp_path / "没有这个文件.xlsx")
    assert "找不到文件" in caught.value.message
