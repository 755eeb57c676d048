"""Backups through SQLite's online backup API, and restoring them."""

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import func, select

from partybuild_desktop.services import maintenance
from partybuild_desktop.store.models import Member
from partybuild_desktop.services.backups import RestoreRefused
from partybuild_desktop.store.schema import open_store


def count_members(store):
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Member))


def test_backup_is_a_complete_standalone_file_and_is_remembered(sample_store, tmp_path):
    target = tmp_path / "usb" / "备份.sqlite3"
    assert maintenance.last_backup(sample_store) is None
    maintenance.make_backup(sample_store, target)
    assert maintenance.last_backup(sample_store) is not None
    assert not target.with_name(target.name + ".part").exists()
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM member").fetchone()[0] == count_members(sample_store)


def test_restore_brings_the_data_back_and_keeps_a_safety_copy(sample_store, tmp_path):
    before = count_members(sample_store)
    backup = maintenance.make_backup(sample_store, tmp_path / "b.sqlite3")
    with sample_store.session() as session:
        session.execute(Member.__table__.update().values(name="改错了"))
    safety = maintenance.restore_backup(sample_store, backup, tmp_path / "safety")
    reopened = open_store(sample_store.path)
    with reopened.session() as session:
        assert "改错了" not in set(session.scalars(select(Member.name)))
    assert count_members(reopened) == before
    with sqlite3.connect(safety) as db:
        assert db.execute("SELECT count(DISTINCT name) FROM member").fetchone()[0] == 1
    reopened.dispose()


def test_restore_refuses_a_newer_backup_and_changes_nothing(sample_store, tmp_path):
    backup = maintenance.make_backup(sample_store, tmp_path / "b.sqlite3")
    with sqlite3.connect(backup) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    before = count_members(sample_store)
    with pytest.raises(RestoreRefused, match="更新版本") as refused:
        maintenance.restore_backup(sample_store, backup, tmp_path / "safety")
    assert refused.value.code == "backup_too_new"
    assert count_members(sample_store) == before


def test_check_reports_a_sound_file_and_a_damaged_one(sample_store, tmp_path):
    assert maintenance.check_data_file(sample_store.path).sound
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    result = maintenance.check_data_file(bad)
    assert not result.sound and "不是本程序的数据文件" in result.problems[0]


# ------------------------------------------------------------------------------------------ safety

import hashlib  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from partybuild_desktop import paths  # noqa: E402
from partybuild_desktop.services import backups  # noqa: E402
from partybuild_desktop.store import backup as backup_files  # noqa: E402
from partybuild_desktop.store.backup import BackupFailed  # noqa: E402
from partybuild_desktop.store.database import mark_open, wal_path  # noqa: E402
from partybuild_desktop.store.schema import DataFileCorrupt  # noqa: E402

# Words a message may carry besides Chinese: the command to type and the file names.
COMMAND_WORDS = {"partybuild", "desktop", "restore", "yes", "wal", "shm", "sqlite", "backups"}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def no_english(message: str, *paths_named) -> bool:
    for path in paths_named:
        message = message.replace(str(path), "")
    return not [w for w in re.findall(r"[A-Za-z]{3,}", message) if w.lower() not in COMMAND_WORDS]


def closed_copy(store, folder):
    """A copy of the store's file as a program that closed cleanly leaves it."""
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    folder.mkdir(parents=True, exist_ok=True)
    target = paths.data_file(folder)
    shutil.copyfile(store.path, target)
    return target


def test_the_data_file_and_its_backups_are_private_to_the_user(sample_store, tmp_path):
    assert sample_store.path.stat().st_mode & 0o777 == 0o600
    automatic = backups.make(sample_store, "manual")
    out = maintenance.make_backup(sample_store, tmp_path / "U盘" / "备份.sqlite3")
    assert automatic.stat().st_mode & 0o777 == 0o600 and out.stat().st_mode & 0o777 == 0o600
    new = open_store(tmp_path / "新" / "partybuild.sqlite3")
    assert new.path.stat().st_mode & 0o777 == 0o600
    new.dispose()


