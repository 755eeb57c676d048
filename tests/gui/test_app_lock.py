"""The program password in the window: asked at start and after the idle time, the locked window shows
nothing of the data, wrong tries wait without freezing it, and 设置 → 程序密码 sets, changes and removes it."""

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QDialog, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)
from sqlalchemy import select

from partybuild_desktop import app as app_module
from partybuild_desktop.services import app_lock as service
from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.app_lock import LOCKED_TITLE, WHAT_IT_DOES, AppLock, LockScreen, PasswordDialog
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.main_window import MainWindow
from tests.gui.conftest import ScriptedDialogs

PASSWORD = "村部2026"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def set_password(store, minutes=15):
    with store.session() as session:
        service.set_password(session, PASSWORD, PASSWORD, minutes=minutes)


def member_names(store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(Member.name)))


def visible_text(window: QWidget) -> str:
    """Everything a widget of ``window`` that is on screen shows: labels, fields, buttons, tables."""
    texts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QLineEdit, QPushButton)):
            texts.append(widget.text())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            texts += [str(model.index(r, c).data() or "") for r in range(min(model.rowCount(), 50))
                      for c in range(model.columnCount())]
    return "\n".join(texts)


@pytest.fixture
def locked_window(qtbot, data_folder, sample_store):
    """The sample village's window with a password set, on the members tab, and its lock (fake clock)."""
    set_password(sample_store)
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.attach(AppContext(sample_store, data_folder))
    window.tabs.setCurrentWidget(window.pages["members"])
    clock = Clock()
    lock = AppLock.of(window)
    lock.clock = clock
    lock.reload()
    return window, lock, clock


def type_password(qtbot, screen: LockScreen, text: str, lock: AppLock) -> None:
    screen.password.setText(text)
    QTest.mouseClick(screen.unlock_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not lock.checking, timeout=10000)


def test_the_locked_window_shows_nothing_of_the_data(qtbot, locked_window, sample_store, tmp_path):
    window, lock, _ = locked_window
    names = member_names(sample_store)
    members_tab = window.members_tab
    assert any(name in visible_text(window) for name in names)  # the check can see a name when one is shown
    lock.lock()
    assert window.centralWidget() is lock.main_screen and lock.main_screen.isVisible()
    assert not window.tabs.isVisible() and not members_tab.isVisible() and not window.tabs.isVisibleTo(window)
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    assert window.windowTitle() == LOCKED_TITLE and "东湖村" not in window.windowTitle()
    shown = visible_text(window)
    assert not [name for name in names if name in shown]
    assert "东湖村" not in shown and "不加密数据文件" in shown
    picture = window.grab()
    assert picture.width() == window.width() and not picture.isNull()
    picture.save(str(tmp_path / "locked.png"))
    # Unlocked, everything is back as it was.
    type_password(qtbot, lock.main_screen, PASSWORD, lock)
    assert not lock.locked and window.centralWidget() is window.tabs
    assert window.tabs.currentWidget() is window.pages["members"] and members_tab.isVisible()
    assert window.menuBar().isVisible() and window.statusBar().isVisible()
    assert window.windowTitle().endswith("东湖村 — 村党建工作台")


def test_a_wrong_password_keeps_it_locked_and_says_so(qtbot, locked_window):
    window, lock, _ = locked_window
    lock.lock()
    type_password(qtbot, lock.main_screen, "村部2025", lock)
    assert lock.locked and window.centralWidget() is lock.main_screen
    assert "密码不对" in lock.main_screen.message.text() and lock.main_screen.password.text() == ""
    assert lock.main_screen.password.isEnabled()
    lock.main_screen.password.setText("")
    QTest.mouseClick(lock.main_screen.unlock_button, Qt.LeftButton)
    assert lock.main_screen.message.text() == "请输入程序密码。" and lock.failures == 1


