"""The case's life after the day: sign-for, feedback, close, follow-up, extension, supervision, escalation.

Every public function is one transaction: it locks the case, refuses a step out of order with a Chinese message
(and changes nothing), writes the step as a CaseEvent, audits it, and returns the ChangeSet. Moments are naive
UTC; `at` defaults to now and may not lie before the case's previous step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import Case, CaseEvent, Department, utcnow
from reception_desk.domain.case_life import EVENT_KINDS, METHODS, RATINGS, CaseStatus, refusal
from reception_desk.domain.names import clean_text
from reception_desk.domain.office_time import local_date, to_local
from reception_desk.domain.roles import Permission
from reception_desk.services import audit, authz
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError

LIFE_FIELDS = (
    "status",
    "signed_at",
    "signed_by",
    "replied_at",
    "closed_at",
    "resolved",
    "due_date",
    "satisfaction",
    "followed_up_at",
    "supervised",
    "supervision_until",
    "escalated",
)


def find_case_id(db: Database, case_no: str) -> int:
    """The id of a case by its number (JF-20261204-05-003), or NotFoundError."""
    with db.read() as session:
        found = session.scalar(select(Case.id).where(Case.case_no == case_no.strip().upper()))
        if found is None:
            raise NotFoundError(f"没有编号为 {case_no} 的案件。")
        return found


def _lock(session: Session, case_id: int, expected_version: int | None) -> Case:
    case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    if case is None:
        raise NotFoundError(f"案件 #{case_id} 不存在。")
    if expected_version is not None and case.version != expected_version:
        raise StaleWriteError("案件", case.id, expected_version, case.version)
    return case


def _moment(session: Session, case: Case, at: dt.datetime | None) -> dt.datetime:
    """The step's moment: given or now, never before the case's last step."""
    moment = at or utcnow()
    last = session.scalar(select(CaseEvent.at).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at.desc()))
    floor = max(t for t in (case.recorded_at, last) if t is not None)
    if moment < floor:
        raise InvalidInputError(
            f"案件 {case.case_no}：时间 {to_local(moment):%Y-%m-%d %H:%M} "
            f"早于该案件上一步的时间 {to_local(floor):%Y-%m-%d %H:%M}。"
        )
    return moment


def _refuse(case: Case, step: str) -> None:
    why = refusal(step, CaseStatus(case.status), case.outcome, case.case_no)
    if why:
        raise InvalidInputError(why)


def _event(
    session: Session,
    case: Case,
    kind: str,
    at: dt.datetime,
    by: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    department_id: int | None = None,
) -> None:
    session.add(
        CaseEvent(case_id=case.id, kind=kind, at=at, actor=by, text=text, data=data or {}, department_id=department_id)
    )


def _audited(
    session: Session, case: Case, actor: str, action: str, before: dict[str, Any], reason: str = ""
) -> ChangeSet:
    session.flush()
    old, new = audit.diff(before, audit.snapshot(case, LIFE_FIELDS))
    audit.record(session, actor, action, "case", case.id, old, new, reason=reason)
    return ChangeSet(cases={case.id})


def sign_case(
    db: Database,
    case_id: int,
    by: str,
    actor: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """签收: the lead department signs for the handed-over case (who signed, when)."""
    with db.session() as session:
        authz.require(session, actor, Permission.TRACKING)
        return sign_case_in(session, _lock(session, case_id, expected_version), by, actor, at)


def sign_case_in(session: Session, case: Case, by: str, actor: str, at: dt.datetime | None = None) -> ChangeSet:
    """签收 in the caller's transaction (the case already read)."""
    by = clean_text(by)
    if not by:
        raise InvalidInputError("签收须写明签收人。")
    _refuse(case, "sign")
    moment = _moment(session, case, at)
    before = audit.snapshot(case, LIFE_FIELDS)
    case.status, case.signed_at, case.signed_by = CaseStatus.SIGNED.value, moment, by
    _event(session, case, "signed", moment, by, department_id=case.lead_department_id)
    return _audited(session, case, actor, "sign", before)


