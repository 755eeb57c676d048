"""What many tests share: fresh data files, the command line, ID numbers, villages, and file readers."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from partybuild_desktop import paths
from partybuild_desktop.store.schema import open_store

# --------------------------------------------------------------------------------------------- data files

_template: Path | None = None


def template_data_file() -> Path:
    """An empty data file at the current head, made by running every migration once per test session.

    Built at the first use in each session (never stored in the repository), so a migration added
    today is in it."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="partybuild-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        made = open_store(paths.data_file(folder))
        with made.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        made.dispose()
        _template = paths.data_file(folder)
    return _template


def new_data_file(folder: Path) -> Path:
    """A copy of the template as the data file of ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = paths.data_file(folder)
    shutil.copyfile(template_data_file(), target)
    return target


def new_store(folder: Path):
    """A new empty data file in ``folder``, opened the way the program opens one."""
    return open_store(new_data_file(folder), paths.backup_dir(folder))
