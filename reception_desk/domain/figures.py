"""The office's figures (按期办结率, 参评率, 满意率, 化解率 and the counts), defined once, as of a date.

Qt- and database-free: the services load one `CaseFacts` per case and call `figures`. A moment counts only when
it fell on or before the as-of date in the office's time zone, so a report made later for an earlier date gives
what was true then. A rate whose denominator is 0 is None (shown as "—").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from reception_desk.domain.case_life import RATED, SATISFIED
from reception_desk.domain.office_time import end_of_day_utc, local_date


@dataclass(slots=True)  # not frozen: built 60,000 times for a year's figures, and frozen init costs twice as much
class CaseFacts:
    """What the figures need of one case (times naive UTC); read-only by convention."""

    case_id: int
    outcome: str  # resolved | handed_over | explained
    due_date: dt.date | None  # the extended date when extended
    recorded_at: dt.datetime
    closed_at: dt.datetime | None
    resolved: bool | None  # 化解
    satisfaction: str | None  # the latest follow-up's rating
    followed_up_at: dt.datetime | None
    supervised_at: dt.datetime | None  # None: not supervised
    repeat_of: int | None
    repeated_at: dt.datetime | None  # when the first later case named this one as repeat_of
    department: str = ""
    theme: str = ""
    room: str = ""
    day_date: dt.date | None = None


@dataclass
class Figures:
    """Counts and the four rates over a set of cases."""

    cases: int = 0
    handed_over: int = 0
    resolved_on_spot: int = 0
    explained: int = 0
    open: int = 0
    closed: int = 0
    handed_over_closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    resolved: int = 0
    supervised: int = 0
    repeat_visits: int = 0

    @staticmethod
    def _rate(numerator: int, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率: handed-over cases closed by their due date ÷ (handed-over closed + open past due)."""
        return self._rate(self.closed_on_time, self.handed_over_closed + self.overdue)

    @property
    def participation_rate(self) -> float | None:
        """参评率: closed cases with a rating ÷ closed cases."""
        return self._rate(self.rated, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: (满意 + 基本满意) ÷ rated cases."""
        return self._rate(self.satisfied, self.rated)

    @property
    def resolution_rate(self) -> float | None:
        """化解率: closed cases marked 化解 and not followed by a repeat case ÷ closed cases."""
        return self._rate(self.resolved, self.closed)

    def add(self, other: Figures) -> Figures:
        """Add another set's counts to this one (every count is a sum over cases)."""
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def to_json(self) -> dict[str, int | float | None]:
        """The counts and the rates (fractions, or None for a zero denominator)."""
        out: dict[str, int | float | None] = dict(asdict(self))
        out.update(
            on_time_rate=self.on_time_rate,
            participation_rate=self.participation_rate,
            satisfaction_rate=self.satisfaction_rate,
            resolution_rate=self.resolution_rate,
        )
        return out


def rate_text(rate: float | None, digits: int = 2) -> str:
    """A rate as printed: 99.54%, or — when there is nothing to divide by."""
    return "—" if rate is None else f"{rate * 100:.{digits}f}%"


def add_case(fig: Figures, c: CaseFacts, as_of: dt.date, end: dt.datetime) -> None:
    """Count one case into the figures as of the date (`end`: the first moment after it, naive UTC)."""
    if c.recorded_at >= end:
        return
    fig.cases += 1
    handed_over = c.outcome == "handed_over"
    fig.handed_over += handed_over
    fig.resolved_on_spot += c.outcome == "resolved"
    fig.explained += c.outcome == "explained"
    fig.repeat_visits += c.repeat_of is not None
    fig.supervised += c.supervised_at is not None and c.supervised_at < end
    closed = c.closed_at is not None and c.closed_at < end
    if not closed:
        fig.open += 1
        if handed_over and c.due_date is not None and c.due_date < as_of:
            fig.overdue += 1
        return
    assert c.closed_at is not None
    fig.closed += 1
    if handed_over:
        fig.handed_over_closed += 1
        if c.due_date is None or local_date(c.closed_at) <= c.due_date:
            fig.closed_on_time += 1
    if c.satisfaction in RATED and c.followed_up_at is not None and c.followed_up_at < end:
        fig.rated += 1
        fig.satisfied += c.satisfaction in SATISFIED
    repeated = c.repeated_at is not None and c.repeated_at < end
    fig.resolved += bool(c.resolved) and not repeated


def figures(facts: Iterable[CaseFacts], as_of: dt.date) -> Figures:
    """The figures of these cases as of the date."""
    fig, end = Figures(), end_of_day_utc(as_of)
    for c in facts:
        add_case(fig, c, as_of, end)
    return fig


def figures_by(
    facts: Iterable[CaseFacts], as_of: dt.date, key: Callable[[CaseFacts], str]
) -> list[tuple[str, Figures]]:
    """The figures per group (department, theme, room), groups in name order; empty groups left out."""
    groups: dict[str, Figures] = defaultdict(Figures)
    end = end_of_day_utc(as_of)
    for c in facts:
        add_case(groups[key(c)], c, as_of, end)
    return [(name, fig) for name, fig in sorted(groups.items()) if fig.cases]
