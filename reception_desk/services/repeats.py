"""Repeat visits (重复访): a visitor with a case on an earlier day, matched by resident ID (one visitor row per ID
across days) or, for a person without a valid ID, by name and phone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, BatchMember, Case, Department, ReceptionDay, Visitor
from reception_desk.domain.batches import Flag
from reception_desk.domain.case_life import CaseStatus
from reception_desk.privacy import fields
from reception_desk.services import audit
from reception_desk.services.errors import NotFoundError

# only the columns a repeat needs (the lookup runs at every registration; no whole case rows)
CASE_COLUMNS = (Case.id, Case.case_no, Case.outcome, Case.status)
OUTCOMES = {"resolved": "当场解决", "handed_over": "交办", "explained": "解释说明"}


@dataclass(frozen=True)
class EarlierCase:
    """A case of the same person on an earlier day, as the desk and the room host are shown it."""

    case_id: int
    case_no: str
    day_date: dt.date
    outcome: str
    department: str
    status: str
    visitor_name: str

    @property
    def closed(self) -> bool:
        """Closed (办结): a repeat of it is escalated one level up (提级核查)."""
        return self.status == CaseStatus.CLOSED.value

    def summary(self) -> str:
        """One line: 2026-11-20 JF-20261120-05-003 交办 人力资源和社会保障局 已办结."""
        dept = f" {self.department}" if self.department else ""
        outcome = OUTCOMES.get(self.outcome, self.outcome)
        return f"{self.day_date} {self.case_no} {outcome}{dept} {CaseStatus(self.status).label}"


def _same_people(session: Session, visitor_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each visitor: the visitor rows that are the same person (itself; name + phone when no valid ID)."""
    ids = list(set(visitor_ids))
    out: dict[int, set[int]] = {v: {v} for v in ids}
    if not ids:
        return out
    me, other = aliased(Visitor), aliased(Visitor)
    rows = session.execute(
        select(me.id, other.id)
        .join(other, and_(other.name == me.name, other.phone_hash == me.phone_hash, other.id != me.id))
        .where(me.id.in_(ids), me.id_valid.is_(False), me.phone_hash != "")
    )
    for mine, theirs in rows:
        out[mine].add(theirs)
    return out


def _cases_of(session: Session, visitor_ids: set[int], before: dt.date) -> dict[int, list[EarlierCase]]:
    """Cases on days before `before` of batches the visitors were in, by visitor id."""
    if not visitor_ids:
        return {}
    rows = session.execute(
        select(BatchMember.visitor_id, *CASE_COLUMNS, ReceptionDay.date, Department.name, Visitor.name)
        .join(Batch, Batch.id == BatchMember.batch_id)
        .join(ReceptionDay, ReceptionDay.id == Batch.day_id)
        .join(Case, Case.batch_id == Batch.id)
        .join(Visitor, Visitor.id == BatchMember.visitor_id)
        .outerjoin(Department, Department.id == Case.lead_department_id)
        .where(BatchMember.visitor_id.in_(visitor_ids), ReceptionDay.date < before)
    )
    out: dict[int, list[EarlierCase]] = defaultdict(list)
    for visitor_id, case_id, case_no, outcome, status, date, dept, name in rows:
        out[visitor_id].append(EarlierCase(case_id, case_no, date, outcome, dept or "", status, name))
    return out


def _newest_first(cases: Iterable[EarlierCase]) -> list[EarlierCase]:
    unique = {c.case_id: c for c in cases}
    return sorted(unique.values(), key=lambda c: (c.day_date, c.case_no), reverse=True)


def earlier_cases_in(session: Session, visitor_ids: Iterable[int], before: dt.date) -> list[EarlierCase]:
    """Every earlier case of these people, newest first."""
    same = _same_people(session, visitor_ids)
    everyone = set().union(*same.values()) if same else set()
    found = _cases_of(session, everyone, before)
    return _newest_first(c for cases in found.values() for c in cases)


def batch_repeats_in(session: Session, batch: Batch) -> list[EarlierCase]:
    """Earlier cases of anyone in the batch (lead and named companions), newest first."""
    day = session.get(ReceptionDay, batch.day_id)
    if day is None:
        return []
    members = set(session.scalars(select(BatchMember.visitor_id).where(BatchMember.batch_id == batch.id)))
    members.add(batch.lead_visitor_id)
    return earlier_cases_in(session, members, day.date)


def batch_repeats(db: Database, batch_id: int) -> list[EarlierCase]:
    """Earlier cases of the people of a batch (the desk at check-in, the room host before recording)."""
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFoundError(f"批次 #{batch_id} 不存在。")
        return batch_repeats_in(session, batch)


def person_repeats(
    db: Database, before: dt.date, id_number: str | None = None, name: str = "", phone: str = ""
) -> list[EarlierCase]:
    """Earlier cases of a person typed at the desk before the batch exists (walk-in form)."""
    with db.read() as session:
        ids: set[int] = set()
        if id_number:
            found = session.scalar(select(Visitor.id).where(Visitor.id_hash == fields.id_hash(id_number)))
            if found is not None:
                ids.add(found)
        elif name and phone:
            ids.update(
                session.scalars(
                    select(Visitor.id).where(Visitor.name == name, Visitor.phone_hash == fields.phone_hash(phone))
                )
            )
        return earlier_cases_in(session, ids, before)


