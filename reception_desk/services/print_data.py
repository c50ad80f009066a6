"""What each printout needs, gathered in a few queries per document (Qt-free; the drawing is in printing/).

Slips and receipts take `CaseDetail` (as `cases.case_detail` builds it, here for many cases at once); the
department bundle groups them by department; the room schedule and the registration list take queue rows with
the resident ID already masked; the day summary takes counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from reception_desk.db.engine import Database
from reception_desk.db.models import (
    Batch,
    Case,
    CaseDepartment,
    Department,
    ReceptionDay,
    Room,
    Theme,
    Visitor,
)
from reception_desk.domain import resident_id
from reception_desk.domain.batches import CHECKED_IN, BatchStatus, is_collective
from reception_desk.domain.deadlines import Colour
from reception_desk.services.cases import OUTCOME_LABELS, CaseDetail, load_case_details
from reception_desk.services.days import DayInfo
from reception_desk.services.errors import InvalidInputError, NotFoundError
from reception_desk.services.queue_numbers import ahead_of
from reception_desk.services.registrations import RegistrationRow, list_registrations

HANDED_OVER = "handed_over"
ROLE_LABELS = {"lead": "主办", "co": "协办"}


# ------------------------------------------------------------------------------------------------ cases


def _day_info(day: ReceptionDay) -> DayInfo:
    return DayInfo(day.id, day.date, day.title, day.venue, day.leaders, day.bureau_phone)


def day_info(db: Database, day_id: int) -> DayInfo:
    """The day's header data (title, date, venue, leaders, bureau phone)."""
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        if day is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        return _day_info(day)


def cases_by_number(db: Database, case_nos: Iterable[str]) -> list[CaseDetail]:
    """The cases with these numbers, in the order given; NotFoundError naming any unknown number."""
    wanted = [n.strip().upper() for n in case_nos if n.strip()]
    with db.read() as session:
        found = {d.case_no: d for d in load_case_details(session, Case.case_no.in_(wanted))}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise NotFoundError(f"没有编号为 {'、'.join(unknown)} 的案件。")
    return [found[n] for n in dict.fromkeys(wanted)]


def day_cases(
    db: Database,
    day_id: int,
    *,
    handed_over_only: bool = True,
    room_number: int | None = None,
    department_id: int | None = None,
) -> list[CaseDetail]:
    """The day's cases by number (handed-over ones by default), optionally of one room or one department."""
    where: list[ColumnElement[bool]] = [Case.day_id == day_id]
    if handed_over_only:
        where.append(Case.outcome == HANDED_OVER)
    if room_number is not None:
        where.append(Case.room_id.in_(select(Room.id).where(Room.day_id == day_id, Room.number == room_number)))
    if department_id is not None:
        co_cases = select(CaseDepartment.case_id).where(CaseDepartment.department_id == department_id)
        where.append(or_(Case.lead_department_id == department_id, Case.id.in_(co_cases)))
    with db.read() as session:
        return load_case_details(session, *where)


# ------------------------------------------------------------------------------------------------ lookups


@dataclass(frozen=True)
class DepartmentRef:
    """A department as the print commands name it."""

    id: int
    name: str


def find_department(db: Database, name: str) -> DepartmentRef:
    """The department with this name or short name; NotFoundError when there is none."""
    text = name.strip()
    with db.read() as session:
        dept = session.scalar(select(Department).where(Department.name == text))
        if dept is None:
            dept = session.scalar(select(Department).where(Department.short_name == text).order_by(Department.id))
        if dept is None:
            raise NotFoundError(f"单位目录中没有“{text}”。")
        return DepartmentRef(dept.id, dept.name)


def find_room(db: Database, day_id: int, number: int) -> int:
    """The id of the day's room with this number; NotFoundError when the day has no such room."""
    with db.read() as session:
        room_id = session.scalar(select(Room.id).where(Room.day_id == day_id, Room.number == number))
        if room_id is None:
            raise NotFoundError(f"该接访日没有第{number}接待室。")
        return room_id


# ------------------------------------------------------------------------------------------------ bundles


