"""The commands of organisational life, run as a clerk's script runs them: meeting add, meetings due,
review set and study, with their JSON and exit codes."""

import datetime as dt
import json
import sqlite3

import pytest

from tests.helpers import cli


@pytest.fixture
def folder(sample_store, data_folder):
    sample_store.dispose()  # the commands open the data file themselves
    return data_folder


def rows(folder, sql, *params):
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def unique_names(folder, standing="full", count=5):
    """Current members whose names nobody else has."""
    return [name for (name,) in rows(folder, "SELECT name FROM member WHERE archived = 0 AND standing = ? AND "
                                             "membership_state = 'normal' GROUP BY name HAVING count(*) = 1 "
                                             "ORDER BY min(id) LIMIT ?", standing, count)]


def run(folder, *args):
    return cli("--data-dir", folder, *args)


def test_meeting_add_ticks_everyone_due_present_but_those_named(folder):
    a, b, c, d, e = unique_names(folder)
    due = rows(folder, "SELECT count(*) FROM member WHERE archived = 0 AND membership_state = 'normal'")[0][0]
    result = run(folder, "meeting", "add", "--kind", "theme_day", "--date", "2026-11-05", "--topic", "学习贯彻全会精神",
                 "--hours", "2", "--leave", f"{a}:外出务工", f"{b}：生病", "--absent", c, "--elsewhere", d,
                 "--excused", f"{e}:长期卧床", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"id", "due", "present", "voting_due", "voting_present", "quorum", "warnings"}
    assert (data["due"], data["present"], data["quorum"], data["warnings"]) == (due - 1, due - 4, True, [])
    assert data["voting_present"] <= data["voting_due"] <= data["due"]
    statuses = dict(rows(folder, "SELECT m.name, a.status FROM meeting_attendance a JOIN member m ON m.id = a.member_id "
                                 "WHERE a.meeting_id = ?", data["id"]))
    assert [statuses[n] for n in (a, b, c, d, e)] == ["leave", "leave", "absent", "elsewhere", "excused"]
    lines = rows(folder, "SELECT count(*), min(hours) FROM record_entry WHERE source_kind = 'meeting' AND source_id = ?",
                 data["id"])
    assert lines == [(due - 4, 2.0)]
    audit = rows(folder, "SELECT source FROM audit_entry WHERE action LIKE '登记主题党日%'")
    assert audit == [("cli",)]


@pytest.mark.parametrize("args, message", [
    (("--kind", "theme_day", "--absent", "查无此人"), "没有在册党员“查无此人”"),
    (("--kind", "会餐",), "不认识的会议类型“会餐”"),
    (("--kind", "theme_day", "--leave", "NAME"), "缺少原因"),
    (("--kind", "group", "--group", "第九党小组"), "没有名为“第九党小组”的党小组"),
    (("--kind", "group",), "--group"),
    (("--kind", "lecture", "--hours", "30"), "学时应在 0 到 24 之间"),
])
def test_meeting_add_refuses_unusable_input_in_chinese_and_writes_nothing(folder, args, message):
    name = unique_names(folder, count=1)[0]
    args = tuple(a.replace("NAME", name) for a in args)
    before = rows(folder, "SELECT count(*) FROM meeting")
    result = run(folder, "meeting", "add", "--date", "2026-11-05", *args, "--json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in json.loads(result.stdout)["error"] and message in result.stderr
    assert "Traceback" not in result.stderr
    assert rows(folder, "SELECT count(*) FROM meeting") == before


def test_a_future_or_impossible_date_is_refused(folder):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    late = run(folder, "meeting", "add", "--kind", "theme_day", "--date", tomorrow)
    assert late.returncode == 2 and "晚于今天" in late.stderr
    bad = run(folder, "meeting", "add", "--kind", "theme_day", "--date", "2026-02-30")
    assert bad.returncode == 2 and "写法不对" in bad.stderr


def test_meetings_due_lists_each_kind_per_period(folder):
    assert run(folder, "meeting", "add", "--kind", "lecture", "--date", "2026-08-12", "--hours", "3").returncode == 0
    result = run(folder, "meetings", "due", "--period", "2026Q3", "--as-of", "2026-11-23", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["period"] == "2026Q3"
    for item in data["items"]:
        assert set(item) == {"kind", "group", "required", "held", "missing"}
        assert item["missing"] <= item["required"]
    lecture = next(i for i in data["items"] if i["kind"] == "lecture")
    assert lecture["required"] == 1 and lecture["held"] >= 1 and lecture["missing"] == 0
    groups = [i for i in data["items"] if i["kind"] == "group"]
    assert groups and all(i["group"] for i in groups) and all(i["required"] == 3 for i in groups)
    month = json.loads(run(folder, "meetings", "due", "--period", "2026-08", "--json").stdout)
    assert next(i for i in month["items"] if i["kind"] == "theme_day")["required"] == 1
    bad = run(folder, "meetings", "due", "--period", "2026Q5", "--json")
    assert bad.returncode == 2 and "写法不对" in json.loads(bad.stdout)["error"]


def test_review_set_refuses_a_probationary_member_and_the_fourth_of_three(folder):
    from partybuild_desktop import paths
    from partybuild_desktop.domain.meetings import ReviewGrade
    from partybuild_desktop.services import meetings
    from partybuild_desktop.services.village import current_village
    from partybuild_desktop.store.schema import open_store

    probationary = unique_names(folder, standing="probationary", count=1)
    assert probationary, "the sample village has 预备党员"
    result = run(folder, "review", "set", "--year", "2026", "--member", probationary[0], "--grade", "合格", "--json")
    assert result.returncode == 3 and json.loads(result.stdout)["code"] == "probationary_not_graded"

    store = open_store(paths.data_file(folder))
    with store.session() as session:
        village_id = current_village(session).id
        sheet = meetings.review_sheet(session, village_id, 2026)
        full = [r.member_id for r in sheet.rows if r.gradable]
        meetings.set_reviews(session, village_id, 2026,
                             {i: meetings.ReviewForm(ReviewGrade.EXCELLENT) for i in full[:sheet.cap]},
                             decided_on=dt.date(2026, 11, 20))
    store.dispose()
    before = rows(folder, "SELECT count(*) FROM member_review")
    over = run(folder, "review", "set", "--year", "2026", "--member", str(full[sheet.cap]), "--grade", "优秀", "--json")
    assert over.returncode == 3, over.stderr
    data = json.loads(over.stdout)
    assert data["code"] == "excellent_over_cap" and f"最多 {sheet.cap} 人" in data["error"]
    assert rows(folder, "SELECT count(*) FROM member_review") == before
    fine = run(folder, "review", "set", "--year", "2026", "--member", str(full[sheet.cap]), "--grade", "合格", "--json")
    assert fine.returncode == 0 and json.loads(fine.stdout)["grade"] == "合格"
    unknown = run(folder, "review", "set", "--year", "2026", "--member", "查无此人", "--grade", "合格")
    assert unknown.returncode == 2 and "没有在册党员" in unknown.stderr


def test_study_prints_every_member_against_32_or_56(folder):
    result = run(folder, "study", "--year", "2026", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["year"] == 2026
    current = rows(folder, "SELECT count(*) FROM member WHERE archived = 0")[0][0]
    assert len(data["members"]) == current
    for member in data["members"]:
        assert set(member) == {"name", "hours", "required", "short"}
        assert member["required"] in (32, 56) and member["short"] == (member["hours"] < member["required"])
    assert any(m["required"] == 56 for m in data["members"])
    text = run(folder, "study", "--year", "2026")
    assert text.returncode == 0 and "名未达到要求" in text.stdout
