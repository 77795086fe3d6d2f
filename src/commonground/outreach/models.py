"""Outreach lists with a random holdout, the contacts made, and the association's settings.

- ``OutreachSettings``: the association's defaults (holdout share, the fewest decided
  renewals per group before the report draws a conclusion); one row, made on first use.
- ``Outreach``: one list, a snapshot of a segment's (or a selection's) people when it was
  made, with the holdout's share and seed recorded so the draw can be repeated.
- ``OutreachMember``: one person on a list: the group drawn (contact or held back), the
  renewal decision that was ahead when the list was made (the term end and its grace),
  the lapse risk band at that time, and whether and how they were contacted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from commonground.tenancy.models import Association

DEFAULT_HOLDOUT_PERCENT = 10
DEFAULT_MIN_PER_GROUP = 20
MAX_HOLDOUT_PERCENT = 50


class OutreachSettings(models.Model):
    association = models.OneToOneField(Association, on_delete=models.CASCADE, related_name="+")
    holdout_percent = models.PositiveSmallIntegerField(
        default=DEFAULT_HOLDOUT_PERCENT,
        help_text="Share of every new list held back (not contacted), to measure the effect")
    min_per_group = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_PER_GROUP,
        help_text="Fewest decided renewals in each group before the report draws a conclusion")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(holdout_percent__lte=MAX_HOLDOUT_PERCENT),
                                   name="outreachsettings_holdout_at_most_half"),
            models.CheckConstraint(condition=Q(min_per_group__gte=1),
                                   name="outreachsettings_min_positive"),
        ]
        verbose_name_plural = "outreach settings"


class Source(models.TextChoices):
    SEGMENT = "segment", "Segment"
    SELECTION = "selection", "Selection"


class Outreach(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)  # leads outreach_recent_idx
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    segment = models.ForeignKey("segments.Segment", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    # The segment's name when the list was made (the segment may be renamed or deleted).
    segment_name = models.CharField(max_length=120, blank=True)
    # The association's date the list was made: the renewal decisions ahead on this day.
    made_on = models.DateField()
    holdout_percent = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField()
    stratified = models.BooleanField(default=False, help_text="Drawn within lapse risk bands")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "-made_on", "-id"],
                                name="outreach_recent_idx")]
        ordering = ["-made_on", "-id"]
        verbose_name_plural = "outreach lists"

    def __str__(self) -> str:
        return self.name


class Group(models.TextChoices):
    CONTACT = "contact", "To contact"
    HOLDOUT = "holdout", "Held back"


class ContactStatus(models.TextChoices):
    PENDING = "pending", "Not yet"
    EXPORTED = "exported", "Exported"
    CONTACTED = "contacted", "Contacted"
    UNREACHABLE = "unreachable", "Not reachable"


class Channel(models.TextChoices):
    MANUAL = "manual", "Recorded by staff"
    EXPORT = "export", "Exported to another tool"
    API = "api", "API"
    CAMPAIGN = "campaign", "Campaign"


class OutreachMember(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="members",
                                 db_index=False)  # leads the unique key
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=8, choices=Group.choices)
    # Lapse risk band when the list was made ("" without a prediction): the stratum drawn in.
    band = models.CharField(max_length=8, blank=True)
    # The renewal decision ahead when the list was made: the current term's end, and the
    # grace that followed it. Empty for people with no renewal ahead (not a member, a
    # lifetime plan): they are on the list but outside the report.
    decision_on = models.DateField(null=True, blank=True)
    grace_days = models.PositiveSmallIntegerField(default=0)
    contact_status = models.CharField(max_length=12, choices=ContactStatus.choices,
                                      default=ContactStatus.PENDING)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outreach", "person"], name="outreachmember_unique"),
        ]
        indexes = [models.Index(fields=["outreach", "group", "contact_status"],
                                name="outreachmember_group_idx")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.outreach_id} ({self.group})"
