"""The pre-registration list: a table model over batch ids whose rows are fetched page by page when painted."""

from __future__ import annotations

import asyncio
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
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from reception_desk.domain import phone as phones
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.services.search import ListedBatch, TermKind, parse_query
from reception_desk.ui.room_names import room_short

log = logging.getLogger(__name__)

Fetch = Callable[[list[int]], Awaitable[list[ListedBatch]]]
AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    """The columns of the list, in order."""

    REG_NO = 0
    NAME = 1
    HEADCOUNT = 2
    THEME = 3
    TOWNSHIP = 4
    PHONE = 5
    ID_NUMBER = 6
    ROOM = 7
    STATUS = 8
    FLAGS = 9


BATCH_ID_ROLE = Qt.ItemDataRole.UserRole + 1
FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # tuple of flag codes, for the chip delegate

# Chips of the flags column: text colour and background. Orange = check the ID card, blue = collective visit,
# red = maybe registered twice.
FLAG_COLOURS: dict[str, tuple[str, str]] = {
    Flag.ID_TO_CHECK.value: ("#a04b00", "#fde7d3"),
    Flag.COLLECTIVE.value: ("#15589e", "#dce9f8"),
    Flag.DUPLICATE.value: ("#b3261e", "#f9dedc"),
    Flag.THEME_INFERRED.value: ("#5f6368", "#eceff1"),
    Flag.REPEAT.value: ("#ffffff", "#b3261e"),
}
FLAG_ORDER = (
    Flag.REPEAT.value,
    Flag.DUPLICATE.value,
    Flag.ID_TO_CHECK.value,
    Flag.COLLECTIVE.value,
    Flag.THEME_INFERRED.value,
)

STATUS_COLOURS: dict[str, str] = {
    BatchStatus.ARRIVED.value: "#1e7d32",
    BatchStatus.WAITING.value: "#1e7d32",
    BatchStatus.IN_SESSION.value: "#15589e",
    BatchStatus.DONE.value: "#6b7280",
    BatchStatus.NO_SHOW.value: "#9aa0a6",
}


# Words that come from the domain (theme names, status labels), marked for lupdate; translated at runtime
# with domain_word(). Flag labels are short forms of their own, below.
DOMAIN_WORDS = (
    QT_TRANSLATE_NOOP("registrations", "土地拆迁"),
    QT_TRANSLATE_NOOP("registrations", "安全生产与环境保护"),
    QT_TRANSLATE_NOOP("registrations", "劳动和社会保障"),
    QT_TRANSLATE_NOOP("registrations", "基层组织建设及反腐败"),
    QT_TRANSLATE_NOOP("registrations", "农林水利"),
    QT_TRANSLATE_NOOP("registrations", "交通基础设施"),
    QT_TRANSLATE_NOOP("registrations", "涉法涉诉"),
    QT_TRANSLATE_NOOP("registrations", "城乡建设与住房"),
    QT_TRANSLATE_NOOP("registrations", "教育卫生"),
    QT_TRANSLATE_NOOP("registrations", "民政与社会事务"),
    QT_TRANSLATE_NOOP("registrations", "经济与企业"),
    QT_TRANSLATE_NOOP("registrations", "综合（其他）"),
    QT_TRANSLATE_NOOP("registrations", "已登记"),
    QT_TRANSLATE_NOOP("registrations", "已签到"),
    QT_TRANSLATE_NOOP("registrations", "候谈"),
    QT_TRANSLATE_NOOP("registrations", "接谈中"),
    QT_TRANSLATE_NOOP("registrations", "已接待"),
    QT_TRANSLATE_NOOP("registrations", "未到"),
)


def domain_word(text: str) -> str:
    """A theme name or status label in the UI language (Chinese stays as it is)."""
    return QCoreApplication.translate("registrations", text)


def flag_label(code: str) -> str:
    """The short Chinese label of a flag as the list shows it."""
    labels = {
        Flag.ID_TO_CHECK.value: QCoreApplication.translate("RegistrationsModel", "待核"),
        Flag.COLLECTIVE.value: QCoreApplication.translate("RegistrationsModel", "集体访"),
        Flag.DUPLICATE.value: QCoreApplication.translate("RegistrationsModel", "疑似重复"),
        Flag.THEME_INFERRED.value: QCoreApplication.translate("RegistrationsModel", "类别推断"),
        Flag.REPEAT.value: QCoreApplication.translate("RegistrationsModel", "重复访"),
    }
    return labels.get(code, code)


def flag_tooltip(code: str) -> str:
    """What a flag asks the desk to do."""
    tips = {
        Flag.ID_TO_CHECK.value: QCoreApplication.translate(
            "RegistrationsModel", "身份证号未通过校验或与库中姓名不一致，请现场核对身份证原件"
        ),
        Flag.COLLECTIVE.value: QCoreApplication.translate("RegistrationsModel", "5人及以上的集体访"),
        Flag.DUPLICATE.value: QCoreApplication.translate("RegistrationsModel", "当天已有同一人的登记，请核对是否重复"),
        Flag.THEME_INFERRED.value: QCoreApplication.translate("RegistrationsModel", "问题类别由诉求内容推断，请核对"),
        Flag.REPEAT.value: QCoreApplication.translate(
            "RegistrationsModel", "此前接访日已有此人的案件：重复访，原案件已办结的须提级核查"
        ),
    }
    return tips.get(code, code)


