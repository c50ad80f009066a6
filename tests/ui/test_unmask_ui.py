"""显示完整号码 on screen: the desk card and the edit dialog ask the reason, show the whole ID (logged), then mask it
again after a while; a role without the right sees the button disabled, saying why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from reception_desk.db.models import AuditEntry
from reception_desk.domain import resident_id
from reception_desk.domain.roles import Role
from reception_desk.services.authz import Actor
from reception_desk.services.registration_edit import load_registration
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs import reveal_dialog
from reception_desk.ui.dialogs.registration_dialog import RegistrationDialog
from reception_desk.ui.dialogs.reveal_dialog import RevealReasonDialog
from reception_desk.ui.pages.checkin_page import CheckInPage
from reception_desk.ui.pages.registrations_page import RegistrationsPage
from reception_desk.ui.roles_view import refusal_tip

WAIT = 5000
SHOWN_MS = 400  # the test's "20 seconds"
WXD_ID = resident_id.make("330803", dt.date(1962, 3, 8), 31)
DESK = Actor("desk1", Role.DESK)
HOST = Actor("host1", Role.HOST, (1, 2, 3))


@pytest.fixture(autouse=True)
def short_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole number stays on screen for a fraction of a second in these tests."""
    monkeypatch.setattr(reveal_dialog, "SHOW_MS", SHOWN_MS)


def _register(ctx: AppContext) -> int:
    assert ctx.day_id is not None
    data = RegistrationInput(PersonInput("王学德", WXD_ID, "13805701234"), "反映征地补偿款未到位")
    return add_registration(ctx.db, ctx.day_id, data)[0]


def _unmasks(ctx: AppContext) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "unmask")))


def _desk(qtbot: Any, ctx: AppContext, pages: list[Any], user: Actor) -> CheckInPage:
    ctx.user = user
    ctx.actor = user.name
    page = CheckInPage(ctx)
    pages.append(page)
    page.resize(1190, 780)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    return page


def _give_reason(qtbot: Any, dialog: RevealReasonDialog, reason: str) -> None:
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    assert not dialog.ok_button.isEnabled()  # no reason, no number
    assert [dialog.reason_box.itemText(i) for i in range(dialog.reason_box.count())] == [
        "核对来访人身份证件",
        "联系来访人",
        "更正登记信息",
    ]
    dialog.reason_box.setEditText(reason)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()


def test_the_desk_card_reveals_the_id_after_a_reason_and_masks_it_again(
    qtbot: Any, app_ctx: AppContext, pages: list[Any]
) -> None:
    _register(app_ctx)
    page = _desk(qtbot, app_ctx, pages, DESK)
    qtbot.keyClicks(page.search_box, "wxd")
    qtbot.waitUntil(lambda: page.card is not None and page.member_list.count() == 1, timeout=WAIT)
    line = page.member_list.item(0)
    assert resident_id.mask(WXD_ID) in line.text() and WXD_ID not in line.text()
    assert page.reveal_button.isVisible() and page.reveal_button.isEnabled()

    page.reveal_button.click()
    dialog = page.reveal_flow.dialog
    assert dialog is not None
    dialog.reason_box.setEditText("   ")
    assert not dialog.ok_button.isEnabled()  # blanks are no reason
    _give_reason(qtbot, dialog, "核对来访人身份证件")
    qtbot.waitUntil(lambda: WXD_ID in page.member_list.item(0).text(), timeout=WAIT)
    (entry,) = _unmasks(app_ctx)
    assert (entry.actor, entry.reason, entry.after) == (
        "desk1",
        "核对来访人身份证件",
        {"field": "id_number", "name": "王学德"},
    )

    # after the (shortened) display time the line is masked again, nothing else changed
    qtbot.waitUntil(lambda: resident_id.mask(WXD_ID) in page.member_list.item(0).text(), timeout=WAIT)
    assert WXD_ID not in page.member_list.item(0).text() and page.reveal_flow.shown is None
    qtbot.waitUntil(lambda: not page._tasks and not page.reveal_flow._tasks, timeout=WAIT)


