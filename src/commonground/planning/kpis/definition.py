"""An objective's KPI as a question to the catalogue: which metric, filters and period.

A KPI runs from the objective's start to its deadline. Its value on a day is the metric
over ``starts_on``–that day (clipped to the deadline): for a flow the running total since
the start ("new members closed so far"), for a stock the level on that day ("members on
the roll"). Before the start a flow is 0 and a stock is read on the day asked.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from commonground.core import metrics
from commonground.core.errors import ValidationFailed
from commonground.core.metrics import Drilldown, Metric, MetricQuery

from ..models import Objective


def kpi_check(*, association: Any, metric: str, filters: dict[str, Any] | None,
              starts_on: date, deadline: date, field_prefix: str = "") -> tuple[Metric, MetricQuery]:
    """Check a KPI definition before it is stored: the metric exists, it takes each filter
    and each value names something of the association, the deadline is not before the
    start. Returns the metric and the resolved query over the whole period; raises
    ``ValidationFailed`` with messages under ``metric``, ``filters.<name>``, ``deadline``."""
    p = field_prefix
    if filters is not None and not isinstance(filters, dict):
        raise ValidationFailed("Please correct the KPI definition", fields={
            f"{p}filters": ["an object of filter name → value, e.g. {\"plan\": \"gold\"}"]})
    clean = {str(k): ("" if v is None else str(v)) for k, v in (filters or {}).items()}
    try:
        return metrics.validate(association=association, metric_key=metric, filters=clean,
                                start=starts_on, end=deadline, field_prefix=p)
    except ValidationFailed as exc:
        fields = dict(exc.fields or {})
        if f"{p}end" in fields:
            fields[f"{p}deadline"] = ["the deadline is before the start"]
            del fields[f"{p}end"]
        raise ValidationFailed(str(exc), fields=fields) from exc


def kpi_day(objective: Objective, on: date) -> date:
    """The day a KPI is read for ``on``: never after the deadline."""
    return min(on, objective.deadline)


def kpi_query(association: Any, objective: Objective, on: date) -> tuple[Metric, MetricQuery]:
    """The metric and query of ``objective``'s KPI on ``on`` (raises ``ValidationFailed`` if
    the stored definition no longer resolves, e.g. its plan was deleted)."""
    day = kpi_day(objective, on)
    metric, query = kpi_check(association=association, metric=objective.metric,
                              filters=objective.filters, starts_on=objective.starts_on,
                              deadline=objective.deadline)
    if metric.kind == "stock" or day < objective.starts_on:
        return metric, MetricQuery(start=min(objective.starts_on, day), end=day,
                                   filters=query.filters)
    return metric, MetricQuery(start=objective.starts_on, end=day, filters=query.filters)


def kpi_value(association: Any, objective: Objective, on: date) -> Decimal:
    """The KPI's value on ``on``, computed from the live data."""
    metric, query = kpi_query(association, objective, on)
    if metric.kind == "flow" and on < objective.starts_on:
        return Decimal(0)
    return metric.compute(association, query)


def kpi_rows(association: Any, objective: Objective, on: date) -> Drilldown:
    """The rows behind the KPI's value on ``on`` (the drill-down)."""
    metric, query = kpi_query(association, objective, on)
    return metric.rows(association, query)
