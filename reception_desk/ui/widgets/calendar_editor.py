"""设置 → 工作日历: the office's holidays and 调休 working days per year, and how the current day counts deadlines.

A year whose State Council schedule is not in the table says so prominently (deadlines then skip weekends only);
the office enters the days, or confirms the year as complete. Each change is one service call through
`ctx.write`; the editor reloads on the change-set like a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reception_desk.db.engine import Database
from reception_desk.domain import office_time
from reception_desk.services import days, holiday_calendar
from reception_desk.services.changes import ChangeSet
from reception_desk.services.holiday_calendar import YearSchedule
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import TabPage

DATE_ROLE = Qt.ItemDataRole.UserRole
EDITOR_STYLE = """
#calendarWarning { background: #fff4e5; color: #8a4b00; border: 1px solid #f0b455; border-radius: 6px;
                   padding: 8px 12px; font-weight: bold; font-size: 11pt; }
#calendarSummary { font-weight: bold; color: #1f2329; }
#calendarMessage { color: #1b7f3b; font-weight: bold; }
#calendarTable { background: #ffffff; }
"""


@dataclass(frozen=True)
class CalendarView:
    """What the editor shows: the year's schedule and the current day's deadline mode (None: no day)."""

    schedule: YearSchedule
    day_date: dt.date | None
    working_days: bool | None


def load_calendar_view(db: Database, year: int, day_id: int | None) -> CalendarView:
    """The year and the current day's mode, on the database thread."""
    schedule = holiday_calendar.year_schedule(db, year)
    day_date = next((d.date for d in days.list_days(db) if d.id == day_id), None)
    mode = holiday_calendar.day_deadline_mode(db, day_id) if day_date is not None and day_id is not None else None
    return CalendarView(schedule, day_date, mode)


def _qdate(date: dt.date) -> QDate:
    return QDate(date.year, date.month, date.day)


def _date(qdate: QDate) -> dt.date:
    return dt.date(qdate.year(), qdate.month(), qdate.day())


