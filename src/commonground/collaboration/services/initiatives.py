"""Joint initiatives and joint social enterprises of a consortium: create one with its
participants (active members of the consortium), change its status and split rule,
objectives measured in every participant's own data (snapshots), contributions per
participant and revenues split by the rule to the cent (``collaboration.money``).

The lead association owns the initiative, its objectives, snapshots, revenues and their
shares; each participant owns its participation and its contributions. A write that
concerns several associations audits in each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from commonground.core.cleaning import actor_user, clean_text, raise_if
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.membership.services.common import parse_money
from commonground.planning import inputs
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import crossing
from ..crossing import initiatives as cross
from ..models import (
    Consortium,
    ContributionKind,
    InitiativeContribution,
    InitiativeKind,
    InitiativeObjective,
    InitiativeParticipant,
    InitiativeRevenue,
    InitiativeSnapshot,
    InitiativeStatus,
    JointInitiative,
    RevenueShare,
    SplitMethod,
)
from ..money import split_to_cents

MAX_TEXT = 10_000
HUNDRED = Decimal(100)
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)  # an objective's dates


def _roles(association: Association, actor: Any) -> list:
    return permissions.staff_roles_of(association=association, user=actor)


def _must_work(association: Association, actor: Any, what: str) -> None:
    if not permissions.may_work_collaboration(_roles(association, actor)):
        raise PermissionDenied(f"Only staff on a side or an administrator can {what}")


def _must_lead(association: Association, initiative: JointInitiative) -> None:
    if initiative.association_id != association.pk:
        raise PermissionDenied("Only the lead association can do this")


def _choice(errors: dict, name: str, value: Any, choices: type) -> str:
    value = "" if value is None else str(value)
    if value not in choices.values:
        errors[name] = [f"one of {', '.join(choices.values)}"]
    return value


def _audit_all(*, initiative: JointInitiative, associations: list[Association], action: str,
               obj: Any, actor: Any, data: dict) -> None:
    """One entry in each association concerned (the lead first), no association twice."""
    seen: set[int] = set()
    for association in [initiative.association, *associations]:
        if association.pk in seen:
            continue
        seen.add(association.pk)
        audit.record(association=association, action=action, obj=obj, actor=actor,
                     data={"initiative_id": initiative.pk, **data})


def _percents(errors: dict, raw: Mapping[Any, Any] | None, members: list[Association]
              ) -> dict[int, Decimal]:
    """Fixed percentages per participant (keyed by association id or slug): each 0–100
    with at most three decimals, one for every participant, totalling exactly 100."""
    by_key = {str(a.pk): a for a in members} | {a.slug: a for a in members}
    out: dict[int, Decimal] = {}
    for key, value in (raw or {}).items():
        association = by_key.get(str(key))
        if association is None:
            errors.setdefault("percents", []).append(f"{key} is not a participant")
            continue
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite() or number < 0 or number > HUNDRED or \
                    number != number.quantize(Decimal("0.001")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"percents.{association.slug}"] = ["a percentage from 0 to 100"]
            continue
        out[association.pk] = number
    missing = [a.slug for a in members if a.pk not in out]
    if not errors and missing:
        errors["percents"] = [f"a percentage for every participant (missing: "
                              f"{', '.join(missing)})"]
    total = sum(out.values(), Decimal(0))
    if not errors and total != HUNDRED:
        errors["percents"] = [f"the percentages total {total.normalize():f}, not 100"]
    return out


def _members(consortium: Consortium) -> dict[int, Association]:
    return {m.association_id: m.association for m in crossing.participants(consortium)}


@transaction.atomic
def initiative_create(*, association: Association, consortium: Consortium, name: str,
                      kind: str = InitiativeKind.INITIATIVE, purpose: str = "",
                      starts_on: date | str | None = None, ends_on: date | str | None = None,
                      split_method: str = SplitMethod.EQUAL,
                      participants: list[Any] = (), percents: Mapping[Any, Any] | None = None,
                      actor: Any) -> JointInitiative:
    """A joint initiative (or social enterprise) led by ``association``, with the consortium
    members named in ``participants`` (slugs or association ids; the lead takes part
    anyway). Under a fixed split ``percents`` gives each participant's share (total 100)."""
    if not crossing.is_active_member(association=association, consortium_id=consortium.pk):
        raise NotFound("No such consortium")
    _must_work(association, actor, "start a joint initiative")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=200)
    purpose = clean_text(purpose, field="purpose", errors=errors, max_length=MAX_TEXT,
                         required=False)
    kind = _choice(errors, "kind", kind, InitiativeKind)
    split_method = _choice(errors, "split_method", split_method, SplitMethod)
    today = association_today(association)
    start = inputs.parse_date(errors, "starts_on", starts_on, required=False) or today
    end = inputs.parse_date(errors, "ends_on", ends_on, required=False)
    if end and end < start:
        errors["ends_on"] = ["the initiative ends before it starts"]
    members = _members(consortium)
    by_key = {str(pk): a for pk, a in members.items()} | {a.slug: a for a in members.values()}
    chosen: dict[int, Association] = {association.pk: association}
    for key in participants or ():
        found = by_key.get(str(key).strip())
        if found is None:
            errors.setdefault("participants", []).append(
                f"{key} is not an active member of the consortium")
        else:
            chosen[found.pk] = found
    pct: dict[int, Decimal] = {}
    if split_method == SplitMethod.FIXED and "participants" not in errors:
        pct = _percents(errors, percents, list(chosen.values()))
    if name and JointInitiative.objects.filter(association=association, consortium=consortium,
                                               name__iexact=name).exists():
        errors["name"] = ["you already lead an initiative of that name in this consortium"]
    raise_if(errors)
    initiative = JointInitiative.objects.create(
        association=association, consortium=consortium, kind=kind, name=name, purpose=purpose,
        starts_on=start, ends_on=end, split_method=split_method, created_by=actor_user(actor))
    for pk, member in chosen.items():
        InitiativeParticipant.objects.create(
            association=member, initiative=initiative, joined_on=start,
            split_percent=pct.get(pk), role="Lead" if pk == association.pk else "")
    initiative.association = association
    _audit_all(initiative=initiative, associations=list(chosen.values()),
               action="collaboration.initiative.created", obj=initiative, actor=actor,
               data={"name": name, "kind": kind, "split_method": split_method,
                     "participants": [a.slug for a in chosen.values()],
                     "percents": {members.get(k, association).slug: str(v)
                                  for k, v in pct.items()}})
    return initiative


