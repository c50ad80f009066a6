"""What the room board and the registration desk show: every room's queue at a glance, one batch's card.

Reads only, no Qt. `board_snapshot` answers with two queries (rooms, then the day's batches with their lead's
name) and groups in Python: a day has a few hundred batches, so this stays in the low milliseconds and the board
can reload on every change-set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, BatchMember, Room, Theme, Visitor
from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.batches import BatchStatus, is_collective
from reception_desk.services.errors import NotFoundError
from reception_desk.services.queue_numbers import ahead_of, serving_key
from reception_desk.services.registrations import batch_flags
from reception_desk.services.repeats import EarlierCase, batch_repeats_in

# At the venue and waiting for the room (an arrived batch moved into a room by hand is waiting too).
_WAITING = (BatchStatus.WAITING.value, BatchStatus.ARRIVED.value)
_FAR = dt.datetime.max


@dataclass(frozen=True)
class QueueEntry:
    """A batch in a room's queue (or among the unassigned) as the board lists it."""

    batch_id: int
    reg_no: str
    lead_name: str
    headcount: int
    status: str
    queue_number: int | None  # 排队号 within the room, given at check-in
    queue_position: int | None  # the place in the room's queue given by assignment
    arrived_at: dt.datetime | None
    flags: tuple[str, ...]
    version: int
    placed_by_hand: bool = False

    @property
    def collective(self) -> bool:
        """A collective visit (集体访, five people or more)."""
        return is_collective(self.headcount)


@dataclass(frozen=True)
class Tally:
    """How many batches and how many people."""

    batches: int = 0
    people: int = 0


@dataclass(frozen=True)
class RoomStatus:
    """One room on the board: its plan, its counts by status, the batch in session and the queue."""

    id: int
    number: int
    name: str
    theme_code: str
    theme_name: str
    host: str
    location: str
    capacity: int
    version: int
    waiting: Tally
    in_session: Tally
    done: Tally
    not_arrived: Tally  # assigned but still only registered
    no_show: Tally
    current: QueueEntry | None  # the batch in session (the earliest started when there are several)
    queue: tuple[QueueEntry, ...]  # waiting in serving order, then the not-yet-arrived by queue position

    @property
    def over_capacity(self) -> bool:
        """More people wait for the room than it holds."""
        return self.waiting.people > self.capacity

    @property
    def oversized(self) -> tuple[QueueEntry, ...]:
        """Batches of this room (queue or in session) with more people than the room holds."""
        entries = [*([self.current] if self.current else []), *self.queue]
        return tuple(e for e in entries if e.headcount > self.capacity)

    @property
    def warning(self) -> bool:
        """The board should mark this room: too many waiting, or a batch larger than the room."""
        return self.over_capacity or bool(self.oversized)


@dataclass(frozen=True)
class Board:
    """The whole day at a glance: the rooms by number and the batches without a room."""

    rooms: list[RoomStatus]
    unassigned: list[QueueEntry]
    day_id: int

    def totals(self) -> dict[str, Tally]:
        """Counts over the whole day by board column (waiting, in_session, done, not_arrived, unassigned)."""

        def add(tallies: Iterable[Tally]) -> Tally:
            items = list(tallies)
            return Tally(sum(t.batches for t in items), sum(t.people for t in items))

        return {
            "waiting": add(r.waiting for r in self.rooms),
            "in_session": add(r.in_session for r in self.rooms),
            "done": add(r.done for r in self.rooms),
            "not_arrived": add(r.not_arrived for r in self.rooms),
            "unassigned": Tally(len(self.unassigned), sum(e.headcount for e in self.unassigned)),
        }


@dataclass
class _Bucket:
    waiting: list[tuple[tuple[object, ...], QueueEntry]] = field(default_factory=list)
    registered: list[tuple[tuple[object, ...], QueueEntry]] = field(default_factory=list)
    in_session: list[tuple[dt.datetime, QueueEntry]] = field(default_factory=list)
    done: list[QueueEntry] = field(default_factory=list)
    no_show: list[QueueEntry] = field(default_factory=list)


def _tally(entries: Sequence[QueueEntry]) -> Tally:
    return Tally(len(entries), sum(e.headcount for e in entries))


def _serving_key(entry: QueueEntry) -> tuple[object, ...]:
    # the order flow.next_waiting_in calls batches in: 排队号 first, then arrival, then the assigned position
    return serving_key(entry.queue_number, entry.arrived_at, entry.queue_position, entry.batch_id)


