"""显示完整号码: a visitor's whole resident ID or phone, for a role that needs it, with a reason, logged.

    shown = unmask.reveal(db, "desk1", visitor_id, "核对来访人身份证件")            # the ID
    shown = unmask.reveal(db, "chief", visitor_id, "联系来访人", field="phone")       # the phone
    events = unmask.unmask_events(db, "admin", since=...)                            # admin: who saw whose, why

Screens, papers and exports show IDs and phones masked. Whoever needs a whole number (the desk checking a
walk-in's card, a supervisor calling a visitor back) asks for it here: the role must allow Permission.UNMASK (not a
room host), a reason is required, and each look writes an audit entry "unmask" (who, which person, which field, why,
when) in the same transaction that reads the number. The entry never holds the number itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Visitor
from reception_desk.domain import office_time, resident_id
from reception_desk.domain import phone as phones
from reception_desk.domain.names import clean_text
from reception_desk.domain.roles import Permission
from reception_desk.errors import InvalidInputError, NotFoundError
from reception_desk.services import audit, authz

ACTION = "unmask"
EXPORT_ACTION = "export_unmasked"
ID_NUMBER = "id_number"
PHONE = "phone"
FIELD_LABELS = {ID_NUMBER: "身份证号", PHONE: "电话"}
# the reasons offered in the dialog (it takes any other reason typed)
COMMON_REASONS = ("核对来访人身份证件", "联系来访人", "更正登记信息")
MAX_REASON = 200
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Revealed:
    """A whole number shown to someone who gave a reason: the value, its masked form, whose it is, the log entry."""

    visitor_id: int
    field: str
    value: str
    masked: str
    name: str
    audit_id: int


@dataclass(frozen=True)
class UnmaskEvent:
    """One look at a whole number (or an unmasked export): who, whose (or which file), which field, why, when."""

    id: int
    at: dt.datetime  # naive UTC as stored
    at_local: dt.datetime  # aware, in the office's zone
    actor: str
    action: str  # unmask | export_unmasked
    entity: str
    entity_id: int | None
    whom: str  # the visitor's name; for an export what was exported
    field: str  # id_number | phone | "" (an export carries both)
    reason: str

    def to_json(self) -> dict[str, Any]:
        """The event for `audit --unmask --json` (times ISO with the office's offset)."""
        return {
            "id": self.id,
            "at": self.at_local.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "whom": self.whom,
            "field": self.field,
            "reason": self.reason,
        }


def clean_reason(reason: str) -> str:
    """The reason as recorded (trimmed, one line, at most 200 characters); InvalidInputError when empty."""
    text = clean_text(" ".join((reason or "").split()))[:MAX_REASON]
    if not text:
        raise InvalidInputError("请填写查看完整号码的原因。")
    return text


def mask_value(field: str, value: str | None) -> str:
    """The masked form of a field's value (330803********1234, 138****1234)."""
    return resident_id.mask(value) if field == ID_NUMBER else phones.mask(value)


def reveal(db: Database, actor: str, visitor_id: int, reason: str, field: str = ID_NUMBER) -> Revealed:
    """The visitor's whole ID (or phone), logged as an "unmask" audit entry in the same transaction.

    PermissionDeniedError for a role without Permission.UNMASK, InvalidInputError without a reason or for an
    unknown field, NotFoundError when the person or the number is not there (nothing is logged then).
    """
    if field not in FIELD_LABELS:
        raise InvalidInputError(f"不能显示“{field}”：只能显示身份证号或电话。")
    text = clean_reason(reason)
    with db.session() as session:
        authz.require(session, actor, Permission.UNMASK)
        visitor = session.get(Visitor, visitor_id)
        if visitor is None:
            raise NotFoundError(f"来访人 #{visitor_id} 不存在。")
        value = (visitor.id_number if field == ID_NUMBER else visitor.phone) or ""
        if not value:
            raise NotFoundError(f"{visitor.name}没有登记{FIELD_LABELS[field]}。")
        # never the number itself
        entry = audit.record(
            session, actor, ACTION, "visitor", visitor.id, after={"field": field, "name": visitor.name}, reason=text
        )
        session.flush()
        return Revealed(visitor.id, field, value, mask_value(field, value), visitor.name, entry.id)


def unmask_events(
    db: Database, actor: str, since: dt.datetime | None = None, limit: int = DEFAULT_LIMIT
) -> list[UnmaskEvent]:
    """Who saw whose whole number, and who exported unmasked lists, newest first (admins only).

    `since` is naive UTC (audit_log.parse_since makes it from what people type).
    """
    limit = max(1, min(limit, MAX_LIMIT))
    with db.read() as session:
        authz.require(session, actor, Permission.ADMIN)
        stmt = select(AuditEntry).where(AuditEntry.action.in_((ACTION, EXPORT_ACTION)))
        if since is not None:
            stmt = stmt.where(AuditEntry.at >= since)
        entries = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit)))
        visitor_ids = {e.entity_id for e in entries if e.entity == "visitor" and e.entity_id is not None}
        names: dict[int, str] = {}
        if visitor_ids:
            names = {
                i: n for i, n in session.execute(select(Visitor.id, Visitor.name).where(Visitor.id.in_(visitor_ids)))
            }
        return [_event(e, names) for e in entries]


def _event(e: AuditEntry, names: dict[int, str]) -> UnmaskEvent:
    after = e.after or {}
    if e.action == ACTION:
        # the name now (a pseudonymised person shows as such); the one recorded when he is gone
        whom = names.get(e.entity_id or 0) or str(after.get("name") or f"#{e.entity_id}")
    else:
        whom = str(after.get("what") or after.get("file") or e.entity)
    return UnmaskEvent(
        id=e.id,
        at=e.at,
        at_local=e.at.replace(tzinfo=dt.UTC).astimezone(office_time.zone()),
        actor=e.actor,
        action=e.action,
        entity=e.entity,
        entity_id=e.entity_id,
        whom=whom,
        field=str(after.get("field") or ""),
        reason=e.reason or "",
    )


def record_export(
    session: Session, actor: str, what: str, file_name: str, rows: int, reason: str, entity: str, entity_id: int | None
) -> None:
    """Log an export that carries whole IDs and phones (the caller has checked the admin and the reason)."""
    audit.record(
        session,
        actor,
        EXPORT_ACTION,
        entity,
        entity_id,
        after={"what": what, "file": file_name, "rows": rows},
        reason=reason,
    )


def require_export_reveal(session: Session, actor: str, reason: str) -> str:
    """For an unmasked export: the admin check (PermissionDeniedError otherwise) and the cleaned reason."""
    text = clean_reason(reason)
    authz.require(session, actor, Permission.ADMIN)
    return text
