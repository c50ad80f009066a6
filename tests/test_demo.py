"""The demo day: a complete, plausible day after the 2006 Qujiang reception day, the same for the same seed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import (
    Batch,
    BatchMember,
    Case,
    CaseDepartment,
    Department,
    ReceptionDay,
    Room,
    Theme,
    Visitor,
)
from reception_desk.domain import phone, resident_id
from reception_desk.domain.case_numbers import parse_case_number
from reception_desk.domain.deadlines import Colour, due_date
from reception_desk.domain.room_plan import TOWNSHIPS
from reception_desk.domain.themes import THEMES
from reception_desk.services import demo
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.holiday_calendar import day_calendar_in

DAY = dt.date(2026, 12, 4)
LOCAL = dt.timedelta(hours=8)


def _local_time(value: dt.datetime | None) -> dt.time | None:
    return (value + LOCAL).time() if value is not None else None


def digest(db: Database, day_id: int) -> str:
    """A fingerprint of a day's registrations, people, flow and cases (no database ids in it)."""
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        assert day is not None
        rooms = {r.id: (r.number, r.host) for r in session.scalars(select(Room).where(Room.day_id == day_id))}
        themes = {t.id: t.code for t in session.scalars(select(Theme))}
        depts = {d.id: d.name for d in session.scalars(select(Department))}
        batches = list(session.scalars(select(Batch).where(Batch.day_id == day_id).order_by(Batch.reg_no)))
        reg_no = {b.id: b.reg_no for b in batches}
        data: dict[str, object] = {
            "day": [day.title, day.venue, day.leaders, str(day.date)],
            "rooms": sorted(rooms.values()),
        }
        people = []
        for b in batches:
            members = session.execute(
                select(Visitor.name, Visitor.id_number, Visitor.phone, BatchMember.checked_in_at)
                .join(BatchMember, BatchMember.visitor_id == Visitor.id)
                .where(BatchMember.batch_id == b.id)
                .order_by(BatchMember.position)
            ).all()
            people.append(
                [
                    b.reg_no,
                    b.headcount,
                    themes[b.theme_id],
                    b.request,
                    b.township,
                    b.village,
                    b.source,
                    b.status,
                    list(b.flags),
                    rooms[b.room_id][0] if b.room_id else None,
                    b.queue_position,
                    b.queue_number,
                    *(str(t) for t in (b.registered_at, b.arrived_at, b.started_at, b.finished_at)),
                    [[n, i, p, str(t)] for n, i, p, t in members],
                ]
            )
        data["batches"] = people
        case_rows = []
        for c in session.scalars(select(Case).where(Case.day_id == day_id).order_by(Case.case_no)):
            co = session.scalars(
                select(CaseDepartment.department_id).where(CaseDepartment.case_id == c.id).order_by(CaseDepartment.rank)
            )
            case_rows.append(
                [
                    c.case_no,
                    reg_no[c.batch_id],
                    c.request,
                    c.instruction,
                    c.outcome,
                    c.colour,
                    str(c.due_date),
                    depts.get(c.lead_department_id or 0),
                    [depts[d] for d in co],
                    str(c.recorded_at),
                ]
            )
        data["cases"] = case_rows
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _fresh_sqlite(path: Path) -> Database:
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database.engine)
    return database


