"""Start the application: display check, fonts, translations, the window's frame painted, then the database,
the qasync loop and the day.

Paint first, load behind: everything before the first paint is Qt and our own light modules; SQLAlchemy,
Alembic and the pages' data load after it (the database opens on a worker thread while the frame is on screen).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reception_desk.db import ENV_VAR
from reception_desk.ui.display import display_problem

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtCore import QSettings

    from reception_desk.db.engine import Database

log = logging.getLogger(__name__)
DB_KEY = "db/url"
LAST_DAY_KEY = "ui/last_day_title"  # [which database and day, title, line under it]: shown before the day loads
ORG, APP = "reception-desk", "Reception Desk"
DESKTOP_ID = "reception-desk"  # packaging/linux/reception-desk.desktop
EXIT_NO_DISPLAY = 1


def set_app_icon(app: Any) -> None:
    """The window icon (resources/icons, a PNG so no SVG plugin is needed) and the desktop entry's name, which
    Wayland uses as the app id; on X11 the WM_CLASS is ("reception-desk", APP): the entry's StartupWMClass."""
    from PySide6.QtGui import QIcon

    from reception_desk.resources import resources_dir

    app.setDesktopFileName(DESKTOP_ID)
    icon = resources_dir() / "icons" / "reception-desk.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    else:
        log.warning("the app icon is missing: %s", icon)


def _open_day(url: str | None, day: dt.date | None, first_page: str) -> tuple[Database, int | None]:
    """Open and upgrade the database, find the day (on a worker thread: SQLAlchemy, Alembic and the first
    page's module load here, while the frame is on screen)."""
    import importlib

    from reception_desk.db.engine import Database
    from reception_desk.db.migrate import upgrade_to_head
    from reception_desk.errors import NotFoundError
    from reception_desk.services import days

    db = Database(url)
    try:
        upgrade_to_head(db.engine)
        importlib.import_module(first_page)  # only defines classes: the page itself is built on the UI thread
        try:
            return db, days.find_day(db, day).id
        except NotFoundError:
            return db, None
    except BaseException:
        db.dispose()
        raise


def run_gui(
    db_url: str | None,
    lang: str | None,
    actor: str,
    quit_when_ready: bool = False,
    day: dt.date | None = None,
    on_ready: Callable[[Any], None] | None = None,
    on_painted: Callable[[Any], None] | None = None,
    login_user: str | None = None,
) -> int:
    """Open the main window on the chosen database and day; returns the exit code (1 without a usable display).

    on_painted(window) runs once the frame (header, navigation, placeholder) is painted, before the database
    opens; on_ready(window) once the day is loaded and painted (before --quit-when-ready quits).
    On a database with users the login comes after the database is open and before the pages load (ui/login.py:
    $RECEPTION_DESK_USER or login_user with $RECEPTION_DESK_PASSWORD, else the login dialog); a refused login
    without a person (--quit-when-ready) exits 3, 退出 in the dialog exits 0.
    """
    from PySide6.QtCore import QCoreApplication, QSettings

    from reception_desk.ui.i18n import chosen_language

    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    settings = QSettings()
    language = chosen_language(lang, settings)
    problem = display_problem(language)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY
    from PySide6.QtWidgets import QApplication

    from reception_desk.ui.fonts import register_fonts
    from reception_desk.ui.i18n import install_translator
    from reception_desk.ui.main_window import PAGES, MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    set_app_icon(app)
    register_fonts(app)
    translators = install_translator(app, language)
    from reception_desk.secrets_store import split_password

    chosen = db_url or os.environ.get(ENV_VAR)
    saved = None if chosen else str(settings.value(DB_KEY) or "") or None
    which = f"{split_password(chosen or saved or '')[0]}|{day or ''}"  # the settings never hold a password
    window = MainWindow(None)
    _show_last_title(window, settings, which)
    window.show()
    window.repaint()  # the frame is on screen before anything heavy loads
    if on_painted is not None:
        on_painted(window)
    url = chosen
    if saved is not None:
        from reception_desk.ui.dialogs.database_password import saved_database_url

        # the password from the system keyring, else asked (kept in memory only); None: 退出 in that dialog
        url = saved_database_url(settings, DB_KEY, not quit_when_ready, window)
        if url is None:
            return 0

    import asyncio

    import qasync

    from reception_desk.ui.errors import setup_logging

    setup_logging()
    opened: list[Any] = []  # the database and context, once open, for the clean-up

    async def main() -> int:
        loop = asyncio.get_running_loop()
        closed: asyncio.Future[int] = loop.create_future()

        def finish() -> None:
            if not closed.done():
                closed.set_result(0)

        app.aboutToQuit.connect(finish)
        first_page = f"reception_desk.ui.pages.{PAGES[window.nav.currentRow()][0]}"
        opening = loop.run_in_executor(None, _open_day, url, day, first_page)
        either: set[asyncio.Future[Any]] = {opening, closed}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if not opening.done():  # the window was closed while the database opened
            opening.add_done_callback(_dispose_opened)
            return closed.result()
        db, day_id = opening.result()  # a database that cannot be opened ends the start here, with its error
        from reception_desk.ui.context import AppContext  # SQLAlchemy is loaded by now
        from reception_desk.ui.login import log_in

        user = await log_in(db, settings, actor, login_user, quit_when_ready, window)
        if isinstance(user, int):  # not logged in: quit (0) or refused without a person (3)
            db.dispose()
            return user
        ctx = AppContext(db, day_id, user.name, settings)
        ctx.user = user
        opened.extend((db, ctx))
        window.attach(ctx)
        if on_ready is not None:
            window.ready.connect(lambda: on_ready(window))
        window.ready.connect(lambda: _remember_title(window, settings, which))
        if quit_when_ready:
            window.ready.connect(app.quit)
        loading = asyncio.ensure_future(window.start())  # the window lives on while the other pages load
        code = await closed
        loading.cancel()
        return code

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            code: int = loop.run_until_complete(main())
    finally:
        if opened:
            db, ctx = opened
            ctx.runner.shutdown()
            db.dispose()
        del translators
    return code


def _dispose_opened(opening: asyncio.Future[tuple[Database, int | None]]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result()[0].dispose()


def _show_last_title(window: Any, settings: QSettings, which: str) -> None:
    """The title this database and day had last time, so the first paint already reads like the day."""
    saved = settings.value(LAST_DAY_KEY)
    if isinstance(saved, list) and len(saved) == 3 and saved[0] == which:
        window.day_title.setText(str(saved[1]))
        window.day_meta.setText(str(saved[2]))


def _remember_title(window: Any, settings: QSettings, which: str) -> None:
    settings.setValue(LAST_DAY_KEY, [which, window.day_title.text(), window.day_meta.text()])
