"""The set-up screens, driven through their widgets; what they saved is read back from the data file."""

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select

from partybuild_desktop.domain.committee import CommitteePost
from partybuild_desktop.services import audit, organisation
from partybuild_desktop.services.village import committee_history, current_village, term_status
from partybuild_desktop.store.models import AuditEntry, GridBranch, GridBranchMember, Member, PartyGroup
from partybuild_desktop.ui import setup_dialogs as ui
from partybuild_desktop.ui.context import AppContext
from tests.gui.conftest import ScriptedDialogs

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def context(sample_store, data_folder):
    return AppContext(sample_store, data_folder)


def ok(editor):
    editor.buttons.button(QDialogButtonBox.Ok).click()
    return editor.result()


def scripted(monkeypatch, cls, fill):
    """The next ``cls`` dialog shown is filled by ``fill(editor)`` and OK is pressed."""
    shown = []

    def exec_(editor):
        shown.append(editor)
        fill(editor)
        return ok(editor)

    monkeypatch.setattr(cls, "exec", exec_)
    return shown


def choose(combo, text):
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def members_named(store, *names):
    with store.session() as session:
        found = dict(session.execute(select(Member.name, Member.id).where(Member.name.in_(names),
                                                                          Member.archived.is_(False))).all())
    return [found[n] for n in names]


def some_members(store, count, committee=None):
    with store.session() as session:
        query = select(Member.id, Member.name).where(Member.archived.is_(False))
        if committee is not None:
            query = query.where(Member.is_committee_member.is_(committee))
        return session.execute(query.order_by(Member.id).limit(count)).all()


# ---------------------------------------------------------------------------------------- party groups


def test_party_groups_are_added_edited_and_deleted_through_the_screen(qtbot, context, sample_store, monkeypatch):
    dialogs = ScriptedDialogs()
    screen = ui.PartyGroupsDialog(context, dialogs)
    qtbot.addWidget(screen)
    before = screen.table.rowCount()
    leader, contact = some_members(sample_store, 2)

    def fill_new(editor):
        editor.name.setText("第9党小组")
        editor.villager_group.setEditText("9组")
        choose(editor.leader, leader.name)
        choose(editor.grid_branch, "第1网格党支部")
        choose(editor.contact, contact.name)

    scripted(monkeypatch, ui.PartyGroupEditor, fill_new)
    screen.add()
    assert screen.table.rowCount() == before + 1
    with sample_store.session() as session:
        group = session.scalars(select(PartyGroup).where(PartyGroup.name == "第9党小组")).one()
        branch = session.get(GridBranch, group.grid_branch_id)
        assert (group.villager_group, group.leader_id, group.branch_contact_id, branch.name) == (
            "9组", leader.id, contact.id, "第1网格党支部")
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == "保存党小组"

    screen.table.selectRow(before)
    scripted(monkeypatch, ui.PartyGroupEditor, lambda e: (e.name.setText("第十党小组"), choose(e.leader, "（未指定）")))
    screen.edit()
    assert screen.table.item(before, 0).text() == "第十党小组" and screen.table.item(before, 2).text() == ""

    screen.table.selectRow(before)
    screen.delete()
    assert screen.table.rowCount() == before
    assert dialogs.told[-1][0] == "confirm"


def test_a_party_group_with_members_is_refused_and_kept(qtbot, context, sample_store):
    dialogs = ScriptedDialogs()
    screen = ui.PartyGroupsDialog(context, dialogs)
    qtbot.addWidget(screen)
    screen.table.selectRow(0)
    name = screen.table.item(0, 0).text()
    screen.delete()
    kind, title, text = dialogs.told[-1]
    assert kind == "error" and title == "删除党小组" and f"“{name}”中还有" in text and "不能删除" in text
    with sample_store.session() as session:
        assert session.scalar(select(func.count()).select_from(PartyGroup).where(PartyGroup.name == name)) == 1


