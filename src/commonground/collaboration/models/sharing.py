"""Data-sharing agreements: the only way personal data crosses associations.

The grantor (the association holding the data) owns the agreement, the members'
consents and the read log; the recipient reaches them only through
``collaboration.crossing``. An agreement grants named fields of one record kind
(``collaboration.sharing`` registry) for a purpose until an expiry; both sides approve
before it takes effect; revocation and expiry take effect at once because every read
checks them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

from .consortia import Consortium


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for approval"
    ACTIVE = "active", "In force"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"  # shown when expires_on has passed; never stored early


class SharingAgreement(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The grantor: the association holding the data")
    recipient = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    consortium = models.ForeignKey(Consortium, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="agreements")
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    record_kind = models.CharField(max_length=40)
    fields = models.JSONField(default=list)
    # Which rows: a person-filter definition (people.filters language) in the grantor's data,
    # and whether only members who consented to this agreement are shared.
    row_filter = models.JSONField(default=dict, blank=True)
    consent_required = models.BooleanField(default=True)
    starts_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=10, choices=AgreementStatus.choices,
                              default=AgreementStatus.PROPOSED)
    proposed_by_grantor = models.BooleanField(default=True)
    grantor_approved_at = models.DateTimeField(null=True, blank=True)
    grantor_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    recipient_approved_at = models.DateTimeField(null=True, blank=True)
    recipient_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gte=models.F("starts_on")),
                                   name="agreement_expires_after_start"),
            models.CheckConstraint(condition=~Q(recipient=models.F("association")),
                                   name="agreement_not_with_itself"),
        ]
        indexes = [models.Index(fields=["recipient", "status"], name="agreement_recipient_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SharingConsent(models.Model):
    """A member's yes to one agreement (given in the portal or recorded by staff)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE,
                                  related_name="consents")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    via = models.CharField(max_length=10, default="portal")  # portal / staff / import

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agreement", "person"],
                                               name="sharing_consent_unique")]
        indexes = [models.Index(fields=["agreement", "person"], name="sharing_consent_live_idx",
                                condition=Q(withdrawn_at__isnull=True))]


class SharedRead(models.Model):
    """One read across the boundary: who at the recipient read which fields of how many of
    the grantor's rows, through which channel. Both parties see the log."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The grantor")
    recipient = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE,
                                  related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=8)  # web / api / csv / cli
    record_kind = models.CharField(max_length=40)
    fields = models.JSONField(default=list)
    rows = models.PositiveIntegerField()
    query = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["agreement", "-at"], name="shared_read_agreement_idx")]
        ordering = ["-at", "-id"]
