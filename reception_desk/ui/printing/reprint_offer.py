"""After a checked-in batch moves to another room it has a new 排队号: offer to reprint its ticket.

One small question box, reusable wherever a move happens (the desk, the room board):

    await offer_ticket_reprint(widget, ctx, printer, batch_id)

It reads the batch's ticket; when the batch has a number (it is at the venue and in a room) it asks
"Y0003 王学德 已调至第7接待室，新的排队号为 3 号（前面还有 1 批）。重新打印排队号？" with 重新打印 as the default
button and, on yes, prints through the page's PrintRunner (the usual preview). A batch without a number (not
checked in yet) is not asked about.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from reception_desk.db.engine import Database
from reception_desk.services.errors import InvalidInputError, NotFoundError
from reception_desk.services.print_data import QueueTicket, queue_ticket
from reception_desk.ui.context import AppContext
from reception_desk.ui.printing import jobs

OBJECT_NAME = "reprintOffer"


def ticket_if_numbered(db: Database, batch_id: int) -> QueueTicket | None:
    """The batch's ticket data, or None when it has no number (not checked in, no room) or is gone."""
    try:
        return queue_ticket(db, batch_id)
    except (InvalidInputError, NotFoundError):
        return None


def reprint_question(parent: QWidget, ticket: QueueTicket) -> QMessageBox:
    """The question box (not yet shown): 重新打印 (default, Enter) or 不打印 (Esc)."""
    room = ticket.room_name or QCoreApplication.translate("reprint_offer", "第{0}接待室").format(ticket.room_number)
    text = QCoreApplication.translate("reprint_offer", "{0} {1} 已调至{2}，新的排队号为 {3} 号。").format(
        ticket.reg_no, ticket.lead_name, room, ticket.queue_number
    )
    if ticket.ahead:
        text += QCoreApplication.translate("reprint_offer", "（前面还有 {0} 批）").format(ticket.ahead)
    box = QMessageBox(parent)
    box.setObjectName(OBJECT_NAME)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("reprint_offer", "重新打印排队号"))
    box.setText(text)
    box.setInformativeText(QCoreApplication.translate("reprint_offer", "原排队号已作废。重新打印排队号？"))
    reprint = box.addButton(QCoreApplication.translate("reprint_offer", "重新打印"), QMessageBox.ButtonRole.AcceptRole)
    skip = box.addButton(QCoreApplication.translate("reprint_offer", "不打印"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reprint)
    box.setEscapeButton(skip)
    return box


async def ask(box: QMessageBox) -> bool:
    """Show the box window-modal without a nested event loop; True when 重新打印 was chosen."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[bool] = loop.create_future()

    def done(_result: int) -> None:
        if not answer.done():
            clicked = box.clickedButton()
            answer.set_result(clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.AcceptRole)

    box.finished.connect(done)
    box.open()
    try:
        return await answer
    finally:
        box.deleteLater()


async def offer_ticket_reprint(parent: QWidget, ctx: AppContext, printer: jobs.PrintRunner, batch_id: int) -> bool:
    """After a move: ask whether to reprint the batch's ticket and print it on yes. True when printed."""
    ticket = await ctx.read(ticket_if_numbered, ctx.db, batch_id)
    if ticket is None:
        return False
    if not await ask(reprint_question(parent, ticket)):
        return False
    return await printer.run(jobs.queue_ticket_job(ctx.db, batch_id, ticket.reg_no)) is not None
