"""Editing the room plan and the department directory (both are the office's to change)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import Department, Room, Theme, ThemeDepartment
from reception_desk.domain.roles import Permission
from reception_desk.services import audit, authz
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError

ROOM_FIELDS = ("name", "theme_id", "location", "host", "capacity")
DEPARTMENT_FIELDS = ("name", "short_name", "kind", "contact", "phone", "active")


@dataclass(frozen=True)
class RoomInfo:
    """A room of a day's plan."""

    id: int
    number: int
    name: str
    theme_code: str
    theme_name: str
    location: str
    host: str
    capacity: int
    version: int


@dataclass(frozen=True)
class DepartmentInfo:
    """A department of the directory."""

    id: int
    name: str
    short_name: str
    kind: str
    contact: str
    phone: str
    active: bool
    version: int


def _check_version(entity: str, row: Any, expected: int) -> None:
    # required: an edit made on what a person saw never silently overwrites what another saved meanwhile
    if row.version != expected:
        raise StaleWriteError(entity, row.id, expected, row.version)


def list_rooms(db: Database, day_id: int) -> list[RoomInfo]:
    """The rooms of a day, by number."""
    with db.read() as session:
        rows = session.execute(
            select(Room, Theme)
            .join(Theme, Room.theme_id == Theme.id)
            .where(Room.day_id == day_id)
            .order_by(Room.number)
        )
        return [
            RoomInfo(r.id, r.number, r.name, t.code, t.name, r.location, r.host, r.capacity, r.version) for r, t in rows
        ]


def update_room(
    db: Database, room_id: int, expected_version: int, actor: str = audit.SYSTEM, **changes: Any
) -> ChangeSet:
    """Change a room's name, theme (by theme_id or theme_code), location, host or capacity."""
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        room = session.get(Room, room_id)
        if room is None:
            raise NotFoundError(f"接待室 #{room_id} 不存在。")
        _check_version("接待室", room, expected_version)
        if "theme_code" in changes:
            code = changes.pop("theme_code")
            theme_id = session.scalar(select(Theme.id).where(Theme.code == code))
            if theme_id is None:
                raise InvalidInputError(f"未知的主题：{code}")
            changes["theme_id"] = theme_id
        unknown = set(changes) - set(ROOM_FIELDS)
        if unknown:
            raise InvalidInputError(f"接待室没有这些字段：{', '.join(sorted(unknown))}")
        if "capacity" in changes and int(changes["capacity"]) < 1:
            raise InvalidInputError("接待室容量至少为 1 人。")
        before = audit.snapshot(room, ROOM_FIELDS)
        for key, value in changes.items():
            setattr(room, key, value)
        session.flush()
        old, new = audit.diff(before, audit.snapshot(room, ROOM_FIELDS))
        audit.record(session, actor, "update", "room", room.id, old, new)
        return ChangeSet(rooms={room.id})


def _dept_info(d: Department) -> DepartmentInfo:
    return DepartmentInfo(d.id, d.name, d.short_name, d.kind, d.contact, d.phone, d.active, d.version)


def list_departments(db: Database, active_only: bool = False) -> list[DepartmentInfo]:
    """The directory: bureaus first, then townships, by name."""
    with db.read() as session:
        stmt = select(Department).order_by(Department.kind, Department.id)
        if active_only:
            stmt = stmt.where(Department.active.is_(True))
        return [_dept_info(d) for d in session.scalars(stmt)]


def departments_for_theme(db: Database, theme_code: str) -> list[DepartmentInfo]:
    """The active directory with the theme's default departments first (for the room host's choice)."""
    with db.read() as session:
        return [_dept_info(d) for d in departments_for_theme_in(session, theme_code)]


def departments_for_theme_in(session: Session, theme_code: str) -> list[Department]:
    """The theme's defaults by rank, then every other active department."""
    defaults = list(
        session.scalars(
            select(Department)
            .join(ThemeDepartment, ThemeDepartment.department_id == Department.id)
            .join(Theme, Theme.id == ThemeDepartment.theme_id)
            .where(Theme.code == theme_code, Department.active.is_(True))
            .order_by(ThemeDepartment.rank, Department.id)
        )
    )
    seen = {d.id for d in defaults}
    rest = session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.kind, Department.id)
    )
    return defaults + [d for d in rest if d.id not in seen]


def create_department(
    db: Database,
    name: str,
    short_name: str = "",
    kind: str = "bureau",
    contact: str = "",
    phone: str = "",
    theme_codes: tuple[str, ...] = (),
    actor: str = audit.SYSTEM,
) -> tuple[int, ChangeSet]:
    """Add a department to the directory, optionally as a default of some themes."""
    name = name.strip()
    if not name:
        raise InvalidInputError("单位名称不能为空。")
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        if session.scalar(select(Department.id).where(Department.name == name)) is not None:
            raise InvalidInputError(f"单位“{name}”已在目录中。")
        dept = Department(name=name, short_name=short_name or name, kind=kind, contact=contact, phone=phone)
        session.add(dept)
        session.flush()
        for rank, code in enumerate(theme_codes):
            theme_id = session.scalar(select(Theme.id).where(Theme.code == code))
            if theme_id is None:
                raise InvalidInputError(f"未知的主题：{code}")
            session.add(ThemeDepartment(theme_id=theme_id, department_id=dept.id, rank=100 + rank))
        audit.record(session, actor, "create", "department", dept.id, after=audit.snapshot(dept, DEPARTMENT_FIELDS))
        return dept.id, ChangeSet(departments={dept.id})


def update_department(
    db: Database, department_id: int, expected_version: int, actor: str = audit.SYSTEM, **changes: Any
) -> ChangeSet:
    """Change a department's name, short name, contact, phone or active flag."""
    unknown = set(changes) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise InvalidInputError(f"单位没有这些字段：{', '.join(sorted(unknown))}")
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        dept = session.get(Department, department_id)
        if dept is None:
            raise NotFoundError(f"单位 #{department_id} 不存在。")
        _check_version("单位", dept, expected_version)
        before = audit.snapshot(dept, DEPARTMENT_FIELDS)
        for key, value in changes.items():
            setattr(dept, key, value)
        session.flush()
        old, new = audit.diff(before, audit.snapshot(dept, DEPARTMENT_FIELDS))
        audit.record(session, actor, "update", "department", dept.id, old, new)
        return ChangeSet(departments={dept.id})
