"""数据库密码 at start: the saved PostgreSQL URL carries no password (secrets_store.py); when the keyring holds none
either, the person types it here and it is kept in this process only.

Loaded after the window's frame is painted (the keyring is read here), before the database opens.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
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

from reception_desk import secrets_store


class DatabasePasswordDialog(QDialog):
    """数据库密码: one password field for the server in `where`; 连接 accepts, 退出 quits the app."""

    def __init__(self, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("databasePasswordDialog")
        self.setWindowTitle(self.tr("数据库密码 · 接访台"))
        self.setMinimumWidth(420)
        intro = QLabel(
            self.tr("数据库服务器 {0} 的密码（本机没有保存密码：只用于本次运行，不写入本机设置）。").format(where)
        )
        intro.setObjectName("databasePasswordIntro")
        intro.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("databasePassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.accept)
        form = QFormLayout()
        form.addRow(self.tr("密码"), self.password_edit)
        buttons = QDialogButtonBox()
        connect = QPushButton(self.tr("连接"))
        connect.setObjectName("databasePasswordConnect")
        quit_button = QPushButton(self.tr("退出"))
        for button in (connect, quit_button):
            button.setAutoDefault(False)  # Enter is the field's, once
        buttons.addButton(connect, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def password(self) -> str:
        """What was typed."""
        return self.password_edit.text()


def saved_database_url(settings: QSettings, key: str, may_ask: bool, parent: QWidget | None = None) -> str | None:
    """The database saved in the settings under `key`, ready to open: an older URL with its password in clear is
    rewritten without it (the password to the keyring); a password found nowhere is asked for when `may_ask`
    (and $PGPASSWORD is not set). None when the person chose 退出."""
    stored = str(settings.value(key) or "")
    saved = secrets_store.from_settings(stored)
    if saved.settings_url != stored:
        settings.setValue(key, saved.settings_url)
        settings.sync()
    if not saved.needs_password or not may_ask or os.environ.get("PGPASSWORD"):
        return saved.url  # without a password libpq still tries ~/.pgpass
    dialog = DatabasePasswordDialog(saved.settings_url, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted.value:
            return None
        password = dialog.password()
    finally:
        dialog.deleteLater()
    secrets_store.remember(saved.settings_url, password)
    return secrets_store.with_password(saved.settings_url, password)
