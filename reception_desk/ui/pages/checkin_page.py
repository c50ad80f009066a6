"""签到: the registration desk. One search box, the matches, the batch's card, and where to go in large type.

The clerk types a name, pinyin initials, a phone number, the last four of an ID or a registration number.
Enter checks in only when exactly one batch not yet arrived matches (or the one picked with ↑↓); with several
the focus goes to the list, where ↑↓ and Enter pick. A group gets a one-key question first: all here (1 / Enter)
or pick who is here (2). The big panel shows the selected batch's room, its 排队号 in that room and 前面还有 N 批,
large enough for the visitor to read across the desk, or clears; it never keeps the previous visitor's room.
F8 撤销签到 (with a reason), F6 moves the batch to another room (offering to reprint its ticket). F2 registers
a walk-in (one who had pre-registered is offered that batch instead). 打印排队号 (Ctrl+P) prints the shown
ticket on the 80 mm till printer, through the preview.

The parts live beside it: the search box and lists (widgets/desk_inputs.py), the big panel (widgets/ticket_panel.py),
the batch card (widgets/desk_batch_card.py) and the walk-in handling (dialogs/walk_in_flow.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.db.engine import Database
from reception_desk.domain.batches import BatchStatus
from reception_desk.services import flow, unmask
from reception_desk.services.assignment import assign_day
from reception_desk.services.board import DeskCard, DeskMatch, desk_card, desk_matches, recent_check_ins
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import NotFoundError
from reception_desk.services.plan import list_rooms
from reception_desk.services.registrations import RegistrationInput, move_batch
from reception_desk.services.search import search_batches
from reception_desk.ui import roles_view
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.checkin_dialogs import (
    ALL_HERE,
    PICK,
    GroupChoiceDialog,
    MoveRoomDialog,
    ReasonDialog,
    UndoCheckInDialog,
)
from reception_desk.ui.dialogs.registration_dialog import RegistrationDialog
from reception_desk.ui.dialogs.reveal_dialog import RevealFlow
from reception_desk.ui.dialogs.walk_in_flow import WalkInFlow
from reception_desk.ui.dialogs.window_modal import answer_of
from reception_desk.ui.errors import show_error
from reception_desk.ui.pages.base import Page
from reception_desk.ui.printing import jobs
from reception_desk.ui.printing.reprint_offer import offer_ticket_reprint
from reception_desk.ui.widgets.desk_batch_card import DeskBatchCard
from reception_desk.ui.widgets.desk_inputs import MatchList, SearchBox
from reception_desk.ui.widgets.room_card import status_label
from reception_desk.ui.widgets.ticket_panel import TicketPanel

MAX_MATCHES = 20
PRINT_SHORTCUT = "Ctrl+P"
UNDO_SHORTCUT = "F8"
MOVE_SHORTCUT = "F6"
SEARCH_DELAY_MS = 120
BATCH_ROLE = Qt.ItemDataRole.UserRole + 1

# Not yet at the venue: these come first among the matches, they are the ones the desk is looking for.
_TO_CHECK_IN = (BatchStatus.REGISTERED.value, BatchStatus.NO_SHOW.value)

PAGE_STYLE = """
#deskSearch { font-size: 17pt; padding: 6px 10px; border: 2px solid #b3261e; border-radius: 6px; background: white; }
#walkInButton { font-size: 12pt; padding: 8px 16px; }
#matchesTitle { color: #5f6670; }
QListWidget#matches { font-size: 11pt; background: white; border: 1px solid #d3d8df; border-radius: 6px; }
QListWidget#matches::item { padding: 6px 8px; border-bottom: 1px solid #eef0f3; }
QListWidget#matches::item:selected { background: #fbe9e7; color: #1f2329; border-left: 4px solid #b3261e; }
#ticketPanel { background: #ffffff; border: 1px solid #d3d8df; border-radius: 8px; }
#ticketPanel[state="fresh"] { background: #e8f5e9; border: 2px solid #2e7d32; }
#ticketPanel[state="already"] { background: #fff8e1; border: 2px solid #e69500; }
#ticketPanel[state="waiting"] { background: #e3f2fd; border: 2px solid #1565c0; }
#ticketPanel[state="selected"] { background: #e3f2fd; border: 2px solid #1565c0; }
#ticketPanel[state="undone"] { background: #fdecea; border: 2px solid #b3261e; }
#ticketAhead { font-size: 16pt; font-weight: bold; color: #1f2329; }
#ticketHeadline { font-size: 14pt; color: #1f2329; }
#ticketRoom { font-size: 30pt; font-weight: bold; color: #1f2329; }
#ticketNumber { font-size: 40pt; font-weight: bold; color: #b3261e; }
#ticketHint { font-size: 12pt; color: #7a828c; }
#printTicketButton { font-size: 12pt; padding: 6px 14px; }
#batchCard { background: #ffffff; border: 1px solid #d3d8df; border-radius: 8px; }
#cardRegNo { font-size: 13pt; font-weight: bold; color: #b3261e; }
#cardLead { font-size: 16pt; font-weight: bold; color: #1f2329; }
#cardStatus { padding: 1px 8px; border-radius: 3px; background: #eceff3; color: #1f2329; }
#cardMeta { color: #5f6670; }
#cardRequest { color: #1f2329; background: #f7f8fa; padding: 6px; border-radius: 4px; }
#idCheck { color: white; background: #e67700; font-weight: bold; padding: 2px 8px; border-radius: 3px; }
#repeatLabel { color: #8a1c14; background: #fdecea; border: 1px solid #f1b0a8; border-radius: 3px; padding: 4px 8px; }
#cardFlag { color: #8a4b00; background: #fff1d6; padding: 2px 8px; border-radius: 3px; }
#cardHint { color: #7a828c; font-size: 12pt; }
QListWidget#members { font-size: 11pt; border: 1px solid #e3e6ea; border-radius: 4px; }
QListWidget#members::item { padding: 3px 4px; }
#checkInSelected, #checkInAll { font-size: 12pt; padding: 6px 14px; }
#undoCheckIn, #moveRoom, #revealId { font-size: 11pt; padding: 6px 10px; }
#checkInAll { font-weight: bold; }
"""


def find_for_desk(db: Database, day_id: int, query: str) -> tuple[list[DeskMatch], int]:
    """The matches the desk lists (those still to check in first) and how many batches matched in all."""
    if not query.strip():
        return [], 0
    ids = search_batches(db, day_id, query)
    rows = desk_matches(db, ids)
    rows.sort(key=lambda r: r.status not in _TO_CHECK_IN)  # stable: keeps the search's order within each part
    return rows[:MAX_MATCHES], len(ids)


class CheckInPage(Page):
    """The registration desk: search, check in (whole batch or person by person), walk-ins, where to go."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("checkInPage")
        self.setStyleSheet(PAGE_STYLE)
        self.card: DeskCard | None = None
        self.matches: list[DeskMatch] = []
        self._searched: str | None = None  # the text the shown matches belong to
        self._search_generation = 0
        self._busy = False
        self._picked = False  # the clerk chose the selected match (arrows, a click): Enter checks it in
        self._total = 0  # how many batches the shown search matched
        self.group_dialog: GroupChoiceDialog | None = None
        self.undo_dialog: UndoCheckInDialog | None = None
        self.move_dialog: MoveRoomDialog | None = None
        self.printer = jobs.PrintRunner(ctx, self)
        self.printer.busy_changed.connect(lambda _busy: self.ticket_panel.update_print_button())
        self.walk_in = WalkInFlow(self)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        outer.setSpacing(10)

        top = QHBoxLayout()
        self.search_box = SearchBox()
        self.search_box.setObjectName("deskSearch")
        self.search_box.setPlaceholderText(self.tr("姓名 / 拼音首字母 / 电话 / 身份证后4位 / 登记号，回车签到"))
        self.search_box.setClearButtonEnabled(True)
        top.addWidget(self.search_box, 1)
        self.walk_in_button = QPushButton(self.tr("现场登记 (F2)"))
        self.walk_in_button.setObjectName("walkInButton")
        self.walk_in_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        top.addWidget(self.walk_in_button)
        outer.addLayout(top)

        body = QHBoxLayout()
        body.setSpacing(12)
        left = QVBoxLayout()
        self.matches_title = QLabel(self.tr("输入后自动查找；↑↓ 选择，回车签到，Esc 清空"))
        self.matches_title.setObjectName("matchesTitle")
        self.matches_title.setWordWrap(True)
        left.addWidget(self.matches_title)
        self.match_list = MatchList()
        self.match_list.setObjectName("matches")
        # focused only when Enter could not decide (or by a click); typing there goes back to the box
        self.match_list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        left.addWidget(self.match_list, 1)
        left_host = QWidget()
        left_host.setLayout(left)
        left_host.setFixedWidth(410)
        left.setContentsMargins(0, 0, 0, 0)
        body.addWidget(left_host)

        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(self._build_ticket_panel())
        right.addWidget(self._build_card(), 1)
        body.addLayout(right, 1)
        outer.addLayout(body, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.spawn(self.search_now()))
        self.search_box.textChanged.connect(self._on_text_changed)
        self.search_box.returnPressed.connect(lambda: self.spawn(self.enter()))
        self.search_box.moved.connect(self._move_selection)
        self.match_list.currentRowChanged.connect(self._on_match_changed)
        self.match_list.itemDoubleClicked.connect(lambda _i: self._pick())
        self.match_list.itemClicked.connect(lambda _i: self._mark_picked())
        self.match_list.picked.connect(self._pick)
        self.match_list.typed.connect(self._type_into_search)
        self.member_list.confirmed.connect(lambda: self.spawn(self.check_in_selected()))
        self.undo_button.clicked.connect(self.open_undo)
        self.move_button.clicked.connect(lambda: self.spawn(self.open_move()))
        self.reveal_flow = RevealFlow(ctx, self)
        self.reveal_button.clicked.connect(self.open_reveal)
        self.walk_in_button.clicked.connect(self.open_walk_in)
        self.check_selected_button.clicked.connect(lambda: self.spawn(self.check_in_selected()))
        self.check_all_button.clicked.connect(lambda: self.spawn(self.check_in_all()))
        QShortcut(QKeySequence("F2"), self).activated.connect(self.open_walk_in)
        QShortcut(QKeySequence(PRINT_SHORTCUT), self).activated.connect(self.print_ticket_button.click)
        QShortcut(QKeySequence(UNDO_SHORTCUT), self).activated.connect(self.open_undo)
        QShortcut(QKeySequence(MOVE_SHORTCUT), self).activated.connect(lambda: self.spawn(self.open_move()))
        QShortcut(QKeySequence("Esc"), self).activated.connect(self.clear)
        ctx.day_changed.connect(lambda _day: self.clear())
        self.ticket_panel.show_hint()
        self._show_card(None)
        roles_view.apply(self)

    def title(self) -> str:
        """Navigation name."""
        return self.tr("签到")

    # ---- building ----

    def _build_ticket_panel(self) -> QWidget:
        panel = TicketPanel(self.printer)
        self.ticket_panel = panel
        self.ticket_headline = panel.ticket_headline
        self.room_label = panel.room_label
        self.queue_label = panel.queue_label
        self.ahead_label = panel.ahead_label
        self.ticket_hint = panel.ticket_hint
        self.print_ticket_button = panel.print_ticket_button
        self.print_ticket_button.clicked.connect(lambda: self.spawn(self.print_ticket()))
        return panel

    def _build_card(self) -> QWidget:
        card = DeskBatchCard()
        self.card_frame = card
        self.id_check_label = card.id_check_label
        self.flag_labels = card.flag_labels
        self.repeat_label = card.repeat_label
        self.member_list = card.member_list
        self.undo_button = card.undo_button
        self.move_button = card.move_button
        self.reveal_button = card.reveal_button
        self.check_selected_button = card.check_selected_button
        self.check_all_button = card.check_all_button
        return card

    @property
    def ticket_card(self) -> DeskCard | None:
        """The batch the big panel shows (its room, or that it is not here)."""
        return self.ticket_panel.card

    # ---- focus and keys ----

    def showEvent(self, event: QShowEvent) -> None:
        """The search box has the focus whenever the page shows."""
        super().showEvent(event)
        QTimer.singleShot(0, self.focus_search)

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.search_box.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        """Esc: an empty box, no matches, no card; ready for the next visitor."""
        self._search_timer.stop()
        self._search_generation += 1
        self.search_box.clear()
        self._show_card(None)
        self.ticket_panel.show_hint()
        self.focus_search()

    def _move_selection(self, step: int) -> None:
        count = self.match_list.count()
        if not count:
            return
        row = self.match_list.currentRow()
        self.match_list.setCurrentRow(max(0, min(count - 1, (row if row >= 0 else -1) + step)))
        self._picked = True

    def _mark_picked(self) -> None:
        self._picked = True

    def _pick(self) -> None:
        """Enter (or a double click) in the list: check in the match chosen there."""
        self._picked = True
        self.spawn(self.enter())

    def _type_into_search(self, text: str) -> None:
        """A key typed in the list goes on in the search box."""
        if text == "\b":
            self.search_box.backspace()
        else:
            self.search_box.insert(text)
        self.focus_search()

    def _focus_matches(self) -> None:
        """Enter could not decide: the list takes the focus, ↑↓ and Enter pick."""
        if self.match_list.currentRow() < 0 and self.match_list.count():
            self.match_list.setCurrentRow(0)
        self.match_list.setFocus(Qt.FocusReason.OtherFocusReason)
        self.matches_title.setText(
            self.tr("找到 {0} 个批次，不能确定是哪一批：请用 ↑↓ 选定后回车签到（键入文字回到查找框）").format(
                self._total
            )
        )

    def _on_text_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()  # typing, pasting, a scanner: one lookup after a short pause
            return
        self._search_timer.stop()
        self._search_generation += 1
        self._set_matches([], 0, text)
        self.spawn(self.show_recent())

    async def show_recent(self) -> None:
        """With an empty box the list shows the latest check-ins (to add a late companion, or to look back)."""
        if self.ctx.day_id is None:
            return
        generation = self._search_generation
        rows, total = await self.ctx.read(recent_check_ins, self.ctx.db, self.ctx.day_id, MAX_MATCHES)
        if generation == self._search_generation and not self.search_box.text().strip():
            self._set_matches(rows, total, "", recent=True)

    # ---- searching ----

    async def search_now(self) -> None:
        """Look up what the box holds now; an older lookup that answers later is dropped."""
        self._search_timer.stop()
        text = self.search_box.text()
        self._search_generation += 1
        generation = self._search_generation
        if self.ctx.day_id is None:
            return
        rows, total = await self.ctx.read(find_for_desk, self.ctx.db, self.ctx.day_id, text)
        if generation != self._search_generation or text != self.search_box.text():
            return  # superseded by newer typing
        self._set_matches(rows, total, text)

    def _set_matches(self, rows: list[DeskMatch], total: int, text: str, recent: bool = False) -> None:
        selected = self.selected_batch_id()
        if recent or text != self._searched:
            self._picked = False  # new matches: nothing is chosen yet
        self.matches = rows
        self._total = total
        self._searched = text
        self.match_list.blockSignals(True)
        self.match_list.clear()
        for row in rows:
            item = QListWidgetItem(self._match_text(row))
            item.setData(BATCH_ROLE, row.batch_id)
            item.setToolTip(self._match_tooltip(row))
            if row.status not in _TO_CHECK_IN:
                item.setForeground(Qt.GlobalColor.darkGray)
            self.match_list.addItem(item)
        if recent:
            self.matches_title.setText(
                self.tr("最近签到（今日已签到 {0} 批）；输入姓名等查找，回车签到").format(total)
                if total
                else self.tr("输入后自动查找；↑↓ 选择，回车签到，Esc 清空")
            )
            # nothing is selected: the card keeps showing the batch just checked in
            self.match_list.setCurrentRow(-1)
            self.match_list.blockSignals(False)
            return
        self.match_list.blockSignals(False)
        if not text.strip():
            self.matches_title.setText(self.tr("输入后自动查找；↑↓ 选择，回车签到，Esc 清空"))
        elif not rows:
            self.matches_title.setText(self.tr("没有找到“{0}”。现场来访请按 F2 登记。").format(text.strip()))
        elif total > len(rows):
            self.matches_title.setText(self.tr("找到 {0} 个批次，显示前 {1} 个").format(total, len(rows)))
        else:
            self.matches_title.setText(self.tr("找到 {0} 个批次").format(total))
        keep = next((i for i, r in enumerate(rows) if r.batch_id == selected), 0 if rows else -1)
        self.match_list.setCurrentRow(keep)
        if keep < 0 and not text.strip():
            return  # the box was emptied: the card of the last batch stays
        self._on_match_changed(keep)

    def _match_text(self, row: DeskMatch) -> str:
        people = self.tr("{0}人").format(row.headcount)
        room = self.tr("第{0}室").format(row.room_number) if row.room_number else self.tr("未分配")
        first = f"{row.reg_no}   {row.lead_name}   {people}   ·  {status_label(row.status)}"
        second = "  ·  ".join(d for d in (row.id_masked, row.phone_masked, room) if d)
        return f"{first}\n{second}"

    def _match_tooltip(self, row: DeskMatch) -> str:
        parts = [f"{row.reg_no} {row.lead_name}", row.township, row.id_masked, row.phone_masked]
        return "\n".join(p for p in parts if p)

    def selected_batch_id(self) -> int | None:
        """The batch of the selected match."""
        item = self.match_list.currentItem()
        value = item.data(BATCH_ROLE) if item is not None else None
        return int(value) if value is not None else None

    def _on_match_changed(self, row: int) -> None:
        if row < 0:
            self._show_card(None)
            return
        batch_id = self.match_list.item(row).data(BATCH_ROLE)
        if self.card is None or self.card.batch_id != batch_id:
            self.spawn(self._load_card(int(batch_id)))

    async def _load_card(self, batch_id: int) -> None:
        card = await self.guarded(self.ctx.read(desk_card, self.ctx.db, batch_id))
        if card is not None and (self.selected_batch_id() in (None, batch_id)):
            self._show_card(card)

    # ---- the card ----

    def open_reveal(self) -> None:
        """显示完整号码: the selected person's whole ID after a reason (logged), masked again after a while."""
        member = self.card_frame.current_member()
        if member is None or not self.reveal_button.isEnabled():
            return
        self.reveal_flow.ask(
            member.visitor_id,
            member.name,
            unmask.ID_NUMBER,
            show=lambda value: self.card_frame.show_full_id(member.id, value),
            hide=self.card_frame.mask_again,
        )

    def _show_card(self, card: DeskCard | None) -> None:
        previous = self.card
        self.card = card
        self._sync_panel(card)
        self.card_frame.show_card(card, previous)

    def _sync_panel(self, card: DeskCard | None) -> None:
        """The big panel follows the card: the selected batch's room and number, or nothing of anyone else."""
        if card is None:
            if self.ticket_card is not None:
                self.ticket_panel.show_hint()
            return
        same = self.ticket_card is not None and self.ticket_card.batch_id == card.batch_id
        if not card.at_venue:
            if not (same and self.ticket_panel.state == "undone"):
                self.ticket_panel.show_pending(card)
            return
        self.ticket_panel.show_ticket(card, self.ticket_panel.state if same and self.ticket_panel.state else "selected")

    def ticked_member_ids(self) -> list[int]:
        """BatchMember ids ticked in the card and not yet checked in."""
        return self.card_frame.ticked_member_ids()

    # ---- printing the ticket ----

    async def print_ticket(self) -> None:
        """打印排队号: the shown batch's queue ticket in the preview; the search box has the focus again after."""
        card = self.ticket_card
        if card is None or card.queue_number is None or self.printer.busy:
            return
        preview = await self.printer.run(jobs.queue_ticket_job(self.ctx.db, card.batch_id, card.reg_no))
        if preview is not None:
            preview.finished.connect(lambda _result: self._back_to_search())

    def _back_to_search(self) -> None:
        self.window().activateWindow()  # the window manager may not give it back after the dialog
        self.focus_search()

    # ---- checking in ----

    async def enter(self) -> None:
        """Enter: check in the match picked with ↑↓ (or in the list), else the only match still to check in.

        With several candidates nobody is checked in: the focus goes to the list to pick one.
        """
        if self._busy or not self.search_box.text().strip():
            return
        if self._searched != self.search_box.text():
            await self.search_now()  # Enter came before the typing's lookup: look up first
        picked = self.selected_batch_id() if self._picked else None
        batch_id = picked if picked is not None else self._only_candidate()
        if batch_id is None:
            if self.match_list.count():
                self._focus_matches()
            return
        self._select(batch_id)
        await self._check_in(batch_id, None, whole_batch_by_enter=True)

    def _only_candidate(self) -> int | None:
        """The one batch Enter may check in without asking: the only match not yet arrived (the list puts those
        first, so a second one would be shown), or the only match at all (to say it is already here)."""
        to_check_in = [m for m in self.matches if m.status in _TO_CHECK_IN]
        if len(to_check_in) == 1:
            return to_check_in[0].batch_id
        if not to_check_in and len(self.matches) == 1 and self._total == 1:
            return self.matches[0].batch_id
        return None

    def _select(self, batch_id: int) -> None:
        for row in range(self.match_list.count()):
            if self.match_list.item(row).data(BATCH_ROLE) == batch_id:
                self.match_list.setCurrentRow(row)
                return

    async def check_in_selected(self) -> None:
        """Check in the ticked members of the card's batch."""
        if self.card is None:
            return
        ids = self.ticked_member_ids()
        if not ids:
            self.ticket_hint.setText(self.tr("请先勾选到场的人员。"))
            self.ticket_hint.show()
            return
        await self._check_in(self.card.batch_id, ids)

    async def check_in_all(self) -> None:
        """Check in everyone of the card's batch (those already checked in stay as they are)."""
        if self.card is not None:
            await self._check_in(self.card.batch_id, None)

    async def _check_in(
        self, batch_id: int, member_ids: Sequence[int] | None, whole_batch_by_enter: bool = False
    ) -> None:
        if self._busy or self.ctx.day_id is None:
            return
        self._busy = True
        self._set_buttons_enabled(False)
        picking: DeskCard | None = None
        try:
            card = await self.ctx.read(desk_card, self.ctx.db, batch_id)
            if whole_batch_by_enter and card.at_venue:
                # already here: say so (and where to go) instead of checking in twice
                self._show_card(card)
                self.ticket_panel.show_ticket(card, "already")
                return
            if card.status == BatchStatus.DONE.value:
                self._show_card(card)
                self.ticket_panel.show_ticket(card, "already")
                return
            if whole_batch_by_enter and member_ids is None and len(card.members) > 1:
                choice = await self._ask_group(card)
                if choice == PICK:
                    picking = card
                    return
                if choice != ALL_HERE:
                    return
            if card.room is None:
                # a batch without a room gets one now, the same way a walk-in does
                await self.ctx.write(assign_day, self.ctx.db, self.ctx.day_id, self.ctx.actor)
            await self.ctx.write(
                flow.check_in, self.ctx.db, batch_id, self.ctx.actor, list(member_ids) if member_ids else None
            )
            card = await self.ctx.read(desk_card, self.ctx.db, batch_id)
            self._after_check_in(card)
        except Exception as exc:
            show_error(self, exc)
        finally:
            self._busy = False
            self._set_buttons_enabled(True)
            if self.card is not None:
                self._show_card(self.card)  # buttons follow the card's state again
            if picking is not None:
                self._start_picking(picking)

    async def _ask_group(self, card: DeskCard) -> int:
        """A group at Enter: all here (ALL_HERE), pick who (PICK), or 0 when cancelled."""
        self._show_card(card)
        dialog = GroupChoiceDialog(card, self)
        self.group_dialog = dialog
        try:
            code = await answer_of(dialog)
            return dialog.choice if code == QDialog.DialogCode.Accepted else 0
        finally:
            self.group_dialog = None
            dialog.deleteLater()

    def _start_picking(self, card: DeskCard) -> None:
        """Pick who is here: the member list takes the focus, Space ticks, Enter checks in the ticked."""
        self._show_card(card)
        self.member_list.setFocus(Qt.FocusReason.OtherFocusReason)
        for row in range(self.member_list.count()):
            item = self.member_list.item(row)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                self.member_list.setCurrentRow(row)
                break
        self.ticket_hint.setText(self.tr("勾选到场的人员（↑↓ 移动，空格勾选），回车签到所选。"))
        self.ticket_hint.show()

    def _after_check_in(self, card: DeskCard) -> None:
        self.ticket_panel.show_ticket(card, "fresh")
        self._search_timer.stop()
        self._search_generation += 1
        self.search_box.clear()  # textChanged brings the latest check-ins into the list
        self._show_card(card)
        self.focus_search()

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for button in (self.check_selected_button, self.check_all_button, self.walk_in_button):
            button.setEnabled(enabled)

    # ---- walk-ins (ui/dialogs/walk_in_flow.py) ----

    @property
    def walk_in_dialog(self) -> RegistrationDialog | None:
        """The open F2 registration dialog."""
        return self.walk_in.walk_in_dialog

    @property
    def question_box(self) -> QMessageBox | None:
        """已预登记 …，直接签到？ while it is asked."""
        return self.walk_in.question_box

    @property
    def reason_dialog(self) -> ReasonDialog | None:
        """The reason for a second batch of the same person, while it is asked."""
        return self.walk_in.reason_dialog

    def open_walk_in(self) -> None:
        """F2: the registration dialog in walk-in mode; on OK the walk-in is registered, placed, checked in."""
        self.walk_in.open_walk_in()

    async def register_walk_in(self, data: RegistrationInput, second_batch_reason: str = "") -> None:
        """Register, place and check in a walk-in (ui/dialogs/walk_in_flow.py); show the room and 排队号 at once."""
        await self.walk_in.register_walk_in(data, second_batch_reason)

    async def open_batch(self, reg_no: str, batch_id: int, check_in: bool = False) -> None:
        """Show a batch on the desk (found by its registration number, selected), and check it in if asked."""
        self.search_box.setText(reg_no)
        await self.search_now()
        self._select(batch_id)
        self._picked = True
        if self.card is None or self.card.batch_id != batch_id:
            card = await self.guarded(self.ctx.read(desk_card, self.ctx.db, batch_id))
            if card is not None:
                self._show_card(card)
        if check_in:
            await self._check_in(batch_id, None, whole_batch_by_enter=True)

    # ---- undoing a check-in, moving to another room ----

    def open_undo(self) -> None:
        """F8 撤销签到: the whole batch or one person, with a reason (required)."""
        card = self.card
        if card is None or self._busy or self.undo_dialog is not None:
            return
        if card.status not in (BatchStatus.ARRIVED.value, BatchStatus.WAITING.value):
            return
        dialog = UndoCheckInDialog(card, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.spawn(self.undo_check_in(card, dialog.chosen_member_ids(), dialog.reason()))
        )
        dialog.finished.connect(self._undo_closed)
        self.undo_dialog = dialog
        dialog.open()

    def _undo_closed(self, _result: int) -> None:
        self.undo_dialog = None
        self.focus_search()

    async def undo_check_in(self, card: DeskCard, member_ids: list[int] | None, reason: str) -> None:
        """Take the check-in back (audited with the reason); the panel says the old number is void."""
        done = await self.guarded(
            self.ctx.write(
                flow.undo_check_in,
                self.ctx.db,
                card.batch_id,
                self.ctx.actor,
                reason,
                member_ids,
                expected_version=card.version,
            )
        )
        if done is None:
            return
        fresh = await self.guarded(self.ctx.read(desk_card, self.ctx.db, card.batch_id))
        if fresh is not None:
            self.ticket_panel.show_undone(fresh, card.queue_number)
            self._show_card(fresh)
        self.focus_search()

    async def open_move(self) -> None:
        """F6: move the shown batch to another room with a reason; a checked-in batch is offered a new ticket."""
        card = self.card
        if card is None or self._busy or self.move_dialog is not None or self.ctx.day_id is None:
            return
        if card.status in (BatchStatus.IN_SESSION.value, BatchStatus.DONE.value):
            return
        rooms = await self.guarded(self.ctx.read(list_rooms, self.ctx.db, self.ctx.day_id))
        if not rooms:
            return
        dialog = MoveRoomDialog(card, rooms, self)
        self.move_dialog = dialog
        try:
            accepted = await answer_of(dialog) == QDialog.DialogCode.Accepted
            room_id, reason = dialog.room_id(), dialog.reason()
        finally:
            self.move_dialog = None
            dialog.deleteLater()
        if accepted and room_id is not None:
            await self.move_to(card, room_id, reason)
        self.focus_search()

    async def move_to(self, card: DeskCard, room_id: int, reason: str) -> None:
        """Move the batch; show its new room and number and offer to reprint its ticket."""
        moved = await self.guarded(
            self.ctx.write(
                move_batch, self.ctx.db, card.batch_id, room_id, reason, self.ctx.actor, expected_version=card.version
            )
        )
        if moved is None:
            return
        fresh = await self.guarded(self.ctx.read(desk_card, self.ctx.db, card.batch_id))
        if fresh is None:
            return
        self._show_card(fresh)
        if fresh.at_venue:
            self.ticket_panel.show_ticket(fresh, "moved")
            await offer_ticket_reprint(self, self.ctx, self.printer, fresh.batch_id)

    # ---- reloads ----

    def affected_by(self, changes: ChangeSet) -> bool:
        """Batches, visitors and rooms show on the desk."""
        return bool(changes.batches or changes.visitors or changes.rooms or changes.days)

    async def load(self) -> None:
        """Refresh the matches (keeping the selection and the typing) and the card."""
        if self.ctx.day_id is None:
            self._set_matches([], 0, "")
            self._show_card(None)
            return
        text = self.search_box.text()
        if text.strip():
            generation = self._search_generation
            rows, total = await self.ctx.read(find_for_desk, self.ctx.db, self.ctx.day_id, text)
            if generation == self._search_generation and text == self.search_box.text():
                self._set_matches(rows, total, text)
        else:
            await self.show_recent()
        if self.card is not None:
            batch_id = self.card.batch_id
            try:
                card = await self.ctx.read(desk_card, self.ctx.db, batch_id)
            except NotFoundError:
                card = None
            if self.card is not None and self.card.batch_id == batch_id:
                self._show_card(card)
