"""The 统计 page's charts (QtCharts): cases per group by state, and 满意率 / 化解率 per group.

Horizontal bars, because the groups are department names of up to a dozen characters; only the groups with the
most cases are drawn (the table below lists them all), largest on top.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget

from reception_desk.domain.figures import Figures

TOP_GROUPS = 10
CLOSED_COLOUR, OPEN_COLOUR, OVERDUE_COLOUR = "#2e7d32", "#5c8dd6", "#c62828"
SATISFACTION_COLOUR, RESOLUTION_COLOUR = "#e0902b", "#6a4fb3"


def top_groups(groups: list[tuple[str, Figures]], limit: int = TOP_GROUPS) -> list[tuple[str, Figures]]:
    """The groups with the most cases (ties by name), at most `limit`, largest first."""
    return sorted(groups, key=lambda g: (-g[1].cases, g[0]))[:limit]


class _FigureChart(QChartView):
    """A chart view with the app's font, no animation (a reload redraws at once), and an empty-state title."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_ = QChart()
        self.chart_.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.chart_.setBackgroundRoundness(6)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(self.chart_)
        self.setMinimumHeight(300)
        self.categories: list[str] = []

    def _font(self, delta: float = 0, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() + delta))
        font.setBold(bold)
        return font

    def _reset(self, title: str) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        chart.setTitleFont(self._font(1, bold=True))
        chart.legend().setFont(self._font())

    def _axes(
        self, series: QHorizontalBarSeries | QHorizontalStackedBarSeries, maximum: float, fmt: str, nice: bool
    ) -> None:
        chart = self.chart_
        names = QBarCategoryAxis()
        names.append(list(reversed(self.categories)))  # the first category is drawn at the bottom
        names.setLabelsFont(self._font())
        names.setTruncateLabels(False)  # department names are the point of the chart: never "…"
        values = QValueAxis()
        values.setRange(0, maximum)
        if nice:
            values.applyNiceNumbers()  # whole-number ticks for counts
        values.setLabelFormat(fmt)
        values.setLabelsFont(self._font(-1))
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(names)
        series.attachAxis(values)

    @staticmethod
    def _bar_set(label: str, colour: str, values: list[float]) -> QBarSet:
        bar = QBarSet(label)
        bar.setColor(QColor(colour))
        bar.setBorderColor(QColor(colour))
        bar.append(list(reversed(values)))
        return bar


class CaseProgressChart(_FigureChart):
    """Cases per group, stacked: 已办结, 未办结 (not yet due), 逾期."""

    def show_groups(self, groups: list[tuple[str, Figures]], title: str, labels: tuple[str, str, str]) -> None:
        """Draw the groups (already cut to the top ones) with the three stack labels (translated by the page)."""
        self._reset(title)
        self.categories = [name for name, _ in groups]
        if not groups:
            return
        series = QHorizontalStackedBarSeries()
        closed, waiting, overdue = labels
        series.append(self._bar_set(closed, CLOSED_COLOUR, [float(f.closed) for _, f in groups]))
        series.append(self._bar_set(waiting, OPEN_COLOUR, [float(f.open - f.overdue) for _, f in groups]))
        series.append(self._bar_set(overdue, OVERDUE_COLOUR, [float(f.overdue) for _, f in groups]))
        series.setBarWidth(0.7)
        self.chart_.addSeries(series)
        self._axes(series, float(max(4, max(f.cases for _, f in groups))), "%d", nice=True)


class RatesChart(_FigureChart):
    """满意率 and 化解率 per group, in percent (a group without a denominator has no bar)."""

    def show_groups(self, groups: list[tuple[str, Figures]], title: str, labels: tuple[str, str]) -> None:
        """Draw the two rates of each group; labels are the translated series names."""
        self._reset(title)
        self.categories = [name for name, _ in groups]
        if not groups:
            return
        series = QHorizontalBarSeries()
        satisfaction, resolution = labels
        series.append(self._bar_set(satisfaction, SATISFACTION_COLOUR, [_pct(f.satisfaction_rate) for _, f in groups]))
        series.append(self._bar_set(resolution, RESOLUTION_COLOUR, [_pct(f.resolution_rate) for _, f in groups]))
        series.setBarWidth(0.8)
        self.chart_.addSeries(series)
        self._axes(series, 100.0, "%d%%", nice=False)


def _pct(rate: float | None) -> float:
    return 0.0 if rate is None else round(rate * 100, 2)
