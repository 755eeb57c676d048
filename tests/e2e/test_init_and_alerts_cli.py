"""``init``, ``alerts`` and the command line's own words, run as a clerk's script runs them."""

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys

import openpyxl
import pytest
from sqlalchemy import update

from partybuild_desktop import paths
from partybuild_desktop.domain.vocabulary import ProxyKind, Standing
from partybuild_desktop.services.proxy_services import ProxyForm, register_proxy
from partybuild_desktop.services.village import LAST_BACKUP, set_setting
from partybuild_desktop.services.visits import VisitForm, add_visit
from partybuild_desktop.store.models import Village

from ..helpers import cli, households, make_id_for, member, new_store, village


AS_OF = "2026-11-23"


def db_rows(folder, sql):
    with sqlite3.connect(paths.data_file(folder)) as db:
        return db.execute(sql).fetchall()


# ---------------------------------------------------------------------------------------- init


def test_init_makes_an_empty_village_and_refuses_a_second(tmp_path):
    folder = tmp_path / "新村"
    made = cli("--data-dir", folder, "init", "--township", "白马镇", "--village", "东湖村", "--branch-type", "党总支",
               "--secretary", "王建国")
    assert made.returncode == 0, made.stderr
    assert "已建立本村台账：白马镇东湖村，中共东湖村党总支，书记：王建国" in made.stdout
    assert db_rows(folder, "SELECT township, name, branch_type, branch_name, secretary_name FROM village") == [
        ("白马镇", "东湖村", "general_branch", "中共东湖村党总支", "王建国")]
    assert db_rows(folder, "SELECT count(*) FROM member") == [(0,)]
    assert db_rows(folder, "SELECT action, source FROM audit_entry") == [("建立本村台账（命令行）", "cli")]

    again = cli("--data-dir", folder, "init", "--township", "白马镇", "--village", "西湖村")
    assert again.returncode == 2
    assert "已经有村（白马镇东湖村）" in again.stderr and "没有作任何改动" in again.stderr
    assert db_rows(folder, "SELECT name FROM village") == [("东湖村",)]


def test_init_without_a_secretary_leaves_the_name_to_fill_in(tmp_path):
    made = cli("--data-dir", tmp_path, "init", "--township", "白马镇", "--village", "东湖村",
               "--branch-name", "中共白马镇东湖村支部委员会")
    assert made.returncode == 0, made.stderr
    assert "书记：未填写" in made.stdout and "设置 → 本村信息" in made.stdout
    assert db_rows(tmp_path, "SELECT branch_type, branch_name, secretary_name FROM village") == [
        ("branch", "中共白马镇东湖村支部委员会", "")]


@pytest.mark.parametrize("args, message", [
    (["--township", "  ", "--village", "东湖村"], "请填写：乡镇"),
    (["--township", "白马镇", "--village", "东湖村", "--secretary", " "], "请填写：书记姓名"),
    (["--township", "白马镇", "--village", "东湖村", "--branch-type", "党委"], "“党委”不是可选的值，可选：党总支、党支部"),
    (["--village", "东湖村"], "缺少必填的参数：--township"),
])
def test_init_refusals_are_chinese(tmp_path, args, message):
    result = cli("--data-dir", tmp_path, "init", *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    if paths.data_file(tmp_path).exists():
        assert db_rows(tmp_path, "SELECT count(*) FROM village") == [(0,)]


def test_init_then_import_members_with_no_demo_data(tmp_path):
    folder = tmp_path / "data"
    assert cli("--data-dir", folder, "init", "--township", "白马镇", "--village", "东湖村",
               "--secretary", "王建国").returncode == 0
    ids = [make_id_for("19650312"), make_id_for("19720815", male=False), make_id_for("19881101")]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "东湖村党员花名册"
    ws.merge_cells("A1:I1")
    ws["A2"] = "填报单位：中共东湖村党支部　　填报日期：2026年11月"
    ws.append(["序号", "姓　名", "性别", "公民身份号码", "出生年月", "党员类别", "入党时间", "手机号码", "党小组"])
    ws.append([1, "张　三", "男", ids[0], "1965.03", "无职党员", "1990-07-01", "138 1234 5678", "第一党小组"])
    ws.append([2, "李秀英", "女", ids[1], "1972年8月", "农民", "1995/3/12", 13912345678, "第一党小组"])
    ws.append([3, "王小明", "男", ids[2], "1988.11", "流动", "2012年7月", None, "第二党小组"])
    for row in ws.iter_rows(min_row=4, min_col=4, max_col=4):
        row[0].number_format = "@"
    roster = tmp_path / "花名册.xlsx"
    wb.save(roster)

    result = cli("--data-dir", folder, "import-members", roster, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["imported"], data["updated"], data["refused"]) == (3, 0, [])
    assert db_rows(folder, "SELECT name, id_number FROM member ORDER BY id") == [
        ("张三", ids[0]), ("李秀英", ids[1]), ("王小明", ids[2])]
    assert sorted(db_rows(folder, "SELECT name FROM party_group")) == [("第一党小组",), ("第二党小组",)]
    assert db_rows(folder, "SELECT action, changes, source FROM audit_entry ORDER BY id")[-1] == (
        "导入花名册（命令行）", "members", "cli")
    assert cli("--data-dir", folder, "import-members", roster, "--dry-run").returncode == 3  # all known now
    assert len(db_rows(folder, "SELECT id FROM audit_entry")) == 2, "a dry run writes no audit row"


def test_demo_twice_says_a_second_village_was_added(tmp_path):
    first = cli("--data-dir", tmp_path, "demo", "--members", "20", "--village", "石桥村")
    assert first.returncode == 0, first.stderr
    assert "原来已有" not in first.stdout
    second = cli("--data-dir", tmp_path, "demo", "--members", "20", "--village", "柳河村")
    assert second.returncode == 0, second.stderr
    assert "原来已有 1 个村" in second.stdout and "石桥村" in second.stdout
    assert "现在共有 2 个村" in second.stdout and "当前村仍是" in second.stdout
    assert db_rows(tmp_path, "SELECT source FROM audit_entry") == [("cli",), ("cli",)]


# ---------------------------------------------------------------------------------------- alerts


@pytest.fixture
def prepared(tmp_path):
    """A village with one of each kind of alert due on 2026-11-23."""
    folder = tmp_path / "data"
    store = new_store(folder)
    today = dt.date(2026, 11, 23)
    with store.session() as session:
        village_id = village(session, "东湖村")
        session.execute(update(Village).values(created_at=dt.datetime(2025, 1, 10, 9, 0)))
        set_setting(session, LAST_BACKUP, "2026-11-01T17:30:00")
        liaison = member(session, village_id, "张明")
        member(session, village_id, "赵预备", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 12, 10))
        member(session, village_id, "钱过期", standing=Standing.PROBATIONARY, joined_date=dt.date(2025, 11, 1))
        house = households(session, village_id, 1, liaison=liaison, hardship=True)[0]
        add_visit(session, village_id, VisitForm(dt.date(2026, 9, 30), liaison, house, "了解困难"), today=today)
        register_proxy(session, village_id, ProxyForm(ProxyKind.PROMISED, house, "", "办理低保年审",
                                                      dt.date(2026, 11, 1), dt.date(2026, 11, 15),
                                                      handler_id=liaison), today=today)
    store.dispose()
    return folder


