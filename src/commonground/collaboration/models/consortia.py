"""Consortia: associations working together, how they decide, and how well (seed 001).

The coordinator's association owns the ``Consortium`` row; each participant owns its
``ConsortiumMember`` row (its side of the recorded agreement to take part) and its own
``CharacteristicAssessment`` rows, so every association's view is its own and the
consortium page shows them side by side.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association


class Level(models.TextChoices):
    """How deeply the associations work together (seed 001), shallowest first."""

    COOPERATION = "cooperation", "Cooperation"  # informal, short, low risk
    COORDINATION = "coordination", "Coordination"  # planned, formal mechanisms
    COLLABORATION = "collaboration", "Collaboration"  # long-term, shared resources, systemic


class DecisionRule(models.TextChoices):
    """Who decides for the consortium."""

    CONSENSUS = "consensus", "Consensus of all participants"
    MAJORITY = "majority", "Majority, one vote per association"
    WEIGHTED = "weighted", "Majority weighted by each participant's votes"
    COORDINATOR = "coordinator", "The coordinator decides after consulting"


class Consortium(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The coordinating association")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.COOPERATION)
    decision_rule = models.CharField(max_length=16, choices=DecisionRule.choices,
                                     default=DecisionRule.CONSENSUS)
    governance = models.TextField(blank=True, help_text="Who decides what, how often they meet")
    started_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "name"],
                                               name="consortium_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"
    LEFT = "left", "Left"


class ConsortiumMember(models.Model):
    """One association's place in a consortium: invited by the coordinator, accepted by its
    own staff. Only an active member sees the consortium."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The participating association")
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    status = models.CharField(max_length=10, choices=MemberStatus.choices,
                              default=MemberStatus.INVITED)
    is_coordinator = models.BooleanField(default=False)
    votes = models.PositiveSmallIntegerField(default=1)
    invited_at = models.DateTimeField(auto_now_add=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    joined_on = models.DateField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    left_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consortium", "association"],
                                               name="consortium_member_unique")]
        ordering = ["consortium", "-is_coordinator", "id"]

    def __str__(self) -> str:
        return f"{self.association_id} in {self.consortium_id} ({self.status})"


class Characteristic(models.TextChoices):
    """What collaborative organisations share (seed 001)."""

    VALUES = "values", "Aligned values and objectives"
    TRUST = "trust", "Mutual trust and respect"
    TRANSPARENCY = "transparency", "Transparency and openness"
    KNOWLEDGE = "knowledge", "A culture that shares knowledge widely"
    STAKEHOLDERS = "stakeholders", "Stakeholder-driven decision-making"
    GOVERNANCE = "governance", "Effective and efficient governance"


class CharacteristicAssessment(models.Model):
    """One participant's rating of one characteristic on a date; the latest per
    (participant, characteristic) is its current view, earlier ones are its history."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The assessing participant")
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE,
                                   related_name="assessments")
    characteristic = models.CharField(max_length=16, choices=Characteristic.choices)
    score = models.PositiveSmallIntegerField(help_text="1 (absent) to 5 (strong)")
    evidence = models.TextField(blank=True)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5),
                                              name="assessment_score_1_to_5")]
        indexes = [models.Index(fields=["consortium", "association", "characteristic",
                                        "-assessed_on"], name="assessment_latest_idx")]
        ordering = ["-assessed_on", "-id"]
