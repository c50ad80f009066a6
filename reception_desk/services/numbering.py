"""Numbers of a day that never collide: registration numbers (Y0001, X0001) and case numbers (by room).

Each series of a day has one counter row (number_counter). Taking numbers is one UPDATE … RETURNING that adds to
the counter: it locks only that row until the caller's transaction commits, so two desks registering walk-ins
wait for each other a few milliseconds while check-ins, calls and other rooms' cases do not wait at all. The
counter only grows: a number given once is never given again, even when its batch or case is gone.

A day's counter is created on first use from the largest number the day already holds (one scan, once; days
created before migration 0007 continue where they were).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reception_desk.db.models import Batch, Case, NumberCounter, table
from reception_desk.domain.case_numbers import format_case_number, format_registration_number, parse_case_number

COUNTER = table(NumberCounter)


def registration_series(walk_in: bool) -> str:
    """The series of registration numbers: their prefix ("Y" pre-registered, "X" walk-in)."""
    return format_registration_number(walk_in, 0)[0]


def case_series(room_number: int) -> str:
    """The series of a room's case numbers on a day."""
    return f"case:{room_number}"


def take(session: Session, day_id: int, series: str, seed: Callable[[], int], count: int = 1) -> int:
    """Take `count` numbers of the series in the caller's transaction; returns the last one taken.

    The numbers taken are last - count + 1 … last. count=0 takes none but locks the counter until commit (one
    import of a day at a time). `seed()` gives the day's largest number when the counter does not exist yet.
    """
    bump = (
        update(COUNTER)
        .where(COUNTER.c.day_id == day_id, COUNTER.c.series == series)
        .values(last=COUNTER.c.last + count)
        .returning(COUNTER.c.last)
    )
    last = session.execute(bump).scalar_one_or_none()
    if last is None:
        values = {"day_id": day_id, "series": series, "last": seed()}
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # two first users of a day: the second waits for the first's row and then adds to it
        session.execute(insert(COUNTER).values(**values).on_conflict_do_nothing())
        last = session.execute(bump).scalar_one()
    return int(last)


def take_registration_numbers(session: Session, day_id: int, walk_in: bool, count: int = 1) -> int:
    """The first of `count` new registration sequence numbers of the day (Y or X), taken for good."""
    series = registration_series(walk_in)

    def seed() -> int:
        last = session.scalar(
            # numerically: a text max would put Y9999 above Y10000
            select(func.max(cast(func.substr(Batch.reg_no, 2), Integer))).where(
                Batch.day_id == day_id, Batch.reg_no.like(f"{series}%")
            )
        )
        return int(last or 0)

    return take(session, day_id, series, seed, count) - count + 1


def lock_registration_numbers(session: Session, day_id: int, walk_in: bool = False) -> None:
    """Hold the day's counter of that series until commit (an import: one at a time, its numbers in one run)."""
    take_registration_numbers(session, day_id, walk_in, count=0)


def take_case_number(session: Session, day_id: int, day_date: dt.date, room_number: int) -> int:
    """The next case sequence of the room on the day, taken for good."""

    def seed() -> int:
        prefix = format_case_number(day_date, room_number, 1)[: -len("001")]
        numbers = session.scalars(select(Case.case_no).where(Case.day_id == day_id, Case.case_no.like(f"{prefix}%")))
        return max((parse_case_number(n).sequence for n in numbers), default=0)

    return take(session, day_id, case_series(room_number), seed)
