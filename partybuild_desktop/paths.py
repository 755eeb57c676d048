"""Where the data lives: the user data folder, overridable for tests and the CLI."""

from __future__ import annotations

import logging
import os
from pathlib import Path

ENV_DATA_DIR = "PARTYBUILD_DATA_DIR"
LOG_FILE_NAME = "partybuild.log"  # the same as logs.LOG_FILE_NAME
DATA_FILE_NAME = "partybuild.sqlite3"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """``--data-dir`` first, then ``PARTYBUILD_DATA_DIR``, then the platform's user data folder."""
    if override:
        chosen = Path(override)
    elif os.environ.get(ENV_DATA_DIR):
        chosen = Path(os.environ[ENV_DATA_DIR])
    else:
        import platformdirs

        chosen = Path(platformdirs.user_data_dir("PartyBuildDesktop", appauthor=False))
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def data_file(folder: Path) -> Path:
    return folder / DATA_FILE_NAME


def backup_dir(folder: Path) -> Path:
    return folder / "backups"


def setup_logging(folder: Path, level: int = logging.INFO) -> Path:
    """A rotating log file in the data folder (1 MB × 5), private to its owner, that never holds SQL,
    its parameters, ID numbers or phone numbers (``partybuild_desktop.logs``)."""
    from partybuild_desktop.logs import setup_logging as setup

    return setup(folder, level)
