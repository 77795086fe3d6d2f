"""Writes of the balance view: which catalogue metrics sit on the mission side and on the
business side, what offerings cost, and the monthly snapshots the daily job takes.

The two sides are kept apart on purpose (seed 000: successful hybrids keep the tension
alive): a metric sits on one side only, and nothing here adds the sides into one figure.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max

from commonground.core import metrics
from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.membership.models import Offering
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from ..models import BalanceMetric, BalanceSide, BalanceSnapshot, OfferingCost, OfferingFigure
from . import figures, periods

SIDES = tuple(BalanceSide.values)
# How many of the catalogue's metrics of a side become that side's defaults.
DEFAULTS_PER_SIDE = 6
# The daily job recomputes the current and the previous month (late data); older months
# are computed once, when missing.
RECOMPUTE_MONTHS = 2


def _roles(association: Association, actor) -> list | None:
    """The actor's staff roles, or None for the command line and the job (no actor)."""
    if actor is None:
        return None
    return permissions.staff_roles_of(association=association, user=actor)


def _check_side(association: Association, actor, side: str) -> None:
    roles = _roles(association, actor)
    if roles is not None and not permissions.may_edit_balance(roles, side):
        raise PermissionDenied(f"Only administrators and {side}-side staff choose the "
                               f"{side} side's metrics")


def _side(side: str) -> str:
    side = (side or "").strip().lower()
    if side not in SIDES:
        raise ValidationFailed("Please choose a side", fields={"side": [
            f"one of: {', '.join(SIDES)}"]})
    return side


def default_metrics() -> list[tuple[str, str]]:
    """(side, metric key) for an association that chose nothing: each catalogue metric
    whose own ``side`` is mission or business, a handful per side in catalogue order."""
    out: list[tuple[str, str]] = []
    for side in SIDES:
        keys = [m.key for m in metrics.catalogue() if m.side == side]
        out.extend((side, key) for key in keys[:DEFAULTS_PER_SIDE])
    return out


@transaction.atomic
def balance_defaults_apply(*, association: Association, actor=None) -> list[BalanceMetric]:
    """Store the default metrics when the association has none configured (else nothing)."""
    if BalanceMetric.objects.filter(association=association).exists():
        return []
    made = []
    for position, (side, key) in enumerate(default_metrics()):
        made.append(BalanceMetric.objects.create(association=association, side=side,
                                                 metric=key, position=position))
    if made:
        audit.record(association=association, action="balance.defaults_applied", actor=actor,
                     object_type="balance", object_id=association.pk,
                     data={"metrics": [(m.side, m.metric) for m in made]})
    return made


@transaction.atomic
def balance_metric_add(*, association: Association, side: str, metric: str,
                       filters: dict[str, Any] | None = None, label: str = "",
                       today: date | None = None, actor=None) -> BalanceMetric:
    """Put a catalogue metric (with its filters) on one side. The definition is checked
    by the catalogue; the same metric and filters may sit on one side only."""
    side = _side(side)
    _check_side(association, actor, side)
    today = today or association_today(association)
    found, _query = metrics.validate(association=association, metric_key=metric,
                                     filters=filters, start=today - timedelta(days=30),
                                     end=today)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    label = (label or "").strip()
    if len(label) > 120:
        raise ValidationFailed("Please correct the label", fields={"label": [
            "at most 120 characters"]})
    balance_defaults_apply(association=association, actor=actor)
    twin = next((m for m in BalanceMetric.objects.filter(association=association,
                                                         metric=found.key)
                 if (m.filters or {}) == filters), None)
    if twin is not None:
        where = "this side" if twin.side == side else f"the {twin.side} side"
        raise ValidationFailed(f"{found.label} is already on {where}", fields={"metric": [
            f"already on {where}; move it instead of adding it twice"]})
    last = BalanceMetric.objects.filter(association=association, side=side) \
        .aggregate(m=Max("position"))["m"]
    row = BalanceMetric.objects.create(association=association, side=side, metric=found.key,
                                       filters=filters, label=label,
                                       position=0 if last is None else last + 1)
    audit.record(association=association, action="balance.metric_added", obj=row, actor=actor,
                 data={"side": side, "metric": found.key, "filters": filters})
    return row


@transaction.atomic
def balance_metric_remove(*, association: Association, balance_metric: BalanceMetric,
                          actor=None) -> None:
    _check_side(association, actor, balance_metric.side)
    data = {"side": balance_metric.side, "metric": balance_metric.metric}
    pk = balance_metric.pk
    balance_metric.delete()  # its snapshots go with it
    audit.record(association=association, action="balance.metric_removed", actor=actor,
                 object_type="planning.balancemetric", object_id=pk, data=data)


