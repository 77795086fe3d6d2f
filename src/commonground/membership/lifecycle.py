"""The membership lifecycle as pure functions of dates: easy to reason about and to test.

    active ──(window before end)──▶ renewal due ──(end passes)──▶ grace ──(grace passes)──▶ lapsed
      ▲  renew: new term from the current end, never overlapping            │
      └──────────────────────── reinstate: new term from the day ◀──────────┘
    cancel: from any live state; reinstate brings a cancelled membership back.

A plan's term is a number of months, or 0 for a lifetime plan, whose single term ends on
``LIFETIME_END``: never due, never in grace, never lapsed. How long before the end a
membership is due and how long grace lasts default by the term (``default_window``,
``default_grace``): a monthly member is due in the last week, an annual one in the last
month, so most members of either show as Active.
"""

from __future__ import annotations

from datetime import date, timedelta

from .models import Status

# The term rules live in ``terms`` (the models need them too); the lifecycle is where
# callers find them.
from .terms import (  # noqa: F401
    LIFETIME,
    LIFETIME_END,
    default_grace,
    default_window,
    parse_term,
    term_end,
    term_label,
)

LIVE = frozenset({Status.ACTIVE, Status.RENEWAL_DUE, Status.GRACE})

# event -> states it may start from
ALLOWED: dict[str, frozenset[str]] = {
    "renew": LIVE,
    "reinstate": frozenset({Status.LAPSED, Status.CANCELLED}),
    "cancel": LIVE | {Status.LAPSED},
}


def next_term(ends_on: date, months: int) -> tuple[date, date]:
    """The renewal term: starts the day after the current end, so terms never overlap."""
    start = ends_on + timedelta(days=1)
    return start, term_end(start, months)


def status_on(*, ends_on: date, today: date, renewal_window_days: int, grace_days: int) -> Status:
    """Where a (not cancelled) membership stands on ``today`` given its term end."""
    if today <= ends_on:
        if (ends_on - today).days < renewal_window_days:
            return Status.RENEWAL_DUE
        return Status.ACTIVE
    if today <= ends_on + timedelta(days=grace_days):
        return Status.GRACE
    return Status.LAPSED


def lapse_date(ends_on: date, grace_days: int) -> date:
    """The first day a membership is lapsed (a lifetime term, ending on ``LIFETIME_END``,
    is never asked: it cannot lapse)."""
    return ends_on + timedelta(days=grace_days + 1)


def can(event: str, status: str) -> bool:
    return status in ALLOWED[event]
