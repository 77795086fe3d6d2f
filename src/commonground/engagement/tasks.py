"""Background work for engagement. Tasks take ids and call a service."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.models import Association

from . import services


@task()
def infer_from_activity(association_id: int) -> dict[str, int]:
    """Inferred motivations and the contributions the stream shows, for one association."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        traits = services.traits_infer(association=association)
        found = services.contributions_infer(association=association)
        groups = services.group_contributions_infer(association=association)
    return {**traits, "contributions": found["created"], "group_contributions": groups["created"]}


@periodic("day")
@task()
def infer_all_associations() -> int:
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        infer_from_activity.call(association_id)
    return len(ids)
