"""The balance view's API, mounted by ``web.api`` under /api/v1: the view itself (both
sides per month, never merged, and the offerings on both axes), which metrics sit on which
side, and the offerings' recorded costs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from commonground.core.errors import PermissionDenied
from commonground.core.ids import path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.tenancy import permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.idempotency import idempotent

from .balance import selectors, services, tasks
from .models import BalanceMetric, OfferingCost

router = Router(tags=["planning"])

Side = Literal["mission", "business"]


class SeriesOut(Schema):
    balance_metric_id: int | None
    metric: str
    label: str
    unit: str
    values: list[Decimal | None]


class OfferingOut(Schema):
    offering_id: int
    offering: str
    side: str
    reach: int
    contributions: int
    revenue: Decimal
    cost: Decimal | None
    margin: Decimal
    quadrant: str


class BalanceOut(Schema):
    today: date
    months: list[str] = Field(description="The months, oldest first (YYYY-MM)")
    configured: bool = Field(description="False: the catalogue's defaults are shown")
    mission: list[SeriesOut]
    business: list[SeriesOut]
    offerings_period: list[date]
    economic: str
    offerings: list[OfferingOut]
    reach_median: Decimal | None
    economic_median: Decimal | None
    computed_at: datetime | None


class MetricIn(Schema):
    side: Side
    metric: str = Field(..., max_length=80)
    filters: dict[str, str] = Field(default_factory=dict)
    label: str = Field("", max_length=120)


class MetricPatch(Schema):
    side: Side | None = None
    direction: Literal["up", "down"] | None = None


class MetricOut(Schema):
    id: int
    side: str
    metric: str
    filters: dict[str, Any]
    label: str
    position: int


class CostIn(Schema):
    offering: str = Field(..., max_length=64, description="The offering's id or slug")
    period_start: date
    period_end: date
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=200)


class CostOut(Schema):
    id: int
    offering_id: int
    offering: str
    period_start: date
    period_end: date
    amount: Decimal
    note: str


class QueuedOut(Schema):
    queued: bool


def _series(items) -> list[dict[str, Any]]:
    return [{"balance_metric_id": s.balance_metric.pk if s.balance_metric else None,
             "metric": s.metric, "label": s.label,
             "unit": s.unit, "values": s.values} for s in items]


@router.get("/planning/balance", response=BalanceOut, summary="The balance view")
def get_balance(request, months: int = Query(12, ge=2, le=36),
                period: str = Query("", max_length=7, pattern=r"^(\d{4}-\d{2})?$"),
                economic: Literal["margin", "revenue"] = "margin"):
    """Mission and business metrics per month as two separate lists (never one number),
    and each offering's social reach and economic figure with its quadrant, from the
    stored snapshots."""
    association = request.association
    view = selectors.balance_view(association, today=association_today(association),
                                  months=months, period=period, economic=economic)
    return {
        "today": view.today, "months": [p.key for p in view.months],
        "configured": view.configured, "mission": _series(view.sides["mission"]),
        "business": _series(view.sides["business"]),
        "offerings_period": [view.period.start, view.period.end], "economic": view.economic,
        "offerings": [{"offering_id": o.offering.pk, "offering": o.offering.name,
                       "side": o.offering.side, "reach": o.reach,
                       "contributions": o.contributions, "revenue": o.revenue,
                       "cost": o.cost if o.has_cost else None, "margin": o.margin,
                       "quadrant": o.quadrant} for o in view.offerings],
        "reach_median": view.reach_median, "economic_median": view.economic_median,
        "computed_at": view.computed_at,
    }


@router.post("/planning/balance/snapshot", response={202: QueuedOut},
             summary="Compute the balance figures now")
@idempotent
def snapshot_balance(request):
    """Queue today's snapshots instead of waiting for the night's job."""
    association = request.association
    roles = permissions.staff_roles_of(association=association, user=request.user)
    if not any(permissions.may_edit_balance(roles, s) for s in services.SIDES):
        raise PermissionDenied("Only staff on a side or administrators refresh the figures")
    transaction.on_commit(lambda: tasks.balance_snapshot_association.enqueue(association.pk))
    return Status(202, {"queued": True})


def _metric_out(m: BalanceMetric) -> dict[str, Any]:
    return {"id": m.pk, "side": m.side, "metric": m.metric, "filters": m.filters or {},
            "label": m.label, "position": m.position}


@router.get("/planning/balance/metrics", response=Page[MetricOut],
            summary="The metrics chosen for each side")
def list_balance_metrics(request, side: Side | None = None,
                 cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = BalanceMetric.objects.all()
    if side:
        qs = qs.filter(side=side)
    page = paginate(qs, cursor=cursor, limit=limit)
    return {"items": [_metric_out(m) for m in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/planning/balance/metrics", response={201: MetricOut},
             summary="Put a metric on one side")
@idempotent
def add_metric(request, payload: MetricIn):
    row = services.balance_metric_add(association=request.association, side=payload.side,
                                      metric=payload.metric, filters=payload.filters,
                                      label=payload.label, actor=request.user)
    return Status(201, _metric_out(row))


@router.patch("/planning/balance/metrics/{balance_metric_id}", response=MetricOut,
              summary="Move a metric to the other side, or up or down")
@idempotent
def move_metric(request, payload: MetricPatch, balance_metric_id: int = path_id()):
    row = get_or_404(BalanceMetric.objects.all(), balance_metric_id)
    return _metric_out(services.balance_metric_move(
        association=request.association, balance_metric=row, side=payload.side,
        direction=payload.direction, actor=request.user))


@router.delete("/planning/balance/metrics/{balance_metric_id}", response={204: None},
               summary="Take a metric off the balance view")
@idempotent
def remove_metric(request, balance_metric_id: int = path_id()):
    row = get_or_404(BalanceMetric.objects.all(), balance_metric_id)
    services.balance_metric_remove(association=request.association, balance_metric=row,
                                   actor=request.user)
    return Status(204, None)


def _cost_out(c: OfferingCost) -> dict[str, Any]:
    return {"id": c.pk, "offering_id": c.offering_id, "offering": c.offering.name,
            "period_start": c.period_start, "period_end": c.period_end, "amount": c.amount,
            "note": c.note}


@router.get("/planning/offering-costs", response=Page[CostOut],
            summary="The offerings' recorded costs")
def list_costs(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    page = paginate(OfferingCost.objects.select_related("offering"), cursor=cursor, limit=limit)
    return {"items": [_cost_out(c) for c in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/planning/offering-costs", response={201: CostOut},
             summary="Record what an offering cost over a period")
@idempotent
def record_cost(request, payload: CostIn):
    cost = services.offering_cost_record(
        association=request.association, offering=payload.offering,
        period_start=payload.period_start, period_end=payload.period_end,
        amount=payload.amount, note=payload.note, actor=request.user)
    return Status(201, _cost_out(cost))


@router.delete("/planning/offering-costs/{cost_id}", response={204: None},
               summary="Remove a recorded cost")
@idempotent
def delete_cost(request, cost_id: int = path_id()):
    cost = get_or_404(OfferingCost.objects.all(), cost_id)
    services.offering_cost_delete(association=request.association, cost=cost, actor=request.user)
    return Status(204, None)
