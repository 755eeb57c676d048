"""Hostile return packages at the township's consolidation: each refused as ``unreadable_package`` with a
Chinese message naming the package, nothing of it stored, a valid package of the same run stored, and the
quarter still consolidating afterwards. (The ones that would hang or eat memory are also run as a
process of their own under a memory limit and a timeout: tests/e2e/test_hostile_packages_cli.py.)"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.services import consolidation, package_checks
from partybuild_desktop.services.consolidation import consolidate, quarter_figures, township_quarter
from partybuild_desktop.services.returns import PackageProblem, find_packages, load_package
from partybuild_desktop.store import received
from partybuild_desktop.store.models import ReceivedFigure, ReceivedReturn, ReceivedVillage
from tests import hostile_packages as hostile
from tests.conftest import SAMPLE_TODAY
from tests.helpers import table_rows

Q3 = Quarter(2026, 3)


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Two villages' real packages: 东湖村's to be spoiled, 石桥村's to go through beside it."""
    return hostile.real_packages(tmp_path_factory.mktemp("villages"), Q3)


def stored(store) -> tuple[int, int, int]:
    with store.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (ReceivedVillage, ReceivedReturn, ReceivedFigure))


def stored_villages(store) -> list[str]:
    with store.session() as session:
        return sorted(session.scalars(select(ReceivedVillage.name)))


def refused_beside_a_valid_one(store, packages, hostile_package: Path, *words: str):
    """Consolidate the hostile package with 石桥村's; the hostile one is refused with a Chinese message
    naming it (and holding ``words``), 石桥村's is stored, nothing of the hostile one is. The outcome."""
    result = consolidate(store, Q3, [hostile_package, packages["石桥村"]], today=SAMPLE_TODAY)
    bad, good = result.packages
    assert (bad.status, bad.code) == ("refused", "unreadable_package"), bad.message
    assert Path(hostile_package).name in bad.message and len(bad.message) < 400, bad.message
    assert hostile.english_left(bad.message, hostile_package) == [], bad.message
    for word in words:
        assert word in bad.message, bad.message
    assert (good.status, good.village) == ("accepted", "石桥村")
    assert stored_villages(store) == ["石桥村"] and stored(store)[1] == 1
    return bad


def consolidates_later(store, packages, tmp_path):
    """The quarter still consolidates: 东湖村's own package taken, the tables written."""
    again = consolidate(store, Q3, [packages["东湖村"]], out_dir=tmp_path / "汇总", today=SAMPLE_TODAY)
    assert [p.status for p in again.packages] == ["accepted"] and again.files and not again.warnings
    side = table_rows(next(f for f in again.files if "对照表" in f.name and f.suffix == ".xlsx"))
    assert {line[("村", "")] for line in side.values()} == {"东湖村", "石桥村", "合计"}


# ---------------------------------------------------------------------------------------- files


def test_a_fifo_for_return_json_is_refused_without_opening_it(store, packages, tmp_path):
    made = hostile.fifo_return_json(packages["东湖村"], tmp_path / "fifo")
    refused_beside_a_valid_one(store, packages, made, "return.json", "不是普通文件")
    consolidates_later(store, packages, tmp_path)


def test_a_report_file_linked_to_dev_zero_is_refused(store, packages, tmp_path):
    made = hostile.linked_to_dev_zero(packages["东湖村"], tmp_path / "zero")
    refused_beside_a_valid_one(store, packages, made, "附件4", "链接")


def test_a_link_out_of_the_package_is_refused_though_the_manifest_agrees(store, packages, tmp_path):
    made, outside = hostile.linked_out_of_the_package(packages["东湖村"], tmp_path / "out")
    refused_beside_a_valid_one(store, packages, made, "链接")
    assert outside.exists()


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "link_out"])
def test_opening_by_path_as_on_windows_refuses_the_same(store, packages, tmp_path, monkeypatch, kind):
    """Windows cannot open relative to a folder's handle; the path-based reading refuses the same files."""
    monkeypatch.setattr(package_checks, "_BY_HANDLE", False)
    source, folder = packages["东湖村"], tmp_path / kind
    made = {"fifo": hostile.fifo_return_json, "dev_zero": hostile.linked_to_dev_zero,
            "link_out": lambda p, f: hostile.linked_out_of_the_package(p, f)[0]}[kind](source, folder)
    refused_beside_a_valid_one(store, packages, made, "不是普通文件" if kind == "fifo" else "链接")