def test_backup_out_refuses_the_data_file_itself_and_an_existing_backup(sample_store):
    before = digest(sample_store.path)
    with pytest.raises(BackupFailed, match="就是正在使用的数据文件"):
        maintenance.make_backup(sample_store, sample_store.path)
    with pytest.raises(BackupFailed, match="就是正在使用的数据文件"):
        maintenance.make_backup(sample_store, sample_store.path.parent / "." / sample_store.path.name)
    existing = backups.make(sample_store, "manual")
    kept = digest(existing)
    with pytest.raises(BackupFailed, match="不能覆盖"):
        maintenance.make_backup(sample_store, existing)
    assert digest(existing) == kept and digest(sample_store.path) == before
    # A new name inside backups/ overwrites nothing and is allowed.
    assert maintenance.make_backup(sample_store, existing.parent / "另一份.sqlite3").exists()


def test_a_backup_that_fails_its_check_is_not_kept(sample_store, monkeypatch):
    real = backup_files.contents

    def damaged(path, **options):
        found = real(path, **options)
        return backup_files.Contents(found.path, ("完整性检查发现 3 处问题",), "backup_damaged")

    monkeypatch.setattr(backup_files, "contents", damaged)
    with pytest.raises(BackupFailed, match="检查未通过"):
        backups.make(sample_store, "periodic")
    assert list((sample_store.path.parent / "backups").iterdir()) == []


def test_the_listing_names_time_reason_members_and_whether_it_is_sound(sample_store):
    first = backups.make(sample_store, "import", now=dt.datetime(2026, 11, 23, 9, 0))
    second = backups.make(sample_store, "periodic", now=dt.datetime(2026, 11, 23, 9, 30))
    second.write_bytes(second.read_bytes()[:-1])  # a backup damaged since
    listed = backups.listing(sample_store.path.parent / "backups")
    assert [entry.to_json()["file"] for entry in listed] == [str(second), str(first)]
    good = listed[1].to_json()
    assert good["time"] == "2026-11-23T09:00:00" and good["reason"] == "import" and good["ok"] is True
    assert good["members"] == count_active(sample_store)
    assert listed[0].to_json()["ok"] is False
    assert backups.newest_sound(sample_store.path.parent / "backups").file.path == first


def count_active(store):
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Member).where(Member.archived.is_(False)))


@pytest.mark.parametrize("kind, code", [
    ("empty", "backup_empty"), ("garbage", "backup_foreign"), ("other_database", "backup_foreign"),
    ("no_village", "backup_empty"), ("cut_short", "backup_damaged"), ("damaged_pages", "backup_damaged"),
])
def test_a_damaged_empty_or_foreign_backup_is_refused_and_nothing_changes(sample_store, tmp_path, kind, code):
    bad = tmp_path / f"{kind}.sqlite3"
    if kind == "empty":
        bad.write_bytes(b"")
    elif kind == "garbage":
        bad.write_bytes(b"PK\x03\x04" + b"x" * 4000)
    elif kind == "other_database":
        with sqlite3.connect(bad) as db:
            db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        db.close()
    elif kind == "no_village":
        from tests.helpers import new_store

        empty = new_store(tmp_path / "空")
        backup_files.backup_to(empty, bad, require_village=False)  # a data file with no village in it
        empty.dispose()
    elif kind == "cut_short":
        good = backups.make(sample_store, "manual")
        bad.write_bytes(good.read_bytes()[:-1])
    else:
        good = backups.make(sample_store, "manual")
        shutil.copyfile(good, bad)
        with sqlite3.connect(bad) as db:
            db.execute("PRAGMA writable_schema=ON")
            db.execute("UPDATE sqlite_master SET sql = replace(sql, '(archived)', '(name)') WHERE name = 'ix_member_archived'")
        db.close()
    before = digest(sample_store.path)
    with pytest.raises(backups.RestoreRefused) as refused:
        backups.restore(sample_store.path, bad, sample_store)
    assert refused.value.code == code
    assert "当前数据没有改动" in str(refused.value) and no_english(str(refused.value), bad, bad.name)
    sample_store.dispose()
    assert digest(sample_store.path) == before
    assert not [p for p in (sample_store.path.parent / "backups").glob("恢复前-*")], "no safety copy for a refusal"


