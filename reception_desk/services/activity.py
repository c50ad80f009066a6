"""A cheap probe of "has anything changed?": every write leaves an audit entry, so its newest id tells."""

from __future__ import annotations

from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry


def last_change_id(db: Database) -> int:
    """The id of the newest audit entry (0 on an empty database)."""
    with db.read() as session:
        return int(session.scalar(select(func.max(AuditEntry.id))) or 0)
