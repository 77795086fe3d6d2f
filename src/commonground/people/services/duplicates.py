"""Dismissing a likely duplicate pair ("not the same person") and undoing it. Finding the
pairs is a read: ``people.duplicates``."""

from __future__ import annotations

from django.db import transaction

from commonground.core.errors import ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import DuplicateDismissal, Person


@transaction.atomic
def duplicate_dismiss(*, association: Association, person_a: Person, person_b: Person,
                      actor=None) -> DuplicateDismissal:
    """Remember that two people are not the same (idempotent)."""
    if person_a.pk == person_b.pk:
        raise ValidationFailed("A person is always their own duplicate",
                               fields={"person_b": ["the same person"]})
    a, b = sorted((person_a.pk, person_b.pk))
    row, created = DuplicateDismissal.objects.get_or_create(
        association=association, person_a_id=a, person_b_id=b,
        defaults={"dismissed_by": actor if getattr(actor, "is_authenticated", False) else None})
    if created:
        audit.record(association=association, action="person.duplicate_dismissed", obj=row,
                     actor=actor, data={"person_a": a, "person_b": b})
    return row


@transaction.atomic
def duplicate_restore(*, association: Association, dismissal: DuplicateDismissal,
                      actor=None) -> None:
    """Undo a dismissal: the finder may propose the pair again."""
    data = {"person_a": dismissal.person_a_id, "person_b": dismissal.person_b_id}
    audit.record(association=association, action="person.duplicate_restored", obj=dismissal,
                 actor=actor, data=data)
    dismissal.delete()
