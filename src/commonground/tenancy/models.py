"""Associations (tenants), staff roles on a side, API tokens, audit and idempotency."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField
from django_scopes import ScopedManager


class Side(models.TextChoices):
    MISSION = "mission", "Mission"
    BUSINESS = "business", "Business"
    BOTH = "both", "Both"


class Association(models.Model):
    """A tenant. Settings the association edits itself live here, not in env."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    country = CountryField(default="US", help_text="Default region for phone numbers")
    currency = models.CharField(max_length=3, default="USD")
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A staff role in one association, sitting on a side (configurable)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="roles")
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=Side.choices)
    is_admin = models.BooleanField(
        default=False, help_text="May manage plans, staff, settings and imports"
    )
    # The board asks "why" and reads everything; it comments but does not sign joint
    # decisions or edit objectives (tenancy.permissions).
    is_board = models.BooleanField(
        default=False, help_text="Board: writes the why-answers, reads and comments"
    )

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "key"], name="role_unique_key")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_side_display()})"


class StaffMember(models.Model):
    """A user holding a role in an association."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="holders")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["association", "user", "role"], name="staffmember_unique_role"
            )
        ]


class ApiToken(models.Model):
    """A per-user API token for one association. Only a hash is stored."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, default="API token")
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(association="association")

    @staticmethod
    def hash(raw: str) -> str:
        # Tokens are 256-bit random strings, so a fast hash is not brute-forceable.
        return hashlib.sha256(raw.encode()).hexdigest()


class AuditEntry(models.Model):
    """One state change: who did what to which object, when. Written only via audit.record."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [
            models.Index(fields=["association", "object_type", "object_id"]),
            models.Index(fields=["association", "action"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class IdempotencyRecord(models.Model):
    """The stored outcome of a write made with an Idempotency-Key, replayed on retry."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="Hash of method, path and body")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "key"], name="idempotency_unique_key")
        ]
