"""Activity's metrics for the KPI catalogue (``core.metrics``): counts of activities by
kind, category, source and offering (web, social and email traffic among them), the
distinct people active, event attendance, and revenue by offering and by side.

Every metric here is one aggregate over the activity table (a count, the distinct people
or the sum of amounts) with its own conditions, so they form one **family**: a plan's
activity KPIs are computed in one pass over the rows of their combined period, each as a
``FILTER``-ed aggregate (``_compute_many``), instead of one scan of 10^7 rows per KPI.
Only matched rows (with a person) and anonymous ones count alike for activity counts; the
people metrics count people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django_scopes import scope

from commonground.core.metrics import (
    Drilldown,
    FilterSpec,
    Metric,
    MetricQuery,
    register_family,
    register_metric,
)
from commonground.core.metrics.filters import one_of, slug_or_id
from commonground.core.metrics.periods import as_decimal, instants, running_total
from commonground.membership.metrics import OFFERING_FILTER, SIDE_FILTER
from commonground.membership.models import Offering
from commonground.people.metrics import person_link
from commonground.people.models import Person
from commonground.tenancy.clock import association_zone

from . import sql
from .models import Activity, Category, Source

FAMILY = "activity"
GROUP = "Activity"
CENT = Decimal("0.01")
_KIND_WORD = re.compile(r"^[a-z0-9_.:-]{1,40}$")


def _kind(association: Any, raw: str) -> str:
    value = raw.strip().lower()
    if not _KIND_WORD.match(value):
        raise ValueError(f"{raw.strip()!r} is not an activity kind (a word like page_view)")
    return value


def _kinds(association: Any) -> list[tuple[str, str]]:
    """The kinds of the latest rows: reading every kind of 10^7 rows is too slow for a
    picker, and the recent ones are the ones a plan targets."""
    with scope(association=association):
        ids = Activity.objects.filter(association=association).order_by("-id")[:5000]
        kinds = sorted(set(Activity.objects.filter(pk__in=ids.values("pk"))
                           .values_list("kind", flat=True)))
    return [(k, k.replace("_", " ")) for k in kinds]


KIND_FILTER = FilterSpec(name="kind", label="Kind", resolve=_kind, choices=_kinds,
                         help="An activity kind, e.g. page_view, email_open, event_checkin")
_category, _categories = one_of("category", Category.choices)
CATEGORY_FILTER = FilterSpec(name="category", label="Category", resolve=_category,
                             choices=_categories, help="web, social, marketing (email), …")
_source, _sources = slug_or_id("source", Source)
SOURCE_FILTER = FilterSpec(name="source", label="Source", resolve=_source, choices=_sources,
                           help="A source's slug")
FILTERS = (KIND_FILTER, CATEGORY_FILTER, SOURCE_FILTER, OFFERING_FILTER)


@dataclass(frozen=True)
class Measure:
    """What one activity metric aggregates: rows (``count``), distinct people
    (``people``) or amounts (``amount``), over rows whose columns equal ``match``
    (e.g. ``{"category": "web"}``)."""

    aggregate: str
    match: tuple[tuple[str, str], ...] = ()

    @property
    def base(self) -> Q:
        return Q(**dict(self.match))


_MEASURES: dict[str, Measure] = {}


def _conditions(association: Any, key: str, query: MetricQuery, end: date | None = None) -> Q:
    measure = _MEASURES[key]
    since, until = instants(association_zone(association), query.start, end or query.end)
    q = measure.base & Q(occurred_at__gte=since, occurred_at__lt=until)
    f = query.filters
    if "kind" in f:
        q &= Q(kind=f["kind"])
    if "category" in f:
        q &= Q(category=f["category"])
    if "source" in f:
        q &= Q(source_id=f["source"])
    if "offering" in f:
        q &= Q(offering_id=f["offering"])
    if "side" in f:
        q &= Q(offering__side=f["side"])
    if measure.aggregate == "people":
        q &= Q(person__isnull=False)
    if measure.aggregate == "amount":
        q &= Q(amount__isnull=False)
    return q


def _aggregate(measure: Measure, condition: Q | None = None):
    if measure.aggregate == "people":
        return Count("person_id", distinct=True, filter=condition)
    if measure.aggregate == "amount":
        return Sum("amount", filter=condition)
    return Count("id", filter=condition)


def _rows(association: Any, key: str, query: MetricQuery, end: date | None = None):
    return Activity.objects.filter(_conditions(association, key, query, end),
                                   association=association)


def _people_by_index(association: Any, key: str, query: MetricQuery) -> Decimal | None:
    """Distinct people from an index alone, when the filters allow: with none, each
    person's probe of ``activity_person_time_idx`` (is there a row in the period?); with a
    category only, the category index's entries. ``None``: no index answers it (the
    generic distinct count, a sort of the period's rows, does)."""
    measure = _MEASURES[key]
    if measure.aggregate != "people" or set(query.filters) - {"category"}:
        return None
    since, until = instants(association_zone(association), query.start, query.end)
    with scope(association=association):
        if not query.filters and not measure.match:
            active = Activity.objects.filter(person_id=OuterRef("pk"), occurred_at__gte=since,
                                             occurred_at__lt=until)
            return Decimal(Person.objects.filter(association=association)
                           .filter(Exists(active)).count())
        if "category" in query.filters and not measure.match:
            rows = Activity.objects.filter(
                association=association, category=query.filters["category"],
                occurred_at__gte=since, occurred_at__lt=until, person__isnull=False)
            return Decimal(rows.values("person_id").distinct().count())
    return None