@dataclass(frozen=True)
class BundleEntry:
    """One case in a department's handover list, with the department's role in it."""

    case: CaseDetail
    role: str  # lead | co

    @property
    def role_label(self) -> str:
        """主办 or 协办."""
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class DepartmentBundle:
    """A department's handover list (交办清单): its handed-over cases of the day, led or co-handled."""

    department_id: int
    department_name: str
    day: DayInfo
    entries: tuple[BundleEntry, ...]


def department_bundles(db: Database, day_id: int, department_id: int | None = None) -> list[DepartmentBundle]:
    """Per department (directory order), the day's handed-over cases it leads or co-handles, by case number."""
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        if day is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        details = load_case_details(session, Case.day_id == day_id, Case.outcome == HANDED_OVER)
        departments = session.execute(
            select(Department.id, Department.name).order_by(Department.kind, Department.id)
        ).all()
        info = _day_info(day)
    by_dept: dict[int, list[BundleEntry]] = defaultdict(list)
    for detail in details:
        if detail.lead_department_id is not None:
            by_dept[detail.lead_department_id].append(BundleEntry(detail, "lead"))
        for co_id in detail.co_department_ids:
            by_dept[co_id].append(BundleEntry(detail, "co"))
    bundles = []
    for dept_id, name in departments:
        if department_id is not None and dept_id != department_id:
            continue
        entries = by_dept.get(dept_id, [])
        if entries or department_id is not None:
            bundles.append(DepartmentBundle(dept_id, name, info, tuple(entries)))
    return bundles


# ------------------------------------------------------------------------------------------------ rooms


@dataclass(frozen=True)
class QueueEntry:
    """A batch in a room's queue as the host's sheet prints it (resident ID masked, phone as stored)."""

    order: int
    reg_no: str
    name: str
    headcount: int
    township: str
    village: str
    request: str
    phone: str
    id_masked: str
    status: str
    source: str
    collective: bool


@dataclass(frozen=True)
class RoomQueue:
    """A room with its queue (接待室安排表)."""

    room_id: int
    number: int
    name: str
    theme_name: str
    location: str
    host: str
    day: DayInfo
    entries: tuple[QueueEntry, ...]

    @property
    def people(self) -> int:
        """People in the queue."""
        return sum(e.headcount for e in self.entries)


def room_queues(db: Database, day_id: int, room_number: int | None = None) -> list[RoomQueue]:
    """Each room's queue in the order the room works it (two queries for all rooms)."""
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        if day is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        info = _day_info(day)
        room_stmt = (
            select(Room, Theme.name).join(Theme, Theme.id == Room.theme_id).where(Room.day_id == day_id)
        ).order_by(Room.number)
        if room_number is not None:
            room_stmt = room_stmt.where(Room.number == room_number)
        rooms = session.execute(room_stmt).all()
        if room_number is not None and not rooms:
            raise NotFoundError(f"该接访日没有第{room_number}接待室。")
        batches = session.execute(
            select(Batch, Visitor)
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .where(Batch.room_id.in_([r.id for r, _ in rooms]))
            .order_by(Batch.room_id, Batch.queue_position, Batch.reg_no)
        ).all()
    queues: dict[int, list[tuple[Batch, Visitor]]] = defaultdict(list)
    for batch, visitor in batches:
        if batch.room_id is not None:
            queues[batch.room_id].append((batch, visitor))
    out = []
    for room, theme_name in rooms:
        entries = tuple(
            QueueEntry(
                order=i,
                reg_no=b.reg_no,
                name=v.name,
                headcount=b.headcount,
                township=b.township,
                village=b.village,
                request=b.request,
                phone=v.phone,
                id_masked=resident_id.mask(v.id_number),
                status=b.status,
                source=b.source,
                collective=is_collective(b.headcount),
            )
            for i, (b, v) in enumerate(queues.get(room.id, []), start=1)
        )
        out.append(RoomQueue(room.id, room.number, room.name, theme_name, room.location, room.host, info, entries))
    return out


# ------------------------------------------------------------------------------------------------ the list


