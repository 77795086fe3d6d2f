"""Shared services: the catalogue, subscriptions, allocation rules, cost periods and their
costs. (Allocation runs, closing and adjustments: ``services.allocations``.)

The provider owns the service and everything about its costs; a subscriber owns its
subscription. Writes that concern both (a subscription) audit in both associations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max

from commonground.core.cleaning import actor_user, clean_text, raise_if
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.membership.services.common import parse_money
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import allocation
from ..crossing import consortium_visible
from ..crossing import services as crossing
from ..models import (
    AllocationMethod,
    AllocationRule,
    AllocationShare,
    CostItem,
    CostPeriod,
    PeriodStatus,
    ServiceStatus,
    ServiceSubscription,
    SharedService,
)


def roles_of(association: Association, actor) -> list | None:
    """The actor's staff roles, or None for the command line and the demo (no actor)."""
    if actor is None:
        return None
    return permissions.staff_roles_of(association=association, user=actor)


def check_govern(association: Association, actor, what: str) -> None:
    roles = roles_of(association, actor)
    if roles is not None and not permissions.may_govern_collaboration(roles):
        raise PermissionDenied(f"Only administrators {what}")


def check_work(association: Association, actor, what: str) -> None:
    roles = roles_of(association, actor)
    if roles is not None and not permissions.may_work_collaboration(roles):
        raise PermissionDenied(f"Only staff on a side or administrators {what}")


def own_service(association: Association, service: SharedService) -> None:
    if service.association_id != association.pk:
        raise NotFound("No such shared service")


# ---------------------------------------------------------------- catalogue

@transaction.atomic
def shared_service_create(*, association: Association, consortium_id: int, name: str,
                          description: str = "", service_level: str = "", usage_unit: str = "",
                          actor=None) -> SharedService:
    """A service the association provides to a consortium it actively takes part in; it
    subscribes itself (it carries a share of the cost, it is just not invoiced)."""
    check_govern(association, actor, "offer a shared service")
    consortium = consortium_visible(association=association, consortium_id=consortium_id)
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=200)
    description = clean_text(description, field="description", errors=errors,
                             max_length=5000, required=False)
    service_level = clean_text(service_level, field="service_level", errors=errors,
                               max_length=5000, required=False)
    usage_unit = clean_text(usage_unit, field="usage_unit", errors=errors, max_length=60,
                            required=False)
    raise_if(errors)
    if SharedService.objects.filter(consortium=consortium, name__iexact=name).exists():
        raise ValidationFailed("You already offer a service of that name in this consortium",
                               fields={"name": ["already used"]})
    service = SharedService.objects.create(
        association=association, consortium=consortium, name=name, description=description,
        service_level=service_level, usage_unit=usage_unit)
    # From the consortium's start: the provider's own share covers every period.
    ServiceSubscription.objects.create(association=association, service=service,
                                       starts_on=min(consortium.started_on,
                                                     association_today(association)))
    audit.record(association=association, action="collaboration.service.created", obj=service,
                 actor=actor_user(actor), data={"consortium": consortium.pk, "name": name})
    return service


@transaction.atomic
def shared_service_subscribe(*, association: Association, service_id: int,
                             starts_on: date | None = None, service_level: str = "",
                             actor=None) -> ServiceSubscription:
    """The association (an active member of the service's consortium) subscribes."""
    check_govern(association, actor, "subscribe to a shared service")
    service = crossing.service_visible(association=association, service_id=service_id)
    if service.status != ServiceStatus.ACTIVE:
        raise Conflict("This service is retired: it takes no new subscribers")
    if ServiceSubscription.objects.filter(association=association, service=service).exists():
        raise Conflict("You already subscribe to this service")
    errors: dict[str, list[str]] = {}
    service_level = clean_text(service_level, field="service_level", errors=errors,
                               max_length=5000, required=False)
    raise_if(errors)
    sub = ServiceSubscription.objects.create(
        association=association, service=service, service_level=service_level,
        starts_on=starts_on or association_today(association))
    data = {"service": service.pk, "subscriber": association.slug,
            "starts_on": sub.starts_on.isoformat()}
    audit.record(association=association, action="collaboration.subscription.created",
                 obj=sub, actor=actor_user(actor), data=data)
    audit.record(association=service.association, action="collaboration.subscription.created",
                 obj=sub, actor=actor_user(actor), data=data)
    return sub


