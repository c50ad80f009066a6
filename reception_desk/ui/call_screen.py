"""The waiting hall's call screen (叫号屏): every room's number now received and the next two, for a TV.

A window of its own, full screen on the chosen screen. It reloads on the change bus when it runs inside the app
(a host's F3 on this laptop shows at once) and polls the newest audit id twice a second, so a host's F3 on any
other laptop shows within a second. Numbers only: the hall is public, so no name or ID is ever read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import os
import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QKeyEvent, QResizeEvent, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain import office_time
from reception_desk.domain.themes import THEMES
from reception_desk.resources import resources_dir
from reception_desk.services.activity import last_change_id
from reception_desk.services.call_screen import CallBoard, RoomCall, call_board
from reception_desk.services.changes import ChangeSet
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.room_names import room_name

log = logging.getLogger(__name__)

POLL_MS = 500  # the newest-audit-id check: a host's F3 on another laptop shows within a second
FLASH_MS = 6000  # how long a newly called number stays highlighted
COLUMNS = 5  # 15 rooms: 5 × 3 tiles fill a 16:9 screen
CHIME_FILE = "chime.wav"
_THEME_EN = {t.code: t.name_en for t in THEMES}

STYLE = """
#callRoot { background: #0b0f17; }
#callHeader { background: #111a2a; border-bottom: 4px solid #b3261e; }
#callTitle { color: #ffffff; }
#callDate { color: #c7d3e3; }
#callClock { color: #ffd54a; }
#callFooter, #callStatus { color: #9fb3c8; }
#callStatus[problem="true"] { color: #ff8a80; }
QFrame#callTile { background: #151e2e; border: 2px solid #2c3a55; border-radius: 14px; }
QFrame#callTile[flash="true"] { background: #ffd54a; border: 2px solid #fff4c2; }
#roomName { color: #ffffff; }
#roomTheme, #servingCaption, #upcomingCaption { color: #a9bcd3; }
#serving { color: #ffd54a; }
#serving[idle="true"] { color: #5b6a82; }
#upcoming { color: #f2f6fb; }
QFrame#callTile[flash="true"] QLabel { color: #141414; }
"""


def _english() -> bool:
    # the screen follows the installed translation, not the machine's locale
    return QCoreApplication.translate("RoomTile", "正在接待") != "正在接待"


def _fitting(font_px: int, text: str, width: int) -> int:
    # the largest pixel size not above font_px at which text fits in width (advance grows with the size)
    advance = QFontMetrics(_bold(font_px)).horizontalAdvance(text)
    return font_px if advance <= width else max(10, int(font_px * width / advance) - 1)


def _bold(pixels: int, bold: bool = True) -> QFont:
    font = QFont()
    font.setPixelSize(max(8, pixels))
    font.setBold(bold)
    return font


def _repolish(widget: QWidget) -> None:
    # a dynamic property changed: the style sheet's [flash="true"] selectors apply only after a repolish
    for w in (widget, *widget.findChildren(QWidget)):
        w.style().unpolish(w)
        w.style().polish(w)
        w.update()


class Chime(QObject):
    """A short two-tone chime: QtMultimedia's QSoundEffect with the shipped WAV, else QApplication.beep()."""

    rang = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effect: Any = None
        self._tried = False
        self.times = 0

    def _load(self) -> Any:
        # imported only when first needed: QtMultimedia fails to import on a machine without libpulse
        self._tried = True
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except Exception as exc:  # ImportError, or a missing system library behind it
            log.info("QtMultimedia unavailable, the call screen beeps instead: %s", exc)
            return None
        path = resources_dir() / "sounds" / CHIME_FILE
        if not path.is_file():
            return None
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setVolume(0.9)
        return effect

    @property
    def uses_sound_file(self) -> bool:
        """True when the WAV plays through QtMultimedia (False: the system beep)."""
        if not self._tried:
            self._effect = self._load()
        return self._effect is not None

    def play(self) -> None:
        """Ring once."""
        self.times += 1
        if self.uses_sound_file and self._effect.status() != self._effect.Status.Error:
            self._effect.play()
        else:
            QApplication.beep()
        self.rang.emit()


