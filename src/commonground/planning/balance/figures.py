"""The offerings' two axes, computed set-based: one grouped query over the activities of
the window (by offering and month, and once more by offering for the whole window: distinct
people do not add up across months), one over the verified contributions, and the recorded
costs prorated by the days they share with each period.

A cost recorded for a year and shown for a month counts the month's share of it (days in
both over days of the cost), so monthly margins add up to the cost that was recorded.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from commonground.activity.models import Activity
from commonground.engagement.models import Contribution, ContributionStatus
from commonground.membership.models import Offering
from commonground.tenancy.clock import association_zone

from ..models import OfferingCost, OfferingFigure
from .periods import Period, bounds, window

CENT = Decimal("0.01")


def _month(value) -> date:
    return value.date().replace(day=1) if hasattr(value, "date") else value.replace(day=1)


def prorated(cost: OfferingCost, period: Period) -> Decimal:
    """The share of ``cost`` that falls in ``period`` (by days, both ends inclusive)."""
    first, last = max(cost.period_start, period.start), min(cost.period_end, period.end)
    if last < first:
        return Decimal("0")
    days = (cost.period_end - cost.period_start).days + 1
    share = Decimal((last - first).days + 1) / Decimal(days)
    return (cost.amount * share).quantize(CENT, rounding=ROUND_HALF_UP)


def offering_figures(association, periods: list[Period]) -> list[OfferingFigure]:
    """Unsaved figures per offering for each month of ``periods`` and for their window."""
    whole = window(periods)
    start, end = bounds(association, whole)
    zone = association_zone(association)
    acts = Activity.objects.filter(occurred_at__gte=start, occurred_at__lt=end,
                                   offering_id__isnull=False)
    people = Count("person_id", distinct=True, filter=Q(person_id__isnull=False))
    monthly: dict[tuple[int, date], tuple[int, Decimal]] = {}
    for row in (acts.annotate(month=TruncMonth("occurred_at", tzinfo=zone))
                .values("offering_id", "month").annotate(people=people, revenue=Sum("amount"))
                .order_by()):
        monthly[(row["offering_id"], _month(row["month"]))] = (row["people"],
                                                               row["revenue"] or Decimal("0"))
    overall = {row["offering_id"]: (row["people"], row["revenue"] or Decimal("0"))
               for row in acts.values("offering_id").annotate(people=people,
                                                              revenue=Sum("amount")).order_by()}
    contribs = Contribution.objects.filter(status=ContributionStatus.VERIFIED,
                                           offering_id__isnull=False,
                                           occurred_on__gte=whole.start,
                                           occurred_on__lte=whole.end)
    made: dict[tuple[int, date], int] = defaultdict(int)
    made_all: dict[int, int] = defaultdict(int)
    for oid, on, n in (contribs.values("offering_id", "occurred_on").annotate(n=Count("id"))
                       .values_list("offering_id", "occurred_on", "n").order_by()):
        made[(oid, on.replace(day=1))] += n
        made_all[oid] += n
    costs: dict[int, list[OfferingCost]] = defaultdict(list)
    for cost in OfferingCost.objects.filter(period_start__lte=whole.end,
                                            period_end__gte=whole.start):
        costs[cost.offering_id].append(cost)

    out: list[OfferingFigure] = []
    for oid in Offering.objects.order_by("pk").values_list("pk", flat=True):
        for period, is_window in [*((p, False) for p in periods), (whole, True)]:
            if is_window:
                reach, revenue = overall.get(oid, (0, Decimal("0")))
                n = made_all.get(oid, 0)
            else:
                reach, revenue = monthly.get((oid, period.start), (0, Decimal("0")))
                n = made.get((oid, period.start), 0)
            mine = [c for c in costs.get(oid, ()) if c.period_start <= period.end
                    and c.period_end >= period.start]
            out.append(OfferingFigure(
                association=association, offering_id=oid, period_start=period.start,
                period_end=period.end, is_window=is_window, reach=reach, contributions=n,
                revenue=Decimal(revenue).quantize(CENT), has_cost=bool(mine),
                cost=sum((prorated(c, period) for c in mine), Decimal("0"))))
    return out
