"""The SQLite name full-text table (from migration 0002, without the phone since 0008) and its triggers.

`visitor_name_fts` is contentless, one token per character of the name, so a phrase query finds a name fragment of
any length. Not in the SQLAlchemy metadata (virtual tables cannot be); a migration that rebuilds `visitor` in batch
mode must call create_name_search() again.
"""

from __future__ import annotations

import sqlalchemy as sa

NAME_CHARS = 40  # characters of a name put in the name index (longer names: the rest is not searchable)
NAME_FTS = "visitor_name_fts"


def spaced_chars(column: str) -> str:
    """SQL that writes the characters of a name with spaces between them: 王学德 → '王 学 德'."""
    return "trim(" + " || ' ' || ".join(f"substr({column}, {i}, 1)" for i in range(1, NAME_CHARS + 1)) + ")"


def has_fts5(conn: sa.Connection) -> bool:
    """True when this SQLite has FTS5."""
    return bool(conn.exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar())


def create_name_search(conn: sa.Connection) -> None:
    """Create (or re-create) the name full-text table, its triggers and its first fill (SQLite with FTS5 only)."""
    if conn.dialect.name != "sqlite" or not has_fts5(conn):
        return
    new_chars, old_chars = spaced_chars("new.name"), spaced_chars("old.name")
    for trigger in ("ai", "ad", "au_phone", "au_name"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS visitor_search_{trigger}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {NAME_FTS}")
    for statement in (
        f"CREATE VIRTUAL TABLE {NAME_FTS} USING fts5(chars, content='', columnsize=0, tokenize='unicode61')",
        f"""CREATE TRIGGER visitor_search_ai AFTER INSERT ON visitor BEGIN
            INSERT INTO {NAME_FTS}(rowid, chars) VALUES (new.id, {new_chars});
        END""",
        f"""CREATE TRIGGER visitor_search_ad AFTER DELETE ON visitor BEGIN
            INSERT INTO {NAME_FTS}({NAME_FTS}, rowid, chars) VALUES ('delete', old.id, {old_chars});
        END""",
        f"""CREATE TRIGGER visitor_search_au_name AFTER UPDATE OF name ON visitor BEGIN
            INSERT INTO {NAME_FTS}({NAME_FTS}, rowid, chars) VALUES ('delete', old.id, {old_chars});
            INSERT INTO {NAME_FTS}(rowid, chars) VALUES (new.id, {new_chars});
        END""",
        f"INSERT INTO {NAME_FTS}(rowid, chars) SELECT id, {spaced_chars('name')} FROM visitor",
    ):
        conn.exec_driver_sql(statement)
