"""The screen follows the logged-in user's role: controls of work the role may not do are disabled for good, their
shortcuts off, tables read-only; a room host's selector lists only his rooms; the navigation hides unused pages."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QWidget

from reception_desk.domain.roles import Role
from reception_desk.services.authz import Actor
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.case_dialog import CaseDialog
from reception_desk.ui.main_window import MainWindow
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.checkin_page import CheckInPage
from reception_desk.ui.pages.registrations_page import RegistrationsPage
from reception_desk.ui.pages.room_board_page import RoomBoardPage
from reception_desk.ui.pages.room_host_page import RoomHostPage
from reception_desk.ui.pages.settings_page import SettingsPage
from reception_desk.ui.roles_view import refusal_tip

WAIT = 5000
DESK = Actor("desk1", Role.DESK)
HOST = Actor("host1", Role.HOST, (1, 2, 3, 4, 5))
CHIEF = Actor("chief", Role.SUPERVISOR)
ADMIN = Actor("admin", Role.ADMIN)


def _build(qtbot: Any, ctx: AppContext, pages: list[Any], cls: type[Page], user: Actor) -> Any:
    ctx.user = user
    page = cls(ctx)
    pages.append(page)
    page.resize(1280, 760)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    return page


def _forbidden(widget: QWidget) -> bool:
    """Switched off by the role: disabled even when asked to enable, with the tooltip saying why."""
    widget.setEnabled(True)  # what the page's own logic does when a batch is selected
    return not widget.isEnabled() and widget.toolTip() == refusal_tip()


def _shortcut_on(page: QWidget, key: str) -> bool:
    from PySide6.QtGui import QKeySequence, QShortcut

    found = [s for s in page.findChildren(QShortcut) if s.key() == QKeySequence(key)]
    assert found, key
    return all(s.isEnabled() for s in found)


def _rooms_listed(page: RoomHostPage) -> list[str]:
    return [page.room_combo.itemText(i) for i in range(page.room_combo.count())]


def test_a_desk_user_cannot_call_record_move_or_change_the_settings(
    qtbot: Any, app_ctx: AppContext, pages: list[Any]
) -> None:
    room = _build(qtbot, app_ctx, pages, RoomHostPage, DESK)
    for widget in (room.call_button, room.start_button, room.no_show_button, room.return_button, room.form):
        assert _forbidden(widget), (widget.objectName(), widget.isEnabled(), widget.toolTip())
    assert not _shortcut_on(room, "F3") and not _shortcut_on(room, "Ctrl+S")
    assert room.room_combo.count() == 15  # he may look at every room's queue
    room.choose_room(8)
    qtbot.wait_until(lambda: room.current_room_id() is not None, timeout=WAIT)
    assert not room.call_button.isEnabled() and not room.form.isEnabled()

    desk = _build(qtbot, app_ctx, pages, CheckInPage, DESK)
    assert desk.walk_in_button.isEnabled() and _shortcut_on(desk, "F2") and _shortcut_on(desk, "F8")
    assert _forbidden(desk.move_button) and not _shortcut_on(desk, "F6")  # moves between rooms: 督办

    settings = _build(qtbot, app_ctx, pages, SettingsPage, DESK)
    for widget in (settings.create_day_button, settings.add_dept_button, settings.calendar_editor.save_button):
        assert _forbidden(widget)
    for view in (settings.rooms_view, settings.departments_view):
        assert view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert settings.test_button.isEnabled()  # the laptop's own database setting stays his

    board = _build(qtbot, app_ctx, pages, RoomBoardPage, DESK)
    assert board.auto_assign_button.isEnabled()  # placing walk-ins and imports is desk work


def test_a_host_sees_only_his_rooms_and_cannot_check_in_register_or_assign(
    qtbot: Any, app_ctx: AppContext, pages: list[Any]
) -> None:
    room = _build(qtbot, app_ctx, pages, RoomHostPage, HOST)
    qtbot.wait_until(lambda: room.room_combo.count() > 0, timeout=WAIT)
    assert [label.split(" · ")[0] for label in _rooms_listed(room)] == [f"第{n}接待室" for n in range(1, 6)]
    room.choose_room(9)  # not his: not in the list
    assert room.current_room_id() is None
    room.choose_room(3)
    assert room.current_room_id() is not None
    assert room.call_button.toolTip() != refusal_tip() and room.form.toolTip() != refusal_tip()

    desk = _build(qtbot, app_ctx, pages, CheckInPage, HOST)
    for widget in (desk.walk_in_button, desk.check_all_button, desk.check_selected_button, desk.undo_button):
        assert _forbidden(widget)
    assert not _shortcut_on(desk, "F2") and not _shortcut_on(desk, "F8")

    registrations = _build(qtbot, app_ctx, pages, RegistrationsPage, HOST)
    for widget in (registrations.add_button, registrations.edit_button, registrations.import_button):
        assert _forbidden(widget)
    assert registrations.export_button.isEnabled()  # reading and exporting stay open

    board = _build(qtbot, app_ctx, pages, RoomBoardPage, HOST)
    assert _forbidden(board.auto_assign_button)


def test_a_supervisor_moves_but_does_not_check_in(qtbot: Any, app_ctx: AppContext, pages: list[Any]) -> None:
    desk = _build(qtbot, app_ctx, pages, CheckInPage, CHIEF)
    for widget in (desk.walk_in_button, desk.check_all_button, desk.check_selected_button, desk.undo_button):
        assert _forbidden(widget)
    assert desk.move_button.toolTip() != refusal_tip() and _shortcut_on(desk, "F6")
    board = _build(qtbot, app_ctx, pages, RoomBoardPage, CHIEF)
    assert board.auto_assign_button.isEnabled() and _shortcut_on(board, "F6")
    room = _build(qtbot, app_ctx, pages, RoomHostPage, CHIEF)
    assert _forbidden(room.call_button)


def test_the_case_dialog_is_read_only_without_the_tracking(qtbot: Any, app_ctx: AppContext, widgets: list[Any]) -> None:
    import datetime as dt

    for user, read_only in ((DESK, True), (CHIEF, False)):
        app_ctx.user = user
        dialog = CaseDialog(app_ctx, 1, dt.date(2026, 12, 4))
        widgets.append(dialog)
        assert (dialog.form.toolTip() == refusal_tip()) is read_only
        assert (not dialog.save_button.isEnabled()) if read_only else dialog.save_button.toolTip() != refusal_tip()


def test_admin_and_the_single_laptop_keep_everything(qtbot: Any, app_ctx: AppContext, pages: list[Any]) -> None:
    for user in (ADMIN, Actor("测试员", None)):
        settings = _build(qtbot, app_ctx, pages, SettingsPage, user)
        assert settings.create_day_button.isEnabled() and settings.add_dept_button.isEnabled()
        assert settings.rooms_view.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
        room = _build(qtbot, app_ctx, pages, RoomHostPage, user)
        qtbot.wait_until(lambda r=room: r.room_combo.count() == 15, timeout=WAIT)
        assert room.form.toolTip() != refusal_tip()


def test_the_navigation_hides_the_pages_a_role_has_no_use_for(
    qtbot: Any, app_ctx: AppContext, widgets: list[Any]
) -> None:
    expected = {
        DESK: {"签到", "预登记", "接待室分配", "设置"},
        HOST: {"接待室", "预登记", "接待室分配", "设置"},
        CHIEF: {"督办台", "预登记", "接待室分配", "设置"},
    }
    hidden_for = {DESK: {"接待室", "督办台"}, HOST: {"签到", "督办台"}, CHIEF: {"签到", "接待室"}}
    for user, shown in expected.items():
        app_ctx.user = user
        window = MainWindow(app_ctx)
        widgets.append(window)
        titles = {window.nav.item(i).text(): not window.nav.item(i).isHidden() for i in range(window.nav.count())}
        assert shown <= {t for t, visible in titles.items() if visible}, user
        assert not any(titles[t] for t in hidden_for[user]), user
        hidden_row = next(i for i in range(window.nav.count()) if window.nav.item(i).text() in hidden_for[user])
        window.show_page(hidden_row)  # Ctrl+number of a hidden page does nothing
        assert window.nav.currentRow() != hidden_row