def test_a_package_that_is_itself_a_link_is_refused(store, packages, tmp_path):
    real = hostile.copy_package(packages["东湖村"], tmp_path / "real")
    link = tmp_path / "link" / real.name
    link.parent.mkdir()
    link.symlink_to(real, target_is_directory=True)
    refused_beside_a_valid_one(store, packages, link, "链接")


def test_a_package_name_with_control_characters_is_shown_cleaned(store, packages, tmp_path):
    made = hostile.fifo_return_json(packages["东湖村"], tmp_path / "name")
    odd = made.rename(made.with_name("城南镇-东湖村\u202e\x1b[2J-2026Q3"))
    (outcome,) = consolidate(store, Q3, [odd]).packages
    assert outcome.code == "unreadable_package" and "城南镇-东湖村  [2J-2026Q3" in outcome.message
    assert not any(c in outcome.message for c in "\u202e\x1b")


def test_a_folder_inside_the_package_is_something_extra(store, packages, tmp_path):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "sub")
    (made / "子文件夹").mkdir()
    (outcome,) = consolidate(store, Q3, [made], today=SAMPLE_TODAY).packages
    assert outcome.code == "manifest_mismatch" and "子文件夹" in outcome.message


def test_a_file_over_its_bound_is_refused_before_it_is_read(store, packages, tmp_path):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "big")
    with open(hostile.report_file(made), "r+b") as f:  # sparse: costs nothing to make
        f.truncate(package_checks.MAX_FILE_BYTES + 1)
    refused_beside_a_valid_one(store, packages, made, "附件4", "太大")
    data = hostile.copy_package(packages["东湖村"], tmp_path / "data")
    with open(data / "return.json", "r+b") as f:  # return.json has a bound of its own
        f.truncate(package_checks.MAX_DATA_BYTES + 1)
    with pytest.raises(PackageProblem, match="太大") as problem:
        load_package(data)
    assert problem.value.code == "unreadable_package"


# ---------------------------------------------------------------------------------------- zips


@pytest.mark.parametrize("name, words", [
    ("../outside.txt", ("..",)),
    ("城南镇-东湖村-2026Q3/../../outside.txt", ("..",)),
    ("/etc/cron.d/outside", ("绝对路径",)),
    ("C:/Windows/outside.txt", ("绝对路径",)),
])
def test_zip_members_outside_the_package_are_refused(store, packages, tmp_path, name, words):
    made = hostile.zip_with_member(packages["东湖村"], tmp_path / "zip", name)
    refused_beside_a_valid_one(store, packages, made, *words)


def test_zip_members_that_are_links_or_devices_are_refused(store, packages, tmp_path):
    link = hostile.zip_with_member(packages["东湖村"], tmp_path / "link", "城南镇-东湖村-2026Q3/说明.txt",
                                   mode=stat.S_IFLNK | 0o777)
    refused_beside_a_valid_one(store, packages, link, "链接")
    fifo = hostile.zip_with_member(packages["东湖村"], tmp_path / "fifo", "城南镇-东湖村-2026Q3/说明.txt",
                                   mode=stat.S_IFIFO | 0o644)
    (outcome,) = consolidate(store, Q3, [fifo]).packages
    assert outcome.code == "unreadable_package" and "不是普通文件" in outcome.message


def test_a_sound_zip_made_byte_by_byte_is_taken(store, packages, tmp_path):
    """The raw zip writer of these tests makes packages the township takes: what the zip tests refuse
    is the one thing each changes."""
    tmp_path.mkdir(exist_ok=True)
    made = hostile.write_raw_zip(tmp_path / "城南镇-东湖村-2026Q3.zip", hostile.zip_members(packages["东湖村"]))
    assert [p.status for p in consolidate(store, Q3, [made]).packages] == ["accepted"]


@pytest.mark.parametrize("declared, words", [("huge", ("太大",)), ("honest_64", ("压缩得不合常理",)),
                                             ("lying", ("校验码",))])
