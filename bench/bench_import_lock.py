"""Benchmark: does an import stall the desk, and does its cost grow with what the day already holds? (PostgreSQL)

Usage: .venv/bin/python bench/bench_import_lock.py [--rows 10000] [--existing 30000]
       [--pg postgresql://postgres@127.0.0.1:5432/test]

In a throw-away schema: imports `--rows` rows into an empty day (timed), fills a second day with `--existing`
batches (an import of its own, not timed), then imports `--rows` other rows into that day (timed) while a desk
thread waits for the import's first written chunk and then checks a batch of the same day in, registers a
walk-in and types in one pre-registration; prints how long each of these waited and how it ended.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_import import make_workbook
from bench.databases import in_schema, pg_schema
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.services import flow, plan, registrations
from reception_desk.services.days import create_day
from reception_desk.services.importing import import_registrations
from reception_desk.services.registrations import PersonInput, RegistrationInput

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _desk(db: Database, day_id: int, batch_id: int, started: threading.Event, out: dict[str, str]) -> None:
    """What a desk does while the import runs: one check-in, one walk-in, one typed pre-registration."""
    started.wait()
    for label, act in (
        ("check-in", lambda: flow.check_in(db, batch_id, "登记台")),
        (
            "walk-in",
            lambda: registrations.add_registration(
                db, day_id, RegistrationInput(PersonInput("现场甲", phone="13900000001"), "现场反映"), walk_in=True
            ),
        ),
        (
            "typed pre-registration",
            lambda: registrations.add_registration(
                db, day_id, RegistrationInput(PersonInput("补录乙", phone="13900000002"), "补录反映")
            ),
        ),
    ):
        t0 = time.perf_counter()
        try:
            act()
            outcome = "done"
        except Exception as exc:  # the figure is how it ended, whatever it was
            outcome = f"{type(exc).__name__}: {str(exc).splitlines()[0][:90]}"
        out[label] = f"{time.perf_counter() - t0:.2f} s ({outcome})"


def _desk_batch(db: Database, day_id: int) -> int:
    """A registered batch in room 1 of the day, ready to check in."""
    batch_id, _ = registrations.add_registration(
        db, day_id, RegistrationInput(PersonInput("签到丙", phone="13900000003"), "签到测试")
    )
    room = plan.list_rooms(db, day_id)[0]
    version = registrations.list_registrations(db, day_id)
    current = next(r.version for r in version if r.batch_id == batch_id)
    registrations.move_batch(db, batch_id, room.id, "测试", "登记台", current)
    return batch_id


def run(db: Database, tmp: Path, rows: int, existing: int) -> None:
    """The three imports and the desk thread."""
    upgrade_to_head(db.engine)
    new_file, old_file, other_file = tmp / "new.xlsx", tmp / "old.xlsx", tmp / "other.xlsx"
    make_workbook(new_file, rows, seed=11)
    # the same size of file for the full day, with other people: the same file again would reuse the visitors the
    # first import created (contact updates instead of new rows) and not compare like with like
    make_workbook(other_file, rows, seed=13)
    make_workbook(old_file, existing, seed=29)
    empty, _ = create_day(db, dt.date(2026, 12, 4))
    t0 = time.perf_counter()
    report = import_registrations(db, new_file, empty.id)
    print(f"import of {rows} rows into an empty day: {time.perf_counter() - t0:.2f} s ({report.imported} batches)")

    full, _ = create_day(db, dt.date(2026, 12, 11))
    t0 = time.perf_counter()
    report = import_registrations(db, old_file, full.id)
    print(f"  (filling the second day with {report.imported} batches took {time.perf_counter() - t0:.2f} s)")
    batch_id = _desk_batch(db, full.id)
    started = threading.Event()
    out: dict[str, str] = {}
    desk = threading.Thread(target=_desk, args=(db, full.id, batch_id, started, out))
    desk.start()
    t0 = time.perf_counter()
    try:
        report = import_registrations(db, other_file, full.id, progress=lambda _done, _total: started.set())
        print(
            f"import of {rows} rows into a day holding {existing} batches: {time.perf_counter() - t0:.2f} s "
            f"({report.imported} batches, {len(report.duplicates)} duplicates)"
        )
    finally:
        started.set()
        desk.join()
    for label, figure in out.items():
        print(f"  desk {label} during that import: {figure}")


def main() -> None:
    """Set up a schema, run, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=30_000)
    parser.add_argument("--pg", default=PG_URL)
    args = parser.parse_args()
    with pg_schema(args.pg) as schema, tempfile.TemporaryDirectory() as tmp:
        db = in_schema(args.pg, schema)
        try:
            run(db, Path(tmp), args.rows, args.existing)
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
