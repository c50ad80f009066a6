"""The day's status flow: check-in at the desk, calling the next batch, sessions, returns, no-shows.

Every public function is one transaction that returns the ChangeSet it made. The `*_in` functions do the
same work inside the caller's transaction (the demo day plays a whole day in one) and take the moment `at`
(naive UTC) the step happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.clock import server_now
from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Room
from reception_desk.domain.batches import BatchStatus, can_move
from reception_desk.domain.roles import Permission
from reception_desk.services import audit, authz, queue_numbers
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError

FLOW_FIELDS = (
    "status",
    "room_id",
    "queue_number",
    "arrived_at",
    "called_at",
    "started_at",
    "finished_at",
)


@dataclass(frozen=True)
class CheckInInfo:
    """What the desk shows after a check-in: the 排队号 (within the room), the status, who is now checked in."""

    batch_id: int
    reg_no: str
    queue_number: int | None
    status: str
    room_number: int | None
    checked_in: int  # named members checked in so far
    members: int  # named members of the batch
    newly_checked_in: tuple[int, ...]  # BatchMember ids this call checked in


def load_batch(session: Session, batch_id: int, expected_version: int | None = None) -> Batch:
    """The batch, or NotFoundError; StaleWriteError when it changed since the caller read it."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFoundError(f"批次 #{batch_id} 不存在。")
    if expected_version is not None and batch.version != expected_version:
        raise StaleWriteError("批次", batch.id, expected_version, batch.version)
    return batch


def move_status(batch: Batch, target: BatchStatus) -> None:
    """Set the batch's status when the flow allows it, else InvalidInputError naming both statuses."""
    current = BatchStatus(batch.status)
    if not can_move(current, target):
        raise InvalidInputError(f"批次 {batch.reg_no} 当前状态为“{current.label}”，不能改为“{target.label}”。")
    batch.status = target.value


def _lock_room(session: Session, room_id: int) -> Room:
    room = session.scalar(select(Room).where(Room.id == room_id).with_for_update())
    if room is None:
        raise NotFoundError(f"接待室 #{room_id} 不存在。")
    return room


def _in_session(session: Session, room_id: int, other_than: int | None = None) -> Batch | None:
    stmt = select(Batch).where(Batch.room_id == room_id, Batch.status == BatchStatus.IN_SESSION.value)
    if other_than is not None:
        stmt = stmt.where(Batch.id != other_than)
    return session.scalars(stmt.order_by(Batch.started_at, Batch.id).limit(1)).first()


def _refuse_busy_room(session: Session, room: Room, batch_id: int | None) -> None:
    busy = _in_session(session, room.id, other_than=batch_id)
    if busy is not None:
        raise InvalidInputError(
            f"{room.name}正在接谈批次 {busy.reg_no}（{busy.lead.name}），请先记录接谈结果或将其退回候谈，再叫下一批。"
        )


def _record(session: Session, actor: str, action: str, batch: Batch, before: dict[str, Any], reason: str = "") -> None:
    old, new = audit.diff(before, audit.snapshot(batch, FLOW_FIELDS))
    audit.record(session, actor, action, "batch", batch.id, old, new, reason=reason.strip())


def check_in_in(
    session: Session,
    batch: Batch,
    actor: str,
    member_ids: Iterable[int] | None = None,
    at: dt.datetime | None = None,
) -> CheckInInfo:
    """Check in a batch (all members, or only the given BatchMember ids) in the caller's transaction."""
    at = at or server_now(session)  # the server's clock: a laptop's wrong clock reorders nothing
    by_id = {m.id: m for m in batch.members}
    if member_ids is None:
        chosen = list(batch.members)
    else:
        wanted = list(dict.fromkeys(member_ids))
        if not wanted:
            raise InvalidInputError("请至少选择一名签到人员。")
        strangers = [i for i in wanted if i not in by_id]
        if strangers:
            raise InvalidInputError(f"所选人员不属于批次 {batch.reg_no}，请刷新后重试。")
        chosen = [by_id[i] for i in wanted]
    newly = [m for m in chosen if m.checked_in_at is None]
    for member in newly:
        member.checked_in_at = at
    before = audit.snapshot(batch, FLOW_FIELDS)
    status = BatchStatus(batch.status)
    if status in (BatchStatus.REGISTERED, BatchStatus.NO_SHOW):
        # the batch is at the venue as soon as its first member is
        move_status(batch, BatchStatus.WAITING if batch.room_id is not None else BatchStatus.ARRIVED)
        batch.arrived_at = at
        if batch.queue_number is None:
            # the room's next 排队号 (the room row is the lock); a late no-show keeps the one it had
            queue_numbers.give_number(session, batch)
    if newly or batch.status != before["status"]:
        session.flush()
        old, new = audit.diff(before, audit.snapshot(batch, FLOW_FIELDS))
        new["members_checked_in"] = [m.id for m in newly]
        audit.record(session, actor, "check_in", "batch", batch.id, old, new)
    room_number = batch.room.number if batch.room is not None else None
    return CheckInInfo(
        batch_id=batch.id,
        reg_no=batch.reg_no,
        queue_number=batch.queue_number,
        status=batch.status,
        room_number=room_number,
        checked_in=sum(1 for m in batch.members if m.checked_in_at is not None),
        members=len(batch.members),
        newly_checked_in=tuple(m.id for m in newly),
    )


