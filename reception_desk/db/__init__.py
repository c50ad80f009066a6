"""Storage: SQLAlchemy models, the engine factory and Alembic migrations. No Qt here."""

# These two live here, not in engine.py, so the window's first paint and the CLI's --help need no SQLAlchemy.
from __future__ import annotations

from pathlib import Path

ENV_VAR = "RECEPTION_DESK_DB"  # the database URL when --db is not given
APP_NAME = "reception-desk"


def data_dir() -> Path:
    """The user data folder (created on first use, owner-only: 0700 on Linux and macOS)."""
    import platformdirs

    from reception_desk.private_files import private_dir

    return private_dir(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))
