"""统计: the office's figures over a period, as of a date: the four rates, the counts, a breakdown and charts.

Everything comes from `services.metrics.metrics` (one read off the UI thread); the rates are defined once in
`domain.figures` and shown with `rate_text`, so a zero denominator reads "—", never 0% or 100%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reception_desk.db.engine import Database
from reception_desk.domain import office_time
from reception_desk.domain.figures import Figures, rate_text
from reception_desk.services import days
from reception_desk.services.changes import ChangeSet
from reception_desk.services.metrics import MetricsReport, metrics
from reception_desk.ui.context import AppContext
from reception_desk.ui.models.headed_table import HeadedTableModel
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.figure_charts import CaseProgressChart, RatesChart, top_groups

PERIODS = ("day", "month", "year", "all", "custom")
GROUP_KEYS = ("department", "theme", "room")
RATE_KEYS = ("on_time", "participation", "satisfaction", "resolution")
COUNT_KEYS = ("cases", "handed_over", "resolved_on_spot", "explained", "open", "overdue", "supervised", "repeat_visits")

PAGE_STYLE = """
#statisticsPage QScrollArea { border: none; background: transparent; }
#statisticsContent { background: transparent; }
#statisticsPage QFrame[role="tile"] { background: #ffffff; border: 1px solid #d9dde3; border-radius: 8px; }
#statisticsPage QLabel[role="tileTitle"] { color: #5f6670; font-size: 11pt; }
#statisticsPage QLabel[role="tileValue"] { color: #b3261e; font-size: 24pt; font-weight: bold; }
#statisticsPage QLabel[role="tileDetail"] { color: #7a828c; font-size: 9pt; }
#statisticsPage QFrame[role="counts"] { background: #ffffff; border: 1px solid #d9dde3; border-radius: 8px; }
#statisticsPage QLabel[role="countTitle"] { color: #5f6670; }
#statisticsPage QLabel[role="countValue"] { color: #1f2329; font-size: 15pt; font-weight: bold; }
#statisticsPage QLabel[role="countValue"][alert="true"] { color: #c62828; }
#statisticsPage QLabel[role="section"] { font-size: 12pt; font-weight: bold; color: #1f2329; }
#statisticsPage QLabel[role="hint"] { color: #7a828c; }
#periodLine { color: #1f2329; font-weight: bold; }
#statisticsPage QPushButton[role="group"] { padding: 4px 14px; border: 1px solid #c9ced6; background: #ffffff; }
#statisticsPage QPushButton[role="group"]:checked { background: #b3261e; color: white; border-color: #b3261e; }
#breakdownTable { background: #ffffff; border: 1px solid #d9dde3; }
"""


def resolve_period(
    period: str,
    as_of: dt.date,
    day_date: dt.date | None,
    custom_from: dt.date | None = None,
    custom_to: dt.date | None = None,
) -> tuple[dt.date | None, dt.date | None]:
    """The reception days a period covers (both ends included; None: open); 本月 and 本年 are the as-of date's."""
    if period == "day":
        return day_date, day_date
    if period == "month":
        first = as_of.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return first, following - dt.timedelta(days=1)
    if period == "year":
        return dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    if period == "custom":
        return custom_from, custom_to
    return None, None


@dataclass(frozen=True)
class StatisticsView:
    """What the page shows: the report and the reception days it covers (day_date: the current day's date)."""

    report: MetricsReport
    day_date: dt.date | None


def load_statistics(
    db: Database,
    day_id: int | None,
    period: str,
    as_of: dt.date,
    by: str,
    custom_from: dt.date | None = None,
    custom_to: dt.date | None = None,
) -> StatisticsView:
    """The figures for the page, on the database thread (no day chosen: 当前接访日 is empty)."""
    day_date = next((d.date for d in days.list_days(db) if d.id == day_id), None)
    if period == "day" and day_date is None:
        return StatisticsView(MetricsReport(as_of, None, None, Figures(), by, []), None)
    day_from, day_to = resolve_period(period, as_of, day_date, custom_from, custom_to)
    return StatisticsView(metrics(db, as_of, day_from, day_to, by), day_date)


def table_order(report: MetricsReport) -> list[tuple[str, Figures]]:
    """Departments and themes with the most cases first (as the charts); rooms in their numbered order."""
    if report.by == "room":
        return list(report.groups)
    return sorted(report.groups, key=lambda g: (-g[1].cases, g[0]))