def check_in(
    db: Database,
    batch_id: int,
    actor: str,
    member_ids: Iterable[int] | None = None,
    expected_version: int | None = None,
) -> tuple[CheckInInfo, ChangeSet]:
    """Check in a batch at the desk: all its members, or only the given ones (groups arrive one by one).

    The batch is at the venue from its first member on: it gets its room's next 排队号 and waits in the
    room's queue (or stands arrived, without a number, until it has a room). A no-show can still check in late;
    checking in someone twice changes nothing.
    """
    with db.session() as session:
        authz.require(session, actor, Permission.CHECK_IN)
        batch = load_batch(session, batch_id, expected_version)
        status_before = batch.status
        info = check_in_in(session, batch, actor, member_ids)
        if not info.newly_checked_in and info.status == status_before:
            return info, ChangeSet()  # everyone asked for was already checked in
        changed = ChangeSet(batches={batch.id})
        if batch.room_id is not None:
            changed.rooms.add(batch.room_id)
        return info, changed


def start_session_in(
    session: Session, batch: Batch, actor: str, at: dt.datetime | None = None, force: bool = False
) -> None:
    """Call a batch into its room (in session) in the caller's transaction."""
    at = at or server_now(session)  # the server's clock: a laptop's wrong clock reorders nothing
    if batch.room_id is None:
        raise InvalidInputError(f"批次 {batch.reg_no} 尚未分配接待室，请先分配后再接谈。")
    room = _lock_room(session, batch.room_id)
    if not can_move(BatchStatus(batch.status), BatchStatus.IN_SESSION):
        move_status(batch, BatchStatus.IN_SESSION)  # raises with the batch's statuses named
    if not force:
        _refuse_busy_room(session, room, batch.id)
    before = audit.snapshot(batch, FLOW_FIELDS)
    move_status(batch, BatchStatus.IN_SESSION)
    batch.called_at = at
    batch.started_at = at
    session.flush()
    _record(session, actor, "start_session", batch, before)


def start_session(
    db: Database, batch_id: int, actor: str, expected_version: int | None = None, force: bool = False
) -> ChangeSet:
    """Call a specific batch into its room (接谈中); refused while the room is busy unless force=True."""
    with db.session() as session:
        batch = load_batch(session, batch_id, expected_version)
        authz.require(session, actor, Permission.ROOM_WORK, room_id=batch.room_id)
        start_session_in(session, batch, actor, force=force)
        return ChangeSet(batches={batch.id}, rooms={batch.room_id} if batch.room_id else set())


def next_waiting_in(session: Session, room_id: int) -> Batch | None:
    """The room's next waiting batch: the lowest 排队号 first (see queue_numbers.serving_key)."""
    return session.scalars(
        select(Batch)
        .where(Batch.room_id == room_id, Batch.status == BatchStatus.WAITING.value)
        .order_by(*queue_numbers.serving_order())
        .limit(1)
    ).first()


def call_next(db: Database, room_id: int, actor: str, force: bool = False) -> tuple[int | None, ChangeSet]:
    """Call the room's next waiting batch into session; (None, empty) when nobody waits.

    Refused while the room already has a batch in session, unless force=True.
    """
    with db.session() as session:
        authz.require(session, actor, Permission.ROOM_WORK, room_id=room_id)
        room = _lock_room(session, room_id)
        if not force:
            _refuse_busy_room(session, room, None)
        batch = next_waiting_in(session, room_id)
        if batch is None:
            return None, ChangeSet()
        start_session_in(session, batch, actor, force=True)
        return batch.id, ChangeSet(batches={batch.id}, rooms={room_id})


def return_to_queue_in(session: Session, batch: Batch, actor: str, reason: str = "") -> None:
    """Send a batch in session back to its room's queue (it keeps its place) in the caller's transaction."""
    if batch.status != BatchStatus.IN_SESSION.value:
        raise InvalidInputError(
            f"批次 {batch.reg_no} 当前状态为“{BatchStatus(batch.status).label}”，"
            f"只有“{BatchStatus.IN_SESSION.label}”的批次才能退回候谈。"
        )
    before = audit.snapshot(batch, FLOW_FIELDS)
    move_status(batch, BatchStatus.WAITING)
    batch.called_at = None
    batch.started_at = None
    session.flush()
    _record(session, actor, "return_to_queue", batch, before, reason)


