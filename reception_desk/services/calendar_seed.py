"""The official holiday schedule (放假 and 调休) as the `chinese-calendar` package carries it: the seed of the
office's editable calendar table. The package lags the State Council's November announcement, so the table, not
the package, is what deadlines count on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reception_desk.db.models import utcnow

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _note(name: Any) -> str:
    text = str(getattr(name, "value", name) or "")
    return HOLIDAY_NAMES.get(text, text)


def package_schedule() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for calendar_year and calendar_day from the package (empty when it is not installed)."""
    try:
        import chinese_calendar
    except ImportError:  # the package is a dependency; a stripped install still migrates
        return [], []
    days: list[dict[str, Any]] = []
    years: set[int] = set()
    for kind, table in (("holiday", chinese_calendar.holidays), ("workday", chinese_calendar.workdays)):
        for date, name in table.items():
            if not isinstance(date, dt.date):
                continue
            years.add(date.year)
            days.append({"date": date, "kind": kind, "note": _note(name), "source": "package"})
    now = utcnow()
    return [{"year": y, "source": "package", "updated_at": now} for y in sorted(years)], days