def _qdate(date: dt.date) -> QDate:
    return QDate(date.year, date.month, date.day)


def _date(qdate: QDate) -> dt.date:
    return dt.date(qdate.year(), qdate.month(), qdate.day())


class BreakdownModel(HeadedTableModel):
    """One row per group and a 合计 row: every count and the four rates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, Figures]] = []
        self.set_group_title(self.tr("责任单位"))

    def set_group_title(self, title: str) -> None:
        """The first column's title (the grouping chosen)."""
        self.headers = (
            title,
            self.tr("案件"),
            self.tr("交办"),
            self.tr("当场解决"),
            self.tr("解释说明"),
            self.tr("已办结"),
            self.tr("未办结"),
            self.tr("逾期"),
            self.tr("挂牌督办"),
            self.tr("重复访"),
            self.tr("按期办结率"),
            self.tr("参评率"),
            self.tr("满意率"),
            self.tr("化解率"),
        )
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.headers) - 1)

    def set_rows(self, groups: list[tuple[str, Figures]], total: Figures) -> None:
        """The groups in the service's order, then the total."""
        self.beginResetModel()
        self.rows = [*groups, (self.tr("合计"), total)] if groups else []
        self.endResetModel()

    def row_total(self) -> int:
        """Groups plus the 合计 row."""
        return len(self.rows)

    @staticmethod
    def _cell(fig: Figures, column: int) -> str:
        counts = (
            fig.cases,
            fig.handed_over,
            fig.resolved_on_spot,
            fig.explained,
            fig.closed,
            fig.open,
            fig.overdue,
            fig.supervised,
            fig.repeat_visits,
        )
        if column <= len(counts):
            return str(counts[column - 1])
        rates = (fig.on_time_rate, fig.participation_rate, fig.satisfaction_rate, fig.resolution_rate)
        return rate_text(rates[column - len(counts) - 1])

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, right-aligned numbers, the 合计 row in bold."""
        if not index.isValid():
            return None
        name, fig = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return name if column == 0 else self._cell(fig, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() == len(self.rows) - 1:
            font = QFont()
            font.setBold(True)
            return font
        return None


class StatisticsPage(Page):
    """统计: period and as-of date, the four rates, the counts, a breakdown table and two charts."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("statisticsPage")
        self.setStyleSheet(PAGE_STYLE)
        self.view: StatisticsView | None = None
        self.tiles: dict[str, tuple[QLabel, QLabel]] = {}
        self.counts: dict[str, QLabel] = {}

        content = QWidget()
        content.setObjectName("statisticsContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(10)
        layout.addLayout(self._build_controls())
        layout.addLayout(self._build_figures())
        layout.addLayout(self._build_breakdown_bar())
        self.table_model = BreakdownModel(self)
        self.table = self._build_table()
        layout.addWidget(self.table, 2)
        charts = QHBoxLayout()
        charts.setSpacing(10)
        self.progress_chart = CaseProgressChart()
        self.progress_chart.setObjectName("progressChart")
        self.rates_chart = RatesChart()
        self.rates_chart.setObjectName("ratesChart")
        charts.addWidget(self.progress_chart, 1)
        charts.addWidget(self.rates_chart, 1)
        layout.addLayout(charts, 3)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._update_custom()

    def title(self) -> str:
        """统计."""
        return self.tr("统计")

    def affected_by(self, changes: ChangeSet) -> bool:
        """The figures come from the cases."""
        return bool(changes.cases)

    # ---- building ----

    def _build_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("periodCombo")
        labels = (self.tr("当前接访日"), self.tr("本月"), self.tr("本年"), self.tr("全部"), self.tr("自定义"))
        for key, label in zip(PERIODS, labels, strict=True):
            self.period_combo.addItem(label, key)
        today = office_time.today()
        self.from_edit = self._date_edit("fromDate", today.replace(day=1))
        self.to_edit = self._date_edit("toDate", today)
        self.as_of_edit = self._date_edit("asOfDate", today)
        self.as_of_edit.setToolTip(self.tr("只计入截至该日（含）已发生的登记、办结和回访"))
        self.period_line = QLabel()
        self.period_line.setObjectName("periodLine")
        refresh = QPushButton(self.tr("刷新"))
        refresh.setObjectName("refreshButton")
        refresh.setToolTip("F5")
        refresh.clicked.connect(self.schedule_reload)
        row.addWidget(QLabel(self.tr("统计范围：")))
        row.addWidget(self.period_combo)
        self.from_label = QLabel(self.tr("从"))
        row.addWidget(self.from_label)
        row.addWidget(self.from_edit)
        self.to_label = QLabel(self.tr("至"))
        row.addWidget(self.to_label)
        row.addWidget(self.to_edit)
        row.addSpacing(16)
        row.addWidget(QLabel(self.tr("截至日期：")))
        row.addWidget(self.as_of_edit)
        row.addSpacing(16)
        row.addWidget(self.period_line, 1)
        row.addWidget(refresh)
        self.period_combo.currentIndexChanged.connect(lambda _i: self._update_custom())
        self.period_combo.currentIndexChanged.connect(lambda _i: self.schedule_reload())
        for edit in (self.from_edit, self.to_edit, self.as_of_edit):
            edit.dateChanged.connect(lambda _d: self.schedule_reload())
        return row

    def _date_edit(self, name: str, date: dt.date) -> QDateEdit:
        edit = QDateEdit(_qdate(date))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _build_figures(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        titles = (self.tr("按期办结率"), self.tr("参评率"), self.tr("满意率"), self.tr("化解率"))
        hints = (
            self.tr("交办案件中按期办结的 ÷（已办结的交办案件 + 逾期未办结的）"),
            self.tr("已回访评价的 ÷ 已办结的"),
            self.tr("满意和基本满意的 ÷ 已回访评价的"),
            self.tr("已化解且此后未重复来访的 ÷ 已办结的"),
        )
        for key, title, hint in zip(RATE_KEYS, titles, hints, strict=True):
            tile = QFrame()
            tile.setProperty("role", "tile")
            tile.setObjectName(f"tile_{key}")
            tile.setToolTip(hint)
            tile.setMinimumWidth(150)
            inner = QVBoxLayout(tile)
            inner.setContentsMargins(14, 8, 14, 8)
            inner.setSpacing(2)
            name = QLabel(title)
            name.setProperty("role", "tileTitle")
            value = QLabel("—")
            value.setObjectName(f"rate_{key}")
            value.setProperty("role", "tileValue")
            detail = QLabel()
            detail.setObjectName(f"detail_{key}")
            detail.setProperty("role", "tileDetail")
            inner.addWidget(name)
            inner.addWidget(value)
            inner.addWidget(detail)
            self.tiles[key] = (value, detail)
            row.addWidget(tile, 1)

        counts = QFrame()
        counts.setProperty("role", "counts")
        grid = QGridLayout(counts)
        grid.setContentsMargins(14, 8, 14, 8)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(0)
        names = (
            self.tr("案件"),
            self.tr("交办"),
            self.tr("当场解决"),
            self.tr("解释说明"),
            self.tr("未办结"),
            self.tr("逾期"),
            self.tr("挂牌督办"),
            self.tr("重复访"),
        )
        for i, (key, count_name) in enumerate(zip(COUNT_KEYS, names, strict=True)):
            count_title = QLabel(count_name)
            count_title.setProperty("role", "countTitle")
            count = QLabel("0")
            count.setObjectName(f"count_{key}")
            count.setProperty("role", "countValue")
            grid.addWidget(count_title, (i // 4) * 2, i % 4)
            grid.addWidget(count, (i // 4) * 2 + 1, i % 4)
            self.counts[key] = count
        row.addWidget(counts, 2)
        return row

    def _build_breakdown_bar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(0)
        section = QLabel(self.tr("分组统计"))
        section.setProperty("role", "section")
        row.addWidget(section)
        row.addSpacing(14)
        row.addWidget(QLabel(self.tr("按：")))
        self.group_buttons = QButtonGroup(self)
        self.group_buttons.setExclusive(True)
        for index, (key, label) in enumerate(
            zip(GROUP_KEYS, (self.tr("责任单位"), self.tr("问题类别"), self.tr("接待室")), strict=True)
        ):
            button = QPushButton(label)
            button.setObjectName(f"group_{key}")
            button.setProperty("role", "group")
            button.setCheckable(True)
            button.setChecked(index == 0)
            self.group_buttons.addButton(button, index)
            row.addWidget(button)
        row.addSpacing(14)
        self.breakdown_hint = QLabel()
        self.breakdown_hint.setProperty("role", "hint")
        row.addWidget(self.breakdown_hint, 1)
        self.group_buttons.idClicked.connect(lambda _id: self.schedule_reload())
        return row

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("breakdownTable")
        table.setModel(self.table_model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(52)
        table.setMinimumHeight(200)
        table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        return table

    # ---- state ----

    def period(self) -> str:
        """The period chosen: day, month, year, all or custom."""
        return str(self.period_combo.currentData())

    def group(self) -> str:
        """The breakdown chosen: department, theme or room."""
        return GROUP_KEYS[max(0, self.group_buttons.checkedId())]

    def _group_title(self) -> str:
        button = self.group_buttons.checkedButton()
        return button.text() if button is not None else ""

    def _update_custom(self) -> None:
        custom = self.period() == "custom"
        for widget in (self.from_label, self.from_edit, self.to_label, self.to_edit):
            widget.setVisible(custom)

    async def load(self) -> None:
        """Read the figures for the chosen period, date and grouping, and show them."""
        custom = self.period() == "custom"
        if custom and self.from_edit.date() > self.to_edit.date():
            # said on the line, not in a dialog: the user is still turning the dates
            self.period_line.setText(self.tr("起始日期晚于结束日期，请调整。"))
            return
        view = await self.ctx.read(
            load_statistics,
            self.ctx.db,
            self.ctx.day_id,
            self.period(),
            _date(self.as_of_edit.date()),
            self.group(),
            _date(self.from_edit.date()) if custom else None,
            _date(self.to_edit.date()) if custom else None,
        )
        self.show_view(view)

    def show_view(self, view: StatisticsView) -> None:
        """Put the figures on screen."""
        self.view = view
        report, total = view.report, view.report.total
        self.period_line.setText(self._period_text(view))
        on_time_base = total.handed_over_closed + total.overdue
        details = (
            self.tr("已按期 {0} / {1}").format(total.closed_on_time, on_time_base),
            self.tr("已评价 {0} / {1}").format(total.rated, total.closed),
            self.tr("满意 {0} / {1}").format(total.satisfied, total.rated),
            self.tr("已化解 {0} / {1}").format(total.resolved, total.closed),
        )
        rates = (total.on_time_rate, total.participation_rate, total.satisfaction_rate, total.resolution_rate)
        for key, rate, detail in zip(RATE_KEYS, rates, details, strict=True):
            value_label, detail_label = self.tiles[key]
            value_label.setText(rate_text(rate))
            detail_label.setText(detail)
        for key, label in self.counts.items():
            label.setText(str(getattr(total, key)))
            if key == "overdue":
                label.setProperty("alert", "true" if total.overdue else "false")
                label.style().unpolish(label)
                label.style().polish(label)

        group_title = self._group_title()
        self.table_model.set_group_title(group_title)
        self.table_model.set_rows(table_order(report), total)
        shown = top_groups(report.groups)
        if len(report.groups) > len(shown):
            self.breakdown_hint.setText(
                self.tr("共 {0} 组；图表显示案件最多的 {1} 组").format(len(report.groups), len(shown))
            )
        else:
            self.breakdown_hint.setText(self.tr("共 {0} 组").format(len(report.groups)) if report.groups else "")
        if not report.groups:
            self.breakdown_hint.setText(self.tr("该范围内没有案件"))
        self.progress_chart.show_groups(
            shown,
            self.tr("各{0}案件办理情况").format(group_title),
            (self.tr("已办结"), self.tr("未办结（未逾期）"), self.tr("逾期")),
        )
        self.rates_chart.show_groups(
            shown, self.tr("各{0}满意率、化解率").format(group_title), (self.tr("满意率"), self.tr("化解率"))
        )

    def _period_text(self, view: StatisticsView) -> str:
        report = view.report
        as_of = self.tr("截至 {0}年{1}月{2}日").format(report.as_of.year, report.as_of.month, report.as_of.day)
        if self.period() == "day" and view.day_date is None:
            return self.tr("尚未选择接访日")
        start, end = report.day_from, report.day_to
        if start is None and end is None:
            span = self.tr("全部接访日")
        elif start == end and start is not None:
            span = self.tr("{0}年{1}月{2}日 接访日").format(start.year, start.month, start.day)
        else:
            span = self.tr("{0} 至 {1} 的接访日").format(
                start.isoformat() if start else self.tr("最早"), end.isoformat() if end else self.tr("最近")
            )
        return f"{span} · {as_of}"
