"""The program password in the window: the lock screen, the idle lock and 设置 → 程序密码….

``AppLock`` belongs to the main window. When a password is set (``services.app_lock``) it asks for it
when the program starts, before any data is shown, and again after the set time without keyboard or
mouse input (an application event filter watches the input). Locking takes the window's central widget
out (the tabs are then not in the window at all), hides the menus and the status bar, names only the
program in the title, and lays a lock screen over every other open window (a dialog left open, the
manual, a progress dialog): each lock screen can unlock, so a modal dialog left open does not shut the
clerk out. While locked the filter lets keyboard and mouse reach the lock screens only, shortcuts
included. A dialog left open keeps what was typed in it.

Five wrong passwords in a row are free; after that each try waits, and each wait is twice the one before
(``services.app_lock.wait_after``), counted down by a QTimer so the window keeps responding. The check
itself (argon2id, a fifth of a second) runs on a worker thread.
"""

from __future__ import annotations

import time
from typing import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop import APP_NAME
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services import app_lock as service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.background import run_in_background
from partybuild_desktop.ui.checked import CheckedDialog, run_checked

# Said in the dialog and on the lock screen, plainly: what the password does and what it does not do.
WHAT_IT_DOES = (
    "程序密码只防止别人在这台电脑上打开本程序、查看台账；它不加密数据文件。"
    "能登录这台电脑的 Windows 账户，或者拿到数据文件、备份文件的人，不用这个密码也能读出其中的内容，"
    "命令行命令也不询问这个密码。数据文件要靠 Windows 账户的密码来保护：请给这台电脑的账户设好密码，"
    "离开时锁定电脑（Windows 键 + L），备份和 U 盘妥善保管。"
)
LOCKED_TITLE = f"{APP_NAME}（已锁定）"
IDLE_CHECK_MS = 5_000

# What counts as the clerk using the program, and what a locked window lets through to its lock screens only.
_ACTIVITY = {QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.MouseMove, QEvent.Wheel, QEvent.TouchBegin}
_INPUT = _ACTIVITY | {QEvent.KeyRelease, QEvent.ShortcutOverride, QEvent.Shortcut, QEvent.MouseButtonRelease,
                      QEvent.MouseButtonDblClick, QEvent.ContextMenu, QEvent.DragEnter, QEvent.DragMove,
                      QEvent.Drop, QEvent.TouchUpdate, QEvent.TouchEnd, QEvent.InputMethod}
_WATCHED = _INPUT | {QEvent.Show, QEvent.Resize, QEvent.ChildAdded, QEvent.WindowTitleChange}
_SMALLEST_COVERED = (380, 230)  # a dialog smaller than this grows while it is locked, so the form fits


class LockScreen(QFrame):
    """What a locked window shows: the program's name, a password field, 解锁, and what the lock is for.
    ``compact``: the smaller form laid over a dialog."""

    def __init__(self, lock: AppLock, compact: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.lock = lock
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)  # opaque: laid over a dialog, nothing of it shows through
        title = QLabel(f"{APP_NAME}已锁定")
        title.setObjectName("lockTitle")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;" if compact else "font-size: 20pt; font-weight: bold;")
        title.setAlignment(Qt.AlignCenter)
        hint = QLabel("请输入程序密码解锁。")
        hint.setAlignment(Qt.AlignCenter)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText("程序密码")
        self.password.setMaxLength(service.MAX_LENGTH)
        self.password.setMinimumWidth(200)
        self.password.returnPressed.connect(self.submit)
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00000;")
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.password)
        row.addWidget(self.unlock_button)
        row.addStretch()
        holder = QWidget()  # a column of a set width, so that the wrapped note gets the height it needs
        holder.setObjectName("lockPanel")
        if not compact:
            holder.setFixedWidth(600)
        panel = QVBoxLayout(holder)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(10)
        panel.addWidget(title)
        panel.addWidget(hint)
        panel.addLayout(row)
        panel.addWidget(self.message)
        if not compact:
            note = QLabel(WHAT_IT_DOES)
            note.setObjectName("lockNote")
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            quit_button = QPushButton("退出程序")
            quit_button.setObjectName("quitButton")
            quit_button.clicked.connect(QApplication.closeAllWindows)
            panel.addSpacing(16)
            panel.addWidget(note)
            panel.addLayout(_centred(quit_button))
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(_centred(holder))
        outer.addStretch(2 if not compact else 1)

    def submit(self) -> None:
        self.lock.try_unlock(self)

    def show_state(self, message: str, ready: bool) -> None:
        self.message.setText(message)
        self.password.setEnabled(ready)
        self.unlock_button.setEnabled(ready)
        if ready and self.isVisible():
            self.password.setFocus()


