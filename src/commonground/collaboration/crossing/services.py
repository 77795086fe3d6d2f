"""Shared services across associations: what a participant may read of a service another
association provides, and what the provider reads of its subscribers.

The rows here belong to their provider (services, rules, periods, runs, lines, invoices)
or to their subscriber (subscriptions). A service is visible to its provider and to the
active members of its consortium; everything else is ``NotFound``. A subscriber reads
its own allocation lines and the invoices the provider issued it, never another
participant's. The allocation's bases (usage, member counts) are one statement over the
participants (``collaboration.sql``), bound to the ids drawn here from the subscriptions
of active consortium members.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from commonground.activity.models import Source
from commonground.core.errors import NotFound
from commonground.tenancy.clock import association_zone
from commonground.tenancy.models import Association

from .. import sql
from ..allocation import Participant
from ..models import (
    AllocationLine,
    AllocationMethod,
    AllocationRule,
    ConsortiumMember,
    CostPeriod,
    MemberStatus,
    ServiceStatus,
    ServiceSubscription,
    SharedService,
)
from . import across, member_consortium_ids


def services_visible(association: Association) -> list[SharedService]:
    """The services of the consortia the association actively takes part in (its own
    included), with provider and consortium."""
    consortia = member_consortium_ids(association)
    with across():
        return list(SharedService.objects.filter(consortium_id__in=consortia)
                    .select_related("association", "consortium").order_by("name", "id"))


def service_visible(*, association: Association, service_id: int) -> SharedService:
    """The service if the association provides it or is an active member of its
    consortium, else ``NotFound`` (a 404: its existence is not confirmed)."""
    with across():
        service = (SharedService.objects.filter(pk=service_id)
                   .select_related("association", "consortium").first())
    if service is None or (service.association_id != association.pk and
                           service.consortium_id not in member_consortium_ids(association)):
        raise NotFound("No such shared service")
    return service


def subscriptions_of(service: SharedService) -> list[ServiceSubscription]:
    """Every subscription of the service (each owned by its subscriber), oldest first."""
    with across():
        return list(ServiceSubscription.objects.filter(service=service)
                    .select_related("association").order_by("association_id"))


def _active_member_ids(consortium_id: int) -> set[int]:
    with across():
        return set(ConsortiumMember.objects.filter(consortium_id=consortium_id,
                                                   status=MemberStatus.ACTIVE)
                   .values_list("association_id", flat=True))


def participants(*, service: SharedService, starts_on: date, ends_on: date) -> list[Participant]:
    """Who shares the period's cost: subscriptions overlapping the dates whose subscriber
    is (still) an active member of the consortium, by association id."""
    active = _active_member_ids(service.consortium_id) | {service.association_id}
    out = []
    for sub in subscriptions_of(service):
        if sub.association_id not in active or sub.starts_on > ends_on or \
                (sub.ends_on is not None and sub.ends_on < starts_on):
            continue
        out.append(Participant(association_id=sub.association_id, slug=sub.association.slug,
                               name=sub.association.name,
                               is_provider=sub.association_id == service.association_id))
    return out


def current_participants(service: SharedService, today: date) -> list[Participant]:
    return participants(service=service, starts_on=today, ends_on=today)


def lacking_source(participants_: list[Participant], slug: str) -> list[str]:
    """Names of the participants without a source of that slug."""
    with across():
        having = set(Source.objects.filter(association_id__in=[p.association_id
                                                               for p in participants_],
                                           slug=slug).values_list("association_id", flat=True))
    return [p.name for p in participants_ if p.association_id not in having]


def _window(provider: Association, starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    zone = association_zone(provider)
    return (datetime.combine(starts_on, time.min, tzinfo=zone),
            datetime.combine(ends_on + timedelta(days=1), time.min, tzinfo=zone))


def bases(*, provider: Association, rule: AllocationRule, period: CostPeriod,
          participants_: list[Participant]) -> dict[int, Decimal]:
    """Each participant's measured basis for a members or usage rule (one statement for
    all of them); empty for equal and fixed rules. The period's dates are the provider's
    (its books, its time zone)."""
    ids = [p.association_id for p in participants_]
    if rule.method == AllocationMethod.USAGE:
        since, until = _window(provider, period.starts_on, period.ends_on)
        counts = sql.usage_counts(association_id=provider.pk, participant_ids=ids,
                                  source_slug=rule.usage_source, kinds=rule.usage_kinds or [],
                                  since=since, until=until)
    elif rule.method == AllocationMethod.MEMBERS:
        counts = sql.member_counts(association_id=provider.pk, participant_ids=ids,
                                   on=period.ends_on)
    else:
        return {}
    return {i: Decimal(counts.get(i, 0)) for i in ids}


def billing_organisation_set(*, subscription_id: int, organisation_id: int) -> None:
    """Remember the organisation standing for the subscriber in the provider's books (a
    key into the provider's association, kept on the subscriber's subscription row)."""
    with across():
        ServiceSubscription.objects.filter(pk=subscription_id).update(
            billing_organisation_id=organisation_id)


def subscription_for(*, service: SharedService, association_id: int) -> ServiceSubscription | None:
    with across():
        return (ServiceSubscription.objects.filter(service=service, association_id=association_id)
                .select_related("association", "billing_organisation").first())


def our_lines(*, association: Association, service: SharedService | None = None
              ) -> list[AllocationLine]:
    """The association's own allocation lines in the services it can see (its share in
    each run, and the invoice the provider issued it), newest first."""
    consortia = member_consortium_ids(association)
    with across():
        rows = AllocationLine.objects.filter(participant=association,
                                             run__period__service__consortium_id__in=consortia)
        if service is not None:
            rows = rows.filter(run__period__service=service)
        return list(rows.select_related("run", "run__period", "run__period__service",
                                        "run__period__service__association", "invoice")
                    .order_by("-run__period__starts_on", "-run__sequence", "id"))


def open_services(association: Association) -> list[SharedService]:
    """Active services of the association's consortia it does not subscribe to yet."""
    mine = set(ServiceSubscription.objects.filter(association=association)
               .values_list("service_id", flat=True))
    return [s for s in services_visible(association)
            if s.status == ServiceStatus.ACTIVE and s.pk not in mine]
