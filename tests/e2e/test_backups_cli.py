"""``backups``, ``backup``, ``restore`` and ``check`` as a clerk's script runs them."""

import json
import shutil
import sqlite3

import pytest

from partybuild_desktop import paths
from tests.helpers import cli


@pytest.fixture
def folder(sample_file, tmp_path):
    data = tmp_path / "村"
    data.mkdir()
    shutil.copyfile(sample_file, paths.data_file(data))
    return data


def run(folder, *args):
    return cli("--data-dir", str(folder), *map(str, args))


def members(folder):
    with sqlite3.connect(paths.data_file(folder)) as db:
        return db.execute("SELECT count(*) FROM member WHERE NOT archived").fetchone()[0]


def test_backup_then_backups_lists_it_checked(folder):
    made = run(folder, "backup")
    assert made.returncode == 0, made.stderr
    assert "已备份到" in made.stdout and "完好" in made.stdout
    listed = run(folder, "backups", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert set(data) >= {"backups"} and len(data["backups"]) == 1
    entry = data["backups"][0]
    assert set(entry) >= {"file", "time", "reason", "members", "ok"}
    assert entry["reason"] == "manual" and entry["ok"] is True and entry["members"] == members(folder)
    assert entry["file"].startswith(str(paths.backup_dir(folder)))
    text = run(folder, "backups")
    assert "手动备份" in text.stdout and "完好" in text.stdout


def test_an_import_is_preceded_by_a_backup(folder, tmp_path):
    import openpyxl

    from tests.helpers import make_id

    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号码", "入党时间", "党员类别"])
    book.active.append(["新来的", make_id("19700101", 555, "320483"), "2001.07", "农民"])
    book.save(tmp_path / "花名册.xlsx")
    before = members(folder)
    assert run(folder, "import-members", tmp_path / "花名册.xlsx").returncode == 0
    entries = json.loads(run(folder, "backups", "--json").stdout)["backups"]
    assert "import" in {e["reason"] for e in entries}
    assert next(e for e in entries if e["reason"] == "import")["members"] == before


def test_restore_shows_the_comparison_and_needs_yes(folder):
    run(folder, "backup")
    backup = json.loads(run(folder, "backups", "--json").stdout)["backups"][0]["file"]
    with sqlite3.connect(paths.data_file(folder)) as db:
        db.execute("UPDATE member SET archived = 1 WHERE id <= 10")
    db.close()
    now = members(folder)
    preview = run(folder, "restore", backup)
    assert preview.returncode == 1 and "没有恢复" in preview.stdout and "--yes" in preview.stdout
    assert "在册党员" in preview.stdout and f"{now + 10} 名" in preview.stdout and f"{now} 名" in preview.stdout
    assert members(folder) == now
    shown = run(folder, "restore", backup, "--json")
    data = json.loads(shown.stdout)
    assert shown.returncode == 1 and data["restored"] is False
    assert data["backup"]["members"] == now + 10 and data["current"]["members"] == now
    assert {"village", "members", "records", "last_change", "ok"} <= set(data["backup"])
    done = run(folder, "restore", backup, "--yes", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["restored"] is True and members(folder) == now + 10
    safety = result["safety_copy"]
    assert "恢复前" in safety
    with sqlite3.connect(safety) as db:
        assert db.execute("SELECT count(*) FROM member WHERE NOT archived").fetchone()[0] == now
    # And back again, from the safety copy.
    assert run(folder, "restore", safety, "--yes").returncode == 0 and members(folder) == now


@pytest.mark.parametrize("kind, code, said", [
    ("empty", "backup_empty", "空文件"), ("garbage", "backup_foreign", "不是本程序的数据文件"),
    ("cut_short", "backup_damaged", "不完整"),
])
def test_restore_refuses_a_damaged_empty_or_foreign_file(folder, tmp_path, kind, code, said):
    bad = tmp_path / "坏.sqlite3"
    if kind == "empty":
        bad.write_bytes(b"")
    elif kind == "garbage":
        bad.write_bytes(b"<html>not a backup</html>" * 100)
    else:
        bad.write_bytes(paths.data_file(folder).read_bytes()[:-1])
    before = paths.data_file(folder).read_bytes()
    result = run(folder, "restore", bad, "--yes", "--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["code"] == code and said in data["error"] and "当前数据没有改动" in data["error"]
    text = run(folder, "restore", bad, "--yes")
    assert text.returncode == 2 and said in text.stderr and "Traceback" not in text.stderr
    assert paths.data_file(folder).read_bytes() == before
    assert not paths.backup_dir(folder).exists() or not list(paths.backup_dir(folder).glob("恢复前-*"))


def test_backup_out_refuses_the_data_file_and_an_existing_backup(folder):
    before = paths.data_file(folder).read_bytes()
    onto = run(folder, "backup", "--out", paths.data_file(folder))
    assert onto.returncode == 2 and "就是正在使用的数据文件" in onto.stderr
    assert paths.data_file(folder).read_bytes() == before
    run(folder, "backup")
    existing = json.loads(run(folder, "backups", "--json").stdout)["backups"][0]["file"]
    over = run(folder, "backup", "--out", existing, "--json")
    assert over.returncode == 2 and "不能覆盖" in json.loads(over.stdout)["error"]


def test_a_cut_short_data_file_is_found_and_the_newest_sound_backup_offered(folder):
    run(folder, "backup")
    backup = json.loads(run(folder, "backups", "--json").stdout)["backups"][0]
    data = paths.data_file(folder)
    data.write_bytes(data.read_bytes()[:-1])
    checked = run(folder, "check", "--json")
    assert checked.returncode == 1
    result = json.loads(checked.stdout)
    assert result["ok"] is False and "不完整" in result["problems"][0] and result["backup"]["file"] == backup["file"]
    opened = run(folder, "alerts")
    assert opened.returncode == 2
    assert "不完整" in opened.stderr and backup["time"][:10] in opened.stderr and "restore" in opened.stderr
    assert "Traceback" not in opened.stderr and "database" not in opened.stderr
    restored = run(folder, "restore", backup["file"], "--yes")
    assert restored.returncode == 0, restored.stderr
    assert run(folder, "check").returncode == 0
    assert list(paths.backup_dir(folder).glob("损坏的数据文件-*.damaged")), "the damaged file is kept aside"


def test_restore_into_a_folder_without_a_data_file_names_no_safety_copy(folder, tmp_path):
    backup = tmp_path / "U盘" / "备份.sqlite3"
    backup.parent.mkdir()
    shutil.copyfile(paths.data_file(folder), backup)
    for number, options in enumerate((("--json",), ())):
        empty = tmp_path / f"新电脑{number}"
        empty.mkdir()
        done = run(empty, "restore", backup, "--yes", *options)
        assert done.returncode == 0, done.stderr
        if options:
            result = json.loads(done.stdout)
            assert result["restored"] is True and result["safety_copy"] is None
        else:
            assert "没有数据文件" in done.stdout and "另存在" not in done.stdout
        assert members(empty) == members(folder)
        assert not list(paths.backup_dir(empty).glob("损坏的数据文件-*"))
