"""The change feed's storage half: what a unit of work wrote, by kind, published with PostgreSQL NOTIFY.

Every write goes through Database.session(), so the feed is collected there and not in the services: the UI,
the CLI, scripts and benchmarks all publish without knowing it. Rows the ORM flushes are read from the session
(ids, and the room of a batch); Core statements (bulk inserts, counters) from their parameters. What cannot be
itemised (a text() write, a bulk update without ids, reference tables) makes the change-set `full`.

The NOTIFY is sent inside the same transaction, just before COMMIT: PostgreSQL delivers it only when the
transaction commits (none on rollback), so a listener never hears of a write that did not happen. No Qt and no
services here; services/change_feed.py turns a payload into a ChangeSet.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import operators
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList, ColumnElement, TextClause

CHANNEL = "reception_desk"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; the server adds ',"at":"…"' (~45 bytes) to ours
PAYLOAD_LIMIT = 7900
KINDS = ("days", "rooms", "batches", "visitors", "cases", "departments", "users")  # = services.changes.KINDS

# table -> {column: (kind, always)}: an updated row gives its `always` columns' ids (old and new values) and the
# others' only when they changed; an inserted or deleted row gives all of them
TABLE_KINDS: dict[str, dict[str, tuple[str, bool]]] = {
    "reception_day": {"id": ("days", True)},
    "room": {"id": ("rooms", True)},
    "department": {"id": ("departments", True)},
    "theme_department": {"department_id": ("departments", True)},
    "visitor": {"id": ("visitors", True)},
    "batch": {"id": ("batches", True), "room_id": ("rooms", True)},
    "batch_member": {"batch_id": ("batches", True), "visitor_id": ("visitors", False)},
    "petition_case": {"id": ("cases", True), "batch_id": ("batches", False)},
    "case_department": {"case_id": ("cases", True)},
    "case_event": {"case_id": ("cases", True)},
    "app_user": {"id": ("users", True)},
}
# written with every operation but shown by no page from the feed (the audit page reads the log itself;
# number counters show through the rows that take a number)
IGNORED_TABLES = frozenset({"audit_log", "case_draft", "number_counter", "alembic_version", "key_holder"})
# reference data and settings, rarely written: every view reloads
FULL_TABLES = frozenset({"theme", "calendar_year", "calendar_day", "app_setting"})

_WRITE_SQL = re.compile(r"^\s*(WITH|INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY)\b", re.IGNORECASE)
_COLLECTOR = "reception_desk_change_collector"
OPTION = _COLLECTOR  # the execution option that carries a unit of work's Collected to its Core statements


@dataclass
class Collected:
    """What one unit of work wrote so far: ids by kind, whether it was all itemised, who did it."""

    kind_ids: dict[str, set[int]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    full: bool = False
    actor: str | None = None
    flushing: bool = False

    def add(self, kind: str, values: Iterable[Any]) -> None:
        """Note ids of one kind (None and non-integers are skipped)."""
        self.kind_ids[kind].update(int(v) for v in values if isinstance(v, int) and not isinstance(v, bool))

    def __bool__(self) -> bool:
        return self.full or any(self.kind_ids.values())


def _collector(session: Session) -> Collected | None:
    found = session.info.get(_COLLECTOR)
    return found if isinstance(found, Collected) else None


def begin(session: Session) -> Collected:
    """Start collecting for a unit of work; pass `OPTION: collected` in its connection's execution options."""
    collected = Collected()
    session.info[_COLLECTOR] = collected
    return collected


def end(session: Session) -> None:
    """Stop collecting (the connection's execution options end with the unit of work)."""
    session.info.pop(_COLLECTOR, None)


# ---- ORM rows, read in the flush --------------------------------------------------------------------------------


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    collected = _collector(session)
    if collected is not None:
        collected.flushing = True


def _after_flush(session: Session, _context: Any) -> None:
    collected = _collector(session)
    if collected is None:
        return
    for obj in session.new:
        _note_row(collected, obj, "insert")
    for obj in session.deleted:
        _note_row(collected, obj, "delete")
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _note_row(collected, obj, "update")


def _after_flush_postexec(session: Session, _context: Any) -> None:
    collected = _collector(session)
    if collected is not None:
        collected.flushing = False


def _note_row(collected: Collected, obj: Any, change: str) -> None:
    state = inspect(obj)
    table = state.mapper.local_table
    name = getattr(table, "name", "")
    if name == "audit_log":
        collected.actor = collected.actor or getattr(obj, "actor", None)
        return
    spec = _spec(collected, name)
    if not spec:
        return
    for column, (kind, always) in spec.items():
        key = state.mapper.get_property_by_column(table.c[column]).key
        history = state.attrs[key].history
        if change != "update" or always:
            collected.add(kind, [state.dict.get(key), *history.deleted])
        elif history.added or history.deleted:
            collected.add(kind, [*history.added, *history.deleted])


def _spec(collected: Collected, table: str) -> dict[str, tuple[str, bool]]:
    if table in IGNORED_TABLES:
        return {}
    spec = TABLE_KINDS.get(table)
    if spec is None:  # reference data, or a table this feed does not know yet: every view reloads
        collected.full = True
        return {}
    return spec


