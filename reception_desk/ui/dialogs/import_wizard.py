"""Import wizard: choose a file → preview every row's verdict → import with progress → report.

Reading, previewing and importing run on the slow worker thread; the UI thread only paints. The import is one
transaction: Cancel during the import rolls the whole import back (nothing is written), as the service does
when its progress callback raises. A cancel that arrives after the last chunk is too late: the report says so.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Coroutine, Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from reception_desk.files import replacing
from reception_desk.services.assignment import AssignReport, assign_day
from reception_desk.services.importing import ImportReport, Outcome, RowOutcome, import_registrations, preview_import
from reception_desk.services.safe_cells import write_csv_rows, xlsx_row
from reception_desk.ui.context import AppContext
from reception_desk.ui.errors import message_for
from reception_desk.ui.models.headed_table import HeadedTableModel

log = logging.getLogger(__name__)

IMPORT_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
OUTCOME_COLOURS = {
    Outcome.IMPORTED: "#1e7d32",
    Outcome.WARNING: "#b45309",
    Outcome.REJECTED: "#b3261e",
    Outcome.DUPLICATE: "#7b1fa2",
}


def verdict_label(outcome: Outcome, done: bool = True) -> str:
    """The short verdict of a row: in the preview what will happen (将导入, 将照录, 将拒绝, 重复), after the
    import what did (已导入, 已照录, 已拒绝, 重复). 照录: imported as written, with a note to check."""
    if not done:
        return {
            Outcome.IMPORTED: QCoreApplication.translate("ImportWizard", "将导入"),
            Outcome.WARNING: QCoreApplication.translate("ImportWizard", "将照录"),
            Outcome.REJECTED: QCoreApplication.translate("ImportWizard", "将拒绝"),
            Outcome.DUPLICATE: QCoreApplication.translate("ImportWizard", "重复"),
        }[outcome]
    return {
        Outcome.IMPORTED: QCoreApplication.translate("ImportWizard", "已导入"),
        Outcome.WARNING: QCoreApplication.translate("ImportWizard", "已照录"),
        Outcome.REJECTED: QCoreApplication.translate("ImportWizard", "已拒绝"),
        Outcome.DUPLICATE: QCoreApplication.translate("ImportWizard", "重复"),
    }[outcome]


_DONE_CLAUSE = re.compile(r"(^|，)已")
_NOT_DONE_CLAUSE = re.compile(r"(^|，)未(?:重复)?")


def future_reason(reason: str) -> str:
    """A row's reason as the preview says it: the reader words what it did (“，已照录”, “，未重复导入”);
    before the import that is what it will do (“，将照录”, “，将不导入”). Facts inside a clause stay."""
    return _NOT_DONE_CLAUSE.sub(r"\1将不", _DONE_CLAUSE.sub(r"\1将", reason))


def counts_text(report: ImportReport, done: bool) -> str:
    """One line of counts: rows, imported (as written with a note), rejected, duplicates, batches and people."""
    imported = sum(1 for r in report.rows if r.outcome in (Outcome.IMPORTED, Outcome.WARNING))
    counts = (len(report.rows), imported, len(report.warnings), len(report.rejected), len(report.duplicates))
    if done:
        text = QCoreApplication.translate(
            "ImportWizard", "共 {0} 行：已导入 {1} 行（其中照录待核 {2} 行），已拒绝 {3} 行，重复 {4} 行未导入。"
        ).format(*counts)
    else:
        text = QCoreApplication.translate(
            "ImportWizard", "共 {0} 行：将导入 {1} 行（其中照录待核 {2} 行），将拒绝 {3} 行，重复 {4} 行将不导入。"
        ).format(*counts)
    if done:
        text += QCoreApplication.translate("ImportWizard", "已导入 {0} 批 {1} 人。").format(
            report.imported, report.people
        )
    else:
        text += QCoreApplication.translate("ImportWizard", "将导入 {0} 批 {1} 人。").format(
            report.imported, report.people
        )
    if report.skipped:
        text += QCoreApplication.translate("ImportWizard", "（跳过合计行 {0} 行）").format(report.skipped)
    for notice in report.notices:  # about the file itself, e.g. a header used twice
        text += "\n" + QCoreApplication.translate("ImportWizard", "第 {0} 行：{1}").format(notice.row, notice.reason)
    return text


def write_report(path: Path, report: ImportReport) -> int:
    """Write every row's verdict (row, name, verdict, reason) to .csv or .xlsx; returns the rows written."""
    header = [
        QCoreApplication.translate("ImportWizard", "Excel行号"),
        QCoreApplication.translate("ImportWizard", "姓名"),
        QCoreApplication.translate("ImportWizard", "结论"),
        QCoreApplication.translate("ImportWizard", "原因"),
    ]
    rows = [[r.row, r.name, verdict_label(r.outcome, done=True), r.reason] for r in report.rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    # names and reasons quote the file's own cells: written through safe_cells, so none becomes a formula
    with replacing(path) as tmp:
        if path.suffix.lower() == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                write_csv_rows(fh, [header, *rows])
        else:
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = QCoreApplication.translate("ImportWizard", "导入报告")
            ws.append(xlsx_row(ws, header))
            for row in rows:
                ws.append(xlsx_row(ws, row))
            for letter, width in zip("ABCD", (10, 14, 8, 80), strict=True):
                ws.column_dimensions[letter].width = width
            wb.save(tmp)
    return len(rows)


class ImportCancelledError(Exception):
    """Raised from the progress callback to roll the import back."""


class Col(IntEnum):
    """Columns of the verdict table."""

    ROW = 0
    NAME = 1
    VERDICT = 2
    REASON = 3


class VerdictModel(HeadedTableModel):
    """Every row of the file with its verdict (a model, not a widget per cell: files have thousands of rows)."""

    OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None, done: bool = True) -> None:
        super().__init__(parent)
        self._rows: list[RowOutcome] = []
        self.done = done  # False: a preview, worded as what will happen
        self.headers = (self.tr("Excel行号"), self.tr("姓名"), self.tr("结论"), self.tr("原因"))

    def set_rows(self, rows: Sequence[RowOutcome]) -> None:
        """Show these verdicts, in file order."""
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda r: r.row)
        self.endResetModel()

    def outcome(self, row: int) -> RowOutcome:
        """The verdict shown in a row."""
        return self._rows[row]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell: the verdict column is coloured."""
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = Col(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and column == Col.REASON:
            return item.reason if self.done else future_reason(item.reason)
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                Col.ROW: str(item.row),
                Col.NAME: item.name,
                Col.VERDICT: verdict_label(item.outcome, self.done),
            }[column]
        if role == self.OUTCOME_ROLE:
            return item.outcome.value
        if role == Qt.ItemDataRole.ForegroundRole and column == Col.VERDICT:
            return QColor(OUTCOME_COLOURS[item.outcome])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Col.ROW, Col.VERDICT):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def row_total(self) -> int:
        """Rows held."""
        return len(self._rows)


class ProblemFilter(QSortFilterProxyModel):
    """Shows only the rows that need a look (warnings, rejected, duplicates) when switched on."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.only_problems = False

    def set_only_problems(self, on: bool) -> None:
        """Switch the filter."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.only_problems = on
            self.endFilterChange()
        else:
            self.only_problems = on
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        """Every row, or only those whose verdict is not a plain import."""
        if not self.only_problems:
            return True
        model = self.sourceModel()
        assert isinstance(model, VerdictModel)
        return model.outcome(source_row).outcome is not Outcome.IMPORTED


def verdict_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only table of verdicts with sensible column widths."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    metrics = view.fontMetrics()
    view.setColumnWidth(Col.ROW, metrics.horizontalAdvance("Excel行号") + 28)
    view.setColumnWidth(Col.NAME, metrics.horizontalAdvance("欧阳王学德") + 28)
    words = [verdict_label(o, done) for o in Outcome for done in (False, True)]
    view.setColumnWidth(Col.VERDICT, max(metrics.horizontalAdvance(w) for w in ["结论结论", *words]) + 20)
    return view


class FilePage(QWizardPage):
    """Step 1: the file to import."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.setTitle(self.tr("选择预登记名单文件"))
        self.setSubTitle(self.tr("支持 Excel 工作簿（.xlsx）和 CSV 文件。表头至少需要“姓名”和“反映问题及诉求”两列。"))
        self.path = QLineEdit()
        self.path.setObjectName("importPath")
        self.path.setPlaceholderText(self.tr("文件路径"))
        self.path.setClearButtonEnabled(True)
        self.path.textChanged.connect(self.completeChanged)
        browse = QPushButton(self.tr("浏览…"))
        browse.setObjectName("browseButton")
        browse.clicked.connect(self._browse)
        self.hint = QLabel()
        self.hint.setObjectName("fileHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b3261e;")
        columns = QLabel(
            self.tr(
                "可识别的列（表头可在前30行内，列的顺序不限）：\n"
                "姓名（来访人姓名）· 身份证号码 · 联系电话 · 来访人数 · 所属乡镇（街道）· 村（社区）· "
                "问题类别 · 反映问题及诉求 · 同行人员\n\n"
                "下一步会先逐行检查并显示结果，确认后才写入；导入在一个事务中完成，要么全部导入，要么都不导入。"
            )
        )
        columns.setObjectName("columnsHelp")
        columns.setWordWrap(True)
        columns.setStyleSheet("color: #4b5563;")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addSpacing(12)
        layout.addWidget(columns)
        layout.addStretch(1)
        self._dialog: QFileDialog | None = None

    def _browse(self) -> None:
        dialog = QFileDialog(self, self.tr("选择预登记名单"))
        dialog.setObjectName("importFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("预登记名单 (*.xlsx *.xlsm *.csv)"), self.tr("所有文件 (*)")])
        dialog.fileSelected.connect(self.path.setText)
        self._dialog = dialog
        dialog.open()

    def file(self) -> Path:
        """The chosen file."""
        return Path(self.path.text().strip().strip('"'))

    def isComplete(self) -> bool:
        """An existing file of a known kind."""
        text = self.path.text().strip()
        if not text:
            self.hint.setText("")
            return False
        path = self.file()
        if not path.is_file():
            if path.is_dir():
                self.hint.setText(self.tr("这是一个文件夹，请选择其中的预登记名单文件。"))
            elif path.exists():
                self.hint.setText(self.tr("这不是普通文件（是管道、设备或套接字），无法导入。"))
            else:
                self.hint.setText(self.tr("找不到这个文件。"))
            return False
        if path.suffix.lower() not in IMPORT_SUFFIXES:
            self.hint.setText(self.tr("请选择 .xlsx 或 .csv 文件（旧版 .xls 请先在 Excel 中另存为 .xlsx）。"))
            return False
        self.hint.setText("")
        return True


class PreviewPage(QWizardPage):
    """Step 2: what importing would do with each row, computed off the UI thread."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(self.tr("预览：逐行检查结果"))
        self.setSubTitle(
            self.tr("“将导入”和“将照录”的行会写入名单（照录的行请核对提示）；“将拒绝”和“重复”的行不导入。")
            + self.tr("确认无误后点“开始导入”。")
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("开始导入"))
        self.report: ImportReport | None = None
        self.model = VerdictModel(self, done=False)
        self.proxy = ProblemFilter(self)
        self.proxy.setSourceModel(self.model)
        self.counts = QLabel()
        self.counts.setObjectName("previewCounts")
        self.counts.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.only_problems = QCheckBox(self.tr("只看需要注意的行"))
        self.only_problems.setObjectName("onlyProblems")
        self.only_problems.toggled.connect(self.proxy.set_only_problems)
        self.table = verdict_table(self.proxy, "previewTable")
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.busy)
        layout.addWidget(self.only_problems)
        layout.addWidget(self.table, 1)
        self._task: asyncio.Task[None] | None = None

    def initializePage(self) -> None:
        """Start the preview of the chosen file."""
        self.report = None
        self.model.set_rows([])
        self.counts.setStyleSheet("")
        self.counts.setText(self.tr("正在读取并检查“{0}”……").format(self.wiz.file_page.file().name))
        self.busy.show()
        self.completeChanged.emit()
        self._task = self.wiz.spawn(self._preview(self.wiz.file_page.file()))

    def cleanupPage(self) -> None:
        """Going back: forget the preview (a running one is ignored when it ends)."""
        if self._task is not None:
            self._task.cancel()
        self.report = None

    async def _preview(self, path: Path) -> None:
        ctx = self.wiz.ctx
        try:
            report = await ctx.runner.run_slow(preview_import, ctx.db, path, ctx.day_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("preview of %s failed: %s", path, exc)
            self.busy.hide()
            self.counts.setStyleSheet("color: #b3261e;")
            self.counts.setText(message_for(exc))
            return
        self.busy.hide()
        self.report = report
        self.model.set_rows(report.rows)
        self.counts.setText(counts_text(report, done=False))
        if report.imported == 0:
            self.counts.setText(self.counts.text() + self.tr("没有可导入的行。"))
        self.completeChanged.emit()
        self.wiz.preview_ready.emit()

    def isComplete(self) -> bool:
        """Ready when the preview found rows to import."""
        return self.report is not None and self.report.imported > 0


class ProgressPage(QWizardPage):
    """Step 3: the import itself, with a progress bar; Cancel rolls it back whole."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(self.tr("正在导入"))
        self.setSubTitle(self.tr("全部行在一个事务中写入：中途取消则整批不导入。"))
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgress")
        self.bar.setRange(0, 0)
        self.bar.setFormat(self.tr("%v / %m 批"))
        self.state = QLabel(self.tr("准备中……"))
        self.state.setObjectName("importState")
        self.state.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.state)
        layout.addStretch(1)
        self.done = False
        self.cancel_requested = threading.Event()
        self.running = False

    def initializePage(self) -> None:
        """Start the import."""
        self.done = False
        self.running = True  # from now on Cancel means "roll back", not "close"
        self.cancel_requested.clear()
        self.wiz.spawn(self._import(self.wiz.file_page.file()))

    def request_cancel(self) -> None:
        """Ask the running import to stop at its next chunk (it then rolls back)."""
        self.cancel_requested.set()
        self.state.setText(self.tr("正在取消，撤销已写入的部分……"))

    def _progress_from_worker(self, loop: asyncio.AbstractEventLoop) -> Any:
        def progress(done: int, total: int) -> None:
            # runs on the worker thread: hand the numbers to the UI thread, never touch widgets here
            loop.call_soon_threadsafe(self._show_progress, done, total)
            if self.cancel_requested.is_set():
                raise ImportCancelledError

        return progress

    def _show_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        if not self.cancel_requested.is_set():
            self.state.setText(self.tr("已写入 {0} / {1} 批……").format(done, total))

    async def _import(self, path: Path) -> None:
        ctx = self.wiz.ctx
        progress = self._progress_from_worker(asyncio.get_running_loop())
        try:
            report = await ctx.write_slow(import_registrations, ctx.db, path, ctx.day_id, ctx.actor, progress)
        except ImportCancelledError:
            self.wiz.finish_with(None, cancelled=True)
        except Exception as exc:
            log.warning("import of %s failed: %s", path, exc)
            self.wiz.finish_with(None, error=message_for(exc))
        else:
            late = self.cancel_requested.is_set()
            self.wiz.finish_with(report, cancel_too_late=late)
        finally:
            self.running = False
            self.done = True
        self.completeChanged.emit()
        self.wiz.next()
        self.wiz.offer_assignment()

    def isComplete(self) -> bool:
        """Done when the import has ended (imported, failed or cancelled)."""
        return self.done


