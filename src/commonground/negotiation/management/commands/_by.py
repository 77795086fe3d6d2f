"""``--by EMAIL``: the staff member a decisions or forms command acts as."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from commonground.tenancy.models import Association, StaffMember


def staff_user(association: Association, email: str | None):
    """The staff user named by ``--by`` (None without it: the services then refuse writes
    that need a person, such as a signature)."""
    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None or not StaffMember.objects.filter(association=association,
                                                      user=user).exists():
        raise CommandError(f"--by: {email!r} is not staff of {association.slug}")
    return user
