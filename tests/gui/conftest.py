"""What the GUI tests share."""

import pytest


class ScriptedDialogs:
    """Answers the window's questions from a script and records what it was told."""

    def __init__(self, save=None, open_=None, confirm=True, folder=None):
        self.save, self.open_, self.answer, self.folder = save, open_, confirm, folder
        self.told = []

    def info(self, title, text):
        self.told.append(("info", title, text))

    def error(self, title, text):
        self.told.append(("error", title, text))

    def confirm(self, title, text):
        self.told.append(("confirm", title, text))
        return self.answer

    def save_file(self, title, suggested, filters):
        return self.save

    def open_file(self, title, folder, filters):
        return self.open_

    def choose_folder(self, title, folder):
        return self.folder

    def exported(self, title, path, notes=""):
        self.told.append(("exported", title, str(path), notes))


def shown_tab(qtbot, tab_class, store, folder, today=None, dialogs=None):
    """A tab of the window on its own, shown, over ``store``, as its tests drive it."""
    from partybuild_desktop.ui.context import AppContext
    from tests.helpers import SAMPLE_TODAY

    widget = tab_class(AppContext(store, folder), dialogs or ScriptedDialogs(), today=today or SAMPLE_TODAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def window_for(qtbot, data_folder):
    """The main window shown with ``store`` attached, answering from ``dialogs``."""
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow

    def make(store, dialogs=None):
        window = MainWindow(data_folder, dialogs or ScriptedDialogs())
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.attach(AppContext(store, data_folder))
        return window

    return make
