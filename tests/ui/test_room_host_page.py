"""The room host's page: choose the room, call the next batch, record the outcome, drafts survive, no-shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from reception_desk.db.models import Batch, Case, CaseDepartment, Department
from reception_desk.services import assignment, drafts, flow
from reception_desk.services.plan import DepartmentInfo
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.services.room_queue import DepartmentChoices
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.room_host_page import ROOM_KEY, RoomHostPage
from reception_desk.ui.widgets.outcome_form import OutcomeForm
from tests.ui.settling import settle

TRANSPORT_ROOM = 8  # the default plan's only transport room
DAY = dt.date(2026, 12, 4)
WAIT = 5000


def _register(ctx: AppContext, name: str, companions: int = 0) -> int:
    data = RegistrationInput(
        lead=PersonInput(name, phone="13857001234"),
        request=f"{name}反映村道破损多年，要求修复。",
        theme_code="transport",
        companions=[PersonInput(f"{name}同行{i}") for i in range(1, companions + 1)],
        township="湖南镇",
        village="破石村",
    )
    batch_id, _ = add_registration(ctx.db, ctx.day_id or 0, data)
    return batch_id


def _queue(ctx: AppContext) -> tuple[int, int, int]:
    """Two batches checked in (waiting in room 8), one assigned but not arrived."""
    first = _register(ctx, "王学德", companions=2)
    second = _register(ctx, "吴建国")
    absent = _register(ctx, "郑小明")
    assignment.assign_day(ctx.db, ctx.day_id or 0)
    flow.check_in(ctx.db, first, "登记台")
    flow.check_in(ctx.db, second, "登记台")
    return first, second, absent


def _batch(ctx: AppContext, batch_id: int) -> Batch:
    with ctx.db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch


def _dept_id(ctx: AppContext, name: str) -> int:
    with ctx.db.read() as session:
        dept_id = session.scalar(select(Department.id).where(Department.name == name))
        assert dept_id is not None
        return dept_id


def _page(qtbot: Any, ctx: AppContext, pages: list[Page]) -> RoomHostPage:
    page = RoomHostPage(ctx)
    pages.append(page)
    page.resize(1190, 780)
    page.show()
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.room_combo.count() == 15, timeout=WAIT)
    return page


def _open_room(qtbot: Any, ctx: AppContext, pages: list[Page]) -> RoomHostPage:
    page = _page(qtbot, ctx, pages)
    page.choose_room(TRANSPORT_ROOM)
    qtbot.waitUntil(lambda: len(page.queue_model.items) == 3, timeout=WAIT)
    return page


def _call(qtbot: Any, page: RoomHostPage, batch_id: int) -> None:
    qtbot.waitUntil(page.call_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(page.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.form.batch_id == batch_id and page.form.isEnabled(), timeout=WAIT)


def test_room_is_chosen_and_remembered_by_number(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    first, second, absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    assert int(str(app_ctx.settings.value(ROOM_KEY))) == TRANSPORT_ROOM
    assert page.room_combo.currentText().startswith("第8接待室 · 交通基础设施")
    # waiting in call order, the not-yet-arrived last (greyed)
    assert [i.batch_id for i in page.queue_model.items] == [first, second, absent]
    assert [i.arrived for i in page.queue_model.items] == [True, True, False]
    assert page.queue_model.index(2, 5).data() == "未签到"
    assert page.queue_model.index(0, 3).data() == "3"

    again = _page(qtbot, app_ctx, pages)  # a new window on this laptop opens on the same room
    assert again.room_combo.currentText().startswith("第8接待室")
    qtbot.waitUntil(lambda: len(again.queue_model.items) == 3, timeout=WAIT)


def test_call_next_puts_the_first_batch_in_session(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    first, _second, _absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    assert not page.start_button.isEnabled()  # nothing selected
    _call(qtbot, page, first)

    batch = _batch(app_ctx, first)
    assert batch.status == "in_session" and batch.started_at is not None
    assert page.session_title.text() == "接谈中：Y0001 · 王学德 · 3人"
    assert page.detail_labels["companions"].text() == "王学德同行1、王学德同行2"
    assert page.detail_labels["place"].text() == "湖南镇 破石村"
    assert page.detail_labels["phone"].text() == "13857001234"
    assert page.form.request_edit.toPlainText() == "王学德反映村道破损多年，要求修复。"
    assert [i.batch_id for i in page.queue_model.items] != [] and first not in {
        i.batch_id for i in page.queue_model.items
    }
    assert not page.call_button.isEnabled()  # one batch at a time
    # the lead combo offers the theme's departments first
    assert page.form.lead_combo.itemText(0) == "交通运输局"


def test_record_outcome_through_the_form(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    first, second, _absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    _call(qtbot, page, first)
    form = page.form
    lead = _dept_id(app_ctx, "交通运输局")
    co = _dept_id(app_ctx, "湖南镇")

    form.request_edit.setPlainText("王学德等3人反映破石村村道破损，要求修复。")
    form.instruction_edit.setPlainText("请区交通运输局会同湖南镇三日内现场查看并答复。")
    qtbot.mouseClick(form.outcome_buttons["handed_over"], Qt.MouseButton.LeftButton)
    assert not form.save_button.isEnabled()
    assert form.message.text() == "交办须选择主办单位。"

    form.lead_combo.setCurrentIndex(form.lead_combo.findData(lead))
    assert form.message.text().startswith("交办须选择颜色分类")
    co_items = [form.co_list.item(r) for r in range(form.co_list.count())]
    assert all(item.isHidden() for item in co_items if item.data(Qt.ItemDataRole.UserRole + 1) == lead)
    next(item for item in co_items if item.text() == "湖南镇").setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(form.colour_buttons["yellow"], Qt.MouseButton.LeftButton)
    assert form.due_label.text() == "黄色 3个工作日内反馈，2026年12月9日前"  # Fri + Mon, Tue, Wed
    assert form.save_button.isEnabled() and form.message.text() == ""

    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.case_banner.isVisible(), timeout=WAIT)

    with app_ctx.db.read() as session:
        case = session.scalar(select(Case).where(Case.batch_id == first))
        assert case is not None
        co_ids = list(session.scalars(select(CaseDepartment.department_id).where(CaseDepartment.case_id == case.id)))
    assert case.outcome == "handed_over" and case.colour == "yellow"
    assert case.lead_department_id == lead and co_ids == [co]
    assert case.due_date == dt.date(2026, 12, 9)
    assert case.request == "王学德等3人反映破石村村道破损，要求修复。"
    assert case.instruction == "请区交通运输局会同湖南镇三日内现场查看并答复。"
    assert case.case_no == "JF-20261204-08-001"
    assert page.case_number_label.text() == "已生成案件 JF-20261204-08-001"
    assert _batch(app_ctx, first).status == "done"
    assert drafts.load_draft(app_ctx.db, first) is None

    # the batch left the queue; the form is empty and waits for the next one
    qtbot.waitUntil(lambda: first not in {i.batch_id for i in page.queue_model.items}, timeout=WAIT)
    assert form.batch_id is None and not form.isEnabled()
    assert form.instruction_edit.toPlainText() == ""
    qtbot.waitUntil(page.call_button.isEnabled, timeout=WAIT)
    _call(qtbot, page, second)
    assert form.instruction_edit.toPlainText() == "" and form.outcome() == "handed_over" and form.colour() is None


def test_explained_needs_no_department(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    first, _second, _absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    _call(qtbot, page, first)
    form = page.form
    form.instruction_edit.setPlainText("已向来访人解释相关政策。")
    qtbot.mouseClick(form.outcome_buttons["explained"], Qt.MouseButton.LeftButton)
    form.lead_combo.setEditText("不存在的单位")
    assert form.message.text() == "主办单位“不存在的单位”不在单位目录中，请从列表中选择。"
    form.lead_combo.setEditText("")
    assert form.save_button.isEnabled()
    form.request_save()
    qtbot.waitUntil(lambda: page.case_banner.isVisible(), timeout=WAIT)
    with app_ctx.db.read() as session:
        case = session.scalar(select(Case).where(Case.batch_id == first))
        assert case is not None
    assert case.outcome == "explained" and case.lead_department_id is None and case.due_date is None


def test_draft_survives_the_page(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    first, _second, _absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    _call(qtbot, page, first)
    form = page.form
    lead = _dept_id(app_ctx, "交通运输局")
    form.instruction_edit.setPlainText("请交通运输局核实")
    form.instruction_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(form.instruction_edit, " ok")
    form.lead_combo.setCurrentIndex(form.lead_combo.findData(lead))
    qtbot.mouseClick(form.colour_buttons["red"], Qt.MouseButton.LeftButton)

    def saved() -> bool:
        draft = drafts.load_draft(app_ctx.db, first)
        return draft is not None and draft.get("colour") == "red"

    qtbot.waitUntil(saved, timeout=WAIT)
    draft = drafts.load_draft(app_ctx.db, first)
    assert draft is not None and draft["instruction"] == "请交通运输局核实 ok"
    qtbot.waitUntil(lambda: page.draft_state.text() == "草稿已自动保存", timeout=WAIT)
    with qtbot.waitSignal(page.destroyed, timeout=WAIT):
        settle(qtbot, [page])

    rebuilt = _page(qtbot, app_ctx, pages)  # the room is remembered; the draft comes back from the database
    qtbot.waitUntil(lambda: rebuilt.form.batch_id == first and rebuilt.form.isEnabled(), timeout=WAIT)
    assert rebuilt.form.instruction_edit.toPlainText() == "请交通运输局核实 ok"
    assert rebuilt.form.lead_department_id() == lead
    assert rebuilt.form.colour() == "red"
    assert rebuilt.draft_state.text() == "已恢复未保存的草稿"
    assert rebuilt.form.due_label.text() == "红色 7个工作日内反馈，2026年12月15日前"


def test_return_to_queue_keeps_place_and_draft(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    first, second, _absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    _call(qtbot, page, first)
    page.form.instruction_edit.setPlainText("待来访人取回材料后继续")
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)  # at once, before the debounce
    qtbot.waitUntil(lambda: _batch(app_ctx, first).status == "waiting", timeout=WAIT)
    qtbot.waitUntil(lambda: page.form.batch_id is None, timeout=WAIT)
    draft = drafts.load_draft(app_ctx.db, first)
    assert draft is not None and draft["instruction"] == "待来访人取回材料后继续"
    assert [i.batch_id for i in page.queue_model.items][:2] == [first, second]

    # out of turn: select the second batch and start it
    assert page.select_batch(second)
    qtbot.waitUntil(page.start_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.form.batch_id == second and page.form.isEnabled(), timeout=WAIT)
    assert _batch(app_ctx, second).status == "in_session"
    assert page.form.instruction_edit.toPlainText() == ""


def test_no_show_asks_first(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    _first, _second, absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    assert page.select_batch(absent)
    assert not page.start_button.isEnabled()  # not checked in: cannot come in
    qtbot.mouseClick(page.no_show_button, Qt.MouseButton.LeftButton)
    box = page.findChild(QMessageBox, "confirmNoShow")
    assert box is not None and "Y0003" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    assert _batch(app_ctx, absent).status == "registered"

    assert page.select_batch(absent)
    qtbot.mouseClick(page.no_show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.findChild(QMessageBox, "confirmNoShow") is not None, timeout=WAIT)
    box = page.findChild(QMessageBox, "confirmNoShow")
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: _batch(app_ctx, absent).status == "no_show", timeout=WAIT)
    qtbot.waitUntil(lambda: absent not in {i.batch_id for i in page.queue_model.items}, timeout=WAIT)
    assert "未到 1 批" in page.queue_summary.text()


def test_keyboard_f3_calls_and_ctrl_s_saves(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    first, _second, _absent = _queue(app_ctx)
    page = _open_room(qtbot, app_ctx, pages)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT)
    qtbot.waitUntil(page.call_button.isEnabled, timeout=WAIT)
    page.queue_view.setFocus()
    qtbot.keyClick(page.queue_view, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: page.form.batch_id == first and page.form.isEnabled(), timeout=WAIT)
    assert page.form.instruction_edit.hasFocus()  # the host types the instruction straight away
    qtbot.keyClicks(page.form.instruction_edit, "OK")
    qtbot.mouseClick(page.form.outcome_buttons["resolved"], Qt.MouseButton.LeftButton)
    qtbot.keyClick(page.form.instruction_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.case_banner.isVisible(), timeout=WAIT)
    assert _batch(app_ctx, first).status == "done"


def test_form_resolves_short_names_and_counts_working_days(qtbot: Any) -> None:
    def dept(dept_id: int, name: str, short: str, kind: str = "bureau") -> DepartmentInfo:
        return DepartmentInfo(dept_id, name, short, kind, "", "", True, 1)

    form = OutcomeForm()
    qtbot.addWidget(form)
    form.set_day(DAY, working_days=True)  # 2026-12-04 is a Friday
    form.set_departments(
        DepartmentChoices(
            (dept(1, "人力资源和社会保障局", "人社局"), dept(2, "医疗保障局", "医保局")),
            (dept(3, "云溪乡", "云溪", "township"),),
        )
    )
    form.set_batch(7, "欠薪三个月", None)
    assert form.request_edit.toPlainText() == "欠薪三个月" and form.outcome() == "handed_over"
    form.lead_combo.setEditText("人社局")  # the short name will do
    assert form.lead_department_id() == 1
    form.colour_buttons["yellow"].click()
    assert form.due_label.text() == "黄色 3个工作日内反馈，2026年12月9日前"  # Mon, Tue, Wed
    items = {form.co_list.item(r).text(): form.co_list.item(r) for r in range(form.co_list.count())}
    assert items["人力资源和社会保障局"].isHidden()  # the lead is not its own co-department
    items["云溪乡"].setCheckState(Qt.CheckState.Checked)
    form.co_filter.setText("医保")
    assert not items["医疗保障局"].isHidden() and items["云溪乡"].isHidden() and items["常用单位"].isHidden()
    assert form.co_department_ids() == [3]
    assert form.case_input().co_department_ids == [3] and form.problem() == ""
    with qtbot.waitSignal(form.save_requested, timeout=WAIT):
        form.request_save()


def test_a_repeat_visitor_shows_earlier_cases_and_escalates(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    from reception_desk.services import case_life, cases, days
    from reception_desk.services.cases import CaseInput

    # an earlier day: the same person (same resident ID), case handed over and closed
    earlier_day = days.create_day(app_ctx.db, dt.date(2026, 11, 6))[0].id
    person = PersonInput("王学德", id_number="33080319700101123X", phone="13857001234")
    data = RegistrationInput(lead=person, request="村道破损", theme_code="transport", township="湖南镇")
    old_batch, _ = add_registration(app_ctx.db, earlier_day, data)
    assignment.assign_day(app_ctx.db, earlier_day)
    flow.check_in(app_ctx.db, old_batch, "登记台")
    lead = _dept_id(app_ctx, "交通运输局")
    old_case, _ = cases.record_case(
        app_ctx.db, old_batch, CaseInput(outcome="handed_over", colour="green", lead_department_id=lead), "r"
    )
    case_life.sign_case(app_ctx.db, old_case, "交通局 李", "督办")
    case_life.add_feedback(app_ctx.db, old_case, "已修复", "交通局", "督办")
    case_life.close_case(app_ctx.db, old_case, True, "督办")
    old_no = cases.case_detail(app_ctx.db, old_case).case_no

    today_batch, _ = add_registration(app_ctx.db, app_ctx.day_id or 0, data)
    assignment.assign_day(app_ctx.db, app_ctx.day_id or 0)
    flow.check_in(app_ctx.db, today_batch, "登记台")
    page = _page(qtbot, app_ctx, pages)
    page.choose_room(TRANSPORT_ROOM)
    qtbot.waitUntil(lambda: len(page.queue_model.items) == 1, timeout=WAIT)
    _call(qtbot, page, today_batch)
    form = page.form
    qtbot.waitUntil(lambda: form.repeat_label.isVisible(), timeout=WAIT)
    assert old_no in form.repeat_label.text() and "重复访" in page.session_flags.text()
    assert form.escalate_check.isVisible() and form.escalate_check.isChecked()  # proposed for a closed case

    qtbot.mouseClick(form.outcome_buttons["handed_over"], Qt.MouseButton.LeftButton)
    form.lead_combo.setCurrentIndex(form.lead_combo.findData(lead))
    qtbot.mouseClick(form.colour_buttons["red"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.case_banner.isVisible(), timeout=WAIT)
    with app_ctx.db.read() as session:
        case = session.scalar(select(Case).where(Case.batch_id == today_batch))
        assert case is not None
    assert case.repeat_of_case_id == old_case and case.escalated
