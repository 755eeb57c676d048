"""A dialog that checks what was typed before it closes, and stays open with it when something is wrong."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel

from partybuild_desktop.domain.errors import Refusal


class CheckedDialog(QDialog):
    """OK runs ``check()`` first. A Refusal it raises is shown in the dialog (``problem``, placed by the
    subclass), and the dialog stays open with everything as typed; so does a check that returns False
    (a save through the operation runner that was refused: the runner has already said why)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00000;")
        self.problem.hide()

    def check(self) -> bool | None:
        """Raise a Refusal, or return False, to keep the dialog open."""
        return None

    def accept(self) -> None:
        try:
            kept_open = self.check() is False
        except Refusal as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        if kept_open:
            self.problem.hide()
            return
        super().accept()


class Told:
    """The operation runner's ``dialogs`` while a dialog saves: a refusal is kept to be shown in the dialog."""

    def __init__(self):
        self.message = ""

    def error(self, title, text):
        self.message = text

    def info(self, title, text):
        self.message = text


def run_checked(dialog, title: str, work, changes, error: type[Refusal] = Refusal):
    """``work(session)`` as one operation of ``dialog.context``, announcing ``changes``; its value, or the
    runner's refusal raised again as ``error`` so that the CheckedDialog shows it and stays open."""
    told = Told()
    outcome = dialog.context.operations.run(title, work, changes, dialogs=told, initiator=dialog)
    if not outcome.ok:
        raise error(told.message or "没有保存。")
    return outcome.value
