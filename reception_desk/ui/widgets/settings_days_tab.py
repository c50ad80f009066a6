"""设置 → 接访日: the list of reception days, switching to one, creating a new one.

A mixin of SettingsPage (it builds the tab's widgets on the page, so their names stay the page's).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain import office_time
from reception_desk.services import days
from reception_desk.ui.errors import show_error
from reception_desk.ui.models.plan_models import ID_ROLE
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.settings_common import hint

if TYPE_CHECKING:
    _Base = Page
else:
    _Base = object


class DaysTabMixin(_Base):
    """(b) 接访日: SettingsPage's reception-days tab and its handlers."""

    _days: list[days.DayInfo]

    def _build_days_tab(self) -> QWidget:
        tab = QWidget()
        layout = QHBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(14)
        listing = QGroupBox(self.tr("接访日列表"))
        box = QVBoxLayout(listing)
        self.days_table = QTableWidget(0, 5)
        self.days_table.setObjectName("daysTable")
        self.days_table.setHorizontalHeaderLabels(
            [self.tr("日期"), self.tr("标题"), self.tr("地点"), self.tr("接访领导"), self.tr("状态")]
        )
        self.days_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.days_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.days_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.days_table.verticalHeader().setVisible(False)
        self.days_table.setAlternatingRowColors(True)
        header = self.days_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.days_table.setWordWrap(True)
        self.days_table.itemSelectionChanged.connect(self._update_day_buttons)
        self.days_table.doubleClicked.connect(lambda _i: self.switch_day())
        box.addWidget(self.days_table)
        row = QHBoxLayout()
        self.switch_day_button = QPushButton(self.tr("切换到此接访日"))
        self.switch_day_button.setObjectName("switchDayButton")
        self.switch_day_button.setProperty("role", "primary")
        self.switch_day_button.clicked.connect(self.switch_day)
        row.addWidget(self.switch_day_button)
        row.addWidget(hint(self.tr("切换后，所有页面都显示所选接访日的数据。")), 1)
        box.addLayout(row)
        layout.addWidget(listing, 1)

        create = QGroupBox(self.tr("新建接访日"))
        create.setFixedWidth(430)
        form = QFormLayout(create)
        form.setHorizontalSpacing(12)
        self.new_date = QDateEdit()
        self.new_date.setObjectName("newDayDate")
        self.new_date.setCalendarPopup(True)
        self.new_date.setDisplayFormat("yyyy年M月d日")
        today = office_time.today()  # the office's date, whatever the laptop's zone
        self.new_date.setDate(QDate(today.year, today.month, today.day))
        self.new_title = QLineEdit(days.DEFAULT_TITLE)
        self.new_title.setObjectName("newDayTitle")
        self.new_venue = QLineEdit(days.DEFAULT_VENUE)
        self.new_venue.setObjectName("newDayVenue")
        self.new_leaders = QLineEdit()
        self.new_leaders.setObjectName("newDayLeaders")
        self.new_leaders.setPlaceholderText(self.tr("如：区委书记 张明、区长 王强"))
        self.new_phone = QLineEdit(days.DEFAULT_PHONE)
        self.new_phone.setObjectName("newDayPhone")
        form.addRow(self.tr("日期"), self.new_date)
        form.addRow(self.tr("标题"), self.new_title)
        form.addRow(self.tr("地点"), self.new_venue)
        form.addRow(self.tr("接访领导"), self.new_leaders)
        form.addRow(self.tr("信访局电话"), self.new_phone)
        self.create_day_button = QPushButton(self.tr("创建接访日"))
        self.create_day_button.setObjectName("createDayButton")
        self.create_day_button.setProperty("role", "primary")
        self.create_day_button.clicked.connect(lambda: self.spawn(self.create_day()))
        self.day_message = QLabel()
        self.day_message.setObjectName("dayMessage")
        self.day_message.setProperty("role", "done")
        self.day_message.setWordWrap(True)
        form.addRow("", self.create_day_button)
        form.addRow("", hint(self.tr("新接访日按默认方案建立 15 个接待室，可在“接待室”中修改。")))
        form.addRow("", self.day_message)
        layout.addWidget(create, 0, Qt.AlignmentFlag.AlignTop)
        self._update_day_buttons()
        return tab

    def _show_days(self, day_list: list[days.DayInfo]) -> None:
        selected = self.selected_day_id()
        self._days = day_list
        self.days_table.setRowCount(len(day_list))
        for row, day in enumerate(day_list):
            current = day.id == self.ctx.day_id
            cells = (
                self.tr("{0}年{1}月{2}日").format(day.date.year, day.date.month, day.date.day),
                day.title,
                day.venue,
                day.leaders,
                self.tr("当前") if current else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, day.id)
                if current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.days_table.setItem(row, column, item)
        keep = selected if selected is not None else self.ctx.day_id
        for row, day in enumerate(day_list):
            if day.id == keep:
                self.days_table.selectRow(row)
        self._update_day_buttons()

    def selected_day_id(self) -> int | None:
        """The day selected in the list, or None."""
        rows = self.days_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.days_table.item(rows[0].row(), 0)
        return int(item.data(ID_ROLE)) if item is not None else None

    def select_day(self, day_id: int) -> bool:
        """Select a day in the list; False when it is not there."""
        for row, day in enumerate(self._days):
            if day.id == day_id:
                self.days_table.selectRow(row)
                return True
        return False

    def _update_day_buttons(self) -> None:
        chosen = self.selected_day_id()
        self.switch_day_button.setEnabled(chosen is not None and chosen != self.ctx.day_id)

    def switch_day(self) -> None:
        """Switch every page to the selected day."""
        chosen = self.selected_day_id()
        if chosen is None or chosen == self.ctx.day_id:
            return
        self.ctx.set_day(chosen)
        self._show_days(self._days)
        day = next((d for d in self._days if d.id == chosen), None)
        if day is not None:
            self.day_message.setText(
                self.tr("已切换到 {0}年{1}月{2}日 的接访日。").format(day.date.year, day.date.month, day.date.day)
            )

    async def create_day(self) -> None:
        """创建接访日 with the default 15-room plan; selected in the list afterwards."""
        qdate = self.new_date.date()
        date = dt.date(qdate.year(), qdate.month(), qdate.day())
        self.create_day_button.setEnabled(False)
        try:
            info, _ = await self.ctx.write(
                days.create_day,
                self.ctx.db,
                date,
                self.new_title.text().strip(),
                self.new_venue.text().strip(),
                self.new_leaders.text().strip(),
                self.new_phone.text().strip(),
                self.ctx.actor,
            )
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            self.create_day_button.setEnabled(True)
        await self.reload()
        self.select_day(info.id)
        self.day_message.setText(
            self.tr("已创建 {0}年{1}月{2}日 的接访日（15 个接待室）。点“切换到此接访日”开始使用。").format(
                date.year, date.month, date.day
            )
        )