def day_repeats_in(
    session: Session, day_id: int, id_range: tuple[int, int] | None = None
) -> dict[int, list[EarlierCase]]:
    """For every batch of a day (or those with ids in id_range) whose people have cases on earlier days: those
    cases, newest first.

    Two joins (same visitor row; same name and phone for people without a valid ID), no list of ids, so a day
    of any size is one pair of queries. An import passes the id range of the batches it just wrote (new ids
    come after every existing one), so its cost follows the file, not what the day already holds.
    """
    day = session.get(ReceptionDay, day_id)
    if day is None:
        return {}
    now_member, then_member = aliased(BatchMember), aliased(BatchMember)
    now_batch, then_batch = aliased(Batch), aliased(Batch)
    me, other = aliased(Visitor), aliased(Visitor)
    columns = (now_member.batch_id, *CASE_COLUMNS, ReceptionDay.date, Department.name, other.name)

    def earlier(stmt: Select[Any]) -> Select[Any]:
        stmt = (
            stmt.join(then_member, then_member.visitor_id == other.id)
            .join(then_batch, then_batch.id == then_member.batch_id)
            .join(ReceptionDay, ReceptionDay.id == then_batch.day_id)
            .join(Case, Case.batch_id == then_batch.id)
            .outerjoin(Department, Department.id == Case.lead_department_id)
            .where(now_batch.day_id == day_id, ReceptionDay.date < day.date)
        )
        if id_range is not None:
            stmt = stmt.where(now_batch.id.between(*id_range))
        return stmt

    same_row = earlier(
        select(*columns)
        .select_from(now_member)
        .join(now_batch, now_batch.id == now_member.batch_id)
        .join(other, other.id == now_member.visitor_id)
    )
    name_phone = earlier(
        select(*columns)
        .select_from(now_member)
        .join(now_batch, now_batch.id == now_member.batch_id)
        .join(me, me.id == now_member.visitor_id)
        .join(other, and_(other.name == me.name, other.phone_hash == me.phone_hash, other.id != me.id))
        .where(me.id_valid.is_(False), me.phone_hash != "")
    )
    found: dict[int, list[EarlierCase]] = defaultdict(list)
    for stmt in (same_row, name_phone):
        for batch_id, case_id, case_no, outcome, status, date, dept, name in session.execute(stmt):
            found[batch_id].append(EarlierCase(case_id, case_no, date, outcome, dept or "", status, name))
    return {batch_id: _newest_first(cases) for batch_id, cases in found.items()}


def flag_repeats_in(session: Session, day_id: int, batch_ids: Iterable[int] | None = None) -> set[int]:
    """Mark the day's batches (or just these) whose people came before with the `repeat` flag; returns them.

    The flag is stored so the desk's lists show it without a query per row; cards and the room host's screen
    look the earlier cases up again when they open a batch.
    """
    wanted = set(batch_ids) if batch_ids is not None else None
    if wanted is not None and len(wanted) <= 20:  # one walk-in or a typed registration: look up just those
        batches = session.scalars(select(Batch).where(Batch.id.in_(wanted))).all()
        repeats = {b.id for b in batches if batch_repeats_in(session, b)}
    else:
        span = (min(wanted), max(wanted)) if wanted else None
        repeats = {b for b in day_repeats_in(session, day_id, span) if wanted is None or b in wanted}
    if not repeats:
        return set()
    for batch in session.scalars(select(Batch).where(Batch.id.in_(repeats))):
        if Flag.REPEAT.value not in (batch.flags or []):
            batch.flags = sorted({*(batch.flags or []), Flag.REPEAT.value})
    return repeats


def flag_later_batches_in(session: Session, batch: Batch, actor: str = audit.SYSTEM) -> set[int]:
    """A case was just recorded for this batch: the same people's batches on later days become repeat visits.

    Keeps the stored flag true when a later day was registered before this day's cases (an import for the next
    day), so no list has to look the earlier cases up again.
    """
    day = session.get(ReceptionDay, batch.day_id)
    if day is None:
        return set()
    if session.scalar(select(ReceptionDay.id).where(ReceptionDay.date > day.date).limit(1)) is None:
        return set()  # no later day yet (the usual case on the day itself): nothing to flag
    members = set(session.scalars(select(BatchMember.visitor_id).where(BatchMember.batch_id == batch.id)))
    same = _same_people(session, members | {batch.lead_visitor_id})
    everyone = set().union(*same.values())
    later = session.scalars(
        select(Batch)
        .join(BatchMember, BatchMember.batch_id == Batch.id)
        .join(ReceptionDay, ReceptionDay.id == Batch.day_id)
        .where(BatchMember.visitor_id.in_(everyone), ReceptionDay.date > day.date)
    ).unique()
    flagged = set()
    for other in later:
        if Flag.REPEAT.value not in (other.flags or []):
            before = list(other.flags or [])
            other.flags = sorted({*before, Flag.REPEAT.value})
            flagged.add(other.id)
            audit.record(
                session,
                actor,
                "flag_repeat",
                "batch",
                other.id,
                {"flags": before},
                {"flags": other.flags},
                reason=f"同一来访人在{day.date:%Y-%m-%d}的接访已形成信访事项",
            )
    return flagged


def day_repeats(db: Database, day_id: int) -> dict[int, list[EarlierCase]]:
    """Repeat visitors of a day by batch id (lists and the CLI's `repeat` flag)."""
    with db.read() as session:
        return day_repeats_in(session, day_id)
