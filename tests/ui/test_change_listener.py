"""Two laptops on one PostgreSQL database: a write on one reaches the other's page by NOTIFY; a dropped
connection shows the 连接中断 banner, comes back by itself, resyncs, and the next operations succeed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.errors import ConnectionLostError
from reception_desk.services import days, flow, registrations
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.change_listener import PgChangeListener
from reception_desk.ui.context import AppContext
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.pages.registrations_page import RegistrationsPage
from tests.conftest import PgSchema
from tests.helpers import register

WAIT = 10_000


def _context(schema: PgSchema, day_id: int | None, name: str, tmp_path: Path) -> AppContext:
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    return AppContext(Database(engine=schema.engine()), day_id, name, settings)


@pytest.fixture
def laptops(qloop: Any, pg_schema: PgSchema, tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    """Laptop A and laptop B: each its own pool and worker thread on the same PostgreSQL schema."""
    setup = Database(engine=pg_schema.engine())
    upgrade_to_head(setup.engine)
    info, _ = days.create_day(setup, dt.date(2026, 12, 4), leaders="区委书记 张明")
    setup.dispose()
    a = _context(pg_schema, info.id, "laptop_a", tmp_path)
    b = _context(pg_schema, info.id, "laptop_b", tmp_path)
    try:
        yield a, b
    finally:
        for ctx in (a, b):
            ctx.runner.shutdown()
            ctx.db.dispose()


def _window(qtbot: Any, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert isinstance(window.watcher, PgChangeListener)  # PostgreSQL listens instead of polling
    window.watcher.first_retry = 0.05  # reconnect quickly in the test
    window.show()
    with qtbot.waitSignal(window.ready, timeout=WAIT):
        window.spawn_start()
    qtbot.waitUntil(lambda: window.watcher.connected, timeout=WAIT)
    return window


def _status(page: RegistrationsPage, batch_id: int) -> str | None:
    row = page.model.row_of(batch_id)
    if row is None:
        return None
    page.model.data(page.model.index(row, 0))  # asks for the row if it is not cached
    listed = page.model.listed(row)
    return listed.row.status if listed is not None else None


def _close(qtbot: Any, window: MainWindow) -> None:
    window.close()  # stops the listener
    qtbot.waitUntil(lambda: all(not p._tasks and not p._loading for p in window.pages), timeout=WAIT)


def _backends(ctx: AppContext, admin: sa.Engine) -> None:
    """End every server connection of this test's schema but the admin's own: what a server restart does to us."""
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid = ANY(:pids)"
            ),
            {"pids": _pids(ctx)},
        )


def _pids(ctx: AppContext) -> list[int]:
    pids = []
    pool: Any = ctx.db.engine.pool
    for record in list(pool._pool.queue):  # idle pooled connections
        dbapi = record.dbapi_connection
        if dbapi is not None:
            pids.append(dbapi.info.backend_pid)
    listener_pid = getattr(ctx, "_listener_pid", None)
    if listener_pid is not None:
        pids.append(listener_pid)
    return pids


def test_a_check_in_on_one_laptop_shows_on_the_others_page(qtbot: Any, laptops: tuple[AppContext, AppContext]) -> None:
    a, b = laptops
    assert a.day_id is not None
    (batch_id,) = register(a.db, a.day_id, 1, "civil")
    window = _window(qtbot, b)
    page = window.page(RegistrationsPage)
    assert isinstance(page, RegistrationsPage)
    qtbot.waitUntil(lambda: _status(page, batch_id) == "registered", timeout=WAIT)
    seen: list[ChangeSet] = []
    b.bus.changed.connect(seen.append)

    flow.check_in(a.db, batch_id, "laptop_a")  # laptop A, through the plain service: the storage layer publishes

    qtbot.waitUntil(lambda: _status(page, batch_id) in {"arrived", "waiting"}, timeout=WAIT)
    assert any(batch_id in c.batches and not c.full for c in seen)  # itemised, not a reload of everything
    _close(qtbot, window)


def test_own_writes_are_not_delivered_twice(qtbot: Any, laptops: tuple[AppContext, AppContext]) -> None:
    a, b = laptops
    assert b.day_id is not None
    batch_id, other_id = register(a.db, b.day_id, 2, "civil")
    window = _window(qtbot, b)
    listener = window.watcher
    assert isinstance(listener, PgChangeListener)
    heard: list[str] = []
    deliver = listener._deliver
    listener._deliver = lambda payload: (heard.append(payload), deliver(payload))  # type: ignore[method-assign]
    seen: list[ChangeSet] = []
    b.bus.changed.connect(seen.append)
    flow.check_in(b.db, batch_id, "laptop_b")  # B's own Database: its notification is skipped
    flow.check_in(a.db, other_id, "laptop_a")  # then A's arrives
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=WAIT)
    assert [sorted(c.batches) for c in seen] == [[other_id]]
    _close(qtbot, window)


def test_a_dropped_connection_shows_the_banner_reconnects_and_resyncs(
    qtbot: Any, laptops: tuple[AppContext, AppContext], pg_schema: PgSchema
) -> None:
    a, b = laptops
    assert a.day_id is not None
    first, second, third = register(a.db, a.day_id, 3, "civil")
    window = _window(qtbot, b)
    listener = window.watcher
    assert isinstance(listener, PgChangeListener)
    page = window.page(RegistrationsPage)
    assert isinstance(page, RegistrationsPage)
    assert listener.conn is not None
    b._listener_pid = listener.conn.info.backend_pid  # type: ignore[attr-defined]
    assert not window.connection_banner.isVisibleTo(window)
    resyncs: list[ChangeSet] = []
    b.bus.changed.connect(lambda c: resyncs.append(c) if c.full else None)

    with qtbot.waitSignal(listener.connection_lost, timeout=WAIT):
        _backends(b, pg_schema.admin)  # the server drops laptop B's connections (listener and pool)
    assert window.connection_banner.isVisibleTo(window)
    assert window.connection_banner.text() == "连接中断，正在重新连接…"
    flow.check_in(a.db, first, "laptop_a")  # written while B is away (or just back): the resync covers it
    qtbot.waitUntil(lambda: not window.connection_banner.isVisibleTo(window), timeout=WAIT)
    assert listener.connected
    assert resyncs  # one reload of everything once back
    qtbot.waitUntil(lambda: _status(page, first) in {"arrived", "waiting"}, timeout=WAIT)

    # the next operations on B succeed (its pool reconnects), and B hears A's next write by NOTIFY again
    flow.check_in(b.db, second, "laptop_b")
    flow.check_in(a.db, third, "laptop_a")
    qtbot.waitUntil(lambda: _status(page, third) in {"arrived", "waiting"}, timeout=WAIT)
    rows = {r.batch_id: r.status for r in registrations.list_registrations(a.db, a.day_id)}
    assert all(rows[i] in {"arrived", "waiting"} for i in (first, second, third))  # nothing committed was lost
    _close(qtbot, window)


def test_a_write_cut_off_mid_transaction_fails_and_can_be_retried(laptops: tuple[AppContext, AppContext]) -> None:
    a, _b = laptops
    assert a.day_id is not None
    (batch_id,) = register(a.db, a.day_id, 1, "civil")
    with pytest.raises(ConnectionLostError) as caught, a.db.session() as session:
        pid = session.scalar(sa.text("SELECT pg_backend_pid()"))
        with a.db.engine.connect() as other:  # a second pooled connection ends the first (a restart would)
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        flow.check_in_in(session, flow.load_batch(session, batch_id), "laptop_a")
        session.flush()
    assert not caught.value.committing
    assert "连接中断" in str(caught.value)
    rows = {r.batch_id: r.status for r in registrations.list_registrations(a.db, a.day_id)}
    assert rows[batch_id] == "registered"  # not half-written
    info, _ = flow.check_in(a.db, batch_id, "laptop_a")  # the retry succeeds, once
    assert info.status in {"arrived", "waiting"}
    assert info.queue_number in {None, 1}
