"""Engagement's part when people are merged or erased."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from commonground.people.models import Person
from commonground.tenancy.models import Association

from .. import signals
from ..models import (
    Contribution,
    ContributionKind,
    GroupMember,
    GroupRole,
    MemberTrait,
    Notice,
    Outcome,
    OutcomeKind,
)


def value_changed_send(*, association: Association, person_ids: list[int]) -> None:
    signals.value_changed.send(sender=Contribution, association=association,
                               person_ids=sorted(set(person_ids)))


@transaction.atomic
def person_merge_prepare(*, association: Association, keep: Person, remove: Person) -> None:
    """Rows that exist once per person: where both hold the same trait from the same source,
    the kept person's stays (the stronger strength wins); where both are in a group, one
    membership stays (an organiser stays organiser). The rest is moved by the merge."""
    mine = {(mt.trait_id, mt.source): mt for mt in MemberTrait.objects.filter(person=keep)}
    for theirs in MemberTrait.objects.filter(person=remove):
        same = mine.get((theirs.trait_id, theirs.source))
        if same is not None:
            if theirs.strength > same.strength:
                same.strength = theirs.strength
                same.save(update_fields=["strength", "updated_at"])
            theirs.delete()
    groups = {gm.group_id: gm for gm in GroupMember.objects.filter(person=keep)}
    for theirs in GroupMember.objects.filter(person=remove):
        same = groups.get(theirs.group_id)
        if same is not None:
            if theirs.role == GroupRole.ORGANISER and same.role != GroupRole.ORGANISER:
                same.role = GroupRole.ORGANISER
                same.save(update_fields=["role"])
            theirs.delete()


@transaction.atomic
def person_engagement_erase(*, association: Association, person: Person) -> None:
    """Erasure: free text a person wrote or that describes them goes; what stays is the
    countable fact (kind, date, status), so totals and badges' history remain right.
    Notices (messages to them) are deleted."""
    MemberTrait.objects.filter(person=person).update(note="")
    for kind, label in OutcomeKind.choices:
        Outcome.objects.filter(person=person, kind=kind).update(title=label, description="")
    for kind, label in ContributionKind.choices:
        Contribution.objects.filter(person=person, kind=kind).update(
            title=label, description="", rejection_reason="", goal="")
    Outcome.objects.filter(Q(via_person=person)).update(via_person=None)
    Notice.objects.filter(person=person).delete()
