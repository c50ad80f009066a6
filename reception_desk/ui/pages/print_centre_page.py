"""打印中心: the day's papers in one place. Department bundles (交办清单) for the departments chosen, in one PDF
or one file each; every handed-over case's slip; the pre-registration list; the day summary; all room schedules.
After the day: the 接访日简报 day bulletin, 催办单 for every overdue case, and the 办理情况统计表 for a period
(this month by default).

Every document opens in the preview, from which the user prints or saves it. Batches build off the UI thread
with a progress dialog that can cancel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStandardPaths,
    Qt,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reception_desk.db.engine import Database
from reception_desk.domain import office_time
from reception_desk.services import print_data
from reception_desk.services.changes import ChangeSet
from reception_desk.services.days import DayInfo
from reception_desk.services.tracking import TrackingFilter, tracked_cases
from reception_desk.ui.context import AppContext
from reception_desk.ui.models.headed_table import HeadedTableModel
from reception_desk.ui.pages.base import Page
from reception_desk.ui.printing import jobs
from reception_desk.ui.printing.preview_dialog import SAVE_DIR_KEY, warn_missing_glyphs

PRINT_SHORTCUT = "Ctrl+P"

PAGE_STYLE = """
#printCentrePage QFrame[role="panel"] { background: #ffffff; border: 1px solid #d9dde3; border-radius: 6px; }
#printCentrePage QLabel[role="section"] { font-size: 12pt; font-weight: bold; color: #1f2329; }
#printCentrePage QLabel[role="muted"] { color: #7a828c; }
#printDayLine { font-size: 11pt; color: #1f2329; }
#printCentrePage QFrame[role="doc"] { background: #f7f8fa; border: 1px solid #e3e6ea; border-radius: 6px; }
#printCentrePage QLabel[role="docTitle"] { font-size: 12pt; font-weight: bold; color: #1f2329; }
#printCentrePage QLabel[role="docCount"] { font-size: 12pt; font-weight: bold; color: #b3261e; }
#printCentrePage QPushButton[role="docButton"] { padding: 6px 14px; }
#printBundles { background: #b3261e; color: white; font-weight: bold; padding: 6px 14px; border: none;
                border-radius: 4px; }
#printBundles:disabled { background: #e3b6b2; color: #fbeeed; }
#saveBundles { padding: 6px 14px; }
#departmentTable { border: 1px solid #e3e6ea; }
"""


@dataclass(frozen=True)
class DepartmentRow:
    """A department with handed-over cases today: how many it leads and co-handles."""

    department_id: int
    name: str
    lead: int
    co: int

    @property
    def total(self) -> int:
        """Cases in its bundle."""
        return self.lead + self.co


@dataclass(frozen=True)
class PrintOverview:
    """What the print centre shows: the day, its counts, and the departments with cases."""

    day: DayInfo
    handed_over: int
    cases: int
    batches: int
    rooms: int
    departments: tuple[DepartmentRow, ...]
    overdue: int = 0  # cases overdue today, all days: the 催办单 to print


def print_overview(db: Database, day_id: int) -> PrintOverview:
    """The day's counts and each department's cases (as its bundle will hold them), on the database thread."""
    summary = print_data.day_summary(db, day_id)
    rows = tuple(
        DepartmentRow(
            b.department_id,
            b.department_name,
            sum(1 for e in b.entries if e.role == "lead"),
            sum(1 for e in b.entries if e.role == "co"),
        )
        for b in print_data.department_bundles(db, day_id)
    )
    totals = summary.totals
    _, overdue = tracked_cases(db, office_time.today(), TrackingFilter(status="overdue"), limit=0)
    return PrintOverview(
        summary.day, totals.handed_over, totals.cases, totals.batches, len(summary.by_room), rows, overdue
    )


class DepartmentModel(HeadedTableModel):
    """Departments with cases today (a few dozen at most): name, lead, co, total; the id under UserRole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[DepartmentRow] = []
        self.headers = (self.tr("责任单位"), self.tr("主办"), self.tr("协办"), self.tr("合计"))

    def set_rows(self, rows: list[DepartmentRow]) -> None:
        """Replace the rows (the page restores the selection by department id)."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell: text (numbers sort as numbers), centred counts, the department id under UserRole."""
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, row.lead, row.co, row.total)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.department_id
        return None

    def row_total(self) -> int:
        """Rows held."""
        return len(self.rows)


