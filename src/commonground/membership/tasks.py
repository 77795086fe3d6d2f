"""Background work for membership. Tasks take ids and call a service."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.models import Association

from . import services


@task()
def advance_memberships(association_id: int) -> dict[str, int]:
    """The daily run: move memberships to the state their dates call for."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        return services.memberships_advance(association=association)


@periodic("hour")
@task()
def advance_all_associations() -> int:
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        advance_memberships.call(association_id)
    return len(ids)
