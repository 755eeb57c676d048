"""文件 → 导入发展党员台账…: the clerk's 台账 through the import dialog's preview, written at once, the refused rows
saved to a workbook."""

import datetime as dt

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from partybuild_desktop.services import recruitment
from partybuild_desktop.store.models import RecruitCase
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.import_dialog import ImportDialog, recruit_import_kind
from tests import helpers
from tests.gui.conftest import ScriptedDialogs
from tests.unit.test_recruit_import import ZHOU, messy_ledger


def count_cases(store):
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(RecruitCase))


def test_the_ledger_is_previewed_then_imported(qtbot, store, tmp_path):
    with store.session() as session:
        village_id = helpers.village(session, "东湖村")
        recruitment.create_case(session, village_id, recruitment.CaseForm(
            name="周杰", applied=dt.date(2023, 1, 10), id_number=ZHOU))
    path = messy_ledger(tmp_path / "发展党员台账.xlsx")
    errors_file = tmp_path / "需修改.xlsx"
    dialogs = ScriptedDialogs(save=errors_file)
    dialog = ImportDialog(AppContext(store, None), recruit_import_kind(village_id, path), path, dialogs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    assert dialog.windowTitle().startswith("导入发展党员台账") and dialog.update_existing.isHidden()
    table = dialog.table
    shown = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 3).text()) for r in range(table.rowCount())}
    assert shown["7"] == ("钱多", "拒绝") and shown["9"] == ("孙丽", "拒绝")
    assert shown["4"] == ("王小明", "新增") and shown["10"] == ("周杰", "导入，有提示")
    assert "超过了收到入党申请书" in table.item(1, 4).text()
    assert count_cases(store) == 1, "the preview writes nothing"
    assert dialog.import_button.text() == "导入 5 行"

    dialog.apply()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=15000)
    assert count_cases(store) == 5
    assert dialogs.told[-1][1] == "导入完成" and "新增 4 人，更新 1 人" in dialogs.told[-1][2]

    dialog.save_errors()
    rows = CalamineWorkbook.from_path(str(errors_file)).get_sheet_by_index(0).to_python()
    text = "\n".join(str(c) for row in rows for c in row)
    assert "钱多" in text and "孙丽" in text and "王小明" not in text


def test_the_file_menu_opens_it_on_the_chosen_file(qtbot, sample_store, data_folder, tmp_path, monkeypatch):
    from partybuild_desktop.ui.main_window import MainWindow

    path = messy_ledger(tmp_path / "发展党员台账.xlsx")
    opened = []
    monkeypatch.setattr(ImportDialog, "exec", lambda self: opened.append(self) or 0)
    window = MainWindow(data_folder, ScriptedDialogs(open_=path))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.attach(AppContext(sample_store, data_folder))
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "导入发展党员台账…")
    assert action.isVisible() and action.isEnabled()
    action.trigger()
    assert len(opened) == 1 and opened[0].kind.title == "发展党员台账" and opened[0].path == path
    qtbot.waitUntil(lambda: opened[0].preview is not None, timeout=15000)
    window.context.store.dispose()