def test_a_zip_bomb_is_refused_before_it_is_inflated(store, packages, tmp_path, declared, words):
    made = hostile.zip_bomb(packages["东湖村"], tmp_path / declared, declared)
    assert made.stat().st_size > 10_000_000 or declared == "honest_64"
    refused_beside_a_valid_one(store, packages, made, *words)


def test_a_zip_of_too_many_members_is_refused_before_it_is_parsed(store, packages, tmp_path):
    members = hostile.zip_members(packages["东湖村"])
    members += [dict(name=f"城南镇-东湖村-2026Q3/{n}.txt", data=b"", crc=0, size=0, method=0)
                for n in range(package_checks.MAX_ENTRIES)]
    made = hostile.write_raw_zip(tmp_path / "城南镇-东湖村-2026Q3.zip", members)
    refused_beside_a_valid_one(store, packages, made, "太多")


def test_a_member_compressed_other_than_by_deflate_is_refused_before_it_is_inflated(store, packages, tmp_path):
    members = hostile.zip_members(packages["东湖村"])
    bz2 = next(m for m in members if "附件4" in m["name"])
    bz2["method"] = 12  # bzip2: inflated a whole input chunk at a time, so not taken at all
    made = hostile.write_raw_zip(tmp_path / "城南镇-东湖村-2026Q3.zip", members)
    refused_beside_a_valid_one(store, packages, made, "不支持的压缩方式")


def test_a_folder_of_too_many_files_is_refused_skipped_names_counted(store, packages, tmp_path):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "many")
    for n in range(package_checks.MAX_ENTRIES):
        (made / f"._{n}").touch()  # names skipped as the system's own, still counted
    refused_beside_a_valid_one(store, packages, made, "太多")


def test_two_members_of_one_name_are_refused(store, packages, tmp_path):
    members = hostile.zip_members(packages["东湖村"])
    members.append(next(m for m in members if m["name"].endswith("return.json")))
    made = hostile.write_raw_zip(tmp_path / "城南镇-东湖村-2026Q3.zip", members)
    refused_beside_a_valid_one(store, packages, made, "同名")


# ---------------------------------------------------------------------------------------- return.json


@pytest.mark.parametrize("where", ["format_version", "member_statistics", "attachment1", "meetings", "money",
                                   "recruitment"])
def test_a_figure_of_2_63_is_refused_and_the_run_goes_on(store, packages, tmp_path, where):
    made = hostile.figure_of_2_63(packages["东湖村"], tmp_path / where, where)
    refused_beside_a_valid_one(store, packages, made)


def test_numbers_of_absurd_length_are_refused_in_chinese(store, packages, tmp_path):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "digits")
    text = (made / "return.json").read_text(encoding="utf-8")
    hostile.replace_data_text(made, text.replace('"format_version": 1', '"format_version": 1' + "0" * 5000, 1))
    refused_beside_a_valid_one(store, packages, made, "位")


def test_a_village_name_of_a_million_characters_is_refused_and_not_stored(store, packages, tmp_path):
    made = hostile.long_village_name(packages["东湖村"], tmp_path / "long")
    bad = refused_beside_a_valid_one(store, packages, made, "村名太长")
    assert bad.village is None  # the name is not repeated anywhere
    consolidates_later(store, packages, tmp_path)


@pytest.mark.parametrize("field, value, words", [
    ("name", "东" * 65, ("村名太长",)),
    ("name", "东湖村\u202e", ("控制字符",)),
    ("name", "东湖\x1b[31m村", ("控制字符",)),
    ("township", "城南镇\n", ("乡镇名称", "控制字符")),
    ("name", ["东湖村"], ("村名不是文字",)),
    ("key", "", ("村的标识为空",)),
    ("branch_name", "党" * 129, ("党组织全称太长",)),
])
def test_names_are_bounded_and_without_control_characters(store, packages, tmp_path, field, value, words):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "name")
    hostile.rewrite_data(made, lambda d: d["village"].update({field: value}))
    refused_beside_a_valid_one(store, packages, made, *words)


