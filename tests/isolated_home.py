"""The test session's own HOME and XDG folders, so no test writes into the real home (Qt's QtProject.conf,
our QSettings, the log and the default database in the data folder). Set up before any Qt import."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR")
REAL_HOME_VAR = "RECEPTION_DESK_TEST_REAL_HOME"


def isolate() -> Path:
    """Point HOME and the XDG folders at a fresh folder for this process and its children; returns it."""
    if REAL_HOME_VAR in os.environ:  # already done (a nested pytest): keep the outer one's folders
        return Path(os.environ["HOME"])
    os.environ[REAL_HOME_VAR] = os.environ.get("HOME", str(Path.home()))
    home = Path(tempfile.mkdtemp(prefix="reception-desk-test-home-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["HOME"] = str(home)
    for var, sub in zip(XDG, (".config", ".local/share", ".cache", ".local/state", "run"), strict=True):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(path)
    (home / "run").chmod(0o700)  # Qt refuses a runtime folder others can read
    return home


def real_home() -> Path:
    """The user's home as it was before the session isolated it."""
    return Path(os.environ.get(REAL_HOME_VAR, str(Path.home())))
