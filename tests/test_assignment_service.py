"""Room assignment on a real database: placement, idempotence, hand-placed and checked-in batches stay."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, Room
from reception_desk.errors import InvalidInputError, StaleWriteError
from reception_desk.services import plan, registrations
from reception_desk.services.assignment import assign_day
from tests.current import batch_version
from tests.helpers import make_day, register


def _rooms_by_number(db: Database, day_id: int) -> dict[int, int]:
    return {r.number: r.id for r in plan.list_rooms(db, day_id)}


def test_assign_places_each_batch_in_a_room_of_its_theme(db: Database) -> None:
    day_id = make_day(db)
    register(db, day_id, 10, "labour")
    register(db, day_id, 6, "land", start=100)
    register(db, day_id, 2, "transport", start=200)
    report = assign_day(db, day_id, actor="张三")
    assert report.assigned == 18
    assert sum(report.rooms.values()) == 18
    assert set(report.rooms) == {1, 2, 4, 5, 8}
    assert report.rooms[4] == report.rooms[5] == 5
    rows = registrations.list_registrations(db, day_id)
    for row in rows:
        assert row.room_number is not None
        expected = {"labour": {4, 5}, "land": {1, 2}, "transport": {8}}[row.theme_code]
        assert row.room_number in expected
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "assign")) == 18


def test_running_again_changes_nothing(db: Database) -> None:
    day_id = make_day(db)
    register(db, day_id, 12, "law")
    assign_day(db, day_id)
    before = [
        (r.batch_id, r.room_number, r.queue_position, r.version) for r in registrations.list_registrations(db, day_id)
    ]
    again = assign_day(db, day_id)
    after = [
        (r.batch_id, r.room_number, r.queue_position, r.version) for r in registrations.list_registrations(db, day_id)
    ]
    assert again.assigned == 0 and again.rooms == {}
    assert before == after


def test_hand_placed_batch_is_never_moved_and_move_is_audited(db: Database) -> None:
    day_id = make_day(db)
    (batch_id,) = register(db, day_id, 1, "labour")
    rooms = _rooms_by_number(db, day_id)
    registrations.move_batch(db, batch_id, rooms[13], "来访人行动不便，就近安排", "李四", batch_version(db, batch_id))
    register(db, day_id, 4, "labour", start=10)
    assign_day(db, day_id)
    with db.read() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.room_id == rooms[13] and batch.placed_by_hand
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "move")).one()
        assert entry.actor == "李四" and entry.reason == "来访人行动不便，就近安排"
        assert entry.after is not None and entry.after["room_id"] == rooms[13]


def test_move_needs_a_reason_and_refuses_a_stale_version(db: Database) -> None:
    day_id = make_day(db)
    (batch_id,) = register(db, day_id, 1, "labour")
    rooms = _rooms_by_number(db, day_id)
    with pytest.raises(InvalidInputError):
        registrations.move_batch(db, batch_id, rooms[5], "  ", "李四", batch_version(db, batch_id))
    row = registrations.list_registrations(db, day_id)[0]
    registrations.move_batch(db, batch_id, rooms[5], "平衡人数", "李四", expected_version=row.version)
    with pytest.raises(StaleWriteError):
        registrations.move_batch(db, batch_id, rooms[4], "再调整", "王五", expected_version=row.version)
    with db.read() as s:
        batch = s.get(Batch, batch_id)
        assert batch is not None and batch.room_id == rooms[5]


def test_collective_visit_goes_to_the_large_room(db: Database) -> None:
    day_id = make_day(db)
    register(db, day_id, 1, "land", headcount=20)
    assign_day(db, day_id)
    row = registrations.list_registrations(db, day_id)[0]
    assert "collective" in row.flags
    with db.read() as s:
        capacity = s.scalar(select(Room.capacity).where(Room.day_id == day_id, Room.number == row.room_number))
    assert capacity is not None and capacity >= 20


def test_moving_an_arrived_batch_into_a_room_queues_it(db: Database) -> None:
    from reception_desk.services import flow

    day_id = make_day(db)
    (batch_id,) = register(db, day_id, 1, "civil")
    flow.check_in(db, batch_id, "前台")  # no room yet: arrived
    assert registrations.list_registrations(db, day_id)[0].status == "arrived"
    registrations.move_batch(
        db, batch_id, _rooms_by_number(db, day_id)[13], "现场安排", "前台", batch_version(db, batch_id)
    )
    row = registrations.list_registrations(db, day_id)[0]
    assert (row.status, row.room_number) == ("waiting", 13)


def test_registration_numbers_count_past_9999(db: Database) -> None:
    from reception_desk.db.models import Batch as BatchRow

    day_id = make_day(db)
    (batch_id,) = register(db, day_id, 1, "civil")
    with db.session() as s:
        row = s.get(BatchRow, batch_id)
        assert row is not None
        row.reg_no = "Y9999"
        # as a day numbered before the counters (migration 0007): its counter starts from its largest number
        s.execute(text("DELETE FROM number_counter"))
    register(db, day_id, 2, "civil", start=1)
    numbers = [r.reg_no for r in registrations.list_registrations(db, day_id)]
    assert numbers == ["Y9999", "Y10000", "Y10001"]