def test_a_name_of_64_characters_is_taken_and_printed(store, packages, tmp_path):
    """The bound itself: a 64-character village and township name go through, into the PDF tables and
    (the township's, shortened) into the tables' file names, which stay within 255 bytes."""
    made = hostile.copy_package(packages["东湖村"], tmp_path / "max")
    hostile.rewrite_data(made, lambda d: d["village"].update(name="东" * 64, township="镇" * 64))
    result = consolidate(store, Q3, [made], out_dir=tmp_path / "汇总", today=SAMPLE_TODAY)
    assert [p.status for p in result.packages] == ["accepted"] and len(result.files) > 2
    assert all(f.exists() and len(f.name.encode("utf-8")) <= 255 for f in result.files)
    assert any("东" * 64 in line for line in table_rows(next(f for f in result.files if "对照表" in f.name
                                                             and f.suffix == ".xlsx")))


def test_deep_nesting_is_refused_without_a_recursion_error(store, packages, tmp_path):
    made = hostile.deep_nesting(packages["东湖村"], tmp_path / "deep")
    refused_beside_a_valid_one(store, packages, made, "层次太深")
    unbalanced = hostile.copy_package(packages["东湖村"], tmp_path / "open")
    hostile.replace_data_text(unbalanced, "[" * 100_000)
    (outcome,) = consolidate(store, Q3, [unbalanced]).packages
    assert outcome.code == "unreadable_package" and "层次太深" in outcome.message


@pytest.mark.parametrize("text, words", [
    ('{"format": "partybuild-quarterly-return", "format": "x"}', ("出现了两次",)),
    ('{"format": NaN}', ("不是数字",)),
    ('{"format": ', ("格式不对",)),
    ("[1, 2]", ("不是一组报表数据",)),
])
def test_damaged_json_is_refused_in_chinese(store, packages, tmp_path, text, words):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "json")
    hostile.replace_data_text(made, text)
    refused_beside_a_valid_one(store, packages, made, *words)


def test_bytes_that_are_not_utf8_are_refused_in_chinese(store, packages, tmp_path):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "bytes")
    (made / "return.json").write_bytes(b'{"format": "\xff\xfe"}')
    hostile.write_manifest(made)
    refused_beside_a_valid_one(store, packages, made, "UTF-8")


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(quarter="2026Q9"), ("季度",)),
    (lambda d: d["period"].update(end="2027-01-01"), ("统计时段",)),
    (lambda d: d.update(filed_on="2026-13-40"), ("填报日期",)),
    (lambda d: d.update(program={"version": "9" * 40}), ("程序版本太长",)),
    (lambda d: d.update(files=[{"name": ["x"], "sha256": 1}]), ()),
])
def test_the_other_fields_are_checked_as_the_village_writes_them(store, packages, tmp_path, change, words):
    made = hostile.copy_package(packages["东湖村"], tmp_path / "fields")
    hostile.rewrite_data(made, change)
    result = consolidate(store, Q3, [made, packages["石桥村"]], today=SAMPLE_TODAY)
    bad, good = result.packages
    assert bad.status == "refused" and bad.code in ("unreadable_package", "manifest_mismatch"), bad.message
    assert hostile.english_left(bad.message, made) == [] and all(w in bad.message for w in words), bad.message
    assert good.status == "accepted" and stored_villages(store) == ["石桥村"]


def test_finding_packages_on_a_stick_does_not_open_what_is_hostile(packages, tmp_path):
    stick = tmp_path / "stick"
    hostile.fifo_return_json(packages["东湖村"], stick / "a")
    (stick / "a" / "城南镇-东湖村-2026Q3").rename(stick / "城南镇-东湖村-2026Q3")
    (stick / "城南镇-石桥村-2026Q3.zip").symlink_to("/dev/zero")
    hostile.long_village_name(packages["石桥村"], stick / "b")
    found = {f.path.name: (f.village, f.quarter) for f in find_packages(stick)}
    assert found["城南镇-东湖村-2026Q3"] == (None, None)
    assert found["城南镇-石桥村-2026Q3.zip"] == (None, None)
    assert [(f.village, f.quarter) for f in find_packages(stick / "b" / "城南镇-石桥村-2026Q3")] == [(None, "2026Q3")]


# ---------------------------------------------------------------------------------------- storing


