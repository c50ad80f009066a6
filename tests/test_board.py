"""The room board and the desk card: counts, queue order and members after the real services ran."""

from __future__ import annotations

import pytest

from reception_desk.db.engine import Database
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.services import flow, plan
from reception_desk.services.assignment import assign_day
from reception_desk.services.board import Tally, board_snapshot, desk_card, desk_matches, recent_check_ins, room_board
from reception_desk.services.errors import NotFoundError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration, move_batch
from tests.current import batch_version
from tests.helpers import make_day, register


def _room(db: Database, day_id: int, number: int) -> int:
    return next(r.id for r in plan.list_rooms(db, day_id) if r.number == number)


def test_empty_day_lists_fifteen_rooms(db: Database) -> None:
    day = make_day(db)
    rooms = room_board(db, day)
    assert [r.number for r in rooms] == list(range(1, 16))
    assert rooms[0].theme_name == "土地拆迁"
    assert all(r.queue == () and r.current is None and not r.warning for r in rooms)
    assert board_snapshot(db, day).unassigned == []


def test_counts_and_queue_order_follow_the_day(db: Database) -> None:
    day = make_day(db)
    ids = register(db, day, 4, theme="civil", headcount=2)  # room 13 is the only civil room
    unplaced = register(db, day, 1, theme="civil", start=50)
    snap = board_snapshot(db, day)
    assert {e.batch_id for e in snap.unassigned} == set(ids + unplaced)
    assert snap.totals()["unassigned"].people == 9

    report = assign_day(db, day)
    assert report.assigned == 5
    room13 = next(r for r in room_board(db, day) if r.number == 13)
    assert room13.not_arrived.batches == 5 and room13.not_arrived.people == 9
    assert room13.waiting.batches == 0

    # the third, then the first arrive: they wait in arrival order, ahead of those not yet here
    flow.check_in(db, ids[2], "desk")
    flow.check_in(db, ids[0], "desk")
    room13 = next(r for r in room_board(db, day) if r.number == 13)
    assert room13.waiting.batches == 2 and room13.waiting.people == 4
    assert room13.not_arrived.batches == 3
    assert [e.batch_id for e in room13.queue[:2]] == [ids[2], ids[0]]
    assert [e.queue_number for e in room13.queue[:2]] == [1, 2]
    assert all(e.status == BatchStatus.REGISTERED.value for e in room13.queue[2:])
    positions = [e.queue_position or 0 for e in room13.queue[2:]]
    assert all(positions) and positions == sorted(positions)

    # the room calls the next batch: the first to arrive goes in
    called, _ = flow.call_next(db, room13.id, "host")
    assert called == ids[2]
    room13 = next(r for r in room_board(db, day) if r.number == 13)
    assert room13.current is not None and room13.current.batch_id == ids[2]
    assert room13.in_session == Tally(1, 2)
    assert room13.waiting.batches == 1
    assert ids[2] not in [e.batch_id for e in room13.queue]

    flow.mark_no_show(db, ids[1], "desk")
    room13 = next(r for r in room_board(db, day) if r.number == 13)
    assert room13.no_show.batches == 1
    assert ids[1] not in [e.batch_id for e in room13.queue]
    totals = board_snapshot(db, day).totals()
    assert totals["in_session"].batches == 1 and totals["waiting"].batches == 1


def test_capacity_warnings(db: Database) -> None:
    day = make_day(db)
    room2 = _room(db, day, 2)  # a land room of capacity 20
    big = register(db, day, 1, theme="land", headcount=25)
    small = register(db, day, 1, theme="land", headcount=1, start=10)
    for batch_id in big + small:
        move_batch(db, batch_id, room2, "测试", "desk", batch_version(db, batch_id))
    status = next(r for r in room_board(db, day) if r.id == room2)
    assert not status.over_capacity  # nobody waits yet
    assert [e.batch_id for e in status.oversized] == big
    assert status.warning
    assert Flag.COLLECTIVE.value in status.oversized[0].flags
    flow.check_in(db, big[0], "desk")
    status = next(r for r in room_board(db, day) if r.id == room2)
    assert status.waiting.people == 25 and status.over_capacity


def test_desk_card_lists_members_and_room(db: Database) -> None:
    day = make_day(db)
    data = RegistrationInput(
        PersonInput("王学德", "330803197001011234", "13805701234"),
        "拆迁补偿款未到位",
        theme_code="land",
        companions=[PersonInput("王小明"), PersonInput("李芳")],
        township="樟潭街道",
    )
    batch_id, _ = add_registration(db, day, data)
    card = desk_card(db, batch_id)
    assert card.room is None and card.headcount == 3 and not card.at_venue
    assert Flag.ID_TO_CHECK.value in card.flags  # the ID's checksum is wrong
    assert [m.name for m in card.members] == ["王学德", "王小明", "李芳"]
    assert card.members[0].is_lead and card.members[0].id_masked == "330803********1234"
    assert card.phone_masked == "138****1234"

    assign_day(db, day)
    info, _ = flow.check_in(db, batch_id, "desk", member_ids=[card.members[1].id])
    card = desk_card(db, batch_id)
    assert card.at_venue and card.status == BatchStatus.WAITING.value
    assert [m.checked_in for m in card.members] == [False, True, False]
    assert card.checked_in_count == 1
    assert card.queue_number == info.queue_number == 1
    assert card.room is not None and card.room.number in (1, 2)
    assert card.room.location.startswith("教学楼1楼")

    with pytest.raises(NotFoundError):
        desk_card(db, 999_999)


def test_desk_matches_keep_the_given_order(db: Database) -> None:
    day = make_day(db)
    ids = register(db, day, 3)
    rows = desk_matches(db, [ids[2], 123_456, ids[0]])
    assert [r.batch_id for r in rows] == [ids[2], ids[0]]
    assert rows[0].lead_name == "测试2" and rows[0].room_number is None
    assert desk_matches(db, []) == []


def test_board_of_a_full_day_shows_the_whole_day(db: Database) -> None:
    """Every batch of a full day is on the board once, in a room of its theme (the time: bench/bench_board.py)."""
    day = make_day(db)
    themes = ["land", "labour", "law", "civil", "general", "transport"]
    people = 0
    for i, theme in enumerate(themes):
        register(db, day, 30, theme=theme, headcount=1 + i % 3, start=i * 100)
        people += 30 * (1 + i % 3)
    assign_day(db, day)
    snap = board_snapshot(db, day)
    assert sum(r.not_arrived.batches for r in snap.rooms) == 180
    assert sum(r.not_arrived.people for r in snap.rooms) == people
    assert snap.unassigned == []
    listed = [e.batch_id for r in snap.rooms for e in r.queue]
    assert len(listed) == len(set(listed)) == 180
    assert {r.theme_code for r in snap.rooms if r.queue} == set(themes)
    assert all(e.status == BatchStatus.REGISTERED.value for r in snap.rooms for e in r.queue)


def test_recent_check_ins_newest_first(db: Database) -> None:
    day = make_day(db)
    ids = register(db, day, 3)
    assert recent_check_ins(db, day) == ([], 0)
    flow.check_in(db, ids[1], "desk")
    flow.check_in(db, ids[0], "desk")
    rows, total = recent_check_ins(db, day, limit=1)
    assert total == 2 and [r.batch_id for r in rows] == [ids[0]]
    assert rows[0].status == BatchStatus.ARRIVED.value  # no room yet
