"""The operation runner: one transaction with its audit row, then the broadcast; refusals, faults and a
cancelled background operation leave the data file as it was."""

import threading

from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget, QWidget
from sqlalchemy import func, select

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services import audit
from partybuild_desktop.services.changes import Change
from partybuild_desktop.store.models import AuditEntry, Setting
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.operations import FAULT, WatchesChanges
from tests.gui.conftest import ScriptedDialogs


def settings(store) -> dict:
    with store.session() as session:
        return {row.key: row.value for row in session.scalars(select(Setting))}


def audit_rows(store) -> list[AuditEntry]:
    with store.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def put(key, value):
    def work(session):
        session.merge(Setting(key=key, value=value))
        return value
    return work


def test_a_change_commits_with_its_audit_row_then_is_broadcast(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()
    with store.session() as session:
        audit.set_operator(session, "王文书")
    heard = []
    context.operations.changed.connect(lambda changes, initiator: heard.append((changes, initiator)))
    outcome = context.operations.run("试一试", put("probe", "1"), Change.SETTINGS, dialogs=dialogs, initiator="me")
    assert outcome.ok and outcome.value == "1"
    assert settings(store)["probe"] == "1"
    (row,) = audit_rows(store)
    assert (row.operator, row.action, row.changes, row.source) == ("王文书", "试一试", "settings", "window")
    assert heard == [(Change.SETTINGS, "me")] and not dialogs.told


def test_a_refusal_saves_nothing_and_says_why(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()
    heard = []
    context.operations.changed.connect(lambda *args: heard.append(args))

    def refused(session):
        put("probe", "1")(session)
        session.flush()
        raise Refusal("姓名不能为空，请填写姓名。")

    outcome = context.operations.run("保存党员", refused, Change.MEMBERS, dialogs=dialogs)
    assert not outcome.ok and "probe" not in settings(store) and not audit_rows(store) and not heard
    assert dialogs.told == [("error", "保存党员", "姓名不能为空，请填写姓名。")]


def test_a_fault_of_the_program_is_not_shown_in_english(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()

    def broken(session):
        put("probe", "1")(session)
        raise KeyError("internal detail")

    assert not context.operations.run("保存", broken, Change.SETTINGS, dialogs=dialogs).ok
    assert dialogs.told == [("error", "保存", FAULT)] and "probe" not in settings(store)


def test_a_file_problem_is_said_in_chinese(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()

    def full_disk(session):
        raise OSError(28, "No space left on device", "/media/u/报表.xlsx")

    context.operations.run("导出", full_disk, Change.NOTHING, dialogs=dialogs)
    (_, _, text), = dialogs.told
    assert "已满" in text and "报表.xlsx" in text and "No space" not in text


def test_background_work_reports_progress_and_commits_once(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()
    parent = QWidget()
    qtbot.addWidget(parent)
    done, heard = [], []
    context.operations.changed.connect(lambda changes, _: heard.append(changes))

    def work(session, progress):
        for step in range(3):
            progress.report(step, 3, f"第 {step + 1} 步")
            put(f"step{step}", "x")(session)
        return "完成"

    context.operations.run_in_background("导入", work, Change.MEMBERS, dialogs=dialogs, parent=parent,
                                         on_success=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert done == ["完成"] and heard == [Change.MEMBERS] and not context.operations.busy
    assert {"step0", "step1", "step2"} <= set(settings(store))
    assert [row.action for row in audit_rows(store)] == ["导入"]


def test_a_cancelled_background_operation_leaves_nothing(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()
    parent = QWidget()
    qtbot.addWidget(parent)
    started, release = threading.Event(), threading.Event()
    heard = []
    context.operations.changed.connect(lambda *args: heard.append(args))

    def work(session, progress):
        put("half", "written")(session)
        session.flush()
        started.set()
        release.wait(10)
        progress.check()  # the clerk pressed 取消 meanwhile
        return "not reached"

    context.operations.run_in_background("导入花名册", work, Change.MEMBERS, dialogs=dialogs, parent=parent)
    assert started.wait(10)
    (dialog,) = [w for w in parent.findChildren(QWidget) if w.metaObject().className() == "QProgressDialog"]
    dialog.findChild(QPushButton).click()  # 取消
    release.set()
    qtbot.waitUntil(lambda: bool(dialogs.told), timeout=10000)
    assert dialogs.told == [("info", "导入花名册", "已取消，没有保存任何改动。")]
    assert "half" not in settings(store) and not audit_rows(store) and not heard


class Screen(WatchesChanges, QLabel):
    watches = Change.MEMBERS

    def __init__(self, operations):
        super().__init__()
        self.refreshed = 0
        self.watch(operations)

    def refresh(self):
        self.refreshed += 1


def test_a_hidden_tab_refreshes_when_it_is_shown_and_ignores_what_it_does_not_show(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    visible, hidden = Screen(context.operations), Screen(context.operations)
    tabs.addTab(visible, "一")
    tabs.addTab(hidden, "二")
    tabs.show()
    qtbot.waitExposed(tabs)

    context.operations.run("改设置", put("probe", "1"), Change.SETTINGS, dialogs=dialogs)
    assert (visible.refreshed, hidden.refreshed) == (0, 0)
    context.operations.run("改党员", put("probe", "2"), Change.MEMBERS, dialogs=dialogs)
    assert (visible.refreshed, hidden.refreshed) == (1, 0)
    context.operations.run("再改党员", put("probe", "3"), Change.MEMBERS, dialogs=dialogs)
    tabs.setCurrentIndex(1)
    assert hidden.refreshed == 1, "two changes while hidden: one refresh when shown"
    tabs.setCurrentIndex(0)
    tabs.setCurrentIndex(1)
    assert hidden.refreshed == 1


def test_the_operator_is_named_within_bounds(store):
    with store.session() as session:
        assert audit.operator(session) == audit.UNNAMED_OPERATOR
        for bad in ("", "   ", "长" * 40):
            try:
                audit.set_operator(session, bad)
            except ValueError as error:
                assert "操作员" in str(error)
            else:
                raise AssertionError(f"{bad!r} accepted")
        assert audit.set_operator(session, "  李 文书 ") == "李 文书"
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Setting).where(Setting.key == audit.OPERATOR)) == 1


def test_a_second_background_operation_waits_for_the_first(qtbot, store):
    context, dialogs = AppContext(store, None), ScriptedDialogs()
    parent = QWidget()
    qtbot.addWidget(parent)
    release, done = threading.Event(), []

    def slow(session, progress):
        release.wait(10)
        return "第一项"

    context.operations.run_in_background("导入", slow, Change.MEMBERS, dialogs=dialogs, parent=parent,
                                         on_success=done.append)
    context.operations.run_in_background("汇总", lambda s, p: "第二项", Change.RETURNS, dialogs=dialogs, parent=parent,
                                         on_success=done.append)
    assert dialogs.told == [("info", "汇总", "另一项工作还在进行，请等它完成后再试。")]
    release.set()
    qtbot.waitUntil(lambda: done == ["第一项"], timeout=10000)
    assert not context.operations.busy


def test_work_that_stops_early_and_returns_is_a_cancel_too(qtbot, store):
    """A service that answers 取消 by returning what it has (checking packages) neither saves nor goes on."""
    context, dialogs = AppContext(store, None), ScriptedDialogs()
    parent = QWidget()
    qtbot.addWidget(parent)
    started, release = threading.Event(), threading.Event()
    succeeded, cancelled = [], []

    def work(session, progress):
        put("half", "written")(session)
        started.set()
        release.wait(10)
        return "what was done so far" if progress.cancelled() else "all"

    assert context.operations.run_in_background("核对", work, Change.RETURNS, dialogs=dialogs, parent=parent,
                                                on_success=succeeded.append, on_cancel=lambda: cancelled.append(1))
    assert started.wait(10)
    (dialog,) = [w for w in parent.findChildren(QWidget) if w.metaObject().className() == "QProgressDialog"]
    dialog.findChild(QPushButton).click()
    release.set()
    qtbot.waitUntil(lambda: bool(dialogs.told), timeout=10000)
    assert succeeded == [] and cancelled == [1] and "half" not in settings(store) and not audit_rows(store)
