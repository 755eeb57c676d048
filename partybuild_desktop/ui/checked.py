"""A dialog that checks what was typed before it closes, and stays open with it when something is wrong."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services.changes import Change


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


class CheckedFormDialog(CheckedDialog):
    """A CheckedDialog of labelled rows: the subclass adds its rows to ``form``, then calls ``finish()`` for
    the problem line and OK/Cancel; ``saved`` holds what the check kept (None until then)."""

    def __init__(self, title: str, context, parent=None, width: int = 480):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(width)
        self.context = context
        self.saved = None
        self.form = QFormLayout(self)

    def finish(self) -> None:
        self.form.addRow(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form.addRow(self.buttons)


class NumberSettingDialog(CheckedFormDialog):
    """One number of the settings: what it means, a labelled spin box (``number``), and on OK
    ``save(session, value)`` as one operation announcing SETTINGS; ``saved`` is then the value."""

    def __init__(self, context, title: str, explanation: str, label: str, value: int, bounds: tuple[int, int],
                 suffix: str, name: str, operation: str, save, parent=None, width: int = 480, wrap: bool = False):
        super().__init__(title, context, parent, width)
        self.operation, self.save = operation, save
        self.number = QSpinBox()
        self.number.setObjectName(name)
        self.number.setRange(*bounds)
        self.number.setValue(value)
        self.number.setSuffix(suffix)
        text = QLabel(explanation)
        text.setWordWrap(wrap)
        self.form.addRow(text)
        self.form.addRow(label, self.number)
        self.finish()

    def check(self) -> bool | None:
        value, save = self.number.value(), self.save
        run_checked(self, self.operation, lambda s: save(s, value), Change.SETTINGS)
        self.saved = value
        return None
