"""A reception room at a glance (counts, the batch in session, the queue), and dragging batches between rooms.

A batch travels in a QDrag as `BATCH_MIME` (JSON: batch id, version, where it comes from); a `RoomCard` accepts
the drop and emits `batch_dropped(DraggedBatch, room_id)`; the page asks the reason and calls the service.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.services.board import QueueEntry, RoomStatus, Tally
from reception_desk.ui.room_names import room_name

BATCH_MIME = "application/x-reception-desk-batch"
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
SHOWN_MAX = 200  # queue lines a list shows; the rest is counted in one line
MOVE_KEYS = (Qt.Key.Key_M, Qt.Key.Key_F6)  # 调至…接待室 on the selected batch

WAITING_COLOUR = "#b26a00"
SESSION_COLOUR = "#1565c0"
DONE_COLOUR = "#2e7d32"
WARN_COLOUR = "#c62828"
MUTED_COLOUR = "#7a828c"

CARD_STYLE = f"""
#roomCard {{ background: #ffffff; border: 1px solid #d3d8df; border-radius: 6px; }}
#roomCard[warn="true"] {{ border: 2px solid {WARN_COLOUR}; background: #fff7f7; }}
#roomCard[dropTarget="true"] {{ border: 2px dashed #1565c0; background: #eef4fd; }}
#roomNumber {{ background: #b3261e; color: white; border-radius: 4px; font-size: 12pt; font-weight: bold;
              padding: 0px 6px; }}
