"""接待室分配: all fifteen rooms at a glance; drag a batch to another room; run the automatic assignment.

The page follows the desk and the rooms live: it reloads on every change-set that touches batches or rooms.
One reload is one `board_snapshot` (two queries, a few ms) and updates the cards in place. 打印安排表 prints
every room's schedule; a card's context menu prints that room's alone.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.batches import BatchStatus
from reception_desk.domain.roles import Permission
from reception_desk.services import assignment
from reception_desk.services.board import Board, QueueEntry, Tally, board_snapshot
from reception_desk.services.changes import ChangeSet
from reception_desk.services.registrations import move_batch
from reception_desk.ui import roles_view
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.room_chooser import RoomChooserDialog
from reception_desk.ui.pages.base import Page
from reception_desk.ui.printing import jobs
from reception_desk.ui.printing.reprint_offer import offer_ticket_reprint
from reception_desk.ui.room_names import room_name
from reception_desk.ui.widgets.room_card import BatchListWidget, DraggedBatch, RoomCard, dragged_of
from reception_desk.ui.widgets.tag_legend import TagLegend

COLUMNS = 5
AUTO_ASSIGN_SHORTCUT = "Ctrl+Shift+A"  # Ctrl+A stays "select all" in the lists and edits
NOT_MOVABLE = (BatchStatus.IN_SESSION.value, BatchStatus.DONE.value)  # what move_batch refuses
AT_VENUE = (BatchStatus.ARRIVED.value, BatchStatus.WAITING.value)  # checked in: a move gives a new ticket

PAGE_STYLE = """
#boardToolbar { background: #ffffff; border-bottom: 1px solid #d9dde3; }
#boardSummary { font-size: 11pt; color: #1f2329; }
#boardMessage { color: #2e7d32; font-weight: bold; }
#unassignedPanel { background: #ffffff; border: 1px solid #d3d8df; border-radius: 6px; }
#unassignedTitle { font-size: 11pt; font-weight: bold; color: #b3261e; }
#unassignedHint { color: #7a828c; }
QListWidget#unassignedList { border: none; }
QListWidget#unassignedList::item { padding: 1px 0px; }
#autoAssignButton { padding: 5px 14px; font-weight: bold; }
#printSchedulesButton { padding: 5px 14px; }
"""


class MoveReasonDialog(QDialog):
    """Asks why a batch goes to another room; OK only once a reason is given (the audit log keeps it)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moveReasonDialog")
        self.setWindowTitle(self.tr("调整接待室"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        message = QLabel(text)
        message.setWordWrap(True)
        layout.addWidget(message)
        layout.addWidget(QLabel(self.tr("调整原因（必填）：")))
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("moveReason")
        self.reason_edit.setPlaceholderText(self.tr("例如：集体访需要大房间"))
        layout.addWidget(self.reason_edit)
        presets = QHBoxLayout()
        for preset in (
            self.tr("平衡各室候谈"),
            self.tr("集体访需要大房间"),
            self.tr("更符合问题类别"),
            self.tr("领导指定"),
        ):
            button = QPushButton(preset)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, p=preset: self.reason_edit.setText(p))
            presets.addWidget(button)
        layout.addLayout(presets)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定调整"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()

    def reason(self) -> str:
        """The reason typed."""
        return self.reason_edit.text().strip()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))

    def accept(self) -> None:
        """Close only with a reason."""
        if self.reason():
            super().accept()


