"""API: Shared services — the catalogue, subscriptions, allocation rules, cost periods and
their costs, allocation runs, closing (invoices) and adjustments, and the caller's own
allocations in the services it subscribes to. Mounted by ``web.api`` under /api/v1."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from commonground.core.errors import NotFound
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.tenancy.idempotency import idempotent
from commonground.tenancy.models import Association

from . import selectors_services as selectors
from .crossing import services as crossing
from .models import AllocationLine, AllocationRun, CostPeriod, SharedService
from .services import allocations, shared

router = Router(tags=["Shared services"])

Method = Literal["equal", "fixed", "members", "usage"]


class ServiceIn(Schema):
    consortium_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    service_level: str = Field("", max_length=5000)
    usage_unit: str = Field("", max_length=60)


class ServiceOut(Schema):
    id: int
    name: str
    consortium_id: int
    provider: str = Field(description="The providing association's slug")
    provided_by_us: bool
    status: str
    description: str
    service_level: str
    usage_unit: str


class SubscriptionIn(Schema):
    starts_on: date | None = None
    service_level: str = Field("", max_length=5000)


class SubscriptionOut(Schema):
    id: int
    service_id: int
    subscriber: str
    starts_on: date
    ends_on: date | None


class RuleIn(Schema):
    method: Method
    valid_from: date
    usage_source: str = Field("", max_length=64)
    usage_kinds: list[str] = Field(default_factory=list, max_length=50)
    shares: dict[str, Decimal] = Field(default_factory=dict,
                                       description="participant slug → percent (fixed rule)")
    note: str = Field("", max_length=2000)


class RuleOut(Schema):
    id: int
    service_id: int
    method: str
    valid_from: date
    usage_source: str
    usage_kinds: list[str]
    shares: dict[str, Decimal]


class PeriodIn(Schema):
    label: str = Field(..., max_length=40)
    starts_on: date
    ends_on: date


class PeriodOut(Schema):
    id: int
    service_id: int
    label: str
    starts_on: date
    ends_on: date
    status: str
    pool: Decimal


class ItemIn(Schema):
    description: str = Field(..., max_length=200)
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    incurred_on: date | None = None


class ItemOut(Schema):
    id: int
    description: str
    amount: Decimal
    incurred_on: date


class LineOut(Schema):
    id: int
    participant: str
    basis: Decimal
    share: Decimal
    amount: Decimal
    total_after: Decimal
    invoice_number: str | None
    invoice_status: str | None


class RunOut(Schema):
    id: int
    period_id: int
    kind: str
    sequence: int
    pool_total: Decimal
    reason: str
    created: bool = Field(False, description="False: the same inputs returned the standing run")
    created_at: datetime
    invoicing: dict[str, str] = Field(default_factory=dict,
                                      description="Adjustment: invoiced / reissued / credit")
    lines: list[LineOut]


class PeriodDetailOut(PeriodOut):
    items: list[ItemOut]
    runs: list[RunOut]


class AdjustIn(Schema):
    reason: str = Field(..., max_length=2000)
    cost_description: str = Field("", max_length=200)
    cost_amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)


class AllocationOut(Schema):
    id: int
    service_id: int
    service: str
    provider: str
    period: str
    period_status: str
    run_kind: str
    run_sequence: int
    amount: Decimal
    total_after: Decimal
    invoice_number: str | None
    invoice_amount: Decimal | None
    invoice_status: str | None


def _service_out(s: SharedService, association) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "consortium_id": s.consortium_id,
            "provider": s.association.slug, "provided_by_us": s.association_id == association.pk,
            "status": s.status, "description": s.description, "service_level": s.service_level,
            "usage_unit": s.usage_unit}


def _visible(request, shared_service_id: int) -> SharedService:
    try:
        return crossing.service_visible(association=request.association,
                                        service_id=shared_service_id)
    except NotFound:
        raise Http404("Not found") from None


def _slugs(ids) -> dict[int, str]:
    return dict(Association.objects.filter(pk__in=list(ids)).values_list("pk", "slug"))


def _run_out(run: AllocationRun, *, created: bool = False) -> dict[str, Any]:
    lines = list(run.lines.select_related("invoice").order_by("participant_id"))
    slugs = _slugs(line.participant_id for line in lines)
    return {"id": run.pk, "period_id": run.period_id, "kind": run.kind, "sequence": run.sequence,
            "pool_total": run.pool_total, "reason": run.reason, "created": created,
            "created_at": run.created_at, "invoicing": (run.inputs or {}).get("invoicing", {}),
            "lines": [{"id": line.pk, "participant": slugs.get(line.participant_id, ""),
                       "basis": line.basis, "share": line.share, "amount": line.amount,
                       "total_after": line.total_after,
                       "invoice_number": line.invoice.number if line.invoice else None,
                       "invoice_status": line.invoice.status if line.invoice else None}
                      for line in lines]}


def _period_out(p: CostPeriod) -> dict[str, Any]:
    return {"id": p.pk, "service_id": p.service_id, "label": p.label, "starts_on": p.starts_on,
            "ends_on": p.ends_on, "status": p.status, "pool": allocations.pool_of(p)}


@router.get("/collaboration/services", response=Page[ServiceOut],
            summary="Shared services of our consortia")
def list_shared_services(request, cursor: str | None = Query(None, max_length=500),
                         limit: int = 50):
    with_rows = {s.pk: s for s in crossing.services_visible(request.association)}
    # The page is cut over our own list of visible ids (the rows belong to their providers).
    page = paginate(_IdList(list(with_rows)), cursor=cursor, limit=limit)
    return {"items": [_service_out(with_rows[i.pk], request.association) for i in page["items"]],
            "next_cursor": page["next_cursor"]}


class _Id:
    def __init__(self, pk: int) -> None:
        self.pk = self.id = pk


class _IdList:
    """Just enough of a queryset for ``paginate`` over a list of ids."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = sorted(ids)

    def order_by(self, *_: str) -> _IdList:
        return self

    def filter(self, *, id__gt: int) -> _IdList:
        return _IdList([i for i in self.ids if i > id__gt])

    def __getitem__(self, s: slice) -> list[_Id]:
        return [_Id(i) for i in self.ids[s]]


