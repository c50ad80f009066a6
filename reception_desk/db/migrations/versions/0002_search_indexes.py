"""search indexes for the pre-registration list

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

What the search as you type needs to stay fast over 100,000 people (reception_desk/services/search.py,
bench/bench_search.py):

- `ix_batch_day_order`: the day's batches in registration number order (X before Y, Y9999 before Y10000),
  covering the columns the filters test, so the whole list or a filtered one comes from the index alone;
- `ix_batch_member_visitor_batch`: person → batch without reading the member rows;
- `ix_visitor_id_tail`: the last four characters of the resident ID (SQLite `substr(id_number, -4)`,
  PostgreSQL `right(id_number, 4)`; the search writes the same expression with literal numbers, or the
  index is not used);
- SQLite only, two FTS5 tables kept in step with `visitor` by triggers (bulk imports go through them too):
  `visitor_phone_fts` (trigram tokenizer, phone fragments of 3+ digits) and `visitor_name_fts` (contentless,
  one token per character of the name, so a phrase query finds a name fragment of any length, 1-2 characters
  included, which the trigram tokenizer of SQLite 3.40 cannot). Skipped when SQLite lacks FTS5 or the
  trigram tokenizer (before 3.34): the search then scans.

None of these is in the SQLAlchemy metadata (expression indexes and virtual tables cannot be). A later
migration that rebuilds `visitor` or `batch` in batch mode (SQLite "move and copy") drops the triggers and
indexes of the old table: call `create_search_structures()` of this module again there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NAME_CHARS = 40  # characters of a name put in the name index (longer names: the rest is not searchable)
PHONE_FTS = "visitor_phone_fts"
NAME_FTS = "visitor_name_fts"
INDEXES = {
    "ix_batch_day_order": "batch (day_id, substr(reg_no, 1, 1), length(reg_no), reg_no, headcount, status, "
    "theme_id, township)",
    "ix_batch_member_visitor_batch": "batch_member (visitor_id, batch_id)",
}
ID_TAIL_INDEX = "ix_visitor_id_tail"


def spaced_chars(column: str) -> str:
    """SQL that writes the characters of a name with spaces between them: 王学德 → '王 学 德'."""
    return "trim(" + " || ' ' || ".join(f"substr({column}, {i}, 1)" for i in range(1, NAME_CHARS + 1)) + ")"


def _sqlite_fts_statements() -> list[str]:
    new_chars, old_chars = spaced_chars("new.name"), spaced_chars("old.name")
    return [
        f"CREATE VIRTUAL TABLE {PHONE_FTS} USING fts5(phone, content='visitor', content_rowid='id', "
        "tokenize='trigram')",
        f"CREATE VIRTUAL TABLE {NAME_FTS} USING fts5(chars, content='', columnsize=0, tokenize='unicode61')",
        f"""CREATE TRIGGER visitor_search_ai AFTER INSERT ON visitor BEGIN
            INSERT INTO {PHONE_FTS}(rowid, phone) VALUES (new.id, new.phone);
            INSERT INTO {NAME_FTS}(rowid, chars) VALUES (new.id, {new_chars});
        END""",
        f"""CREATE TRIGGER visitor_search_ad AFTER DELETE ON visitor BEGIN
            INSERT INTO {PHONE_FTS}({PHONE_FTS}, rowid, phone) VALUES ('delete', old.id, old.phone);
            INSERT INTO {NAME_FTS}({NAME_FTS}, rowid, chars) VALUES ('delete', old.id, {old_chars});
        END""",
        f"""CREATE TRIGGER visitor_search_au_phone AFTER UPDATE OF phone ON visitor BEGIN
            INSERT INTO {PHONE_FTS}({PHONE_FTS}, rowid, phone) VALUES ('delete', old.id, old.phone);
            INSERT INTO {PHONE_FTS}(rowid, phone) VALUES (new.id, new.phone);
        END""",
        f"""CREATE TRIGGER visitor_search_au_name AFTER UPDATE OF name ON visitor BEGIN
            INSERT INTO {NAME_FTS}({NAME_FTS}, rowid, chars) VALUES ('delete', old.id, {old_chars});
            INSERT INTO {NAME_FTS}(rowid, chars) VALUES (new.id, {new_chars});
        END""",
        f"INSERT INTO {PHONE_FTS}({PHONE_FTS}) VALUES ('rebuild')",
        f"INSERT INTO {NAME_FTS}(rowid, chars) SELECT id, {spaced_chars('name')} FROM visitor",
    ]


def sqlite_has_trigram(conn: sa.Connection) -> bool:
    """True when this SQLite has FTS5 with the trigram tokenizer (3.34 and later)."""
    version = tuple(int(p) for p in str(conn.exec_driver_sql("SELECT sqlite_version()").scalar()).split("."))
    fts5 = conn.exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar()
    return bool(fts5) and version >= (3, 34)


def create_search_structures(conn: sa.Connection) -> None:
    """The indexes of this step, and on SQLite the full-text tables with their triggers and first fill."""
    for name, target in INDEXES.items():
        conn.exec_driver_sql(f"CREATE INDEX {name} ON {target}")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"CREATE INDEX {ID_TAIL_INDEX} ON visitor (substr(id_number, -4))")
        if sqlite_has_trigram(conn):
            for statement in _sqlite_fts_statements():
                conn.exec_driver_sql(statement)
    else:
        conn.exec_driver_sql(f"CREATE INDEX {ID_TAIL_INDEX} ON visitor (right(id_number, 4))")


def upgrade() -> None:
    """Apply this step."""
    create_search_structures(op.get_bind())


def downgrade() -> None:
    """Undo this step."""
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au_phone", "au_name"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS visitor_search_{trigger}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {PHONE_FTS}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {NAME_FTS}")
    for name in (*INDEXES, ID_TAIL_INDEX):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
