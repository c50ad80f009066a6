"""PDF printouts (ReportLab, no Qt): handover slips, receipts, department bundles, room schedules, the
registration list, the day summary, and after the day the 催办单 reminders, the 接访日简报 day bulletin and the
figures report by department. Each renderer writes to a path or a binary stream and returns a
`RenderResult` (pages, documents, characters no shipped font could draw)."""

from __future__ import annotations

from reception_desk.printing.bulletin import BulletinRenderer
from reception_desk.printing.bundles import DepartmentBundleRenderer
from reception_desk.printing.common import RenderResult
from reception_desk.printing.figures_report import FiguresReportRenderer
from reception_desk.printing.lists import RegistrationListRenderer, RoomScheduleRenderer
from reception_desk.printing.receipts import ReceiptRenderer
from reception_desk.printing.reminders import ReminderRenderer
from reception_desk.printing.slips import HandoverSlipRenderer
from reception_desk.printing.summary import DaySummaryRenderer

__all__ = [
    "BulletinRenderer",
    "DaySummaryRenderer",
    "DepartmentBundleRenderer",
    "FiguresReportRenderer",
    "HandoverSlipRenderer",
    "ReceiptRenderer",
    "RegistrationListRenderer",
    "ReminderRenderer",
    "RenderResult",
    "RoomScheduleRenderer",
]
