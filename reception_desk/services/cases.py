"""Cases (信访事项): what the room decided for a batch, its departments, deadline, and the handover slip data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from reception_desk.db.engine import Database
from reception_desk.db.models import (
    Batch,
    Case,
    CaseDepartment,
    CaseEvent,
    Department,
    ReceptionDay,
    Room,
    Visitor,
    utcnow,
)
from reception_desk.domain.batches import BatchStatus
from reception_desk.domain.case_life import CaseStatus
from reception_desk.domain.case_numbers import format_case_number
from reception_desk.domain.deadlines import Colour, due_date
from reception_desk.domain.names import clean_text
from reception_desk.domain.roles import Permission
from reception_desk.services import audit, authz, numbering
from reception_desk.services.case_life import close_on_the_spot_in, escalate_in
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError
from reception_desk.services.flow import load_batch, move_status
from reception_desk.services.holiday_calendar import day_calendar_in
from reception_desk.services.repeats import batch_repeats_in, flag_later_batches_in

OUTCOME_LABELS: dict[str, str] = {
    "resolved": "当场解决",
    "handed_over": "交办",
    "explained": "解释说明",
}
COLOURS = tuple(c.value for c in Colour)
CASE_FIELDS = (
    "case_no",
    "request",
    "instruction",
    "outcome",
    "colour",
    "lead_department_id",
    "due_date",
    "status",
)


@dataclass
class CaseInput:
    """What the room host records: request, leader's instruction, outcome, colour, departments."""

    request: str = ""  # empty: the batch's request as registered
    instruction: str = ""
    outcome: str = "handed_over"  # resolved 当场解决 | handed_over 交办 | explained 解释说明
    colour: str | None = None  # green | yellow | red; required when handed over
    lead_department_id: int | None = None  # required when handed over
    co_department_ids: list[int] = field(default_factory=list)
    repeat_of_case_id: int | None = None  # None: the newest earlier case of the same people, if any
    escalate: bool = False  # 提级核查 confirmed by the host (a repeat of a closed case)


@dataclass(frozen=True)
class CaseDetail:
    """Everything a handover slip (交办单) or a receipt (受理回执单) prints about one case."""

    case_id: int
    case_no: str
    day_id: int
    day_date: dt.date
    day_title: str
    venue: str
    bureau_phone: str
    room_number: int | None
    room_name: str
    host: str
    batch_id: int
    reg_no: str
    visitor_name: str
    id_number: str | None  # raw: printing masks it
    phone: str
    township: str
    village: str
    headcount: int
    request: str
    instruction: str
    outcome: str
    outcome_label: str
    colour: str | None
    colour_label: str
    due_date: dt.date | None
    lead_department_id: int | None
    lead_department: str
    co_department_ids: tuple[int, ...]
    co_departments: tuple[str, ...]
    status: str
    recorded_by: str
    recorded_at: dt.datetime
    version: int
    supervised: bool = False
    supervision_reason: str = ""
    supervision_until: dt.date | None = None
    escalated: bool = False
    repeat_of_case_no: str = ""
    original_due_date: dt.date | None = None
    signed_at: dt.datetime | None = None
    signed_by: str = ""
    closed_at: dt.datetime | None = None
    resolved: bool | None = None
    satisfaction: str | None = None


@dataclass(frozen=True)
class CaseRow:
    """One case as lists show it."""

    case_id: int
    case_no: str
    batch_id: int
    reg_no: str
    room_number: int | None
    visitor_name: str
    township: str
    request: str
    outcome: str
    colour: str | None
    due_date: dt.date | None
    lead_department: str
    co_departments: tuple[str, ...]
    status: str
    recorded_at: dt.datetime
    version: int


def next_case_sequence(session: Session, day: ReceptionDay, room_number: int) -> int:
    """The next case sequence of that room on that day (1 for its first case), taken for good from its counter.

    Only the room's case counter stays locked until commit: check-ins into the room and other rooms' cases go on.
    """
    return numbering.take_case_number(session, day.id, day.date, room_number)


