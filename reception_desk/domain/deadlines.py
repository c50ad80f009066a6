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
    """Counts days to a deadline: natural days (自然日), or working days (工作日) when set so.

    Holidays and make-up working days (调休) come from the office's calendar table; weekends are Saturday and
    Sunday. `scheduled_years` are the years whose official schedule is known (None: treat every year as known);
    in any other year only weekends are days off, and a deadline counted through it carries a warning.
    """

    working_days: bool = False
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)
    scheduled_years: frozenset[int] | None = None

    @classmethod
    def working(
        cls,
        holidays: Iterable[dt.date] = (),
        extra_workdays: Iterable[dt.date] = (),
        scheduled_years: Iterable[int] | None = None,
    ) -> Calendar:
        """A working-day calendar with the given holidays, make-up working days and known years."""
        years = frozenset(scheduled_years) if scheduled_years is not None else None
        return cls(True, frozenset(holidays), frozenset(extra_workdays), years)

    def natural(self) -> Calendar:
        """The same schedule, counting natural days."""
        return Calendar(False, self.holidays, self.extra_workdays, self.scheduled_years)

    def unscheduled_years(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """Years between start (exclusive) and end (inclusive) without a known schedule, when counting working days."""
        if not self.working_days or self.scheduled_years is None or end <= start:
            return ()
        first = (start + dt.timedelta(days=1)).year
        return tuple(y for y in range(first, end.year + 1) if y not in self.scheduled_years)

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


@dataclass(frozen=True)
class Deadline:
    """A due date, with the years it was counted through whose holiday schedule is not known yet."""

    date: dt.date
    unscheduled_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        """The warning shown beside the date, or ''."""
        if not self.unscheduled_years:
            return ""
        years = "、".join(str(y) for y in self.unscheduled_years)
        return f"{years}年的节假日安排尚未录入，期限仅按周末推算，请在“设置 → 工作日历”中录入后核对。"


def deadline(received: dt.date, colour: Colour, calendar: Calendar = CALENDAR_DAYS) -> Deadline:
    """The due date with its warning (a year without a known schedule was counted on weekends only)."""
    due = due_date(received, colour, calendar)
    return Deadline(due, calendar.unscheduled_years(received, due))


def due_text(received: dt.date, colour: Colour, calendar: Calendar = CALENDAR_DAYS) -> str:
    """The deadline as printed: 黄色 3日内反馈，2026年12月7日前 (3个工作日 when counting working days), plus the
    warning when a year without a known schedule was counted on weekends only."""
    found = deadline(received, colour, calendar)
    unit = "个工作日" if calendar.working_days else "日"
    due = found.date
    text = f"{colour.label} {colour.days}{unit}内反馈，{due.year}年{due.month}月{due.day}日前"
    return f"{text}（{found.warning}）" if found.warning else text