@transaction.atomic
def initiative_change(*, association: Association, initiative: JointInitiative,
                      status: str | None = None, split_method: str | None = None,
                      percents: Mapping[Any, Any] | None = None, actor: Any) -> JointInitiative:
    """The lead changes the status (planned / active / closed) or the split rule (a fixed
    split with every participant's percentage, total 100). Revenues already split keep
    their shares."""
    _must_lead(association, initiative)
    _must_work(association, actor, "change a joint initiative")
    errors: dict[str, list[str]] = {}
    changed: dict[str, Any] = {}
    if status is not None:
        status = _choice(errors, "status", status, InitiativeStatus)
        if status != initiative.status:
            changed["status"] = status
    parts = cross.participants_of(initiative)
    pct: dict[int, Decimal] = {}
    if split_method is not None:
        split_method = _choice(errors, "split_method", split_method, SplitMethod)
        if split_method == SplitMethod.FIXED and not errors:
            pct = _percents(errors, percents, [p.association for p in parts])
        if split_method != initiative.split_method or pct:
            changed["split_method"] = split_method
    raise_if(errors)
    if not changed:
        return initiative
    for k, v in changed.items():
        setattr(initiative, k, v)
    initiative.save(update_fields=list(changed))
    if "split_method" in changed:
        for p in parts:
            p.split_percent = pct.get(p.association_id)
            p.save(update_fields=["split_percent"])
    _audit_all(initiative=initiative, associations=[p.association for p in parts],
               action="collaboration.initiative.changed", obj=initiative, actor=actor,
               data={**changed, "percents": {p.association.slug: str(pct[p.association_id])
                                             for p in parts if p.association_id in pct}})
    return initiative


