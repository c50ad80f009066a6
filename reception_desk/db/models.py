"""The reception-day data model (SQLAlchemy 2, typed declarative)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from reception_desk.db.encrypted import EncryptedText
from reception_desk.privacy import fields

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Timestamps are stored naive in UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base with constraint naming that Alembic and both databases agree on."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[int]: JSON}


def table(model: type[Base]) -> Table:
    """The Core table of a mapped class (for bulk statements)."""
    return cast(Table, model.__table__)


class Versioned:
    """Rows two people can edit: the version column refuses a stale write (optimistic locking)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class ReceptionDay(Base):
    """A leader's reception day (接访日): date, title, venue, leaders."""

    __tablename__ = "reception_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    leaders: Mapped[str] = mapped_column(String(500), default="")
    bureau_phone: Mapped[str] = mapped_column(String(40), default="")
    # deadlines count working days (工作日) on the holiday calendar; False: natural days (自然日)
    working_day_deadlines: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    rooms: Mapped[list[Room]] = relationship(back_populates="day", order_by="Room.number")


class Theme(Base):
    """A theme (问题类别) a room serves."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    name_en: Mapped[str] = mapped_column(String(100), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Room(Versioned, Base):
    """A reception room (接待室) of a day: number 1-15, theme, host, location, capacity."""

    __tablename__ = "room"
    __table_args__ = (
        UniqueConstraint("day_id", "number"),
        CheckConstraint("number >= 1 AND number <= 99", name="number_range"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reception_day.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"))
    location: Mapped[str] = mapped_column(String(200), default="")
    host: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    # the last 排队号 given in this room; only ever grows, so a number is never given twice (undo, moves)
    # Core only (services/queue_numbers.py): deferred and never fetched by the ORM, so loading or adding a room
    # does not depend on it and taking a number does not move the room's version
    last_queue_number: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", deferred=True)

    day: Mapped[ReceptionDay] = relationship(back_populates="rooms")
    theme: Mapped[Theme] = relationship()

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version, "eager_defaults": False}


class Department(Versioned, Base):
    """A responsible department (责任单位) of the directory."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20), default="bureau")  # bureau | township
    contact: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ThemeDepartment(Base):
    """A department suggested first in the rooms of a theme."""

    __tablename__ = "theme_department"

    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)


class Visitor(Base):
    """A real person (来访人), one row across days so repeat visits can be found."""

    __tablename__ = "visitor"
    __table_args__ = (Index("ix_visitor_name_phone_hash", "name", "phone_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_initials: Mapped[str] = mapped_column(String(100), default="", index=True)  # pinyin, for search
    # The resident ID and the phone are stored encrypted (db/encrypted.py); found by keyed hash or last four.
    # Set them with privacy.fields.id_columns / phone_columns (or through the ORM: events below keep the rest).
    id_number: Mapped[str | None] = mapped_column("id_cipher", EncryptedText("visitor.id_number"), key="id_number")
    id_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_last4: Mapped[str] = mapped_column(String(4), default="", index=True)
    id_valid: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str] = mapped_column("phone_cipher", EncryptedText("visitor.phone", ""), key="phone", default="")
    phone_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    phone_last4: Mapped[str] = mapped_column(String(4), default="", server_default="", index=True)
    township: Mapped[str] = mapped_column(String(50), default="")
    village: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # bumped by every edit of the person (desk, import): a stale edit from another laptop is refused. Deferred and
    # kept by the services (not the ORM's version counter), so loading a person does not depend on it
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1", deferred=True)

    __mapper_args__ = {"eager_defaults": False}  # an insert does not fetch the version back


@event.listens_for(Visitor.id_number, "set")
def _id_set(target: Visitor, value: str | None, _old: Any, _initiator: Any) -> None:
    cols = fields.id_columns(value)
    target.id_hash, target.id_last4 = cols["id_hash"], cols["id_last4"] or ""


@event.listens_for(Visitor.phone, "set")
def _phone_set(target: Visitor, value: str | None, _old: Any, _initiator: Any) -> None:
    cols = fields.phone_columns(value)
    target.phone_hash, target.phone_last4 = cols["phone_hash"], cols["phone_last4"]


class Batch(Versioned, Base):
    """A batch (批次): one matter brought by a lead visitor and companions."""

    __tablename__ = "batch"
    __table_args__ = (
        UniqueConstraint("day_id", "reg_no"),
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        Index("ix_batch_day_status", "day_id", "status"),
        Index("ix_batch_room_queue", "room_id", "queue_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reception_day.id", ondelete="CASCADE"))
    reg_no: Mapped[str] = mapped_column(String(20))
    lead_visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id"), index=True)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"))
    request: Mapped[str] = mapped_column(Text)
    category_text: Mapped[str] = mapped_column(String(100), default="")  # the category as the sheet wrote it
    township: Mapped[str] = mapped_column(String(50), default="")
    village: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(10), default="pre")  # pre | walk_in
    status: Mapped[str] = mapped_column(String(20), default="registered")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    queue_position: Mapped[int | None] = mapped_column(Integer)
    placed_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    queue_number: Mapped[int | None] = mapped_column(Integer)  # 排队号 within the batch's room (room.last_queue_number)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    import_source: Mapped[str] = mapped_column(String(300), default="")  # file name and row, for tracing
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    called_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    lead: Mapped[Visitor] = relationship(foreign_keys=[lead_visitor_id])
    theme: Mapped[Theme] = relationship()
    room: Mapped[Room | None] = relationship()
    members: Mapped[list[BatchMember]] = relationship(
        back_populates="batch", order_by="BatchMember.position", cascade="all, delete-orphan"
    )


