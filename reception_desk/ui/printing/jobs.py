"""Print jobs: build a printout off the UI thread, then open the preview.

A job is a title, a suggested file name and a build function. The build functions are Qt-free: they read
through `services.print_data`, render with `reception_desk.printing` into memory, and run on the runner's slow
thread (printing writes nothing, so no change-set goes out). A batch (a whole day's slips, several departments'
bundles) reports its progress per document and stops before the next document once the user cancels.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QProgressDialog, QWidget

from reception_desk.db.engine import Database
from reception_desk.domain import office_time
from reception_desk.printing import (
    BulletinRenderer,
    DaySummaryRenderer,
    DepartmentBundleRenderer,
    FiguresReportRenderer,
    HandoverSlipRenderer,
    ReceiptRenderer,
    RegistrationListRenderer,
    ReminderRenderer,
    RenderResult,
    RoomScheduleRenderer,
)
from reception_desk.printing.common import Output
from reception_desk.printing.queue_ticket import QueueTicketRenderer
from reception_desk.services import print_data, report_data
from reception_desk.ui.context import AppContext
from reception_desk.ui.errors import show_error
from reception_desk.ui.printing.preview_dialog import PdfPreviewDialog, warn_missing_glyphs

T = TypeVar("T")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


class PrintCancelled(Exception):
    """The user cancelled a print job; nothing is shown."""


class Progress:
    """A build's progress, safe across threads: the worker reports and checks, the UI cancels."""

    def __init__(self, report: Callable[[int, int], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._report = report
        self.done = 0
        self.total = 0

    def cancel(self) -> None:
        """Ask the build to stop before its next document."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether the user cancelled."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise PrintCancelled once the user cancelled."""
        if self._cancel.is_set():
            raise PrintCancelled

    def report(self, done: int, total: int) -> None:
        """Documents done so far out of total."""
        self.done, self.total = done, total
        if self._report is not None:
            self._report(done, total)

    def each(self, items: Sequence[T]) -> Iterator[T]:
        """Hand out the items one by one, counting them, and stop before the next one after a cancel."""
        total = len(items)
        self.report(0, total)
        for index, item in enumerate(items):
            self.check()
            yield item
            self.report(index + 1, total)


@dataclass(frozen=True)
class Printout:
    """A finished PDF in memory, what the renderer reported, and the file name to suggest."""

    data: bytes
    result: RenderResult
    file_name: str


@dataclass(frozen=True)
class PrintJob:
    """What to print: a title (translated, for windows), and the build run on the slow thread."""

    title: str
    build: Callable[[Progress], Printout]
    batch: bool = False  # several documents: a progress dialog with a cancel button


# ------------------------------------------------------------------------------------------------ builders


def safe_file_name(*parts: str) -> str:
    """A file name from parts joined by '-', without characters file systems refuse; ends in .pdf."""
    name = "-".join(_UNSAFE.sub("_", p.strip()) for p in parts if p and p.strip())
    return f"{name or 'printout'}.pdf"


def _render(draw: Callable[[Output], RenderResult], *name: str) -> Printout:
    out = io.BytesIO()
    result = draw(out)
    return Printout(out.getvalue(), result, safe_file_name(*name))


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def build_case_slips(db: Database, case_nos: Sequence[str], progress: Progress) -> Printout:
    """交办单 of the given cases, one PDF."""
    cases = print_data.cases_by_number(db, case_nos)
    label = case_nos[0] if len(case_nos) == 1 else f"{len(case_nos)}件"
    return _render(lambda out: HandoverSlipRenderer().render(progress.each(cases), out), "交办单", label)


def build_receipts(db: Database, case_nos: Sequence[str], thermal: bool, progress: Progress) -> Printout:
    """受理回执单 of the given cases: A4 with a stub, or 80 mm till receipts."""
    cases = print_data.cases_by_number(db, case_nos)
    label = case_nos[0] if len(case_nos) == 1 else f"{len(case_nos)}件"
    kind = "受理回执单-80mm" if thermal else "受理回执单"
    return _render(lambda out: ReceiptRenderer(thermal).render(progress.each(cases), out), kind, label)


def build_day_slips(db: Database, day_id: int, progress: Progress) -> Printout:
    """Every handed-over case of the day, one slip each, one PDF (progress per slip)."""
    day = print_data.day_info(db, day_id)
    cases = print_data.day_cases(db, day_id)
    return _render(lambda out: HandoverSlipRenderer().render(progress.each(cases), out), "全部交办单", _date(day.date))


def build_queue_ticket(db: Database, batch_id: int, progress: Progress) -> Printout:
    """The 80 mm queue ticket of a checked-in batch."""
    ticket = print_data.queue_ticket(db, batch_id)
    return _render(lambda out: QueueTicketRenderer().render(progress.each([ticket]), out), "排队号", ticket.reg_no)


def build_room_schedules(db: Database, day_id: int, room_number: int | None, progress: Progress) -> Printout:
    """接待室安排表 of one room (by number) or of every room."""
    day = print_data.day_info(db, day_id)
    rooms = print_data.room_queues(db, day_id, room_number)
    label = rooms[0].name if room_number is not None and rooms else "全部接待室"
    return _render(
        lambda out: RoomScheduleRenderer().render(progress.each(rooms), out), "接待室安排表", label, _date(day.date)
    )


def build_registration_list(db: Database, day_id: int, progress: Progress) -> Printout:
    """预登记名单 of the day."""
    listing = print_data.registration_listing(db, day_id)
    progress.check()
    return _render(lambda out: RegistrationListRenderer().render(listing, out), "预登记名单", _date(listing.day.date))


def build_day_summary(db: Database, day_id: int, progress: Progress) -> Printout:
    """当日接访情况汇总."""
    summary = print_data.day_summary(db, day_id)
    progress.check()
    return _render(lambda out: DaySummaryRenderer().render(summary, out), "当日汇总", _date(summary.day.date))


def _bundles(db: Database, day_id: int, department_ids: Iterable[int]) -> list[print_data.DepartmentBundle]:
    wanted = list(dict.fromkeys(department_ids))
    by_id = {b.department_id: b for b in print_data.department_bundles(db, day_id)}
    missing = [d for d in wanted if d not in by_id]
    for dept_id in missing:  # a department without cases today still gets its (empty) cover list
        by_id.update((b.department_id, b) for b in print_data.department_bundles(db, day_id, dept_id))
    return [by_id[d] for d in wanted if d in by_id]


def build_department_bundles(db: Database, day_id: int, department_ids: Sequence[int], progress: Progress) -> Printout:
    """交办清单 of the chosen departments in one PDF (each with its cover list and slips)."""
    bundles = _bundles(db, day_id, department_ids)
    name = bundles[0].department_name if len(bundles) == 1 else f"{len(bundles)}个单位"
    date = _date(bundles[0].day.date) if bundles else ""
    return _render(lambda out: DepartmentBundleRenderer().render(progress.each(bundles), out), "交办清单", name, date)


def build_bulletin(db: Database, day_id: int, as_of: dt.date | None, progress: Progress) -> Printout:
    """接访日简报 of the day, its figures as of the date (default: today in Asia/Shanghai)."""
    data = report_data.bulletin(db, day_id, as_of or office_time.today())
    progress.check()
    return _render(lambda out: BulletinRenderer().render(data, out), "接访日简报", _date(data.summary.day.date))


def build_reminders(
    db: Database, case_nos: Sequence[str] | None, as_of: dt.date | None, progress: Progress
) -> Printout:
    """催办单 of the chosen cases, or of every case overdue as of the date (None), one page each."""
    day = as_of or office_time.today()
    items = report_data.reminders(db, day, list(case_nos) if case_nos is not None else None)
    label = items[0].case.case_no if case_nos is not None and len(items) == 1 else f"{len(items)}件"
    return _render(lambda out: ReminderRenderer().render(progress.each(items), out), "催办单", label, _date(day))


def build_figures_report(
    db: Database, day_from: dt.date, day_to: dt.date, as_of: dt.date | None, progress: Progress
) -> Printout:
    """接访案件办理情况统计表 of the period, by department, as of the date."""
    data = report_data.figures_report(db, day_from, day_to, as_of or office_time.today())
    progress.check()
    period = _date(day_from) if day_from == day_to else f"{_date(day_from)}-{_date(day_to)}"
    return _render(lambda out: FiguresReportRenderer().render(data, out), "办理情况统计表", period)


@dataclass(frozen=True)
class SavedFiles:
    """PDFs written into a folder, and the characters no font could draw in any of them."""

    folder: Path
    files: tuple[Path, ...]
    missing_glyphs: frozenset[str]


def save_department_bundles(
    db: Database, day_id: int, department_ids: Sequence[int], folder: Path, progress: Progress
) -> SavedFiles:
    """One 交办清单 PDF per department into the folder (progress per department; cancel keeps those written)."""
    bundles = _bundles(db, day_id, department_ids)
    files: list[Path] = []
    missing: set[str] = set()
    for bundle in progress.each(bundles):
        target = folder / safe_file_name("交办清单", bundle.department_name, _date(bundle.day.date))
        result = DepartmentBundleRenderer().render([bundle], target)
        files.append(target)
        missing |= result.missing_glyphs
    return SavedFiles(folder, tuple(files), frozenset(missing))


# ------------------------------------------------------------------------------------------------ jobs


def slip_job(db: Database, case_no: str) -> PrintJob:
    """交办单 of one case."""
    return PrintJob(
        QCoreApplication.translate("printing", "交办单 {0}").format(case_no),
        lambda p: build_case_slips(db, [case_no], p),
    )


def receipt_job(db: Database, case_no: str, thermal: bool = False) -> PrintJob:
    """受理回执单 of one case (A4, or 80 mm)."""
    title = (
        QCoreApplication.translate("printing", "受理回执单（80mm）{0}")
        if thermal
        else QCoreApplication.translate("printing", "受理回执单 {0}")
    )
    return PrintJob(title.format(case_no), lambda p: build_receipts(db, [case_no], thermal, p))


def queue_ticket_job(db: Database, batch_id: int, reg_no: str) -> PrintJob:
    """排队号 of one checked-in batch."""
    return PrintJob(
        QCoreApplication.translate("printing", "排队号 {0}").format(reg_no),
        lambda p: build_queue_ticket(db, batch_id, p),
    )


def schedule_job(db: Database, day_id: int, room_number: int | None = None) -> PrintJob:
    """接待室安排表 of one room, or of all rooms."""
    title = (
        QCoreApplication.translate("printing", "全部接待室安排表")
        if room_number is None
        else QCoreApplication.translate("printing", "第{0}接待室安排表").format(room_number)
    )
    return PrintJob(title, lambda p: build_room_schedules(db, day_id, room_number, p), batch=room_number is None)


def day_slips_job(db: Database, day_id: int) -> PrintJob:
    """Every handed-over case's slip (with progress)."""
    return PrintJob(
        QCoreApplication.translate("printing", "全部交办单"), lambda p: build_day_slips(db, day_id, p), batch=True
    )


def registration_list_job(db: Database, day_id: int) -> PrintJob:
    """预登记名单."""
    return PrintJob(
        QCoreApplication.translate("printing", "预登记名单"), lambda p: build_registration_list(db, day_id, p)
    )


def day_summary_job(db: Database, day_id: int) -> PrintJob:
    """当日接访情况汇总."""
    return PrintJob(
        QCoreApplication.translate("printing", "当日接访情况汇总"), lambda p: build_day_summary(db, day_id, p)
    )


def bundle_job(db: Database, day_id: int, department_ids: Sequence[int], names: Sequence[str]) -> PrintJob:
    """交办清单 of the chosen departments in one PDF."""
    title = (
        QCoreApplication.translate("printing", "交办清单 {0}").format(names[0])
        if len(names) == 1
        else QCoreApplication.translate("printing", "交办清单（{0}个单位）").format(len(names))
    )
    ids = list(department_ids)
    return PrintJob(title, lambda p: build_department_bundles(db, day_id, ids, p), batch=len(ids) > 1)


def bulletin_job(db: Database, day_id: int, as_of: dt.date | None = None) -> PrintJob:
    """接访日简报 of the day (figures as of today unless a date is given)."""
    return PrintJob(
        QCoreApplication.translate("printing", "接访日简报"), lambda p: build_bulletin(db, day_id, as_of, p)
    )


def reminders_job(db: Database, case_nos: Sequence[str] | None, as_of: dt.date | None = None) -> PrintJob:
    """催办单 of these cases; None: of every case overdue today (with progress)."""
    chosen = list(case_nos) if case_nos is not None else None
    if chosen is None:
        title = QCoreApplication.translate("printing", "催办单（全部逾期案件）")
    elif len(chosen) == 1:
        title = QCoreApplication.translate("printing", "催办单 {0}").format(chosen[0])
    else:
        title = QCoreApplication.translate("printing", "催办单（{0}件）").format(len(chosen))
    return PrintJob(title, lambda p: build_reminders(db, chosen, as_of, p), batch=chosen is None or len(chosen) > 1)


def figures_report_job(db: Database, day_from: dt.date, day_to: dt.date, as_of: dt.date | None = None) -> PrintJob:
    """接访案件办理情况统计表 of the period (reception days from..to), as of the date."""
    return PrintJob(
        QCoreApplication.translate("printing", "接访案件办理情况统计表"),
        lambda p: build_figures_report(db, day_from, day_to, as_of, p),
    )


# ------------------------------------------------------------------------------------------------ running


class PrintRunner(QObject):
    """Runs print jobs for one page: the build off the UI thread (a progress dialog with cancel for batches),
    errors as a Chinese dialog, then the preview, and a word about any character no font could draw."""

    busy_changed = Signal(bool)
    preview_opened = Signal(object)  # the PdfPreviewDialog

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.widget = parent
        self.busy = False
        self.last_preview: PdfPreviewDialog | None = None
        self.last_progress: tuple[int, int] = (0, 0)  # the last (done, total) a batch reported
        self.progress_dialog: QProgressDialog | None = None

    async def execute(self, title: str, build: Callable[[Progress], T], batch: bool) -> T | None:
        """Run build(progress) on the slow thread; None when cancelled or failed (the failure is shown)."""
        if self.busy:
            return None
        self.busy = True
        loop = asyncio.get_running_loop()
        self.last_progress = (0, 0)

        def report(done: int, total: int) -> None:  # called on the slow thread
            loop.call_soon_threadsafe(self._on_progress, done, total)

        progress = Progress(report)
        if batch:
            self.progress_dialog = self._open_progress(title, progress)
        else:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self._set_busy(True)
        try:
            return await self.ctx.runner.run_slow(build, progress)
        except PrintCancelled:
            return None
        except Exception as exc:
            show_error(self.widget, exc, QCoreApplication.translate("printing", "无法生成打印文档"))
            return None
        finally:
            if self.progress_dialog is not None:
                self.progress_dialog.canceled.disconnect(progress.cancel)  # closing it would say "cancelled"
                self.progress_dialog.close()
                self.progress_dialog.deleteLater()
                self.progress_dialog = None
            else:
                QGuiApplication.restoreOverrideCursor()
            self._set_busy(False)

    async def run(self, job: PrintJob) -> PdfPreviewDialog | None:
        """Build the job's PDF and open the preview; returns the preview (None when nothing was made)."""
        printout = await self.execute(job.title, job.build, job.batch)
        if printout is None:
            return None
        return self.show_preview(job.title, printout)

    def show_preview(self, title: str, printout: Printout) -> PdfPreviewDialog:
        """Open the preview of a finished printout (window-modal, deleted when closed)."""
        dialog = PdfPreviewDialog(printout.data, title, printout.file_name, self.widget, self.ctx.settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget(d))
        self.last_preview = dialog
        dialog.open()
        if printout.result.missing_glyphs:
            warn_missing_glyphs(dialog, printout.result.missing_glyphs)
        self.preview_opened.emit(dialog)
        return dialog

    def _forget(self, dialog: PdfPreviewDialog) -> None:
        if self.last_preview is dialog:
            self.last_preview = None

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def _open_progress(self, title: str, progress: Progress) -> QProgressDialog:
        dialog = QProgressDialog(
            QCoreApplication.translate("printing", "正在生成{0}…").format(title),
            QCoreApplication.translate("printing", "取消"),
            0,
            0,
            self.widget,
        )
        dialog.setObjectName("printBuildProgress")
        dialog.setWindowTitle(QCoreApplication.translate("printing", "生成打印文档"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(400)  # a quick batch finishes without a flashing dialog
        dialog.canceled.connect(progress.cancel)
        dialog.setValue(0)
        self._title = title
        return dialog

    def _on_progress(self, done: int, total: int) -> None:
        self.last_progress = (done, total)
        dialog = self.progress_dialog
        if dialog is None or dialog.wasCanceled():
            return
        dialog.setMaximum(total)
        dialog.setValue(done)
        dialog.setLabelText(
            QCoreApplication.translate("printing", "正在生成{0}：第 {1} / {2} 份").format(self._title, done, total)
        )

    _title = ""
