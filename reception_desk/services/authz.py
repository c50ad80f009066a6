"""Who may do what: every service operation checks its acting user here, in its own transaction.

    authz.require(session, actor, Permission.CHECK_IN)
    authz.require(session, actor, Permission.ROOM_WORK, room_id=batch.room_id)

A database without users is 单机模式: everything is allowed and the actor is only the name recorded. Once login
is on (the first user was created), the actor must be an active user whose role allows the operation; a room
host only in the rooms given to him. Authentication (the password) happens where people come in — the login
dialog and the CLI's --user — never here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from reception_desk.db.models import AppSetting, AppUser, Room
from reception_desk.domain.roles import Permission, Role, allows
from reception_desk.errors import PermissionDeniedError

LOGIN_REQUIRED = "login_required"
SYSTEM_ACTORS = frozenset({"system", "demo", "migration"})  # the app's own work (demo day, seeding, migrations)


@dataclass(frozen=True)
class Actor:
    """The acting user as the services see him: None role means 单机模式 (everything allowed)."""

    name: str
    role: Role | None
    rooms: tuple[int, ...] = ()

    def may(self, permission: Permission) -> bool:
        """True when this actor may do what the permission names (room scope aside)."""
        return self.role is None or allows(self.role, permission)


_HAS_USERS_TABLE: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def login_required(session: Session) -> bool:
    """True once the database has had its first user (for good).

    A database still at a revision before users (0006: a file being upgraded step by step) has no login.
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if not _HAS_USERS_TABLE.get(engine):
        if not inspect(session.connection()).has_table(AppSetting.__tablename__):
            return False
        _HAS_USERS_TABLE[engine] = True  # once there, it stays (no migration drops it)
    return session.get(AppSetting, LOGIN_REQUIRED) is not None


def actor_of(session: Session, name: str) -> Actor:
    """The acting user; in 单机模式 an all-powerful actor with the given name.

    PermissionDeniedError when login is on and the name is not an active user.
    """
    if not login_required(session):
        return Actor(name, None)
    user = session.scalar(select(AppUser).where(AppUser.name == name))
    if user is None or not user.active:
        raise PermissionDeniedError(f"用户“{name}”不存在或已停用，不能操作。请用有效的用户登录。")
    return Actor(user.name, Role(user.role), tuple(user.rooms or ()))


def require(session: Session, actor: str, permission: Permission, room_id: int | None = None) -> Actor:
    """The actor when his role allows the operation (in the room, for room work), else PermissionDeniedError."""
    who = actor_of(session, actor)
    if who.role is None:
        return who
    if not allows(who.role, permission):
        raise PermissionDeniedError(f"{who.role.label}用户“{who.name}”无权{permission.label}。")
    if permission is Permission.ROOM_WORK and who.role is Role.HOST and room_id is not None:
        number = session.scalar(select(Room.number).where(Room.id == room_id))
        if number is not None and number not in who.rooms:
            rooms = "、".join(f"第{n}接待室" for n in who.rooms) or "（未指定接待室）"
            raise PermissionDeniedError(f"用户“{who.name}”只能在{rooms}操作，不能在第{number}接待室操作。")
    return who


def require_any(session: Session, actor: str, *permissions: Permission, room_id: int | None = None) -> Actor:
    """The actor when his role allows one of the permissions (work that belongs to several roles), else
    PermissionDeniedError naming the first one."""
    who = actor_of(session, actor)
    for permission in permissions:
        if who.may(permission):
            return require(session, actor, permission, room_id)
    return require(session, actor, permissions[0], room_id)