def test_a_refused_edit_keeps_the_editor_open_with_what_was_typed(qtbot, context):
    dialogs = ScriptedDialogs()
    editor = ui.PartyGroupEditor(context, dialogs)
    qtbot.addWidget(editor)
    editor.name.setText("  ")
    editor.villager_group.setEditText("3组")
    assert not ok(editor)
    assert dialogs.told[-1][:2] == ("error", "保存党小组") and "请填写党小组名称" in dialogs.told[-1][2]
    assert editor.villager_group.currentText() == "3组"


# ---------------------------------------------------------------------------------------- grid branches


def test_grid_branches_are_added_with_their_committee_and_deleted(qtbot, context, sample_store, monkeypatch):
    dialogs = ScriptedDialogs()
    screen = ui.GridBranchesDialog(context, dialogs)
    qtbot.addWidget(screen)
    before = screen.table.rowCount()
    secretary, first, second = some_members(sample_store, 3, committee=False)
    (chief,) = some_members(sample_store, 1, committee=True)

    def fill(editor):
        editor.name.setText("第九网格党支部")
        choose(editor.secretary, secretary.name)
        editor.committee.set_checked([first.id, second.id])
        choose(editor.contact, chief.name)
        assert editor.committee.count.text() == "已选 2 人"

    scripted(monkeypatch, ui.GridBranchEditor, fill)
    screen.add()
    assert screen.table.rowCount() == before + 1
    with sample_store.session() as session:
        branch = session.scalars(select(GridBranch).where(GridBranch.name == "第九网格党支部")).one()
        assert (branch.secretary_id, branch.committee_contact_id) == (secretary.id, chief.id)
        assert set(session.scalars(select(GridBranchMember.member_id).where(
            GridBranchMember.grid_branch_id == branch.id))) == {first.id, second.id}
    row = screen.table.texts()[before]
    assert row[:4] == ["第九网格党支部", secretary.name, f"{first.name}、{second.name}", chief.name]

    screen.table.selectRow(before)
    screen.delete()
    assert screen.table.rowCount() == before

    screen.table.selectRow(0)  # the sample's first branch has party groups and grids
    screen.delete()
    assert dialogs.told[-1][0] == "error" and "不能删除" in dialogs.told[-1][2]
    assert screen.table.rowCount() == before


def test_the_contact_must_be_on_the_village_committee(qtbot, context, sample_store):
    dialogs = ScriptedDialogs()
    editor = ui.GridBranchEditor(context, dialogs)
    qtbot.addWidget(editor)
    (plain,) = some_members(sample_store, 1, committee=False)
    assert editor.contact.findData(plain.id) < 0  # only 班子成员 are offered


# ---------------------------------------------------------------------------------------- 本村信息


def test_village_details_and_a_new_secretary_keep_the_history(qtbot, context, sample_store):
    dialogs = ScriptedDialogs()
    dialog = ui.VillageDialog(context, dialogs, today=TODAY)
    qtbot.addWidget(dialog)
    old_secretary = current_village_info(sample_store).secretary_name
    assert dialog.posts[CommitteePost.SECRETARY].currentText() == old_secretary
    (new_secretary,) = some_members(sample_store, 1, committee=False)
    dialog.phone.setText("0512-65211234")
    dialog.address.setText("东湖村党群服务中心")
    dialog.term_started.setDate(dt.date(2021, 3, 15))
    dialog.changed_on.setDate(dt.date(2026, 6, 1))
    choose(dialog.posts[CommitteePost.SECRETARY], new_secretary.name)
    dialog.posts[CommitteePost.DISCIPLINE].setEditText("周监督")
    assert ok(dialog)
    with sample_store.session() as session:
        info = current_village(session)
        assert (info.secretary_name, info.phone, info.address) == (new_secretary.name, "0512-65211234",
                                                                   "东湖村党群服务中心")
        history = committee_history(session, info.id)
        secretaries = [(r.name, r.started_on, r.ended_on) for r in history if r.post is CommitteePost.SECRETARY]
        assert secretaries == [(new_secretary.name, dt.date(2026, 6, 1), None),
                               (old_secretary, dt.date(2021, 3, 15), dt.date(2026, 6, 1))]
        discipline = next(r for r in history if r.post is CommitteePost.DISCIPLINE)
        assert (discipline.name, discipline.member_id) == ("周监督", None)
        assert session.get(Member, new_secretary.id).is_committee_member
        assert term_status(session, info.id, TODAY).ends_on == dt.date(2026, 3, 15)
    again = ui.VillageDialog(context, dialogs, today=TODAY)
    qtbot.addWidget(again)
    assert "已于2026年3月15日届满" in again.term_line.text()


