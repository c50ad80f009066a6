"""The desk: search and check in with Enter, person-by-person check-in of a group, walk-ins, Esc, focus."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from reception_desk.db.models import Batch, BatchMember
from reception_desk.domain import resident_id
from reception_desk.domain.batches import BatchStatus
from reception_desk.services import flow
from reception_desk.services.assignment import assign_day
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.checkin_page import CheckInPage
from tests.helpers import register

TIMEOUT = 5000


def _page(qtbot: Any, ctx: AppContext) -> CheckInPage:
    page = CheckInPage(ctx)
    qtbot.addWidget(page)
    page.resize(1190, 780)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.reloaded, timeout=TIMEOUT):
        page.schedule_reload()
    return page


def _wait_idle(qtbot: Any, page: CheckInPage) -> None:
    """Let the reloads the last writes started finish, so none is left running when the test's loop closes."""
    busy = (page._debounce, page._search_timer)
    qtbot.waitUntil(lambda: not any(t.isActive() for t in busy) and not page._tasks, timeout=TIMEOUT)


def _batch(ctx: AppContext, batch_id: int) -> Batch:
    with ctx.db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch


def _members(ctx: AppContext, batch_id: int) -> list[BatchMember]:
    with ctx.db.read() as session:
        return list(
            session.scalars(select(BatchMember).where(BatchMember.batch_id == batch_id).order_by(BatchMember.position))
        )


def test_enter_checks_in_the_whole_batch(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 3, theme="transport")  # room 8 is the transport room
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    qtbot.waitUntil(lambda: page.search_box.hasFocus(), timeout=TIMEOUT)

    # Enter right after typing: the page looks up first, then checks in the first match
    qtbot.keyClicks(page.search_box, "Y0002")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)

    batch = _batch(app_ctx, ids[1])
    assert batch.status == BatchStatus.WAITING.value
    assert batch.queue_number == 1
    assert page.room_label.text() == "请到 第8接待室 · 教学楼1楼 108教室"
    assert page.ticket_headline.text().startswith("签到成功：Y0002")
    assert page.ticket_panel.property("state") == "fresh"
    # ready for the next visitor
    assert page.search_box.text() == ""
    assert page.search_box.hasFocus()
    assert page.card is not None and page.card.batch_id == ids[1]
    qtbot.waitUntil(lambda: page.match_list.count() == 1, timeout=TIMEOUT)  # the latest check-ins
    assert "最近签到" in page.matches_title.text()

    # the same batch again: its state is shown, nothing is checked in twice
    qtbot.keyClicks(page.search_box, "Y0002")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.ticket_panel.property("state") == "already", timeout=TIMEOUT)
    assert "无需重复签到" in page.ticket_headline.text()
    assert page.queue_label.text() == "排队号 1"
    assert _batch(app_ctx, ids[1]).version == batch.version

    # Esc clears the box and the card
    qtbot.keyClick(page.search_box, Qt.Key.Key_Escape)
    assert page.search_box.text() == "" and page.card is None
    _wait_idle(qtbot, page)


def test_arrow_keys_choose_the_match(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    ids = register(db, day, 3, theme="law")  # leads 测试0..2: initials cs0, cs1, cs2
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "cs")
    qtbot.waitUntil(lambda: page.match_list.count() == 3, timeout=TIMEOUT)
    assert page.matches_title.text() == "找到 3 个批次"
    assert page.selected_batch_id() == ids[0]
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)  # stays on the last
    qtbot.keyClick(page.search_box, Qt.Key.Key_Up)
    assert page.selected_batch_id() == ids[1]
    qtbot.waitUntil(lambda: page.card is not None and page.card.batch_id == ids[1], timeout=TIMEOUT)
    assert page.search_box.hasFocus()
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)
    assert _batch(app_ctx, ids[1]).status == BatchStatus.WAITING.value
    assert _batch(app_ctx, ids[0]).status == BatchStatus.REGISTERED.value

    qtbot.keyClicks(page.search_box, "zzz")
    qtbot.waitUntil(lambda: "没有找到" in page.matches_title.text(), timeout=TIMEOUT)
    assert page.card is None
    _wait_idle(qtbot, page)