@dataclass(frozen=True)
class RegistrationListing:
    """The day's pre-registration list (预登记名单); rows carry the masked ID already."""

    day: DayInfo
    rows: tuple[RegistrationRow, ...]


def registration_listing(db: Database, day_id: int) -> RegistrationListing:
    """The day and its batches by registration number."""
    return RegistrationListing(day_info(db, day_id), tuple(list_registrations(db, day_id)))


# ------------------------------------------------------------------------------------------------ summary


@dataclass(frozen=True)
class Totals:
    """The day's headline figures."""

    batches: int
    people: int
    collective: int
    walk_ins: int
    arrived_batches: int
    arrived_people: int
    no_shows: int
    received: int  # batches the rooms finished
    cases: int
    handed_over: int
    resolved: int
    explained: int


@dataclass(frozen=True)
class RoomCount:
    """One room's figures."""

    number: int
    name: str
    theme_name: str
    host: str
    batches: int
    people: int
    received: int
    cases: int
    handed_over: int


@dataclass(frozen=True)
class ThemeCount:
    """One theme's figures (by the batch's theme)."""

    name: str
    batches: int
    people: int
    cases: int
    handed_over: int


@dataclass(frozen=True)
class DepartmentCount:
    """Handed-over cases a department leads and co-handles."""

    name: str
    lead: int
    co: int


@dataclass(frozen=True)
class DaySummary:
    """当日接访情况汇总: totals and counts by room, theme, outcome, colour and department."""

    day: DayInfo
    totals: Totals
    by_room: tuple[RoomCount, ...]
    by_theme: tuple[ThemeCount, ...]
    by_outcome: tuple[tuple[str, int], ...]
    by_colour: tuple[tuple[str, int], ...]
    by_department: tuple[DepartmentCount, ...]


def day_summary(db: Database, day_id: int) -> DaySummary:
    """Count the day: five queries (day, rooms, batches, cases, co-departments), tallied here."""
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        if day is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        info = _day_info(day)
        rooms = session.execute(
            select(Room.id, Room.number, Room.name, Room.host, Theme.name.label("theme_name"))
            .join(Theme, Theme.id == Room.theme_id)
            .where(Room.day_id == day_id)
            .order_by(Room.number)
        ).all()
        batches = session.execute(
            select(
                Batch.id,
                Batch.status,
                Batch.headcount,
                Batch.source,
                Batch.room_id,
                Theme.name.label("theme_name"),
                Theme.sort_order,
            )
            .join(Theme, Theme.id == Batch.theme_id)
            .where(Batch.day_id == day_id)
        ).all()
        cases = session.execute(
            select(Case.id, Case.batch_id, Case.room_id, Case.outcome, Case.colour, Department.name.label("lead_name"))
            .outerjoin(Department, Department.id == Case.lead_department_id)
            .where(Case.day_id == day_id)
        ).all()
        co_rows = session.execute(
            select(Department.name)
            .select_from(CaseDepartment)
            .join(Case, Case.id == CaseDepartment.case_id)
            .join(Department, Department.id == CaseDepartment.department_id)
            .where(Case.day_id == day_id, Case.outcome == HANDED_OVER)
        ).all()
    return _tally(info, rooms, batches, cases, [name for (name,) in co_rows])


