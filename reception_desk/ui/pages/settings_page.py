"""设置: the database to use, the reception day, the day's rooms, the department directory, the language.

Edits of rooms and departments are written one by one through the plan services with the version the row was
read at: a row somebody else changed meanwhile is refused (StaleWriteError) and the conflict dialog shows the row's
fields theirs and mine; 重新载入 takes theirs, 合并保存 writes theirs plus the fields chosen as mine on the fresh
version.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from reception_desk.services import days, plan
from reception_desk.services.changes import ChangeSet
from reception_desk.ui import roles_view
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog
from reception_desk.ui.models.plan_models import EditQueue
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.calendar_editor import CalendarEditor
from reception_desk.ui.widgets.settings_database_tab import DatabaseTabMixin
from reception_desk.ui.widgets.settings_days_tab import DaysTabMixin
from reception_desk.ui.widgets.settings_language_tab import LanguageTabMixin
from reception_desk.ui.widgets.settings_plan_tabs import PlanTabsMixin
from reception_desk.ui.widgets.settings_retention_tab import RetentionTabMixin
from reception_desk.ui.widgets.users_editor import UsersEditor

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


# ---------------------------------------------------------------------------------------- the page


class SettingsPage(DatabaseTabMixin, DaysTabMixin, PlanTabsMixin, RetentionTabMixin, LanguageTabMixin, Page):
    """设置: database, reception days, rooms, department directory, users, retention (数据保留), language.

    Each tab's widgets and handlers come from a mixin in ui/widgets/settings_*_tab(s).py; the page builds the tabs
    and loads what they list.
    """

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
        self.tabs.addTab(self._build_retention_tab(), self.tr("数据保留"))
        self.tabs.currentChanged.connect(self._retention_tab_shown)  # loads when first shown
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

    def _show_rooms_title(self) -> None:
        day = next((d for d in self._days if d.id == self.ctx.day_id), None)
        if day is None:
            self.rooms_title.setText(self.tr("尚未选择接访日"))
        else:
            self.rooms_title.setText(
                self.tr("{0}年{1}月{2}日 · {3} 的接待室").format(day.date.year, day.date.month, day.date.day, day.title)
            )
