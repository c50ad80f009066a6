"""设置 → 工作日历: holidays and 调休 working days added, changed and removed; the year's warning; the current day's
deadline mode (工作日 / 自然日)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from sqlalchemy import select

from reception_desk.db.models import AuditEntry, CalendarDay, CalendarYear, ReceptionDay
from reception_desk.services import holiday_calendar
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.settings_page import SettingsPage
from reception_desk.ui.widgets.calendar_editor import CalendarEditor

WAIT = 5000
UNSCHEDULED = 2031  # beyond the State Council schedules the package ships


def _editor(qtbot: Any, ctx: AppContext, pages: list[Page], year: int) -> CalendarEditor:
    editor = CalendarEditor(ctx)
    pages.append(editor)
    editor.resize(1190, 700)
    editor.show()  # the first show loads
    qtbot.waitUntil(lambda: editor.view is not None, timeout=WAIT)
    _turn_to(qtbot, editor, year)
    return editor


def _turn_to(qtbot: Any, editor: CalendarEditor, year: int) -> None:
    if editor.year() != year:
        with qtbot.waitSignal(editor.reloaded, timeout=WAIT):
            editor.year_spin.setValue(year)
    assert editor.view is not None and editor.view.schedule.year == year


def _rows(editor: CalendarEditor) -> list[list[str]]:
    table = editor.table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
        for r in range(table.rowCount())
    ]


def _stored(ctx: AppContext, date: dt.date) -> tuple[str, str, str] | None:
    with ctx.db.read() as session:
        row = session.get(CalendarDay, date)
        return (row.kind, row.note, row.source) if row is not None else None


def _enter(editor: CalendarEditor, date: dt.date, kind: str, note: str) -> None:
    editor.date_edit.setDate(QDate(date.year, date.month, date.day))
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(kind))
    editor.note_edit.setText(note)
    editor.save_button.click()


def test_add_change_and_remove_days(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    assert not holiday_calendar.year_schedule(app_ctx.db, UNSCHEDULED).scheduled
    editor = _editor(qtbot, app_ctx, pages, UNSCHEDULED)
    assert editor.table.rowCount() == 0
    assert editor.warning.isVisible() and str(UNSCHEDULED) in editor.warning.text()
    plain_workdays = holiday_calendar.year_schedule(app_ctx.db, UNSCHEDULED).workdays

    holiday = dt.date(UNSCHEDULED, 10, 1)  # a Wednesday
    _enter(editor, holiday, "holiday", "国庆节")
    qtbot.waitUntil(lambda: editor.table.rowCount() == 1, timeout=WAIT)
    assert _rows(editor) == [["2031-10-01", "周三", "放假", "国庆节", "本单位录入"]]
    assert _stored(app_ctx, holiday) == ("holiday", "国庆节", "office")
    # entering a day counts as entering the year: the warning goes, one working day fewer
    assert not editor.warning.isVisible()
    assert f"工作日 {plain_workdays - 1} 天" in editor.summary.text()

    makeup = dt.date(UNSCHEDULED, 9, 28)  # a Sunday worked for the holiday
    _enter(editor, makeup, "workday", "国庆节调休")
    qtbot.waitUntil(lambda: editor.table.rowCount() == 2, timeout=WAIT)
    assert _rows(editor)[0] == ["2031-09-28", "周日", "调休上班", "国庆节调休", "本单位录入"]
    assert _stored(app_ctx, makeup) == ("workday", "国庆节调休", "office")

    # change: selecting the row fills the form; the new name is saved over the old
    editor.table.selectRow(1)
    assert editor.note_edit.text() == "国庆节" and editor.kind_combo.currentData() == "holiday"
    editor.note_edit.setText("国庆节、中秋节")
    editor.save_button.click()
    qtbot.waitUntil(lambda: _stored(app_ctx, holiday) == ("holiday", "国庆节、中秋节", "office"), timeout=WAIT)
    qtbot.waitUntil(lambda: _rows(editor)[1][3] == "国庆节、中秋节", timeout=WAIT)

    # remove: back to the plain week
    editor.table.selectRow(0)
    assert editor.remove_button.isEnabled()
    editor.remove_button.click()
    qtbot.waitUntil(lambda: editor.table.rowCount() == 1, timeout=WAIT)
    assert _stored(app_ctx, makeup) is None
    assert _rows(editor)[0][0] == "2031-10-01"


def test_warning_goes_when_the_year_is_marked_entered(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    year = UNSCHEDULED + 1
    editor = _editor(qtbot, app_ctx, pages, year)
    assert editor.warning.isVisible() and "尚未录入" in editor.warning.text()
    assert editor.mark_button.isEnabled()
    editor.mark_button.click()
    qtbot.waitUntil(lambda: not editor.warning.isVisible(), timeout=WAIT)
    with app_ctx.db.read() as session:
        assert session.get(CalendarYear, year) is not None
    assert not editor.mark_button.isEnabled()
    assert "安排已录入" in editor.summary.text()


def test_deadline_mode_switch_writes_the_day(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    editor = _editor(qtbot, app_ctx, pages, 2026)
    assert editor.working_radio.isChecked() and "2026年12月4日" in editor.mode_day.text()

    def mode() -> bool:
        with app_ctx.db.read() as session:
            day = session.get(ReceptionDay, app_ctx.day_id)
            assert day is not None
            return day.working_day_deadlines

    editor.natural_radio.click()
    qtbot.waitUntil(lambda: mode() is False, timeout=WAIT)
    qtbot.waitUntil(lambda: "自然日" in editor.message.text(), timeout=WAIT)
    with app_ctx.db.read() as session:
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "deadline_mode")).all()
        assert [a.after for a in audited] == [{"working_day_deadlines": False}]
    editor.working_radio.click()
    qtbot.waitUntil(lambda: mode() is True, timeout=WAIT)


def test_settings_page_has_the_calendar_tab(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = SettingsPage(app_ctx)
    pages.append(page)
    pages.append(page.calendar_editor)
    page.resize(1366, 768)
    page.show()
    page.tabs.setCurrentWidget(page.calendar_editor)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "工作日历"
    editor = page.calendar_editor
    qtbot.waitUntil(lambda: editor.view is not None, timeout=WAIT)  # shown for the first time: loaded
    # the package's schedule of the test day's year is there, with its holidays, and no warning
    _turn_to(qtbot, editor, 2026)
    assert editor.table.rowCount() > 0 and "放假" in [row[2] for row in _rows(editor)]
    assert not editor.warning.isVisible()


def test_set_day_deadline_mode_service(db: Any) -> None:
    from reception_desk.services import days
    from reception_desk.services.errors import NotFoundError

    info, _ = days.create_day(db, dt.date(2026, 12, 4))
    assert holiday_calendar.day_deadline_mode(db, info.id) is True
    changes = holiday_calendar.set_day_deadline_mode(db, info.id, False, "办公室")
    assert changes.days == {info.id}
    assert holiday_calendar.day_deadline_mode(db, info.id) is False
    holiday_calendar.set_day_deadline_mode(db, info.id, False, "办公室")  # no change: nothing audited
    with db.read() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "deadline_mode")).all()
        assert [(e.actor, e.entity_id, e.before, e.after) for e in entries] == [
            ("办公室", info.id, {"working_day_deadlines": True}, {"working_day_deadlines": False})
        ]
    try:
        holiday_calendar.set_day_deadline_mode(db, info.id + 99, True, "办公室")
    except NotFoundError as exc:
        assert "不存在" in str(exc)
    else:
        raise AssertionError("a missing day must be refused")
