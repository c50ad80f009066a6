"""排队号: a checked-in batch's number within its room ("第7接待室 3号"), and how many wait ahead of it.

A number is taken from the room's counter (room.last_queue_number), which only grows: a number given once is
never given again, whatever is undone or moved. The UPDATE that takes it locks the room row until commit on
PostgreSQL (two desks checking in for the same room wait for each other, other rooms do not); SQLite serialises
writers anyway. The counter is written through Core so the room's version (the plan editor's optimistic lock)
does not move with every check-in.

Waiting order in a room follows the number: the lower number is called first (a batch sent back from the room
keeps its number and so its place); batches without a number (none after migration 0005) come after, by
arrival, then by the queue position the assignment gave.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from reception_desk.db.models import Batch, Room, table
from reception_desk.domain.batches import BatchStatus
from reception_desk.services.errors import NotFoundError

ROOM_TABLE = table(Room)
# at the venue and waiting for their room (an arrived batch in a room waits too)
QUEUED = (BatchStatus.WAITING.value, BatchStatus.ARRIVED.value)
_FAR = dt.datetime.max


def serving_key(
    queue_number: int | None, arrived_at: dt.datetime | None, queue_position: int | None, batch_id: int
) -> tuple[object, ...]:
    """The order a room calls its waiting batches in (the same as flow.next_waiting_in)."""
    return (
        queue_number is None,
        queue_number or 0,
        arrived_at is None,
        arrived_at or _FAR,
        queue_position is None,
        queue_position or 0,
        batch_id,
    )


def batch_serving_key(batch: Batch) -> tuple[object, ...]:
    """serving_key of a loaded batch."""
    return serving_key(batch.queue_number, batch.arrived_at, batch.queue_position, batch.id)


def serving_order() -> tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    """serving_key as ORDER BY terms (NULLs last on both databases)."""
    return (
        Batch.queue_number.is_(None),
        Batch.queue_number,
        Batch.arrived_at.is_(None),
        Batch.arrived_at,
        Batch.queue_position.is_(None),
        Batch.queue_position,
        Batch.id,
    )


def take_number(session: Session, room_id: int) -> int:
    """The room's next number, counted up in the caller's transaction (the room row stays locked until commit)."""
    number = session.execute(
        update(ROOM_TABLE)
        .where(ROOM_TABLE.c.id == room_id)
        .values(last_queue_number=ROOM_TABLE.c.last_queue_number + 1)
        .returning(ROOM_TABLE.c.last_queue_number)
    ).scalar_one_or_none()
    if number is None:
        raise NotFoundError(f"接待室 #{room_id} 不存在。")
    return int(number)


def give_number(session: Session, batch: Batch) -> int | None:
    """Give a checked-in batch the next number of its room (None, and no number, while it has no room)."""
    batch.queue_number = take_number(session, batch.room_id) if batch.room_id is not None else None
    return batch.queue_number


def ahead_of(session: Session, batch: Batch) -> int | None:
    """How many batches wait in the same room before this one (前面还有 N 批); None when it is not waiting."""
    if batch.room_id is None or batch.status not in QUEUED:
        return None
    rows = session.execute(
        select(Batch.id, Batch.queue_number, Batch.arrived_at, Batch.queue_position).where(
            Batch.room_id == batch.room_id, Batch.status.in_(QUEUED)
        )
    ).all()
    mine = batch_serving_key(batch)
    return sum(
        1 for r in rows if r.id != batch.id and serving_key(r.queue_number, r.arrived_at, r.queue_position, r.id) < mine
    )
