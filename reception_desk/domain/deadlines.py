"""Three-colour classification (三色分类) and feedback deadlines: green 1, yellow 3, red 7 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class Colour(Enum):
    """The colour class of a handed-over case."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def days(self) -> int:
        """Days within which the department must give feedback."""
        return {"green": 1, "yellow": 3, "red": 7}[self.value]

    @property
    def label(self) -> str:
        """Chinese name: 绿色, 黄色, 红色."""
        return {"green": "绿色", "yellow": "黄色", "red": "红色"}[self.value]


@dataclass(frozen=True)
class Calendar:
    """Counts days to a deadline: calendar days by default, working days when set so.

    Holidays and make-up working days (调休) are given by the office; weekends are Saturday and Sunday.
    """

    working_days: bool = False
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def working(cls, holidays: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = ()) -> Calendar:
        """A working-day calendar with the given holidays and make-up working days."""
        return cls(True, frozenset(holidays), frozenset(extra_workdays))

    def is_workday(self, day: dt.date) -> bool:
        """True when the bureau works on this day."""
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` days after start, counting only working days when so configured."""
        if not self.working_days:
            return start + dt.timedelta(days=days)
        current = start
        left = days
        while left > 0:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        return current


CALENDAR_DAYS = Calendar()


def due_date(received: dt.date, colour: Colour, calendar: Calendar = CALENDAR_DAYS) -> dt.date:
    """The feedback due date of a case received on `received` with the given colour."""
    return calendar.add_days(received, colour.days)


def due_text(received: dt.date, colour: Colour, calendar: Calendar = CALENDAR_DAYS) -> str:
    """The deadline as printed: 黄色 3日内反馈，2026年12月4日前."""
    due = due_date(received, colour, calendar)
    return f"{colour.label} {colour.days}日内反馈，{due.year}年{due.month}月{due.day}日前"
