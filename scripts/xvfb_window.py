"""Show the app in a real X window (xcb) and capture the X screen. Run it under Xvfb:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/xvfb_window.py OUT.png [--db FILE]

Exits 0 once the window was mapped, painted and captured; the capture is what the X server shows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def main() -> int:
    """Make a demo day if no database is given, open the window on xcb, grab the X screen, quit."""
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    # a demo database has the demo's users: log in as its admin without the dialog
    os.environ.setdefault("RECEPTION_DESK_USER", "admin")
    os.environ.setdefault("RECEPTION_DESK_PASSWORD", "demo")
    from reception_desk.cli.main import main as cli
    from reception_desk.ui.app import run_gui

    db = args.db
    if db is None:
        db = str(Path(tempfile.mkdtemp()) / "xvfb-demo.sqlite3")
        if cli(["--db", db, "demo"]) != 0:
            return 1
    captured: dict[str, Any] = {}

    def grab(window: Any) -> None:
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
        captured["platform"] = QGuiApplication.platformName()
        captured["mapped"] = window.isVisible() and window.windowHandle() is not None
        captured["saved"] = screen.grabWindow(0).save(str(args.out))

    code = run_gui(db, None, "xvfb", quit_when_ready=True, on_ready=grab)
    print(f"platform={captured.get('platform')} mapped={captured.get('mapped')} saved={captured.get('saved')}")
    return 0 if code == 0 and captured.get("saved") and captured.get("platform") == "xcb" else 1


if __name__ == "__main__":
    sys.exit(main())