def _clean_input(data: CaseInput) -> tuple[str, str, str, str | None, int | None, list[int]]:
    outcome = (data.outcome or "").strip()
    if outcome not in OUTCOME_LABELS:
        raise InvalidInputError(f"未知的处理结果：{data.outcome}（应为 当场解决、交办 或 解释说明）。")
    colour = (data.colour or "").strip() or None
    if colour is not None and colour not in COLOURS:
        raise InvalidInputError(f"未知的颜色分类：{data.colour}（应为 绿色、黄色 或 红色）。")
    instruction = clean_text(data.instruction)
    if outcome == "resolved" and not instruction:
        raise InvalidInputError("当场解决的事项必须填写处理意见（领导意见 / 批示），写明是怎样解决的。")
    lead = data.lead_department_id
    if outcome == "handed_over":
        if lead is None:
            raise InvalidInputError("交办的事项必须明确主办单位。")
        if colour is None:
            raise InvalidInputError("交办的事项必须选择颜色分类（绿色1日、黄色3日、红色7日反馈）。")
    co = list(dict.fromkeys(data.co_department_ids))
    if lead is not None and lead in co:
        raise InvalidInputError("协办单位不能与主办单位相同。")
    if co and lead is None:
        raise InvalidInputError("选择了协办单位时，必须同时明确主办单位。")
    return clean_text(data.request), instruction, outcome, colour, lead, co


