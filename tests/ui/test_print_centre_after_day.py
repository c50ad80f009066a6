"""The print centre's after-the-day documents: the 接访日简报, 催办单 for every overdue case, the 办理情况统计表
for the chosen period; and the job builders other pages call (a reminder of one case)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget

from reception_desk.domain import office_time
from reception_desk.domain.office_time import to_utc
from reception_desk.services import case_life, print_data, report_data
from reception_desk.services.demo import create_demo_day
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.print_centre_page import PrintCentrePage
from reception_desk.ui.printing import jobs
from reception_desk.ui.printing.preview_dialog import PdfPreviewDialog

WAIT = 15000
CASE_NO = re.compile(r"JF-\d{8}-\d{2}-\d{3}")


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text."""
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text without whitespace."""
    return re.sub(r"\s+", "", text)


def overdue_demo(ctx: AppContext) -> tuple[int, list[str], list[str]]:
    """A demo day a month ago: its open handed-over cases are overdue today; two of them are signed for.
    Returns the day, every case overdue today (all days, in the 督办台's order) and the two signed."""
    date = office_time.today() - dt.timedelta(days=30)
    info = create_demo_day(ctx.db, seed=2006, date=date)
    ctx.day_id = info.id
    handed = print_data.day_cases(ctx.db, info.id)
    for case in handed[:2]:
        signed = to_utc(dt.datetime.combine(date + dt.timedelta(days=1), dt.time(9, 30)))
        case_life.sign_case(ctx.db, case.case_id, "李明", "测试", at=signed)
    expected = [r.case.case_no for r in report_data.reminders(ctx.db, office_time.today())]
    return info.id, expected, [c.case_no for c in handed[:2]]


def centre(qtbot: Any, ctx: AppContext, widgets: list[QWidget]) -> PrintCentrePage:
    """The print centre, shown and loaded."""
    page = PrintCentrePage(ctx)
    widgets.append(page)
    page.resize(1190, 900)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    qtbot.waitUntil(lambda: page.overview is not None, timeout=WAIT)
    return page


def open_preview(qtbot: Any, page: PrintCentrePage, key: str, previous: PdfPreviewDialog | None) -> PdfPreviewDialog:
    """Click a document's button and wait for its preview."""
    qtbot.mouseClick(page.doc_buttons[key], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.printer.last_preview is not None and page.printer.last_preview is not previous, timeout=WAIT
    )
    preview = page.printer.last_preview
    assert preview is not None
    qtbot.waitUntil(lambda: preview.page_count() > 0, timeout=WAIT)
    return preview


def test_print_centre_prints_the_bulletin_the_reminders_and_the_report(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]
) -> None:
    day_id, overdue, signed = overdue_demo(app_ctx)
    assert overdue
    page = centre(qtbot, app_ctx, widgets)
    assert page.doc_counts["reminders"].text() == f"{len(overdue)} 件"
    today = office_time.today()
    assert page.report_period() == (today.replace(day=1), today)  # this month by default

    bulletin = open_preview(qtbot, page, "bulletin", None)
    widgets.append(bulletin)
    texts = pdf_pages(bulletin.pdf_bytes())
    assert bulletin.page_count() == len(texts) == 1
    days_overdue = report_data.bulletin(app_ctx.db, day_id, today).overdue
    assert "接访日简报" in texts[0] and days_overdue and days_overdue[0].case_no in texts[0]
    bulletin.reject()

    reminders = open_preview(qtbot, page, "reminders", bulletin)
    widgets.append(reminders)
    texts = pdf_pages(reminders.pdf_bytes())
    assert [CASE_NO.search(t).group() for t in texts] == overdue  # type: ignore[union-attr]
    assert page.printer.last_progress == (len(overdue), len(overdue))
    signed_page = next(t for t in texts if signed[0] in t)
    assert "签收" in signed_page and "李明" in signed_page
    reminders.reject()

    # the report over the demo day's month only
    demo = print_data.day_info(app_ctx.db, day_id).date
    page.report_from.setDate(QDate(demo.year, demo.month, 1))
    page.report_to.setDate(QDate(demo.year, demo.month, demo.day))
    report = open_preview(qtbot, page, "figures_report", reminders)
    widgets.append(report)
    text = flat("".join(pdf_pages(report.pdf_bytes())))
    expected = report_data.figures_report(app_ctx.db, demo.replace(day=1), demo, today)
    assert "接访案件办理情况统计表" in text and f"数据截至：{today.year}年{today.month}月{today.day}日" in text
    assert f"合计{expected.total.cases}{expected.total.handed_over}" in text
    assert all(flat(name) in text for name, _ in expected.rows)


def test_reminder_job_of_one_case_for_the_tracking_page(
    qtbot: Any, app_ctx: AppContext, widgets: list[QWidget]
) -> None:
    _, overdue, _ = overdue_demo(app_ctx)
    page = centre(qtbot, app_ctx, widgets)
    job = jobs.reminders_job(app_ctx.db, [overdue[-1]])
    assert overdue[-1] in job.title and not job.batch
    page.spawn(page.printer.run(job))
    qtbot.waitUntil(lambda: page.printer.last_preview is not None, timeout=WAIT)
    preview = page.printer.last_preview
    assert preview is not None
    widgets.append(preview)
    qtbot.waitUntil(lambda: preview.page_count() > 0, timeout=WAIT)
    (text,) = pdf_pages(preview.pdf_bytes())
    assert overdue[-1] in text and "催办单" in text and "已逾期" in text
