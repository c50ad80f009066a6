"""Users and roles: the first admin turns login on, argon2 hashes, lock-out, and who may do what (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from reception_desk.db.engine import Database
from reception_desk.db.models import AppUser, AuditEntry, Base, Room
from reception_desk.domain.roles import Permission, Role, parse_rooms
from reception_desk.errors import AuthenticationError, InvalidInputError, PermissionDeniedError
from reception_desk.services import authz, users
from tests.helpers import make_day


def _people(db: Database) -> None:
    users.add_user(db, "setup", "admin", Role.ADMIN, "secret-1")
    users.add_user(db, "admin", "desk1", Role.DESK, "desk-pass")
    users.add_user(db, "admin", "host1", Role.HOST, "host-pass", rooms=[1, 2, 3, 4, 5])
    users.add_user(db, "admin", "chief", Role.SUPERVISOR, "chief-pass")


def test_without_users_everyone_may_everything(db: Database) -> None:
    assert not users.has_users(db)
    with db.read() as session:
        actor = authz.require(session, "anyone", Permission.ADMIN)
    assert actor.role is None and actor.name == "anyone"


def test_the_first_user_must_be_an_admin_and_turns_login_on(db: Database) -> None:
    with pytest.raises(InvalidInputError, match="第一个用户必须是管理员"):
        users.add_user(db, "setup", "desk1", Role.DESK, "desk-pass")
    assert not users.has_users(db)
    users.add_user(db, "setup", "admin", Role.ADMIN, "secret-1")
    assert users.has_users(db)
    with db.read() as session, pytest.raises(PermissionDeniedError, match="不存在或已停用"):
        authz.require(session, "stranger", Permission.READ)


def test_passwords_are_hashed_never_kept_in_clear(db: Database) -> None:
    _people(db)
    with db.read() as session:
        hashes = list(session.scalars(select(AppUser.password_hash)))
        audits = session.scalars(select(AuditEntry)).all()
    assert len(hashes) == 4 and all(h.startswith("$argon2id$") for h in hashes)
    dumped = repr([(a.before, a.after, a.reason) for a in audits])
    for clear in ("secret-1", "desk-pass", "host-pass", "chief-pass"):
        assert all(clear not in h for h in hashes) and clear not in dumped


def test_each_role_is_allowed_and_refused_what_the_issue_says(db: Database) -> None:
    day = make_day(db)  # before the users: creating a day is an admin's work once login is on
    _people(db)
    with db.read() as session:
        room1, room9 = (session.scalar(select(Room.id).where(Room.day_id == day, Room.number == n)) for n in (1, 9))
        allowed = {
            "desk1": {Permission.READ, Permission.REGISTER, Permission.CHECK_IN, Permission.UNMASK},
            "host1": {Permission.READ, Permission.ROOM_WORK},
            "chief": {Permission.READ, Permission.TRACKING, Permission.MOVE, Permission.AUDIT, Permission.UNMASK},
            "admin": set(Permission),
        }
        for name, wanted in allowed.items():
            for permission in Permission:
                if permission in wanted:
                    assert authz.require(session, name, permission).name == name
                else:
                    with pytest.raises(PermissionDeniedError, match=f"无权{permission.label}"):
                        authz.require(session, name, permission)
        assert authz.require(session, "host1", Permission.ROOM_WORK, room_id=room1).rooms == (1, 2, 3, 4, 5)
        with pytest.raises(PermissionDeniedError, match="不能在第9接待室操作"):
            authz.require(session, "host1", Permission.ROOM_WORK, room_id=room9)
    with pytest.raises(PermissionDeniedError, match="登记台用户“desk1”无权管理"):
        users.add_user(db, "desk1", "desk2", Role.DESK, "desk-pass")


def test_a_wrong_password_is_refused_and_five_lock_the_account(db: Database) -> None:
    _people(db)
    assert users.authenticate(db, "desk1", "desk-pass").role == "desk"
    now = dt.datetime(2026, 12, 2, 2, 0)
    for tries_left in (4, 3, 2, 1):
        with pytest.raises(AuthenticationError, match=f"再错 {tries_left} 次"):
            users.authenticate(db, "desk1", "wrong", now=now)
    with pytest.raises(AuthenticationError, match="已锁定"):
        users.authenticate(db, "desk1", "wrong", now=now)
    # locked: even the right password is refused for a while, then works again
    with pytest.raises(AuthenticationError, match="已锁定"):
        users.authenticate(db, "desk1", "desk-pass", now=now + dt.timedelta(minutes=2))
    assert users.authenticate(db, "desk1", "desk-pass", now=now + dt.timedelta(minutes=6)).name == "desk1"
    with db.read() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "lock_user")) == "lock_user"
    with pytest.raises(AuthenticationError, match="用户名或密码不正确"):
        users.authenticate(db, "nobody", "desk-pass")


def test_disable_and_change_password(db: Database) -> None:
    _people(db)
    users.set_active(db, "admin", "desk1", False)
    with pytest.raises(AuthenticationError):
        users.authenticate(db, "desk1", "desk-pass")
    with db.read() as session, pytest.raises(PermissionDeniedError):
        authz.require(session, "desk1", Permission.CHECK_IN)
    with pytest.raises(InvalidInputError, match="最后一个管理员"):
        users.set_active(db, "admin", "admin", False)
    with pytest.raises(AuthenticationError, match="原密码不正确"):
        users.change_password(db, "host1", "host1", "new-host", old_password="nope")
    users.change_password(db, "host1", "host1", "new-host", old_password="host-pass")
    assert users.authenticate(db, "host1", "new-host").name == "host1"
    with pytest.raises(PermissionDeniedError):
        users.change_password(db, "host1", "chief", "stolen")  # only an admin resets another's password
    users.change_password(db, "admin", "chief", "reset-by-admin")
    assert users.authenticate(db, "chief", "reset-by-admin").name == "chief"
    listed = {u.name: u for u in users.list_users(db)}
    assert listed["desk1"].active is False and listed["host1"].rooms == (1, 2, 3, 4, 5)
    assert set(listed["chief"].to_json()) >= {"name", "role", "rooms", "active"}


def test_room_lists_parse() -> None:
    assert parse_rooms("4,5") == (4, 5)
    assert parse_rooms("1-3，7") == (1, 2, 3, 7)
    with pytest.raises(ValueError):
        parse_rooms("x")


def test_the_migrations_build_what_the_models_say(db: Database) -> None:
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SELECT 1"))
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # the search's FTS5 tables live outside the models (SQLite only)
    tables = [
        d
        for d in diff
        if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
        and not (d[0] == "remove_table" and "_fts" in d[1].name)
    ]
    assert tables == []
