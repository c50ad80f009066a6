"""督办台's table: the tracked cases, most urgent first, paged in 200 rows at a time as the view scrolls.

The model holds the rows the query returned (a TrackedCase each: small, immutable) and the total. The first page
comes with the page's load; the view asks for more through canFetchMore/fetchMore and the next page is read on
the database thread. A reset (new filter, a change-set) bumps the epoch: a page that was being read for the old
list is dropped when it arrives.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from reception_desk.domain.case_life import RATINGS, CaseStatus
from reception_desk.services.tracking import TrackedCase
from reception_desk.ui.models.registrations_model import domain_word
from reception_desk.ui.room_names import room_short

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex
Fetch = Callable[[int, int], Awaitable[tuple[list[TrackedCase], int]]]  # (offset, limit) → (rows, total)


class Column(IntEnum):
    """The columns of the tracking table, in order."""

    URGENCY = 0
    CASE_NO = 1
    DAY = 2
    VISITOR = 3
    THEME = 4
    ROOM = 5
    DEPARTMENT = 6
    COLOUR = 7
    DUE = 8
    STATUS = 9
    SUPERVISED = 10
    FOLLOW_UP = 11


CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
BADGE_ROLE = Qt.ItemDataRole.UserRole + 2  # (text, text colour, badge colour) painted as a rounded badge
SWATCH_ROLE = Qt.ItemDataRole.UserRole + 3  # a colour painted as a square

# Urgency badges: red overdue, orange due today, yellow due the next working day.
URGENCY_BADGES: dict[int, tuple[str, str]] = {
    0: ("#ffffff", "#c62828"),
    1: ("#ffffff", "#ef6c00"),
    2: ("#5d4200", "#fdd835"),
}
SWATCHES = {"green": "#2e7d32", "yellow": "#f9c80e", "red": "#c62828"}
SUPERVISED_BADGE = ("#ffffff", "#6a1b9a")
SUPERVISED_TINT = "#f6effa"  # the whole row of a supervised case
MUTED = "#7a828c"
STATUS_COLOURS = {"open": "#b3261e", "signed": "#15589e", "replied": "#1e7d32", "closed": MUTED}

WORDS = (
    QT_TRANSLATE_NOOP("tracking", "待签收"),
    QT_TRANSLATE_NOOP("tracking", "已签收"),
    QT_TRANSLATE_NOOP("tracking", "已反馈"),
    QT_TRANSLATE_NOOP("tracking", "已办结"),
    QT_TRANSLATE_NOOP("tracking", "满意"),
    QT_TRANSLATE_NOOP("tracking", "基本满意"),
    QT_TRANSLATE_NOOP("tracking", "不满意"),
    QT_TRANSLATE_NOOP("tracking", "未能联系"),
    QT_TRANSLATE_NOOP("tracking", "绿色"),
    QT_TRANSLATE_NOOP("tracking", "黄色"),
    QT_TRANSLATE_NOOP("tracking", "红色"),
    QT_TRANSLATE_NOOP("tracking", "交办"),
    QT_TRANSLATE_NOOP("tracking", "当场解决"),
    QT_TRANSLATE_NOOP("tracking", "解释说明"),
    QT_TRANSLATE_NOOP("tracking", "签收"),
    QT_TRANSLATE_NOOP("tracking", "反馈"),
    QT_TRANSLATE_NOOP("tracking", "延期"),
    QT_TRANSLATE_NOOP("tracking", "办结"),
    QT_TRANSLATE_NOOP("tracking", "回访"),
    QT_TRANSLATE_NOOP("tracking", "挂牌督办"),
    QT_TRANSLATE_NOOP("tracking", "提级核查"),
    QT_TRANSLATE_NOOP("tracking", "电话"),
    QT_TRANSLATE_NOOP("tracking", "上门"),
    QT_TRANSLATE_NOOP("tracking", "短信"),
)


def word(text: str) -> str:
    """A domain label (status, rating, colour) in the UI language."""
    return QCoreApplication.translate("tracking", text)


def urgency_text(row: TrackedCase) -> str:
    """逾期 3 天 / 今日到期 / 即将到期 (the next working day) / 办理中 / 已办结 / 当场办结."""
    return urgency_label(row.urgency, row.overdue_days)


def urgency_label(urgency: int, overdue_days: int = 0) -> str:
    """The urgency column's words for an urgency (0 overdue … 5 closed on the spot)."""
    if urgency == 0:
        return QCoreApplication.translate("tracking", "逾期 {0} 天").format(overdue_days)
    labels = {
        1: QCoreApplication.translate("tracking", "今日到期"),
        2: QCoreApplication.translate("tracking", "即将到期"),  # the next working day (the tooltip names it)
        3: QCoreApplication.translate("tracking", "办理中"),
        4: QCoreApplication.translate("tracking", "已办结"),
        5: QCoreApplication.translate("tracking", "当场办结"),
    }
    return labels.get(urgency, "")


