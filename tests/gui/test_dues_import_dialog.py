"""The import dialog with a 党费收缴登记表: the same preview, one write and the refused rows saved, with no
"update" choice (a month already recorded is never overwritten)."""

import datetime as dt

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services.members import MemberForm, save_member
from partybuild_desktop.store.models import DuesPayment
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.import_dialog import ImportDialog, dues_import_kind
from tests import helpers
from tests.gui.conftest import ScriptedDialogs
from tests.unit.test_dues_import import messy_register

YEAR = 2026


def payments(store):
    with store.session() as session:
        return session.scalar(select(func.count(DuesPayment.id)))


def test_preview_then_import_the_dues_and_save_the_refused_rows(qtbot, store, tmp_path):
    with store.session() as session:
        village_id = helpers.village(session, "东湖村")
        for name, category in [("张三", MemberCategory.EMPLOYED), ("李四", MemberCategory.FARMER)]:
            save_member(session, village_id, MemberForm(name=name, category=category))
    path = messy_register(tmp_path / "党费.xlsx", [
        [1, "张三", None, "在职", 4000, None, *(["40元"] * 10)],
        [2, "李四", None, "退休", 4000, None, *(["20"] * 12)],
        [3, "孙九", None, "在职", 3000, None, "15"]])
    errors_file = tmp_path / "需修改.xlsx"
    dialogs = ScriptedDialogs(save=errors_file)
    dialog = ImportDialog(AppContext(store, None), dues_import_kind(village_id, path, YEAR), path, dialogs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    assert dialog.update_existing.isHidden()
    assert dialog.windowTitle().startswith(f"导入{YEAR}年党费收缴登记表")
    cells = [[dialog.table.item(r, c).text() for c in (0, 1, 3)] for r in range(dialog.table.rowCount())]
    assert cells == [["4", "张三", "新增"], ["5", "李四", "新增"], ["6", "孙九", "拒绝"]]
    assert "孙九" in dialog.table.item(2, 4).text()
    assert dialog.import_button.text() == "导入 2 行" and payments(store) == 0

    dialog.apply()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=15000)
    assert payments(store) == 22
    assert dialogs.told[-1][1] == "导入完成" and "有 1 行被拒绝" in dialogs.told[-1][2]

    dialog.save_errors()
    rows = CalamineWorkbook.from_path(str(errors_file)).get_sheet_by_index(0).to_python()
    assert rows[1][1] == "孙九" and "本村党员名册中没有孙九" in rows[1][-1]

    again = ImportDialog(AppContext(store, None), dues_import_kind(village_id, path, YEAR), path, dialogs)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.preview is not None, timeout=15000)
    assert [again.table.item(r, 3).text() for r in range(2)] == ["已登记过，不变"] * 2
    assert not again.import_button.isEnabled()
    assert dt.date.today().year >= YEAR
