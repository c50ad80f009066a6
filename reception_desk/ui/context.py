"""What every page gets: the database, the current day, the change bus, the worker, settings, the user."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QSettings, Signal

from reception_desk.db.engine import Database
from reception_desk.services.authz import Actor
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.bus import ChangeBus
from reception_desk.ui.runner import DbRunner

T = TypeVar("T")
log = logging.getLogger(__name__)


def changes_of(result: object) -> ChangeSet:
    """The change-set inside a service's result (a ChangeSet, a tuple holding one, or a report with .changes)."""
    if isinstance(result, ChangeSet):
        return result
    if isinstance(result, tuple):
        for item in result:
            if isinstance(item, ChangeSet):
                return item
    found = getattr(result, "changes", None)
    return found if isinstance(found, ChangeSet) else ChangeSet()


class AppContext(QObject):
    """Shared state of one window: emits day_changed when the user switches the day."""

    day_changed = Signal(int)
    user_changed = Signal()  # another user logged in (or the first admin was created in 单机模式)

    def __init__(self, db: Database, day_id: int | None, actor: str, settings: QSettings) -> None:
        super().__init__()
        self.db = db
        self.day_id = day_id
        self.actor = actor
        # who is logged in, for the UI to hide what his role cannot do (the services check again);
        # role None: 单机模式 (a database without users), everything allowed
        self.user = Actor(actor, None)
        self.settings = settings
        self.bus = ChangeBus()
        self.runner = DbRunner()

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A read on the database thread."""
        return await self.runner.run(fn, *args, **kwargs)

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A service call on the database thread; its change-set goes out on the bus."""
        result = await self.runner.run(fn, *args, **kwargs)
        self.bus.publish(changes_of(result))
        return result

    async def write_slow(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A long service call (import, export) on the slow thread; its change-set goes out on the bus."""
        result = await self.runner.run_slow(fn, *args, **kwargs)
        self.bus.publish(changes_of(result))
        return result

    def set_user(self, user: Actor) -> None:
        """Work as another user from now on (the actor recorded and the role the pages follow)."""
        self.user = user
        self.actor = user.name
        self.user_changed.emit()

    def set_day(self, day_id: int) -> None:
        """Switch every page to another day."""
        if day_id != self.day_id:
            self.day_id = day_id
            self.day_changed.emit(day_id)
