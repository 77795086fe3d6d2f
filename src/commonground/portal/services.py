"""Writes for the member portal: giving a person a login."""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from commonground.core.errors import Conflict, ValidationFailed
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association


@transaction.atomic
def portal_access_grant(*, association: Association, person: Person, actor=None
                        ) -> tuple[object, str | None]:
    """Link ``person`` to a login with their email, creating the user if needed.

    Returns ``(user, password)``; ``password`` is a one-time temporary password when a new
    user was created, else None (an existing login is linked as is). Granting again is a
    no-op returning the linked user.
    """
    if person.erased_at:
        raise Conflict("This person was erased")
    if person.user_id:
        return person.user, None
    if not person.email:
        raise ValidationFailed("A portal login needs an email address",
                               fields={"email": ["add an email to the profile first"]})
    User = get_user_model()
    user = User.objects.filter(email__iexact=person.email).first()
    password = None
    if user is None:
        username = person.email[:150]
        if User.objects.filter(username=username).exists():
            username = f"{person.email[:140]}-{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, email=person.email, password=password,
                                        first_name=person.first_name[:150],
                                        last_name=person.last_name[:150])
    # The association vouches for the address it holds on file.
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=person.email,
        defaults={"email": person.email, "verified": True,
                  "primary": not EmailAddress.objects.filter(user=user, primary=True).exists()})
    person.user = user
    person._history_user = actor if getattr(actor, "is_authenticated", False) else None
    person.save(update_fields=["user"])
    audit.record(association=association, action="portal.access_granted", obj=person, actor=actor,
                 data={"user": user.pk, "created": password is not None})
    return user, password
