"""The room board: counts on the cards, dragging a batch to another room (with a reason), auto-assignment."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMessageBox
from sqlalchemy import select

from reception_desk.db.models import AuditEntry, Batch
from reception_desk.services import flow
from reception_desk.services.assignment import assign_day
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.room_board_page import RoomBoardPage
from reception_desk.ui.widgets.room_card import BATCH_MIME, RoomCard, batch_mime, read_batch_mime
from tests.helpers import register

TIMEOUT = 5000


def _page(qtbot: Any, ctx: AppContext) -> RoomBoardPage:
    page = RoomBoardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1190, 780)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=TIMEOUT):
        page.schedule_reload()
    return page


def _wait_idle(qtbot: Any, page: RoomBoardPage) -> None:
    """Let the reloads the last writes started finish, so none is left running when the test's loop closes."""
    qtbot.waitUntil(lambda: not page._debounce.isActive() and not page._tasks, timeout=TIMEOUT)


def _batch(ctx: AppContext, batch_id: int) -> Batch:
    with ctx.db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch


def _drop(card: RoomCard, mime: Any) -> tuple[bool, bool]:
    """Deliver a drag entering the card and the drop, as Qt does at the end of a real drag."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    centre = card.rect().center()
    enter = QDragEnterEvent(centre, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(card, enter)
    drop = QDropEvent(QPointF(centre), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(card, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_cards_show_the_counts(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 3, theme="civil", headcount=2)  # room 13 is the civil room
    assign_day(db, day)
    flow.check_in(db, ids[0], "desk")
    flow.check_in(db, ids[1], "desk")
    flow.call_next(db, _batch(app_ctx, ids[0]).room_id or 0, "host")

    page = _page(qtbot, app_ctx)
    assert len(page.cards) == 15
    card = page.card_for_number(13)
    assert card.name_label.text() == "第13接待室"
    assert card.theme_label.text() == "民政与社会事务"
    assert card.waiting_box.batches.text() == "1"
    assert card.waiting_box.people.text() == "批 2人"
    assert card.session_box.batches.text() == "1"
    assert card.done_box.batches.text() == "0"
    assert "Y0001" in card.current_label.text()
    assert [e.batch_id for e in card.queue_list.entries()] == [ids[1], ids[2]]
    assert card.queue_list.count() == 2
    assert "未签到 1" in card.queue_title.text()
    assert not card.warning_label.isVisibleTo(card)
    assert "候谈 <b" in page.summary_label.text()

    # the board follows the desk live: a check-in elsewhere shows without asking
    page.spawn(app_ctx.write(flow.check_in, db, ids[2], "desk"))
    qtbot.waitUntil(lambda: card.waiting_box.batches.text() == "2", timeout=TIMEOUT)
    assert card.waiting_box.people.text() == "批 4人"
    _wait_idle(qtbot, page)


def test_capacity_warning_marks_the_card(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    big = register(db, day, 1, theme="civil", headcount=25)
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    card = page.card_for_number(13)  # capacity 20
    assert card.property("warn") is True
    assert card.warning_label.isVisibleTo(card)
    assert "Y0001 25人" in card.warning_text()
    flow.check_in(db, big[0], "desk")
    page.schedule_reload()
    qtbot.waitUntil(lambda: "候谈 25 人" in card.warning_text(), timeout=TIMEOUT)
    _wait_idle(qtbot, page)


def test_drag_a_batch_to_another_room(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 2, theme="labour")  # rooms 4 and 5 serve labour
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    moving = ids[0]
    source = next(c for c in page.cards.values() if moving in [e.batch_id for e in c.queue_list.entries()])
    target = page.card_for_number(14)
    entry = next(e for e in source.queue_list.entries() if e.batch_id == moving)

    # the mime data is what the queue list's startDrag puts in its QDrag
    mime = batch_mime(entry, source.room_id)
    assert mime.hasFormat(BATCH_MIME)
    dragged = read_batch_mime(mime)
    assert dragged is not None and dragged.batch_id == moving and dragged.from_room_id == source.room_id

    # a card does not take a batch from its own queue
    assert _drop(source, mime) == (False, False)
    assert page.reason_dialog is None

    assert _drop(target, mime) == (True, True)
    dialog = page.reason_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a reason is required
    dialog.accept()
    assert dialog.isVisible()  # still open without a reason
    dialog.reason_edit.setText("集体访需要大房间")
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: moving in [e.batch_id for e in target.queue_list.entries()], timeout=TIMEOUT)
    assert moving not in [e.batch_id for e in source.queue_list.entries()]
    batch = _batch(app_ctx, moving)
    assert batch.room_id == target.room_id
    assert batch.placed_by_hand
    with db.read() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == moving, AuditEntry.action == "move")
        ).one()
    assert audit.reason == "集体访需要大房间"
    assert audit.actor == app_ctx.actor
    assert audit.after is not None and audit.after["room_id"] == target.room_id
    _wait_idle(qtbot, page)


def test_drag_from_the_unassigned_column(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 1, theme="land")
    page = _page(qtbot, app_ctx)
    assert [e.batch_id for e in page.unassigned_list.entries()] == ids
    assert page.unassigned_title.text() == "未分配 1 批"
    mime = batch_mime(page.unassigned_list.entries()[0], None)
    target = page.card_for_number(15)
    assert _drop(target, mime) == (True, True)
    assert page.reason_dialog is not None
    page.reason_dialog.reason_edit.setText("领导指定")
    page.reason_dialog.accept()
    qtbot.waitUntil(lambda: page.unassigned_list.count() == 0, timeout=TIMEOUT)
    assert _batch(app_ctx, ids[0]).room_id == target.room_id
    assert target.queue_list.count() == 1
    _wait_idle(qtbot, page)


def test_auto_assign_places_the_unassigned(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 4, theme="law") + register(db, day, 2, theme="transport", start=10)
    page = _page(qtbot, app_ctx)
    assert page.unassigned_list.count() == 6
    qtbot.mouseClick(page.auto_assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message_label.text() == "已自动分配 6 批", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: page.unassigned_list.count() == 0, timeout=TIMEOUT)
    rooms = {_batch(app_ctx, i).room_id for i in ids}
    numbers = {c.room.number for c in page.cards.values() if c.room_id in rooms}
    assert numbers == {8, 9, 10}
    assert page.card_for_number(8).queue_list.count() == 2
    assert page.auto_assign_button.isEnabled()

    # a second run finds nothing to place
    qtbot.mouseClick(page.auto_assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message_label.text() == "没有需要分配的批次", timeout=TIMEOUT)
    _wait_idle(qtbot, page)


def test_start_drag_runs_the_real_drag(qtbot: Any, app_ctx: AppContext) -> None:
    """startDrag builds the QDrag (mime, pixmap) and runs it; offscreen Qt ends it at once without a drop."""
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 1, theme="economy")
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    queue = page.card_for_number(14).queue_list
    item = queue.item(0)
    assert item is not None
    queue.setCurrentItem(item)
    assert queue.selected_batch_id() == ids[0]
    queue.startDrag(Qt.DropAction.MoveAction)
    assert page.reason_dialog is None  # nothing was dropped, nothing asked
    assert _batch(app_ctx, ids[0]).room_id == page.card_for_number(14).room_id
    _wait_idle(qtbot, page)


def _move_audit(app_ctx: AppContext, batch_id: int) -> AuditEntry:
    with app_ctx.db.read() as session:
        return session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == batch_id, AuditEntry.action == "move")
        ).one()


def test_keyboard_moves_the_selected_batch(qtbot: Any, app_ctx: AppContext) -> None:
    """M on a selected batch: the room chooser (room typed by number, Enter), the reason dialog, the move."""
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 2, theme="civil")  # room 13
    assign_day(db, day)
    flow.check_in(db, ids[0], "desk")
    page = _page(qtbot, app_ctx)
    source, target = page.card_for_number(13), page.card_for_number(7)
    queue = source.queue_list
    queue.setFocus()
    item = queue.item_for(ids[0])
    assert item is not None
    queue.setCurrentItem(item)

    qtbot.keyClick(queue, Qt.Key.Key_M)
    chooser = page.chooser
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible, timeout=TIMEOUT)
    # the batch's own room cannot be chosen; typing 7 picks room 7
    own = chooser.room_list.item(12)
    assert own is not None and not own.flags() & Qt.ItemFlag.ItemIsEnabled
    qtbot.keyClick(chooser.room_list, Qt.Key.Key_7)
    assert chooser.chosen_room_id() == target.room_id
    qtbot.keyClick(chooser.room_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.reason_dialog is not None and page.reason_dialog.isVisible(), timeout=TIMEOUT)
    dialog = page.reason_dialog
    assert dialog is not None
    assert "第7接待室" in dialog.findChildren(QLabel)[0].text()
    dialog.reason_edit.setText("更符合问题类别")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: ids[0] in [e.batch_id for e in target.queue_list.entries()], timeout=TIMEOUT)
    assert _batch(app_ctx, ids[0]).room_id == target.room_id
    audit = _move_audit(app_ctx, ids[0])
    assert audit.reason == "更符合问题类别" and audit.actor == app_ctx.actor
    assert _batch(app_ctx, ids[1]).room_id == source.room_id  # the other batch stays
    # the checked-in batch has its room's next 排队号 there: the board offers to reprint its ticket
    qtbot.waitUntil(lambda: _reprint_box() is not None, timeout=TIMEOUT)
    box = _reprint_box()
    assert box is not None
    number = _batch(app_ctx, ids[0]).queue_number
    assert number is not None and f"新的排队号为 {number} 号" in box.text() and "第7接待室" in box.text()
    skip = next(b for b in box.buttons() if b.text() == "不打印")
    qtbot.mouseClick(skip, Qt.MouseButton.LeftButton)
    _wait_idle(qtbot, page)


def _reprint_box() -> QMessageBox | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.objectName() == "reprintOffer"),
        None,
    )


def test_f6_without_a_selection_says_so(qtbot: Any, app_ctx: AppContext) -> None:
    page = _page(qtbot, app_ctx)
    page.move_selected()
    assert page.chooser is None
    assert page.message_label.text() == "请先选中一个批次"


def test_context_menu_moves_a_batch(qtbot: Any, app_ctx: AppContext) -> None:
    """Right-click a batch: 调至…接待室 opens the chooser; Escape there moves nothing; then a move by the menu."""
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 1, theme="economy")  # room 14
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    queue = page.card_for_number(14).queue_list
    item = queue.item_for(ids[0])
    assert item is not None
    centre = queue.visualItemRect(item).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre, queue.viewport().mapToGlobal(centre))
    QApplication.sendEvent(queue.viewport(), event)
    menu = page.card_menu
    assert menu is not None
    assert queue.selected_batch_id() == ids[0]  # right-click selects the batch
    names = [a.objectName() for a in menu.actions()]
    assert names == ["moveBatchAction", "printRoomSchedule"]
    move = menu.actions()[0]
    assert move.text().startswith("调至…接待室")
    menu.close()

    move.trigger()
    chooser = page.chooser
    assert chooser is not None
    chooser.reject()
    assert page.reason_dialog is None
    assert _batch(app_ctx, ids[0]).room_id == page.card_for_number(14).room_id

    # the menu key on the selected batch opens the same menu
    QApplication.sendEvent(
        queue, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(1, 1), queue.mapToGlobal(QPoint(1, 1)))
    )
    menu = page.card_menu
    assert menu is not None
    menu.actions()[0].trigger()
    chooser = page.chooser
    assert chooser is not None
    chooser.choose(15)
    chooser.accept()
    dialog = page.reason_dialog
    assert dialog is not None
    dialog.reason_edit.setText("领导指定")
    dialog.accept()
    target = page.card_for_number(15)
    qtbot.waitUntil(lambda: _batch(app_ctx, ids[0]).room_id == target.room_id, timeout=TIMEOUT)
    assert _move_audit(app_ctx, ids[0]).reason == "领导指定"
    _wait_idle(qtbot, page)


def test_unassigned_batch_by_menu(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 1, theme="land")
    page = _page(qtbot, app_ctx)
    page.unassigned_list.setCurrentRow(0)
    menu = page.open_batch_menu(page.unassigned_list, page.unassigned_list.selected_entry(), QPoint(0, 0))
    assert [a.objectName() for a in menu.actions()] == ["moveBatchAction"]
    assert menu.actions()[0].text().startswith("分到…接待室")
    menu.close()
    page.move_selected()  # F6
    chooser = page.chooser
    assert chooser is not None
    assert all(chooser.room_list.item(r).flags() & Qt.ItemFlag.ItemIsEnabled for r in range(15))
    chooser.choose(2)
    chooser.accept()
    assert page.reason_dialog is not None
    page.reason_dialog.reason_edit.setText("平衡各室候谈")
    page.reason_dialog.accept()
    qtbot.waitUntil(lambda: page.unassigned_list.count() == 0, timeout=TIMEOUT)
    assert _batch(app_ctx, ids[0]).room_id == page.card_for_number(2).room_id
    _wait_idle(qtbot, page)
