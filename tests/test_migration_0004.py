"""Migration 0004 on a database that already holds cases from before: cases resolved on the spot or explained
become closed with 化解, handed-over cases keep their events and co-departments, the calendar is seeded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command

from reception_desk.db.engine import Database
from reception_desk.db.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from reception_desk.db.models import Batch, table
from reception_desk.services import cases
from reception_desk.services.case_life import case_events
from reception_desk.services.holiday_calendar import year_schedule
from tests.conftest import PgSchema
from tests.helpers import make_day, old_visitor

DAY = dt.date(2026, 9, 30)
RECORDED = dt.datetime(2026, 9, 30, 2, 15)  # naive UTC

# the tables as revision 0003 had them (only the columns written here)
OLD_CASE = sa.table(
    "petition_case",
    sa.column("id", sa.Integer),
    sa.column("case_no", sa.String),
    sa.column("day_id", sa.Integer),
    sa.column("batch_id", sa.Integer),
    sa.column("room_id", sa.Integer),
    sa.column("request", sa.Text),
    sa.column("instruction", sa.Text),
    sa.column("outcome", sa.String),
    sa.column("colour", sa.String),
    sa.column("lead_department_id", sa.Integer),
    sa.column("due_date", sa.Date),
    sa.column("status", sa.String),
    sa.column("recorded_by", sa.String),
    sa.column("recorded_at", sa.DateTime),
    sa.column("signed_at", sa.DateTime),
    sa.column("signed_by", sa.String),
    sa.column("supervised", sa.Boolean),
)
OLD_EVENT = sa.table(
    "case_event",
    sa.column("case_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("at", sa.DateTime),
    sa.column("actor", sa.String),
    sa.column("department_id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("data", sa.JSON),
)
OLD_CO = sa.table(
    "case_department", sa.column("case_id", sa.Integer), sa.column("department_id", sa.Integer), sa.column("rank")
)


def _upgrade_to_0003(engine: sa.Engine) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_drafts")


def _old_cases(db: Database) -> dict[str, Any]:
    """A day with three batches and, written as the old code did, a resolved, an explained and a handed-over
    case (signed, with an event and two co-departments). Returns the ids."""
    day_id = make_day(db, DAY)
    with db.engine.begin() as conn:
        # visitors and batches through Core (today's services would already look at the new columns)
        theme_id = conn.execute(sa.text("SELECT id FROM theme WHERE code = 'labour'")).scalar_one()
        room_id = conn.execute(
            sa.text("SELECT id FROM room WHERE day_id = :d AND number = 4"), {"d": day_id}
        ).scalar_one()
        batches = []
        for i in range(3):
            visitor_id = old_visitor(conn, f"老案{i}")
            batch = sa.insert(table(Batch)).values(
                day_id=day_id,
                reg_no=f"Y{i + 1:04d}",
                lead_visitor_id=visitor_id,
                headcount=1,
                theme_id=theme_id,
                request="反映问题",
                status="done",
                room_id=room_id,
            )
            batches.append(conn.execute(batch.returning(table(Batch).c.id)).scalar_one())
        depts = dict(conn.execute(sa.text("SELECT name, id FROM department")).tuples().all())
        rooms = dict.fromkeys(batches, room_id)
        hrss, town, medical = depts["人力资源和社会保障局"], depts["云溪乡"], depts["医疗保障局"]
        common = {"day_id": day_id, "instruction": "", "recorded_by": "记录员", "recorded_at": RECORDED}
        common |= {"signed_by": "", "supervised": False, "request": "反映问题"}
        rows = [
            {"case_no": "JF-20260930-04-001", "outcome": "resolved", "colour": None, "lead_department_id": None},
            {"case_no": "JF-20260930-04-002", "outcome": "explained", "colour": None, "lead_department_id": None},
            {"case_no": "JF-20260930-04-003", "outcome": "handed_over", "colour": "red", "lead_department_id": hrss},
        ]
        ids = []
        for row, batch_id in zip(rows, batches, strict=True):
            handed = row["outcome"] == "handed_over"
            values = common | row | {"batch_id": batch_id, "room_id": rooms[batch_id]}
            values |= {
                "due_date": dt.date(2026, 10, 7) if handed else None,  # the old code counted natural days
                "status": "signed" if handed else "open",  # the old code left every case open
                "signed_at": RECORDED + dt.timedelta(hours=5) if handed else None,
                "signed_by": "人社局 张科长" if handed else "",
            }
            ids.append(conn.execute(sa.insert(OLD_CASE).values(values).returning(OLD_CASE.c.id)).scalar_one())
        handed_id = ids[2]
        conn.execute(
            sa.insert(OLD_EVENT).values(
                case_id=handed_id,
                kind="signed",
                at=RECORDED + dt.timedelta(hours=5),
                actor="人社局 张科长",
                department_id=hrss,
                text="",
                data={},
            )
        )
        conn.execute(
            sa.insert(OLD_CO),
            [
                {"case_id": handed_id, "department_id": town, "rank": 0},
                {"case_id": handed_id, "department_id": medical, "rank": 1},
            ],
        )
    return {"resolved": ids[0], "explained": ids[1], "handed": handed_id, "day_id": day_id}


def _check_upgraded(db: Database, ids: dict[str, Any]) -> None:
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        got = {
            r.id: r
            for r in conn.execute(
                sa.text(
                    "SELECT id, status, closed_at, resolved, due_date, original_due_date, signed_by, escalated, "
                    "supervised_by FROM petition_case"
                )
            )
        }
    resolved, explained, handed = got[ids["resolved"]], got[ids["explained"]], got[ids["handed"]]
    assert resolved.status == "closed" and bool(resolved.resolved) is True and resolved.resolved == 1
    assert explained.status == "closed" and explained.resolved is not None and not explained.resolved
    assert handed.status == "signed" and handed.resolved is None and handed.closed_at is None
    assert handed.signed_by == "人社局 张科长" and not handed.escalated and handed.supervised_by == ""

    # read back through the models: times, dates and the kept history
    resolved_detail = cases.case_detail(db, ids["resolved"])
    assert resolved_detail.closed_at == RECORDED and resolved_detail.resolved is True
    assert cases.case_detail(db, ids["explained"]).closed_at == RECORDED
    detail = cases.case_detail(db, ids["handed"])
    assert detail.due_date == detail.original_due_date == dt.date(2026, 10, 7)
    assert detail.co_departments == ("云溪乡", "医疗保障局")
    assert [(e.kind, e.by, e.department) for e in case_events(db, ids["handed"])] == [
        ("signed", "人社局 张科长", "人力资源和社会保障局")
    ]

    schedule = year_schedule(db, 2026)
    assert schedule.scheduled and schedule.source == "package"
    national = [e.date for e in schedule.entries if e.note == "国庆节" and e.kind == "holiday"]
    assert national == [dt.date(2026, 10, d) for d in range(1, 8)]
    assert dt.date(2026, 10, 10) in {e.date for e in schedule.entries if e.kind == "workday"}


def test_migration_0004_on_an_sqlite_file_with_old_cases(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = Database(f"sqlite:///{path}")
    try:
        _upgrade_to_0003(db.engine)
        assert current_revision(db.engine) == "0003_drafts"
        ids = _old_cases(db)
        backup = upgrade_to_head(db.engine)
        assert backup is not None and backup.exists()  # the file held data: a copy was taken first
        _check_upgraded(db, ids)
    finally:
        db.dispose()


def test_migration_0004_on_postgresql_with_old_cases(pg_schema: PgSchema) -> None:
    db = Database(engine=pg_schema.engine())
    try:
        _upgrade_to_0003(db.engine)
        ids = _old_cases(db)
        assert upgrade_to_head(db.engine) is None  # no file to copy
        _check_upgraded(db, ids)
    finally:
        db.dispose()
