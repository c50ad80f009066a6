"""督办台: every case across the reception days, most urgent first, with the departments' load beside it.

The list is read in SQL (services.tracking) sorted by urgency — overdue first with the days over, due today, due
the next working day, the rest — and paged in 200 rows at a time as the table scrolls, so the first screen of
600,000 cases is one indexed query. "Today" is the office's date in Asia/Shanghai unless a test or the context
sets it (`current_today()`). A case opens (Enter, double-click, 办理) in the case dialog, which takes its steps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reception_desk.db.engine import Database
from reception_desk.domain import office_time
from reception_desk.domain.case_life import RATINGS, CaseStatus
from reception_desk.domain.themes import THEMES
from reception_desk.services import days, plan
from reception_desk.services.changes import ChangeSet
from reception_desk.services.tracking import DepartmentLoad, TrackedCase, TrackingFilter, department_load, tracked_cases
from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.case_dialog import CaseDialog
from reception_desk.ui.models.headed_table import HeadedTableModel
from reception_desk.ui.models.registrations_model import domain_word
from reception_desk.ui.models.tracking_model import (
    CASE_ID_ROLE,
    URGENCY_BADGES,
    Column,
    TrackingDelegate,
    TrackingModel,
    urgency_label,
    word,
)
from reception_desk.ui.pages.base import Page
from reception_desk.ui.printing import jobs
from reception_desk.ui.room_names import room_short
from reception_desk.ui.widgets.empty_note import EmptyNote

STYLE = """
#trackingPage QLabel#trackingCount { font-weight: bold; color: #374151; }
#trackingPage QLabel#panelTitle { font-weight: bold; color: #1f2329; }
#trackingPage QTableView { background: #ffffff; gridline-color: #e5e7eb; }
#trackingPage QTableView::item:selected { background: #fbe9e7; color: #111827; }
#trackingPage QHeaderView::section { background: #eef1f5; padding: 4px 6px; border: none;
    border-right: 1px solid #d9dde3; border-bottom: 1px solid #d9dde3; font-weight: bold; }
#trackingPage QPushButton#openCase { background: #b3261e; color: white; font-weight: bold; padding: 5px 14px;
    border: none; border-radius: 4px; }
#trackingPage QPushButton#openCase:disabled { background: #e3b6b2; }
"""
HEADER_PAD_X = 6 + 6 + 1 + 1  # STYLE's section padding and right border, and a pixel of air
HEADER_PAD_Y = 4 + 4 + 1 + 4  # padding, bottom border, air
STRETCHED = (Column.THEME, Column.DEPARTMENT)  # the long names share what the other columns leave
MAX_RELOADED = 2000  # a reload reads again as many rows as were scrolled in, up to this many
OVERDUE_COUNTABLE = ("unclosed", "all", "overdue")  # statuses whose overdue part is one more count


@dataclass(frozen=True)
class TrackingData:
    """One read of the page: the first rows, the totals, the departments' load and the filter choices."""

    rows: list[TrackedCase]
    total: int
    overdue: int | None  # None: not countable for this status filter
    loads: list[DepartmentLoad]
    departments: list[tuple[int, str]]
    days: list[tuple[int, dt.date]]
    rooms: list[int]


def read_tracking(db: Database, day_id: int | None, today: dt.date, f: TrackingFilter, limit: int) -> TrackingData:
    """Everything the page shows, read on the database thread."""
    rows, total = tracked_cases(db, today, f, limit=limit)
    overdue: int | None = None
    if f.status in OVERDUE_COUNTABLE:
        overdue = total if f.status == "overdue" else tracked_cases(db, today, _with(f, "overdue"), limit=0)[1]
    elif f.status in ("today", "closed"):
        overdue = 0
    departments = [(d.id, d.name) for d in plan.list_departments(db)]
    day_list = [(d.id, d.date) for d in sorted(days.list_days(db), key=lambda d: d.date, reverse=True)]
    rooms = sorted({r.number for r in plan.list_rooms(db, day_id)}) if day_id is not None else []
    return TrackingData(
        rows, total, overdue, department_load(db, today), departments, day_list, rooms or list(range(1, 16))
    )


def _with(f: TrackingFilter, status: str) -> TrackingFilter:
    return dataclasses.replace(f, status=status)


def header_metrics(header: QHeaderView) -> QFontMetrics:
    """The metrics of the header's bold text (STYLE makes the sections bold)."""
    font = QFont(header.font())
    font.setBold(True)
    return QFontMetrics(font)


def header_text(header: QHeaderView, section: int) -> str:
    """A section's title as the model gives it."""
    model = header.model()
    return str(model.headerData(section, Qt.Orientation.Horizontal) or "") if model is not None else ""


