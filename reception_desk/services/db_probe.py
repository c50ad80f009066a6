"""Connection test of a database address: server version and schema revision, read-only, no Qt."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from reception_desk.db.engine import make_engine, resolve_url, sqlite_path

PROBE_TIMEOUT_S = 3


@dataclass(frozen=True)
class ProbeResult:
    """What a connection test found: ok, or the kind of failure and its detail (translated by the page)."""

    ok: bool
    kind: str  # ok | missing_file | not_database | bad_url | unsupported | no_server | auth | no_database | timeout
    server: str = ""  # "SQLite 3.40.1", "PostgreSQL 15.4"
    revision: str | None = None  # the schema revision the database is at (None: empty database)
    head: str = ""  # the revision this program expects
    detail: str = ""


def _head() -> str:
    from reception_desk.db.migrate import head_revision

    return head_revision()


def _probe_sqlite(resolved: str, timeout_s: float) -> ProbeResult:
    path = sqlite_path(resolved)
    if path is None:
        return ProbeResult(False, "bad_url", detail=resolved)
    if not path.exists():
        return ProbeResult(False, "missing_file", detail=str(path))
    try:
        # read-only: a connection test must never create or change a file
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout_s)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            revision = None
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone():
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = str(row[0]) if row else None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return ProbeResult(False, "not_database", detail=f"{path}: {exc}")
    return ProbeResult(True, "ok", server=f"SQLite {sqlite3.sqlite_version}", revision=revision, head=_head())


def _classify(exc: BaseException) -> str:
    text = str(exc).lower()
    if "password" in text or "authentication" in text:
        return "auth"
    if "timeout" in text or "timed out" in text:
        return "timeout"
    if "does not exist" in text:
        return "no_database"
    if "refused" in text or "could not translate host" in text or "name or service" in text or "no route" in text:
        return "no_server"
    return "failed"


def probe_database(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> ProbeResult:
    """Try to connect (a few seconds at most) and read the server version and schema revision; no Qt, no writes."""
    try:
        resolved = resolve_url(url.strip())
        backend = make_url(resolved).get_backend_name()
    except Exception as exc:  # any parse failure is a malformed address
        return ProbeResult(False, "bad_url", detail=str(exc))
    if backend == "sqlite":
        return _probe_sqlite(resolved, timeout_s)
    if backend != "postgresql":
        return ProbeResult(False, "unsupported", detail=backend)
    try:
        engine = make_engine(resolved, poolclass=NullPool, connect_args={"connect_timeout": max(1, int(timeout_s))})
    except Exception as exc:
        return ProbeResult(False, "bad_url", detail=str(exc).splitlines()[0])
    try:
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
            revision = MigrationContext.configure(conn).get_current_revision()
        return ProbeResult(True, "ok", server=f"PostgreSQL {version}", revision=revision, head=_head())
    except Exception as exc:  # the server's answer, whatever it is, goes to the user
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return ProbeResult(False, _classify(exc), detail=detail[0] if detail else type(exc).__name__)
    finally:
        engine.dispose()
