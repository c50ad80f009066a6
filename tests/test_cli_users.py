"""The command line with users: user add/list/disable/enable/passwd, the login of every command (exit 3 when
refused, one line), 单机模式 as before, `server init` on SQLite and PostgreSQL, the demo's users."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from reception_desk.cli.main import main
from reception_desk.cli.users_cmd import laptop_url
from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry
from reception_desk.services import users
from tests.conftest import PgSchema

USER_KEYS = {"name", "display_name", "role", "role_label", "rooms", "active", "locked_until"}
EXE = str(Path(sys.executable).with_name("reception-desk"))


@pytest.fixture(autouse=True)
def _no_login_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("RECEPTION_DESK_USER", "RECEPTION_DESK_PASSWORD", "RECEPTION_DESK_NEW_PASSWORD"):
        monkeypatch.delenv(var, raising=False)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _as(monkeypatch: pytest.MonkeyPatch, user: str | None, password: str | None, new: str | None = None) -> None:
    for var, value in (
        ("RECEPTION_DESK_USER", user),
        ("RECEPTION_DESK_PASSWORD", password),
        ("RECEPTION_DESK_NEW_PASSWORD", new),
    ):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)


@pytest.fixture
def url(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """An SQLite file with admin (secret-1) and desk1 (desk-pass)."""
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    _as(monkeypatch, None, None, "secret-1")
    assert _run(capsys, "--db", url, "user", "add", "admin", "--role", "admin")[0] == 0
    _as(monkeypatch, "admin", "secret-1", "desk-pass")
    assert _run(capsys, "--db", url, "user", "add", "desk1", "--role", "desk")[0] == 0
    _as(monkeypatch, None, None)
    return url


def test_user_add_list_disable_enable_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'u.sqlite3'}"
    code, out, _ = _run(capsys, "--db", url, "user", "list", "--json")
    assert code == 0 and json.loads(out) == []  # 单机模式: no users, no login asked
    _as(monkeypatch, None, None, "secret-1")
    code, out, err = _run(capsys, "--db", url, "user", "add", "desk0", "--role", "desk")
    assert code == 2 and "第一个用户必须是管理员" in err and len(err.strip().splitlines()) == 1
    code, out, _ = _run(
        capsys, "--db", url, "user", "add", "Admin", "--role", "admin", "--display-name", "王主任", "--json"
    )
    assert code == 0
    admin = json.loads(out)
    assert set(admin) == USER_KEYS and admin["name"] == "admin" and admin["role"] == "admin"
    assert admin["display_name"] == "王主任" and admin["active"] is True
    _as(monkeypatch, "admin", "secret-1", "host-pass")
    code, out, _ = _run(capsys, "--db", url, "user", "add", "host1", "--role", "host", "--rooms", "1-3,5", "--json")
    assert code == 0 and json.loads(out)["rooms"] == [1, 2, 3, 5] and json.loads(out)["role_label"] == "接待室"
    code, _, err = _run(capsys, "--db", url, "user", "add", "host2", "--role", "host")
    assert code == 2 and "指定接待室" in err
    code, out, _ = _run(capsys, "--db", url, "user", "list", "--json")
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["admin", "host1"] and all(set(r) == USER_KEYS for r in rows)
    code, out, _ = _run(capsys, "--db", url, "user", "disable", "host1", "--json")
    assert code == 0 and json.loads(out)["active"] is False
    _as(monkeypatch, "host1", "host-pass")
    code, _, err = _run(capsys, "--db", url, "day", "list")
    assert code == 3 and err.strip() == "错误：用户名或密码不正确。"  # a disabled user cannot log in
    _as(monkeypatch, "admin", "secret-1")
    code, out, _ = _run(capsys, "--db", url, "user", "enable", "host1", "--json")
    assert code == 0 and json.loads(out)["active"] is True
    code, out, _ = _run(capsys, "--db", url, "user", "list")
    assert code == 0 and out.splitlines()[0].split("\t") == ["用户名", "姓名", "角色", "接待室", "状态"]
    assert "host1\t-\t接待室\t1,2,3,5\t启用" in out.splitlines()


def test_passwd_own_with_the_login_and_a_reset_by_the_admin(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, "desk1", "desk-pass", "desk-new")
    code, out, _ = _run(capsys, "--db", url, "user", "passwd", "desk1", "--json")
    assert code == 0 and json.loads(out) == {"name": "desk1", "password_changed": True}
    _as(monkeypatch, "desk1", "desk-pass")
    assert _run(capsys, "--db", url, "day", "list")[0] == 3  # the old password is gone
    _as(monkeypatch, "desk1", "desk-new", "admin-by-desk")
    code, _, err = _run(capsys, "--db", url, "user", "passwd", "admin")  # another's password: admins only
    assert code == 3 and "无权" in err and len(err.strip().splitlines()) == 1
    _as(monkeypatch, "admin", "secret-1", "reset-1")
    code, out, _ = _run(capsys, "--db", url, "user", "passwd", "desk1")
    assert code == 0 and out.strip() == "已修改用户 desk1 的密码。"
    _as(monkeypatch, "desk1", "reset-1")
    assert _run(capsys, "--db", url, "day", "list")[0] == 0


def test_a_wrong_password_exits_3_with_one_line(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, "desk1", "wrong")
    code, out, err = _run(capsys, "--db", url, "day", "list")
    assert code == 3 and out == ""
    assert err.strip().splitlines() == ["错误：用户名或密码不正确（再错 4 次将锁定 5 分钟）。"]
    code, _, err = _run(capsys, "--db", url, "--lang", "en", "day", "list")
    assert code == 3 and err.strip().splitlines() == [
        "Login refused: wrong user name or password, or the account is disabled."
    ]
    for _ in range(3):
        _run(capsys, "--db", url, "day", "list")
    _as(monkeypatch, "desk1", "desk-pass")  # locked now: even the right password is refused
    code, _, err = _run(capsys, "--db", url, "day", "list")
    assert code == 3 and "已锁定" in err and len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "--db", url, "--lang", "en", "day", "list")
    assert code == 3 and err.startswith("Login refused: the account is locked")


def test_a_refused_operation_exits_3_and_changes_nothing(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, "desk1", "desk-pass", "x-pass")
    code, out, err = _run(capsys, "--db", url, "user", "add", "chief", "--role", "supervisor")
    assert code == 3 and out == ""
    assert err.strip().splitlines() == ["错误：登记台用户“desk1”无权管理接访日、接待室、单位名录、工作日历和用户。"]
    code, _, err = _run(capsys, "--db", url, "--lang", "en", "user", "disable", "admin")
    assert code == 3 and err.strip() == "Not allowed: the user's role may not do this."
    db = Database(url)
    try:
        assert [u.name for u in users.list_users(db)] == ["admin", "desk1"]
        assert all(u.active for u in users.list_users(db))
    finally:
        db.dispose()


def test_login_from_env_or_user_flag_is_who_the_audit_records(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, None, "secret-1")
    code, _, err = _run(capsys, "--db", url, "--user", "ADMIN", "day", "create", "--date", "2026-12-04")
    assert code == 0, err
    _as(monkeypatch, None, None)  # no password and no terminal: refused, not a hanging prompt
    code, _, err = _run(capsys, "--db", url, "--user", "admin", "day", "list")
    assert code == 3 and "RECEPTION_DESK_PASSWORD" in err and len(err.strip().splitlines()) == 1
    _as(monkeypatch, None, "secret-1")
    code, _, err = _run(capsys, "--db", url, "day", "list")  # no user named at all
    assert code == 3 and "RECEPTION_DESK_USER" in err
    db = Database(url)
    try:
        with db.read() as session:
            actors = session.scalars(select(AuditEntry.actor).where(AuditEntry.action != "add_user")).all()
    finally:
        db.dispose()
    assert actors and set(actors) == {"admin"}


def test_without_users_user_is_only_the_name_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'alone.sqlite3'}"
    code, _, err = _run(capsys, "--db", url, "--user", "张三", "day", "create", "--date", "2026-12-04")
    assert code == 0 and err == ""
    db = Database(url)
    try:
        with db.read() as session:
            assert set(session.scalars(select(AuditEntry.actor))) == {"张三"}
    finally:
        db.dispose()


def test_new_password_from_stdin_for_scripts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stdin.sqlite3'}"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    made = subprocess.run(
        [EXE, "--db", url, "user", "add", "admin", "--role", "admin", "--json"],
        input="from-stdin\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    listed = subprocess.run(
        [EXE, "--db", url, "user", "list", "--json"],
        capture_output=True,
        text=True,
        env={**env, "RECEPTION_DESK_USER": "admin", "RECEPTION_DESK_PASSWORD": "from-stdin"},
        timeout=60,
    )
    assert listed.returncode == 0 and [u["name"] for u in json.loads(listed.stdout)] == ["admin"]


def _check_initialised(url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(capsys, "--db", url, "day", "list")
    assert code == 3 and "RECEPTION_DESK_USER" in err  # login is on
    _as(monkeypatch, "chef", "init-pass")
    code, out, _ = _run(capsys, "--db", url, "user", "list", "--json")
    assert code == 0 and [(u["name"], u["role"]) for u in json.loads(out)] == [("chef", "admin")]
    _as(monkeypatch, None, None, "other-pass")
    code, out, err = _run(capsys, "--db", url, "server", "init")
    assert code == 2 and out == "" and "已初始化" in err


def test_server_init_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    _as(monkeypatch, None, None, "init-pass")
    code, out, err = _run(capsys, "server", "init", "--db", url, "--admin", "chef", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["admin"] == "chef" and report["laptop_url"] is None
    assert report["themes"] > 0 and report["departments"] > 0  # the reference data a first start puts in
    _check_initialised(url, capsys, monkeypatch)


def test_server_init_on_postgresql(
    pg_schema: PgSchema, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{pg_schema.url}?options=-csearch_path%3D{pg_schema.name}"
    _as(monkeypatch, None, None, "init-pass")
    code, out, err = _run(capsys, "--db", url, "server", "init", "--admin", "chef")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert "管理员 chef 已创建" in lines[0] and lines[0].split("数据表版本 ")[1][:4] >= "0006"
    laptops = next(line.strip() for line in lines if line.strip().startswith("postgresql://"))
    assert laptops.endswith(f"/test?options=-csearch_path%3D{pg_schema.name}") and "psycopg" not in laptops
    _check_initialised(url, capsys, monkeypatch)
    db = Database(url)
    try:
        assert users.has_users(db)
    finally:
        db.dispose()


def test_the_laptops_url_has_no_password_and_a_lan_host() -> None:
    url, guessed = laptop_url("postgresql+psycopg://desk:s3cret@localhost:5432/reception")
    assert "s3cret" not in url and url.startswith("postgresql://desk@") and url.endswith(":5432/reception")
    assert guessed is None or (guessed in url and not guessed.startswith("127."))
    assert laptop_url("postgresql://desk:pw@192.168.1.10/reception") == (
        "postgresql://desk@192.168.1.10/reception",
        None,
    )


def test_the_demo_has_one_user_per_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    code, out, err = _run(capsys, "--db", url, "demo", "--seed", "3")
    assert code == 0, err
    assert "admin" in out and "chief" in out and "密码均为 demo" in out
    _as(monkeypatch, "admin", "demo")
    code, out, _ = _run(capsys, "--db", url, "user", "list", "--json")
    assert code == 0
    assert {(u["name"], u["role"], tuple(u["rooms"])) for u in json.loads(out)} == {
        ("admin", "admin", ()),
        ("desk1", "desk", ()),
        ("host1", "host", (1, 2, 3, 4, 5)),
        ("chief", "supervisor", ()),
    }
    for name in ("desk1", "host1", "chief"):
        _as(monkeypatch, name, "demo")
        assert _run(capsys, "--db", url, "registrations", "--json")[0] == 0
    _as(monkeypatch, "chief", "not-demo")
    assert _run(capsys, "--db", url, "registrations", "--json")[0] == 3
