"""What the balance page, the API and the command read: stored figures only (the monthly
snapshots and the offerings' figures the daily job writes), a fixed number of queries
whatever the size of the association.

The two sides are returned as two lists. Nothing here adds a mission figure to a business
figure: there is no "balance score".
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from commonground.core import metrics
from commonground.membership.models import Offering

from ..models import BalanceMetric, BalanceSide, BalanceSnapshot, OfferingCost, OfferingFigure
from . import periods
from .services import SIDES, default_metrics

ECONOMIC = ("margin", "revenue")
QUADRANTS = {
    (True, False): "High social, low economic: the paradox",
    (True, True): "High social, high economic",
    (False, True): "Low social, high economic",
    (False, False): "Low social, low economic",
}


@dataclass
class MetricSeries:
    """One metric of one side: its values per month (None where no snapshot exists)."""

    balance_metric: BalanceMetric | None  # None for an (unsaved) default
    metric: str  # the catalogue key
    key: str  # the chart column's key
    label: str
    unit: str
    kind: str
    values: list[Decimal | None]
    known: bool = True  # still in the catalogue

    @property
    def latest(self) -> Decimal | None:
        return next((v for v in reversed(self.values) if v is not None), None)

    @property
    def average(self) -> Decimal | None:
        vals = [v for v in self.values if v is not None]
        return sum(vals, Decimal("0")) / len(vals) if vals else None


@dataclass
class OfferingPoint:
    offering: Offering
    reach: int
    contributions: int
    revenue: Decimal
    cost: Decimal
    has_cost: bool
    quadrant: str = ""

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    def economic(self, which: str) -> Decimal:
        return self.margin if which == "margin" else self.revenue


@dataclass
class BalanceView:
    today: date
    months: list[periods.Period]
    sides: dict[str, list[MetricSeries]]
    configured: bool
    period: periods.Period  # the offerings' period: a month or the whole window
    economic: str
    offerings: list[OfferingPoint] = field(default_factory=list)
    reach_median: Decimal | None = None
    economic_median: Decimal | None = None
    computed_at: object = None

    def side_label(self, side: str) -> str:
        return BalanceSide(side).label

    @property
    def paradox(self) -> list[OfferingPoint]:
        return [o for o in self.offerings if o.quadrant == QUADRANTS[(True, False)]]


def balance_metrics(association) -> tuple[list[BalanceMetric], bool]:
    """The configured metrics, or (unsaved) the defaults when none are; and whether any
    are configured."""
    rows = list(BalanceMetric.objects.filter(association=association).order_by(
        "side", "position", "pk"))
    if rows:
        return rows, True
    return [BalanceMetric(association=association, side=side, metric=key, position=i)
            for i, (side, key) in enumerate(default_metrics())], False


def label_of(row: BalanceMetric) -> str:
    metric = metrics.get(row.metric)
    base = row.label or (metric.label if metric else row.metric)
    if row.filters and not row.label:
        base += " (" + ", ".join(f"{k} {v}" for k, v in sorted(row.filters.items())) + ")"
    return base


def balance_view(association, *, today: date, months: int = 12, period: str = "",
                 economic: str = "margin") -> BalanceView:
    months_ = periods.months(today, months)
    rows, configured = balance_metrics(association)
    snaps: dict[int, dict[date, Decimal]] = defaultdict(dict)
    computed_at = None
    if configured:
        for mid, start, value, at in BalanceSnapshot.objects.filter(
                association=association, period_start__gte=months_[0].start,
                period_start__lte=months_[-1].start).values_list(
                "balance_metric_id", "period_start", "value", "computed_at"):
            snaps[mid][start] = value
            computed_at = max(computed_at, at) if computed_at else at
    sides: dict[str, list[MetricSeries]] = {side: [] for side in SIDES}
    for row in rows:
        metric = metrics.get(row.metric)
        sides[row.side].append(MetricSeries(
            balance_metric=row if row.pk else None, metric=row.metric,
            key=f"m{row.pk or row.position}",
            label=label_of(row), unit=metric.unit if metric else "count",
            kind=metric.kind if metric else "flow",
            values=[snaps.get(row.pk, {}).get(p.start) for p in months_],
            known=metric is not None))
    economic = economic if economic in ECONOMIC else "margin"
    month = next((p for p in months_ if p.key == period), None)
    view = BalanceView(today=today, months=months_, sides=sides, configured=configured,
                       period=month or periods.window(months_), economic=economic,
                       computed_at=computed_at)
    _offerings(view, association, is_window=month is None)
    return view


def _offerings(view: BalanceView, association, *, is_window: bool) -> None:
    # One window is stored (the job's, replaced each run): it is read whatever its length.
    qs = OfferingFigure.objects.filter(association=association, is_window=is_window)
    if not is_window:
        qs = qs.filter(period_start=view.period.start)
    qs = qs.select_related("offering")
    stored = list(qs.order_by("offering__name"))
    points = [OfferingPoint(offering=f.offering, reach=f.reach, contributions=f.contributions,
                            revenue=f.revenue, cost=f.cost, has_cost=f.has_cost) for f in stored]
    if is_window and stored:
        view.period = periods.Period(stored[0].period_start, stored[0].period_end)
    active = [p for p in points if p.reach or p.revenue or p.has_cost]
    view.offerings = active
    if not active:
        return
    view.reach_median = Decimal(str(statistics.median([p.reach for p in active])))
    view.economic_median = statistics.median([p.economic(view.economic) for p in active])
    for p in active:
        # Above the median is high; on it counts as low, so half the offerings are high.
        high_social = p.reach > view.reach_median
        high_economic = p.economic(view.economic) > view.economic_median
        p.quadrant = QUADRANTS[(high_social, high_economic)]


def costs(association, *, limit: int = 200) -> list[OfferingCost]:
    return list(OfferingCost.objects.filter(association=association)
                .select_related("offering", "recorded_by").order_by("-period_start", "pk")[:limit])