@router.post("/collaboration/services", response={201: ServiceOut},
             summary="Offer a shared service to a consortium")
@idempotent
def create_shared_service(request, payload: ServiceIn):
    service = shared.shared_service_create(
        association=request.association, consortium_id=payload.consortium_id, name=payload.name,
        description=payload.description, service_level=payload.service_level,
        usage_unit=payload.usage_unit, actor=request.user)
    return Status(201, _service_out(service, request.association))


@router.get("/collaboration/services/{shared_service_id}", response=ServiceOut,
            summary="A shared service")
def get_shared_service(request, shared_service_id: int = path_id()):
    return _service_out(_visible(request, shared_service_id), request.association)


@router.post("/collaboration/services/{shared_service_id}/subscribe",
             response={201: SubscriptionOut}, summary="Subscribe to a shared service")
@idempotent
def subscribe_shared_service(request, payload: SubscriptionIn, shared_service_id: int = path_id()):
    service = _visible(request, shared_service_id)
    sub = shared.shared_service_subscribe(association=request.association, service_id=service.pk,
                                          starts_on=payload.starts_on,
                                          service_level=payload.service_level, actor=request.user)
    return Status(201, {"id": sub.pk, "service_id": service.pk,
                        "subscriber": request.association.slug, "starts_on": sub.starts_on,
                        "ends_on": sub.ends_on})


@router.post("/collaboration/services/{shared_service_id}/rules", response={201: RuleOut},
             summary="Choose the service's allocation rule from a date")
@idempotent
def create_allocation_rule(request, payload: RuleIn, shared_service_id: int = path_id()):
    service = get_or_404(SharedService.objects.all(), shared_service_id)
    rule = shared.allocation_rule_create(
        association=request.association, service=service, method=payload.method,
        valid_from=payload.valid_from, usage_source=payload.usage_source,
        usage_kinds=payload.usage_kinds, shares=payload.shares, note=payload.note,
        actor=request.user)
    slugs = _slugs(s.participant_id for s in rule.shares.all())
    return Status(201, {"id": rule.pk, "service_id": service.pk, "method": rule.method,
                        "valid_from": rule.valid_from, "usage_source": rule.usage_source,
                        "usage_kinds": rule.usage_kinds,
                        "shares": {slugs[s.participant_id]: s.percent
                                   for s in rule.shares.all()}})


@router.post("/collaboration/services/{shared_service_id}/periods", response={201: PeriodOut},
             summary="Open a cost period")
