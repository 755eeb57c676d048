"""The village's quarterly return package: what it holds, how it is written, and a stick pulled half-way."""

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from sqlalchemy import select, update

from partybuild_desktop import __version__
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.services import returns
from partybuild_desktop.services.member_statistics import member_statistics
from partybuild_desktop.services.returns import (
    PackageProblem,
    ReturnCancelled,
    ReturnError,
    ReturnExists,
    export_return,
    load_package,
)
from partybuild_desktop.store.models import Member, Village
from partybuild_desktop.store.schema import HEAD_REVISION
from tests.helpers import SAMPLE_TODAY

Q3 = Quarter(2026, 3)
NAME = "城南镇-东湖村-2026Q3"
ATTACHMENTS = ("stats", "roster-committee", "roster-hubs", "roster-members", "member-stats")


@pytest.fixture
def usb(tmp_path):
    """The stick's folder (the test's own tmp_path also holds its data folder)."""
    folder = tmp_path / "U盘"
    folder.mkdir()
    return folder


@pytest.fixture
def village(sample_store):
    with sample_store.session() as session:
        session.execute(update(Village).values(township="城南镇"))
    return sample_store


def export(store, out, **options):
    return export_return(store, None, "2026Q3", out, today=SAMPLE_TODAY, **options)


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_the_package_holds_every_attachment_the_data_file_and_its_manifest(village, usb):
    steps = []
    result = export(village, usb, progress=lambda done, total, text: steps.append((done, total, text)))
    package = usb / NAME
    assert result.path == package and result.name == NAME and listing(usb) == {NAME}
    names = listing(package)
    kinds = {(f.kind, f.format) for f in result.files}
    assert {(k, f) for k in ATTACHMENTS for f in ("xlsx", "pdf")} <= kinds
    assert {("points-board", "xlsx"), ("points-board", "pdf"), ("data", "json")} <= kinds
    assert names == {f.name for f in result.files} | {"manifest.sha256"} == set(result.sha256)
    assert "东湖村 附件4 党员包挂联系花名册.xlsx" in names and "东湖村 党员基本情况统计表.pdf" in names
    # Every hash the result reports is the file's, and the manifest lists every file but itself.
    for name in names:
        assert hashlib.sha256((package / name).read_bytes()).hexdigest() == result.sha256[name]
    manifest = (package / "manifest.sha256").read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("  ", 1)[1] for line in manifest) == sorted(names - {"manifest.sha256"})
    assert all(result.sha256[line.split("  ", 1)[1]] == line.split("  ", 1)[0] for line in manifest)
    # Progress goes forward and ends complete.
    assert [d for d, _, _ in steps] == sorted(d for d, _, _ in steps) and steps[-1][0] == steps[-1][1]
    assert "拔下" in result.message and "导出成功" in result.message


def test_the_data_file(village, usb):
    result = export(village, usb)
    data = json.loads((result.path / "return.json").read_text(encoding="utf-8"))
    assert (data["format"], data["format_version"], data["schema_version"]) == ("partybuild-quarterly-return", 1, HEAD_REVISION)
    assert data["program"]["version"] == __version__
    assert data["quarter"] == "2026Q3" and data["period"] == {"start": "2026-07-01", "end": "2026-09-30"}
    assert data["filed_on"] == "2026-11-23"
    v = data["village"]
    assert (v["township"], v["name"], v["branch_name"]) == ("城南镇", "东湖村", "中共东湖村党总支")
    with village.session() as session:
        stats = member_statistics(session, 1, Q3.start, Q3.end)
    assert data["figures"]["member_statistics"] == stats.to_dict()
    att = data["figures"]["attachment1"]
    assert att["members"] == sum(att[c] for c in ("employed", "farmer", "migrant", "elderly")) > 0
    listed = {f["name"]: f["sha256"] for f in data["files"]}
    assert listed == {k: h for k, h in result.sha256.items() if k not in ("return.json", "manifest.sha256")}
    # No personal data in the data file: no member's name, ID number or phone.
    text = json.dumps(data, ensure_ascii=False)
    with village.session() as session:
        people = session.execute(select(Member.name, Member.id_number, Member.mobile)).all()
    assert len(people) > 100 and not [x for row in people for x in row if x and x in text]
    # The village's key is made once and kept.
    again = export(village, usb / "again")
    assert again.village_key == result.village_key == v["key"] and len(v["key"]) == 36


def test_the_files_read_back_as_the_tables(village, usb):
    result = export(village, usb)
    book = CalamineWorkbook.from_path(str(result.path / "东湖村 附件1 基层党组织网格化管理服务工作情况统计表.xlsx"))
    assert "网格化管理服务工作情况统计表" in book.get_sheet_by_index(0).to_python()[0][0]
    text = PdfReader(result.path / "东湖村 党员基本情况统计表.pdf").pages[0].extract_text()
    assert "党员基本情况统计表" in text and "2026年7月1日至2026年9月30日" in text


def test_the_package_checks_itself_as_the_township_will(village, usb):
    result = export(village, usb)
    loaded = load_package(result.path)
    assert (loaded.village, loaded.township, loaded.quarter) == ("东湖村", "城南镇", Q3)
    assert loaded.manifest_sha256 == hashlib.sha256((result.path / "manifest.sha256").read_bytes()).hexdigest()


def test_an_existing_package_is_replaced_only_when_asked_and_kept(village, usb):
    first = export(village, usb)
    before = {p.name: p.read_bytes() for p in first.path.iterdir()}
    with pytest.raises(ReturnExists, match="确认替换") as raised:
        export(village, usb)
    assert raised.value.path == first.path
    assert {p.name: p.read_bytes() for p in first.path.iterdir()} == before and listing(usb) == {NAME}
    second = export(village, usb, replace_existing=True)
    assert second.replaced is not None and second.replaced.name.startswith(f"{NAME}.old-")
    assert {p.name: p.read_bytes() for p in second.replaced.iterdir()} == before
    assert listing(usb) == {NAME, second.replaced.name}
    load_package(second.path)
    assert "改名保存" in second.message


