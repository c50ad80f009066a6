"""Start the application: display check, fonts, translations, database, qasync loop, main window."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from reception_desk.ui.display import display_problem

log = logging.getLogger(__name__)
DB_KEY = "db/url"
ORG, APP = "reception-desk", "Reception Desk"


def run_gui(
    db_url: str | None,
    lang: str | None,
    actor: str,
    quit_when_ready: bool = False,
    day: dt.date | None = None,
    on_ready: Callable[[Any], None] | None = None,
) -> int:
    """Open the main window on the chosen database and day; returns the exit code.

    on_ready(window) runs once the day is loaded and painted (before --quit-when-ready quits).
    """
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from reception_desk.db.engine import ENV_VAR, Database
    from reception_desk.db.migrate import upgrade_to_head
    from reception_desk.errors import NotFoundError
    from reception_desk.services import days
    from reception_desk.ui.context import AppContext
    from reception_desk.ui.errors import setup_logging
    from reception_desk.ui.fonts import register_fonts
    from reception_desk.ui.i18n import chosen_language, install_translator
    from reception_desk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    setup_logging()
    register_fonts(app)
    settings = QSettings()
    translator = install_translator(app, chosen_language(lang, settings))
    url = db_url or os.environ.get(ENV_VAR) or (str(settings.value(DB_KEY)) if settings.value(DB_KEY) else None)
    db = Database(url)
    upgrade_to_head(db.engine)
    try:
        day_id: int | None = days.find_day(db, day).id
    except NotFoundError:
        day_id = None
    ctx = AppContext(db, day_id, actor, settings)
    window = MainWindow(ctx)
    window.show()

    async def main() -> int:
        closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finish() -> None:
            if not closed.done():
                closed.set_result(0)

        app.aboutToQuit.connect(finish)
        if on_ready is not None:
            window.ready.connect(lambda: on_ready(window))
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
        ctx.runner.shutdown()
        db.dispose()
        del translator
    return code
