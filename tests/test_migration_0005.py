"""Migration 0005 on a database holding a day checked in with day-wide ticket numbers: the numbers become per
room, by arrival; each room's counter continues after its last number; a batch without a room loses its number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from reception_desk.db.engine import Database
from reception_desk.db.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from reception_desk.db.models import Batch, table
from reception_desk.services import assignment, flow
from tests.conftest import PgSchema
from tests.helpers import make_day, old_visitor

DAY = dt.date(2026, 12, 4)
EIGHT = dt.datetime(2026, 12, 4, 0, 0)  # 08:00 in the office, naive UTC


def _upgrade_to_0004(engine: sa.Engine) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004_after_the_day")


def _old_day(db: Database) -> dict[str, int]:
    """Batches in rooms 4 and 8 checked in with one day-wide sequence (as the old code did), one arrived without
    a room holding a ticket, one still registered. Returns the batch ids by name."""
    day_id = make_day(db, DAY)
    rows = [
        # name, room, status, minutes after 08:00, old ticket
        ("甲", 8, "done", 0, 1),
        ("乙", 4, "waiting", 5, 2),
        ("丙", 8, "in_session", 10, 3),
        ("丁", 8, "waiting", 20, 5),
        ("戊", None, "arrived", 15, 4),
        ("己", 4, "waiting", 30, 6),
        ("庚", 8, "registered", None, None),
    ]
    ids: dict[str, int] = {}
    with db.engine.begin() as conn:
        theme_id = conn.execute(sa.text("SELECT id FROM theme WHERE code = 'transport'")).scalar_one()
        rooms = dict(
            conn.execute(sa.text("SELECT number, id FROM room WHERE day_id = :d"), {"d": day_id}).tuples().all()
        )
        for i, (name, room, status, minutes, ticket) in enumerate(rows):
            visitor_id = old_visitor(conn, name)
            batch = sa.insert(table(Batch)).values(
                day_id=day_id,
                reg_no=f"Y{i + 1:04d}",
                lead_visitor_id=visitor_id,
                headcount=1,
                theme_id=theme_id,
                request="反映问题",
                status=status,
                room_id=rooms[room] if room else None,
                queue_number=ticket,
                arrived_at=EIGHT + dt.timedelta(minutes=minutes) if minutes is not None else None,
            )
            ids[name] = conn.execute(batch.returning(table(Batch).c.id)).scalar_one()
    ids["day"] = day_id
    ids["room4"], ids["room8"] = rooms[4], rooms[8]
    return ids


def _check_upgraded(db: Database, ids: dict[str, int]) -> None:
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        numbers = dict(conn.execute(sa.text("SELECT id, queue_number FROM batch")).tuples().all())
        last = dict(conn.execute(sa.text("SELECT id, last_queue_number FROM room")).tuples().all())
    got = {name: numbers[ids[name]] for name in ("甲", "乙", "丙", "丁", "戊", "己", "庚")}
    assert got == {"甲": 1, "丙": 2, "丁": 3, "乙": 1, "己": 2, "戊": None, "庚": None}
    assert last[ids["room8"]] == 3 and last[ids["room4"]] == 2
    assert sum(last.values()) == 5  # every other room starts from 0

    # the services carry on from there: the next check-in in room 8 is number 4
    flow.check_in(db, ids["庚"], "登记台")
    assignment.assign_day(db, ids["day"])  # 戊 (arrived, no room) is placed in room 8 and numbered
    with db.engine.connect() as conn:
        numbers = dict(conn.execute(sa.text("SELECT id, queue_number FROM batch")).tuples().all())
    assert numbers[ids["庚"]] == 4 and numbers[ids["戊"]] == 5


def test_migration_0005_on_an_sqlite_file_with_a_checked_in_day(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        _upgrade_to_0004(db.engine)
        ids = _old_day(db)
        backup = upgrade_to_head(db.engine)
        assert backup is not None and backup.exists()
        _check_upgraded(db, ids)
    finally:
        db.dispose()


def test_migration_0005_on_postgresql_with_a_checked_in_day(pg_schema: PgSchema) -> None:
    db = Database(engine=pg_schema.engine())
    try:
        _upgrade_to_0004(db.engine)
        ids = _old_day(db)
        assert upgrade_to_head(db.engine) is None
        _check_upgraded(db, ids)
    finally:
        db.dispose()
