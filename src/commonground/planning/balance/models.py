"""The offerings' figures per period, stored by the daily job (``balance_snapshots_take``)
so the balance page never counts distinct people over millions of activities itself.

Loaded from ``planning.models`` (an app's models live in its models module); the table is
the planning app's.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

VALUE = {"max_digits": 16, "decimal_places": 2}


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
        app_label = "planning"
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
