"""The demo's users, one per role, all with the password `demo` (demo databases only, never a real one)."""

from __future__ import annotations

from reception_desk.db.engine import Database
from reception_desk.domain.roles import Role
from reception_desk.services import users

DEMO_PASSWORD = "demo"
# (name, role, rooms, display name); the admin comes first: the first user turns login on
DEMO_USERS: tuple[tuple[str, Role, tuple[int, ...], str], ...] = (
    ("admin", Role.ADMIN, (), "演示管理员"),
    ("desk1", Role.DESK, (), "登记台一"),
    ("host1", Role.HOST, (1, 2, 3, 4, 5), "接待室主持一"),
    ("chief", Role.SUPERVISOR, (), "督办科长"),
)


def add_demo_users(db: Database, actor: str = "demo") -> list[users.UserInfo]:
    """Create the demo users on a database that has none yet (else nothing); returns those created.

    Login is on for the database afterwards (the first user is the admin).
    """
    if users.has_users(db):
        return []
    made: list[users.UserInfo] = []
    for name, role, rooms, display in DEMO_USERS:
        by = actor if not made else "admin"  # the admin creates the others
        info, _ = users.add_user(db, by, name, role, DEMO_PASSWORD, rooms, display)
        made.append(info)
    return made
