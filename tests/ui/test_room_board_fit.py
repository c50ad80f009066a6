"""The room board on a laptop: at 1366×768 and 1280×720 (main window at that size) every room card lies whole
inside the board's viewport, no queue line is cut at the bottom or clipped at the right, and the tag legend is
shown; in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication, QLabel

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.services.demo import create_demo_day
from reception_desk.ui.context import AppContext
from reception_desk.ui.i18n import install_translator
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.pages.room_board_page import RoomBoardPage
from reception_desk.ui.widgets.room_card import RoomCard

TIMEOUT = 20000


@pytest.fixture
def demo_ctx(qloop: Any, tmp_path: Path) -> Iterator[AppContext]:
    """The demo day (15 rooms, ~167 batches played to 14:30) in a fresh SQLite file."""
    database = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    upgrade_to_head(database.engine)
    info = create_demo_day(database, seed=2006)
    ctx = AppContext(database, info.id, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    try:
        yield ctx
    finally:
        ctx.runner.shutdown()
        database.dispose()


def _board_in_window(qtbot: Any, ctx: AppContext, width: int, height: int) -> tuple[MainWindow, RoomBoardPage]:
    # the main window's own frame (header, navigation, status bar) around the board alone: the other pages'
    # minimum widths are theirs to test
    page = RoomBoardPage(ctx)
    window = MainWindow(ctx, pages=[page])
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.spawn_start()
    with qtbot.waitSignal(page.reloaded, timeout=TIMEOUT):
        page.schedule_reload()
    qtbot.waitUntil(lambda: len(page.cards) == 15 and page.isVisible(), timeout=TIMEOUT)
    QApplication.processEvents()
    return window, page


def _label_fits(label: QLabel) -> bool:
    text = label.text()
    if not text or label.isHidden() or label.textFormat() == label.textFormat().RichText:
        return True
    return label.fontMetrics().horizontalAdvance(text) <= label.contentsRect().width()


def _assert_whole(page: RoomBoardPage, width: int, height: int) -> None:
    window = page.window()
    assert (window.width(), window.height()) == (width, height)  # nothing forced the window wider or taller
    viewport = page.board_scroll.viewport()
    view = QRect(0, 0, viewport.width(), viewport.height())
    assert not page.board_scroll.verticalScrollBar().isVisible()
    for card in page.cards.values():
        top_left = card.mapTo(viewport, card.rect().topLeft())
        rect = QRect(top_left, card.size())
        assert view.contains(rect), f"{card.room.number}: {rect} outside {view}"
        _assert_card_lines(card)
    assert page.legend.isVisible()
    assert page.legend.geometry().bottom() <= page.height()
    assert page.legend.shown()[:5] == ["duplicate", "collective", "id_to_check", "theme_inferred", "repeat"]


def _assert_card_lines(card: RoomCard) -> None:
    number = card.room.number
    for label in card.findChildren(QLabel):
        assert _label_fits(label), f"room {number}: {label.objectName()} {label.text()!r} clipped"
    queue = card.queue_list
    inside = queue.viewport().rect()
    assert queue.count() == 0 or inside.height() >= queue.visualItemRect(queue.item(0)).height()
    shown = 0
    for row in range(queue.count()):
        item = queue.item(row)
        rect = queue.visualItemRect(item)
        if not rect.intersects(inside):
            continue
        shown += 1
        # whole lines only: a line partly visible at the bottom would be cut in half
        assert inside.contains(rect), f"room {number}: line {row} {item.text()!r} cut ({rect} in {inside})"
        text_width = queue.fontMetrics().horizontalAdvance(item.text())
        assert text_width + 4 <= rect.width(), f"room {number}: {item.text()!r} clipped ({text_width} > {rect})"
    assert shown >= min(queue.count(), 2), f"room {number} shows only {shown} queue lines"


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_all_fifteen_rooms_whole_on_a_laptop(qtbot: Any, demo_ctx: AppContext, size: tuple[int, int]) -> None:
    _window, page = _board_in_window(qtbot, demo_ctx, *size)
    _assert_whole(page, *size)
    # a queue that is longer than its card scrolls by whole lines and says how long it is
    longest = max(page.cards.values(), key=lambda c: c.queue_list.count())
    assert longest.queue_list.count() > 3
    assert str(len(longest.room.queue)) in longest.queue_title.text()


def test_all_fifteen_rooms_whole_in_english(qtbot: Any, qapp: Any, demo_ctx: AppContext) -> None:
    translators = install_translator(qapp, "en")
    try:
        _window, page = _board_in_window(qtbot, demo_ctx, 1366, 768)
        assert page.card_for_number(8).name_label.text() == "Room 8"
        assert page.legend.labels["collective"].text().startswith("[Grp]")
        _assert_whole(page, 1366, 768)
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