@idempotent
def create_cost_period(request, payload: PeriodIn, shared_service_id: int = path_id()):
    service = get_or_404(SharedService.objects.all(), shared_service_id)
    period = shared.cost_period_create(association=request.association, service=service,
                                       label=payload.label, starts_on=payload.starts_on,
                                       ends_on=payload.ends_on, actor=request.user)
    return Status(201, _period_out(period))


@router.get("/collaboration/periods", response=Page[PeriodOut],
            summary="Cost periods of the services we provide")
def list_cost_periods(request, service_id: int | None = Query(None, ge=1, le=MAX_ID),
                      cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = selectors.periods(request.association)
    if service_id:
        qs = qs.filter(service_id=service_id)
    page = paginate(qs, cursor=cursor, limit=limit)
    return {"items": [_period_out(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@router.get("/collaboration/periods/{cost_period_id}", response=PeriodDetailOut,
            summary="A cost period: its costs, runs and adjustments")
def get_cost_period(request, cost_period_id: int = path_id()):
    period = get_or_404(CostPeriod.objects.all(), cost_period_id)
    return {**_period_out(period),
            "items": [{"id": i.pk, "description": i.description, "amount": i.amount,
                       "incurred_on": i.incurred_on} for i in period.items.order_by("id")],
            "runs": [_run_out(r) for r in period.runs.order_by("sequence")]}


@router.post("/collaboration/periods/{cost_period_id}/costs", response={201: ItemOut},
             summary="Record a cost in an open period")
@idempotent
def add_cost_item(request, payload: ItemIn, cost_period_id: int = path_id()):
    period = get_or_404(CostPeriod.objects.all(), cost_period_id)
    item = shared.cost_item_add(association=request.association, period=period,
                                description=payload.description, amount=payload.amount,
                                incurred_on=payload.incurred_on, actor=request.user)
    return Status(201, {"id": item.pk, "description": item.description, "amount": item.amount,
                        "incurred_on": item.incurred_on})


@router.post("/collaboration/periods/{cost_period_id}/run", response={200: RunOut, 201: RunOut},
             summary="Run the period's allocation (same inputs: the same run)")
@idempotent
def run_allocation(request, cost_period_id: int = path_id()):
    period = get_or_404(CostPeriod.objects.all(), cost_period_id)
    run, created = allocations.allocation_run(association=request.association, period=period,
                                              actor=request.user)
    return Status(201 if created else 200, _run_out(run, created=created))


@router.post("/collaboration/periods/{cost_period_id}/close", response=PeriodOut,
             summary="Close the period and invoice the participants")
@idempotent
def close_cost_period(request, cost_period_id: int = path_id()):
    period = get_or_404(CostPeriod.objects.all(), cost_period_id)
    return _period_out(allocations.cost_period_close(association=request.association,
                                                     period=period, actor=request.user))


@router.post("/collaboration/periods/{cost_period_id}/adjust", response={201: RunOut},
             summary="Adjust a closed period (a new run of the differences)")
@idempotent
def adjust_allocation(request, payload: AdjustIn, cost_period_id: int = path_id()):
    period = get_or_404(CostPeriod.objects.all(), cost_period_id)
    run = allocations.allocation_adjust(
        association=request.association, period=period, reason=payload.reason,
        cost_description=payload.cost_description, cost_amount=payload.cost_amount,
        actor=request.user)
    return Status(201, _run_out(run, created=True))


def _allocation_out(line: AllocationLine) -> dict[str, Any]:
    period = line.run.period
    return {"id": line.pk, "service_id": period.service_id, "service": period.service.name,
            "provider": period.service.association.slug, "period": period.label,
            "period_status": period.status, "run_kind": line.run.kind,
            "run_sequence": line.run.sequence, "amount": line.amount,
            "total_after": line.total_after,
            "invoice_number": line.invoice.number if line.invoice else None,
            "invoice_amount": line.invoice.amount if line.invoice else None,
            "invoice_status": line.invoice.status if line.invoice else None}


@router.get("/collaboration/allocations", response=Page[AllocationOut],
            summary="Our allocations in the services we take part in, with their invoices")
def list_our_allocations(request, cursor: str | None = Query(None, max_length=500),
                         limit: int = 50):
    lines = {line.pk: line for line in selectors.our_allocations(request.association)}
    page = paginate(_IdList(list(lines)), cursor=cursor, limit=limit)
    return {"items": [_allocation_out(lines[i.pk]) for i in page["items"]],
            "next_cursor": page["next_cursor"]}