def test_each_package_is_stored_in_its_own_savepoint(store, packages, monkeypatch):
    """A package whose rows the data file refuses is refused; the package stored before it and the one
    after it are kept, with all their figures."""
    real = received.insert_figures
    calls = []

    def refuse_the_second(connection, figures):
        calls.append(len(figures))
        if len(calls) == 2:
            real(connection, figures)  # its figures written ... and then refused by the file
            raise IntegrityError("INSERT", {}, Exception("constraint failed"))
        real(connection, figures)

    monkeypatch.setattr(received, "insert_figures", refuse_the_second)
    third = hostile.copy_package(packages["东湖村"], Path(str(packages["东湖村"].parent) + "-third"))
    hostile.rewrite_data(third, lambda d: d["village"].update(key="another-key", name="柳塘村"))
    result = consolidate(store, Q3, [packages["东湖村"], packages["石桥村"], third], today=SAMPLE_TODAY)
    assert [(p.village, p.status, p.code) for p in result.packages] == [
        ("东湖村", "accepted", None), ("石桥村", "refused", "unreadable_package"), ("柳塘村", "accepted", None)]
    assert "无法保存" in result.packages[1].message and hostile.english_left(result.packages[1].message, "") == []
    assert stored_villages(store) == ["东湖村", "柳塘村"]
    with store.session() as session:
        assert [v.village for v in quarter_figures(session, Q3)] == ["东湖村", "柳塘村"]
    monkeypatch.undo()
    again = consolidate(store, Q3, [packages["石桥村"]], today=SAMPLE_TODAY)
    assert again.packages[0].status == "accepted" and stored_villages(store) == ["东湖村", "柳塘村", "石桥村"]


def test_a_value_the_file_could_not_give_back_is_never_stored(store, packages, monkeypatch):
    """Checked once more just before storing: a package that reached the writer with a figure of 2⁶³
    (past every check before it) is refused there, and the other package is stored."""
    real = consolidation.load_package

    def forged(path):
        loaded = real(path)
        if loaded.village != "东湖村":
            return loaded
        figures = dict(loaded.figures)
        figures["attachment1"] = {**figures["attachment1"], "members": 2 ** 63}
        return dataclasses.replace(loaded, figures=figures)

    monkeypatch.setattr(consolidation, "load_package", forged)
    result = consolidate(store, Q3, [packages["东湖村"], packages["石桥村"]], today=SAMPLE_TODAY)
    assert [(p.village, p.status) for p in result.packages] == [("东湖村", "refused"), ("石桥村", "accepted")]
    assert "超出了能保存的范围" in result.packages[0].message and stored_villages(store) == ["石桥村"]


def test_what_an_older_program_stored_cannot_break_the_quarter(store, packages, tmp_path):
    """A village name of a million characters and figures that no longer check, stored before these
    checks: the quarter's tables are still written, the name shown shortened, the return that does not
    check left out with a warning that says what to do."""
    assert [p.status for p in consolidate(store, Q3, [packages["东湖村"], packages["石桥村"]]).packages] == ["accepted"] * 2
    with store.session() as session:
        session.execute(update(ReceivedVillage).where(ReceivedVillage.name == "东湖村").values(name="长" * 1_000_000))
        shiqiao = session.scalar(select(ReceivedReturn.id).join(ReceivedVillage).where(ReceivedVillage.name == "石桥村"))
        session.execute(update(ReceivedFigure).where(ReceivedFigure.return_id == shiqiao,
                                                     ReceivedFigure.key == "total").values(value=2 ** 62))
    out = tmp_path / "汇总"
    # The very same package again is not "received before, unchanged": it is offered as the replacement.
    result = consolidate(store, Q3, [packages["石桥村"]], out_dir=out, today=SAMPLE_TODAY)
    assert (result.packages[0].code, result.packages[0].unchanged) == ("duplicate_village", False)
    assert result.files and all(f.exists() for f in result.files)
    (warning,) = result.warnings
    assert "石桥村" in warning and "没有计入汇总" in warning and "重新导入" in warning
    side = table_rows(next(f for f in result.files if "对照表" in f.name and f.suffix == ".xlsx"))
    names = [line[("村", "")] for line in side.values() if line[("村", "")] != "合计"]
    assert sorted(len(n) for n in names) == [3, package_checks.MAX_NAME]
    with store.session() as session:
        shown = township_quarter(session, Q3, SAMPLE_TODAY)
    assert "没有计入汇总" in shown.summary and max(len(v.name) for v in shown.villages) == package_checks.MAX_NAME
    # Confirmed, it replaces the return that does not check: the quarter is right again.
    replaced = consolidate(store, Q3, [packages["石桥村"]], replace=True, out_dir=tmp_path / "再汇总", today=SAMPLE_TODAY)
    assert replaced.packages[0].status == "accepted" and replaced.packages[0].replaced and not replaced.warnings
    with store.session() as session:
        assert sorted(v.village for v in quarter_figures(session, Q3)) == sorted(["长" * 63 + "…", "石桥村"])


