"""What the recognition commands share: finding the association, a person, a tier."""

from __future__ import annotations

from django.core.management.base import CommandError

from commonground.core.errors import DomainError
from commonground.core.ids import parse_id
from commonground.people.models import Person
from commonground.tenancy.cli import association_named
from commonground.tenancy.models import Association

from .models import Tier


def association_for(slug: str | None) -> list[Association]:
    """One association by slug, or every association when ``slug`` is None."""
    if slug is None:
        return list(Association.objects.order_by("slug"))
    return [association_named(slug)]


def person_for(text: str) -> Person:
    """A person by id or email (inside the association's scope)."""
    qs = Person.objects.filter(erased_at__isnull=True)
    pk = parse_id(text) if text.strip().isdigit() else None
    person = qs.filter(pk=pk).first() if pk else qs.filter(email_key=text.strip().lower()).first()
    if person is None:
        raise CommandError(f"No person {text!r} (give an id or an email address)")
    return person


def tier_for(text: str) -> Tier:
    tier = Tier.objects.filter(slug=text.strip()).first()
    if tier is None:
        known = ", ".join(Tier.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No tier {text!r} (known: {known})")
    return tier


def refused(exc: DomainError) -> CommandError:
    details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
    return CommandError(exc.message + (f" ({details})" if details else ""))
