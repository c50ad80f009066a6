"""What the room host's screen reads: one room's queue, the batch in session in full, the department choices.

Reads only, no Qt. A room has a few dozen batches at most, so each read is a handful of small queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, BatchMember, ReceptionDay, Room, Theme, ThemeDepartment, Visitor
from reception_desk.domain.batches import BatchStatus
from reception_desk.domain.deadlines import Calendar
from reception_desk.services.errors import NotFoundError
from reception_desk.services.holiday_calendar import day_calendar_in
from reception_desk.services.plan import DepartmentInfo, departments_for_theme_in
from reception_desk.services.queue_numbers import batch_serving_key
from reception_desk.services.registrations import batch_flags
from reception_desk.services.repeats import EarlierCase, batch_repeats_in

_QUEUED = (BatchStatus.WAITING.value, BatchStatus.ARRIVED.value)
_FAR = dt.datetime.max


@dataclass(frozen=True)
class QueueItem:
    """A batch in the room's queue."""

    batch_id: int
    reg_no: str
    lead_name: str
    headcount: int
    status: str
    queue_number: int | None  # 排队号 within the room, given at check-in
    flags: tuple[str, ...]
    version: int

    @property
    def arrived(self) -> bool:
        """Checked in and waiting (it can be called); False for a batch still only registered."""
        return self.status in _QUEUED


@dataclass(frozen=True)
class SessionBatch:
    """The batch in session, with what the host needs in front of them."""

    batch_id: int
    reg_no: str
    lead_name: str
    companions: tuple[str, ...]
    headcount: int
    township: str
    village: str
    phone: str
    request: str
    theme_code: str
    theme_name: str
    flags: tuple[str, ...]
    queue_number: int | None
    version: int
    started_at: dt.datetime | None
    earlier_cases: tuple[EarlierCase, ...] = ()  # 重复访: the same people's cases on earlier days, newest first


@dataclass(frozen=True)
class RoomQueue:
    """One room: its plan, the day's deadline rule, the batch in session, the queue and the counts."""

    room_id: int
    number: int
    name: str
    theme_code: str
    theme_name: str
    host: str
    day_date: dt.date
    working_day_deadlines: bool
    calendar: Calendar  # how the day counts deadlines (office calendar, working or natural days)
    current: SessionBatch | None
    waiting: tuple[QueueItem, ...]  # in the order call_next takes them
    not_arrived: tuple[QueueItem, ...]  # assigned but not checked in, by queue position
    done: int
    no_show: int


@dataclass(frozen=True)
class DepartmentChoices:
    """The departments a host chooses from: the theme's defaults first, then every other active one."""

    defaults: tuple[DepartmentInfo, ...]
    others: tuple[DepartmentInfo, ...]

    @property
    def all(self) -> tuple[DepartmentInfo, ...]:
        """Defaults, then the others."""
        return (*self.defaults, *self.others)


def _item(batch: Batch, lead_name: str) -> QueueItem:
    return QueueItem(
        batch_id=batch.id,
        reg_no=batch.reg_no,
        lead_name=lead_name,
        headcount=batch.headcount,
        status=batch.status,
        queue_number=batch.queue_number,
        flags=batch_flags(batch.flags, batch.headcount),
        version=batch.version,
    )


def room_queue(db: Database, room_id: int) -> RoomQueue:
    """The room's queue, in call order, and the batch in session (the earliest started when several are)."""
    with db.read() as session:
        row = session.execute(
            select(Room, Theme, ReceptionDay)
            .join(Theme, Theme.id == Room.theme_id)
            .join(ReceptionDay, ReceptionDay.id == Room.day_id)
            .where(Room.id == room_id)
        ).first()
        if row is None:
            raise NotFoundError(f"接待室 #{room_id} 不存在。")
        room, theme, day = row
        batches = session.execute(
            select(Batch, Visitor.name)
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .where(Batch.room_id == room_id)
        ).all()
        waiting = sorted((b for b, _ in batches if b.status in _QUEUED), key=batch_serving_key)
        registered = sorted(
            (b for b, _ in batches if b.status == BatchStatus.REGISTERED.value),
            key=lambda b: (b.queue_position is None, b.queue_position or 0, b.reg_no),
        )
        in_session = sorted(
            (b for b, _ in batches if b.status == BatchStatus.IN_SESSION.value),
            key=lambda b: (b.started_at or _FAR, b.id),
        )
        names = {b.id: name for b, name in batches}
        current = _session_batch(session, in_session[0]) if in_session else None
        return RoomQueue(
            room_id=room.id,
            number=room.number,
            name=room.name,
            theme_code=theme.code,
            theme_name=theme.name,
            host=room.host,
            day_date=day.date,
            working_day_deadlines=bool(day.working_day_deadlines),
            calendar=day_calendar_in(session, day),
            current=current,
            waiting=tuple(_item(b, names[b.id]) for b in waiting),
            not_arrived=tuple(_item(b, names[b.id]) for b in registered),
            done=sum(1 for b, _ in batches if b.status == BatchStatus.DONE.value),
            no_show=sum(1 for b, _ in batches if b.status == BatchStatus.NO_SHOW.value),
        )


def _session_batch(session: Session, batch: Batch) -> SessionBatch:
    members = session.execute(
        select(Visitor.name, Visitor.phone, BatchMember.is_lead)
        .join(Visitor, Visitor.id == BatchMember.visitor_id)
        .where(BatchMember.batch_id == batch.id)
        .order_by(BatchMember.position, BatchMember.id)
    ).all()
    lead = session.get(Visitor, batch.lead_visitor_id)
    theme = session.get(Theme, batch.theme_id)
    return SessionBatch(
        batch_id=batch.id,
        reg_no=batch.reg_no,
        lead_name=lead.name if lead else "",
        companions=tuple(m.name for m in members if not m.is_lead),
        headcount=batch.headcount,
        township=batch.township,
        village=batch.village,
        phone=lead.phone if lead else "",
        request=batch.request,
        theme_code=theme.code if theme else "",
        theme_name=theme.name if theme else "",
        flags=batch_flags(batch.flags, batch.headcount),
        queue_number=batch.queue_number,
        version=batch.version,
        started_at=batch.started_at,
        earlier_cases=tuple(batch_repeats_in(session, batch)),
    )


def department_choices(db: Database, theme_code: str) -> DepartmentChoices:
    """The active directory split into the theme's default departments (by rank) and the rest."""
    with db.read() as session:
        ordered = departments_for_theme_in(session, theme_code)
        default_ids = set(
            session.scalars(
                select(ThemeDepartment.department_id)
                .join(Theme, Theme.id == ThemeDepartment.theme_id)
                .where(Theme.code == theme_code)
            )
        )
        infos = [
            DepartmentInfo(d.id, d.name, d.short_name, d.kind, d.contact, d.phone, d.active, d.version) for d in ordered
        ]
    return DepartmentChoices(
        defaults=tuple(d for d in infos if d.id in default_ids),
        others=tuple(d for d in infos if d.id not in default_ids),
    )