class RoomBoardPage(Page):
    """The rooms of the day in a 5×3 grid with the unassigned batches beside them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("roomBoardPage")
        self.setStyleSheet(PAGE_STYLE)
        self.cards: dict[int, RoomCard] = {}
        self.board: Board | None = None
        self.reason_dialog: MoveReasonDialog | None = None
        self.card_menu: QMenu | None = None
        self.chooser: RoomChooserDialog | None = None
        self.printer = jobs.PrintRunner(ctx, self)
        self.printer.busy_changed.connect(lambda busy: self.print_button.setEnabled(not busy))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_toolbar())

        body = QHBoxLayout()
        body.setContentsMargins(6, 5, 6, 2)
        body.setSpacing(6)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(5)
        self.board_scroll = QScrollArea()
        self.board_scroll.setObjectName("boardScroll")
        self.board_scroll.setWidgetResizable(True)
        self.board_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.board_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.board_scroll.setWidget(self.grid_host)
        body.addWidget(self.board_scroll, 1)
        body.addWidget(self._build_unassigned())
        outer.addLayout(body, 1)
        self.legend = TagLegend()
        outer.addWidget(self.legend)

        self.empty_label = QLabel(self.tr("尚未选择接访日。"))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        outer.addWidget(self.empty_label)

        shortcut = QShortcut(QKeySequence(AUTO_ASSIGN_SHORTCUT), self)
        shortcut.activated.connect(self.auto_assign_button.click)
        # F6 from anywhere on the board moves the selected batch; M and the menu key act in the lists themselves
        move_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F6), self)
        move_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        move_shortcut.activated.connect(self.move_selected)
        roles_view.apply(self)

    def title(self) -> str:
        """Navigation name."""
        return self.tr("接待室分配")

    # ---- building ----

    def _build_toolbar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("boardToolbar")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 4, 12, 4)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("boardSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setMinimumWidth(200)  # a long summary (English) must not widen the window
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.summary_label, 1)
        self.message_label = QLabel()
        self.message_label.setObjectName("boardMessage")
        layout.addWidget(self.message_label)
        self.auto_assign_button = QPushButton(self.tr("自动分配"))
        self.auto_assign_button.setObjectName("autoAssignButton")
        self.auto_assign_button.setToolTip(
            self.tr("把尚未分配的批次按问题类别分到各接待室（{0}）。已分配或人工调整的不会变动。").format(
                AUTO_ASSIGN_SHORTCUT
            )
        )
        self.auto_assign_button.clicked.connect(lambda: self.spawn(self.auto_assign()))
        layout.addWidget(self.auto_assign_button)
        self.print_button = QPushButton(self.tr("打印安排表"))
        self.print_button.setObjectName("printSchedulesButton")
        self.print_button.setToolTip(self.tr("打印全部接待室的安排表；右键单击接待室卡片可只打印该室"))
        self.print_button.clicked.connect(lambda: self.spawn(self.print_schedules(None)))
        layout.addWidget(self.print_button)
        return bar

    def _build_unassigned(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("unassignedPanel")
        panel.setFixedWidth(164)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 8, 8, 8)
        self.unassigned_title = QLabel(self.tr("未分配"))
        self.unassigned_title.setObjectName("unassignedTitle")
        layout.addWidget(self.unassigned_title)
        hint = QLabel(self.tr("拖到接待室卡片上即可分配；也可拖动各室队列中的批次调整接待室。"))
        hint.setObjectName("unassignedHint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.unassigned_list = BatchListWidget(None)
        self.unassigned_list.setObjectName("unassignedList")
        self._watch_list(self.unassigned_list)
        layout.addWidget(self.unassigned_list, 1)
        self.unassigned_empty = QLabel(self.tr("全部批次均已分配。"))
        self.unassigned_empty.setObjectName("unassignedHint")
        self.unassigned_empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.unassigned_empty, 1)
        return panel

    def _rebuild_cards(self, board: Board) -> None:
        for card in self.cards.values():
            self.grid.removeWidget(card)
            card.deleteLater()
        self.cards = {}
        for index, room in enumerate(board.rooms):
            card = RoomCard(room)
            card.batch_dropped.connect(self._on_drop)
            self._watch_list(card.queue_list)
            card.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            card.customContextMenuRequested.connect(lambda pos, c=card: self.open_card_menu(c, pos))
            self.grid.addWidget(card, index // COLUMNS, index % COLUMNS)
            self.cards[room.id] = card
        for column in range(COLUMNS):
            self.grid.setColumnStretch(column, 1)

    # ---- loading ----

    def affected_by(self, changes: ChangeSet) -> bool:
        """Batches, rooms and days are on the board; cases and the directory are not."""
        return bool(changes.batches or changes.rooms or changes.days)

    async def load(self) -> None:
        """Read the board and update the cards in place."""
        day_id = self.ctx.day_id
        if day_id is None:
            self.board = None
            self.board_scroll.hide()
            self.empty_label.show()
            return
        board = await self.ctx.read(board_snapshot, self.ctx.db, day_id)
        if day_id != self.ctx.day_id:
            return  # the day was switched meanwhile; the next reload brings the new one
        self.board_scroll.show()
        self.empty_label.hide()
        if [r.id for r in board.rooms] != list(self.cards):
            self._rebuild_cards(board)
        else:
            for room in board.rooms:
                card = self.cards[room.id]
                if card.room != room:
                    card.set_room(room)
        self.unassigned_list.set_entries(tuple(board.unassigned))
        self.unassigned_list.setVisible(bool(board.unassigned))
        self.unassigned_empty.setVisible(not board.unassigned)
        self.unassigned_title.setText(self.tr("未分配 {0} 批").format(len(board.unassigned)))
        self.unassigned_title.setStyleSheet("" if board.unassigned else "color: #7a828c;")
        self.summary_label.setText(self._summary(board))
        self.board = board

    def _summary(self, board: Board) -> str:
        totals = board.totals()

        def part(label: str, tally: Tally, colour: str) -> str:
            return self.tr("{0} <b style='color:{1}; font-size:14pt'>{2}</b> 批 {3} 人").format(
                label, colour, tally.batches, tally.people
            )

        parts = [
            part(self.tr("候谈"), totals["waiting"], "#b26a00"),
            part(self.tr("接谈中"), totals["in_session"], "#1565c0"),
            part(self.tr("已接待"), totals["done"], "#2e7d32"),
            part(self.tr("未签到"), totals["not_arrived"], "#7a828c"),
        ]
        warned = sum(1 for r in board.rooms if r.warning)
        if warned:
            parts.append(self.tr("<b style='color:#c62828'>{0} 个接待室超容量</b>").format(warned))
        return " &nbsp;·&nbsp; ".join(parts)

    # ---- moving a batch by hand ----

    def card_for_number(self, number: int) -> RoomCard:
        """The card of a room by its number."""
        return next(c for c in self.cards.values() if c.room.number == number)

    def _on_drop(self, dragged: DraggedBatch, room_id: int) -> None:
        self.ask_move(dragged, room_id)

    def _room_name(self, room_id: int | None) -> str | None:
        card = self.cards.get(room_id) if room_id is not None else None
        return room_name(card.room.number, card.room.name) if card is not None else None

    def ask_move(self, dragged: DraggedBatch, room_id: int) -> None:
        """Ask why the batch goes to the room (the same dialog for a drag, the menu and the keyboard), then move."""
        if not self.ctx.user.may(Permission.MOVE):
            return  # the role may not move batches (a drop is ignored)
        target = self.cards[room_id].room
        target_name = room_name(target.number, target.name)
        source = self._room_name(dragged.from_room_id)
        text = (
            self.tr("将批次 {0}（{1}，{2}人）从{3}调到{4}。").format(
                dragged.reg_no, dragged.lead_name, dragged.headcount, source, target_name
            )
            if source
            else self.tr("将未分配的批次 {0}（{1}，{2}人）分到{3}。").format(
                dragged.reg_no, dragged.lead_name, dragged.headcount, target_name
            )
        )
        if dragged.headcount > target.capacity:
            text += self.tr("\n注意：该批次 {0} 人，超过{1}的容量 {2} 人。").format(
                dragged.headcount, target_name, target.capacity
            )
        dialog = MoveReasonDialog(text, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.spawn(self.move_dragged(dragged, room_id, dialog.reason(), offer_reprint=True))
        )
        self.reason_dialog = dialog
        dialog.open()
        dialog.reason_edit.setFocus()

    async def move_dragged(self, dragged: DraggedBatch, room_id: int, reason: str, offer_reprint: bool = False) -> None:
        """Move the batch to the room with the reason; a batch changed meanwhile is refused (reload, retry)."""
        changes = await self.guarded(
            self.ctx.write(
                move_batch,
                self.ctx.db,
                dragged.batch_id,
                room_id,
                reason,
                self.ctx.actor,
                expected_version=dragged.version,
            )
        )
        self.reason_dialog = None
        if changes is not None and offer_reprint and dragged.status in AT_VENUE:
            await self.offer_reprint(dragged.batch_id)

    async def offer_reprint(self, batch_id: int) -> None:
        """A checked-in batch moved to another room has a new 排队号 there: offer to reprint its ticket."""
        await offer_ticket_reprint(self, self.ctx, self.printer, batch_id)

    # ---- moving a batch without the mouse ----

    def batch_lists(self) -> list[BatchListWidget]:
        """The unassigned list and every room's queue."""
        return [self.unassigned_list, *(card.queue_list for card in self.cards.values())]

    def _watch_list(self, batch_list: BatchListWidget) -> None:
        batch_list.move_requested.connect(lambda entry, b=batch_list: self.choose_room(entry, b.room_id))
        batch_list.menu_requested.connect(lambda entry, pos, b=batch_list: self.open_batch_menu(b, entry, pos))
        batch_list.itemSelectionChanged.connect(lambda b=batch_list: self._selected_in(b))

    def _selected_in(self, batch_list: BatchListWidget) -> None:
        # one batch is "the selected batch" on the board: selecting in one list clears the others
        if batch_list.selected_entry() is None:
            return
        for other in self.batch_lists():
            if other is not batch_list and other.selectedItems():
                other.clearSelection()

    def selected_entry(self) -> tuple[QueueEntry, int | None] | None:
        """The batch selected on the board and the room it is in (None: unassigned)."""
        for batch_list in self.batch_lists():
            entry = batch_list.selected_entry()
            if entry is not None:
                return entry, batch_list.room_id
        return None

    def move_selected(self) -> None:
        """F6 anywhere on the board: 调至…接待室 for the selected batch."""
        selected = self.selected_entry()
        if selected is None:
            self.message_label.setText(self.tr("请先选中一个批次"))
            return
        self.choose_room(*selected)

    def choose_room(self, entry: QueueEntry, from_room_id: int | None) -> RoomChooserDialog | None:
        """调至…接待室: the room chooser, then the reason dialog, then the move."""
        if self.board is None or entry.status in NOT_MOVABLE or not self.ctx.user.may(Permission.MOVE):
            return None
        dragged = dragged_of(entry, from_room_id)
        text = self.tr("批次 {0}（{1}，{2}人）调至哪个接待室？").format(entry.reg_no, entry.lead_name, entry.headcount)
        dialog = RoomChooserDialog(text, self.board.rooms, from_room_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._room_chosen(dragged, dialog.chosen_room_id()))
        dialog.finished.connect(lambda _result: setattr(self, "chooser", None))
        self.chooser = dialog
        dialog.open()
        dialog.room_list.setFocus()
        return dialog

    def _room_chosen(self, dragged: DraggedBatch, room_id: int | None) -> None:
        if room_id is not None and room_id in self.cards:
            self.ask_move(dragged, room_id)

    def open_batch_menu(self, source: BatchListWidget, entry: QueueEntry | None, where: QPoint) -> QMenu:
        """A batch's context menu: 调至…接待室, and printing the room's schedule."""
        menu = QMenu(self)
        menu.setObjectName("batchMenu")
        if entry is not None:
            label = self.tr("调至…接待室") if source.room_id is not None else self.tr("分到…接待室")
            move = menu.addAction(f"{label}\tM / F6")
            move.setObjectName("moveBatchAction")
            move.setEnabled(entry.status not in NOT_MOVABLE and self.ctx.user.may(Permission.MOVE))
            move.triggered.connect(lambda: self.choose_room(entry, source.room_id))
        card = self.cards.get(source.room_id) if source.room_id is not None else None
        if card is not None:
            self._add_print_action(menu, card)
        return self._popup(menu, where)

    def _popup(self, menu: QMenu, where: QPoint) -> QMenu:
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.card_menu = menu
        menu.aboutToHide.connect(lambda: setattr(self, "card_menu", None))
        if not menu.isEmpty():
            menu.popup(where)
        return menu

    # ---- automatic assignment ----

    async def auto_assign(self) -> None:
        """Place every unassigned batch in a room of its theme and say how many were placed."""
        if self.ctx.day_id is None:
            return
        self.auto_assign_button.setEnabled(False)
        try:
            report = await self.guarded(
                self.ctx.write(assignment.assign_day, self.ctx.db, self.ctx.day_id, self.ctx.actor)
            )
            if report is not None:
                self.message_label.setText(
                    self.tr("已自动分配 {0} 批").format(report.assigned)
                    if report.assigned
                    else self.tr("没有需要分配的批次")
                )
        finally:
            self.auto_assign_button.setEnabled(True)

    # ---- printing ----

    def open_card_menu(self, card: RoomCard, pos: QPoint) -> QMenu:
        """A room card's context menu: print this room's schedule."""
        menu = QMenu(self)
        menu.setObjectName("roomCardMenu")
        self._add_print_action(menu, card)
        return self._popup(menu, card.mapToGlobal(pos))

    def _add_print_action(self, menu: QMenu, card: RoomCard) -> None:
        number = card.room.number
        action = menu.addAction(self.tr("打印{0}安排表").format(room_name(number, card.room.name)))
        action.setObjectName("printRoomSchedule")
        action.setEnabled(not self.printer.busy)
        action.triggered.connect(lambda: self.spawn(self.print_schedules(number)))

    async def print_schedules(self, room_number: int | None) -> None:
        """接待室安排表 of one room (by number) or of all rooms, in the preview."""
        if self.ctx.day_id is not None:
            await self.printer.run(jobs.schedule_job(self.ctx.db, self.ctx.day_id, room_number))
