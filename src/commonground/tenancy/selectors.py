"""Reads for tenancy."""

from __future__ import annotations

from django_scopes import scopes_disabled

from .models import ApiToken, Association, StaffMember


def association_for_staff(*, user, slug: str) -> Association | None:
    """The association if the user holds any role in it; None (→ 404) otherwise."""
    if not user.is_authenticated:
        return None
    with scopes_disabled():
        # Explicit cross-tenant read: finding which tenant a request belongs to.
        staff = (
            StaffMember.objects.select_related("association")
            .filter(user=user, association__slug=slug)
            .first()
        )
    return staff.association if staff else None


def associations_for_staff(*, user) -> list[Association]:
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        ids = StaffMember.objects.filter(user=user).values_list("association_id", flat=True)
        return list(Association.objects.filter(id__in=ids))


def staff_roles(*, association: Association, user) -> list:
    return list(
        StaffMember.objects.filter(association=association, user=user).select_related("role")
    )


def api_token_authenticate(raw: str) -> ApiToken | None:
    """Find a live token by its raw value (across tenants: the token names its tenant).
    A read: noting the token's use is ``services.api_token_touch``."""
    if not raw:
        return None
    with scopes_disabled():
        token = (
            ApiToken.objects.select_related("association", "user")
            .filter(token_hash=ApiToken.hash(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            return None
    return token
