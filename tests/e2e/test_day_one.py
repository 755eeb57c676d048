"""Day one with a real village: an empty data file from ``init``, then everything set up through the
window's own screens (a grid branch, party groups, grids, members, a hub, households and their liaison),
a notice board printed, and each of those found in attachments 2–4."""

from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from pypdf import PdfReader

from partybuild_desktop import paths
from partybuild_desktop.domain.committee import CommitteePost
from partybuild_desktop.domain.vocabulary import GridLevel, MemberCategory
from partybuild_desktop.services import households as household_service
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services.village import current_village
from partybuild_desktop.store.schema import open_store
from partybuild_desktop.ui import setup_dialogs
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.main_window import MainWindow
from partybuild_desktop.ui.member_editor import MemberEditor
from partybuild_desktop.ui.print_preview import ChoosePrintoutDialog, PrintPreviewDialog
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import cli, make_id_for, sheet_rows

PEOPLE = [  # name, birth, male, category, party group, grid
    ("张志强", "19680405", True, MemberCategory.FARMER, "第一党小组", "第1网格"),
    ("李春梅", "19750912", False, MemberCategory.FARMER, "第一党小组", "第1网格"),
    ("王建华", "19590101", True, MemberCategory.ELDERLY, "第二党小组", "第2网格"),
    ("赵红英", "19880620", False, MemberCategory.EMPLOYED, "第二党小组", "第2网格"),
]


def press_ok(dialog) -> int:
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    return dialog.result()


def filled(monkeypatch, cls, fill):
    """The next ``cls`` dialog shown is filled by ``fill`` and OK is pressed, as a clerk would."""
    monkeypatch.setattr(cls, "exec", lambda dialog: (fill(dialog), press_ok(dialog))[1])


def choose(combo, text):
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not offered"
    combo.setCurrentIndex(index)


def page_count(pdf: Path) -> int:
    """Pages of a PDF the printer has finished writing; 0 while it is still being written."""
    try:
        return len(PdfReader(pdf).pages)
    except Exception:
        return 0


def visible(cls):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()]


