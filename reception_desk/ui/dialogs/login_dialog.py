"""登录 at start on a database with users, and 修改密码 / 重置密码.

The password is checked on a worker thread (argon2 takes tens of milliseconds): the buttons are disabled while it
runs. The user name of the last login is remembered per laptop (QSettings); the password never is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.db.engine import Database
from reception_desk.domain.roles import Role
from reception_desk.errors import ServiceError
from reception_desk.services import users
from reception_desk.services.authz import Actor
from reception_desk.ui.errors import message_for

LAST_USER_KEY = "login/last_user"
STYLE = """
QLabel#loginMessage, QLabel#passwordMessage { color: #b3261e; font-weight: bold; }
QLabel#loginTitle { font-size: 15pt; font-weight: bold; color: #b3261e; }
"""


def role_label(role: Role | str | None) -> str:
    """A role's name as people read it, in the UI's language (None: 单机模式)."""
    labels = {
        "desk": QCoreApplication.translate("roles", "登记台", "role"),
        "host": QCoreApplication.translate("roles", "接待室", "role"),
        "supervisor": QCoreApplication.translate("roles", "督办", "role"),
        "admin": QCoreApplication.translate("roles", "管理员", "role"),
    }
    return labels[str(role)] if role is not None else QCoreApplication.translate("roles", "单机模式", "role")


def actor_of(info: users.UserInfo) -> Actor:
    """The UI's actor for a logged-in user."""
    return Actor(info.name, Role(info.role), info.rooms)


class _Worker:
    """Runs a blocking call on the loop's executor and keeps the task referenced."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


class LoginDialog(QDialog):
    """登录: user name (remembered per laptop), password; Enter logs in, Esc quits the app.

    After accept(), `user` is the logged-in user.
    """

    def __init__(
        self,
        db: Database,
        settings: QSettings,
        parent: QWidget | None = None,
        name: str = "",
        message: str = "",
        where: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("登录 · 接访台"))
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(420)
        self.db = db
        self.settings = settings
        self.user: users.UserInfo | None = None
        self._worker = _Worker()

        title = QLabel(self.tr("请登录"))
        title.setObjectName("loginTitle")
        self.where = QLabel(where)
        self.where.setProperty("role", "hint")
        self.where.setWordWrap(True)
        self.name_edit = QLineEdit(name or str(settings.value(LAST_USER_KEY) or ""))
        self.name_edit.setObjectName("loginName")
        self.name_edit.setPlaceholderText(self.tr("如 desk1"))
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("loginPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(message)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("用户名"), self.name_edit)
        form.addRow(self.tr("密码"), self.password_edit)

        self.buttons = QDialogButtonBox()
        self.login_button = QPushButton(self.tr("登录"))
        self.login_button.setObjectName("loginButton")
        self.quit_button = QPushButton(self.tr("退出"))
        for button in (self.login_button, self.quit_button):
            button.setAutoDefault(False)  # Enter is handled by the fields below, once
        self.name_edit.returnPressed.connect(self._name_entered)
        self.password_edit.returnPressed.connect(self.try_login)  # Enter logs in
        self.buttons.addButton(self.login_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)  # Esc too: QDialog rejects on Escape

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        if where:
            layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.password_edit if self.name_edit.text() else self.name_edit).setFocus()

    def _name_entered(self) -> None:
        if self.password_edit.text():
            self.try_login()
        else:
            self.password_edit.setFocus()

    def try_login(self) -> None:
        """Check the password on a worker thread; accept on success, else say why and clear the password."""
        if self._worker.tasks:  # a check is running already
            return
        name, password = self.name_edit.text().strip(), self.password_edit.text()
        if not name:
            self._refuse(self.tr("请输入用户名。"))
            self.name_edit.setFocus()
            return
        if not password:
            self._refuse(self.tr("请输入密码。"))
            self.password_edit.setFocus()
            return
        self._worker.spawn(self._login(name, password))

    async def _login(self, name: str, password: str) -> None:
        self._busy(True)
        try:
            loop = asyncio.get_running_loop()
            info = await loop.run_in_executor(None, users.authenticate, self.db, name, password)
        except Exception as exc:  # a wrong password, a locked account, the database gone
            self._busy(False)
            self._refuse(str(exc) if isinstance(exc, ServiceError) else message_for(exc))
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        self._busy(False)
        self.user = info
        self.settings.setValue(LAST_USER_KEY, info.name)
        self.settings.sync()
        self.accept()

    def _busy(self, busy: bool) -> None:
        self.login_button.setEnabled(not busy)
        self.name_edit.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)
        if busy:
            self.message.setText(self.tr("正在验证…"))

    def _refuse(self, text: str) -> None:
        self.message.setText(text)


class PasswordDialog(QDialog):
    """修改密码 (one's own, with the old password) or 重置密码 (an admin for another user, no old password)."""

    def __init__(self, db: Database, actor: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.own = actor == name
        self.setWindowTitle(self.tr("修改密码") if self.own else self.tr("重置密码"))
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(400)
        self.db, self.actor, self.name = db, actor, name
        self.done_ok = False
        self._worker = _Worker()
        self.old_edit = QLineEdit()
        self.old_edit.setObjectName("oldPassword")
        self.new_edit = QLineEdit()
        self.new_edit.setObjectName("newPassword")
        self.again_edit = QLineEdit()
        self.again_edit.setObjectName("againPassword")
        for edit in (self.old_edit, self.new_edit, self.again_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("用户"), QLabel(name))
        if self.own:
            form.addRow(self.tr("原密码"), self.old_edit)
        form.addRow(self.tr("新密码"), self.new_edit)
        form.addRow(self.tr("再输入一次"), self.again_edit)
        self.message = QLabel()
        self.message.setObjectName("passwordMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("保存"))
        ok.setObjectName("savePasswordButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.old_edit if self.own else self.new_edit).setFocus()

    def save(self) -> None:
        """Check the two new passwords agree, then change it on a worker thread."""
        if self.new_edit.text() != self.again_edit.text():
            self.message.setText(self.tr("两次输入的新密码不一致。"))
            return
        if self.own and not self.old_edit.text():
            self.message.setText(self.tr("请输入原密码。"))
            return
        self._worker.spawn(self._save(self.new_edit.text(), self.old_edit.text() if self.own else None))

    async def _save(self, new: str, old: str | None) -> None:
        self.buttons.setEnabled(False)
        try:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, users.change_password, self.db, self.actor, self.name, new, old)
        except Exception as exc:
            self.message.setText(message_for(exc))
            return
        finally:
            self.buttons.setEnabled(True)
        self.done_ok = True
        self.accept()
