"""组织生活's printouts from the report catalogue: 会议记录, 三会一课登记簿, 党员参加组织生活情况表, 学时统计表
and 民主评议结果, each written as xlsx and pdf and read back; one command-line round trip per table."""

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from partybuild_desktop.domain.meetings import Attendance, MeetingKind, ReviewGrade, quorum_text
from partybuild_desktop.domain.vocabulary import MemberCategory, RecordEntryType, Standing
from partybuild_desktop.services import exports, meetings
from partybuild_desktop.services.exports import ExportError, ExportOptions
from partybuild_desktop.services.meetings import DecisionForm, MeetingForm, ReviewForm
from partybuild_desktop.store.models import RecordEntry
from tests.helpers import SAMPLE_TODAY, cli, group, make_id, member, pdf_text, sheet_rows, village

YEAR = 2026
OPTIONS = ExportOptions(year=YEAR, today=SAMPLE_TODAY)
ID_NUMBER_RE = re.compile(r"\d{17}[\dX]")
PHONE_RE = re.compile(r"1[3-9]\d{9}")
ADDRESS = "东湖村幸福路"
# First party group, then the second; the first three are the committee (班子成员).
FIRST = ["张建国", "李秀英", "王德福", "赵春梅", "刘长青"]
SECOND = ["陈桂兰", "杨树林", "黄志强", "周海燕", "吴国庆"]
THEME_MINUTES = "一、张建国同志传达全会精神。\n二、大家交流学习体会。\n三、组织清扫村道。"


@dataclass
class Village:
    id: int
    ids: dict[str, int]
    theme_day: int  # 主题党日, 2026-11-05: leaves, an absence, one away, one excused, a frail member on leave
    assembly: int  # 支部党员大会, 2026-03-10: two votes, one passing, one not; the frail member absent
    group_meeting: int  # 第二党小组's 党小组会, 2026-03-20, everyone present


def build(store) -> Village:
    with store.session() as s:
        vid = village(s, name="东湖村")
        groups = [group(s, vid, "第一党小组"), group(s, vid, "第二党小组", "2组")]
        ids = {}
        for i, name in enumerate(FIRST + SECOND):
            ids[name] = member(s, vid, name, party_group_id=groups[i >= 5], id_number=make_id(f"1960{i + 1:02d}15", 100 + i),
                               mobile=f"1380013{i:04d}", address=f"{ADDRESS}{i + 1}号", is_committee_member=i < 3)
        ids["孙老汉"] = member(s, vid, "孙老汉", category=MemberCategory.ELDERLY, party_group_id=groups[1],
                            id_number=make_id("19400101", 555), mobile="13912345678", address=f"{ADDRESS}99号")
        ids["钱小红"] = member(s, vid, "钱小红", standing=Standing.PROBATIONARY, party_group_id=groups[0],
                            id_number=make_id("19990101", 556), mobile="13700001111")
        ids["郑外出"] = member(s, vid, "郑外出", category=MemberCategory.MIGRANT, party_group_id=groups[1],
                            id_number=make_id("19850101", 557), mobile="13600002222")
        theme = meetings.save_meeting(s, vid, MeetingForm(
            kind=MeetingKind.THEME_DAY, date=dt.date(2026, 11, 5), time="上午9:00", topic="学习党的二十届四中全会精神",
            place="村党群服务中心", host="张建国", recorder="李秀英", hours=2, minutes=THEME_MINUTES,
            attendees_note="驻村第一书记",
            attendance={ids["王德福"]: (Attendance.LEAVE, "外出务工"), ids["赵春梅"]: (Attendance.ABSENT, ""),
                        ids["孙老汉"]: (Attendance.LEAVE, "年老体弱行动不便"), ids["郑外出"]: (Attendance.ELSEWHERE, ""),
                        ids["吴国庆"]: (Attendance.EXCUSED, "长期卧床")},
            decisions=[DecisionForm("开展冬季环境整治志愿服务")]), today=SAMPLE_TODAY).id
        assembly = meetings.save_meeting(s, vid, MeetingForm(
            kind=MeetingKind.BRANCH_ASSEMBLY, date=dt.date(2026, 3, 10), topic="讨论村级重大事项", place="村部会议室",
            host="张建国", recorder="李秀英",
            attendance={ids["王德福"]: (Attendance.LEAVE, "家中有事"), ids["孙老汉"]: (Attendance.ABSENT, "")},
            decisions=[DecisionForm("同意修建通组道路", 9, 1, 0), DecisionForm("同意调整村规民约", 3, 5, 1)]),
            today=SAMPLE_TODAY).id
        group_meeting = meetings.save_meeting(s, vid, MeetingForm(
            kind=MeetingKind.GROUP, date=dt.date(2026, 3, 20), topic="党小组集中学习", party_group_id=groups[1],
            host="陈桂兰", recorder="杨树林", hours=1), today=SAMPLE_TODAY).id
        # 陈桂兰 reaches 32 学时 exactly: 2 (主题党日) + 1 (党小组会) + 29 of her own study.
        s.add(RecordEntry(member_id=ids["陈桂兰"], date=dt.date(2026, 6, 1), entry_type=RecordEntryType.POLITICAL_STUDY,
                          text="参加县委党校网络培训", hours=29))
        meetings.set_reviews(s, vid, YEAR, {
            ids["张建国"]: ReviewForm(ReviewGrade.EXCELLENT), ids["李秀英"]: ReviewForm(ReviewGrade.QUALIFIED),
            ids["王德福"]: ReviewForm(ReviewGrade.BASIC),
            ids["赵春梅"]: ReviewForm(ReviewGrade.UNQUALIFIED, disposal="限期改正")}, today=SAMPLE_TODAY)
        s.commit()
    return Village(vid, ids, theme, assembly, group_meeting)