def header_word_width(header: QHeaderView, section: int) -> int:
    """The width a section needs to show its title's longest word (a Chinese title is one word) whole."""
    words = header_text(header, section).split() or [""]
    metrics = header_metrics(header)
    return max(metrics.horizontalAdvance(w) for w in words) + HEADER_PAD_X


def fit_header_height(header: QHeaderView) -> None:
    """Make a header tall enough for the title that wraps onto the most lines at the sections' widths."""
    lines = max((header_lines(header, s) for s in range(header.count())), default=1)
    height = lines * header_metrics(header).lineSpacing() + HEADER_PAD_Y
    if header.minimumHeight() != height:
        header.setMinimumHeight(height)


def header_lines(header: QHeaderView, section: int) -> int:
    """How many lines the section's title wraps onto at its present width."""
    text = header_text(header, section)
    width = max(header.sectionSize(section) - HEADER_PAD_X, 1)
    rect = header_metrics(header).boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text)
    return max(1, round(rect.height() / header_metrics(header).lineSpacing()))


class DepartmentLoadModel(HeadedTableModel):
    """各单位办理情况: per lead department, open / overdue / on time."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # "short": the narrow panel's own English ("Dept.", "Late"), see scripts/update_translations.py
        self.headers = (self.tr("单位", "short"), self.tr("在办"), self.tr("逾期", "short"), self.tr("按期"))
        self.loads: list[DepartmentLoad] = []

    def row_total(self) -> int:
        """One row per department with open cases."""
        return len(self.loads)

    def set_loads(self, loads: list[DepartmentLoad]) -> None:
        """Show the counts."""
        self.beginResetModel()
        self.loads = list(loads)
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A department's name or one of its counts (overdue in red when any)."""
        if not index.isValid() or not 0 <= index.row() < len(self.loads):
            return None
        load = self.loads[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (load.department, str(load.open), str(load.overdue), str(load.on_time))[column]
        if role == Qt.ItemDataRole.UserRole:
            return load.department_id
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and load.overdue:
            return QColor("#c62828")
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("点击只看 {0} 的案件").format(load.department)
        return None


class TrackingPage(Page):
    """督办台: all cases across days by urgency, filters, the departments' load, and the case dialog."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("trackingPage")
        self.setStyleSheet(STYLE)
        self.today: dt.date | None = None  # set by tests (or a later "as of" switch); None: the office's today
        self.active_dialog: CaseDialog | None = None
        self.last_data: TrackingData | None = None
        self._scroll_top = False
        self._least_widths: dict[Column, int] = {}  # each column's width for its longest text and header word
        self._panel_least = 0  # the load panel's width for its columns
        self.model = TrackingModel(self._fetch, self)
        self.load_model = DepartmentLoadModel(self)
        self.printer = jobs.PrintRunner(ctx, self)
        self._build()
        self.printer.busy_changed.connect(lambda _b: self._update_buttons())

    def title(self) -> str:
        """The page's name in the navigation."""
        return self.tr("督办台")

    def current_today(self) -> dt.date:
        """The date the urgency is counted from: page.today, else the context's override, else office today."""
        override = self.today or getattr(self.ctx, "today", None)
        return override if isinstance(override, dt.date) else office_time.today()

    def affected_by(self, changes: ChangeSet) -> bool:
        """Cases, days and departments change what the page shows."""
        return bool(changes.cases or changes.days or changes.departments)

    # --- layout ----------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.status_filter = self._combo("statusFilter")
        for label, key in (
            (self.tr("未办结"), "unclosed"),
            (self.tr("待签收"), "open"),
            (self.tr("已签收"), "signed"),
            (self.tr("已反馈"), "replied"),
            (self.tr("逾期"), "overdue"),
            (self.tr("今日到期"), "today"),
            (self.tr("已办结"), "closed"),
            (self.tr("全部"), "all"),
        ):
            self.status_filter.addItem(label, key)
        self.day_filter = self._combo("dayFilter", self.tr("全部接访日"))
        self.department_filter = self._combo("departmentFilter", self.tr("全部单位"))
        self.theme_filter = self._combo("themeFilter", self.tr("全部类别"))
        for spec in THEMES:
            self.theme_filter.addItem(domain_word(spec.name), spec.code)
        self.room_filter = self._combo("roomFilter", self.tr("全部接待室"))
        self.colour_filter = self._combo("colourFilter", self.tr("全部颜色"))
        for label, key in ((self.tr("红色"), "red"), (self.tr("黄色"), "yellow"), (self.tr("绿色"), "green")):
            self.colour_filter.addItem(label, key)
        self.supervised_only = QCheckBox(self.tr("只看挂牌督办"))
        self.supervised_only.setObjectName("supervisedOnly")
        self.repeat_only = QCheckBox(self.tr("只看重复访"))
        self.repeat_only.setObjectName("repeatOnly")
        for box in (self.supervised_only, self.repeat_only):
            box.toggled.connect(lambda _c: self._filters_changed())
        self.clear_button = QPushButton(self.tr("清除筛选"))
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setFlat(True)
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.clear_filters)

        self.open_button = QPushButton(self.tr("办理（Enter）"))
        self.open_button.setObjectName("openCase")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_current)
        self.reminder_button = QPushButton(self.tr("打印催办单"))
        self.reminder_button.setObjectName("printReminders")
        self.reminder_button.setToolTip(self.tr("为所选的逾期案件打印催办单"))
        self.reminder_button.setAutoDefault(False)
        self.reminder_button.clicked.connect(lambda: self.spawn(self.print_reminders()))
        self.count_label = QLabel()
        self.count_label.setObjectName("trackingCount")

        first = QHBoxLayout()
        for combo in (self.status_filter, self.day_filter, self.department_filter, self.theme_filter):
            first.addWidget(combo)
        first.addStretch(1)
        first.addWidget(self.reminder_button)
        first.addWidget(self.open_button)
        second = QHBoxLayout()
        for widget in (self.room_filter, self.colour_filter, self.supervised_only, self.repeat_only):
            second.addWidget(widget)
        second.addWidget(self.clear_button)
        second.addStretch(1)
        second.addWidget(self.count_label)
        for combo in self._combos():
            combo.currentIndexChanged.connect(lambda _i: self._filters_changed())

        self.table = QTableView()
        self.table.setObjectName("trackingTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(TrackingDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.table.installEventFilter(self)
        self.no_results = EmptyNote(self.table, "noResults")
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: no measuring of 600,000
        rows.setDefaultSectionSize(self.fontMetrics().height() + 14)
        self._size_columns()
        self.table.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_buttons())

        self.load_view = QTableView()
        self.load_view.setObjectName("departmentLoad")
        self.load_view.setModel(self.load_model)
        self.load_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.load_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.load_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.load_view.setShowGrid(False)
        self.load_view.verticalHeader().setVisible(False)
        self.load_view.clicked.connect(self._department_clicked)
        self.load_view.activated.connect(self._department_clicked)
        header = self.load_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        # the counts' titles whole ("On time" may wrap like the table's); the panel widens to hold them
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        counts = 0
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            width = max(header_word_width(header, column), header_metrics(header).horizontalAdvance("9999") + 14)
            header.resizeSection(column, width)
            counts += width
        header.sectionResized.connect(lambda *_: fit_header_height(self.load_view.horizontalHeader()))
        name = max(header_word_width(header, 0), self.fontMetrics().horizontalAdvance("人力资源") + 14)
        frame = 2 * self.load_view.frameWidth() + self.load_view.verticalScrollBar().sizeHint().width()
        self._panel_least = name + counts + frame
        fit_header_height(header)
        panel = QFrame()
        panel.setObjectName("loadPanel")
        self.load_panel = panel
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_title = QLabel(self.tr("各单位办理情况"))
        panel_title.setObjectName("panelTitle")
        self.load_summary = QLabel()
        self.load_summary.setObjectName("loadSummary")
        self.load_summary.setWordWrap(True)
        panel_layout.addWidget(panel_title)
        panel_layout.addWidget(self.load_view, 1)
        panel_layout.addWidget(self.load_summary)

        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addWidget(panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(8)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addLayout(body, 1)
        QShortcut(QKeySequence("Ctrl+F"), self, self.status_filter.setFocus).setContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        self._update_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The load panel takes a fifth of the page, between 230 and 320 pixels (the case list comes first), and
        never less than its columns need (English titles are longer)."""
        self.load_panel.setFixedWidth(max(230, self._panel_least, min(320, self.width() // 5)))
        super().resizeEvent(event)

    def _combo(self, name: str, everything: str | None = None) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        if everything is not None:
            combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumContentsLength(5)
        return combo

    def _combos(self) -> tuple[QComboBox, ...]:
        return (
            self.status_filter,
            self.day_filter,
            self.department_filter,
            self.theme_filter,
            self.room_filter,
            self.colour_filter,
        )

    def _size_columns(self) -> None:
        """Each column as wide as its longest text in the UI language (a badge, a status, a rating) and as its
        header's longest word: English headers wrap onto a second line ("Reception / room") rather than being
        cut. The two long names (theme, lead department) share what is left (see _share_rest)."""
        metrics = self.table.fontMetrics()
        pad = 8  # a cell's text margins (3 + 3) and a little air
        badge = 2 * TrackingDelegate.PAD_X + 6  # a badge's own padding, its 4-pixel inset and a little air

        def longest(*texts: str) -> int:
            return max(metrics.horizontalAdvance(t) for t in texts)

        urgencies = [urgency_label(u, 100) for u in range(6)]  # 100 days overdue: the widest badge
        badges = [t for u, t in enumerate(urgencies) if u in URGENCY_BADGES]
        plain = [t for u, t in enumerate(urgencies) if u not in URGENCY_BADGES]
        statuses = [word(s.label) for s in CaseStatus]
        follow_ups = [word(r) for r in RATINGS.values()] + [QCoreApplication.translate("tracking", "待回访"), "—"]
        contents = {
            Column.URGENCY: max(longest(*badges) + badge, longest(*plain) + pad),
            Column.CASE_NO: longest("JF-20261204-15-000") + pad,
            Column.DAY: longest("2026-12-04") + pad,
            Column.VISITOR: longest("欧阳建") + pad,
            Column.ROOM: longest(room_short(15), room_short(8)) + pad + 4,
            Column.COLOUR: 16 + pad,
            Column.DUE: longest("2026-12-04 ⚠") + pad,
            Column.STATUS: longest(*statuses) + pad,
            Column.SUPERVISED: longest(self.model.tr("督")) + badge,
            Column.FOLLOW_UP: longest(*follow_ups) + pad,
        }
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
        )
        header.setMinimumSectionSize(24)
        self._least_widths = {}
        for column in Column:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            need = max(contents.get(column, 0), header_word_width(header, column))
            self._least_widths[column] = need
            if column not in STRETCHED:
                self.table.setColumnWidth(column, need)
        header.sectionResized.connect(lambda *_: fit_header_height(self.table.horizontalHeader()))
        self.table.viewport().installEventFilter(self)
        self._share_rest()

    def _share_rest(self) -> None:
        """The theme and the lead department share what the other columns leave, each at least as wide as its
        header's longest word; on a narrow window the table scrolls sideways rather than cutting a header."""
        if not self._least_widths:
            return
        header = self.table.horizontalHeader()
        fixed = sum(header.sectionSize(c) for c in Column if c not in STRETCHED)
        rest = self.table.viewport().width() - fixed
        for index, column in enumerate(STRETCHED):
            share = rest // len(STRETCHED) + (rest % len(STRETCHED) if index == 0 else 0)
            width = max(self._least_widths[column], share)
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        fit_header_height(header)

    # --- filters ---------------------------------------------------------------------------------------------

    def filter(self) -> TrackingFilter:
        """The filter as the controls are set."""
        room = self.room_filter.currentData()
        return TrackingFilter(
            status=str(self.status_filter.currentData() or "unclosed"),
            day_id=self.day_filter.currentData(),
            department_id=self.department_filter.currentData(),
            theme_code=self.theme_filter.currentData(),
            room_number=int(room) if room is not None else None,
            colour=self.colour_filter.currentData(),
            supervised=self.supervised_only.isChecked(),
            repeat=self.repeat_only.isChecked(),
        )

    def _filters_changed(self) -> None:
        self.clear_button.setEnabled(self.filter() != TrackingFilter())
        self._scroll_top = True
        self.schedule_reload()

    def clear_filters(self) -> None:
        """Back to every case not closed."""
        for combo in self._combos():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for box in (self.supervised_only, self.repeat_only):
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self._filters_changed()

    def filter_department(self, department_id: int) -> None:
        """Show only the cases a department leads or co-handles (the load panel's click)."""
        index = self.department_filter.findData(department_id)
        if index >= 0:
            self.department_filter.setCurrentIndex(index)

    def _department_clicked(self, index: QModelIndex) -> None:
        department_id = self.load_model.data(index, Qt.ItemDataRole.UserRole)
        if department_id is not None:
            self.filter_department(int(department_id))

    def _fill(self, combo: QComboBox, items: list[tuple[Any, str]]) -> None:
        """Refill a combo after its first 'all' entry, keeping the choice; no signal when nothing changed."""
        existing = [(combo.itemData(i), combo.itemText(i)) for i in range(1, combo.count())]
        if existing == items:
            return
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for data, text in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(combo.findData(current), 0) if current is not None else 0)
        combo.blockSignals(False)

    # --- loading ---------------------------------------------------------------------------------------------

    async def _fetch(self, offset: int, limit: int) -> tuple[list[TrackedCase], int]:
        return await self.ctx.read(tracked_cases, self.ctx.db, self.current_today(), self.filter(), limit, offset)

    async def load(self) -> None:
        """Read the first rows (as many as were scrolled in), the counts and the departments' load."""
        limit = min(max(TrackingModel.PAGE_SIZE, self.model.rowCount()), MAX_RELOADED)
        if self._scroll_top:
            limit = TrackingModel.PAGE_SIZE
        data = await self.ctx.read(
            read_tracking, self.ctx.db, self.ctx.day_id, self.current_today(), self.filter(), limit
        )
        self.last_data = data
        self._fill(self.department_filter, [(i, n) for i, n in data.departments])
        self._fill(self.day_filter, [(i, d.isoformat()) for i, d in data.days])
        self._fill(self.room_filter, [(n, self.tr("第{0}接待室").format(n)) for n in data.rooms])
        self._apply(data)

    def _apply(self, data: TrackingData) -> None:
        selected = self.selected_ids()
        current = self.current_case()
        scroll = 0 if self._scroll_top else self.table.verticalScrollBar().value()
        self._scroll_top = False
        self.model.reset(data.rows, data.total)
        self._select(selected, current.case_id if current else None)
        self.table.verticalScrollBar().setValue(scroll)
        if data.overdue is None:
            self.count_label.setText(self.tr("共 {0} 件").format(data.total))
        else:
            self.count_label.setText(self.tr("共 {0} 件，逾期 {1} 件").format(data.total, data.overdue))
        if data.total:
            self.no_results.say("")
        elif self.filter() != TrackingFilter():
            self.no_results.say(self.tr("没有符合筛选条件的案件。可点“清除筛选”看全部未办结案件。"))
        else:
            self.no_results.say(self.tr("没有未办结的案件。"))
        self.load_model.set_loads(data.loads)
        chosen = self.department_filter.currentData()
        row = next((i for i, load in enumerate(data.loads) if load.department_id == chosen), None)
        if row is not None:
            self.load_view.selectRow(row)
        else:
            self.load_view.clearSelection()
        open_total = sum(load.open for load in data.loads)
        overdue_total = sum(load.overdue for load in data.loads)
        self.load_summary.setText(
            self.tr("交办在办 {0} 件，其中逾期 {1} 件（{2}）").format(
                open_total, overdue_total, self.current_today().isoformat()
            )
        )
        self._update_buttons()

    def _select(self, case_ids: list[int], current: int | None) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for case_id in case_ids:
            row = self.model.row_of(case_id)
            if row is not None:
                selection.select(self.model.index(row, 0), flags)
        row = self.model.row_of(current) if current is not None else None
        if row is None and self.model.rowCount():
            row = 0
        if row is not None:
            selection.setCurrentIndex(self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)

    # --- selection and actions -------------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """The selected cases' ids, in list order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [int(self.model.index(r, 0).data(CASE_ID_ROLE)) for r in rows]

    def current_case(self) -> TrackedCase | None:
        """The case of the current row."""
        return self.model.case_at(self.table.currentIndex().row())

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.current_case() is not None)
        overdue = [c for c in self._selected_cases() if c.overdue_days > 0]
        self.reminder_button.setEnabled(bool(overdue) and not self.printer.busy)

    def _selected_cases(self) -> list[TrackedCase]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [c for c in (self.model.case_at(r) for r in rows) if c is not None]

    def select_case(self, case_id: int) -> bool:
        """Make a loaded case the current, selected row (False when it is not in the list)."""
        row = self.model.row_of(case_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        return True

    def open_current(self) -> CaseDialog | None:
        """Open the current case in the case dialog (window-modal); returns the dialog."""
        case = self.current_case()
        if case is None:
            return None
        return self.open_case(case.case_id)

    def open_case(self, case_id: int) -> CaseDialog:
        """Open a case in the case dialog, counted as of the page's today."""
        if self.active_dialog is not None:
            self.active_dialog.close()
        dialog = CaseDialog(self.ctx, case_id, self.current_today(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget(d))
        self.active_dialog = dialog
        dialog.start()
        dialog.open()
        return dialog

    def _forget(self, dialog: CaseDialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None

    async def print_reminders(self) -> None:
        """打印催办单 for the selected overdue cases, in one PDF."""
        overdue = [c.case_no for c in self._selected_cases() if c.overdue_days > 0]
        if overdue and not self.printer.busy:
            await self.printer.run(jobs.reminders_job(self.ctx.db, overdue, as_of=self.current_today()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the table opens the current case; a resized table shares its width out again."""
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._share_rest()
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
                self.open_current()
                return True
        return super().eventFilter(watched, event)
