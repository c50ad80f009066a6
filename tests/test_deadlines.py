"""Colour classes and due dates: green 1, yellow 3, red 7 days; calendar or working days."""

from __future__ import annotations

import datetime as dt

from reception_desk.domain.case_numbers import format_case_number, parse_case_number
from reception_desk.domain.deadlines import Calendar, Colour, due_date, due_text

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


def test_printed_deadline() -> None:
    assert due_text(dt.date(2026, 12, 1), Colour.YELLOW) == "黄色 3日内反馈，2026年12月4日前"


def test_case_numbers_round_trip() -> None:
    text = format_case_number(FRIDAY, 7, 3)
    assert text == "JF-20261204-07-003"
    parsed = parse_case_number(text)
    assert (parsed.day, parsed.room, parsed.sequence) == (FRIDAY, 7, 3)
