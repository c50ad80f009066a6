"""接待室: the room host's screen. Pick the room, call the next batch, record what the leader decided.

Left: the room's queue in call order (the not-yet-arrived greyed below) with 叫号 (F3), 开始接谈, 未到.
Right: the batch in session, the outcome form, 保存 (Ctrl+S) → the case number, and printing for the room's
cases: 打印交办单 (Ctrl+P), the receipt on A4 or 80 mm, for the case just saved or an earlier one of the room.
What is typed goes to a draft
(per batch, ~500 ms after the last keystroke), so a crash, a closed lid or 退回候谈 loses nothing; confirmed
actions (call, start, save) are written at once through the services.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.batches import Flag
from reception_desk.services import drafts, flow, plan, print_data
from reception_desk.services.cases import CaseDetail, case_detail, record_case
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
from reception_desk.ui.dialogs.case_correction_dialog import CaseCorrectionDialog
from reception_desk.ui.errors import show_error
from reception_desk.ui.models.headed_table import HeadedTableModel
from reception_desk.ui.pages.base import Page
from reception_desk.ui.printing import jobs
from reception_desk.ui.widgets.laptop_fit import BarLayout, VerticalScroll
from reception_desk.ui.widgets.outcome_form import OutcomeForm

log = logging.getLogger(__name__)

ROOM_KEY = "room_host/room_id"  # holds the room NUMBER: ids differ from day to day, numbers do not
DRAFT_DELAY_MS = 500
CALL_SHORTCUT = "F3"
SAVE_SHORTCUT = "Ctrl+S"
PRINT_SHORTCUT = "Ctrl+P"
MUTED = "#9aa0a6"
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


def flag_labels() -> dict[str, str]:
    """The batch flags as the host reads them (translated)."""
    return {
        Flag.ID_TO_CHECK.value: QCoreApplication.translate("RoomHostPage", "身份证待核"),
        Flag.COLLECTIVE.value: QCoreApplication.translate("RoomHostPage", "集体访"),
        Flag.DUPLICATE.value: QCoreApplication.translate("RoomHostPage", "疑似重复"),
        Flag.THEME_INFERRED.value: QCoreApplication.translate("RoomHostPage", "类别推断"),
        Flag.REPEAT.value: QCoreApplication.translate("RoomHostPage", "重复访"),
    }


def outcome_labels() -> dict[str, str]:
    """The outcomes as the host reads them (translated)."""
    return {
        "resolved": QCoreApplication.translate("RoomHostPage", "当场解决"),
        "handed_over": QCoreApplication.translate("RoomHostPage", "交办"),
        "explained": QCoreApplication.translate("RoomHostPage", "解释说明"),
    }


def with_township(choices: DepartmentChoices, township: str) -> DepartmentChoices:
    """The visitor's township (乡镇街道, itself a department) joins the suggested departments."""
    local = next((d for d in choices.others if d.name == township and d.kind == "township"), None)
    if local is None:
        return choices
    return DepartmentChoices((*choices.defaults, local), tuple(d for d in choices.others if d.id != local.id))


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


class _Pane(QFrame):
    """A panel that asks for a given width (its layout's own hint would be the table's few hundred pixels)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self._width = width

    def sizeHint(self) -> QSize:
        """The asked-for width, the layout's height."""
        return QSize(self._width, super().sizeHint().height())


