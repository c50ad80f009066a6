"""The desk cannot go wrong silently: an ambiguous Enter checks in nobody, a group is asked first, 撤销签到 with a
reason, the panel follows the selection, a pre-registered walk-in lands on their batch, moves offer a reprint."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from reception_desk.db.models import AuditEntry, Batch, Room
from reception_desk.domain.batches import BatchStatus
from reception_desk.services import flow
from reception_desk.services.assignment import assign_day
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from tests.helpers import register
from tests.ui.test_checkin_page import TIMEOUT, _batch, _members, _page, _wait_idle

GROUP = RegistrationInput(
    PersonInput("王学德", "", "13805701234"),
    "村里的养老金发放有问题",
    theme_code="labour",
    companions=[PersonInput("王小明"), PersonInput("李芳"), PersonInput("赵刚")],
)


def _statuses(app_ctx: AppContext, ids: list[int]) -> list[str]:
    return [_batch(app_ctx, i).status for i in ids]


def test_an_ambiguous_enter_checks_in_nobody_and_the_list_picks(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 3, theme="law")  # leads 测试0..2: initials cs0, cs1, cs2
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "cs")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)  # three match: nobody is checked in
    qtbot.waitUntil(lambda: page.match_list.hasFocus(), timeout=TIMEOUT)
    assert "不能确定" in page.matches_title.text()
    assert _statuses(app_ctx, ids) == [BatchStatus.REGISTERED.value] * 3
    assert page.ticket_panel.property("state") != "fresh"

    qtbot.keyClick(page.match_list, Qt.Key.Key_Down)
    qtbot.keyClick(page.match_list, Qt.Key.Key_Return)  # picked in the list: that one
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)
    assert _statuses(app_ctx, ids) == ["registered", "waiting", "registered"]
    assert page.search_box.hasFocus()

    # typing in the list goes back to the box
    qtbot.keyClicks(page.search_box, "cs")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.match_list.hasFocus(), timeout=TIMEOUT)  # two still to check in: ask
    qtbot.keyClick(page.match_list, Qt.Key.Key_Backspace)
    assert page.search_box.text() == "c" and page.search_box.hasFocus()
    qtbot.keyClick(page.search_box, Qt.Key.Key_S)
    assert page.search_box.text() == "cs"
    assert _statuses(app_ctx, ids) == ["registered", "waiting", "registered"]
    _wait_idle(qtbot, page)


def test_one_not_arrived_among_arrived_matches_checks_in_at_enter(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 3, theme="law")
    assign_day(db, day)
    flow.check_in(db, ids[0], "desk")
    flow.check_in(db, ids[2], "desk")
    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "cs")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _batch(app_ctx, ids[1]).status == "waiting", timeout=TIMEOUT)
    number = _batch(app_ctx, ids[1]).queue_number
    assert number is not None  # law has two rooms (9 and 10): the number is the room's
    qtbot.waitUntil(lambda: page.queue_label.text() == f"排队号 {number}", timeout=TIMEOUT)
    _wait_idle(qtbot, page)


def test_a_group_is_asked_and_checks_in_only_those_picked(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    batch_id, _ = add_registration(db, day, GROUP)
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "wxd")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.group_dialog is not None and page.group_dialog.isVisible(), timeout=TIMEOUT)
    assert all(m.checked_in_at is None for m in _members(app_ctx, batch_id))  # nobody yet
    dialog = page.group_dialog
    assert dialog is not None
    qtbot.keyClick(dialog, Qt.Key.Key_2)  # pick who is here
    qtbot.waitUntil(lambda: page.group_dialog is None and page.focusWidget() is page.member_list, timeout=TIMEOUT)
    assert page.member_list.currentRow() == 0
    qtbot.keyClick(page.member_list, Qt.Key.Key_Space)  # the lead
    qtbot.keyClick(page.member_list, Qt.Key.Key_Down)
    qtbot.keyClick(page.member_list, Qt.Key.Key_Down)
    qtbot.keyClick(page.member_list, Qt.Key.Key_Space)  # 李芳
    qtbot.keyClick(page.member_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)
    assert [m.checked_in_at is not None for m in _members(app_ctx, batch_id)] == [True, False, True, False]
    assert page.ticket_headline.text().startswith("已签到 2/4 人")
    _wait_idle(qtbot, page)


def test_a_group_all_here_is_the_default(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    batch_id, _ = add_registration(db, day, GROUP)
    page = _page(qtbot, app_ctx)  # not assigned yet: checking in gives it a room
    qtbot.keyClicks(page.search_box, "wxd")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.group_dialog is not None and page.group_dialog.isVisible(), timeout=TIMEOUT)
    dialog = page.group_dialog
    assert dialog is not None
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)
    assert all(m.checked_in_at is not None for m in _members(app_ctx, batch_id))
    _wait_idle(qtbot, page)


def test_undo_a_check_in_with_a_reason(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 3, theme="transport")
    assign_day(db, day)
    for batch_id in ids:
        flow.check_in(db, batch_id, "desk")
    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "Y0002")
    qtbot.waitUntil(lambda: page.card is not None and page.card.batch_id == ids[1], timeout=TIMEOUT)
    assert page.undo_button.isVisible() and page.queue_label.text() == "排队号 2"
    assert page.ahead_label.text() == "前面还有 1 批"
    qtbot.keyClick(page.search_box, Qt.Key.Key_F8)
    dialog = page.undo_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT)
    assert not dialog.ok_button.isEnabled()  # a reason first
    dialog.reason_edit.setText("认错了人")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.ticket_panel.property("state") == "undone", timeout=TIMEOUT)
    assert "原排队号 2 作废" in page.ticket_hint.text()
    assert not page.room_label.isVisible() and not page.queue_label.isVisible()
    assert [(_batch(app_ctx, i).status, _batch(app_ctx, i).queue_number) for i in ids] == [
        ("waiting", 1),
        ("registered", None),
        ("waiting", 3),
    ]
    with db.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "undo_check_in")).one()
        assert entry.reason == "认错了人" and entry.actor == "测试员"
    _wait_idle(qtbot, page)


def test_the_panel_shows_the_selected_batch_or_clears(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    transport = register(db, day, 2, theme="transport")  # Y0001, Y0002 → room 8
    labour = register(db, day, 1, theme="labour", start=5)  # Y0003 → room 4
    assign_day(db, day)
    flow.check_in(db, labour[0], "desk")
    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "Y0001")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.room_label.text().startswith("请到 第8接待室"), timeout=TIMEOUT)

    qtbot.keyClicks(page.search_box, "Y0002")  # the next visitor, not yet checked in
    qtbot.waitUntil(lambda: page.card is not None and page.card.batch_id == transport[1], timeout=TIMEOUT)
    assert not page.room_label.isVisible() and not page.queue_label.isVisible()
    assert page.ticket_headline.text().startswith("尚未签到：Y0002")
    assert not page.print_ticket_button.isVisible()

    page.search_box.clear()
    qtbot.keyClicks(page.search_box, "Y0003")  # another batch already here: its own room
    qtbot.waitUntil(lambda: page.room_label.text().startswith("请到 第4接待室"), timeout=TIMEOUT)
    assert page.queue_label.text() == "排队号 1" and page.ticket_panel.property("state") == "selected"

    page.search_box.clear()
    qtbot.keyClicks(page.search_box, "zzz")  # nothing selected: the panel clears
    qtbot.waitUntil(lambda: page.card is None, timeout=TIMEOUT)
    assert not page.room_label.isVisible() and page.ticket_card is None
    _wait_idle(qtbot, page)


def test_a_walk_in_who_pre_registered_lands_on_their_batch(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    person = PersonInput("柴卫发", "33080319700101123X", "13857001234")
    register(db, day, 2, theme="transport")
    pre, _ = add_registration(db, day, RegistrationInput(person, "村道破损", theme_code="transport"))
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    walk_in = RegistrationInput(PersonInput("柴卫发", "33080319700101123x", ""), "村道破损，要求修复")
    page.spawn(page.register_walk_in(walk_in))
    qtbot.waitUntil(lambda: page.question_box is not None and page.question_box.isVisible(), timeout=TIMEOUT)
    box = page.question_box
    assert box is not None and box.text() == "已预登记 Y0003 柴卫发，直接签到？"
    qtbot.keyClick(box, Qt.Key.Key_Return)  # 直接签到 is the default
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)
    with db.read() as session:
        assert session.scalars(select(Batch).where(Batch.source == "walk_in")).first() is None
    assert _batch(app_ctx, pre).status == "waiting"
    assert page.card is not None and page.card.batch_id == pre
    assert page.ticket_headline.text().startswith("签到成功：Y0003 柴卫发")
    _wait_idle(qtbot, page)


def test_a_second_batch_for_the_same_person_needs_a_reason(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    person = PersonInput("柴卫发", "", "13857001234")
    add_registration(db, day, RegistrationInput(person, "村道破损", theme_code="transport"))
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    page.spawn(page.register_walk_in(RegistrationInput(person, "另一件事：宅基地纠纷", theme_code="land")))
    qtbot.waitUntil(lambda: page.question_box is not None and page.question_box.isVisible(), timeout=TIMEOUT)
    box = page.question_box
    assert box is not None
    second = next(b for b in box.buttons() if b.text() == "另行登记…")
    qtbot.mouseClick(second, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.reason_dialog is not None and page.reason_dialog.isVisible(), timeout=TIMEOUT)
    dialog = page.reason_dialog
    assert dialog is not None and not dialog.ok_button.isEnabled()
    dialog.reason_edit.setText("另一件不相关的事项")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.ticket_panel.property("state") == "fresh", timeout=TIMEOUT)
    with db.read() as session:
        walk_in = session.scalars(select(Batch).where(Batch.source == "walk_in")).one()
        assert "另一件不相关的事项" in walk_in.note and walk_in.status == "waiting"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "register", AuditEntry.entity_id == walk_in.id)
        ).one()
        assert entry.reason == "另一件不相关的事项"
    _wait_idle(qtbot, page)


def _reprint_box() -> QMessageBox | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.objectName() == "reprintOffer"),
        None,
    )


def test_moving_a_checked_in_batch_gives_a_number_there_and_offers_a_reprint(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    transport = register(db, day, 2, theme="transport")  # room 8
    farming = register(db, day, 1, theme="agriculture", start=5)  # room 7
    assign_day(db, day)
    for batch_id in (*transport, *farming):
        flow.check_in(db, batch_id, "desk")
    with db.read() as session:
        room7 = session.scalars(select(Room.id).where(Room.day_id == day, Room.number == 7)).one()
    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "Y0001")
    qtbot.waitUntil(lambda: page.card is not None and page.card.batch_id == transport[0], timeout=TIMEOUT)
    qtbot.keyClick(page.search_box, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: page.move_dialog is not None and page.move_dialog.isVisible(), timeout=TIMEOUT)
    dialog = page.move_dialog
    assert dialog is not None
    dialog.room_combo.setCurrentIndex(dialog.room_combo.findData(room7))
    dialog.reason_edit.setText("来访人要求")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _reprint_box() is not None and _reprint_box().isVisible(), timeout=TIMEOUT)  # type: ignore[union-attr]
    box = _reprint_box()
    assert box is not None and "新的排队号为 2 号" in box.text() and "前面还有 1 批" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # 不打印
    qtbot.waitUntil(lambda: page.room_label.text().startswith("请到 第7接待室"), timeout=TIMEOUT)
    assert page.queue_label.text() == "排队号 2" and page.ahead_label.text() == "前面还有 1 批"
    assert page.ticket_headline.text().startswith("已调整接待室")
    moved = _batch(app_ctx, transport[0])
    assert moved.queue_number == 2 and moved.status == "waiting"
    assert _batch(app_ctx, transport[1]).queue_number == 2  # room 8 keeps its numbers
    _wait_idle(qtbot, page)
