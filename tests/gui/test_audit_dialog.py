"""设置 → 操作记录…: after an edit, an import and a consolidation made through the operation runner, the
dialog lists each operation with its records, the selected one's fields old → new (ID numbers masked),
narrows by its filters, follows new changes while open, and exports what it lists to xlsx."""

import datetime as dt

import openpyxl
import pytest
from PySide6.QtWidgets import QApplication

from partybuild_desktop.services import audit
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.consolidation import consolidate
from partybuild_desktop.services.member_import import apply_import, preview_import
from partybuild_desktop.services.returns import export_return
from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.audit_dialog import AuditDialog
from partybuild_desktop.ui.context import AppContext
from tests.conftest import SAMPLE_TODAY
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import make_id, member, new_store, village, village_file

ID = make_id("19650312", 123)
IMPORTED = [make_id("19700101", 101 + 2 * n) for n in range(40)]


def roster(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "性别", "公民身份号码", "出生年月", "党员类别"])
    for n, number in enumerate(IMPORTED):
        ws.append([n + 1, f"党员{n + 1:02d}", "男", number, "1970.01", "农民"])
    wb.save(path)
    return path


def edit_and_import(qtbot, context, dialogs, tmp_path, parent):
    """An edit (a new member, then renamed with another ID number) and a 40-row roster import, as the
    window makes them: through the runner, the import in the background."""
    operations = context.operations
    with context.store.session() as session:
        village_id = village(session, "东湖村")
        audit.set_operator(session, "李文书")
    assert operations.run("新增党员", lambda s: member(s, village_id, "王建国", id_number=ID, address="一组3号"),
                          Change.MEMBERS, dialogs=dialogs).ok

    def edit(session):
        m = session.get(Member, 1)
        m.name, m.id_number, m.address = "王建华", make_id("19650312", 125), "二组5号"

    assert operations.run("修改党员“王建国”", edit, Change.MEMBERS, dialogs=dialogs).ok
    path = roster(tmp_path / "花名册.xlsx")

    def work(session, progress):
        return apply_import(session, village_id, preview_import(session, village_id, path, today=SAMPLE_TODAY))

    assert operations.run_in_background("导入党员花名册", work, Change.MEMBERS, dialogs=dialogs, parent=parent)
    qtbot.waitUntil(lambda: not operations.busy, timeout=20000)
    return village_id


@pytest.fixture
def opened(qtbot, store, tmp_path):
    context, dialogs = AppContext(store, tmp_path), ScriptedDialogs(save=tmp_path / "导出" / "操作记录.xlsx")
    (tmp_path / "导出").mkdir()
    dialog = AuditDialog(context, dialogs, today=dt.date.today())
    qtbot.addWidget(dialog)
    dialog.show()
    edit_and_import(qtbot, context, dialogs, tmp_path, dialog)
    return dialog, context, dialogs


def select(dialog, action):
    for row, line in enumerate(dialog.entries.objects):
        if line.action == action:
            dialog.entries.selectRow(row)
            return line
    raise AssertionError(f"{action} not listed: {[line.action for line in dialog.entries.objects]}")


def changes(dialog):
    return [tuple(line) for line in dialog.changes.texts()]


def test_the_edit_shows_its_fields_old_to_new_with_the_id_number_masked(opened):
    dialog, _, _ = opened
    # The dialog was open while the three operations were saved: it follows them.
    assert [line.action for line in dialog.entries.objects] == ["导入党员花名册", "修改党员“王建国”", "新增党员"]
    assert dialog.count_label.text() == "共 3 次操作。"
    select(dialog, "修改党员“王建国”")
    other = make_id("19650312", 125)
    assert changes(dialog) == [
        ("修改", "党员 王建华（第 1 号）", "姓名", "王建国", "王建华", ""),
        ("修改", "党员 王建华（第 1 号）", "公民身份号码", ID[:6] + "********" + ID[-4:],
         other[:6] + "********" + other[-4:], ""),
        ("修改", "党员 王建华（第 1 号）", "家庭住址", audit.HIDDEN_VALUE, audit.HIDDEN_VALUE, ""),
    ]
    assert dialog.entries.texts()[1][1] == "李文书"


