"""Logging in: the login dialog (wrong password, lock-out, Enter, Esc, the name remembered), the window's login
from RECEPTION_DESK_USER/RECEPTION_DESK_PASSWORD without a dialog, the 单机模式 banner, 设置 → 用户, 修改密码."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.domain.roles import Role
from reception_desk.errors import AuthenticationError
from reception_desk.services import users
from reception_desk.services.authz import Actor
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.login_dialog import LAST_USER_KEY, LoginDialog, PasswordDialog
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.widgets.users_editor import UsersEditor

WAIT = 10_000


def _people(db: Database) -> None:
    users.add_user(db, "setup", "admin", Role.ADMIN, "secret-1")
    users.add_user(db, "admin", "desk1", Role.DESK, "desk-pass")


@pytest.fixture
def user_db(tmp_path: Path) -> Any:
    """A migrated SQLite file with admin (secret-1) and desk1 (desk-pass)."""
    db = Database(f"sqlite:///{tmp_path / 'login.sqlite3'}")
    upgrade_to_head(db.engine)
    _people(db)
    yield db
    db.dispose()


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "laptop.ini"), QSettings.Format.IniFormat)


def test_the_dialog_refuses_a_wrong_password_then_logs_in_with_enter(
    qtbot: Any, qloop: Any, user_db: Database, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    dialog = LoginDialog(user_db, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.name_edit.text() == ""  # nobody logged in on this laptop yet
    dialog.name_edit.setText("desk1")
    dialog.password_edit.setText("wrong")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "用户名或密码不正确" in dialog.message.text(), timeout=WAIT)
    assert dialog.message.text() == "用户名或密码不正确（再错 4 次将锁定 5 分钟）。"
    assert dialog.isVisible() and dialog.user is None and dialog.password_edit.text() == ""

    qtbot.keyClicks(dialog.password_edit, "desk-pass")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)  # Enter logs in
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted.value, timeout=WAIT)
    assert dialog.user is not None and dialog.user.name == "desk1" and dialog.user.role == "desk"
    assert settings.value(LAST_USER_KEY) == "desk1"

    again = LoginDialog(user_db, settings)  # the laptop remembers the name, never the password
    qtbot.addWidget(again)
    assert again.name_edit.text() == "desk1" and again.password_edit.text() == ""


def test_the_dialog_says_the_account_is_locked_and_esc_quits(
    qtbot: Any, qloop: Any, user_db: Database, tmp_path: Path
) -> None:
    dialog = LoginDialog(user_db, _settings(tmp_path), name="desk1")
    qtbot.addWidget(dialog)
    dialog.show()
    for attempt in range(1, 6):
        dialog.password_edit.setText(f"wrong-{attempt}")
        dialog.try_login()
        qtbot.waitUntil(lambda: dialog.login_button.isEnabled() and dialog.password_edit.text() == "", timeout=WAIT)
    assert "已锁定" in dialog.message.text()
    dialog.password_edit.setText("desk-pass")  # the right password while locked: still refused
    dialog.try_login()
    qtbot.waitUntil(lambda: "请 " in dialog.message.text() and "分钟后再试" in dialog.message.text(), timeout=WAIT)
    assert dialog.user is None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected.value and not dialog.isVisible()


def test_start_up_login_asks_with_the_dialog_without_the_variables(
    qtbot: Any, qloop: Any, user_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from reception_desk.ui.login import log_in

    monkeypatch.delenv("RECEPTION_DESK_USER", raising=False)
    monkeypatch.delenv("RECEPTION_DESK_PASSWORD", raising=False)
    task = asyncio.ensure_future(log_in(user_db, _settings(tmp_path), "os-user"))

    def dialog() -> LoginDialog | None:
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible()), None)

    qtbot.waitUntil(lambda: dialog() is not None, timeout=WAIT)
    shown = dialog()
    assert shown is not None
    shown.name_edit.setText("admin")
    shown.password_edit.setText("secret-1")
    shown.try_login()
    qtbot.waitUntil(task.done, timeout=WAIT)
    assert task.result() == Actor("admin", Role.ADMIN, ())


def test_start_up_without_users_is_standalone(qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    import asyncio

    from reception_desk.ui.login import log_in

    db = Database(f"sqlite:///{tmp_path / 'alone.sqlite3'}")
    upgrade_to_head(db.engine)
    try:
        task = asyncio.ensure_future(log_in(db, _settings(tmp_path), "张三"))
        qtbot.waitUntil(task.done, timeout=WAIT)
        assert task.result() == Actor("张三", None)
    finally:
        db.dispose()


def _probe_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTION_DESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)
    return env


PROBE = (
    "import sys; from reception_desk.ui.app import run_gui\n"
    "from PySide6.QtWidgets import QApplication, QDialog\n"
    "def ready(w):\n"
    "    dialogs = [d for d in QApplication.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()]\n"
    "    bar = w.user_bar\n"
    "    print('ready', len(dialogs), w.ctx.actor, bar.button.text(), bar.banner.isVisible(), flush=True)\n"
    "sys.exit(run_gui(sys.argv[1], 'zh', 'os-user', True, on_ready=ready))"
)


def test_the_window_logs_in_from_the_variables_without_a_dialog(tmp_path: Path, user_db: Database) -> None:
    path = user_db.engine.url.database
    assert path is not None
    env = _probe_env(tmp_path, RECEPTION_DESK_USER="desk1", RECEPTION_DESK_PASSWORD="desk-pass")
    proc = subprocess.run([sys.executable, "-c", PROBE, path], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ready 0 desk1 用户：desk1（登记台） False"


def test_quit_when_ready_refuses_a_wrong_or_missing_password_with_exit_3(tmp_path: Path, user_db: Database) -> None:
    path = user_db.engine.url.database
    assert path is not None
    exe = str(Path(sys.executable).with_name("reception-desk"))
    for extra, words in (
        ({"RECEPTION_DESK_USER": "desk1", "RECEPTION_DESK_PASSWORD": "nope"}, "用户名或密码不正确"),
        ({}, "RECEPTION_DESK_PASSWORD"),
    ):
        proc = subprocess.run(
            [exe, "--db", path, "--quit-when-ready"],
            capture_output=True,
            text=True,
            env=_probe_env(tmp_path, **extra),
            timeout=120,
        )
        assert proc.returncode == 3, proc.stderr
        # (the offscreen plugin's own note on showing a window is Qt's, not ours)
        lines = [line for line in proc.stderr.strip().splitlines() if "propagateSizeHints" not in line]
        assert len(lines) == 1 and lines[0].startswith("错误：") and words in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr


def test_the_standalone_banner_goes_once_the_first_admin_is_created(qtbot: Any, app_ctx: AppContext) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    bar = window.user_bar
    assert bar.banner.isVisible() and bar.banner.text().startswith("单机模式：本数据库尚未设置用户")
    assert bar.banner.y() >= window.day_title.parentWidget().height() - 1  # under the header
    assert bar.button.text() == "操作人：测试员（单机模式）" and not bar.password_action.isEnabled()

    editor = UsersEditor(app_ctx)
    qtbot.addWidget(editor)
    with qtbot.waitSignal(editor.reloaded, timeout=WAIT):
        editor.show()
    assert editor.notice.isVisible() and editor.table.rowCount() == 0
    assert editor.new_role.currentData() == "admin"  # the first user must be an admin
    editor.new_name.setText("boss")
    editor.new_display.setText("王主任")
    editor.new_password.setText("boss-pass")
    editor.new_again.setText("boss-pass")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.table.rowCount() == 1, timeout=WAIT)
    assert "本机已以 boss 登录" in editor.message.text()
    assert app_ctx.user == Actor("boss", Role.ADMIN, ()) and app_ctx.actor == "boss"
    assert not bar.banner.isVisible() and bar.button.text() == "用户：boss（管理员）"
    assert bar.password_action.isEnabled() and not editor.notice.isVisible()
    assert users.has_users(app_ctx.db)

    # a room host added by the admin, then disabled, then his password reset
    editor.new_name.setText("host9")
    editor.new_role.setCurrentIndex(editor.new_role.findData("host"))
    editor.new_rooms.setText("8-9")
    editor.new_password.setText("host-pass")
    editor.new_again.setText("host-pass")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.table.rowCount() == 2, timeout=WAIT)
    host_row = next(r for r in range(2) if editor.table.item(r, 0).text() == "host9")
    assert [editor.table.item(host_row, c).text() for c in range(5)] == ["host9", "", "接待室", "8,9", "启用"]
    editor.select("host9")
    assert editor.toggle_button.text() == "停用" and editor.toggle_button.isEnabled()
    qtbot.mouseClick(editor.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.table.item(host_row, 4).text() == "停用", timeout=WAIT)
    with pytest.raises(AuthenticationError):
        users.authenticate(app_ctx.db, "host9", "host-pass")
    qtbot.mouseClick(editor.toggle_button, Qt.MouseButton.LeftButton)  # 启用 again
    qtbot.waitUntil(lambda: editor.table.item(host_row, 4).text() == "启用", timeout=WAIT)
    dialog = editor.reset_selected()
    assert dialog is not None and not dialog.own and not dialog.old_edit.isVisible()
    dialog.new_edit.setText("host-new")
    dialog.again_edit.setText("host-new")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.done_ok, timeout=WAIT)
    assert users.authenticate(app_ctx.db, "host9", "host-new").rooms == (8, 9)


def test_the_users_tab_is_read_only_for_a_non_admin(qtbot: Any, app_ctx: AppContext) -> None:
    _people(app_ctx.db)
    app_ctx.set_user(Actor("desk1", Role.DESK))
    editor = UsersEditor(app_ctx)
    qtbot.addWidget(editor)
    with qtbot.waitSignal(editor.reloaded, timeout=WAIT):
        editor.show()
    assert editor.table.rowCount() == 2 and editor.notice.text() == "只有管理员可以管理用户。"
    assert not editor.add_button.isEnabled() and not editor.new_name.isEnabled()
    editor.select("admin")
    assert not editor.toggle_button.isEnabled() and not editor.reset_button.isEnabled()


def test_change_password_from_the_status_bar(qtbot: Any, app_ctx: AppContext) -> None:
    _people(app_ctx.db)
    app_ctx.set_user(Actor("desk1", Role.DESK))
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.user_bar.button.text() == "用户：desk1（登记台）" and not window.user_bar.banner.isVisible()
    assert window.user_bar.password_action.text() == "修改密码…"
    dialog = window.user_bar.change_password()
    assert isinstance(dialog, PasswordDialog) and dialog.own and dialog.old_edit.isVisible()
    dialog.old_edit.setText("wrong")
    dialog.new_edit.setText("desk-new")
    dialog.again_edit.setText("desk-nex")
    dialog.save()
    assert dialog.message.text() == "两次输入的新密码不一致。"
    dialog.again_edit.setText("desk-new")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.message.text() == "原密码不正确。", timeout=WAIT)
    assert dialog.isVisible()
    dialog.old_edit.setText("desk-pass")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.done_ok, timeout=WAIT)
    assert window.statusBar().currentMessage() == "密码已修改。"
    assert users.authenticate(app_ctx.db, "desk1", "desk-new").name == "desk1"
    with pytest.raises(AuthenticationError):
        users.authenticate(app_ctx.db, "desk1", "desk-pass")
