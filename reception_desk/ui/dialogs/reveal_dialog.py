"""显示完整号码: ask why, fetch the whole number through the service (logged), show it for a short time, mask again.

    flow = RevealFlow(ctx, page)
    flow.ask(visitor_id, "王学德", "id_number", show=lambda value: ..., hide=lambda: ...)

The reason dialog offers the usual reasons in an editable list and refuses an empty one. The number comes from
services/unmask.reveal on the database thread (it checks the role and writes the audit entry); `show` puts it on
screen and after SHOW_MS `hide` masks it again (a newer reveal, or `hide_now`, masks the previous one first).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from reception_desk.services import unmask
from reception_desk.ui.context import AppContext
from reception_desk.ui.errors import show_error

SHOW_MS = 20_000  # how long a whole number stays on screen (tests lower it)


class RevealReasonDialog(QDialog):
    """Why the whole number is needed: one of the usual reasons or one typed; OK only with a reason."""

    def __init__(self, name: str, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revealReasonDialog")
        self.setWindowTitle(self.tr("显示完整号码"))
        what = self.tr("电话") if field == unmask.PHONE else self.tr("身份证号")
        layout = QVBoxLayout(self)
        self.prompt = QLabel(self.tr("查看{0}的完整{1}，请写明原因（将记入操作日志）：").format(name, what))
        self.prompt.setWordWrap(True)
        layout.addWidget(self.prompt)
        self.reason_box = QComboBox()
        self.reason_box.setObjectName("revealReason")
        self.reason_box.setEditable(True)
        self.reason_box.addItems([self.tr("核对来访人身份证件"), self.tr("联系来访人"), self.tr("更正登记信息")])
        self.reason_box.setCurrentIndex(-1)
        self.reason_box.setMinimumWidth(320)
        edit = self.reason_box.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(self.tr("选择或输入原因"))
        layout.addWidget(self.reason_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("revealOk")
        self.ok_button.setText(self.tr("显示"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_box.editTextChanged.connect(self._refresh)
        self._refresh()

    def reason(self) -> str:
        """The reason as chosen or typed, trimmed."""
        return self.reason_box.currentText().strip()

    def _refresh(self, _text: str = "") -> None:
        self.ok_button.setEnabled(bool(self.reason()))

    def accept(self) -> None:
        """Close with OK only when there is a reason."""
        if self.reason():
            super().accept()


class RevealFlow(QObject):
    """The 显示完整号码 steps for one page: the reason dialog, the logged look-up, the timed display."""

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.dialog: RevealReasonDialog | None = None
        self.shown: unmask.Revealed | None = None  # what is on screen now (None: masked)
        self._hide: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide_now)

    def ask(
        self,
        visitor_id: int,
        name: str,
        field: str,
        show: Callable[[str], None],
        hide: Callable[[], None],
        over: QWidget | None = None,
    ) -> RevealReasonDialog:
        """Open the reason dialog (window-modal over `over`, else the page); on OK fetch the number and show it
        for SHOW_MS."""
        dialog = RevealReasonDialog(name, field, over or self.parent_widget)
        dialog.accepted.connect(lambda: self._spawn(self.reveal(visitor_id, field, dialog.reason(), show, hide)))
        self.dialog = dialog
        dialog.open()
        return dialog

    async def reveal(
        self, visitor_id: int, field: str, reason: str, show: Callable[[str], None], hide: Callable[[], None]
    ) -> unmask.Revealed | None:
        """The service call on the database thread; the number on screen until the timer masks it again."""
        try:
            shown = await self.ctx.write(unmask.reveal, self.ctx.db, self.ctx.actor, visitor_id, reason, field)
        except Exception as exc:
            show_error(self.parent_widget, exc)
            return None
        self.hide_now()
        self.shown = shown
        self._hide = hide
        show(shown.value)
        self.timer.start(SHOW_MS)
        return shown

    def hide_now(self) -> None:
        """Mask the number shown (the timer, a new reveal, or the card showing someone else)."""
        self.timer.stop()
        hide, self._hide, self.shown = self._hide, None, None
        if hide is not None:
            hide()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
