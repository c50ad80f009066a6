"""What the after-the-day printouts need (Qt-free): 催办单 reminders, the 接访日简报 day bulletin, and the
figures report by department. The drawing is in printing/reminders.py, bulletin.py and figures_report.py.

Everything is read as of a date (the CLI's --today, else today in Asia/Shanghai): what was overdue, what had
happened in a case's history, and the figures, as they stood at the end of that day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Case, CaseEvent, Department
from reception_desk.domain.case_life import EVENT_KINDS, CaseStatus
from reception_desk.domain.figures import Figures
from reception_desk.domain.office_time import end_of_day_utc
from reception_desk.services import print_data
from reception_desk.services.cases import CaseDetail, load_case_details
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.holiday_calendar import load_calendar_in
from reception_desk.services.metrics import metrics
from reception_desk.services.print_data import DaySummary
from reception_desk.services.tracking import TrackedCase, TrackingFilter, tracked_cases

NO_DEPARTMENT = "（未指定）"  # how services/metrics names the group of cases without a lead department
ON_THE_SPOT = "当场办结（无责任单位）"
REPLY_WITHIN_WORKING_DAYS = 1  # a reminder asks for the feedback by the next working day


# ------------------------------------------------------------------------------------------------ reminders


@dataclass(frozen=True)
class HistoryStep:
    """One step of a case's history as a reminder prints it (time naive UTC)."""

    kind: str
    label: str  # 签收, 反馈, 延期, ...
    at: dt.datetime
    by: str
    text: str
    department: str


@dataclass(frozen=True)
class Reminder:
    """催办单: an overdue case, its history so far, and the date the bureau wants the feedback by."""

    case: CaseDetail
    as_of: dt.date
    overdue_days: int  # 0: not (yet) overdue
    reply_by: dt.date
    history: tuple[HistoryStep, ...]


def _history(db: Database, case_ids: Sequence[int], as_of: dt.date) -> dict[int, list[HistoryStep]]:
    """The events of these cases up to the end of the as-of day, in time order (one query for all)."""
    out: dict[int, list[HistoryStep]] = defaultdict(list)
    if not case_ids:
        return out
    with db.read() as session:
        rows = session.execute(
            select(CaseEvent, Department.name)
            .outerjoin(Department, Department.id == CaseEvent.department_id)
            .where(CaseEvent.case_id.in_(list(case_ids)), CaseEvent.at < end_of_day_utc(as_of))
            .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)
        )
        for event, dept in rows:
            label = EVENT_KINDS.get(event.kind, event.kind)
            out[event.case_id].append(HistoryStep(event.kind, label, event.at, event.actor, event.text, dept or ""))
    return out


def _reply_by(db: Database, as_of: dt.date) -> dt.date:
    with db.read() as session:
        return load_calendar_in(session).add_days(as_of, REPLY_WITHIN_WORKING_DAYS)


def reminders(
    db: Database,
    as_of: dt.date,
    case_nos: Sequence[str] | None = None,
    department: str | None = None,
) -> list[Reminder]:
    """催办单 data: every case overdue as of the date (the 督办台's order: supervised first, then by due date), or
    the chosen cases in the order given.

    `department` (name or short name) narrows to cases it leads. Unknown case numbers or departments raise
    NotFoundError; a chosen case that is closed, or was not handed over, is refused (nothing to remind of).
    """
    dept = print_data.find_department(db, department) if department else None
    if case_nos is None:
        rows, _ = tracked_cases(
            db, as_of, TrackingFilter(status="overdue", department_id=dept.id if dept else None), limit=None
        )
        rows = [r for r in rows if dept is None or r.department_id == dept.id]  # lead only: the notice's addressee
        with db.read() as session:
            by_id = {d.case_id: d for d in load_case_details(session, Case.id.in_([r.case_id for r in rows]))}
        details = [by_id[r.case_id] for r in rows if r.case_id in by_id]
    else:
        details = print_data.cases_by_number(db, case_nos)
        for d in details:
            if d.outcome != "handed_over" or d.status == CaseStatus.CLOSED.value:
                why = "已办结" if d.status == CaseStatus.CLOSED.value else "不是交办案件"
                raise InvalidInputError(f"案件 {d.case_no} {why}，无需催办。")
        if dept is not None:
            details = [d for d in details if d.lead_department_id == dept.id]
    history = _history(db, [d.case_id for d in details], as_of)
    reply_by = _reply_by(db, as_of)
    return [
        Reminder(
            case=d,
            as_of=as_of,
            overdue_days=max(0, (as_of - d.due_date).days) if d.due_date else 0,
            reply_by=reply_by,
            history=tuple(history.get(d.case_id, [])),
        )
        for d in details
    ]


# ------------------------------------------------------------------------------------------------ bulletin


@dataclass(frozen=True)
class CaseLine:
    """A case in the bulletin's supervised or overdue list."""

    case_no: str
    visitor: str
    department: str
    due_date: dt.date | None
    overdue_days: int
    status_label: str

    @classmethod
    def of(cls, row: TrackedCase) -> CaseLine:
        """From a tracking row."""
        return cls(row.case_no, row.visitor_name, row.department, row.due_date, row.overdue_days, row.status_label)


@dataclass(frozen=True)
class Bulletin:
    """接访日简报: the day's counts, its figures as of a date, and its supervised and overdue cases."""

    summary: DaySummary
    as_of: dt.date
    figures: Figures
    supervised: tuple[CaseLine, ...]
    overdue: tuple[CaseLine, ...]


def bulletin(db: Database, day_id: int, as_of: dt.date) -> Bulletin:
    """The bulletin of a reception day as of a date: the lists hold the day's own cases, like the figures."""
    summary = print_data.day_summary(db, day_id)
    day = summary.day.date
    report = metrics(db, as_of, day_from=day, day_to=day)
    supervised, _ = tracked_cases(db, as_of, TrackingFilter(status="all", day_id=day_id, supervised=True))
    overdue, _ = tracked_cases(db, as_of, TrackingFilter(status="overdue", day_id=day_id))
    return Bulletin(
        summary,
        as_of,
        report.total,
        tuple(CaseLine.of(r) for r in supervised),
        tuple(CaseLine.of(r) for r in overdue),
    )


# ------------------------------------------------------------------------------------------------ figures report


@dataclass(frozen=True)
class FiguresReport:
    """接访案件办理情况统计表: the figures per lead department over a period, as of a date, and their total."""

    as_of: dt.date
    day_from: dt.date
    day_to: dt.date
    rows: tuple[tuple[str, Figures], ...]
    total: Figures


def month_start(day: dt.date) -> dt.date:
    """The first day of the date's month (the report's default period runs from it to today)."""
    return day.replace(day=1)


def figures_report(db: Database, day_from: dt.date, day_to: dt.date, as_of: dt.date) -> FiguresReport:
    """The figures by lead department, in the directory's order; cases without one (resolved or explained on
    the spot) in a row of their own at the end."""
    if day_from > day_to:
        raise InvalidInputError(f"起始日期 {day_from} 晚于结束日期 {day_to}。")
    report = metrics(db, as_of, day_from=day_from, day_to=day_to, by="department")
    with db.read() as session:
        order = {
            name: i
            for i, name in enumerate(session.scalars(select(Department.name).order_by(Department.kind, Department.id)))
        }
    rows = sorted(
        ((ON_THE_SPOT if name == NO_DEPARTMENT else name, fig) for name, fig in report.groups),
        key=lambda g: (g[0] == ON_THE_SPOT, order.get(g[0], len(order)), g[0]),
    )
    return FiguresReport(as_of, day_from, day_to, tuple(rows), report.total)