def follow_up_text(row: TrackedCase) -> str:
    """The latest rating, 待回访 for a closed case not yet asked, — before closing."""
    if row.rating:
        return word(RATINGS.get(row.rating, row.rating))
    if row.status == CaseStatus.CLOSED.value:
        return QCoreApplication.translate("tracking", "待回访")
    return "—"


def date_text(day: dt.date | None) -> str:
    """2026-12-07, or — when there is none."""
    return day.isoformat() if day else "—"


class TrackingModel(QAbstractTableModel):
    """The tracked cases in urgency order; the rest of the list is paged in as the view scrolls."""

    PAGE_SIZE = 200
    more_loaded = Signal()  # a further page is in

    def __init__(self, fetch: Fetch, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._rows: list[TrackedCase] = []
        self._total = 0
        self._epoch = 0
        self._fetching = False
        self._tasks: set[asyncio.Task[None]] = set()
        # "short": the narrow columns' own English ("Day", "Room", "Lead dept."), see scripts/update_translations.py
        self._headers = (
            self.tr("紧急程度"),
            self.tr("案件编号"),
            self.tr("接访日", "short"),
            self.tr("来访人"),
            self.tr("问题类别"),
            self.tr("接待室", "short"),
            self.tr("主办单位", "short"),
            self.tr("颜色"),
            self.tr("期限"),
            self.tr("状态"),
            self.tr("督办"),
            self.tr("回访"),
        )

    # --- the list ----------------------------------------------------------------------------------------------

    def reset(self, rows: Sequence[TrackedCase], total: int) -> None:
        """Show a freshly read first part of the list (the same cases in the same order only repaint)."""
        new = list(rows)
        self._epoch += 1
        self._fetching = False
        same = [r.case_id for r in new] == [r.case_id for r in self._rows]
        if same and new:
            self._rows, self._total = new, total
            self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, len(Column) - 1))
            return
        self.beginResetModel()
        self._rows, self._total = new, total
        self.endResetModel()

    @property
    def total(self) -> int:
        """How many cases match the filter in all (the model may hold fewer so far)."""
        return self._total

    def rows(self) -> list[TrackedCase]:
        """The rows loaded so far, in order."""
        return list(self._rows)

    def case_at(self, row: int) -> TrackedCase | None:
        """The case shown in a row."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, case_id: int) -> int | None:
        """The row of a case, when it is loaded."""
        return next((i for i, r in enumerate(self._rows) if r.case_id == case_id), None)

    # --- paging ------------------------------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008 (a default index is Qt's way)
        """More cases match than are loaded."""
        return not parent.isValid() and len(self._rows) < self._total and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008 (a default index is Qt's way)
        """Read the next page on the database thread; it is appended when it arrives."""
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        task = asyncio.ensure_future(self._load_more(self._epoch, len(self._rows)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _load_more(self, epoch: int, offset: int) -> None:
        try:
            rows, total = await self._fetch(offset, self.PAGE_SIZE)
        except Exception:
            log.exception("could not load tracked cases from %d", offset)
            if epoch == self._epoch:
                self._fetching = False
            return
        if epoch != self._epoch:
            return  # the list was read afresh meanwhile
        self._fetching = False
        known = {r.case_id for r in self._rows}
        fresh = [r for r in rows if r.case_id not in known]  # a write may have moved a case across the page edge
        self._total = total
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
        elif len(self._rows) < total:
            self._total = len(self._rows)  # nothing new came: stop asking
        self.more_loaded.emit()

    # --- Qt model ----------------------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (a default index is Qt's way)
        """Rows loaded so far."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (a default index is Qt's way)
        """Number of columns."""
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell of a case."""
        row = self.case_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == CASE_ID_ROLE:
            return row.case_id
        if role == BADGE_ROLE:
            return self._badge(row, column)
        if role == SWATCH_ROLE and column == Column.COLOUR and row.colour:
            return SWATCHES.get(row.colour)
        if role == Qt.ItemDataRole.BackgroundRole and row.supervised:
            return QColor(SUPERVISED_TINT)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.ROOM, Column.COLOUR, Column.SUPERVISED):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, row: TrackedCase, column: Column) -> str:
        texts: dict[Column, Callable[[TrackedCase], str]] = {
            Column.URGENCY: urgency_text,
            Column.CASE_NO: lambda r: r.case_no,
            Column.DAY: lambda r: r.day_date.isoformat(),
            Column.VISITOR: lambda r: r.visitor_name,
            Column.THEME: lambda r: domain_word(r.theme),
            Column.ROOM: lambda r: room_short(r.room_number) if r.room_number else "—",
            Column.DEPARTMENT: lambda r: r.department or "—",
            Column.COLOUR: lambda r: "",
            Column.DUE: lambda r: date_text(r.due_date) + (" ⚠" if r.due_unscheduled else ""),
            Column.STATUS: lambda r: word(r.status_label),
            Column.SUPERVISED: lambda r: self.tr("督") if r.supervised else "",
            Column.FOLLOW_UP: follow_up_text,
        }
        return texts[column](row)

    def _badge(self, row: TrackedCase, column: Column) -> tuple[str, str, str] | None:
        if column == Column.URGENCY and row.urgency in URGENCY_BADGES:
            fg, bg = URGENCY_BADGES[row.urgency]
            return urgency_text(row), fg, bg
        if column == Column.SUPERVISED and row.supervised:
            return self.tr("督"), *SUPERVISED_BADGE
        return None

    def _foreground(self, row: TrackedCase, column: Column) -> QColor | None:
        if column == Column.STATUS:
            return QColor(STATUS_COLOURS.get(row.status, MUTED))
        if column == Column.URGENCY and row.urgency >= 3:
            return QColor(MUTED)
        return None

    def _tooltip(self, row: TrackedCase, column: Column) -> str:
        if column == Column.URGENCY and row.urgency == 2 and row.due_date:
            return self.tr("下一工作日（{0}）到期").format(row.due_date.isoformat())
        if column == Column.URGENCY and row.urgency == 0 and row.due_date:
            return self.tr("期限 {0}，已逾期 {1} 天").format(row.due_date.isoformat(), row.overdue_days)
        if column == Column.DUE and row.due_unscheduled and row.due_date:
            return self.tr("{0}年的节假日安排尚未录入，期限仅按周末推算，请在“设置 → 工作日历”中录入后核对。").format(
                row.due_date.year
            )
        if column == Column.COLOUR and row.colour:
            return word({"green": "绿色", "yellow": "黄色", "red": "红色"}.get(row.colour, row.colour))
        if column == Column.STATUS and row.signed_by:
            return self.tr("签收人：{0}").format(row.signed_by)
        if column == Column.SUPERVISED and row.supervised:
            until = date_text(row.supervision_until) if row.supervision_until else self.tr("未设期限")
            return self.tr("挂牌督办，督办期限：{0}").format(until)
        lines = [f"{row.case_no}  {row.visitor_name}"]
        if row.repeat_of:
            lines.append(self.tr("重复访，原案件 {0}").format(row.repeat_of))
        if row.escalated:
            lines.append(self.tr("已提级核查"))
        return "\n".join(lines)


class TrackingDelegate(QStyledItemDelegate):
    """Paints the urgency and 督 badges and the colour swatch; other cells as usual."""

    PAD_X = 7

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """Background and selection as usual, then a rounded badge or a swatch."""
        badge = index.data(BADGE_ROLE)
        swatch = index.data(SWATCH_ROLE)
        if not badge and not swatch:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = opt.rect
        painter.setPen(Qt.PenStyle.NoPen)
        if swatch:
            side = min(rect.height() - 10, 16)
            square = QRect(rect.center().x() - side // 2, rect.center().y() - side // 2, side, side)
            painter.setBrush(QColor(swatch))
            painter.drawRoundedRect(square, 3, 3)
        else:
            text, fg, bg = badge
            metrics = QFontMetrics(opt.font)
            height = min(rect.height() - 6, metrics.height() + 4)
            width = min(rect.width() - 8, metrics.horizontalAdvance(text) + 2 * self.PAD_X)
            left = rect.left() + 4 if index.column() == Column.URGENCY else rect.center().x() - width // 2
            chip = QRect(left, rect.top() + (rect.height() - height) // 2, width, height)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(QColor(fg))
            font = opt.font
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        """Wide enough for the badge."""
        base = super().sizeHint(option, index)
        badge = index.data(BADGE_ROLE)
        if not badge:
            return base
        width = QFontMetrics(option.font).horizontalAdvance(badge[0]) + 2 * self.PAD_X + 12
        return QSize(max(base.width(), width), base.height())
