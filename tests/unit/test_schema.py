"""Opening data files: new, old (every released schema), newer, corrupt, and a failed upgrade."""

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from partybuild_desktop import paths
from partybuild_desktop.store import schema
from partybuild_desktop.store.models import Member, RecordEntry
from partybuild_desktop.store.schema import DataFileCorrupt, DataFileTooNew, UpgradeFailed, head_revision, open_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
RELEASED = sorted(FIXTURES.glob("schema_*.sqlite3"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pragma(path, name):
    with sqlite3.connect(path) as db:
        return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_new_file_is_created_at_head_in_wal_mode(tmp_path):
    store = open_store(tmp_path / "new.sqlite3")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    store.dispose()
    assert pragma(tmp_path / "new.sqlite3", "journal_mode") == "wal"


def test_there_is_a_fixture_for_the_baseline():
    assert [p.name for p in RELEASED][0] == "schema_0001.sqlite3"


def test_every_migration_has_a_fixture():
    have = {p.stem.split("_", 1)[1] for p in RELEASED}
    missing = sorted(schema.known_revisions() - have)
    assert not missing, (
        f"no fixture for schema {', '.join(missing)}: make it with "
        f"`.venv/bin/python tests/fixtures/schemas/make_fixture.py {missing[0]}` and commit it"
    )
    assert [schema.read_revision(p) for p in RELEASED] == sorted(have), "each fixture is at its own revision"


def test_the_test_template_is_at_head_so_a_test_store_needs_no_upgrade(store, data_folder):
    assert schema.read_revision(store.path) == head_revision()
    assert not paths.backup_dir(data_folder).exists(), "opening it made no upgrade backup"


@pytest.mark.parametrize("fixture", RELEASED, ids=lambda p: p.stem)
def test_every_released_schema_opens_and_upgrades(fixture, tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(fixture, path)
    store = open_store(path, tmp_path / "backups")
    with store.session() as session:
        assert {m.name for m in session.scalars(select(Member))} == {"王建国", "李秀英"}
        entry = session.scalars(select(RecordEntry)).one()
        assert entry.text == "集中学习党章" and entry.source_kind is None
        session.add(RecordEntry(member_id=1, date=entry.date, entry_type=entry.entry_type, text="新", source_kind="visit", source_id=1))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    store.dispose()
    backups = list((tmp_path / "backups").glob("*.sqlite3"))
    if fixture.stem != f"schema_{head_revision()}":
        assert len(backups) == 1, "an upgrade is preceded by a backup"
        assert digest(backups[0]) != "" and schema.read_revision(backups[0]) == fixture.stem.split("_")[1]


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "newer.sqlite3"
    shutil.copyfile(RELEASED[0], path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    before = digest(path)
    with pytest.raises(DataFileTooNew, match="更新版本"):
        open_store(path)
    assert digest(path) == before
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 this is a zip, not a database" * 10, b"SQLite format 3\x00" + b"\xff" * 5000],
    ids=["not-sqlite", "damaged-sqlite"],
)
def test_corrupt_file_is_refused_and_left_untouched(tmp_path, content):
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(content)
    with pytest.raises(DataFileCorrupt) as raised:
        open_store(path)
    assert "未作任何改动" in str(raised.value)
    assert path.read_bytes() == content


def test_failed_upgrade_puts_the_backup_back(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(RELEASED[0], path)
    real_upgrade = schema._upgrade

    def upgrade_then_fail(store):
        real_upgrade(store)  # the schema really changes...
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM member")
        raise RuntimeError("模拟的升级故障")  # ...and then the upgrade fails

    monkeypatch.setattr(schema, "_upgrade", upgrade_then_fail)
    with pytest.raises(UpgradeFailed, match="已恢复为升级前的状态"):
        open_store(path, tmp_path / "backups")
    assert schema.read_revision(path) == "0001"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM member").fetchone()[0] == 2
        columns = {row[1] for row in db.execute("PRAGMA table_info(record_entry)")}
    assert "source_kind" not in columns


def test_the_head_constant_and_file_names_agree_with_alembic():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert scripts.get_current_head() == schema.HEAD_REVISION
    assert {s.revision for s in scripts.walk_revisions()} == schema.known_revisions()
