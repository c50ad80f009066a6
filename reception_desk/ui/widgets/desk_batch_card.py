"""The desk's batch card: registration number, lead visitor, status, flags (请核对身份证, 重复访), the request,
the people with a tick box each (a group checks in person by person), and the card's buttons (撤销签到 F8,
换接待室 F6, 显示完整号码, 签到所选, 全部签到); the page connects the buttons and keeps which batch is shown.
IDs are masked; 显示完整号码 (a reason asked, logged) shows the selected person's whole ID for a short time."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.services.board import CardMember, DeskCard
from reception_desk.ui.widgets.desk_inputs import MemberList
from reception_desk.ui.widgets.room_card import flag_label, status_label

MEMBER_ROLE = Qt.ItemDataRole.UserRole + 2
REQUEST_EXCERPT = 140


class DeskBatchCard(QFrame):
    """The selected batch in detail, or a hint when none is selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)

        head = QHBoxLayout()
        self.card_reg_no = QLabel()
        self.card_reg_no.setObjectName("cardRegNo")
        self.card_lead = QLabel()
        self.card_lead.setObjectName("cardLead")
        self.card_status = QLabel()
        self.card_status.setObjectName("cardStatus")
        head.addWidget(self.card_reg_no)
        head.addWidget(self.card_lead)
        head.addStretch(1)
        head.addWidget(self.card_status)
        layout.addLayout(head)

        self.card_meta = QLabel()
        self.card_meta.setObjectName("cardMeta")
        self.card_meta.setWordWrap(True)
        layout.addWidget(self.card_meta)

        flags = QHBoxLayout()
        flags.setSpacing(6)
        self.id_check_label = QLabel(self.tr("请核对身份证"))
        self.id_check_label.setObjectName("idCheck")
        flags.addWidget(self.id_check_label)
        self.flag_labels: list[QLabel] = []
        for _ in range(3):
            label = QLabel()
            label.setObjectName("cardFlag")
            flags.addWidget(label)
            self.flag_labels.append(label)
        flags.addStretch(1)
        layout.addLayout(flags)
        self.repeat_label = QLabel()
        self.repeat_label.setObjectName("repeatLabel")
        self.repeat_label.setWordWrap(True)
        self.repeat_label.setVisible(False)
        layout.addWidget(self.repeat_label)

        self.card_request = QLabel()
        self.card_request.setObjectName("cardRequest")
        self.card_request.setWordWrap(True)
        layout.addWidget(self.card_request)

        self.members_title = QLabel()
        self.members_title.setObjectName("cardMeta")
        layout.addWidget(self.members_title)
        self.member_list = MemberList()
        self.member_list.setObjectName("members")
        self.member_list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # focused when picking who is here
        layout.addWidget(self.member_list)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        self.undo_button = QPushButton(self.tr("撤销签到 F8"))
        self.undo_button.setObjectName("undoCheckIn")
        self.undo_button.setToolTip(self.tr("撤销这一批（或其中一人）的签到，须填写原因；原排队号作废"))
        self.move_button = QPushButton(self.tr("换接待室 F6"))
        self.move_button.setObjectName("moveRoom")
        self.move_button.setToolTip(self.tr("调到其他接待室，须填写原因；已签到的批次在新接待室重新排号"))
        self.reveal_button = QPushButton(self.tr("显示完整号码"))
        self.reveal_button.setObjectName("revealId")
        self.reveal_button.setToolTip(
            self.tr("显示所选人员（未选时为带队人）的完整身份证号（须填写原因，记入操作日志，稍后自动隐藏）")
        )
        for button in (self.undo_button, self.move_button, self.reveal_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.check_selected_button = QPushButton(self.tr("签到所选"))
        self.check_selected_button.setObjectName("checkInSelected")
        self.check_all_button = QPushButton(self.tr("全部签到"))
        self.check_all_button.setObjectName("checkInAll")
        for button in (self.check_selected_button, self.check_all_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.card_hint = QLabel(self.tr("找到来访人后，这里显示批次详情：诉求、标记、同行人员；集体访可逐人勾选签到。"))
        self.card_hint.setObjectName("cardHint")
        self.card_hint.setWordWrap(True)
        self.card_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.insertWidget(0, self.card_hint, 1)
        self.card: DeskCard | None = None
        self.revealed: tuple[int, str] | None = None  # (BatchMember id, whole ID) while it is shown
        self.member_list.currentRowChanged.connect(lambda _row: self._update_reveal_button())

    def show_card(self, card: DeskCard | None, previous: DeskCard | None) -> None:
        """Fill the card from `card` (None: the hint only); `previous` is the batch shown before (a reload of the
        same batch keeps the ticks and the place in the member list)."""
        details = (
            self.card_reg_no,
            self.card_lead,
            self.card_status,
            self.card_meta,
            self.card_request,
            self.members_title,
            self.member_list,
            self.check_selected_button,
            self.check_all_button,
        )
        for widget in details:
            widget.setVisible(card is not None)
        self.card_hint.setVisible(card is None)
        self.card = card
        self.revealed = None  # a reload or another batch shows every ID masked again
        self.reveal_button.setVisible(card is not None)
        if card is None:
            self.id_check_label.hide()
            self.undo_button.hide()
            self.move_button.hide()
            for label in self.flag_labels:
                label.hide()
            return
        self.card_reg_no.setText(card.reg_no)
        lead = card.lead_name
        self.card_lead.setText(self.tr("{0}  共{1}人").format(lead, card.headcount) if card.headcount > 1 else lead)
        status = status_label(card.status)
        if card.queue_number is not None:
            status = self.tr("{0} · 排队号 {1}").format(status, card.queue_number)
        self.card_status.setText(status)
        room = (
            self.tr("{0}（{1}）").format(card.room.name, card.room.location)
            if card.room is not None
            else self.tr("尚未分配接待室")
        )
        place = "".join(p for p in (card.township, card.village) if p)
        meta = [self.tr("问题类别：{0}").format(card.theme_name), self.tr("接待室：{0}").format(room)]
        if place:
            meta.append(place)
        if card.phone_masked:
            meta.append(self.tr("电话 {0}").format(card.phone_masked))
        if card.source == "walk_in":
            meta.append(self.tr("现场登记"))
        self.card_meta.setText("  ·  ".join(meta))
        self.id_check_label.setVisible(Flag.ID_TO_CHECK.value in card.flags)
        others = [f for f in card.flags if f != Flag.ID_TO_CHECK.value]
        for label, flag in zip(self.flag_labels, [*others, None, None, None], strict=False):
            label.setVisible(flag is not None)
            label.setText(flag_label(flag) if flag else "")
        self._show_repeats(card)
        request = card.request if len(card.request) <= REQUEST_EXCERPT else card.request[:REQUEST_EXCERPT] + "…"
        self.card_request.setText(request)
        self.card_request.setToolTip(card.request)
        self.members_title.setText(
            self.tr("来访人员（已签到 {0}/{1}）：勾选到场的人员后点“签到所选”").format(
                card.checked_in_count, len(card.members)
            )
        )
        same = previous is not None and previous.batch_id == card.batch_id
        keep_ticked = self.ticked_member_ids() if same else []
        keep_row = self.member_list.currentRow() if same else -1
        self.member_list.clear()
        for member in card.members:
            item = QListWidgetItem(self._member_text(member, member.id_masked))
            item.setData(MEMBER_ROLE, member.id)
            if member.checked_in:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable)  # shown ticked, cannot be unticked
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                ticked = member.id in keep_ticked
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.member_list.addItem(item)
        if 0 <= keep_row < self.member_list.count():
            self.member_list.setCurrentRow(keep_row)  # a reload while picking keeps the place
        rows = max(1, min(len(card.members), 10))
        self.member_list.setFixedHeight(rows * self.member_list.sizeHintForRow(0) + 8)
        open_members = any(not m.checked_in for m in card.members)
        active = card.status != BatchStatus.DONE.value and open_members
        self.check_selected_button.setEnabled(active)
        self.check_all_button.setEnabled(active)
        self.check_all_button.setText(self.tr("全部签到") if not card.at_venue else self.tr("其余人员签到"))
        undoable = card.status in (BatchStatus.ARRIVED.value, BatchStatus.WAITING.value)
        self.undo_button.setVisible(undoable)
        self.undo_button.setEnabled(undoable)
        movable = card.status not in (BatchStatus.IN_SESSION.value, BatchStatus.DONE.value)
        self.move_button.setVisible(movable)
        self.move_button.setEnabled(movable)
        self._update_reveal_button()

    def _member_text(self, member: CardMember, id_text: str) -> str:
        role = self.tr("（带队）") if member.is_lead else ""
        state = self.tr("  ✔ 已签到") if member.checked_in else ""
        return f"{member.name}{role}   {id_text}{state}"

    def current_member(self) -> CardMember | None:
        """The person selected in the list, else the lead (whose ID 显示完整号码 shows)."""
        if self.card is None:
            return None
        row = self.member_list.currentRow()
        if 0 <= row < len(self.card.members):
            return self.card.members[row]
        return next((m for m in self.card.members if m.is_lead), self.card.members[0] if self.card.members else None)

    def _update_reveal_button(self) -> None:
        member = self.current_member()
        self.reveal_button.setEnabled(member is not None and bool(member.id_masked))

    def show_full_id(self, member_id: int, value: str) -> None:
        """The person's whole ID in his line, until `mask_again`."""
        self.mask_again()
        for row in range(self.member_list.count()):
            item = self.member_list.item(row)
            if self.card is not None and int(item.data(MEMBER_ROLE)) == member_id:
                item.setText(self._member_text(self.card.members[row], value))
                self.revealed = (member_id, value)

    def mask_again(self) -> None:
        """Every line with its masked ID again."""
        self.revealed = None
        if self.card is None:
            return
        for row, member in enumerate(self.card.members[: self.member_list.count()]):
            self.member_list.item(row).setText(self._member_text(member, member.id_masked))

    def _show_repeats(self, card: DeskCard) -> None:
        """重复访: the same people's earlier cases, so the desk can tell the room host before they go in."""
        earlier = card.earlier_cases
        self.repeat_label.setVisible(bool(earlier))
        if not earlier:
            self.repeat_label.setText("")
            return
        lines = [c.summary() for c in earlier[:3]]
        if len(earlier) > 3:
            lines.append(self.tr("……共 {0} 件").format(len(earlier)))
        head = (
            self.tr("重复访：此前已有案件（原案件已办结，须提级核查）")
            if earlier[0].closed
            else self.tr("重复访：此前已有案件（仍在办理中）")
        )
        self.repeat_label.setText(head + "\n" + "\n".join(lines))

    def ticked_member_ids(self) -> list[int]:
        """BatchMember ids ticked in the card and not yet checked in."""
        ids = []
        for row in range(self.member_list.count()):
            item = self.member_list.item(row)
            if item.checkState() == Qt.CheckState.Checked and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                ids.append(int(item.data(MEMBER_ROLE)))
        return ids
