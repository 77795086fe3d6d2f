"""Background work for recognition: the daily run of every tier's rule."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.models import Association

from . import services


@task()
def evaluate_tiers(association_id: int) -> dict:
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        return services.tiers_evaluate(association=association).as_dict()


@periodic("day")
@task()
def evaluate_all_associations() -> int:
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        evaluate_tiers.call(association_id)
    return len(ids)
