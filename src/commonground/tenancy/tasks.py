"""Background work for tenancy: daily housekeeping."""

from __future__ import annotations

from django_tasks import task

from commonground.core.schedule import periodic

from . import services


@periodic("day")
@task()
def prune_idempotency_records() -> int:
    return services.idempotency_records_prune()
