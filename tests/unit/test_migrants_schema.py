"""Schema 0012: the inline ``away_*`` fields of a data file of schema 0011 become one open stint each."""

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect, select

from partybuild_desktop.store.models import Member, MigrantStint
from partybuild_desktop.store.schema import open_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "schema_0011.sqlite3"


def _old_file_with_migrants(tmp_path) -> Path:
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE, path)
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            UPDATE member SET category = 'migrant', away_since = '2026-03-01', away_reason = '务工经商',
                away_province = '广东省', away_city = '深圳市', away_county = '宝安区',
                away_contact = '13812345678', away_occupation = '电子厂工人', activity_card_no = 'HD2026-007'
                WHERE id = 1;
            INSERT INTO member (id, village_id, name, gender, standing, membership_state, lost_contact, category,
                                party_group_id, is_hub_household, is_committee_member, archived, search_keys,
                                away_province)
                VALUES (3, 1, '赵小军', 'male', 'full', 'normal', 0, 'migrant', 1, 0, 0, 0, '赵小军', '浙江省');
            UPDATE member SET away_since = '2020-05-01', away_province = '江苏省', notes = '腿脚不便'
                WHERE id = 2;
            """
        )
    db.close()
    return path


def test_each_migrant_gets_one_open_stint_and_the_inline_fields_are_gone(tmp_path):
    store = open_store(_old_file_with_migrants(tmp_path), tmp_path / "backups")
    with store.session() as session:
        stints = session.scalars(select(MigrantStint).order_by(MigrantStint.member_id)).all()
        assert [(s.member_id, s.back_on) for s in stints] == [(1, None), (3, None)]
        first = stints[0]
        assert (first.left_on.isoformat(), first.province, first.city, first.county) == \
            ("2026-03-01", "广东省", "深圳市", "宝安区")
        assert (first.reason, first.occupation, first.phone, first.card_no) == \
            ("务工经商", "电子厂工人", "13812345678", "HD2026-007")
        assert stints[1].left_on is None and stints[1].province == "浙江省"
        # Not a migrant now: the old details are kept in the notes, with no stint.
        elderly = session.get(Member, 2)
        assert elderly.notes == "腿脚不便\n原外出登记：外出时间2020-05-01，流向江苏省"
    with store.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("member")}
    store.dispose()
    assert not {c for c in columns if c.startswith("away_")} and "activity_card_no" not in columns


def _old_file_with_contacts(tmp_path) -> Path:
    path = _old_file_with_migrants(tmp_path)
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            UPDATE member SET away_contact = '0512 6523 1234' WHERE id = 3;
            INSERT INTO member (id, village_id, name, gender, standing, membership_state, lost_contact, category,
                                party_group_id, is_hub_household, is_committee_member, archived, search_keys,
                                away_province, away_contact)
                VALUES (4, 1, '钱小红', 'female', 'full', 'normal', 0, 'migrant', 1, 0, 0, 0, '钱小红', '上海市',
                        ' qxh_1990 ');
            """
        )
    db.close()
    return path


def test_a_wechat_contact_becomes_the_stints_wechat_and_a_phone_is_cleaned(tmp_path):
    store = open_store(_old_file_with_contacts(tmp_path), tmp_path / "backups")
    with store.session() as session:
        found = {s.member_id: (s.phone, s.wechat) for s in session.scalars(select(MigrantStint))}
    store.dispose()
    assert found == {1: ("13812345678", None), 3: ("0512-65231234", None), 4: (None, "qxh_1990")}


def test_the_downgrade_writes_the_open_stint_back_with_phone_or_wechat(tmp_path):
    from alembic import command

    from partybuild_desktop.store.schema import alembic_config

    path = _old_file_with_contacts(tmp_path)
    engine = create_engine(f"sqlite:///{path}")
    config = alembic_config()
    with engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = connection
        command.upgrade(config, "0012")
        connection.exec_driver_sql("UPDATE migrant_stint SET back_on = '2026-09-01' WHERE member_id = 3")
        connection.exec_driver_sql(
            "INSERT INTO migrant_contact (member_id, date, how) VALUES (1, '2026-10-01', 'phone')")
        command.downgrade(config, "0011")
    engine.dispose()
    with sqlite3.connect(path) as db:
        inline = db.execute("SELECT id, away_contact, away_province FROM member WHERE id IN (1, 3, 4) "
                            "ORDER BY id").fetchall()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    # 赵小军's stint was closed: it is dropped, as the docstring says; the open ones come back inline.
    assert inline == [(1, "13812345678", "广东省"), (3, None, None), (4, "qxh_1990", "上海市")]
    assert not {"migrant_stint", "migrant_contact"} & tables
