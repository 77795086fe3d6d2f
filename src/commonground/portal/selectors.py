"""Reads for the member portal."""

from __future__ import annotations

from django_scopes import scopes_disabled

from commonground.people.models import Person
from commonground.tenancy.models import Association


def portal_associations(*, user) -> list[Association]:
    """Associations where this login is linked to a (not erased) person record."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        ids = Person.objects.filter(user=user, erased_at__isnull=True).values_list(
            "association_id", flat=True)
        return list(Association.objects.filter(id__in=ids))


def portal_person(*, user, association: Association) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user, erased_at__isnull=True).first()
