"""督办台: every case across days, most urgent first; per department how many are open, overdue, on time.

Urgency: overdue (days over), due today, due on the next working day, the rest of the open cases, then closed
ones. Sorted and paged in SQL, so the first screen of 600,000 cases is one indexed query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select, text
from sqlalchemy.orm import aliased

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Case, CaseDepartment, Department, ReceptionDay, Room, Theme, Visitor
from reception_desk.domain.case_life import CaseStatus, next_step
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.holiday_calendar import load_calendar_in

STATUSES = ("open", "signed", "replied", "closed", "overdue", "due", "today", "unclosed", "all")
# Written out literally so that both databases use the partial index ix_case_unclosed_due (a bound parameter
# would not match the index's WHERE): most of ten years' cases are closed, the open ones are a few thousand.
UNCLOSED = text("petition_case.status <> 'closed'")
URGENCY_LABELS = {0: "已逾期", 1: "今日到期", 2: "下一工作日到期", 3: "办理中", 4: "已办结", 5: "当场办结"}


@dataclass(frozen=True)
class TrackingFilter:
    """What the tracking page and `cases` narrow the list by (None: no narrowing)."""

    status: str = "unclosed"  # open | signed | replied | closed | overdue | due | today | unclosed | all
    day_id: int | None = None
    department_id: int | None = None  # lead or co-department
    theme_code: str | None = None
    room_number: int | None = None
    colour: str | None = None
    supervised: bool = False
    repeat: bool = False


@dataclass(frozen=True)
class TrackedCase:
    """One case as the tracking page and `cases --json` show it."""

    case_id: int
    case_no: str
    day_date: dt.date
    reg_no: str
    visitor_name: str
    theme: str
    room_number: int | None
    outcome: str
    colour: str | None
    department_id: int | None
    department: str
    due_date: dt.date | None
    status: str
    signed_by: str
    overdue_days: int  # > 0: days past the due date
    urgency: int  # see URGENCY_LABELS
    supervised: bool
    supervision_until: dt.date | None
    escalated: bool
    repeat_of: str  # the earlier case's number, or ''
    rating: str | None
    followed_up: bool
    version: int
    due_unscheduled: bool = False  # the due date lies in a year whose holiday schedule is not entered yet

    @property
    def status_label(self) -> str:
        """待签收 / 已签收 / 已反馈 / 已办结."""
        return CaseStatus(self.status).label

    @property
    def urgency_label(self) -> str:
        """已逾期 3 天 / 今日到期 / 下一工作日到期 / 办理中 / 已办结."""
        if self.urgency == 0:
            return f"已逾期 {self.overdue_days} 天"
        return URGENCY_LABELS[self.urgency]

    @property
    def next_step(self) -> str:
        """sign | feedback | close | follow_up | ''."""
        return next_step(CaseStatus(self.status), self.outcome, self.followed_up)

    def to_json(self) -> dict[str, Any]:
        """`cases --json`: one object per case."""
        return {
            "case_no": self.case_no,
            "day": self.day_date.isoformat(),
            "reg_no": self.reg_no,
            "name": self.visitor_name,
            "theme": self.theme,
            "room": self.room_number,
            "outcome": self.outcome,
            "colour": self.colour,
            "department": self.department,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "status": self.status,
            "overdue": self.overdue_days > 0,
            "overdue_days": self.overdue_days,
            "urgency": self.urgency_label,
            "signed_by": self.signed_by,
            "supervised": self.supervised,
            "escalated": self.escalated,
            "rating": self.rating,
            "repeat_of": self.repeat_of or None,
            "next_step": self.next_step,
            "due_unscheduled": self.due_unscheduled,
        }


def _where(stmt: Select[Any], f: TrackingFilter, today: dt.date) -> Select[Any]:
    open_ = UNCLOSED
    if f.status == "unclosed":
        stmt = stmt.where(open_)
    elif f.status in ("open", "signed", "replied", "closed"):
        stmt = stmt.where(Case.status == f.status)
    elif f.status == "overdue":
        stmt = stmt.where(open_, Case.outcome == "handed_over", Case.due_date < today)
    elif f.status == "due":
        stmt = stmt.where(open_, Case.outcome == "handed_over", Case.due_date >= today)
    elif f.status == "today":  # 今日到期: the tracking page's filter
        stmt = stmt.where(open_, Case.outcome == "handed_over", Case.due_date == today)
    elif f.status != "all":
        raise InvalidInputError(f"未知的状态：{f.status}（应为 {'、'.join(STATUSES)}）。")
    if f.day_id is not None:
        stmt = stmt.where(Case.day_id == f.day_id)
    if f.department_id is not None:
        co = select(CaseDepartment.case_id).where(CaseDepartment.department_id == f.department_id)
        stmt = stmt.where(or_(Case.lead_department_id == f.department_id, Case.id.in_(co)))
    if f.theme_code:
        stmt = stmt.where(Theme.code == f.theme_code)
    if f.room_number is not None:
        stmt = stmt.where(Room.number == f.room_number)
    if f.colour:
        stmt = stmt.where(Case.colour == f.colour)
    if f.supervised:
        stmt = stmt.where(Case.supervised.is_(True))
    if f.repeat:
        stmt = stmt.where(Case.repeat_of_case_id.is_not(None))
    return stmt


def _urgency(today: dt.date, next_day: dt.date) -> Any:
    return case(
        (Case.status == CaseStatus.CLOSED.value, case((Case.outcome == "handed_over", 4), else_=5)),
        (Case.due_date.is_(None), 3),
        (Case.due_date < today, 0),
        (Case.due_date == today, 1),
        (Case.due_date <= next_day, 2),
        else_=3,
    )


def tracked_cases(
    db: Database, today: dt.date, f: TrackingFilter | None = None, limit: int | None = None, offset: int = 0
) -> tuple[list[TrackedCase], int]:
    """The cases matching the filter, most urgent first, and how many match in all."""
    f = f or TrackingFilter()
    with db.read() as session:
        calendar = load_calendar_in(session)
        next_day = calendar.add_days(today, 1)
        known = calendar.scheduled_years or frozenset()
        earlier = aliased(Case)
        urgency = _urgency(today, next_day).label("urgency")
        stmt = (
            select(
                Case,
                ReceptionDay.date,
                Batch.reg_no,
                Visitor.name,
                Theme.name,
                Room.number,
                Department.name,
                earlier.case_no,
                urgency,
            )
            .join(ReceptionDay, ReceptionDay.id == Case.day_id)
            .join(Batch, Batch.id == Case.batch_id)
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .join(Theme, Theme.id == Batch.theme_id)
            .outerjoin(Room, Room.id == Case.room_id)
            .outerjoin(Department, Department.id == Case.lead_department_id)
            .outerjoin(earlier, earlier.id == Case.repeat_of_case_id)
        )
        stmt = _where(stmt, f, today)
        count_stmt = _where(
            select(func.count(Case.id))
            .select_from(Case)
            .join(Batch, Batch.id == Case.batch_id)
            .join(Theme, Theme.id == Batch.theme_id)
            .outerjoin(Room, Room.id == Case.room_id),
            f,
            today,
        )
        total = int(session.scalar(count_stmt) or 0)
        stmt = stmt.order_by(urgency, Case.supervised.desc(), Case.due_date, ReceptionDay.date.desc(), Case.case_no)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        rows = [
            TrackedCase(
                case_id=c.id,
                case_no=c.case_no,
                day_date=day_date,
                reg_no=reg_no,
                visitor_name=name,
                theme=theme,
                room_number=room,
                outcome=c.outcome,
                colour=c.colour,
                department_id=c.lead_department_id,
                department=dept or "",
                due_date=c.due_date,
                status=c.status,
                signed_by=c.signed_by,
                overdue_days=(today - c.due_date).days if urg == 0 and c.due_date else 0,
                urgency=int(urg),
                supervised=c.supervised,
                supervision_until=c.supervision_until,
                escalated=c.escalated,
                repeat_of=earlier_no or "",
                rating=c.satisfaction,
                followed_up=c.followed_up_at is not None,
                version=c.version,
                due_unscheduled=c.due_date is not None and c.due_date.year not in known,
            )
            for c, day_date, reg_no, name, theme, room, dept, earlier_no, urg in session.execute(stmt)
        ]
        return rows, total


@dataclass(frozen=True)
class DepartmentLoad:
    """Per lead department: handed-over cases still open, of which overdue and still on time."""

    department_id: int
    department: str
    open: int
    overdue: int
    on_time: int  # open and not past the due date


def department_load(db: Database, today: dt.date) -> list[DepartmentLoad]:
    """Open handed-over cases per lead department (one grouped query); most overdue first."""
    overdue = func.sum(case((Case.due_date < today, 1), else_=0))
    with db.read() as session:
        rows = session.execute(
            select(Department.id, Department.name, func.count(Case.id), overdue)
            .join(Case, Case.lead_department_id == Department.id)
            .where(UNCLOSED, Case.outcome == "handed_over")
            .group_by(Department.id, Department.name)
        ).all()
    loads = [DepartmentLoad(d, n, int(o), int(od or 0), int(o) - int(od or 0)) for d, n, o, od in rows]
    return sorted(loads, key=lambda x: (-x.overdue, -x.open, x.department))
