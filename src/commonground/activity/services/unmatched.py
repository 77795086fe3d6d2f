"""Writes from the unmatched queue: turn an unknown identity into a person's history.

Both paths tie the identity to the person (``activity.identity.services.identities_link``, so
future rows with it match at ingestion) and move the waiting activities onto the
person's timeline with one set-based UPDATE.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from commonground.core.errors import NotFound, ValidationFailed
from commonground.people import services as people_services
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..identity.services import Link, identities_link
from ..models import Activity, IdentityKind
from ..selectors_quality import split_key


def _waiting(key: str):
    return Activity.objects.filter(person__isnull=True, anonymous_key=key)


def _sources_of(key: str) -> list[int]:
    return sorted(set(_waiting(key).values_list("source_id", flat=True).distinct()))


def _link(association: Association, person: Person, key: str, *, source_id: int | None) -> None:
    """Tie ``key`` to ``person`` and backfill its unmatched activities."""
    kind, value = split_key(key)
    sources = [source_id] if kind == IdentityKind.EXTERNAL else [None]
    if kind == IdentityKind.EXTERNAL and source_id is None:
        sources = _sources_of(key)
    identities_link(association=association,
                    links=[Link(person.pk, kind, value, s) for s in sources])
    # Whatever the link did not move (an identity already tied elsewhere keeps its person)
    # is still this person's by the staff's explicit choice.
    rest = _waiting(key)
    if kind == IdentityKind.EXTERNAL and source_id is not None:
        rest = rest.filter(source_id=source_id)
    rest.update(person=person, anonymous_key="")


@transaction.atomic
def unmatched_create_prospect(*, association: Association, key: str, actor: Any = None,
                              first_name: str = "", last_name: str = "") -> tuple[Person, int]:
    """Create a person (a prospect) from an unmatched email and attach its activities."""
    kind, value = split_key(key)
    if kind != IdentityKind.EMAIL or not value:
        raise ValidationFailed("Only an email address can become a prospect",
                               fields={"key": ["not an email identity"]})
    waiting = _waiting(key).count()
    if not waiting:
        raise NotFound("Nothing is waiting for this identity")
    # person_create may already backfill (a hook on new emails); counting before and
    # after reports what moved either way.
    person = people_services.person_create(association=association, actor=actor, email=value,
                                           first_name=first_name, last_name=last_name)
    _link(association, person, key, source_id=None)
    moved = waiting - _waiting(key).count()
    audit.record(association=association, action="activity.prospect_created", obj=person,
                 actor=actor, data={"identity": kind, "activities": moved})
    return person, moved


@transaction.atomic
def unmatched_attach(*, association: Association, key: str, person: Person, actor: Any = None,
                     source_id: int | None = None) -> int:
    """Tie an unmatched identity to an existing person and move its activities to them."""
    kind, value = split_key(key)
    if kind not in IdentityKind.values or not value:
        raise ValidationFailed("Unknown identity", fields={"key": ["not an identity"]})
    if person.erased_at:
        raise ValidationFailed("This person was erased", fields={"person": ["erased"]})
    pending = _waiting(key)
    if kind == IdentityKind.EXTERNAL and source_id is not None:
        pending = pending.filter(source_id=source_id)
    waiting = pending.count()
    if not waiting:
        raise NotFound("Nothing is waiting for this identity")
    _link(association, person, key, source_id=source_id)
    moved = waiting - pending.count()
    audit.record(association=association, action="activity.identity_attached", obj=person,
                 actor=actor, data={"identity": kind, "activities": moved})
    return moved
