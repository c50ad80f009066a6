"""The schema migrates and a day with its room plan is created on both databases."""

from __future__ import annotations

import datetime as dt

from reception_desk.db.engine import Database
from reception_desk.services import days, plan


def test_create_day_makes_fifteen_rooms(db: Database) -> None:
    info, changes = days.create_day(db, dt.date(2026, 12, 4), leaders="区委书记")
    rooms = plan.list_rooms(db, info.id)
    assert [r.number for r in rooms] == list(range(1, 16))
    assert rooms[0].theme_name == "土地拆迁"
    assert rooms[14].theme_name == "综合（其他）"
    assert changes.rooms == {r.id for r in rooms}
