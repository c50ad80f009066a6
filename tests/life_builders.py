"""Builders for the after-the-day tests: days, visitors checked in, cases recorded at a chosen moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Case, CaseEvent, Department, ReceptionDay
from reception_desk.domain import resident_id
from reception_desk.domain.office_time import moment_on
from reception_desk.services import assignment, cases, days, flow
from reception_desk.services.cases import CaseInput
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration

PHONE = "13857001234"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Naive UTC of an office wall-clock time on a day."""
    return moment_on(day, dt.time(hour, minute))


def new_day(db: Database, date: dt.date, natural: bool = False) -> int:
    """A reception day with the default plan; natural=True counts its deadlines in natural days."""
    info, _ = days.create_day(db, date, leaders="区委书记 张明")
    if natural:
        with db.session() as session:
            day = session.get(ReceptionDay, info.id)
            assert day is not None
            day.working_day_deadlines = False
    return info.id


def id_number(n: int) -> str:
    """A valid resident ID, different for every n."""
    return resident_id.make("330803", dt.date(1960, 1, 1) + dt.timedelta(days=n), n % 1000)


def visit(
    db: Database,
    day_id: int,
    name: str,
    theme: str = "labour",
    id_no: str = "",
    phone: str = PHONE,
    companions: Sequence[PersonInput] = (),
) -> int:
    """A registration checked in and waiting in its room; the batch id."""
    data = RegistrationInput(
        lead=PersonInput(name, id_number=id_no, phone=phone),
        request=f"{name}反映问题。",
        theme_code=theme,
        companions=list(companions),
    )
    batch_id, _ = add_registration(db, day_id, data)
    assignment.assign_day(db, day_id)
    flow.check_in(db, batch_id, "登记台")
    return batch_id


def record(db: Database, batch_id: int, data: CaseInput, when: dt.datetime, actor: str = "记录员") -> int:
    """Record the batch's case at a chosen moment (the public record_case always uses now); the case id."""
    with db.session() as session:
        batch = flow.load_batch(session, batch_id)
        return cases.record_case_in(session, batch, data, actor, when).id


def dept(db: Database, name: str) -> int:
    """A department's id by name."""
    with db.read() as session:
        found = session.scalar(select(Department.id).where(Department.name == name))
        assert found is not None, name
        return found


def handed(lead: int, colour: str = "red", co: Sequence[int] = (), **extra: Any) -> CaseInput:
    """A handed-over (交办) case for a lead department."""
    return CaseInput(
        instruction="限期办理并反馈。",
        outcome="handed_over",
        colour=colour,
        lead_department_id=lead,
        co_department_ids=list(co),
        **extra,
    )


def load_case(db: Database, case_id: int) -> Case:
    """The case row as stored."""
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def event_kinds(db: Database, case_id: int) -> list[str]:
    """The kinds of the case's stored events in time order."""
    with db.read() as session:
        return list(
            session.scalars(
                select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)
            )
        )


def case_audit(db: Database, case_id: int) -> list[str]:
    """The audit actions written about the case, oldest first."""
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "case", AuditEntry.entity_id == case_id)
                .order_by(AuditEntry.id)
            )
        )


def count_cases(db: Database) -> int:
    """How many cases the database holds."""
    with db.read() as session:
        return int(session.scalar(select(func.count(Case.id))) or 0)
