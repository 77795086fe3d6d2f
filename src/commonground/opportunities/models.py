"""What the association needs, matched to members on common ground: skills, motivations, availability;
invitations through to a contribution (D4).

- ``Opportunity``: something the association needs done (a speaker, an article, a mentor…)
  with the skills it needs, the motivations it serves, where and when, and how many people.
- ``OpportunityTrait``: the taxonomy entries an opportunity names, each in a role
  (a required or nice-to-have skill, a motivation it serves, an interest it touches).
- ``Invitation``: one person's way through one opportunity, from suggested or interested
  to invited, accepted or declined, and completed (see ``states``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association


class OpportunityType(models.TextChoices):
    SPEAKER = "speaker", "Speaker"
    ARTICLE = "article", "Article or content"
    MENTOR = "mentor", "Mentor"
    MODERATOR = "moderator", "Forum moderator"
    CHAPTER_HOST = "chapter_host", "Chapter host"
    EXPERT_CONSULTANT = "expert_consultant", "Expert consultant"
    COMMITTEE_SEAT = "committee_seat", "Committee seat"
    COURSE = "course", "Course to teach"
    OTHER = "other", "Other"


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class Opportunity(models.Model):
    """Something the association needs done, with what it takes and what it offers."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    type = models.CharField(max_length=20, choices=OpportunityType.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Skills the taxonomy has no entry for, in the staff's own words ("equine dentistry"):
    # matched lexically against what members wrote about themselves.
    required_text = models.CharField(max_length=500, blank=True)
    nice_text = models.CharField(max_length=500, blank=True)
    chapter = models.ForeignKey("people.Chapter", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    location = models.CharField(max_length=200, blank=True)
    remote = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField(default=1)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    effort_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=8, choices=OpportunityStatus.choices,
                              default=OpportunityStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "status", "-created_at"],
                                name="opportunity_status_idx")]
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.title


class TraitRole(models.TextChoices):
    REQUIRED = "required", "Required skill"
    NICE = "nice", "Nice-to-have skill"
    MOTIVATION = "motivation", "Motivation it serves"
    INTEREST = "interest", "Interest it touches"


class OpportunityTrait(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="traits")
    trait = models.ForeignKey("engagement.Trait", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=TraitRole.choices)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "opportunity", "trait", "role"],
                                    name="opportunitytrait_unique"),
        ]


class InvitationStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    INTERESTED = "interested", "Interested"
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    COMPLETED = "completed", "Completed"


class Invitation(models.Model):
    """One person's way through one opportunity (the states are in ``states``)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="invitations")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="opportunity_invitations")
    status = models.CharField(max_length=10, choices=InvitationStatus.choices)
    # The match as staff saw it when they acted (fit 0–1, reasons, gaps): the record of why.
    fit = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    gaps = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    response_note = models.CharField(max_length=300, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    contribution = models.ForeignKey("engagement.Contribution", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "opportunity", "person"],
                                    name="invitation_unique_person"),
        ]
        indexes = [
            # Availability: who was asked this quarter.
            models.Index(fields=["association", "invited_at"], name="invitation_asked_idx",
                         condition=Q(invited_at__isnull=False)),
            models.Index(fields=["association", "person"], name="invitation_person_idx"),
        ]
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.opportunity_id} ({self.status})"
