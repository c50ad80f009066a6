"""Two windows on one SQLite file see each other's writes; what was done in a window is there after reopening."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from reception_desk.db.engine import Database
from reception_desk.services import registrations
from reception_desk.ui.context import AppContext
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.pages.checkin_page import CheckInPage
from reception_desk.ui.pages.registrations_page import RegistrationsPage
from reception_desk.ui.watcher import ExternalChangeWatcher
from tests.helpers import register

WAIT = 10_000


@pytest.fixture
def second_ctx(app_ctx: AppContext, tmp_path: Path) -> Iterator[AppContext]:
    """Another laptop: its own connection pool and worker thread on the same SQLite file."""
    other_db = Database(app_ctx.db.url)
    ctx = AppContext(
        other_db, app_ctx.day_id, "另一台电脑", QSettings(str(tmp_path / "b.ini"), QSettings.Format.IniFormat)
    )
    try:
        yield ctx
    finally:
        ctx.runner.shutdown()
        other_db.dispose()


def _idle(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: all(not p._tasks and not p._loading for p in window.pages), timeout=WAIT)


def test_a_write_in_one_window_shows_in_the_other(qtbot: Any, app_ctx: AppContext, second_ctx: AppContext) -> None:
    assert app_ctx.day_id is not None
    window = MainWindow(second_ctx)
    qtbot.addWidget(window)
    window.watcher = ExternalChangeWatcher(second_ctx, interval_ms=300)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=WAIT):
        window.spawn_start()
    page = window.page(RegistrationsPage)
    assert isinstance(page, RegistrationsPage)
    qtbot.waitUntil(lambda: page.count_label.text() == "共 0 批 0 人", timeout=WAIT)
    register(app_ctx.db, app_ctx.day_id, 2, "labour", headcount=3)  # the other laptop registers two batches
    qtbot.waitUntil(lambda: page.count_label.text() == "共 2 批 6 人", timeout=WAIT)
    window.watcher.stop()
    _idle(qtbot, window)


def test_check_in_survives_closing_the_window(qtbot: Any, app_ctx: AppContext, second_ctx: AppContext) -> None:
    assert app_ctx.day_id is not None
    (batch_id,) = register(app_ctx.db, app_ctx.day_id, 1, "civil")
    first = MainWindow(app_ctx)
    qtbot.addWidget(first)
    first.show()
    with qtbot.waitSignal(first.ready, timeout=WAIT):
        first.spawn_start()
    first.show_page(1)
    desk = first.page(CheckInPage)
    assert isinstance(desk, CheckInPage)
    qtbot.keyClicks(desk.search_box, "Y0001")
    qtbot.keyClick(desk.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.queue_label.text() == "排队号 1", timeout=WAIT)
    _idle(qtbot, first)
    first.close()

    reopened = MainWindow(second_ctx)  # a fresh window with its own connections
    qtbot.addWidget(reopened)
    reopened.show()
    with qtbot.waitSignal(reopened.ready, timeout=WAIT):
        reopened.spawn_start()
    rows = registrations.list_registrations(second_ctx.db, app_ctx.day_id)
    assert [(r.batch_id, r.status, r.room_number) for r in rows] == [(batch_id, "waiting", 13)]
    page = reopened.page(RegistrationsPage)
    assert isinstance(page, RegistrationsPage)
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1 批 1 人", timeout=WAIT)
    _idle(qtbot, reopened)
