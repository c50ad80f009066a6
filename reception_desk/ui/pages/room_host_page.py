"""接待室: the room host's screen. Pick the room, call the next batch, record what the leader decided.

Left: the room's queue in call order (the not-yet-arrived greyed below) with 叫号 (F3), 开始接谈, 未到.
Right: the batch in session, the outcome form, 保存 (Ctrl+S) → the case number, and printing for the room's
cases: 打印交办单 (Ctrl+P), the receipt on A4 or 80 mm, for the case just saved or an earlier one of the room.
What is typed goes to a draft
(per batch, ~500 ms after the last keystroke), so a crash, a closed lid or 退回候谈 loses nothing; confirmed
actions (call, start, save) are written at once through the services.

The queue's model is ui/models/room_queue_model.py, the batch in session's card ui/widgets/session_card.py, the
saved-case banner, the print bar and 更正案件 ui/widgets/room_case_actions.py (a base class of the page).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reception_desk.services import drafts, flow, plan, print_data
from reception_desk.services.cases import case_detail, record_case
from reception_desk.services.changes import ChangeSet
from reception_desk.services.plan import RoomInfo
from reception_desk.services.room_queue import (
    DepartmentChoices,
    QueueItem,
    RoomQueue,
    SessionBatch,
    department_choices,
    room_queue,
)
from reception_desk.ui import roles_view
from reception_desk.ui.context import AppContext
from reception_desk.ui.errors import show_error
from reception_desk.ui.models.room_queue_model import QueueModel
from reception_desk.ui.printing import jobs
from reception_desk.ui.widgets.laptop_fit import VerticalScroll
from reception_desk.ui.widgets.outcome_form import OutcomeForm
from reception_desk.ui.widgets.room_case_actions import RoomCaseActions
from reception_desk.ui.widgets.session_card import SessionCard

log = logging.getLogger(__name__)

ROOM_KEY = "room_host/room_id"  # holds the room NUMBER: ids differ from day to day, numbers do not
DRAFT_DELAY_MS = 500
CALL_SHORTCUT = "F3"
SAVE_SHORTCUT = "Ctrl+S"
PRINT_SHORTCUT = "Ctrl+P"
QUEUE_WIDTH = 400  # the queue's width while the session pane has room
QUEUE_MIN_WIDTH = 320  # what it may shrink to on a 1280-pixel laptop

PAGE_STYLE = """
#roomHostPage QLabel[role="section"] { font-size: 11pt; font-weight: bold; color: #1f2329; }
#roomHostPage QLabel[role="muted"] { color: #7a828c; }
#queuePanel, #sessionPanel { background: #ffffff; border: 1px solid #d9dde3; border-radius: 6px; }
#roomCombo { font-size: 11pt; padding: 3px 6px; }
#callNextButton { background: #b3261e; color: white; font-size: 12pt; font-weight: bold; padding: 7px 12px;
                  border: none; border-radius: 4px; }
#callNextButton:disabled { background: #e3b6b2; color: #fbeeed; }
#sessionTitle { font-size: 14pt; font-weight: bold; color: #1565c0; }
#sessionEmpty { font-size: 11pt; color: #7a828c; }
#sessionFlags { color: #b3261e; font-weight: bold; }
#sessionCard QLabel[role="key"] { color: #7a828c; }
#caseBanner { background: #e8f5e9; border: 1px solid #2e7d32; border-radius: 6px; }
#caseNumber { font-size: 16pt; font-weight: bold; color: #1b5e20; }
#caseInfo, #caseDue, #caseLead { color: #1f2329; }
#roomHost { color: #1f2329; }
#draftState { color: #7a828c; }
#printBar QPushButton { padding: 4px 10px; }
#printSlipButton { font-weight: bold; }
#queueView { border: none; }
#sessionScroll, #sessionScroll > QWidget { background: transparent; }
"""


def with_township(choices: DepartmentChoices, township: str) -> DepartmentChoices:
    """The visitor's township (乡镇街道, itself a department) joins the suggested departments."""
    local = next((d for d in choices.others if d.name == township and d.kind == "township"), None)
    if local is None:
        return choices
    return DepartmentChoices((*choices.defaults, local), tuple(d for d in choices.others if d.id != local.id))


