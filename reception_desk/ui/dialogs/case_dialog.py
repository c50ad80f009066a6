"""办理: one case after the day — its details, its whole history in order, and the form of its next step.

Opened from the 督办台. Every step goes through ctx.write (off the UI thread, the change-set goes out on the bus)
with the version of the case as read, so a step somebody else took meanwhile is refused instead of overwritten;
a step out of order is refused by the service with its Chinese reason. After each step the dialog reads the case
again. Ctrl+Enter saves the step in front, Esc closes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reception_desk.db.engine import Database
from reception_desk.domain.case_life import METHODS, RATINGS, CaseStatus
from reception_desk.domain.office_time import to_local
from reception_desk.services import case_life, cases
from reception_desk.services.case_life import CaseEventRow
from reception_desk.services.cases import CaseDetail
from reception_desk.ui import roles_view
from reception_desk.ui.context import AppContext
from reception_desk.ui.errors import show_error
from reception_desk.ui.models.headed_table import HeadedTableModel
from reception_desk.ui.models.tracking_model import date_text, word
from reception_desk.ui.printing import jobs
from reception_desk.ui.widgets.case_step_form import CaseState, CaseStepForm

STYLE = """
#caseDialog QLabel#caseTitle { font-size: 14pt; font-weight: bold; color: #1f2329; }
#caseDialog QLabel#caseBadges { font-weight: bold; }
#caseDialog QFrame#caseDetails { background: #ffffff; border: 1px solid #d9dde3; border-radius: 4px; }
#caseDialog QFrame#caseDetails QLabel[role="key"] { color: #5f6670; }
#caseDialog QLabel#stepMessage { color: #b3261e; }
#caseDialog QPushButton#saveStep { background: #b3261e; color: white; font-weight: bold; padding: 6px 16px;
    border: none; border-radius: 4px; }
#caseDialog QPushButton#saveStep:disabled { background: #e3b6b2; }
#caseDialog QTableView { background: #ffffff; gridline-color: #e5e7eb; }
#caseDialog QHeaderView::section { background: #eef1f5; padding: 4px 6px; border: none;
    border-right: 1px solid #d9dde3; border-bottom: 1px solid #d9dde3; font-weight: bold; }
