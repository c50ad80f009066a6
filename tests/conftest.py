"""Shared fixtures: a fresh database per test, on SQLite (a real file) and on the real PostgreSQL server."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from reception_desk.db.engine import Database, make_engine
from reception_desk.db.migrate import upgrade_to_head
from tests.isolated_home import isolate

isolate()  # before a QApplication or QSettings exists: the session writes nothing into the real home

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_URL = os.environ.get("RECEPTION_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """None when the test PostgreSQL server answers, else why not (checked once per run)."""
    if "reason" not in _pg_state:
        try:
            engine = make_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as exc:  # any failure to connect means: no server here
            _pg_state["reason"] = f"PostgreSQL at {PG_URL} does not answer: {str(exc).splitlines()[0]}"
    return _pg_state["reason"]


def _require_postgres() -> None:
    reason = postgres_unavailable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true needs PostgreSQL: {reason}")
    pytest.skip(reason)


class PgSchema:
    """A throw-away schema on the test server, so every test starts empty and tests never collide."""

    def __init__(self) -> None:
        self.name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin = make_engine(PG_URL)
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
        self.url = PG_URL

    def engine(self) -> sa.Engine:
        """An engine whose connections work inside the schema."""
        return make_engine(PG_URL, connect_args={"options": f"-csearch_path={self.name}"})

    def drop(self) -> None:
        """Remove the schema and everything in it."""
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self.admin.dispose()


@pytest.fixture
def pg_schema() -> Iterator[PgSchema]:
    """A fresh PostgreSQL schema (skips, or fails under CI=true, when no server answers)."""
    _require_postgres()
    schema = PgSchema()
    try:
        yield schema
    finally:
        schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: an SQLite file, then the real PostgreSQL server."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'reception.sqlite3'}")
        upgrade_to_head(database.engine)
        yield database
        database.dispose()
        return
    _require_postgres()
    schema = PgSchema()
    database = Database(engine=schema.engine())
    try:
        upgrade_to_head(database.engine)
        yield database
    finally:
        database.dispose()
        schema.drop()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite file only (for tests about SQLite itself)."""
    database = Database(f"sqlite:///{tmp_path / 'reception.sqlite3'}")
    upgrade_to_head(database.engine)
    yield database
    database.dispose()


# ---- Qt: one QApplication (pytest-qt's qapp), a qasync loop per test that qtbot.waitUntil drives ----


@pytest.fixture
def qloop(qapp: Any, qtbot: Any) -> Iterator[Any]:
    """A qasync loop marked running on top of the test's Qt event processing (see docs/style pitfalls)."""
    import asyncio

    import qasync

    from reception_desk.ui.fonts import register_fonts

    register_fonts(qapp)
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # widgets of this test may outlive it until Python collects them: their timers must not fire into the
        # next test, where this loop is gone (a debounced search would then spawn a task with no loop)
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        for widget in QApplication.allWidgets():
            for timer in widget.findChildren(QTimer):
                timer.stop()
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        # let the cancelled tasks unwind inside the loop before it closes
        with contextlib.suppress(AssertionError):
            qtbot.waitUntil(lambda: all(task.done() for task in pending), timeout=5000)
        asyncio.events._set_running_loop(None)
        loop._QEventLoop__is_running = False  # stop() would call app.exit() and break the next test
        with contextlib.suppress(RuntimeError, TypeError):
            qapp.aboutToQuit.disconnect(loop._after_run_forever)
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def app_ctx(qloop: Any, tmp_path: Path) -> Iterator[Any]:
    """An AppContext on a fresh migrated SQLite file with a day created; the day id is ctx.day_id."""
    import datetime as dt

    from PySide6.QtCore import QSettings

    from reception_desk.services import days
    from reception_desk.ui.context import AppContext

    database = Database(f"sqlite:///{tmp_path / 'ui.sqlite3'}")
    upgrade_to_head(database.engine)
    info, _ = days.create_day(database, dt.date(2026, 12, 4), leaders="区委书记 张明")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(database, info.id, "测试员", settings)
    try:
        yield ctx
    finally:
        ctx.runner.shutdown()
        database.dispose()
