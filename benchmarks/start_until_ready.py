"""Start the program as a clerk would and quit once the overview is painted with its data."""

import sys
from argparse import Namespace

from PySide6.QtWidgets import QApplication

from partybuild_desktop.app import run

sys.exit(run(Namespace(data_dir=sys.argv[1], exit_when_shown=False), on_ready=QApplication.quit))
