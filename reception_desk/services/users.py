"""Users (用户): add, list, disable, change a password, log in — with argon2 hashes and a lock-out.

The first user of a database must be an admin; creating him turns login on for that database for good
(authz.LOGIN_REQUIRED). After that only an admin adds, disables or resets users; everyone may change his own
password (giving the old one). A password is never stored, logged or audited in clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception_desk.db import keystore
from reception_desk.db.engine import Database
from reception_desk.db.models import AppSetting, AppUser, utcnow
from reception_desk.domain.roles import Permission, Role
from reception_desk.errors import AuthenticationError, InvalidInputError, NotFoundError
from reception_desk.privacy import unlocked
from reception_desk.privacy.vault import DataLockedError, Vault
from reception_desk.privacy.wrapping import WrongKeyError
from reception_desk.services import audit, authz
from reception_desk.services.changes import ChangeSet

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 5
MIN_PASSWORD = 4
NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_.-"
_HASHER = PasswordHasher()
USER_FIELDS = ("name", "display_name", "role", "rooms", "active")


@dataclass(frozen=True)
class UserInfo:
    """A user as lists and the login show him (never the hash)."""

    id: int
    name: str
    display_name: str
    role: str
    role_label: str
    rooms: tuple[int, ...]
    active: bool
    locked_until: dt.datetime | None

    def to_json(self) -> dict[str, object]:
        """The `user list --json` row."""
        return {
            "name": self.name,
            "display_name": self.display_name,
            "role": self.role,
            "role_label": self.role_label,
            "rooms": list(self.rooms),
            "active": self.active,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }


def _info(user: AppUser) -> UserInfo:
    role = Role(user.role)
    return UserInfo(
        user.id,
        user.name,
        user.display_name,
        role.value,
        role.label,
        tuple(user.rooms or ()),
        user.active,
        user.locked_until,
    )


def hash_password(password: str) -> str:
    """An argon2id hash of the password (refuses a too-short one)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"密码至少 {MIN_PASSWORD} 个字符。")
    return _HASHER.hash(password)


def _check_name(name: str) -> str:
    clean = name.strip().lower()
    if not clean or len(clean) > 50 or any(c not in NAME_CHARS for c in clean):
        raise InvalidInputError("用户名只能用英文字母、数字和 _ . -（不超过 50 个字符），如 desk1。")
    return clean


def _user(session: Session, name: str) -> AppUser:
    user = session.scalar(select(AppUser).where(AppUser.name == name.strip().lower()))
    if user is None:
        raise NotFoundError(f"没有用户“{name}”。")
    return user


def has_users(db: Database) -> bool:
    """True once login is on for this database (the first user was created)."""
    with db.read() as session:
        return authz.login_required(session)


def add_user(
    db: Database,
    actor: str,
    name: str,
    role: Role | str,
    password: str,
    rooms: Sequence[int] = (),
    display_name: str = "",
) -> tuple[UserInfo, ChangeSet]:
    """Create a user; the first one must be an admin and turns login on for good."""
    role = Role(role)
    clean = _check_name(name)
    with db.session() as session:
        first = not authz.login_required(session)
        if first and role is not Role.ADMIN:
            raise InvalidInputError("第一个用户必须是管理员（--role admin）：创建后本数据库即需要登录。")
        if not first:
            authz.require(session, actor, Permission.ADMIN)
        if session.scalar(select(func.count()).select_from(AppUser).where(AppUser.name == clean)):
            raise InvalidInputError(f"用户“{clean}”已存在。")
        if role is Role.HOST and not rooms:
            raise InvalidInputError("接待室用户需要指定接待室（如 --rooms 4,5）。")
        user = AppUser(
            name=clean,
            display_name=display_name.strip(),
            role=role.value,
            rooms=sorted(set(rooms)) if role is Role.HOST else [],
            password_hash=hash_password(password),
            active=True,
            failed_logins=0,
            password_changed_at=utcnow(),
        )
        session.add(user)
        if first:
            session.add(AppSetting(key=authz.LOGIN_REQUIRED, value="1"))
        session.flush()
        # the new user holds the data key from now on (wrapped under his password); the admin's login (or, for the
        # first user, this laptop's key file) is what opens it here
        keystore.grant(session.connection(), unlocked.active(), user.id, user.name, password)
        # once every user holds the key the laptop's key file goes: a copy of this laptop's disk opens nothing either
        retired = keystore.retire_devices_if_covered(session.connection())
        audit.record(
            session,
            actor if not first else clean,
            "add_user",
            "app_user",
            user.id,
            None,
            audit.snapshot(user, USER_FIELDS),
        )
        result = _info(user), ChangeSet(users={user.id})
    keystore.forget_device_files(retired)
    return result


def list_users(db: Database) -> list[UserInfo]:
    """Every user, by name."""
    with db.read() as session:
        return [_info(u) for u in session.scalars(select(AppUser).order_by(AppUser.name))]