def _check_departments(session: Session, ids: list[int], allowed_inactive: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for dept_id in ids:
        dept = session.get(Department, dept_id)
        if dept is None:
            raise InvalidInputError(f"单位 #{dept_id} 不在目录中，请刷新后重新选择。")
        if not dept.active and dept_id not in allowed_inactive:
            raise InvalidInputError(f"单位“{dept.name}”已停用，请选择其他单位。")
        names[dept_id] = dept.name
    return names


def _case_snapshot(case: Case) -> dict[str, Any]:
    snap = audit.snapshot(case, CASE_FIELDS)
    snap["co_department_ids"] = [cd.department_id for cd in case.co_departments]
    return snap


def record_case_in(session: Session, batch: Batch, data: CaseInput, actor: str, at: dt.datetime | None = None) -> Case:
    """Record the room's decision for a batch and finish the batch, in the caller's transaction."""
    at = at or utcnow()
    request, instruction, outcome, colour, lead, co = _clean_input(data)
    existing = session.scalar(select(Case.case_no).where(Case.batch_id == batch.id))
    if existing is not None:
        raise InvalidInputError(f"批次 {batch.reg_no} 已记录案件 {existing}，如需更正请修改该案件。")
    status = BatchStatus(batch.status)
    if status not in (BatchStatus.IN_SESSION, BatchStatus.WAITING, BatchStatus.ARRIVED):
        raise InvalidInputError(
            f"批次 {batch.reg_no} 当前状态为“{status.label}”，只有已签到、候谈或接谈中的批次才能记录接谈结果。"
        )
    if batch.room_id is None:
        raise InvalidInputError(f"批次 {batch.reg_no} 尚未分配接待室，无法生成案件编号。")
    room = session.get(Room, batch.room_id)
    day = session.get(ReceptionDay, batch.day_id)
    if room is None or day is None:
        raise NotFoundError(f"批次 {batch.reg_no} 的接待室或接访日已不存在。")
    _check_departments(session, [d for d in (lead, *co) if d is not None], set())

    before = audit.snapshot(batch, ("status", "called_at", "started_at", "finished_at"))
    if status is not BatchStatus.IN_SESSION:
        # recorded straight from the queue: the batch passes through the session
        move_status(batch, BatchStatus.IN_SESSION)
        batch.called_at = batch.called_at or at
        batch.started_at = batch.started_at or at
    move_status(batch, BatchStatus.DONE)
    batch.finished_at = at
    repeat_of = data.repeat_of_case_id
    if repeat_of is None:
        earlier = batch_repeats_in(session, batch)
        repeat_of = earlier[0].case_id if earlier else None
    elif session.get(Case, repeat_of) is None:
        raise InvalidInputError(f"重复访所指的原案件 #{repeat_of} 不存在。")
    due = due_date(day.date, Colour(colour), day_calendar_in(session, day)) if colour else None

    case = Case(
        case_no=format_case_number(day.date, room.number, next_case_sequence(session, day, room.number)),
        day_id=day.id,
        batch_id=batch.id,
        room_id=room.id,
        request=request or batch.request,
        instruction=instruction,
        outcome=outcome,
        colour=colour,
        lead_department_id=lead,
        due_date=due,
        original_due_date=due,
        status=CaseStatus.OPEN.value,
        recorded_by=actor,
        recorded_at=at,
        repeat_of_case_id=repeat_of,
    )
    case.co_departments = [CaseDepartment(department_id=d, rank=i) for i, d in enumerate(co)]
    session.add(case)
    session.flush()
    if outcome != "handed_over":
        close_on_the_spot_in(session, case, actor, at)
    if data.escalate:
        escalate_in(session, case, actor, at)
    flag_later_batches_in(session, batch, actor)
    audit.record(session, actor, "record", "case", case.id, after=_case_snapshot(case))
    old, new = audit.diff(before, audit.snapshot(batch, ("status", "called_at", "started_at", "finished_at")))
    audit.record(session, actor, "finish", "batch", batch.id, old, new, reason=case.case_no)
    return case


def record_case(
    db: Database, batch_id: int, data: CaseInput, actor: str, expected_version: int | None = None
) -> tuple[int, ChangeSet]:
    """Record the room's decision for a batch (numbered, with its deadline); the batch is then done."""
    with db.session() as session:
        batch = load_batch(session, batch_id, expected_version)
        authz.require(session, actor, Permission.ROOM_WORK, room_id=batch.room_id)
        case = record_case_in(session, batch, data, actor)
        changes = ChangeSet(batches={batch.id}, cases={case.id})
        if batch.room_id is not None:
            changes.rooms.add(batch.room_id)
        return case.id, changes


def update_case(db: Database, case_id: int, data: CaseInput, actor: str, expected_version: int) -> ChangeSet:
    """Correct a recorded case (request, instruction, outcome, colour, departments); its number stays.

    `expected_version` is the case's version as the corrector saw it: a case changed since is refused.
    """
    with db.session() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFoundError(f"案件 #{case_id} 不存在。")
        authz.require(session, actor, Permission.ROOM_WORK, room_id=case.room_id)
        if case.version != expected_version:
            raise StaleWriteError("案件", case.id, expected_version, case.version)
        request, instruction, outcome, colour, lead, co = _clean_input(data)
        current = {case.lead_department_id, *(cd.department_id for cd in case.co_departments)}
        _check_departments(session, [d for d in (lead, *co) if d is not None], {d for d in current if d is not None})
        if case.signed_at is not None and lead != case.lead_department_id:
            raise InvalidInputError(f"案件 {case.case_no} 已由主办单位签收，不能再更换主办单位。")
        day = session.get(ReceptionDay, case.day_id)
        if day is None:
            raise NotFoundError(f"案件 {case.case_no} 的接访日已不存在。")
        after_day = session.scalar(
            select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.kind != "closed").limit(1)
        )
        if outcome != case.outcome and after_day is not None:
            raise InvalidInputError(f"案件 {case.case_no} 已有签收、反馈或回访记录，不能再更改处理结果。")
        # read before any change: a query after one would flush the case and move its version twice
        calendar = day_calendar_in(session, day)
        stale_events = (
            list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))
            if outcome != case.outcome
            else []
        )
        before = _case_snapshot(case)
        case.request = request or case.request
        case.instruction = instruction
        case.outcome = outcome
        case.colour = colour
        case.lead_department_id = lead
        if case.due_date == case.original_due_date:  # an extended date stays as the supervisor set it
            case.due_date = due_date(day.date, Colour(colour), calendar) if colour else None
            case.original_due_date = case.due_date
        if outcome != before["outcome"]:
            for event in stale_events:
                session.delete(event)  # only the on-the-spot close can be there (checked above)
            if outcome == "handed_over":
                case.status, case.closed_at, case.resolved = CaseStatus.OPEN.value, None, None
            else:
                close_on_the_spot_in(session, case, actor, case.recorded_at)
        old_co = [cd.department_id for cd in case.co_departments]
        if old_co != co:
            case.co_departments = [CaseDepartment(department_id=d, rank=i) for i, d in enumerate(co)]
            flag_modified(case, "instruction")  # the case row's version moves with its co-departments
        session.flush()
        old, new = audit.diff(before, _case_snapshot(case))
        if not new:
            return ChangeSet()
        audit.record(session, actor, "update", "case", case.id, old, new)
        return ChangeSet(cases={case.id})