# ---- Core statements (bulk inserts, counters), read from their parameters -----------------------------------


def _after_execute(
    conn: Connection,
    clauseelement: Any,
    multiparams: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    _options: Any,
    _result: Any,
) -> None:
    collected = conn.get_execution_options().get(OPTION)
    if not isinstance(collected, Collected) or collected.flushing:
        return
    if isinstance(clauseelement, TextClause):
        if _WRITE_SQL.match(clauseelement.text):
            collected.full = True  # a write in plain SQL: its rows are not known
        return
    if not isinstance(clauseelement, Insert | Update | Delete):
        return
    rows = list(multiparams) or [params or {}]
    _note_statement(collected, clauseelement, rows)


def _note_statement(collected: Collected, stmt: Insert | Update | Delete, rows: list[Mapping[str, Any]]) -> None:
    table = stmt.table
    name = getattr(table, "name", "")
    if name == "audit_log" and isinstance(stmt, Insert):
        collected.actor = collected.actor or next((r.get("actor") for r in rows if r.get("actor")), None)
        return
    spec = _spec(collected, name)
    if not spec:
        return
    set_values: dict[str, Any] = {}
    values = getattr(stmt, "_values", None) or {}
    for col, value in values.items():
        set_values[getattr(col, "key", str(col))] = value
    where = getattr(stmt, "whereclause", None)
    for column, (kind, always) in spec.items():
        found: list[Any] = []
        known = False
        if column in set_values:
            known, found = _bound_values(set_values[column], rows, column)
        elif isinstance(stmt, Insert):
            known = all(column in r for r in rows)
            found = [r.get(column) for r in rows]
        if not isinstance(stmt, Insert) and where is not None:
            in_where, from_where = _where_values(where, column, rows)
            known, found = known or in_where, found + from_where
        if known:
            collected.add(kind, found)
        elif always:
            collected.full = True  # e.g. an update of many batches by a condition: which ones is not known
            return


def _bound_values(value: Any, rows: list[Mapping[str, Any]], column: str) -> tuple[bool, list[Any]]:
    if isinstance(value, BindParameter):
        if value.value is not None or value.callable is not None:
            return True, list(value.value) if isinstance(value.value, list | tuple) else [value.effective_value]
        key = value.key
        if all(key in r for r in rows):
            return True, [r[key] for r in rows]
        if all(column in r for r in rows):
            return True, [r[column] for r in rows]
        return False, []
    if isinstance(value, ColumnElement):
        return False, []  # an expression (counter + 1): no id of a kind
    return True, [value]


def _where_values(clause: Any, column: str, rows: list[Mapping[str, Any]]) -> tuple[bool, list[Any]]:
    """Ids a WHERE clause pins the column to (column = value, column IN (...)), through AND."""
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        known, found = False, list[Any]()
        for part in clause.clauses:
            k, f = _where_values(part, column, rows)
            known, found = known or k, found + f
        return known, found
    pins = isinstance(clause, BinaryExpression) and clause.operator in (operators.eq, operators.in_op)
    if pins and getattr(clause.left, "key", None) == column:
        return _bound_values(clause.right, rows, column)
    return False, []


# ---- publishing -------------------------------------------------------------------------------------------------


def channel_for(schema: str | None) -> str:
    """The NOTIFY channel of a database schema: one per schema, so parallel test schemas never cross-talk."""
    if not schema or schema == "public":
        return CHANNEL
    name = f"{CHANNEL}_{schema}"
    if len(name.encode()) > 63:  # PostgreSQL truncates identifiers to 63 bytes
        name = f"{CHANNEL}_{hashlib.sha1(schema.encode()).hexdigest()[:16]}"
    return name


def payload(collected: Collected, origin: str) -> str:
    """The JSON sent (without "at", which the server adds): ids by kind, or full when too big for a NOTIFY."""
    kind_ids = {kind: sorted(ids) for kind, ids in collected.kind_ids.items() if ids}
    body: dict[str, Any] = {"kind_ids": {} if collected.full else kind_ids, "by": collected.actor}
    body["full"] = collected.full
    body["origin"] = origin
    text_ = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if len(text_.encode()) > PAYLOAD_LIMIT:
        body["kind_ids"], body["full"] = {}, True
        text_ = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return text_


_NOTIFY = text(
    "SELECT pg_notify(:channel, :head || "
    "to_char(timezone('UTC', statement_timestamp()), 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') || '\"}')"
)


def publish(session: Session, channel: str, origin: str) -> bool:
    """Flush, then NOTIFY what the unit of work wrote (sent by PostgreSQL at COMMIT); False when nothing was."""
    session.flush()
    collected = _collector(session)
    if collected is None or not collected:
        return False
    head = payload(collected, origin)[:-1] + ',"at":"'
    session.execute(_NOTIFY, {"channel": channel, "head": head})
    return True


def install(sessions: sessionmaker[Session], engine: Engine) -> None:
    """Hook the collection into a Database's session factory and engine."""
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "after_flush_postexec", _after_flush_postexec)
    event.listen(engine, "after_execute", _after_execute)