def test_one_person_of_a_group_checks_in(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    data = RegistrationInput(
        PersonInput("王学德", "330803197001011234", "13805701234"),
        "村里的养老金发放有问题",
        theme_code="labour",
        companions=[PersonInput("王小明"), PersonInput("李芳"), PersonInput("赵刚"), PersonInput("钱伟")],
    )
    batch_id, _ = add_registration(db, day, data)
    page = _page(qtbot, app_ctx)  # not assigned yet: checking in gives it a room

    qtbot.keyClicks(page.search_box, "wxd")
    qtbot.waitUntil(lambda: page.card is not None and page.card.batch_id == batch_id, timeout=TIMEOUT)
    assert page.id_check_label.isVisibleTo(page)  # the lead's ID fails its checksum
    assert page.id_check_label.text() == "请核对身份证"
    assert page.member_list.count() == 5
    assert "集体访" in [label.text() for label in page.flag_labels if label.isVisibleTo(page)]

    # tick the second person and check in only them
    card = page.card
    assert card is not None
    page.member_list.item(1).setCheckState(Qt.CheckState.Checked)
    assert page.ticked_member_ids() == [card.members[1].id]
    qtbot.mouseClick(page.check_selected_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)

    members = _members(app_ctx, batch_id)
    assert [m.checked_in_at is not None for m in members] == [False, True, False, False, False]
    batch = _batch(app_ctx, batch_id)
    assert batch.status == BatchStatus.WAITING.value and batch.room_id is not None
    assert page.room_label.text().startswith("请到 第4接待室") or page.room_label.text().startswith("请到 第5接待室")
    assert page.ticket_headline.text().startswith("已签到 1/5 人")
    assert page.card is not None and page.card.checked_in_count == 1
    assert page.check_all_button.text() == "其余人员签到"

    # the rest arrive: one click checks them in, the ticket number stays
    qtbot.waitUntil(lambda: page.check_all_button.isEnabled(), timeout=TIMEOUT)
    qtbot.mouseClick(page.check_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.card is not None and page.card.checked_in_count == 5, timeout=TIMEOUT)
    assert all(m.checked_in_at is not None for m in _members(app_ctx, batch_id))
    assert _batch(app_ctx, batch_id).queue_number == 1
    assert not page.check_all_button.isEnabled()
    _wait_idle(qtbot, page)


def test_walk_in_flow_gives_a_room_and_a_ticket(qtbot: Any, app_ctx: AppContext) -> None:
    """What OK in the walk-in dialog starts: register (walk-in), assign, check in, show where to go."""
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    earlier = register(db, day, 2, theme="land")
    assign_day(db, day)
    page = _page(qtbot, app_ctx)
    data = RegistrationInput(
        PersonInput("周建国", "", "13905701111"), "小区门口道路破损，出行不便", theme_code="transport"
    )
    page.spawn(page.register_walk_in(data))
    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 1", timeout=TIMEOUT)
    with db.read() as session:
        batch = session.scalars(select(Batch).where(Batch.source == "walk_in")).one()
    assert batch.reg_no.startswith("X")
    assert batch.status == BatchStatus.WAITING.value and batch.queue_number == 1
    assert page.room_label.text() == "请到 第8接待室 · 教学楼1楼 108教室"
    assert page.card is not None and page.card.batch_id == batch.id
    assert page.search_box.text() == "" and page.search_box.hasFocus()
    # the other batches were already placed and stay where they were
    assert all(_batch(app_ctx, i).status == BatchStatus.REGISTERED.value for i in earlier)
    _wait_idle(qtbot, page)


def test_walk_in_through_the_dialog(qtbot: Any, app_ctx: AppContext) -> None:
    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    register(db, day, 3, theme="civil")
    flow_ids = register(db, day, 1, theme="civil", start=10)
    assign_day(db, day)
    flow.check_in(db, flow_ids[0], "desk")  # ticket 1 is taken
    page = _page(qtbot, app_ctx)

    qtbot.keyClick(page.search_box, Qt.Key.Key_F2)
    dialog = page.walk_in_dialog
    assert dialog is not None and dialog.walk_in
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT)
    assert not dialog.is_ready()
    dialog.lead_name.setText("周建国")
    dialog.lead_id.setText(resident_id.make("330803", dt.date(1966, 5, 4), 31))
    dialog.lead_phone.setText("13905701111")
    dialog.companions.setPlainText("周小兰")
    dialog.request.setPlainText("低保申请一直没有批下来，家里生活困难")
    dialog.theme.setCurrentIndex(dialog.theme.findData("civil"))
    assert dialog.is_ready()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: page.queue_label.text() == "排队号 2", timeout=TIMEOUT)
    with db.read() as session:
        batch = session.scalars(select(Batch).where(Batch.source == "walk_in")).one()
        room_number = batch.room.number if batch.room else None
    assert batch.reg_no == "X0001" and batch.headcount == 2
    assert batch.status == BatchStatus.WAITING.value and batch.queue_number == 2
    assert room_number == 13
    assert page.room_label.text() == "请到 第13接待室 · 教学楼2楼 213教室"
    assert page.ticket_headline.text() == "签到成功：X0001 周建国 等2人"
    assert all(m.checked_in_at is not None for m in _members(app_ctx, batch.id))
    assert page.walk_in_dialog is None
    # offscreen Qt activates no window after a dialog closes: the box is the page's focus widget
    assert page.focusWidget() is page.search_box
    _wait_idle(qtbot, page)


