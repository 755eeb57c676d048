"""One way to run a change: one transaction, an audit row, then one broadcast of what changed.

``Operations.run`` does a quick change on the GUI thread; ``Operations.run_in_background`` does long
work (imports, demo data, consolidation) on a worker thread behind a progress dialog that shows real
progress and can be cancelled; ``Operations.query_in_background`` is the same for work that writes no
data (exports, reading files). A refused or failed operation changes nothing and says why in Chinese.

Screens listen to ``Operations.changed``: a visible one refreshes what the change touched, a hidden one
marks itself stale and refreshes when it is shown (``WatchesChanges``).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from partybuild_desktop import logs
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services import audit
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.background import Cancelled, run_in_background

log = logging.getLogger(__name__)

FAULT = logs.FAULT


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None
    cancelled: bool = False


def explain(error: BaseException) -> str:
    """What the clerk is told about a failed operation: the refusal's own words, a file or database
    problem in plain Chinese, anything else as a fault of the program; never SQL, values or English
    (``logs.failure_message``; the details go to the log only)."""
    return logs.failure_message(error)


def _kind_of(title: str) -> str:
    """An operation's title as the log may hold it: 登记入党申请人（张三） → 登记入党申请人 (names stay out)."""
    return re.split(r"[（(：:]", title, maxsplit=1)[0].strip() or "操作"