class BatchMember(Base):
    """A person of a batch: the lead (position 0) and the named companions; each checks in on their own."""

    __tablename__ = "batch_member"
    __table_args__ = (UniqueConstraint("batch_id", "visitor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitor.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    batch: Mapped[Batch] = relationship(back_populates="members")
    visitor: Mapped[Visitor] = relationship()


class Case(Versioned, Base):
    """A case (信访事项): what the room decided for a batch, with its responsible departments."""

    __tablename__ = "petition_case"
    __table_args__ = (
        CheckConstraint("outcome IN ('resolved', 'handed_over', 'explained')", name="outcome_known"),
        CheckConstraint("colour IS NULL OR colour IN ('green', 'yellow', 'red')", name="colour_known"),
        Index("ix_case_department_status", "lead_department_id", "status"),
        Index("ix_case_status_due", "status", "due_date"),
        Index("ix_case_repeat_of", "repeat_of_case_id"),
        Index(
            "ix_case_unclosed_due",
            "due_date",
            sqlite_where=text("status <> 'closed'"),
            postgresql_where=text("status <> 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reception_day.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), unique=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    request: Mapped[str] = mapped_column(Text)
    instruction: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20))  # resolved 当场解决 | handed_over 交办 | explained 解释说明
    colour: Mapped[str | None] = mapped_column(String(10))
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open → signed → replied → closed
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # After the day: open → signed (签收) → replied (反馈) → closed (办结, 化解 yes/no); follow-up (回访) after close.
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_by: Mapped[str] = mapped_column(String(100), default="")
    replied_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # the latest feedback
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved: Mapped[bool | None] = mapped_column(Boolean)  # 化解: was the matter actually resolved
    original_due_date: Mapped[dt.date | None] = mapped_column(Date)  # the due date before any extension (延期)
    # the latest follow-up: satisfied 满意 | basically 基本满意 | dissatisfied 不满意 | unreachable 未能联系
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    followed_up_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)  # 挂牌督办
    supervised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    supervised_by: Mapped[str] = mapped_column(String(100), default="")
    supervision_reason: Mapped[str] = mapped_column(Text, default="")
    supervision_until: Mapped[dt.date | None] = mapped_column(Date)
    repeat_of_case_id: Mapped[int | None] = mapped_column(ForeignKey("petition_case.id"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)  # 提级核查: a repeat of a closed case

    batch: Mapped[Batch] = relationship()
    room: Mapped[Room | None] = relationship()
    lead_department: Mapped[Department | None] = relationship()
    co_departments: Mapped[list[CaseDepartment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseDepartment.rank"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by=lambda: [CaseEvent.at, CaseEvent.id]
    )


class CaseDepartment(Base):
    """A co-department (协办单位) of a case."""

    __tablename__ = "case_department"

    case_id: Mapped[int] = mapped_column(ForeignKey("petition_case.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)

    case: Mapped[Case] = relationship(back_populates="co_departments")
    department: Mapped[Department] = relationship()


class CaseEvent(Base):
    """A step in a case's life after the day: sign-for, feedback, follow-up call, supervision note."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("petition_case.id", ondelete="CASCADE"), index=True)
    # signed | feedback | extended | closed | follow_up | supervised | escalated
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class CalendarYear(Base):
    """A year whose official holiday schedule is known (from the package, or entered by the office)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(20), default="office")  # package | office
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CalendarDay(Base):
    """A day that differs from the plain week: a holiday (放假) or a make-up working day (调休上班)."""

    __tablename__ = "calendar_day"
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="kind_known"),)

    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    note: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(20), default="office")  # package | office


class AuditEntry(Base):
    """One change: who, when, what, before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.current_timestamp())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")


class CaseDraft(Base):
    """What a room host has typed for a batch but not yet saved as a case; kept so nothing typed is lost."""

    __tablename__ = "case_draft"

    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), primary_key=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class AppUser(Versioned, Base):
    """A person who logs in (用户): a role, for a room host the rooms (by number), and a hashed password.

    The password is kept only as an argon2 hash; failed_logins and locked_until lock the account for a while
    after too many wrong passwords.
    """

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20))  # desk | host | supervisor | admin
    rooms: Mapped[list[int]] = mapped_column(JSON, default=list)  # room numbers a host works in
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class NumberCounter(Base):
    """The last number given in a series of a day: registration numbers by prefix ("Y", "X"), case numbers by room
    ("case:7"). Only ever grows, so a number is never given twice; taking one locks only this row until commit
    (services/numbering.py)."""

    __tablename__ = "number_counter"

    day_id: Mapped[int] = mapped_column(ForeignKey("reception_day.id", ondelete="CASCADE"), primary_key=True)
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class AppSetting(Base):
    """A setting of the database itself (not of one laptop): e.g. login_required, set for good by the first user."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class KeyHolder(Base):
    """Someone who can open the data key (privacy/wrapping.py): a user ("user:<name>") or, for a database without
    users, a laptop ("device:<id>", its private key in a key file there). The data key is stored sealed to the
    holder's public key; a user's private key is stored wrapped under a key derived from his password."""

    __tablename__ = "key_holder"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(String(80), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)  # None for a device: its key file has it
    kdf: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