class _Pane(QFrame):
    """A panel that asks for a given width (its layout's own hint would be the table's few hundred pixels)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self._width = width

    def sizeHint(self) -> QSize:
        """The asked-for width, the layout's height."""
        return QSize(self._width, super().sizeHint().height())


class RoomHostPage(RoomCaseActions):
    """The room host's page: queue, batch in session, outcome form; drafts saved as the host types."""

    call_button: QPushButton
    start_button: QPushButton
    no_show_button: QPushButton
    return_button: QPushButton
    print_slip_button: QPushButton
    form: OutcomeForm

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("roomHostPage")
        self.setStyleSheet(PAGE_STYLE)
        self._rooms: list[RoomInfo] = []
        self._queue: RoomQueue | None = None
        self._filling_rooms = False
        self._focus_form_next = False
        self._saving = False
        self._busy = False
        self._edit_serial = 0  # bumped on every edit; a draft save records the serial it wrote
        self._saved_serial = 0
        self._print_cases: dict[str, str] = {}  # case number → outcome, of the chosen room's cases
        self._print_pick: str | None = None  # the case just saved: chosen for printing once listed
        self.printer = jobs.PrintRunner(ctx, self)
        self.printer.busy_changed.connect(lambda _busy: self._update_print_actions())

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(lambda: self.spawn(self.flush_draft()))

        body = QHBoxLayout(self)
        body.setContentsMargins(14, 12, 14, 12)
        body.setSpacing(12)
        # the queue keeps 400 pixels while the session pane has room; on a 1280-pixel laptop it gives some up,
        # and a session pane taller than the window scrolls rather than making the window taller
        body.addWidget(self._build_queue_panel(), 0)
        self.session_scroll = VerticalScroll(self._build_session_panel())
        self.session_scroll.setObjectName("sessionScroll")
        body.addWidget(self.session_scroll, 1)

        QShortcut(QKeySequence(CALL_SHORTCUT), self, self.call_button.click)
        QShortcut(QKeySequence(SAVE_SHORTCUT), self, self.form.request_save)
        QShortcut(QKeySequence(PRINT_SHORTCUT), self, self.print_slip_button.click)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.flush_draft_now)
        self._show_session(None)
        self._update_actions()
        roles_view.apply(self)

    def title(self) -> str:
        """接待室."""
        return self.tr("接待室")

    # ---- building ----

    def _build_queue_panel(self) -> QWidget:
        panel = _Pane(QUEUE_WIDTH)
        panel.setObjectName("queuePanel")
        panel.setMinimumWidth(QUEUE_MIN_WIDTH)
        panel.setMaximumWidth(QUEUE_WIDTH)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        room_label = QLabel(self.tr("本接待室"))
        room_label.setProperty("role", "section")
        self.room_combo = QComboBox()
        self.room_combo.setObjectName("roomCombo")
        self.room_combo.setPlaceholderText(self.tr("请选择本接待室"))
        self.room_combo.currentIndexChanged.connect(self._room_chosen)
        # the host on a line of its own: in the combo's text it was cut off on a 1366-pixel screen
        self.room_host_label = QLabel()
        self.room_host_label.setObjectName("roomHost")
        self.room_host_label.setWordWrap(True)
        self.room_host_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(room_label)
        layout.addWidget(self.room_combo)
        layout.addWidget(self.room_host_label)

        self.queue_title = QLabel(self.tr("候谈队列"))
        self.queue_title.setProperty("role", "section")
        layout.addSpacing(4)
        layout.addWidget(self.queue_title)
        self.queue_model = QueueModel(self)
        self.queue_view = QTableView()
        self.queue_view.setObjectName("queueView")
        self.queue_view.setModel(self.queue_model)
        self.queue_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.queue_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.queue_view.verticalHeader().setVisible(False)
        self.queue_view.verticalHeader().setDefaultSectionSize(26)
        self.queue_view.setAlternatingRowColors(True)
        self.queue_view.setWordWrap(False)
        header = self.queue_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.queue_view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.queue_view.doubleClicked.connect(lambda _index: self.start_button.click())
        layout.addWidget(self.queue_view, 1)
        self.queue_summary = QLabel()
        self.queue_summary.setObjectName("queueSummary")
        self.queue_summary.setProperty("role", "muted")
        self.queue_summary.setWordWrap(True)
        layout.addWidget(self.queue_summary)

        self.call_button = QPushButton(self.tr("叫号  F3"))
        self.call_button.setObjectName("callNextButton")
        self.call_button.setToolTip(self.tr("请队列中的下一批进入接待室（F3）"))
        self.call_button.clicked.connect(lambda: self.spawn(self.call_next()))
        self.start_button = QPushButton(self.tr("开始接谈"))
        self.start_button.setObjectName("startButton")
        self.start_button.setToolTip(self.tr("请选中的批次进入接待室（可不按顺序）"))
        self.start_button.clicked.connect(lambda: self.spawn(self.start_selected()))
        self.no_show_button = QPushButton(self.tr("未到"))
        self.no_show_button.setObjectName("noShowButton")
        self.no_show_button.setToolTip(self.tr("叫号后无人应答：将选中的批次标记为未到"))
        self.no_show_button.clicked.connect(self.ask_no_show)
        layout.addWidget(self.call_button)
        row = QHBoxLayout()
        row.addWidget(self.start_button, 1)
        row.addWidget(self.no_show_button, 1)
        layout.addLayout(row)
        return panel

    def _build_session_panel(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("sessionPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(10)

        # the print bar first and its place kept while hidden: the banner below it never moves its buttons
        layout.addWidget(self._build_print_bar())
        layout.addWidget(self._build_case_banner())

        self.session_card = SessionCard()
        card = self.session_card
        self.session_title, self.session_flags = card.session_title, card.session_flags
        self.session_empty, self.session_details = card.session_empty, card.session_details
        self.detail_labels = card.detail_labels
        self.return_button = card.return_button
        self.return_button.clicked.connect(lambda: self.spawn(self.return_current()))
        layout.addWidget(card)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #e1e4e8;")
        layout.addWidget(line)
        form_title = QHBoxLayout()
        caption = QLabel(self.tr("接谈结果"))
        caption.setProperty("role", "section")
        self.draft_state = QLabel()
        self.draft_state.setObjectName("draftState")
        form_title.addWidget(caption)
        form_title.addStretch(1)
        form_title.addWidget(self.draft_state)
        layout.addLayout(form_title)
        self.form = OutcomeForm()
        self.form.changed.connect(self._form_edited)
        self.form.save_requested.connect(lambda: self.spawn(self.save_case()))
        layout.addWidget(self.form, 1)
        return panel

    # ---- loading ----

    def affected_by(self, changes: ChangeSet) -> bool:
        """Our room, its batches, the directory, the days."""
        if changes.days or changes.departments:
            return True
        room_id = self.current_room_id()
        if room_id is None or room_id in changes.rooms:
            return True
        shown = {i.batch_id for i in self.queue_model.items}
        if self._queue is not None and self._queue.current is not None:
            shown.add(self._queue.current.batch_id)
        return bool(shown & changes.batches)

    async def load(self) -> None:
        """Rooms of the day, then the chosen room's queue, the batch in session and its draft."""
        day_id = self.ctx.day_id
        if day_id is None:
            self._fill_rooms([])
            await self._show_queue(None)
            self._show_print_cases([])
            return
        rooms = await self.ctx.read(plan.list_rooms, self.ctx.db, day_id)
        if day_id != self.ctx.day_id:
            self.schedule_reload()  # the day switched meanwhile
            return
        self._fill_rooms(rooms)
        room_id = self.current_room_id()
        queue = await self.ctx.read(room_queue, self.ctx.db, room_id) if room_id is not None else None
        number = next((r.number for r in rooms if r.id == room_id), None)
        cases = (
            await self.ctx.read(print_data.day_cases, self.ctx.db, day_id, handed_over_only=False, room_number=number)
            if number is not None
            else []
        )
        if room_id != self.current_room_id():
            self.schedule_reload()  # another room was chosen meanwhile
            return
        await self._show_queue(queue)
        self._show_print_cases(cases)

    def _fill_rooms(self, rooms: list[RoomInfo]) -> None:
        rooms = roles_view.own_rooms(self.ctx.user, rooms)  # a room host works in his own rooms only
        labels = [self._room_label(r) for r in rooms]
        if [self.room_combo.itemText(i) for i in range(self.room_combo.count())] == labels and [
            self.room_combo.itemData(i) for i in range(self.room_combo.count())
        ] == [r.id for r in rooms]:
            self._rooms = rooms
            self._show_room_host()  # the host may have changed in the settings
            return
        wanted = self._remembered_number()
        self._filling_rooms = True
        try:
            self.room_combo.clear()
            for room, label in zip(rooms, labels, strict=True):
                self.room_combo.addItem(label, room.id)
            index = next((i for i, r in enumerate(rooms) if r.number == wanted), -1)
            self.room_combo.setCurrentIndex(index)
        finally:
            self._filling_rooms = False
        self._rooms = rooms
        self._show_room_host()

    def _room_label(self, room: RoomInfo) -> str:
        return " · ".join(p for p in (room.name, room.theme_name) if p)

    def _show_room_host(self) -> None:
        room = next((r for r in self._rooms if r.id == self.current_room_id()), None)
        host = room.host if room is not None else ""
        self.room_host_label.setText(self.tr("接待领导：{0}").format(host) if host else "")
        self.room_host_label.setVisible(bool(host))

    def _remembered_number(self) -> int | None:
        value = self.ctx.settings.value(ROOM_KEY)
        try:
            return int(str(value)) if value is not None and str(value) != "" else None
        except ValueError:
            return None

    def choose_room(self, number: int) -> None:
        """Choose the room by its number (as the host does with the combo)."""
        index = next((i for i, r in enumerate(self._rooms) if r.number == number), -1)
        self.room_combo.setCurrentIndex(index)

    def _room_chosen(self, index: int) -> None:
        if self._filling_rooms or index < 0 or index >= len(self._rooms):
            return
        self.ctx.settings.setValue(ROOM_KEY, self._rooms[index].number)
        self.ctx.settings.sync()
        self._show_room_host()
        self.case_banner.hide()
        self.spawn(self._switch_room())

    async def _switch_room(self) -> None:
        await self.flush_draft()
        self._set_form_batch(None)
        await self.reload()

    async def _show_queue(self, queue: RoomQueue | None) -> None:
        self._queue = queue
        selected = self.selected_item()
        items = [*queue.waiting, *queue.not_arrived] if queue is not None else []
        self.queue_model.set_items(items)
        if selected is not None:
            row = self.queue_model.row_of(selected.batch_id)
            if row is not None:
                self.queue_view.selectRow(row)
        self._show_summary(queue)
        self._show_session(queue.current if queue else None)
        await self._sync_form(queue)
        self._update_actions()

    def _show_summary(self, queue: RoomQueue | None) -> None:
        if queue is None:
            self.queue_title.setText(self.tr("候谈队列"))
            self.queue_summary.setText(
                self.tr("尚未创建接访日。") if self.ctx.day_id is None else self.tr("请先在上方选择本接待室。")
            )
            return
        people = sum(i.headcount for i in queue.waiting)
        self.queue_title.setText(self.tr("候谈队列（{0}批 {1}人）").format(len(queue.waiting), people))
        self.queue_summary.setText(
            self.tr("未签到 {0} 批 · 已接待 {1} 批 · 未到 {2} 批").format(
                len(queue.not_arrived), queue.done, queue.no_show
            )
        )

    def _show_session(self, current: SessionBatch | None) -> None:
        self.session_card.show_batch(current, self.current_room_id() is not None)

    async def _sync_form(self, queue: RoomQueue | None) -> None:
        current = queue.current if queue is not None else None
        if queue is not None:
            self.form.set_day(queue.day_date, queue.calendar)
        if current is None:
            if self.form.batch_id is not None:
                await self.flush_draft()
                self._set_form_batch(None)
            return
        theme = current.theme_code or (queue.theme_code if queue is not None else "")
        choices = await self.ctx.read(department_choices, self.ctx.db, theme)
        self.form.set_departments(with_township(choices, current.township))
        if self.form.batch_id == current.batch_id:
            return
        if self.form.batch_id is not None:
            await self.flush_draft()
        self.form.setEnabled(False)  # nothing typed while the draft is being fetched
        draft = await self.ctx.read(drafts.load_draft, self.ctx.db, current.batch_id)
        self._set_form_batch(current, draft)
        if draft:
            self.draft_state.setText(self.tr("已恢复未保存的草稿"))
        if self._focus_form_next and self.isVisible():
            self.form.focus_first_field()
        self._focus_form_next = False

    def _set_form_batch(self, current: SessionBatch | None, draft: dict[str, Any] | None = None) -> None:
        self._draft_timer.stop()
        self._edit_serial = self._saved_serial = 0
        self.draft_state.setText("")
        if current is None:
            self.form.clear()
        else:
            self.form.set_batch(current.batch_id, current.request, draft)
        self.form.set_repeats(current.earlier_cases if current is not None else ())

    # ---- drafts ----

    def _form_edited(self) -> None:
        self._edit_serial += 1
        self.draft_state.setText(self.tr("正在输入…"))
        self._draft_timer.start()

    @property
    def draft_pending(self) -> bool:
        """Something typed is not in the drafts table yet."""
        return self.form.batch_id is not None and self._edit_serial != self._saved_serial

    async def flush_draft(self) -> None:
        """Write the form to the drafts table now, if anything was typed since the last write."""
        if not self.draft_pending:
            return
        self._draft_timer.stop()
        batch_id, serial, data = self.form.batch_id, self._edit_serial, self.form.data()
        assert batch_id is not None
        try:
            stored = await self.ctx.write(
                drafts.save_draft, self.ctx.db, batch_id, self.current_room_id(), data, self.ctx.actor
            )
        except Exception as exc:  # the host keeps typing; the next pause tries again
            log.exception("draft not saved")
            self.draft_state.setText(self.tr("草稿未能保存：{0}").format(exc))
            return
        if self.form.batch_id == batch_id:
            self._saved_serial = max(self._saved_serial, serial)
            if stored and not self.draft_pending:
                self.draft_state.setText(self.tr("草稿已自动保存"))

    def flush_draft_now(self) -> None:
        """At quit: write a pending draft on this thread (the event loop is about to stop)."""
        if not self.draft_pending or self.form.batch_id is None:
            return
        try:
            drafts.save_draft(self.ctx.db, self.form.batch_id, self.current_room_id(), self.form.data(), self.ctx.actor)
            self._saved_serial = self._edit_serial
        except Exception:
            log.exception("draft not saved at quit")

    def hideEvent(self, event: QHideEvent) -> None:
        """Leaving the page (or the window closing) writes what was typed."""
        if self.draft_pending:
            self.spawn(self.flush_draft())
        super().hideEvent(event)

    # ---- actions ----

    def selected_item(self) -> QueueItem | None:
        """The queue entry selected in the list, or None."""
        rows = self.queue_view.selectionModel().selectedRows() if self.queue_view.selectionModel() else []
        if not rows:
            return None
        row = rows[0].row()
        return self.queue_model.items[row] if 0 <= row < len(self.queue_model.items) else None

    def select_batch(self, batch_id: int) -> bool:
        """Select a batch in the queue; False when it is not there."""
        row = self.queue_model.row_of(batch_id)
        if row is None:
            return False
        self.queue_view.selectRow(row)
        return True

    def _update_actions(self) -> None:
        queue = self._queue
        current = queue.current if queue is not None else None
        selected = self.selected_item()
        idle = not self._busy and queue is not None and current is None
        self.call_button.setEnabled(idle and bool(queue and queue.waiting))
        if queue is not None and current is not None:
            self.call_button.setToolTip(self.tr("请先保存接谈结果或退回候谈，再叫下一批（F3）"))
        elif queue is not None and not queue.waiting:
            self.call_button.setToolTip(self.tr("没有已签到候谈的批次"))
        else:
            self.call_button.setToolTip(self.tr("请队列中的下一批进入接待室（F3）"))
        self.start_button.setEnabled(idle and selected is not None and selected.arrived)
        self.no_show_button.setEnabled(not self._busy and selected is not None)
        self.return_button.setVisible(current is not None)
        self.return_button.setEnabled(not self._busy and current is not None)

    async def _run(self, coro: Any) -> Any:
        """One confirmed action: buttons off while it runs, a Chinese dialog when refused."""
        self._busy = True
        self._update_actions()
        try:
            return await coro
        except Exception as exc:
            show_error(self, exc)
            self.schedule_reload()
            return None
        finally:
            self._busy = False
            self._update_actions()

    async def call_next(self) -> None:
        """叫号: the room's next waiting batch comes in."""
        room_id = self.current_room_id()
        if room_id is None or self._busy:
            return
        self.case_banner.hide()
        self._focus_form_next = True
        result = await self._run(self.ctx.write(flow.call_next, self.ctx.db, room_id, self.ctx.actor))
        if result is not None and result[0] is None:
            self.queue_summary.setText(self.tr("没有已签到候谈的批次。"))

    async def start_selected(self) -> None:
        """开始接谈: the selected batch comes in, out of turn if need be."""
        item = self.selected_item()
        if item is None or not item.arrived or self._busy:
            return
        self.case_banner.hide()
        self._focus_form_next = True
        await self._run(
            self.ctx.write(
                flow.start_session, self.ctx.db, item.batch_id, self.ctx.actor, expected_version=item.version
            )
        )

    async def return_current(self) -> None:
        """退回候谈: the batch in session goes back to the queue, keeping its place and its draft."""
        current = self._queue.current if self._queue is not None else None
        if current is None or self._busy:
            return
        await self.flush_draft()
        await self._run(
            self.ctx.write(
                flow.return_to_queue, self.ctx.db, current.batch_id, self.ctx.actor, expected_version=current.version
            )
        )

    def ask_no_show(self) -> None:
        """未到: ask first (the desk can still check the batch in later)."""
        item = self.selected_item()
        if item is None or self._busy:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("标记未到"),
            self.tr("将批次 {0}（{1}，{2}人）标记为未到？\n该批次之后仍可到登记台签到。").format(
                item.reg_no, item.lead_name, item.headcount
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirmNoShow")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("标记未到"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("取消"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: Any) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                self.spawn(self.mark_no_show(item))

        box.buttonClicked.connect(answered)
        box.open()

    async def mark_no_show(self, item: QueueItem) -> None:
        """Mark the batch as not come (after the host confirmed)."""
        await self._run(
            self.ctx.write(flow.mark_no_show, self.ctx.db, item.batch_id, self.ctx.actor, expected_version=item.version)
        )

    async def save_case(self) -> None:
        """保存: record the case, show its number, drop the draft, empty the form for the next batch."""
        current = self._queue.current if self._queue is not None else None
        batch_id = self.form.batch_id
        if self._saving or current is None or batch_id != current.batch_id or self.form.problem():
            return
        self._saving = True
        self._draft_timer.stop()
        self.form.save_button.setEnabled(False)
        data = self.form.case_input()
        try:
            case_id, _ = await self.ctx.write(
                record_case, self.ctx.db, batch_id, data, self.ctx.actor, expected_version=current.version
            )
        except Exception as exc:
            self._saving = False
            self.form.save_button.setEnabled(not self.form.problem())
            show_error(self, exc)
            self.schedule_reload()
            return
        try:
            if self.form.batch_id == batch_id:
                self._set_form_batch(None)
            await self.ctx.write(drafts.delete_draft, self.ctx.db, batch_id)
            detail = await self.ctx.read(case_detail, self.ctx.db, case_id)
            self._show_case(detail.case_no, detail.outcome, detail.lead_department, detail.colour, detail.due_date)
        except Exception as exc:  # the case is recorded; only the follow-up failed
            log.exception("after recording the case")
            self.case_number_label.setText(self.tr("案件已保存"))
            self.case_info_label.setText("")
            self.case_due_label.hide()
            self.case_lead_label.setText(str(exc))
            self.case_banner.show()
        finally:
            self._saving = False
