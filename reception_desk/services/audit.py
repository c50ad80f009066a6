"""The audit log: every change, with who, when, what, before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from reception_desk.db.models import AuditEntry, Base

SYSTEM = "system"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def snapshot(row: Base, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The columns of a row as JSON-ready values."""
    names = fields if fields is not None else [c.key for c in row.__table__.columns]
    return {name: _plain(getattr(row, name)) for name in names}


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add one audit entry in the caller's transaction (returned: flush to learn its id)."""
    entry = AuditEntry(
        actor=actor or SYSTEM,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        reason=reason,
    )
    session.add(entry)
    return entry


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add many audit entries at once (bulk operations: import, assignment)."""
    if rows:
        session.execute(insert(AuditEntry), rows)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
