"""The change feed's reading half: notifications as ChangeSets, and a follower for scripts (`reception-desk watch`).

On PostgreSQL every committed write arrives as a NOTIFY (see db/change_feed.py); on SQLite, one laptop's file,
the follower polls the audit log, which every write adds to, and itemises what the new entries name.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry
from reception_desk.services.changes import KINDS, ChangeSet

log = logging.getLogger(__name__)

FIRST_RETRY = 0.5  # seconds before the first reconnection; doubles up to LAST_RETRY
LAST_RETRY = 10.0
POLL_SECONDS = 0.5  # SQLite: how often the follower looks at the audit log

# logged looks that change nothing (a whole number shown, an unmasked export): no page reloads for them
LOOK_ONLY_ACTIONS = frozenset({"unmask", "export_unmasked"})
# audit entries' entity -> kind (SQLite follower)
ENTITY_KINDS = {
    "reception_day": "days",
    "day": "days",
    "room": "rooms",
    "batch": "batches",
    "visitor": "visitors",
    "case": "cases",
    "petition_case": "cases",
    "department": "departments",
    "user": "users",
    "app_user": "users",
}


@dataclass(frozen=True)
class FeedEvent:
    """One committed write (or a resync): what changed, who wrote it, when (server time), from which Database."""

    changes: ChangeSet
    by: str | None
    at: str | None
    origin: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The line `reception-desk watch --json` prints."""
        kind_ids = {k: sorted(getattr(self.changes, k)) for k in KINDS if getattr(self.changes, k)}
        return {"kind_ids": kind_ids, "by": self.by, "at": self.at, "full": self.changes.full}


def parse(payload: str) -> FeedEvent:
    """A NOTIFY payload as an event; an unreadable one asks for a full reload rather than being dropped."""
    try:
        data = json.loads(payload)
        kind_ids = data.get("kind_ids") or {}
        changes = ChangeSet(full=bool(data.get("full")))
        for kind in KINDS:
            getattr(changes, kind).update(int(i) for i in kind_ids.get(kind, ()))
        return FeedEvent(changes, data.get("by"), data.get("at"), data.get("origin"))
    except (ValueError, TypeError, AttributeError):
        log.warning("unreadable change notification (%d bytes)", len(payload))
        return FeedEvent(ChangeSet.everything(), None, None)


def resync_event() -> FeedEvent:
    """What a follower reports after a reconnection: anything may have changed meanwhile."""
    return FeedEvent(ChangeSet.everything(), None, _now_iso())


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def conninfo(db: Database) -> str:
    """A libpq URL for a listening connection to the same server and database as the Database's engine."""
    return make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)


def follow(
    db: Database, stop: Callable[[], bool] = lambda: False, on_state: Callable[[bool], None] | None = None
) -> Iterator[FeedEvent]:
    """Every committed write as it arrives, until stop() is true (checked about once a second).

    PostgreSQL: LISTEN on the database's channel; a dropped connection is retried with back-off (0.5 s doubling to
    10 s) and, once back, one full event stands for whatever happened meanwhile. on_state(False/True) reports a
    drop and a reconnection. SQLite: polls the audit log.
    """
    if db.dialect == "postgresql":
        yield from _follow_postgresql(db, stop, on_state)
    else:
        yield from _follow_audit(db, stop)


def _follow_postgresql(
    db: Database, stop: Callable[[], bool], on_state: Callable[[bool], None] | None
) -> Iterator[FeedEvent]:
    import psycopg
    from psycopg import sql

    channel = db.change_channel()
    delay, lost = FIRST_RETRY, False
    while not stop():
        try:
            with psycopg.connect(conninfo(db), autocommit=True, connect_timeout=5) as conn:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                if lost:
                    lost = False
                    if on_state is not None:
                        on_state(True)
                    yield resync_event()
                delay = FIRST_RETRY
                while not stop():
                    for note in conn.notifies(timeout=1.0):
                        yield parse(note.payload)
        except psycopg.OperationalError as exc:
            log.warning("change feed connection lost: %s", str(exc).strip().splitlines()[0] if str(exc) else exc)
            if not lost:
                lost = True
                if on_state is not None:
                    on_state(False)
            time.sleep(delay)
            delay = min(delay * 2, LAST_RETRY)


def _follow_audit(db: Database, stop: Callable[[], bool]) -> Iterator[FeedEvent]:
    with db.read() as session:
        last = int(session.scalar(select(func.max(AuditEntry.id))) or 0)
    while not stop():
        with db.read() as session:
            rows = session.execute(
                select(
                    AuditEntry.id,
                    AuditEntry.actor,
                    AuditEntry.at,
                    AuditEntry.entity,
                    AuditEntry.entity_id,
                    AuditEntry.action,
                )
                .where(AuditEntry.id > last)
                .order_by(AuditEntry.id)
            ).all()
        if not rows:
            time.sleep(POLL_SECONDS)
            continue
        last = rows[-1].id
        changes = ChangeSet()
        for row in rows:
            if row.action in LOOK_ONLY_ACTIONS:
                continue
            kind = ENTITY_KINDS.get(row.entity)
            if kind is None or row.entity_id is None:
                changes.full = True
            else:
                getattr(changes, kind).add(row.entity_id)
        at = rows[-1].at.replace(tzinfo=dt.UTC).isoformat() if rows[-1].at else None
        yield FeedEvent(changes, rows[-1].actor, at)
