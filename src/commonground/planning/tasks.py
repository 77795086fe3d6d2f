"""Background work for planning's KPIs: the daily snapshots of every association's active
objectives, and the history of a new objective (enqueued on commit when it is created or
its KPI changes). Tasks take ids and call a service."""

from __future__ import annotations

import logging

from django.db import transaction
from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .balance import tasks as balance_tasks  # noqa: F401 — registers the balance's daily job
from .kpis import kpi_history_fill, kpi_snapshots_take
from .models import Objective

log = logging.getLogger(__name__)


@task()
def kpi_snapshots(association_id: int, objective_ids: list[int] | None = None) -> int:
    """Snapshot the association's active objectives for its today."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        return kpi_snapshots_take(association=association,
                                  today=association_today(association),
                                  objective_ids=objective_ids)


@periodic("day")
@task()
def kpi_snapshots_all_associations() -> int:
    """Every association, one after the other (one failure does not stop the rest)."""
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        try:
            kpi_snapshots.call(association_id)
        except Exception:
            log.exception("KPI snapshots failed for association %s", association_id)
    return len(ids)


@task()
def kpi_history_fill_objective(association_id: int, objective_id: int) -> int:
    """Fill one objective's history from its start to today."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        objective = Objective.objects.filter(pk=objective_id).first()
        if objective is None:
            return 0  # deleted before the worker got to it
        return kpi_history_fill(association=association, objective=objective,
                                through=association_today(association))


def enqueue_history(association_id: int, objective_id: int) -> None:
    """Fill the objective's history once the transaction that saved it commits (what
    ``objective_save`` calls)."""
    transaction.on_commit(lambda: kpi_history_fill_objective.enqueue(association_id,
                                                                     objective_id))


kpi_history = kpi_history_fill_objective  # the name the EARLY contract gave it
