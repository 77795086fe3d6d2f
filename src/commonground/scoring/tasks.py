"""Background work for scores. Tasks take ids and call a service."""

from __future__ import annotations

from django.db import transaction
from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import services
from .models import ScoreSnapshot


@task()
def recompute_people(association_id: int, person_ids: list[int]) -> int:
    """The incremental update: these people's activity, contributions or outcomes changed."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        if len(person_ids) > services.INCREMENTAL_MAX:
            return services.score_recompute_start(association=association).rows_done
        return services.scores_recompute(association=association, person_ids=person_ids)


def enqueue_people(association_id: int, person_ids: list[int]) -> None:
    """Recompute these people once the transaction that changed them commits."""
    ids = sorted({int(p) for p in person_ids if p})
    if ids:
        transaction.on_commit(lambda: recompute_people.enqueue(association_id, ids))


@task()
def recompute_daily(association_id: int) -> int:
    """The nightly full recompute (decay moves every score a little each day, and slow
    demotion needs the days to pass); on the first run of a month it also stores the
    month's snapshot."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        month = association_today(association).replace(day=1)
        snapshot = None if ScoreSnapshot.objects.filter(month=month).exists() else month
        return services.score_recompute_start(association=association,
                                              snapshot_month=snapshot).rows_done


@periodic("day")
@task()
def recompute_all_associations() -> int:
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        recompute_daily.call(association_id)
    return len(ids)
