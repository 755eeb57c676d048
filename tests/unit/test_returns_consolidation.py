"""The township's side: packages from several villages checked, stored and added up; bad packages refused
while the rest go through; replacements only when confirmed; nothing of a refused package kept."""

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from partybuild_desktop.domain.statistics import FIELDS, Quarter
from partybuild_desktop.services import consolidation
from partybuild_desktop.services.consolidation import (
    consolidate,
    inspect_packages,
    known_villages,
    missing_villages,
    quarter_figures,
    received_returns,
    set_expected_villages,
)
from partybuild_desktop.reports.tables import meeting_summary, money_summary
from partybuild_desktop.reports.tables import recruitment as recruit_tables
from partybuild_desktop.reports.tables import migrants as migrant_tables
from partybuild_desktop.reports.tables import transfers as transfer_tables
from partybuild_desktop.services.exports import figure_definitions
from partybuild_desktop.services.returns import ATTACHMENT1_KEYS, export_return, find_packages
from partybuild_desktop.services.village import program_mode
from partybuild_desktop.store.models import ReceivedFigure, ReceivedReturn, ReceivedVillage
from tests.conftest import SAMPLE_TODAY
from tests.helpers import numbers, sheet_count, table_rows, village_file

Q3 = Quarter(2026, 3)
VILLAGES = (("东湖村", 70, 1), ("石桥村", 45, 2), ("柳塘村", 55, 3), ("杨庄村", 40, 4))
# The figures one return carries: the member statistics, 附件1 and the 三会一课 summary.
PER_RETURN = len(FIELDS) + len(ATTACHMENT1_KEYS) + len(meeting_summary.FIGURE_KEYS) + len(money_summary.FIGURE_KEYS) \
    + len(recruit_tables.FIGURE_KEYS) + len(migrant_tables.FIGURE_KEYS) + len(transfer_tables.FIGURE_KEYS)
