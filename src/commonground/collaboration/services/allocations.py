"""Allocation runs, closing a period (its invoices) and adjustments of a closed period.

* ``allocation_run`` on an open period computes the split (bases per participant in one
  statement, ``crossing.services.bases``; the pool split to the cent); the same inputs
  again return the same run and add nothing, changed inputs (a new cost, late activity)
  add the next run. On a closed period it returns the run that stands, unchanged.
* ``cost_period_close`` runs it a last time and turns each non-provider participant's
  line into an invoice in the provider's books, to an organisation standing for the
  subscriber (``ServiceSubscription.billing_organisation``, made on the first invoice).
* ``allocation_adjust`` corrects a closed period: a new run of kind ``adjustment`` whose
  lines are the deltas against what was allocated. A positive delta is a new invoice; a
  negative one voids the participant's earlier invoices of the period and reissues one
  for the new total when none of them is paid, else it stands as a credit line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from commonground.core.cleaning import actor_user, clean_text, raise_if
from commonground.core.errors import Conflict, ValidationFailed
from commonground.membership.models import Invoice, InvoiceStatus
from commonground.membership.services.billing import invoice_balance, invoice_create, invoice_void
from commonground.people.models import Organisation, Sector
from commonground.people.services import organisation_create
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from .. import allocation
from ..allocation import Part, Participant
from ..crossing import services as crossing
from ..models import (
    AllocationLine,
    AllocationMethod,
    AllocationRule,
    AllocationRun,
    CostItem,
    CostPeriod,
    PeriodStatus,
    RunKind,
)
from .shared import add_item, check_govern, check_work, rule_for

ZERO = Decimal("0.00")


@dataclass
class Computed:
    rule: AllocationRule
    pool: Decimal
    parts: list[Part]
    inputs: dict[str, Any]
    key: str


def pool_of(period: CostPeriod) -> Decimal:
    return (CostItem.objects.filter(period=period).aggregate(t=Sum("amount"))["t"]
            or ZERO).quantize(Decimal("0.01"))


def compute(period: CostPeriod) -> Computed:
    """What a run of the period would allocate now (nothing written)."""
    service = period.service
    rule = rule_for(period)
    if rule is None:
        raise ValidationFailed(
            f"No allocation rule is valid on {period.starts_on:%d %b %Y}: choose one first",
            fields={"rule": ["none valid for this period"]})
    people = crossing.participants(service=service, starts_on=period.starts_on,
                                   ends_on=period.ends_on)
    pool = pool_of(period)
    if pool <= 0:
        raise ValidationFailed(f"{period.label} has no costs to allocate: record its costs first",
                               fields={"pool": ["no costs recorded"]})
    if rule.method == AllocationMethod.USAGE:
        lacking = crossing.lacking_source(people, rule.usage_source)
        if lacking:
            raise ValidationFailed(
                f"{', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no source "
                f"{rule.usage_source!r}: change the rule", fields={"rule": ["source missing"]})
    percents = {s.participant_id: s.percent for s in rule.shares.all()}
    measured = crossing.bases(provider=period.association, rule=rule, period=period,
                              participants_=people)
    weights = allocation.weights(rule.method, people, percents=percents, bases=measured)
    parts = allocation.split(pool, people, weights)
    items = list(CostItem.objects.filter(period=period).order_by("id")
                 .values_list("id", "amount"))
    inputs = {"rule": rule.pk, "method": rule.method, "pool": str(pool),
              "period": [period.starts_on.isoformat(), period.ends_on.isoformat()],
              "items": [[i, str(a)] for i, a in items],
              "participants": [{"id": p.participant.association_id, "slug": p.participant.slug,
                                "basis": str(p.basis)} for p in parts]}
    return Computed(rule=rule, pool=pool, parts=parts, inputs=inputs,
                    key=allocation.inputs_key(inputs))


def _latest(period: CostPeriod) -> AllocationRun | None:
    return AllocationRun.objects.filter(period=period).order_by("-sequence").first()


def _new_run(period: CostPeriod, done: Computed, *, kind: str, reason: str,
             previous: AllocationRun | None, actor) -> AllocationRun:
    return AllocationRun.objects.create(
        association=period.association, period=period, rule=done.rule, kind=kind,
        sequence=(previous.sequence + 1) if previous else 1, pool_total=done.pool,
        inputs=done.inputs, inputs_key=done.key, reason=reason, created_by=actor_user(actor))


def _run_locked(period: CostPeriod, actor) -> tuple[AllocationRun, bool]:
    done = compute(period)
    last = _latest(period)
    if last is not None and last.inputs_key == done.key:
        return last, False
    run = _new_run(period, done, kind=RunKind.INITIAL, reason="", previous=last, actor=actor)
    AllocationLine.objects.bulk_create([
        AllocationLine(association=period.association, run=run,
                       participant_id=p.participant.association_id, basis=p.basis,
                       share=p.share, amount=p.amount, total_after=p.amount)
        for p in done.parts])
    audit.record(association=period.association, action="collaboration.allocation.run",
                 obj=run, actor=actor_user(actor),
                 data={"period": period.pk, "sequence": run.sequence, "pool": str(done.pool),
                       "method": done.rule.method,
                       "amounts": {p.participant.slug: str(p.amount) for p in done.parts}})
    return run, True


def _locked(association: Association, period: CostPeriod) -> CostPeriod:
    return (CostPeriod.objects.select_for_update().select_related("service", "association")
            .get(pk=period.pk, association=association))


@transaction.atomic
def allocation_run(*, association: Association, period: CostPeriod, actor=None
                   ) -> tuple[AllocationRun, bool]:
    """Run the period's allocation: ``(run, created)``. Same inputs → the same run;
    a closed period → its standing run, unchanged."""
    check_work(association, actor, "run an allocation")
    period = _locked(association, period)
    if period.status == PeriodStatus.CLOSED:
        last = _latest(period)
        if last is not None:
            return last, False
    return _run_locked(period, actor)


# ---------------------------------------------------------------- invoices

def _billing_organisation(period: CostPeriod, participant: Participant) -> Organisation:
    sub = crossing.subscription_for(service=period.service,
                                    association_id=participant.association_id)
    org = sub.billing_organisation if sub is not None else None
    if org is None or org.association_id != period.association_id:
        org = organisation_create(association=period.association, name=participant.name,
                                  sector=Sector.VOLUNTARY)
        if sub is not None:
            crossing.billing_organisation_set(subscription_id=sub.pk, organisation_id=org.pk)
    return org


def _invoice(period: CostPeriod, participant: Participant, amount: Decimal, what: str,
             actor) -> Invoice:
    org = _billing_organisation(period, participant)
    return invoice_create(association=period.association, member=org, amount=amount,
                          description=f"{period.service.name}, {period.label}: {what}"[:250],
                          actor=actor_user(actor))


def _participant(line: AllocationLine, slugs: dict[int, tuple[str, str]],
                 provider_id: int) -> Participant:
    slug, name = slugs[line.participant_id]
    return Participant(association_id=line.participant_id, slug=slug, name=name,
                       is_provider=line.participant_id == provider_id)


def _names(ids) -> dict[int, tuple[str, str]]:
    return {a.pk: (a.slug, a.name) for a in Association.objects.filter(pk__in=list(ids))}


@transaction.atomic
def cost_period_close(*, association: Association, period: CostPeriod, actor=None
                      ) -> CostPeriod:
    """Close the period: its allocation a last time, an invoice per non-provider
    participant in the provider's books. Closing a closed period changes nothing."""
    check_govern(association, actor, "close a cost period")
    period = _locked(association, period)
    if period.status == PeriodStatus.CLOSED:
        return period
    run, _ = _run_locked(period, actor)
    lines = list(run.lines.all())
    slugs = _names(line.participant_id for line in lines)
    for line in lines:
        if line.participant_id == association.pk or line.amount <= 0:
            continue
        who = _participant(line, slugs, association.pk)
        line.invoice = _invoice(period, who, line.amount, "allocated share", actor)
        line.save(update_fields=["invoice"])
        audit.record(association=Association.objects.get(pk=line.participant_id),
                     action="collaboration.allocation.invoiced", obj=line,
                     actor=actor_user(actor),
                     data={"provider": association.slug, "service": period.service.name,
                           "period": period.label, "amount": str(line.amount),
                           "invoice": line.invoice.number})
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = actor_user(actor)
    period.save(update_fields=["status", "closed_at", "closed_by"])
    audit.record(association=association, action="collaboration.cost_period.closed", obj=period,
                 actor=actor_user(actor),
                 data={"run": run.pk, "pool": str(run.pool_total),
                       "invoiced": [line.invoice.number for line in lines if line.invoice]})
    return period


