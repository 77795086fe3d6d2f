"""Shared services: a provider's team or system other participants subscribe to, its cost
pools per period, the rule that allocates them, and the runs that did.

The provider owns every row here (they are its books); ``participant`` fields name the
association a line or a share concerns. A run is never edited: re-running a closed period
changes nothing and a correction is a new ``adjustment`` run whose lines are the deltas.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

from .consortia import Consortium

MONEY = {"max_digits": 12, "decimal_places": 2}


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class SharedService(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The providing association")
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    service_level = models.TextField(blank=True, help_text="What subscribers can expect")
    usage_unit = models.CharField(max_length=60, blank=True, help_text="e.g. events, emails sent")
    status = models.CharField(max_length=10, choices=ServiceStatus.choices,
                              default=ServiceStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "consortium", "name"],
                                               name="shared_service_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceSubscription(models.Model):
    """A participant's use of a service (the provider subscribes to its own service too:
    it carries a share of the cost, it is just not invoiced)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    help_text="The subscribing association")
    service = models.ForeignKey(SharedService, on_delete=models.CASCADE,
                                related_name="subscriptions")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    service_level = models.TextField(blank=True, help_text="Agreed level, if not the standard")
    # The subscriber as an organisation in the provider's books, to invoice (created when
    # first invoiced). Not a cross-tenant key: it lives in the provider's association.
    billing_organisation = models.ForeignKey("people.Organisation", null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "association"],
                                               name="service_subscription_unique")]
        ordering = ["service", "id"]


class AllocationMethod(models.TextChoices):
    EQUAL = "equal", "Equal shares"
    FIXED = "fixed", "Fixed percentages"
    MEMBERS = "members", "Member count at a date"
    USAGE = "usage", "Usage from the activity stream"


class AllocationRule(models.Model):
    """How a service's pool is split, from ``valid_from`` on. The rule of a period is the
    latest whose ``valid_from`` is on or before the period's start."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(SharedService, on_delete=models.CASCADE, related_name="rules")
    method = models.CharField(max_length=10, choices=AllocationMethod.choices)
    valid_from = models.DateField()
    # Usage: activities of the source with this slug in each participant's association,
    # optionally only these kinds; members: memberships active on the period's last day.
    usage_source = models.SlugField(max_length=64, blank=True)
    usage_kinds = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "valid_from"],
                                               name="allocation_rule_unique_from")]
        ordering = ["service", "-valid_from"]


class AllocationShare(models.Model):
    """A fixed percentage of one participant under a ``fixed`` rule (they total 100)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(AllocationRule, on_delete=models.CASCADE, related_name="shares")
    participant = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    percent = models.DecimalField(max_digits=6, decimal_places=3)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "participant"],
                                               name="allocation_share_unique")]


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CostPeriod(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(SharedService, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(max_length=40, help_text="e.g. 2026 Q3")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=8, choices=PeriodStatus.choices,
                              default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "starts_on"], name="cost_period_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="cost_period_ends_after_start"),
        ]
        ordering = ["service", "-starts_on"]

    def __str__(self) -> str:
        return self.label


class CostItem(models.Model):
    """One cost in a period's pool (staff time, a licence, a venue…)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(CostPeriod, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)
    incurred_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0),
                                              name="cost_item_amount_not_negative")]
        ordering = ["incurred_on", "id"]


class RunKind(models.TextChoices):
    INITIAL = "initial", "Allocation"
    ADJUSTMENT = "adjustment", "Adjustment"


class AllocationRun(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(CostPeriod, on_delete=models.CASCADE, related_name="runs")
    rule = models.ForeignKey(AllocationRule, on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(max_length=10, choices=RunKind.choices, default=RunKind.INITIAL)
    sequence = models.PositiveIntegerField(default=1)
    pool_total = models.DecimalField(**MONEY)
    # What the split was computed from (participants' bases, the rule), and its hash: the
    # same inputs again return the same run instead of adding one.
    inputs = models.JSONField(default=dict)
    inputs_key = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "sequence"],
                                               name="allocation_run_unique_sequence")]
        ordering = ["period", "sequence"]


class AllocationLine(models.Model):
    """One participant's part of a run: its basis, share and amount (for an adjustment, the
    change against what was allocated before), and the invoice that billed it."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="lines")
    participant = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    basis = models.DecimalField(max_digits=18, decimal_places=3)
    share = models.DecimalField(max_digits=12, decimal_places=9)
    amount = models.DecimalField(**MONEY)
    total_after = models.DecimalField(**MONEY, help_text="Allocated to date after this run")
    invoice = models.ForeignKey("membership.Invoice", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "participant"],
                                               name="allocation_line_unique")]
        ordering = ["run", "participant_id"]