# ---------------------------------------------------------------- rules

def _percent(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, AttributeError):
        return None
    return number if number.is_finite() and abs(number) < 1000 else None


def last_closed_end(service: SharedService) -> date | None:
    return (CostPeriod.objects.filter(service=service, status=PeriodStatus.CLOSED)
            .aggregate(end=Max("ends_on"))["end"])


@transaction.atomic
def allocation_rule_create(*, association: Association, service: SharedService, method: str,
                           valid_from: date, usage_source: str = "",
                           usage_kinds: Iterable[str] = (),
                           shares: Mapping[str | int, Any] | None = None, note: str = "",
                           actor=None) -> AllocationRule:
    """How the service's pool is split from ``valid_from`` on. Refused: a date on or
    before the end of a closed period (no back-dating), fixed percentages that do not
    total 100 across the current participants, a usage source some participant lacks.
    ``shares`` maps a participant (slug or association id) to its percentage."""
    check_govern(association, actor, "choose an allocation rule")
    own_service(association, service)
    errors: dict[str, list[str]] = {}
    if method not in AllocationMethod.values:
        errors["method"] = [f"one of {', '.join(AllocationMethod.values)}"]
    if not isinstance(valid_from, date):
        errors["valid_from"] = ["a date"]
    note = clean_text(note, field="note", errors=errors, max_length=2000, required=False)
    raise_if(errors)
    closed_end = last_closed_end(service)
    if closed_end is not None and valid_from <= closed_end:
        raise ValidationFailed(
            f"A rule can't be back-dated over a closed period: choose a date after "
            f"{closed_end:%d %b %Y}", fields={"valid_from": [f"after {closed_end.isoformat()}"]})
    if AllocationRule.objects.filter(service=service, valid_from=valid_from).exists():
        raise Conflict(f"A rule already starts on {valid_from:%d %b %Y}",
                       fields={"valid_from": ["a rule starts on that day already"]})
    people = crossing.current_participants(service, max(valid_from,
                                                        association_today(association)))
    percents: dict[int, Decimal] = {}
    kinds: list[str] = []
    source = ""
    if method == AllocationMethod.FIXED:
        by_key = {**{p.slug: p for p in people}, **{str(p.association_id): p for p in people}}
        unknown = []
        for key, value in (shares or {}).items():
            who = by_key.get(str(key).strip())
            if who is None:
                unknown.append(str(key))
                continue
            pct = _percent(value)
            if pct is None:
                errors.setdefault("shares", []).append(f"{who.name}: not a percentage")
                continue
            percents[who.association_id] = pct
        if unknown:
            errors.setdefault("shares", []).append(
                f"not a participant of this service: {', '.join(unknown)}")
        missing = [p.name for p in people if p.association_id not in percents]
        if missing and not errors:
            errors["shares"] = [f"no percentage for {', '.join(missing)}"]
        if not errors and (why := allocation.percent_total_error(percents)):
            errors["shares"] = [why]
        raise_if(errors)
    elif method == AllocationMethod.USAGE:
        source = clean_text(usage_source, field="usage_source", errors=errors, max_length=64)
        kinds = sorted({str(k).strip() for k in usage_kinds if str(k).strip()})
        if any(len(k) > 40 for k in kinds):
            errors["usage_kinds"] = ["at most 40 characters each"]
        raise_if(errors)
        lacking = crossing.lacking_source(people, source)
        if lacking:
            raise ValidationFailed(
                f"{', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no source "
                f"{source!r}: usage can't be measured for "
                f"{'it' if len(lacking) == 1 else 'them'}",
                fields={"usage_source": [f"missing for {', '.join(lacking)}"]})
    rule = AllocationRule.objects.create(
        association=association, service=service, method=method, valid_from=valid_from,
        usage_source=source, usage_kinds=kinds, note=note, created_by=actor_user(actor))
    AllocationShare.objects.bulk_create([
        AllocationShare(association=association, rule=rule, participant_id=pid, percent=pct)
        for pid, pct in sorted(percents.items())])
    audit.record(association=association, action="collaboration.allocation_rule.created",
                 obj=rule, actor=actor_user(actor),
                 data={"service": service.pk, "method": method,
                       "valid_from": valid_from.isoformat(), "usage_source": source,
                       "usage_kinds": kinds,
                       "shares": {str(k): str(v) for k, v in sorted(percents.items())}})
    return rule