class RoomTile(QFrame):
    """One room: its name and theme, the number now received (large) and the next two."""

    def __init__(self, call: RoomCall, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callTile")
        self.setProperty("flash", False)
        self.room_number = call.number
        self.serving_batch_id: int | None = None
        self.name_label = QLabel(room_name(call.number, call.name))
        self.name_label.setObjectName("roomName")
        self.theme_label = QLabel()
        self.theme_label.setObjectName("roomTheme")
        self.serving_caption = QLabel(self.tr("正在接待"))
        self.serving_caption.setObjectName("servingCaption")
        self.serving_label = QLabel("—")
        self.serving_label.setObjectName("serving")
        self.serving_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.upcoming_caption = QLabel(self.tr("请准备"))
        self.upcoming_caption.setObjectName("upcomingCaption")
        self.upcoming_label = QLabel("—")
        self.upcoming_label.setObjectName("upcoming")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(0)
        # the fonts follow the tile's size (_fit), so the labels' sizes must not hold the tile (and the window) open
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(self.name_label)
        layout.addWidget(self.theme_label)
        layout.addStretch(1)
        layout.addWidget(self.serving_caption)
        layout.addWidget(self.serving_label)
        layout.addStretch(1)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.upcoming_caption)
        bottom.addWidget(self.upcoming_label, 1)
        layout.addLayout(bottom)
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(lambda: self._set_flash(False))
        self.show_room(call)

    def minimumSizeHint(self) -> QSize:
        """Small: the grid shares the screen out and the fonts then fit the tile, not the other way round."""
        return QSize(80, 60)

    def number_text(self, number: int | None) -> str:
        """A queue number as the hall reads it (3号); — for a batch without one."""
        return self.tr("{0}号").format(number) if number is not None else "—"

    def show_room(self, call: RoomCall) -> None:
        """Show the room's current numbers."""
        self.name_label.setText(room_name(call.number, call.name))
        theme = call.theme_name
        if _english():
            theme = _THEME_EN.get(call.theme_code, theme)
        self.theme_label.setText(theme)
        self.serving_batch_id = call.serving_batch_id
        self.serving_label.setText(self.number_text(call.serving) if call.serving_batch_id is not None else "—")
        idle = call.serving_batch_id is None
        if self.serving_label.property("idle") != idle:
            self.serving_label.setProperty("idle", idle)
            _repolish(self.serving_label)
        numbers = [self.number_text(n) for n in call.upcoming]
        self.upcoming_label.setText("  ".join(numbers) if numbers else "—")
        self._fit()

    @property
    def flashing(self) -> bool:
        """True while the tile is highlighted for a new call."""
        return bool(self.property("flash"))

    def flash(self) -> None:
        """Highlight the tile for FLASH_MS (a new number was called)."""
        self._set_flash(True)
        self._flash_timer.start()

    def _set_flash(self, on: bool) -> None:
        self.setProperty("flash", on)
        _repolish(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Scale the fonts to the tile, so the screen reads the same on any TV size."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        h, w = self.height(), self.width() - 36
        if h <= 0 or w <= 0:
            return
        self.serving_caption.setFont(_bold(int(h * 0.075), bold=False))
        self.upcoming_caption.setFont(_bold(int(h * 0.09), bold=False))
        # the big number as large as the tile allows; a long one (or long English) gets narrower, never cut
        self.serving_label.setFont(_bold(_fitting(int(h * 0.32), self.serving_label.text(), w)))
        room = w - QFontMetrics(self.upcoming_caption.font()).horizontalAdvance(self.upcoming_caption.text()) - 12
        self.upcoming_label.setFont(_bold(_fitting(int(h * 0.14), self.upcoming_label.text(), room)))
        self.name_label.setFont(_bold(_fitting(int(h * 0.125), self.name_label.text(), w)))
        self.theme_label.setFont(_bold(_fitting(int(h * 0.085), self.theme_label.text(), w), bold=False))


class CallScreen(Page):
    """The call screen window: header with the day and the clock, a tile per room, a footer line."""

    called = Signal(list)  # the room numbers whose number in session changed to a new batch

    def __init__(
        self, ctx: AppContext, day_id: int | None = None, chime: Chime | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        # a window of its own even with a parent (the main window owns it and it closes with the app)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("callScreen")
        self.setWindowTitle(self.tr("叫号屏"))
        self.RELOAD_DELAY_MS = 20
        self._debounce.setInterval(self.RELOAD_DELAY_MS)
        self._own_day = day_id
        self.chime = chime or Chime(self)
        self.tiles: dict[int, RoomTile] = {}
        self.board: CallBoard | None = None
        self._last_change: int | None = None
        self._polling = False

        root = QFrame(self)
        root.setObjectName("callRoot")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(root)
        self.setStyleSheet(STYLE)
        column = QVBoxLayout(root)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        header = QFrame()
        header.setObjectName("callHeader")
        row = QHBoxLayout(header)
        row.setContentsMargins(28, 10, 28, 10)
        self.title_label = QLabel(self.tr("叫号屏"))
        self.title_label.setObjectName("callTitle")
        self.date_label = QLabel("")
        self.date_label.setObjectName("callDate")
        self.clock_label = QLabel("")
        self.clock_label.setObjectName("callClock")
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.title_label)
        row.addSpacing(24)
        row.addWidget(self.date_label)
        row.addStretch(1)
        row.addWidget(self.clock_label)
        column.addWidget(header)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(20, 16, 20, 12)
        self.grid.setSpacing(14)
        column.addWidget(self.grid_host, 1)
        footer = QHBoxLayout()
        footer.setContentsMargins(28, 0, 28, 10)
        self.footer_label = QLabel(self.tr("请留意叫号，听到排队号后到对应接待室接谈"))
        self.footer_label.setObjectName("callFooter")
        self.status_label = QLabel("")
        self.status_label.setObjectName("callStatus")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer.addWidget(self.footer_label, 1)
        footer.addWidget(self.status_label)
        column.addLayout(footer)

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick_clock)
        self._clock.start()
        self._tick_clock()
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._start_poll)
        self._poll.start()
        self.resize(1280, 720)
        self._fit_header()
        self.schedule_reload()

    def title(self) -> str:
        """The window's name."""
        return self.tr("叫号屏")

    @property
    def day_id(self) -> int | None:
        """The day shown: the one asked for, else the app's current day."""
        return self._own_day if self._own_day is not None else self.ctx.day_id

    def affected_by(self, changes: ChangeSet) -> bool:
        """Only batches, rooms and days change what the hall sees."""
        return bool(changes.batches or changes.rooms or changes.days)

    async def load(self) -> None:
        """Read the board on the database thread and show it; a failure shows in the footer, never a dialog."""
        day_id = self.day_id
        if day_id is None:
            self.title_label.setText(self.tr("尚未创建接访日"))
            return
        try:
            if self._last_change is None:
                self._last_change = await self.ctx.read(last_change_id, self.ctx.db)
            board = await self.ctx.read(call_board, self.ctx.db, day_id)
        except Exception:  # a hall screen must keep going: it retries on the next poll
            log.exception("call screen: reading the board failed")
            self._set_status(self.tr("数据库连接中断，正在重试…"), problem=True)
            self._last_change = None
            return
        self._set_status("", problem=False)
        self.show_board(board)

    def show_board(self, board: CallBoard) -> None:
        """Put the board on screen; a room whose batch in session is new flashes, and the chime rings once."""
        first = self.board is None or self.board.day_id != board.day_id
        if first or [r.number for r in board.rooms] != sorted(self.tiles):
            self._build_tiles(board)
        self.board = board
        self.title_label.setText(board.title)
        self.date_label.setText(self.tr("{0}年{1}月{2}日").format(board.date.year, board.date.month, board.date.day))
        newly_called = []
        for call in board.rooms:
            tile = self.tiles[call.number]
            before = tile.serving_batch_id
            tile.show_room(call)
            if not first and call.serving_batch_id is not None and call.serving_batch_id != before:
                tile.flash()
                newly_called.append(call.number)
        if newly_called:
            self.chime.play()
            self.called.emit(newly_called)
        self._fit_header()

    def _build_tiles(self, board: CallBoard) -> None:
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = {}
        columns = min(COLUMNS, max(1, len(board.rooms)))
        rows = max(1, math.ceil(len(board.rooms) / columns))
        for index, call in enumerate(board.rooms):
            tile = RoomTile(call, self.grid_host)
            tile.serving_batch_id = call.serving_batch_id
            self.tiles[call.number] = tile
            self.grid.addWidget(tile, index // columns, index % columns)
        for c in range(columns):
            self.grid.setColumnStretch(c, 1)
        for r in range(rows):
            self.grid.setRowStretch(r, 1)

    def _set_status(self, text: str, problem: bool) -> None:
        self.status_label.setText(text)
        if self.status_label.property("problem") != problem:
            self.status_label.setProperty("problem", problem)
            _repolish(self.status_label)

    def _tick_clock(self) -> None:
        self.clock_label.setText(office_time.now_local().strftime("%H:%M:%S"))

    def _start_poll(self) -> None:
        if self._polling or self.day_id is None:
            return
        self._polling = True
        self.spawn(self._check_for_changes())

    async def _check_for_changes(self) -> None:
        try:
            newest = await self.ctx.read(last_change_id, self.ctx.db)
        except Exception:  # a dropped connection: say so, and try again on the next tick
            log.exception("call screen: change poll failed")
            self._set_status(self.tr("数据库连接中断，正在重试…"), problem=True)
            return
        finally:
            self._polling = False
        if newest != self._last_change:
            self._last_change = newest
            self.schedule_reload()
        elif self.status_label.property("problem"):
            self.schedule_reload()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Scale the header and footer with the window."""
        super().resizeEvent(event)
        self._fit_header()

    def _fit_header(self) -> None:
        h = max(self.height(), 300)
        self.title_label.setFont(_bold(int(h * 0.046)))
        self.date_label.setFont(_bold(int(h * 0.032), bold=False))
        self.clock_label.setFont(_bold(int(h * 0.054)))
        self.footer_label.setFont(_bold(int(h * 0.024), bold=False))
        self.status_label.setFont(_bold(int(h * 0.024), bold=False))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc leaves full screen, and closes the window when not full screen; F11 toggles full screen."""
        if event.key() == Qt.Key.Key_Escape:
            if self.isFullScreen():
                self.showNormal()
            else:
                self.close()
            return
        if event.key() == Qt.Key.Key_F11:
            self.showNormal() if self.isFullScreen() else self.showFullScreen()
            return
        super().keyPressEvent(event)

    def stop(self) -> None:
        """Stop the clock and the polling (before the window goes away)."""
        self._clock.stop()
        self._poll.stop()

    def closeEvent(self, event: Any) -> None:
        """Stop polling when closed."""
        self.stop()
        super().closeEvent(event)


def screen_names() -> list[str]:
    """A line per screen, in QGuiApplication.screens() order: 屏幕 1：name 1920×1080."""
    lines = []
    for index, screen in enumerate(QGuiApplication.screens(), start=1):
        size = screen.geometry().size()
        lines.append(
            QCoreApplication.translate("CallScreen", "屏幕 {0}：{1}（{2}×{3}）").format(
                index, screen.name(), size.width(), size.height()
            )
        )
    return lines


def default_screen(avoid: QScreen | None = None) -> int:
    """The index of the screen for the call screen: the last one that is not `avoid` (usually the TV)."""
    screens = QGuiApplication.screens()
    for index in range(len(screens) - 1, -1, -1):
        if screens[index] is not avoid:
            return index
    return 0


def choose_screen(parent: QWidget) -> int | None:
    """Ask which screen when there are several (None when cancelled); 0 without asking when there is one."""
    screens = QGuiApplication.screens()
    if len(screens) <= 1:
        return 0
    names = screen_names()
    current = parent.screen() if parent is not None else None
    choice, ok = QInputDialog.getItem(
        parent,
        QCoreApplication.translate("CallScreen", "打开叫号屏"),
        QCoreApplication.translate("CallScreen", "在哪个屏幕上全屏显示叫号屏？"),
        names,
        default_screen(current),
        False,
    )
    return names.index(choice) if ok and choice in names else None


def show_on_screen(window: QWidget, index: int | None, full_screen: bool = True) -> None:
    """Move the window to screen `index` (0-based; None: the default) and show it full screen there."""
    screens = QGuiApplication.screens()
    screen = screens[index] if index is not None and 0 <= index < len(screens) else screens[default_screen()]
    window.setScreen(screen)
    geometry = screen.geometry()
    window.move(geometry.topLeft())
    window.resize(geometry.size())
    if full_screen:
        window.showFullScreen()
    else:
        window.show()


def open_call_screen(parent: QWidget, ctx: AppContext) -> CallScreen | None:
    """The menu's 打开叫号屏…: ask for the screen when there are several, open it full screen there.

    The window shares the app's context, so a host's F3 on this laptop arrives on the bus at once; the main
    window owns it (it closes with the app). None when the user cancelled the choice.
    """
    index = choose_screen(parent)
    if index is None:
        return None
    return show_call_screen(ctx, index, parent=parent)


def show_call_screen(
    ctx: AppContext, screen_index: int | None, day_id: int | None = None, parent: QWidget | None = None
) -> CallScreen:
    """A call screen on the context (changes arrive on its bus at once), full screen on the screen (0-based)."""
    window = CallScreen(ctx, day_id, parent=parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    show_on_screen(window, screen_index)
    return window


def run_call_screen(
    db_url: str | None, lang: str | None, day: dt.date | None, screen: int | None, actor: str = "叫号屏"
) -> int:
    """`reception-desk callscreen`: the call screen alone (a hall PC), full screen; returns the exit code.

    screen is 1-based as the user counts (屏幕 1, 屏幕 2); None: the last screen.
    """
    import qasync
    from PySide6.QtCore import QSettings

    from reception_desk.db.engine import ENV_VAR, Database
    from reception_desk.db.migrate import upgrade_to_head
    from reception_desk.services import days
    from reception_desk.ui.app import APP, DB_KEY, ORG, set_app_icon
    from reception_desk.ui.display import display_problem
    from reception_desk.ui.errors import setup_logging
    from reception_desk.ui.fonts import register_fonts
    from reception_desk.ui.i18n import chosen_language, install_translator

    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    settings = QSettings()
    language = chosen_language(lang, settings)
    problem = display_problem(language)
    if problem:  # one line, exit 1, as the main window does
        print(problem, file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    set_app_icon(app)
    setup_logging()
    register_fonts(app)
    translators = install_translator(app, language)
    count = len(QGuiApplication.screens())
    if screen is not None and not 1 <= screen <= count:
        print(
            QCoreApplication.translate("CallScreen", "没有屏幕 {0}：本机共有 {1} 个屏幕。").format(screen, count),
            file=sys.stderr,
        )
        return 2
    url = db_url or os.environ.get(ENV_VAR)
    if not url and settings.value(DB_KEY):
        from reception_desk.ui.dialogs.database_password import saved_database_url

        url = saved_database_url(settings, DB_KEY, True)  # the password from the keyring, else asked for
        if url is None:
            return 0
    db = Database(url)
    try:
        upgrade_to_head(db.engine)
        day_id = days.find_day(db, day).id  # NotFoundError: the CLI says which day is missing
    except BaseException:
        db.dispose()
        raise
    ctx = AppContext(db, day_id, actor, settings)
    window = CallScreen(ctx, day_id)
    show_on_screen(window, None if screen is None else screen - 1)

    async def main() -> int:
        closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finish() -> None:
            if not closed.done():
                closed.set_result(0)

        app.aboutToQuit.connect(finish)
        return await closed

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            code: int = loop.run_until_complete(main())
    finally:
        window.stop()
        ctx.runner.shutdown()
        db.dispose()
        del translators
    return code
