"""The office's working-day calendar (工作日历): holidays, make-up working days (调休), and the known years."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import CalendarDay, CalendarYear, ReceptionDay, utcnow
from reception_desk.domain.deadlines import Calendar
from reception_desk.domain.roles import Permission
from reception_desk.services import audit, authz
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import InvalidInputError, NotFoundError

KINDS = {"holiday": "放假", "workday": "调休上班"}
KIND_ALIASES = {
    "holiday": "holiday",
    "放假": "holiday",
    "节假日": "holiday",
    "休息": "holiday",
    "workday": "workday",
    "上班": "workday",
    "工作日": "workday",
    "调休": "workday",
}


@dataclass(frozen=True)
class CalendarEntry:
    """A day of the calendar table: holiday or make-up working day, with its note and where it came from."""

    date: dt.date
    kind: str  # holiday | workday
    note: str
    source: str  # package | office

    @property
    def kind_label(self) -> str:
        """放假 or 调休上班."""
        return KINDS[self.kind]


@dataclass(frozen=True)
class YearSchedule:
    """A year of the calendar: whether its official schedule is known, its special days, its working-day count."""

    year: int
    scheduled: bool
    source: str  # package | office | ''
    entries: tuple[CalendarEntry, ...]
    workdays: int  # working days in the year as the table counts them

    @property
    def warning(self) -> str:
        """A warning when the year's schedule has not been entered."""
        if self.scheduled:
            return ""
        return f"{self.year}年的国务院节假日安排尚未录入：工作日只按周末计算。请录入放假和调休上班的日期。"


def load_calendar_in(session: Session, working_days: bool = True) -> Calendar:
    """The office's calendar from the table (a few hundred rows)."""
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for date, kind in session.execute(select(CalendarDay.date, CalendarDay.kind)):
        (holidays if kind == "holiday" else workdays).add(date)
    years = session.scalars(select(CalendarYear.year)).all()
    return Calendar(working_days, frozenset(holidays), frozenset(workdays), frozenset(years))


def day_calendar_in(session: Session, day: ReceptionDay) -> Calendar:
    """How a reception day counts its deadlines: working days on the office calendar, or natural days."""
    return load_calendar_in(session, working_days=day.working_day_deadlines)


def load_calendar(db: Database, working_days: bool = True) -> Calendar:
    """The office's calendar (one read)."""
    with db.read() as session:
        return load_calendar_in(session, working_days)


def year_schedule(db: Database, year: int) -> YearSchedule:
    """A year of the calendar as `calendar show` and the settings page list it."""
    with db.read() as session:
        known = session.get(CalendarYear, year)
        rows = session.scalars(
            select(CalendarDay)
            .where(CalendarDay.date >= dt.date(year, 1, 1), CalendarDay.date <= dt.date(year, 12, 31))
            .order_by(CalendarDay.date)
        ).all()
        entries = tuple(CalendarEntry(r.date, r.kind, r.note, r.source) for r in rows)
        calendar = load_calendar_in(session)
    day, workdays = dt.date(year, 1, 1), 0
    while day.year == year:
        workdays += calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return YearSchedule(year, known is not None, known.source if known else "", entries, workdays)


def parse_kind(text: str) -> str:
    """holiday or workday from the word the office typed (English or Chinese)."""
    kind = KIND_ALIASES.get(text.strip().lower())
    if kind is None:
        raise InvalidInputError(f"未知的日期类型：{text}（应为 workday 调休上班 或 holiday 放假）。")
    return kind


def set_calendar_day(db: Database, date: dt.date, kind: str | None, note: str = "", actor: str = "") -> ChangeSet:
    """Make a day a holiday or a working day (kind None: back to the plain week); its year counts as entered.

    A holiday is stored (on a weekend too, for its name); a working day on a weekend is stored as 调休上班; a
    working day on a weekday is the plain week, so it removes the stored row.
    """
    if kind is not None and kind not in KINDS:
        raise InvalidInputError(f"未知的日期类型：{kind}。")
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        row = session.get(CalendarDay, date)
        before = {"kind": row.kind, "note": row.note} if row else None
        plain = kind is None or (kind == "workday" and date.weekday() < 5)
        if plain:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(CalendarDay(date=date, kind=kind, note=note.strip(), source="office"))
        else:
            row.kind, row.note, row.source = str(kind), note.strip() or row.note, "office"
        year = session.get(CalendarYear, date.year)
        if year is None:
            session.add(CalendarYear(year=date.year, source="office"))
        else:
            year.source, year.updated_at = "office", utcnow()
        after = None if plain else {"kind": kind, "note": note.strip()}
        audit.record(session, actor, "calendar", "calendar_day", None, before, after, reason=date.isoformat())
        return ChangeSet(full=True)


def mark_year_entered(db: Database, year: int, actor: str = "") -> ChangeSet:
    """Say that a year's schedule is complete as the table holds it (for a year with no exceptions to enter)."""
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        if session.get(CalendarYear, year) is None:
            session.add(CalendarYear(year=year, source="office"))
            audit.record(session, actor, "calendar_year", "calendar_year", year, None, {"year": year})
        return ChangeSet(full=True)


def day_deadline_mode(db: Database, day_id: int) -> bool:
    """Whether a reception day counts its deadlines in working days (True, the default) or natural days."""
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        if day is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        return bool(day.working_day_deadlines)


def set_day_deadline_mode(db: Database, day_id: int, working_days: bool, actor: str = "") -> ChangeSet:
    """期限计算: working days on the office calendar or natural days, for the day's cases recorded from now on."""
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        day = session.get(ReceptionDay, day_id)
        if day is None:
            raise NotFoundError(f"接访日 #{day_id} 不存在。")
        if bool(day.working_day_deadlines) != working_days:
            before = {"working_day_deadlines": bool(day.working_day_deadlines)}
            day.working_day_deadlines = working_days
            after = {"working_day_deadlines": working_days}
            audit.record(session, actor, "deadline_mode", "reception_day", day_id, before, after)
        return ChangeSet(days={day_id})
