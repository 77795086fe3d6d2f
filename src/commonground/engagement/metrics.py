"""Engagement's metrics for the KPI catalogue (``core.metrics``): value created (verified
contributions), value derived (outcomes members report) and volunteers engaged — the
mission side's own figures (DOMAIN D4: the value members create and derive)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q
from django_scopes import scope

from commonground.activity.models import Activity, Category
from commonground.core.metrics import Drilldown, FilterSpec, Metric, MetricQuery, register_metric
from commonground.core.metrics.filters import one_of
from commonground.core.metrics.periods import instants, running_total
from commonground.membership.metrics import OFFERING_FILTER
from commonground.people.metrics import CHAPTER_FILTER, person_link
from commonground.people.models import Person
from commonground.tenancy.clock import association_zone

from .models import (
    Contribution,
    ContributionKind,
    ContributionStatus,
    Outcome,
    OutcomeKind,
)

GROUP = "Engagement"
_ckind, _ckinds = one_of("contribution kind", ContributionKind.choices)
CONTRIBUTION_KIND_FILTER = FilterSpec(name="kind", label="Kind of contribution",
                                      resolve=_ckind, choices=_ckinds)
_okind, _okinds = one_of("outcome kind", OutcomeKind.choices)
OUTCOME_KIND_FILTER = FilterSpec(name="kind", label="Kind of outcome", resolve=_okind,
                                 choices=_okinds)


def _dated(model, association: Any, query: MetricQuery, end: date | None = None, **extra):
    rows = model.objects.filter(association=association, occurred_on__gte=query.start,
                                occurred_on__lte=end or query.end, **extra)
    for name, path in (("kind", "kind"), ("offering", "offering_id"),
                       ("chapter", "person__chapter_id")):
        if name in query.filters:
            rows = rows.filter(**{path: query.filters[name]})
    return rows


def _dated_metric(key: str, label: str, model, *, extra: dict, filters: tuple, order: int,
                  help: str, noun: str) -> Metric:
    def compute(association: Any, query: MetricQuery) -> Decimal:
        with scope(association=association):
            return Decimal(_dated(model, association, query, **extra).count())

    def series(association: Any, query: MetricQuery, days: Sequence[date]) -> dict[date, Decimal]:
        if not days:
            return {}
        with scope(association=association):
            per_day = (_dated(model, association, query, max(days), **extra)
                       .values_list("occurred_on").annotate(n=Count("id")).order_by())
            return running_total(per_day, query.start, days)

    def rows(association: Any, query: MetricQuery) -> Drilldown:
        return Drilldown(
            queryset=_dated(model, association, query, **extra).select_related("person")
            .order_by("-occurred_on", "-id"),
            columns=[("Person", lambda r: str(r.person)), ("Kind", lambda r: r.get_kind_display()),
                     ("Title", "title"), ("On", "occurred_on")],
            link=person_link(association), noun=noun)

    return register_metric(Metric(
        key=key, label=label, kind="flow", compute=compute, rows=rows, series=series,
        side="mission", group=GROUP, order=order, filters=filters, help=help))


_dated_metric("engagement.value_created", "Value created (verified contributions)",
              Contribution, extra={"status": ContributionStatus.VERIFIED},
              filters=(CONTRIBUTION_KIND_FILTER, OFFERING_FILTER, CHAPTER_FILTER), order=10,
              noun="contributions",
              help="Contributions members made (talks, mentoring, volunteering…) verified by staff.")
_dated_metric("engagement.value_derived", "Value derived (outcomes reported)", Outcome,
              extra={}, filters=(OUTCOME_KIND_FILTER, OFFERING_FILTER, CHAPTER_FILTER), order=20,
              noun="outcomes", help="Outcomes members reported: a client won, a promotion…")


# -- volunteers engaged: distinct people, from contributions or the volunteering feed -------

def _volunteer_sources(association: Any, query: MetricQuery, end: date | None = None):
    end = end or query.end
    contributions = Contribution.objects.filter(
        association=association, status=ContributionStatus.VERIFIED,
        kind=ContributionKind.VOLUNTEERING, occurred_on__gte=query.start, occurred_on__lte=end)
    since, until = instants(association_zone(association), query.start, end)
    # category, period and person: the activity_category_time_idx index alone answers it.
    shifts = Activity.objects.filter(association=association, category=Category.VOLUNTEERING,
                                     occurred_at__gte=since, occurred_at__lt=until,
                                     person__isnull=False)
    return contributions, shifts


def _volunteers(association: Any, query: MetricQuery):
    contributions, shifts = _volunteer_sources(association, query)
    rows = Person.objects.filter(Q(pk__in=contributions.values("person_id"))
                                 | Q(pk__in=shifts.values("person_id")),
                                 association=association)
    if "chapter" in query.filters:
        rows = rows.filter(chapter_id=query.filters["chapter"])
    return rows


def _volunteers_compute(association: Any, query: MetricQuery) -> Decimal:
    with scope(association=association):
        return Decimal(_volunteers(association, query).count())


def _volunteers_series(association: Any, query: MetricQuery,
                       days: Sequence[date]) -> dict[date, Decimal]:
    """Each person counts from their first volunteering day in the period (two grouped
    reads: the first contribution day and the first shift per person)."""
    if not days:
        return {}
    zone = association_zone(association)
    with scope(association=association):
        contributions, shifts = _volunteer_sources(association, query, max(days))
        if "chapter" in query.filters:
            contributions = contributions.filter(person__chapter_id=query.filters["chapter"])
            shifts = shifts.filter(person__chapter_id=query.filters["chapter"])
        first: dict[int, date] = {}
        for pid, day in (contributions.values("person_id").annotate(d=Min("occurred_on"))
                         .values_list("person_id", "d").order_by()):
            first[pid] = day
        for pid, at in (shifts.values("person_id").annotate(d=Min("occurred_at"))
                        .values_list("person_id", "d").order_by()):
            day = at.astimezone(zone).date()
            first[pid] = min(first.get(pid, day), day)
    return running_total(((d, 1) for d in first.values()), query.start, days)


def _volunteers_rows(association: Any, query: MetricQuery) -> Drilldown:
    return Drilldown(queryset=_volunteers(association, query).select_related("chapter")
                     .order_by("last_name", "first_name", "id"),
                     columns=[("Name", lambda p: p.full_name or p.email or f"Person {p.pk}"),
                              ("Email", "email"),
                              ("Chapter", lambda p: p.chapter.name if p.chapter else "")],
                     link=person_link(association), noun="volunteers")


register_metric(Metric(
    key="engagement.volunteers_engaged", label="Volunteers engaged", kind="flow",
    compute=_volunteers_compute, rows=_volunteers_rows, series=_volunteers_series,
    side="mission", group=GROUP, order=30, filters=(CHAPTER_FILTER,),
    help="Distinct people with a verified volunteering contribution or a volunteering "
         "activity (a shift worked) in the period."))
