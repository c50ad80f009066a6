"""An import does not stall the desk (PostgreSQL): while an import of the day is held open mid-way, a check-in and a
walk-in of the same day go through at once; a typed pre-registration, which needs the import's number series, is
refused after the lock timeout with 稍后重试 instead of hanging; and import cost does not scan the day's batches."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bench.bench_import import make_workbook
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import Batch, Room
from reception_desk.errors import DatabaseBusyError
from reception_desk.services import days, flow, registrations
from reception_desk.services.importing import import_registrations
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from tests.conftest import PgSchema
from tests.current import batch_version
from tests.test_concurrent_numbers import twin

DAY = dt.date(2026, 12, 4)


@pytest.fixture
def pg_db(pg_schema: PgSchema) -> Iterator[Database]:
    """A migrated, empty PostgreSQL schema (what this file measures is PostgreSQL's row locking)."""
    database = Database(engine=pg_schema.engine())
    try:
        upgrade_to_head(database.engine)
        yield database
    finally:
        database.dispose()


class HeldImport:
    """An import running on its own thread and Database, held open after its first written chunk."""

    def __init__(self, db: Database, path: Path, day_id: int) -> None:
        self.laptop = twin(db)
        self.reached = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None
        self.imported = 0
        self.thread = threading.Thread(target=self._run, args=(path, day_id))

    def _progress(self, _done: int, _total: int) -> None:
        self.reached.set()
        assert self.release.wait(60)

    def _run(self, path: Path, day_id: int) -> None:
        try:
            self.imported = import_registrations(self.laptop, path, day_id, progress=self._progress).imported
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.reached.set()

    def __enter__(self) -> HeldImport:
        self.thread.start()
        assert self.reached.wait(60) and self.error is None, self.error
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.thread.join(60)
        self.laptop.dispose()


def _timed(work: object) -> float:
    assert callable(work)
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def test_a_running_import_does_not_stall_check_ins_or_walk_ins(pg_db: Database, tmp_path: Path) -> None:
    info, _ = days.create_day(pg_db, DAY)
    batch_id, _ = add_registration(pg_db, info.id, RegistrationInput(PersonInput("签到甲"), "签到"))
    with pg_db.read() as session:
        room_id = session.scalar(select(Room.id).where(Room.day_id == info.id, Room.number == 3))
    assert room_id is not None
    registrations.move_batch(pg_db, batch_id, room_id, "测试", "登记台", batch_version(pg_db, batch_id))
    sheet = tmp_path / "名单.xlsx"
    make_workbook(sheet, 1200)  # more than one chunk: the import is held with rows written, not committed
    desk = twin(pg_db, lock_timeout=0.5)
    try:
        with HeldImport(pg_db, sheet, info.id) as held:
            waited = _timed(lambda: flow.check_in(desk, batch_id, "登记台"))
            assert waited < 0.4  # no lock of the day's row: not even the lock timeout was waited for
            walk_in = RegistrationInput(PersonInput("现场乙", phone="13900000001"), "现场")
            assert _timed(lambda: add_registration(desk, info.id, walk_in, walk_in=True)) < 0.4
            typed = RegistrationInput(PersonInput("补录丙", phone="13900000002"), "补录")
            started = time.perf_counter()
            with pytest.raises(DatabaseBusyError, match="稍后重试"):
                add_registration(desk, info.id, typed)  # its Y number waits for the import's numbers
            assert time.perf_counter() - started < 3
        assert held.error is None and held.imported == 1200  # the import went through whole
        rows = registrations.list_registrations(pg_db, info.id)
        assert len(rows) == 2 + 1200
        checked = next(r for r in rows if r.batch_id == batch_id)
        assert (checked.status, checked.queue_number) == ("waiting", 1)
        # the typed one is retried after the import and gets the number after the import's
        add_registration(desk, info.id, typed)
        rows = registrations.list_registrations(pg_db, info.id)
        numbers = sorted(int(r.reg_no[1:]) for r in rows if r.reg_no.startswith("Y"))
        assert numbers == list(range(1, len(numbers) + 1))
    finally:
        desk.dispose()


def test_an_import_does_not_read_the_days_batches(db: Database, tmp_path: Path) -> None:
    """The import's cost follows the file: no statement of it reads all reg_no of the day (a max() or a scan)."""
    info, _ = days.create_day(db, DAY)
    first, second = tmp_path / "一.xlsx", tmp_path / "二.xlsx"
    make_workbook(first, 50, seed=3)
    make_workbook(second, 50, seed=5)
    import_registrations(db, first, info.id)
    seen: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        report = import_registrations(db, second, info.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert report.imported == 50
    day_scans = [s for s in seen if "batch.reg_no" in s and "FROM batch" in s and "WHERE batch.day_id" in s]
    assert not day_scans, day_scans[:2]
    with db.read() as session:
        assert sorted(session.scalars(select(Batch.reg_no).where(Batch.day_id == info.id))) == [
            f"Y{i:04d}" for i in range(1, 101)
        ]