def test_cancelling_the_reason_shows_nothing_and_logs_nothing(
    qtbot: Any, app_ctx: AppContext, pages: list[Any]
) -> None:
    _register(app_ctx)
    page = _desk(qtbot, app_ctx, pages, DESK)
    qtbot.keyClicks(page.search_box, "wxd")
    qtbot.waitUntil(lambda: page.card is not None and page.member_list.count() == 1, timeout=WAIT)
    page.reveal_button.click()
    dialog = page.reveal_flow.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    qtbot.keyClick(dialog.reason_box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert WXD_ID not in page.member_list.item(0).text() and _unmasks(app_ctx) == []


def test_a_room_host_sees_the_button_disabled_with_the_reason(
    qtbot: Any, app_ctx: AppContext, pages: list[Any], widgets: list[Any]
) -> None:
    batch_id = _register(app_ctx)
    page = _desk(qtbot, app_ctx, pages, HOST)
    page.reveal_button.setEnabled(True)  # what the card does when a person is selected
    assert not page.reveal_button.isEnabled() and page.reveal_button.toolTip() == refusal_tip()

    editable = load_registration(app_ctx.db, batch_id)
    dialog = RegistrationDialog(initial=editable.data, reg_no=editable.reg_no, reveal_allowed=False)
    widgets.append(dialog)
    assert not dialog.reveal_button.isEnabled() and dialog.reveal_button.toolTip() == refusal_tip()
    new = RegistrationDialog(reveal_allowed=True)  # a new registration has nothing to reveal
    widgets.append(new)
    assert new.reveal_button.isHidden()


def test_the_edit_dialog_reveals_the_leads_id_and_masks_it_again(
    qtbot: Any, app_ctx: AppContext, pages: list[Any]
) -> None:
    batch_id = _register(app_ctx)
    app_ctx.user, app_ctx.actor = DESK, DESK.name
    page = RegistrationsPage(app_ctx)
    pages.append(page)
    page.resize(1200, 760)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    page.spawn(page._open_edit(batch_id))
    qtbot.waitUntil(lambda: page.active_dialog is not None and page.active_dialog.isVisible(), timeout=WAIT)
    dialog = page.active_dialog
    assert dialog is not None and dialog.lead_id.text() == resident_id.mask(WXD_ID)
    assert dialog.reveal_button.isVisible() and dialog.reveal_button.isEnabled()

    dialog.reveal_button.click()
    reason = page.reveal_flow.dialog
    assert reason is not None and reason.parent() is dialog  # on top of the edit dialog, not behind it
    _give_reason(qtbot, reason, "更正登记信息")
    qtbot.waitUntil(lambda: dialog.lead_id.text() == WXD_ID, timeout=WAIT)
    (entry,) = _unmasks(app_ctx)
    assert (entry.actor, entry.reason) == ("desk1", "更正登记信息")
    qtbot.waitUntil(lambda: dialog.lead_id.text() == resident_id.mask(WXD_ID), timeout=WAIT)
    assert dialog.registration().lead.id_number == WXD_ID  # the masked text still means the same number
    dialog.reject()
    qtbot.waitUntil(lambda: not page._tasks and not page.reveal_flow._tasks, timeout=WAIT)


def test_the_audit_page_filters_the_looks_at_whole_numbers(qtbot: Any, app_ctx: AppContext, pages: list[Any]) -> None:
    from reception_desk.services import unmask
    from reception_desk.ui.pages.audit_page import AuditLogPage

    batch_id = _register(app_ctx)
    editable = load_registration(app_ctx.db, batch_id)
    assert editable.lead_visitor_id is not None
    unmask.reveal(app_ctx.db, "desk1", editable.lead_visitor_id, "联系来访人", field=unmask.PHONE)
    app_ctx.user, app_ctx.actor = Actor("admin", Role.ADMIN), "admin"
    page = AuditLogPage(app_ctx)
    pages.append(page)
    page.resize(1100, 600)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    kinds = [page.kind_combo.itemData(i) for i in range(page.kind_combo.count())]
    index = kinds.index(("action", "unmask"))
    assert page.kind_combo.itemText(index) == "查看完整号码" and ("action", "export_unmasked") in kinds
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.kind_combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: len(page.model.rows) == 1, timeout=WAIT)
    (row,) = page.model.rows
    assert (row.actor, row.subject, row.reason) == ("desk1", "来访人 王学德", "联系来访人")
    assert "13805701234" not in repr(row)