def _centred(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch()
    row.addWidget(widget)
    row.addStretch()
    return row


class _Cover:
    """A lock screen laid over one other window, with what to give back on unlocking."""

    def __init__(self, window: QWidget, screen: LockScreen):
        self.window, self.screen = window, screen
        self.title = window.windowTitle()
        self.size = window.size()
        self.grown_to = None  # the size it was given to fit the lock screen, if it was too small


class AppLock(QObject):
    """The main window's lock. ``store`` returns the open data file's store (it changes on a restore)."""

    locked_changed = Signal(bool)

    def __init__(self, window, store: Callable[[], object], clock: Callable[[], float] = time.monotonic):
        super().__init__(window)
        self.window = window
        self.store = store
        self.clock = clock
        self.settings = service.LockSettings(False, service.IDLE_DEFAULT)
        self.locked = False
        self.failures = 0  # wrong passwords in a row, in this run of the program
        self.wait_until = 0.0
        self.checking = False
        self.last_input = clock()
        self.main_screen: LockScreen | None = None
        self._vault: QWidget | None = None
        self._hidden_central: QWidget | None = None
        self._title = ""
        self._covers: list[_Cover] = []
        self._after_unlock: list[Callable[[], None]] = []
        self._filtering = False
        self.idle_timer = QTimer(self)
        self.idle_timer.timeout.connect(self.check_idle)
        self.wait_timer = QTimer(self)
        self.wait_timer.setInterval(1000)
        self.wait_timer.timeout.connect(self._show_wait)
        window.destroyed.connect(self._stop_filtering)

    @classmethod
    def of(cls, window, store: Callable[[], object] | None = None) -> AppLock:
        """The window's lock, made the first time it is asked for."""
        lock = getattr(window, "app_lock", None)
        if lock is None:
            lock = cls(window, store or (lambda: window.context.store))
            window.app_lock = lock
        return lock

    # --- settings -------------------------------------------------------------------------------
    def reload(self) -> service.LockSettings:
        """Read whether a password is set and the idle time (after 程序密码 was saved, or a restore)."""
        with self.store().session() as session:
            self.settings = service.lock_settings(session)
        if self.settings.enabled:
            self._start_filtering()
        elif not self.locked:
            self._stop_filtering()
        if self.settings.enabled and self.settings.idle_minutes:
            self.idle_timer.start(min(IDLE_CHECK_MS, self.settings.idle_minutes * 60_000))
        else:
            self.idle_timer.stop()
        return self.settings

    def ask_at_start(self, then: Callable[[], None]) -> None:
        """Before the data is shown: lock when a password is set, and call ``then`` once it is unlocked
        (at once when there is no password)."""
        if not self.reload().enabled:
            then()
            return
        self._after_unlock.append(then)
        self.lock()

    # --- locking --------------------------------------------------------------------------------
    def check_idle(self) -> None:
        """Lock when nobody has touched keyboard or mouse for the set time."""
        minutes = self.settings.idle_minutes
        if self.locked or not self.settings.enabled or not minutes:
            return
        if self.clock() - self.last_input >= minutes * 60:
            self.lock()

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self._start_filtering()
        while (popup := QApplication.activePopupWidget()) is not None:  # an open menu or list
            popup.close()
        window = self.window
        if self.main_screen is None:
            self.main_screen = LockScreen(self)
            self._vault = QWidget(window)  # never shown: holds the data's widgets while locked
            self._vault.hide()
        self._hidden_central = window.takeCentralWidget()
        if self._hidden_central is not None:
            self._hidden_central.setParent(self._vault)
        window.setCentralWidget(self.main_screen)
        self.main_screen.show()
        window.menuBar().hide()
        window.statusBar().hide()
        self._title = window.windowTitle()
        window.setWindowTitle(LOCKED_TITLE)
        for other in QApplication.topLevelWidgets():
            if other is not window and other.isVisible():
                self._cover(other)
        self._show_state(self._ready_message())
        self._focus()
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False  # first, so that the titles given back below are let through
        for cover in self._covers:
            if shiboken6.isValid(cover.window):
                cover.screen.hide()
                cover.screen.deleteLater()
                cover.window.setWindowTitle(cover.title)
                if cover.grown_to is not None and cover.window.size() == cover.grown_to:
                    cover.window.resize(cover.size)  # as it was, unless it was resized meanwhile
        self._covers.clear()
        window = self.window
        window.takeCentralWidget().setParent(self._vault)  # the lock screen, kept for next time
        if self._hidden_central is not None:
            window.setCentralWidget(self._hidden_central)
            if window.isVisible():
                self._hidden_central.show()  # at once, not on the next pass of the event loop
            self._hidden_central = None
        window.menuBar().show()
        window.statusBar().show()
        window.setWindowTitle(self._title)
        self.last_input = self.clock()
        if not self.settings.enabled:
            self._stop_filtering()
        self.locked_changed.emit(False)
        waiting, self._after_unlock = self._after_unlock, []
        for then in waiting:
            then()

    @property
    def screens(self) -> list[LockScreen]:
        found = [self.main_screen] if self.main_screen is not None and self.locked else []
        return found + [c.screen for c in self._covers if shiboken6.isValid(c.window)]

    def _cover(self, other: QWidget) -> None:
        if other.windowType() not in (Qt.Window, Qt.Dialog, Qt.Sheet, Qt.Tool) or isinstance(other, LockScreen):
            return
        if any(c.window is other for c in self._covers):
            return
        screen = LockScreen(self, compact=True, parent=other)
        cover = _Cover(other, screen)
        self._covers.append(cover)
        other.destroyed.connect(lambda *_: self._forget(cover))
        other.setWindowTitle(LOCKED_TITLE)
        width, height = _SMALLEST_COVERED
        if other.width() < width or other.height() < height:
            other.resize(max(other.width(), width), max(other.height(), height))
            cover.grown_to = other.size()
        screen.setGeometry(other.rect())
        screen.show()
        screen.raise_()
        screen.show_state(self._ready_message(), self._ready())

    def _forget(self, cover: _Cover) -> None:
        if cover in self._covers:
            self._covers.remove(cover)

    def _focus(self) -> None:
        modal = QApplication.activeModalWidget()
        for cover in self._covers:
            if cover.window is modal:
                cover.screen.password.setFocus()
                return
        if self.main_screen is not None:
            self.main_screen.password.setFocus()

    # --- the password ---------------------------------------------------------------------------
    def try_unlock(self, screen: LockScreen) -> None:
        """Check what was typed on ``screen`` (on a worker thread); unlock, or count a wrong try."""
        if not self.locked or self.checking or not self._ready():
            return
        password = screen.password.text()
        screen.password.clear()
        if not password:
            screen.show_state("请输入程序密码。", True)
            return
        with self.store().session() as session:
            stored = service.password_hash(session)
        if stored is None:  # the password was removed meanwhile (a backup without one was restored)
            self.reload()
            self.unlock()
            return
        self.checking = True
        self._show_state("正在核对密码…", ready=False)
        run_in_background(self.window, None, lambda: service.matches(stored, password), self._checked,
                          lambda _error: self._checked(False))

    def _checked(self, right: bool) -> None:
        self.checking = False
        if right:
            self.failures = 0
            self.unlock()
            return
        self.failures += 1
        wait = service.wait_after(self.failures)
        if wait:
            self.wait_until = self.clock() + wait
            self.wait_timer.start()
            self._show_wait()
            return
        left = service.FREE_TRIES - self.failures
        warn = f"再错 {left} 次就要等一会儿才能再试。" if left <= 2 else ""
        self._show_state(f"密码不对（已连续输错 {self.failures} 次）。{warn}")

    def _ready(self) -> bool:
        return not self.checking and self.clock() >= self.wait_until

    def _ready_message(self) -> str:
        return "" if self._ready() or self.checking else self._wait_message()

    def _wait_message(self) -> str:
        left = max(0, int(self.wait_until - self.clock() + 0.999))
        return (f"密码已连续输错 {self.failures} 次，请 {left // 60}:{left % 60:02d} 后再试"
                f"（每多错一次，等待的时间加倍）。")

    def _show_wait(self) -> None:
        if self._ready():
            self.wait_timer.stop()
            self._show_state("可以再试了。")
        else:
            self._show_state(self._wait_message(), ready=False)

    def _show_state(self, message: str, ready: bool | None = None) -> None:
        ready = self._ready() if ready is None else ready
        for screen in self.screens:
            screen.show_state(message, ready)

    # --- the event filter -----------------------------------------------------------------------
    def _start_filtering(self) -> None:
        if not self._filtering:
            QApplication.instance().installEventFilter(self)
            self._filtering = True

    def _stop_filtering(self, *_) -> None:
        if self._filtering:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._filtering = False

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind not in _WATCHED:
            return False
        if not self.locked:
            if kind in _ACTIVITY:
                self.last_input = self.clock()
            return False
        if kind in _INPUT:
            return not _on_lock_screen(watched)  # swallowed unless it is for a lock screen
        if not isinstance(watched, QWidget) or isinstance(watched, LockScreen):
            return False
        if kind == QEvent.Show and watched.isWindow() and watched is not self.window:
            self._cover(watched)  # a window opened while locked (a message at the end of background work)
        elif kind == QEvent.Resize:
            for cover in self._covers:
                if cover.window is watched:
                    cover.screen.setGeometry(watched.rect())
        elif kind == QEvent.ChildAdded:
            for cover in self._covers:
                if cover.window is watched:
                    QTimer.singleShot(0, lambda s=cover.screen: shiboken6.isValid(s) and s.raise_())
        elif kind == QEvent.WindowTitleChange and watched.isWindow() and watched.windowTitle() != LOCKED_TITLE:
            # A title set while locked (the village's name after a change) is given back on unlocking;
            # a window not shown yet keeps its own until it is (and covered).
            if watched is self.window:
                self._title = watched.windowTitle()
                watched.setWindowTitle(LOCKED_TITLE)
            for cover in self._covers:
                if cover.window is watched:
                    cover.title = watched.windowTitle()
                    watched.setWindowTitle(LOCKED_TITLE)
        return False


def _on_lock_screen(watched) -> bool:
    """Whether an input event is for a lock screen (or for a window, which hands it on to a widget)."""
    if not isinstance(watched, QWidget):
        from PySide6.QtGui import QWindow

        return isinstance(watched, QWindow)
    widget = watched
    while widget is not None:
        if isinstance(widget, LockScreen):
            return True
        widget = widget.parentWidget()
    return False


# ------------------------------------------------------------------------------ 设置 → 程序密码…


class PasswordDialog(CheckedDialog):
    """设置 → 程序密码: set, change or remove the password, and how long the window may stay untouched."""

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self.context = context
        self.setObjectName("passwordDialog")
        self.setWindowTitle("程序密码")
        self.setWindowModality(Qt.WindowModal)
        self.removed = False
        with context.store.session() as session:
            settings = service.lock_settings(session)
        self.has_password = settings.enabled
        note = QLabel(WHAT_IT_DOES)
        note.setObjectName("passwordNote")
        note.setWordWrap(True)
        state = QLabel("现在：已设置程序密码，打开程序时和一段时间无人操作后要输入它。" if self.has_password
                       else "现在：没有设置程序密码，打开程序不需要密码。")
        state.setObjectName("passwordState")
        state.setStyleSheet("font-weight: bold;")
        self.current = self._password_field("currentPassword", "当前的程序密码")
        self.new = self._password_field("newPassword", "不改密码就空着" if self.has_password
                                        else f"至少 {service.MIN_LENGTH} 个字符")
        self.repeated = self._password_field("repeatedPassword", "再输一次新密码")
        self.idle = QSpinBox()
        self.idle.setObjectName("idleMinutes")
        self.idle.setRange(0, service.IDLE_MAX)
        self.idle.setSuffix(" 分钟")
        self.idle.setSpecialValueText("不自动锁定（只在打开程序时询问）")
        self.idle.setValue(settings.idle_minutes)
        self.idle.setMinimumWidth(260)
        form = QFormLayout()
        if self.has_password:
            form.addRow("当前密码 *", self.current)
        form.addRow("新密码" if self.has_password else "新密码 *", self.new)
        form.addRow("再输一次" if self.has_password else "再输一次 *", self.repeated)
        form.addRow("无人操作多久后锁定", self.idle)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("保存")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.remove_button = QPushButton("取消程序密码")
        self.remove_button.setObjectName("removePassword")
        self.remove_button.setToolTip("输入当前密码后，打开程序不再需要密码")
        self.remove_button.clicked.connect(self.remove)
        self.remove_button.setVisible(self.has_password)
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addStretch()
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(state)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(row)
        self.setMinimumWidth(560)
        (self.current if self.has_password else self.new).setFocus()

    def _password_field(self, name: str, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.Password)
        field.setPlaceholderText(placeholder)
        field.setMaxLength(service.MAX_LENGTH + 1)  # one over, so that too long is said rather than cut
        return field

    def check(self) -> None:
        current, new, repeated, minutes = self.current.text(), self.new.text(), self.repeated.text(), self.idle.value()
        if self.has_password and not (new or repeated):
            run_checked(self, "修改程序自动锁定时间",
                        lambda s: service.change_idle_minutes(s, minutes, current), Change.SETTINGS)
            return
        title = "修改程序密码" if self.has_password else "设置程序密码"
        run_checked(self, title, lambda s: service.set_password(s, new, repeated, current or None, minutes),
                    Change.SETTINGS)

    def remove(self) -> None:
        current = self.current.text()
        try:
            run_checked(self, "取消程序密码", lambda s: service.remove_password(s, current), Change.SETTINGS)
        except Refusal as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.removed = True
        super().accept()


def open_password_dialog(window) -> None:
    """设置 → 程序密码…: the dialog, then the window's lock follows what was saved."""
    dialog = PasswordDialog(window.context, window)
    if not dialog.exec():
        return
    settings = AppLock.of(window).reload()
    if dialog.removed:
        window.dialogs.info("程序密码", "已取消程序密码。打开程序不再需要密码。")
        return
    when = (f"无人操作 {settings.idle_minutes} 分钟后" if settings.idle_minutes else "")
    window.dialogs.info("程序密码", f"已保存。以后打开程序时{'和' + when if when else ''}要输入程序密码。"
                        "请记住这个密码：忘记时只能请技术人员处理。")
