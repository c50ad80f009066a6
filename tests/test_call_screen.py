"""The call screen's data on both databases: each room's number in session and the next two, in call order."""

from __future__ import annotations

from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Room
from reception_desk.services import assignment, flow
from reception_desk.services.call_screen import call_board
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration, move_batch
from tests.helpers import make_day

TRANSPORT_ROOM = 8  # the default plan's only transport room


def _register(db: Database, day_id: int, name: str, theme: str = "transport") -> int:
    data = RegistrationInput(lead=PersonInput(name), request=f"{name}反映村道破损，要求修复。", theme_code=theme)
    batch_id, _ = add_registration(db, day_id, data)
    return batch_id


def _numbers(db: Database, *batch_ids: int) -> list[int | None]:
    with db.read() as session:
        by_id = {b.id: b.queue_number for b in session.scalars(select(Batch).where(Batch.id.in_(batch_ids)))}
    return [by_id[i] for i in batch_ids]


def _room_id(db: Database, day_id: int, number: int) -> int:
    with db.read() as session:
        room_id = session.scalar(select(Room.id).where(Room.day_id == day_id, Room.number == number))
        assert room_id is not None
        return room_id


def test_each_room_shows_the_number_in_session_and_the_next_two_in_call_order(db: Database) -> None:
    day_id = make_day(db)
    a, b, c, d = (_register(db, day_id, name) for name in ("王学德", "吴建国", "郑小明", "柴卫发"))
    labour = _register(db, day_id, "周海燕", theme="labour")
    _register(db, day_id, "钱多多")  # assigned to room 8, never checks in
    assignment.assign_day(db, day_id)
    for batch_id in (c, a, d, b, labour):  # arrival order, not registration order
        flow.check_in(db, batch_id, "登记台")
    room8 = _room_id(db, day_id, TRANSPORT_ROOM)
    called, _ = flow.call_next(db, room8, "第8接待室")
    assert called == c

    board = call_board(db, day_id)

    assert [r.number for r in board.rooms] == list(range(1, 16))
    room = board.rooms[TRANSPORT_ROOM - 1]
    assert room.name == "第8接待室"
    assert room.theme_name == "交通基础设施"
    assert room.serving_batch_id == c
    assert room.serving == _numbers(db, c)[0]
    assert list(room.upcoming) == _numbers(db, a, d)  # the next two in the order call_next takes them
    assert room.waiting == 3  # 钱多多, not checked in, is not in the line
    labour_room = next(r for r in board.rooms if r.upcoming)
    assert labour_room.number != TRANSPORT_ROOM
    assert labour_room.serving is None
    assert list(labour_room.upcoming) == _numbers(db, labour)
    # F3 again after the batch went back to the queue: it keeps its place (earliest arrival), so it is next again
    flow.return_to_queue(db, c, "第8接待室")
    board = call_board(db, day_id)
    room = board.rooms[TRANSPORT_ROOM - 1]
    assert room.serving is None and room.serving_batch_id is None
    assert list(room.upcoming) == _numbers(db, c, a)
    called, _ = flow.call_next(db, room8, "第8接待室")
    assert called == c
    assert call_board(db, day_id).rooms[TRANSPORT_ROOM - 1].serving == _numbers(db, c)[0]


def test_no_numbers_when_no_batch_is_in_a_room(db: Database) -> None:
    day_id = make_day(db)
    _register(db, day_id, "王学德")  # registered and assigned, not checked in: not on the screen
    assignment.assign_day(db, day_id)

    board = call_board(db, day_id)

    assert len(board.rooms) == 15
    assert all(r.serving is None and r.serving_batch_id is None for r in board.rooms)
    assert all(r.upcoming == () and r.waiting == 0 for r in board.rooms)
    assert board.title and board.date


def test_the_screen_data_holds_no_name(db: Database) -> None:
    day_id = make_day(db)
    batch_id = _register(db, day_id, "王学德")
    assignment.assign_day(db, day_id)
    flow.check_in(db, batch_id, "登记台")

    board = call_board(db, day_id)

    assert "王学德" not in repr(board)
    assert "RoomCall" in repr(board)  # the repr is the whole data, so the name check means something


def test_a_batch_moved_in_waits_behind_by_its_number_not_its_arrival(db: Database) -> None:
    """A batch that arrived early elsewhere and is moved in gets the room's next 排队号 and is shown after."""
    day_id = make_day(db)
    early = _register(db, day_id, "王学德", theme="labour")
    here = _register(db, day_id, "吴建国")
    assignment.assign_day(db, day_id)
    flow.check_in(db, early, "登记台")  # arrives first, in a labour room
    flow.check_in(db, here, "登记台")  # arrives later, in room 8: number 1 there
    with db.read() as session:
        version = session.scalars(select(Batch.version).where(Batch.id == early)).one()
    move_batch(db, early, _room_id(db, day_id, TRANSPORT_ROOM), "同一路段的问题", "督办", expected_version=version)
    assert _numbers(db, here, early) == [1, 2]
    room = call_board(db, day_id).rooms[TRANSPORT_ROOM - 1]
    assert list(room.upcoming) == [1, 2]
    called, _ = flow.call_next(db, _room_id(db, day_id, TRANSPORT_ROOM), "第8接待室")
    assert called == here
