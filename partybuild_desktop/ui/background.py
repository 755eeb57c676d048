"""Long work off the GUI thread, with a progress dialog; the window never freezes."""

from __future__ import annotations

import gc
import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from partybuild_desktop.domain.errors import Refusal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside background work when the clerk pressed 取消."""


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]):
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as error:  # reported on the GUI thread
            if not isinstance(error, (Cancelled, Refusal)):
                log.exception("background job failed")
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)


_running: set[_Job] = set()  # jobs and their signals stay alive until they report


def _pause_garbage_collection() -> None:
    # Python's cyclic collector runs in whichever thread happens to allocate. Were it to run in a
    # worker, it could free Qt objects (a closed dialog, an old window) off the GUI thread, which
    # crashes Qt. So it waits while a job runs and catches up on the GUI thread afterwards.
    if not _running:
        gc.disable()


def _resume_garbage_collection() -> None:
    if not _running:
        gc.enable()
        gc.collect()


def run_in_background(
    parent: QWidget,
    label: str | None,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
) -> None:
    """Run ``work`` on the thread pool, behind a busy dialog when ``label`` is given, and call back
    on the GUI thread."""
    dialog = None
    if label:
        dialog = QProgressDialog(label, None, 0, 0, parent)
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(300)
    job = _Job(work)
    job.setAutoDelete(False)

    def report(callback, value):
        _running.discard(job)
        _resume_garbage_collection()
        if dialog is not None:
            dialog.close()
        callback(value)

    job.signals.finished.connect(lambda result: report(on_done, result), Qt.QueuedConnection)
    job.signals.failed.connect(lambda error: report(on_error, error), Qt.QueuedConnection)
    _pause_garbage_collection()
    _running.add(job)
    QThreadPool.globalInstance().start(job)