@pytest.fixture
def made(store):
    return build(store)


def export(store, made, name, path, **options):
    options = {"year": YEAR, "today": SAMPLE_TODAY, **options}
    return exports.export(store, made.id, name, path, ExportOptions(**options))


def flat(text: str) -> str:
    """Text with every space and line break taken out (the PDF breaks lines anywhere in Chinese)."""
    return "".join(text.split())


def cells(path) -> list[str]:
    return [str(v) for row in sheet_rows(path) for v in row if v != ""]


def assert_private_data_absent(text: str) -> None:
    assert ID_NUMBER_RE.search(text) is None
    assert PHONE_RE.search(text) is None
    assert ADDRESS not in text


def row_of(rows, first: str, column: int = 0) -> list:
    """The sheet row whose ``column`` reads ``first``."""
    return next(r for r in rows if r[column] == first)


def header_index(rows, header: str, after: str | None = None) -> int:
    """The column of ``header`` in the header rows (the lower row of a group; ``after``: the first match
    right of that header)."""
    for row in rows[:6]:
        if header in row:
            start = row.index(after) if after and after in row else 0
            return row.index(header, start)
    raise AssertionError(f"no header {header}")


# ---------------------------------------------------------------------------------------- the catalogue


def test_the_catalogue_lists_the_tables_of_organisational_life():
    for name in ("meetings", "attendance", "study-hours", "review"):
        definition = exports.find(name)
        assert definition.uses_year and set(definition.formats) == {"xlsx", "pdf"}, name
        assert not definition.in_return
    minutes = exports.find("meeting-minutes")
    assert set(minutes.formats) == {"xlsx", "pdf"} and not minutes.uses_year and not minutes.dated
    assert exports.find("meetings").suggested_name("东湖村", OPTIONS) == "东湖村三会一课登记簿2026年.xlsx"