def add_feedback(
    db: Database,
    case_id: int,
    text: str,
    by: str,
    actor: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """反馈: the department reports what it did (more than one feedback is allowed before closing)."""
    with db.session() as session:
        authz.require(session, actor, Permission.TRACKING)
        return add_feedback_in(session, _lock(session, case_id, expected_version), text, by, actor, at)


def add_feedback_in(
    session: Session, case: Case, text: str, by: str, actor: str, at: dt.datetime | None = None
) -> ChangeSet:
    """反馈 in the caller's transaction (the case already read)."""
    text = clean_text(text)
    if not text:
        raise InvalidInputError("反馈内容不能为空。")
    _refuse(case, "feedback")
    moment = _moment(session, case, at)
    before = audit.snapshot(case, LIFE_FIELDS)
    case.status, case.replied_at = CaseStatus.REPLIED.value, moment
    _event(session, case, "feedback", moment, clean_text(by) or actor, text, department_id=case.lead_department_id)
    return _audited(session, case, actor, "feedback", before)


def close_case(
    db: Database,
    case_id: int,
    resolved: bool,
    actor: str,
    at: dt.datetime | None = None,
    text: str = "",
    expected_version: int | None = None,
) -> ChangeSet:
    """办结: the case is closed; 化解 says whether the matter was actually resolved."""
    with db.session() as session:
        authz.require(session, actor, Permission.TRACKING)
        return close_case_in(session, _lock(session, case_id, expected_version), resolved, actor, at, text)


def close_case_in(
    session: Session, case: Case, resolved: bool, actor: str, at: dt.datetime | None = None, text: str = ""
) -> ChangeSet:
    """办结 in the caller's transaction (the case already read)."""
    _refuse(case, "close")
    moment = _moment(session, case, at)
    before = audit.snapshot(case, LIFE_FIELDS)
    case.status, case.closed_at, case.resolved = CaseStatus.CLOSED.value, moment, resolved
    _event(session, case, "closed", moment, actor, clean_text(text), {"resolved": resolved})
    return _audited(session, case, actor, "close", before)


def follow_up(
    db: Database,
    case_id: int,
    rating: str,
    actor: str,
    method: str = "phone",
    text: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """回访: the bureau asks the visitor; the rating (满意/基本满意/不满意, or 未能联系) of the latest call counts."""
    with db.session() as session:
        authz.require(session, actor, Permission.TRACKING)
        case = _lock(session, case_id, expected_version)
        return follow_up_in(session, case, rating, actor, method, text, at)


def follow_up_in(
    session: Session,
    case: Case,
    rating: str,
    actor: str,
    method: str = "phone",
    text: str = "",
    at: dt.datetime | None = None,
) -> ChangeSet:
    """回访 in the caller's transaction (the case already read)."""
    if rating not in RATINGS:
        raise InvalidInputError(f"未知的回访结果：{rating}（应为 满意、基本满意、不满意 或 未能联系）。")
    if method not in METHODS:
        raise InvalidInputError(f"未知的回访方式：{method}（应为 电话、上门 或 短信）。")
    _refuse(case, "follow_up")
    moment = _moment(session, case, at)
    before = audit.snapshot(case, LIFE_FIELDS)
    case.satisfaction, case.followed_up_at = rating, moment
    _event(session, case, "follow_up", moment, actor, clean_text(text), {"rating": rating, "method": method})
    return _audited(session, case, actor, "follow_up", before)


def extend_case(
    db: Database,
    case_id: int,
    new_due: dt.date,
    reason: str,
    actor: str,
    approved_by: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """延期: moves the due date (later only), with the reason and who approved it; the first date is kept."""
    with db.session() as session:
        authz.require(session, actor, Permission.TRACKING)
        case = _lock(session, case_id, expected_version)
        return extend_case_in(session, case, new_due, reason, actor, approved_by, at)


def extend_case_in(
    session: Session,
    case: Case,
    new_due: dt.date,
    reason: str,
    actor: str,
    approved_by: str = "",
    at: dt.datetime | None = None,
) -> ChangeSet:
    """延期 in the caller's transaction (the case already read)."""
    reason = clean_text(reason)
    if not reason:
        raise InvalidInputError("延期须写明理由。")
    _refuse(case, "extend")
    moment = _moment(session, case, at)
    if case.due_date is not None and new_due <= case.due_date:
        raise InvalidInputError(f"案件 {case.case_no} 的期限为 {case.due_date}：延期后的日期必须晚于它。")
    if new_due < local_date(moment):
        raise InvalidInputError(f"延期后的日期 {new_due} 已经过去。")
    before = audit.snapshot(case, LIFE_FIELDS)
    old_due = case.due_date
    case.original_due_date = case.original_due_date or old_due
    case.due_date = new_due
    approver = clean_text(approved_by) or actor
    data = {"from": old_due.isoformat() if old_due else None, "to": new_due.isoformat(), "approved_by": approver}
    _event(session, case, "extended", moment, approver, reason, data)
    return _audited(session, case, actor, "extend", before, reason)


def supervise_case(
    db: Database,
    case_id: int,
    reason: str,
    actor: str,
    until: dt.date | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """挂牌督办: the bureau chief puts the case under listed supervision (who, why, until when)."""
    with db.session() as session:
        authz.require(session, actor, Permission.TRACKING)
        return supervise_case_in(session, _lock(session, case_id, expected_version), reason, actor, until, at)


def supervise_case_in(
    session: Session,
    case: Case,
    reason: str,
    actor: str,
    until: dt.date | None = None,
    at: dt.datetime | None = None,
) -> ChangeSet:
    """挂牌督办 in the caller's transaction (the case already read)."""
    reason = clean_text(reason)
    if not reason:
        raise InvalidInputError("挂牌督办须写明督办理由。")
    if case.supervised:
        raise InvalidInputError(f"案件 {case.case_no} 已挂牌督办。")
    moment = _moment(session, case, at)
    if until is not None and until < local_date(moment):
        raise InvalidInputError(f"督办期限 {until} 已经过去。")
    before = audit.snapshot(case, LIFE_FIELDS)
    case.supervised, case.supervised_at, case.supervised_by = True, moment, actor
    case.supervision_reason, case.supervision_until = reason, until
    data = {"until": until.isoformat() if until else None}
    _event(session, case, "supervised", moment, actor, reason, data)
    return _audited(session, case, actor, "supervise", before, reason)


def close_on_the_spot_in(session: Session, case: Case, actor: str, at: dt.datetime) -> None:
    """当场解决 closes with 化解 yes, 解释说明 with 化解 no, when recorded; both still get a follow-up."""
    case.status, case.closed_at, case.resolved = CaseStatus.CLOSED.value, at, case.outcome == "resolved"
    text = {"resolved": "当场解决", "explained": "解释说明"}.get(case.outcome, "")
    _event(session, case, "closed", at, actor, text, {"resolved": case.resolved, "on_the_spot": True})


def escalate_in(session: Session, case: Case, actor: str, moment: dt.datetime, reason: str = "") -> None:
    """提级核查 in the caller's transaction: only for a repeat of a closed case."""
    earlier = session.get(Case, case.repeat_of_case_id) if case.repeat_of_case_id else None
    if earlier is None or earlier.status != CaseStatus.CLOSED.value:
        raise InvalidInputError(f"案件 {case.case_no} 不是对已办结案件的重复访，无需提级核查。")
    if case.escalated:
        raise InvalidInputError(f"案件 {case.case_no} 已提级核查。")
    case.escalated = True
    text = clean_text(reason) or f"重复访：原案件 {earlier.case_no} 已办结，提级核查。"
    _event(session, case, "escalated", moment, actor, text, {"repeat_of": earlier.case_no})


def escalate_case(
    db: Database,
    case_id: int,
    actor: str,
    reason: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """提级核查: a repeat visit about a closed case is reviewed one level up."""
    with db.session() as session:
        authz.require(session, actor, Permission.TRACKING)
        case = _lock(session, case_id, expected_version)
        moment = _moment(session, case, at)
        before = audit.snapshot(case, LIFE_FIELDS)
        escalate_in(session, case, actor, moment, reason)
        return _audited(session, case, actor, "escalate", before, reason)


@dataclass(frozen=True)
class CaseEventRow:
    """One step of a case's history."""

    kind: str
    kind_label: str
    at: dt.datetime  # naive UTC
    by: str
    text: str
    data: dict[str, Any]
    department: str


def case_events_in(session: Session, case_id: int) -> list[CaseEventRow]:
    """The case's history in time order."""
    rows = session.execute(
        select(CaseEvent, Department.name)
        .outerjoin(Department, Department.id == CaseEvent.department_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    return [
        CaseEventRow(e.kind, EVENT_KINDS.get(e.kind, e.kind), e.at, e.actor, e.text, dict(e.data or {}), dept or "")
        for e, dept in rows
    ]


def case_events(db: Database, case_id: int) -> list[CaseEventRow]:
    """The case's history in time order (one read)."""
    with db.read() as session:
        if session.get(Case, case_id) is None:
            raise NotFoundError(f"案件 #{case_id} 不存在。")
        return case_events_in(session, case_id)
