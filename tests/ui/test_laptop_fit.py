"""接待室 and 督办台 on a laptop (issue #8, item 8): in the main window at 1280×720 and 1366×768, in Chinese and in
English, the room host's page does not force the window wider, its save button, outcome choices and print buttons
lie inside the window, the case picker shows its whole line; the tracking table's headers, statuses and badges
and the load panel's titles are whole, and every column is on screen at 1366×768."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QHeaderView, QLabel, QWidget

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.services.demo import create_demo_day
from reception_desk.ui.context import AppContext
from reception_desk.ui.i18n import install_translator, remove_translators
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.models.tracking_model import BADGE_ROLE, Column, TrackingDelegate
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.room_host_page import ROOM_KEY, RoomHostPage
from reception_desk.ui.pages.tracking_page import TrackingPage
from reception_desk.ui.widgets.laptop_fit import BarLayout

TIMEOUT = 20000
NAVIGATION = 170  # the main window's navigation list
HEADER_PAD_X = 6 + 6 + 1  # the tracking page's header sections: padding and right border
HEADER_PAD_Y = 4 + 4 + 1
CELL_MARGIN = 6  # a cell's text margins (3 + 3)
SESSION_ROOM = 4  # the demo day (seed 2006) has a batch in session in room 4, and cases to print


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo day (15 rooms, cases, a batch in session in room 4), made once for the module."""
    path = tmp_path_factory.mktemp("fit") / "demo.sqlite3"
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database.engine)
    create_demo_day(database, seed=2006)
    database.dispose()
    return path


@pytest.fixture
def demo_ctx(qloop: Any, tmp_path: Path, demo_file: Path) -> Iterator[AppContext]:
    """A copy of the demo day for this test, the room host's laptop set to room 4."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_file, path)
    database = Database(f"sqlite:///{path}")
    day_id = database_day(database)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(ROOM_KEY, SESSION_ROOM)
    ctx = AppContext(database, day_id, "测试员", settings)
    try:
        yield ctx
    finally:
        ctx.runner.shutdown()
        database.dispose()


def database_day(database: Database) -> int:
    """The demo day's id."""
    from reception_desk.services import days

    return days.list_days(database)[0].id


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest, qapp: Any) -> Iterator[str]:
    """The UI language of the test (pages are built after it is installed)."""
    translators = install_translator(qapp, request.param)
    try:
        yield request.param
    finally:
        remove_translators(qapp, translators)


def _in_window(qtbot: Any, page: Page, width: int, height: int) -> MainWindow:
    # the main window's own frame around this page alone: the other pages' widths are theirs to test
    window = MainWindow(page.ctx, pages=[page])
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.spawn_start()
    with qtbot.waitSignal(page.reloaded, timeout=TIMEOUT):
        page.schedule_reload()
    QApplication.processEvents()
    return window


def _on_screen(widget: QWidget, window: QWidget) -> bool:
    """The widget is shown and lies whole inside the window (and inside any scroll area's viewport)."""
    if not widget.isVisible():
        return False
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return window.rect().contains(rect) and widget.visibleRegion().boundingRect() == widget.rect()


# ---- 接待室 ----


def _host_page(qtbot: Any, ctx: AppContext, width: int, height: int) -> tuple[MainWindow, RoomHostPage]:
    page = RoomHostPage(ctx)
    window = _in_window(qtbot, page, width, height)
    qtbot.waitUntil(lambda: page.form.batch_id is not None and page.print_bar.isVisible(), timeout=TIMEOUT)
    QApplication.processEvents()
    return window, page


def _combo_whole(page: RoomHostPage) -> None:
    combo = page.print_case_combo
    assert combo.count() > 0
    metrics = combo.fontMetrics()
    arrow = 30  # the frame and the drop-down arrow
    for index in range(combo.count()):
        text = combo.itemText(index)
        assert metrics.horizontalAdvance(text) + arrow <= combo.width(), f"{text!r} cut in {combo.width()} px"


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_the_room_host_page_fits_a_laptop(qtbot: Any, demo_ctx: AppContext, lang: str, size: tuple[int, int]) -> None:
    width, height = size
    window, page = _host_page(qtbot, demo_ctx, width, height)
    assert (window.width(), window.height()) == size  # nothing forced the window wider or taller
    assert page.minimumSizeHint().width() <= width - NAVIGATION
    form = page.form
    for widget in (form.save_button, *form.outcome_buttons.values(), *form.colour_buttons.values(), page.call_button):
        assert _on_screen(widget, window), f"{widget.objectName()} not whole on screen"
    for widget in (page.print_case_combo, page.print_slip_button, page.print_receipt_button, page.print_thermal_button):
        assert _on_screen(widget, window), f"{widget.objectName()} not whole on screen"
    # nothing needs the scroll bar on an ordinary batch: the whole form is in view
    assert not page.session_scroll.verticalScrollBar().isVisible()
    # the radio buttons' labels are whole
    for button in (*form.outcome_buttons.values(), *form.colour_buttons.values()):
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()
    _combo_whole(page)


def test_the_print_case_picker_is_whole_in_english_at_1366(qtbot: Any, qapp: Any, demo_ctx: AppContext) -> None:
    translators = install_translator(qapp, "en")
    try:
        window, page = _host_page(qtbot, demo_ctx, 1366, 768)
        assert page.print_case_combo.currentText().endswith(("Explained", "Handed over", "Resolved on the spot"))
        _combo_whole(page)
        # the buttons went on their own line, right-aligned under the picker, rather than cutting it
        layout = page.print_bar.layout()
        assert isinstance(layout, BarLayout) and not layout.fits_one_line(page.print_bar.width())
        assert page.print_slip_button.y() > page.print_case_combo.y()
        thermal = page.print_thermal_button
        assert thermal.geometry().right() == page.print_case_combo.geometry().right()
        assert _on_screen(thermal, window)
    finally:
        remove_translators(qapp, translators)