def test_a_village_set_up_from_nothing_through_the_screens(qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    made = cli("--data-dir", folder, "init", "--township", "城南镇", "--village", "新桥村", "--branch-type", "党支部",
               "--secretary", "张志强")
    assert made.returncode == 0, made.stderr
    store = open_store(paths.data_file(folder), paths.backup_dir(folder))
    dialogs = ScriptedDialogs(confirm=True)
    window = MainWindow(folder, dialogs)
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(store, folder))
    context = window.context
    assert "新桥村" in window.windowTitle()

    # 设置 → 网格党支部 and 党小组, through their list screens and editors.
    filled(monkeypatch, setup_dialogs.GridBranchEditor, lambda e: e.name.setText("第一网格党支部"))
    branches = setup_dialogs.GridBranchesDialog(context, dialogs)
    qtbot.addWidget(branches)
    branches.add()
    for name, villager_group in (("第一党小组", "1组"), ("第二党小组", "2组")):
        def fill_group(editor, name=name, villager_group=villager_group):
            editor.name.setText(name)
            editor.villager_group.setEditText(villager_group)
            choose(editor.grid_branch, "第一网格党支部")
        filled(monkeypatch, setup_dialogs.PartyGroupEditor, fill_group)
        groups = setup_dialogs.PartyGroupsDialog(context, dialogs)
        qtbot.addWidget(groups)
        groups.add()
    assert groups.table.rowCount() == 2 and not [t for t in dialogs.told if t[0] == "error"], dialogs.told

    # 网格: a village grid and two grids under it, as the grid tab's buttons make them.
    window.open_target("grids")
    grids_tab = window.grids_tab
    village_grid = grids_tab.do_new_grid(GridLevel.VILLAGE, "新桥村网格", None, "全村")
    for name in ("第1网格", "第2网格"):
        assert grids_tab.do_new_grid(GridLevel.GROUP, name, village_grid, f"{name}片区")

    # 党员: each typed into the member editor and saved with OK.
    for index, (name, birth, male, category, group, grid) in enumerate(PEOPLE):
        editor = MemberEditor(context, None, dialogs)
        qtbot.addWidget(editor)
        editor.show()
        editor.w("name").setText(name)
        editor.w("id_number").setText(make_id_for(birth, male=male))
        editor.w("id_number").editingFinished.emit()
        editor.w("category").setCurrentIndex(editor.w("category").findData(category.value))
        choose(editor.w("party_group"), group)
        choose(editor.w("grid"), grid)
        editor.w("mobile").setText(f"1390000{index:04d}")
        editor.save()
        assert editor.saved_id is not None and not editor.isVisible(), (name, dialogs.told)
    window.open_target("members")
    listed = {window.members_tab.model.rows[i].name for i in range(len(window.members_tab.model.rows))}
    assert listed == {p[0] for p in PEOPLE}

    with store.session() as session:
        village_id = current_village(session).id
        ids = {row.name: row.id for row in member_service.list_members(session, village_id)}

    # 本村信息: the secretary named at init is now a member on the list; an 组织委员 is added.
    details = setup_dialogs.VillageDialog(context, dialogs)
    qtbot.addWidget(details)
    choose(details.posts[CommitteePost.SECRETARY], "张志强")
    choose(details.posts[CommitteePost.ORGANISATION], "赵红英")
    assert press_ok(details), dialogs.told

    # The grid branch gets its secretary, a committee member and its liaison on the village committee;
    # each party group its leader and the committee member who keeps contact with it.
    def fill_branch(editor):
        choose(editor.secretary, "王建华")
        editor.committee.set_checked([ids["李春梅"]])
        choose(editor.contact, "赵红英")
    filled(monkeypatch, setup_dialogs.GridBranchEditor, fill_branch)
    branches = setup_dialogs.GridBranchesDialog(context, dialogs)
    qtbot.addWidget(branches)
    branches.table.selectRow(0)
    branches.edit()
    for row, leader in ((0, "李春梅"), (1, "赵红英")):
        def fill_leader(editor, leader=leader):
            choose(editor.leader, leader)
            choose(editor.contact, "李春梅")
        filled(monkeypatch, setup_dialogs.PartyGroupEditor, fill_leader)
        groups = setup_dialogs.PartyGroupsDialog(context, dialogs)
        qtbot.addWidget(groups)
        groups.table.selectRow(row)
        groups.edit()
    assert not [t for t in dialogs.told if t[0] == "error"], dialogs.told

    # 中心户: one member made a hub from the member list, the others attached to the hub.
    setup_dialogs.mark_members("hubs", [ids["张志强"]], context, dialogs, window)
    for name in ("李春梅", "王建华", "赵红英"):
        editor = MemberEditor(context, ids[name], dialogs)
        qtbot.addWidget(editor)
        editor.show()
        choose(editor.w("hub"), "张志强")
        editor.save()
        assert editor.saved_id == ids[name], dialogs.told

    # 农户 and who keeps contact with them.
    household_ids = []
    for number in range(1, 4):
        household_ids.append(grids_tab.do_save_household(household_service.HouseholdForm(
            head_name=f"户主{number}", villager_group="1组", address=f"新桥村1组{number}号",
            phone=f"1380000{number:04d}", size=3)))
    grids_tab.do_assign_households(ids["李春梅"], household_ids)

    # 打印…: the notice board's preview, printed to a PDF printer.
    monkeypatch.setattr(ChoosePrintoutDialog, "exec", lambda chooser: QDialog.Accepted)
    print_action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "打印…")
    print_action.trigger()
    qtbot.waitUntil(lambda: bool(visible(PrintPreviewDialog)), timeout=30000)
    (preview,) = visible(PrintPreviewDialog)
    qtbot.waitUntil(preview.thumbnails_done, timeout=30000)
    printed = tmp_path / "公示牌.pdf"
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(printed))
    printer.setResolution(100)
    pages = len(PdfReader(preview.pdf).pages)
    preview.print_to(printer)
    qtbot.waitUntil(lambda: page_count(printed) == pages, timeout=30000)
    board_text = "".join(page.extract_text() or "" for page in PdfReader(preview.pdf).pages)
    assert "张志强" in board_text and "第1网格" in board_text
    assert not any(make_id_for(p[1], male=p[2]) in board_text for p in PEOPLE), "no ID number on a public board"
    preview.close()

    # Attachments 2–4 hold everything set up above.
    def exported(name: str) -> str:
        out = tmp_path / f"{name}.xlsx"
        result = cli("--data-dir", folder, "export", name, "--out", out)
        assert result.returncode == 0, result.stderr
        return "\n".join(" ".join(str(cell) for cell in row if cell is not None) for row in sheet_rows(out))

    committee = exported("roster-committee")
    assert all(name in committee for name in ("第一网格党支部", "第一党小组", "第二党小组", "王建华", "赵红英"))
    hubs = exported("roster-hubs")
    assert "张志强" in hubs and all(name in hubs for name in ("李春梅", "王建华", "赵红英"))
    roster = exported("roster-members")
    assert "李春梅" in roster and all(f"户主{n}" in roster for n in range(1, 4))
    window.close()
    store.dispose()