def test_a_meetings_file_is_named_after_its_date_and_kind(store, made):
    minutes = exports.find("meeting-minutes")
    with store.session() as session:
        theme = exports.minutes_options(session, made.id, made.theme_day, today=SAMPLE_TODAY)
        grouped = exports.minutes_options(session, made.id, made.group_meeting)
    assert theme.meeting_id == made.theme_day
    assert minutes.suggested_name("东湖村", theme, "pdf") == "东湖村2026年11月5日主题党日会议记录.pdf"
    assert minutes.suggested_name("东湖村", grouped, "xlsx") == "东湖村2026年3月20日第二党小组党小组会会议记录.xlsx"


# ---------------------------------------------------------------------------------------- 会议记录


def test_the_minutes_name_who_came_who_did_not_and_why(store, made, tmp_path):
    pdf, xlsx = tmp_path / "记录.pdf", tmp_path / "记录.xlsx"
    export(store, made, "meeting-minutes", pdf, meeting_id=made.theme_day)
    export(store, made, "meeting-minutes", xlsx, meeting_id=made.theme_day)
    with store.session() as session:
        record = meetings.meeting_record(session, made.id, made.theme_day)
    assert (record.turnout.due, record.turnout.present, record.turnout.leave, record.turnout.absent) == (12, 9, 2, 1)

    rows = sheet_rows(xlsx)
    assert rows[0][0] == "主题党日会议记录"
    lines = {r[0]: r[1] for r in rows if r[0] and len(r) > 1}
    assert lines["会议类型"] == "主题党日" and lines["时间"] == "2026年11月5日 上午9:00"
    assert (lines["地点"], lines["主持人"], lines["记录人"]) == ("村党群服务中心", "张建国", "李秀英")
    assert lines["议题"] == "学习党的二十届四中全会精神"
    assert "党小组" not in lines  # only a 党小组会 names its group
    assert lines["应到"].startswith("12 人：") and "吴国庆" not in lines["应到"]
    assert lines["实到"].startswith("9 人：") and "郑外出（在流入地参加）" in lines["实到"]
    assert not {"王德福", "赵春梅", "孙老汉"} & set(re.split(r"[：、（]", lines["实到"]))
    assert lines["请假"] == "2 人：王德福（外出务工）、孙老汉（年老体弱行动不便；不作硬性要求）"
    assert lines["缺席"] == "1 人：赵春梅"
    assert lines["在流入地参加"] == "1 人：郑外出"
    assert lines["不计应到"] == "1 人：吴国庆（长期卧床）"
    assert lines["列席人员"] == "驻村第一书记"
    assert lines["学时"].startswith("2 学时")
    assert lines["到会情况"] == quorum_text(MeetingKind.THEME_DAY, record.turnout) + "。"
    assert lines["会议内容"] == "一、张建国同志传达全会精神。"  # one row per paragraph
    values = [r[1] for r in rows if len(r) > 1]
    assert "三、组织清扫村道。" in values
    assert lines["决议事项"] == "1. 开展冬季环境整治志愿服务\n（未表决）"
    signature = next(v for v in cells(xlsx) if "主持人（签字）" in v)
    assert "记录人（签字）" in signature

    text = flat(pdf_text(pdf))
    for needle in ("主题党日会议记录", "村党群服务中心", "王德福（外出务工）", "孙老汉（年老体弱行动不便；不作硬性要求）",
                   "1人：赵春梅", "1人：吴国庆（长期卧床）", "驻村第一书记", flat(lines["到会情况"]),
                   "三、组织清扫村道。", "开展冬季环境整治志愿服务", "主持人（签字）", "记录人（签字）"):
        assert needle in text, needle
    for path_text in (text, "\n".join(cells(xlsx))):
        assert_private_data_absent(path_text)


