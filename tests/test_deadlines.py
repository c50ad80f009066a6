"""Colour classes and due dates: green 1, yellow 3, red 7 days; calendar or working days."""

from __future__ import annotations

import datetime as dt

from reception_desk.domain.case_numbers import format_case_number, parse_case_number
from reception_desk.domain.deadlines import Calendar, Colour, deadline, due_date, due_text

FRIDAY = dt.date(2026, 12, 4)


def test_calendar_days() -> None:
    assert due_date(FRIDAY, Colour.GREEN) == dt.date(2026, 12, 5)
    assert due_date(FRIDAY, Colour.YELLOW) == dt.date(2026, 12, 7)
    assert due_date(FRIDAY, Colour.RED) == dt.date(2026, 12, 11)


def test_working_days_skip_weekends_and_holidays() -> None:
    cal = Calendar.working(holidays=[dt.date(2026, 12, 8)])
    assert due_date(FRIDAY, Colour.GREEN, cal) == dt.date(2026, 12, 7)  # Monday
    assert due_date(FRIDAY, Colour.YELLOW, cal) == dt.date(2026, 12, 10)  # Mon, (Tue off), Wed, Thu
    makeup = Calendar.working(extra_workdays=[dt.date(2026, 12, 5)])
    assert due_date(FRIDAY, Colour.GREEN, makeup) == dt.date(2026, 12, 5)


NATIONAL_DAY = [dt.date(2026, 10, d) for d in range(1, 8)]
MAKEUP = [dt.date(2026, 9, 20), dt.date(2026, 10, 10)]  # 调休: Sunday 09-20 and Saturday 10-10 are worked


def test_the_national_day_holiday_and_its_make_up_saturday() -> None:
    cal = Calendar.working(NATIONAL_DAY, MAKEUP, scheduled_years=[2026])
    eve = dt.date(2026, 9, 30)
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (调休), 10-12 Mon, 10-13, 10-14, 10-15
    assert deadline(eve, Colour.RED, cal).date == dt.date(2026, 10, 15)
    assert deadline(eve, Colour.YELLOW, cal).date == dt.date(2026, 10, 10)
    assert deadline(eve, Colour.GREEN, cal).date == dt.date(2026, 10, 8)
    assert deadline(dt.date(2026, 9, 18), Colour.GREEN, cal).date == dt.date(2026, 9, 20)  # Friday → 调休 Sunday
    assert deadline(eve, Colour.RED, cal.natural()).date == dt.date(2026, 10, 7)
    assert not cal.natural().working_days and cal.natural().holidays == cal.holidays


def test_a_year_without_a_schedule_warns() -> None:
    cal = Calendar.working(NATIONAL_DAY, MAKEUP, scheduled_years=[2026])
    late = deadline(dt.date(2026, 12, 30), Colour.RED, cal)
    assert late.date == dt.date(2027, 1, 8) and late.unscheduled_years == (2027,)
    assert late.warning.startswith("2027年的节假日安排尚未录入")
    assert deadline(dt.date(2026, 12, 30), Colour.GREEN, cal).warning == ""
    both = deadline(dt.date(2027, 12, 30), Colour.RED, cal)  # Thursday: into 2028
    assert both.unscheduled_years == (2027, 2028) and "2027、2028年" in both.warning
    # natural days and a calendar that knows every year never warn
    assert deadline(dt.date(2026, 12, 30), Colour.RED, cal.natural()).warning == ""
    assert deadline(dt.date(2026, 12, 30), Colour.RED, Calendar.working()).warning == ""


def test_printed_deadline() -> None:
    assert due_text(dt.date(2026, 12, 1), Colour.YELLOW) == "黄色 3日内反馈，2026年12月4日前"


def test_case_numbers_round_trip() -> None:
    text = format_case_number(FRIDAY, 7, 3)
    assert text == "JF-20261204-07-003"
    parsed = parse_case_number(text)
    assert (parsed.day, parsed.room, parsed.sequence) == (FRIDAY, 7, 3)
