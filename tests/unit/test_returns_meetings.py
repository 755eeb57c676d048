"""The quarter's 三会一课 in the return: the village's meetings counted into return.json and into its own
table (xlsx and PDF), the township adding the villages up one line each, a package written before the
table joined the return taken with its line left 未报送, and meetings figures that cannot be true refused
while the good packages of the same run are stored."""

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.meetings import MeetingKind, kind_label, parse_span
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.reports.tables import meeting_summary
from partybuild_desktop.services import meetings
from partybuild_desktop.services.consolidation import consolidate, quarter_figures
from partybuild_desktop.services.exports import find
from partybuild_desktop.services.returns import export_return, load_package
from partybuild_desktop.store.models import ReceivedFigure, Village
from tests.conftest import SAMPLE_TODAY
from tests.helpers import group, member, new_store, pdf_text, sheet_rows, table_rows, village

Q3 = Quarter(2026, 3)
TOPIC = "学习贯彻党的二十届三中全会精神"

# Each village's meetings in the third quarter: (kind, party group number or None, date).
HELD = {
    "东湖村": [
        (MeetingKind.BRANCH_ASSEMBLY, None, "2026-07-10"),
        (MeetingKind.COMMITTEE, None, "2026-07-08"), (MeetingKind.COMMITTEE, None, "2026-08-08"),
        (MeetingKind.GROUP, 1, "2026-07-15"), (MeetingKind.GROUP, 1, "2026-08-15"), (MeetingKind.GROUP, 1, "2026-09-15"),
        (MeetingKind.GROUP, 2, "2026-07-16"),
        (MeetingKind.LECTURE, None, "2026-08-20"),
        (MeetingKind.THEME_DAY, None, "2026-07-05"), (MeetingKind.THEME_DAY, None, "2026-08-05"),
        (MeetingKind.THEME_DAY, None, "2026-09-05"),
        (MeetingKind.THEME_DAY, None, "2026-06-05"),  # the second quarter's: not counted
    ],
    "石桥村": [(MeetingKind.THEME_DAY, None, "2026-07-05"), (MeetingKind.GROUP, 1, "2026-07-15")],
    "杨庄村": [(MeetingKind.LECTURE, None, "2026-09-01")],
}
# (members, party groups): 东湖村 has 8 正式党员 (a 支委会), the others fewer than 7 (none).
SIZES = {"东湖村": (8, 2), "石桥村": (5, 1), "杨庄村": (4, 1)}

# What each return must carry, worked out by hand from HELD and the default frequencies (branch
# assembly and 党课 once a quarter, committee, group and theme day once a month, the others yearly).
EXPECTED = {
    "东湖村": dict(branch_assembly=(1, 1), committee=(3, 2), group=(6, 4), lecture=(1, 1), theme_day=(3, 3),
                 life_meeting=(0, 0), review=(0, 0)),
    "石桥村": dict(branch_assembly=(1, 0), committee=(0, 0), group=(3, 1), lecture=(1, 0), theme_day=(3, 1),
                 life_meeting=(0, 0), review=(0, 0)),
}
MISSING = {"东湖村": dict(committee=1, group=2), "石桥村": dict(branch_assembly=1, group=2, lecture=1, theme_day=2)}


def copy(package: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(package, folder / package.name))


def rewrite_data(package: Path, change) -> None:
    """Change return.json and write a manifest that matches it (as another program would)."""
    data = json.loads((package / "return.json").read_text(encoding="utf-8"))
    change(data)
    (package / "return.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sorted(package.iterdir())
             if p.name != "manifest.sha256"]
    (package / "manifest.sha256").write_text("".join(lines), encoding="utf-8")


def flat(expected: dict) -> dict[str, int]:
    return {f"{kind}_{what}": pair[i] for kind, pair in expected.items() for i, what in enumerate(("required", "held"))}