def test_walk_in_cancelled_changes_nothing(qtbot: Any, app_ctx: AppContext) -> None:
    page = _page(qtbot, app_ctx)
    qtbot.mouseClick(page.walk_in_button, Qt.MouseButton.LeftButton)
    dialog = page.walk_in_dialog
    assert dialog is not None
    dialog.lead_name.setText("周建国")
    dialog.reject()
    assert page.walk_in_dialog is None
    with app_ctx.db.read() as session:
        assert session.scalars(select(Batch)).first() is None
    _wait_idle(qtbot, page)


def test_a_repeat_visitor_shows_the_earlier_case_on_the_card(qtbot: Any, app_ctx: AppContext) -> None:
    from reception_desk.services import cases, days
    from reception_desk.services.cases import CaseInput

    db, day = app_ctx.db, app_ctx.day_id
    assert day is not None
    earlier_day = days.create_day(db, dt.date(2026, 11, 6))[0].id
    person = PersonInput("柴卫发", id_number="33080319700101123X", phone="13857001234")
    data = RegistrationInput(lead=person, request="村道破损", theme_code="transport", township="湖南镇")
    old_batch, _ = add_registration(db, earlier_day, data)
    assign_day(db, earlier_day)
    flow.check_in(db, old_batch, "登记台")
    old_case, _ = cases.record_case(db, old_batch, CaseInput(outcome="explained"), "r")  # closed on the spot
    old_no = cases.case_detail(db, old_case).case_no
    today_batch, _ = add_registration(db, day, data)
    assign_day(db, day)

    page = _page(qtbot, app_ctx)
    qtbot.keyClicks(page.search_box, "Y0001")
    qtbot.waitUntil(lambda: page.card is not None and page.card.batch_id == today_batch, timeout=TIMEOUT)
    qtbot.waitUntil(page.repeat_label.isVisible, timeout=TIMEOUT)
    assert old_no in page.repeat_label.text() and "提级核查" in page.repeat_label.text()
    assert any(label.isVisible() and label.text() == "重复访" for label in page.flag_labels)
    _wait_idle(qtbot, page)