"""
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class CaseView:
    """What the dialog shows: the case, its history, and what decides the steps on offer."""

    detail: CaseDetail
    events: list[CaseEventRow]
    followed_up: bool
    can_escalate: bool


def load_case_view(db: Database, case_id: int) -> CaseView:
    """Read the case, its events and whether it is a repeat of a closed case not yet escalated (db thread)."""
    detail = cases.case_detail(db, case_id)
    events = case_life.case_events(db, case_id)
    can_escalate = False
    if detail.repeat_of_case_no and not detail.escalated:
        earlier = cases.case_detail(db, case_life.find_case_id(db, detail.repeat_of_case_no))
        can_escalate = earlier.status == CaseStatus.CLOSED.value
    followed_up = any(e.kind == "follow_up" for e in events)
    return CaseView(detail, events, followed_up, can_escalate)


def is_overdue(detail: CaseDetail, today: dt.date) -> bool:
    """A handed-over case still open past its due date (the one a 催办单 is for)."""
    return (
        detail.outcome == "handed_over"
        and detail.status != CaseStatus.CLOSED.value
        and detail.due_date is not None
        and detail.due_date < today
    )


class EventsModel(HeadedTableModel):
    """The case's history: 时间 (office time), 环节, 经办人, 内容; the recording of the case comes first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = (self.tr("时间"), self.tr("环节"), self.tr("经办人"), self.tr("内容"))
        self.lines: list[tuple[str, str, str, str]] = []

    def row_total(self) -> int:
        """One row per step."""
        return len(self.lines)

    def set_view(self, view: CaseView) -> None:
        """Show the history of the case."""
        detail = view.detail
        first = (
            f"{to_local(detail.recorded_at):%Y-%m-%d %H:%M}",
            word(detail.outcome_label),
            detail.recorded_by,
            self._recorded(detail),
        )
        lines = [first]
        for event in view.events:
            lines.append(
                (f"{to_local(event.at):%Y-%m-%d %H:%M}", word(event.kind_label), event.by, self._content(event))
            )
        self.beginResetModel()
        self.lines = lines
        self.endResetModel()

    def _recorded(self, detail: CaseDetail) -> str:
        if detail.outcome != "handed_over":
            return self.tr("接谈时当场处理")
        due = date_text(detail.original_due_date or detail.due_date)
        return self.tr("交 {0} 办理，期限 {1}").format(detail.lead_department or "—", due)

    def _content(self, event: CaseEventRow) -> str:
        data = event.data
        parts: list[str] = []
        if event.kind == "signed" and event.department:
            parts.append(self.tr("{0} 签收").format(event.department))
        elif event.kind == "closed":
            parts.append(self.tr("化解：是") if data.get("resolved") else self.tr("化解：否"))
        elif event.kind == "follow_up":
            parts.append(word(METHODS.get(str(data.get("method", "")), "")))
            parts.append(word(RATINGS.get(str(data.get("rating", "")), "")))
        elif event.kind == "extended":
            parts.append(self.tr("期限 {0} → {1}").format(data.get("from") or "—", data.get("to") or "—"))
        elif event.kind == "supervised":
            parts.append(self.tr("督办期限 {0}").format(data.get("until") or self.tr("未设")))
        if event.text:
            parts.append(event.text)
        return " · ".join(p for p in parts if p)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell of the history (the content in full as a tooltip)."""
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.lines[index.row()][index.column()]
        return None


class CaseDialog(QDialog):
    """办理 one case: details, history, the step forms, reprint the slip, print a 催办单 when overdue."""

    loaded = Signal()  # the case is (re)read and on screen
    step_saved = Signal(str)  # the step a save took

    def __init__(self, ctx: AppContext, case_id: int, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseDialog")
        self.setStyleSheet(STYLE)
        self.ctx = ctx
        self.case_id = case_id
        self.today = today
        self.view: CaseView | None = None
        self.saving = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self.printer = jobs.PrintRunner(ctx, self)
        self.setWindowTitle(self.tr("案件办理"))
        self.resize(1120, 700)
        self._build()
        QShortcut(QKeySequence("Ctrl+Return"), self, self.request_save)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.request_save)
        self.printer.busy_changed.connect(lambda _b: self._update_buttons())
        ctx.bus.changed.connect(self._on_changes)
        roles_view.apply(self)  # the steps are the supervisor's; others only read the case

    # --- layout ----------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title_label = QLabel()
        self.title_label.setObjectName("caseTitle")
        self.badges_label = QLabel()
        self.badges_label.setObjectName("caseBadges")
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addWidget(self.badges_label)
        head.addStretch(1)

        details = QFrame()
        details.setObjectName("caseDetails")
        grid = QFormLayout(details)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.setVerticalSpacing(4)
        grid.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.detail_labels: dict[str, QLabel] = {}
        for key, caption in (
            ("visitor", self.tr("来访人")),
            ("where", self.tr("接访")),
            ("request", self.tr("诉求")),
            ("instruction", self.tr("领导意见")),
            ("departments", self.tr("责任单位")),
            ("deadline", self.tr("期限")),
            ("status", self.tr("办理状态")),
            ("marks", self.tr("督办与重复访")),
        ):
            label = QLabel()
            label.setObjectName(f"detail_{key}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            key_label = QLabel(caption)
            key_label.setProperty("role", "key")
            grid.addRow(key_label, label)
            self.detail_labels[key] = label

        self.events_model = EventsModel(self)
        self.events_view = QTableView()
        self.events_view.setObjectName("caseEvents")
        self.events_view.setModel(self.events_model)
        self.events_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.events_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.events_view.setWordWrap(True)
        self.events_view.setShowGrid(False)
        self.events_view.verticalHeader().setVisible(False)
        header = self.events_view.horizontalHeader()
        header.setStretchLastSection(True)
        metrics = self.fontMetrics()
        header.resizeSection(0, metrics.horizontalAdvance("2026-12-04 16:30") + 20)
        header.resizeSection(1, metrics.horizontalAdvance("挂牌督办") + 24)
        header.resizeSection(2, metrics.horizontalAdvance("第15接待室 记录员") + 16)
        history_title = QLabel(self.tr("办理记录"))
        history_title.setStyleSheet("font-weight: bold;")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(details)
        left_layout.addWidget(history_title)
        left_layout.addWidget(self.events_view, 1)

        self.form = CaseStepForm()
        self.form.changed.connect(self._update_buttons)
        self.step_message = QLabel()
        self.step_message.setObjectName("stepMessage")
        self.step_message.setWordWrap(True)
        self.save_button = QPushButton(self.tr("保存（Ctrl+Enter）"))
        self.save_button.setObjectName("saveStep")
        self.save_button.clicked.connect(self.request_save)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        steps_title = QLabel(self.tr("办理"))
        steps_title.setStyleSheet("font-weight: bold;")
        right_layout.addWidget(steps_title)
        right_layout.addWidget(self.form, 1)
        right_layout.addWidget(self.step_message)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        right_layout.addLayout(save_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 440])

        self.slip_button = QPushButton(self.tr("重新打印交办单"))
        self.slip_button.setObjectName("reprintSlip")
        self.slip_button.clicked.connect(lambda: self.spawn(self.print_slip()))
        self.reminder_button = QPushButton(self.tr("打印催办单"))
        self.reminder_button.setObjectName("printReminder")
        self.reminder_button.clicked.connect(lambda: self.spawn(self.print_reminder()))
        self.close_button = QPushButton(self.tr("关闭（Esc）"))
        self.close_button.setObjectName("closeCase")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.slip_button)
        buttons.addWidget(self.reminder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        for button in (self.save_button, self.slip_button, self.reminder_button, self.close_button):
            button.setAutoDefault(False)  # Enter in a field must not close or save: Ctrl+Enter saves

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a coroutine and keep it referenced until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def start(self) -> None:
        """Read the case and show it (for callers outside a coroutine)."""
        self.spawn(self.load())

    async def load(self) -> None:
        """Read the case again and put it on screen."""
        try:
            view = await self.ctx.read(load_case_view, self.ctx.db, self.case_id)
        except Exception as exc:
            show_error(self, exc)
            return
        self._show(view)
        self.loaded.emit()

    def _on_changes(self, changes: Any) -> None:
        # another page or laptop changed this case: read it again (our own saves reload themselves)
        if not self.saving and (changes.full or self.case_id in changes.cases):
            self.start()

    def _show(self, view: CaseView) -> None:
        self.view = view
        d = view.detail
        self.title_label.setText(self.tr("案件 {0}").format(d.case_no))
        badges = [word(CaseStatus(d.status).label)]
        if is_overdue(d, self.today) and d.due_date is not None:
            badges.append(self.tr("逾期 {0} 天").format((self.today - d.due_date).days))
        if d.supervised:
            badges.append(self.tr("挂牌督办"))
        self.badges_label.setText("  ·  ".join(badges))
        self.badges_label.setStyleSheet("color: #b3261e;" if is_overdue(d, self.today) else "color: #5f6670;")
        labels = self.detail_labels
        labels["visitor"].setText(
            self.tr("{0}（{1}人）  {2}  {3} {4}").format(
                d.visitor_name, d.headcount, d.phone or "", d.township, d.village
            )
        )
        labels["where"].setText(
            self.tr("{0}  {1}  登记号 {2}").format(d.day_date.isoformat(), d.room_name or "—", d.reg_no)
        )
        labels["request"].setText(d.request)
        labels["instruction"].setText(d.instruction or "—")
        co = "、".join(d.co_departments)
        labels["departments"].setText(
            self.tr("主办：{0}    协办：{1}").format(d.lead_department or "—", co or "—")
            if d.outcome == "handed_over"
            else word(d.outcome_label)
        )
        deadline = f"{word(d.colour_label)}  {date_text(d.due_date)}" if d.colour else date_text(d.due_date)
        if d.original_due_date and d.due_date and d.original_due_date != d.due_date:
            deadline += self.tr("（原期限 {0}，已延期）").format(d.original_due_date.isoformat())
        labels["deadline"].setText(deadline)
        status = word(CaseStatus(d.status).label)
        if d.signed_by:
            status += self.tr("  签收人 {0}").format(d.signed_by)
        if d.resolved is not None:
            status += self.tr("  化解：是") if d.resolved else self.tr("  化解：否")
        if d.satisfaction:
            status += self.tr("  回访：{0}").format(word(RATINGS.get(d.satisfaction, d.satisfaction)))
        labels["status"].setText(status)
        labels["marks"].setText(self._marks(d))
        self.events_model.set_view(view)
        self.events_view.resizeRowsToContents()  # a handful of rows: long feedback wraps instead of eliding
        for row in range(self.events_model.rowCount()):
            self.events_view.setRowHeight(row, self.events_view.rowHeight(row) + 8)
        self.form.set_case(
            CaseState(
                case_no=d.case_no,
                status=d.status,
                outcome=d.outcome,
                followed_up=view.followed_up,
                due_date=d.due_date,
                supervised=d.supervised,
                can_escalate=view.can_escalate,
            ),
            self.today,
        )
        self._update_buttons()

    def _marks(self, d: CaseDetail) -> str:
        marks: list[str] = []
        if d.supervised:
            until = d.supervision_until.isoformat() if d.supervision_until else self.tr("未设期限")
            reason = d.supervision_reason.rstrip("。")
            marks.append(self.tr("挂牌督办（{0}；期限 {1}）").format(reason, until))
        if d.repeat_of_case_no:
            marks.append(self.tr("重复访，原案件 {0}").format(d.repeat_of_case_no))
        if d.escalated:
            marks.append(self.tr("已提级核查"))
        return "；".join(marks) or "—"

    # --- actions ---------------------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        view = self.view
        missing = self.form.missing() if view is not None else ""
        self.step_message.setText(missing)
        self.save_button.setEnabled(view is not None and not missing and not self.saving)
        idle = view is not None and not self.printer.busy
        handed_over = view is not None and view.detail.outcome == "handed_over"
        self.slip_button.setEnabled(idle and handed_over)
        overdue = view is not None and is_overdue(view.detail, self.today)
        self.reminder_button.setEnabled(idle and overdue)
        self.reminder_button.setToolTip("" if overdue else self.tr("只有逾期未办结的案件才打印催办单"))

    def request_save(self) -> None:
        """Save the step in front (Ctrl+Enter), when its form is complete."""
        if self.save_button.isEnabled():
            self.spawn(self.save_step())

    async def save_step(self) -> bool:
        """Send the step in front to its service with the case's version; True when it was taken."""
        view = self.view
        if view is None or self.saving or self.form.missing():
            return False
        call = self.form.call(self.ctx.actor)
        self.saving = True
        self._update_buttons()
        try:
            await self.ctx.write(
                call.fn, self.ctx.db, self.case_id, *call.args, expected_version=view.detail.version, **call.kwargs
            )
        except Exception as exc:
            show_error(self, exc)
            await self.load()  # a stale or refused step: show the case as it now is
            return False
        finally:
            self.saving = False
        await self.load()
        self.form.clear_step(call.step)
        self._update_buttons()
        self.step_saved.emit(call.step)
        return True

    async def print_slip(self) -> None:
        """重新打印交办单 of this case."""
        if self.view is not None and self.slip_button.isEnabled():
            await self.printer.run(jobs.slip_job(self.ctx.db, self.view.detail.case_no))

    async def print_reminder(self) -> None:
        """打印催办单 for this overdue case."""
        if self.view is not None and self.reminder_button.isEnabled():
            await self.printer.run(jobs.reminders_job(self.ctx.db, [self.view.detail.case_no], as_of=self.today))
