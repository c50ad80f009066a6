"""Registrations: the day's batches as the desk sees them, adding one, moving one by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, BatchMember, ReceptionDay, Room, Theme, Visitor
from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.batches import CHECKED_IN, BatchStatus, Flag, Source, is_collective
from reception_desk.domain.case_numbers import format_registration_number
from reception_desk.domain.names import clean_name, clean_text, initials
from reception_desk.domain.roles import Permission
from reception_desk.domain.themes import BY_CODE, GENERAL
from reception_desk.privacy import fields
from reception_desk.services import audit, authz, numbering, queue_numbers
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError
from reception_desk.services.repeats import flag_repeats_in

BATCH_FIELDS = (
    "reg_no",
    "headcount",
    "theme_id",
    "request",
    "township",
    "village",
    "source",
    "status",
    "room_id",
    "queue_position",
    "placed_by_hand",
    "flags",
)


@dataclass(frozen=True)
class RegistrationRow:
    """One batch as lists show it (the ID only masked)."""

    batch_id: int
    reg_no: str
    name: str
    headcount: int
    theme_code: str
    theme_name: str
    room_number: int | None
    status: str
    flags: tuple[str, ...]
    phone: str
    id_masked: str
    township: str
    village: str
    request: str
    source: str
    queue_position: int | None
    version: int
    queue_number: int | None = None  # 排队号 within its room, from check-in on


@dataclass
class PersonInput:
    """A person as typed or read from a sheet."""

    name: str
    id_number: str = ""
    phone: str = ""


@dataclass
class RegistrationInput:
    """A new batch: the lead, companions, headcount, theme, request, place."""

    lead: PersonInput
    request: str
    theme_code: str = GENERAL
    headcount: int | None = None
    companions: list[PersonInput] = field(default_factory=list)
    township: str = ""
    village: str = ""
    category_text: str = ""


def batch_flags(stored: list[str] | None, headcount: int) -> tuple[str, ...]:
    """The flags of a batch: what was stored at registration plus the ones derived from it."""
    flags = list(stored or [])
    if is_collective(headcount) and Flag.COLLECTIVE.value not in flags:
        flags.append(Flag.COLLECTIVE.value)
    return tuple(flags)


def row_select() -> Select[tuple[Batch, Visitor, str, str, int]]:
    """The columns a registration row is built from; callers add their WHERE and ORDER BY."""
    return (
        select(Batch, Visitor, Theme.code, Theme.name, Room.number)
        .join(Visitor, Visitor.id == Batch.lead_visitor_id)
        .join(Theme, Theme.id == Batch.theme_id)
        .outerjoin(Room, Room.id == Batch.room_id)
    )


def to_row(b: Batch, v: Visitor, theme_code: str, theme_name: str, room_number: int | None) -> RegistrationRow:
    """A registration row from one result of row_select()."""
    return RegistrationRow(
        batch_id=b.id,
        reg_no=b.reg_no,
        name=v.name,
        headcount=b.headcount,
        theme_code=theme_code,
        theme_name=theme_name,
        room_number=room_number,
        status=b.status,
        flags=batch_flags(b.flags, b.headcount),
        phone=v.phone,
        id_masked=resident_id.mask(v.id_number),
        township=b.township,
        village=b.village,
        request=b.request,
        source=b.source,
        queue_position=b.queue_position,
        version=b.version,
        queue_number=b.queue_number,
    )


def list_registrations(db: Database, day_id: int) -> list[RegistrationRow]:
    """Every batch of a day with its lead visitor, theme and room, by registration number."""
    with db.read() as session:
        rows = session.execute(
            row_select()
            .where(Batch.day_id == day_id)
            # the order of the desk's lists: by prefix, then numerically (Y9999 before Y10000)
            .order_by(func.substr(Batch.reg_no, 1, 1), func.length(Batch.reg_no), Batch.reg_no)
        )
        return [to_row(*row) for row in rows]


def next_reg_sequence(session: Session, day_id: int, walk_in: bool) -> int:
    """The day's next registration sequence number of that kind, taken for good from the day's counter.

    The counter row stays locked until the caller commits (two desks never get the same number); a number is
    not given again even when its batch is gone.
    """
    return numbering.take_registration_numbers(session, day_id, walk_in)


def find_or_create_visitor(
    session: Session,
    name: str,
    id_number: str | None,
    id_valid: bool,
    phone: str,
    township: str,
    village: str,
) -> Visitor:
    """The same real person across days: by resident ID when there is one, else by name and phone."""
    visitor: Visitor | None = None
    if id_number:
        visitor = session.scalar(select(Visitor).where(Visitor.id_hash == fields.id_hash(id_number)))
    elif phone:
        visitor = session.scalar(
            select(Visitor).where(
                Visitor.name == name, Visitor.phone_hash == fields.phone_hash(phone), Visitor.id_hash.is_(None)
            )
        )
    if visitor is None:
        visitor = Visitor(
            name=name,
            name_initials=initials(name),
            id_number=id_number or None,
            id_valid=id_valid,
            phone=phone,
            township=township,
            village=village,
        )
        session.add(visitor)
        session.flush()
    else:
        # keep the newest contact details
        set_visitor(
            visitor,
            phone=phone or visitor.phone,
            township=township or visitor.township,
            village=village or visitor.village,
        )
    return visitor


def set_visitor(visitor: Visitor, **values: object) -> bool:
    """Set a person's fields; when any of them changes, the person's version moves. True when something changed.

    visitor.version is kept here, not by the ORM: another laptop's edit made on what it saw before is then stale.
    """
    changed = {key: value for key, value in values.items() if getattr(visitor, key) != value}
    for key, value in changed.items():
        setattr(visitor, key, value)
    if changed:
        setattr(visitor, "version", Visitor.version + 1)  # noqa: B010 - an SQL expression, counted up in the UPDATE
    return bool(changed)


@dataclass(frozen=True)
class CheckedPerson:
    """A typed person after the rules: clean name, ID (None when not given), its validity, phone digits."""

    name: str
    id_number: str | None
    id_valid: bool
    phone: str


def check_person(p: PersonInput, flags: set[str]) -> CheckedPerson:
    """Apply the rules to a typed person; an invalid but plausible ID flags the batch for checking at the desk."""
    name = clean_name(p.name)
    if not name:
        raise InvalidInputError("姓名不能为空。")
    id_number: str | None = None
    id_ok = False
    if p.id_number.strip():
        checked = resident_id.check(p.id_number)
        if checked.problem is resident_id.IdProblem.NUMBER_MANGLED:
            raise InvalidInputError("身份证号像是被表格存成了数字，后几位已丢失，请核对原件后重新输入。")
        if len(checked.normalized) > resident_id.LENGTH:
            raise InvalidInputError(f"身份证号“{checked.normalized}”超过{resident_id.LENGTH}位，请核对。")
        id_number, id_ok = checked.normalized, checked.valid
        if not id_ok:
            flags.add(Flag.ID_TO_CHECK.value)
    phone_text = ""
    if p.phone.strip():
        parsed = phones.normalize(p.phone)
        if parsed is None:
            raise InvalidInputError(f"电话号码“{p.phone}”无法识别。")
        phone_text = parsed.digits
    return CheckedPerson(name, id_number, id_ok, phone_text)


def _person(session: Session, p: PersonInput, township: str, village: str, flags: set[str]) -> Visitor:
    c = check_person(p, flags)
    return find_or_create_visitor(session, c.name, c.id_number, c.id_valid, c.phone, township, village)


@dataclass(frozen=True)
class SameDayBatch:
    """A batch of the day the same person already belongs to (a walk-in who had pre-registered)."""

    batch_id: int
    reg_no: str
    lead_name: str
    status: str
    source: str


class AlreadyRegisteredError(InvalidInputError):
    """A walk-in for someone who already has a batch this day; a second one needs a confirmed reason."""

    def __init__(self, existing: SameDayBatch) -> None:
        super().__init__(
            f"{existing.lead_name} 今日已登记（{existing.reg_no}），请直接签到；确需另行登记，请填写原因。"
        )
        self.existing = existing


def same_day_batches_in(session: Session, day_id: int, person: PersonInput) -> list[SameDayBatch]:
    """The day's batches with this person as lead or companion: by resident ID, or by name and phone.

    Pre-registrations not yet checked in first, then by registration number.
    """
    number = resident_id.normalize(person.id_number) if person.id_number.strip() else ""
    name = clean_name(person.name)
    parsed = phones.normalize(person.phone) if person.phone.strip() else None
    same = []
    if number:
        same.append(Visitor.id_hash == fields.id_hash(number))
    if name and parsed is not None:
        same.append((Visitor.name == name) & (Visitor.phone_hash == fields.phone_hash(parsed.digits)))
    if not same:
        return []
    lead = aliased(Visitor)
    rows = session.execute(
        select(Batch.id, Batch.reg_no, lead.name, Batch.status, Batch.source)
        .join(BatchMember, BatchMember.batch_id == Batch.id)
        .join(Visitor, Visitor.id == BatchMember.visitor_id)
        .join(lead, lead.id == Batch.lead_visitor_id)
        .where(Batch.day_id == day_id, or_(*same))
        .distinct()
    ).all()
    found = [SameDayBatch(*r) for r in rows]
    waiting = (BatchStatus.REGISTERED.value, BatchStatus.NO_SHOW.value)
    return sorted(found, key=lambda b: (b.status not in waiting, b.source != Source.PRE_REGISTERED.value, b.reg_no))


def same_day_batch(db: Database, day_id: int, person: PersonInput) -> SameDayBatch | None:
    """The batch of the day this person already has (see same_day_batches_in), or None."""
    with db.read() as session:
        found = same_day_batches_in(session, day_id, person)
    return found[0] if found else None


def add_registration(
    db: Database,
    day_id: int,
    data: RegistrationInput,
    walk_in: bool = False,
    actor: str = audit.SYSTEM,
    second_batch_reason: str = "",
) -> tuple[int, ChangeSet]:
    """Register one batch (pre-registration typed in, or a walk-in at the desk).

    A walk-in whose lead already has a batch this day (same resident ID, or same name and phone) is refused
    with AlreadyRegisteredError naming that batch, unless `second_batch_reason` says why a second batch is
    needed: the reason goes into the batch's note and the audit entry.
    """
    request = clean_text(data.request)
    if not request:
        raise InvalidInputError("诉求内容不能为空。")
    if data.theme_code not in BY_CODE:
        raise InvalidInputError(f"未知的问题类别：{data.theme_code}")
    with db.session() as session:
        authz.require(session, actor, Permission.CHECK_IN if walk_in else Permission.REGISTER)
        if session.get(ReceptionDay, day_id) is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        reason = second_batch_reason.strip()
        if walk_in and not reason:
            existing = same_day_batches_in(session, day_id, data.lead)
            if existing:
                raise AlreadyRegisteredError(existing[0])
        flags: set[str] = set()
        township, village = clean_text(data.township), clean_text(data.village)
        lead = _person(session, data.lead, township, village, flags)
        companions = [_person(session, c, township, village, flags) for c in data.companions if c.name.strip()]
        headcount = max(data.headcount or 0, 1 + len(companions))
        if _already_registered(session, day_id, lead.id):
            flags.add(Flag.DUPLICATE.value)
        theme_id = session.scalar(select(Theme.id).where(Theme.code == data.theme_code))
        if theme_id is None:
            raise InvalidInputError(f"主题“{data.theme_code}”尚未建立。")
        batch = Batch(
            day_id=day_id,
            reg_no=format_registration_number(walk_in, next_reg_sequence(session, day_id, walk_in)),
            lead_visitor_id=lead.id,
            headcount=headcount,
            theme_id=theme_id,
            request=request,
            category_text=data.category_text,
            township=township,
            village=village,
            source=(Source.WALK_IN if walk_in else Source.PRE_REGISTERED).value,
            status=BatchStatus.REGISTERED.value,
            flags=sorted(flags),
            note=f"另行登记：{reason}" if reason else "",
        )
        session.add(batch)
        session.flush()
        members = [lead, *[c for c in companions if c.id != lead.id]]
        for pos, person in enumerate(dict.fromkeys(members)):
            session.add(BatchMember(batch_id=batch.id, visitor_id=person.id, position=pos, is_lead=pos == 0))
        session.flush()
        flag_repeats_in(session, day_id, [batch.id])
        session.flush()
        audit.record(
            session, actor, "register", "batch", batch.id, after=audit.snapshot(batch, BATCH_FIELDS), reason=reason
        )
        return batch.id, ChangeSet(batches={batch.id}, visitors={m.id for m in members})


def _already_registered(session: Session, day_id: int, visitor_id: int) -> bool:
    return (
        session.scalar(
            select(BatchMember.id)
            .join(Batch, Batch.id == BatchMember.batch_id)
            .where(Batch.day_id == day_id, BatchMember.visitor_id == visitor_id)
            .limit(1)
        )
        is not None
    )


def move_batch(
    db: Database,
    batch_id: int,
    room_id: int,
    reason: str,
    actor: str,
    expected_version: int,
) -> ChangeSet:
    """Move a batch to another room by hand; records who and why. Auto-assignment never moves it back.

    `expected_version` is the batch's version as the mover saw it: a batch changed since is refused
    (StaleWriteError), never moved on stale information.

    A batch at the venue (waiting) gets the next 排队号 of its new room and queues behind those already
    there; the old number is not given again. A no-show loses its old room's number (it gets one on a late
    check-in).
    """
    if not reason.strip():
        raise InvalidInputError("调整接待室需要填写原因。")
    if not actor.strip():
        raise InvalidInputError("调整接待室需要记录操作人。")
    with db.session() as session:
        authz.require(session, actor, Permission.MOVE)
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFoundError(f"批次 #{batch_id} 不存在。")
        if batch.version != expected_version:
            raise StaleWriteError("批次", batch.id, expected_version, batch.version)
        room = session.get(Room, room_id)
        if room is None or room.day_id != batch.day_id:
            raise InvalidInputError("目标接待室不属于该接访日。")
        if batch.status in (BatchStatus.IN_SESSION.value, BatchStatus.DONE.value):
            raise InvalidInputError(f"批次 {batch.reg_no} {BatchStatus(batch.status).label}，不能再调整接待室。")
        if batch.room_id == room_id:
            return ChangeSet()
        old_room = batch.room_id
        fields = ("room_id", "queue_position", "placed_by_hand", "status", "queue_number")
        before = audit.snapshot(batch, fields)
        last = session.scalar(select(func.max(Batch.queue_position)).where(Batch.room_id == room_id))
        batch.room_id = room_id
        batch.queue_position = (last or 0) + 1
        batch.placed_by_hand = True
        if batch.status == BatchStatus.ARRIVED.value:
            batch.status = BatchStatus.WAITING.value  # at the venue and now in a room: it joins that queue
        if batch.status == BatchStatus.WAITING.value:
            queue_numbers.give_number(session, batch)
        else:
            batch.queue_number = None
        session.flush()
        after = audit.snapshot(batch, fields)
        audit.record(session, actor, "move", "batch", batch.id, before, after, reason=reason.strip())
        rooms = {room_id} | ({old_room} if old_room else set())
        return ChangeSet(batches={batch.id}, rooms=rooms)


def is_checked_in(status: str) -> bool:
    """True when the batch is at the venue (the desk checked it in)."""
    return BatchStatus(status) in CHECKED_IN
