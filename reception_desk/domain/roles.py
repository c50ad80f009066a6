"""Roles and what each may do (Qt-free): 登记台, 接待室, 督办, 管理员.

A database without users is 单机模式: the one laptop acts as admin. Once the first user (an admin) exists,
login is on for that database for good, and every service operation checks its acting user's role here.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role."""

    DESK = "desk"
    HOST = "host"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The Chinese name shown to people."""
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.DESK: "登记台", Role.HOST: "接待室", Role.SUPERVISOR: "督办", Role.ADMIN: "管理员"}


class Permission(StrEnum):
    """What an operation needs."""

    REGISTER = "register"  # pre-registrations: add, edit, import, cancel
    CHECK_IN = "check_in"  # check-in, undo a check-in, walk-ins
    ROOM_WORK = "room_work"  # call, sessions, record and correct cases — in the host's own rooms
    MOVE = "move"  # move batches between rooms, auto-assign
    TRACKING = "tracking"  # after the day: case steps, supervision, extensions, reminders
    ADMIN = "admin"  # the day, rooms, directory, calendar, users, settings of the database
    AUDIT = "audit"  # read the audit log (操作日志)
    READ = "read"  # see the day, lists, figures, print
    UNMASK = "unmask"  # 显示完整号码: a visitor's whole resident ID or phone, with a reason, logged

    @property
    def label(self) -> str:
        """What the permission lets a user do, as a verb phrase for refusals (无权…)."""
        return PERMISSION_LABELS[self]


PERMISSION_LABELS = {
    Permission.REGISTER: "办理预登记",
    Permission.CHECK_IN: "办理签到和现场登记",
    Permission.ROOM_WORK: "在接待室叫号和记录接谈结果",
    Permission.MOVE: "调整批次的接待室",
    Permission.TRACKING: "办理事后督办",
    Permission.ADMIN: "管理接访日、接待室、单位名录、工作日历和用户",
    Permission.AUDIT: "查看操作日志",
    Permission.READ: "查看",
    Permission.UNMASK: "查看完整的身份证号和电话",
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DESK: frozenset({Permission.READ, Permission.REGISTER, Permission.CHECK_IN, Permission.UNMASK}),
    Role.HOST: frozenset({Permission.READ, Permission.ROOM_WORK}),
    Role.SUPERVISOR: frozenset(
        {Permission.READ, Permission.TRACKING, Permission.MOVE, Permission.AUDIT, Permission.UNMASK}
    ),
    Role.ADMIN: frozenset(Permission),
}


def allows(role: Role, permission: Permission) -> bool:
    """True when the role may do what the permission names (room scope is checked separately)."""
    return permission in ROLE_PERMISSIONS[role]


def parse_rooms(text: str) -> tuple[int, ...]:
    """Room numbers from "4,5" or "1-5" or "1-3,7" (sorted, unique); ValueError on anything else."""
    numbers: set[int] = set()
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        if not part:
            continue
        if "-" in part:
            low, high = (int(x) for x in part.split("-", 1))
            if low > high:
                raise ValueError(part)
            numbers.update(range(low, high + 1))
        else:
            numbers.add(int(part))
    if any(n < 1 for n in numbers):
        raise ValueError(text)
    return tuple(sorted(numbers))
