"""Rule sets as files: export and import round trip, bad files refused with nothing changed, closed years."""

import datetime as dt
import json
from dataclasses import replace

import pytest

from partybuild_desktop.domain.points import FORMAT_NAME, RuleFileError
from partybuild_desktop.services import point_rules
from tests.helpers import village

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def two_villages(store):
    with store.session() as session:
        first = village(session, "甲村")
        second = village(session, "乙村", secretary="李书记")
        yield session, first, second


def edited_rules():
    rules = point_rules.default_rules()
    items = tuple(replace(item, points=3, cap=30, note="镇统一调整") if item.code == "visit" else item
                  for item in rules.items if item.code != "discipline")
    return replace(rules, name="城南镇2026年度党员积分办法", base_score=90, warning_line=55, items=items)


def test_a_township_hands_the_same_rules_to_every_village(two_villages, tmp_path):
    session, first, second = two_villages
    point_rules.save_rules(session, first, 2026, edited_rules(), "镇组织办")
    path = tmp_path / "城南镇积分办法.json"
    point_rules.export_rules(session, first, 2026, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT_NAME and data["version"] == 1 and data["year"] == 2026 and data["village"] == "甲村"
    record = point_rules.import_rules(session, second, path, by="乙村文书")
    assert record.year == 2026 and record.saved
    assert record.rules == point_rules.load_rules(session, first, 2026).rules == edited_rules().for_year(2026)
    # The same file into another year.
    again = point_rules.import_rules(session, second, path, year=2027)
    assert again.year == 2027 and again.rules.items == edited_rules().items


def test_a_file_without_a_year_goes_to_this_year(two_villages, tmp_path):
    session, first, _ = two_villages
    from partybuild_desktop.domain.points import rules_to_dict

    data = rules_to_dict(edited_rules())
    data.pop("year", None)
    path = tmp_path / "无年度.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert point_rules.import_rules(session, first, path, today=TODAY).year == 2026


def test_a_file_saved_as_gbk_by_an_old_notepad_still_reads(two_villages, tmp_path):
    session, first, _ = two_villages
    from partybuild_desktop.domain.points import rules_to_json

    path = tmp_path / "gbk.json"
    path.write_bytes(rules_to_json(edited_rules()).encode("gbk"))
    assert point_rules.import_rules(session, first, path, year=2026).rules.name == "城南镇2026年度党员积分办法"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "JSON"),
        ('{"name": "积分办法"}'.encode(), "这不是积分评价办法文件"),
        ('[1, 2, 3]'.encode(), "应为 JSON 对象"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_changes(two_villages, tmp_path, content, message):
    session, first, _ = two_villages
    point_rules.save_rules(session, first, 2026, edited_rules())
    path = tmp_path / "坏文件.json"
    path.write_bytes(content)
    with pytest.raises(RuleFileError, match=message):
        point_rules.import_rules(session, first, path, year=2026)
    assert point_rules.load_rules(session, first, 2026).rules == edited_rules().for_year(2026)


def test_a_file_with_a_bad_item_names_it_and_its_field(two_villages, tmp_path):
    session, first, _ = two_villages
    from partybuild_desktop.domain.points import rules_to_dict

    data = rules_to_dict(edited_rules())
    data["items"][0]["cap"] = "不限"
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RuleFileError) as raised:
        point_rules.import_rules(session, first, path)
    assert "第1项“走访联系户（民情日记）”的“全年封顶”（cap）" in str(raised.value)


def test_missing_and_oversized_files(two_villages, tmp_path):
    session, first, _ = two_villages
    with pytest.raises(RuleFileError, match="找不到文件"):
        point_rules.import_rules(session, first, tmp_path / "没有.json")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (point_rules.MAX_RULE_FILE_BYTES + 1))
    with pytest.raises(RuleFileError, match="不像是积分办法文件"):
        point_rules.import_rules(session, first, big)


def test_a_closed_year_refuses_an_import_and_keeps_its_rules(two_villages, tmp_path):
    session, first, _ = two_villages
    point_rules.save_rules(session, first, 2025, edited_rules())
    point_rules.close_year(session, first, 2025, "王书记", today=TODAY)
    path = tmp_path / "示范.json"
    point_rules.export_rules(session, first, 2020, path)  # the sample rules
    with pytest.raises(point_rules.YearClosedError, match="2025年度的积分已于"):
        point_rules.import_rules(session, first, path, year=2025)
    assert point_rules.load_rules(session, first, 2025).rules == edited_rules().for_year(2025)
    assert point_rules.list_rule_sets(session, first)[0].closed_by == "王书记"


def test_closing_is_refused_for_a_future_year_or_without_a_name(two_villages):
    session, first, _ = two_villages
    with pytest.raises(point_rules.RuleSetError, match="还没有开始"):
        point_rules.close_year(session, first, 2027, "王书记", today=TODAY)
    with pytest.raises(point_rules.RuleSetError, match="结账人"):
        point_rules.close_year(session, first, 2026, " ", today=TODAY)


def test_a_rule_set_built_in_the_editor_is_checked_like_a_file(two_villages):
    session, first, _ = two_villages
    rules = edited_rules()
    broken = replace(rules, items=rules.items + (replace(rules.items[0], name="重复编号"),))
    with pytest.raises(RuleFileError, match="“重复编号”的“编号”（code）“visit”与前面的项目重复"):
        point_rules.save_rules(session, first, 2026, broken)
    assert not point_rules.load_rules(session, first, 2026).saved
