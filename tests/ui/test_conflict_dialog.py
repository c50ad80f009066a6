"""A stale edit opens the conflict dialog: theirs and mine per field; choosing mine for one field and theirs for
another saves the merge (registrations page, edit dialog; the other laptop is another Database on the same file)."""

from __future__ import annotations

from typing import Any

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch
from reception_desk.services.registration_edit import load_registration, update_registration
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog, Side
from reception_desk.ui.pages.registrations_page import RegistrationsPage

WAIT = 10_000


def test_a_stale_edit_shows_theirs_and_mine_and_saves_the_merge(qtbot: Any, app_ctx: AppContext) -> None:
    assert app_ctx.day_id is not None
    data = RegistrationInput(PersonInput("王学德", phone="13805701234"), "反映征地补偿款未到位", township="湖南镇")
    batch_id, _ = add_registration(app_ctx.db, app_ctx.day_id, data)
    page = RegistrationsPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    page.select_batch(batch_id)
    page.edit_button.click()
    qtbot.waitUntil(lambda: page.active_dialog is not None and page.active_dialog.isVisible(), timeout=WAIT)
    dialog = page.active_dialog
    assert dialog is not None

    # meanwhile another laptop corrects the phone and the request and saves
    other = Database(app_ctx.db.url)
    try:
        theirs = load_registration(other, batch_id)
        theirs.data.lead.phone = "13905709999"
        theirs.data.request = "反映征地补偿款未到位（他人补充：已多次反映）"
        update_registration(other, batch_id, theirs.data, "登记台2", theirs.version, theirs.visitor_versions)
    finally:
        other.dispose()

    dialog.request.setPlainText("反映征地补偿款未到位，另反映安置房问题")
    dialog.lead_phone.setText("13805700000")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.active_conflict is not None and page.active_conflict.isVisible(), timeout=WAIT)
    conflict = page.active_conflict
    assert isinstance(conflict, ConflictDialog)
    assert conflict.shown("request") == (
        "反映征地补偿款未到位（他人补充：已多次反映）",
        "反映征地补偿款未到位，另反映安置房问题",
    )
    assert conflict.shown("lead_phone") == ("13905709999", "13805700000")
    assert {f.key for f in conflict.fields} == {"request", "lead_phone"}  # the township nobody changed is not asked
    conflict.choose("request", Side.MINE)
    conflict.choose("lead_phone", Side.THEIRS)
    conflict.merge_button.click()

    def saved() -> tuple[str, str, int]:
        with app_ctx.db.read() as session:
            batch = session.get_one(Batch, batch_id)
            return batch.request, batch.lead.phone, batch.version

    qtbot.waitUntil(lambda: saved()[2] == 3, timeout=WAIT)
    assert saved()[:2] == ("反映征地补偿款未到位，另反映安置房问题", "13905709999")
    qtbot.waitUntil(lambda: "已保存" in page.page_message.text(), timeout=WAIT)


def test_reload_takes_theirs_and_writes_nothing(qtbot: Any, app_ctx: AppContext) -> None:
    assert app_ctx.day_id is not None
    data = RegistrationInput(PersonInput("刘桂兰"), "反映低保问题")
    batch_id, _ = add_registration(app_ctx.db, app_ctx.day_id, data)
    page = RegistrationsPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    page.select_batch(batch_id)
    page.edit_button.click()
    qtbot.waitUntil(lambda: page.active_dialog is not None and page.active_dialog.isVisible(), timeout=WAIT)
    dialog = page.active_dialog
    assert dialog is not None
    theirs = load_registration(app_ctx.db, batch_id)
    theirs.data.request = "反映低保问题（他人已改）"
    update_registration(app_ctx.db, batch_id, theirs.data, "登记台2", theirs.version, theirs.visitor_versions)
    dialog.request.setPlainText("反映低保问题（我的修改）")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.active_conflict is not None and page.active_conflict.isVisible(), timeout=WAIT)
    assert page.active_conflict is not None
    page.active_conflict.reload_button.click()
    qtbot.waitUntil(lambda: "已重新载入" in page.page_message.text(), timeout=WAIT)
    with app_ctx.db.read() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.request, batch.version) == ("反映低保问题（他人已改）", 2)
