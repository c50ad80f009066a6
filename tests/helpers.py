"""Small builders shared by tests (real rows through the real services)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from reception_desk.db.engine import Database
from reception_desk.domain import resident_id
from reception_desk.services import days
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration

DAY = dt.date(2026, 12, 4)

# `visitor` as the migrations before 0008 left it: the resident ID and the phone in clear
OLD_VISITOR = sa.table(
    "visitor",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_initials", sa.String),
    sa.column("id_number", sa.String),
    sa.column("id_valid", sa.Boolean),
    sa.column("phone", sa.String),
    sa.column("township", sa.String),
    sa.column("village", sa.String),
    sa.column("created_at", sa.DateTime),
)


def old_visitor(conn: sa.Connection, name: str, id_number: str | None = None, phone: str = "") -> int:
    """A person written as the code before migration 0008 did (clear ID and phone); the new id."""
    values: dict[str, object] = {"name": name, "name_initials": "", "id_number": id_number}
    values["id_valid"] = id_number is not None
    values |= {"phone": phone, "township": "", "village": "", "created_at": dt.datetime(2026, 1, 1)}
    return int(conn.execute(sa.insert(OLD_VISITOR).values(values).returning(OLD_VISITOR.c.id)).scalar_one())


def make_day(db: Database, date: dt.date = DAY) -> int:
    """A reception day with the default plan; its id."""
    info, _ = days.create_day(db, date, leaders="区委书记 张明")
    return info.id


def register(db: Database, day_id: int, n: int, theme: str = "labour", headcount: int = 1, start: int = 0) -> list[int]:
    """n registrations with valid IDs; their batch ids."""
    ids = []
    for i in range(start, start + n):
        lead = PersonInput(f"测试{i}", resident_id.make("330803", dt.date(1970, 1, 1) + dt.timedelta(days=i), i % 1000))
        batch_id, _ = add_registration(
            db, day_id, RegistrationInput(lead, f"反映问题{i}", theme_code=theme, headcount=headcount)
        )
        ids.append(batch_id)
    return ids