def test_the_import_is_one_summary_line(opened):
    dialog, _, _ = opened
    select(dialog, "导入党员花名册")
    assert changes(dialog) == [("批量", "党员新增 40 条：党员01、党员02、党员03、党员04、党员05等", "", "", "编号 2–41", "40")]


def test_filters_narrow_the_list(opened):
    dialog, _, _ = opened
    dialog.text.setText("王建华")
    assert [line.action for line in dialog.entries.objects] == ["修改党员“王建国”"]
    dialog.text.setText("")
    dialog.area.setCurrentIndex(dialog.area.findData("records"))
    assert dialog.entries.objects == [] and dialog.count_label.text() == "没有符合条件的操作记录。"
    assert not dialog.export_button.isEnabled()
    dialog.area.setCurrentIndex(0)
    assert dialog.operator.findText("李文书") > 0
    dialog.since.setDate(dialog.since.date().addDays(40))  # after today
    assert dialog.entries.objects == []
    dialog.all_dates.setChecked(True)
    assert len(dialog.entries.objects) == 3


def test_export_writes_what_is_listed(qtbot, opened, tmp_path):
    dialog, _, dialogs = opened
    dialog.text.setText("王建")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: any(t[0] == "exported" for t in dialogs.told), timeout=20000)
    path = tmp_path / "导出" / "操作记录.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [audit.LOG_TITLE, audit.DETAIL_TITLE]
    listed = [row for row in wb[audit.LOG_TITLE].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [row[3] for row in listed] == ["修改党员“王建国”", "新增党员"]
    assert listed[0][2] == "李文书"
    fields = [row for row in wb[audit.DETAIL_TITLE].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert (1, "修改", "党员 王建华（第 1 号）", "姓名", "王建国", "王建华") == (
        fields[0][0], fields[0][3], fields[0][4], fields[0][5], fields[0][6], fields[0][7])
    text = "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert ID not in text and "一组3号" not in text and "含“王建”" in text


def test_a_consolidation_in_the_townships_file(qtbot, tmp_path):
    packages = []
    for name, seed in (("东湖村", 1), ("石桥村", 2), ("柳塘村", 3)):
        source = village_file(tmp_path / name, name, 25, seed)
        packages.append(export_return(source, None, "2026Q3", tmp_path / "U盘", today=SAMPLE_TODAY).path)
        source.dispose()
    store = new_store(tmp_path / "乡镇")
    context, dialogs = AppContext(store, tmp_path / "乡镇"), ScriptedDialogs()
    dialog = AuditDialog(context, dialogs)
    qtbot.addWidget(dialog)
    dialog.show()
    started = context.operations.run_in_background(
        "导入2026年第三季度报表包", lambda audited, progress: consolidate(audited, "2026Q3", packages),
        Change.RETURNS | Change.SETTINGS, dialogs=dialogs, parent=dialog, own_transaction=True)
    assert started
    qtbot.waitUntil(lambda: not context.operations.busy, timeout=30000)
    select(dialog, "导入2026年第三季度报表包")
    lines = changes(dialog)
    assert ("批量", "收到的报表新增 3 条：东湖村、石桥村、柳塘村", "", "", "编号 1–3", "3") in lines
    assert any(line[1].startswith("报表数字新增") for line in lines)
    store.dispose()


def screenshots(dialog, folder, name):
    """The dialog at both sizes the program is used at (for looking at, not compared)."""
    shots = []
    for width, height in ((1280, 720), (1600, 1000)):
        dialog.resize(width, height)
        QApplication.processEvents()
        shot = folder / f"{name}-{width}x{height}.png"
        assert dialog.grab().save(str(shot))
        shots.append(shot)
    return shots


def test_the_dialog_fits_both_screen_sizes(opened, tmp_path):
    dialog, _, _ = opened
    select(dialog, "修改党员“王建国”")
    for shot in screenshots(dialog, tmp_path, "audit-edit"):
        assert shot.stat().st_size > 10_000
    assert dialog.changes.isVisible() and dialog.entries.isVisible()