def test_the_minutes_of_an_assembly_give_the_votes_and_the_quorum(store, made, tmp_path):
    pdf, xlsx = tmp_path / "大会.pdf", tmp_path / "大会.xlsx"
    export(store, made, "meeting-minutes", pdf, meeting_id=made.assembly)
    export(store, made, "meeting-minutes", xlsx, meeting_id=made.assembly)
    rows = sheet_rows(xlsx)
    lines = {r[0]: r[1] for r in rows if r[0] and len(r) > 1}
    # 13 due; 钱小红 is 预备 (no vote): 12 voting members, 10 of them present.
    assert lines["到会情况"].endswith("有表决权 12 人，到会 10 人，超过半数，可以表决。")
    assert lines["缺席"] == "1 人：孙老汉（年老体弱，不作硬性要求）"
    assert lines["决议事项"] == ("1. 同意修建通组道路\n表决：赞成 9 票，反对 1 票，弃权 0 票；"
                              "通过（赞成票超过应到会有表决权党员 12 人的半数）")
    second = rows[[r[0] for r in rows].index("决议事项") + 1][1]
    assert "赞成 3 票，反对 5 票，弃权 1 票；未通过" in second
    text = flat(pdf_text(pdf))
    assert "支部党员大会会议记录" in text and "有表决权12人，到会10人，超过半数，可以表决" in text
    assert "赞成9票，反对1票，弃权0票；通过" in text and "赞成3票，反对5票，弃权1票；未通过" in text
    assert_private_data_absent(text)


def test_a_group_meeting_names_its_group(store, made, tmp_path):
    xlsx = tmp_path / "小组.xlsx"
    export(store, made, "meeting-minutes", xlsx, meeting_id=made.group_meeting)
    lines = {r[0]: r[1] for r in sheet_rows(xlsx) if r[0] and len(r) > 1}
    assert lines["党小组"] == "第二党小组" and lines["应到"].startswith("7 人：")
    assert lines["请假"] == "0 人" and lines["决议事项"] == "无"


@pytest.mark.parametrize("meeting_id, message", [(None, "--meeting"), (999, "999")])
def test_minutes_without_a_known_meeting_are_refused(store, made, tmp_path, meeting_id, message):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "记录.pdf"
    with pytest.raises(ExportError, match=message) as refused:
        export(store, made, "meeting-minutes", path, meeting_id=meeting_id)
    assert "会议" in str(refused.value)
    assert list(out.iterdir()) == []


def test_a_meeting_of_another_village_is_not_printed(store, made, tmp_path):
    with store.session() as session:
        other = village(session, name="西山村")
        session.commit()
    with pytest.raises(ExportError, match=str(made.theme_day)):
        exports.export(store, other, "meeting-minutes", tmp_path / "x.pdf", ExportOptions(meeting_id=made.theme_day))


# ---------------------------------------------------------------------------------------- 三会一课登记簿


def test_the_register_lists_every_meeting_of_the_year(store, made, tmp_path):
    pdf, xlsx = tmp_path / "登记簿.pdf", tmp_path / "登记簿.xlsx"
    export(store, made, "meetings", pdf)
    export(store, made, "meetings", xlsx)
    rows = sheet_rows(xlsx)
    assert rows[0][0] == "2026年度三会一课登记簿"
    col = {h: header_index(rows, h) for h in ("日期", "会议类型", "党小组", "议题", "主持人", "记录人", "应到", "实到",
                                               "请假", "缺席", "学时", "是否达到法定人数")}
    data = [r for r in rows if isinstance(r[0], (int, float)) and r[0] >= 1]
    assert [r[col["会议类型"]] for r in data] == ["支部党员大会", "党小组会", "主题党日"]
    assembly, grouped, theme = data
    assert [assembly[col[h]] for h in ("应到", "实到", "请假", "缺席")] == [13, 11, 1, 1]
    assert assembly[col["是否达到法定人数"]] == "是" and assembly[col["主持人"]] == "张建国"
    assert grouped[col["党小组"]] == "第二党小组" and grouped[col["学时"]] == 1 and grouped[col["是否达到法定人数"]] == ""
    assert [theme[col[h]] for h in ("应到", "实到", "请假", "缺席", "学时")] == [12, 9, 2, 1, 2]
    assert theme[col["议题"]] == "学习党的二十届四中全会精神" and theme[col["记录人"]] == "李秀英"
    assert "本年度共登记会议 3 次：支部党员大会 1 次、党小组会 1 次、主题党日 1 次。" in cells(xlsx)

    text = flat(pdf_text(pdf))
    assert "2026年度三会一课登记簿" in text and "讨论村级重大事项" in text and "党小组集中学习" in text
    assert "本年度共登记会议3次" in text
    assert_private_data_absent(text)


