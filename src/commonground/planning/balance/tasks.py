"""The balance view's daily job: each association's monthly snapshots and offering
figures, so the page reads stored figures. Registered with the scheduler when
``planning.tasks`` imports this module (the scheduler finds each app's ``tasks.py``)."""

from __future__ import annotations

import logging

from django.db import transaction
from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import services

log = logging.getLogger(__name__)


@task()
def balance_snapshot_association(association_id: int) -> int:
    """One association's snapshots for today; returns the metric snapshots written."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        return services.balance_snapshots_take(association=association,
                                               today=association_today(association))


@periodic("day")
@task()
def balance_snapshot_all_associations() -> int:
    """Every association, one after the other (one failure does not stop the rest)."""
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        try:
            balance_snapshot_association.call(association_id)
        except Exception:
            log.exception("balance snapshots failed for association %s", association_id)
    return len(ids)


def enqueue_on_commit(association_id: int) -> None:
    transaction.on_commit(lambda: balance_snapshot_association.enqueue(association_id))