def test_a_new_term_through_the_dialog_and_its_history_screen(qtbot, context, sample_store, monkeypatch):
    dialogs = ScriptedDialogs(confirm=True)
    dialog = ui.VillageDialog(context, dialogs, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.term_started.setDate(dt.date(2021, 3, 15))
    dialog.changed_on.setDate(dt.date(2026, 4, 1))
    dialog.new_term.setChecked(True)
    assert ok(dialog)
    assert dialogs.told[-1][:2] == ("confirm", "换届")
    village_id = current_village_info(sample_store).id
    with sample_store.session() as session:
        assert term_status(session, village_id, TODAY).started_on == dt.date(2026, 4, 1)

    history = ui.CommitteeHistoryDialog(context, dialogs, today=TODAY)
    qtbot.addWidget(history)
    assert [row[4] for row in history.table.texts()] == ["现任", "已离任"]

    def fill(editor):
        choose(editor.post, "书记")
        editor.person.setEditText("张老书记")
        editor.started.setDate(dt.date(2016, 3, 1))
        editor.ended.setDate(dt.date(2021, 3, 15))

    scripted(monkeypatch, ui.PostRecordEditor, fill)
    history.add()
    assert history.table.rowCount() == 3 and history.table.texts()[-1][:2] == ["书记", "张老书记"]
    history.table.selectRow(0)  # the current secretary cannot be deleted here
    history.delete()
    assert dialogs.told[-1][0] == "error" and "不能删除" in dialogs.told[-1][2]
    history.table.selectRow(2)
    history.delete()
    assert history.table.rowCount() == 2


def current_village_info(store):
    with store.session() as session:
        return current_village(session)


# ---------------------------------------------------------------------------------------- hubs, model posts


def test_several_members_become_model_posts_from_the_screen_and_from_a_selection(qtbot, context, sample_store,
                                                                                monkeypatch):
    dialogs = ScriptedDialogs()
    screen = ui.MarkedMembersDialog(context, dialogs, organisation.MODEL_POSTS)
    qtbot.addWidget(screen)
    before = screen.table.rowCount()
    with sample_store.session() as session:
        free = session.execute(select(Member.id, Member.name).where(
            Member.is_model_post.is_(False), Member.is_hub_household.is_(False), Member.archived.is_(False))
            .order_by(Member.id.desc()).limit(3)).all()
    monkeypatch.setattr(ui.PickMembersDialog, "exec", lambda picker: (
        picker.members.set_checked([free[0].id, free[1].id]), 1)[1])
    screen.add()
    assert screen.table.rowCount() == before + 2
    assert dialogs.told[-1][0] == "info" and free[0].name in dialogs.told[-1][2]

    assert ui.mark_members("model_posts", [free[2].id], context, dialogs)
    with sample_store.session() as session:
        assert all(session.get(Member, m.id).is_model_post for m in free)
    screen.refresh()
    row = next(i for i, r in enumerate(screen.table.objects) if r.id == free[2].id)
    screen.table.selectRow(row)
    screen.delete()
    with sample_store.session() as session:
        assert not session.get(Member, free[2].id).is_model_post


def test_a_hub_with_members_attached_stays_a_hub(qtbot, context, sample_store):
    dialogs = ScriptedDialogs()
    screen = ui.MarkedMembersDialog(context, dialogs, organisation.HUBS)
    qtbot.addWidget(screen)
    row = next(i for i, r in enumerate(screen.table.objects) if r.attached)
    hub = screen.table.objects[row]
    screen.table.selectRow(row)
    screen.delete()
    assert dialogs.told[-1][0] == "error" and "还联系着" in dialogs.told[-1][2]
    with sample_store.session() as session:
        assert session.get(Member, hub.id).is_hub_household


# ---------------------------------------------------------------------------------------- 操作员


def test_the_operator_is_named_and_recorded_with_the_next_change(qtbot, context, sample_store):
    dialogs = ScriptedDialogs()
    dialog = ui.OperatorDialog(context, dialogs)
    qtbot.addWidget(dialog)
    assert dialog.name.text() == ""
    dialog.name.setText(" 张 文书 ")
    assert ok(dialog)
    with sample_store.session() as session:
        assert audit.operator(session) == "张 文书"
        assert session.scalars(select(AuditEntry.operator).order_by(AuditEntry.id.desc())).first() == "张 文书"


def test_every_key_opens_its_screen(qtbot, context):
    for key in ui.SCREENS:
        dialog = ui.setup_screen(key, context, ScriptedDialogs())
        qtbot.addWidget(dialog)
        assert dialog.windowTitle()
    with pytest.raises(ValueError):
        ui.setup_screen("nothing", context, ScriptedDialogs())


def test_the_members_list_marks_its_selected_members(qtbot, context, sample_store):
    from PySide6.QtCore import QItemSelectionModel

    from partybuild_desktop.ui.members_tab import MembersTab

    dialogs = ScriptedDialogs()
    tab = MembersTab(context, dialogs, today=TODAY)
    qtbot.addWidget(tab)
    tab.show()
    (entry,) = [a for a in tab.table.actions() if a.text() == "设为中心户 / 示范岗"]
    rows = [r for r, m in enumerate(tab.model.visible) if not m.is_hub_household][:2]
    chosen = [tab.model.member_id(r) for r in rows]
    selection = tab.table.selectionModel()
    selection.clearSelection()
    for r in rows:
        selection.select(tab.model.index(r, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
    (hubs, _) = entry.menu().actions()
    assert hubs.text() == "设为党员中心户…"
    hubs.trigger()
    assert dialogs.told[0][:2] == ("confirm", "党员中心户")
    with sample_store.session() as session:
        assert all(session.get(Member, m).is_hub_household for m in chosen)


def test_a_holder_who_has_left_is_pointed_out(qtbot, context, sample_store):
    (member,) = some_members(sample_store, 1, committee=False)
    dialogs = ScriptedDialogs()
    dialog = ui.VillageDialog(context, dialogs, today=TODAY)
    qtbot.addWidget(dialog)
    choose(dialog.posts[CommitteePost.ORGANISATION], member.name)
    assert ok(dialog) and dialog.gone_line.isHidden()
    with sample_store.session() as session:
        session.get(Member, member.id).archived = True
    again = ui.VillageDialog(context, dialogs, today=TODAY)
    qtbot.addWidget(again)
    assert not again.gone_line.isHidden() and f"组织委员{member.name}已转出" in again.gone_line.text()


def test_a_holder_no_longer_on_the_list_is_kept_on_an_unrelated_save(qtbot):
    picker = ui.MemberOrName([], name="post")
    qtbot.addWidget(picker)
    from partybuild_desktop.services.village import PostChoice

    picker.set_choice(PostChoice(41, "张三"))  # archived since: not among the choices
    assert picker.currentText() == "张三" and picker.choice() == PostChoice(41, "张三")
    picker.setEditText("李四")
    assert picker.choice() == PostChoice(None, "李四")


def test_double_clicking_a_hub_edits_nothing(qtbot, context):
    dialogs = ScriptedDialogs()
    screen = ui.MarkedMembersDialog(context, dialogs, "hubs")
    qtbot.addWidget(screen)
    screen.table.selectRow(0)
    screen.table.doubleClicked.emit(screen.table.model().index(0, 0))
    assert not [t for t in dialogs.told if t[0] == "error"]
