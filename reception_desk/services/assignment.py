"""Room assignment for a day: every unassigned batch to a room of its theme, in one transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, Room, Theme, table, utcnow
from reception_desk.domain.assignment import PendingBatch, RoomLoad, plan_assignment
from reception_desk.domain.batches import BatchStatus, expected_minutes
from reception_desk.domain.roles import Permission
from reception_desk.services import audit, authz, queue_numbers
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import StaleWriteError

BATCH_TABLE = table(Batch)
AUDIT_TABLE = table(AuditEntry)

# Batches the run may place: not yet in a room, and not finished or absent.
_PLACEABLE = (BatchStatus.REGISTERED.value, BatchStatus.ARRIVED.value)


@dataclass
class AssignReport:
    """What an assignment run did: how many batches it placed, and how many went to each room number."""

    assigned: int = 0
    rooms: dict[int, int] = field(default_factory=dict)
    changes: ChangeSet = field(default_factory=ChangeSet)

    def to_json(self) -> dict[str, Any]:
        """The --json form: {"assigned": n, "rooms": {"<room number>": n}}."""
        return {"assigned": self.assigned, "rooms": {str(k): v for k, v in sorted(self.rooms.items())}}


def _room_loads(session: Session, day_id: int) -> list[RoomLoad]:
    loads = {
        room_id: RoomLoad(room_id, number, code, capacity)
        for room_id, number, code, capacity in session.execute(
            select(Room.id, Room.number, Theme.code, Room.capacity)
            .join(Theme, Theme.id == Room.theme_id)
            .where(Room.day_id == day_id)
        )
    }
    placed = session.execute(
        select(Batch.room_id, Batch.headcount).where(
            Batch.day_id == day_id,
            Batch.room_id.is_not(None),
            Batch.status.not_in((BatchStatus.DONE.value, BatchStatus.NO_SHOW.value)),
        )
    )
    for room_id, headcount in placed:
        load = loads.get(room_id)
        if load is None:
            continue
        load.minutes += expected_minutes(headcount)
        load.people += headcount
    # queue positions continue after everything ever placed in the room, finished batches included
    for room_id, last in session.execute(
        select(Batch.room_id, func.max(Batch.queue_position))
        .where(Batch.day_id == day_id, Batch.room_id.is_not(None))
        .group_by(Batch.room_id)
    ):
        if room_id in loads:
            loads[room_id].last_position = last or 0
    return list(loads.values())


_PG_PLACEMENT_UPDATE = text(
    """
    UPDATE batch AS b
    SET room_id = p.room, queue_position = p.pos, status = p.status, version = b.version + 1
    FROM unnest(CAST(:ids AS integer[]), CAST(:versions AS integer[]), CAST(:rooms AS integer[]),
                CAST(:positions AS integer[]), CAST(:statuses AS text[])) AS p(id, version, room, pos, status)
    WHERE b.id = p.id AND b.version = p.version AND b.room_id IS NULL
    """
)


def _placement_update(session: Session, updates: list[dict[str, Any]]) -> tuple[Any, ...]:
    """One UPDATE for every placement: a VALUES join on PostgreSQL (one round trip), executemany on SQLite."""
    cols = BATCH_TABLE.c
    if session.get_bind().dialect.name == "postgresql":
        # arrays keep the statement the same whatever the count, so it compiles once and runs in one round trip
        params = {
            "ids": [u["b_id"] for u in updates],
            "versions": [u["b_version"] for u in updates],
            "rooms": [u["b_room"] for u in updates],
            "positions": [u["b_pos"] for u in updates],
            "statuses": [u["b_status"] for u in updates],
        }
        return _PG_PLACEMENT_UPDATE, params
    stmt = (
        update(BATCH_TABLE)
        .where(and_(cols.id == bindparam("b_id"), cols.version == bindparam("b_version"), cols.room_id.is_(None)))
        .values(
            room_id=bindparam("b_room"),
            queue_position=bindparam("b_pos"),
            status=bindparam("b_status"),
            version=cols.version + 1,
        )
    )
    return stmt, updates


def assign_day(db: Database, day_id: int, actor: str = audit.SYSTEM) -> AssignReport:
    """Place every unassigned batch of the day. Never moves a placed, checked-in or hand-placed batch.

    Running it twice changes nothing the second time. One transaction.
    """
    with db.session() as session:
        # placing batches without a room is part of the desk's work too (walk-ins, imports); moves are not
        authz.require_any(session, actor, Permission.MOVE, Permission.CHECK_IN, Permission.REGISTER)
        return assign_day_in(session, day_id, actor)


def assign_day_in(session: Session, day_id: int, actor: str = audit.SYSTEM) -> AssignReport:
    """assign_day inside the caller's transaction."""
    rooms = _room_loads(session, day_id)
    pending_rows = session.execute(
        select(Batch.id, Batch.reg_no, Theme.code, Batch.headcount, Batch.version, Batch.status)
        .join(Theme, Theme.id == Batch.theme_id)
        .where(Batch.day_id == day_id, Batch.room_id.is_(None), Batch.status.in_(_PLACEABLE))
    ).all()
    pending = [PendingBatch(r.id, r.reg_no, r.code, r.headcount) for r in pending_rows]
    plan = plan_assignment(rooms, pending)
    if not plan.placements:
        return AssignReport()
    info = {r.id: r for r in pending_rows}
    number_of = {r.room_id: r.number for r in rooms}
    updates = []
    audits: list[dict[str, Any]] = []
    at = utcnow()
    for p in plan.placements:
        row = info[p.batch_id]
        status = BatchStatus.WAITING.value if row.status == BatchStatus.ARRIVED.value else row.status
        updates.append(
            {
                "b_id": p.batch_id,
                "b_version": row.version,
                "b_room": p.room_id,
                "b_pos": p.queue_position,
                "b_status": status,
            }
        )
        audits.append(
            {
                "at": at,
                "actor": actor or audit.SYSTEM,
                "action": "assign",
                "entity": "batch",
                "entity_id": p.batch_id,
                "before": {"room_id": None, "status": row.status},
                "after": {
                    "room_id": p.room_id,
                    "room": number_of[p.room_id],
                    "queue_position": p.queue_position,
                    "status": status,
                },
                "reason": "",
            }
        )
    result = session.connection().execute(*_placement_update(session, updates))
    if result.rowcount != len(updates):
        # another laptop placed or edited some of these batches meanwhile: roll the whole run back
        raise StaleWriteError("批次")
    # an arrived batch placed now joins its room's queue: it takes the room's next 排队号
    numbers = {
        u["b_id"]: queue_numbers.take_number(session, u["b_room"])
        for u in updates
        if info[u["b_id"]].status == BatchStatus.ARRIVED.value
    }
    if numbers:
        session.connection().execute(
            update(BATCH_TABLE).where(BATCH_TABLE.c.id == bindparam("b_id")).values(queue_number=bindparam("b_no")),
            [{"b_id": batch_id, "b_no": number} for batch_id, number in numbers.items()],
        )
        for entry in audits:
            if entry["entity_id"] in numbers:
                entry["after"]["queue_number"] = numbers[entry["entity_id"]]
    session.execute(AUDIT_TABLE.insert(), audits)
    counts = Counter(number_of[p.room_id] for p in plan.placements)
    changes = ChangeSet(batches={p.batch_id for p in plan.placements}, rooms={p.room_id for p in plan.placements})
    return AssignReport(len(plan.placements), dict(counts), changes)
