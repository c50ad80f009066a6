"""设置 → 数据保留 saves the policy to the database; the main window's reminder banner shows the people due and
立即处理… pseudonymises them only after the confirmation (取消 is its default button)."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from reception_desk.domain import office_time
from reception_desk.services import demo, retention
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.settings_page import SettingsPage
from reception_desk.ui.widgets.retention_notice import RetentionNotice

WAIT = 10000


def test_retention_tab_saves_the_policy(qtbot: Any, app_ctx: AppContext, pages: list[Page]) -> None:
    page = SettingsPage(app_ctx)
    pages.append(page)
    page.resize(1190, 780)
    page.show()
    page.tabs.setCurrentWidget(page.retention_tab)
    qtbot.waitUntil(lambda: "没有到期的人员" in page.retention_status.text(), timeout=WAIT)
    assert page.retention_years.value() == 5 and not page.retention_keep_hashes.isChecked()
    assert not page.retention_apply_button.isEnabled()  # nobody due

    page.retention_years.setValue(7)
    page.retention_keep_hashes.setChecked(True)
    qtbot.mouseClick(page.save_retention_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: retention.policy(app_ctx.db) == retention.RetentionPolicy(7, True), timeout=WAIT)
    qtbot.waitUntil(lambda: "7 年" in page.retention_message.text(), timeout=WAIT)

    page.retention_years.setValue(0)
    assert page.retention_years.text() == "永久保留"
    qtbot.mouseClick(page.save_retention_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: retention.policy(app_ctx.db).years == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: page.retention_status.text() == "永久保留：不做化名处理。", timeout=WAIT)


def _button(box: QMessageBox, text: str) -> Any:
    return next(b for b in box.buttons() if b.text() == text)


def test_reminder_banner_applies_after_confirmation(qtbot: Any, app_ctx: AppContext, widgets: list[Any]) -> None:
    # a demo day seven years ago: its closed cases are past the five years kept
    demo.create_demo_day(app_ctx.db, seed=2006, date=retention.cutoff_date(office_time.today(), 7))
    due = retention.preview(app_ctx.db).people
    assert due > 100

    window = QMainWindow()
    widgets.append(window)
    central = QWidget()
    QVBoxLayout(central).addWidget(QLabel("header"))
    window.setCentralWidget(central)
    notice = RetentionNotice(window, app_ctx)
    window.show()
    checking = asyncio.ensure_future(notice.check())
    qtbot.waitUntil(checking.done, timeout=WAIT)
    assert notice.banner.isVisible() and f"有 {due} 人" in notice.label.text()

    # 取消 is the default: Enter on the question changes nothing
    qtbot.mouseClick(notice.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(window, "retention_confirm", None) is not None, timeout=WAIT)
    box = window.retention_confirm  # type: ignore[attr-defined]
    assert box.defaultButton() is _button(box, "取消")
    assert str(due) in box.text()
    box.defaultButton().click()
    qtbot.waitUntil(lambda: window.retention_confirm is None and notice.button.isEnabled(), timeout=WAIT)  # type: ignore[attr-defined]
    assert retention.preview(app_ctx.db).people == due

    qtbot.mouseClick(notice.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(window, "retention_confirm", None) is not None, timeout=WAIT)
    _button(window.retention_confirm, "化名处理").click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not notice.banner.isVisible(), timeout=30000)
    assert retention.preview(app_ctx.db).people == 0
    assert f"已化名处理 {due} 人" in window.statusBar().currentMessage()
