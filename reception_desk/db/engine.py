"""One engine factory: SQLite in the user data folder by default, PostgreSQL (psycopg 3) by URL."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from reception_desk.db import APP_NAME as APP_NAME  # re-exported: callers import these from here too
from reception_desk.db import ENV_VAR as ENV_VAR
from reception_desk.db import change_feed
from reception_desk.db import data_dir as data_dir
from reception_desk.errors import ConnectionLostError, DatabaseBusyError, StaleWriteError
from reception_desk.privacy import unlocked
from reception_desk.privacy.vault import DataLockedError
from reception_desk.private_files import create_private, owner_only

BUSY_TIMEOUT_VAR = "RECEPTION_DESK_BUSY_TIMEOUT"
BUSY_TIMEOUT_SECONDS = 30.0  # two imports of 10,000 rows ahead of a third take about this long on a laptop


def busy_timeout_seconds() -> float:
    """How long an SQLite write waits for another writer's lock: $RECEPTION_DESK_BUSY_TIMEOUT seconds, else 30."""
    text = os.environ.get(BUSY_TIMEOUT_VAR, "").strip()
    try:
        value = float(text) if text else BUSY_TIMEOUT_SECONDS
    except ValueError:
        return BUSY_TIMEOUT_SECONDS
    return value if value >= 0 else BUSY_TIMEOUT_SECONDS


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked": another writer held the lock longer than the busy timeout."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    return getattr(orig, "sqlite_errorname", "").startswith("SQLITE_BUSY") or "database is locked" in str(orig)


BUSY_MESSAGE = (
    "数据库正忙：另一台电脑或另一个程序正在写入，等待超时，本次操作未执行。请稍后再试"
    f"（等待时间可用环境变量 {BUSY_TIMEOUT_VAR} 设置，单位为秒）。"
)


LOCK_TIMEOUT_VAR = "RECEPTION_DESK_LOCK_TIMEOUT"
LOCK_TIMEOUT_SECONDS = 5.0  # a desk waits this long for a row another laptop holds, then is told to retry


def lock_timeout_seconds() -> float:
    """How long a PostgreSQL statement waits for a row lock: $RECEPTION_DESK_LOCK_TIMEOUT seconds, else 5."""
    text = os.environ.get(LOCK_TIMEOUT_VAR, "").strip()
    try:
        value = float(text) if text else LOCK_TIMEOUT_SECONDS
    except ValueError:
        return LOCK_TIMEOUT_SECONDS
    return value if value > 0 else LOCK_TIMEOUT_SECONDS


def is_lock_timeout(exc: BaseException) -> bool:
    """True for PostgreSQL's lock_not_available (55P03): a row stayed locked longer than lock_timeout."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) == "55P03"


LOCK_MESSAGE = (
    "数据库正忙：另一台电脑正在修改同一批数据（例如正在导入名单），等待超时，本次操作未执行。请稍后重试"
    f"（等待时间可用环境变量 {LOCK_TIMEOUT_VAR} 设置，单位为秒）。"
)


LOST_MESSAGE = "与数据库服务器的连接中断（服务器重启或网络故障），本次操作未保存。请稍后重试。"
LOST_AT_COMMIT = (
    "与数据库服务器的连接在保存时中断（服务器重启或网络故障），无法确认本次操作是否已保存。"
    "请刷新后核对，再决定是否重试。"
)


def is_disconnect(exc: BaseException) -> bool:
    """True when the connection to the server broke (a restart, a terminated backend, the network)."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate.startswith(("08", "57P")):  # connection exception; admin shutdown / crash shutdown
        return True
    # psycopg's "server closed the connection unexpectedly", "the connection is closed": no SQLSTATE
    driver = type(orig).__module__.startswith("psycopg")
    return driver and type(orig).__name__ in {"OperationalError", "InterfaceError"} and not sqlstate


def default_url() -> str:
    """The SQLite file in the user data folder."""
    return f"sqlite:///{data_dir() / 'reception-desk.sqlite3'}"


def resolve_url(url: str | None = None) -> str:
    """The database URL: explicit, else $RECEPTION_DESK_DB, else the default SQLite file.

    A bare file path is taken as an SQLite file; postgresql:// URLs use psycopg 3.
    """
    chosen = url or os.environ.get(ENV_VAR) or default_url()
    if "://" not in chosen:
        chosen = f"sqlite:///{Path(chosen).expanduser().resolve()}"
    parsed = make_url(chosen)
    if parsed.drivername in {"postgresql", "postgres"}:
        chosen = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return chosen


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _owner_only_files(path: Path) -> None:
    # SQLite gives -wal and -shm the database file's mode; one made 0644 by an older version is closed here
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            owner_only(companion)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA secure_delete=ON")  # a deleted or overwritten row leaves zeros, not personal data, behind
    cur.close()


WRITE_OPTION = "reception_desk_write"


