"""Room assignment: place batches in rooms of their theme, balancing load. Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reception_desk.domain.batches import expected_minutes
from reception_desk.domain.themes import GENERAL


@dataclass(slots=True)
class RoomLoad:
    """A room and what is already placed in it."""

    room_id: int
    number: int
    theme: str
    capacity: int
    minutes: int = 0
    people: int = 0
    last_position: int = 0


@dataclass(frozen=True, slots=True)
class PendingBatch:
    """A batch waiting for a room."""

    batch_id: int
    reg_no: str
    theme: str
    headcount: int


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a batch goes and its place in that room's queue."""

    batch_id: int
    room_id: int
    queue_position: int


@dataclass(slots=True)
class Plan:
    """The placements of one assignment run."""

    placements: list[Placement] = field(default_factory=list)


def _candidates(rooms: Sequence[RoomLoad], theme: str) -> list[RoomLoad]:
    own = [r for r in rooms if r.theme == theme]
    if own:
        return own
    general = [r for r in rooms if r.theme == GENERAL]
    return general or list(rooms)


def plan_assignment(rooms: Iterable[RoomLoad], batches: Iterable[PendingBatch]) -> Plan:
    """Assign every pending batch to a room of its theme.

    Longest sessions first (so the balance is good), each to the room of its theme with the least expected
    minutes, then fewest people, then lowest number; a batch larger than a room's capacity goes to a room that
    holds it when the theme has one. Deterministic: the same input gives the same plan.
    """
    room_list = sorted(rooms, key=lambda r: r.number)
    plan = Plan()
    if not room_list:
        return plan
    order = sorted(batches, key=lambda b: (-expected_minutes(b.headcount), b.reg_no, b.batch_id))
    chosen: list[tuple[PendingBatch, RoomLoad]] = []
    for batch in order:
        options = _candidates(room_list, batch.theme)
        fitting = [r for r in options if r.capacity >= batch.headcount]
        if not fitting:
            # no room of the theme is large enough: the largest one of the theme still receives them
            largest = max(r.capacity for r in options)
            fitting = [r for r in options if r.capacity == largest]
        room = min(fitting, key=lambda r: (r.minutes, r.people, r.number))
        room.minutes += expected_minutes(batch.headcount)
        room.people += batch.headcount
        chosen.append((batch, room))
    # within a room the queue follows registration order, after whatever was already queued there
    for batch, room in sorted(chosen, key=lambda pair: (pair[0].reg_no, pair[0].batch_id)):
        room.last_position += 1
        plan.placements.append(Placement(batch.batch_id, room.room_id, room.last_position))
    return plan