# The columns the grouped pass groups by, and the filter each answers.
_GROUPED = (("kind", "kind"), ("category", "category"), ("source", "source_id"),
            ("offering", "offering_id"))


def _grouped_pass(association: Any, items: list[tuple[Metric, MetricQuery]]) -> list[Decimal]:
    """Counts and amounts of many pairs from one ``GROUP BY`` over the rows of their
    combined period: by kind, category, source, offering and, for each day a pair's
    period starts or ends inside the combined one, which side of it the row falls. A few
    hundred groups come back; each pair sums the groups that match it. One read of the
    rows (in parallel on PostgreSQL), whatever the number of KPIs."""
    zone = association_zone(association)
    start = min(q.start for _, q in items)
    end = max(q.end for _, q in items)
    since, until = instants(zone, start, end)
    cuts = sorted(({instants(zone, q.start, q.end)[0] for _, q in items}
                   | {instants(zone, q.start, q.end)[1] for _, q in items}) - {since, until})
    with scope(association=association):
        groups = sql.period_groups(association_id=association.pk, since=since, until=until,
                                   cuts=cuts)
        sides = dict(Offering.objects.filter(association=association)
                     .values_list("pk", "side")) if any("side" in q.filters for _, q in items) else {}
    out = []
    for metric, query in items:
        measure = _MEASURES[metric.key]
        lo, hi = instants(zone, query.start, query.end)
        want = dict(measure.match)
        for name, column in _GROUPED:
            if name in query.filters:
                want[column] = query.filters[name]
        total = Decimal(0)
        for g in groups:
            if any(g.get(c) != v for c, v in want.items()):
                continue
            if "side" in query.filters and sides.get(g["offering_id"]) != query.filters["side"]:
                continue
            # In the pair's period: on or after its start, before the day after its end.
            if lo != since and not g[f"after{cuts.index(lo)}"]:
                continue
            if hi != until and g[f"after{cuts.index(hi)}"]:
                continue
            total += (as_decimal(g["amount"]).quantize(CENT) if measure.aggregate == "amount"
                      else g["n"])
        out.append(total)
    return out


def _compute_many(association: Any, items: Sequence[tuple[Metric, MetricQuery]]) -> list[Decimal]:
    """Distinct people by an index where one answers (``_people_by_index``), one at a time
    where none does, and every count and amount together from one grouped pass."""
    out: list[Decimal | None] = [_people_by_index(association, m.key, q) for m, q in items]
    grouped = [i for i, v in enumerate(out) if v is None
               and _MEASURES[items[i][0].key].aggregate != "people"]
    for i, v in enumerate(out):
        if v is None and i not in grouped:
            out[i] = items[i][0].compute(association, items[i][1])
    if grouped:
        for i, value in zip(grouped, _grouped_pass(association, [items[i] for i in grouped]),
                            strict=True):
            out[i] = value
    return [v if v is not None else Decimal(0) for v in out]


