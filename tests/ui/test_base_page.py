"""The page base: a write's change-set reaches a page, which reloads off the UI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout

from reception_desk.services import plan
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page


class RoomCountPage(Page):
    """A tiny page that shows the hosts of the day's rooms."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.label = QLabel()
        QVBoxLayout(self).addWidget(self.label)

    async def load(self) -> None:
        rooms = await self.ctx.read(plan.list_rooms, self.ctx.db, self.ctx.day_id)
        self.label.setText(",".join(r.host or "-" for r in rooms[:2]))


def test_write_reaches_the_page(qtbot: Any, app_ctx: AppContext) -> None:
    page = RoomCountPage(app_ctx)
    qtbot.addWidget(page)
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.label.text() == "-,-", timeout=5000)
    room = plan.list_rooms(app_ctx.db, app_ctx.day_id)[0]
    page.spawn(app_ctx.write(plan.update_room, app_ctx.db, room.id, room.version, host="区长 王强"))
    qtbot.waitUntil(lambda: page.label.text() == "区长 王强,-", timeout=5000)
