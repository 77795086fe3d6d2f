"""Reads the KPI pages, the API and the CLI share: the catalogue as plain data, a metric
question from request parameters, an objective's drill-down page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from commonground.core import metrics
from commonground.core.errors import ValidationFailed
from commonground.core.metrics import Metric, MetricQuery

from ..models import KpiSnapshot, Objective
from .definition import kpi_rows
from .listing import Page, drilldown_page

# Request parameters of a metric question that are not filters.
RESERVED = frozenset({"metric", "start", "end", "page", "on", "limit", "cursor"})


def catalogue_data(association: Any, *, choices: bool = False) -> list[dict[str, Any]]:
    """Every metric with its filters (and their values when ``choices``)."""
    out = []
    for m in metrics.catalogue():
        out.append({
            "key": m.key, "label": m.label, "kind": m.kind, "unit": m.unit, "side": m.side,
            "group": m.group, "help": m.help,
            "filters": [{"name": f.name, "label": f.label, "help": f.help,
                         "choices": [{"value": v, "label": lab} for v, lab in
                                     (f.choices(association) if choices and f.choices else [])]}
                        for f in m.filters]})
    return out


def _day(raw: str | None, name: str, errors: dict[str, list[str]]) -> date | None:
    if not raw:
        errors[name] = ["required: a date like 2026-01-31"]
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = [f"{raw!r} is not a date like 2026-01-31"]
        return None


def metric_question(association: Any, params: Mapping[str, str]) -> tuple[Metric, MetricQuery]:
    """``metric``, ``start``, ``end`` and any other parameter as a filter → the checked
    metric and query (``ValidationFailed`` naming each bad parameter)."""
    errors: dict[str, list[str]] = {}
    if not (params.get("metric") or "").strip():
        errors["metric"] = ["required: a metric key, e.g. membership.joins"]
    start = _day(params.get("start"), "start", errors)
    end = _day(params.get("end"), "end", errors)
    if errors:
        raise ValidationFailed("Please correct the metric question", fields=errors)
    filters = {k: v for k, v in params.items() if k not in RESERVED and v not in (None, "")}
    return metrics.validate(association=association, metric_key=params["metric"],
                            filters=filters, start=start, end=end)


def objective_rows_page(association: Any, objective: Objective, *, on: date,
                        page: int = 1, size: int = 50) -> Page | None:
    """The rows behind the objective's number on ``on``; ``None`` when the number stored
    for that day is 0 (nothing to list, and no scan to prove it)."""
    value = (KpiSnapshot.objects.filter(objective=objective, day=on)
             .values_list("value", flat=True).first())
    if value is None and objective.current_on == on:
        value = objective.current_value
    if value is not None and value == Decimal(0):
        return None
    return drilldown_page(kpi_rows(association, objective, on), page=page, size=size)


def snapshots(objective: Objective) -> list[dict[str, Any]]:
    return [{"day": d, "value": v} for d, v in objective.snapshots.order_by("day")
            .values_list("day", "value")]
