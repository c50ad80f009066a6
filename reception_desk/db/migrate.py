"""Bring a database to the newest schema with Alembic, backing an SQLite file up first."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from reception_desk.db.engine import sqlite_path
from reception_desk.domain import office_time
from reception_desk.private_files import create_private
from reception_desk.resources import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision, so that a start-up on an up-to-date database need not load Alembic (~0.12 s).
# tests/test_storage.py checks it against the migration scripts.
HEAD = "0008_encrypted_personal_data"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (in a checkout, a wheel or a frozen build)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision the code knows."""
    return HEAD


def script_head_revision() -> str:
    """The newest revision as the migration scripts say (loads Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite file (the online backup API, safe while others use it), owner-only (0600)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    create_private(target)  # the copy holds what the database holds: 0600 before a byte is written
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
        stamp = office_time.now_local().strftime("%Y%m%d-%H%M%S")  # the office's clock, as the user reads it
        backup = backup_sqlite(path, path.with_name(f"{path.stem}.before-{current[:12]}-{stamp}.sqlite3"))
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    if current is not None:
        purge_freed_pages(engine)
    if backup is not None and current is not None and current[:4].isdigit() and int(current[:4]) < 8:
        # the copy was taken before 0008 encrypted the IDs and phones: it is kept encrypted under the new data key
        from reception_desk.services.backup import seal_pre_upgrade_backup

        backup = seal_pre_upgrade_backup(engine, backup)
    return backup


def purge_freed_pages(engine: Engine) -> None:
    """Leave no copy of removed data in the database's files: SQLite is rewritten (VACUUM, WAL truncated);
    PostgreSQL's visitor table is rewritten (VACUUM FULL), so dead rows with clear numbers are gone."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM FULL visitor")