def test_alerts_json_lists_every_kind(prepared):
    result = cli("--data-dir", prepared, "alerts", "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    assert "\\u" not in result.stdout and "预备期" in result.stdout  # Chinese as Chinese
    data = json.loads(result.stdout)
    assert set(data) == {"as_of", "alerts"} and data["as_of"] == AS_OF
    assert all(set(alert) == {"kind", "level", "member", "due", "message"} for alert in data["alerts"])
    found = {(a["kind"], a["level"], a["member"], a["due"]) for a in data["alerts"]}
    assert found == {
        ("proxy_overdue", "serious", "张明", "2026-11-15"),
        ("probation_overdue", "serious", "钱过期", "2026-11-01"),
        ("return_not_exported", "serious", None, "2026-09-30"),  # more than a month late
        ("backup_old", "notice", None, "2026-11-08"),
        ("must_visit_overdue", "notice", "张明", "2026-10-30"),
        ("probation_due", "notice", "赵预备", "2026-12-10"),
        # No meeting recorded yet: last month's 主题党日 is asked for; from October, study hours.
        ("meeting_missing", "notice", None, "2026-10-31"),
        ("study_hours_short", "notice", "张明", "2026-12-31"),
        ("study_hours_short", "notice", "赵预备", "2026-12-31"),
        ("study_hours_short", "notice", "钱过期", "2026-12-31"),
    }
    levels = [a["level"] for a in data["alerts"]]
    assert levels == sorted(levels, key=lambda level: level != "serious")  # serious first
    notices = [a["due"] for a in data["alerts"] if a["level"] == "notice"]
    assert notices == sorted(notices)  # then by due date
    assert all(re.search(r"[\u4e00-\u9fff]", a["message"]) for a in data["alerts"])
def test_alerts_as_a_readable_list(prepared):
    result = cli("--data-dir", prepared, "alerts", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("共 10 项：")
    assert lines[1].startswith("【紧急】") and lines[-1].startswith("【提醒】")
    assert any("钱过期的预备期已于2026年11月1日期满" in line for line in lines)


def test_alerts_on_a_new_village_and_a_bad_date(tmp_path):
    assert cli("--data-dir", tmp_path, "init", "--township", "白马镇", "--village", "东湖村").returncode == 0
    today = cli("--data-dir", tmp_path, "alerts", "--json")
    assert today.returncode == 0 and json.loads(today.stdout) == {"as_of": dt.date.today().isoformat(), "alerts": []}
    bad = cli("--data-dir", tmp_path, "alerts", "--as-of", "2026/11/23")
    assert bad.returncode == 2 and "请写成 2026-11-23 这样" in bad.stderr
    empty = tmp_path / "空"
    none = cli("--data-dir", empty, "alerts", "--json")
    assert none.returncode == 2 and "还没有村" in json.loads(none.stdout)["error"]


# ---------------------------------------------------------------------------------------- the command line's words


def _commands():
    from partybuild_desktop.cli import build_parser

    found = []

    def walk(parser, path):
        found.append(path)
        for action in parser._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])

    walk(build_parser(), [])
    return found


# Words that stay as they are: file formats, names of products, environment variables, examples.
ALLOWED = {"xlsx", "xls", "ods", "csv", "pdf", "json", "JSON", "zip", "Excel", "WPS", "PARTYBUILD_DATA_DIR", "Q3",
           "U", "SHA"}


@pytest.mark.parametrize("command", _commands(), ids=lambda path: " ".join(path) or "top")
def test_help_is_chinese_throughout(command):
    from partybuild_desktop.domain.meetings import MeetingKind
    from partybuild_desktop.domain.recruitment import Step
    from partybuild_desktop.services.exports import catalogue

    names = {name for path in _commands() for name in path}
    names |= {word for definition in catalogue() for word in definition.name.split("-")}  # export's names
    names |= {kind.value for kind in MeetingKind}  # meeting add --kind takes these codes (or the Chinese names)
    names |= {step.value for step in Step}  # recruit step --step takes these codes (or numbers, or the names)
    result = cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "用法：partybuild-desktop" in text and "显示本帮助并退出" in text
    words = re.findall(r"(?<![-\w])[A-Za-z][A-Za-z_]+", re.sub(r"--?[\w-]+|partybuild-desktop", " ", text))
    english = [w for w in words if w not in ALLOWED and w not in names]
    assert english == [], f"{' '.join(command)} --help still says: {english}"


@pytest.mark.parametrize("args, message", [
    (["demo", "--members", "很多"], "参数 --members：“很多”不是整数"),
    (["no-such-command"], "“no-such-command”不是可选的值，可选：init、demo"),
    (["restore"], "缺少必填的参数：备份文件"),
    (["check", "--what"], "不认识的参数：--what"),
    (["points", "explain", "--member"], "参数 --member：后面需要跟一个值"),
])
def test_argument_errors_are_chinese(tmp_path, args, message):
    result = cli("--data-dir", tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr and "用法：" in result.stderr, result.stderr
    assert not re.search(r"usage|error:|argument|invalid|required|unrecognized", result.stderr)


def test_output_is_utf8_whatever_the_locale(prepared):
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "LC_ALL": "C", "LANG": "C"}
    for args in (["alerts", "--as-of", AS_OF, "--json"], ["alerts", "--as-of", AS_OF], ["--help"]):
        result = subprocess.run([sys.executable, "-m", "partybuild_desktop", "--data-dir", str(prepared), *args],
                                capture_output=True, env=env, timeout=300)
        assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
        text = result.stdout.decode("utf-8")  # raises if it is not UTF-8
        assert re.search(r"[\u4e00-\u9fff]", text)
    refused = subprocess.run([sys.executable, "-m", "partybuild_desktop", "--data-dir", str(prepared), "restore"],
                             capture_output=True, env=env, timeout=300)
    assert "缺少必填的参数" in refused.stderr.decode("utf-8")