def failing_after(monkeypatch, count: int, error: BaseException):
    """Make the package's file writer fail on its ``count``-th file (after writing half of it)."""
    real = returns.write_report
    calls = []

    def write(report, path, fmt):
        calls.append(path.name)
        if len(calls) == count:
            path.write_bytes(b"PK\x03\x04 half a file")  # what a pulled stick leaves
            raise error
        return real(report, path, fmt)

    monkeypatch.setattr(returns, "write_report", write)
    return calls


@pytest.mark.parametrize("count", [1, 5, 12])
def test_a_stick_pulled_half_way_leaves_nothing_that_looks_complete(village, usb, monkeypatch, count):
    calls = failing_after(monkeypatch, count, OSError(5, "输入/输出错误", "E:\\x"))
    with pytest.raises(ReturnError) as raised:
        export(village, usb)
    assert len(calls) == count
    assert "只有看到“导出成功”后才能拔下 U 盘" in str(raised.value) and "输入/输出错误" in str(raised.value)
    assert listing(usb) == set()  # no final folder, and the hidden partial one is gone too


def test_when_nothing_can_be_cleaned_up_only_a_hidden_partial_folder_is_left(village, usb, monkeypatch):
    failing_after(monkeypatch, 7, OSError(19, "没有那个设备"))
    monkeypatch.setattr(returns, "_remove", lambda path: None)  # the stick is gone: nothing can be removed
    with pytest.raises(ReturnError, match="拔下 U 盘"):
        export(village, usb)
    assert listing(usb) == {f".{NAME}.partial"}  # a dot-name ending in .partial: never taken for a package


def test_a_failed_replacement_leaves_the_old_package_as_it_was(village, usb, monkeypatch):
    first = export(village, usb)
    before = {p.name: p.read_bytes() for p in first.path.iterdir()}
    failing_after(monkeypatch, 3, OSError(28, "设备上没有空间"))
    with pytest.raises(ReturnError, match="设备上没有空间"):
        export(village, usb, replace_existing=True)
    assert listing(usb) == {NAME}
    assert {p.name: p.read_bytes() for p in first.path.iterdir()} == before


def test_a_failure_at_the_final_rename_puts_the_old_package_back(village, usb, monkeypatch):
    first = export(village, usb)
    before = {p.name: p.read_bytes() for p in first.path.iterdir()}
    real_rename = os.rename

    def rename(source, target):
        if Path(source).name.endswith(".partial"):
            raise OSError(5, "输入/输出错误")
        return real_rename(source, target)

    monkeypatch.setattr(returns.os, "rename", rename)
    with pytest.raises(ReturnError, match="拔下 U 盘"):
        export(village, usb, replace_existing=True)
    assert listing(usb) == {NAME}
    assert {p.name: p.read_bytes() for p in first.path.iterdir()} == before


def test_a_file_that_reads_back_wrong_fails_the_export(village, usb, monkeypatch):
    real = returns.write_report

    def write(report, path, fmt):
        earlier = path.with_name("东湖村 附件3 党员中心户包挂联系花名册.pdf")
        if "附件4" in path.name and earlier.exists():  # a file already written reads back differently later
            earlier.write_bytes(earlier.read_bytes()[:-10])
        return real(report, path, fmt)

    monkeypatch.setattr(returns, "write_report", write)
    with pytest.raises(ReturnError, match="核对不一致"):
        export(village, usb)
    assert listing(usb) == set()


def test_cancelling_leaves_nothing(village, usb):
    seen = []

    def cancelled():
        seen.append(1)
        return len(seen) > 4

    with pytest.raises(ReturnCancelled, match="已取消"):
        export(village, usb, cancelled=cancelled)
    assert listing(usb) == set()


def test_the_single_file_form(village, usb):
    result = export(village, usb, as_zip=True)
    assert result.path == usb / f"{NAME}.zip" and listing(usb) == {f"{NAME}.zip"}
    loaded = load_package(result.path)
    assert loaded.village == "东湖村"
    again = export(village, usb, as_zip=True, replace_existing=True)
    assert again.replaced.name.startswith(f"{NAME}.old-") and again.replaced.name.endswith(".zip")
    data = result.path.read_bytes() if result.path.exists() else b""
    truncated = usb / "truncated.zip"
    truncated.write_bytes(again.path.read_bytes()[: len(data) // 2 or 1000])
    with pytest.raises(PackageProblem) as problem:
        load_package(truncated)
    assert problem.value.code == "unreadable_package"


def test_a_quarter_not_begun_and_a_bad_quarter_are_refused(village, usb):
    with pytest.raises(ReturnError, match="还没有开始"):
        export_return(village, None, "2027Q1", usb, today=SAMPLE_TODAY)
    with pytest.raises(ReturnError, match="2026Q3 这样"):
        export_return(village, None, "2026第三", usb, today=SAMPLE_TODAY)
    assert listing(usb) == set()


def test_a_quarter_under_way_says_so(village, usb):
    result = export_return(village, None, "2026Q4", usb, today=SAMPLE_TODAY)
    assert any("尚未结束" in w for w in result.warnings)
    assert load_package(result.path).period == (dt.date(2026, 10, 1), SAMPLE_TODAY)


def test_removable_drives_are_listed_without_failing():
    assert all(d.path.exists() for d in returns.removable_drives())
