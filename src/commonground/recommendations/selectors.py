"""Reads of next-best offering: what people took (for the computation) and what is
suggested to whom (for profiles, the API and segments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import numpy as np
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate

from commonground.activity.models import Activity
from commonground.membership import lifecycle
from commonground.membership.models import Offering
from commonground.people.models import Person
from commonground.tenancy.clock import association_zone

from .models import Method, Recommendation, RecommendationRun

SHOWN = 3  # suggestions on a profile and what "recommended offering is X" looks at


@dataclass
class Taken:
    """Distinct (person, offering) pairs with the day each was first taken (days since
    1970-01-01 in the association's zone, for the evaluation's time split)."""

    person: np.ndarray
    offering: np.ndarray
    first_day: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


def taken(association, *, before: date | None = None, dated: bool = True) -> Taken:
    """Every offering each person took: one GROUP BY over the activities linked to an
    offering (orders, registrations, check-ins, completions, downloads, forum posts), read
    set-based; erased people are left out. ``dated``: with the day each was first taken
    (in the association's zone, computed by the database: reading 10^6 timestamps into
    Python costs seconds), else ``first_day`` is all zeros."""
    zone = association_zone(association)
    qs = Activity.objects.filter(person__isnull=False, offering__isnull=False)
    if before is not None:
        qs = qs.filter(occurred_at__lt=datetime.combine(before, time.min, tzinfo=zone))
    pairs = qs.values_list("person_id", "offering_id")
    if dated:
        rows = list(pairs.annotate(first=Min(TruncDate("occurred_at", tzinfo=zone))).order_by())
    else:
        rows = list(pairs.distinct().order_by())
    erased = set(Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    if erased:
        rows = [r for r in rows if r[0] not in erased]
    n = len(rows)
    person = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    offering = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    if dated:
        epoch = date(1970, 1, 1).toordinal()
        first = np.fromiter((r[2].toordinal() - epoch for r in rows), dtype=np.int64, count=n)
    else:
        first = np.zeros(n, dtype=np.int64)
    return Taken(person, offering, first)


def latest_run() -> RecommendationRun | None:
    return RecommendationRun.objects.order_by("-computed_at", "-id").first()


def is_member(person: Person) -> bool:
    """Whether the person pays member prices today (a live membership)."""
    return person.member_status in lifecycle.LIVE


@dataclass
class Suggestion:
    offering: Offering
    rank: int
    reason: str
    price: Decimal
    other_price: Decimal | None  # the price on the other side, when it differs
    member_price_applies: bool
    personal: bool  # False: the most popular, for someone with no history yet
    score: float | None = None
    method: str = ""

    @property
    def saving(self) -> Decimal | None:
        """What joining would save on it (non-members only), when it would."""
        if self.member_price_applies or self.other_price is None:
            return None
        saved = self.price - self.other_price
        return saved if saved > 0 else None


def reason_text(rec: Recommendation) -> str:
    """The reason as staff read it: "38% of those who took Annual Conference also took it".
    ``rec.because`` is read as loaded (``select_related``): no query of its own."""
    because = rec.because.name if rec.because_id and rec.because else None
    shared = because and rec.because_share
    if shared and (rec.method == Method.ITEMS or not rec.neighbours):
        return f"{rec.because_share * 100:.0f}% of people who took {because} also took this"
    if rec.neighbours:
        return (f"Taken by {rec.neighbours_took:,} of the {rec.neighbours:,} people whose "
                f"offerings are most like theirs")
    return "Popular with people like them"


def _priced(offering: Offering, member: bool) -> tuple[Decimal, Decimal | None]:
    price = offering.price_for(is_member=member)
    other = offering.price_for(is_member=not member)
    return price, (other if other != price else None)


def suggestions_for(person: Person, *, limit: int = SHOWN) -> list[Suggestion]:
    """The person's next-best offerings at the price they would pay today: the stored
    personal ones, else (no history yet) the most popular active offerings they lack.
    One query: the suggestions with their offerings and the offerings their reasons name."""
    member = is_member(person)
    recs = list(Recommendation.objects.filter(person=person, offering__is_active=True)
                .select_related("offering", "because").order_by("rank")[:limit])
    if recs:
        out = []
        for i, rec in enumerate(recs, start=1):
            price, other = _priced(rec.offering, member)
            out.append(Suggestion(rec.offering, i, reason_text(rec), price, other, member,
                                  True, rec.score, rec.method))
        return out
    run = latest_run()
    if run is None or not run.popular:
        return []
    has = set(Activity.objects.filter(person=person, offering__isnull=False)
              .values_list("offering_id", flat=True).distinct())
    wanted = [pk for pk in run.popular if pk not in has][:limit]
    offerings = Offering.objects.in_bulk(wanted)
    out = []
    for pk in wanted:
        offering = offerings.get(pk)
        if offering is None or not offering.is_active:
            continue
        price, other = _priced(offering, member)
        out.append(Suggestion(offering, len(out) + 1, "Among the offerings most people take",
                              price, other, member, False))
    return out


def people_recommended(offering_ids: list[int], *, ranks: int = SHOWN):
    """Person ids whose top ``ranks`` personal suggestions include one of the offerings
    (a subquery: the segment filter and the API use it)."""
    return Recommendation.objects.filter(offering_id__in=offering_ids, rank__lte=ranks) \
        .values("person_id")


def offering_counts(*, ranks: int = SHOWN) -> list[tuple[Offering, int, int]]:
    """Per active offering: how many people have it among their top suggestions and how
    many as their first one — what the overview page lists."""
    counts = {r["offering_id"]: [r["n"], r["first"]] for r in
              Recommendation.objects.filter(rank__lte=ranks).values("offering_id")
              .annotate(n=Count("id"), first=Count("id", filter=Q(rank=1))).order_by()}
    offerings = Offering.objects.filter(is_active=True).order_by("name")
    rows = [(o, *counts.get(o.pk, [0, 0])) for o in offerings]
    rows.sort(key=lambda r: (-r[1], r[0].name))
    return rows