def board_snapshot(db: Database, day_id: int) -> Board:
    """Every room of the day with counts and queue, plus the unassigned batches (two queries)."""
    with db.read() as session:
        rooms = session.execute(
            select(
                Room.id,
                Room.number,
                Room.name,
                Theme.code,
                Theme.name.label("theme_name"),
                Room.host,
                Room.location,
                Room.capacity,
                Room.version,
            )
            .join(Theme, Theme.id == Room.theme_id)
            .where(Room.day_id == day_id)
            .order_by(Room.number)
        ).all()
        batches = session.execute(
            select(
                Batch.id,
                Batch.reg_no,
                Visitor.name,
                Batch.headcount,
                Batch.status,
                Batch.queue_number,
                Batch.queue_position,
                Batch.arrived_at,
                Batch.flags,
                Batch.version,
                Batch.placed_by_hand,
                Batch.room_id,
                Batch.started_at,
            )
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .where(Batch.day_id == day_id)
        ).all()
    buckets: dict[int, _Bucket] = {r.id: _Bucket() for r in rooms}
    unassigned: list[tuple[tuple[object, ...], QueueEntry]] = []
    for b in batches:
        entry = QueueEntry(
            batch_id=b.id,
            reg_no=b.reg_no,
            lead_name=b.name,
            headcount=b.headcount,
            status=b.status,
            queue_number=b.queue_number,
            queue_position=b.queue_position,
            arrived_at=b.arrived_at,
            flags=batch_flags(b.flags, b.headcount),
            version=b.version,
            placed_by_hand=bool(b.placed_by_hand),
        )
        bucket = buckets.get(b.room_id) if b.room_id is not None else None
        if bucket is None:
            if b.status != BatchStatus.DONE.value:
                # at the venue first (they need a room now), then the registered, the absent last
                rank = {BatchStatus.ARRIVED.value: 0, BatchStatus.WAITING.value: 0, BatchStatus.NO_SHOW.value: 2}
                unassigned.append(((rank.get(b.status, 1), entry.arrived_at or _FAR, entry.reg_no), entry))
            continue
        if b.status in _WAITING:
            bucket.waiting.append((_serving_key(entry), entry))
        elif b.status == BatchStatus.REGISTERED.value:
            bucket.registered.append(((entry.queue_position is None, entry.queue_position or 0, entry.reg_no), entry))
        elif b.status == BatchStatus.IN_SESSION.value:
            bucket.in_session.append((b.started_at or _FAR, entry))
        elif b.status == BatchStatus.DONE.value:
            bucket.done.append(entry)
        else:
            bucket.no_show.append(entry)

    statuses = []
    for r in rooms:
        bucket = buckets[r.id]
        waiting = [e for _, e in sorted(bucket.waiting, key=lambda t: t[0])]
        registered = [e for _, e in sorted(bucket.registered, key=lambda t: t[0])]
        sessions = [e for _, e in sorted(bucket.in_session, key=lambda t: (t[0], t[1].batch_id))]
        statuses.append(
            RoomStatus(
                id=r.id,
                number=r.number,
                name=r.name,
                theme_code=r.code,
                theme_name=r.theme_name,
                host=r.host,
                location=r.location,
                capacity=r.capacity,
                version=r.version,
                waiting=_tally(waiting),
                in_session=_tally(sessions),
                done=_tally(bucket.done),
                not_arrived=_tally(registered),
                no_show=_tally(bucket.no_show),
                current=sessions[0] if sessions else None,
                queue=(*waiting, *registered),
            )
        )
    return Board(rooms=statuses, unassigned=[e for _, e in sorted(unassigned, key=lambda t: t[0])], day_id=day_id)


def room_board(db: Database, day_id: int) -> list[RoomStatus]:
    """Every room of the day with its counts, the batch in session and its queue (see `board_snapshot`)."""
    return board_snapshot(db, day_id).rooms


# ---- the registration desk ----


@dataclass(frozen=True)
class CardMember:
    """A person of a batch as the desk card lists them (the ID masked)."""

    id: int  # BatchMember id, what flow.check_in takes
    name: str
    id_masked: str
    is_lead: bool
    checked_in: bool
    visitor_id: int = 0  # the person, for 显示完整号码 (services/unmask.py)


@dataclass(frozen=True)
class RoomRef:
    """Where a batch goes: the room's number, name and location."""

    id: int
    number: int
    name: str
    location: str