def test_the_register_of_a_year_without_meetings_says_so(store, made, tmp_path):
    path = tmp_path / "2025.xlsx"
    export(store, made, "meetings", path, year=2025)
    assert "本年度尚未登记会议。" in cells(path)


# ---------------------------------------------------------------------------------------- 参加组织生活情况表


def test_attendance_by_member_and_month(store, made, tmp_path):
    pdf, xlsx = tmp_path / "参加情况.pdf", tmp_path / "参加情况.xlsx"
    export(store, made, "attendance", pdf)
    export(store, made, "attendance", xlsx)
    rows = sheet_rows(xlsx)
    assert rows[0][0] == "2026年度党员参加组织生活情况表"
    march, november = header_index(rows, "3月"), header_index(rows, "11月")
    took_part, leave, absent, not_required = (header_index(rows, h) for h in ("参加", "请假", "缺席", "不作要求"))
    remark = header_index(rows, "备注")

    def line(name):
        return row_of(rows, name, 1)

    assert len([r for r in rows if isinstance(r[0], (int, float)) and r[0] >= 1]) == 13  # every current member
    assert (line("张建国")[march], line("张建国")[november], line("张建国")[took_part]) == ("√", "√", 2)
    assert line("陈桂兰")[march] == "√2" and line("陈桂兰")[took_part] == 3  # 大会 and 党小组会 in March
    assert (line("王德福")[march], line("王德福")[november], line("王德福")[leave]) == ("假", "假", 2)
    assert (line("赵春梅")[november], line("赵春梅")[absent]) == ("缺", 1)
    assert line("吴国庆")[november] == "免" and line("郑外出")[november] == "√"
    assert line("张建国")[header_index(rows, "5月")] == ""
    # The frail member: absent in March and on leave in November, neither counted against him.
    elderly = line("孙老汉")
    assert (elderly[march], elderly[november]) == ("√○", "○")
    assert (elderly[took_part], elderly[leave], elderly[absent], elderly[not_required]) == (1, 0, 0, 2)
    assert "不作硬性要求" in elderly[remark]
    assert line("钱小红")[remark] == "预备党员"
    totals = row_of(rows, "合计")
    assert (totals[took_part], totals[leave], totals[absent], totals[not_required]) == (27, 2, 1, 2)
    legend = next(v for v in cells(xlsx) if v.startswith("说明："))
    assert "○ 年老体弱党员未参加，不作硬性要求" in legend and "假 请假" in legend and "缺 无故缺席" in legend

    text = flat(pdf_text(pdf))
    assert "2026年度党员参加组织生活情况表" in text and "孙老汉" in text and "不作硬性要求" in text
    assert "√2" in text and "说明：" in text
    assert_private_data_absent(text)


# ---------------------------------------------------------------------------------------- 学时统计表


def test_study_hours_against_32_and_56(store, made, tmp_path):
    pdf, xlsx = tmp_path / "学时.pdf", tmp_path / "学时.xlsx"
    export(store, made, "study-hours", pdf)
    export(store, made, "study-hours", xlsx)
    rows = sheet_rows(xlsx)
    col = {h: header_index(rows, h) for h in ("党小组", "是否班子成员", "学时", "要求", "差额", "是否达标")}

    def line(name):
        row = row_of(rows, name, 1)
        return [row[col[h]] for h in ("党小组", "是否班子成员", "学时", "要求", "差额", "是否达标")]

    assert line("张建国") == ["第一党小组", "是", 2, 56, 54, "未达标"]
    assert line("赵春梅") == ["第一党小组", "否", 0, 32, 32, "未达标"]
    assert line("陈桂兰") == ["第二党小组", "否", 32, 32, "", "达标"]  # exactly 32 is enough
    assert line("吴国庆")[2] == 1  # excused from the 主题党日: only the 党小组会's hour
    assert any(v.startswith("共 13 名党员，达到要求 1 人，未达到要求 12 人") for v in cells(xlsx))

    text = flat(pdf_text(pdf))
    assert "2026年度党员学习学时统计表" in text and "达到要求1人" in text and "56学时" in text
    assert_private_data_absent(text)


