"""`user add|list|disable|enable|passwd`, `server init`, and the login of every command on a database with users.

A database without users is 单机模式: commands run as today and `--user` is only the name recorded. Once the
first user (an admin) exists, every command logs in first: the user from `--user` or $RECEPTION_DESK_USER, the
password from $RECEPTION_DESK_PASSWORD or a prompt on the terminal. A wrong password, a locked or disabled
account, or an operation the role may not do exits 3 with one line.

A new password (`user add`, `user passwd`, `server init`) comes from $RECEPTION_DESK_NEW_PASSWORD, else it is
asked twice on the terminal, else read as one line from standard input (for scripts).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import os
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reception_desk.cli.text import say
from reception_desk.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
)

if TYPE_CHECKING:
    from reception_desk.cli.main import Context
    from reception_desk.services.users import UserInfo

EXIT_OK, EXIT_REFUSED, EXIT_DENIED = 0, 2, 3
USER_ENV = "RECEPTION_DESK_USER"
PASSWORD_ENV = "RECEPTION_DESK_PASSWORD"
NEW_PASSWORD_ENV = "RECEPTION_DESK_NEW_PASSWORD"
ROLES = ("desk", "host", "supervisor", "admin")  # domain.roles.Role, spelled out: --help loads no more modules

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "password_prompt": "用户 {name} 的密码：",
        "name_prompt": "用户名：",
        "new_password": "用户 {name} 的新密码：",
        "again": "再输入一次：",
        "user_added": "已添加用户 {name}（{role}{rooms}）。",
        "first_admin": "这是本数据库的第一个用户：从现在起，本数据库的每个命令和每台电脑都需要登录。",
        "user_disabled": "已停用用户 {name}。",
        "user_enabled": "已启用用户 {name}。",
        "password_changed": "已修改用户 {name} 的密码。",
        "no_users": "本数据库尚无用户（单机模式）：请先用 user add NAME --role admin 创建管理员。",
        "cols": "用户名|姓名|角色|接待室|状态",
        "active": "启用",
        "inactive": "停用",
        "locked": "锁定至 {until}",
        "already": "数据库已初始化（已有用户），未做任何修改：{db}。添加用户请用 user add。",
        "init_done": "已初始化数据库 {db}：数据表版本 {rev}，问题类别 {themes} 个，单位 {departments} 个；"
        "管理员 {admin} 已创建，本数据库从此需要登录。",
        "init_laptops": "其他电脑在 设置 → 数据库 → 多台电脑共用：PostgreSQL 服务器 中填写"
        "（密码各自填写，不在此显示）：",
        "init_guess": "（服务器地址 {host} 是猜测的本机局域网地址，请核对。）",
        "init_sqlite": "SQLite 文件只供本机使用；多台电脑共用请用 PostgreSQL：server init --db postgresql://…",
        "need_password": "本数据库需要登录：请设置环境变量 RECEPTION_DESK_PASSWORD，或在终端中运行以输入密码。",
        "need_user": "本数据库需要登录：请用 --user NAME 或环境变量 RECEPTION_DESK_USER 指定用户。",
        "need_new_password": "请输入新密码：设置环境变量 RECEPTION_DESK_NEW_PASSWORD，或在标准输入中给出一行。",
        "mismatch": "两次输入的密码不一致。",
        "denied": "错误：{msg}",
    },
    "en": {
        "password_prompt": "Password of {name}: ",
        "name_prompt": "User name: ",
        "new_password": "New password of {name}: ",
        "again": "Again: ",
        "user_added": "Added user {name} ({role}{rooms}).",
        "first_admin": "This is the database's first user: from now on every command and every laptop logs in.",
        "user_disabled": "Disabled user {name}.",
        "user_enabled": "Enabled user {name}.",
        "password_changed": "Changed the password of {name}.",
        "no_users": "No users yet (single-laptop mode): create an admin first with user add NAME --role admin.",
        "cols": "User|Name|Role|Rooms|State",
        "active": "active",
        "inactive": "disabled",
        "locked": "locked until {until}",
        "already": "The database is already initialised (it has users); nothing changed: {db}. Use user add.",
        "init_done": "Initialised {db}: schema {rev}, {themes} themes, {departments} departments; admin {admin} "
        "created, this database needs a login from now on.",
        "init_laptops": "The other laptops enter in Settings → Database → PostgreSQL server (each types the password):",
        "init_guess": "(The server address {host} is a guess of this machine's LAN address: check it.)",
        "init_sqlite": "An SQLite file serves this laptop only; for several laptops use server init --db postgresql://…",
        "need_password": "This database needs a login: set RECEPTION_DESK_PASSWORD, or run in a terminal to type it.",
        "need_user": "This database needs a login: give --user NAME or set RECEPTION_DESK_USER.",
        "need_new_password": "Give the new password: set RECEPTION_DESK_NEW_PASSWORD, or one line on standard input.",
        "mismatch": "The two passwords differ.",
        "denied": "Error: {msg}",
    },
}


def _t(lang: str, key: str, **values: object) -> str:
    return TEXT.get(lang, TEXT["zh"])[key].format(**values)


def add_parsers(sub: Any) -> None:
    """The `user` and `server` commands."""
    user = sub.add_parser("user", help="用户：添加、列出、停用、启用、修改密码（有用户后每个命令都需要登录）")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser("add", help="添加用户（第一个用户必须是管理员，创建后本数据库需要登录）")
    add.add_argument("name", help="用户名：英文字母、数字和 _ . -，如 desk1")
    add.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="desk 登记台 | host 接待室 | supervisor 督办 | admin 管理员",
    )
    add.add_argument("--rooms", default="", metavar="4,5", help="接待室用户负责的接待室，如 4,5 或 1-5")
    add.add_argument("--display-name", default="", metavar="NAME", help="姓名（显示用）")
    add.add_argument("--json", action="store_true")
    listing = user_sub.add_parser("list", help="列出用户")
    listing.add_argument("--json", action="store_true")
    for action, text in (("disable", "停用用户（不能再登录）"), ("enable", "重新启用用户")):
        one = user_sub.add_parser(action, help=text)
        one.add_argument("name")
        one.add_argument("--json", action="store_true")
    passwd = user_sub.add_parser("passwd", help="修改密码：本人（已用原密码登录）或管理员重置他人的密码")
    passwd.add_argument("name")
    passwd.add_argument("--json", action="store_true")

    server = sub.add_parser("server", help="多台电脑共用的 PostgreSQL 数据库")
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = server_sub.add_parser(
        "init", help="准备一个空的 PostgreSQL 数据库：数据表、基础数据、第一个管理员；并显示其他电脑要填写的地址"
    )
    # --db also after the subcommand; SUPPRESS keeps a global one given before it
    init.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="postgresql://用户名@服务器:5432/数据库名")
    init.add_argument("--admin", default="admin", metavar="NAME", help="第一个管理员的用户名（默认 admin）")
    init.add_argument("--display-name", default="", metavar="NAME", help="管理员的姓名（显示用）")
    init.add_argument("--json", action="store_true")


# ---------------------------------------------------------------------------------------- passwords and login


def _read_line() -> str:
    try:
        return sys.stdin.readline()
    except (OSError, ValueError):  # no standard input at all (closed, or captured)
        return ""


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        return False


def new_password(lang: str, name: str) -> str:
    """A new password: $RECEPTION_DESK_NEW_PASSWORD, else asked twice on the terminal, else one line of stdin."""
    given = os.environ.get(NEW_PASSWORD_ENV)
    if given is not None:
        return given
    if _interactive():
        first = getpass.getpass(_t(lang, "new_password", name=name))
        if getpass.getpass(_t(lang, "again")) != first:
            raise InvalidInputError(_t(lang, "mismatch"))
        return first
    line = _read_line()
    if not line:
        raise InvalidInputError(_t(lang, "need_new_password"))
    return line.rstrip("\r\n")


def login(ctx: Context) -> None:
    """On a database with users, authenticate the acting user (AuthenticationError otherwise); 单机模式: nothing.

    Sets ctx.actor to the user's name and ctx.password to the password given (`user passwd` of one's own).
    """
    from reception_desk.privacy import unlocked
    from reception_desk.privacy.vault import DataLockedError
    from reception_desk.services import users

    if ctx.args.command == "server":
        return
    if not users.has_users(ctx.db):
        if ctx.args.command not in ("db", "restore") and ctx.db.database_id() is not None and not ctx.db.unlocked:
            # 单机模式 on a copy without this laptop's key file: nothing of it is opened
            raise DataLockedError(unlocked.LOCKED_MESSAGE)
        return
    name = ctx.args.user or os.environ.get(USER_ENV)
    if not name:
        if not _interactive():
            raise AuthenticationError(_t(ctx.lang, "need_user"))
        name = input(_t(ctx.lang, "name_prompt")).strip()
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not _interactive():
            raise AuthenticationError(_t(ctx.lang, "need_password"))
        password = getpass.getpass(_t(ctx.lang, "password_prompt", name=name))
    info = users.authenticate(ctx.db, name, password)
    ctx.actor = info.name
    ctx.password = password


def refusal_line(lang: str, exc: ServiceError) -> str:
    """The one line a refused login or operation prints (exit 3): the service's Chinese, or English."""
    if lang != "en":
        return _t(lang, "denied", msg=exc)
    text = str(exc)
    if isinstance(exc, PermissionDeniedError):
        if "不存在或已停用" in text:
            return "Not allowed: the user does not exist or is disabled; log in as an active user."
        if "只能在" in text:
            return "Not allowed: a room host works only in his own rooms."
        return "Not allowed: the user's role may not do this."
    if "RECEPTION_DESK_" in text:  # our own request for credentials
        return "Error: " + next(
            (t for k, t in TEXT["en"].items() if k.startswith("need_") and TEXT["zh"][k] == text), text
        )
    if "已锁定" in text:
        return "Login refused: the account is locked after too many wrong passwords; try later or ask an admin."
    if "原密码" in text:
        return "Refused: the old password is wrong."
    return "Login refused: wrong user name or password, or the account is disabled."


