"""The one governed way across associations.

Every other module of the product reads inside one association's scope. Reading another
association's rows is allowed only here, and only on the strength of a recorded
agreement: an active ``ConsortiumMember`` row (for the consortium's own records: who
takes part, its services, allocations, initiatives) or an in-force ``SharingAgreement``
(for members' personal data, through ``crossing.sharing``, which logs every read for
both parties). ``tests/test_architecture.py`` holds the rule that ``scopes_disabled``
appears in collaboration only under this package.

Each area adds its own module here (``services``, ``initiatives``, ``sharing``); they
all build on ``across`` and the membership checks below.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import QuerySet
from django_scopes import scopes_disabled

from commonground.core.errors import NotFound
from commonground.tenancy.models import Association

from ..models import Consortium, ConsortiumMember, MemberStatus


@contextmanager
def across() -> Iterator[None]:
    """Lift the tenancy scope for a read whose rows the caller has already bound to the
    consortia (or the agreement) the association is part of. Only this package uses it."""
    with scopes_disabled():
        yield


def member_consortium_ids(association: Association) -> list[int]:
    """The consortia the association actively takes part in (coordinator included)."""
    with across():
        return list(ConsortiumMember.objects.filter(
            association=association, status=MemberStatus.ACTIVE)
            .values_list("consortium_id", flat=True))


def consortia_of(association: Association) -> QuerySet[Consortium]:
    """Consortia the association takes part in, for listing (evaluate inside ``across``
    or call ``list()`` on it: the rows belong to their coordinators)."""
    with across():
        return Consortium.objects.filter(id__in=member_consortium_ids(association))


def consortium_visible(*, association: Association, consortium_id: int) -> Consortium:
    """The consortium if the association is an active member of it, else ``NotFound``
    (a 404: another consortium's existence is not confirmed)."""
    if consortium_id not in member_consortium_ids(association):
        raise NotFound("No such consortium")
    with across():
        return Consortium.objects.select_related("association").get(pk=consortium_id)


def invitation_visible(*, association: Association, consortium_id: int) -> ConsortiumMember:
    """The association's own pending invitation to a consortium (so it can read what it
    is invited to before accepting), else ``NotFound``."""
    member = ConsortiumMember.objects.filter(
        association=association, consortium_id=consortium_id,
        status=MemberStatus.INVITED).select_related("consortium").first()
    if member is None:
        raise NotFound("No such invitation")
    return member


def participants(consortium: Consortium) -> list[ConsortiumMember]:
    """The consortium's active members with their associations, coordinator first."""
    with across():
        return list(ConsortiumMember.objects.filter(consortium=consortium,
                                                    status=MemberStatus.ACTIVE)
                    .select_related("association"))


def is_active_member(*, association: Association, consortium_id: int) -> bool:
    return consortium_id in member_consortium_ids(association)