def test_the_print_bar_is_one_line_when_there_is_room(qtbot: Any, demo_ctx: AppContext) -> None:
    window, page = _host_page(qtbot, demo_ctx, 1600, 900)
    layout = page.print_bar.layout()
    assert isinstance(layout, BarLayout) and layout.fits_one_line(page.print_bar.width())
    assert (
        page.print_slip_button.y() == page.print_case_combo.y()
        or abs(page.print_slip_button.geometry().center().y() - page.print_case_combo.geometry().center().y()) <= 2
    )
    _combo_whole(page)
    assert window.width() == 1600


def test_a_tall_session_scrolls_instead_of_growing_the_window(qtbot: Any, demo_ctx: AppContext) -> None:
    window, page = _host_page(qtbot, demo_ctx, 1280, 600)
    assert window.height() == 600  # the window is not made taller
    bar = page.session_scroll.verticalScrollBar()
    assert bar.isVisible() and bar.maximum() > 0
    page.session_scroll.ensureWidgetVisible(page.form.save_button)
    QApplication.processEvents()
    assert _on_screen(page.form.save_button, window)


# ---- 督办台 ----


def _bold(widget: QWidget) -> QFontMetrics:
    font = QFont(widget.font())
    font.setBold(True)
    return QFontMetrics(font)


def _assert_header_whole(header: QHeaderView, lang: str) -> None:
    model = header.model()
    assert model is not None
    metrics = _bold(header)
    for section in range(header.count()):
        text = str(model.headerData(section, Qt.Orientation.Horizontal))
        room = header.sectionSize(section) - HEADER_PAD_X
        if lang == "zh":  # Chinese titles stay on one line
            assert metrics.horizontalAdvance(text) <= room, f"{text!r} cut in {header.sectionSize(section)} px"
            continue
        for word in text.split():
            assert metrics.horizontalAdvance(word) <= room, f"{word!r} of {text!r} cut in {room} px"
        flags = int(Qt.TextFlag.TextWordWrap)
        lines = metrics.boundingRect(QRect(0, 0, room, 10_000), flags, text).height()
        assert lines <= header.height() - HEADER_PAD_Y, f"{text!r} needs {lines} px, header {header.height()}"


def _label_whole(label: QLabel) -> bool:
    room = label.contentsRect().width()
    if label.wordWrap():
        return label.heightForWidth(room) <= label.contentsRect().height()
    return label.fontMetrics().horizontalAdvance(label.text()) <= room


def _tracking_page(qtbot: Any, ctx: AppContext, width: int, height: int) -> tuple[MainWindow, TrackingPage]:
    page = TrackingPage(ctx)
    window = _in_window(qtbot, page, width, height)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and page.load_model.row_total() > 0, timeout=TIMEOUT)
    QApplication.processEvents()
    return window, page


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_the_tracking_page_shows_its_words_whole(
    qtbot: Any, demo_ctx: AppContext, lang: str, size: tuple[int, int]
) -> None:
    window, page = _tracking_page(qtbot, demo_ctx, *size)
    assert (window.width(), window.height()) == size
    table = page.table
    header = table.horizontalHeader()
    _assert_header_whole(header, lang)
    if size == (1366, 768) or lang == "zh":  # every column on screen (English at 1280 may scroll sideways)
        assert header.length() <= table.viewport().width()
        assert not table.horizontalScrollBar().isVisible()
    metrics = table.fontMetrics()
    whole = (Column.URGENCY, Column.CASE_NO, Column.DAY, Column.ROOM, Column.DUE, Column.STATUS, Column.FOLLOW_UP)
    for row in range(page.model.rowCount()):
        for column in whole:
            index = page.model.index(row, column)
            badge = index.data(BADGE_ROLE)
            room = table.columnWidth(column) - CELL_MARGIN
            if badge:
                need = metrics.horizontalAdvance(badge[0]) + 2 * TrackingDelegate.PAD_X + 4
            else:
                need = metrics.horizontalAdvance(str(index.data() or ""))
            assert need <= room, f"row {row} {column.name}: {index.data()!r} needs {need} px in {room}"

    load = page.load_view
    _assert_header_whole(load.horizontalHeader(), lang)
    assert load.horizontalHeader().length() <= load.viewport().width()
    for label in page.load_panel.findChildren(QLabel):
        assert _label_whole(label), f"{label.objectName()} {label.text()!r} cut"


def test_english_words_of_the_tracking_page(qtbot: Any, qapp: Any, demo_ctx: AppContext) -> None:
    translators = install_translator(qapp, "en")
    try:
        _window, page = _tracking_page(qtbot, demo_ctx, 1366, 768)
        headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
        assert headers[Column.DAY] == "Day" and headers[Column.ROOM] == "Room"
        assert headers[Column.DEPARTMENT] == "Lead dept."
        assert [page.load_model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
            "Dept.",
            "Open",
            "Late",
            "On time",
        ]
        texts = {page.model.index(r, Column.STATUS).data() for r in range(page.model.rowCount())}
        assert "Not signed" in texts
        # the plain word keeps its English elsewhere: the status filter still says Overdue
        assert page.status_filter.findData("overdue") >= 0
        assert page.status_filter.itemText(page.status_filter.findData("overdue")) == "Overdue"
    finally:
        remove_translators(qapp, translators)
