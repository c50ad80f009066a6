"""Backups: a consistent SQLite copy of the whole database, from SQLite or from PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import LargeBinary, Table, TableClause, column, select
from sqlalchemy import table as table_clause

from reception_desk.db.encrypted import EncryptedText
from reception_desk.db.engine import Database, sqlite_path
from reception_desk.db.migrate import backup_sqlite, current_revision, head_revision, upgrade_to_head
from reception_desk.db.models import Base
from reception_desk.errors import InvalidInputError

CHUNK = 2000


def backup(db: Database, target: Path, overwrite: bool = False) -> Path:
    """Write a backup to `target` (an SQLite file that the app opens like any other database)."""
    if target.exists() and not overwrite:
        raise InvalidInputError(f"备份文件 {target} 已存在；换一个文件名，或加 --force 覆盖。")
    if current_revision(db.engine) != head_revision():
        raise InvalidInputError("数据库版本不是最新，请先执行 reception-desk db upgrade。")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    source = sqlite_path(db.url)
    if source is not None:
        backup_sqlite(source, tmp)
    else:
        _copy_to_sqlite(db, tmp)
    tmp.replace(target)
    return target


def raw_table(table: Table) -> TableClause:
    """A table's columns by their stored names and types: encrypted columns as the bytes they hold."""
    return table_clause(
        table.name,
        *[column(c.name, LargeBinary() if isinstance(c.type, EncryptedText) else c.type) for c in table.columns],
    )


def _copy_to_sqlite(db: Database, file: Path) -> None:
    out = Database(f"sqlite:///{file}")
    try:
        upgrade_to_head(out.engine)
        # one snapshot of every table, so the copy is consistent while the desk goes on working
        snapshot = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot as src, out.engine.begin() as dst:
            for table in reversed(Base.metadata.sorted_tables):
                dst.execute(table.delete())  # what the migrations seeded (the holiday calendar) comes from the source
            for table in Base.metadata.sorted_tables:
                raw = raw_table(table)  # encrypted columns copied as they are stored: no key needed, none exposed
                result = src.execution_options(stream_results=True).execute(select(raw))
                while rows := result.mappings().fetchmany(CHUNK):
                    dst.execute(raw.insert(), [dict(r) for r in rows])
    finally:
        out.dispose()  # the last connection to close folds the WAL into the file