class RoomHostPage(Page):
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
        self.case_banner = QFrame()
        self.case_banner.setObjectName("caseBanner")
        banner = QVBoxLayout(self.case_banner)
        banner.setContentsMargins(12, 6, 12, 6)
        banner.setSpacing(2)
        self.case_number_label = QLabel()
        self.case_number_label.setObjectName("caseNumber")
        self.case_number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # outcome and due date never wrap (a date cut into "12月 / 2日" was misread); a long lead name may
        self.case_info_label = QLabel()
        self.case_info_label.setObjectName("caseInfo")
        self.case_due_label = QLabel()
        self.case_due_label.setObjectName("caseDue")
        self.case_lead_label = QLabel()
        self.case_lead_label.setObjectName("caseLead")
        self.case_lead_label.setWordWrap(True)
        info = QHBoxLayout()
        info.setSpacing(14)
        info.addWidget(self.case_info_label)
        info.addWidget(self.case_due_label)
        info.addWidget(self.case_lead_label, 1)
        banner.addWidget(self.case_number_label)
        banner.addLayout(info)
        self.case_banner.hide()
        layout.addWidget(self.case_banner)

        layout.addWidget(self._build_session_card())
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

    def _build_print_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("printBar")
        # the picker shows its whole line (case number, visitor, outcome); when the buttons do not fit beside it
        # (English, a 1280-pixel laptop) they go on a second line instead of cutting the picker's text
        row = BarLayout(bar, spacing=6)
        caption = QLabel(self.tr("打印本室案件："))
        caption.setProperty("role", "muted")
        self.print_case_combo = QComboBox()
        self.print_case_combo.setObjectName("printCaseCombo")
        self.print_case_combo.setMinimumContentsLength(24)
        self.print_case_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.print_case_combo.currentIndexChanged.connect(lambda _i: self._update_print_actions())
        self.print_slip_button = QPushButton(self.tr("打印交办单  Ctrl+P"))
        self.print_slip_button.setObjectName("printSlipButton")
        self.print_slip_button.clicked.connect(lambda: self.spawn(self.print_slip()))
        self.print_receipt_button = QPushButton(self.tr("打印回执(A4)"))
        self.print_receipt_button.setObjectName("printReceiptButton")
        self.print_receipt_button.setToolTip(self.tr("A4 受理回执单：来访人联和存根联"))
        self.print_receipt_button.clicked.connect(lambda: self.spawn(self.print_receipt(thermal=False)))
        self.print_thermal_button = QPushButton(self.tr("回执(80mm)"))
        self.print_thermal_button.setObjectName("printThermalButton")
        self.print_thermal_button.setToolTip(self.tr("80 毫米热敏小票打印机用的受理回执"))
        self.print_thermal_button.clicked.connect(lambda: self.spawn(self.print_receipt(thermal=True)))
        row.add(caption, "lead")
        row.add(self.print_case_combo, "stretch")
        self.correct_case_button = QPushButton(self.tr("更正案件"))
        self.correct_case_button.setObjectName("correctCaseButton")
        self.correct_case_button.setToolTip(self.tr("更正所选案件的诉求、意见、处理结果、颜色或主办单位"))
        self.correct_case_button.clicked.connect(lambda: self.spawn(self.correct_case()))
        row.add(self.correct_case_button, "trailing")
        row.add(self.print_slip_button, "trailing")
        row.add(self.print_receipt_button, "trailing")
        row.add(self.print_thermal_button, "trailing")
        self.print_bar = bar
        policy = bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        bar.setSizePolicy(policy)
        bar.hide()
        return bar

    def _build_session_card(self) -> QWidget:
        card = QWidget()
        card.setObjectName("sessionCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.session_title = QLabel()
        self.session_title.setObjectName("sessionTitle")
        self.session_flags = QLabel()
        self.session_flags.setObjectName("sessionFlags")
        self.return_button = QPushButton(self.tr("退回候谈"))
        self.return_button.setObjectName("returnButton")
        self.return_button.setToolTip(
            self.tr("暂停接谈（如回去取材料），该批次回到队列并保留原位；已填写内容保留为草稿")
        )
        self.return_button.clicked.connect(lambda: self.spawn(self.return_current()))
        top.addWidget(self.session_title)
        top.addSpacing(8)
        top.addWidget(self.session_flags)
        top.addStretch(1)
        top.addWidget(self.return_button)
        layout.addLayout(top)
        self.session_empty = QLabel()
        self.session_empty.setObjectName("sessionEmpty")
        self.session_empty.setWordWrap(True)
        layout.addWidget(self.session_empty)

        self.session_details = QWidget()
        grid = QGridLayout(self.session_details)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.detail_labels: dict[str, QLabel] = {}
        fields = (
            ("companions", self.tr("同行人"), 0, 0, 3),
            ("place", self.tr("乡镇 / 村"), 1, 0, 1),
            ("phone", self.tr("联系电话"), 1, 2, 1),
            ("theme", self.tr("问题类别"), 2, 0, 1),
            ("ticket", self.tr("排队号"), 2, 2, 1),
            ("request", self.tr("登记诉求"), 3, 0, 3),
        )
        for key, caption, row, column, span in fields:
            name = QLabel(caption)
            name.setProperty("role", "key")
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setObjectName(f"session_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, column)
            grid.addWidget(value, row, column + 1, 1, span)
            self.detail_labels[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addWidget(self.session_details)
        return card

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

    def current_room_id(self) -> int | None:
        """The id of the chosen room on the current day, or None."""
        data = self.room_combo.currentData()
        return int(data) if data is not None else None

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
        self.session_details.setVisible(current is not None)
        self.session_empty.setVisible(current is None)
        if current is None:
            self.session_title.setText(self.tr("当前无接谈"))
            self.session_flags.setText("")
            self.session_empty.setText(
                self.tr("按 F3 叫号请下一批进入；或在左侧选中批次后点“开始接谈”。")
                if self.current_room_id() is not None
                else self.tr("请先在左侧选择本接待室。")
            )
            return
        self.session_title.setText(
            self.tr("接谈中：{0} · {1} · {2}人").format(current.reg_no, current.lead_name, current.headcount)
        )
        flags = flag_labels()
        self.session_flags.setText("  ".join(flags.get(f, f) for f in current.flags))
        labels = self.detail_labels
        labels["companions"].setText("、".join(current.companions) or self.tr("无"))
        labels["place"].setText(" ".join(p for p in (current.township, current.village) if p) or "—")
        labels["phone"].setText(current.phone or "—")
        labels["theme"].setText(current.theme_name or "—")
        labels["ticket"].setText(str(current.queue_number) if current.queue_number is not None else "—")
        labels["request"].setText(current.request)

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

    def _show_case(self, case_no: str, outcome: str, lead: str, colour: str | None, due: Any) -> None:
        self.case_number_label.setText(self.tr("已生成案件 {0}").format(case_no))
        self.case_info_label.setText(outcome_labels().get(outcome, outcome))
        due_text = self.tr("反馈期限：{0}年{1}月{2}日").format(due.year, due.month, due.day) if due is not None else ""
        self.case_due_label.setText(due_text)
        self.case_due_label.setVisible(bool(due_text))
        self.case_lead_label.setText(self.tr("主办：{0}").format(lead) if lead else "")
        self.case_banner.setProperty("colour", colour or "")
        self.case_banner.show()
        self.last_case_no = case_no
        self._print_pick = case_no
        self._pick_print_case()

    last_case_no: str = ""

    # ---- printing ----

    def _show_print_cases(self, cases: list[CaseDetail]) -> None:
        """List the room's cases for printing, newest first; keep the chosen one (or take the one just saved)."""
        keep = self.print_case_no()
        outcomes = outcome_labels()
        newest_first = sorted(cases, key=lambda c: c.case_no, reverse=True)
        self._print_cases = {c.case_no: c.outcome for c in newest_first}
        self._case_ids = {c.case_no: c.case_id for c in newest_first}
        combo = self.print_case_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            for case in newest_first:
                label = f"{case.case_no}  {case.visitor_name} · {outcomes.get(case.outcome, case.outcome)}"
                combo.addItem(label, case.case_no)
            index = combo.findData(keep) if keep else -1
            combo.setCurrentIndex(index if index >= 0 else (0 if newest_first else -1))
        finally:
            combo.blockSignals(False)
        self._pick_print_case()
        self.print_bar.setVisible(self.current_room_id() is not None and bool(newest_first))
        self._update_print_actions()

    def _pick_print_case(self) -> None:
        """Choose the case just saved for printing, once the list holds it."""
        if self._print_pick is None:
            return
        index = self.print_case_combo.findData(self._print_pick)
        if index >= 0:
            self.print_case_combo.setCurrentIndex(index)
            self._print_pick = None

    def print_case_no(self) -> str | None:
        """The case chosen for printing (by default the room's latest)."""
        value = self.print_case_combo.currentData()
        return str(value) if value else None

    def _update_print_actions(self) -> None:
        case_no = self.print_case_no()
        idle = case_no is not None and not self.printer.busy
        handed_over = self._print_cases.get(case_no or "") == "handed_over"
        self.print_slip_button.setEnabled(idle and handed_over)
        self.print_slip_button.setToolTip(
            self.tr("打印所选案件的交办单（Ctrl+P）")
            if handed_over or case_no is None
            else self.tr("当场解决或解释说明的案件不需要交办单")
        )
        self.print_receipt_button.setEnabled(idle)
        self.print_thermal_button.setEnabled(idle)

    active_correction: CaseCorrectionDialog | None = None  # the last correction dialog opened (tests look at it)
    _case_ids: dict[str, int] = {}  # case number → id, of the chosen room's cases

    async def correct_case(self) -> None:
        """更正案件: the chosen case in the correction dialog, read now (its version is the one the save sends)."""
        case_id = self._case_ids.get(self.print_case_no() or "")
        if case_id is None:
            return
        try:
            detail = await self.ctx.read(case_detail, self.ctx.db, case_id)
            departments = await self.ctx.read(plan.list_departments, self.ctx.db, True)
        except Exception as exc:
            show_error(self, exc)
            return
        dialog = CaseCorrectionDialog(self.ctx, detail, departments, self)
        dialog.saved.connect(lambda case_no: self.schedule_reload())
        self.active_correction = dialog
        dialog.open()

    async def print_slip(self) -> None:
        """打印交办单: the chosen case's slip in the preview."""
        case_no = self.print_case_no()
        if case_no is not None and self.print_slip_button.isEnabled():
            await self.printer.run(jobs.slip_job(self.ctx.db, case_no))

    async def print_receipt(self, thermal: bool) -> None:
        """打印回执: the chosen case's receipt (A4, or 80 mm) in the preview."""
        case_no = self.print_case_no()
        if case_no is not None and not self.printer.busy:
            await self.printer.run(jobs.receipt_job(self.ctx.db, case_no, thermal))