def make_village(folder, name: str):
    """A village of its own data file with its members, party groups and the quarter's meetings."""
    store = new_store(folder)
    count, groups = SIZES[name]
    with store.session() as session:
        village_id = village(session, name)
        group_ids = [group(session, village_id, f"第{n}党小组", f"{n}组") for n in range(1, groups + 1)]
        for i in range(count):
            member(session, village_id, f"{name[:2]}党员{i + 1}", party_group_id=group_ids[i % groups],
                   joined_date=dt.date(2000, 1, 1), is_committee_member=i < 3)
        for kind, number, day in HELD[name]:
            meetings.save_meeting(session, village_id, meetings.MeetingForm(
                kind=kind, date=dt.date.fromisoformat(day), topic=TOPIC,
                party_group_id=group_ids[number - 1] if number else None), today=SAMPLE_TODAY)
    return store


@pytest.fixture(scope="module")
def villages(tmp_path_factory):
    """东湖村, 石桥村 and 杨庄村, each exporting its third-quarter return; 杨庄村's also made over as a
    package of the program before the 三会一课 table joined the return (its section, its two files and
    their lines in return.json gone, the manifest written again)."""
    root = tmp_path_factory.mktemp("meetings")
    made = {}
    for name in HELD:
        store = make_village(root / name, name)
        result = export_return(store, None, Q3, root / "U盘", today=SAMPLE_TODAY)
        with store.session() as session:
            village_id = session.scalar(select(Village.id))
            own = meetings.quarter_figures(session, village_id, parse_span("2026Q3"), SAMPLE_TODAY)
        made[name] = (result, own)
        store.dispose()
    old = copy(made["杨庄村"][0].path, root / "old")
    for file in old.glob(f"*{meeting_summary.TITLE}*"):
        file.unlink()

    def before_meetings(data):
        del data["figures"]["meetings"]
        data["files"] = [f for f in data["files"] if f["kind"] != "meetings-summary"]

    rewrite_data(old, before_meetings)
    made["old"] = old
    return made


def test_the_return_carries_the_quarters_meetings(villages):
    for name, expected in EXPECTED.items():
        result, own = villages[name]
        data = json.loads((result.path / "return.json").read_text(encoding="utf-8"))
        carried = data["figures"]["meetings"]
        assert carried == flat(expected) == own, name
        assert tuple(carried) == meeting_summary.FIGURE_KEYS
        listed = {f["name"]: f["kind"] for f in data["files"]}
        assert listed[f"{name} {meeting_summary.TITLE}.xlsx"] == listed[f"{name} {meeting_summary.TITLE}.pdf"] == "meetings-summary"
        assert data["format_version"] == 1  # a section added: readers of the same version ignore it
        assert load_package(result.path).figures["meetings"] == carried


