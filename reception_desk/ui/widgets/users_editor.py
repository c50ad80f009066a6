"""设置 → 用户: the database's users for an admin — list, add, disable or enable, reset a password.

In 单机模式 the first user created here must be an admin; creating him turns login on for the database for good,
and this laptop goes on as that admin (his password was just typed). Each change is one service call.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.roles import Permission, Role, parse_rooms
from reception_desk.errors import InvalidInputError
from reception_desk.services import users
from reception_desk.services.authz import Actor
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.login_dialog import PasswordDialog, role_label
from reception_desk.ui.pages.base import TabPage

NAME_ROLE = Qt.ItemDataRole.UserRole
EDITOR_STYLE = """
#usersMessage[state="ok"] { color: #1b7f3b; font-weight: bold; }
#usersMessage[state="error"] { color: #b3261e; font-weight: bold; }
#usersNotice { background: #fff4e5; color: #8a4b00; border: 1px solid #f0b455; border-radius: 6px; padding: 8px 12px; }
"""


class UsersEditor(TabPage):
    """用户: who may log in to this database, with which role (admins only; everyone in 单机模式)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("usersEditor")
        self.setStyleSheet(EDITOR_STYLE)
        self._rows: list[users.UserInfo] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        self.notice = QLabel()
        self.notice.setObjectName("usersNotice")
        self.notice.setWordWrap(True)
        layout.addWidget(self.notice)
        layout.addWidget(self._build_list(), 1)
        layout.addWidget(self._build_add())
        self.message = QLabel()
        self.message.setObjectName("usersMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        ctx.user_changed.connect(self._follow_user)
        self._follow_user()

    def title(self) -> str:
        """用户."""
        return self.tr("用户")

    def affected_by(self, changes: ChangeSet) -> bool:
        """Users are what this tab lists."""
        return bool(changes.users)

    # ---- building ----

    def _build_list(self) -> QGroupBox:
        box = QGroupBox(self.tr("用户列表"))
        layout = QVBoxLayout(box)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("用户名"), self.tr("姓名"), self.tr("角色"), self.tr("接待室"), self.tr("状态")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.toggle_button = QPushButton(self.tr("停用", "button"))
        self.toggle_button.setObjectName("toggleUserButton")
        self.toggle_button.clicked.connect(lambda: self.spawn(self.toggle_selected()))
        self.reset_button = QPushButton(self.tr("重置密码…"))
        self.reset_button.setObjectName("resetPasswordButton")
        self.reset_button.clicked.connect(self.reset_selected)
        row.addWidget(self.toggle_button)
        row.addWidget(self.reset_button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _build_add(self) -> QGroupBox:
        box = QGroupBox(self.tr("添加用户"))
        form = QFormLayout(box)
        self.new_name = QLineEdit()
        self.new_name.setObjectName("newUserName")
        self.new_name.setPlaceholderText(self.tr("英文字母、数字，如 desk1"))
        self.new_display = QLineEdit()
        self.new_display.setObjectName("newUserDisplay")
        self.new_role = QComboBox()
        self.new_role.setObjectName("newUserRole")
        for role in Role:
            self.new_role.addItem(role_label(role), role.value)
        self.new_rooms = QLineEdit()
        self.new_rooms.setObjectName("newUserRooms")
        self.new_rooms.setPlaceholderText(self.tr("接待室用户填写，如 4,5 或 1-5"))
        self.new_password = QLineEdit()
        self.new_password.setObjectName("newUserPassword")
        self.new_again = QLineEdit()
        self.new_again.setObjectName("newUserAgain")
        for edit in (self.new_password, self.new_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton(self.tr("添加用户"))
        self.add_button.setObjectName("addUserButton")
        self.add_button.setProperty("role", "primary")
        self.add_button.clicked.connect(lambda: self.spawn(self.add()))
        form.addRow(self.tr("用户名"), self.new_name)
        form.addRow(self.tr("姓名"), self.new_display)
        form.addRow(self.tr("角色"), self.new_role)
        form.addRow(self.tr("接待室"), self.new_rooms)
        form.addRow(self.tr("密码"), self.new_password)
        form.addRow(self.tr("再输入一次"), self.new_again)
        form.addRow("", self.add_button)
        return box

    # ---- state ----

    def _may_manage(self) -> bool:
        return self.ctx.user.may(Permission.ADMIN)

    def _follow_user(self) -> None:
        standalone = self.ctx.user.role is None
        if standalone:
            self.notice.setText(
                self.tr(
                    "单机模式：本数据库尚未设置用户，任何人都可操作。先创建一个管理员："
                    "创建后本数据库即需要登录（所有电脑），本机以该管理员继续工作。"
                )
            )
            self.new_role.setCurrentIndex(self.new_role.findData(Role.ADMIN.value))
        elif not self._may_manage():
            self.notice.setText(self.tr("只有管理员可以管理用户。"))
        self.notice.setVisible(standalone or not self._may_manage())
        editors: tuple[QWidget, ...] = (
            self.new_name,
            self.new_display,
            self.new_role,
            self.new_rooms,
            self.new_password,
            self.new_again,
            self.add_button,
        )
        for widget in editors:
            widget.setEnabled(self._may_manage())
        self._update_buttons()

    def _selected(self) -> users.UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        name = item.data(NAME_ROLE) if item is not None else None
        return next((u for u in self._rows if u.name == name), None)

    def select(self, name: str) -> None:
        """Select a user's row."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(NAME_ROLE) == name:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        user = self._selected()
        allowed = self._may_manage() and user is not None
        self.toggle_button.setEnabled(allowed)
        self.reset_button.setEnabled(allowed)
        if user is not None:
            self.toggle_button.setText(self.tr("停用", "button") if user.active else self.tr("启用", "button"))

    def _say(self, state: str, text: str) -> None:
        self.message.setProperty("state", state)
        self.message.setText(text)
        self.message.style().polish(self.message)

    # ---- loading and writing ----

    async def load(self) -> None:
        """Every user of the database."""
        selected = self._selected()
        self._rows = await self.ctx.read(users.list_users, self.ctx.db)
        self.table.setRowCount(len(self._rows))
        for row, user in enumerate(self._rows):
            state = self.tr("启用") if user.active else self.tr("停用")
            if user.locked_until is not None:
                state += self.tr("（锁定中）")
            cells = (
                user.name,
                user.display_name,
                role_label(user.role),
                ",".join(str(n) for n in user.rooms),
                state,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(NAME_ROLE, user.name)
                self.table.setItem(row, column, item)
        if selected is not None:
            self.select(selected.name)
        self._update_buttons()

    async def add(self) -> users.UserInfo | None:
        """Add the user of the form; the first one (an admin) logs this laptop in as him."""
        name, password = self.new_name.text().strip(), self.new_password.text()
        if password != self.new_again.text():
            self._say("error", self.tr("两次输入的密码不一致。"))
            return None
        try:
            rooms = parse_rooms(self.new_rooms.text()) if self.new_rooms.text().strip() else ()
        except ValueError:
            self._say("error", self.tr("接待室编号应如 4,5 或 1-5。"))
            return None
        role = Role(self.new_role.currentData())
        first = self.ctx.user.role is None
        try:
            info, _ = await self.ctx.write(
                users.add_user,
                self.ctx.db,
                self.ctx.actor,
                name,
                role,
                password,
                rooms,
                self.new_display.text(),
            )
        except InvalidInputError as exc:
            self._say("error", str(exc))
            return None
        except Exception as exc:
            from reception_desk.ui.errors import message_for

            self._say("error", message_for(exc))
            return None
        for edit in (self.new_name, self.new_display, self.new_rooms, self.new_password, self.new_again):
            edit.clear()
        if first:
            self.ctx.set_user(Actor(info.name, Role.ADMIN, ()))
            self._say(
                "ok",
                self.tr("已创建管理员 {0}：本数据库从此需要登录，本机已以 {0} 登录。").format(info.name),
            )
        else:
            self._say("ok", self.tr("已添加用户 {0}（{1}）。").format(info.name, role_label(info.role)))
        await self.reload()
        return info

    async def toggle_selected(self) -> None:
        """Disable the selected user (or enable him again)."""
        user = self._selected()
        if user is None:
            return
        try:
            info = await self.ctx.write(users.set_active, self.ctx.db, self.ctx.actor, user.name, not user.active)
        except Exception as exc:
            from reception_desk.ui.errors import message_for

            self._say("error", message_for(exc))
            return
        self._say("ok", (self.tr("已启用 {0}。") if info.active else self.tr("已停用 {0}。")).format(info.name))
        await self.reload()

    def reset_selected(self) -> PasswordDialog | None:
        """重置密码 of the selected user (修改密码 with the old one when it is oneself)."""
        user = self._selected()
        if user is None:
            return None
        dialog = PasswordDialog(self.ctx.db, self.ctx.actor, user.name, self)
        dialog.accepted.connect(lambda: self._say("ok", self.tr("已修改 {0} 的密码。").format(user.name)))
        dialog.open()
        return dialog