class Progress(QObject):
    """Handed to background work: ``report(done, total, text)`` and ``cancelled()``, both safe to call
    from the worker thread (the services take them as their ``progress`` and ``cancelled`` arguments)."""

    reported = Signal(int, int, str)

    def __init__(self):
        super().__init__()
        self._cancel = threading.Event()

    def report(self, done: int, total: int, text: str = "") -> None:
        self.reported.emit(int(done), int(total), text or "")

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Stop the work here when the clerk has cancelled."""
        if self._cancel.is_set():
            raise Cancelled()


class Operations(QObject):
    """The runner every write goes through. ``changed(Change, initiator)`` follows each commit."""

    changed = Signal(object, object)

    def __init__(self, context, parent: QObject | None = None):
        super().__init__(parent)
        self.context = context
        self.busy = False  # a background operation is running; a second one waits for the clerk to retry

    # --- quick changes --------------------------------------------------------------------------
    def run(self, title: str, work: Callable[[Any], Any], changes: Change, *, dialogs,
            initiator: object = None) -> Outcome:
        """``work(session)`` in one transaction with its audit row, on this thread; then the broadcast."""
        try:
            value = self._transaction(title, work, changes)
        except Exception as error:  # refused or failed: the transaction was rolled back
            self._report_failure(title, error, dialogs)
            return Outcome(False)
        self.changed.emit(changes, initiator)
        return Outcome(True, value)

    def _transaction(self, title: str, work, changes: Change, *progress: Progress):
        with self.context.store.session() as session:
            value = work(session, *progress)
            if progress and progress[0].cancelled():
                raise Cancelled()  # the work stopped early but returned: roll back what it did
            if changes:
                audit.record(session, title, changes)
        return value

    def announce(self, changes: Change, initiator: object = None) -> None:
        """Broadcast a change a service has committed by itself as part of its work (the quarter a
        return package was written for is recorded by the export)."""
        self.changed.emit(changes, initiator)

    # --- long work ------------------------------------------------------------------------------
    def run_in_background(self, title: str, work: Callable[[Any, Progress], Any], changes: Change, *,
                          dialogs, parent: QWidget, on_success: Callable[[Any], None] | None = None,
                          on_failure: Callable[[BaseException], None] | None = None, cancellable: bool = True,
                          label: str | None = None, initiator: object = None, own_transaction: bool = False,
                          on_cancel: Callable[[], None] | None = None) -> bool:
        """``work(session, progress)`` on a worker thread in one transaction, behind a progress dialog.
        Returns whether it started (not while another one runs). When the clerk cancels, nothing is
        saved, ``on_cancel`` is called instead of ``on_success`` and the clerk is told.

        ``own_transaction``: the service opens its transaction itself (and rolls it back when cancelled),
        so ``work(store, progress)`` gets a store whose first session commits with the audit row."""
        if own_transaction:
            def run(progress: Progress):
                return work(audit.AuditedStore(self.context.store, title, changes, progress.cancelled), progress)
        else:
            def run(progress: Progress):
                return self._transaction(title, work, changes, progress)
        return self._background(title, run, changes, dialogs, parent, on_success, on_failure, on_cancel, cancellable,
                                label, initiator)

    def query_in_background(self, title: str, work: Callable[[Progress], Any], *, dialogs, parent: QWidget,
                            on_success: Callable[[Any], None] | None = None,
                            on_failure: Callable[[BaseException], None] | None = None, cancellable: bool = True,
                            label: str | None = None, on_cancel: Callable[[], None] | None = None) -> bool:
        """``work(progress)`` on a worker thread, for work that changes no data (it manages any session it
        reads through itself); no audit row, no broadcast. Returns and cancels as ``run_in_background``."""
        return self._background(title, work, Change.NOTHING, dialogs, parent, on_success, on_failure, on_cancel,
                                cancellable, label, None)

    def _background(self, title, work, changes, dialogs, parent, on_success, on_failure, on_cancel, cancellable,
                    label, initiator) -> bool:
        if self.busy:
            dialogs.info(title, "另一项工作还在进行，请等它完成后再试。")
            return False
        progress = Progress()
        dialog = QProgressDialog(label or f"正在{title}…", "取消" if cancellable else None, 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if cancellable:
            dialog.canceled.connect(progress.cancel)
            dialog.canceled.connect(lambda: dialog.setLabelText("正在取消…"))

        def show_progress(done: int, total: int, text: str) -> None:
            if progress.cancelled():
                return
            if total > 0:
                dialog.setMaximum(total)
                dialog.setValue(min(done, total))
            if text:
                dialog.setLabelText(text)

        progress.reported.connect(show_progress, Qt.QueuedConnection)

        def finish() -> None:
            self.busy = False
            progress.reported.disconnect()
            if cancellable:
                dialog.canceled.disconnect()  # closing a progress dialog emits canceled()
            dialog.close()
            dialog.deleteLater()

        def cancelled() -> None:
            if on_cancel is not None:
                on_cancel()
            dialogs.info(title, "已取消，没有保存任何改动。" if changes else "已取消。")

        def done(value) -> None:
            finish()
            if progress.cancelled():  # the work stopped early and returned what it had
                cancelled()
                return
            if changes:
                self.changed.emit(changes, initiator)
            if on_success is not None:
                on_success(value)

        def failed(error: BaseException) -> None:
            finish()
            if isinstance(error, Cancelled) or progress.cancelled():
                cancelled()
            elif on_failure is not None:
                on_failure(error)
            else:
                self._report_failure(title, error, dialogs, logged=True)

        self.busy = True
        run_in_background(parent, None, lambda: work(progress), done, failed)
        return True

    def _report_failure(self, title: str, error: BaseException, dialogs, logged: bool = False) -> None:
        message = explain(error)
        if message in logs.FAULTS and not logged:  # by the log's formatter: no SQL, values or ID numbers
            log.error("operation %r failed", _kind_of(title), exc_info=(type(error), error, error.__traceback__))
        else:
            log.info("operation %r refused (%s)", _kind_of(title), type(error).__name__)
        dialogs.error(title, message)


class WatchesChanges:
    """For a screen: refresh on the changes it shows (``watches``), at once when it is visible, else
    when it is next shown. Call ``watch(operations)`` once built; the screen defines ``refresh()``."""

    watches: Change = Change.EVERYTHING
    _stale = False

    def watch(self, operations: Operations) -> None:
        operations.changed.connect(self._on_changed)

    def _on_changed(self, changes: Change, initiator) -> None:
        if not changes & self.watches:
            return
        if self._hidden_page():
            self._stale = True
        else:
            self.refresh()

    def _hidden_page(self) -> bool:
        # A page of a shown window that is not on screen (another tab is current) waits until shown;
        # a screen outside any shown window (a test, a dialog being built) refreshes at once.
        return self.window().isVisible() and not self.isVisible()

    def refresh_if_stale(self) -> None:
        if self._stale:
            self._stale = False
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.refresh_if_stale()
