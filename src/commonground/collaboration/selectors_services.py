"""Reads for the shared services pages, API and command (never a write). What another
association owns is read through ``crossing.services``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from commonground.core.errors import DomainError
from commonground.tenancy.models import Association

from .crossing import consortia_of
from .crossing import services as crossing
from .models import (
    AllocationLine,
    AllocationRule,
    AllocationRun,
    CostPeriod,
    PeriodStatus,
    RunKind,
    ServiceSubscription,
    SharedService,
)
from .services.allocations import compute, pool_of
from .services.shared import last_closed_end, rule_for


@dataclass
class CatalogueRow:
    service: SharedService
    provided: bool
    subscribed: bool


def catalogue(association: Association) -> list[CatalogueRow]:
    """Every service of the association's consortia: those it provides, those it
    subscribes to and those it could subscribe to."""
    mine = set(ServiceSubscription.objects.filter(association=association)
               .values_list("service_id", flat=True))
    return [CatalogueRow(service=s, provided=s.association_id == association.pk,
                         subscribed=s.pk in mine)
            for s in crossing.services_visible(association)]


def my_consortia(association: Association) -> list:
    return sorted(list(consortia_of(association)), key=lambda c: c.name)


@dataclass
class ServicePage:
    service: SharedService
    provided: bool
    subscriptions: list
    subscribed: bool
    rules: list = field(default_factory=list)
    periods: list = field(default_factory=list)
    our_lines: list = field(default_factory=list)
    closed_until: object = None


def service_page(association: Association, service: SharedService) -> ServicePage:
    provided = service.association_id == association.pk
    subs = crossing.subscriptions_of(service)
    page = ServicePage(service=service, provided=provided, subscriptions=subs,
                       subscribed=any(s.association_id == association.pk for s in subs))
    if provided:
        names = {s.association_id: s.association.name for s in subs}
        rules = list(AllocationRule.objects.filter(service=service)
                     .prefetch_related("shares").order_by("-valid_from"))
        for rule in rules:
            rule.share_rows = [(names.get(s.participant_id, s.participant_id), s.percent)
                               for s in rule.shares.all()]
        page.rules = rules
        page.periods = list(CostPeriod.objects.filter(service=service)
                            .annotate(pool=Sum("items__amount"), runs_n=Count("runs", distinct=True))
                            .order_by("-starts_on"))
        page.closed_until = last_closed_end(service)
    else:
        page.our_lines = crossing.our_lines(association=association, service=service)
    return page


@dataclass
class RunView:
    run: AllocationRun
    lines: list
    current: bool


@dataclass
class PeriodPage:
    period: CostPeriod
    items: list
    pool: Decimal
    rule: AllocationRule | None
    runs: list
    preview: object
    preview_error: str


def period_page(period: CostPeriod) -> PeriodPage:
    runs = list(AllocationRun.objects.filter(period=period).order_by("sequence"))
    lines = list(AllocationLine.objects.filter(run__period=period)
                 .select_related("invoice").order_by("run__sequence", "participant_id"))
    names = {a.pk: a.name for a in Association.objects.filter(
        pk__in={line.participant_id for line in lines})}
    for line in lines:
        line.participant_name = names.get(line.participant_id, "")
    by_run: dict[int, list] = {}
    for line in lines:
        by_run.setdefault(line.run_id, []).append(line)
    # The standing allocation is the latest initial run plus every adjustment after it.
    last_initial = max((r.sequence for r in runs if r.kind == RunKind.INITIAL), default=0)
    views = [RunView(run=r, lines=by_run.get(r.pk, []), current=r.sequence >= last_initial)
             for r in runs]
    preview, error = None, ""
    if period.status == PeriodStatus.OPEN:
        try:
            preview = compute(period)
        except DomainError as exc:  # shown as the reason no run is possible yet
            error = exc.message
    return PeriodPage(period=period, items=list(period.items.order_by("incurred_on", "id")),
                      pool=pool_of(period), rule=rule_for(period), runs=views, preview=preview,
                      preview_error=error)


def periods(association: Association):
    return CostPeriod.objects.filter(association=association).select_related("service")


def our_allocations(association: Association) -> list[AllocationLine]:
    return crossing.our_lines(association=association)
