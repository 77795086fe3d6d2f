"""What every command needs from tenancy: the association it names, and one way to say a
write was refused."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from commonground.core.errors import DomainError

from .models import Association, StaffMember


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


def refused(exc: DomainError, *, options: Mapping[str, str] | None = None) -> CommandError:
    """A refused write as one ``CommandError``: the service's message, then each field's
    messages on a line of their own. With ``options`` (field → the option that sets it)
    a field is named by its option, ``--field-name`` when unlisted; without, by itself."""
    def name(field: str) -> str:
        if options is None:
            return field
        return options.get(field, "--" + field.replace("_", "-"))

    lines = [f"  {name(field)}: {'; '.join(messages)}" for field, messages in exc.fields.items()]
    return CommandError("\n".join([exc.message, *lines]))


def staff_named(association: Association, email: str | None, *, flag: str = "--by"):
    """The staff user ``--by EMAIL`` names: who a planning, decisions or forms command acts
    as (their roles decide what they may do). None without it: the services then refuse
    writes that need a person, such as a signature."""
    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None or not StaffMember.objects.filter(association=association,
                                                      user=user).exists():
        raise CommandError(f"{flag}: {email!r} is not staff of {association.slug}")
    return user
