"""The change feed: what a committed write publishes (PostgreSQL NOTIFY), `reception-desk watch --json`, and a
server restart in the middle of the morning (opt-in: RECEPTION_DESK_TEST_PG_RESTART=1)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from reception_desk.db import change_feed as storage_feed
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import Base, Visitor
from reception_desk.errors import ConnectionLostError
from reception_desk.services import change_feed, flow, registrations
from reception_desk.services.assignment import assign_day
from reception_desk.services.changes import KINDS
from tests.conftest import PG_URL, PgSchema
from tests.helpers import make_day, register

ROOT = Path(__file__).resolve().parent.parent
WAIT = 10.0


@pytest.fixture
def pg_db(pg_schema: PgSchema) -> Iterator[Database]:
    """A migrated database in a throw-away PostgreSQL schema."""
    database = Database(engine=pg_schema.engine())
    upgrade_to_head(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def listening(pg_db: Database) -> Iterator[psycopg.Connection[Any]]:
    """Another laptop's LISTEN connection on the database's channel."""
    conn = psycopg.connect(change_feed.conninfo(pg_db), autocommit=True)
    conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(pg_db.change_channel())))
    yield conn
    conn.close()


def _heard(conn: psycopg.Connection[Any], timeout: float = 0.5) -> list[change_feed.FeedEvent]:
    return [change_feed.parse(n.payload) for n in conn.notifies(timeout=timeout)]


def test_every_table_is_placed_in_the_feed() -> None:
    # a new table must be given its kinds (or be ignored, or reload everything) on purpose
    placed = set(storage_feed.TABLE_KINDS) | storage_feed.IGNORED_TABLES | storage_feed.FULL_TABLES
    assert set(Base.metadata.tables) <= placed
    assert storage_feed.KINDS == KINDS
    assert {kind for spec in storage_feed.TABLE_KINDS.values() for kind, _ in spec.values()} <= set(KINDS)


def test_a_check_in_publishes_its_itemised_change_set(pg_db: Database, listening: psycopg.Connection[Any]) -> None:
    day_id = make_day(pg_db)
    batch_id, _other = register(pg_db, day_id, 2, "civil")
    assign_day(pg_db, day_id, actor="张三")
    _heard(listening)  # the set-up's own notifications

    info, changes = flow.check_in(pg_db, batch_id, "李四")

    (event,) = _heard(listening)
    assert not event.changes.full
    assert event.changes.batches == {batch_id}
    assert info.room_number is not None and event.changes.rooms == changes.rooms  # its room's queue changed
    assert event.by == "李四" and event.at is not None and event.at.endswith("+00:00")
    assert event.origin == pg_db.origin


def test_a_rolled_back_write_publishes_nothing(pg_db: Database, listening: psycopg.Connection[Any]) -> None:
    day_id = make_day(pg_db)
    (batch_id,) = register(pg_db, day_id, 1, "civil")
    _heard(listening)
    with pytest.raises(RuntimeError), pg_db.session() as session:
        flow.check_in_in(session, flow.load_batch(session, batch_id), "李四")
        session.flush()
        raise RuntimeError("the operation fails after its writes")
    assert _heard(listening) == []
    rows = {r.batch_id: r.status for r in registrations.list_registrations(pg_db, day_id)}
    assert rows[batch_id] == "registered"


def test_a_change_set_too_big_for_a_notify_is_sent_as_full(pg_db: Database, listening: psycopg.Connection[Any]) -> None:
    with pg_db.session() as session:  # 3,000 new people in one unit of work: ~17 KB of ids
        session.add_all(Visitor(name=f"来访人{i}") for i in range(3000))
    (event,) = _heard(listening, timeout=2.0)
    assert event.changes.full and not event.changes.visitors


def test_payload_stays_under_the_notify_limit() -> None:
    collected = storage_feed.Collected()
    collected.add("batches", range(100_000, 100_000 + 900))  # 900 six-digit ids with commas: 6.3 KB, itemised
    small = storage_feed.payload(collected, "o")
    assert not json.loads(small)["full"] and len(small.encode()) <= storage_feed.PAYLOAD_LIMIT
    collected.add("visitors", range(200_000, 200_300))  # 2.1 KB more: over the limit
    big = json.loads(storage_feed.payload(collected, "o"))
    assert big["full"] and big["kind_ids"] == {}


def test_channels_differ_by_schema() -> None:
    assert storage_feed.channel_for("public") == "reception_desk"
    assert storage_feed.channel_for("t_1") != storage_feed.channel_for("t_2")
    assert len(storage_feed.channel_for("x" * 100).encode()) <= 63


class _Watch(subprocess.Popen[str]):
    """`reception-desk watch --json` with a thread that reads its lines into a queue (select() on the pipe would
    miss lines already read into Python's buffer together with the previous one)."""

    lines: queue.Queue[str]


def _watch(url: str) -> _Watch:
    exe = shutil.which("reception-desk", path=str(Path(sys.executable).parent)) or "reception-desk"
    proc = _Watch(
        [exe, "--db", url, "watch", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    proc.lines = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for text in proc.stdout:
            proc.lines.put(text)

    threading.Thread(target=pump, daemon=True).start()
    return proc


def _line(proc: _Watch, timeout: float = WAIT) -> dict[str, Any]:
    try:
        text = proc.lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError("watch printed nothing in time") from None
    return dict(json.loads(text))


def _stop(proc: _Watch) -> int:
    proc.send_signal(2)  # Ctrl+C
    return proc.wait(WAIT)


def _watch_is_listening(proc: _Watch, db: Database) -> None:
    """Wait until the watcher's LISTEN is in place (its backend appears in pg_listening_channels' server)."""
    import time

    deadline = time.monotonic() + WAIT
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'LISTEN %' AND query LIKE :ch")
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            if conn.execute(query, {"ch": f"%{db.change_channel()}%"}).scalar():
                return
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    raise AssertionError("watch did not start listening")


def test_watch_json_prints_a_line_for_a_write_on_postgresql(pg_db: Database, pg_schema: PgSchema) -> None:
    day_id = make_day(pg_db)
    (batch_id,) = register(pg_db, day_id, 1, "civil")
    proc = _watch(f"{PG_URL}?options=-csearch_path%3D{pg_schema.name}")
    try:
        _watch_is_listening(proc, pg_db)
        flow.check_in(pg_db, batch_id, "李四")
        line = _line(proc)
    finally:
        code = _stop(proc)
    assert line["kind_ids"]["batches"] == [batch_id]
    assert line["by"] == "李四" and line["full"] is False and line["at"]
    assert code == 0


def test_watch_json_polls_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    upgrade_to_head(db.engine)
    day_id = make_day(db)
    (batch_id,) = register(db, day_id, 1, "civil")
    proc = _watch(db.url)
    try:
        import time

        time.sleep(1.5)  # a subprocess start-up; the poll takes its baseline then
        flow.check_in(db, batch_id, "李四")
        line = _line(proc)
    finally:
        code = _stop(proc)
        db.dispose()
    assert batch_id in line["kind_ids"]["batches"] and line["by"] == "李四"
    assert code == 0


def test_a_terminated_pool_connection_fails_one_operation_and_the_next_succeeds(pg_db: Database) -> None:
    day_id = make_day(pg_db)
    first, second = register(pg_db, day_id, 2, "civil")
    with pytest.raises(ConnectionLostError), pg_db.session() as session:
        pid = session.scalar(sa.text("SELECT pg_backend_pid()"))
        with pg_db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        flow.check_in_in(session, flow.load_batch(session, first), "李四")
        session.flush()
    # the idle pool too, as after a restart: pre-ping finds the dead connections and opens new ones
    pool: Any = pg_db.engine.pool
    idle = [r.dbapi_connection.info.backend_pid for r in list(pool._pool.queue) if r.dbapi_connection is not None]
    assert idle
    with psycopg.connect(change_feed.conninfo(pg_db), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [idle])
    flow.check_in(pg_db, first, "李四")
    flow.check_in(pg_db, second, "李四")
    rows = {r.batch_id: r.status for r in registrations.list_registrations(pg_db, day_id)}
    assert set(rows.values()) <= {"arrived", "waiting"}


@pytest.mark.skipif(
    os.environ.get("RECEPTION_DESK_TEST_PG_RESTART") != "1",
    reason="restarts the shared PostgreSQL server: set RECEPTION_DESK_TEST_PG_RESTART=1 (scripts/test.sh does)",
)
def test_postgresql_restarted_mid_morning(pg_db: Database, listening: psycopg.Connection[Any]) -> None:
    """pg_ctlcluster restart: the next operation succeeds, nothing committed is lost, the feed comes back."""
    day_id = make_day(pg_db)
    ids = register(pg_db, day_id, 4, "civil")
    flow.check_in(pg_db, ids[0], "李四")
    flow.check_in(pg_db, ids[1], "李四")
    listening.close()
    proc = _watch(f"{PG_URL}?options=-csearch_path%3D{_schema(pg_db)}")
    try:
        _watch_is_listening(proc, pg_db)
        version = sorted(os.listdir("/etc/postgresql"))[-1]  # the cluster this machine runs (15 on Debian 12)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True, timeout=120
        )
        flow.check_in(pg_db, ids[2], "李四")  # the pool's connections died with the server: pre-ping replaces them
        while not _line(proc, timeout=30.0)["full"]:  # the watcher's resync once it is back
            pass
        flow.check_in(pg_db, ids[3], "李四")
        # heard by NOTIFY again (the check-in made right after the restart may come first, if the watcher was back)
        heard: list[int] = []
        while ids[3] not in heard:
            heard.extend(_line(proc)["kind_ids"].get("batches", []))
    finally:
        _stop(proc)
    assert set(heard) <= {ids[2], ids[3]}
    rows = {r.batch_id: r.status for r in registrations.list_registrations(pg_db, day_id)}
    assert all(rows[i] in {"arrived", "waiting"} for i in ids)  # the two before the restart are still there


def _schema(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT current_schema()")).scalar())