def test_the_packages_table_reads_back_kind_by_kind(villages):
    result, _ = villages["东湖村"]
    rows = sheet_rows(result.path / f"东湖村 {meeting_summary.TITLE}.xlsx")
    assert rows[0][0] == meeting_summary.TITLE and "2026年7月1日至2026年9月30日" in rows[1][0]
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert rows[header][:5] == ["序号", "会议类型", "应开次数", "已开次数", "缺少次数"]
    lines = {r[1]: [int(v) for v in r[2:5]] for r in rows[header + 1:header + 8]}
    assert list(lines) == ["支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "组织生活会", "民主评议党员"]
    labels = dict(zip(lines, EXPECTED["东湖村"]))
    for label, kind in labels.items():
        required, held = EXPECTED["东湖村"][kind]
        assert lines[label] == [required, held, MISSING["东湖村"].get(kind, 0)], label
    requirement = {r[1]: r[5] for r in rows[header + 1:header + 8]}
    assert requirement["党小组会"] == "各党小组每月1次（共2个党小组）" and requirement["主题党日"] == "每月1次"
    # 石桥村 has fewer than 7 正式党员: no 支委会 due, and its table says why.
    small = sheet_rows(villages["石桥村"][0].path / f"石桥村 {meeting_summary.TITLE}.xlsx")
    committee = next(r for r in small if r[1] == "支部委员会")
    assert [int(v) for v in committee[2:5]] == [0, 0, 0] and "不设支委会" in committee[5]

    text = pdf_text(result.path / f"东湖村 {meeting_summary.TITLE}.pdf")
    assert meeting_summary.TITLE in text and "党组织书记签字" in text
    for label, kind in labels.items():
        required, held = EXPECTED["东湖村"][kind]
        missing = MISSING["东湖村"].get(kind, 0)
        assert re.search(rf"{label}\s*{required}\s*{held}\s*{missing}", text), label


def test_the_township_adds_up_village_by_village_and_leaves_an_old_package_unreported(villages, store, tmp_path):
    given = [villages["东湖村"][0].path, villages["石桥村"][0].path, villages["old"]]
    result = consolidate(store, Q3, given, out_dir=tmp_path / "汇总", today=SAMPLE_TODAY)
    assert [(p.village, p.status) for p in result.packages] == [("东湖村", "accepted"), ("石桥村", "accepted"),
                                                               ("杨庄村", "accepted")]
    with store.session() as session:
        stored = {v.village: v.figures["meetings"] for v in quarter_figures(session, Q3)}
        sections = set(session.scalars(select(ReceivedFigure.section).distinct()))
    assert stored == {"东湖村": flat(EXPECTED["东湖村"]), "石桥村": flat(EXPECTED["石桥村"]), "杨庄村": None}
    assert sections == {"member_statistics", "attachment1", "meetings", "money", "recruitment", "migrants", "reserve_and_transfers"}

    stem = f"2026年第三季度 {meeting_summary.TITLE}（汇总）"
    summary = next(f for f in result.files if stem in f.name and f.suffix == ".xlsx")
    lines = table_rows(summary)
    assert list(lines) == ["东湖村", "石桥村", "杨庄村", "合计"]
    for name in ("东湖村", "石桥村"):
        for kind, (required, held) in EXPECTED[name].items():
            label = kind_label(kind)
            assert (lines[name][(label, "应开")], lines[name][(label, "已开")]) == (required, held), (name, kind)
        assert lines[name][("报送情况", "")] == "已报送"
    old = lines["杨庄村"]
    assert old[("报送情况", "")] == "未报送"
    assert all(value == "" for key, value in old.items() if key[1] in ("应开", "已开"))  # blank, not zeros
    total = lines["合计"]
    assert total[("报送情况", "")] == "已报送2个，未报送1个"
    for kind in EXPECTED["东湖村"]:
        label = kind_label(kind)
        for i, what in enumerate(("应开", "已开")):
            assert total[(label, what)] == EXPECTED["东湖村"][kind][i] + EXPECTED["石桥村"][kind][i], (kind, what)
    assert total[("主题党日", "已开")] == 4 and total[("党小组会", "应开")] == 9

    text = pdf_text(summary.with_suffix(".pdf"))
    assert f"城南镇{meeting_summary.TITLE}" in text and "未报送" in text and "合计" in text
    assert "旧版程序" in text  # the note says why a line is blank


def bad_copy(package, folder, change):
    target = copy(package, folder)
    rewrite_data(target, change)
    return target


@pytest.mark.parametrize("key, value, says", [
    ("theme_day_held", -1, "不是非负整数"),
    ("theme_day_held", 2.5, "不是非负整数"),
    ("theme_day_held", "3", "不是非负整数"),
    ("group_held", 2 ** 63, "不可能有这么多"),
    ("theme_day_required", 4, "不可能有这么多"),  # a quarter has three months
    ("committee_required", True, "不是非负整数"),
])
def test_meetings_figures_that_cannot_be_true_are_refused_and_the_rest_stored(villages, store, tmp_path, key, value, says):
    bad = bad_copy(villages["石桥村"][0].path, tmp_path / "bad", lambda d: d["figures"]["meetings"].update({key: value}))
    result = consolidate(store, Q3, [bad, villages["东湖村"][0].path], today=SAMPLE_TODAY)
    refused, taken = result.packages
    assert (refused.village, refused.status, refused.code) == ("石桥村", "refused", "unreadable_package")
    assert "三会一课" in refused.message and says in refused.message and "请让村里重新导出" in refused.message
    assert meeting_summary.key_label(key) in refused.message
    assert (taken.village, taken.status) == ("东湖村", "accepted")
    with store.session() as session:
        assert [(v.village, v.figures["meetings"]) for v in quarter_figures(session, Q3)] == [
            ("东湖村", flat(EXPECTED["东湖村"]))]


def test_a_missing_count_or_a_section_that_is_not_numbers_is_refused(villages, store, tmp_path):
    missing = bad_copy(villages["石桥村"][0].path, tmp_path / "missing",
                       lambda d: d["figures"]["meetings"].pop("lecture_held"))
    garbled = bad_copy(villages["东湖村"][0].path, tmp_path / "garbled",
                       lambda d: d["figures"].update(meetings=[1, 2, 3]))
    result = consolidate(store, Q3, [missing, garbled, villages["old"]], today=SAMPLE_TODAY)
    assert [(p.village, p.code) for p in result.packages] == [("石桥村", "unreadable_package"),
                                                              ("东湖村", "unreadable_package"), ("杨庄村", None)]
    assert "缺少“党课已开次数”" in result.packages[0].message
    assert "不是一组数字" in result.packages[1].message


def test_an_absurd_count_of_another_table_is_refused_too_rather_than_failing_the_run(villages, store, tmp_path):
    huge = bad_copy(villages["石桥村"][0].path, tmp_path / "huge", lambda d: d["figures"]["attachment1"].update(visits=2 ** 63))
    result = consolidate(store, Q3, [huge, villages["东湖村"][0].path], today=SAMPLE_TODAY)
    assert [(p.village, p.code) for p in result.packages] == [("石桥村", "unreadable_package"), ("东湖村", None)]
    assert "大得不合常理" in result.packages[0].message


def test_a_section_this_program_does_not_know_is_left_aside(villages, store, tmp_path):
    """A newer village program may carry a table this township does not know yet: the package is taken
    (the format's version is the same), its known figures stored and the unknown ones left out."""
    newer = bad_copy(villages["东湖村"][0].path, tmp_path / "newer",
                     lambda d: d["figures"].update(future_table={"anything": 1}))
    (outcome,) = consolidate(store, Q3, [newer], today=SAMPLE_TODAY).packages
    assert outcome.status == "accepted"
    with store.session() as session:
        assert set(session.scalars(select(ReceivedFigure.section).distinct())) == {
            "member_statistics", "attachment1", "meetings", "money", "recruitment", "migrants", "reserve_and_transfers"}


def test_the_export_menus_table_is_the_returns(villages, tmp_path):
    """``export meetings-summary`` writes the same table for a quarter, and for a whole year."""
    from partybuild_desktop.services.exports import ExportOptions, export

    store = make_village(tmp_path / "东湖村", "东湖村")
    definition = find("meetings-summary")
    assert definition.in_return and definition.figures.section == "meetings" and definition.figures.optional
    quarter = export(store, None, "meetings-summary", tmp_path / "q.xlsx",
                     ExportOptions(year=2026, quarter=3, today=SAMPLE_TODAY))
    assert quarter.path.exists()
    packaged = sheet_rows(villages["东湖村"][0].path / f"东湖村 {meeting_summary.TITLE}.xlsx")
    assert sheet_rows(quarter.path) == packaged
    year = export(store, None, "meetings-summary", tmp_path / "y.xlsx", ExportOptions(year=2026, today=SAMPLE_TODAY))
    theme = next(r for r in sheet_rows(year.path) if r[1] == "主题党日")
    assert [int(v) for v in theme[2:4]] == [12, 4]  # June's and the third quarter's, of twelve due
    store.dispose()
