"""Small helpers the apps' metrics share: a period's instants and a flow's running total.

Business dates are the association's (its time zone); a timestamped row (an activity, a
person's record) belongs to the day it happened there. Callers pass the zone (core does
not know associations: ``tenancy.clock.association_zone``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

ZERO = Decimal(0)


def instants(zone: ZoneInfo, start: date, end: date) -> tuple[datetime, datetime]:
    """``[from, until)``: midnight at the start of ``start`` to midnight after ``end``."""
    return (datetime.combine(start, time.min, tzinfo=zone),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone))


def as_decimal(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def running_total(per_day: Iterable[tuple[date, Any]], start: date,
                  days: Sequence[date]) -> dict[date, Decimal]:
    """A flow's value on each of ``days``: the sum of ``per_day`` from ``start`` to that day
    (days before ``start`` are 0). ``per_day`` may hold days in any order."""
    totals: dict[date, Decimal] = {}
    for day, value in per_day:
        totals[day] = totals.get(day, ZERO) + as_decimal(value)
    ordered = sorted(d for d in totals if d >= start)
    out: dict[date, Decimal] = {}
    acc, i = ZERO, 0
    for day in sorted(set(days)):
        while i < len(ordered) and ordered[i] <= day:
            acc += totals[ordered[i]]
            i += 1
        out[day] = acc if day >= start else ZERO
    return out