def _metric(key: str, label: str, aggregate: str, match: dict[str, str], *, order: int,
            help: str, side: str = "both", filters: tuple[FilterSpec, ...] = FILTERS,
            unit: str = "count") -> Metric:
    _MEASURES[key] = measure = Measure(aggregate=aggregate, match=tuple(sorted(match.items())))

    def compute(association: Any, query: MetricQuery) -> Decimal:
        fast = _people_by_index(association, key, query)
        if fast is not None:
            return fast
        with scope(association=association):
            value = _rows(association, key, query).aggregate(v=_aggregate(measure))["v"]
        return as_decimal(value)

    def series(association: Any, query: MetricQuery, days: Sequence[date]) -> dict[date, Decimal]:
        """One grouped query: per day (in the association's zone), or per person's first
        day in the period for distinct people, then the running total."""
        if not days:
            return {}
        zone = association_zone(association)
        with scope(association=association):
            rows = _rows(association, key, query, max(days))
            if aggregate == "people":
                firsts = rows.values("person_id").annotate(first=Min("occurred_at")).order_by()
                per_day = [(first.astimezone(zone).date(), 1)
                           for first in firsts.values_list("first", flat=True)]
            else:
                per_day = list(rows.annotate(day=TruncDate("occurred_at", tzinfo=zone))
                               .values_list("day").annotate(v=_aggregate(measure)).order_by())
        return running_total(per_day, query.start, days)

    def rows(association: Any, query: MetricQuery) -> Drilldown:
        link = person_link(association)
        if aggregate == "people":
            people = Person.objects.filter(
                association=association,
                pk__in=_rows(association, key, query).values("person_id")).order_by(
                    "last_name", "first_name", "id")
            return Drilldown(queryset=people, columns=[
                ("Name", lambda p: p.full_name or p.email or f"Person {p.pk}"), ("Email", "email")],
                link=link, noun="people")
        # Newest first by id: ids grow with ingestion, and the primary key is an index
        # PostgreSQL can read backwards (occurred_at has only a BRIN index there).
        qs = _rows(association, key, query).select_related("person", "offering").order_by("-id")
        columns = [("When", "occurred_at"), ("Kind", "kind"), ("Category", "category"),
                   ("Person", lambda a: str(a.person) if a.person_id else "anonymous"),
                   ("Offering", lambda a: a.offering.name if a.offering_id else "")]
        if aggregate == "amount":
            columns += [("Amount", "amount"), ("Currency", "currency")]
        return Drilldown(queryset=qs, columns=columns, link=link,
                         noun="sales" if aggregate == "amount" else "activities")

    return register_metric(Metric(
        key=key, label=label, kind="flow", unit=unit, compute=compute, rows=rows,
        series=series, side=side, filters=filters, group=GROUP, order=order, help=help,
        family=FAMILY))


register_family(FAMILY, _compute_many)

_metric("activity.activities", "Activities", "count", {}, order=10,
        help="Activities in the period; filter by kind, category, source or offering.")
_metric("activity.web", "Web traffic", "count", {"category": Category.WEB}, order=20,
        help="Website analytics events (page views, clicks, downloads).", side="business")
_metric("activity.social", "Social media engagement", "count", {"category": Category.SOCIAL},
        order=30, help="Likes, shares and comments on the association's social posts.",
        side="mission")
_metric("activity.email", "Email engagement", "count", {"category": Category.MARKETING},
        order=40, help="Email activity (sent, opened, clicked); filter by kind.", side="business")
_metric("activity.people_active", "People active", "people", {}, order=50,
        help="Distinct people with at least one matching activity in the period.")
_metric("activity.event_attendance", "Event attendance (check-ins)", "count",
        {"kind": "event_checkin"}, order=60, side="mission",
        filters=(OFFERING_FILTER, SOURCE_FILTER), help="Event check-ins in the period.")
_metric("activity.revenue", "Revenue from activities", "amount", {}, order=70, unit="money",
        side="business", filters=(OFFERING_FILTER, SIDE_FILTER, CATEGORY_FILTER, SOURCE_FILTER),
        help="Amounts of sales and registrations in the period, by offering or side.")
_metric("activity.advocacy_actions", "Advocacy actions", "count",
        {"category": Category.ADVOCACY}, order=80, side="mission",
        filters=(KIND_FILTER, SOURCE_FILTER, OFFERING_FILTER),
        help="Petitions signed, letters sent and other advocacy activity.")
