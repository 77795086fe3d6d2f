"""Recognition tiers, nominations, Open Badges 2.0/3.0 and the vetted expert network (D4).

- ``Tier``: a level of recognition (Contributor, Leader, Star) defined by a rule over value
  created — verified contributions in a window, how many kinds, whether one of them is a
  leadership kind. Each tier is also an Open Badges BadgeClass / Achievement.
- ``Nomination``: someone (the rule evaluation, staff or a member) proposes a person for a
  tier; staff approve (→ an ``Award``) or decline.
- ``Award``: a badge held by a person, served as an Open Badges 2.0 hosted Assertion at
  ``/badges/<association>/assertions/<uuid>`` and downloadable as an Open Badges 3.0
  OpenBadgeCredential (VC-JWT). Revoked awards stay (the hosted URL answers 410).
- ``Issuer``: the association as badge issuer: contact email, homepage, public origin and
  its Ed25519 signing key (generated on first use).
- ``MemberRecognition``: a member's choice to appear on the public recognition page.
- ``ExpertProfile`` / ``ExpertSpecialty``: the vetted expert network (specialties are
  skill Traits), with vetting status and availability.

One active award per (tier, person) and one pending nomination per (tier, person) are kept
by the services under a lock on the tier, not by a database constraint: a constraint with
the person in it would block merging two people who both hold the tier, which the merge
hook resolves instead (the duplicate is revoked).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

# Kinds of contribution that show leadership (a Star needs one of them by default).
LEADERSHIP_KINDS = ("chapter_leadership", "committee", "mentoring", "moderating", "teaching",
                    "programme_innovation", "peer_group")


class Tier(models.Model):
    """A recognition tier and the rule that finds its candidates; also a BadgeClass."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300)
    # Human-readable criteria, published in the BadgeClass (derived from the rule if blank).
    criteria = models.TextField(blank=True)
    # The rule: at least ``min_contributions`` verified contributions that occurred in the
    # last ``window_months``, of at least ``min_kinds`` kinds, and — if ``required_kinds``
    # is not empty — at least one of those kinds.
    min_contributions = models.PositiveSmallIntegerField(default=1)
    min_kinds = models.PositiveSmallIntegerField(default=1)
    window_months = models.PositiveSmallIntegerField(default=12)
    required_kinds = models.JSONField(default=list, blank=True)
    # Award candidates directly when the rule finds them, instead of nominating them for
    # staff approval.
    auto_award = models.BooleanField(default=False)
    colour = models.CharField(max_length=7, default="#2f6f4f")
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="tier_unique_slug"),
        ]
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def rule_text(self) -> str:
        parts = [f"at least {self.min_contributions} verified contribution"
                 f"{'s' if self.min_contributions != 1 else ''} in the last "
                 f"{self.window_months} month{'s' if self.window_months != 1 else ''}"]
        if self.min_kinds > 1:
            parts.append(f"of at least {self.min_kinds} different kinds")
        if self.required_kinds:
            parts.append("including one of: " + ", ".join(
                k.replace("_", " ") for k in self.required_kinds))
        return " ".join(parts)

    @property
    def criteria_text(self) -> str:
        return self.criteria or f"Awarded for {self.rule_text}, verified by {{association}}."


class NominationSource(models.TextChoices):
    RULE = "rule", "Found by the tier's rule"
    STAFF = "staff", "Nominated by staff"
    MEMBER = "member", "Nominated by a member"


class NominationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class Nomination(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="nominations")
    source = models.CharField(max_length=6, choices=NominationSource.choices)
    nominated_by_person = models.ForeignKey("people.Person", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    nominated_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    # What the rule found ({"contributions": 6, "kinds": 3, "leadership": 1, …}).
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=NominationStatus.choices,
                              default=NominationStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "status", "-created_at"],
                                name="nomination_queue_idx"),
                   models.Index(fields=["association", "person"], name="nomination_person_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.tier_id} ({self.status})"


class Award(models.Model):
    """A badge a person holds: an Open Badges Assertion / OpenBadgeCredential."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="awards")
    nomination = models.ForeignKey(Nomination, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    # The recipient as Open Badges publishes it: "sha256$" + sha256(email + salt), fixed at
    # issue so the assertion stays the same if the person's email changes later.
    salt = models.CharField(max_length=32)
    identity_hash = models.CharField(max_length=80)
    narrative = models.TextField(blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "person"], name="award_person_idx"),
                   models.Index(fields=["association", "tier"], name="award_tier_idx")]
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tier_id} → {self.person_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Issuer(models.Model):
    """The association as an Open Badges issuer, with its signing key."""

    association = models.OneToOneField(Association, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True, help_text="The association's homepage")
    description = models.CharField(max_length=300, blank=True)
    # Where the public badge URLs live (https://badges.example.org); blank: the
    # deployment's COMMONGROUND_SITE_URL. Changing it changes every badge's id.
    origin = models.URLField(blank=True)
    # Ed25519, PKCS8 PEM. Generated on first use; only the public half is ever published.
    private_key_pem = models.TextField(blank=True)
    public_jwk = models.JSONField(default=dict, blank=True)
    key_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    def __str__(self) -> str:
        return f"Issuer of {self.association_id}"


class MemberRecognition(models.Model):
    """A member's consent to be shown on the public recognition page."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    public = models.BooleanField(default=False)
    headline = models.CharField(max_length=160, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "person"],
                                               name="memberrecognition_unique")]


class VettingStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    VETTED = "vetted", "Vetted"
    DECLINED = "declined", "Declined"


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available"
    LIMITED = "limited", "Limited availability"
    UNAVAILABLE = "unavailable", "Not available now"


class ExpertProfile(models.Model):
    """A member in the expert network: what they know, whether staff vetted them."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    headline = models.CharField(max_length=160)
    bio = models.TextField(blank=True)
    # Specialties outside the taxonomy ("equine dentistry"), comma separated.
    other_specialties = models.CharField(max_length=300, blank=True)
    availability = models.CharField(max_length=12, choices=Availability.choices,
                                    default=Availability.AVAILABLE)
    status = models.CharField(max_length=8, choices=VettingStatus.choices,
                              default=VettingStatus.APPLIED)
    vetted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    vetted_at = models.DateTimeField(null=True, blank=True)
    vetting_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "person"],
                                               name="expertprofile_unique")]
        indexes = [models.Index(fields=["association", "status"], name="expert_status_idx")]

    def __str__(self) -> str:
        return self.headline


class ExpertSpecialty(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE,
                               related_name="specialties")
    trait = models.ForeignKey("engagement.Trait", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "expert", "trait"],
                                               name="expertspecialty_unique")]
        indexes = [models.Index(fields=["association", "trait"], name="expertspecialty_trait_idx")]