def _unpaid(invoice: Invoice) -> bool:
    return invoice.status == InvoiceStatus.OPEN and invoice_balance(invoice) == invoice.amount


@transaction.atomic
def allocation_adjust(*, association: Association, period: CostPeriod, reason: str,
                      cost_description: str = "", cost_amount: Any = None,
                      cost_incurred_on: date | None = None, actor=None) -> AllocationRun:
    """Correct a closed period: recompute (late activity, a cost added with the
    adjustment), record the deltas as a new ``adjustment`` run and invoice them."""
    check_govern(association, actor, "adjust a closed period")
    period = _locked(association, period)
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, field="reason", errors=errors, max_length=2000)
    raise_if(errors)
    if period.status != PeriodStatus.CLOSED:
        raise Conflict(f"{period.label} is open: record the cost and run it again instead")
    added = None
    if cost_amount not in (None, ""):
        added = add_item(association=association, period=period,
                         description=cost_description or reason[:200], amount=cost_amount,
                         incurred_on=cost_incurred_on, actor=actor)
    done = compute(period)
    last = _latest(period)
    if last is not None and last.inputs_key == done.key:
        raise Conflict("Nothing changed since the last run: there is nothing to adjust")
    before = {line.participant_id: line.total_after for line in last.lines.all()} if last else {}
    now = {p.participant.association_id: p for p in done.parts}
    run = _new_run(period, done, kind=RunKind.ADJUSTMENT, reason=reason, previous=last,
                   actor=actor)
    slugs = _names(set(before) | set(now))
    earlier = {}
    for line in (AllocationLine.objects.filter(run__period=period, invoice__isnull=False)
                 .select_related("invoice")):
        earlier.setdefault(line.participant_id, []).append(line.invoice)
    treatment: dict[str, str] = {}
    for pid in sorted(set(before) | set(now)):
        part = now.get(pid)
        total = part.amount if part else ZERO
        delta = total - before.get(pid, ZERO)
        line = AllocationLine.objects.create(
            association=association, run=run, participant_id=pid,
            basis=part.basis if part else Decimal(0), share=part.share if part else Decimal(0),
            amount=delta, total_after=total)
        if pid == association.pk or delta == 0:
            continue
        who = Participant(association_id=pid, slug=slugs[pid][0], name=slugs[pid][1],
                          is_provider=False)
        invoices = [i for i in earlier.get(pid, []) if i.status != InvoiceStatus.VOID]
        if delta > 0:
            line.invoice = _invoice(period, who, delta, f"adjustment ({reason})", actor)
            treatment[who.slug] = "invoiced"
        elif invoices and all(_unpaid(i) for i in invoices):
            for invoice in invoices:
                invoice_void(invoice=invoice, actor=actor_user(actor))
            if total > 0:
                line.invoice = _invoice(period, who, total, f"reissued after adjustment ({reason})",
                                        actor)
            treatment[who.slug] = "reissued"
        else:
            treatment[who.slug] = "credit"
        line.save(update_fields=["invoice"])
        audit.record(association=Association.objects.get(pk=pid),
                     action="collaboration.allocation.adjusted", obj=line,
                     actor=actor_user(actor),
                     data={"provider": association.slug, "period": period.label,
                           "delta": str(delta), "treatment": treatment[who.slug],
                           "reason": reason})
    run.inputs = {**run.inputs, "invoicing": treatment}
    run.save(update_fields=["inputs"])
    audit.record(association=association, action="collaboration.allocation.adjusted", obj=run,
                 actor=actor_user(actor),
                 data={"period": period.pk, "reason": reason, "treatment": treatment,
                       "cost_added": str(added.amount) if added else None,
                       "pool": str(done.pool)})
    return run
