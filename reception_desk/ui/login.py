"""Who works at this laptop: the start-up login on a database with users.

With $RECEPTION_DESK_USER (or --user) and $RECEPTION_DESK_PASSWORD the window logs in without showing the dialog
(smoke tests, --quit-when-ready, a kiosk laptop); otherwise the login dialog asks. A database without users is
单机模式: no login, the actor is only the name recorded.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QDialog, QWidget

from reception_desk.errors import AuthenticationError
from reception_desk.services import users
from reception_desk.services.authz import Actor
from reception_desk.ui.dialogs.login_dialog import LoginDialog, actor_of

if TYPE_CHECKING:
    from reception_desk.db.engine import Database

USER_ENV, PASSWORD_ENV = "RECEPTION_DESK_USER", "RECEPTION_DESK_PASSWORD"
EXIT_REFUSED = 3  # as the CLI: a refused login
EXIT_QUIT = 0  # the person chose 退出 in the login dialog


async def log_in(
    db: Database,
    settings: QSettings,
    actor: str,
    login_user: str | None = None,
    quit_when_ready: bool = False,
    parent: QWidget | None = None,
) -> Actor | int:
    """The logged-in actor, or an exit code: EXIT_QUIT when the person quit, EXIT_REFUSED when a login without a
    person (--quit-when-ready) failed."""
    loop = asyncio.get_running_loop()
    if not await loop.run_in_executor(None, users.has_users, db):
        if await loop.run_in_executor(None, lambda: db.database_id() is not None and not db.unlocked):
            # 单机模式 on a copy of a database without its laptop's key file: the personal data cannot be opened
            locked = QCoreApplication.translate(
                "login",
                "本数据库的个人信息已加密，而这台电脑没有它的密钥文件（数据库是从别处复制来的？），因此不能打开。"
                "请在建立数据库的电脑上打开，或由管理员在那里建立用户后用用户名和密码登录。",
            )
            if quit_when_ready:
                print(QCoreApplication.translate("login", "错误：{0}").format(locked), file=sys.stderr)
            else:
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.critical(parent, QCoreApplication.translate("login", "无法打开数据库"), locked)
            return EXIT_REFUSED
        return Actor(actor, None)
    name = login_user or os.environ.get(USER_ENV) or ""
    password = os.environ.get(PASSWORD_ENV)
    message = ""
    if name and password is not None:
        try:
            return actor_of(await loop.run_in_executor(None, users.authenticate, db, name, password))
        except AuthenticationError as exc:
            message = str(exc)
    if quit_when_ready:  # nobody is there to type a password: one line, exit 3
        needed = QCoreApplication.translate(
            "login", "本数据库需要登录：请设置环境变量 RECEPTION_DESK_USER 和 RECEPTION_DESK_PASSWORD。"
        )
        print(QCoreApplication.translate("login", "错误：{0}").format(message or needed), file=sys.stderr)
        return EXIT_REFUSED
    where = QCoreApplication.translate("login", "数据库：{0}").format(
        db.engine.url.render_as_string(hide_password=True)
    )
    dialog = LoginDialog(db, settings, parent, name=name, message=message, where=where)
    finished: asyncio.Future[int] = loop.create_future()

    def done(result: int) -> None:
        if not finished.done():
            finished.set_result(int(result))

    dialog.finished.connect(done)
    dialog.open()
    result = await finished
    user = dialog.user
    dialog.deleteLater()
    if result != QDialog.DialogCode.Accepted.value or user is None:
        return EXIT_QUIT
    return actor_of(user)
