"""The office's clock: times are stored naive in UTC and shown, dated and counted in the office's time zone.

The zone is a setting (Asia/Shanghai unless changed): $RECEPTION_DESK_TIMEZONE, else the zone saved in the
office settings file (the 设置 page writes it; the CLI and the app read the same file), else Asia/Shanghai.
The laptop's own zone never matters.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
ZONE_ENV = "RECEPTION_DESK_TIMEZONE"
ZONE_SETTING = "timezone"
OFFICE_ZONE = ZoneInfo(DEFAULT_ZONE)  # the default zone; code asks zone(), which follows the setting

_zone: ZoneInfo | None = None


def find_zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that name ("Asia/Shanghai"), or None when there is none."""
    try:
        return ZoneInfo(name.strip()) if name.strip() else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def configured_zone_name() -> str:
    """The zone the settings ask for: $RECEPTION_DESK_TIMEZONE, else the saved setting, else Asia/Shanghai."""
    from_env = os.environ.get(ZONE_ENV, "").strip()
    if from_env and find_zone(from_env) is not None:
        return from_env
    from reception_desk import office_settings

    saved = office_settings.load().get(ZONE_SETTING)
    if isinstance(saved, str) and find_zone(saved) is not None:
        return saved.strip()
    return DEFAULT_ZONE


def zone() -> ZoneInfo:
    """The office's time zone (read from the settings once, then kept)."""
    global _zone
    if _zone is None:
        _zone = ZoneInfo(configured_zone_name())
    return _zone


def reload_zone() -> ZoneInfo:
    """Read the setting again (after the 设置 page saved a zone, or a test changed the environment)."""
    global _zone
    _zone = None
    return zone()


def save_zone(name: str) -> ZoneInfo:
    """Save the office's zone in the settings file and use it from now on; ValueError for an unknown zone."""
    found = find_zone(name)
    if found is None:
        raise ValueError(f"未知的时区：{name}")
    from reception_desk import office_settings

    office_settings.save(**{ZONE_SETTING: found.key})
    return reload_zone()


def now_utc() -> dt.datetime:
    """This moment, naive UTC (how the database stores times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today in the office's time zone, whatever the laptop's zone."""
    return dt.datetime.now(zone()).date()


def to_local(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as the office's wall-clock time (naive)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(zone()).replace(tzinfo=None)


# China has kept UTC+8 without daylight saving since 1992: the figures convert hundreds of thousands of times,
# so in Asia/Shanghai they add the fixed offset instead of asking zoneinfo (10× faster); earlier times, and
# other zones, go through zoneinfo.
_FIXED_SINCE = dt.datetime(1992, 1, 1)
_FIXED_OFFSET = dt.timedelta(hours=8)


def local_date(moment: dt.datetime) -> dt.date:
    """The office's date of a stored (naive UTC) time."""
    if moment >= _FIXED_SINCE and zone().key == DEFAULT_ZONE:
        return (moment + _FIXED_OFFSET).date()
    return to_local(moment).date()


def to_utc(local: dt.datetime) -> dt.datetime:
    """An office wall-clock time (naive, or aware in any zone) as naive UTC for storage."""
    aware = local if local.tzinfo is not None else local.replace(tzinfo=zone())
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def end_of_day_utc(day: dt.date) -> dt.datetime:
    """The first moment after the office's day, naive UTC: `t < end_of_day_utc(d)` means t fell on d or before."""
    return to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def moment_on(day: dt.date, clock: dt.time | None = None) -> dt.datetime:
    """Naive UTC for a wall-clock time on an office day (the current wall-clock time when not given)."""
    clock = clock or dt.datetime.now(zone()).time().replace(microsecond=0)
    return to_utc(dt.datetime.combine(day, clock))


def now_local() -> dt.datetime:
    """The office's wall-clock time now (naive), whatever the laptop's zone: what a printout says it was made at."""
    return dt.datetime.now(zone()).replace(tzinfo=None)
