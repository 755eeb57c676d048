"""Schema 0012: the inline ``away_*`` fields of a data file of schema 0011 become one open stint each."""

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import inspect, select

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
