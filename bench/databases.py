"""The databases a benchmark runs on: a fresh SQLite file, and a throw-away PostgreSQL schema dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from reception_desk.db.engine import Database, make_engine


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A new schema on the PostgreSQL server at url, dropped with everything in it when the block ends."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def in_schema(url: str, schema: str) -> Database:
    """A Database whose connections work inside the schema (one per laptop when a bench plays several)."""
    return Database(engine=make_engine(url, connect_args={"options": f"-csearch_path={schema}"}))


def each_database(pg_url: str | None) -> Iterator[tuple[Database, str]]:
    """(database, label): a fresh SQLite file, then a fresh PostgreSQL schema when pg_url is given; each disposed."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            yield db, "SQLite"
        finally:
            db.dispose()
    if pg_url:
        with pg_schema(pg_url) as schema:
            db = in_schema(pg_url, schema)
            try:
                yield db, "PostgreSQL"
            finally:
                db.dispose()