class PrintCentrePage(Page):
    """The print centre: department bundles, all slips, the list, the summary, all room schedules."""

    bundles_button: QPushButton

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("printCentrePage")
        self.setStyleSheet(PAGE_STYLE)
        self.overview: PrintOverview | None = None
        self.printer = jobs.PrintRunner(ctx, self)
        self.printer.busy_changed.connect(lambda _busy: self._update_actions())

        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        outer.setSpacing(10)
        self.day_line = QLabel()
        self.day_line.setObjectName("printDayLine")
        self.day_line.setWordWrap(True)
        outer.addWidget(self.day_line)
        body = QHBoxLayout()
        body.setSpacing(12)
        body.addWidget(self._build_bundles_panel(), 5)
        body.addWidget(self._build_documents_panel(), 4)
        outer.addLayout(body, 1)

        QShortcut(QKeySequence(PRINT_SHORTCUT), self, self.bundles_button.click)
        self._update_actions()

    def title(self) -> str:
        """Navigation name."""
        return self.tr("打印中心")

    # ---- building ----

    def _panel(self, title: str) -> tuple[QFrame, QVBoxLayout]:
        panel = QFrame()
        panel.setProperty("role", "panel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        heading = QLabel(title)
        heading.setProperty("role", "section")
        layout.addWidget(heading)
        return panel, layout

    def _build_bundles_panel(self) -> QWidget:
        panel, layout = self._panel(self.tr("交办清单（按责任单位）"))
        hint = QLabel(
            self.tr("每个单位一份签收清单，后附该单位主办或协办的全部交办单。可按住 Ctrl 或 Shift 选择多个单位。")
        )
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)

        tools = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("departmentFilter")
        self.filter_edit.setPlaceholderText(self.tr("筛选单位名称"))
        self.filter_edit.setClearButtonEnabled(True)
        self.select_all_button = QPushButton(self.tr("全选"))
        self.select_all_button.setObjectName("selectAllDepartments")
        self.select_all_button.setAutoDefault(False)
        self.clear_button = QPushButton(self.tr("清除选择"))
        self.clear_button.setObjectName("clearDepartments")
        self.clear_button.setAutoDefault(False)
        tools.addWidget(self.filter_edit, 1)
        tools.addWidget(self.select_all_button)
        tools.addWidget(self.clear_button)
        layout.addLayout(tools)

        self.department_model = DepartmentModel(self)
        self.department_proxy = QSortFilterProxyModel(self)
        self.department_proxy.setSourceModel(self.department_model)
        self.department_proxy.setFilterKeyColumn(0)
        self.department_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.department_view = QTableView()
        self.department_view.setObjectName("departmentTable")
        self.department_view.setModel(self.department_proxy)
        self.department_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.department_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.department_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.department_view.setAlternatingRowColors(True)
        self.department_view.setSortingEnabled(True)
        self.department_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # directory order until a click
        self.department_view.verticalHeader().setVisible(False)
        self.department_view.verticalHeader().setDefaultSectionSize(26)
        header = self.department_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.department_view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.department_view.doubleClicked.connect(lambda _index: self.bundles_button.click())
        layout.addWidget(self.department_view, 1)

        self.selection_label = QLabel()
        self.selection_label.setObjectName("bundleSelection")
        self.selection_label.setProperty("role", "muted")
        layout.addWidget(self.selection_label)
        buttons = QHBoxLayout()
        self.bundles_button = QPushButton(self.tr("预览所选单位（合并为一个 PDF）  Ctrl+P"))
        self.bundles_button.setObjectName("printBundles")
        self.bundles_button.setToolTip(self.tr("所选单位的交办清单依次合并为一个 PDF，预览后打印或保存"))
        self.save_bundles_button = QPushButton(self.tr("每个单位分别保存为 PDF…"))
        self.save_bundles_button.setObjectName("saveBundles")
        self.save_bundles_button.setToolTip(self.tr("选择文件夹，所选单位各生成一个 PDF 文件，便于分别发送"))
        buttons.addWidget(self.bundles_button)
        buttons.addWidget(self.save_bundles_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.filter_edit.textChanged.connect(self.department_proxy.setFilterFixedString)
        self.select_all_button.clicked.connect(self.department_view.selectAll)
        self.clear_button.clicked.connect(self.department_view.clearSelection)
        self.bundles_button.clicked.connect(lambda: self.spawn(self.print_bundles()))
        self.save_bundles_button.clicked.connect(self.ask_save_bundles)
        return panel

    def _build_documents_panel(self) -> QWidget:
        panel, outer = self._panel(self.tr("当日文档"))
        # the cards scroll when the window is short (English at 1366×768 cut the last ones off)
        cards = QWidget()
        cards.setObjectName("docCards")
        cards.setAutoFillBackground(False)
        layout = QVBoxLayout(cards)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        scroll = QScrollArea()
        scroll.setObjectName("docScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet("QScrollArea#docScroll, QWidget#docCards { background: transparent; }")
        scroll.setWidget(cards)
        outer.addWidget(scroll, 1)
        self.doc_counts: dict[str, QLabel] = {}
        self.doc_buttons: dict[str, QPushButton] = {}
        documents = (
            (
                "day_slips",
                self.tr("全部交办单"),
                self.tr("当日每件交办案件一张交办单，按案件编号合并为一个 PDF。"),
                self.day_slips,
            ),
            (
                "registration_list",
                self.tr("预登记名单"),
                self.tr("当日全部预登记和现场登记批次，身份证号和电话已部分隐藏。"),
                self.registration_list,
            ),
            (
                "day_summary",
                self.tr("当日汇总"),
                self.tr("按接待室、问题类别、处理结果、颜色和责任单位统计的当日接访情况。"),
                self.day_summary,
            ),
            (
                "schedules",
                self.tr("全部接待室安排表"),
                self.tr("每个接待室一份候谈安排，供接待领导使用。"),
                self.all_schedules,
            ),
            (
                "bulletin",
                self.tr("接访日简报"),
                self.tr("一页纸：当日接访情况、四项办理指标、按类别和接待室的数字、督办和逾期案件。"),
                self.bulletin,
            ),
            (
                "reminders",
                self.tr("催办单（全部逾期案件）"),
                self.tr("截至今日逾期未办结的交办案件，每件一页，发主办单位催办。"),
                self.reminders,
            ),
            (
                "figures_report",
                self.tr("办理情况统计表"),
                self.tr("所选期间各责任单位的案件数、办结、逾期和四项办理指标（默认本月）。"),
                self.figures_report,
            ),
        )
        for key, title, description, action in documents:
            card = QFrame()
            card.setProperty("role", "doc")
            grid = QGridLayout(card)
            grid.setContentsMargins(12, 10, 12, 10)
            grid.setHorizontalSpacing(10)
            name = QLabel(title)
            name.setProperty("role", "docTitle")
            count = QLabel()
            count.setProperty("role", "docCount")
            text = QLabel(description)
            text.setProperty("role", "muted")
            text.setWordWrap(True)
            button = QPushButton(self.tr("预览 / 打印"))
            button.setObjectName(f"print_{key}")
            button.setProperty("role", "docButton")
            button.clicked.connect(lambda _checked=False, act=action: self.spawn(act()))
            grid.addWidget(name, 0, 0)
            grid.addWidget(count, 0, 1)
            # the description runs under the button too: beside it, English ran to three lines and was cut off
            # at 1366×768
            grid.addWidget(button, 0, 2, Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(text, 1, 0, 1, 3)
            grid.setColumnStretch(1, 1)
            if key == "figures_report":
                grid.addLayout(self._period_row(), 2, 0, 1, 3)
            layout.addWidget(card)
            self.doc_counts[key] = count
            self.doc_buttons[key] = button
        layout.addStretch(1)
        return panel

    def _period_row(self) -> QHBoxLayout:
        """The report's period: from the first of this month to today, editable."""
        today = office_time.today()
        row = QHBoxLayout()
        self.report_from = QDateEdit(QDate(today.year, today.month, 1))
        self.report_from.setObjectName("reportFrom")
        self.report_to = QDateEdit(QDate(today.year, today.month, today.day))
        self.report_to.setObjectName("reportTo")
        for edit in (self.report_from, self.report_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        row.addWidget(QLabel(self.tr("期间")))
        row.addWidget(self.report_from)
        row.addWidget(QLabel(self.tr("至")))
        row.addWidget(self.report_to)
        row.addStretch(1)
        return row

    def report_period(self) -> tuple[dt.date, dt.date]:
        """The period the report covers, as chosen (earlier date first)."""
        start, end = (e.date() for e in (self.report_from, self.report_to))
        first = dt.date(start.year(), start.month(), start.day())
        last = dt.date(end.year(), end.month(), end.day())
        return (first, last) if first <= last else (last, first)

    # ---- loading ----

    def affected_by(self, changes: ChangeSet) -> bool:
        """Cases, batches, rooms, departments and days all change what is counted here."""
        return bool(changes.cases or changes.batches or changes.rooms or changes.departments or changes.days)

    async def load(self) -> None:
        """Read the day's counts and the departments with cases; keep the selected departments."""
        day_id = self.ctx.day_id
        if day_id is None:
            self.overview = None
            self.day_line.setText(self.tr("尚未创建接访日。"))
            self.department_model.set_rows([])
            self._update_actions()
            return
        overview = await self.ctx.read(print_overview, self.ctx.db, day_id)
        if day_id != self.ctx.day_id:
            self.schedule_reload()  # the day switched meanwhile
            return
        self._show(overview)

    def _show(self, overview: PrintOverview) -> None:
        selected = set(self.selected_department_ids())
        self.overview = overview
        day = overview.day
        self.day_line.setText(
            self.tr("{0}年{1}月{2}日 {3}：登记 {4} 批，已录案件 {5} 件，其中交办 {6} 件，涉及 {7} 个责任单位。").format(
                day.date.year,
                day.date.month,
                day.date.day,
                day.title,
                overview.batches,
                overview.cases,
                overview.handed_over,
                len(overview.departments),
            )
        )
        self.department_model.set_rows(list(overview.departments))
        self.select_departments(selected)
        self.doc_counts["day_slips"].setText(self.tr("{0} 件").format(overview.handed_over))
        self.doc_counts["registration_list"].setText(self.tr("{0} 批").format(overview.batches))
        self.doc_counts["day_summary"].setText("")
        self.doc_counts["schedules"].setText(self.tr("{0} 个接待室").format(overview.rooms))
        self.doc_counts["bulletin"].setText("")
        self.doc_counts["reminders"].setText(self.tr("{0} 件").format(overview.overdue))
        self.doc_counts["figures_report"].setText("")
        self._update_actions()

    # ---- selection ----

    def selected_department_ids(self) -> list[int]:
        """The selected departments in the order shown."""
        rows = sorted(self.department_view.selectionModel().selectedRows(), key=lambda i: i.row())
        return [int(index.data(Qt.ItemDataRole.UserRole)) for index in rows]

    def selected_rows(self) -> list[DepartmentRow]:
        """The selected departments' rows in the order shown."""
        by_id = {r.department_id: r for r in self.department_model.rows}
        return [by_id[d] for d in self.selected_department_ids() if d in by_id]

    def select_departments(self, department_ids: set[int] | list[int]) -> None:
        """Select these departments (those shown), nothing else."""
        wanted = set(department_ids)
        selection = QItemSelection()
        for row in range(self.department_proxy.rowCount()):
            index = self.department_proxy.index(row, 0)
            if int(index.data(Qt.ItemDataRole.UserRole)) in wanted:
                selection.select(index, index)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.department_view.selectionModel().select(selection, flags)

    def select_department(self, name: str) -> None:
        """Select one department by its name (a test's and a keyboard user's shortcut)."""
        ids = [r.department_id for r in self.department_model.rows if r.name == name]
        self.select_departments(ids)

    def _update_actions(self) -> None:
        rows = self.selected_rows()
        busy = self.printer.busy
        has_day = self.overview is not None
        self.bundles_button.setEnabled(bool(rows) and not busy)
        self.save_bundles_button.setEnabled(bool(rows) and not busy)
        for button in self.doc_buttons.values():
            button.setEnabled(has_day and not busy)
        if rows:
            self.selection_label.setText(
                self.tr("已选 {0} 个单位，共 {1} 件交办单（协办的案件在各单位中各印一份）。").format(
                    len(rows), sum(r.total for r in rows)
                )
            )
        elif has_day and not self.department_model.rows:
            self.selection_label.setText(self.tr("今天还没有交办案件。"))
        else:
            self.selection_label.setText(self.tr("请选择一个或多个单位。"))

    # ---- actions ----

    async def print_bundles(self) -> None:
        """The selected departments' bundles in one PDF, in the preview."""
        rows = self.selected_rows()
        if not rows or self.ctx.day_id is None:
            return
        job = jobs.bundle_job(self.ctx.db, self.ctx.day_id, [r.department_id for r in rows], [r.name for r in rows])
        await self.printer.run(job)

    def ask_save_bundles(self) -> None:
        """Ask for a folder, then write one bundle PDF per selected department into it."""
        rows = self.selected_rows()
        if not rows or self.ctx.day_id is None or self.printer.busy:
            return
        saved = self.ctx.settings.value(SAVE_DIR_KEY)
        start = (
            str(saved)
            if saved and Path(str(saved)).is_dir()
            else QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        )
        folder = QFileDialog.getExistingDirectory(self, self.tr("选择保存交办清单的文件夹"), start)
        if folder:
            self.spawn(self.save_bundles(Path(folder)))

    async def save_bundles(self, folder: Path) -> jobs.SavedFiles | None:
        """Write one PDF per selected department into the folder (progress, cancel) and say what was written."""
        rows = self.selected_rows()
        day_id = self.ctx.day_id
        if not rows or day_id is None:
            return None
        ids = [r.department_id for r in rows]
        db = self.ctx.db
        saved = await self.printer.execute(
            self.tr("交办清单"),
            lambda progress: jobs.save_department_bundles(db, day_id, ids, folder, progress),
            batch=True,
        )
        if saved is None:
            return None
        self.ctx.settings.setValue(SAVE_DIR_KEY, str(folder))
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("交办清单已保存"),
            self.tr("已将 {0} 个单位的交办清单分别保存到：\n{1}").format(len(saved.files), folder),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("bundlesSaved")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        if saved.missing_glyphs:
            warn_missing_glyphs(box, saved.missing_glyphs)
        return saved

    async def day_slips(self) -> None:
        """Every handed-over case's slip in one PDF (progress per slip)."""
        if self.ctx.day_id is not None:
            await self.printer.run(jobs.day_slips_job(self.ctx.db, self.ctx.day_id))

    async def registration_list(self) -> None:
        """The pre-registration list."""
        if self.ctx.day_id is not None:
            await self.printer.run(jobs.registration_list_job(self.ctx.db, self.ctx.day_id))

    async def day_summary(self) -> None:
        """The day summary."""
        if self.ctx.day_id is not None:
            await self.printer.run(jobs.day_summary_job(self.ctx.db, self.ctx.day_id))

    async def all_schedules(self) -> None:
        """Every room's schedule in one PDF."""
        if self.ctx.day_id is not None:
            await self.printer.run(jobs.schedule_job(self.ctx.db, self.ctx.day_id))

    async def bulletin(self) -> None:
        """The day bulletin (figures as of today)."""
        if self.ctx.day_id is not None:
            await self.printer.run(jobs.bulletin_job(self.ctx.db, self.ctx.day_id))

    async def reminders(self) -> None:
        """催办单 for every case overdue today, one page each."""
        await self.printer.run(jobs.reminders_job(self.ctx.db, None))

    async def figures_report(self) -> None:
        """The figures by department for the chosen period, as of today."""
        start, end = self.report_period()
        await self.printer.run(jobs.figures_report_job(self.ctx.db, start, end, office_time.today()))
