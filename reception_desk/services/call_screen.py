"""What the waiting hall's call screen (叫号屏) reads: each room's number now received and the next two waiting.

Reads only, no Qt. Numbers only, never a name or an ID: the screen hangs in a public hall. The screen polls
this twice a second when something changed, so it is two small queries for the whole day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, ReceptionDay, Room, Theme
from reception_desk.domain.batches import BatchStatus
from reception_desk.services.errors import NotFoundError
from reception_desk.services.queue_numbers import serving_key

NEXT_SHOWN = 2  # how many waiting numbers a room shows after the one in session
_QUEUED = (BatchStatus.WAITING.value, BatchStatus.ARRIVED.value)
_LISTED = (*_QUEUED, BatchStatus.IN_SESSION.value)
_FAR = dt.datetime.max


@dataclass(frozen=True)
class RoomCall:
    """One room on the call screen: who is received now and who is next, as queue numbers (排队号)."""

    room_id: int
    number: int
    name: str
    theme_code: str
    theme_name: str
    serving_batch_id: int | None  # the batch in session (the earliest started when several are)
    serving: int | None  # its queue number; None when the room is free or the batch has no number
    upcoming: tuple[int | None, ...]  # the next NEXT_SHOWN waiting batches' numbers, in call order
    waiting: int  # how many batches wait in the room's queue in all


@dataclass(frozen=True)
class CallBoard:
    """The day's call screen: title, date and every room by number."""

    day_id: int
    date: dt.date
    title: str
    rooms: tuple[RoomCall, ...]


def call_order(
    queue_number: int | None, arrived_at: dt.datetime | None, queue_position: int | None, batch_id: int
) -> tuple[object, ...]:
    """The order flow.next_waiting_in calls batches in: the lowest 排队号 first (queue_numbers.serving_key)."""
    return serving_key(queue_number, arrived_at, queue_position, batch_id)


def call_board(db: Database, day_id: int) -> CallBoard:
    """Every room of the day with its number in session and the next two waiting (NotFoundError for no day)."""
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        if day is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        rooms = session.execute(
            select(Room.id, Room.number, Room.name, Theme.code, Theme.name)
            .join(Theme, Theme.id == Room.theme_id)
            .where(Room.day_id == day_id)
            .order_by(Room.number)
        ).all()
        # only the columns the screen needs: no visitor is ever read
        batches = session.execute(
            select(
                Batch.id,
                Batch.room_id,
                Batch.status,
                Batch.queue_number,
                Batch.arrived_at,
                Batch.queue_position,
                Batch.started_at,
            ).where(Batch.day_id == day_id, Batch.room_id.is_not(None), Batch.status.in_(_LISTED))
        ).all()
        date, title = day.date, day.title
    in_session: dict[int, list[tuple[dt.datetime, int, int | None]]] = {}
    queued: dict[int, list[tuple[tuple[object, ...], int | None]]] = {}
    for b in batches:
        if b.status == BatchStatus.IN_SESSION.value:
            in_session.setdefault(b.room_id, []).append((b.started_at or _FAR, b.id, b.queue_number))
        else:
            queued.setdefault(b.room_id, []).append(
                (call_order(b.queue_number, b.arrived_at, b.queue_position, b.id), b.queue_number)
            )
    calls = []
    for room_id, number, name, theme_code, theme_name in rooms:
        current = min(in_session.get(room_id, []), default=None)
        line = sorted(queued.get(room_id, []), key=lambda item: item[0])
        calls.append(
            RoomCall(
                room_id=room_id,
                number=number,
                name=name,
                theme_code=theme_code,
                theme_name=theme_name,
                serving_batch_id=current[1] if current else None,
                serving=current[2] if current else None,
                upcoming=tuple(queue_number for _order, queue_number in line[:NEXT_SHOWN]),
                waiting=len(line),
            )
        )
    return CallBoard(day_id=day_id, date=date, title=title, rooms=tuple(calls))