def rule_for(period: CostPeriod) -> AllocationRule | None:
    """The rule of a period: the latest valid on or before its first day."""
    return (AllocationRule.objects.filter(service_id=period.service_id,
                                          valid_from__lte=period.starts_on)
            .order_by("-valid_from").prefetch_related("shares").first())


# ---------------------------------------------------------------- periods and costs

@transaction.atomic
def cost_period_create(*, association: Association, service: SharedService, label: str,
                       starts_on: date, ends_on: date, actor=None) -> CostPeriod:
    check_work(association, actor, "open a cost period")
    own_service(association, service)
    errors: dict[str, list[str]] = {}
    label = clean_text(label, field="label", errors=errors, max_length=40)
    if isinstance(starts_on, date) and isinstance(ends_on, date) and ends_on < starts_on:
        errors["ends_on"] = ["on or after the start"]
    raise_if(errors)
    clash = CostPeriod.objects.filter(service=service, starts_on__lte=ends_on,
                                      ends_on__gte=starts_on).first()
    if clash is not None:
        raise ValidationFailed(f"The dates overlap the period {clash.label}",
                               fields={"starts_on": [f"overlaps {clash.label}"]})
    if CostPeriod.objects.filter(service=service, label__iexact=label).exists():
        raise ValidationFailed("A period of that label exists", fields={"label": ["already used"]})
    period = CostPeriod.objects.create(association=association, service=service, label=label,
                                       starts_on=starts_on, ends_on=ends_on)
    audit.record(association=association, action="collaboration.cost_period.created",
                 obj=period, actor=actor_user(actor),
                 data={"service": service.pk, "label": label, "starts_on": starts_on.isoformat(),
                       "ends_on": ends_on.isoformat()})
    return period


def add_item(*, association: Association, period: CostPeriod, description: str, amount: Any,
             incurred_on: date | None, actor=None) -> CostItem:
    """A cost row in the period (no audit: the caller audits what it is part of)."""
    errors: dict[str, list[str]] = {}
    description = clean_text(description, field="description", errors=errors, max_length=200)
    try:
        value = parse_money(amount, allow_zero=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        value = None
    incurred_on = incurred_on or min(period.ends_on, association_today(association))
    if not period.starts_on <= incurred_on <= period.ends_on:
        errors["incurred_on"] = [f"within the period ({period.starts_on.isoformat()} – "
                                 f"{period.ends_on.isoformat()})"]
    raise_if(errors)
    return CostItem.objects.create(association=association, period=period,
                                   description=description, amount=value,
                                   incurred_on=incurred_on, created_by=actor_user(actor))


@transaction.atomic
def cost_item_add(*, association: Association, period: CostPeriod, description: str,
                  amount: Any, incurred_on: date | None = None, actor=None) -> CostItem:
    """A cost in an open period's pool (a closed period changes only by an adjustment)."""
    check_work(association, actor, "record costs")
    period = CostPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.CLOSED:
        raise Conflict(f"{period.label} is closed: a correction is an adjustment, with its "
                       "reason")
    item = add_item(association=association, period=period, description=description,
                    amount=amount, incurred_on=incurred_on, actor=actor)
    audit.record(association=association, action="collaboration.cost_item.added", obj=item,
                 actor=actor_user(actor),
                 data={"period": period.pk, "amount": str(item.amount),
                       "description": item.description})
    return item
