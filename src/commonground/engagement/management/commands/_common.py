"""What the engagement commands share: finding associations and the acting user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from commonground.tenancy.cli import association_named
from commonground.tenancy.models import Association, StaffMember


def associations(slug: str | None) -> list[Association]:
    if slug:
        return [association_named(slug)]
    return list(Association.objects.order_by("slug"))


def staff_user(association: Association, email: str | None):
    """``--by EMAIL``: the staff user to record as having acted (None: the system)."""
    if not email:
        return None
    with scopes_disabled():
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None or not StaffMember.objects.filter(association=association,
                                                          user=user).exists():
            raise CommandError(f"--by: {email!r} is not staff of {association.slug}")
    return user