# ---------------------------------------------------------------------------------------- 民主评议结果


def test_review_results_with_grades_counts_and_the_cap(store, made, tmp_path):
    pdf, xlsx = tmp_path / "评议.pdf", tmp_path / "评议.xlsx"
    export(store, made, "review", pdf)
    export(store, made, "review", xlsx)
    rows = sheet_rows(xlsx)
    standing, grade, disposal = (header_index(rows, h) for h in ("人员类别", "评议等次", "处置"))

    def line(name):
        row = row_of(rows, name, 1)
        return [row[standing], row[grade], row[disposal]]

    assert line("张建国") == ["正式党员", "优秀", ""]
    assert line("王德福") == ["正式党员", "基本合格", ""]
    assert line("赵春梅") == ["正式党员", "不合格", "限期改正"]
    assert line("刘长青") == ["正式党员", "尚未评定", ""]
    assert line("钱小红") == ["预备党员", "参加评议，不评定等次", ""]
    notes = cells(xlsx)
    assert ("正式党员 12 人：优秀 1 人、合格 1 人、基本合格 1 人、不合格 1 人、尚未评定 8 人；"
            "预备党员 1 人参加评议，不评定等次。") in notes
    assert "优秀不超过正式党员的三分之一：正式党员 12 人，优秀最多 4 人，本次评定优秀 1 人。" in notes

    text = flat(pdf_text(pdf))
    assert "2026年度民主评议党员结果" in text and "参加评议，不评定等次" in text and "限期改正" in text
    assert "优秀最多4人" in text
    assert_private_data_absent(text)


# ---------------------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("name, fmt, needle", [
    ("meeting-minutes", "pdf", "孙老汉（年老体弱行动不便；不作硬性要求）"),
    ("meeting-minutes", "xlsx", "2 人：王德福（外出务工）、孙老汉（年老体弱行动不便；不作硬性要求）"),
    ("meetings", "xlsx", "2026年度三会一课登记簿"),
    ("meetings", "pdf", "讨论村级重大事项"),
    ("attendance", "xlsx", "√○"),
    ("attendance", "pdf", "2026年度党员参加组织生活情况表"),
    ("study-hours", "pdf", "达到要求1人"),
    ("study-hours", "xlsx", "达标"),
    ("review", "xlsx", "参加评议，不评定等次"),
    ("review", "pdf", "优秀最多4人"),
])
def test_each_table_from_the_command_line(store, made, data_folder, tmp_path, name, fmt, needle):
    store.dispose()
    path = tmp_path / f"{name}.{fmt}"
    args = ["--meeting", made.theme_day] if name == "meeting-minutes" else ["--year", YEAR]
    result = cli("--data-dir", data_folder, "export", name, *args, "--out", path)
    assert result.returncode == 0, result.stderr
    assert "已导出" in result.stdout
    text = "\n".join(cells(path)) if fmt == "xlsx" else flat(pdf_text(path))
    assert needle in text
    assert_private_data_absent(text)


def test_the_command_line_refuses_an_unknown_meeting(store, made, data_folder, tmp_path):
    store.dispose()
    path = tmp_path / "记录.pdf"
    result = cli("--data-dir", data_folder, "export", "meeting-minutes", "--meeting", 999, "--out", path)
    assert result.returncode != 0 and "999" in result.stderr and "会议" in result.stderr
    missing = cli("--data-dir", data_folder, "export", "meeting-minutes", "--out", path)
    assert missing.returncode != 0 and "--meeting" in missing.stderr
    assert not path.exists()