@transaction.atomic
def initiative_objective_add(*, association: Association, initiative: JointInitiative,
                             name: str, metric_key: str, target: Any,
                             filters: dict | None = None, baseline: Any = 0,
                             direction: str = "up", starts_on: date | str | None = None,
                             deadline: date | str | None = None,
                             actor: Any) -> InitiativeObjective:
    """An objective of the initiative: a catalogue metric (``core.metrics``) with filters
    that must resolve in EVERY participant's data; its value is the sum of the metric in
    each participant's own association."""
    _must_lead(association, initiative)
    _must_work(association, actor, "add an objective")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=200)
    metric_key = clean_text(metric_key, field="metric_key", errors=errors, max_length=80)
    target_value = inputs.parse_decimal(errors, "target", target)
    baseline_value = inputs.parse_decimal(errors, "baseline", baseline, required=False) \
        or Decimal(0)
    if direction not in ("up", "down"):
        errors["direction"] = ["up or down"]
    start = inputs.parse_date(errors, "starts_on", starts_on, required=False) \
        or initiative.starts_on
    end = inputs.parse_date(errors, "deadline", deadline, required=False) or initiative.ends_on
    if end is None and "deadline" not in errors:
        errors["deadline"] = ["required (the initiative has no end date)"]
    if start and end and end < start:
        errors["deadline"] = ["the deadline is before the start"]
    for name, day in (("starts_on", start), ("deadline", end)):
        if day and not EARLIEST <= day <= LATEST:
            errors[name] = [f"between {EARLIEST:%Y} and {LATEST:%Y}"]
    for key, value in (filters or {}).items() if isinstance(filters, dict) else ():
        if "\x00" in str(key) or "\x00" in str(value):
            errors[f"filters.{key}"] = ["contains a NUL character"]
    if target_value is not None and target_value == baseline_value:
        errors["target"] = ["the same as the baseline: nothing to reach"]
    raise_if(errors)
    cross.metric_check(associations=[p.association for p in cross.participants_of(initiative)],
                       metric_key=metric_key, filters=filters or {}, starts_on=start,
                       deadline=end)
    objective = InitiativeObjective.objects.create(
        association=association, initiative=initiative, name=name, metric_key=metric_key,
        filters={str(k): str(v) for k, v in (filters or {}).items() if v not in (None, "")},
        baseline=baseline_value, target=target_value, direction=direction, starts_on=start,
        deadline=end)
    audit.record(association=association, action="collaboration.initiative.objective_added",
                 obj=objective, actor=actor,
                 data={"initiative_id": initiative.pk, "name": name, "metric": metric_key,
                       "filters": objective.filters, "target": str(target_value),
                       "deadline": str(end)})
    return objective


@transaction.atomic
def initiative_snapshot(*, association: Association, initiative: JointInitiative,
                        on: date | None = None, actor: Any = None) -> list[InitiativeSnapshot]:
    """Compute every objective in each participant's own data on ``on`` (today in the
    lead's zone) and store the figures (recomputing the same day replaces them)."""
    if not crossing.is_active_member(association=association,
                                     consortium_id=initiative.consortium_id):
        raise NotFound("No such initiative")
    _must_work(association, actor, "compute the initiative's objectives")
    on = on or association_today(initiative.association)
    parts = [p.association for p in cross.participants_of(initiative)]
    out: list[InitiativeSnapshot] = []
    for objective in cross.objectives_of(initiative):
        for participant_id, value in cross.metric_values(objective, parts, on).items():
            snap, _ = InitiativeSnapshot.objects.update_or_create(
                objective=objective, participant_id=participant_id, on=on,
                defaults={"association": initiative.association, "value": value})
            out.append(snap)
    audit.record(association=initiative.association,
                 action="collaboration.initiative.snapshot", obj=initiative, actor=actor,
                 data={"on": str(on), "figures": len(out)})
    return out


