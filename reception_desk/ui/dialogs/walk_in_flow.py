"""Walk-ins at the desk (F2): the registration dialog in walk-in mode; on OK the walk-in is registered, given a room
and checked in at once. Someone already registered today is offered that batch instead (已预登记 …，直接签到？);
a second batch of the same person needs a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from reception_desk.db.engine import Database
from reception_desk.services import flow
from reception_desk.services.assignment import assign_day
from reception_desk.services.board import desk_card
from reception_desk.services.changes import ChangeSet
from reception_desk.services.registrations import (
    AlreadyRegisteredError,
    RegistrationInput,
    SameDayBatch,
    add_registration,
)
from reception_desk.ui.dialogs.checkin_dialogs import ReasonDialog
from reception_desk.ui.dialogs.registration_dialog import RegistrationDialog
from reception_desk.ui.dialogs.window_modal import answer_of
from reception_desk.ui.errors import show_error

if TYPE_CHECKING:
    from reception_desk.ui.pages.checkin_page import CheckInPage


def register_walk_in(
    db: Database, day_id: int, data: RegistrationInput, actor: str, second_batch_reason: str = ""
) -> tuple[int, ChangeSet]:
    """Register a walk-in, give it a room (assignment places only unassigned batches), check it in.

    Someone who already has a batch this day is refused (AlreadyRegisteredError) unless a reason is given.
    """
    batch_id, changes = add_registration(
        db, day_id, data, walk_in=True, actor=actor, second_batch_reason=second_batch_reason
    )
    report = assign_day(db, day_id, actor)
    changes.merge(report.changes)
    _info, checked = flow.check_in(db, batch_id, actor)
    return batch_id, changes.merge(checked)


class WalkInFlow(QObject):
    """The desk page's walk-in handling; its dialogs are children of the page."""

    def __init__(self, page: CheckInPage) -> None:
        super().__init__(page)
        self.page = page
        self.walk_in_dialog: RegistrationDialog | None = None
        self.question_box: QMessageBox | None = None  # 已预登记 …，直接签到？
        self.reason_dialog: ReasonDialog | None = None  # the reason for a second batch of the same person

    def open_walk_in(self) -> None:
        """F2: the registration dialog in walk-in mode; on OK the walk-in is registered, placed, checked in."""
        if self.page.ctx.day_id is None or self.page._busy or self.walk_in_dialog is not None:
            return
        dialog = RegistrationDialog(self.page, walk_in=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.page.spawn(self.register_walk_in(dialog.registration())))
        dialog.finished.connect(self._walk_in_closed)
        self.walk_in_dialog = dialog
        dialog.open()

    def _walk_in_closed(self, _result: int) -> None:
        self.walk_in_dialog = None
        self.page.focus_search()

    async def register_walk_in(self, data: RegistrationInput, second_batch_reason: str = "") -> None:
        """Register, place and check in a walk-in; show the room and 排队号 at once.

        Someone already registered today is not registered again: the desk is offered that batch
        (已预登记 Y0083 柴卫发，直接签到？); a second batch needs a reason.
        """
        if self.page.ctx.day_id is None:
            return
        existing: SameDayBatch | None = None
        self.page._busy = True
        self.page._set_buttons_enabled(False)
        try:
            result = await self.page.ctx.write(
                register_walk_in, self.page.ctx.db, self.page.ctx.day_id, data, self.page.ctx.actor, second_batch_reason
            )
            card = await self.page.guarded(self.page.ctx.read(desk_card, self.page.ctx.db, result[0]))
            if card is not None:
                self.page._after_check_in(card)
        except AlreadyRegisteredError as exc:
            existing = exc.existing
        except Exception as exc:
            show_error(self.page, exc)
        finally:
            self.page._busy = False
            self.page._set_buttons_enabled(True)
            self.page.focus_search()
        if existing is not None:
            await self._offer_existing(existing, data)

    async def _offer_existing(self, existing: SameDayBatch, data: RegistrationInput) -> None:
        """已预登记 …，直接签到？ Yes: that batch, selected and checked in; 另行登记: a second batch with a reason."""
        if existing.source == "pre":
            text = self.tr("已预登记 {0} {1}，直接签到？").format(existing.reg_no, existing.lead_name)
        else:
            text = self.tr("今日已登记 {0} {1}，直接签到？").format(existing.reg_no, existing.lead_name)
        box = QMessageBox(self.page)
        box.setObjectName("alreadyRegisteredBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("已有登记"))
        box.setText(text)
        box.setInformativeText(self.tr("同一人同一天不重复登记。确需另立一批（另一件事），请选“另行登记”并填写原因。"))
        check_in = box.addButton(self.tr("直接签到"), QMessageBox.ButtonRole.AcceptRole)
        second = box.addButton(self.tr("另行登记…"), QMessageBox.ButtonRole.ActionRole)
        cancel = box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(check_in)
        box.setEscapeButton(cancel)
        self.question_box = box
        try:
            await answer_of(box)
            clicked = box.clickedButton()
        finally:
            self.question_box = None
            box.deleteLater()
        if clicked is check_in:
            await self.page.open_batch(existing.reg_no, existing.batch_id, check_in=True)
        elif clicked is second:
            dialog = ReasonDialog(
                self.tr("另行登记"),
                self.tr("{0} 今日已有登记 {1}。另立一批须说明原因（记入操作记录和批次备注）。").format(
                    existing.lead_name, existing.reg_no
                ),
                self.tr("另行登记"),
                self.tr("例如：另一件不相关的事项"),
                self.page,
            )
            dialog.setObjectName("secondBatchDialog")
            self.reason_dialog = dialog
            try:
                accepted = await answer_of(dialog) == QDialog.DialogCode.Accepted
                reason = dialog.reason()
            finally:
                self.reason_dialog = None
                dialog.deleteLater()
            if accepted:
                await self.register_walk_in(data, reason)
