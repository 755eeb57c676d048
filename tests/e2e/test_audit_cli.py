"""``audit [--since D] [--json]`` as a clerk's script runs it: after init, an import and an edit, every
operation with its records and fields old → new; ID numbers masked; bad options refused with exit 2."""

import datetime as dt
import json
import re
import os
import sqlite3
import subprocess
import sys

import openpyxl
import pytest

from tests.helpers import cli, make_id

IDS = [make_id("19650312", 101 + 2 * n) for n in range(3)]


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "data"
    assert cli("--data-dir", folder, "init", "--township", "城南镇", "--village", "东湖村", "--secretary", "王书记").returncode == 0
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "性别", "公民身份号码", "出生年月", "党员类别"])
    for n, (name, number) in enumerate(zip(("张三", "李四", "王五"), IDS)):
        ws.append([n + 1, name, "男", number, "1965.03", "农民"])
    wb.save(tmp_path / "花名册.xlsx")
    assert cli("--data-dir", folder, "import-members", tmp_path / "花名册.xlsx").returncode == 0
    return folder


def audit(folder, *args):
    return cli("--data-dir", folder, "audit", *args)


def test_audit_json_lists_each_operation_with_its_records_and_fields(folder):
    result = audit(folder, "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    assert [e["action"] for e in entries] == ["导入花名册（命令行）", "建立本村台账（命令行）"]
    imported = entries[0]
    assert set(imported) == {"id", "time", "operator", "action", "source", "changes", "records", "fields"}
    assert imported["source"] == "cli" and imported["changes"] == ["members"] and imported["operator"] == "未署名"
    assert imported["records"] == ["党员 张三（第 1 号）", "党员 李四（第 2 号）", "党员 王五（第 3 号）"]
    numbers = [f["new"] for f in imported["fields"] if f["field"] == "公民身份号码"]
    assert numbers == [n[:6] + "********" + n[-4:] for n in IDS]
    assert {"kind": "insert", "record": "党员 张三（第 1 号）", "field": "姓名", "old": None, "new": "张三",
            "count": None} in imported["fields"]
    for number in IDS:
        assert number not in result.stdout


def test_a_deletion_since_and_until(folder):
    assert cli("--data-dir", folder, "member", "delete", "李四").returncode == 0
    deleted = json.loads(audit(folder, "--json", "--limit", "1").stdout)["entries"][0]
    assert deleted["action"] == "删除党员“李四”（命令行）"
    assert deleted["records"] == ["党员 李四（第 2 号）"]
    assert {"kind": "delete", "record": "党员 李四（第 2 号）", "field": None, "old": None, "new": None,
            "count": None} in deleted["fields"]
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        db.execute("UPDATE audit_entry SET at = '2026-01-05 09:00:00' WHERE action LIKE '建立本村台账%'")
    recent = json.loads(audit(folder, "--since", "2026-06-01", "--json").stdout)["entries"]
    assert "建立本村台账（命令行）" not in [e["action"] for e in recent]
    assert "导入花名册（命令行）" in [e["action"] for e in recent]
    old = json.loads(audit(folder, "--until", "2026-01-05", "--json").stdout)["entries"]
    assert [e["action"] for e in old] == ["建立本村台账（命令行）"]


def test_kind_by_its_chinese_name_or_its_code(folder):
    for kind in ("党员", "members"):
        listed = json.loads(audit(folder, "--kind", kind, "--json").stdout)["entries"]
        assert [e["action"] for e in listed] == ["导入花名册（命令行）"]
    assert json.loads(audit(folder, "--kind", "纪实", "--json").stdout)["entries"] == []


def test_text_output_shows_old_and_new(folder):
    result = audit(folder)
    assert result.returncode == 0
    assert "导入花名册（命令行）" in result.stdout
    assert "姓名：（空） → 张三" in result.stdout
    assert IDS[0][:6] + "********" + IDS[0][-4:] in result.stdout and IDS[0] not in result.stdout


@pytest.mark.parametrize("args, words", [
    (("--kind", "foo"), "不认识的方面“foo”"),
    (("--since", "2026-12-01", "--until", "2026-11-01"), "早于"),
    (("--since", "11/23"), "2026-11-23"),
])
def test_bad_options_are_refused_in_chinese(folder, args, words):
    result = audit(folder, *args)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_a_refused_option_with_json_still_prints_one_object(folder):
    result = audit(folder, "--kind", "foo", "--json")
    assert result.returncode == 2
    assert "不认识的方面" in json.loads(result.stdout)["error"]


ENGLISH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a table's, field's or code's English name, alone


def english_names(texts):
    """Texts that are (or begin with) an English identifier: ``migrant_stint新增 35 条``, ``letter_no``, ``in``."""
    return sorted({t for t in texts if t and ENGLISH.match(t) and not t[:4].isdigit()})


def test_the_samples_log_and_its_workbook_name_tables_fields_and_codes_in_chinese(tmp_path):
    folder = tmp_path / "data"
    assert cli("--data-dir", folder, "demo").returncode == 0
    result = audit(folder, "--json")
    assert result.returncode == 0, result.stderr
    fields = [f for e in json.loads(result.stdout)["entries"] for f in e["fields"]]
    records = {f["record"] for f in fields}
    assert any(r.startswith("流动党员外出新增") for r in records)
    assert any(r.startswith("组织关系转接 ") for r in records)
    assert {"转入", "转出"} <= {f["new"] for f in fields if f["field"] == "转接方向"}
    assert english_names(f[k] for f in fields for k in ("record", "field", "old", "new")) == []
    out = tmp_path / "操作记录.xlsx"
    year = str(dt.date.today().year)  # the sample is logged when it is made
    assert cli("--data-dir", folder, "export", "audit", "--year", year, "--out", out).returncode == 0
    sheet = openpyxl.load_workbook(out)["改动明细"]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.startswith("后备干部新增") for c in cells)
    assert english_names(cells) == []


@pytest.mark.parametrize("args", [("audit", "--json"), ("audit",)])
def test_a_reader_that_stops_early_ends_the_command_quietly(folder, args):
    """``audit --json | head``: the reader closes the pipe before the output is written. The command ends
    as any program killed by SIGPIPE does (141 = 128 + 13), with nothing on stderr: no U 盘 message."""
    process = subprocess.Popen(
        [sys.executable, "-m", "partybuild_desktop", "--data-dir", str(folder), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    process.stdout.close()  # before the program has started: its first write finds no reader
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=120) == 141
    assert stderr == ""
