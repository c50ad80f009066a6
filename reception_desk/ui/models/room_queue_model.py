"""The queue of 接待室: the room's batches in call order, the not-yet-arrived greyed below."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from reception_desk.domain.batches import Flag
from reception_desk.services.room_queue import QueueItem
from reception_desk.ui.models.headed_table import HeadedTableModel

MUTED = "#9aa0a6"


def flag_labels() -> dict[str, str]:
    """The batch flags as the host reads them (translated)."""
    return {
        Flag.ID_TO_CHECK.value: QCoreApplication.translate("RoomHostPage", "身份证待核"),
        Flag.COLLECTIVE.value: QCoreApplication.translate("RoomHostPage", "集体访"),
        Flag.DUPLICATE.value: QCoreApplication.translate("RoomHostPage", "疑似重复"),
        Flag.THEME_INFERRED.value: QCoreApplication.translate("RoomHostPage", "类别推断"),
        Flag.REPEAT.value: QCoreApplication.translate("RoomHostPage", "重复访"),
    }


class QueueModel(HeadedTableModel):
    """The room's queue: the waiting in call order, then the not-yet-arrived (greyed). A room holds a few
    dozen batches at most, so the model keeps the rows of one read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[QueueItem] = []
        self.headers = (
            self.tr("排队号"),
            self.tr("批次"),
            self.tr("来访人"),
            self.tr("人数"),
            self.tr("标记"),
            self.tr("状态"),
        )
        self._flags = flag_labels()

    def set_items(self, items: list[QueueItem]) -> None:
        """Replace the rows (the view restores its selection by batch id)."""
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def row_of(self, batch_id: int) -> int | None:
        """The row of a batch, or None."""
        return next((i for i, item in enumerate(self.items) if item.batch_id == batch_id), None)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell: text, grey for the not-yet-arrived, red flags, the batch id under UserRole."""
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return "" if item.queue_number is None else str(item.queue_number)
            if column == 1:
                return item.reg_no
            if column == 2:
                return item.lead_name
            if column == 3:
                return str(item.headcount)
            if column == 4:
                return "、".join(self._flags.get(f, f) for f in item.flags)
            if column == 5:
                return self.tr("候谈") if item.arrived else self.tr("未签到")
        if role == Qt.ItemDataRole.ForegroundRole:
            if not item.arrived:
                return QColor(MUTED)
            if column == 4:
                return QColor("#b3261e")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and not item.arrived:
            return self.tr("尚未到登记台签到，不能叫号")
        if role == Qt.ItemDataRole.UserRole:
            return item.batch_id
        return None

    def row_total(self) -> int:
        """Rows held."""
        return len(self.items)
