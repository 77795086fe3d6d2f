"""What every command needs from tenancy: the association it names, or one clear line."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Association


def association_named(slug: str) -> Association:
    """The association ``--association SLUG`` names, or a ``CommandError`` that lists the
    known ones and says how to create it (the one message every command gives)."""
    association = Association.objects.filter(slug=slug).first()
    if association is None:
        known = ", ".join(Association.objects.order_by("slug")
                          .values_list("slug", flat=True)[:20]) or "none yet"
        raise CommandError(f"No association {slug!r} (known: {known}). "
                           f"Create it with: commonground association create {slug} --name NAME")
    return association