def test_the_townships_own_list_of_names_is_bounded(store):
    with store.session() as session:
        with pytest.raises(ValueError, match="村名.*太长"):
            consolidation.set_expected_villages(session, "城南镇", ["东湖村", "长" * 1000])
        with pytest.raises(ValueError, match="控制字符"):
            consolidation.set_expected_villages(session, "城南\x07镇", ["东湖村"])


# ---------------------------------------------------------------------------------------- the checks alone


def test_json_nesting_is_measured_without_recursion():
    assert package_checks.parse_json(b'{"a": [[1], {"b": "[[[[[[[[[[[[[[[[[[[[[[["}]}')[0]["a"][0] == [1]
    with pytest.raises(package_checks.JsonUnsafe, match="层次太深"):
        package_checks.parse_json(b"[" * 17 + b"]" * 17)
    assert package_checks.parse_json(b"[" * 16 + b"]" * 16)[0] == [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]
    with pytest.raises(package_checks.JsonUnsafe, match="格式不对"):  # too few to nest deep: the parser says
        package_checks.parse_json(b"]" * 3 + b"[" * 3)
    with pytest.raises(package_checks.JsonUnsafe, match="层次太深"):  # brackets that never close
        package_checks.parse_json(b"]" * 20 + b"[" * 20)


def test_a_name_is_checked_for_length_and_control_characters():
    assert package_checks.text_problem("东湖村") is None
    assert package_checks.text_problem("东" * 64) is None
    assert "太长" in package_checks.text_problem("东" * 65)
    assert "控制字符" in package_checks.text_problem("东湖\u200b村")
    assert package_checks.text_problem("", required=False) is None and package_checks.text_problem(" ") == "为空"
    assert package_checks.short("长" * 500, 10) == "长" * 10 + "…"


def test_the_writer_of_packages_still_reads_its_own_zip(packages, tmp_path):
    """The village's side: the .zip form is read back through the same bounded reader."""
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as archive:
        for p in sorted(packages["东湖村"].iterdir()):
            archive.write(p, f"{packages['东湖村'].name}/{p.name}")
    assert load_package(tmp_path / "x.zip").village == "东湖村"
    assert os.path.exists(packages["东湖村"] / "return.json")
    assert json.loads((packages["东湖村"] / "return.json").read_text(encoding="utf-8"))["village"]["name"] == "东湖村"


def test_every_refusal_names_the_package_in_chinese(store, packages, tmp_path):
    """The five codes, each message naming the package's file."""
    def spoiled(folder, change):
        made = hostile.copy_package(packages["东湖村"], tmp_path / folder)
        hostile.rewrite_data(made, change)
        return made

    q2 = spoiled("q2", lambda d: d.update(quarter="2026Q2", period={"start": "2026-04-01", "end": "2026-06-30"}))
    newer = spoiled("newer", lambda d: d.update(schema_version="9999"))
    edited = hostile.copy_package(packages["东湖村"], tmp_path / "edited")
    with open(hostile.report_file(edited), "ab") as f:
        f.write(b"changed")
    twice = hostile.copy_package(packages["石桥村"], tmp_path / "twice")
    given = [packages["石桥村"], q2, newer, edited, twice, tmp_path / "没有这个报表包"]
    result = consolidate(store, Q3, given, today=SAMPLE_TODAY)
    assert [p.code for p in result.packages] == [None, "wrong_quarter", "schema_too_new", "manifest_mismatch",
                                                 "duplicate_village", "unreadable_package"]
    for outcome in result.packages[1:]:
        assert Path(outcome.package).name in outcome.message, outcome.message
        assert hostile.english_left(outcome.message, outcome.package) == [], outcome.message
