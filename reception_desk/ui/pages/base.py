"""What every page shares: reload on changes (debounced, off the UI thread), keep tasks referenced."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from reception_desk.services.changes import ChangeSet
from reception_desk.ui.context import AppContext
from reception_desk.ui.errors import show_error

log = logging.getLogger(__name__)


class Page(QWidget):
    """A page of the main window. Subclasses implement `load()`; `reloaded` fires after each load."""

    reloaded = Signal()
    RELOAD_DELAY_MS = 60

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loading = False
        self._again = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.RELOAD_DELAY_MS)
        self._debounce.timeout.connect(self._start_reload)
        ctx.bus.changed.connect(self._on_bus)
        ctx.day_changed.connect(lambda _day: self.schedule_reload())

    def title(self) -> str:
        """The page's name in the navigation (each page gives its own)."""
        return self.objectName()

    async def load(self) -> None:
        """Fetch what the page shows (reads through self.ctx.read) and put it on screen; pages override it."""

    def affected_by(self, changes: ChangeSet) -> bool:
        """Whether a change-set touches what this page shows; pages narrow this down."""
        return True

    def _on_bus(self, changes: ChangeSet) -> None:
        if changes.full or self.affected_by(changes):
            self.schedule_reload()

    def schedule_reload(self) -> None:
        """Reload soon; several changes in a burst give one reload."""
        self._debounce.start()

    def _start_reload(self) -> None:
        self.spawn(self.reload())

    async def reload(self) -> None:
        """Load now (or once more after the running load, if one is running)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        try:
            while True:
                self._again = False
                try:
                    await self.load()
                except Exception as exc:
                    show_error(self, exc)
                if not self._again:
                    break
        finally:
            self._loading = False
        self.reloaded.emit()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a coroutine and keep a reference until it ends (no fire-and-forget)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def guarded(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Await an operation; a failure becomes a Chinese dialog and None."""
        try:
            return await coro
        except Exception as exc:
            show_error(self, exc)
            return None


class TabPage(Page):
    """A page shown as a tab of another (设置 → 用户, 工作日历): it loads the first time it is shown, so a hidden tab
    costs nothing at start-up."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._shown_once = False

    def showEvent(self, event: QShowEvent) -> None:
        """The first time the tab is shown, load."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.schedule_reload()