@dataclass(frozen=True)
class DeskCard:
    """Everything the desk shows for one batch."""

    batch_id: int
    reg_no: str
    lead_name: str
    headcount: int
    theme_name: str
    request: str
    flags: tuple[str, ...]
    status: str
    source: str
    queue_number: int | None
    township: str
    village: str
    phone_masked: str
    version: int
    members: tuple[CardMember, ...]
    room: RoomRef | None
    earlier_cases: tuple[EarlierCase, ...] = ()  # 重复访: the same people's cases on earlier days, newest first
    ahead: int | None = None  # 前面还有 N 批: batches waiting in the same room before this one (None: not waiting)

    @property
    def checked_in_count(self) -> int:
        """Named members checked in so far."""
        return sum(1 for m in self.members if m.checked_in)

    @property
    def at_venue(self) -> bool:
        """The batch has been checked in (arrived, waiting, in session or done)."""
        return self.status in (
            BatchStatus.ARRIVED.value,
            BatchStatus.WAITING.value,
            BatchStatus.IN_SESSION.value,
            BatchStatus.DONE.value,
        )


def desk_card(db: Database, batch_id: int) -> DeskCard:
    """The desk's card of a batch: lead, request, flags, members with their check-in, the room to go to."""
    with db.read() as session:
        row = session.execute(
            select(Batch, Visitor.name, Visitor.phone, Theme.name)
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .join(Theme, Theme.id == Batch.theme_id)
            .where(Batch.id == batch_id)
        ).first()
        if row is None:
            raise NotFoundError(f"批次 #{batch_id} 不存在。")
        batch, lead_name, lead_phone, theme_name = row
        members = session.execute(
            select(
                BatchMember.id,
                Visitor.name,
                Visitor.id_number,
                BatchMember.is_lead,
                BatchMember.checked_in_at,
                BatchMember.visitor_id,
            )
            .join(Visitor, Visitor.id == BatchMember.visitor_id)
            .where(BatchMember.batch_id == batch_id)
            .order_by(BatchMember.position, BatchMember.id)
        ).all()
        room = session.get(Room, batch.room_id) if batch.room_id is not None else None
        return DeskCard(
            batch_id=batch.id,
            reg_no=batch.reg_no,
            lead_name=lead_name,
            headcount=batch.headcount,
            theme_name=theme_name,
            request=batch.request,
            flags=batch_flags(batch.flags, batch.headcount),
            status=batch.status,
            source=batch.source,
            queue_number=batch.queue_number,
            township=batch.township,
            village=batch.village,
            phone_masked=phones.mask(lead_phone),
            version=batch.version,
            members=tuple(
                CardMember(
                    m.id,
                    m.name,
                    resident_id.mask(m.id_number),
                    bool(m.is_lead),
                    m.checked_in_at is not None,
                    m.visitor_id,
                )
                for m in members
            ),
            room=RoomRef(room.id, room.number, room.name, room.location) if room is not None else None,
            earlier_cases=tuple(batch_repeats_in(session, batch)),
            ahead=ahead_of(session, batch),
        )


@dataclass(frozen=True)
class DeskMatch:
    """A search hit as the desk lists it."""

    batch_id: int
    reg_no: str
    lead_name: str
    headcount: int
    status: str
    room_number: int | None
    id_masked: str
    phone_masked: str
    township: str


def desk_matches(db: Database, batch_ids: Sequence[int]) -> list[DeskMatch]:
    """The listed batches as desk rows, in the order given (a search's ranking)."""
    if not batch_ids:
        return []
    with db.read() as session:
        rows = session.execute(
            select(
                Batch.id,
                Batch.reg_no,
                Visitor.name,
                Batch.headcount,
                Batch.status,
                Room.number,
                Visitor.id_number,
                Visitor.phone,
                Batch.township,
            )
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .outerjoin(Room, Room.id == Batch.room_id)
            .where(Batch.id.in_(list(batch_ids)))
        ).all()
    by_id = {
        r.id: DeskMatch(
            r.id,
            r.reg_no,
            r.name,
            r.headcount,
            r.status,
            r.number,
            resident_id.mask(r.id_number),
            phones.mask(r.phone),
            r.township,
        )
        for r in rows
    }
    return [by_id[i] for i in batch_ids if i in by_id]


def recent_check_ins(db: Database, day_id: int, limit: int = 20) -> tuple[list[DeskMatch], int]:
    """The day's latest check-ins, newest first, and how many batches have checked in so far.

    Newest by arrival time (排队号 count within each room, so they cannot order the day).
    """
    with db.read() as session:
        rows = session.execute(
            select(Batch.id)
            .where(Batch.day_id == day_id, Batch.arrived_at.is_not(None))
            .order_by(Batch.arrived_at.desc(), Batch.id.desc())
        ).all()
    ids = [r.id for r in rows]
    return desk_matches(db, ids[:limit]), len(ids)
