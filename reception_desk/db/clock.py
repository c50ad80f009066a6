"""The time shared rows are stamped with: the database server's clock on PostgreSQL, not the laptop's.

Sixteen laptops at the venue have sixteen clocks; one set wrong would stamp its check-ins hours early or late and
reorder everything sorted by arrival (the board's 已到达 list, the call screen). The server's clock is the one
they share. SQLite is one laptop's own file: its clock is the only one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from reception_desk.db.models import utcnow

_SERVER_NOW = text("SELECT timezone('UTC', statement_timestamp())")


def server_now(session: Session) -> dt.datetime:
    """Now, naive UTC as stored: the PostgreSQL server's clock, else (SQLite) this computer's."""
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(_SERVER_NOW)
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
    return utcnow()