@transaction.atomic
def balance_metric_move(*, association: Association, balance_metric: BalanceMetric,
                        side: str | None = None, direction: str | None = None,
                        actor=None) -> BalanceMetric:
    """Move a metric to the other side (``side``), or up/down within its side
    (``direction``). Moving sides takes permission for both."""
    row = BalanceMetric.objects.select_for_update().get(pk=balance_metric.pk)
    _check_side(association, actor, row.side)
    if side is not None and _side(side) != row.side:
        side = _side(side)
        _check_side(association, actor, side)
        last = BalanceMetric.objects.filter(association=association, side=side) \
            .aggregate(m=Max("position"))["m"]
        before = row.side
        row.side, row.position = side, 0 if last is None else last + 1
        row.save(update_fields=["side", "position"])
        audit.record(association=association, action="balance.metric_moved", obj=row,
                     actor=actor, data={"from": before, "to": side, "metric": row.metric})
        return row
    if direction not in ("up", "down"):
        raise ValidationFailed("Say where to move it", fields={"direction": [
            "up or down, or give the other side"]})
    siblings = list(BalanceMetric.objects.filter(association=association, side=row.side)
                    .order_by("position", "pk"))
    i = next(i for i, m in enumerate(siblings) if m.pk == row.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
        for position, m in enumerate(siblings):
            if m.position != position:
                m.position = position
                m.save(update_fields=["position"])
        audit.record(association=association, action="balance.metric_reordered", obj=row,
                     actor=actor, data={"direction": direction, "metric": row.metric})
    row.refresh_from_db()
    return row


def _amount(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


@transaction.atomic
def offering_cost_record(*, association: Association, offering: Offering | int | str,
                         period_start: date | None, period_end: date | None, amount: Any,
                         note: str = "", actor=None) -> OfferingCost:
    """What delivering an offering cost over a period (margin = revenue − cost). Two costs
    of one offering may not overlap: the margin would count the overlap twice."""
    roles = _roles(association, actor)
    if roles is not None and not permissions.may_record_cost(roles):
        raise PermissionDenied("Only administrators and business-side staff record costs")
    errors: dict[str, list[str]] = {}
    if not isinstance(offering, Offering):
        ref = str(offering or "").strip()
        found = (Offering.objects.filter(pk=int(ref)).first() if ref.isdigit() and
                 len(ref) < 12 else None) or Offering.objects.filter(slug=ref).first()
        if found is None:
            errors["offering"] = [f"no offering {ref!r}"]
        offering = found
    value = _amount(amount)
    if value is None:
        errors["amount"] = ["a number, e.g. 1200.00"]
    elif value < 0:
        errors["amount"] = ["a cost is not negative"]
    elif value >= Decimal("1e12"):
        errors["amount"] = ["too large"]
    if period_start is None:
        errors["period_start"] = ["required"]
    if period_end is None:
        errors["period_end"] = ["required"]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = ["the period ends before it starts"]
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = ["at most 200 characters"]
    if not errors and offering is not None:
        clash = OfferingCost.objects.filter(offering=offering, period_start__lte=period_end,
                                            period_end__gte=period_start).first()
        if clash is not None:
            errors["period_start"] = [
                f"a cost of {offering.name} already covers {clash.period_start:%-d %b %Y}–"
                f"{clash.period_end:%-d %b %Y}; remove it first or choose other dates"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    cost = OfferingCost.objects.create(
        association=association, offering=offering, period_start=period_start,
        period_end=period_end, amount=value.quantize(Decimal("0.01")), note=note,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(association=association, action="balance.cost_recorded", obj=cost, actor=actor,
                 data={"offering": offering.slug, "amount": str(cost.amount),
                       "period": [period_start.isoformat(), period_end.isoformat()]})
    return cost


@transaction.atomic
def offering_cost_delete(*, association: Association, cost: OfferingCost, actor=None) -> None:
    roles = _roles(association, actor)
    if roles is not None and not permissions.may_record_cost(roles):
        raise PermissionDenied("Only administrators and business-side staff remove costs")
    data = {"offering_id": cost.offering_id, "amount": str(cost.amount)}
    pk = cost.pk
    cost.delete()
    audit.record(association=association, action="balance.cost_removed", actor=actor,
                 object_type="planning.offeringcost", object_id=pk, data=data)


@transaction.atomic
def balance_snapshots_take(*, association: Association, today: date, months: int = 12,
                           recompute_all: bool = False) -> int:
    """Each configured metric's value for each of the last ``months`` months (flows summed
    over the month, stocks read at its end — today for the current month), and the
    offerings' figures for those months and the whole window. Months already stored are
    kept except the last ``RECOMPUTE_MONTHS`` (``recompute_all`` redoes them all).
    Idempotent: a rerun replaces the same rows. Returns the metric snapshots written."""
    balance_defaults_apply(association=association)
    months_ = periods.months(today, months)
    rows = list(BalanceMetric.objects.filter(association=association))
    have = set(BalanceSnapshot.objects.filter(
        association=association, period_start__gte=months_[0].start)
        .values_list("balance_metric_id", "period_start", "period_end"))
    fresh = {p.start for p in months_[-RECOMPUTE_MONTHS:]}
    written = 0
    for row in rows:
        try:
            metric, _q = metrics.validate(association=association, metric_key=row.metric,
                                          filters=row.filters, start=months_[0].start, end=today)
        except ValidationFailed:
            continue  # a metric gone from the catalogue, or a filter naming a deleted plan
        for period in months_:
            if (not recompute_all and period.start not in fresh
                    and (row.pk, period.start, period.end) in have):
                continue
            _m, query = metrics.validate(association=association, metric_key=row.metric,
                                         filters=row.filters, start=period.start, end=period.end)
            value = Decimal(metric.compute(association, query) or 0)
            BalanceSnapshot.objects.update_or_create(
                association=association, balance_metric=row, period_start=period.start,
                defaults={"period_end": period.end, "value": value.quantize(Decimal("0.01"))})
            written += 1
    figures_write(association=association, periods_=months_)
    return written


def figures_write(*, association: Association, periods_: list[periods.Period]) -> int:
    """Replace the offerings' stored figures of these periods (one delete, one insert)."""
    made = figures.offering_figures(association, periods_)
    whole = periods.window(periods_)
    OfferingFigure.objects.filter(association=association, period_start__gte=whole.start).delete()
    OfferingFigure.objects.filter(association=association, is_window=True).delete()
    OfferingFigure.objects.bulk_create(made, batch_size=1000)
    return len(made)
