"""The desk's big panel (请到 …): the selected batch's room, its 排队号 and 前面还有 N 批, large enough to read across
the desk, or a hint; it never keeps the previous visitor's room. Its property `state` (fresh, already, selected,
moved, undone or empty) colours it through the page's style sheet; 打印排队号 shows when there is a number."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.services.board import DeskCard
from reception_desk.ui.printing import jobs


class TicketPanel(QFrame):
    """请到 …: where the shown batch goes and its number; the page connects print_ticket_button."""

    def __init__(self, printer: jobs.PrintRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.printer = printer
        self.card: DeskCard | None = None  # the batch the panel shows (its room, or that it is not here)
        self.state = ""
        self.setObjectName("ticketPanel")
        self.setMinimumHeight(240)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.setSpacing(6)
        self.ticket_headline = QLabel()
        self.ticket_headline.setObjectName("ticketHeadline")
        self.ticket_headline.setWordWrap(True)
        self.room_label = QLabel()
        self.room_label.setObjectName("ticketRoom")
        self.room_label.setWordWrap(True)
        self.queue_label = QLabel()
        self.queue_label.setObjectName("ticketNumber")
        self.ahead_label = QLabel()
        self.ahead_label.setObjectName("ticketAhead")
        self.ticket_hint = QLabel()
        self.ticket_hint.setObjectName("ticketHint")
        self.ticket_hint.setWordWrap(True)
        number_row = QHBoxLayout()
        number_row.setSpacing(24)
        number_row.addWidget(self.queue_label)
        number_row.addWidget(self.ahead_label, 0, Qt.AlignmentFlag.AlignBottom)
        number_row.addStretch(1)
        for label in (self.ticket_headline, self.room_label):
            layout.addWidget(label)
        layout.addLayout(number_row)
        for label in (self.ticket_hint,):
            layout.addWidget(label)
        layout.addStretch(1)
        self.print_ticket_button = QPushButton(self.tr("打印排队号  Ctrl+P"))
        self.print_ticket_button.setObjectName("printTicketButton")
        self.print_ticket_button.setToolTip(self.tr("在 80 毫米小票打印机上打印排队号（先预览）"))
        self.print_ticket_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the typing stays in the search box
        self.print_ticket_button.hide()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.print_ticket_button)
        layout.addLayout(row)

    def show_hint(self) -> None:
        """The panel before anyone has checked in (or after Esc)."""
        self.set_state("")
        self.ticket_headline.setText(self.tr("签到后，这里用大字显示接待室和排队号，请来访人核对。"))
        self.room_label.setText("")
        self.room_label.hide()
        self.queue_label.setText("")
        self.queue_label.hide()
        self.ticket_hint.setText(
            self.tr("查找：姓名（如 王学德）、拼音首字母（如 wxd）、电话、身份证后4位或登记号（如 Y12）。")
        )
        self.ticket_hint.show()
        self.ahead_label.hide()
        self.card = None
        self.update_print_button()

    def show_pending(self, card: DeskCard) -> None:
        """The selected batch is not here yet: its name, no room, no number (never another visitor's)."""
        self.set_state("")
        self.ticket_headline.setText(self.tr("尚未签到：{0}").format(self._who(card)))
        self.room_label.setText("")
        self.room_label.hide()
        self.queue_label.setText("")
        self.queue_label.hide()
        self.ahead_label.hide()
        hint = self.tr("该批次已标记未到；来访人到场后回车签到。") if card.status == BatchStatus.NO_SHOW.value else ""
        self.ticket_hint.setText(hint or self.tr("核对来访人后回车签到；集体访可选择到场人员。"))
        self.ticket_hint.show()
        self.card = card
        self.update_print_button()

    def show_undone(self, card: DeskCard, old_number: int | None) -> None:
        """After 撤销签到: say so; the old number is void."""
        self.set_state("undone")
        self.ticket_headline.setText(self.tr("已撤销签到：{0}").format(self._who(card)))
        self.room_label.hide()
        self.queue_label.hide()
        self.ahead_label.hide()
        if card.at_venue:
            hint = self.tr("已签到 {0}/{1} 人，排队号不变。").format(card.checked_in_count, len(card.members))
        elif old_number is not None:
            hint = self.tr("原排队号 {0} 作废，不再发出；该批次退回“已登记”。").format(old_number)
        else:
            hint = self.tr("该批次退回“已登记”。")
        self.ticket_hint.setText(hint)
        self.ticket_hint.show()
        self.card = card
        self.update_print_button()

    def _who(self, card: DeskCard) -> str:
        who = f"{card.reg_no} {card.lead_name}"
        return self.tr("{0} 等{1}人").format(who, card.headcount) if card.headcount > 1 else who

    def show_ticket(self, card: DeskCard, state: str) -> None:
        """Show where the batch goes, its 排队号 and 前面还有 N 批. state: fresh, already, selected or moved."""
        self.set_state(state)
        who = f"{card.reg_no} {card.lead_name}"
        if card.headcount > 1:
            who = self.tr("{0} 等{1}人").format(who, card.headcount)
        if state == "fresh":
            headline = self.tr("签到成功：{0}").format(who)
            if len(card.members) > 1 and card.checked_in_count < len(card.members):
                headline = self.tr("已签到 {0}/{1} 人：{2}").format(card.checked_in_count, len(card.members), who)
        elif card.status == BatchStatus.DONE.value:
            headline = self.tr("该批次已接待完毕：{0}").format(who)
        elif card.status == BatchStatus.IN_SESSION.value:
            headline = self.tr("该批次正在接谈：{0}").format(who)
        elif state == "selected":
            headline = self.tr("已签到 {0}/{1} 人：{2}").format(card.checked_in_count, len(card.members), who)
        elif state == "moved":
            headline = self.tr("已调整接待室：{0}").format(who)
        else:
            headline = self.tr("该批次已签到，无需重复签到：{0}").format(who)
        self.ticket_headline.setText(headline)
        if card.room is not None:
            place = f"{card.room.name} · {card.room.location}" if card.room.location else card.room.name
            self.room_label.setText(self.tr("请到 {0}").format(place))
        else:
            self.room_label.setText(self.tr("请在等候区稍候"))
        self.room_label.show()
        self.queue_label.setText(
            self.tr("排队号 {0}").format(card.queue_number) if card.queue_number is not None else ""
        )
        self.queue_label.setVisible(card.queue_number is not None)
        if card.ahead is not None:
            self.ahead_label.setText(
                self.tr("前面还有 {0} 批").format(card.ahead) if card.ahead else self.tr("前面没有等候的批次")
            )
        self.ahead_label.setVisible(card.ahead is not None)
        hint = ""
        if card.room is None:
            hint = self.tr("尚未分配接待室，工作人员将尽快安排。")
        elif Flag.ID_TO_CHECK.value in card.flags:
            hint = self.tr("身份证号待核对：请查看证件原件。")
        self.ticket_hint.setText(hint)
        self.ticket_hint.setVisible(bool(hint))
        self.card = card
        self.update_print_button()

    # ---- the print button and the state ----

    def update_print_button(self) -> None:
        """打印排队号 shows when the panel has a number, enabled while the printer is free."""
        card = self.card
        printable = card is not None and card.queue_number is not None
        self.print_ticket_button.setVisible(printable)
        self.print_ticket_button.setEnabled(printable and not self.printer.busy)

    def set_state(self, state: str) -> None:
        """The panel's colour (fresh, already, selected, moved, undone, or empty)."""
        self.state = state
        self.setProperty("state", state)
        self.style().unpolish(self)
        self.style().polish(self)