#roomName {{ font-size: 10.5pt; font-weight: bold; color: #1f2329; }}
#roomTheme {{ color: #1f2329; }}
#roomHost {{ color: {MUTED_COLOUR}; font-size: 8.5pt; }}
#roomCurrent {{ color: {SESSION_COLOUR}; }}
#roomWarning {{ color: {WARN_COLOUR}; font-weight: bold; }}
#roomQueueTitle {{ color: {MUTED_COLOUR}; }}
QListWidget#roomQueue {{ border: none; background: transparent; }}
QListWidget#roomQueue::item {{ padding: 0px 2px; }}
QListWidget#roomQueue QScrollBar:vertical {{ width: 7px; background: transparent; border: none; }}
QListWidget#roomQueue QScrollBar::handle:vertical {{ background: #c3c9d1; border-radius: 3px; min-height: 16px; }}
QListWidget#roomQueue QScrollBar::add-line, QListWidget#roomQueue QScrollBar::sub-line {{ height: 0px; }}
QListWidget#roomQueue::item:selected {{ background: #fbe9e7; color: #1f2329; }}
"""


def status_label(status: str) -> str:
    """A batch status in the UI language."""
    labels = {
        BatchStatus.REGISTERED.value: QCoreApplication.translate("room_card", "已登记"),
        BatchStatus.ARRIVED.value: QCoreApplication.translate("room_card", "已签到"),
        BatchStatus.WAITING.value: QCoreApplication.translate("room_card", "候谈"),
        BatchStatus.IN_SESSION.value: QCoreApplication.translate("room_card", "接谈中"),
        BatchStatus.DONE.value: QCoreApplication.translate("room_card", "已接待"),
        BatchStatus.NO_SHOW.value: QCoreApplication.translate("room_card", "未到"),
    }
    return labels.get(status, status)


def flag_label(flag: str) -> str:
    """A batch flag in the UI language."""
    labels = {
        Flag.ID_TO_CHECK.value: QCoreApplication.translate("room_card", "身份证待核"),
        Flag.COLLECTIVE.value: QCoreApplication.translate("room_card", "集体访"),
        Flag.DUPLICATE.value: QCoreApplication.translate("room_card", "疑似重复"),
        Flag.THEME_INFERRED.value: QCoreApplication.translate("room_card", "类别推断"),
        Flag.REPEAT.value: QCoreApplication.translate("room_card", "重复访"),
    }
    return labels.get(flag, flag)


def flag_mark(flag: str) -> str:
    """A one-character mark of a flag for tight lists."""
    marks = {
        Flag.ID_TO_CHECK.value: QCoreApplication.translate("room_card", "证"),
        Flag.COLLECTIVE.value: QCoreApplication.translate("room_card", "集"),
        Flag.DUPLICATE.value: QCoreApplication.translate("room_card", "重"),
        Flag.THEME_INFERRED.value: QCoreApplication.translate("room_card", "推"),
        Flag.REPEAT.value: QCoreApplication.translate("room_card", "复"),
    }
    return marks.get(flag, "")


# ---- drag and drop ----


@dataclass(frozen=True)
class DraggedBatch:
    """What a drag carries: the batch, the version the user saw, and the room it comes from (None: unassigned)."""

    batch_id: int
    version: int
    reg_no: str
    lead_name: str
    headcount: int
    status: str
    from_room_id: int | None


def dragged_of(entry: QueueEntry, from_room_id: int | None) -> DraggedBatch:
    """The batch to move as the user saw it (by drag, menu or keyboard alike)."""
    return DraggedBatch(
        entry.batch_id, entry.version, entry.reg_no, entry.lead_name, entry.headcount, entry.status, from_room_id
    )


def batch_mime(entry: QueueEntry, from_room_id: int | None) -> QMimeData:
    """The mime data of a dragged batch (what `BatchListWidget.startDrag` puts in its QDrag)."""
    payload = dragged_of(entry, from_room_id)
    mime = QMimeData()
    mime.setData(BATCH_MIME, QByteArray(json.dumps(asdict(payload)).encode("utf-8")))
    mime.setText(f"{entry.reg_no} {entry.lead_name}")
    return mime


def read_batch_mime(mime: QMimeData | None) -> DraggedBatch | None:
    """The dragged batch in mime data, or None when it holds no batch."""
    if mime is None or not mime.hasFormat(BATCH_MIME):
        return None
    try:
        data = json.loads(bytes(mime.data(BATCH_MIME).data()).decode("utf-8"))
        return DraggedBatch(
            batch_id=int(data["batch_id"]),
            version=int(data["version"]),
            reg_no=str(data["reg_no"]),
            lead_name=str(data["lead_name"]),
            headcount=int(data["headcount"]),
            status=str(data["status"]),
            from_room_id=None if data["from_room_id"] is None else int(data["from_room_id"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def entry_text(entry: QueueEntry) -> str:
    """One line of a queue: registration number, lead, people, flag marks."""
    marks = "".join(flag_mark(f) for f in entry.flags if flag_mark(f))
    text = QCoreApplication.translate("room_card", "{0} {1} {2}人").format(
        entry.reg_no, entry.lead_name, entry.headcount
    )
    return f"{text} [{marks}]" if marks else text


def entry_tooltip(entry: QueueEntry) -> str:
    """The full detail of a queue line."""
    parts = [
        f"{entry.reg_no} {entry.lead_name}",
        QCoreApplication.translate("room_card", "{0}人").format(entry.headcount),
        status_label(entry.status),
    ]
    if entry.queue_number is not None:
        parts.append(QCoreApplication.translate("room_card", "排队号 {0}").format(entry.queue_number))
    parts.extend(flag_label(f) for f in entry.flags)
    if entry.placed_by_hand:
        parts.append(QCoreApplication.translate("room_card", "人工调整"))
    return " · ".join(parts)


class BatchListWidget(QListWidget):
    """A list of batches that can be dragged to a room card (a room's queue, or the unassigned).

    Without a mouse: M or F6 on the selected batch emits `move_requested`; the context menu (right-click or the
    menu key) emits `menu_requested` with the batch under the mouse, or the selected one from the keyboard.
    """

    move_requested = Signal(object)  # QueueEntry
    menu_requested = Signal(object, QPoint)  # QueueEntry | None, global position

    def __init__(self, room_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.room_id = room_id
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._entries: tuple[QueueEntry, ...] = ()

    def sizeHint(self) -> QSize:
        """Small: the list takes what room the card leaves, and scrolls."""
        return QSize(150, 54)

    def set_entries(self, entries: tuple[QueueEntry, ...]) -> None:
        """Show these batches; keeps the selected batch selected. Does nothing when nothing changed."""
        if entries == self._entries:
            return
        selected = self.selected_batch_id()
        self._entries = entries
        self.setUpdatesEnabled(False)
        self.clear()
        waiting_brush = QBrush(QColor("#1f2329"))
        absent_brush = QBrush(QColor(MUTED_COLOUR))
        for entry in entries[:SHOWN_MAX]:
            item = QListWidgetItem(entry_text(entry))
            item.setData(ENTRY_ROLE, entry)
            item.setToolTip(entry_tooltip(entry))
            at_venue = entry.status in (BatchStatus.WAITING.value, BatchStatus.ARRIVED.value)
            item.setForeground(waiting_brush if at_venue else absent_brush)
            if entry.collective or Flag.ID_TO_CHECK.value in entry.flags:
                font = item.font()
                font.setBold(at_venue)
                item.setFont(font)
            self.addItem(item)
            if entry.batch_id == selected:
                item.setSelected(True)
                self.setCurrentItem(item)
        if len(entries) > SHOWN_MAX:
            # a queue this long is called in order anyway: the first ones are what the board is for
            more = QListWidgetItem(self.tr("…… 另有 {0} 批").format(len(entries) - SHOWN_MAX))
            more.setFlags(Qt.ItemFlag.ItemIsEnabled)
            more.setForeground(absent_brush)
            self.addItem(more)
        self.setUpdatesEnabled(True)

    def entries(self) -> tuple[QueueEntry, ...]:
        """The batches shown."""
        return self._entries

    def selected_batch_id(self) -> int | None:
        """The selected batch's id."""
        items = self.selectedItems()
        if not items:
            return None
        entry = items[0].data(ENTRY_ROLE)
        return entry.batch_id if isinstance(entry, QueueEntry) else None

    def selected_entry(self) -> QueueEntry | None:
        """The selected batch."""
        items = self.selectedItems()
        entry = items[0].data(ENTRY_ROLE) if items else None
        return entry if isinstance(entry, QueueEntry) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """M or F6: move the selected batch to another room."""
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if plain and event.key() in MOVE_KEYS:
            entry = self.selected_entry()
            if entry is not None:
                self.move_requested.emit(entry)
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Right-click: the batch under the mouse (selected first); menu key: the selected batch."""
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            item = self.itemAt(event.pos())
            if item is not None and isinstance(item.data(ENTRY_ROLE), QueueEntry):
                self.setCurrentItem(item)
                item.setSelected(True)
            entry = item.data(ENTRY_ROLE) if item is not None else None
            where = event.globalPos()
        else:
            entry = self.selected_entry()
            item = self.currentItem()
            rect = self.visualItemRect(item) if item is not None and entry is not None else self.viewport().rect()
            where = self.viewport().mapToGlobal(rect.center())
        self.menu_requested.emit(entry if isinstance(entry, QueueEntry) else None, where)
        event.accept()

    def item_for(self, batch_id: int) -> QListWidgetItem | None:
        """The row of a batch."""
        for row in range(self.count()):
            item = self.item(row)
            entry = item.data(ENTRY_ROLE)
            if isinstance(entry, QueueEntry) and entry.batch_id == batch_id:
                return item
        return None

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        """Drag the current batch as BATCH_MIME; the room card that takes it starts the move."""
        item = self.currentItem()
        entry = item.data(ENTRY_ROLE) if item is not None else None
        if not isinstance(entry, QueueEntry):
            return
        drag = QDrag(self)
        drag.setMimeData(batch_mime(entry, self.room_id))
        drag.setPixmap(_drag_pixmap(entry_text(entry), self.font()))
        drag.setHotSpot(QPoint(10, 10))
        # Copy, not Move: the view must not remove the row itself; the reload after the move does that.
        drag.exec(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, Qt.DropAction.MoveAction)


def _drag_pixmap(text: str, font: QFont) -> QPixmap:
    bold = QFont(font)
    bold.setBold(True)
    width = max(120, len(text) * (bold.pointSize() + 4))
    pixmap = QPixmap(QSize(width, 26))
    pixmap.fill(QColor("#fbe9e7"))
    painter = QPainter(pixmap)
    painter.setFont(bold)
    painter.setPen(QColor("#b3261e"))
    painter.drawRect(0, 0, width - 1, 25)
    painter.drawText(pixmap.rect().adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, text)
    painter.end()
    return pixmap


# ---- the card ----


class CountBox(QFrame):
    """One count of a room: a small title, then the number of batches in large type and the people beside it."""

    def __init__(self, title: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("countBox")
        tint = QColor(colour)
        rgb = f"{tint.red()}, {tint.green()}, {tint.blue()}"
        self.setStyleSheet(
            f"#countBox {{ background: rgba({rgb}, 22); border: 1px solid rgba({rgb}, 70); border-radius: 4px; }}"
            f"QLabel {{ color: {colour}; background: transparent; border: none; font-size: 9pt; }}"
            "QLabel#countBatches { font-size: 13pt; font-weight: bold; }"
            "QLabel#countPeople { font-size: 8.5pt; }"
        )
        self._title = title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 0, 1, 1)
        layout.setSpacing(0)
        self.title = QLabel(title)
        self.title.setObjectName("countTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.setSpacing(1)
        self.batches = QLabel("0")
        self.batches.setObjectName("countBatches")
        self.people = QLabel("")
        self.people.setObjectName("countPeople")
        self.people.setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.people.setContentsMargins(0, 0, 0, 2)
        row.addStretch(1)
        row.addWidget(self.batches)
        row.addWidget(self.people)
        row.addStretch(1)
        layout.addWidget(self.title)
        layout.addLayout(row)

    def set_tally(self, tally: Tally) -> None:
        """Show a count: batches large, people below."""
        self.batches.setText(str(tally.batches))
        self.people.setText(QCoreApplication.translate("room_card", "批 {0}人").format(tally.people))
        self.setToolTip(
            QCoreApplication.translate("room_card", "{0}：{1} 批，{2} 人").format(
                self._title, tally.batches, tally.people
            )
        )


class RoomCard(QFrame):
    """A room on the board: number, name, theme, host, counts, the batch in session, the queue, warnings.

    Accepts a dragged batch from another room or from the unassigned list and emits `batch_dropped`.
    """

    batch_dropped = Signal(object, int)  # DraggedBatch, target room id

    def __init__(self, room: RoomStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roomCard")
        self.setStyleSheet(CARD_STYLE)
        self.setAcceptDrops(True)
        self.setProperty("warn", False)
        self.setProperty("dropTarget", False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # compact enough for 3 rows of 5 on a 1280×720 screen; the queue takes whatever height is left
        self.setMinimumSize(150, 150)
        self.room = room
        self._host = ""
        self._warning = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(7, 4, 7, 4)
        layout.setSpacing(2)

        head = QHBoxLayout()
        head.setSpacing(6)
        self.number_label = QLabel()
        self.number_label.setObjectName("roomNumber")
        self.name_label = QLabel()
        self.name_label.setObjectName("roomName")
        head.addWidget(self.number_label)
        head.addWidget(self.name_label, 1)
        layout.addLayout(head)

        # theme and host share a line: the theme whole, the host elided on the left (his name comes last)
        theme_host = QHBoxLayout()
        theme_host.setSpacing(6)
        self.theme_label = QLabel()
        self.theme_label.setObjectName("roomTheme")
        self.host_label = QLabel()
        self.host_label.setObjectName("roomHost")
        self.host_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for label in (self.theme_label, self.host_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        theme_host.addWidget(self.theme_label)
        theme_host.addWidget(self.host_label, 1)
        layout.addLayout(theme_host)

        counts = QGridLayout()
        counts.setSpacing(3)
        self.waiting_box = CountBox(QCoreApplication.translate("room_card", "候谈"), WAITING_COLOUR)
        self.session_box = CountBox(QCoreApplication.translate("room_card", "接谈中"), SESSION_COLOUR)
        self.done_box = CountBox(QCoreApplication.translate("room_card", "已接待"), DONE_COLOUR)
        for column, box in enumerate((self.waiting_box, self.session_box, self.done_box)):
            counts.addWidget(box, 0, column)
        layout.addLayout(counts)

        self.current_label = QLabel()
        self.current_label.setObjectName("roomCurrent")
        self._current = ""
        layout.addWidget(self.current_label)

        self.queue_title = QLabel()
        self.queue_title.setObjectName("roomQueueTitle")
        layout.addWidget(self.queue_title)
        self.queue_list = BatchListWidget(room.id)
        self.queue_list.setObjectName("roomQueue")
        self.queue_box = WholeLinesBox(self.queue_list)
        layout.addWidget(self.queue_box, 1)

        self.warning_label = QLabel()
        self.warning_label.setObjectName("roomWarning")
        layout.addWidget(self.warning_label)
        for label in (self.current_label, self.queue_title, self.warning_label, self.name_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_room(room)

    @property
    def room_id(self) -> int:
        """The room this card shows."""
        return self.room.id

    def set_room(self, room: RoomStatus) -> None:
        """Show the room's current state."""
        self.room = room
        self.queue_list.room_id = room.id
        self.number_label.setText(str(room.number))
        self.name_label.setText(room_name(room.number, room.name))
        self.name_label.setToolTip(room_name(room.number, room.name))
        self.theme_label.setToolTip(room.theme_name)
        host = room.host or QCoreApplication.translate("room_card", "主持领导待定")
        self._host = host
        self.host_label.setToolTip(
            QCoreApplication.translate("room_card", "主持：{0}\n地点：{1}\n容量：{2}人").format(
                host, room.location, room.capacity
            )
        )
        self.waiting_box.set_tally(room.waiting)
        self.session_box.set_tally(room.in_session)
        self.done_box.set_tally(room.done)
        if room.current is not None:
            c = room.current
            self._current = QCoreApplication.translate("room_card", "▶ {0} {1} {2}人").format(
                c.reg_no, c.lead_name, c.headcount
            )
            self.current_label.setToolTip(entry_tooltip(c))
        else:
            self._current = QCoreApplication.translate("room_card", "▶ 暂无接谈")
            self.current_label.setToolTip("")
        self.queue_title.setText(
            QCoreApplication.translate("room_card", "队列 {0} 批（未签到 {1}）").format(
                len(room.queue), room.not_arrived.batches
            )
            if room.queue
            else QCoreApplication.translate("room_card", "队列为空")
        )
        self.queue_list.set_entries(room.queue)
        warnings, details = [], []
        if room.over_capacity:
            warnings.append(
                QCoreApplication.translate("room_card", "候谈 {0} 人 > 容量 {1}").format(
                    room.waiting.people, room.capacity
                )
            )
            details.append(warnings[-1])
        oversized = room.oversized
        if len(oversized) == 1:
            warnings.append(
                QCoreApplication.translate("room_card", "{0} {1}人 > 容量 {2}").format(
                    oversized[0].reg_no, oversized[0].headcount, room.capacity
                )
            )
        elif oversized:
            warnings.append(
                QCoreApplication.translate("room_card", "{0} 批人数 > 容量 {1}").format(len(oversized), room.capacity)
            )
        details.extend(
            QCoreApplication.translate("room_card", "{0} {1} {2}人 > 容量 {3}").format(
                e.reg_no, e.lead_name, e.headcount, room.capacity
            )
            for e in oversized
        )
        self._warning = "⚠ " + "；".join(warnings) if warnings else ""
        self.warning_label.setToolTip("\n".join(details))
        self.warning_label.setVisible(bool(warnings))
        self._set_flag("warn", room.warning)
        self._fit_lines()

    def _fit_lines(self) -> None:
        """Fit every one-line label to the card's width: elided, never cut (the tooltip has it whole)."""
        width = self.contentsRect().width() - 14  # the layout's left and right margins
        right = Qt.TextElideMode.ElideRight
        self.current_label.setText(_elide(self.current_label, self._current, width, right))
        self.warning_label.setText(_elide(self.warning_label, self._warning, width, right))
        # the theme whole when it can be; the host elided on the left: his name comes last and matters most
        theme, host = self.room.theme_name, self._host
        theme_metrics, host_metrics = self.theme_label.fontMetrics(), self.host_label.fontMetrics()
        name = host.split()[-1] if host.split() else host
        name_width = host_metrics.horizontalAdvance("…" + name) + 2
        theme_room = max(width - 6 - min(name_width, host_metrics.horizontalAdvance(host) + 2), width // 3)
        theme_text = theme_metrics.elidedText(theme, right, theme_room)
        theme_width = theme_metrics.horizontalAdvance(theme_text) + 2
        self.theme_label.setText(theme_text)
        self.theme_label.setFixedWidth(theme_width)
        host_room = width - 6 - theme_width
        self.host_label.setText(host_metrics.elidedText(host, Qt.TextElideMode.ElideLeft, max(host_room, 0)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fit the one-line labels to the new width."""
        super().resizeEvent(event)
        self._fit_lines()

    def warning_text(self) -> str:
        """The capacity warning ('' when none), whole even when the card shows it elided."""
        return self._warning

    def _set_flag(self, name: str, value: bool) -> None:
        if self.property(name) == value:
            return
        self.setProperty(name, value)
        self.style().unpolish(self)
        self.style().polish(self)
        self.update()

    def _dragged(self, mime: QMimeData | None) -> DraggedBatch | None:
        dragged = read_batch_mime(mime)
        if dragged is None or dragged.from_room_id == self.room.id:
            return None
        if dragged.status in (BatchStatus.IN_SESSION.value, BatchStatus.DONE.value):
            return None
        return dragged

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Take a batch from another room or from the unassigned."""
        if self._dragged(event.mimeData()) is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self._set_flag("dropTarget", True)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Keep accepting over the card's children."""
        if self._dragged(event.mimeData()) is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """Drop the highlight."""
        self._set_flag("dropTarget", False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        """Hand the batch to the page (which asks why, then moves it)."""
        self._set_flag("dropTarget", False)
        dragged = self._dragged(event.mimeData())
        if dragged is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.batch_dropped.emit(dragged, self.room.id)


def _elide(label: QLabel, text: str, width: int, mode: Qt.TextElideMode) -> str:
    return label.fontMetrics().elidedText(text, mode, max(width, 40))


class WholeLinesBox(QWidget):
    """Holds a list and gives it a height of whole lines only, so no queue line is ever cut at the bottom."""

    def __init__(self, batch_list: QListWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch_list = batch_list
        batch_list.setParent(self)
        batch_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def line_height(self) -> int:
        """The height of one queue line."""
        hint = self.batch_list.sizeHintForRow(0) if self.batch_list.count() else -1
        return hint if hint > 0 else self.batch_list.fontMetrics().height() + 2

    def minimumSizeHint(self) -> QSize:
        """Two lines at least."""
        return QSize(60, 2 * self.line_height() + 2 * self.batch_list.frameWidth())

    def sizeHint(self) -> QSize:
        """Three lines."""
        return QSize(150, 3 * self.line_height() + 2 * self.batch_list.frameWidth())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The list gets the most whole lines that fit."""
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """Size the list to whole lines of the box's height."""
        frame = 2 * self.batch_list.frameWidth()
        line = self.line_height()
        lines = max(1, (self.height() - frame) // line)
        self.batch_list.setGeometry(0, 0, self.width(), lines * line + frame)