def test_demo_day_is_complete_and_plausible(db: Database) -> None:
    info = demo.create_demo_day(db, seed=2006, date=DAY)

    assert info.date == DAY and "接访日" in info.title and "工贸职校" in info.venue and "区委书记" in info.leaders
    with db.read() as session:
        rooms = list(session.scalars(select(Room).where(Room.day_id == info.id).order_by(Room.number)))
        assert [r.number for r in rooms] == list(range(1, 16))
        assert all(r.host and " " in r.host for r in rooms)
        assert len({r.host for r in rooms}) == 15

        batches = list(session.scalars(select(Batch).where(Batch.day_id == info.id)))
        assert 150 <= len(batches) <= 180
        assert sum(b.headcount for b in batches) >= 300
        assert sum(1 for b in batches if b.headcount >= 5) >= 5  # collective visits
        assert Counter(b.source for b in batches)["walk_in"] >= 3
        assert {b.township for b in batches} <= set(TOWNSHIPS)
        assert all(b.village for b in batches)
        themes = {t.id: t.code for t in session.scalars(select(Theme))}
        assert {themes[b.theme_id] for b in batches} == {t.code for t in THEMES}
        assert all(b.room_id is not None for b in batches)

        # resident IDs: all valid except the intentionally flagged one; phones are mobiles
        flagged = {b.id for b in batches if "id_to_check" in b.flags}
        assert flagged and any("duplicate" in b.flags for b in batches)
        rows = session.execute(
            select(Visitor, BatchMember.batch_id).join(BatchMember, BatchMember.visitor_id == Visitor.id)
        ).all()
        assert len({v.id for v, _ in rows}) >= 250
        for visitor, batch_id in rows:
            if visitor.id_number is None:
                continue
            assert resident_id.is_valid(visitor.id_number) == visitor.id_valid
            assert visitor.id_valid or batch_id in flagged, visitor.name
            assert visitor.id_number[:6] in {"330803", "330802", "330881", "330822", "330824", "330825"}
            if visitor.phone:
                parsed = phone.normalize(visitor.phone)
                assert parsed is not None and parsed.kind is phone.PhoneKind.MOBILE
        assert sum(1 for v, _ in rows if v.id_number and not v.id_valid) >= 1

        # the flow at 14:30: about half done, one in session in most rooms, some waiting, some not here yet
        status = Counter(b.status for b in batches)
        assert {"done", "in_session", "waiting", "registered", "no_show"} <= set(status)
        assert len(batches) * 0.35 <= status["done"] <= len(batches) * 0.65
        in_session_rooms = Counter(b.room_id for b in batches if b.status == "in_session")
        assert len(in_session_rooms) >= 8 and max(in_session_rooms.values()) == 1
        by_room: dict[int | None, list[tuple[object, int]]] = {}
        for b in batches:
            if b.queue_number is not None:
                by_room.setdefault(b.room_id, []).append((b.arrived_at, b.queue_number))
        assert None not in by_room and len(by_room) >= 8  # 排队号 count within each room, from 1, by arrival
        for tickets in by_room.values():
            assert [n for _, n in sorted(tickets)] == list(range(1, len(tickets) + 1))
        for b in batches:
            for moment in (b.arrived_at, b.started_at, b.finished_at):
                at = _local_time(moment)
                assert at is None or dt.time(7, 50) <= at <= dt.time(14, 30)
            if b.status in ("done", "in_session"):
                assert b.arrived_at and b.started_at and b.arrived_at <= b.started_at
            if b.status == "done":
                assert b.finished_at and b.started_at and b.started_at < b.finished_at
        assert sum(1 for b in batches if b.status == "waiting" and b.queue_number is not None) >= 5
        checked = session.execute(
            select(BatchMember.checked_in_at, Batch.status).join(Batch, Batch.id == BatchMember.batch_id)
        ).all()
        assert any(t is None and s in ("waiting", "in_session", "done") for t, s in checked)  # per-person

        # cases: one per finished batch, all colours and outcomes, several departments, co-departments
        cases = list(session.scalars(select(Case).where(Case.day_id == info.id)))
        assert len(cases) == status["done"]
        assert {c.colour for c in cases} >= {"green", "yellow", "red"}
        assert {c.outcome for c in cases} == {"resolved", "handed_over", "explained"}
        assert len({c.lead_department_id for c in cases if c.lead_department_id}) >= 5
        assert (session.scalar(select(func.count()).select_from(CaseDepartment)) or 0) >= 5
        room_numbers = {r.id: r.number for r in rooms}
        day = session.get_one(ReceptionDay, info.id)
        calendar = day_calendar_in(session, day)  # working days on the office calendar by default
        for c in cases:
            number = parse_case_number(c.case_no)
            assert number.day == DAY and number.room == room_numbers[c.room_id or 0]
            assert c.instruction
            if c.outcome == "handed_over":
                assert c.lead_department_id is not None and c.colour is not None
            assert c.due_date == (due_date(DAY, Colour(c.colour), calendar) if c.colour else None)
        per_room = Counter(c.room_id for c in cases)
        for room_id, count in per_room.items():
            sequences = sorted(parse_case_number(c.case_no).sequence for c in cases if c.room_id == room_id)
            assert sequences == list(range(1, count + 1))


def test_same_seed_gives_the_same_day_and_another_seed_differs(db: Database, tmp_path: Path) -> None:
    first = demo.create_demo_day(db, seed=2006, date=DAY)
    twin_db = _fresh_sqlite(tmp_path / "twin.sqlite3")
    other_db = _fresh_sqlite(tmp_path / "other.sqlite3")
    try:
        twin = demo.create_demo_day(twin_db, seed=2006, date=DAY)
        other = demo.create_demo_day(other_db, seed=2007, date=DAY)
        assert digest(db, first.id) == digest(twin_db, twin.id)
        assert digest(db, first.id) != digest(other_db, other.id)
        assert demo.demo_summary(db, first.id) == demo.demo_summary(twin_db, twin.id)
    finally:
        twin_db.dispose()
        other_db.dispose()


def test_a_second_demo_day_reuses_the_same_people_and_dates_are_unique(db: Database) -> None:
    demo.create_demo_day(db, seed=2006, date=DAY)
    with db.read() as session:
        people = session.scalar(select(func.count(Visitor.id)))
    later = demo.create_demo_day(db, seed=2006, date=DAY + dt.timedelta(days=7))
    summary = demo.demo_summary(db, later.id)
    assert summary["batches"] == 167 and summary["cases"] > 0
    with db.read() as session:
        assert session.scalar(select(func.count(Visitor.id))) == people  # repeat visitors, not new rows
    with pytest.raises(InvalidInputError, match="已经存在"):
        demo.create_demo_day(db, seed=1, date=DAY)
