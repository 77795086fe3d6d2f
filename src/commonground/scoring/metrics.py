"""Scoring's metric for the KPI catalogue: the average engagement score (a stock).

Today it is the average of the current scores; on a past day, of the monthly snapshot
that stood then (the latest ``ScoreSnapshot`` month on or before the day) — the score's
own history, so an objective's burn-up starts where the scores really were.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg
from django_scopes import scope

from commonground.core.metrics import Drilldown, Metric, MetricQuery, register_metric
from commonground.membership.metrics import PLAN_FILTER
from commonground.people.metrics import CHAPTER_FILTER, person_link
from commonground.tenancy.clock import association_today

from .models import Score, ScoreSnapshot

CENT = Decimal("0.01")


def _scores(association: Any, query: MetricQuery):
    if query.end >= association_today(association):
        rows = Score.objects.filter(association=association)
    else:
        month = (ScoreSnapshot.objects.filter(association=association, month__lte=query.end)
                 .order_by("-month").values_list("month", flat=True).first())
        rows = ScoreSnapshot.objects.filter(association=association, month=month)
    if "chapter" in query.filters:
        rows = rows.filter(person__chapter_id=query.filters["chapter"])
    if "plan" in query.filters:
        rows = rows.filter(person__member_plan_id=query.filters["plan"])
    return rows


def _compute(association: Any, query: MetricQuery) -> Decimal:
    with scope(association=association):
        value = _scores(association, query).aggregate(v=Avg("total"))["v"]
    return Decimal(str(value or 0)).quantize(CENT)


def _series(association: Any, query: MetricQuery, days: Sequence[date]) -> dict[date, Decimal]:
    """One average per snapshot month (one grouped query), then today's."""
    with scope(association=association):
        rows = ScoreSnapshot.objects.filter(association=association)
        if "chapter" in query.filters:
            rows = rows.filter(person__chapter_id=query.filters["chapter"])
        if "plan" in query.filters:
            rows = rows.filter(person__member_plan_id=query.filters["plan"])
        months = sorted(rows.values_list("month").annotate(v=Avg("total")).order_by())
    today = association_today(association)
    out: dict[date, Decimal] = {}
    for day in days:
        if day >= today:
            out[day] = _compute(association, MetricQuery(query.start, day, query.filters))
            continue
        stood = [v for m, v in months if m <= day]
        out[day] = Decimal(str(stood[-1] if stood else 0)).quantize(CENT)
    return out


def _rows(association: Any, query: MetricQuery) -> Drilldown:
    return Drilldown(queryset=_scores(association, query).select_related("person")
                     .order_by("-total", "person_id"),
                     columns=[("Person", lambda s: str(s.person)),
                              ("Score", lambda s: round(s.total, 1)), ("As of", "as_of")],
                     link=person_link(association), noun="scores")


register_metric(Metric(
    key="scoring.average_score", label="Average engagement score", kind="stock", unit="score",
    compute=_compute, rows=_rows, series=_series, side="mission", group="Engagement",
    order=40, filters=(PLAN_FILTER, CHAPTER_FILTER),
    help="The average engagement score; before today, as the monthly snapshot stood."))
