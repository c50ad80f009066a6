"""Forms that hold up (issue #8, items 7-8): 当场解决 needs its 处理意见, a fresh host form is quiet, the saved-case
banner leaves the print buttons where they were, the host's name is whole at 1366×768, empty lists say so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from reception_desk.db.models import Case
from reception_desk.services import assignment, flow, plan
from reception_desk.services.cases import CaseInput, record_case
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.room_host_page import RoomHostPage
from reception_desk.ui.pages.tracking_page import TrackingPage

TRANSPORT_ROOM = 8
WAIT = 5000
# the page's share of a 1366×768 window: less the 170-pixel navigation, the day's title bar and the status bar
PAGE_AT_1366 = (1366 - 170, 768 - 47 - 22)


def _register(ctx: AppContext, name: str, theme: str = "transport") -> int:
    data = RegistrationInput(
        lead=PersonInput(name, phone="13857001234"), request=f"{name}反映村道破损。", theme_code=theme
    )
    return add_registration(ctx.db, ctx.day_id or 0, data)[0]


def _checked_in(ctx: AppContext, *names: str) -> list[int]:
    ids = [_register(ctx, name) for name in names]
    assignment.assign_day(ctx.db, ctx.day_id or 0)
    for batch_id in ids:
        flow.check_in(ctx.db, batch_id, "登记台")
    return ids


def _page(qtbot: Any, ctx: AppContext, pages: list[Page], size: tuple[int, int] = (1190, 780)) -> RoomHostPage:
    page = RoomHostPage(ctx)
    pages.append(page)
    page.resize(*size)
    page.show()
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.room_combo.count() == 15, timeout=WAIT)
    page.choose_room(TRANSPORT_ROOM)
    return page


def _call(qtbot: Any, page: RoomHostPage, batch_id: int) -> None:
    qtbot.waitUntil(page.call_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(page.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.form.batch_id == batch_id and page.form.isEnabled(), timeout=WAIT)


def _case_of(ctx: AppContext, batch_id: int) -> Case | None:
    with ctx.db.read() as session:
        return session.scalar(select(Case).where(Case.batch_id == batch_id))


def test_a_fresh_host_form_shows_no_error_until_an_edit_or_a_save(
    qtbot: Any, app_ctx: AppContext, pages: list[Page]
) -> None:
    (first,) = _checked_in(app_ctx, "王学德")
    page = _page(qtbot, app_ctx, pages)
    _call(qtbot, page, first)
    form = page.form
    assert form.problem() == "交办须选择主办单位。"  # incomplete: 交办 without a department
    assert form.message.text() == "" and not form.touched  # but nothing shouts before the host did anything
    assert form.save_button.isEnabled()

    form.request_save()  # Ctrl+S on the untouched form: refused, and now it says why
    assert form.message.text() == "交办须选择主办单位。" and form.message.isVisible()
    assert not form.save_button.isEnabled()
    assert _case_of(app_ctx, first) is None

    # the next batch starts quiet again
    qtbot.mouseClick(form.outcome_buttons["explained"], Qt.MouseButton.LeftButton)
    form.instruction_edit.setPlainText("已解释政策。")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.case_banner.isVisible, timeout=WAIT)
    assert form.message.text() == ""


def test_resolved_on_the_spot_needs_its_instruction(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    (first,) = _checked_in(app_ctx, "吴建国")
    page = _page(qtbot, app_ctx, pages)
    _call(qtbot, page, first)
    form = page.form
    qtbot.mouseClick(form.outcome_buttons["resolved"], Qt.MouseButton.LeftButton)
    assert form.message.text().startswith("当场解决须填写处理意见")
    assert not form.save_button.isEnabled()
    assert form.instruction_caption.text() == "处理意见（当场解决必填）"
    form.instruction_edit.setPlainText("   ")  # blanks are not an instruction
    assert not form.save_button.isEnabled()
    form.request_save()
    assert _case_of(app_ctx, first) is None

    form.instruction_edit.setPlainText("已当场协调交通运输局安排修补。")
    assert form.message.text() == "" and form.save_button.isEnabled()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.case_banner.isVisible, timeout=WAIT)
    case = _case_of(app_ctx, first)
    assert case is not None and case.outcome == "resolved" and case.instruction == "已当场协调交通运输局安排修补。"


def test_the_service_refuses_resolved_without_instruction_in_chinese(app_ctx: AppContext) -> None:
    import pytest

    from reception_desk.services.errors import InvalidInputError

    (batch,) = _checked_in(app_ctx, "郑小明")
    with pytest.raises(InvalidInputError, match="当场解决的事项必须填写处理意见"):
        record_case(app_ctx.db, batch, CaseInput(outcome="resolved", instruction=" \n "), "记录员")
    assert _case_of(app_ctx, batch) is None


def test_the_saved_case_banner_does_not_move_the_receipt_buttons(
    qtbot: Any, app_ctx: AppContext, pages: list[Page]
) -> None:
    first, second = _checked_in(app_ctx, "王学德", "吴建国")
    page = _page(qtbot, app_ctx, pages, PAGE_AT_1366)
    buttons = (page.print_receipt_button, page.print_thermal_button, page.print_slip_button)

    def where() -> list[Any]:
        return [(b.mapTo(page, b.rect().topLeft()), b.size()) for b in buttons]

    def save_explained() -> None:
        page.form.instruction_edit.setPlainText("已解释政策。")
        qtbot.mouseClick(page.form.outcome_buttons["explained"], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(page.form.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.case_banner.isVisible() and page.print_bar.isVisible(), timeout=WAIT)
        qtbot.waitUntil(lambda: page.print_case_no() == page.last_case_no, timeout=WAIT)

    _call(qtbot, page, first)
    save_explained()
    with_banner = where()
    _call(qtbot, page, second)  # calling the next batch hides the banner
    assert not page.case_banner.isVisible() and page.print_bar.isVisible()
    without_banner = where()
    save_explained()  # the banner comes back: the host's mouse is still on the same buttons
    assert with_banner == without_banner == where()
    assert page.case_banner.geometry().top() > page.print_bar.geometry().bottom()


def test_the_banner_keeps_the_due_date_on_one_line(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    (first,) = _checked_in(app_ctx, "王学德")
    page = _page(qtbot, app_ctx, pages, PAGE_AT_1366)
    _call(qtbot, page, first)
    form = page.form
    qtbot.mouseClick(form.outcome_buttons["handed_over"], Qt.MouseButton.LeftButton)
    form.lead_combo.setCurrentIndex(0)
    qtbot.mouseClick(form.colour_buttons["red"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.case_banner.isVisible, timeout=WAIT)
    due = page.case_due_label
    assert due.text() == "反馈期限：2026年12月15日"
    assert not due.wordWrap()
    metrics = due.fontMetrics()
    assert due.width() >= metrics.horizontalAdvance(due.text())
    assert due.height() < 2 * metrics.lineSpacing()


def test_the_room_selector_shows_the_host_whole_at_1366(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    host = "区委常委、常务副区长 欧阳王学德"
    room = next(r for r in plan.list_rooms(app_ctx.db, app_ctx.day_id or 0) if r.number == 3)  # the longest theme
    plan.update_room(app_ctx.db, room.id, room.version, host=host)
    page = RoomHostPage(app_ctx)
    pages.append(page)
    page.resize(*PAGE_AT_1366)
    page.show()
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.room_combo.count() == 15, timeout=WAIT)
    page.choose_room(3)
    qtbot.waitUntil(lambda: host in page.room_host_label.text(), timeout=WAIT)

    label = page.room_host_label
    assert label.isVisible() and label.text() == f"接待领导：{host}"
    # whole: the label's lines hold the text, and the label lies inside the queue panel
    lines = label.heightForWidth(label.width()) // label.fontMetrics().lineSpacing()
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width() * max(lines, 1)
    panel = label.parentWidget()
    assert panel is not None and panel.rect().contains(label.geometry())
    # the combo itself shows the room and its theme without cutting them
    combo = page.room_combo
    assert combo.currentText() == "第3接待室 · 安全生产与环境保护"
    assert combo.fontMetrics().horizontalAdvance(combo.currentText()) < combo.width() - 30


def test_tracking_says_when_no_case_matches(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = TrackingPage(app_ctx)
    pages.append(page)
    page.today = dt.date(2026, 12, 4)
    page.resize(1196, 700)
    page.show()
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.last_data is not None and page.no_results.isVisible(), timeout=WAIT)
    assert page.no_results.text() == "没有未办结的案件。"
    page.colour_filter.setCurrentIndex(page.colour_filter.findData("red"))
    qtbot.waitUntil(lambda: "筛选" in page.no_results.text(), timeout=WAIT)
    assert page.no_results.isVisible() and page.model.rowCount() == 0