def return_to_queue(
    db: Database, batch_id: int, actor: str, reason: str = "", expected_version: int | None = None
) -> ChangeSet:
    """Send a batch in session back to waiting (e.g. to fetch papers); it keeps its place in the queue."""
    with db.session() as session:
        batch = load_batch(session, batch_id, expected_version)
        authz.require(session, actor, Permission.ROOM_WORK, room_id=batch.room_id)
        return_to_queue_in(session, batch, actor, reason)
        return ChangeSet(batches={batch.id}, rooms={batch.room_id} if batch.room_id else set())


def mark_no_show_in(session: Session, batch: Batch, actor: str, reason: str = "") -> None:
    """Mark a batch as not come (未到) in the caller's transaction."""
    before = audit.snapshot(batch, FLOW_FIELDS)
    move_status(batch, BatchStatus.NO_SHOW)
    session.flush()
    _record(session, actor, "no_show", batch, before, reason)


def mark_no_show(
    db: Database, batch_id: int, actor: str, reason: str = "", expected_version: int | None = None
) -> ChangeSet:
    """Mark a batch as not come (未到); it can still check in later."""
    with db.session() as session:
        batch = load_batch(session, batch_id, expected_version)
        authz.require(session, actor, Permission.ROOM_WORK, room_id=batch.room_id)
        mark_no_show_in(session, batch, actor, reason)
        return ChangeSet(batches={batch.id}, rooms={batch.room_id} if batch.room_id else set())


def undo_check_in_in(
    session: Session, batch: Batch, actor: str, reason: str, member_ids: Iterable[int] | None = None
) -> bool:
    """撤销签到 in the caller's transaction: the whole batch, or only the given BatchMember ids.

    When nobody of the batch stays checked in, the batch goes back to 已登记 and leaves its room's queue; its
    排队号 is dropped and never given again (the room's counter does not go back), other numbers stay as they
    are. Returns True when the batch itself went back.
    """
    if not reason.strip():
        raise InvalidInputError("撤销签到需要填写原因。")
    status = BatchStatus(batch.status)
    if status not in (BatchStatus.ARRIVED, BatchStatus.WAITING):
        hint = "，请先将其退回候谈" if status is BatchStatus.IN_SESSION else ""
        raise InvalidInputError(f"批次 {batch.reg_no} 当前状态为“{status.label}”，不能撤销签到{hint}。")
    by_id = {m.id: m for m in batch.members}
    if member_ids is None:
        chosen = [m for m in batch.members if m.checked_in_at is not None]
    else:
        wanted = list(dict.fromkeys(member_ids))
        if not wanted:
            raise InvalidInputError("请至少选择一名要撤销签到的人员。")
        if any(i not in by_id for i in wanted):
            raise InvalidInputError(f"所选人员不属于批次 {batch.reg_no}，请刷新后重试。")
        chosen = [by_id[i] for i in wanted]
        absent = [m.visitor.name for m in chosen if m.checked_in_at is None]
        if absent:
            raise InvalidInputError(f"{'、'.join(absent)} 尚未签到，无需撤销。")
    before = audit.snapshot(batch, FLOW_FIELDS)
    for member in chosen:
        member.checked_in_at = None
    whole = all(m.checked_in_at is None for m in batch.members)
    if whole:
        # outside the forward flow on purpose: the check-in is taken back, not a step of the day
        batch.status = BatchStatus.REGISTERED.value
        batch.arrived_at = None
        batch.called_at = None
        batch.queue_number = None
    session.flush()
    old, new = audit.diff(before, audit.snapshot(batch, FLOW_FIELDS))
    new["members_unchecked"] = [m.id for m in chosen]
    audit.record(session, actor, "undo_check_in", "batch", batch.id, old, new, reason=reason.strip())
    return whole


def undo_check_in(
    db: Database,
    batch_id: int,
    actor: str,
    reason: str,
    member_ids: Iterable[int] | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """撤销签到 (a wrong person checked in, a visitor who left): the batch or one person, with a reason.

    Audited with the reason. The batch goes back to 已登记 and out of the queue when nobody of it stays
    checked in; its number is not reused. One transaction.
    """
    with db.session() as session:
        authz.require(session, actor, Permission.CHECK_IN)
        batch = load_batch(session, batch_id, expected_version)
        undo_check_in_in(session, batch, actor, reason, member_ids)
        return ChangeSet(batches={batch.id}, rooms={batch.room_id} if batch.room_id else set())
