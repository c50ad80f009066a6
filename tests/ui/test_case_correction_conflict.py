"""更正案件 on the room host's page: a case another laptop saved meanwhile opens the conflict dialog; mine for one
field and theirs for another saves exactly that merge; 重新载入 writes nothing (the other laptop is another Database
on the same file)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Case, Department
from reception_desk.services import assignment, cases, flow
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.case_correction_dialog import CaseCorrectionDialog
from reception_desk.ui.dialogs.conflict_dialog import ConflictDialog, Side
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.room_host_page import RoomHostPage

TRANSPORT_ROOM = 8
WAIT = 10_000


def _case(ctx: AppContext) -> tuple[int, int]:
    """A handed-over case of room 8 (交通运输局, yellow); its id and the department's."""
    data = RegistrationInput(PersonInput("王学德", phone="13857001234"), "反映村道破损多年", theme_code="transport")
    batch_id, _ = add_registration(ctx.db, ctx.day_id or 0, data)
    assignment.assign_day(ctx.db, ctx.day_id or 0)
    flow.check_in(ctx.db, batch_id, "登记台")
    with ctx.db.read() as session:
        transport = session.scalar(select(Department.id).where(Department.name == "交通运输局"))
    assert transport is not None
    case_id, _ = cases.record_case(
        ctx.db,
        batch_id,
        cases.CaseInput(outcome="handed_over", colour="yellow", lead_department_id=transport),
        "接待室",
    )
    return case_id, transport


def _row(ctx: AppContext, case_id: int) -> tuple[str, str | None, int]:
    with ctx.db.read() as session:
        case = session.get_one(Case, case_id)
        return case.instruction, case.colour, case.version


def _open_correction(qtbot: Any, ctx: AppContext, pages: list[Page]) -> CaseCorrectionDialog:
    page = RoomHostPage(ctx)
    pages.append(page)
    page.resize(1190, 780)
    page.show()
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.room_combo.count() == 15, timeout=WAIT)
    page.choose_room(TRANSPORT_ROOM)
    qtbot.waitUntil(lambda: page.print_case_combo.count() == 1 and page.correct_case_button.isEnabled(), timeout=WAIT)
    page.correct_case_button.click()
    qtbot.waitUntil(lambda: page.active_correction is not None and page.active_correction.isVisible(), timeout=WAIT)
    assert page.active_correction is not None
    return page.active_correction


def _other_laptop_saves(ctx: AppContext, case_id: int, transport: int) -> None:
    other = Database(ctx.db.url)
    try:
        version = cases.case_detail(other, case_id).version
        theirs = cases.CaseInput(
            instruction="请交通运输局一周内现场查看", outcome="handed_over", colour="red", lead_department_id=transport
        )
        cases.update_case(other, case_id, theirs, "接待室2", version)
    finally:
        other.dispose()


def test_a_stale_case_correction_shows_theirs_and_mine_and_saves_the_merge(
    qtbot: Any, app_ctx: AppContext, pages: list[Page]
) -> None:
    case_id, transport = _case(app_ctx)
    dialog = _open_correction(qtbot, app_ctx, pages)
    _other_laptop_saves(app_ctx, case_id, transport)
    assert _row(app_ctx, case_id) == ("请交通运输局一周内现场查看", "red", 2)

    dialog.instruction.setPlainText("请交通运输局牵头修复村道")
    dialog.colour.setCurrentIndex(dialog.colour.findData("green"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.active_conflict is not None and dialog.active_conflict.isVisible(), timeout=WAIT)
    conflict = dialog.active_conflict
    assert isinstance(conflict, ConflictDialog)
    assert conflict.shown("instruction") == ("请交通运输局一周内现场查看", "请交通运输局牵头修复村道")
    assert conflict.shown("colour") == ("红色", "绿色")
    assert {f.key for f in conflict.fields} == {"instruction", "colour"}  # the unchanged request is not asked
    conflict.choose("instruction", Side.MINE)
    conflict.choose("colour", Side.THEIRS)
    conflict.merge_button.click()
    qtbot.waitUntil(lambda: _row(app_ctx, case_id)[2] == 3, timeout=WAIT)
    assert _row(app_ctx, case_id) == ("请交通运输局牵头修复村道", "red", 3)


def test_reload_puts_theirs_in_the_form_and_writes_nothing(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    case_id, transport = _case(app_ctx)
    dialog = _open_correction(qtbot, app_ctx, pages)
    _other_laptop_saves(app_ctx, case_id, transport)
    dialog.instruction.setPlainText("我的意见")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.active_conflict is not None and dialog.active_conflict.isVisible(), timeout=WAIT)
    assert dialog.active_conflict is not None
    dialog.active_conflict.reload_button.click()
    qtbot.waitUntil(lambda: "已重新载入" in dialog.message.text(), timeout=WAIT)
    assert _row(app_ctx, case_id) == ("请交通运输局一周内现场查看", "red", 2)
    assert dialog.instruction.toPlainText() == "请交通运输局一周内现场查看"
    assert dialog.colour.currentData() == "red"
