"""数据保留 in the main window: a banner when people's personal data is due for pseudonymisation, and the
confirmation (default 取消) that runs it — shared by the banner and 设置 → 数据保留.

The banner is a reminder, never a blocker: it shows only to an admin (or in 单机模式), after the window is ready
and whenever another user logs in; the check is a read (services/retention.preview) on the database thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QVBoxLayout, QWidget

from reception_desk.domain.roles import Permission
from reception_desk.services import retention
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.window_modal import answer_of
from reception_desk.ui.errors import show_error

STYLE = """
QFrame#retentionBanner { background: #eef4ff; border-bottom: 1px solid #9db8e8; }
QFrame#retentionBanner QLabel { color: #1d3f7a; font-weight: bold; }
QFrame#retentionBanner QPushButton { padding: 2px 12px; }
"""


def may_apply(ctx: AppContext) -> bool:
    """True for an admin, or anyone in 单机模式 (the service checks again)."""
    return ctx.user.may(Permission.ADMIN)


async def confirm_and_apply(parent: QWidget, ctx: AppContext, pending: int) -> retention.RetentionResult | None:
    """Ask (取消 is the default button), then pseudonymise on the slow thread; None when cancelled or failed.

    The open question box is kept on `parent.retention_confirm` while it waits (tests answer it).
    """
    box = QMessageBox(parent)
    box.setObjectName("retentionConfirm")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("retention_notice", "数据保留"))
    box.setText(QCoreApplication.translate("retention_notice", "将 {0} 人的个人信息化名处理？").format(pending))
    box.setInformativeText(
        QCoreApplication.translate(
            "retention_notice",
            "姓名改为“某某”，身份证号和电话删除，且无法恢复。案件内容和统计数据保持不变。处理前请确认已按规定备份。",
        )
    )
    apply_button = box.addButton(
        QCoreApplication.translate("retention_notice", "化名处理"), QMessageBox.ButtonRole.DestructiveRole
    )
    cancel = box.addButton(QCoreApplication.translate("retention_notice", "取消"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    parent.retention_confirm = box  # type: ignore[attr-defined]
    try:
        await answer_of(box)
        clicked = box.clickedButton()
    finally:
        parent.retention_confirm = None  # type: ignore[attr-defined]
        box.deleteLater()
    if clicked is not apply_button:
        return None
    try:
        return await ctx.write_slow(retention.apply, ctx.db, ctx.actor)
    except Exception as exc:
        show_error(parent, exc)
        return None


def done_text(result: retention.RetentionResult) -> str:
    """What the window says after a run."""
    return QCoreApplication.translate(
        "retention_notice", "已化名处理 {0} 人（{1} 批，{2} 件）；案件和统计数据不变。"
    ).format(result.people, result.batches, result.cases)


class RetentionNotice:
    """The banner under the header of one window: 有 N 人的个人信息已超过保留期限 [立即处理…]."""

    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        self.window, self.ctx = window, ctx
        self.pending = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self.banner = QFrame()
        self.banner.setObjectName("retentionBanner")
        self.banner.setStyleSheet(STYLE)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(18, 3, 18, 3)
        self.label = QLabel()
        self.label.setObjectName("retentionLabel")
        self.button = QPushButton(QCoreApplication.translate("retention_notice", "立即处理…"))
        self.button.setObjectName("retentionApplyButton")
        self.button.clicked.connect(lambda: self._spawn(self.run()))
        self.later = QPushButton(QCoreApplication.translate("retention_notice", "稍后"))
        self.later.setObjectName("retentionLaterButton")
        self.later.clicked.connect(self.banner.hide)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        row.addWidget(self.later)
        self.banner.hide()
        central = window.centralWidget()
        layout = central.layout() if central is not None else None
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(1, self.banner)  # under the header
        ctx.user_changed.connect(lambda: self._spawn(self.check()))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def check(self) -> int:
        """Show the banner when people are due (admins and 单机模式 only); returns how many are due."""
        if not may_apply(self.ctx):
            self.banner.hide()
            return 0
        try:
            found = await self.ctx.read(retention.preview, self.ctx.db)
        except Exception:  # a reminder never stops the window (a locked or unreachable database says so elsewhere)
            return 0
        self.pending = found.people
        if found.people > 0 and found.cutoff is not None:
            self.label.setText(
                QCoreApplication.translate(
                    "retention_notice",
                    "数据保留：有 {0} 人的个人信息已超过保留期限（{1} 之前结案，保留 {2} 年），应化名处理。",
                ).format(found.people, found.cutoff.isoformat(), found.policy_years)
            )
            self.banner.show()
        else:
            self.banner.hide()
        return found.people

    async def run(self) -> None:
        """立即处理…: confirm, pseudonymise, say what was done."""
        self.button.setEnabled(False)
        try:
            result = await confirm_and_apply(self.window, self.ctx, self.pending)
        finally:
            self.button.setEnabled(True)
        if result is not None:
            self.window.statusBar().showMessage(done_text(result), 15000)
            await self.check()
