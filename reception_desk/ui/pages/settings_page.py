"""设置: the database to use, the reception day, the day's rooms, the department directory, the language.

Edits of rooms and departments are written one by one through the plan services with the version the row was
read at: a row somebody else changed meanwhile is refused (StaleWriteError) and the conflict dialog shows the row's
fields theirs and mine; 重新载入 takes theirs, 合并保存 writes theirs plus the fields chosen as mine on the fresh
version.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from reception_desk.db.engine import ENV_VAR, resolve_url, sqlite_path
from reception_desk.domain import office_time
from reception_desk.domain.themes import THEMES
from reception_desk.errors import StaleWriteError
from reception_desk.services import days, plan, row_merge
from reception_desk.services.changes import ChangeSet
from reception_desk.services.db_probe import PROBE_TIMEOUT_S, ProbeResult, probe_database
from reception_desk.ui import roles_view
from reception_desk.ui.app import DB_KEY
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog, FieldConflict, Side
from reception_desk.ui.errors import show_error
from reception_desk.ui.i18n import LANG_KEY
from reception_desk.ui.models.plan_models import (
    ID_ROLE,
    CapacityDelegate,
    DepartmentsModel,
    Edit,
    EditQueue,
    RoomsModel,
    ThemeDelegate,
)
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.calendar_editor import CalendarEditor
from reception_desk.ui.widgets.users_editor import UsersEditor

log = logging.getLogger(__name__)

# the fields of a row the conflict dialog compares (what the tables edit)
ROOM_CONFLICT_FIELDS = ("name", "theme_code", "host", "location", "capacity")
DEPARTMENT_CONFLICT_FIELDS = ("name", "short_name", "contact", "phone", "active")

# offered in the 办公时区 box (any IANA zone name may be typed)
ZONE_CHOICES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC")

PAGE_STYLE = """
#settingsPage QLabel[role="hint"] { color: #7a828c; }
#settingsPage QLabel[role="value"] { font-weight: bold; color: #1f2329; }
#settingsPage QGroupBox { font-weight: bold; border: 1px solid #d9dde3; border-radius: 6px; margin-top: 12px;
                          padding: 12px 10px 10px 10px; background: #ffffff; }
