"""Shared fixtures. Qt runs offscreen; every test gets its own data folder."""

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("PARTYBUILD_DATA_DIR", None)

# Imported here on purpose: a missing Qt system library must fail the run, never skip GUI tests.
from PySide6 import QtWidgets  # noqa: E402,F401

import pytest  # noqa: E402

from partybuild_desktop.services.demo import generate  # noqa: E402
from partybuild_desktop.store.schema import open_store  # noqa: E402
from partybuild_desktop import paths  # noqa: E402
from tests.helpers import SAMPLE_TODAY, new_store  # noqa: E402,F401  (SAMPLE_TODAY: imported from here too)


@pytest.fixture
def data_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def store(data_folder):
    """An empty data file of this test's own, copied from the session's template."""
    opened = new_store(data_folder)
    yield opened
    opened.dispose()


@pytest.fixture(scope="session")
def sample_file(tmp_path_factory):
    """One small sample village, generated once; tests get their own copy."""
    folder = tmp_path_factory.mktemp("sample")
    opened = new_store(folder)
    with opened.session() as session:
        generate(session, villages=1, members=120, first_village="东湖村", seed=7, today=SAMPLE_TODAY)
    opened.engine.dispose()
    with opened.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    opened.dispose()
    return paths.data_file(folder)


@pytest.fixture
def sample_store(sample_file, data_folder):
    """A copy of the sample village in this test's own data folder."""
    target = paths.data_file(data_folder)
    shutil.copyfile(sample_file, target)
    opened = open_store(target, paths.backup_dir(data_folder))
    yield opened
    opened.dispose()


@pytest.fixture(autouse=True)
def empty_clipboard_after_each_test():
    """Qt's offscreen platform crashes at exit while the clipboard holds data (a real desktop does not),
    so what a test copied is cleared after it."""
    yield
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        QGuiApplication.clipboard().clear()