def test_five_wrong_tries_wait_longer_each_time_without_freezing_the_window(qtbot, locked_window):
    window, lock, clock = locked_window
    lock.lock()
    screen = lock.main_screen
    for _ in range(4):
        type_password(qtbot, screen, "不是这个", lock)
        assert screen.password.isEnabled()
    assert "再错 1 次" in screen.message.text()
    type_password(qtbot, screen, "不是这个", lock)
    assert lock.failures == 5 and not screen.password.isEnabled() and not screen.unlock_button.isEnabled()
    assert "0:30" in screen.message.text() and lock.wait_timer.isActive()
    lock.try_unlock(screen)  # pressed while waiting: not even checked
    assert not lock.checking and lock.failures == 5
    # The wait is counted down by a timer: the event loop keeps running (a click elsewhere still works).
    clock.now += 12
    qtbot.waitUntil(lambda: "0:18" in screen.message.text(), timeout=3000)
    clock.now += 18
    qtbot.waitUntil(lambda: screen.password.isEnabled(), timeout=3000)
    assert not lock.wait_timer.isActive() and screen.message.text() == "可以再试了。"
    type_password(qtbot, screen, "还不是", lock)
    assert lock.failures == 6 and "1:00" in screen.message.text()  # twice as long
    clock.now += 60
    qtbot.waitUntil(lambda: screen.password.isEnabled(), timeout=3000)
    type_password(qtbot, screen, PASSWORD, lock)
    assert not lock.locked and lock.failures == 0


def test_it_locks_after_the_idle_time_and_input_counts_as_use(qtbot, locked_window, sample_store):
    window, lock, clock = locked_window
    with sample_store.session() as session:
        service.change_idle_minutes(session, 2, PASSWORD)
    lock.reload()
    assert lock.idle_timer.isActive() and lock.idle_timer.interval() <= 5000
    clock.now += 119
    lock.check_idle()
    assert not lock.locked
    QTest.keyClick(window.members_tab, Qt.Key_Down)  # the clerk is working: the two minutes start again
    clock.now += 60
    lock.check_idle()
    assert not lock.locked
    clock.now += 61
    lock.check_idle()
    assert lock.locked and window.centralWidget() is lock.main_screen
    type_password(qtbot, lock.main_screen, PASSWORD, lock)
    with sample_store.session() as session:
        service.change_idle_minutes(session, 0, PASSWORD)  # 0: only at start
    lock.reload()
    clock.now += 100_000
    lock.check_idle()
    assert not lock.locked and not lock.idle_timer.isActive()


def test_a_dialog_left_open_is_covered_keeps_what_was_typed_and_can_unlock(qtbot, locked_window, tmp_path):
    window, lock, _ = locked_window
    dialog = QDialog(window)
    dialog.setWindowTitle("党员信息：王某某")
    field = QLineEdit("已填写的内容")
    QVBoxLayout(dialog).addWidget(field)
    dialog.resize(300, 120)
    dialog.show()
    qtbot.waitExposed(dialog)
    lock.lock()
    cover = dialog.findChild(LockScreen)
    assert cover is not None and cover.isVisible() and cover.geometry() == dialog.rect()
    assert dialog.windowTitle() == LOCKED_TITLE and dialog.width() >= 380
    on_top = dialog.childAt(field.geometry().center())  # what is drawn where the field is: the lock screen
    assert on_top is cover or cover.isAncestorOf(on_top)
    dialog.grab().save(str(tmp_path / "covered.png"))
    QTest.keyClicks(field, "xyz")  # input to anything but a lock screen is swallowed while locked
    assert field.text() == "已填写的内容"
    dialog.resize(500, 300)
    assert cover.geometry() == dialog.rect()  # the cover follows the dialog
    type_password(qtbot, cover, PASSWORD, lock)
    assert not lock.locked and dialog.windowTitle() == "党员信息：王某某" and dialog.size().width() == 500
    assert field.text() == "已填写的内容" and (not shiboken6.isValid(cover) or not cover.isVisible())
    assert dialog.childAt(field.geometry().center()) is field
    QTest.keyClicks(field, "xyz")
    assert field.text() == "已填写的内容xyz"


def test_a_shortcut_does_nothing_while_locked(qtbot, locked_window):
    window, lock, _ = locked_window
    triggered = []
    action = window.data_actions[0]  # 备份到… (Ctrl+B)
    action.triggered.connect(lambda *_: triggered.append(True))
    lock.lock()
    window.activateWindow()
    QTest.keyClick(lock.main_screen.password, Qt.Key_B, Qt.ControlModifier)
    assert triggered == []


def test_a_window_opened_while_locked_is_covered_too(qtbot, locked_window):
    window, lock, _ = locked_window
    lock.lock()
    box = QMessageBox(QMessageBox.Information, "导入完成", "已导入 王某某 等 3 名党员", QMessageBox.Ok, window)
    box.setModal(False)
    box.show()
    qtbot.waitExposed(box)
    cover = box.findChild(LockScreen)
    assert cover is not None and cover.isVisible() and box.windowTitle() == LOCKED_TITLE
    type_password(qtbot, cover, PASSWORD, lock)
    assert not lock.locked and box.windowTitle() == "导入完成"
    box.close()