# ---------------------------------------------------------------------------------------- commands


def _refusals(command: Callable[[Context], int]) -> Callable[[Context], int]:
    """Exit 2 with one line for a rule broken or an unknown user (nothing was changed)."""

    @functools.wraps(command)
    def run(ctx: Context) -> int:
        try:
            return command(ctx)
        except (InvalidInputError, NotFoundError) as exc:
            print(say(ctx.lang, "error", msg=exc), file=sys.stderr)
            return EXIT_REFUSED

    return run


def _rooms_text(lang: str, rooms: tuple[int, ...]) -> str:
    if not rooms:
        return ""
    if lang == "en":
        return ", rooms " + ",".join(str(n) for n in rooms)
    return "，负责第" + "、".join(str(n) for n in rooms) + "接待室"


def _role_text(lang: str, info: UserInfo) -> str:
    return info.role_label if lang != "en" else info.role


def _require_admin(ctx: Context) -> None:
    from reception_desk.domain.roles import Permission
    from reception_desk.services import authz

    with ctx.db.read() as session:
        authz.require(session, ctx.actor, Permission.ADMIN)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


@_refusals
def cmd_user(ctx: Context) -> int:
    """user add | list | disable | enable | passwd."""
    from reception_desk.domain.roles import parse_rooms
    from reception_desk.services import users

    a = ctx.args
    if a.user_command == "list":
        rows = users.list_users(ctx.db)
        if a.json:
            _print_json([u.to_json() for u in rows])
            return EXIT_OK
        if not rows:
            print(_t(ctx.lang, "no_users"))
            return EXIT_OK
        print("\t".join(_t(ctx.lang, "cols").split("|")))
        for u in rows:
            state = _t(ctx.lang, "active" if u.active else "inactive")
            if u.locked_until is not None:
                from reception_desk.domain.office_time import to_local

                state += "，" + _t(ctx.lang, "locked", until=f"{to_local(u.locked_until):%H:%M}")
            rooms = ",".join(str(n) for n in u.rooms) or "-"
            print(f"{u.name}\t{u.display_name or '-'}\t{_role_text(ctx.lang, u)}\t{rooms}\t{state}")
        return EXIT_OK
    if a.user_command == "add":
        try:
            numbers = parse_rooms(a.rooms) if a.rooms else ()
        except ValueError as exc:
            raise InvalidInputError(f"接待室编号应如 4,5 或 1-5：{a.rooms}") from exc
        first = not users.has_users(ctx.db)
        if not first:
            _require_admin(ctx)  # before asking for the new password
        password = new_password(ctx.lang, a.name)
        info, _ = users.add_user(ctx.db, ctx.actor, a.name, a.role, password, numbers, a.display_name)
        if a.json:
            _print_json(info.to_json())
            return EXIT_OK
        print(
            _t(
                ctx.lang,
                "user_added",
                name=info.name,
                role=_role_text(ctx.lang, info),
                rooms=_rooms_text(ctx.lang, info.rooms),
            )
        )
        if first:
            print(_t(ctx.lang, "first_admin"))
        return EXIT_OK
    if a.user_command in ("disable", "enable"):
        info = users.set_active(ctx.db, ctx.actor, a.name, a.user_command == "enable")
        if a.json:
            _print_json(info.to_json())
        else:
            print(_t(ctx.lang, "user_enabled" if info.active else "user_disabled", name=info.name))
        return EXIT_OK
    # passwd: one's own (logged in with the old password just now) or an admin's reset of another's
    name = a.name.strip().lower()
    own = name == ctx.actor and getattr(ctx, "password", None) is not None
    if not own:
        _require_admin(ctx)  # before asking for the new password
    password = new_password(ctx.lang, name)
    users.change_password(ctx.db, ctx.actor, name, password, ctx.password if own else None)
    if a.json:
        _print_json({"name": name, "password_changed": True})
    else:
        print(_t(ctx.lang, "password_changed", name=name))
    return EXIT_OK