def status_label(status: str) -> str:
    """The Chinese name of a batch status."""
    try:
        return domain_word(BatchStatus(status).label)
    except ValueError:
        return status


def sorted_flags(flags: Sequence[str]) -> tuple[str, ...]:
    """Flags in the order the desk reads them: duplicate first, inferred theme last."""
    return tuple(sorted(flags, key=lambda f: FLAG_ORDER.index(f) if f in FLAG_ORDER else len(FLAG_ORDER)))


class RegistrationsModel(QAbstractTableModel):
    """Holds the ids of the listed batches; a row is fetched (with its page) the first time it is painted.

    `fetch(ids)` is awaited to load rows (the page passes a read on the database thread). Cached rows are
    dropped by `invalidate()` when a change-set touches them; a fetch that was running meanwhile is ignored.
    """

    PAGE_SIZE = 80
    MAX_CACHED = 4000

    rows_loaded = Signal()

    def __init__(self, fetch: Fetch, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._cache: dict[int, ListedBatch] = {}
        self._epoch = 0
        self._wanted: set[int] = set()  # pages asked for by data(), not yet started
        self._running: set[tuple[int, int]] = set()  # (epoch, page) being fetched
        self._tasks: set[asyncio.Task[None]] = set()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._start_fetches)
        self._name_terms: list[str] = []
        self._initial_terms: list[str] = []
        self._headers = (
            self.tr("登记号"),
            self.tr("姓名"),
            self.tr("人数"),
            self.tr("问题类别"),
            self.tr("乡镇（街道）"),
            self.tr("电话"),
            self.tr("身份证号"),
            self.tr("接待室"),
            self.tr("状态"),
            self.tr("标记"),
        )

    # --- ids ---------------------------------------------------------------------------------------------

    def set_ids(self, ids: Sequence[int]) -> bool:
        """Show these batches (in this order); False when the list is unchanged (nothing is reset)."""
        new = list(ids)
        if new == self._ids:
            return False
        self.beginResetModel()
        self._ids = new
        self._row_of = {batch_id: row for row, batch_id in enumerate(new)}
        self._wanted.clear()
        self.endResetModel()
        return True

    def set_query(self, query: str) -> None:
        """The typed search: companions whose name matches it are listed first in the 姓名 column."""
        terms = parse_query(query)
        names = [t.text for t in terms if TermKind.NAME in t.kinds]
        letters = [t.text for t in terms if TermKind.INITIALS in t.kinds]
        if (names, letters) == (self._name_terms, self._initial_terms):
            return
        self._name_terms, self._initial_terms = names, letters
        if self._ids:
            self.dataChanged.emit(self.index(0, Column.NAME), self.index(len(self._ids) - 1, Column.NAME))

    def _matches(self, name: str, letters: str) -> bool:
        if any(term in name for term in self._name_terms):
            return True
        return any(letters.startswith(t) for t in self._initial_terms)

    def ids(self) -> list[int]:
        """The listed batch ids, in order."""
        return list(self._ids)

    def batch_id(self, row: int) -> int | None:
        """The batch id of a row."""
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, batch_id: int) -> int | None:
        """The row of a batch id, or None when it is not listed."""
        return self._row_of.get(batch_id)

    def listed(self, row: int) -> ListedBatch | None:
        """The loaded row data, or None while it is not loaded."""
        batch_id = self.batch_id(row)
        return self._cache.get(batch_id) if batch_id is not None else None

    def is_loaded(self, row: int) -> bool:
        """True when the row's data is in the cache."""
        return self.listed(row) is not None

    def invalidate(self, batch_ids: set[int] | None = None) -> None:
        """Forget cached rows (all, or those batches) and repaint: visible rows are fetched again."""
        if batch_ids is not None and not batch_ids:
            return
        self._epoch += 1
        if batch_ids is None:
            self._cache.clear()
            if self._ids:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(Column) - 1))
            return
        for batch_id in batch_ids:
            self._cache.pop(batch_id, None)
            row = self._row_of.get(batch_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    # --- Qt model ------------------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (a default index is Qt's way)
        """Number of listed batches."""
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (a default index is Qt's way)
        """Number of columns."""
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            centred = section in (Column.HEADCOUNT, Column.ROOM)
            horizontal = Qt.AlignmentFlag.AlignHCenter if centred else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell; asks for the row's page when it is not loaded yet."""
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        batch_id = self._ids[index.row()]
        if role == BATCH_ID_ROLE:
            return batch_id
        item = self._cache.get(batch_id)
        if item is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._want(index.row() // self.PAGE_SIZE)
                return "…" if index.column() == Column.REG_NO else ""
            return None
        return self._cell(item, Column(index.column()), role)

    def _cell(self, item: ListedBatch, column: Column, role: int) -> Any:
        row = item.row
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == FLAGS_ROLE:
            return sorted_flags(row.flags)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.HEADCOUNT, Column.ROOM):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATUS and row.status in STATUS_COLOURS:
            return QColor(STATUS_COLOURS[row.status])
        return None

    def _text(self, item: ListedBatch, column: Column) -> str:
        row = item.row
        if column == Column.REG_NO:
            return row.reg_no
        if column == Column.NAME:
            if not item.companions:
                return row.name
            companions = list(item.companions)
            if self._name_terms or self._initial_terms:
                # the companions the search found come first, so the reason for the hit is not elided away
                letters = dict(zip(item.companions, item.companion_initials, strict=False))
                companions.sort(key=lambda name: not self._matches(name, letters.get(name, "")))
            return self.tr("{0}（同行：{1}）").format(row.name, "、".join(companions))
        if column == Column.HEADCOUNT:
            return str(row.headcount)
        if column == Column.THEME:
            return domain_word(row.theme_name)
        if column == Column.TOWNSHIP:
            return row.township
        if column == Column.PHONE:
            parsed = phones.normalize(row.phone) if row.phone else None
            return parsed.display() if parsed else row.phone
        if column == Column.ID_NUMBER:
            return row.id_masked
        if column == Column.ROOM:
            return room_short(row.room_number) if row.room_number else "—"
        if column == Column.STATUS:
            return status_label(row.status)
        return "、".join(flag_label(f) for f in sorted_flags(row.flags))

    def _tooltip(self, item: ListedBatch, column: Column) -> str:
        row = item.row
        if column == Column.FLAGS:
            return "\n".join(f"{flag_label(f)}：{flag_tooltip(f)}" for f in sorted_flags(row.flags))
        lines = [f"{row.reg_no}  {row.name}"]
        if item.companions:
            lines.append(self.tr("同行：{0}").format("、".join(item.companions)))
        if row.township or row.village:
            lines.append(f"{row.township} {row.village}".strip())
        lines.append(self.tr("诉求：{0}").format(row.request))
        return "\n".join(lines)

    # --- lazy loading --------------------------------------------------------------------------------------

    def _want(self, page: int) -> None:
        if (self._epoch, page) in self._running or page in self._wanted:
            return
        self._wanted.add(page)
        self._flush_timer.start()

    def _start_fetches(self) -> None:
        pages, self._wanted = sorted(self._wanted), set()
        for page in pages:
            key = (self._epoch, page)
            if key in self._running:
                continue
            ids = self._ids[page * self.PAGE_SIZE : (page + 1) * self.PAGE_SIZE]
            if not ids:
                continue
            self._running.add(key)
            task = asyncio.ensure_future(self._load(key, ids))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _load(self, key: tuple[int, int], ids: list[int]) -> None:
        try:
            rows = await self._fetch(ids)
        except Exception:
            log.exception("could not load %d registration rows", len(ids))
            return
        finally:
            self._running.discard(key)
        if key[0] != self._epoch:
            return  # invalidated while loading: the repaint asks again
        for item in rows:
            self._cache[item.row.batch_id] = item
        self._trim_cache(set(ids))
        positions = [self._row_of[i] for i in ids if i in self._row_of]
        if positions:
            self.dataChanged.emit(self.index(min(positions), 0), self.index(max(positions), len(Column) - 1))
        self.rows_loaded.emit()

    def _trim_cache(self, keep: set[int]) -> None:
        excess = len(self._cache) - self.MAX_CACHED
        if excess <= 0:
            return
        for batch_id in [b for b in self._cache if b not in keep][:excess]:
            del self._cache[batch_id]


class FlagChipDelegate(QStyledItemDelegate):
    """Paints a batch's flags as small coloured chips (待核 orange, 集体访 blue, 疑似重复 red)."""

    PAD_X = 6
    GAP = 4

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """Background and selection as usual, then one rounded chip per flag."""
        flags = index.data(FLAGS_ROLE)
        if not flags:
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
        metrics = QFontMetrics(opt.font)
        rect: QRect = opt.rect
        height = min(rect.height() - 6, metrics.height() + 4)
        x = rect.left() + 4
        y = rect.top() + (rect.height() - height) // 2
        for code in flags:
            label = flag_label(code)
            width = metrics.horizontalAdvance(label) + 2 * self.PAD_X
            if x + width > rect.right():
                break
            fg, bg = FLAG_COLOURS.get(code, ("#333333", "#eeeeee"))
            chip = QRect(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(QColor(fg))
            painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), label)
            x += width + self.GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        """Wide enough for every chip of the row."""
        base = super().sizeHint(option, index)
        flags = index.data(FLAGS_ROLE) or ()
        metrics = QFontMetrics(option.font)
        width = sum(metrics.horizontalAdvance(flag_label(f)) + 2 * self.PAD_X + self.GAP for f in flags) + 8
        return QSize(max(base.width(), width), base.height())
