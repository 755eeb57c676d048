"""The commands of 流动党员 as a clerk's script runs them: migrant out / back / contact and migrants, with
the exact JSON shape and exit codes (0 done, 2 unusable input; nothing written on a refusal)."""

import datetime as dt
import json
import sqlite3

import pytest

from tests.helpers import cli, group, member, new_store, village


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "data"
    store = new_store(folder)
    with store.session() as session:
        village_id = village(session, "东湖村")
        group(session, village_id)
        for name in ("王建国", "李秀英", "张明"):
            member(session, village_id, name, joined_date=dt.date(2000, 7, 1))
    store.dispose()
    return folder


def run(folder, *args):
    return cli("--data-dir", folder, *args)


def counts(folder):
    with sqlite3.connect(folder / "partybuild.sqlite3") as db:
        return [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("migrant_stint", "migrant_contact")]


def test_out_contact_back_and_the_list_in_the_exact_shape(folder):
    empty = run(folder, "migrants", "--as-of", "2026-11-23", "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout) == {"as_of": "2026-11-23", "migrants": []}

    done = run(folder, "migrant", "out", "--member", "张明", "--date", "2026-05-23", "--to", "广东省/深圳市/宝安区",
               "--reason", "务工经商", "--occupation", "电工", "--contact", "13812345678", "--card", "HD-1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stint_id"] == 1
    second = run(folder, "migrant", "out", "--member", "李秀英", "--date", "2026-05-24", "--to", "浙江省/杭州市")
    assert second.returncode == 0 and "流向浙江省杭州市" in second.stdout
    contact = run(folder, "migrant", "contact", "--member", "张明", "--date", "2026-08-23", "--how", "寄送",
                  "--note", "寄送党章", "--json")
    assert contact.returncode == 0 and json.loads(contact.stdout)["how"] == "寄送学习资料"

    listed = json.loads(run(folder, "migrants", "--as-of", "2026-11-23", "--json").stdout)
    assert listed == {"as_of": "2026-11-23", "migrants": [
        {"name": "李秀英", "since": "2026-05-24", "to": "浙江省/杭州市", "months_away": 5, "last_contact": None,
         "alerts": ["migrant_contact_overdue"]},
        {"name": "张明", "since": "2026-05-23", "to": "广东省/深圳市/宝安区", "months_away": 6,
         "last_contact": "2026-08-23", "alerts": ["migrant_should_transfer"]},
    ]}  # by party group, then in the order entered; 6 months away on the day, and 5 months 30 days
    text = run(folder, "migrants", "--as-of", "2026-11-23")
    assert text.returncode == 0 and "在外的流动党员：2 人" in text.stdout and "应转组织关系" in text.stdout

    back = run(folder, "migrant", "back", "--member", "张明", "--date", "2026-11-20", "--json")
    assert back.returncode == 0
    assert json.loads(back.stdout)["warnings"][0]["code"] == "activity_card_return"
    after = json.loads(run(folder, "migrants", "--as-of", "2026-11-23", "--json").stdout)
    assert [m["name"] for m in after["migrants"]] == ["李秀英"]
    assert counts(folder) == [2, 1]


@pytest.mark.parametrize("args, message", [
    (("out", "--member", "张明", "--date", "2026-05-23", "--to", "/"), "外出流向"),
    (("out", "--member", "无此人", "--date", "2026-05-23", "--to", "广东省"), "本村没有在册党员"),
    (("out", "--member", "张明", "--date", "2099-01-01", "--to", "广东省"), "晚于今天"),
    (("back", "--member", "张明", "--date", "2026-05-23"), "不用登记返回"),
    (("contact", "--member", "张明", "--date", "2026-05-23", "--how", "电话"), "不在外出登记的时间内"),
    (("contact", "--member", "张明", "--date", "2026-05-23", "--how", "飞鸽"), "应写电话、微信、面谈或寄送"),
])
def test_refusals_exit_2_and_write_nothing(folder, args, message):
    done = run(folder, "migrant", *args, "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert message in error, error
    assert "没有写入任何数据" in error
    assert counts(folder) == [0, 0]