def set_active(db: Database, actor: str, name: str, active: bool) -> UserInfo:
    """Disable (or enable again) a user; an admin cannot disable the last active admin."""
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        user = _user(session, name)
        if not active and user.role == Role.ADMIN.value:
            others = session.scalar(
                select(func.count())
                .select_from(AppUser)
                .where(AppUser.role == Role.ADMIN.value, AppUser.active.is_(True), AppUser.id != user.id)
            )
            if not others:
                raise InvalidInputError("不能停用最后一个管理员。")
        before = audit.snapshot(user, USER_FIELDS)
        user.active = active
        if active:
            user.failed_logins, user.locked_until = 0, None
        session.flush()
        old, new = audit.diff(before, audit.snapshot(user, USER_FIELDS))
        audit.record(session, actor, "enable_user" if active else "disable_user", "app_user", user.id, old, new)
        return _info(user)


def change_password(db: Database, actor: str, name: str, new_password: str, old_password: str | None = None) -> None:
    """Set a user's password: his own with the old one, or anyone's as admin (a reset)."""
    with db.session() as session:
        user = _user(session, name)
        own = user.name == actor
        if own and old_password is not None:
            if not _verify(user.password_hash, old_password):
                raise AuthenticationError("原密码不正确。")
        else:
            authz.require(session, actor, Permission.ADMIN)
        conn = session.connection()
        if own and old_password is not None:
            if not keystore.rewrap(conn, user.name, old_password, new_password):
                keystore.grant(conn, unlocked.active(), user.id, user.name, new_password)
        else:
            # a reset: the old wrapping cannot be opened without the old password; the admin grants the key anew
            keystore.grant(conn, unlocked.active(), user.id, user.name, new_password)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = utcnow()
        user.failed_logins, user.locked_until = 0, None
        session.flush()
        audit.record(session, actor, "change_password" if own else "reset_password", "app_user", user.id)


def _check_password(session: Session, db: Database, user: AppUser, password: str) -> tuple[bool, Vault | None]:
    """(is the password right, the data key it opened). A user who holds the key is checked by unwrapping it: one
    argon2id derivation whose AES-GCM tag fails for any other password, so a login costs one argon2id run, not two.
    A user who holds no key yet is checked against his password hash."""
    db_id = db.database_id()
    if db_id is not None:
        try:
            vault = keystore.open_with_password(session.connection(), db_id, user.name, password)
        except WrongKeyError:
            return False, None
        if vault is not None:
            return True, vault
    return _verify(user.password_hash, password), None


def _unlock(session: Session, db: Database, user: AppUser, password: str, vault: Vault | None) -> list[str]:
    """After a right password: a user who holds no key yet (a database encrypted by an upgrade, where only the
    upgrading laptop held it) gets it now, if this process can open it otherwise; once every active user holds it,
    the laptop key files are retired."""
    db_id = db.database_id()
    if db_id is None:
        return []
    conn = session.connection()
    if vault is None:
        vault = unlocked.vault_for(db_id)
        if vault is None:
            raise DataLockedError(
                f"用户“{user.name}”尚未持有本数据库的密钥：请先在升级数据库的电脑上登录一次，或请管理员重置其密码。"
            )
        keystore.grant(conn, vault, user.id, user.name, password)
    return keystore.retire_devices_if_covered(conn)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db: Database, name: str, password: str, now: dt.datetime | None = None) -> UserInfo:
    """The user when the password is right; AuthenticationError (wrong, disabled, locked) otherwise.

    After MAX_FAILED_LOGINS wrong passwords in a row the account is locked for LOCK_MINUTES. The failed count
    is committed even though the login is refused.
    """
    now = now or utcnow()
    refusal: str | None = None
    with db.session() as session:
        user = session.scalar(select(AppUser).where(AppUser.name == name.strip().lower()))
        if user is None or not user.active:
            # the same words as a wrong password: a login does not tell which user names exist
            raise AuthenticationError("用户名或密码不正确。")
        if user.locked_until is not None and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise AuthenticationError(f"密码错误次数过多，账户已锁定，请 {minutes} 分钟后再试或请管理员重置。")
        right, vault = _check_password(session, db, user, password)
        if right:
            user.failed_logins, user.locked_until = 0, None
            if _HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = _HASHER.hash(password)
            retired = _unlock(session, db, user, password, vault)
            result: UserInfo | None = _info(user)
        else:
            result = None
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                audit.record(session, user.name, "lock_user", "app_user", user.id, reason="密码错误次数过多")
                refusal = f"密码错误次数过多，账户已锁定 {LOCK_MINUTES} 分钟。"
            else:
                left = MAX_FAILED_LOGINS - user.failed_logins
                refusal = f"用户名或密码不正确（再错 {left} 次将锁定 {LOCK_MINUTES} 分钟）。"
    if result is not None:
        keystore.forget_device_files(retired)  # after the commit that retired them
        return result
    raise AuthenticationError(refusal)
