"""export-return and consolidate from the command line: the JSON contracts and exit codes, checked from
outside as a township's script would use them."""

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from partybuild_desktop.domain.statistics import last_complete_quarter
from tests.helpers import cli, sheet_rows, village_file

QUARTER = last_complete_quarter(dt.date.today())  # the demo's data runs up to today
VILLAGES = (("东湖村", 1), ("石桥村", 2), ("柳塘村", 3))
CODES = {"manifest_mismatch", "schema_too_new", "wrong_quarter", "duplicate_village", "unreadable_package"}


@pytest.fixture(scope="module")
def villages(tmp_path_factory):
    """Three villages, each with its own data folder, and their packages on one stick."""
    root = tmp_path_factory.mktemp("returns")
    usb = root / "U盘"
    made = {}
    for name, seed in VILLAGES:
        folder = root / name
        village_file(folder, name, 50, seed, today=dt.date.today()).dispose()  # as `demo` would, a little faster
        result = cli("--data-dir", folder, "export-return", "--quarter", QUARTER.label, "--out", usb, "--json")
        assert result.returncode == 0, result.stderr
        made[name] = (folder, json.loads(result.stdout))
    return root, usb, made


def test_export_return_prints_one_object_naming_the_package_and_its_hashes(villages):
    _, usb, made = villages
    folder, printed = made["东湖村"]
    package = Path(printed["package"])
    assert package.parent == usb and package.name == f"城南镇-东湖村-{QUARTER.label}" and package.is_dir()
    assert {"return.json", "manifest.sha256"} <= set(printed["files"])
    assert set(printed["files"]) == {p.name for p in package.iterdir()} == set(printed["sha256"])
    for name, digest in printed["sha256"].items():
        assert hashlib.sha256((package / name).read_bytes()).hexdigest() == digest
    data = json.loads((package / "return.json").read_text(encoding="utf-8"))
    assert data["village"]["name"] == "东湖村" and data["quarter"] == QUARTER.label


def test_export_return_refuses_to_overwrite_unless_asked(villages):
    _, usb, made = villages
    folder, printed = made["石桥村"]
    again = cli("--data-dir", folder, "export-return", "--quarter", QUARTER.label, "--out", usb, "--json")
    assert again.returncode == 2 and "--replace" in again.stderr
    assert list(json.loads(again.stdout)) == ["error"]
    bad = cli("--data-dir", folder, "export-return", "--quarter", "2026第三季", "--out", usb)
    assert bad.returncode == 2 and "2026Q3 这样" in bad.stderr
    usage = cli("--data-dir", folder, "export-return", "--out", usb)
    assert usage.returncode == 2 and "命令参数有误" in usage.stderr


