"""PDF printouts (ReportLab, no Qt): handover slips, receipts, department bundles, room schedules, the
registration list and the day summary. Each renderer writes to a path or a binary stream and returns a
`RenderResult` (pages, documents, characters no shipped font could draw)."""

from __future__ import annotations

from reception_desk.printing.bundles import DepartmentBundleRenderer
from reception_desk.printing.common import RenderResult
from reception_desk.printing.lists import RegistrationListRenderer, RoomScheduleRenderer
from reception_desk.printing.receipts import ReceiptRenderer
from reception_desk.printing.slips import HandoverSlipRenderer
from reception_desk.printing.summary import DaySummaryRenderer

__all__ = [
    "DaySummaryRenderer",
    "DepartmentBundleRenderer",
    "HandoverSlipRenderer",
    "ReceiptRenderer",
    "RegistrationListRenderer",
    "RenderResult",
    "RoomScheduleRenderer",
]
