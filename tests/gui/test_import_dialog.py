"""The roster import dialog: preview every row, write the good ones at once, save the refused ones."""

import openpyxl
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from partybuild_desktop.services.village import current_village
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.import_dialog import ImportDialog, member_import_kind
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import make_id


def roster(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["党员花名册"])
    sheet.merge_cells("A1:E1")
    sheet.append(["姓名", "性别", "身份证号码", "党员类别", "入党时间"])
    sheet.append(["钱 一", "男", make_id("19750101", 11), "农民", "1998.07"])
    sheet.append(["孙二", "女", make_id("19750101", 22), "在职", "2003年6月"])
    sheet.append(["", "男", make_id("19750101", 31), "流动", "2001-07-01"])  # no name: refused
    bad = make_id("19750101", 41)
    sheet.append(["李四", "男", bad[:-1] + ("0" if bad[-1] != "0" else "1"), "年老体弱", "1980/7/1"])  # bad checksum
    book.save(path)
    return path


def count_members(store):
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Member))


def test_preview_then_import_the_good_rows_and_save_the_refused(qtbot, sample_store, tmp_path):
    path = roster(tmp_path / "花名册.xlsx")
    errors_file = tmp_path / "需修改.xlsx"
    dialogs = ScriptedDialogs(save=errors_file)
    with sample_store.session() as session:
        village_id = current_village(session).id
    before = count_members(sample_store)
    dialog = ImportDialog(AppContext(sample_store, None), member_import_kind(village_id, path), path, dialogs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    statuses = [dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())]
    assert statuses.count("拒绝") == 2 and dialog.table.rowCount() == 4
    assert dialog.table.item(2, 0).text() == "5"  # the row number as Excel shows it
    assert count_members(sample_store) == before, "the preview writes nothing"
    assert dialog.import_button.text() == "导入 2 行"

    dialog.apply()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=15000)
    assert count_members(sample_store) == before + 2
    assert dialogs.told[-1][1] == "导入完成" and "有 2 行被拒绝" in dialogs.told[-1][2]

    dialog.save_errors()
    rows = CalamineWorkbook.from_path(str(errors_file)).get_sheet_by_index(0).to_python()
    text = "\n".join(str(c) for row in rows for c in row)
    assert "李四" in text and "问题" in text


def test_an_unreadable_file_is_reported(qtbot, sample_store, tmp_path):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    dialogs = ScriptedDialogs()
    with sample_store.session() as session:
        village_id = current_village(session).id
    dialog = ImportDialog(AppContext(sample_store, None), member_import_kind(village_id, path), path, dialogs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(dialogs.told), timeout=15000)
    assert dialogs.told[-1][0] == "error" and not dialog.import_button.isEnabled()
