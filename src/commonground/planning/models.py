"""Strategic plans, the board's why-answers, goals, joint objectives and their KPI history,
comments, and the balance view's settings and offering costs.

An objective's number is never typed in: its KPI names a metric of the catalogue
(``core.metrics``) with filters and a period, and ``KpiSnapshot`` keeps one computed value
per day for the burn-up. Why-answers are versioned: an edit adds a version, so the board's
thinking can be read as it was on any date.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association, Side

VALUE = {"max_digits": 16, "decimal_places": 2}


class WhyQuestion(models.TextChoices):
    """The board's five questions (seed 002), in the order they are asked."""

    FOUNDED = "founded", "Why were we founded, and what has changed since?"
    FIELD = "field", "What is changing in our field?"
    FUTURE_WANTED = "future_wanted", "What is the future we want?"
    FUTURE_AVOIDED = "future_avoided", "What is the future we want to avoid?"
    ASK_NOW = "ask_now", "What must we start asking ourselves now?"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class StrategicPlan(models.Model):
    """The association's plan for a period (not a membership ``Plan``)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=8, choices=PlanStatus.choices,
                              default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="strategicplan_dates_ordered"),
        ]
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class WhyAnswer(models.Model):
    """One version of the board's answer to one of the five questions. Never edited:
    the current answer is the highest version of its question."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=16, choices=WhyQuestion.choices)
    version = models.PositiveIntegerField()
    text = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    written_on = models.DateField(help_text="The date the board agreed this answer")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "plan", "question", "version"],
                                    name="whyanswer_unique_version"),
        ]
        ordering = ["plan", "question", "-version"]

    def __str__(self) -> str:
        return f"{self.get_question_display()} (v{self.version})"


class Goal(models.Model):
    """A common goal that realises the board's vision, e.g. "+10 % members by December"."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    deadline = models.DateField()
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Direction(models.TextChoices):
    UP = "up", "Increase to the target"
    DOWN = "down", "Decrease to the target"


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    DROPPED = "dropped", "Dropped"


class Objective(models.Model):
    """A joint objective of a goal with its live KPI: ``metric`` (a catalogue key) with
    ``filters`` over the period ``starts_on``–``deadline``; ``baseline`` is the value at
    the start, ``target`` the value to reach by the deadline."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The sides that share it, e.g. ["mission", "business"]: who may edit it.
    sides = models.JSONField(default=list)
    metric = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)  # as the user wrote them (slugs)
    starts_on = models.DateField()
    deadline = models.DateField()
    baseline = models.DecimalField(**VALUE, default=Decimal("0"))
    target = models.DecimalField(**VALUE)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    status = models.CharField(max_length=8, choices=ObjectiveStatus.choices,
                              default=ObjectiveStatus.ACTIVE)
    # The latest snapshot, copied here so the plan page reads one row per objective.
    current_value = models.DecimalField(**VALUE, null=True, blank=True)
    current_on = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("starts_on")),
                                   name="objective_dates_ordered"),
        ]
        indexes = [models.Index(fields=["association", "status"], name="objective_status_idx")]
        ordering = ["goal", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ObjectiveOwner(models.Model):
    """A named person who owns an objective, for one side."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="owners")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "objective", "user"],
                                    name="objectiveowner_unique"),
        ]


class KpiSnapshot(models.Model):
    """The KPI's computed value on one day (one per objective and day; recomputing a day
    replaces it)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    value = models.DecimalField(**VALUE)
    computed_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "objective", "day"],
                                    name="kpisnapshot_unique_day"),
        ]
        ordering = ["objective", "day"]


class Comment(models.Model):
    """A comment on a plan item, a meeting or a decision (the board's voice included).
    ``subject`` is the kind of thing ("plan", "answer", "goal", "objective", "meeting",
    "decision"), ``subject_id`` its id."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=20)
    subject_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                               on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "subject", "subject_id"],
                                name="comment_subject_idx")]
        ordering = ["created_at", "id"]


class BalanceSide(models.TextChoices):
    MISSION = "mission", "Social performance (mission)"
    BUSINESS = "business", "Economic productivity (business)"


class BalanceMetric(models.Model):
    """A metric the association put on one side of the balance view (never merged)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=8, choices=BalanceSide.choices)
    metric = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    label = models.CharField(max_length=120, blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["side", "position", "id"]


class BalanceSnapshot(models.Model):
    """A balance metric's value for one period (month), computed by the daily job so the
    balance page reads stored figures."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    balance_metric = models.ForeignKey(BalanceMetric, on_delete=models.CASCADE,
                                       related_name="snapshots")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(**VALUE)
    computed_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "balance_metric", "period_start"],
                                    name="balancesnapshot_unique_period"),
        ]
        ordering = ["balance_metric", "period_start"]


class OfferingCost(models.Model):
    """What delivering an offering cost in a period: margin = revenue − cost."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    offering = models.ForeignKey("membership.Offering", on_delete=models.CASCADE,
                                 related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="offeringcost_not_negative"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="offeringcost_dates_ordered"),
        ]
        ordering = ["-period_start", "id"]


# The balance view's stored offering figures (planning.balance).
class OfferingFigure(models.Model):
    """One offering's two axes for one period: the social figure (``reach``: distinct people
    with activity on it; ``contributions``: verified value-created contributions tied to
    it) and the economic one (``revenue`` from activity amounts, ``cost`` prorated from the
    recorded ``OfferingCost`` rows, ``has_cost`` when any covers the period). A period is a
    calendar month or the whole window (``is_window``) the job covers."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    offering = models.ForeignKey("membership.Offering", on_delete=models.CASCADE,
                                 related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    is_window = models.BooleanField(default=False)
    reach = models.PositiveIntegerField(default=0)
    contributions = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(**VALUE, default=Decimal("0"))
    cost = models.DecimalField(**VALUE, default=Decimal("0"))
    has_cost = models.BooleanField(default=False)
    computed_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "offering", "period_start",
                                            "period_end"], name="offeringfigure_unique_period"),
        ]
        indexes = [models.Index(fields=["association", "period_start", "period_end"],
                                name="offeringfigure_period_idx")]
        ordering = ["period_start", "offering"]

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost
