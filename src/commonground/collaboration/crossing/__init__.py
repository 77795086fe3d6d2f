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
from commonground.tenancy.models import Association, AuditEntry

from ..models import CharacteristicAssessment, Consortium, ConsortiumMember, MemberStatus


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


# ---- consortia (helper consortia): what every participant reads of the consortium


def member_row(*, consortium: Consortium, association: Association) -> ConsortiumMember | None:
    """The association's place in the consortium (any status), owned by the association
    itself: what an invitation checks before writing."""
    with across():
        return ConsortiumMember.objects.filter(consortium=consortium,
                                               association=association).first()


def all_members(consortium: Consortium) -> list[ConsortiumMember]:
    """Every member row of the consortium (invited, active, declined, left), coordinator
    first: the coordinator's view of whom it asked. Call only for a visible consortium."""
    with across():
        return list(ConsortiumMember.objects.filter(consortium=consortium)
                    .select_related("association", "invited_by", "accepted_by"))


def invitations_of(association: Association) -> list[ConsortiumMember]:
    """The association's pending invitations, with the consortium and its coordinator."""
    with across():
        return list(ConsortiumMember.objects.filter(association=association,
                                                    status=MemberStatus.INVITED)
                    .select_related("consortium", "consortium__association")
                    .order_by("-invited_at", "-id"))


def assessments(consortium: Consortium) -> list[CharacteristicAssessment]:
    """Every participant's characteristic assessments, newest first (those of associations
    that are active members now; a member that left takes its view with it)."""
    active = [m.association_id for m in participants(consortium)]
    with across():
        return list(CharacteristicAssessment.objects.filter(
            consortium=consortium, association_id__in=active)
            .select_related("association", "assessed_by")
            .order_by("-assessed_on", "-id"))


def governance_history(consortium: Consortium) -> list[AuditEntry]:
    """The coordinator's audit entries about the consortium (created, governance changed,
    invitations, answers, leaving), newest first: its governance history."""
    with across():
        return list(AuditEntry.objects.filter(
            association_id=consortium.association_id, object_type="consortium",
            object_id=consortium.pk).select_related("actor").order_by("-created_at", "-id"))


def listed_consortia(association: Association) -> QuerySet[Consortium]:
    """The consortia the association is an active member of or invited to (a queryset
    already bound to those ids, for paginating)."""
    ids = list(ConsortiumMember.objects.filter(
        association=association, status__in=(MemberStatus.ACTIVE, MemberStatus.INVITED))
        .values_list("consortium_id", flat=True))
    with across():
        return Consortium.objects.filter(id__in=ids).select_related("association")


def assessment_queryset(consortium: Consortium) -> QuerySet[CharacteristicAssessment]:
    """The active participants' assessments of a visible consortium (for paginating)."""
    active = [m.association_id for m in participants(consortium)]
    with across():
        return CharacteristicAssessment.objects.filter(
            consortium=consortium, association_id__in=active).select_related(
            "association", "assessed_by")