class CalendarEditor(TabPage):
    """工作日历: the year's special days, add/change/remove one, confirm the year; the day's deadline mode."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("calendarEditor")
        self.setStyleSheet(EDITOR_STYLE)
        self.view: CalendarView | None = None
        self._writing_mode = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self._build_mode_box())
        layout.addWidget(self._build_year_box(), 1)

    def title(self) -> str:
        """工作日历."""
        return self.tr("工作日历")

    def affected_by(self, changes: ChangeSet) -> bool:
        """Calendar writes come as full change-sets; the day's mode as a day change."""
        return bool(changes.days)

    # ---- building ----

    def _build_mode_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("当前接访日的期限计算"))
        row = QHBoxLayout(box)
        self.mode_day = QLabel()
        self.mode_day.setObjectName("modeDay")
        self.mode_group = QButtonGroup(self)
        self.working_radio = QRadioButton(self.tr("工作日（默认）"))
        self.working_radio.setObjectName("workingDaysRadio")
        self.natural_radio = QRadioButton(self.tr("自然日"))
        self.natural_radio.setObjectName("naturalDaysRadio")
        self.mode_group.addButton(self.working_radio, 1)
        self.mode_group.addButton(self.natural_radio, 0)
        hint = QLabel(self.tr("只影响此后登记的案件；已登记案件的期限不变。"))
        hint.setProperty("role", "hint")
        row.addWidget(self.mode_day)
        row.addSpacing(12)
        row.addWidget(self.working_radio)
        row.addWidget(self.natural_radio)
        row.addSpacing(12)
        row.addWidget(hint, 1)
        self.mode_group.idToggled.connect(self._mode_toggled)
        return box

    def _build_year_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("节假日与调休"))
        layout = QVBoxLayout(box)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年份：")))
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("calendarYear")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(office_time.today().year)
        self.year_spin.valueChanged.connect(lambda _y: self._year_changed())
        top.addWidget(self.year_spin)
        top.addSpacing(12)
        self.summary = QLabel()
        self.summary.setObjectName("calendarSummary")
        top.addWidget(self.summary, 1)
        self.mark_button = QPushButton(self.tr("本年安排已完整录入"))
        self.mark_button.setObjectName("markYearButton")
        self.mark_button.setToolTip(self.tr("确认本年的放假和调休上班日期已全部录入（没有需要录入的日期时也可确认）"))
        self.mark_button.clicked.connect(lambda: self.spawn(self.mark_entered()))
        top.addWidget(self.mark_button)
        layout.addLayout(top)

        self.warning = QLabel()
        self.warning.setObjectName("calendarWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        layout.addWidget(self.warning)

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("calendarTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("日期"), self.tr("星期"), self.tr("类型"), self.tr("名称"), self.tr("来源")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        for column, width in enumerate((120, 70, 100, 200, 170)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)

        form = QGridLayout()
        form.setHorizontalSpacing(8)
        self.date_edit = QDateEdit(_qdate(office_time.today()))
        self.date_edit.setObjectName("calendarDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("calendarKind")
        self.kind_combo.addItem(self.tr("放假"), "holiday")
        self.kind_combo.addItem(self.tr("上班"), "workday")
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("calendarNote")
        self.note_edit.setPlaceholderText(self.tr("名称，如 春节、国庆节调休"))
        self.save_button = QPushButton(self.tr("保存此日"))
        self.save_button.setObjectName("saveCalendarDay")
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(lambda: self.spawn(self.save_day()))
        self.note_edit.returnPressed.connect(self.save_button.click)
        self.remove_button = QPushButton(self.tr("删除所选（恢复为普通周）"))
        self.remove_button.setObjectName("removeCalendarDay")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(lambda: self.spawn(self.remove_selected()))
        form.addWidget(QLabel(self.tr("日期：")), 0, 0)
        form.addWidget(self.date_edit, 0, 1)
        form.addWidget(QLabel(self.tr("类型：")), 0, 2)
        form.addWidget(self.kind_combo, 0, 3)
        form.addWidget(QLabel(self.tr("名称：")), 0, 4)
        form.addWidget(self.note_edit, 0, 5)
        form.addWidget(self.save_button, 0, 6)
        form.addWidget(self.remove_button, 0, 7)
        form.setColumnStretch(5, 1)
        layout.addLayout(form)
        hint = QLabel(
            self.tr("周末设为“上班”即调休上班；工作日设为“上班”即恢复为普通工作日。录入任一日期即视为本年安排已录入。")
        )
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.message = QLabel()
        self.message.setObjectName("calendarMessage")
        layout.addWidget(self.message)
        return box

    # ---- loading ----

    def year(self) -> int:
        """The year shown."""
        return self.year_spin.value()

    def _year_changed(self) -> None:
        self.message.clear()
        self.schedule_reload()

    async def load(self) -> None:
        """The chosen year's days and the current day's deadline mode."""
        view = await self.ctx.read(load_calendar_view, self.ctx.db, self.year(), self.ctx.day_id)
        if view.schedule.year == self.year():  # the user may have turned the year meanwhile: a reload follows
            self.show_view(view)

    def show_view(self, view: CalendarView) -> None:
        """Put the year and the mode on screen."""
        self.view = view
        schedule = view.schedule
        selected = self.selected_date()
        weekdays = (
            self.tr("周一"),
            self.tr("周二"),
            self.tr("周三"),
            self.tr("周四"),
            self.tr("周五"),
            self.tr("周六"),
            self.tr("周日"),
        )
        sources = {"package": self.tr("国务院安排（内置数据）"), "office": self.tr("本单位录入")}
        kinds = {"holiday": self.tr("放假"), "workday": self.tr("调休上班")}
        self.table.setRowCount(len(schedule.entries))
        for row, entry in enumerate(schedule.entries):
            cells = (
                entry.date.isoformat(),
                weekdays[entry.date.weekday()],
                kinds.get(entry.kind, entry.kind),
                entry.note,
                sources.get(entry.source, entry.source),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(DATE_ROLE, entry.date.isoformat())
                if entry.kind == "holiday" and column == 2:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
            if entry.date == selected:
                self.table.selectRow(row)
        holidays = sum(1 for e in schedule.entries if e.kind == "holiday")
        makeups = len(schedule.entries) - holidays
        if schedule.scheduled:
            state = self.tr("安排已录入，来源：{0}").format(sources.get(schedule.source, schedule.source))
        else:
            state = self.tr("安排未录入")
        self.summary.setText(
            self.tr("{0}年：工作日 {1} 天 · 放假 {2} 天 · 调休上班 {3} 天 · {4}").format(
                schedule.year, schedule.workdays, holidays, makeups, state
            )
        )
        self.warning.setText(self._warning_text(schedule))
        self.warning.setVisible(not schedule.scheduled)
        self.mark_button.setEnabled(not schedule.scheduled)
        self._show_mode(view)
        self._selected()

    def _warning_text(self, schedule: YearSchedule) -> str:
        if schedule.scheduled:
            return ""
        return self.tr(
            "⚠ {0}年的国务院节假日安排尚未录入：工作日只按周末计算。请录入放假和调休上班的日期，"
            "或在确认本年没有需要录入的日期后点“本年安排已完整录入”。"
        ).format(schedule.year)

    def _show_mode(self, view: CalendarView) -> None:
        has_day = view.day_date is not None and view.working_days is not None
        self._writing_mode = True  # setting the radios from the database is not a user's choice
        try:
            if view.day_date is not None:
                date = view.day_date
                self.mode_day.setText(self.tr("{0}年{1}月{2}日 接访日：").format(date.year, date.month, date.day))
            else:
                self.mode_day.setText(self.tr("尚未选择接访日"))
            (self.working_radio if view.working_days is not False else self.natural_radio).setChecked(True)
        finally:
            self._writing_mode = False
        self.working_radio.setEnabled(has_day)
        self.natural_radio.setEnabled(has_day)

    # ---- actions ----

    def selected_date(self) -> dt.date | None:
        """The date of the selected row, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return dt.date.fromisoformat(str(item.data(DATE_ROLE))) if item is not None else None

    def _selected(self) -> None:
        date = self.selected_date()
        self.remove_button.setEnabled(date is not None)
        if date is None or self.view is None:
            return
        entry = next((e for e in self.view.schedule.entries if e.date == date), None)
        if entry is not None:  # the form takes the selected day, ready to change
            self.date_edit.setDate(_qdate(entry.date))
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(entry.kind)))
            self.note_edit.setText(entry.note)

    async def save_day(self) -> None:
        """保存此日: the date as 放假 or 上班 with its name; the list then shows the date's year."""
        date = _date(self.date_edit.date())
        kind = str(self.kind_combo.currentData())
        self.save_button.setEnabled(False)
        try:
            done = await self.guarded(
                self.ctx.write(
                    holiday_calendar.set_calendar_day,
                    self.ctx.db,
                    date,
                    kind,
                    self.note_edit.text().strip(),
                    self.ctx.actor,
                )
            )
        finally:
            self.save_button.setEnabled(True)
        if done is None:
            return
        self.message.setText(self.tr("已保存 {0}。").format(date.isoformat()))
        if date.year != self.year():
            self.year_spin.setValue(date.year)
        self.schedule_reload()

    async def remove_selected(self) -> None:
        """删除所选: the selected day goes back to the plain week."""
        date = self.selected_date()
        if date is None:
            return
        self.remove_button.setEnabled(False)
        done = await self.guarded(
            self.ctx.write(holiday_calendar.set_calendar_day, self.ctx.db, date, None, "", self.ctx.actor)
        )
        if done is not None:
            self.table.clearSelection()
            self.message.setText(self.tr("已删除 {0}，恢复为普通周。").format(date.isoformat()))
        self.schedule_reload()

    async def mark_entered(self) -> None:
        """本年安排已完整录入: the year counts as scheduled; its warning goes."""
        year = self.year()
        self.mark_button.setEnabled(False)
        done = await self.guarded(self.ctx.write(holiday_calendar.mark_year_entered, self.ctx.db, year, self.ctx.actor))
        if done is not None:
            self.message.setText(self.tr("已确认 {0}年的安排已完整录入。").format(year))
        self.schedule_reload()

    def _mode_toggled(self, button_id: int, checked: bool) -> None:
        if checked and not self._writing_mode:
            self.spawn(self.set_mode(button_id == 1))

    async def set_mode(self, working_days: bool) -> None:
        """期限计算: working days or natural days for the current day."""
        day_id = self.ctx.day_id
        if day_id is None:
            return
        done = await self.guarded(
            self.ctx.write(holiday_calendar.set_day_deadline_mode, self.ctx.db, day_id, working_days, self.ctx.actor)
        )
        if done is not None:
            mode = self.tr("工作日") if working_days else self.tr("自然日")
            self.message.setText(self.tr("当前接访日的期限改按{0}计算。").format(mode))
        self.schedule_reload()
