"""Who is working, on the main window: 用户：name（role） in the status bar (a click: 修改密码…), and in 单机模式 a
standing banner under the header that urges the office to create an admin."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QToolButton, QVBoxLayout

from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.login_dialog import PasswordDialog, role_label

STYLE = """
QLabel#standaloneBanner { background: #fff4e5; color: #8a4b00; border-bottom: 1px solid #f0b455;
                          padding: 3px 18px; font-weight: bold; }
QToolButton#userButton { border: none; padding: 0 8px; }
QToolButton#userButton:hover { color: #b3261e; text-decoration: underline; }
"""


class UserBar:
    """The banner and the status-bar button of one window, kept in step with ctx.user."""

    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        self.window, self.ctx = window, ctx
        self._tasks: set[asyncio.Task[Any]] = set()
        self.banner = QLabel(
            QCoreApplication.translate(
                "user_bar", "单机模式：本数据库尚未设置用户，任何人都可操作。请在 设置 → 用户 中创建管理员。"
            )
        )
        self.banner.setObjectName("standaloneBanner")
        self.banner.setStyleSheet(STYLE)
        self.banner.setWordWrap(False)
        central = window.centralWidget()
        layout = central.layout() if central is not None else None
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(1, self.banner)  # under the header
        self.button = QToolButton()
        self.button.setObjectName("userButton")
        self.button.setStyleSheet(STYLE)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.password_action = self.menu.addAction(QCoreApplication.translate("user_bar", "修改密码…"))
        self.password_action.triggered.connect(self.change_password)
        self.button.setMenu(self.menu)
        window.statusBar().addPermanentWidget(self.button)
        ctx.user_changed.connect(self.update)
        self.update()

    def update(self) -> None:
        """Show who is working; the banner only in 单机模式."""
        user = self.ctx.user
        standalone = user.role is None
        self.banner.setVisible(standalone)
        if standalone:
            self.button.setText(QCoreApplication.translate("user_bar", "操作人：{0}（单机模式）").format(user.name))
            self.password_action.setEnabled(False)  # no password to change without users
            self.button.setToolTip(QCoreApplication.translate("user_bar", "本数据库尚未设置用户"))
        else:
            self.button.setText(
                QCoreApplication.translate("user_bar", "用户：{0}（{1}）").format(user.name, role_label(user.role))
            )
            self.password_action.setEnabled(True)
            self.button.setToolTip(QCoreApplication.translate("user_bar", "点击修改密码"))

    def change_password(self) -> PasswordDialog:
        """Open 修改密码 for the logged-in user (his old password asked)."""
        dialog = PasswordDialog(self.ctx.db, self.ctx.user.name, self.ctx.user.name, self.window)
        dialog.accepted.connect(
            lambda: self.window.statusBar().showMessage(QCoreApplication.translate("user_bar", "密码已修改。"), 8000)
        )
        dialog.open()
        return dialog
