"""排队号 per room and 撤销签到, on both databases: numbers count within a room, are never given twice (moves,
undo), the queue follows them, 前面还有 N 批 after moves, and undo is audited with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, BatchMember, Room
from reception_desk.services import assignment, board, days, flow, room_queue
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration, move_batch
from tests.current import batch_version

DAY = dt.date(2026, 12, 4)


def _day(db: Database) -> int:
    info, _ = days.create_day(db, DAY)
    return info.id


def _register(db: Database, day_id: int, name: str, theme: str = "transport", companions: int = 0) -> int:
    data = RegistrationInput(
        lead=PersonInput(name),
        request=f"{name}反映问题。",
        theme_code=theme,
        companions=[PersonInput(f"{name}同行{i}") for i in range(1, companions + 1)],
    )
    batch_id, _ = add_registration(db, day_id, data)
    return batch_id


def _rooms(db: Database, day_id: int) -> dict[int, int]:
    with db.read() as session:
        return dict(session.execute(select(Room.number, Room.id).where(Room.day_id == day_id)).tuples().all())


def _numbers(db: Database) -> dict[int, tuple[int | None, int | None, str]]:
    """batch id → (room number, queue number, status)."""
    with db.read() as session:
        rows = session.execute(
            select(Batch.id, Room.number, Batch.queue_number, Batch.status).outerjoin(Room, Room.id == Batch.room_id)
        ).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _last_number(db: Database, room_id: int) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(Room.last_queue_number).where(Room.id == room_id)).scalar_one())


def test_numbers_count_within_each_room(db: Database) -> None:
    day_id = _day(db)
    transport = [_register(db, day_id, f"交通{i}") for i in range(3)]  # room 8
    labour = [_register(db, day_id, f"劳动{i}", theme="labour") for i in range(2)]  # rooms 4 and 5
    assignment.assign_day(db, day_id)
    for batch_id in (transport[0], labour[0], transport[1], labour[1], transport[2]):
        info, _ = flow.check_in(db, batch_id, "登记台")
    numbers = _numbers(db)
    assert [numbers[b][:2] for b in transport] == [(8, 1), (8, 2), (8, 3)]
    assert {numbers[b][1] for b in labour} == {1}  # each of rooms 4 and 5 starts at 1
    assert info.queue_number == 3 and info.room_number == 8
    assert _last_number(db, _rooms(db, day_id)[8]) == 3
    cards = [board.desk_card(db, b) for b in transport]
    assert [c.ahead for c in cards] == [0, 1, 2]


def test_moving_a_waiting_batch_gives_the_next_number_there_and_never_reuses_the_old(db: Database) -> None:
    day_id = _day(db)
    rooms = _rooms(db, day_id)
    a, b, c = (_register(db, day_id, n) for n in ("甲", "乙", "丙"))  # room 8
    assignment.assign_day(db, day_id)
    for batch_id in (a, b, c):
        flow.check_in(db, batch_id, "登记台")
    other = _register(db, day_id, "丁", theme="agriculture")  # room 7
    assignment.assign_day(db, day_id)
    flow.check_in(db, other, "登记台")

    move_batch(db, a, rooms[7], "来访人要求换到农林水利接待室", "登记台", batch_version(db, a))
    numbers = _numbers(db)
    assert numbers[a] == (7, 2, "waiting")  # behind 丁 (第7接待室 1号)
    assert numbers[b][1] == 2 and numbers[c][1] == 3  # the others in room 8 keep theirs
    assert board.desk_card(db, a).ahead == 1
    assert [board.desk_card(db, x).ahead for x in (b, c)] == [0, 1]  # one batch fewer before them

    late = _register(db, day_id, "戊")
    assignment.assign_day(db, day_id)
    flow.check_in(db, late, "登记台")
    assert _numbers(db)[late][1] == 4  # room 8's number 1 (甲's old one) is not given again

    move_batch(db, a, rooms[8], "又调回", "登记台", batch_version(db, a))
    assert _numbers(db)[a] == (8, 5, "waiting")  # back in room 8 as its newest
    with db.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "move", AuditEntry.entity_id == a).order_by(AuditEntry.id)
        ).first()
        assert entry is not None and entry.before is not None and entry.after is not None
        assert (entry.before["queue_number"], entry.after["queue_number"]) == (1, 2)


def test_a_registered_batch_moved_has_no_number_until_check_in(db: Database) -> None:
    day_id = _day(db)
    rooms = _rooms(db, day_id)
    batch_id = _register(db, day_id, "甲")
    assignment.assign_day(db, day_id)
    move_batch(db, batch_id, rooms[3], "调整", "登记台", batch_version(db, batch_id))
    assert _numbers(db)[batch_id] == (3, None, "registered")
    flow.check_in(db, batch_id, "登记台")
    assert _numbers(db)[batch_id] == (3, 1, "waiting")


def test_an_arrived_batch_gets_its_number_when_placed(db: Database) -> None:
    day_id = _day(db)
    rooms = _rooms(db, day_id)
    first, second = _register(db, day_id, "甲"), _register(db, day_id, "乙")
    flow.check_in(db, first, "登记台")
    flow.check_in(db, second, "登记台")
    assert _numbers(db)[first] == (None, None, "arrived")  # no room: no number yet
    move_batch(db, second, rooms[8], "先安排", "登记台", batch_version(db, second))
    assignment.assign_day(db, day_id)
    numbers = _numbers(db)
    assert numbers[second] == (8, 1, "waiting") and numbers[first] == (8, 2, "waiting")
    with db.read() as session:
        placed = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "assign", AuditEntry.entity_id == first)
        ).one()
        assert placed.after is not None and placed.after["queue_number"] == 2


def test_the_room_calls_by_number_and_a_returned_batch_keeps_its_place(db: Database) -> None:
    day_id = _day(db)
    rooms = _rooms(db, day_id)
    a, b, c = (_register(db, day_id, n) for n in ("甲", "乙", "丙"))
    assignment.assign_day(db, day_id)
    late_in_other_room = _register(db, day_id, "丁", theme="agriculture")
    assignment.assign_day(db, day_id)
    at = dt.datetime(2026, 12, 4, 1, 0)
    flow.check_in(db, late_in_other_room, "登记台")  # arrives first, in room 7
    for i, batch_id in enumerate((a, b, c)):
        with db.session() as session:
            flow.check_in_in(session, session.get(Batch, batch_id), "登记台", at=at + dt.timedelta(minutes=i + 1))  # type: ignore[arg-type]
    # earliest arrival, but number 4 in room 8
    move_batch(db, late_in_other_room, rooms[8], "调整", "登记台", batch_version(db, late_in_other_room))
    queue = room_queue.room_queue(db, rooms[8])
    assert [i.batch_id for i in queue.waiting] == [a, b, c, late_in_other_room]
    snapshot = next(r for r in board.room_board(db, day_id) if r.number == 8)
    assert [e.batch_id for e in snapshot.queue] == [a, b, c, late_in_other_room]

    called, _ = flow.call_next(db, rooms[8], "主持人")
    assert called == a
    flow.return_to_queue(db, a, "主持人", "回去取材料")
    assert room_queue.room_queue(db, rooms[8]).waiting[0].batch_id == a  # number 1 stays first
    called, _ = flow.call_next(db, rooms[8], "主持人")
    assert called == a


def test_undo_a_check_in_renumbers_nobody_and_the_number_is_not_reused(db: Database) -> None:
    day_id = _day(db)
    a, b, c = (_register(db, day_id, n) for n in ("甲", "乙", "丙"))
    assignment.assign_day(db, day_id)
    for batch_id in (a, b, c):
        flow.check_in(db, batch_id, "登记台")
    before = _numbers(db)

    changes = flow.undo_check_in(db, b, "登记台", "认错了人")
    assert b in changes.batches and changes.rooms
    after = _numbers(db)
    assert after[b] == (8, None, "registered")
    assert after[a] == before[a] and after[c] == before[c]  # nobody else renumbered
    assert board.desk_card(db, c).ahead == 1  # 乙 left the queue
    with db.read() as session:
        batch = session.get(Batch, b)
        assert batch is not None and batch.arrived_at is None
        members = session.scalars(select(BatchMember).where(BatchMember.batch_id == b)).all()
        assert all(m.checked_in_at is None for m in members)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "undo_check_in")).one()
        assert entry.entity_id == b and entry.reason == "认错了人" and entry.actor == "登记台"
        assert entry.before is not None and entry.before["queue_number"] == 2 and entry.before["status"] == "waiting"
        assert entry.after is not None and entry.after["status"] == "registered"
    recent, total = board.recent_check_ins(db, day_id)
    assert total == 2 and b not in {m.batch_id for m in recent}

    flow.check_in(db, b, "登记台")  # the real 乙 comes: a new number, 2 is never given again
    assert _numbers(db)[b][1] == 4
    d = _register(db, day_id, "丁")
    assignment.assign_day(db, day_id)
    flow.check_in(db, d, "登记台")
    assert _numbers(db)[d][1] == 5


def test_undo_one_person_of_a_group(db: Database) -> None:
    day_id = _day(db)
    group = _register(db, day_id, "王学德", companions=2)
    assignment.assign_day(db, day_id)
    flow.check_in(db, group, "登记台")
    with db.read() as session:
        member_ids = list(
            session.scalars(select(BatchMember.id).where(BatchMember.batch_id == group).order_by(BatchMember.position))
        )
    flow.undo_check_in(db, group, "登记台", "同行人未到，误签", member_ids=[member_ids[2]])
    card = board.desk_card(db, group)
    assert card.status == "waiting" and card.queue_number == 1 and card.checked_in_count == 2
    with pytest.raises(InvalidInputError, match="尚未签到"):
        flow.undo_check_in(db, group, "登记台", "再撤", member_ids=[member_ids[2]])
    flow.undo_check_in(db, group, "登记台", "误签", member_ids=member_ids[:2])
    card = board.desk_card(db, group)
    assert card.status == "registered" and card.queue_number is None and card.checked_in_count == 0


def test_undo_needs_a_reason_and_a_batch_at_the_desk(db: Database) -> None:
    day_id = _day(db)
    rooms = _rooms(db, day_id)
    batch_id = _register(db, day_id, "甲")
    assignment.assign_day(db, day_id)
    with pytest.raises(InvalidInputError, match="不能撤销签到"):
        flow.undo_check_in(db, batch_id, "登记台", "未签到")
    flow.check_in(db, batch_id, "登记台")
    with pytest.raises(InvalidInputError, match="原因"):
        flow.undo_check_in(db, batch_id, "登记台", "   ")
    flow.call_next(db, rooms[8], "主持人")
    with pytest.raises(InvalidInputError, match="退回候谈"):
        flow.undo_check_in(db, batch_id, "登记台", "误签")
    assert _numbers(db)[batch_id] == (8, 1, "in_session")
