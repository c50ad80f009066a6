"""Deadlines on the office's working-day calendar: the seeded 2026 National Day holiday and its 调休 Saturday,
a year without a schedule, days the office edits, and natural days."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, CalendarYear
from reception_desk.domain.deadlines import Colour, deadline
from reception_desk.services import cases
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.holiday_calendar import (
    load_calendar,
    mark_year_entered,
    parse_kind,
    set_calendar_day,
    year_schedule,
)
from tests.life_builders import dept, handed, load_case, new_day, visit

EVE = dt.date(2026, 9, 30)  # Wednesday before the National Day holiday (10-01..10-07; Saturday 10-10 is worked)


def _record(db: Database, day_id: int, name: str, colour: str) -> dt.date | None:
    """Record a handed-over case through the public service; its stored due date."""
    batch_id = visit(db, day_id, name)
    case_id, _ = cases.record_case(db, batch_id, handed(dept(db, "人力资源和社会保障局"), colour), "记录员")
    return load_case(db, case_id).due_date


def test_red_case_on_the_eve_of_national_day_is_due_on_october_15(db: Database) -> None:
    day_id = new_day(db, EVE)
    # working days after 09-30: 10-08 Thu, 10-09 Fri, 10-10 Sat (调休), 10-12 Mon, 10-13, 10-14, 10-15
    assert _record(db, day_id, "徐根土", "red") == dt.date(2026, 10, 15)
    assert _record(db, day_id, "周水生", "yellow") == dt.date(2026, 10, 10)  # the third is the 调休 Saturday
    assert _record(db, day_id, "毛秀英", "green") == dt.date(2026, 10, 8)

    calendar = load_calendar(db)
    red = deadline(EVE, Colour.RED, calendar)
    assert red.date == dt.date(2026, 10, 15) and red.warning == "" and red.unscheduled_years == ()
    assert deadline(EVE, Colour.YELLOW, calendar).date == dt.date(2026, 10, 10)
    assert deadline(dt.date(2026, 10, 9), Colour.GREEN, calendar).date == dt.date(2026, 10, 10)
    assert not calendar.is_workday(dt.date(2026, 10, 5)) and calendar.is_workday(dt.date(2026, 9, 20))


def test_natural_days_when_the_day_says_so(db: Database) -> None:
    day_id = new_day(db, EVE, natural=True)
    assert _record(db, day_id, "徐根土", "red") == dt.date(2026, 10, 7)  # 7 natural days, holiday or not
    assert _record(db, day_id, "周水生", "yellow") == dt.date(2026, 10, 3)
    natural = load_calendar(db, working_days=False)
    assert deadline(EVE, Colour.RED, natural).date == dt.date(2026, 10, 7)
    assert deadline(EVE, Colour.RED, natural).warning == ""


def test_a_year_without_a_schedule_counts_weekends_only_and_warns(db: Database) -> None:
    with db.read() as session:
        known = set(session.scalars(select(CalendarYear.year)))
    assert 2026 in known and 2027 not in known  # the package carries 2026 but not 2027
    last = dt.date(2026, 12, 30)  # a Wednesday
    calendar = load_calendar(db)
    red = deadline(last, Colour.RED, calendar)
    # 12-31 Thu, 01-01 Fri (no holiday known yet), 01-04 Mon .. 01-08 Fri
    assert red.date == dt.date(2027, 1, 8)
    assert red.unscheduled_years == (2027,)
    assert "2027年" in red.warning and "周末" in red.warning
    assert deadline(last, Colour.GREEN, calendar).warning == ""  # 12-31 stays inside 2026
    schedule = year_schedule(db, 2027)
    assert not schedule.scheduled and schedule.entries == () and "2027" in schedule.warning
    day_id = new_day(db, last)
    assert _record(db, day_id, "徐根土", "red") == dt.date(2027, 1, 8)

    # the office enters New Year's Day 2027: the year is known, and the deadline moves past the holiday
    set_calendar_day(db, dt.date(2027, 1, 1), "holiday", "元旦", "日历管理员")
    after = deadline(last, Colour.RED, load_calendar(db))
    assert after.date == dt.date(2027, 1, 11) and after.warning == ""
    schedule = year_schedule(db, 2027)
    assert schedule.scheduled and schedule.source == "office" and schedule.warning == ""
    assert [(e.date, e.kind, e.note, e.source) for e in schedule.entries] == [
        (dt.date(2027, 1, 1), "holiday", "元旦", "office")
    ]
    assert _record(db, day_id, "周水生", "red") == dt.date(2027, 1, 11)

    mark_year_entered(db, 2028, "日历管理员")
    assert year_schedule(db, 2028).scheduled and year_schedule(db, 2028).entries == ()


def test_the_office_edits_holidays_and_make_up_days(db: Database) -> None:
    monday, friday, saturday = dt.date(2026, 11, 2), dt.date(2026, 11, 6), dt.date(2026, 11, 7)
    assert deadline(monday, Colour.GREEN, load_calendar(db)).date == dt.date(2026, 11, 3)
    assert deadline(friday, Colour.GREEN, load_calendar(db)).date == dt.date(2026, 11, 9)

    set_calendar_day(db, dt.date(2026, 11, 3), "holiday", "临时放假", "日历管理员")
    set_calendar_day(db, saturday, "workday", "调休上班", "日历管理员")
    calendar = load_calendar(db)
    assert deadline(monday, Colour.GREEN, calendar).date == dt.date(2026, 11, 4)
    assert deadline(friday, Colour.GREEN, calendar).date == saturday
    day_id = new_day(db, monday)
    assert _record(db, day_id, "徐根土", "green") == dt.date(2026, 11, 4)

    entries = {e.date: e for e in year_schedule(db, 2026).entries}
    assert entries[dt.date(2026, 11, 3)].kind_label == "放假" and entries[dt.date(2026, 11, 3)].source == "office"
    assert entries[saturday].kind_label == "调休上班" and entries[saturday].note == "调休上班"
    with db.read() as session:
        reasons = session.scalars(
            select(AuditEntry.reason).where(AuditEntry.action == "calendar").order_by(AuditEntry.id)
        ).all()
        assert list(reasons) == ["2026-11-03", "2026-11-07"]

    # back to the plain week: the stored rows go, the deadline returns
    set_calendar_day(db, dt.date(2026, 11, 3), None, actor="日历管理员")
    set_calendar_day(db, saturday, None, actor="日历管理员")
    assert deadline(monday, Colour.GREEN, load_calendar(db)).date == dt.date(2026, 11, 3)
    entries = {e.date: e for e in year_schedule(db, 2026).entries}
    assert dt.date(2026, 11, 3) not in entries and saturday not in entries

    with pytest.raises(InvalidInputError, match="未知的日期类型"):
        set_calendar_day(db, saturday, "halfday", actor="日历管理员")


def test_year_schedule_lists_the_seeded_holidays(db: Database) -> None:
    schedule = year_schedule(db, 2026)
    assert schedule.scheduled and schedule.source == "package" and schedule.warning == ""
    national = [e.date for e in schedule.entries if e.note == "国庆节" and e.kind == "holiday"]
    assert national == [dt.date(2026, 10, d) for d in range(1, 8)]
    makeup = {e.date for e in schedule.entries if e.kind == "workday"}
    assert {dt.date(2026, 9, 20), dt.date(2026, 10, 10)} <= makeup
    assert [e.date for e in schedule.entries] == sorted(e.date for e in schedule.entries)
    # counted independently from the package itself
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    assert schedule.workdays == sum(chinese_calendar.is_workday(d) for d in days)


@pytest.mark.parametrize(
    ("text", "kind"), [("holiday", "holiday"), ("放假", "holiday"), ("Workday", "workday"), ("调休", "workday")]
)
def test_parse_kind(text: str, kind: str) -> None:
    assert parse_kind(text) == kind


def test_parse_kind_refuses_an_unknown_word() -> None:
    with pytest.raises(InvalidInputError, match="未知的日期类型"):
        parse_kind("半天")
