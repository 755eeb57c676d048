"""python -m partybuild_desktop: no command starts the window; a command runs headless."""

import sys

from partybuild_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
