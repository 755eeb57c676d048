"""The import dialog on a hostile roster: the bounds' Chinese message is told and nothing can be imported;
over-long fields and control characters show in the preview as refusals and warnings."""

from sqlalchemy import func, select

from partybuild_desktop.services.village import current_village
from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.import_dialog import ImportDialog, member_import_kind
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import make_id, workbook
from tests.unit.test_hostile_spreadsheets import ROSTER_ROWS, raw_xlsx, sheet


def open_dialog(qtbot, store, path, dialogs):
    with store.session() as session:
        village_id = current_village(session).id
    dialog = ImportDialog(AppContext(store, None), member_import_kind(village_id, path), path, dialogs)
    qtbot.addWidget(dialog)
    return dialog


def test_a_value_at_xfd1048576_is_told_in_chinese_and_nothing_is_imported(qtbot, sample_store, tmp_path):
    path = raw_xlsx(tmp_path / "远处.xlsx", sheet(ROSTER_ROWS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    with sample_store.session() as session:
        before = session.scalar(select(func.count()).select_from(Member))
    dialogs = ScriptedDialogs()
    dialog = open_dialog(qtbot, sample_store, path, dialogs)
    qtbot.waitUntil(lambda: bool(dialogs.told), timeout=15000)
    kind, _, message = dialogs.told[-1][:3]
    assert kind == "error" and "XFD1048576" in message and "100000 行" in message
    assert not dialog.import_button.isEnabled()
    with sample_store.session() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == before


def test_over_long_and_hidden_characters_show_in_the_preview(qtbot, sample_store, tmp_path):
    path = workbook(tmp_path / "名册.xlsx", [
        ["姓名", "身份证号码", "入党时间", "备注"],
        ["钱" * 40, make_id("19750101", 11), "1998-07-01", None],
        ["孙\u202e二", make_id("19750101", 22), "2003-06-01", "正常"],
    ])
    dialog = open_dialog(qtbot, sample_store, path, ScriptedDialogs())
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    rows = {row.row_number: row for row in dialog.preview.rows}
    assert [p.code for p in rows[2].refusals] == ["field_too_long"]
    assert "control_characters_removed" in [p.code for p in rows[3].warnings]
    texts = [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())
             for c in range(dialog.table.columnCount()) if dialog.table.item(r, c)]
    assert any("超过了最多 32 个字的限制" in t for t in texts)
    assert dialog.import_button.text() == "导入 1 行"
