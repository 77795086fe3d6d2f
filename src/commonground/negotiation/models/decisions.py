"""Joint decisions: a proposal that needs positions (with reasons) and sign-off from each
required side before its effect — e.g. an offering's price — is applied, exactly once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association, Side


class Effect(models.TextChoices):
    NONE = "none", "Recorded only"
    OFFERING_PRICE = "offering_price", "Sets an offering's price"


class DecisionType(models.Model):
    """A kind of joint decision with its quorum per side (signatures needed from each)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    effect = models.CharField(max_length=16, choices=Effect.choices, default=Effect.NONE)
    quorum_mission = models.PositiveSmallIntegerField(default=1)
    quorum_business = models.PositiveSmallIntegerField(default=1)
    hide_positions = models.BooleanField(
        default=False, help_text="Positions stay hidden until the decision closes")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "key"],
                                    name="decisiontype_unique_key"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def quorum(self) -> dict[str, int]:
        return {"mission": self.quorum_mission, "business": self.quorum_business}


class DecisionStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(models.Model):
    """A proposal put to both sides. ``round`` counts reopenings: positions belong to a
    round, so reopening keeps every earlier position on the record."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    type = models.ForeignKey(DecisionType, on_delete=models.PROTECT, related_name="decisions")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="decisions")
    objective = models.ForeignKey("planning.Objective", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    offering = models.ForeignKey("membership.Offering", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.OPEN)
    # The quorum when it was opened ({"mission": n, "business": n}): changing the type
    # later does not move the goalposts of an open decision.
    quorum = models.JSONField(default=dict)
    hidden_positions = models.BooleanField(default=False)
    closes_on = models.DateField(null=True, blank=True)
    round = models.PositiveSmallIntegerField(default=1)
    outcome = models.TextField(blank=True)
    chosen_option = models.ForeignKey("DecisionOption", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    effect_applied_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "status"], name="decision_status_idx")]
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DecisionOption(models.Model):
    """One option, e.g. "Free", "Member price 40 / non-member 90". ``values`` carries what
    the effect applies (for a price: price_decision, member_price, non_member_price)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    values = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["decision", "position", "id"]

    def __str__(self) -> str:
        return self.label


class Stance(models.TextChoices):
    AGREE = "agree", "Agree (sign off)"
    ABSTAIN = "abstain", "Abstain"
    DISAGREE = "disagree", "Disagree"
    BLOCK = "block", "Block"


class Position(models.Model):
    """One person's position for one side in one round, always with a reason."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="positions")
    round = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    side = models.CharField(max_length=10, choices=[c for c in Side.choices if c[0] != "both"])
    stance = models.CharField(max_length=8, choices=Stance.choices)
    option = models.ForeignKey(DecisionOption, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="positions")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            # The database refuses a second position by the same person in a round, even
            # when two requests race (the service also checks, for the message).
            models.UniqueConstraint(fields=["association", "decision", "round", "user"],
                                    name="position_one_per_person_round"),
        ]
        ordering = ["decision", "round", "created_at", "id"]