def test_restore_round_trip_with_the_comparison_and_a_safety_copy(sample_store):
    backup = backups.make(sample_store, "manual")
    members = count_active(sample_store)
    with sample_store.session() as session:
        session.execute(Member.__table__.update().where(Member.id <= 5).values(archived=True))
    comparison = backups.compare(sample_store.path, backup)
    assert comparison.backup.members == members and comparison.current.members == members - 5
    assert comparison.backup.village == comparison.current.village and "东湖村" in comparison.backup.village
    assert comparison.backup.records == comparison.current.records > 0
    restored = backups.restore(sample_store.path, backup, sample_store)
    assert restored.after.members == members and restored.after.ok
    assert backup_files.parse_name(restored.safety).reason == "restore"
    assert backups.files.contents(restored.safety).members == members - 5
    reopened = open_store(sample_store.path)
    assert count_active(reopened) == members
    reopened.dispose()


def test_restore_over_a_damaged_data_file_moves_it_aside(sample_store):
    backup = backups.make(sample_store, "manual")
    members = count_active(sample_store)
    sample_store.dispose()
    data = sample_store.path
    data.write_bytes(data.read_bytes()[:-1])
    with pytest.raises(DataFileCorrupt):
        open_store(data)
    restored = backups.restore(data, backup)
    assert restored.safety.name.startswith("损坏的数据文件-") and restored.safety.exists()
    reopened = open_store(data)
    assert count_active(reopened) == members
    reopened.dispose()


def damage(path, kind):
    if kind == "cut_short":
        path.write_bytes(path.read_bytes()[:-1])
    elif kind == "read_only_header":
        data = bytearray(path.read_bytes())
        data[18] = 3
        path.write_bytes(bytes(data))
    elif kind == "schema_not_utf8":
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA writable_schema=ON")
            db.execute("UPDATE sqlite_master SET sql = 'CREATE TABLE member(' || x'c3ff' || ')' WHERE name = 'member'")
        db.close()
    elif kind == "schema_broken":
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA writable_schema=ON")
            db.execute("UPDATE sqlite_master SET rootpage = 99999 WHERE name = 'member'")
        db.close()
    elif kind == "page_cut_out":
        data = path.read_bytes()
        page = int.from_bytes(data[16:18], "big")
        path.write_bytes(data[: page * 3] + bytes(page) + data[page * 4:])


@pytest.mark.parametrize("kind, said", [
    ("cut_short", "不完整"), ("read_only_header", "只读"), ("schema_not_utf8", "已损坏"),
    ("schema_broken", "已损坏"), ("page_cut_out", "已损坏"),
])
def test_damage_found_at_opening_is_told_in_chinese_with_the_newest_sound_backup(sample_store, tmp_path, kind, said):
    folder = tmp_path / "村"
    data = closed_copy(sample_store, folder)
    store = open_store(data, folder / "backups")
    sound = backups.make(store, "exit", now=dt.datetime(2026, 11, 22, 17, 30))
    store.dispose()
    damage(data, kind)
    before = digest(data)
    with pytest.raises(backups.DamagedDataFile) as raised:
        backups.open_data_folder(folder).dispose()
    message = str(raised.value)
    assert said in message and str(data) in message and "2026-11-22 17:30" in message, message
    assert raised.value.backup.file.path == sound
    assert no_english(message, data, sound), message
    assert digest(data) == before, "nothing was written to the damaged file"
    assert not maintenance.check_data_file(data).sound


def test_an_unclean_exit_gets_the_full_check(sample_store, tmp_path):
    """Index damage that the quick check at every opening cannot see; the full check after a kill does."""
    folder = tmp_path / "村"
    data = closed_copy(sample_store, folder)
    with sqlite3.connect(data) as db:
        db.execute("PRAGMA writable_schema=ON")
        db.execute("UPDATE sqlite_master SET sql = replace(sql, '(archived)', '(name)') WHERE name = 'ix_member_archived'")
    db.close()
    backups.open_data_folder(folder, working=False).dispose()  # the quick check passes
    mark_open(data)  # as a killed program leaves it
    with pytest.raises(backups.DamagedDataFile, match="完整性检查"):
        backups.open_data_folder(folder)
    assert not maintenance.check_data_file(data).sound


def test_a_clean_exit_removes_the_marker(sample_store, tmp_path):
    folder = tmp_path / "村"
    data = closed_copy(sample_store, folder)
    store = backups.open_data_folder(folder)
    assert data.with_name(data.name + ".running").exists()
    store.dispose()
    backups.closed_normally(folder)
    assert not data.with_name(data.name + ".running").exists()


