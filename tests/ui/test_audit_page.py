"""The 操作日志 page: an edit made through the service shows with its before → after; filters; who sees it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDateTime

from reception_desk.domain.roles import Role
from reception_desk.services.authz import Actor
from reception_desk.services.registrations import PersonInput
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.audit_page import AuditLogPage
from tests.helpers import register
from tests.test_audit_log import edit_request

WAIT = 5000


def _page(qtbot: Any, pages: list[Any], ctx: AppContext) -> AuditLogPage:
    page = AuditLogPage(ctx)
    pages.append(page)
    page.resize(1100, 600)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    return page


def test_the_page_lists_an_edit_with_its_before_and_after(qtbot: Any, app_ctx: AppContext, pages: list[Any]) -> None:
    assert PersonInput  # the registrations come from the shared builder
    batch_id = register(app_ctx.db, app_ctx.day_id or 0, 2)[0]
    page = _page(qtbot, pages, app_ctx)
    shown_before = len(page.model.rows)
    assert shown_before >= 3  # the day, two registrations

    # an edit by someone at the desk: the bus brings the page up to date
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        edit_request(app_ctx.db, batch_id, "拖欠工资已部分发放", "desk1")
        from reception_desk.services.changes import ChangeSet

        app_ctx.bus.publish(ChangeSet(batches={batch_id}))
    assert len(page.model.rows) == shown_before + 1
    top = page.model.index(0, 0)
    texts = [page.model.data(top.siblingAtColumn(c)) for c in range(5)]
    assert texts[1:4] == ["desk1", "修改登记", "批次 Y0001"]
    assert texts[4] == "诉求：反映问题0 → 拖欠工资已部分发放"

    page.table.selectRow(0)
    qtbot.waitUntil(lambda: bool(page.detail_rows()), timeout=WAIT)
    assert page.detail_rows() == [("诉求", "反映问题0", "拖欠工资已部分发放")]
    assert "desk1" in page.detail_title.text() and "修改登记" in page.detail_title.text()

    # filters: the user, then a registration number, then a time window that holds nothing
    page.user_combo.setCurrentIndex(page.user_combo.findData("desk1"))
    qtbot.waitUntil(lambda: len(page.model.rows) == 1, timeout=WAIT)
    page.user_combo.setCurrentIndex(0)
    page.number_edit.setText("Y0002")
    qtbot.waitUntil(lambda: {r.subject for r in page.model.rows} == {"批次 Y0002"}, timeout=WAIT)
    page.number_edit.setText("")
    page.to_edit.setDateTime(QDateTime(2001, 1, 1, 0, 0, 0))
    qtbot.waitUntil(lambda: not page.model.rows, timeout=WAIT)
    assert page.count_label.text() == "共 0 条"


def test_a_desk_user_does_not_load_the_log(qtbot: Any, app_ctx: AppContext, pages: list[Any]) -> None:
    app_ctx.user = Actor("desk1", Role.DESK)
    page = _page(qtbot, pages, app_ctx)
    assert not page.allowed() and page.model.rows == []
    app_ctx.user = Actor("chief", Role.SUPERVISOR)
    assert page.allowed()