def lan_address() -> str | None:
    """This machine's address on the local network, as best guessed (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET: connecting a UDP socket only picks the outgoing interface
        address = str(probe.getsockname()[0])
    except OSError:
        address = ""
    finally:
        probe.close()
    if address and not address.startswith("127."):
        return address
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return None
    return None if address.startswith("127.") else address


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


def laptop_url(url: str) -> tuple[str, str | None]:
    """The URL the other laptops enter: no password, postgresql://, a LAN address for a local host.

    Returns (url, guessed host or None when the host was given).
    """
    from sqlalchemy.engine import URL, make_url

    given = make_url(url)
    host, guessed = given.host, None
    if (host or "") in LOCAL_HOSTS:
        guessed = lan_address()
        host = guessed or host
    # URL.set() keeps a password given None: build the URL afresh without one
    laptops = URL.create("postgresql", given.username, None, host, given.port, given.database, given.query)
    return laptops.render_as_string(hide_password=False), guessed


def cmd_server(ctx: Context) -> int:
    """server init: schema (already brought to head by the context), reference data, the first admin."""
    from sqlalchemy import func, select

    from reception_desk.db.migrate import head_revision
    from reception_desk.db.models import Department, Theme
    from reception_desk.services import users
    from reception_desk.services.reference import ensure_departments, ensure_themes

    a = ctx.args
    shown = ctx.db.engine.url.render_as_string(hide_password=True)
    if users.has_users(ctx.db):
        print(_t(ctx.lang, "already", db=shown), file=sys.stderr)
        return EXIT_REFUSED
    password = new_password(ctx.lang, a.admin)
    users.hash_password(password)  # a too-short password is refused before anything is written
    with ctx.db.session() as session:  # what a first start puts in: the themes and the department directory
        ensure_themes(session)
        ensure_departments(session)
    try:
        info, _ = users.add_user(ctx.db, "system", a.admin, "admin", password, display_name=a.display_name)
    except InvalidInputError as exc:
        print(say(ctx.lang, "error", msg=exc), file=sys.stderr)
        return EXIT_REFUSED
    with ctx.db.read() as session:
        themes = session.scalar(select(func.count()).select_from(Theme)) or 0
        departments = session.scalar(select(func.count()).select_from(Department)) or 0
    postgres = ctx.db.engine.url.get_backend_name() == "postgresql"
    url, guessed = laptop_url(ctx.db.engine.url.render_as_string(hide_password=False)) if postgres else (None, None)
    if a.json:
        _print_json(
            {
                "database": shown,
                "revision": head_revision(),
                "admin": info.name,
                "themes": themes,
                "departments": departments,
                "laptop_url": url,
                "guessed_host": guessed,
            }
        )
        return EXIT_OK
    print(
        _t(
            ctx.lang,
            "init_done",
            db=shown,
            rev=head_revision(),
            themes=themes,
            departments=departments,
            admin=info.name,
        )
    )
    if url is None:
        print(_t(ctx.lang, "init_sqlite"))
        return EXIT_OK
    print(_t(ctx.lang, "init_laptops"))
    print(f"  {url}")
    if guessed is not None:
        print(_t(ctx.lang, "init_guess", host=guessed))
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context], int]] = {"user": cmd_user, "server": cmd_server}
