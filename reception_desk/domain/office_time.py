"""The office's clock: times are stored naive in UTC and shown, dated and counted in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

OFFICE_ZONE = ZoneInfo("Asia/Shanghai")


def now_utc() -> dt.datetime:
    """This moment, naive UTC (how the database stores times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today in the office's time zone, whatever the laptop's zone."""
    return dt.datetime.now(OFFICE_ZONE).date()


def to_local(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as the office's wall-clock time (naive)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(OFFICE_ZONE).replace(tzinfo=None)


# China has kept UTC+8 without daylight saving since 1992: the figures convert hundreds of thousands of times,
# so they add the fixed offset instead of asking zoneinfo (10× faster); earlier times go through zoneinfo.
_FIXED_SINCE = dt.datetime(1992, 1, 1)
_FIXED_OFFSET = dt.timedelta(hours=8)


def local_date(moment: dt.datetime) -> dt.date:
    """The office's date of a stored (naive UTC) time."""
    if moment >= _FIXED_SINCE:
        return (moment + _FIXED_OFFSET).date()
    return to_local(moment).date()


def to_utc(local: dt.datetime) -> dt.datetime:
    """An office wall-clock time (naive, or aware in any zone) as naive UTC for storage."""
    aware = local if local.tzinfo is not None else local.replace(tzinfo=OFFICE_ZONE)
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def end_of_day_utc(day: dt.date) -> dt.datetime:
    """The first moment after the office's day, naive UTC: `t < end_of_day_utc(d)` means t fell on d or before."""
    return to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def moment_on(day: dt.date, clock: dt.time | None = None) -> dt.datetime:
    """Naive UTC for a wall-clock time on an office day (the current wall-clock time when not given)."""
    clock = clock or dt.datetime.now(OFFICE_ZONE).time().replace(microsecond=0)
    return to_utc(dt.datetime.combine(day, clock))


def now_local() -> dt.datetime:
    """The office's wall-clock time now (naive), whatever the laptop's zone: what a printout says it was made at."""
    return dt.datetime.now(OFFICE_ZONE).replace(tzinfo=None)