@transaction.atomic
def contribution_record(*, association: Association, initiative: JointInitiative, kind: str,
                        description: str, value: Any, hours: Any = None,
                        contributed_on: date | str | None = None,
                        actor: Any) -> InitiativeContribution:
    """The association's contribution to the initiative (money, staff time with its hours,
    or in kind), with its worth in money for a split by contribution."""
    if not InitiativeParticipant.objects.filter(association=association,
                                                initiative=initiative).exists():
        if crossing.is_active_member(association=association,
                                     consortium_id=initiative.consortium_id):
            raise PermissionDenied("Only a participant of the initiative can contribute")
        raise NotFound("No such initiative")
    _must_work(association, actor, "record a contribution")
    errors: dict[str, list[str]] = {}
    kind = _choice(errors, "kind", kind, ContributionKind)
    description = clean_text(description, field="description", errors=errors, max_length=250)
    try:
        worth = parse_money(value, field="value")
    except ValidationFailed as exc:
        errors.update(exc.fields)
        worth = None
    hours_value = inputs.parse_decimal(errors, "hours", hours, required=False)
    if hours_value is not None and not Decimal(0) < hours_value < Decimal("1000000"):
        errors["hours"] = ["more than 0 and below 1,000,000"]
    if kind == ContributionKind.STAFF_TIME and hours_value is None and "hours" not in errors:
        errors["hours"] = ["required for staff time"]
    today = association_today(association)
    on = inputs.parse_date(errors, "contributed_on", contributed_on, required=False) or today
    if on > today:
        errors["contributed_on"] = ["in the future"]
    if initiative.status == InitiativeStatus.CLOSED:
        raise Conflict("The initiative is closed")
    raise_if(errors)
    row = InitiativeContribution.objects.create(
        association=association, initiative=initiative, kind=kind, description=description,
        hours=hours_value, value=worth, contributed_on=on, recorded_by=actor_user(actor))
    _audit_all(initiative=initiative, associations=[association],
               action="collaboration.initiative.contributed", obj=row, actor=actor,
               data={"contributor": association.slug, "kind": kind, "value": str(worth),
                     "hours": str(hours_value) if hours_value is not None else None,
                     "on": str(on)})
    return row


@transaction.atomic
def revenue_record(*, association: Association, initiative: JointInitiative, description: str,
                   amount: Any, received_on: date | str | None = None,
                   actor: Any) -> InitiativeRevenue:
    """A revenue of the initiative (the lead records it), split at once between the
    participants by the initiative's rule — equal, fixed percentages, or in proportion to
    the value of the contributions made by the day it was received — to the cent: the
    shares sum to the amount."""
    _must_lead(association, initiative)
    _must_work(association, actor, "record a revenue")
    errors: dict[str, list[str]] = {}
    description = clean_text(description, field="description", errors=errors, max_length=250)
    try:
        total = parse_money(amount, field="amount", allow_zero=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        total = None
    today = association_today(association)
    on = inputs.parse_date(errors, "received_on", received_on, required=False) or today
    if on > today:
        errors["received_on"] = ["in the future"]
    raise_if(errors)
    parts = cross.participants_of(initiative)
    if initiative.split_method == SplitMethod.EQUAL:
        bases = [Decimal(1)] * len(parts)
    elif initiative.split_method == SplitMethod.FIXED:
        bases = [p.split_percent or Decimal(0) for p in parts]
    else:
        totals = cross.contribution_totals(initiative, until=on)
        bases = [totals.get(p.association_id, Decimal(0)) for p in parts]
    if not any(bases):
        raise ValidationFailed(
            "Nothing to split by: no participant has contributed by "
            f"{on:%-d %b %Y}" if initiative.split_method == SplitMethod.CONTRIBUTION
            else "Nothing to split by: every participant's share is zero",
            fields={"amount": ["no basis for the split yet"]})
    amounts = split_to_cents(total, bases)
    revenue = InitiativeRevenue.objects.create(
        association=association, initiative=initiative, description=description,
        amount=total, received_on=on, recorded_by=actor_user(actor))
    RevenueShare.objects.bulk_create([
        RevenueShare(association=association, revenue=revenue, participant_id=p.association_id,
                     basis=basis, amount=share)
        for p, basis, share in zip(parts, bases, amounts, strict=True)])
    _audit_all(initiative=initiative, associations=[p.association for p in parts],
               action="collaboration.initiative.revenue_split", obj=revenue, actor=actor,
               data={"amount": str(total), "method": initiative.split_method,
                     "shares": {p.association.slug: str(a)
                                for p, a in zip(parts, amounts, strict=True)}})
    return revenue
