"""Insight's metrics for the KPI catalogue: members at high lapse risk and prospects with
a high propensity to join (stocks, as scored now).

Predictions keep no history, so these figures exist from the day they are first
snapshotted on: their ``series`` answers today only, and an objective's history on them
starts with its first daily snapshot rather than being invented backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django_scopes import scope

from commonground.core.metrics import Drilldown, Metric, MetricQuery, register_metric
from commonground.membership.metrics import PLAN_FILTER
from commonground.people.metrics import CHAPTER_FILTER, person_link
from commonground.tenancy.clock import association_today

from .models import Band, ModelKind, Prediction


def _metric(key: str, label: str, kind: str, *, order: int, side: str, help: str,
            noun: str) -> Metric:
    def predictions(association: Any, query: MetricQuery):
        rows = Prediction.objects.filter(association=association, kind=kind, band=Band.HIGH)
        if "plan" in query.filters:
            rows = rows.filter(plan_id=query.filters["plan"])
        if "chapter" in query.filters:
            rows = rows.filter(chapter_id=query.filters["chapter"])
        return rows

    def compute(association: Any, query: MetricQuery) -> Decimal:
        with scope(association=association):
            return Decimal(predictions(association, query).count())

    def series(association: Any, query: MetricQuery, days: Sequence[date]) -> dict[date, Decimal]:
        today = association_today(association)
        return {d: compute(association, MetricQuery(query.start, d, query.filters))
                for d in days if d >= today}

    def rows(association: Any, query: MetricQuery) -> Drilldown:
        return Drilldown(queryset=predictions(association, query).select_related("person")
                         .order_by("-probability", "person_id"),
                         columns=[("Person", lambda p: str(p.person)),
                                  ("Probability", lambda p: f"{p.probability:.0%}"),
                                  ("Value at risk" if kind == ModelKind.LAPSE else "First year's dues",
                                   "value_at_risk")],
                         link=person_link(association), noun=noun)

    filters = (PLAN_FILTER, CHAPTER_FILTER) if kind == ModelKind.LAPSE else (CHAPTER_FILTER,)
    return register_metric(Metric(
        key=key, label=label, kind="stock", compute=compute, rows=rows, series=series,
        side=side, group="Insight", order=order, filters=filters, help=help))


_metric("insight.high_lapse_risk", "Members at high lapse risk", ModelKind.LAPSE, order=10,
        side="business", noun="members at risk",
        help="Members the lapse model puts in the high band, as scored now (no history).")
_metric("insight.high_propensity_prospects", "Prospects likely to join", ModelKind.PROSPECT,
        order=20, side="business", noun="prospects",
        help="Prospects the propensity model puts in the high band, as scored now.")
