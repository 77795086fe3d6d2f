"""KPI API, mounted by ``web.api`` under /api/v1: the metric catalogue, any metric's
value for a period and filters, an objective's KPI with its snapshots, the rows behind
its number, and queuing the day's snapshots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from commonground.core.ids import path_id
from commonground.people.api_selectors import get_or_404
from commonground.tenancy.clock import association_today
from commonground.tenancy.idempotency import idempotent

from . import progress
from .kpis import kpi_day
from .kpis.listing import Page
from .kpis.reading import catalogue_data, metric_question, objective_rows_page, snapshots
from .models import Objective

router = Router(tags=["planning"])


class ChoiceOut(Schema):
    value: str
    label: str


class FilterOut(Schema):
    name: str
    label: str
    help: str
    choices: list[ChoiceOut]


class MetricOut(Schema):
    key: str
    label: str
    kind: str
    unit: str
    side: str
    group: str
    help: str
    filters: list[FilterOut]


class ValueOut(Schema):
    metric: str
    kind: str
    unit: str
    start: date
    end: date
    filters: dict[str, Any]
    value: Decimal


class SnapshotOut(Schema):
    day: date
    value: Decimal


class KpiOut(Schema):
    objective_id: int
    metric: str
    filters: dict[str, Any]
    starts_on: date
    deadline: date
    baseline: Decimal
    target: Decimal
    direction: str
    current_value: Decimal | None
    current_on: date | None
    state: str
    required_pace: Decimal | None
    snapshots: list[SnapshotOut]


class RowOut(Schema):
    cells: list[str]
    link: str


class RowsOut(Schema):
    objective_id: int
    on: date
    noun: str
    headers: list[str]
    rows: list[RowOut]
    page: int
    has_next: bool


class SnapshotIn(Schema):
    objective_ids: list[int] | None = Field(None, max_length=1000)


class QueuedOut(Schema):
    queued: bool
    task_id: str
    objectives: int | None


@router.get("/planning/metrics", response=list[MetricOut], summary="The metric catalogue")
def list_metrics(request):
    """Every metric a KPI or the balance view can use, with its filters and their values
    in this association (plans, chapters, offerings…)."""
    return catalogue_data(request.association, choices=True)


@router.get("/planning/metrics/value", response=ValueOut, summary="A metric's value")
def metric_value(request):
    """``?metric=membership.joins&start=2026-01-01&end=2026-06-30&plan=gold``: every other
    parameter is a filter. A mistake is a 422 naming the parameter."""
    metric, query = metric_question(request.association, request.GET)
    return {"metric": metric.key, "kind": metric.kind, "unit": metric.unit,
            "start": query.start, "end": query.end,
            "filters": {k: request.GET[k] for k in query.filters},
            "value": metric.compute(request.association, query)}


@router.get("/planning/objectives/{objective_id}/kpi", response=KpiOut,
            summary="An objective's KPI and its snapshots")
def objective_kpi(request, objective_id: int = path_id()):
    o = get_or_404(Objective.objects.all(), objective_id)
    p = progress.of(o, on=association_today(request.association))
    return {"objective_id": o.pk, "metric": o.metric, "filters": o.filters or {},
            "starts_on": o.starts_on, "deadline": o.deadline, "baseline": o.baseline,
            "target": o.target, "direction": o.direction, "current_value": o.current_value,
            "current_on": o.current_on, "state": p.state, "required_pace": p.required_pace,
            "snapshots": snapshots(o)}


def _rows_out(o: Objective, on: date, page: Page | None, number: int) -> dict[str, Any]:
    if page is None:
        return {"objective_id": o.pk, "on": on, "noun": "rows", "headers": [], "rows": [],
                "page": number, "has_next": False}
    return {"objective_id": o.pk, "on": on, "noun": page.noun, "headers": page.headers,
            "rows": [{"cells": ["" if c is None else str(c) for c in r.cells], "link": r.link}
                     for r in page.rows], "page": page.number, "has_next": page.has_next}


@router.get("/planning/objectives/{objective_id}/rows", response=RowsOut,
            summary="The rows behind an objective's number")
def objective_rows(request, objective_id: int = path_id(), on: date | None = None,
                   page: int = Query(1, ge=1, le=200)):
    """On ``on`` (default: its latest snapshot's day, else today), 50 rows a page."""
    o = get_or_404(Objective.objects.all(), objective_id)
    day = kpi_day(o, on) if on else (o.current_on or kpi_day(o, association_today(
        request.association)))
    return _rows_out(o, day, objective_rows_page(request.association, o, on=day, page=page),
                     page)


@router.post("/planning/kpis/snapshot", response={202: QueuedOut},
             summary="Queue today's KPI snapshots")
@idempotent
def snapshot(request, payload: SnapshotIn):
    """Recompute the active objectives' KPIs for today in the background (all, or those
    of ``objective_ids``); the daily job does the same every night."""
    from .tasks import kpi_snapshots  # the task module imports the whole KPI stack

    ids = None
    if payload.objective_ids is not None:
        ids = list(Objective.objects.filter(pk__in=payload.objective_ids)
                   .values_list("pk", flat=True))
    result = kpi_snapshots.enqueue(request.association.pk, ids)
    return Status(202, {"queued": True, "task_id": str(result.id),
                        "objectives": None if ids is None else len(ids)})

