"""People's metrics for the KPI catalogue (``core.metrics``) and the chapter filter the
apps above reuse (``from commonground.people.metrics import CHAPTER_FILTER``).

"Prospects identified": people first recorded in the period who were not members then
(no membership, or their first one began after the day they were recorded), so a
prospect who joins later still counts in the period they were found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.urls import reverse
from django_scopes import scope

from commonground.core.metrics import Drilldown, FilterSpec, Metric, MetricQuery, register_metric
from commonground.core.metrics.filters import slug_or_id
from commonground.core.metrics.periods import instants, running_total
from commonground.tenancy.clock import association_zone

from .models import Chapter, Person

_resolve_chapter, _chapter_choices = slug_or_id("chapter", Chapter)
CHAPTER_FILTER = FilterSpec(name="chapter", label="Chapter", resolve=_resolve_chapter,
                            choices=_chapter_choices, help="A chapter's slug, e.g. north")


def person_link(association: Any, via: str = ""):
    """The drill-down link of a person row, or of a row that reaches a person's id
    through ``via`` (a dotted attribute path: ``"membership"``, ``"invoice"``)."""

    def link(row: Any) -> str:
        for name in filter(None, via.split(".")):
            row = getattr(row, name)
        pid = getattr(row, "person_id", None) if via or not isinstance(row, Person) else row.pk
        return reverse("person_detail", kwargs={"association": association.slug,
                                                "person_id": pid}) if pid else ""

    return link


def _prospects(association: Any, query: MetricQuery, start: date | None = None,
               end: date | None = None):
    since, until = instants(association_zone(association),
                            start or query.start, end or query.end)
    zone = association_zone(association)
    rows = (Person.objects.filter(association=association, erased_at__isnull=True,
                                  created_at__gte=since, created_at__lt=until)
            .annotate(recorded_on=TruncDate("created_at", tzinfo=zone))
            .filter(member_since__gt=F("recorded_on")))
    if "chapter" in query.filters:
        rows = rows.filter(chapter_id=query.filters["chapter"])
    return rows


def _prospects_compute(association: Any, query: MetricQuery) -> Decimal:
    with scope(association=association):
        return Decimal(_prospects(association, query).count())


def _prospects_series(association: Any, query: MetricQuery,
                      days: Sequence[date]) -> dict[date, Decimal]:
    if not days:
        return {}
    with scope(association=association):
        per_day = (_prospects(association, query, end=max(days))
                   .values_list("recorded_on").annotate(n=Count("id")).order_by())
        return running_total(per_day, query.start, days)


def _prospects_rows(association: Any, query: MetricQuery) -> Drilldown:
    return Drilldown(
        queryset=_prospects(association, query).select_related("chapter")
        .order_by("-created_at", "-id"),
        columns=[("Name", lambda p: p.full_name or p.email or f"Person {p.pk}"),
                 ("Email", "email"), ("Chapter", lambda p: p.chapter.name if p.chapter else ""),
                 ("Recorded on", "recorded_on")],
        link=person_link(association), noun="prospects")


register_metric(Metric(
    key="people.prospects_identified", label="Prospects identified", kind="flow",
    compute=_prospects_compute, rows=_prospects_rows, series=_prospects_series,
    side="business", group="People", order=10, filters=(CHAPTER_FILTER,),
    help="People first recorded in the period who were not members then."))
