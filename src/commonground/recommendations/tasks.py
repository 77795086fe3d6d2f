"""Background work for next-best offering. Tasks take ids and call a service."""

from __future__ import annotations

from django.db import transaction
from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.models import Association

from . import services


@task()
def compute(association_id: int, evaluate: bool = False) -> int:
    """Everyone's suggestions again (what people took changes every day)."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        return services.recommendations_compute(association=association, evaluate=evaluate).people


def enqueue(association_id: int, *, evaluate: bool = False) -> None:
    """Compute once the transaction asking for it commits."""
    transaction.on_commit(lambda: compute.enqueue(association_id, evaluate))


@periodic("day")
@task()
def compute_all_associations() -> int:
    """The nightly run; evaluated on the way, so the page's figures stay current."""
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        compute.call(association_id, True)
    return len(ids)
