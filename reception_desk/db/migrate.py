"""Bring a database to the newest schema with Alembic, backing an SQLite file up first."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from reception_desk.db.engine import sqlite_path

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite file (the online backup API, safe while others use it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade_to_head(engine: Engine) -> Path | None:
    """Migrate to head. For an SQLite file that already holds data at an older revision, back it up first.

    Returns the backup file, if one was made.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    backup: Path | None = None
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if current is not None and path is not None and path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backup_sqlite(path, path.with_name(f"{path.stem}.before-{current[:12]}-{stamp}.sqlite3"))
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup
