"""Long work off the GUI thread, with a progress dialog; the window never freezes."""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)


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
            log.exception("background job failed")
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)


def run_in_background(
    parent: QWidget,
    label: str,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
) -> QProgressDialog:
    """Run ``work`` on the thread pool behind a busy dialog; call back on the GUI thread."""
    dialog = QProgressDialog(label, None, 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setMinimumDuration(300)
    job = _Job(work)

    def finish(result):
        dialog.close()
        on_done(result)

    def fail(error):
        dialog.close()
        on_error(error)

    job.signals.finished.connect(finish, Qt.QueuedConnection)
    job.signals.failed.connect(fail, Qt.QueuedConnection)
    dialog._job = job  # keep the job and its signals alive until it reports
    QThreadPool.globalInstance().start(job)
    return dialog
