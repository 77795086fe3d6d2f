"""Dual-input forms: an appraisal or a schedule that needs a mission-side and a
business-side contribution before it can be completed (seed 000)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association, Side


class DualFormKind(models.TextChoices):
    APPRAISAL = "appraisal", "Performance appraisal"
    SCHEDULE = "schedule", "Schedule"


class DualFormStatus(models.TextChoices):
    OPEN = "open", "Waiting for input"
    COMPLETED = "completed", "Completed"


class DualForm(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=DualFormKind.choices)
    title = models.CharField(max_length=200)
    # An appraisal is of a staff member; a schedule covers a period.
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=DualFormStatus.choices,
                              default=DualFormStatus.OPEN)
    summary = models.TextField(blank=True, help_text="The agreed result, on completion")
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DualInput(models.Model):
    """One side's contribution to a form (one per side; editing replaces it, audited)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(DualForm, on_delete=models.CASCADE, related_name="inputs")
    side = models.CharField(max_length=10, choices=[c for c in Side.choices if c[0] != "both"])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    # Free text plus structured fields by kind (ratings for an appraisal, slots for a
    # schedule), validated by the service.
    body = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "form", "side"],
                                    name="dualinput_one_per_side"),
        ]