def _co_names(session: Session, case_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not case_ids:
        return out
    rows = session.execute(
        select(CaseDepartment.case_id, Department.id, Department.name)
        .join(Department, Department.id == CaseDepartment.department_id)
        .where(CaseDepartment.case_id.in_(case_ids))
        .order_by(CaseDepartment.case_id, CaseDepartment.rank, Department.id)
    )
    for case_id, dept_id, name in rows:
        out[case_id].append((dept_id, name))
    return out


def load_case_details(session: Session, *where: ColumnElement[bool]) -> list[CaseDetail]:
    """Cases matching the conditions with everything a slip prints: two queries, whatever the number."""
    rows = session.execute(
        select(Case, ReceptionDay, Batch, Visitor, Room, Department.name)
        .join(ReceptionDay, ReceptionDay.id == Case.day_id)
        .join(Batch, Batch.id == Case.batch_id)
        .outerjoin(Visitor, Visitor.id == Batch.lead_visitor_id)
        .outerjoin(Room, Room.id == Case.room_id)
        .outerjoin(Department, Department.id == Case.lead_department_id)
        .where(*where)
        .order_by(Case.case_no)
    ).all()
    co = _co_names(session, [r[0].id for r in rows])
    repeat_ids = {r[0].repeat_of_case_id for r in rows if r[0].repeat_of_case_id}
    repeat_nos = (
        dict(session.execute(select(Case.id, Case.case_no).where(Case.id.in_(repeat_ids))).tuples().all())
        if repeat_ids
        else {}
    )
    details = []
    for case, day, batch, visitor, room, lead_name in rows:
        co_depts = co.get(case.id, [])
        details.append(
            CaseDetail(
                case_id=case.id,
                case_no=case.case_no,
                day_id=day.id,
                day_date=day.date,
                day_title=day.title,
                venue=day.venue,
                bureau_phone=day.bureau_phone,
                room_number=room.number if room else None,
                room_name=room.name if room else "",
                host=room.host if room else "",
                batch_id=batch.id,
                reg_no=batch.reg_no,
                visitor_name=visitor.name if visitor else "",
                id_number=visitor.id_number if visitor else None,
                phone=visitor.phone if visitor else "",
                township=batch.township,
                village=batch.village,
                headcount=batch.headcount,
                request=case.request,
                instruction=case.instruction,
                outcome=case.outcome,
                outcome_label=OUTCOME_LABELS.get(case.outcome, case.outcome),
                colour=case.colour,
                colour_label=Colour(case.colour).label if case.colour else "",
                due_date=case.due_date,
                lead_department_id=case.lead_department_id,
                lead_department=lead_name or "",
                co_department_ids=tuple(d for d, _ in co_depts),
                co_departments=tuple(n for _, n in co_depts),
                status=case.status,
                recorded_by=case.recorded_by,
                recorded_at=case.recorded_at,
                version=case.version,
                supervised=case.supervised,
                supervision_reason=case.supervision_reason,
                supervision_until=case.supervision_until,
                escalated=case.escalated,
                repeat_of_case_no=repeat_nos.get(case.repeat_of_case_id or 0, ""),
                original_due_date=case.original_due_date,
                signed_at=case.signed_at,
                signed_by=case.signed_by,
                closed_at=case.closed_at,
                resolved=case.resolved,
                satisfaction=case.satisfaction,
            )
        )
    return details


def case_detail(db: Database, case_id: int) -> CaseDetail:
    """One case with its day, room, visitor and departments: what the handover slip and receipt print."""
    with db.read() as session:
        found = load_case_details(session, Case.id == case_id)
        if not found:
            raise NotFoundError(f"案件 #{case_id} 不存在。")
        return found[0]


def list_cases(db: Database, day_id: int, department_id: int | None = None) -> list[CaseRow]:
    """The cases of a day by number; with a department, only those it leads or co-handles."""
    with db.read() as session:
        stmt = (
            select(Case, Batch.reg_no, Batch.township, Visitor.name, Room.number, Department.name)
            .join(Batch, Batch.id == Case.batch_id)
            .join(Visitor, Visitor.id == Batch.lead_visitor_id)
            .outerjoin(Room, Room.id == Case.room_id)
            .outerjoin(Department, Department.id == Case.lead_department_id)
            .where(Case.day_id == day_id)
            .order_by(Case.case_no)
        )
        if department_id is not None:
            co_cases = select(CaseDepartment.case_id).where(CaseDepartment.department_id == department_id)
            stmt = stmt.where(or_(Case.lead_department_id == department_id, Case.id.in_(co_cases)))
        rows = session.execute(stmt).all()
        co = _co_names(session, [r[0].id for r in rows])
        return [
            CaseRow(
                case_id=case.id,
                case_no=case.case_no,
                batch_id=case.batch_id,
                reg_no=reg_no,
                room_number=room_number,
                visitor_name=name,
                township=township,
                request=case.request,
                outcome=case.outcome,
                colour=case.colour,
                due_date=case.due_date,
                lead_department=lead_name or "",
                co_departments=tuple(n for _, n in co[case.id]),
                status=case.status,
                recorded_at=case.recorded_at,
                version=case.version,
            )
            for case, reg_no, township, name, room_number, lead_name in rows
        ]
