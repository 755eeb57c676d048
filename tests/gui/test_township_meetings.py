"""The township's screen shows each village's 三会一课 beside its other figures: a page of the quarter's
meetings, one line per village and a 合计 line, a village whose package predates the table left 未报送
with its numbers blank."""

import json

import pytest

from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.reports.tables import meeting_summary
from partybuild_desktop.services.returns import export_return
from tests.conftest import SAMPLE_TODAY
from tests.gui.conftest import ScriptedDialogs
from tests.gui.test_township_tab import import_from, township_window
from tests.unit.test_returns_consolidation import rewrite_data
from tests.unit.test_returns_meetings import make_village

Q3 = Quarter(2026, 3)


@pytest.fixture(scope="module")
def stick(tmp_path_factory):
    """东湖村's and 石桥村's returns with their meetings, and 杨庄村's as the program before the 三会一课 table
    wrote it."""
    root = tmp_path_factory.mktemp("meetings-stick")
    stick = root / "U盘"
    for name in ("东湖村", "石桥村", "杨庄村"):
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
    dialog = import_from(qtbot, tab, stick, dialogs)
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
    assert (lines["东湖村"][group], lines["石桥村"][group], lines["合计"][group]) == ("6", "3", "9")
    assert lines["东湖村"][-1] == "已报送" and lines["杨庄村"][-1] == "未报送"
    assert all(cell == "" for cell in lines["杨庄村"][1:-1])  # not reported: blank, not zeros
    assert lines["合计"][-1] == "已报送2个，未报送1个"
