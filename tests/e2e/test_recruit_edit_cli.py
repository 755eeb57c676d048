"""recruit edit corrects what a recorded step holds — the 入党介绍人, the training, the 公示 — as a script
runs it: exit 3 with the rule's code when the correction breaks a rule and no --reason is given, 2 for
unusable input, 0 when saved; nothing written on a refusal."""

import datetime as dt
import json

import pytest

from partybuild_desktop.domain.vocabulary import Standing
from partybuild_desktop.services import recruitment
from tests import helpers
from tests.e2e.test_recruitment_cli import rows, run, tables
from tests.unit.test_recruitment_service import TODAY, new_case, walk


@pytest.fixture
def folder(tmp_path):
    """A branch of five 正式 members and one 预备, and 周晓梅's case up to ⑪ 集中培训 (24 学时)."""
    folder = tmp_path / "data"
    store = helpers.new_store(folder)
    with store.session() as session:
        village_id = helpers.village(session, "东湖村")
        group = helpers.group(session, village_id)
        full = [helpers.member(session, village_id, name, joined_date=dt.date(2000, 7, 1), party_group_id=group)
                for name in ("王建国", "李秀英", "张明", "赵刚", "钱伟")]
        helpers.member(session, village_id, "孙预备", standing=Standing.PROBATIONARY, joined_date=dt.date(2026, 5, 1))
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 10)
        assert recruitment.list_cases(session, village_id, TODAY)[0].next_step.value == "committee_review"
    store.dispose()
    return folder


def edit(folder, *args):
    return run(folder, "recruit", "edit", "--person", "周晓梅", *args, "--json")


def test_the_introducers_corrected_exit_3_then_kept_with_the_reason(folder):
    before = tables(folder)
    short = edit(folder, "--step", "9", "--introducers", "张明")
    assert short.returncode == 3, short.stderr
    data = json.loads(short.stdout)
    assert (data["code"], data["breaches"]) == ("introducers_fewer_than_two", ["introducers_fewer_than_two"])
    assert "没有写入任何数据" in short.stderr and tables(folder) == before
    kept = edit(folder, "--step", "确定入党介绍人", "--introducers", "张明", "--reason", "另一名介绍人外出，待补")
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout) == {"id": 1, "step": "introducers", "date": "2024-09-15",
                                       "breaches": ["introducers_fewer_than_two"]}
    assert rows(folder, "SELECT name FROM recruit_person WHERE role = 'introducer'") == [("张明",)]
    mended = edit(folder, "--step", "9", "--introducers", "张明,钱伟")
    assert mended.returncode == 0 and json.loads(mended.stdout)["breaches"] == []
    assert rows(folder, "SELECT count(*) FROM recruit_breach") == [(0,)]
    assert rows(folder, "SELECT name FROM recruit_person WHERE role = 'introducer' ORDER BY id") == [("张明",), ("钱伟",)]
    assert rows(folder, "SELECT action FROM audit_entry ORDER BY id DESC LIMIT 1") == [
        ("改正发展党员步骤（周晓梅：第9步确定入党介绍人，命令行）",)]


def test_the_training_and_the_date_corrected_together(folder):
    short = edit(folder, "--step", "11", "--hours", "23")
    assert short.returncode == 3 and json.loads(short.stdout)["code"] == "training_too_short"
    done = edit(folder, "--step", "11", "--hours", "32", "--date", "2024-10-25")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["date"] == "2024-10-25"
    assert rows(folder, "SELECT training_hours FROM recruit_case") == [(32.0,)]
    assert rows(folder, "SELECT date FROM recruit_step WHERE step = 'training'") == [("2024-10-25",)]
    text = run(folder, "recruit", "edit", "--person", "周晓梅", "--step", "11", "--days", "3")
    assert text.returncode == 0 and "已改正周晓梅的第11步开展集中培训（2024年10月25日）" in text.stdout


@pytest.mark.parametrize("args, message", [
    (("--step", "9", "--hours", "30"), "没有培训学时可改"),
    (("--step", "9",), "没有要改的内容"),
    (("--step", "12", "--date", "2024-11-01"), "还没有登记第12步"),
    (("--step", "9", "--introducers", "张明,孙预备"), "孙预备"),
])
def test_unusable_corrections_exit_2_and_write_nothing(folder, args, message):
    before = tables(folder)
    refused = edit(folder, *args)
    assert refused.returncode == 2, refused.stderr
    assert message in json.loads(refused.stdout)["error"] and tables(folder) == before
