"""PDF printouts (ReportLab, no Qt): handover slips, receipts, department bundles, room schedules, the
registration list, the day summary, and after the day the 催办单 reminders, the 接访日简报 day bulletin and the
figures report by department. Each renderer writes to a path or a binary stream and returns a
`RenderResult` (pages, documents, characters no shipped font could draw)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reception_desk.printing.bulletin import BulletinRenderer
    from reception_desk.printing.bundles import DepartmentBundleRenderer
    from reception_desk.printing.common import RenderResult
    from reception_desk.printing.figures_report import FiguresReportRenderer
    from reception_desk.printing.lists import RegistrationListRenderer, RoomScheduleRenderer
    from reception_desk.printing.receipts import ReceiptRenderer
    from reception_desk.printing.reminders import ReminderRenderer
    from reception_desk.printing.slips import HandoverSlipRenderer
    from reception_desk.printing.summary import DaySummaryRenderer

# Each renderer loads when first named, so `print slips` does not load the after-the-day reports and their
# services (the CLI imports only what its subcommand needs).
_HOMES = {
    "BulletinRenderer": "bulletin",
    "DaySummaryRenderer": "summary",
    "DepartmentBundleRenderer": "bundles",
    "FiguresReportRenderer": "figures_report",
    "HandoverSlipRenderer": "slips",
    "ReceiptRenderer": "receipts",
    "RegistrationListRenderer": "lists",
    "ReminderRenderer": "reminders",
    "RenderResult": "common",
    "RoomScheduleRenderer": "lists",
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


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
