"""The association's clock: its time zone, its "now" and its "today".

Business dates — when a membership starts and ends, when it falls due, lapses or is
cancelled, an invoice's or a payment's date, "ends within 30 days", the day a relationship
starts, the daily lifecycle advance — are the association's local dates, not the
server's: for an association in Auckland a term that ends on 10 March has ended once it
is 11 March in Auckland, even while it is still 10 March in UTC. Everything that needs
such a date asks here, not ``timezone.localdate()`` or ``date.today()`` (the demo seed and
the benchmarks take an explicit ``--today``; the roster's two-digit-year pivot needs only
a year).

``association_zone`` is the association's ``time_zone``; a blank or unknown zone falls back
to the server's (``settings.TIME_ZONE``), which is also what code running outside any
association (a platform admin page) gets from ``scope_today``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django_scopes import get_scope


def association_zone(association: Any) -> ZoneInfo:
    """The association's time zone (``Association.time_zone``)."""
    name = getattr(association, "time_zone", "") or ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def association_now(association: Any, *, at: datetime | None = None) -> datetime:
    """``at`` (default: now) as the association's wall-clock time."""
    return timezone.localtime(at or timezone.now(), association_zone(association))


def association_today(association: Any, *, at: datetime | None = None) -> date:
    """The association's date at ``at`` (default: now): the "today" of its business dates."""
    return association_now(association, at=at).date()


def scope_today() -> date:
    """``association_today`` of the association whose scope is active (django-scopes), for
    reads that run inside a request's scope without the association passed in."""
    return association_today(get_scope().get("association"))
