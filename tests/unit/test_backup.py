"""Backups through SQLite's online backup API, and restoring them."""

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
