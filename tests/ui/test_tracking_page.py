"""督办台: urgency order with the days over, filters, the departments' load, paging, and the case dialog."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from reception_desk.db.models import Case, CaseEvent, Department
from reception_desk.services import assignment, case_life, cases, flow
from reception_desk.services.cases import CaseInput
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.case_dialog import CaseDialog
from reception_desk.ui.models.tracking_model import BADGE_ROLE, Column, TrackingModel
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.tracking_page import TrackingPage

WAIT = 5000
LABOUR = "人力资源和社会保障局"
TRANSPORT = "交通运输局"


def _dept(ctx: AppContext, name: str) -> int:
    with ctx.db.read() as session:
        found = session.scalar(select(Department.id).where(Department.name == name))
        assert found is not None
        return found


def _cases(ctx: AppContext, specs: list[tuple[str, str, str]]) -> list[int]:
    """Handed-over cases of the test day, one per (visitor, theme, colour); lead department by theme."""
    day_id = ctx.day_id or 0
    batches = []
    for index, (name, theme, _colour) in enumerate(specs):
        data = RegistrationInput(
            lead=PersonInput(name, phone=f"138570{index:05d}"), request=f"{name}反映的问题", theme_code=theme
        )
        batches.append(add_registration(ctx.db, day_id, data)[0])
    assignment.assign_day(ctx.db, day_id)
    ids = []
    for batch_id, (_name, theme, colour) in zip(batches, specs, strict=True):
        flow.check_in(ctx.db, batch_id, "登记台")
        lead = _dept(ctx, LABOUR if theme == "labour" else TRANSPORT)
        decision = CaseInput(outcome="handed_over", colour=colour, lead_department_id=lead, instruction="请核实答复。")
        ids.append(cases.record_case(ctx.db, batch_id, decision, "记录员")[0])
    return ids


def _due(ctx: AppContext, case_id: int) -> dt.date:
    due = cases.case_detail(ctx.db, case_id).due_date
    assert due is not None
    return due


def _page(qtbot: Any, ctx: AppContext, pages: list[Page], today: dt.date, rows: int) -> TrackingPage:
    page = TrackingPage(ctx)
    pages.append(page)
    page.today = today
    page.resize(1196, 700)
    page.show()
    page.schedule_reload()
    qtbot.waitUntil(lambda: page.last_data is not None and page.model.rowCount() == rows, timeout=WAIT)
    return page


def _reloaded(qtbot: Any, page: TrackingPage, check: Any) -> None:
    qtbot.waitUntil(lambda: not page._tasks and not page._debounce.isActive() and check(), timeout=WAIT)


def _cell(page: TrackingPage, row: int, column: Column) -> str:
    return str(page.model.index(row, column).data())


def test_overdue_first_with_the_days_over(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    red, yellow, green = _cases(
        app_ctx, [("王红", "labour", "red"), ("王黄", "labour", "yellow"), ("王绿", "transport", "green")]
    )
    today = _due(app_ctx, yellow)  # green is past its date, yellow is due today, red later
    over = (today - _due(app_ctx, green)).days
    assert over > 0 and _due(app_ctx, red) > today
    page = _page(qtbot, app_ctx, pages, today, 3)

    numbers = [page.model.case_at(r).case_id for r in range(3)]  # type: ignore[union-attr]
    assert numbers == [green, yellow, red]
    assert _cell(page, 0, Column.URGENCY) == f"逾期 {over} 天"
    badge = page.model.index(0, Column.URGENCY).data(BADGE_ROLE)
    assert badge[0] == f"逾期 {over} 天" and badge[2] == "#c62828"  # a red badge
    assert _cell(page, 1, Column.URGENCY) == "今日到期"
    assert _cell(page, 2, Column.URGENCY) == "办理中"
    assert page.model.index(2, Column.URGENCY).data(BADGE_ROLE) is None
    assert _cell(page, 0, Column.STATUS) == "待签收"
    assert page.count_label.text() == "共 3 件，逾期 1 件"

    page.status_filter.setCurrentIndex(page.status_filter.findData("today"))  # 今日到期
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 1)
    assert page.model.case_at(0).case_id == yellow  # type: ignore[union-attr]
    page.clear_filters()
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 3)

    # the working day before the yellow deadline: yellow is due on the next working day (a yellow badge)
    page.today = today - dt.timedelta(days=1)
    assert page.today.weekday() < 5
    page.schedule_reload()
    _reloaded(qtbot, page, lambda: _cell(page, 1, Column.URGENCY) == "即将到期")
    assert _cell(page, 0, Column.URGENCY) == f"逾期 {(page.today - _due(app_ctx, green)).days} 天"
    assert page.model.index(1, Column.URGENCY).data(BADGE_ROLE)[2] == "#fdd835"


def test_filters_narrow_the_list(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    ids = _cases(app_ctx, [("李一", "labour", "red"), ("李二", "transport", "yellow"), ("李三", "transport", "green")])
    case_life.supervise_case(app_ctx.db, ids[1], "群众反映强烈", "局长")
    today = _due(app_ctx, ids[2]) + dt.timedelta(days=1)  # only the green one is past its date
    assert _due(app_ctx, ids[1]) >= today
    page = _page(qtbot, app_ctx, pages, today, 3)

    page.supervised_only.setChecked(True)
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 1)
    assert page.model.case_at(0).case_id == ids[1]  # type: ignore[union-attr]
    assert _cell(page, 0, Column.SUPERVISED) == "督"
    assert page.model.index(0, Column.CASE_NO).data(Qt.ItemDataRole.BackgroundRole) is not None  # tinted row
    assert page.count_label.text() == "共 1 件，逾期 0 件"

    page.clear_filters()
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 3)
    transport = _dept(app_ctx, TRANSPORT)
    page.department_filter.setCurrentIndex(page.department_filter.findData(transport))
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 2)
    assert {page.model.case_at(r).case_id for r in range(2)} == {ids[1], ids[2]}  # type: ignore[union-attr]
    assert {_cell(page, r, Column.DEPARTMENT) for r in range(2)} == {TRANSPORT}

    page.status_filter.setCurrentIndex(page.status_filter.findData("overdue"))
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 1)  # only the green one is past its date
    assert page.model.case_at(0).case_id == ids[2]  # type: ignore[union-attr]


def test_department_load_counts_and_click_filters(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    ids = _cases(
        app_ctx,
        [
            ("赵一", "labour", "green"),
            ("赵二", "labour", "red"),
            ("赵三", "labour", "yellow"),
            ("赵四", "transport", "red"),
        ],
    )
    today = _due(app_ctx, ids[2])  # green past due, yellow due today, reds later
    expected: dict[str, tuple[int, int, int]] = {}
    for case_id in ids:
        detail = cases.case_detail(app_ctx.db, case_id)
        open_, overdue, on_time = expected.get(detail.lead_department, (0, 0, 0))
        late = _due(app_ctx, case_id) < today
        expected[detail.lead_department] = (open_ + 1, overdue + late, on_time + (not late))
    page = _page(qtbot, app_ctx, pages, today, 4)

    shown = {
        page.load_model.index(r, 0).data(): tuple(int(page.load_model.index(r, c).data()) for c in (1, 2, 3))
        for r in range(page.load_model.rowCount())
    }
    assert shown == expected
    assert page.load_model.index(0, 0).data() == LABOUR  # the most overdue first

    row = next(r for r in range(page.load_model.rowCount()) if page.load_model.index(r, 0).data() == TRANSPORT)
    rect = page.load_view.visualRect(page.load_model.index(row, 0))
    qtbot.mouseClick(page.load_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.department_filter.currentText() == TRANSPORT
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 1)
    assert page.model.case_at(0).case_id == ids[3]  # type: ignore[union-attr]


def test_rows_are_paged_in_as_the_table_scrolls(
    qtbot: Any, app_ctx: AppContext, pages: list[Page], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TrackingModel, "PAGE_SIZE", 2)
    ids = _cases(app_ctx, [(f"孙{i}", "labour", "red") for i in range(5)])
    # the first read brings one page; the table, taller than two rows, asks for the rest page by page
    page = _page(qtbot, app_ctx, pages, _due(app_ctx, ids[0]), 5)
    assert page.last_data is not None and len(page.last_data.rows) == 2 and page.last_data.total == 5
    assert not page.model.canFetchMore()
    assert sorted(c.case_id for c in page.model.rows()) == sorted(ids)
    assert page.count_label.text() == "共 5 件，逾期 0 件"


def _open(qtbot: Any, page: TrackingPage, case_id: int) -> CaseDialog:
    assert page.select_case(case_id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.active_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view is not None and dialog.view.detail.case_id == case_id, timeout=WAIT)
    return dialog


def _save(qtbot: Any, dialog: CaseDialog, step: str) -> None:
    assert dialog.form.current_step() == step
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(dialog.step_saved, timeout=WAIT):
        qtbot.keyClick(dialog.form.currentWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def _events(ctx: AppContext, case_id: int) -> list[tuple[str, str, str]]:
    with ctx.db.read() as session:
        return [
            (e.kind, e.actor, e.text)
            for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at))
        ]


def test_dialog_takes_a_case_through_its_life(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    (case_id,) = _cases(app_ctx, [("周一", "labour", "yellow")])
    page = _page(qtbot, app_ctx, pages, _due(app_ctx, case_id), 1)
    dialog = _open(qtbot, page, case_id)
    form = dialog.form
    assert form.current_step() == "sign" and not dialog.save_button.isEnabled()  # 签收人 first
    assert dialog.events_model.rowCount() == 1  # the handover itself

    form.sign_by.setText("劳动监察科 陈明")
    _save(qtbot, dialog, "sign")
    assert form.current_step() == "feedback"
    assert dialog.view is not None and dialog.view.detail.signed_by == "劳动监察科 陈明"

    form.feedback_text.setPlainText("已约谈用工单位，工资分两期支付。")
    form.feedback_by.setText("陈明")
    _save(qtbot, dialog, "feedback")
    assert form.current_step() == "close"
    assert not dialog.save_button.isEnabled()  # 化解 has no default: it must be chosen
    qtbot.mouseClick(form.resolved_buttons["yes"], Qt.MouseButton.LeftButton)
    form.close_text.setPlainText("欠薪已全部支付。")
    _save(qtbot, dialog, "close")

    assert form.current_step() == "follow_up"
    form.method_combo.setCurrentIndex(form.method_combo.findData("visit"))
    qtbot.mouseClick(form.rating_buttons["satisfied"], Qt.MouseButton.LeftButton)
    _save(qtbot, dialog, "follow_up")

    kinds = [kind for kind, _by, _text in _events(app_ctx, case_id)]
    assert kinds == ["signed", "feedback", "closed", "follow_up"]
    assert _events(app_ctx, case_id)[1] == ("feedback", "陈明", "已约谈用工单位，工资分两期支付。")
    with app_ctx.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.resolved, case.satisfaction) == ("closed", True, "satisfied")
    steps = [dialog.events_model.index(r, 1).data() for r in range(dialog.events_model.rowCount())]
    assert steps == ["交办", "签收", "反馈", "办结", "回访"]
    assert "上门 · 满意" in dialog.events_model.index(4, 3).data()
    # the page heard the change-set: the case is closed and left the default list
    _reloaded(qtbot, page, lambda: page.model.rowCount() == 0)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.active_dialog is None, timeout=WAIT)


def test_a_step_out_of_order_is_refused_and_nothing_changes(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    (case_id,) = _cases(app_ctx, [("吴一", "transport", "red")])
    page = _page(qtbot, app_ctx, pages, _due(app_ctx, case_id), 1)
    dialog = _open(qtbot, page, case_id)
    with app_ctx.db.read() as session:
        before = session.get(Case, case_id)
        assert before is not None
        version = before.version

    dialog.form.choose("follow_up")
    assert "尚未办结" in dialog.form.hints["follow_up"].text()  # the form says why before anyone tries
    qtbot.mouseClick(dialog.form.rating_buttons["dissatisfied"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "errorDialog") is not None, timeout=WAIT)
    box = dialog.findChild(QMessageBox, "errorDialog")
    assert box is not None and "尚未办结" in box.text() and "回访" in box.text()
    box.close()

    assert _events(app_ctx, case_id) == []
    with app_ctx.db.read() as session:
        after = session.get(Case, case_id)
        assert after is not None
        assert (after.status, after.satisfaction, after.version) == ("open", None, version)
    qtbot.waitUntil(lambda: dialog.form.current_step() == "sign", timeout=WAIT)  # back to the step to take


def test_supervise_and_extend_from_the_dialog(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    (case_id,) = _cases(app_ctx, [("郑一", "labour", "green")])
    due = _due(app_ctx, case_id)
    page = _page(qtbot, app_ctx, pages, due + dt.timedelta(days=2), 1)
    assert _cell(page, 0, Column.URGENCY) == "逾期 2 天"
    dialog = _open(qtbot, page, case_id)
    assert dialog.reminder_button.isEnabled()  # overdue: a 催办单 can be printed

    dialog.form.choose("supervise")
    dialog.form.supervise_reason.setPlainText("逾期未签收")
    _save(qtbot, dialog, "supervise")
    assert "supervise" not in [dialog.form.tabText(i) for i in range(dialog.form.count())]
    dialog.form.choose("extend")
    new_due = dialog.form.extend_date.date().toPython()
    dialog.form.extend_reason.setPlainText("需会同多部门核查")
    dialog.form.extend_approver.setText("分管副局长")
    _save(qtbot, dialog, "extend")

    detail = cases.case_detail(app_ctx.db, case_id)
    assert detail.supervised and detail.supervision_reason == "逾期未签收"
    assert detail.due_date == new_due and detail.original_due_date == due
    assert [k for k, _b, _t in _events(app_ctx, case_id)] == ["supervised", "extended"]
    _reloaded(qtbot, page, lambda: _cell(page, 0, Column.SUPERVISED) == "督")
    assert page.model.case_at(0).due_date == new_due  # type: ignore[union-attr]


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_dialog_prints_the_slip_and_a_reminder_for_an_overdue_case(
    qtbot: Any, app_ctx: AppContext, pages: list[Page]
) -> None:
    late, on_time = _cases(app_ctx, [("冯一", "labour", "green"), ("冯二", "labour", "red")])
    today = _due(app_ctx, late) + dt.timedelta(days=1)
    page = _page(qtbot, app_ctx, pages, today, 2)
    dialog = _open(qtbot, page, late)
    case_no = cases.case_detail(app_ctx.db, late).case_no

    qtbot.waitUntil(dialog.reminder_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(dialog.reminder_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.printer.last_preview is not None, timeout=WAIT)
    preview = dialog.printer.last_preview
    assert preview is not None
    text = _pdf_text(preview.pdf_bytes())
    assert "催办单" in text and case_no in text and LABOUR in text
    preview.close()
    qtbot.waitUntil(lambda: dialog.printer.last_preview is None and dialog.slip_button.isEnabled(), timeout=WAIT)

    qtbot.mouseClick(dialog.slip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.printer.last_preview is not None, timeout=WAIT)
    slip = dialog.printer.last_preview
    assert slip is not None and "交办单" in _pdf_text(slip.pdf_bytes()) and case_no in _pdf_text(slip.pdf_bytes())
    slip.close()
    dialog.close()

    other = _open(qtbot, page, on_time)  # not overdue: no reminder
    assert not other.reminder_button.isEnabled() and other.slip_button.isEnabled()
    other.close()