class ReportPage(QWizardPage):
    """Step 4: what was imported, and the rows that were not (or need a look), with an optional export."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(self.tr("导入结果"))
        self.setFinalPage(True)
        self.summary = QLabel()
        self.summary.setObjectName("reportSummary")
        self.summary.setWordWrap(True)
        self.model = VerdictModel(self)
        self.table = verdict_table(self.model, "reportTable")
        self.export_button = QPushButton(self.tr("导出报告…"))
        self.export_button.setObjectName("exportReportButton")
        self.export_button.clicked.connect(self._choose_export)
        self.export_state = QLabel()
        self.export_state.setObjectName("exportReportState")
        self.assign_state = QLabel()
        self.assign_state.setObjectName("assignState")
        self.assign_state.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.export_state, 1)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.assign_state)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._dialog: QFileDialog | None = None

    def show_result(self, report: ImportReport | None, cancelled: bool, error: str, cancel_too_late: bool) -> None:
        """Fill the page from the import's outcome."""
        if report is None:
            self.summary.setStyleSheet("color: #b3261e;")
            self.summary.setText(self.tr("导入已取消，没有写入任何数据。") if cancelled else error)
            self.model.set_rows([])
            self.table.hide()
            self.export_button.setEnabled(False)
            return
        self.summary.setStyleSheet("")
        text = counts_text(report, done=True)
        if cancel_too_late:
            text = self.tr("取消请求到达时导入已完成。") + text
        problems = [r for r in report.rows if r.outcome is not Outcome.IMPORTED]
        if problems:
            text += "\n" + self.tr("下表是未导入或需要核对的行：")
        self.summary.setText(text)
        self.model.set_rows(problems)
        self.table.setVisible(bool(problems))
        self.export_button.setEnabled(True)

    def _choose_export(self) -> None:
        dialog = QFileDialog(self, self.tr("导出导入报告"))
        dialog.setObjectName("reportFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([self.tr("Excel 工作簿 (*.xlsx)"), self.tr("CSV 文件 (*.csv)")])
        dialog.setDefaultSuffix("xlsx")
        dialog.selectFile(self.tr("导入报告.xlsx"))
        dialog.fileSelected.connect(lambda name: self.wiz.spawn(self.export_to(Path(name))))
        self._dialog = dialog
        dialog.open()

    async def export_to(self, path: Path) -> None:
        """Write the report of every row to a file, off the UI thread."""
        report = self.wiz.result_report
        if report is None:
            return
        self.export_button.setEnabled(False)
        try:
            count = await self.wiz.ctx.runner.run_slow(write_report, path, report)
            self.export_state.setText(self.tr("已导出 {0} 行到 {1}").format(count, path))
        except Exception as exc:
            self.export_state.setText(message_for(exc))
        finally:
            self.export_button.setEnabled(True)


class ImportWizard(QWizard):
    """The import of a pre-registration file into the current day. Open it with `open()`; it never blocks."""

    preview_ready = Signal()
    finished_import = Signal()
    assigned = Signal(str)  # after the import, the new batches were placed in rooms (or that failed): what to say

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.ctx = ctx
        self.setWindowTitle(self.tr("导入预登记名单"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.resize(920, 620)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.result_report: ImportReport | None = None
        self.assign_box: QMessageBox | None = None
        self.assign_report: AssignReport | None = None
        self.file_page = FilePage(self)
        self.preview_page = PreviewPage(self)
        self.progress_page = ProgressPage(self)
        self.report_page = ReportPage(self)
        for page in (self.file_page, self.preview_page, self.progress_page, self.report_page):
            self.addPage(page)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a coroutine and keep a reference until it ends."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def finish_with(
        self,
        report: ImportReport | None,
        cancelled: bool = False,
        error: str = "",
        cancel_too_late: bool = False,
    ) -> None:
        """Record the import's outcome and show it on the report page."""
        self.result_report = report
        self.report_page.show_result(report, cancelled, error, cancel_too_late)
        self.finished_import.emit()

    def offer_assignment(self) -> None:
        """After an import that wrote batches: ask (default yes) to place them in rooms by their theme."""
        report = self.result_report
        if report is None or report.imported == 0 or self.ctx.day_id is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("分配接待室"),
            self.tr("已导入 {0} 批。现在按问题类别把尚未分配的批次自动分配到接待室吗？").format(report.imported)
            + "\n"
            + self.tr("已分配或手动调整过的批次不会变动；也可以稍后在“接待室分配”页分配。"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirmAssign")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("自动分配"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("稍后"))
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: QAbstractButton) -> None:
            self.assign_box = None
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:
                self.spawn(self.assign_new_batches())

        box.buttonClicked.connect(answered)
        self.assign_box = box
        box.open()

    async def assign_new_batches(self) -> None:
        """Place the day's unplaced batches in rooms, on the database thread; the report page says how many."""
        day_id = self.ctx.day_id
        if day_id is None:
            return
        state = self.report_page.assign_state
        state.setStyleSheet("")
        state.setText(self.tr("正在分配接待室……"))
        try:
            result = await self.ctx.write(assign_day, self.ctx.db, day_id, self.ctx.actor)
        except Exception as exc:
            log.warning("assignment after the import failed: %s", exc)
            text = self.tr("自动分配接待室未完成：{0}").format(message_for(exc))
            state.setStyleSheet("color: #b3261e;")
        else:
            self.assign_report = result
            text = self.tr("已自动分配 {0} 批到接待室。").format(result.assigned)
        state.setText(text)
        self.assigned.emit(text)

    def reject(self) -> None:
        """Cancel: closes before the import; during the import, asks it to roll back (the wizard stays open)."""
        if self.progress_page.running:
            self.progress_page.request_cancel()
            self.button(QWizard.WizardButton.CancelButton).setEnabled(False)
            return
        super().reject()
