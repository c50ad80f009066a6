"""Entry of the frozen build (PyInstaller): the same `reception-desk` command as the installed script."""

import sys

from reception_desk.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