def _sqlite_begin(conn: Any) -> None:
    # A unit of work takes the write lock at BEGIN, so two laptops never fail upgrading a read lock to a
    # write lock midway; reads begin deferred and never wait for a writer (WAL).
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(
    url: str | None = None, busy_timeout: float | None = None, lock_timeout: float | None = None, **kwargs: Any
) -> Engine:
    """Create the engine for the chosen database, with SQLite set up for WAL, foreign keys, busy timeout.

    `busy_timeout` (seconds, SQLite only): how long a write waits for another's lock; default busy_timeout_seconds().
    `lock_timeout` (seconds, PostgreSQL only): how long a statement waits for a row lock; default
    lock_timeout_seconds().
    """
    kwargs.setdefault("hide_parameters", True)  # error messages carry no row values (names, IDs) to the log
    resolved = resolve_url(url)
    path = sqlite_path(resolved)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            create_private(path)  # 0600 before SQLite opens it: its -wal and -shm are created with the same mode
    if resolved.startswith("sqlite"):
        engine = create_engine(
            resolved,
            # the driver's timeout is SQLite's busy timeout (PRAGMA busy_timeout reads it back)
            connect_args={
                "timeout": busy_timeout if busy_timeout is not None else busy_timeout_seconds(),
                "isolation_level": None,
            },
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if path is not None:
            event.listen(engine, "connect", lambda _conn, _record: _owner_only_files(path))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(resolved, **kwargs)
    waits_ms = round(1000 * (lock_timeout if lock_timeout is not None else lock_timeout_seconds()))
    event.listen(engine, "connect", lambda conn, record: _postgresql_session(conn, record, waits_ms))
    return engine


def _postgresql_session(dbapi_conn: Any, _record: Any, lock_timeout_ms: int = 5000) -> None:
    # JIT compilation costs ~0.5 s before the first row of any query the planner thinks large (a year's figures)
    # and saves nothing on queries that return in milliseconds: an office application never wins from it.
    # lock_timeout: a desk never hangs behind another laptop's long write (an import); it is told to retry.
    with dbapi_conn.cursor() as cur:
        cur.execute("SET jit = off")
        cur.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
    dbapi_conn.commit()


def _stale_table(message: str) -> str:
    # "UPDATE statement on table 'room' expected to update 1 row(s); 0 were matched."
    parts = message.split("'")
    return parts[1] if len(parts) > 2 else "记录"


class Database:
    """An engine and its session factory; `session()` is one unit of work, committed or rolled back whole.

    On PostgreSQL each unit of work that wrote publishes its change-set with NOTIFY (db/change_feed.py).
    """

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else make_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=False)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.origin = uuid.uuid4().hex[:12]  # tags this Database's notifications: a window skips its own
        self._channel: str | None = None
        self._database_id: str | None = None
        change_feed.install(self._sessions, self.engine)

    def database_id(self) -> str | None:
        """The database's own id (its data key is held under it); None before migration 0008.

        The first call also opens the data key through this laptop's key file when the database has no users
        (privacy: a database with users is opened by a login, services/users.authenticate).
        """
        if self._database_id is None:
            from reception_desk.db import keystore

            with self.engine.connect() as conn:
                found = keystore.database_id(conn)
                if found is not None and unlocked.vault_for(found) is None:
                    keystore.open_with_device(conn, found)
                conn.rollback()
            self._database_id = found
        return self._database_id

    def _refuse_a_rotated_key(self, session: Session) -> None:
        """A laptop still holding the data key from before an admin rotated it must not write under it: its unit of
        work is rolled back and its user asked to log in again (the rotation itself marks its session)."""
        if session.info.get(unlocked.ROTATING):
            return
        vault = unlocked.vault_for(self._database_id)
        if vault is None:
            return
        from reception_desk.db import keystore

        if keystore.generation(session.connection()) != vault.generation:
            unlocked.forget(self._database_id)
            raise DataLockedError(unlocked.ROTATED_MESSAGE)

    @property
    def unlocked(self) -> bool:
        """True when this process holds the data key of this database (personal fields can be read)."""
        return unlocked.vault_for(self.database_id()) is not None

    def change_channel(self) -> str:
        """The NOTIFY channel of this database (one per schema): what a listener LISTENs to."""
        if self._channel is None:
            with self.engine.connect() as conn:
                self._channel = change_feed.channel_for(conn.execute(text("SELECT current_schema()")).scalar())
        return self._channel

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back whole on any error."""
        committing = False
        session: Session | None = None
        try:
            with unlocked.using(self.database_id()), self._sessions() as session, session.begin():
                collected = change_feed.begin(session)
                session.connection(execution_options={WRITE_OPTION: True, change_feed.OPTION: collected})
                yield session
                self._refuse_a_rotated_key(session)
                if self.dialect == "postgresql":
                    # inside the transaction: PostgreSQL sends it at COMMIT, and never for a rollback
                    if self._channel is None:
                        self._channel = change_feed.channel_for(session.scalar(text("SELECT current_schema()")))
                    change_feed.publish(session, self._channel, self.origin)
                committing = True
        except StaleDataError as exc:
            # another laptop changed the row between our read and our write
            raise StaleWriteError(_stale_table(str(exc))) from exc
        except OperationalError as exc:
            if is_busy(exc):
                raise DatabaseBusyError(BUSY_MESSAGE) from exc
            if is_disconnect(exc):
                raise ConnectionLostError(LOST_AT_COMMIT if committing else LOST_MESSAGE, committing) from exc
            if is_lock_timeout(exc):
                raise DatabaseBusyError(LOCK_MESSAGE) from exc
            raise
        except DBAPIError as exc:  # the driver's InterfaceError: "the connection is closed"
            if is_disconnect(exc):
                raise ConnectionLostError(LOST_AT_COMMIT if committing else LOST_MESSAGE, committing) from exc
            raise
        finally:
            if session is not None:
                change_feed.end(session)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        with unlocked.using(self.database_id()), self._sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