def _tally(
    info: DayInfo,
    rooms: Sequence[Any],
    batches: Sequence[Any],
    cases: Sequence[Any],
    co_names: list[str],
) -> DaySummary:
    arrived = {s.value for s in CHECKED_IN}
    theme_of_batch = {b.id: b.theme_name for b in batches}
    handed = [c for c in cases if c.outcome == HANDED_OVER]
    outcomes = Counter(c.outcome for c in cases)
    totals = Totals(
        batches=len(batches),
        people=sum(b.headcount for b in batches),
        collective=sum(1 for b in batches if is_collective(b.headcount)),
        walk_ins=sum(1 for b in batches if b.source == "walk_in"),
        arrived_batches=sum(1 for b in batches if b.status in arrived),
        arrived_people=sum(b.headcount for b in batches if b.status in arrived),
        no_shows=sum(1 for b in batches if b.status == BatchStatus.NO_SHOW.value),
        received=sum(1 for b in batches if b.status == BatchStatus.DONE.value),
        cases=len(cases),
        handed_over=outcomes["handed_over"],
        resolved=outcomes["resolved"],
        explained=outcomes["explained"],
    )
    by_room = tuple(
        RoomCount(
            number=r.number,
            name=r.name,
            theme_name=r.theme_name,
            host=r.host,
            batches=sum(1 for b in batches if b.room_id == r.id),
            people=sum(b.headcount for b in batches if b.room_id == r.id),
            received=sum(1 for b in batches if b.room_id == r.id and b.status == BatchStatus.DONE.value),
            cases=sum(1 for c in cases if c.room_id == r.id),
            handed_over=sum(1 for c in handed if c.room_id == r.id),
        )
        for r in rooms
    )
    theme_order: dict[str, int] = {}
    for b in sorted(batches, key=lambda b: b.sort_order):
        theme_order.setdefault(b.theme_name, b.sort_order)
    by_theme = tuple(
        ThemeCount(
            name=name,
            batches=sum(1 for b in batches if b.theme_name == name),
            people=sum(b.headcount for b in batches if b.theme_name == name),
            cases=sum(1 for c in cases if theme_of_batch.get(c.batch_id) == name),
            handed_over=sum(1 for c in handed if theme_of_batch.get(c.batch_id) == name),
        )
        for name in theme_order
    )
    by_outcome = tuple((label, outcomes[key]) for key, label in OUTCOME_LABELS.items())
    colours = Counter(c.colour for c in handed)
    by_colour = tuple((c.label, colours[c.value]) for c in Colour)
    lead = Counter(c.lead_name for c in handed if c.lead_name)
    co = Counter(co_names)
    by_department = tuple(
        DepartmentCount(name, lead[name], co[name])
        for name in sorted(set(lead) | set(co), key=lambda n: (-lead[n], -co[n], n))
    )
    return DaySummary(info, totals, by_room, by_theme, by_outcome, by_colour, by_department)


# ------------------------------------------------------------------------------------------------ queue ticket


@dataclass(frozen=True)
class QueueTicket:
    """A checked-in batch's queue ticket: its 排队号 in its room, where to wait; the resident ID masked."""

    day: DayInfo
    batch_id: int
    reg_no: str
    queue_number: int
    lead_name: str
    id_masked: str
    headcount: int
    room_number: int | None
    room_name: str
    room_location: str
    checked_in_at: dt.datetime  # stored (naive UTC), as the batch's arrival
    ahead: int | None = None  # 前面还有 N 批 in the same room when the ticket was made (None: not waiting)


def queue_ticket(db: Database, batch_id: int) -> QueueTicket:
    """The ticket of a checked-in batch; NotFoundError for an unknown batch, InvalidInputError before check-in."""
    with db.read() as session:
        row = session.execute(
            select(Batch, Visitor, ReceptionDay, Room)
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .join(ReceptionDay, ReceptionDay.id == Batch.day_id)
            .outerjoin(Room, Room.id == Batch.room_id)
            .where(Batch.id == batch_id)
        ).first()
        if row is None:
            raise NotFoundError(f"批次 #{batch_id} 不存在。")
        batch, visitor, day, room = row
        if batch.arrived_at is None:
            raise InvalidInputError(f"批次 {batch.reg_no} 尚未签到，还没有排队号。")
        if batch.queue_number is None:
            raise InvalidInputError(f"批次 {batch.reg_no} 尚未分配接待室，还没有排队号。")
        return QueueTicket(
            day=_day_info(day),
            batch_id=batch.id,
            reg_no=batch.reg_no,
            queue_number=batch.queue_number,
            lead_name=visitor.name,
            id_masked=resident_id.mask(visitor.id_number),
            headcount=batch.headcount,
            room_number=room.number if room is not None else None,
            room_name=room.name if room is not None else "",
            room_location=room.location if room is not None else "",
            checked_in_at=batch.arrived_at,
            ahead=ahead_of(session, batch),
        )
