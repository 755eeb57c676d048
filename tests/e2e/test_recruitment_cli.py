"""The commands of 发展党员 run as a clerk's script runs them: recruits, recruit add / step / edit / review,
with their JSON shapes and exit codes (0 done, 3 a rule broken without --reason, 2 unusable input;
nothing written on a refusal)."""

import datetime as dt
import json
import sqlite3

import pytest

from partybuild_desktop.domain.vocabulary import Standing
from tests.helpers import cli, group, make_id_for, member, new_store, village


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "data"
    store = new_store(folder)
    with store.session() as session:
        village_id = village(session, "东湖村")
        group(session, village_id)
        for name in ("王建国", "李秀英", "张明", "赵刚"):
            member(session, village_id, name, joined_date=dt.date(2000, 7, 1))
        member(session, village_id, "孙预备", standing=Standing.PROBATIONARY, joined_date=dt.date(2026, 5, 1))
    store.dispose()
    return folder


def run(folder, *args):
    return cli("--data-dir", folder, *args)


def rows(folder, sql, *params):
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def tables(folder):
    return [rows(folder, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("recruit_case", "recruit_step", "recruit_person", "recruit_breach", "member", "audit_entry")]


def step(folder, step, date, *more):
    return run(folder, "recruit", "step", "--person", "周晓梅", "--step", step, "--date", date, *more, "--json")


def test_recruits_lists_people_in_the_exact_shape(folder):
    empty = run(folder, "recruits", "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout) == {"people": []}
    number = make_id_for("19980412", male=False)
    added = run(folder, "recruit", "add", "--name", "周晓梅", "--applied", "2023-03-01", "--id-number", number,
                "--group", "第1党小组", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"id": 1, "step": "application", "member_id": None, "breaches": []}
    assert rows(folder, "SELECT name, gender, birth_date, id_number FROM recruit_case") == [
        ("周晓梅", "female", "1998-04-12", number)]
    assert rows(folder, "SELECT count(*) FROM member WHERE name = '周晓梅'") == [(0,)]  # not a member yet
    other = run(folder, "recruit", "add", "--name", "吴申请", "--applied", "2026-11-01", "--gender", "男")
    assert other.returncode == 0 and "已登记吴申请：第1步递交入党申请书（2026年11月1日）" in other.stdout
    listed = run(folder, "recruits", "--as-of", "2026-11-23", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"people": [
        {"name": "周晓梅", "stage": "applicant", "next_step": "talk", "due": "2023-04-01", "breaches": []},
        {"name": "吴申请", "stage": "applicant", "next_step": "talk", "due": "2026-12-01", "breaches": []},
    ]}
    text = run(folder, "recruits", "--as-of", "2026-11-23")
    assert "周晓梅：入党申请人，下一步：第2步党组织派人谈话（2023年4月1日前）" in text.stdout


def test_a_broken_rule_exits_3_with_its_code_and_writes_nothing_until_a_reason_is_given(folder):
    assert run(folder, "recruit", "add", "--name", "周晓梅", "--applied", "2023-03-01").returncode == 0
    before = tables(folder)
    late = step(folder, "talk", "2023-04-02")
    assert late.returncode == 3, late.stderr
    data = json.loads(late.stdout)
    assert (data["code"], data["breaches"]) == ("talk_after_one_month", ["talk_after_one_month"])
    assert "一个月" in data["error"] and "--reason" in late.stderr and "没有写入任何数据" in late.stderr
    assert tables(folder) == before
    kept = step(folder, "②", "2023-04-02", "--reason", "申请人外出务工")
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout)["breaches"] == ["talk_after_one_month"]
    assert rows(folder, "SELECT step, code, reason FROM recruit_breach") == [
        ("talk", "talk_after_one_month", "申请人外出务工")]
    listed = json.loads(run(folder, "recruits", "--json").stdout)["people"][0]
    assert (listed["next_step"], listed["breaches"]) == ("activist_named", ["talk_after_one_month"])
    mended = run(folder, "recruit", "edit", "--person", "周晓梅", "--step", "talk", "--date", "2023-03-30", "--json")
    assert mended.returncode == 0, mended.stderr
    assert rows(folder, "SELECT count(*) FROM recruit_breach") == [(0,)]


@pytest.mark.parametrize("args, message, code", [
    (("--step", "talk", "--date", "2023-02-01"), "早于", "dates_out_of_order"),
    (("--step", "activist_named", "--date", "2023-03-10"), "下一步应是第2步党组织派人谈话", None),
    (("--step", "谈心", "--date", "2023-03-10"), "没有“谈心”这个步骤", None),
    (("--step", "talk", "--date", "2023-03-10", "--hours", "3"), "不用填写培训学时", None),
    (("--step", "talk", "--date", "2023/03/10"), "请写成 2026-11-23 这样", None),
])
def test_unusable_input_exits_2_in_chinese_and_writes_nothing(folder, args, message, code):
    assert run(folder, "recruit", "add", "--name", "周晓梅", "--applied", "2023-03-01").returncode == 0
    before = tables(folder)
    result = run(folder, "recruit", "step", "--person", "周晓梅", *args, "--json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    if code:
        assert json.loads(result.stdout)["code"] == code
    assert tables(folder) == before
    nobody = run(folder, "recruit", "step", "--person", "查无此人", "--step", "talk", "--date", "2023-03-10", "--json")
    assert nobody.returncode == 2 and "没有登记入党申请人“查无此人”" in json.loads(nobody.stdout)["error"]


def test_from_application_to_full_member_on_the_command_line(folder):
    assert run(folder, "recruit", "add", "--name", "周晓梅", "--applied", "2023-03-01", "--birth", "1998-04-12",
               "--gender", "女").returncode == 0
    steps = [("talk", "2023-03-20"), ("activist_named", "2023-09-01"), ("activist_filed", "2023-09-10"),
             ("contacts", "2023-09-10", "--contacts", "王建国,李秀英"), ("activist_training", "2024-08-30"),
             ("candidate_named", "2024-09-02"), ("candidate_filed", "2024-09-10"),
             ("introducers", "2024-09-15", "--introducers", "张明、赵刚"), ("political_review", "2024-10-10"),
             ("training", "2024-10-20", "--days", "3"),
             ("committee_review", "2024-11-01", "--publicity-from", "2024-11-04", "--publicity-to", "2024-11-08"),
             ("pre_review", "2024-11-11"), ("application_form", "2024-11-20"), ("assembly", "2024-12-05"),
             ("upper_talk", "2024-12-20"), ("approval", "2025-03-05")]
    early = run(folder, "recruit", "review", "--person", "周晓梅", "--date", "2023-03-10", "--json")
    assert early.returncode == 2 and "还没有确定为入党积极分子" in json.loads(early.stdout)["error"]
    for code, date, *more in steps:
        if code == "candidate_named":
            for review in ("2024-02-20", "2024-08-20"):
                done = run(folder, "recruit", "review", "--person", "1", "--date", review, "--json")
                assert done.returncode == 0, done.stderr
        result = step(folder, code, date, *more)
        assert result.returncode == 0, (code, result.stdout, result.stderr)
    data = json.loads(result.stdout)
    assert data["step"] == "approval" and data["breaches"] == [] and data["member_id"]
    assert rows(folder, "SELECT standing, joined_date, confirmed_date FROM member WHERE id = ?", data["member_id"]) == [
        ("probationary", "2024-12-05", None)]
    for code, date in (("approval_filed", "2025-03-10"), ("placed", "2025-03-10"), ("oath", "2025-04-01"), ("probation_review", "2025-09-30"),
                       ("confirm_application", "2025-11-20"), ("confirm_assembly", "2025-12-08"),
                       ("confirm_approval", "2026-01-15")):
        result = step(folder, code, date)
        assert result.returncode == 0, (code, result.stderr)
    assert rows(folder, "SELECT standing, confirmed_date FROM member WHERE id = ?", data["member_id"]) == [
        ("full", "2025-12-05")]
    assert rows(folder, "SELECT kind, date FROM member_event WHERE member_id = ? ORDER BY date", data["member_id"]) == [
        ("joined", "2024-12-05"), ("confirmed", "2025-12-05")]
    listed = json.loads(run(folder, "recruits", "--json").stdout)["people"]
    assert listed == [{"name": "周晓梅", "stage": "probation", "next_step": "archived", "due": None, "breaches": []}]
