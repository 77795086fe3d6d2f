"""Joint initiatives across their participants: the one place that reads an initiative's
rows owned by other associations (the lead's initiative, objectives, snapshots, revenues
and shares; each participant's participation and contributions), and computes an
objective's metric inside EACH participant's own scope (its figure counts only its own
data), summed for the initiative.

Every function takes an initiative the caller reached through ``initiative_visible``:
the association is an active member of the initiative's consortium, else a 404.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django_scopes import scope

from commonground.core import metrics
from commonground.core.errors import NotFound, ValidationFailed
from commonground.tenancy.models import Association

from ..models import (
    InitiativeContribution,
    InitiativeObjective,
    InitiativeParticipant,
    InitiativeRevenue,
    InitiativeSnapshot,
    JointInitiative,
)
from . import across, is_active_member, member_consortium_ids


def initiative_visible(*, association: Association, initiative_id: int) -> JointInitiative:
    """The initiative if the association is an active member of its consortium (a
    participant or not: every member sees the results), else ``NotFound``."""
    with across():
        initiative = (JointInitiative.objects.select_related("association", "consortium")
                      .filter(pk=initiative_id).first())
    if initiative is None or not is_active_member(association=association,
                                                  consortium_id=initiative.consortium_id):
        raise NotFound("No such initiative")
    return initiative


def initiatives_of(association: Association, *, consortium_id: int | None = None
                   ) -> list[JointInitiative]:
    """Initiatives of the consortia the association is an active member of."""
    ids = member_consortium_ids(association)
    if consortium_id is not None:
        ids = [i for i in ids if i == consortium_id]
    with across():
        return list(JointInitiative.objects.filter(consortium_id__in=ids)
                    .select_related("association", "consortium"))


def participants_of(initiative: JointInitiative) -> list[InitiativeParticipant]:
    """The initiative's participants (the lead first), with their associations."""
    with across():
        rows = list(InitiativeParticipant.objects.filter(initiative=initiative)
                    .select_related("association").order_by("id"))
    rows.sort(key=lambda p: (p.association_id != initiative.association_id, p.id))
    return rows


def objectives_of(initiative: JointInitiative) -> list[InitiativeObjective]:
    with across():
        return list(InitiativeObjective.objects.filter(initiative=initiative))


def objective_of(initiative: JointInitiative, objective_id: int) -> InitiativeObjective:
    with across():
        found = InitiativeObjective.objects.filter(initiative=initiative,
                                                   pk=objective_id).first()
    if found is None:
        raise NotFound("No such objective")
    return found


def snapshots_of(initiative: JointInitiative) -> list[InitiativeSnapshot]:
    with across():
        return list(InitiativeSnapshot.objects.filter(objective__initiative=initiative)
                    .order_by("objective_id", "on", "participant_id"))


def contributions_of(initiative: JointInitiative) -> list[InitiativeContribution]:
    with across():
        return list(InitiativeContribution.objects.filter(initiative=initiative)
                    .select_related("association", "recorded_by"))


def contribution_totals(initiative: JointInitiative, *, until: date | None = None
                        ) -> dict[int, Decimal]:
    """Each participant's contributions' value (those made on or before ``until``)."""
    with across():
        qs = InitiativeContribution.objects.filter(initiative=initiative)
        if until is not None:
            qs = qs.filter(contributed_on__lte=until)
        rows = qs.values("association_id").annotate(total=Sum("value"))
        return {r["association_id"]: Decimal(r["total"] or 0).quantize(Decimal("0.01"))
                for r in rows}


def revenues_of(initiative: JointInitiative) -> list[InitiativeRevenue]:
    with across():
        return list(InitiativeRevenue.objects.filter(initiative=initiative)
                    .prefetch_related("shares"))


def shares_by_participant(initiative: JointInitiative) -> dict[int, Decimal]:
    """What each participant has received from the initiative's revenues in all."""
    out: dict[int, Decimal] = defaultdict(Decimal)
    for revenue in revenues_of(initiative):
        for share in revenue.shares.all():
            out[share.participant_id] += share.amount
    return dict(out)


# ---- objectives: a catalogue metric computed in every participant's own data


def metric_check(*, associations: list[Association], metric_key: str, filters: dict,
                 starts_on: date, deadline: date) -> metrics.Metric:
    """The metric and filters must resolve in EVERY participant's data (a plan filter names
    a plan each of them has); a mistake names the association it is about."""
    if filters is not None and not isinstance(filters, dict):
        raise ValidationFailed("Please correct the highlighted fields", fields={
            "filters": ["an object of filter name → value, e.g. {\"plan\": \"gold\"}"]})
    clean = {str(k): ("" if v is None else str(v)) for k, v in (filters or {}).items()}
    metric = None
    for association in associations:
        with scope(association=association):
            try:
                metric, _ = metrics.validate(association=association, metric_key=metric_key,
                                             filters=clean, start=starts_on, end=deadline)
            except ValidationFailed as exc:
                rename = {"end": "deadline", "metric": "metric_key"}
                fields = {rename.get(k, k):
                          [f"{m} (in {association.name})" for m in v]
                          for k, v in (exc.fields or {}).items()}
                raise ValidationFailed(f"{exc.message} (in {association.name})",
                                       fields=fields) from exc
    assert metric is not None
    return metric


def metric_values(objective: InitiativeObjective, participants: list[Association],
                  on: date) -> dict[int, Decimal]:
    """The objective's value on ``on`` in each participant's own data (inside its scope):
    for a flow the total from the start to that day (clipped to the deadline), for a stock
    the level on that day. A participant where it no longer resolves counts 0."""
    day = min(on, objective.deadline)
    out: dict[int, Decimal] = {}
    for association in participants:
        with scope(association=association):
            try:
                metric, query = metrics.validate(
                    association=association, metric_key=objective.metric_key,
                    filters={str(k): str(v) for k, v in (objective.filters or {}).items()},
                    start=objective.starts_on, end=objective.deadline)
            except ValidationFailed:
                out[association.pk] = Decimal(0)
                continue
            if metric.kind == "flow" and day < objective.starts_on:
                out[association.pk] = Decimal(0)
                continue
            start = min(objective.starts_on, day) if metric.kind == "stock" else objective.starts_on
            value = metric.compute(association, metrics.MetricQuery(
                start=start, end=day, filters=query.filters))
            out[association.pk] = Decimal(value or 0).quantize(Decimal("0.01"))
    return out


def initiative_queryset(association: Association, *, consortium_id: int):
    """The initiatives of a consortium the association is an active member of (for
    paginating); ``NotFound`` if it is not."""
    if not is_active_member(association=association, consortium_id=consortium_id):
        raise NotFound("No such consortium")
    with across():
        return JointInitiative.objects.filter(consortium_id=consortium_id).select_related(
            "association", "consortium")


def contribution_queryset(initiative: JointInitiative):
    with across():
        return InitiativeContribution.objects.filter(initiative=initiative).select_related(
            "association")
