"""调至…接待室: pick the room a batch goes to without a mouse drag (arrows or the room's number, then Enter).

The board opens it from a batch's context menu, the menu key or the M / F6 shortcut; the reason dialog and the
service that follow are the drag's own.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reception_desk.services.board import RoomStatus
from reception_desk.ui.room_names import room_name

ROOM_ROLE = Qt.ItemDataRole.UserRole + 2


class RoomList(QListWidget):
    """The rooms; typing a room's number (1, 1 then 5 for 15) selects it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._typed = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits pick a room by number; everything else is the list's."""
        text = event.text()
        if text.isdigit() and len(text) == 1:
            typed = self._typed + text
            if self.row_of(int(typed)) is None:
                typed = text  # "1" then "7": no room 17, so this is room 7
            self._typed = typed
            row = self.row_of(int(typed))
            if row is not None:
                self.setCurrentRow(row)
            event.accept()
            return
        self._typed = ""
        super().keyPressEvent(event)

    def row_of(self, number: int) -> int | None:
        """The row of an enabled room by number."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(ROOM_ROLE) == number and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                return row
        return None


class RoomChooserDialog(QDialog):
    """Lists the day's rooms with their theme, waiting people and capacity; the batch's own room is greyed."""

    def __init__(
        self, text: str, rooms: list[RoomStatus], current_room_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("roomChooserDialog")
        self.setWindowTitle(self.tr("调至…接待室"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        message = QLabel(text)
        message.setWordWrap(True)
        layout.addWidget(message)
        hint = QLabel(self.tr("方向键或输入接待室编号选择，回车确认。"))
        hint.setStyleSheet("color: #7a828c;")
        layout.addWidget(hint)
        self.room_list = RoomList()
        self.room_list.setObjectName("roomChoices")
        self.room_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.room_ids: list[int] = []
        first = None
        for room in rooms:
            line = self.tr("{0}　{1}　候谈 {2} 人 / 容量 {3}").format(
                room_name(room.number, room.name), room.theme_name, room.waiting.people, room.capacity
            )
            item = QListWidgetItem(line)
            item.setData(ROOM_ROLE, room.number)
            if room.id == current_room_id:
                item.setText(line + self.tr("（当前）"))
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            elif first is None:
                first = self.room_list.count()
            self.room_list.addItem(item)
            self.room_ids.append(room.id)
        self.room_list.setMinimumHeight(min(len(rooms), 15) * (self.room_list.fontMetrics().height() + 4) + 8)
        self.room_list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.room_list, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("下一步：填写原因"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.room_list.currentRowChanged.connect(self._update_ok)
        if first is not None:
            self.room_list.setCurrentRow(first)
        self._update_ok()
        self.room_list.setFocus()

    def choose(self, number: int) -> None:
        """Select a room by its number (what typing the number does)."""
        row = self.room_list.row_of(number)
        if row is not None:
            self.room_list.setCurrentRow(row)

    def chosen_room_id(self) -> int | None:
        """The selected room's id, None when none (or the batch's own room) is selected."""
        item = self.room_list.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return self.room_ids[self.room_list.currentRow()]

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen_room_id() is not None)

    def accept(self) -> None:
        """Close only with a room chosen."""
        if self.chosen_room_id() is not None:
            super().accept()
