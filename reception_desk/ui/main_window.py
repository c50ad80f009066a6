"""The main window: day header, navigation, the pages; `ready` fires once the day is loaded and painted."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.roles import Permission
from reception_desk.services.changes import ChangeSet

if TYPE_CHECKING:  # the frame is painted before SQLAlchemy is imported: these load with the day (attach)
    from reception_desk.ui.change_listener import PgChangeListener
    from reception_desk.ui.context import AppContext
    from reception_desk.ui.pages.base import Page
    from reception_desk.ui.watcher import ExternalChangeWatcher

STYLE = """
QMainWindow { background: #f4f6f9; }
#header { background: #b3261e; }
#header QLabel { color: white; }
#callScreenButton { color: white; border: 1px solid #f2b8b5; border-radius: 4px; padding: 3px 10px; }
#callScreenButton:hover { background: #8c1d18; }
#dayTitle { font-size: 17pt; font-weight: bold; }
#dayMeta { qproperty-alignment: 'AlignRight | AlignVCenter'; }
#loadingPage { qproperty-alignment: AlignCenter; color: #6b7280; font-size: 13pt; }
#nav { background: #ffffff; border: none; border-right: 1px solid #d9dde3; font-size: 12pt; outline: 0; }
#nav::item { padding: 10px 14px; }
#nav::item:selected { background: #fbe9e7; color: #b3261e; border-left: 4px solid #b3261e; }
#connectionBanner { background: #fff4ce; color: #7a4b00; border-bottom: 1px solid #e0c060; padding: 6px 18px;
    font-size: 12pt; font-weight: bold; }
