"""Office settings kept in a small JSON file beside the database in the user data folder (no Qt, no SQLAlchemy).

The CLI and the app read the same file, so a printout made from the command line and one made in the app agree.
Today it holds the office's time zone; an environment variable wins over the file (a test, a kiosk, a server).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reception_desk import files

SETTINGS_FILE = "office-settings.json"


def settings_path() -> Path:
    """The settings file in the user data folder."""
    from reception_desk.db import data_dir  # a light module: pathlib and platformdirs only

    return data_dir() / SETTINGS_FILE


def load() -> dict[str, Any]:
    """The saved settings ({} when none are saved or the file cannot be read)."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(**values: Any) -> Path:
    """Store these settings (merged with the saved ones; None removes one); returns the file."""
    data = load()
    for key, value in values.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = settings_path()
    files.write_bytes(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    return path