def test_a_foreign_wal_is_named_and_the_data_file_left_alone(sample_store, tmp_path):
    folder = tmp_path / "村"
    data = closed_copy(sample_store, folder)
    # Another data file's -wal, left by a program killed half-way through its work.
    other = tmp_path / "别村" / "partybuild.sqlite3"
    other.parent.mkdir()
    shutil.copyfile(sample_store.path, other)
    code = (f"import sqlite3, os, signal\nc = sqlite3.connect({str(other)!r}); c.execute('PRAGMA wal_autocheckpoint=0')\n"
            "c.execute(\"UPDATE village SET name='西村', created_at='2020-01-01 00:00:00'\")\n"
            "c.execute(\"UPDATE member SET name='外人'\"); c.commit()\nos.kill(os.getpid(), signal.SIGKILL)\n")
    subprocess.run([sys.executable, "-c", code], check=False)
    shutil.copyfile(wal_path(other), wal_path(data))
    before = digest(data), digest(wal_path(data))
    with pytest.raises(backups.ForeignWalFile) as raised:
        backups.open_data_folder(folder)
    message = str(raised.value)
    assert raised.value.backup is None, "the file itself is sound: no backup is offered"
    assert "partybuild.sqlite3-wal" in message and "不相配" in message and "移到别的文件夹" in message
    assert no_english(message, data)
    assert (digest(data), digest(wal_path(data))) == before
    result = maintenance.check_data_file(data)
    assert not result.sound and "不相配" in result.problems[0]


def test_restoring_an_old_backup_the_thinning_would_drop_keeps_it_until_it_is_read(sample_store):
    """Two backups of one day three days ago: the rule keeps only the later one, yet the earlier is restored."""
    folder = backups.folder_of(sample_store.path)
    today = dt.datetime.now().replace(microsecond=0)
    old_day = (today - dt.timedelta(days=3)).replace(hour=10, minute=0, second=0)
    earlier = backup_files.backup_to(sample_store, backup_files.new_name(folder, "manual", old_day))
    backup_files.backup_to(sample_store, backup_files.new_name(folder, "manual", old_day.replace(hour=12)))
    backup_files.backup_to(sample_store, backup_files.new_name(folder, "manual", today.replace(hour=0, minute=1)))
    members = count_active(sample_store)
    with sample_store.session() as session:
        session.execute(Member.__table__.update().where(Member.id <= 5).values(archived=True))
    restored = backups.restore(sample_store.path, earlier, sample_store)
    assert restored.after.ok and restored.after.members == members
    assert earlier.exists(), "the backup restored from is not thinned away"
    assert backup_files.parse_name(restored.safety).reason == "restore" and restored.safety.exists()


def test_a_backup_that_cannot_be_read_during_the_restore_is_refused_in_chinese(sample_store, monkeypatch):
    backup = backups.make(sample_store, "manual")
    before = count_active(sample_store)

    real = backups.make_automatic

    def then_the_backup_goes(*args, **kwargs):  # e.g. the USB stick pulled after the check
        made = real(*args, **kwargs)
        backup.unlink()
        return made

    monkeypatch.setattr(backups, "make_automatic", then_the_backup_goes)
    with pytest.raises(backups.RestoreRefused) as refused:
        backups.restore(sample_store.path, backup, sample_store)
    assert refused.value.code == "restore_failed" and backup.name in str(refused.value)
    assert "当前数据没有改动" in str(refused.value) and no_english(str(refused.value), backup.name)
    reopened = open_store(sample_store.path)
    assert count_active(reopened) == before
    reopened.dispose()


def test_a_damaged_file_in_a_folder_whose_name_reads_like_the_wal_advice_is_still_offered_a_backup(sample_store, tmp_path):
    """Whether a backup is offered follows what is wrong, not the words of the message (the path is in it)."""
    folder = tmp_path / "柜子旁边的电脑"
    data = closed_copy(sample_store, folder)
    store = open_store(data, folder / "backups")
    sound = backups.make(store, "exit", now=dt.datetime(2026, 11, 22, 17, 30))
    store.dispose()
    damage(data, "cut_short")
    with pytest.raises(backups.DamagedDataFile) as raised:
        backups.open_data_folder(folder).dispose()
    assert not isinstance(raised.value, backups.ForeignWalFile)
    assert raised.value.backup is not None and raised.value.backup.file.path == sound
    assert "不完整" in str(raised.value) and "2026-11-22 17:30" in str(raised.value)
