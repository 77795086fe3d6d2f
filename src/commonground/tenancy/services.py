"""Writes for tenancy: associations, roles, staff, API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from commonground.core import bulk
from commonground.core.errors import NotFound, ValidationFailed
from commonground.core.normalise import normalise_email

from . import audit
from .models import ApiToken, Association, IdempotencyRecord, Role, Side, StaffMember

# The default split; each association can move any role to another side (seed 000).
DEFAULT_ROLES: list[tuple[str, str, str, bool]] = [
    ("admin", "Administrator", Side.BOTH, True),
    ("executive", "Executive director", Side.BOTH, True),
    ("membership", "Membership director", Side.BUSINESS, True),
    ("marketing", "Marketing manager", Side.BUSINESS, False),
    ("events", "Meetings and events", Side.BUSINESS, False),
    ("education", "Education", Side.BUSINESS, False),
    ("publications", "Publications", Side.BUSINESS, False),
    ("community", "Community manager", Side.MISSION, False),
    ("volunteers", "Volunteer manager", Side.MISSION, False),
    ("standards", "Standards development", Side.MISSION, False),
    ("advocacy", "Advocacy", Side.MISSION, False),
    ("board", "Board member", Side.BOTH, False),
    ("chapter-leader", "Chapter leader", Side.MISSION, False),
]


@transaction.atomic
def association_create(
    *, slug: str, name: str, country: str = "US", currency: str = "USD", time_zone: str = "UTC"
) -> Association:
    """Create an association with the default roles; returns the existing one on retry."""
    existing = Association.objects.filter(slug=slug).first()
    if existing:
        return existing
    association = Association.objects.create(
        slug=slug, name=name, country=country, currency=currency.upper(), time_zone=time_zone
    )
    with scope(association=association):
        Role.objects.bulk_create(
            Role(association=association, key=k, name=n, side=s, is_admin=a, is_board=k == "board")
            for k, n, s, a in DEFAULT_ROLES
        )
        audit.record(association=association, action="association.created", obj=association)
    return association


@transaction.atomic
def role_set_side(*, association: Association, role_key: str, side: str, actor=None) -> Role:
    if side not in Side.values:
        raise ValidationFailed("Unknown side", fields={"side": [f"choose one of {Side.values}"]})
    with scope(association=association):
        role = Role.objects.filter(key=role_key).first()
        if role is None:
            raise NotFound(f"No role {role_key!r}")
        if role.side != side:
            old = role.side
            role.side = side
            role.save(update_fields=["side"])
            audit.record(association=association, action="role.side_changed", obj=role,
                         actor=actor, data={"from": old, "to": side})
    return role


@transaction.atomic
def staff_add(
    *, association: Association, email: str, role_key: str, password: str | None = None,
    actor=None,
) -> StaffMember:
    """Create the user if needed and give them the role; adding a held role is a no-op."""
    email = normalise_email(email)
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(username=email[:150], email=email, password=password)
        _mark_email_verified(user)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    with scope(association=association):
        role = Role.objects.filter(key=role_key).first()
        if role is None:
            keys = ", ".join(Role.objects.values_list("key", flat=True))
            raise ValidationFailed(f"Unknown role {role_key!r}", fields={"role": [f"one of {keys}"]})
        staff, created = StaffMember.objects.get_or_create(
            association=association, user=user, role=role
        )
        if created:
            audit.record(association=association, action="staff.role_added", obj=staff,
                         actor=actor, data={"email": email, "role": role_key})
    return staff


def _mark_email_verified(user) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def api_token_create(*, association: Association, user, name: str = "API token") -> str:
    """Issue a token and return the raw value; it is shown once and stored hashed."""
    with scope(association=association):
        if not StaffMember.objects.filter(user=user).exists():
            raise NotFound("That user is not staff of this association")
        raw = "cg_" + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            association=association, user=user, name=name, prefix=raw[:10],
            token_hash=ApiToken.hash(raw),
        )
        audit.record(association=association, action="api_token.created", obj=token, actor=user,
                     data={"name": name, "prefix": token.prefix})
    return raw


def api_token_touch(*, token: ApiToken, every_seconds: int = 60) -> bool:
    """Note when a token was last used (shown on the tokens page), at most once a minute so
    a busy client does not write on every request. Not audited: it records use, not an
    act, and one entry per minute of API traffic would bury the trail. Returns whether it
    wrote."""
    now = timezone.now()
    if token.last_used_at is not None and (now - token.last_used_at).total_seconds() <= every_seconds:
        return False
    with scopes_disabled():  # called before the request's scope is open (the token names it)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return True


@transaction.atomic
def api_token_revoke(*, association: Association, token_id: int, actor=None) -> ApiToken:
    with scope(association=association):
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise NotFound("No such token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(association=association, action="api_token.revoked", obj=token,
                         actor=actor)
    return token


IDEMPOTENCY_KEEP = timedelta(hours=24)


def idempotency_records_prune(*, older_than: timedelta = IDEMPOTENCY_KEEP) -> int:
    """Forget stored API replies older than ``older_than`` (a day by default, as payment
    APIs do): clients retry within minutes, and the store must not grow for ever.

    Housekeeping across every association (the daily worker job), so it lifts the scope
    explicitly; nothing a user made changes, hence no audit entry.
    """
    cutoff = timezone.now() - older_than
    with scopes_disabled(), transaction.atomic():
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def association_purge(*, association_id: int) -> dict[str, int]:
    """Delete an association and everything it owns (the demo's ``--reset``), set-based.

    No audit entry: the audit trail is among what goes.
    """
    counts = bulk.delete_association_rows(association_id)
    counts[Association._meta.db_table] = Association.objects.filter(pk=association_id).delete()[0]
    return counts
