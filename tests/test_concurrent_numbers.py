"""Numbers under concurrent writers, on an SQLite file and on PostgreSQL: 16 desks (threads, each with its own
Database and engine) checking into one room get 排队号 1..16; concurrent walk-ins get distinct registration numbers;
concurrent case records distinct case numbers; a number whose batch is gone is not given again."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import delete, select, text

from reception_desk.db.engine import Database, make_engine
from reception_desk.db.models import Batch, Case, Room
from reception_desk.services import cases, days, flow, registrations
from reception_desk.services.cases import CaseInput
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from tests.conftest import PG_URL
from tests.current import batch_version

DAY = dt.date(2026, 12, 4)
DESKS = 16
T = TypeVar("T")


def twin(db: Database, **engine_args: float) -> Database:
    """Another laptop: its own Database and engine on the same SQLite file or PostgreSQL schema."""
    if db.dialect == "sqlite":
        return Database(engine=make_engine(db.url, **engine_args))
    with db.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return Database(engine=make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, **engine_args))


def all_at_once(db: Database, work: list[Callable[[Database], T]]) -> list[T]:
    """Run each piece of work on its own thread and its own Database, all released together; their results."""
    laptops = [twin(db) for _ in work]
    start = threading.Barrier(len(work))
    results: list[T | BaseException | None] = [None] * len(work)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work[i](laptops[i])
        except BaseException as exc:  # reported below, in the test's thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for laptop in laptops:
        laptop.dispose()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return [r for r in results if not isinstance(r, BaseException) and r is not None]


def _day_and_room(db: Database) -> tuple[int, int]:
    info, _ = days.create_day(db, DAY)
    with db.read() as session:
        room_id = session.scalar(select(Room.id).where(Room.day_id == info.id, Room.number == 8))
    assert room_id is not None
    return info.id, room_id


def _batches_in(db: Database, day_id: int, room_id: int, n: int) -> list[int]:
    ids = []
    for i in range(n):
        batch_id, _ = add_registration(db, day_id, RegistrationInput(PersonInput(f"来访人{i:02d}"), f"诉求{i}"))
        registrations.move_batch(db, batch_id, room_id, "测试", "登记台", batch_version(db, batch_id))
        ids.append(batch_id)
    return ids


def test_sixteen_desks_checking_into_one_room_get_numbers_one_to_sixteen(db: Database) -> None:
    day_id, room_id = _day_and_room(db)
    batch_ids = _batches_in(db, day_id, room_id, DESKS)

    def check_in(batch_id: int) -> Callable[[Database], int | None]:
        return lambda laptop: flow.check_in(laptop, batch_id, f"登记台{batch_id}")[0].queue_number

    numbers = all_at_once(db, [check_in(b) for b in batch_ids])
    assert sorted(n for n in numbers if n is not None) == list(range(1, DESKS + 1))
    with db.read() as session:
        stored = session.scalars(select(Batch.queue_number).where(Batch.room_id == room_id)).all()
        last = session.scalar(select(Room.last_queue_number).where(Room.id == room_id))
    assert sorted(n for n in stored if n is not None) == list(range(1, DESKS + 1)) and last == DESKS


def test_concurrent_walk_ins_get_distinct_registration_numbers(db: Database) -> None:
    day_id, _ = _day_and_room(db)
    add_registration(db, day_id, RegistrationInput(PersonInput("预登记人"), "预先登记"))  # Y0001: its own series

    def walk_in(i: int) -> Callable[[Database], int]:
        data = RegistrationInput(PersonInput(f"现场{i:02d}", phone=f"139{i:08d}"), f"现场诉求{i}")
        return lambda laptop: add_registration(laptop, day_id, data, walk_in=True, actor=f"登记台{i}")[0]

    all_at_once(db, [walk_in(i) for i in range(DESKS)])
    numbers = sorted(r.reg_no for r in registrations.list_registrations(db, day_id))
    assert numbers == sorted(["Y0001", *(f"X{i:04d}" for i in range(1, DESKS + 1))])


def test_concurrent_case_records_get_distinct_case_numbers(db: Database) -> None:
    day_id, room_id = _day_and_room(db)
    batch_ids = _batches_in(db, day_id, room_id, DESKS)
    for batch_id in batch_ids:
        flow.check_in(db, batch_id, "登记台")

    def record(batch_id: int) -> Callable[[Database], int]:
        data = CaseInput(instruction="已解释政策。", outcome="explained")
        return lambda laptop: cases.record_case(laptop, batch_id, data, "接待室8", batch_version(laptop, batch_id))[0]

    all_at_once(db, [record(b) for b in batch_ids])
    with db.read() as session:
        numbers = sorted(session.scalars(select(Case.case_no).where(Case.day_id == day_id)))
    assert numbers == [f"JF-20261204-08-{i:03d}" for i in range(1, DESKS + 1)]


def test_a_number_whose_batch_is_gone_is_not_given_again(db: Database) -> None:
    day_id, _ = _day_and_room(db)
    first, _ = add_registration(db, day_id, RegistrationInput(PersonInput("甲"), "诉求"), walk_in=True)
    second, _ = add_registration(db, day_id, RegistrationInput(PersonInput("乙"), "诉求"), walk_in=True)
    with db.session() as session:
        session.execute(delete(Batch).where(Batch.id == second))  # the newest batch, as a clean-up would drop it
    third, _ = add_registration(db, day_id, RegistrationInput(PersonInput("丙"), "诉求"), walk_in=True)
    assert [r.reg_no for r in registrations.list_registrations(db, day_id)] == ["X0001", "X0003"]
    assert first != third


def test_a_day_numbered_before_the_counters_continues_after_its_largest_number(db: Database) -> None:
    day_id, _ = _day_and_room(db)
    add_registration(db, day_id, RegistrationInput(PersonInput("甲"), "诉求"), walk_in=True)
    with db.session() as session:
        # as a database upgraded from 0006 holds it: numbers given, no counter row yet
        session.execute(text("DELETE FROM number_counter"))
        session.execute(text("UPDATE batch SET reg_no = 'X0041'"))
    add_registration(db, day_id, RegistrationInput(PersonInput("乙"), "诉求"), walk_in=True)
    assert [r.reg_no for r in registrations.list_registrations(db, day_id)] == ["X0041", "X0042"]
