"""Predictions and the model versions that made them (D5).

A ``ModelVersion`` is one training of one kind of model for one association — or, where the
association's history is too short to train on, its transparent rule-based score — with
the model card's figures. A ``Prediction`` is the current probability for one person of one
kind (``lapse``: will not renew at the next renewal date; ``prospect``: will join), with
the reasons worded for staff and the version that produced it. Versions are never edited:
retraining makes a new one, so every stored probability can be traced to its model card.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

MONEY = {"max_digits": 14, "decimal_places": 2}


class ModelKind(models.TextChoices):
    LAPSE = "lapse", "Lapse risk"
    PROSPECT = "prospect", "Propensity to join"


class Method(models.TextChoices):
    MODEL = "model", "Trained model"
    RULES = "rules", "Rule-based score"


class VersionStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    RETIRED = "retired", "Retired"


class Band(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ModelVersion(models.Model):
    """One training (or rule-based fallback) of one kind for one association."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ModelKind.choices)
    version = models.PositiveIntegerField()
    method = models.CharField(max_length=8, choices=Method.choices)
    status = models.CharField(max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.TRAINING)
    # The one version whose predictions are served; set when its scoring has landed.
    is_current = models.BooleanField(default=False)
    # The data the training saw: examples with cutoffs in [train_from, holdout_from) were
    # trained on, those in [holdout_from, holdout_to] held out; nothing after as_of was read.
    as_of = models.DateField()
    train_from = models.DateField(null=True, blank=True)
    holdout_from = models.DateField(null=True, blank=True)
    holdout_to = models.DateField(null=True, blank=True)
    n_train = models.PositiveIntegerField(default=0)
    n_holdout = models.PositiveIntegerField(default=0)
    positives_train = models.PositiveIntegerField(default=0)
    positives_holdout = models.PositiveIntegerField(default=0)
    # The model card: {"auc", "pr_auc", "brier", "top_decile_lift", "base_rate",
    # "calibration": [{"bin", "predicted", "observed", "n"}], "importance": [{"feature",
    # "label", "gain"}], "features": [...], "why_rules": "...", "needed": {...}, ...}
    card = models.JSONField(default=dict, blank=True)
    # The fitted model and its calibrator, serialised by insight's model module; empty for
    # rule-based versions (their rules are in ``card``).
    artifact = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "version"],
                                    name="modelversion_unique_version"),
            models.UniqueConstraint(fields=["association", "kind"],
                                    condition=models.Q(is_current=True),
                                    name="modelversion_one_current"),
        ]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.get_method_display()})"


class Prediction(models.Model):
    """The current probability for one person of one kind, with its reasons.

    ``reasons`` is a list of ``{"text": "No event in 9 months", "effect": 0.12,
    "feature": "events_recency"}``, strongest first, worded for staff; ``feature`` is for
    grouping only and never shown. ``value_at_risk`` is what the next renewal would bring
    (lapse) or a first year's dues (prospect), in the association's currency.
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)  # leads the unique key
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    kind = models.CharField(max_length=10, choices=ModelKind.choices)
    model = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    probability = models.FloatField()
    band = models.CharField(max_length=8, choices=Band.choices)
    reasons = models.JSONField(default=list, blank=True)
    # lapse: the renewal date scored for; prospect: empty.
    decision_on = models.DateField(null=True, blank=True)
    value_at_risk = models.DecimalField(**MONEY, default=Decimal("0.00"))
    # The person's plan and chapter when scored, copied here so the at-risk list filters
    # and sorts on one table's index (joining 100,000 people per page view cost 150 ms).
    plan = models.ForeignKey("membership.Plan", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_index=False)
    chapter = models.ForeignKey("people.Chapter", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", db_index=False)
    scored_at = models.DateTimeField()

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "person"],
                                    name="prediction_unique_person"),
        ]
        indexes = [
            models.Index(fields=["person"], name="prediction_person_idx"),
            models.Index(fields=["association", "kind", "band"], name="prediction_band_idx"),
            models.Index(fields=["association", "kind", "-value_at_risk"],
                         name="prediction_value_idx"),
            models.Index(fields=["association", "kind", "plan", "-value_at_risk"],
                         name="prediction_plan_idx"),
            models.Index(fields=["association", "kind", "chapter", "-value_at_risk"],
                         name="prediction_chapter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.probability:.2f} for person {self.person_id}"
