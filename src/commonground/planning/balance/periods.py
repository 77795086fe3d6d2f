"""The balance view's periods: calendar months in the association's dates, the current
month included up to today (its figures grow until it ends)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from commonground.tenancy.clock import association_zone

MAX_MONTHS = 36


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive; today for the current month

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}"


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months(today: date, n: int) -> list[Period]:
    """The ``n`` months ending with today's, oldest first; the last ends on ``today``. At
    least two, so the window is never one of its own months."""
    n = max(2, min(int(n), MAX_MONTHS))
    first = today.replace(day=1)
    out: list[Period] = []
    for _ in range(n):
        out.append(Period(first, min(month_end(first), today)))
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


def window(periods: list[Period]) -> Period:
    return Period(periods[0].start, periods[-1].end)


def bounds(association, period: Period) -> tuple[datetime, datetime]:
    """The period as ``[start, end)`` instants in the association's time zone."""
    zone = association_zone(association)
    return (datetime.combine(period.start, time.min, zone),
            datetime.combine(period.end + timedelta(days=1), time.min, zone))