#settingsPage QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #b3261e; }
#settingsTabs::pane { border: 1px solid #d9dde3; background: #f9fafb; top: -1px; }
#settingsTabs QTabBar::tab { padding: 7px 18px; font-size: 11pt; }
#settingsTabs QTabBar::tab:selected { color: #b3261e; font-weight: bold; }
QLabel#probeResult[state="ok"] { color: #1b7f3b; font-weight: bold; }
QLabel#probeResult[state="warn"] { color: #9a6700; font-weight: bold; }
QLabel#probeResult[state="error"] { color: #b3261e; font-weight: bold; }
QLabel[role="done"] { color: #1b7f3b; font-weight: bold; }
#settingsPage QPushButton { padding: 5px 16px; }
QPushButton[role="primary"] { background: #b3261e; color: white; font-weight: bold; padding: 5px 16px;
                              border: none; border-radius: 4px; }
QPushButton[role="primary"]:disabled { background: #e3b6b2; }
"""


def _table(model: QAbstractTableModel | QSortFilterProxyModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
    )
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(28)
    return view


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


# ---------------------------------------------------------------------------------------- the page


class SettingsPage(Page):
    """设置: database, reception days, rooms, department directory, language."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("settingsPage")
        self.setStyleSheet(PAGE_STYLE)
        self._probe_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="probe")
        self.destroyed.connect(lambda *_: self._probe_executor.shutdown(wait=False, cancel_futures=True))
        self._room_edits = EditQueue()
        self._dept_edits = EditQueue()
        self.active_conflict: ConflictDialog | None = None  # the last save conflict shown (tests look at it)
        self._days: list[days.DayInfo] = []
        self._pg_saved_url = ""  # the saved PostgreSQL URL with its password (the field shows it hidden)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.addTab(self._build_database_tab(), self.tr("数据库"))
        self.tabs.addTab(self._build_days_tab(), self.tr("接访日"))
        self.tabs.addTab(self._build_rooms_tab(), self.tr("接待室"))
        self.tabs.addTab(self._build_departments_tab(), self.tr("单位目录"))
        self.calendar_editor = CalendarEditor(ctx)  # loads itself when its tab is first shown
        self.tabs.addTab(self.calendar_editor, self.calendar_editor.title())
        self.users_editor = UsersEditor(ctx)  # 用户: loads itself when its tab is first shown
        self.tabs.addTab(self.users_editor, self.users_editor.title())
        self.tabs.addTab(self._build_language_tab(), self.tr("语言"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.addWidget(self.tabs)
        roles_view.apply(self)

    def title(self) -> str:
        """设置."""
        return self.tr("设置")

    def affected_by(self, changes: ChangeSet) -> bool:
        """Days, rooms and departments are what this page lists."""
        return bool(changes.days or changes.rooms or changes.departments)

    async def load(self) -> None:
        """The days, the current day's rooms, the directory."""
        day_list = await self.ctx.read(days.list_days, self.ctx.db)
        self._show_days(day_list)
        day_id = self.ctx.day_id
        rooms = await self.ctx.read(plan.list_rooms, self.ctx.db, day_id) if day_id is not None else []
        if not self._room_edits.running:
            self.rooms_model.set_rows(rooms)
        self._show_rooms_title()
        departments = await self.ctx.read(plan.list_departments, self.ctx.db)
        if not self._dept_edits.running:
            self.departments_model.set_rows(departments)
        self.dept_count.setText(
            self.tr("共 {0} 个单位，其中 {1} 个启用").format(len(departments), sum(1 for d in departments if d.active))
        )

    # ---- (a) database ----

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
            form.addRow("", _hint(self.tr("注意：已设置环境变量 {0}，它优先于本机设置。").format(ENV_VAR)))
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
            _hint(self.tr("PostgreSQL 的密码会保存在本机设置中；如不希望保存，可在服务器上使用 .pgpass 文件。")),
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
        self._prefill_database(str(saved) if saved else self.ctx.db.url)
        return tab

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
        self.ctx.settings.setValue(DB_KEY, url)
        self.ctx.settings.sync()
        self.saved_url.setText(self._hidden(url))
        self._show_probe("ok", self.tr("已保存。新的数据库将在下次启动接访台时使用。"))

    # ---- (b) reception days ----

    def _build_days_tab(self) -> QWidget:
        tab = QWidget()
        layout = QHBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(14)
        listing = QGroupBox(self.tr("接访日列表"))
        box = QVBoxLayout(listing)
        self.days_table = QTableWidget(0, 5)
        self.days_table.setObjectName("daysTable")
        self.days_table.setHorizontalHeaderLabels(
            [self.tr("日期"), self.tr("标题"), self.tr("地点"), self.tr("接访领导"), self.tr("状态")]
        )
        self.days_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.days_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.days_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.days_table.verticalHeader().setVisible(False)
        self.days_table.setAlternatingRowColors(True)
        header = self.days_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.days_table.setWordWrap(True)
        self.days_table.itemSelectionChanged.connect(self._update_day_buttons)
        self.days_table.doubleClicked.connect(lambda _i: self.switch_day())
        box.addWidget(self.days_table)
        row = QHBoxLayout()
        self.switch_day_button = QPushButton(self.tr("切换到此接访日"))
        self.switch_day_button.setObjectName("switchDayButton")
        self.switch_day_button.setProperty("role", "primary")
        self.switch_day_button.clicked.connect(self.switch_day)
        row.addWidget(self.switch_day_button)
        row.addWidget(_hint(self.tr("切换后，所有页面都显示所选接访日的数据。")), 1)
        box.addLayout(row)
        layout.addWidget(listing, 1)

        create = QGroupBox(self.tr("新建接访日"))
        create.setFixedWidth(430)
        form = QFormLayout(create)
        form.setHorizontalSpacing(12)
        self.new_date = QDateEdit()
        self.new_date.setObjectName("newDayDate")
        self.new_date.setCalendarPopup(True)
        self.new_date.setDisplayFormat("yyyy年M月d日")
        today = office_time.today()  # the office's date, whatever the laptop's zone
        self.new_date.setDate(QDate(today.year, today.month, today.day))
        self.new_title = QLineEdit(days.DEFAULT_TITLE)
        self.new_title.setObjectName("newDayTitle")
        self.new_venue = QLineEdit(days.DEFAULT_VENUE)
        self.new_venue.setObjectName("newDayVenue")
        self.new_leaders = QLineEdit()
        self.new_leaders.setObjectName("newDayLeaders")
        self.new_leaders.setPlaceholderText(self.tr("如：区委书记 张明、区长 王强"))
        self.new_phone = QLineEdit(days.DEFAULT_PHONE)
        self.new_phone.setObjectName("newDayPhone")
        form.addRow(self.tr("日期"), self.new_date)
        form.addRow(self.tr("标题"), self.new_title)
        form.addRow(self.tr("地点"), self.new_venue)
        form.addRow(self.tr("接访领导"), self.new_leaders)
        form.addRow(self.tr("信访局电话"), self.new_phone)
        self.create_day_button = QPushButton(self.tr("创建接访日"))
        self.create_day_button.setObjectName("createDayButton")
        self.create_day_button.setProperty("role", "primary")
        self.create_day_button.clicked.connect(lambda: self.spawn(self.create_day()))
        self.day_message = QLabel()
        self.day_message.setObjectName("dayMessage")
        self.day_message.setProperty("role", "done")
        self.day_message.setWordWrap(True)
        form.addRow("", self.create_day_button)
        form.addRow("", _hint(self.tr("新接访日按默认方案建立 15 个接待室，可在“接待室”中修改。")))
        form.addRow("", self.day_message)
        layout.addWidget(create, 0, Qt.AlignmentFlag.AlignTop)
        self._update_day_buttons()
        return tab

    def _show_days(self, day_list: list[days.DayInfo]) -> None:
        selected = self.selected_day_id()
        self._days = day_list
        self.days_table.setRowCount(len(day_list))
        for row, day in enumerate(day_list):
            current = day.id == self.ctx.day_id
            cells = (
                self.tr("{0}年{1}月{2}日").format(day.date.year, day.date.month, day.date.day),
                day.title,
                day.venue,
                day.leaders,
                self.tr("当前") if current else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, day.id)
                if current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.days_table.setItem(row, column, item)
        keep = selected if selected is not None else self.ctx.day_id
        for row, day in enumerate(day_list):
            if day.id == keep:
                self.days_table.selectRow(row)
        self._update_day_buttons()

    def selected_day_id(self) -> int | None:
        """The day selected in the list, or None."""
        rows = self.days_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.days_table.item(rows[0].row(), 0)
        return int(item.data(ID_ROLE)) if item is not None else None

    def select_day(self, day_id: int) -> bool:
        """Select a day in the list; False when it is not there."""
        for row, day in enumerate(self._days):
            if day.id == day_id:
                self.days_table.selectRow(row)
                return True
        return False

    def _update_day_buttons(self) -> None:
        chosen = self.selected_day_id()
        self.switch_day_button.setEnabled(chosen is not None and chosen != self.ctx.day_id)

    def switch_day(self) -> None:
        """Switch every page to the selected day."""
        chosen = self.selected_day_id()
        if chosen is None or chosen == self.ctx.day_id:
            return
        self.ctx.set_day(chosen)
        self._show_days(self._days)
        day = next((d for d in self._days if d.id == chosen), None)
        if day is not None:
            self.day_message.setText(
                self.tr("已切换到 {0}年{1}月{2}日 的接访日。").format(day.date.year, day.date.month, day.date.day)
            )

    async def create_day(self) -> None:
        """创建接访日 with the default 15-room plan; selected in the list afterwards."""
        qdate = self.new_date.date()
        date = dt.date(qdate.year(), qdate.month(), qdate.day())
        self.create_day_button.setEnabled(False)
        try:
            info, _ = await self.ctx.write(
                days.create_day,
                self.ctx.db,
                date,
                self.new_title.text().strip(),
                self.new_venue.text().strip(),
                self.new_leaders.text().strip(),
                self.new_phone.text().strip(),
                self.ctx.actor,
            )
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            self.create_day_button.setEnabled(True)
        await self.reload()
        self.select_day(info.id)
        self.day_message.setText(
            self.tr("已创建 {0}年{1}月{2}日 的接访日（15 个接待室）。点“切换到此接访日”开始使用。").format(
                date.year, date.month, date.day
            )
        )

    # ---- (c) rooms ----

    def _build_rooms_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        self.rooms_title = QLabel()
        self.rooms_title.setObjectName("roomsTitle")
        self.rooms_title.setProperty("role", "value")
        layout.addWidget(self.rooms_title)
        layout.addWidget(_hint(self.tr("双击单元格修改，回车确认后立即保存。主题决定自动分配时哪些批次进入该室。")))
        self.rooms_model = RoomsModel(self)
        self.rooms_model.edited.connect(self._room_edited)
        self.rooms_view = _table(self.rooms_model, "roomsTable")
        self.rooms_view.setItemDelegateForColumn(2, ThemeDelegate(self.rooms_view))
        self.rooms_view.setItemDelegateForColumn(5, CapacityDelegate(self.rooms_view))
        header = self.rooms_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((56, 130, 210, 220, 260, 90)):
            self.rooms_view.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.rooms_view, 1)
        self.rooms_message = QLabel()
        self.rooms_message.setObjectName("roomsMessage")
        self.rooms_message.setProperty("role", "done")
        self.rooms_message.setWordWrap(True)
        layout.addWidget(self.rooms_message)
        return tab

    def _show_rooms_title(self) -> None:
        day = next((d for d in self._days if d.id == self.ctx.day_id), None)
        if day is None:
            self.rooms_title.setText(self.tr("尚未选择接访日"))
        else:
            self.rooms_title.setText(
                self.tr("{0}年{1}月{2}日 · {3} 的接待室").format(day.date.year, day.date.month, day.date.day, day.title)
            )

    def _room_edited(self, room_id: int, field: str, value: Any) -> None:
        room = next((r for r in self.rooms_model.rows if r.id == room_id), None)
        if room is None:
            return
        seen = {key: getattr(room, key) for key in ROOM_CONFLICT_FIELDS}
        self._room_edits.items.append(Edit(room_id, field, value, room.version, seen))
        if not self._room_edits.running:
            self._room_edits.running = True  # now, not when the task starts: the next edit must not start another
            self.spawn(self._drain(self._room_edits, plan.update_room, self._refresh_rooms))

    async def _refresh_rooms(self) -> dict[int, int]:
        rooms = await self.ctx.read(plan.list_rooms, self.ctx.db, self.ctx.day_id) if self.ctx.day_id else []
        self.rooms_model.set_rows(rooms, keep=self._room_edits.queued_cells())
        return {r.id: r.version for r in rooms}

    async def _drain(
        self,
        queue: EditQueue,
        service: Callable[..., ChangeSet],
        refresh: Callable[[], Awaitable[dict[int, int]]],
    ) -> None:
        """Write the queued edits one by one; after each, re-read the rows (their versions moved)."""
        try:
            while queue.items:
                edit = queue.items.pop(0)
                used = queue.version_for(edit)
                try:
                    await self.ctx.write(
                        service, self.ctx.db, edit.row_id, used, actor=self.ctx.actor, **{edit.field: edit.value}
                    )
                except StaleWriteError:  # another laptop saved the row: theirs and mine, field by field
                    mine = [edit] + [e for e in queue.items if e.row_id == edit.row_id]
                    queue.items[:] = [e for e in queue.items if e.row_id != edit.row_id]
                    await refresh()
                    self._plan_conflict(service, refresh, mine)
                    continue
                except Exception as exc:  # refusals: say so, then show the database's rows
                    queue.items.clear()
                    show_error(self, exc)
                    await refresh()
                    break
                versions = await refresh()
                queue.wrote(edit.row_id, used, versions.get(edit.row_id, used))
        finally:
            queue.running = False

    def _plan_conflict(
        self,
        service: Callable[..., ChangeSet],
        refresh: Callable[[], Awaitable[dict[int, int]]],
        edits: list[Edit],
    ) -> None:
        """Show the row's fields theirs (as just re-read) and mine (what the user saw plus his edits)."""
        rooms = service is plan.update_room
        row_id = edits[0].row_id
        keys = ROOM_CONFLICT_FIELDS if rooms else DEPARTMENT_CONFLICT_FIELDS
        rows: list[Any] = self.rooms_model.rows if rooms else self.departments_model.rows
        message = self.rooms_message if rooms else self.dept_message
        fresh = next((r for r in rows if r.id == row_id), None)
        if fresh is None:  # the row is gone: nothing to merge into
            message.setText(self.tr("该行已不存在，已重新载入。"))
            return
        theirs = {key: getattr(fresh, key) for key in keys}
        base = dict(edits[0].seen or theirs)
        mine = dict(base)
        for edit in edits:
            mine[edit.field] = edit.value
        found = row_merge.clashes(base, mine, theirs, keys)
        if not found:  # they saved what we typed: nothing is lost
            message.setText(self.tr("已保存。"))
            return
        labels = self._conflict_labels(rooms)
        fields = [
            FieldConflict(
                c.key, labels[c.key], self._shown(c.key, c.theirs), self._shown(c.key, c.mine), c.changed_by_me
            )
            for c in found
        ]
        what = self.tr("第{0}接待室").format(fresh.number) if rooms else self.tr("单位“{0}”").format(fresh.name)
        conflict = ConflictDialog(fields, what, self)
        self.active_conflict = conflict
        conflict.accepted.connect(
            lambda: self.spawn(self._plan_merge(conflict, service, refresh, row_id, fresh.version, theirs, mine))
        )
        conflict.rejected.connect(lambda: message.setText(self.tr("已重新载入{0}（采用他人保存的内容）").format(what)))
        conflict.open()

    async def _plan_merge(
        self,
        conflict: ConflictDialog,
        service: Callable[..., ChangeSet],
        refresh: Callable[[], Awaitable[dict[int, int]]],
        row_id: int,
        version: int,
        theirs: dict[str, Any],
        mine: dict[str, Any],
    ) -> None:
        """合并保存: theirs plus the fields chosen as mine, on the version theirs was read at."""
        message = self.rooms_message if service is plan.update_room else self.dept_message
        keep = [key for key, side in conflict.choices().items() if side is Side.MINE]
        write = row_merge.changes(row_merge.merge(theirs, mine, keep), theirs)
        if not write:
            message.setText(self.tr("已重新载入（采用他人保存的内容）。"))
            return
        try:
            await self.ctx.write(service, self.ctx.db, row_id, version, actor=self.ctx.actor, **write)
        except StaleWriteError:  # saved once more meanwhile: ask again on the newer row
            await refresh()
            self._plan_conflict(
                service, refresh, [Edit(row_id, key, value, version, theirs) for key, value in write.items()]
            )
            return
        except Exception as exc:
            show_error(self, exc)
            await refresh()
            return
        await refresh()
        message.setText(self.tr("已合并保存。"))

    def _conflict_labels(self, rooms: bool) -> dict[str, str]:
        if rooms:
            return {
                "name": self.tr("名称"),
                "theme_code": self.tr("主题"),
                "host": self.tr("主持领导"),
                "location": self.tr("地点"),
                "capacity": self.tr("容量（人）"),
            }
        return {
            "name": self.tr("名称"),
            "short_name": self.tr("简称"),
            "contact": self.tr("联系人"),
            "phone": self.tr("联系电话"),
            "active": self.tr("启用"),
        }

    def _shown(self, key: str, value: Any) -> str:
        """A field's value as the tables show it (the theme by name, the active flag in words)."""
        if key == "theme_code":
            return next((t.name for t in THEMES if t.code == value), str(value))
        if key == "active":
            return self.tr("启用") if value else self.tr("停用")
        return str(value)

    # ---- (d) departments ----

    def _build_departments_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        self.dept_filter = QLineEdit()
        self.dept_filter.setObjectName("departmentFilter")
        self.dept_filter.setPlaceholderText(self.tr("按名称筛选"))
        self.dept_filter.setClearButtonEnabled(True)
        self.dept_count = QLabel()
        self.dept_count.setProperty("role", "hint")
        top.addWidget(self.dept_filter, 1)
        top.addWidget(self.dept_count)
        layout.addLayout(top)
        self.departments_model = DepartmentsModel(self)
        self.departments_model.edited.connect(self._dept_edited)
        self.dept_proxy = QSortFilterProxyModel(self)
        self.dept_proxy.setSourceModel(self.departments_model)
        self.dept_proxy.setFilterKeyColumn(0)
        self.dept_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.dept_filter.textChanged.connect(self.dept_proxy.setFilterFixedString)
        self.departments_view = _table(self.dept_proxy, "departmentsTable")
        header = self.departments_view.horizontalHeader()
        for column, width in enumerate((260, 120, 120, 160, 170, 90)):
            self.departments_view.setColumnWidth(column, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.departments_view, 1)
        layout.addWidget(_hint(self.tr("停用的单位不再出现在接待室的选择中，已有案件不受影响。")))

        add = QGroupBox(self.tr("添加单位"))
        grid = QGridLayout(add)
        grid.setHorizontalSpacing(8)
        self.new_dept_name = QLineEdit()
        self.new_dept_name.setObjectName("newDepartmentName")
        self.new_dept_name.setPlaceholderText(self.tr("全称（必填）"))
        self.new_dept_short = QLineEdit()
        self.new_dept_short.setObjectName("newDepartmentShort")
        self.new_dept_short.setPlaceholderText(self.tr("简称"))
        self.new_dept_kind = QComboBox()
        self.new_dept_kind.setObjectName("newDepartmentKind")
        self.new_dept_kind.addItem(self.tr("区级部门"), "bureau")
        self.new_dept_kind.addItem(self.tr("乡镇（街道）"), "township")
        self.new_dept_contact = QLineEdit()
        self.new_dept_contact.setObjectName("newDepartmentContact")
        self.new_dept_contact.setPlaceholderText(self.tr("联系人"))
        self.new_dept_phone = QLineEdit()
        self.new_dept_phone.setObjectName("newDepartmentPhone")
        self.new_dept_phone.setPlaceholderText(self.tr("联系电话"))
        self.new_dept_theme = QComboBox()
        self.new_dept_theme.setObjectName("newDepartmentTheme")
        self.new_dept_theme.addItem(self.tr("（不设为常用）"), "")
        for theme in THEMES:
            self.new_dept_theme.addItem(self.tr("常用于：{0}").format(theme.name), theme.code)
        self.add_dept_button = QPushButton(self.tr("添加"))
        self.add_dept_button.setObjectName("addDepartmentButton")
        self.add_dept_button.setProperty("role", "primary")
        self.add_dept_button.clicked.connect(lambda: self.spawn(self.add_department()))
        self.new_dept_name.returnPressed.connect(self.add_dept_button.click)
        grid.addWidget(self.new_dept_name, 0, 0)
        grid.addWidget(self.new_dept_short, 0, 1)
        grid.addWidget(self.new_dept_kind, 0, 2)
        grid.addWidget(self.new_dept_contact, 1, 0)
        grid.addWidget(self.new_dept_phone, 1, 1)
        grid.addWidget(self.new_dept_theme, 1, 2)
        grid.addWidget(self.add_dept_button, 0, 3, 2, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.dept_message = QLabel()
        self.dept_message.setObjectName("departmentMessage")
        self.dept_message.setProperty("role", "done")
        grid.addWidget(self.dept_message, 2, 0, 1, 4)
        layout.addWidget(add)
        return tab

    def _dept_edited(self, dept_id: int, field: str, value: Any) -> None:
        dept = next((d for d in self.departments_model.rows if d.id == dept_id), None)
        if dept is None:
            return
        seen = {key: getattr(dept, key) for key in DEPARTMENT_CONFLICT_FIELDS}
        self._dept_edits.items.append(Edit(dept_id, field, value, dept.version, seen))
        if not self._dept_edits.running:
            self._dept_edits.running = True  # now, not when the task starts: the next edit must not start another
            self.spawn(self._drain(self._dept_edits, plan.update_department, self._refresh_departments))

    async def _refresh_departments(self) -> dict[int, int]:
        departments = await self.ctx.read(plan.list_departments, self.ctx.db)
        self.departments_model.set_rows(departments, keep=self._dept_edits.queued_cells())
        return {d.id: d.version for d in departments}

    async def add_department(self) -> None:
        """添加 a department to the directory (optionally as a default of a theme)."""
        name = self.new_dept_name.text().strip()
        if not name:
            self.dept_message.setText(self.tr("请填写单位全称。"))
            return
        theme = str(self.new_dept_theme.currentData() or "")
        self.add_dept_button.setEnabled(False)
        try:
            await self.ctx.write(
                plan.create_department,
                self.ctx.db,
                name,
                self.new_dept_short.text().strip(),
                str(self.new_dept_kind.currentData()),
                self.new_dept_contact.text().strip(),
                self.new_dept_phone.text().strip(),
                (theme,) if theme else (),
                self.ctx.actor,
            )
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            self.add_dept_button.setEnabled(True)
        for edit in (self.new_dept_name, self.new_dept_short, self.new_dept_contact, self.new_dept_phone):
            edit.clear()
        self.new_dept_theme.setCurrentIndex(0)
        self.dept_message.setText(self.tr("已添加“{0}”。").format(name))

    # ---- (e) language ----

    def _build_language_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        box = QGroupBox(self.tr("界面语言"))
        inner = QVBoxLayout(box)
        self.language_group = QButtonGroup(self)
        self.zh_radio = QRadioButton("中文")
        self.zh_radio.setObjectName("languageZh")
        self.en_radio = QRadioButton("English")
        self.en_radio.setObjectName("languageEn")
        self.language_group.addButton(self.zh_radio, 0)
        self.language_group.addButton(self.en_radio, 1)
        saved = str(self.ctx.settings.value(LANG_KEY, "zh"))
        (self.en_radio if saved == "en" else self.zh_radio).setChecked(True)
        inner.addWidget(self.zh_radio)
        inner.addWidget(self.en_radio)
        self.language_message = QLabel()
        self.language_message.setObjectName("languageMessage")
        self.language_message.setProperty("role", "done")
        inner.addWidget(self.language_message)
        inner.addWidget(_hint(self.tr("更改语言后，下次启动接访台时生效。")))
        layout.addWidget(box)
        layout.addWidget(self._build_zone_box())
        line = QFrame()
        line.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(line, 1)
        self.language_group.idToggled.connect(self._language_chosen)
        return tab

    def _build_zone_box(self) -> QGroupBox:
        """办公时区: the zone every time is shown and printed in (CLI and app read the same setting)."""
        box = QGroupBox(self.tr("办公时区"))
        row = QHBoxLayout(box)
        self.zone_edit = QComboBox()
        self.zone_edit.setObjectName("officeZone")
        self.zone_edit.setEditable(True)
        self.zone_edit.addItems(list(ZONE_CHOICES))
        self.zone_edit.setCurrentText(office_time.zone().key)
        self.zone_edit.setMinimumWidth(220)
        save = QPushButton(self.tr("保存时区"))
        save.setObjectName("saveZoneButton")
        save.clicked.connect(self._save_zone)
        self.zone_message = QLabel()
        self.zone_message.setObjectName("zoneMessage")
        self.zone_message.setWordWrap(True)
        row.addWidget(self.zone_edit)
        row.addWidget(save)
        row.addWidget(self.zone_message, 1)
        return box

    def _save_zone(self) -> None:
        name = self.zone_edit.currentText().strip()
        try:
            chosen = office_time.save_zone(name)
        except ValueError:
            self.zone_message.setProperty("role", "")
            self.zone_message.setText(self.tr("未知的时区“{0}”，请填写如 Asia/Shanghai 的时区名称。").format(name))
            return
        except OSError as exc:
            self.zone_message.setProperty("role", "")
            self.zone_message.setText(self.tr("无法保存时区：{0}").format(exc))
            return
        self.zone_message.setProperty("role", "done")
        text = self.tr("已保存：显示和打印的时间按 {0}。").format(chosen.key)
        if os.environ.get(office_time.ZONE_ENV):
            text += self.tr("（环境变量 {0} 已设置，以它为准。）").format(office_time.ZONE_ENV)
        self.zone_message.setText(text)
        self.zone_message.style().polish(self.zone_message)

    def _language_chosen(self, button_id: int, checked: bool) -> None:
        if not checked:
            return
        lang = "en" if button_id == 1 else "zh"
        self.ctx.settings.setValue(LANG_KEY, lang)
        self.ctx.settings.sync()
        self.language_message.setText(self.tr("已保存，下次启动时生效。"))
