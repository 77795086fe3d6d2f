"""Who goes on a list, and what is ahead of each: the people of a segment, the renewal
decision each faces (the current term's end and its grace) and their lapse risk band.

Read straight from the rows (segments, terms, predictions) so a list is a snapshot of
the day it is made: a live segment's people change later, the list does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from commonground.insight.models import ModelKind, Prediction
from commonground.membership import lifecycle
from commonground.membership.models import Term
from commonground.people.models import Person
from commonground.segments.models import Segment
from commonground.segments.selectors import segment_people

CHUNK = 2000  # ids per IN (…): well under SQLite's bound on bound parameters
LONGEST_GRACE = 366  # a term ended longer ago than any grace cannot be in grace today


def chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def segment_person_ids(segment: Segment, *, today: date) -> list[int]:
    """The people of a segment on ``today``: a static list's members, or a live segment's
    filter evaluated that day (the segments app's reader, the one rule everywhere)."""
    return sorted(set(segment_people(segment, today=today).values_list("pk", flat=True)))


def living(ids: Iterable[int]) -> list[int]:
    """The ids that are people of the association in scope and not erased, in id order."""
    wanted = sorted({int(i) for i in ids})
    found: list[int] = []
    for part in chunks(wanted):
        found += Person.objects.filter(pk__in=part, erased_at__isnull=True) \
            .values_list("pk", flat=True)
    return sorted(found)


def decisions(ids: list[int], *, today: date) -> dict[int, tuple[date, int]]:
    """person id → (term end, grace days) of the renewal decision each faces on ``today``:
    the nearest end among their memberships live that day (in a term, or in its grace).
    Lifetime terms and cancelled memberships face none."""
    out: dict[int, tuple[date, int]] = {}
    for part in chunks(ids):
        rows = (Term.objects.filter(membership__person_id__in=part, starts_on__lte=today,
                                    ends_on__gte=today - timedelta(days=LONGEST_GRACE))
                .exclude(membership__plan__term_months=lifecycle.LIFETIME)
                .values_list("membership__person_id", "ends_on", "membership__plan__grace_days",
                             "membership__plan__term_months", "membership__cancelled_on"))
        for pid, ends_on, grace_days, months, cancelled_on in rows:
            if cancelled_on is not None and cancelled_on <= today:
                continue
            grace = grace_days if grace_days is not None else lifecycle.default_grace(months)
            if today >= lifecycle.lapse_date(ends_on, grace):
                continue  # lapsed already: no decision ahead
            if pid not in out or ends_on < out[pid][0]:
                out[pid] = (ends_on, grace)
    return out


def bands(ids: list[int]) -> dict[int, str]:
    """person id → current lapse risk band, for those with a prediction."""
    out: dict[int, str] = {}
    for part in chunks(ids):
        out.update(Prediction.objects.filter(kind=ModelKind.LAPSE, person_id__in=part)
                   .values_list("person_id", "band"))
    return out
