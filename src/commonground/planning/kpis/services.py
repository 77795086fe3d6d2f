"""Writes of KPI history: the daily snapshots and the backfill of a new objective.

``kpi_snapshots_take`` computes every active objective's KPI for the day in as few
queries as the catalogue allows (``core.metrics.compute_all``: a family's KPIs in one
pass), upserts one ``KpiSnapshot`` per objective and day and copies the value to the
objective (``current_value``/``current_on``), so the plan page reads stored figures.
Running it twice on a day replaces the day's values: idempotent.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from commonground.core import metrics
from commonground.core.errors import ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import KpiSnapshot, Objective, ObjectiveStatus
from .definition import kpi_day, kpi_query

log = logging.getLogger(__name__)
# A history longer than this many days is filled at a coarser step (weekly, then every
# N days), so a multi-year lifetime objective costs the same as a one-year one.
HISTORY_MAX_POINTS = 400
# Connections the daily snapshot reads on at once (PostgreSQL, outside a transaction).
PARALLEL_READS = 3


def _upsert(association: Association, values: dict[tuple[int, date], Decimal]) -> None:
    now = timezone.now()
    KpiSnapshot.objects.bulk_create(
        [KpiSnapshot(association=association, objective_id=oid, day=day, value=value,
                     computed_at=now) for (oid, day), value in values.items()],
        update_conflicts=True, unique_fields=["association", "objective", "day"],
        update_fields=["value", "computed_at"], batch_size=1000)


def _copy_latest(association: Association, objective_ids: list[int]) -> None:
    """Each objective's ``current_value`` from its latest snapshot (one read, one bulk
    update): the plan page's number."""
    latest: dict[int, tuple[date, Decimal]] = {}
    for oid, day, value in (KpiSnapshot.objects.filter(objective_id__in=objective_ids)
                            .order_by("objective_id", "day").values_list("objective_id", "day",
                                                                         "value")):
        latest[oid] = (day, value)
    objectives = list(Objective.objects.filter(pk__in=list(latest)))
    for o in objectives:
        o.current_on, o.current_value = latest[o.pk]
    Objective.objects.bulk_update(objectives, ["current_on", "current_value"], batch_size=500)


def kpi_snapshots_take(*, association: Association, today: date,
                       objective_ids: list[int] | None = None, actor=None) -> int:
    """Snapshot every active objective that has started (or those of ``objective_ids``)
    for ``today`` (the deadline, once it has passed). An objective whose definition no
    longer resolves (its plan was deleted) is skipped and logged. Returns how many
    snapshots were written.

    The values are computed before the write transaction opens: outside one, on
    PostgreSQL, the reads run on ``PARALLEL_READS`` connections at once (the activity
    pass alongside the membership counts); inside one (a caller's transaction, tests)
    they run one after the other on this connection, which sees its own rows."""
    rows = Objective.objects.filter(status=ObjectiveStatus.ACTIVE, starts_on__lte=today)
    if objective_ids is not None:
        rows = rows.filter(pk__in=list(objective_ids))
    items, keys = [], []
    for objective in rows.order_by("id"):
        try:
            items.append(kpi_query(association, objective, today))
        except ValidationFailed as exc:
            log.warning("objective %s: KPI definition no longer valid: %s", objective.pk,
                        exc.fields)
            continue
        keys.append((objective.pk, kpi_day(objective, today)))
    if not items:
        return 0
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    computed = metrics.compute_all(association, items,
                                   workers=PARALLEL_READS if parallel else 1)
    values = dict(zip(keys, computed, strict=True))
    with transaction.atomic():
        _upsert(association, values)
        _copy_latest(association, [oid for oid, _ in keys])
        audit.record(association=association, action="kpi.snapshots_taken", actor=actor,
                     data={"day": today.isoformat(), "objectives": len(keys)})
    return len(keys)


def history_days(start: date, end: date, max_points: int = HISTORY_MAX_POINTS) -> list[date]:
    """The days to fill from ``start`` to ``end``: every day, or an even step so there
    are at most ``max_points`` (the last day always included)."""
    if end < start:
        return []
    span = (end - start).days + 1
    step = max(1, -(-span // max_points))
    days = [start + timedelta(days=i) for i in range(0, span, step)]
    if days[-1] != end:
        days.append(end)
    return days


@transaction.atomic
def kpi_history_fill(*, association: Association, objective: Objective, through: date,
                     actor=None) -> int:
    """Backfill ``objective``'s snapshots from its start to ``through`` (at most the
    deadline) with the metric's ``series`` (one grouped query), or day by day for a
    metric without one. Days the metric cannot know (a current-only figure's past) are
    left out. Returns how many snapshots were written."""
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    end = kpi_day(objective, through)
    days = history_days(objective.starts_on, end)
    if not days:
        return 0
    metric, query = kpi_query(association, objective, end)
    if metric.series is not None:
        values = metric.series(association, query, days)
    else:
        values = {d: metric.compute(association, kpi_query(association, objective, d)[1])
                  for d in days}
    written = {(objective.pk, d): v for d, v in values.items() if d in set(days)}
    if not written:
        return 0
    _upsert(association, written)
    _copy_latest(association, [objective.pk])
    audit.record(association=association, action="kpi.history_filled", obj=objective,
                 actor=actor, data={"from": days[0].isoformat(), "through": end.isoformat(),
                                    "snapshots": len(written)})
    return len(written)
