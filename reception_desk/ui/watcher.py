"""Sees other laptops' and windows' writes: polls the newest audit id and asks every page to reload."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, QTimer

from reception_desk.services.activity import last_change_id
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.context import AppContext

log = logging.getLogger(__name__)
POLL_MS = 1500


class ExternalChangeWatcher(QObject):
    """Every POLL_MS, one tiny query on the worker thread; a new audit id means someone wrote.

    Our own writes move the id too and cause one extra reload; pages keep selection and typing across reloads,
    so that is harmless, and no foreign write can slip between an own write and the next poll.
    """

    def __init__(self, ctx: AppContext, interval_ms: int = POLL_MS) -> None:
        super().__init__()
        self.ctx = ctx
        self._last: int | None = None
        self._busy = False
        self._task: asyncio.Task[None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    async def prime(self) -> None:
        """Take the baseline before the pages load, so a write between their load and the first poll is seen."""
        self._last = await self.ctx.read(last_change_id, self.ctx.db)

    def start(self) -> None:
        """Begin polling."""
        self._timer.start()

    def stop(self) -> None:
        """Stop polling."""
        self._timer.stop()

    def _tick(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._task = asyncio.ensure_future(self._check())

    async def _check(self) -> None:
        try:
            newest = await self.ctx.read(last_change_id, self.ctx.db)
            if self._last is not None and newest != self._last:
                self.ctx.bus.publish(ChangeSet.everything())
            self._last = newest
        except Exception:  # a dropped connection must not stop the polling
            log.exception("change poll failed")
        finally:
            self._busy = False
