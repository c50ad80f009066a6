"""The day's status flow on both databases: check-in, tickets, calling the next batch, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, BatchMember, Room
from reception_desk.services import assignment, days, flow
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration

DAY = dt.date(2026, 12, 4)


def _register(db: Database, day_id: int, name: str, theme: str = "transport", companions: int = 0) -> int:
    data = RegistrationInput(
        lead=PersonInput(name),
        request=f"{name}反映村道破损，要求修复。",
        theme_code=theme,
        companions=[PersonInput(f"{name}同行{i}") for i in range(1, companions + 1)],
        township="湖南镇",
        village="湖南村",
    )
    batch_id, _ = add_registration(db, day_id, data)
    return batch_id


def _day(db: Database) -> int:
    info, _ = days.create_day(db, DAY)
    return info.id


def _batch(db: Database, batch_id: int) -> Batch:
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch


def _members(db: Database, batch_id: int) -> list[BatchMember]:
    with db.read() as session:
        return list(
            session.scalars(select(BatchMember).where(BatchMember.batch_id == batch_id).order_by(BatchMember.position))
        )


def _audit_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(AuditEntry.id))) or 0)


def test_check_in_whole_batch_gets_ticket_and_waits_in_its_room(db: Database) -> None:
    day_id = _day(db)
    first = _register(db, day_id, "王学德", companions=1)
    second = _register(db, day_id, "吴建国")
    assignment.assign_day(db, day_id)

    info, changes = flow.check_in(db, first, "登记台1")
    assert info.queue_number == 1
    assert info.status == "waiting"
    assert info.room_number == 8
    assert (info.checked_in, info.members) == (2, 2)
    batch = _batch(db, first)
    assert batch.status == "waiting" and batch.arrived_at is not None and batch.queue_number == 1
    assert all(m.checked_in_at is not None for m in _members(db, first))
    assert changes.batches == {first} and changes.rooms == {batch.room_id}

    info2, _ = flow.check_in(db, second, "登记台2")
    assert info2.queue_number == 2


def test_group_member_checks_in_alone_and_twice_is_harmless(db: Database) -> None:
    day_id = _day(db)
    group = _register(db, day_id, "郑根土", companions=2)
    assignment.assign_day(db, day_id)
    lead, companion1, companion2 = _members(db, group)

    info, _ = flow.check_in(db, group, "登记台", member_ids=[companion1.id])
    assert info.status == "waiting" and info.queue_number == 1
    assert info.newly_checked_in == (companion1.id,)
    rows = {m.id: m.checked_in_at for m in _members(db, group)}
    assert rows[companion1.id] is not None
    assert rows[lead.id] is None and rows[companion2.id] is None
    first_time = rows[companion1.id]

    again, changes = flow.check_in(db, group, "登记台", member_ids=[companion1.id])
    assert again.newly_checked_in == () and not changes
    assert {m.id: m.checked_in_at for m in _members(db, group)}[companion1.id] == first_time

    rest, _ = flow.check_in(db, group, "登记台", member_ids=[lead.id, companion2.id])
    assert rest.queue_number == 1  # the batch keeps its ticket
    assert rest.checked_in == 3
    assert all(m.checked_in_at is not None for m in _members(db, group))


def test_check_in_without_room_stands_arrived_and_assignment_queues_it(db: Database) -> None:
    day_id = _day(db)
    batch_id = _register(db, day_id, "余水生")
    info, _ = flow.check_in(db, batch_id, "登记台")
    assert info.status == "arrived" and info.room_number is None
    assignment.assign_day(db, day_id)
    assert _batch(db, batch_id).status == "waiting"


def test_check_in_refuses_strangers_and_unknown_batches(db: Database) -> None:
    day_id = _day(db)
    one = _register(db, day_id, "徐卫东")
    other = _register(db, day_id, "周秀英")
    stranger = _members(db, other)[0].id
    with pytest.raises(InvalidInputError, match="不属于批次"):
        flow.check_in(db, one, "登记台", member_ids=[stranger])
    with pytest.raises(NotFoundError):
        flow.check_in(db, 999_999, "登记台")
    assert _batch(db, one).status == "registered"


def test_no_show_can_check_in_late(db: Database) -> None:
    day_id = _day(db)
    batch_id = _register(db, day_id, "毛金龙")
    assignment.assign_day(db, day_id)
    flow.mark_no_show(db, batch_id, "登记台", reason="上午未到")
    assert _batch(db, batch_id).status == "no_show"
    info, _ = flow.check_in(db, batch_id, "登记台")
    assert info.status == "waiting" and info.queue_number == 1


def test_call_next_takes_earliest_arrival_then_queue_position(db: Database) -> None:
    day_id = _day(db)
    a = _register(db, day_id, "甲某")
    b = _register(db, day_id, "乙某")
    c = _register(db, day_id, "丙某")
    assignment.assign_day(db, day_id)
    room_id = _batch(db, a).room_id
    assert room_id is not None and _batch(db, b).room_id == room_id == _batch(db, c).room_id
    for batch_id in (b, a, c):
        flow.check_in(db, batch_id, "登记台")
    # c arrives at the same moment as a: a's earlier queue position puts it first
    with db.session() as session:
        batch_a, batch_c = session.get(Batch, a), session.get(Batch, c)
        assert batch_a is not None and batch_c is not None
        batch_c.arrived_at = batch_a.arrived_at

    called, changes = flow.call_next(db, room_id, "第8接待室")
    assert called == b
    batch = _batch(db, b)
    assert batch.status == "in_session" and batch.called_at is not None and batch.started_at is not None
    assert changes.rooms == {room_id}

    with pytest.raises(InvalidInputError, match="正在接谈批次 Y0002"):
        flow.call_next(db, room_id, "第8接待室")
    assert _batch(db, a).status == "waiting"

    called2, _ = flow.call_next(db, room_id, "第8接待室", force=True)
    assert called2 == a
    flow.return_to_queue(db, b, "第8接待室", reason="回去取材料")
    flow.return_to_queue(db, a, "第8接待室")
    assert [flow.call_next(db, room_id, "第8接待室", force=True)[0] for _ in range(3)] == [b, a, c]
    assert flow.call_next(db, room_id, "第8接待室", force=True) == (None, ChangeSet())


def test_start_session_of_a_specific_batch_and_busy_room(db: Database) -> None:
    day_id = _day(db)
    a = _register(db, day_id, "杨德明")
    b = _register(db, day_id, "汪美兰")
    assignment.assign_day(db, day_id)
    flow.check_in(db, a, "登记台")
    flow.check_in(db, b, "登记台")
    flow.start_session(db, b, "第8接待室")
    assert _batch(db, b).status == "in_session"
    with pytest.raises(InvalidInputError, match="请先记录接谈结果"):
        flow.start_session(db, a, "第8接待室")
    flow.start_session(db, a, "第8接待室", force=True)
    assert _batch(db, a).status == "in_session"


@pytest.mark.parametrize(
    ("prepare", "action", "labels"),
    [
        ("registered", "start", ("已登记", "接谈中")),
        ("waiting", "return", ("候谈", "接谈中")),
        ("in_session", "no_show", ("接谈中", "未到")),
    ],
)
def test_invalid_transitions_are_refused_with_labels(
    db: Database, prepare: str, action: str, labels: tuple[str, str]
) -> None:
    day_id = _day(db)
    batch_id = _register(db, day_id, "方志强")
    assignment.assign_day(db, day_id)
    if prepare in ("waiting", "in_session"):
        flow.check_in(db, batch_id, "登记台")
    if prepare == "in_session":
        flow.start_session(db, batch_id, "第8接待室")
    before = _batch(db, batch_id)
    with pytest.raises(InvalidInputError) as err:
        if action == "start":
            flow.start_session(db, batch_id, "第8接待室")
        elif action == "return":
            flow.return_to_queue(db, batch_id, "第8接待室")
        else:
            flow.mark_no_show(db, batch_id, "登记台")
    message = str(err.value)
    assert "Y0001" in message and f"“{labels[0]}”" in message and f"“{labels[1]}”" in message
    after = _batch(db, batch_id)
    assert (after.status, after.version) == (before.status, before.version)


def test_stale_expected_version_is_refused_and_nothing_changes(db: Database) -> None:
    day_id = _day(db)
    batch_id = _register(db, day_id, "姜海军", companions=1)
    assignment.assign_day(db, day_id)
    seen = _batch(db, batch_id).version
    flow.mark_no_show(db, batch_id, "登记台2", expected_version=seen)  # someone else acts first
    audits = _audit_count(db)

    with pytest.raises(StaleWriteError):
        flow.check_in(db, batch_id, "登记台1", expected_version=seen)
    batch = _batch(db, batch_id)
    assert batch.status == "no_show" and batch.queue_number is None and batch.arrived_at is None
    assert all(m.checked_in_at is None for m in _members(db, batch_id))
    assert _audit_count(db) == audits

    with pytest.raises(StaleWriteError):
        flow.start_session(db, batch_id, "第8接待室", expected_version=seen)
    info, _ = flow.check_in(db, batch_id, "登记台1", expected_version=batch.version)
    assert info.status == "waiting"


def test_flow_writes_audit_entries(db: Database) -> None:
    day_id = _day(db)
    batch_id = _register(db, day_id, "童春生")
    assignment.assign_day(db, day_id)
    flow.check_in(db, batch_id, "登记台1")
    room_id = _batch(db, batch_id).room_id
    assert room_id is not None
    flow.call_next(db, room_id, "主持人")
    with db.read() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "batch", AuditEntry.entity_id == batch_id)
                .order_by(AuditEntry.id)
            )
        )
        room = session.get(Room, room_id)
        assert room is not None and room.number == 8
    assert actions[-2:] == ["check_in", "start_session"]
