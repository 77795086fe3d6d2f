"""Joint products and activities: every partner's approver signs, a verification before
publication, timeliness and quality, and the public credit for each partner.

An approval belongs to one version of the product: changing a product that was submitted
asks every approver again (the earlier signatures stay, for the record).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

from .partnership import PartnerContact, Partnership, PartnershipParty


class ProductKind(models.TextChoices):
    CAMPAIGN = "campaign", "Campaign"
    PRODUCT = "product", "Product"
    PUBLICATION = "publication", "Publication"
    EVENT = "event", "Event"
    ACTIVITY = "activity", "Activity"


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_APPROVAL = "in_approval", "Waiting for approvals"
    CHANGES = "changes", "Changes requested"
    APPROVED = "approved", "Approved by every partner"
    VERIFIED = "verified", "Verified"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class JointProduct(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, help_text="Its public credit page's address")
    kind = models.CharField(max_length=12, choices=ProductKind.choices,
                            default=ProductKind.CAMPAIGN)
    description = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=ProductStatus.choices,
                              default=ProductStatus.DRAFT)
    due_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verification_notes = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "slug"],
                                               name="joint_product_unique_slug")]
        ordering = ["partnership", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", "Waiting"
    APPROVED = "approved", "Approved"
    CHANGES = "changes", "Changes requested"


class ProductApproval(models.Model):
    """One party's sign-off on one version, by its approver: a staff user for us, a
    partner contact (through an emailed single-use link, or recorded by staff) for others."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(JointProduct, on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(PartnershipParty, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    decision = models.CharField(max_length=10, choices=ApprovalDecision.choices,
                                default=ApprovalDecision.PENDING)
    contact = models.ForeignKey(PartnerContact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    approver_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    help_text="Staff who recorded a decision given outside")
    # sha256 of the emailed link's secret: the link works once, for this version only.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "party", "version"],
                                               name="product_approval_unique")]
        ordering = ["product", "-version", "party_id"]

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class ProductCredit(models.Model):
    """What one party contributed, as the public credit page words it."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(JointProduct, on_delete=models.CASCADE, related_name="credits")
    party = models.ForeignKey(PartnershipParty, on_delete=models.CASCADE, related_name="+")
    contribution = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "party"],
                                               name="product_credit_unique")]
        ordering = ["product", "order", "id"]


class QualityReview(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(JointProduct, on_delete=models.CASCADE, related_name="reviews")
    score = models.PositiveSmallIntegerField(help_text="1 (poor) to 5 (excellent)")
    notes = models.TextField(blank=True)
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5),
                                              name="quality_review_score_1_to_5")]
        ordering = ["product", "-reviewed_on", "-id"]
