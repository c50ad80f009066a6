"""The desk's small questions: a group at Enter (all here, or pick who), 撤销签到 with its reason, moving a batch
to another room with its reason. Each is opened with open() and answered through signals (no nested loop)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.services.board import DeskCard
from reception_desk.services.plan import RoomInfo

ALL_HERE, PICK = 1, 2


class GroupChoiceDialog(QDialog):
    """A group at Enter: 1 / Enter = all members arrived (default), 2 = pick who is here; Esc = neither."""

    def __init__(self, card: DeskCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("groupChoiceDialog")
        self.setWindowTitle(self.tr("集体签到"))
        self.setMinimumWidth(440)
        self.choice = 0
        waiting = [m.name for m in card.members if not m.checked_in]
        layout = QVBoxLayout(self)
        head = QLabel(
            self.tr("{0} {1} 一行 {2} 人：{3}").format(
                card.reg_no, card.lead_name, len(card.members), "、".join(waiting)
            )
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        self.all_button = QPushButton(self.tr("1  全部到齐，整批签到（回车）"))
        self.all_button.setObjectName("allHereButton")
        self.pick_button = QPushButton(self.tr("2  选择到场人员…"))
        self.pick_button.setObjectName("pickMembersButton")
        for button in (self.all_button, self.pick_button):
            button.setMinimumHeight(36)
            layout.addWidget(button)
        self.all_button.setDefault(True)
        self.all_button.setFocus()
        self.all_button.clicked.connect(lambda: self._choose(ALL_HERE))
        self.pick_button.clicked.connect(lambda: self._choose(PICK))
        hint = QLabel(self.tr("按 1 或回车：全部签到；按 2：勾选到场人员；Esc：取消"))
        hint.setObjectName("cardMeta")
        layout.addWidget(hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """One key decides: 1 all here, 2 pick who (the buttons pass digits up to the dialog)."""
        choice = {Qt.Key.Key_1: ALL_HERE, Qt.Key.Key_2: PICK}.get(Qt.Key(event.key()))
        if choice is not None:
            self._choose(choice)
            event.accept()
            return
        super().keyPressEvent(event)

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()


class ReasonDialog(QDialog):
    """A question that needs a reason before OK (the audit log keeps it)."""

    def __init__(self, title: str, text: str, ok_text: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.layout_ = QVBoxLayout(self)
        message = QLabel(text)
        message.setWordWrap(True)
        self.layout_.addWidget(message)
        self.extra = QVBoxLayout()
        self.layout_.addLayout(self.extra)
        self.layout_.addWidget(QLabel(self.tr("原因（必填）：")))
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText(placeholder)
        self.layout_.addWidget(self.reason_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.reason_edit.setFocus()

    def reason(self) -> str:
        """The reason typed."""
        return self.reason_edit.text().strip()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.ready())

    def ready(self) -> bool:
        """OK is allowed."""
        return bool(self.reason())

    def accept(self) -> None:
        """Close only with a reason."""
        if self.ready():
            super().accept()


class UndoCheckInDialog(ReasonDialog):
    """撤销签到: the whole batch or one checked-in person of it, and why."""

    def __init__(self, card: DeskCard, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("撤销签到"),
            self.tr("撤销 {0} {1} 的签到。整批撤销后该批次退回“已登记”、离开候谈队列，原排队号作废、不再发出。").format(
                card.reg_no, card.lead_name
            ),
            self.tr("撤销签到"),
            self.tr("例如：认错了人；来访人已离开"),
            parent,
        )
        self.setObjectName("undoCheckInDialog")
        self.who = QButtonGroup(self)
        self.whole = QRadioButton(self.tr("整批（已签到的 {0} 人）").format(card.checked_in_count))
        self.whole.setChecked(True)
        self.who.addButton(self.whole, 0)
        self.extra.addWidget(self.whole)
        self.member_ids: dict[int, int] = {}
        checked = [m for m in card.members if m.checked_in]
        if len(card.members) > 1:
            for i, member in enumerate(checked, start=1):
                button = QRadioButton(self.tr("仅 {0}").format(member.name))
                self.who.addButton(button, i)
                self.member_ids[i] = member.id
                self.extra.addWidget(button)

    def chosen_member_ids(self) -> list[int] | None:
        """None for the whole batch, else the one member chosen."""
        member = self.member_ids.get(self.who.checkedId())
        return [member] if member is not None else None


class MoveRoomDialog(ReasonDialog):
    """调整接待室 from the desk: the room to go to and why."""

    def __init__(self, card: DeskCard, rooms: Sequence[RoomInfo], parent: QWidget | None = None) -> None:
        current = card.room.id if card.room is not None else None
        super().__init__(
            self.tr("调整接待室"),
            self.tr(
                "将 {0} {1} 调到其他接待室。已签到的批次在新接待室重新取得排队号，排在该室已候谈的批次之后。"
            ).format(card.reg_no, card.lead_name),
            self.tr("确定调整"),
            self.tr("例如：来访人行动不便，就近安排"),
            parent,
        )
        self.setObjectName("moveRoomDialog")
        self.room_combo = QComboBox()
        self.room_combo.setObjectName("moveRoomCombo")
        for room in rooms:
            if room.id != current:
                self.room_combo.addItem(f"{room.name}  {room.theme_name}", room.id)
        self.extra.addWidget(QLabel(self.tr("调至：")))
        self.extra.addWidget(self.room_combo)
        self.room_combo.currentIndexChanged.connect(self._update_ok)
        self._update_ok()
        self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def room_id(self) -> int | None:
        """The room chosen."""
        value = self.room_combo.currentData() if hasattr(self, "room_combo") else None
        return int(value) if value is not None else None

    def ready(self) -> bool:
        """A room and a reason."""
        return super().ready() and self.room_id() is not None