"""


class MainWindow(QMainWindow):
    """The window of the day: header, navigation and the pages (given, or built from PAGES when first needed).

    Built without a context it is only the frame (header, navigation, a placeholder page), cheap enough to
    paint before the database is opened; attach(ctx) then brings the day in.
    """

    ready = Signal()  # the visible page is loaded and painted
    loaded = Signal()  # every page is loaded
    ctx: AppContext
    watcher: ExternalChangeWatcher | PgChangeListener

    def __init__(self, ctx: AppContext | None, pages: list[Page] | None = None) -> None:
        super().__init__()
        self._attached = False
        self.setWindowTitle(self.tr("接访台"))
        self.setStyleSheet(STYLE)
        self.resize(1360, 860)
        self._tasks: set[Any] = set()  # asyncio tasks (asyncio loads after the first paint, see start())
        self._started = False
        # pages are built when first needed: the visible one at once, the others after the window is ready
        self._specs = [None] * len(pages) if pages is not None else list(PAGES)
        self._built: list[Page | None] = list(pages) if pages is not None else [None] * len(PAGES)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        # PostgreSQL's change feed lost its connection: shown until it is back (ui/change_listener.py)
        self.connection_banner = QLabel(self.tr("连接中断，正在重新连接…"))
        self.connection_banner.setObjectName("connectionBanner")
        self.connection_banner.hide()
        outer.addWidget(self.connection_banner)
        body = QHBoxLayout()
        body.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        for index, (built, spec) in enumerate(zip(self._built, self._specs, strict=True)):
            title = built.title() if built is not None else QCoreApplication.translate(spec[1], spec[2]) if spec else ""
            item = QListWidgetItem(title)
            item.setToolTip(f"Ctrl+{index + 1}")
            self.nav.addItem(item)
            self.stack.addWidget(built if built is not None else self._placeholder())
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.show_page(i))
        self.nav.currentRowChanged.connect(self._switch)
        self.nav.setCurrentRow(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        QShortcut(QKeySequence("F5"), self).activated.connect(self._reload_all)
        # in the header, not a menu bar: a menu bar would take a line from every page on a 1366×768 laptop
        self.call_screen_action = QAction(self.tr("打开叫号屏…"), self)
        self.call_screen_action.triggered.connect(self.open_call_screen)
        self.call_screen_button.setDefaultAction(self.call_screen_action)
        if ctx is not None:
            self.attach(ctx)
        else:
            self.statusBar().showMessage(self.tr("正在打开数据库…"))

    def _placeholder(self) -> QWidget:
        label = QLabel(self.tr("正在载入…"))
        label.setObjectName("loadingPage")
        return label

    def attach(self, ctx: AppContext) -> None:
        """Bring the day in: the context, the visible page (built now), the change watcher."""
        from reception_desk.ui.watcher import ExternalChangeWatcher

        self.ctx = ctx
        self._attached = True
        self._switch(self.nav.currentRow())
        self.statusBar().showMessage(self.tr("数据库：{0}    操作人：{1}").format(self._db_label(), ctx.actor))
        for index, spec in enumerate(self._specs):  # pages only some roles see (操作日志: supervisor, admin)
            needed = PAGE_PERMISSIONS.get(spec[0]) if spec else None
            item = self.nav.item(index)
            if needed is not None and item is not None:
                item.setHidden(not ctx.user.may(needed))
        from reception_desk.ui.widgets.user_bar import UserBar

        self.user_bar = UserBar(self, ctx)  # 用户：name（role） and 修改密码; the 单机模式 banner
        from reception_desk.ui.widgets.retention_notice import RetentionNotice

        self.retention_notice = RetentionNotice(self, ctx)  # 数据保留: people due for pseudonymisation (admins)
        if ctx.db.dialect == "postgresql":  # other laptops' writes arrive by NOTIFY; SQLite keeps the cheap poll
            from reception_desk.ui.change_listener import PgChangeListener

            listener = PgChangeListener(ctx)
            listener.connection_lost.connect(self.connection_banner.show)
            listener.connection_restored.connect(self.connection_banner.hide)
            self.watcher = listener
        else:
            self.watcher = ExternalChangeWatcher(ctx)
        ctx.bus.changed.connect(self._on_changes)
        ctx.day_changed.connect(lambda _d: self._spawn(self._load_header()))

    def _build_header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("header")
        layout = QHBoxLayout(header)
        layout.setContentsMargins(18, 10, 18, 10)
        self.day_title = QLabel(self.tr("接访台"))
        self.day_title.setObjectName("dayTitle")
        self.day_meta = QLabel("")
        self.day_meta.setObjectName("dayMeta")  # aligned by STYLE: touching PySide6's Qt namespace costs ~25 ms
        layout.addWidget(self.day_title)
        layout.addStretch(1)
        layout.addWidget(self.day_meta)
        self.call_screen_button = QToolButton()
        self.call_screen_button.setObjectName("callScreenButton")
        layout.addSpacing(14)
        layout.addWidget(self.call_screen_button)
        return header

    def _db_label(self) -> str:
        return self.ctx.db.engine.url.render_as_string(hide_password=True)

    @property
    def pages(self) -> list[Page]:
        """Every page, in navigation order (building those not built yet)."""
        return [self._page_at(i) for i in range(len(self._built))]

    def _page_at(self, index: int) -> Page:
        from reception_desk.ui.pages.base import Page

        page = self._built[index]
        if page is None:
            spec = self._specs[index]
            assert spec is not None
            module, cls_name, _title = spec
            cls = getattr(importlib.import_module(f"reception_desk.ui.pages.{module}"), cls_name)
            page = cls(self.ctx)
            assert isinstance(page, Page)
            placeholder = self.stack.widget(index)
            assert placeholder is not None
            current = self.stack.currentIndex()
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.stack.setCurrentIndex(current)
            self._built[index] = page
            if self._started:
                page.schedule_reload()
        return page

    def _switch(self, index: int) -> None:
        if self._attached:  # before the day is attached a page stays its placeholder
            self._page_at(index)
        self.stack.setCurrentIndex(index)

    def show_page(self, index: int) -> None:
        """Switch to a page by its position (not to one hidden from the user's role)."""
        item = self.nav.item(index)
        if item is not None and not item.isHidden():
            self.nav.setCurrentRow(index)

    def open_call_screen(self) -> None:
        """Open the waiting hall's call screen (叫号屏) full screen, on the screen chosen when there are several."""
        ctx = getattr(self, "ctx", None)  # None while the database is still opening
        if ctx is not None:
            from reception_desk.ui.call_screen import open_call_screen  # not needed for the first paint

            open_call_screen(self, ctx)

    def page(self, cls: type[Page]) -> Page:
        """The page of the given class."""
        return next(p for p in self.pages if isinstance(p, cls))

    async def start(self) -> None:
        """Load the header and the visible page, signal `ready`, start watching, then load the other pages."""
        import asyncio  # here, not at the top: the frame is painted before asyncio (~50 ms) is imported

        await self.watcher.prime()
        await self._load_header()
        current = self._page_at(self.nav.currentRow())
        self._started = True
        await current.reload()
        self.watcher.start()
        self.repaint()  # paints now: `ready` means the day is on screen
        self.ready.emit()
        # the other pages are built and filled in behind the visible one, so it shows without waiting for them
        await asyncio.sleep(0.05)
        await asyncio.gather(*(p.reload() for p in self.pages if p is not current))
        self.loaded.emit()
        await self.retention_notice.check()  # a reminder, after everything else is on screen

    async def _load_header(self) -> None:
        from reception_desk.services import days

        if self.ctx.day_id is None:
            self.day_title.setText(self.tr("接访台 · 尚未创建接访日"))
            self.day_meta.setText(self.tr("请在“设置”中创建接访日，或导入预登记名单"))
            return
        info = next((d for d in await self.ctx.read(days.list_days, self.ctx.db) if d.id == self.ctx.day_id), None)
        if info is None:
            return
        self.day_title.setText(f"{info.title}")
        self.day_meta.setText(
            self.tr("{0}年{1}月{2}日  ·  {3}  ·  {4}").format(
                info.date.year, info.date.month, info.date.day, info.venue, info.leaders
            )
        )

    def spawn_start(self) -> None:
        """Start loading (for callers outside a coroutine)."""
        self._spawn(self.start())

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.full or changes.days:
            self._spawn(self._load_header())

    def _reload_all(self) -> None:
        for page in self.pages:
            page.schedule_reload()

    def _spawn(self, coro: Any) -> None:
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop polling; everything typed and confirmed is already in the database."""
        if self._attached:
            self.watcher.stop()
        super().closeEvent(event)


# (module in reception_desk.ui.pages, class, its Chinese title as the class translates it)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("registrations_page", "RegistrationsPage", "预登记"),
    ("checkin_page", "CheckInPage", "签到"),
    ("room_board_page", "RoomBoardPage", "接待室分配"),
    ("room_host_page", "RoomHostPage", "接待室"),
    ("tracking_page", "TrackingPage", "督办台"),
    ("settings_page", "SettingsPage", "设置"),
    ("print_centre_page", "PrintCentrePage", "打印中心"),
    ("statistics_page", "StatisticsPage", "统计"),
    ("audit_page", "AuditLogPage", "操作日志"),
)
# pages the navigation shows only to roles with this permission (the services check again)
PAGE_PERMISSIONS: dict[str, Permission] = {
    "audit_page": Permission.AUDIT,
    "checkin_page": Permission.CHECK_IN,
    "room_host_page": Permission.ROOM_WORK,
    "tracking_page": Permission.TRACKING,
}
