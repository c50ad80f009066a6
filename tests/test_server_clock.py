"""A laptop whose clock is wrong does not reorder the queue: on PostgreSQL arrivals carry the server's time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from reception_desk.db import clock
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import Batch
from reception_desk.services import flow
from reception_desk.services.assignment import assign_day
from tests.conftest import PgSchema
from tests.helpers import make_day, register


@pytest.fixture
def pg_db(pg_schema: PgSchema) -> Iterator[Database]:
    """A migrated database in a throw-away PostgreSQL schema."""
    database = Database(engine=pg_schema.engine())
    upgrade_to_head(database.engine)
    yield database
    database.dispose()


def _two_in_one_room(db: Database, day_id: int) -> tuple[int, int]:
    register(db, day_id, 6, "civil")
    assign_day(db, day_id)
    with db.read() as session:
        rows = session.execute(sa.select(Batch.id, Batch.room_id).where(Batch.day_id == day_id)).all()
    by_room: dict[int, list[int]] = {}
    for batch_id, room_id in rows:
        by_room.setdefault(room_id, []).append(batch_id)
    first, second = next(ids for ids in by_room.values() if len(ids) >= 2)[:2]
    return first, second


def test_a_laptop_clock_hours_off_does_not_reorder_arrivals(pg_db: Database, monkeypatch: Any) -> None:
    day_id = make_day(pg_db)
    first, second = _two_in_one_room(pg_db, day_id)
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + dt.timedelta(hours=3))  # laptop A runs 3 hours fast
    flow.check_in(pg_db, first, "desk_a")
    monkeypatch.setattr(clock, "utcnow", lambda: real() - dt.timedelta(hours=3))  # laptop B runs 3 hours slow
    flow.check_in(pg_db, second, "desk_b")

    with pg_db.read() as session:
        server = session.scalar(sa.text("SELECT timezone('UTC', now())"))
        arrived = dict(
            session.execute(sa.select(Batch.id, Batch.arrived_at).where(Batch.id.in_([first, second]))).all()
        )
        room_id = session.get(Batch, first).room_id  # type: ignore[union-attr]
        called_first = flow.next_waiting_in(session, room_id)
    assert arrived[first] <= arrived[second]  # in the order they came, whatever the laptops' clocks said
    assert all(abs(server - at) < dt.timedelta(minutes=1) for at in arrived.values())
    assert called_first is not None and called_first.id == first