def test_consolidate_takes_the_good_and_refuses_the_bad(villages, tmp_path):
    root, usb, made = villages
    packages = [made[name][1]["package"] for name, _ in VILLAGES]
    edited = tmp_path / "改过的" / Path(packages[1]).name
    shutil.copytree(packages[1], edited)
    sheet = next(edited.glob("*附件2*.xlsx"))
    book = load_workbook(sheet)
    book.active["B5"] = "改过的名字"
    book.save(sheet)
    township = tmp_path / "乡镇"
    out = tmp_path / "汇总"
    result = cli("--data-dir", township, "consolidate", "--quarter", QUARTER.label, "--out", out, "--json",
                 packages[0], edited, tmp_path / "没有这个包", packages[2])
    assert result.returncode == 3, result.stderr
    printed = json.loads(result.stdout)
    assert list(printed)[0] == "packages"
    entries = printed["packages"]
    assert [list(e) for e in entries] == [["package", "village", "status", "code", "message"]] * 4
    assert [(e["village"], e["status"], e["code"]) for e in entries] == [
        ("东湖村", "accepted", None), ("石桥村", "refused", "manifest_mismatch"), (None, "refused", "unreadable_package"),
        ("柳塘村", "accepted", None)]
    assert entries[0]["package"] == packages[0] and "改动" in entries[1]["message"]
    assert all(e["code"] in CODES for e in entries if e["status"] == "refused")
    files = [Path(f) for f in printed["files"]]
    assert len(files) == 16 and all(f.exists() and f.parent == out for f in files)
    summary = next(f for f in files if "党员基本情况统计表" in f.name and f.suffix == ".xlsx")
    rows = sheet_rows(summary)
    total = next(r for r in rows if r[0] == "合计")[1]
    own = [json.loads((Path(p) / "return.json").read_text(encoding="utf-8"))["figures"]["member_statistics"]["total"]
           for p in (packages[0], packages[2])]
    assert total == sum(own)
    with sqlite3.connect(township / "partybuild.sqlite3") as db:
        assert db.execute("SELECT action, changes, source FROM audit_entry").fetchall() == [
            (f"汇总{QUARTER.title}报表包（命令行）", "returns,settings", "cli")], "one row, though two sessions opened"

    # The missing village, sent now, completes the quarter: nothing is missing any more.
    done = cli("--data-dir", township, "consolidate", "--quarter", QUARTER.label, "--out", out, "--json", packages[1])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["missing"] == []

    # A package for a village already received: refused without --replace, taken with it.
    folder = made["东湖村"][0]
    later = tmp_path / "第二次"
    assert cli("--data-dir", folder, "export-return", "--quarter", QUARTER.label, "--out", later).returncode == 0
    (second,) = later.iterdir()
    refused = cli("--data-dir", township, "consolidate", "--quarter", QUARTER.label, "--out", out, "--json", second)
    if refused.returncode == 0:  # exported within the same second: the very same content is no replacement
        assert "内容完全相同" in json.loads(refused.stdout)["packages"][0]["message"]
    else:
        assert refused.returncode == 3 and json.loads(refused.stdout)["packages"][0]["code"] == "duplicate_village"
        taken = cli("--data-dir", township, "consolidate", "--quarter", QUARTER.label, "--out", out, "--replace",
                    "--json", second)
        assert taken.returncode == 0 and "替换" in json.loads(taken.stdout)["packages"][0]["message"]


def test_consolidate_exit_codes_for_nothing_readable_and_bad_usage(villages, tmp_path):
    _, usb, made = villages
    township = tmp_path / "乡镇"
    junk = tmp_path / "坏.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    nothing = cli("--data-dir", township, "consolidate", "--quarter", QUARTER.label, "--out", tmp_path / "out",
                  "--json", junk, tmp_path / "不存在")
    assert nothing.returncode == 2
    assert [(e["status"], e["code"], e["village"]) for e in json.loads(nothing.stdout)["packages"]] == [
        ("refused", "unreadable_package", None)] * 2
    bad_quarter = cli("--data-dir", township, "consolidate", "--quarter", "2026Q9", "--out", tmp_path / "out", junk)
    assert bad_quarter.returncode == 2 and "季度“2026Q9”的写法不对" in bad_quarter.stderr
    no_package = cli("--data-dir", township, "consolidate", "--quarter", QUARTER.label, "--out", tmp_path / "out")
    assert no_package.returncode == 2 and "命令参数有误" in no_package.stderr
    wrong = cli("--data-dir", township, "consolidate", "--quarter", QUARTER.previous().label, "--out",
                tmp_path / "out", "--json", made["东湖村"][1]["package"])
    assert wrong.returncode == 3 and json.loads(wrong.stdout)["packages"][0]["code"] == "wrong_quarter"


def test_member_statistics_by_quarter_from_the_export_command(villages, tmp_path):
    _, _, made = villages
    folder = made["柳塘村"][0]
    out = tmp_path / "党员统计.xlsx"
    result = cli("--data-dir", folder, "export", "member-stats", "--quarter", QUARTER.label, "--out", out)
    assert result.returncode == 0, result.stderr
    rows = sheet_rows(out)
    assert rows[0][0] == "党员基本情况统计表（一）"
    start = f"{QUARTER.start.year}年{QUARTER.start.month}月1日"
    assert start in rows[1][0]
    assert cli("--data-dir", folder, "export", "member-stats", "--year", QUARTER.year, "--out", tmp_path / "年.pdf").returncode == 0
    refused = cli("--data-dir", folder, "export", "stats", "--quarter", QUARTER.label, "--out", tmp_path / "x.xlsx")
    assert refused.returncode == 2 and "不按季度导出" in refused.stderr
    listed = cli("--data-dir", folder, "export", "--list")
    assert "member-stats" in listed.stdout