# The consolidated tables: one per figures section, and the villages side by side; each as xlsx and pdf.
CONSOLIDATED_FILES = 2 * (len(figure_definitions()) + 1)


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Four villages, each in its own data file, and their returns for the third quarter (one also for
    the second quarter, one also as a .zip, one also filed a day later)."""
    root = tmp_path_factory.mktemp("villages")
    made = {}
    for name, members, seed in VILLAGES:
        store = village_file(root / name, name, members, seed)
        made[name] = export_return(store, None, Q3, root / "U盘", today=SAMPLE_TODAY).path
        if name == "东湖村":
            made["东湖村-Q2"] = export_return(store, None, "2026Q2", root / "U盘", today=SAMPLE_TODAY).path
            made["东湖村-later"] = export_return(store, None, Q3, root / "later", today=SAMPLE_TODAY + dt.timedelta(days=1)).path
        if name == "柳塘村":
            made["柳塘村-zip"] = export_return(store, None, Q3, root / "zip", as_zip=True, today=SAMPLE_TODAY).path
        store.dispose()
    return made


def copy(package: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / package.name
    (shutil.copytree if package.is_dir() else shutil.copyfile)(package, target)
    return target


def rewrite_data(package: Path, change) -> None:
    """Change return.json and write a manifest that matches (as a newer or a broken program would)."""
    data = json.loads((package / "return.json").read_text(encoding="utf-8"))
    change(data)
    (package / "return.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sorted(package.iterdir())
             if p.name != "manifest.sha256"]
    (package / "manifest.sha256").write_text("".join(lines), encoding="utf-8")


def stored(store) -> tuple[int, int, int]:
    with store.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (ReceivedVillage, ReceivedReturn, ReceivedFigure))


def test_four_villages_add_up_table_by_table(store, packages, tmp_path):
    paths = [packages[name] for name, _, _ in VILLAGES]
    out = tmp_path / "汇总"
    result = consolidate(store, "2026Q3", paths, out_dir=out, today=SAMPLE_TODAY)
    assert [p.status for p in result.packages] == ["accepted"] * 4
    assert [p.code for p in result.packages] == [None] * 4 and result.missing == [] and not result.refused
    assert [p.village for p in result.packages] == [name for name, _, _ in VILLAGES]
    assert len(result.files) == CONSOLIDATED_FILES == 16 and all(f.exists() for f in result.files)

    own = {name: json.loads((packages[name] / "return.json").read_text(encoding="utf-8"))["figures"]
           for name, _, _ in VILLAGES}
    # The stored figures are the packages' figures.
    with store.session() as session:
        figures = {v.village: v for v in quarter_figures(session, Q3)}
    assert {n: f.member_statistics.to_dict() for n, f in figures.items()} == {n: o["member_statistics"] for n, o in own.items()}
    assert {n: f.attachment1 for n, f in figures.items()} == {n: o["attachment1"] for n, o in own.items()}

    # The consolidated member statistics: every table, every column, equals the villages' own tables
    # line by line, and its 合计 line their sum.
    summary = next(f for f in result.files if f.name == "城南镇2026年第三季度 党员基本情况统计表（汇总）.xlsx")
    checked = 0
    for sheet in range(sheet_count(summary)):
        township = table_rows(summary, sheet)
        assert list(township) == ["东湖村", "柳塘村", "石桥村", "杨庄村", "合计"]  # in pinyin order, then the total
        for key, total in numbers(township["合计"]).items():
            villages = [numbers(table_rows(packages[n] / f"{n} 党员基本情况统计表.xlsx", sheet)[n])[key]
                        for n, _, _ in VILLAGES]
            assert [numbers(township[n])[key] for n, _, _ in VILLAGES] == villages
            if key[0] == "占比（%）":
                continue  # shares are worked out from the sums, below
            assert total == sum(villages), key
            checked += 1
    assert checked >= 30  # 11 + 14 + 9 columns added up
    total = numbers(table_rows(summary, 0)["合计"])
    assert total[("党员总数", "")] == sum(o["member_statistics"]["total"] for o in own.values())
    women = sum(o["member_statistics"]["gender_female"] for o in own.values())
    assert total[("占比（%）", "女党员")] == round(100 * women / total[("党员总数", "")], 1)

    # 附件1: the same, by the villages' own 附件1 tables.
    attachment = next(f for f in result.files if "附件1" in f.name and f.suffix == ".xlsx")
    township = table_rows(attachment)
    assert set(township) == {"东湖村", "柳塘村", "石桥村", "杨庄村", "合计"}
    sums = 0
    for key, value in numbers(township["合计"]).items():
        villages = [numbers(table_rows(packages[n] / f"{n} 附件1 基层党组织网格化管理服务工作情况统计表.xlsx")[n])[key]
                    for n, _, _ in VILLAGES]
        assert value == sum(villages) and [township[n][key] for n, _, _ in VILLAGES] == villages, key
        sums += 1
    assert sums >= 25

    # The villages side by side: one line each, and the total.
    side = table_rows(next(f for f in result.files if "对照表" in f.name and f.suffix == ".xlsx"))
    assert [line[("村", "")] for line in side.values()][:4] == ["东湖村", "柳塘村", "石桥村", "杨庄村"]
    assert side["合计"][("党员（名）", "总数")] == total[("党员总数", "")]


def test_bad_packages_are_refused_and_the_rest_go_through(store, packages, tmp_path):
    bad = tmp_path / "bad"
    good = copy(packages["东湖村"], tmp_path / "good")
    edited = copy(packages["石桥村"], tmp_path / "edited")
    sheet = edited / "石桥村 附件1 基层党组织网格化管理服务工作情况统计表.xlsx"
    book = load_workbook(sheet)
    book.active["B6"] = 999  # someone "corrected" a number after the export
    book.save(sheet)
    truncated = bad / "城南镇-柳塘村-2026Q3.zip"
    bad.mkdir()
    data = packages["柳塘村-zip"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    missing = copy(packages["杨庄村"], tmp_path / "missing")
    (missing / "杨庄村 附件4 党员包挂联系花名册.pdf").unlink()
    newer = copy(packages["石桥村"], tmp_path / "newer")
    rewrite_data(newer, lambda d: d.update(schema_version="0099", program={"name": "x", "version": "9.0"}))
    garbled = copy(packages["杨庄村"], tmp_path / "garbled")
    (garbled / "return.json").write_bytes(b"\x00\xffnot json at all")
    twice = copy(packages["东湖村"], tmp_path / "twice")
    given = [good, edited, truncated, missing, packages["东湖村-Q2"], twice, newer, garbled]
    result = consolidate(store, Q3, given, today=SAMPLE_TODAY)
    got = [(Path(p.package).parent.name, p.village, p.status, p.code) for p in result.packages]
    assert got == [
        ("good", "东湖村", "accepted", None),
        ("edited", "石桥村", "refused", "manifest_mismatch"),
        ("bad", None, "refused", "unreadable_package"),
        ("missing", "杨庄村", "refused", "manifest_mismatch"),
        ("U盘", "东湖村", "refused", "wrong_quarter"),
        ("twice", "东湖村", "refused", "duplicate_village"),
        ("newer", "石桥村", "refused", "schema_too_new"),
        ("garbled", None, "refused", "unreadable_package"),
    ]
    messages = {p.code: p.message for p in result.refused}
    assert "石桥村 附件1 基层党组织网格化管理服务工作情况统计表.xlsx" in result.packages[1].message
    assert "导出后被改动过" in result.packages[1].message and "缺少文件" in result.packages[3].message
    assert "更新版本" in messages["schema_too_new"] and "升级" in messages["schema_too_new"]
    assert "2026年第二季度" in messages["wrong_quarter"] and "2026年第三季度" in messages["wrong_quarter"]
    # Only the good package was stored: one village, one return, its figures.
    assert stored(store) == (1, 1, PER_RETURN)
    with store.session() as session:
        assert missing_villages(session, Q3) == []  # only the village heard from is known
    # Put right, the others go through.
    again = consolidate(store, Q3, [packages["石桥村"], packages["柳塘村-zip"], packages["杨庄村"]], today=SAMPLE_TODAY)
    assert [p.status for p in again.packages] == ["accepted"] * 3
    assert stored(store)[:2] == (4, 4)


def test_figures_that_do_not_add_up_are_refused_even_with_a_right_manifest(store, packages, tmp_path):
    broken = copy(packages["石桥村"], tmp_path / "broken")
    rewrite_data(broken, lambda d: d["figures"]["member_statistics"].update(gender_male=0))
    result = consolidate(store, Q3, [broken], today=SAMPLE_TODAY)
    (outcome,) = result.packages
    assert (outcome.status, outcome.code, outcome.village) == ("refused", "unreadable_package", "石桥村")
    assert "对不上" in outcome.message and stored(store) == (0, 0, 0)


def test_an_extra_file_is_a_mismatch_but_the_systems_own_files_are_not(store, packages, tmp_path):
    extra = copy(packages["东湖村"], tmp_path / "extra")
    (extra / "Thumbs.db").write_bytes(b"windows thumbnails")
    (extra / "~$东湖村 附件2 支部委员包挂联系花名册.xlsx").write_bytes(b"excel lock")
    assert consolidate(store, Q3, [extra], today=SAMPLE_TODAY).packages[0].status == "accepted"
    other = copy(packages["石桥村"], tmp_path / "other")
    (other / "说明.txt").write_text("另附说明", encoding="utf-8")
    (outcome,) = consolidate(store, Q3, [other], today=SAMPLE_TODAY).packages
    assert outcome.code == "manifest_mismatch" and "说明.txt" in outcome.message


def test_a_village_received_before_is_replaced_only_when_confirmed(store, packages):
    first = consolidate(store, Q3, [packages["东湖村"]], today=SAMPLE_TODAY)
    assert first.packages[0].status == "accepted"
    # The very same package again: nothing stored twice.
    same = consolidate(store, Q3, [packages["东湖村"]], today=SAMPLE_TODAY)
    assert same.packages[0].status == "accepted" and same.packages[0].unchanged and stored(store)[1] == 1
    # A later package for the same village and quarter: refused unless confirmed.
    later = packages["东湖村-later"]
    refused = consolidate(store, Q3, [later], today=SAMPLE_TODAY)
    assert (refused.packages[0].status, refused.packages[0].code) == ("refused", "duplicate_village")
    assert "--replace" in refused.packages[0].message and stored(store)[1] == 1
    asked = []
    declined = consolidate(store, Q3, [later], replace=lambda question: asked.append(question) or False)
    assert declined.packages[0].status == "refused" and asked[0].village == "东湖村"
    assert "替换" in asked[0].question and asked[0].new_filed_on == SAMPLE_TODAY + dt.timedelta(days=1)
    with store.session() as session:
        checks = inspect_packages(store, Q3, [later])
    assert checks[0].replacement is not None and checks[0].problem is None and stored(store)[1] == 1
    key = asked[0].village_key
    replaced = consolidate(store, Q3, [later], replace={key})
    assert replaced.packages[0].status == "accepted" and replaced.packages[0].replaced
    with store.session() as session:
        rows = received_returns(session, Q3)
        assert [(r.filed_on, r.superseded_at is None) for r in rows] == [(SAMPLE_TODAY, False),
                                                                          (SAMPLE_TODAY + dt.timedelta(days=1), True)]
        (current,) = quarter_figures(session, Q3)
        assert current.filed_on == SAMPLE_TODAY + dt.timedelta(days=1) and current.replaced
    # The first is kept, superseded; the figures counted are the replacement's only.
    assert stored(store) == (1, 2, 2 * PER_RETURN)


def test_a_failure_while_storing_keeps_nothing_of_the_run(store, packages, monkeypatch):
    first = consolidate(store, Q3, [packages["东湖村"]], today=SAMPLE_TODAY)
    assert first.packages[0].status == "accepted"
    before = stored(store)
    real = consolidation._Writer.flush

    def store_then_fail(writer):
        real(writer)  # every row written...
        raise OSError(28, "设备上没有空间")  # ...and then the data file cannot take the commit

    monkeypatch.setattr(consolidation._Writer, "flush", store_then_fail)
    given = [packages[n] for n in ("石桥村", "柳塘村", "杨庄村")]
    with pytest.raises(OSError, match="没有空间"):
        consolidate(store, Q3, given, today=SAMPLE_TODAY)
    assert stored(store) == before  # not one row of the three packages
    monkeypatch.setattr(consolidation._Writer, "flush", real)
    again = consolidate(store, Q3, given, today=SAMPLE_TODAY)
    assert [p.status for p in again.packages] == ["accepted"] * 3
    assert stored(store) == (4, 4, 4 * PER_RETURN)


def test_a_village_renamed_since_keeps_its_place_on_the_list(store, packages, tmp_path):
    with store.session() as session:
        set_expected_villages(session, "城南镇", ["东湖村", "新东湖村"])
    assert consolidate(store, Q3, [packages["东湖村"]]).packages[0].status == "accepted"
    renamed = copy(packages["东湖村-later"], tmp_path / "renamed")
    rewrite_data(renamed, lambda d: d["village"].update(name="新东湖村"))
    (outcome,) = consolidate(store, Q3, [renamed], replace=True).packages
    assert outcome.status == "accepted" and outcome.replaced
    with store.session() as session:
        assert [(v.name, v.expected) for v in known_villages(session)] == [("新东湖村", True)]
        assert missing_villages(session, Q3) == []


def test_missing_villages_and_the_townships_list(store, packages, tmp_path):
    with store.session() as session:
        set_expected_villages(session, "城南镇", ["石桥村", "东湖村", "新河村", "柳塘村", "杨庄村"])
    result = consolidate(store, Q3, [packages["东湖村"], packages["柳塘村"]], out_dir=tmp_path / "out",
                         today=SAMPLE_TODAY)
    assert result.missing == ["石桥村", "新河村", "杨庄村"]
    with store.session() as session:
        assert [v.name for v in known_villages(session)] == ["石桥村", "东湖村", "新河村", "柳塘村", "杨庄村"]
        assert program_mode(session) == "township"
    side = table_rows(next(f for f in result.files if "对照表" in f.name and f.suffix == ".xlsx"))
    states = {line[("村", "")]: line[("报送情况", "")] for line in side.values()}
    assert states == {"石桥村": "未报送", "东湖村": "已报送", "新河村": "未报送", "柳塘村": "已报送", "杨庄村": "未报送",
                      "合计": "已报送2个，未报送3个"}


def test_a_village_taken_off_the_list_is_no_longer_missing(store, packages):
    with store.session() as session:
        set_expected_villages(session, "城南镇", ["东湖村", "新河村", "石桥村"])
    consolidate(store, Q3, [packages["石桥村"]])
    with store.session() as session:
        set_expected_villages(session, "城南镇", ["东湖村"])
        assert missing_villages(session, Q3) == ["东湖村"]  # 石桥村 sent its return: known, not missing
        assert [(v.name, v.expected) for v in known_villages(session)] == [("东湖村", True), ("石桥村", False)]
        shown = consolidation.township_quarter(session, Q3, SAMPLE_TODAY)
    assert shown.summary.startswith("2026年第三季度：应报 2 个村，已收到 1 个。未报送（1 个）：东湖村。")
    assert [r.village for r in shown.current] == ["石桥村"] and len(shown.reports) == len(figure_definitions()) + 1
    with store.session() as session:
        assert consolidation.received_quarters(session) == [Q3]


def test_village_names_as_a_clerk_types_them():
    assert consolidation.split_village_names(" 东湖村\n石桥村、柳塘村，杨庄村 , 新河村\n\n") == [
        "东湖村", "石桥村", "柳塘村", "杨庄村", "新河村"]


def test_packages_found_on_a_stick(packages, tmp_path):
    stick = tmp_path / "stick"
    for key in ("东湖村", "石桥村", "东湖村-Q2", "柳塘村-zip"):
        copy(packages[key], stick)
    (stick / ".城南镇-杨庄村-2026Q3.partial").mkdir()  # an export that did not finish
    copy(packages["东湖村"], stick / "kept").rename(stick / "城南镇-东湖村-2026Q3.old-20261120-101010")
    (stick / "照片").mkdir()
    (stick / "照片.zip").write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: not a package
    damaged = stick / "城南镇-杨庄村-2026Q3.zip"
    damaged.write_bytes(packages["柳塘村-zip"].read_bytes()[:2000])  # truncated: offered, and refused on checking
    found = {f.path.name: (f.village, f.quarter) for f in find_packages(stick)}
    assert found == {"城南镇-东湖村-2026Q3": ("东湖村", "2026Q3"), "城南镇-东湖村-2026Q2": ("东湖村", "2026Q2"),
                     "城南镇-石桥村-2026Q3": ("石桥村", "2026Q3"), "城南镇-柳塘村-2026Q3.zip": ("柳塘村", "2026Q3"),
                     "城南镇-杨庄村-2026Q3.zip": (None, None)}
    (itself,) = find_packages(stick / "城南镇-石桥村-2026Q3")
    assert itself.village == "石桥村"
    assert [f.village for f in find_packages(damaged)] == [None]
    assert find_packages(tmp_path / "没有这个文件夹") == []


def test_progress_and_cancelling(store, packages):
    steps = []
    given = [packages[n] for n, _, _ in VILLAGES]
    result = consolidate(store, Q3, given, progress=lambda d, t, m: steps.append((d, t)),
                         cancelled=lambda: len(steps) >= 2)
    assert result.cancelled and len(result.packages) == 2 and result.not_processed == [str(p) for p in given[2:]]
    assert stored(store) == (0, 0, 0)  # a cancelled run stores nothing
    steps.clear()
    done = consolidate(store, Q3, given, progress=lambda d, t, m: steps.append((d, t)))
    assert not done.cancelled and [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert steps[-1][0] == steps[-1][1] and stored(store)[1] == 4


def test_a_package_from_another_township_is_taken_with_a_warning(store, packages, tmp_path):
    other = copy(packages["杨庄村"], tmp_path / "other")
    rewrite_data(other, lambda d: d["village"].update(township="河口镇"))
    result = consolidate(store, Q3, [packages["东湖村"], other], today=SAMPLE_TODAY)
    assert [p.status for p in result.packages] == ["accepted", "accepted"]
    assert any("不同的乡镇" in w for w in result.warnings)