def test_the_password_is_asked_at_start_before_any_data_is_shown(qtbot, sample_store, data_folder):
    set_password(sample_store)
    sample_store.dispose()
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    app_module.start(window)
    qtbot.waitUntil(lambda: getattr(window, "app_lock", None) is not None and window.app_lock.locked, timeout=10000)
    lock = window.app_lock
    assert window.context is None and window.centralWidget() is lock.main_screen  # nothing attached yet
    assert window.windowTitle() == LOCKED_TITLE and not window.menuBar().isVisible()
    type_password(qtbot, lock.main_screen, PASSWORD, lock)
    qtbot.waitUntil(lambda: window.context is not None, timeout=10000)
    assert window.centralWidget() is window.tabs and "东湖村" in window.windowTitle()
    window.context.store.dispose()


def test_no_password_no_lock_at_start(qtbot, sample_store, data_folder):
    sample_store.dispose()
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    app_module.start(window)
    qtbot.waitUntil(lambda: window.context is not None, timeout=10000)
    assert not window.app_lock.locked and window.centralWidget() is window.tabs
    assert not window.app_lock.idle_timer.isActive()
    window.context.store.dispose()


def fill(dialog: PasswordDialog, current="", new="", repeated=None, minutes=None):
    dialog.current.setText(current)
    dialog.new.setText(new)
    dialog.repeated.setText(new if repeated is None else repeated)
    if minutes is not None:
        dialog.idle.setValue(minutes)


def test_the_password_dialog_sets_changes_and_removes_it(qtbot, store, data_folder):
    context = AppContext(store, data_folder)
    dialog = PasswordDialog(context)
    qtbot.addWidget(dialog)
    assert WHAT_IT_DOES in dialog.findChild(QLabel, "passwordNote").text()
    assert "不加密数据文件" in WHAT_IT_DOES and "命令行" in WHAT_IT_DOES
    assert not dialog.remove_button.isVisibleTo(dialog) and not dialog.current.isVisibleTo(dialog)
    assert dialog.idle.value() == 15
    fill(dialog, new="abcdef", repeated="abcdeg")
    dialog.accept()
    assert dialog.result() != QDialog.Accepted and "两次输入的新密码不一样" in dialog.problem.text()
    assert dialog.new.text() == "abcdef"  # kept as typed
    fill(dialog, new=PASSWORD, minutes=10)
    dialog.accept()
    assert dialog.result() == QDialog.Accepted
    with store.session() as session:
        assert service.verify(session, PASSWORD) and service.idle_minutes(session) == 10

    again = PasswordDialog(context)
    qtbot.addWidget(again)
    assert again.remove_button.isVisibleTo(again) and again.current.isVisibleTo(again)
    assert again.idle.value() == 10
    fill(again, current="不对的密码", new="newpass1")
    again.accept()
    assert again.result() != QDialog.Accepted and "当前密码不对" in again.problem.text()
    fill(again, current=PASSWORD, minutes=0)  # only the idle time
    again.accept()
    assert again.result() == QDialog.Accepted
    with store.session() as session:
        assert service.verify(session, PASSWORD) and service.idle_minutes(session) == 0

    last = PasswordDialog(context)
    qtbot.addWidget(last)
    assert last.idle.text() == "不自动锁定（只在打开程序时询问）"
    fill(last, current="")
    QTest.mouseClick(last.remove_button, Qt.LeftButton)
    assert not last.removed and "请先输入当前密码" in last.problem.text()
    fill(last, current=PASSWORD)
    QTest.mouseClick(last.remove_button, Qt.LeftButton)
    assert last.removed and last.result() == QDialog.Accepted
    with store.session() as session:
        assert not service.lock_settings(session).enabled


def test_the_settings_menu_opens_it_and_the_lock_follows(qtbot, sample_store, data_folder, monkeypatch):
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(sample_store, data_folder))
    (action,) = [a for m in (a.menu() for a in window.menuBar().actions()) if m.title() == "设置(&S)"
                 for a in m.actions() if a.text() == "程序密码…"]
    assert action.isEnabled()

    def fill_and_save(dialog):
        fill(dialog, new=PASSWORD, minutes=5)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(PasswordDialog, "exec", fill_and_save)
    action.trigger()
    lock = window.app_lock
    assert lock.settings == service.LockSettings(True, 5) and lock.idle_timer.isActive()
    assert window.dialogs.told[-1][1] == "程序密码" and "无人操作 5 分钟后" in window.dialogs.told[-1][2]
    lock.lock()
    assert window.centralWidget() is lock.main_screen
    lock.unlock()
    assert QApplication.instance() is not None
