"""设置 → 数据库: the database in use, the one saved on this laptop, choosing another and testing the connection.

A mixin of SettingsPage (it builds the tab's widgets on the page, so their names stay the page's).
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from reception_desk import secrets_store
from reception_desk.db.engine import ENV_VAR, resolve_url, sqlite_path
from reception_desk.services.db_probe import PROBE_TIMEOUT_S, ProbeResult, probe_database
from reception_desk.ui.app import DB_KEY
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.settings_common import hint

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    _Base = Page
else:
    _Base = object


class DatabaseTabMixin(_Base):
    """(a) 数据库: SettingsPage's database tab and its handlers."""

    _probe_executor: ThreadPoolExecutor
    _pg_saved_url: str  # the saved PostgreSQL URL with its password (the field shows it hidden)
    _pg_saved_url = ""

    def _build_database_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)

        current = QGroupBox(self.tr("正在使用的数据库"))
        form = QFormLayout(current)
        self.current_url = QLabel(self.ctx.db.engine.url.render_as_string(hide_password=True))
        self.current_url.setObjectName("currentUrl")
        self.current_url.setProperty("role", "value")
        self.current_url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.current_url.setWordWrap(True)
        form.addRow(self.tr("地址："), self.current_url)
        saved = self.ctx.settings.value(DB_KEY)
        self.saved_url = QLabel(
            self._hidden(str(saved)) if saved else self.tr("（未设置：使用本机默认的 SQLite 文件）")
        )
        self.saved_url.setObjectName("savedUrl")
        self.saved_url.setWordWrap(True)
        form.addRow(self.tr("本机设置："), self.saved_url)
        if os.environ.get(ENV_VAR):
            form.addRow("", hint(self.tr("注意：已设置环境变量 {0}，它优先于本机设置。").format(ENV_VAR)))
        layout.addWidget(current)

        choose = QGroupBox(self.tr("更换数据库"))
        grid = QGridLayout(choose)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        self.kind_group = QButtonGroup(self)
        self.sqlite_radio = QRadioButton(self.tr("单机：SQLite 文件"))
        self.sqlite_radio.setObjectName("sqliteRadio")
        self.pg_radio = QRadioButton(self.tr("多台电脑共用：PostgreSQL 服务器"))
        self.pg_radio.setObjectName("pgRadio")
        self.kind_group.addButton(self.sqlite_radio, 0)
        self.kind_group.addButton(self.pg_radio, 1)
        self.sqlite_edit = QLineEdit()
        self.sqlite_edit.setObjectName("sqlitePath")
        self.sqlite_edit.setPlaceholderText(self.tr("数据库文件的位置，如 D:\\接访台\\reception-desk.sqlite3"))
        browse = QPushButton(self.tr("浏览…"))
        browse.setObjectName("browseButton")
        browse.clicked.connect(self._browse)
        self.pg_edit = QLineEdit()
        self.pg_edit.setObjectName("pgUrl")
        self.pg_edit.setPlaceholderText(self.tr("postgresql://用户名:密码@服务器:5432/数据库名"))
        grid.addWidget(self.sqlite_radio, 0, 0, 1, 3)
        grid.addWidget(self.sqlite_edit, 1, 0, 1, 2)
        grid.addWidget(browse, 1, 2)
        grid.addWidget(self.pg_radio, 2, 0, 1, 3)
        grid.addWidget(self.pg_edit, 3, 0, 1, 3)
        grid.addWidget(
            hint(
                self.tr(
                    "PostgreSQL 的密码保存在系统密钥环中，不写入本机设置；本机没有可用的密钥环时，"
                    "密码不保存，每次启动时询问。"
                )
            ),
            4,
            0,
            1,
            3,
        )
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.test_button = QPushButton(self.tr("测试连接"))
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.clicked.connect(lambda: self.spawn(self.test_connection()))
        self.save_db_button = QPushButton(self.tr("保存"))
        self.save_db_button.setObjectName("saveDatabaseButton")
        self.save_db_button.setProperty("role", "primary")
        self.save_db_button.clicked.connect(self.save_database)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_db_button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 5, 0, 1, 3)
        self.probe_result = QLabel()
        self.probe_result.setObjectName("probeResult")
        self.probe_result.setWordWrap(True)
        self.probe_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.probe_result, 6, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        layout.addWidget(choose)
        layout.addStretch(1)

        self.kind_group.idToggled.connect(lambda _id, _on: self._update_db_fields())
        self._prefill_database(self._with_saved_password(str(saved)) if saved else self.ctx.db.url)
        return tab

    def _with_saved_password(self, saved: str) -> str:
        """The saved URL (it holds no password) with the password of the database in use, else the keyring's."""
        if not secrets_store.is_server_url(saved):
            return saved
        running = self.ctx.db.url
        if secrets_store.is_server_url(running) and secrets_store.account(running) == secrets_store.account(saved):
            return secrets_store.with_password(saved, secrets_store.split_password(running)[1])
        return secrets_store.with_password(saved, secrets_store.password_for(saved))

    @staticmethod
    def _hidden(url: str) -> str:
        try:
            return make_url(url).render_as_string(hide_password=True)
        except Exception:
            return url

    def _prefill_database(self, url: str) -> None:
        try:
            resolved = resolve_url(url)
        except Exception:
            resolved = url
        path = sqlite_path(resolved) if resolved.startswith("sqlite") else None
        if path is not None:
            self.sqlite_radio.setChecked(True)
            self.sqlite_edit.setText(str(path))
        else:
            self.pg_radio.setChecked(True)
            self._pg_saved_url = url
            self.pg_edit.setText(self._hidden(url))
        self._update_db_fields()

    def _update_db_fields(self) -> None:
        sqlite = self.sqlite_radio.isChecked()
        self.sqlite_edit.setEnabled(sqlite)
        self.pg_edit.setEnabled(not sqlite)

    def _browse(self) -> None:
        start = self.sqlite_edit.text().strip() or str(sqlite_path(self.ctx.db.url) or "")
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("选择或新建 SQLite 数据库文件"),
            start,
            self.tr("SQLite 数据库 (*.sqlite3 *.sqlite *.db);;所有文件 (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if chosen:
            self.sqlite_edit.setText(chosen)
            self.sqlite_radio.setChecked(True)

    def chosen_url(self) -> str:
        """The URL the fields describe ('' when empty)."""
        if self.sqlite_radio.isChecked():
            text = self.sqlite_edit.text().strip()
            if not text:
                return ""
            return text if "://" in text else resolve_url(text)
        text = self.pg_edit.text().strip()
        if self._pg_saved_url and text == self._hidden(self._pg_saved_url):
            return self._pg_saved_url  # unchanged field: the real URL with its password
        return text

    async def test_connection(self) -> None:
        """测试连接: off the UI thread, a few seconds at most; 成功 with the server version, or the error."""
        url = self.chosen_url()
        if not url:
            self._show_probe("error", self.tr("请先填写数据库文件或 PostgreSQL 地址。"))
            return
        self.test_button.setEnabled(False)
        self._show_probe("", self.tr("正在连接…"))
        try:
            loop = asyncio.get_running_loop()
            result = await asyncio.wait_for(
                loop.run_in_executor(self._probe_executor, probe_database, url, PROBE_TIMEOUT_S),
                timeout=PROBE_TIMEOUT_S + 3,
            )
        except TimeoutError:
            result = ProbeResult(False, "timeout")
        except Exception as exc:
            log.exception("connection test")
            result = ProbeResult(False, "failed", detail=str(exc))
        finally:
            self.test_button.setEnabled(True)
        self._show_probe(*self._probe_text(result))

    def _probe_text(self, result: ProbeResult) -> tuple[str, str]:
        if result.ok:
            if result.revision is None:
                schema = self.tr("空数据库，首次启动时将自动建立数据表")
            elif result.revision == result.head:
                schema = self.tr("数据表版本 {0}，与本程序一致").format(result.revision)
            else:
                schema = self.tr("数据表版本 {0}，启动时将自动升级到 {1}（升级前自动备份）").format(
                    result.revision, result.head
                )
            return "ok", self.tr("成功：{0}。{1}。").format(result.server, schema)
        messages = {
            "missing_file": (
                "warn",
                self.tr("文件不存在：{0}。保存后，下次启动时将在此位置新建数据库。"),
            ),
            "not_database": ("error", self.tr("该文件不是可用的 SQLite 数据库：{0}")),
            "bad_url": ("error", self.tr("数据库地址格式不正确：{0}")),
            "unsupported": ("error", self.tr("不支持的数据库类型“{0}”，请使用 SQLite 文件或 PostgreSQL。")),
            "no_server": ("error", self.tr("无法连接到数据库服务器（地址或端口有误，或服务器未启动）：{0}")),
            "auth": ("error", self.tr("用户名或密码不正确：{0}")),
            "no_database": ("error", self.tr("服务器上没有这个数据库：{0}")),
            "timeout": ("error", self.tr("连接超时：服务器 {0} 秒内没有响应。")),
        }
        state, text = messages.get(result.kind, ("error", self.tr("连接失败：{0}")))
        detail = str(PROBE_TIMEOUT_S) if result.kind == "timeout" else result.detail
        return state, text.format(detail)

    def _show_probe(self, state: str, text: str) -> None:
        self.probe_result.setProperty("state", state)
        self.probe_result.setText(text)
        self.probe_result.style().unpolish(self.probe_result)
        self.probe_result.style().polish(self.probe_result)

    def save_database(self) -> None:
        """保存: remembered on this laptop; the app opens it at the next start."""
        url = self.chosen_url()
        if not url:
            self._show_probe("error", self.tr("请先填写数据库文件或 PostgreSQL 地址。"))
            return
        try:
            resolve_url(url)
        except Exception as exc:
            self._show_probe("error", self.tr("数据库地址格式不正确：{0}").format(exc))
            return
        settings_url, in_keyring = secrets_store.store(url)  # the settings get the URL without its password
        self.ctx.settings.setValue(DB_KEY, settings_url)
        self.ctx.settings.sync()
        self.saved_url.setText(self._hidden(settings_url))
        if secrets_store.split_password(url)[1] is not None and not in_keyring:
            self._show_probe(
                "warn",
                self.tr(
                    "已保存，但不含密码：本机没有可用的系统密钥环，密码只保留到本次退出，下次启动时将询问密码。"
                    "新的数据库将在下次启动接访台时使用。"
                ),
            )
            return
        self._show_probe("ok", self.tr("已保存。新的数据库将在下次启动接访台时使用。"))
