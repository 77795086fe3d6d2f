"""Joint initiatives and joint social enterprises of a consortium: objectives measured with
the metric catalogue in every participant's own data, contributions, revenue split.

The lead association owns the initiative, its objectives, revenues and their split; each
participant owns its participation and its contributions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

from .consortia import Consortium

MONEY = {"max_digits": 12, "decimal_places": 2}
VALUE = {"max_digits": 16, "decimal_places": 2}


class InitiativeKind(models.TextChoices):
    INITIATIVE = "initiative", "Joint initiative"
    SOCIAL_ENTERPRISE = "social_enterprise", "Joint social enterprise"


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class SplitMethod(models.TextChoices):
    EQUAL = "equal", "Equal shares"
    FIXED = "fixed", "Fixed percentages"
    CONTRIBUTION = "contribution", "In proportion to contributions"


class JointInitiative(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The lead association")
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE,
                                   related_name="initiatives")
    kind = models.CharField(max_length=20, choices=InitiativeKind.choices,
                            default=InitiativeKind.INITIATIVE)
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=InitiativeStatus.choices,
                              default=InitiativeStatus.PLANNED)
    split_method = models.CharField(max_length=14, choices=SplitMethod.choices,
                                    default=SplitMethod.EQUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "consortium", "name"],
                                               name="initiative_unique_name")]
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class InitiativeParticipant(models.Model):
    """A consortium member taking part; ``split_percent`` under a fixed split."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The participating association")
    initiative = models.ForeignKey(JointInitiative, on_delete=models.CASCADE,
                                   related_name="participants")
    joined_on = models.DateField()
    split_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    role = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["initiative", "association"],
                                               name="initiative_participant_unique")]
        ordering = ["initiative", "id"]


class InitiativeObjective(models.Model):
    """An objective whose number is a catalogue metric (``core.metrics``) computed in each
    participant's own association and summed."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(JointInitiative, on_delete=models.CASCADE,
                                   related_name="objectives")
    name = models.CharField(max_length=200)
    metric_key = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    baseline = models.DecimalField(**VALUE, default=0)
    target = models.DecimalField(**VALUE)
    direction = models.CharField(max_length=4, default="up")  # up / down, as planning's
    starts_on = models.DateField()
    deadline = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(deadline__gte=models.F("starts_on")),
                                              name="initiative_objective_deadline_after_start")]
        ordering = ["initiative", "deadline", "id"]

    def __str__(self) -> str:
        return self.name


class InitiativeSnapshot(models.Model):
    """The objective's value in one participant's data on one day (the results every
    participant sees, and the burn-up)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(InitiativeObjective, on_delete=models.CASCADE,
                                  related_name="snapshots")
    participant = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    value = models.DecimalField(**VALUE)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["objective", "participant", "on"],
                                               name="initiative_snapshot_unique")]
        ordering = ["objective", "on"]


class ContributionKind(models.TextChoices):
    MONEY = "money", "Money"
    STAFF_TIME = "staff_time", "Staff time"
    IN_KIND = "in_kind", "In kind"


class InitiativeContribution(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The contributing association")
    initiative = models.ForeignKey(JointInitiative, on_delete=models.CASCADE,
                                   related_name="contributions")
    kind = models.CharField(max_length=12, choices=ContributionKind.choices)
    description = models.CharField(max_length=250)
    hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(**MONEY, help_text="Its worth in money, for the split")
    contributed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(value__gte=0),
                                              name="initiative_contribution_not_negative")]
        ordering = ["-contributed_on", "-id"]


class InitiativeRevenue(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(JointInitiative, on_delete=models.CASCADE,
                                   related_name="revenues")
    description = models.CharField(max_length=250)
    amount = models.DecimalField(**MONEY)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="initiative_revenue_positive")]
        ordering = ["-received_on", "-id"]


class RevenueShare(models.Model):
    """One participant's part of one revenue, split by the initiative's rule to the cent."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    revenue = models.ForeignKey(InitiativeRevenue, on_delete=models.CASCADE,
                                related_name="shares")
    participant = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    basis = models.DecimalField(max_digits=18, decimal_places=3)
    amount = models.DecimalField(**MONEY)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revenue", "participant"],
                                               name="revenue_share_unique")]
        ordering = ["revenue", "participant_id"]
