"""The pure assignment planner: theme rooms, balance, capacity, determinism."""

from __future__ import annotations

from reception_desk.domain.assignment import PendingBatch, RoomLoad, plan_assignment
from reception_desk.domain.batches import expected_minutes


def _rooms() -> list[RoomLoad]:
    return [
        RoomLoad(1, 1, "land", 30),
        RoomLoad(2, 2, "land", 10),
        RoomLoad(3, 3, "labour", 10),
        RoomLoad(15, 15, "general", 10),
    ]


def test_balanced_between_rooms_of_a_theme() -> None:
    batches = [PendingBatch(i, f"Y{i:04d}", "land", 1 + i % 3) for i in range(1, 41)]
    rooms = _rooms()
    plan = plan_assignment(rooms, batches)
    by_room: dict[int, int] = {}
    for p in plan.placements:
        hc = batches[p.batch_id - 1].headcount
        by_room[p.room_id] = by_room.get(p.room_id, 0) + expected_minutes(hc)
    assert set(by_room) == {1, 2}
    assert abs(by_room[1] - by_room[2]) <= max(expected_minutes(3), 1)


def test_collective_visit_goes_to_a_room_that_holds_it() -> None:
    plan = plan_assignment(_rooms(), [PendingBatch(1, "Y0001", "land", 18)])
    assert plan.placements[0].room_id == 1


def test_unknown_theme_goes_to_general_room() -> None:
    plan = plan_assignment(_rooms(), [PendingBatch(1, "Y0001", "transport", 1)])
    assert plan.placements[0].room_id == 15


def test_queue_follows_registration_order_and_is_deterministic() -> None:
    batches = [PendingBatch(i, f"Y{i:04d}", "labour", 1 + (i * 7) % 6) for i in range(1, 21)]
    first = plan_assignment(_rooms(), batches)
    second = plan_assignment(_rooms(), list(reversed(batches)))
    assert first.placements == second.placements
    in_order = sorted(first.placements, key=lambda p: p.queue_position)
    assert [p.batch_id for p in in_order] == list(range(1, 21))
