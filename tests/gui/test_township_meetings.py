"""The township's screen shows each village's 三会一课 beside its other figures: a page of the quarter's
meetings, one line per village and a 合计 line, a village whose package predates the table left 未报送
with its numbers blank."""

import datetime as dt
import hashlib
import json

import pytest

from partybuild_desktop.domain.meetings import MeetingKind
from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.reports.tables import meeting_summary
from partybuild_desktop.services import consolidation, meetings
from partybuild_desktop.services.returns import export_return
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.main_window import MainWindow
from partybuild_desktop.ui.township_tab import PackageImportDialog
from tests.conftest import SAMPLE_TODAY
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import group, member, new_store, village

Q3 = Quarter(2026, 3)
# Each village's members and its third quarter's meetings: (kind, date); 党小组会 in its one party group.
VILLAGES = {
    "东湖村": (8, [(MeetingKind.THEME_DAY, "2026-07-05"), (MeetingKind.THEME_DAY, "2026-08-05"),
                 (MeetingKind.THEME_DAY, "2026-09-05"), (MeetingKind.GROUP, "2026-07-15"),
                 (MeetingKind.GROUP, "2026-08-15")]),
    "石桥村": (5, [(MeetingKind.THEME_DAY, "2026-07-05"), (MeetingKind.GROUP, "2026-09-15")]),
    "杨庄村": (4, [(MeetingKind.LECTURE, "2026-09-01")]),
}


def make_village(folder, name: str):
    store = new_store(folder)
    count, held = VILLAGES[name]
    with store.session() as session:
        village_id = village(session, name)
        group_id = group(session, village_id)
        for i in range(count):
            member(session, village_id, f"{name[:2]}党员{i + 1}", party_group_id=group_id,
                   joined_date=dt.date(2000, 1, 1), is_committee_member=i < 3)
        for kind, day in held:
            meetings.save_meeting(session, village_id, meetings.MeetingForm(
                kind=kind, date=dt.date.fromisoformat(day), topic="主题党日活动",
                party_group_id=group_id if kind is MeetingKind.GROUP else None), today=SAMPLE_TODAY)
    return store


def rewrite_data(package, change) -> None:
    """Change return.json and write a manifest that matches it."""
    data = json.loads((package / "return.json").read_text(encoding="utf-8"))
    change(data)
    (package / "return.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sorted(package.iterdir())
             if p.name != "manifest.sha256"]
    (package / "manifest.sha256").write_text("".join(lines), encoding="utf-8")


def township_window(qtbot, store, folder, dialogs):
    with store.session() as session:
        consolidation.setup_township(session, "城南镇", list(VILLAGES))
    window = MainWindow(folder, dialogs)
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(store, folder))
    return window


@pytest.fixture(scope="module")
def stick(tmp_path_factory):
    """东湖村's and 石桥村's returns with their meetings, and 杨庄村's as the program before the 三会一课 table
    wrote it."""
    root = tmp_path_factory.mktemp("meetings-stick")
    stick = root / "U盘"
    for name in VILLAGES:
        store = make_village(root / name, name)
        path = export_return(store, None, Q3, stick, today=SAMPLE_TODAY).path
        store.dispose()
    for file in path.glob(f"*{meeting_summary.TITLE}*"):
        file.unlink()

    def before_meetings(data):
        del data["figures"]["meetings"]
        data["files"] = [f for f in data["files"] if f["kind"] != "meetings-summary"]

    rewrite_data(path, before_meetings)
    assert "meetings" not in json.loads((path / "return.json").read_text(encoding="utf-8"))["figures"]
    return stick


def test_the_meetings_page_has_a_line_per_village(qtbot, store, data_folder, stick):
    dialogs = ScriptedDialogs()
    window = township_window(qtbot, store, data_folder, dialogs)
    tab = window.township_tab
    tab.choose_quarter(Q3)
    dialog = PackageImportDialog(tab.context, Q3, dialogs, tab)
    qtbot.addWidget(dialog)
    dialog.choose(stick)
    dialog.import_selected()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    assert [p.status for p in dialog.result.packages] == ["accepted"] * 3

    pages = {tab.pages.tabText(i): tab.pages.widget(i) for i in range(tab.pages.count())}
    assert meeting_summary.SHEET in pages
    page = pages[meeting_summary.SHEET]
    headers = [page.horizontalHeaderItem(c).text() for c in range(page.columnCount())]
    assert headers[:3] == ["单位", "支部党员大会\n应开", "支部党员大会\n已开"] and headers[-1] == "报送情况"
    lines = {row[0]: row for row in page.texts()}
    assert list(lines) == ["东湖村", "石桥村", "杨庄村", "合计"]
    theme = headers.index("主题党日\n已开")
    group = headers.index("党小组会\n应开")
    assert (lines["东湖村"][theme], lines["石桥村"][theme], lines["合计"][theme]) == ("3", "1", "4")
    assert (lines["东湖村"][group], lines["石桥村"][group], lines["合计"][group]) == ("3", "3", "6")
    groups_held = headers.index("党小组会\n已开")
    assert (lines["东湖村"][groups_held], lines["石桥村"][groups_held], lines["合计"][groups_held]) == ("2", "1", "3")
    assert lines["东湖村"][-1] == "已报送" and lines["杨庄村"][-1] == "未报送"
    assert all(cell == "" for cell in lines["杨庄村"][1:-1])  # not reported: blank, not zeros
    assert lines["合计"][-1] == "已报送2个，未报送1个"
