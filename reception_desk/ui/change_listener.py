"""Hears other laptops' writes on PostgreSQL: LISTEN on an async psycopg connection inside the qasync loop.

Each committed write arrives as its itemised change-set (db/change_feed.py) and goes on this window's change
bus, so pages reload only what it touches. This window's own writes are skipped (AppContext.write has already
published them). A dropped connection raises `connection_lost` (the window shows its 连接中断 banner), is
retried after 0.5 s doubling to 10 s, and once back `connection_restored` fires and every page reloads once:
whatever was written meanwhile is then on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from psycopg import sql
from PySide6.QtCore import QObject, Signal

from reception_desk.services import change_feed
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.context import AppContext

log = logging.getLogger(__name__)
FIRST_RETRY = change_feed.FIRST_RETRY
LAST_RETRY = change_feed.LAST_RETRY
PRIME_WAIT = 3.0  # seconds the start waits for the first LISTEN (an unreachable server must not hold the window)
# a silently dead network (a pulled cable) is noticed within ~10 s instead of the system's two hours
KEEPALIVES: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 4, "keepalives_interval": 2, "keepalives_count": 3}


class PgChangeListener(QObject):
    """One LISTEN connection per window; `connected` tells whether it is listening now."""

    connection_lost = Signal()
    connection_restored = Signal()
    listening = Signal()  # every time LISTEN is in place (the first time and after each reconnection)

    def __init__(self, ctx: AppContext, first_retry: float = FIRST_RETRY, last_retry: float = LAST_RETRY) -> None:
        super().__init__()
        self.ctx = ctx
        self.first_retry = first_retry
        self.last_retry = last_retry
        self.connected = False
        self.conn: psycopg.AsyncConnection[Any] | None = None
        self._channel: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._first = asyncio.Event()
        self._delay = first_retry
        self._lost = False

    async def prime(self) -> None:
        """Start listening before the pages load, so no write between their load and the LISTEN is missed."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first.wait(), PRIME_WAIT)

    def start(self) -> None:
        """Listen (if prime did not already start it)."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        self._delay, self._lost = self.first_retry, False
        try:
            while True:
                try:
                    if self._channel is None:
                        self._channel = await self.ctx.read(self.ctx.db.change_channel)
                    await self._listen()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # psycopg.Error, OSError, SQLAlchemy's: the server is not there now
                    log.warning("change feed connection lost: %s", type(exc).__name__)
                    self.connected = False
                    if not self._lost:
                        self._lost = True
                        self.connection_lost.emit()
                    self._first.set()  # the start does not wait for a server that is away
                    await asyncio.sleep(self._delay)
                    self._delay = min(self._delay * 2, self.last_retry)
        finally:
            self.connected = False
            await self._close()

    async def _listen(self) -> None:
        conn = await psycopg.AsyncConnection.connect(
            change_feed.conninfo(self.ctx.db), autocommit=True, connect_timeout=5, **KEEPALIVES
        )
        self.conn = conn
        try:
            assert self._channel is not None
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            self.connected = True
            self._delay = self.first_retry
            self._first.set()
            self.listening.emit()
            if self._lost:
                self._lost = False
                self.connection_restored.emit()
                self.ctx.bus.publish(ChangeSet.everything())  # whatever was written while away
            async for note in conn.notifies():
                self._deliver(note.payload)
        finally:
            await self._close()
        raise psycopg.OperationalError("the notification stream ended")  # the connection closed under us

    async def _close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    def _deliver(self, payload: str) -> None:
        event = change_feed.parse(payload)
        if event.origin == self.ctx.db.origin:
            return  # our own write: AppContext.write has already put it on the bus
        self.ctx.bus.publish(event.changes)
