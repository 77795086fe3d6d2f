"""Regulation meetings: a recurring series, each meeting's participants from both sides,
its agenda (drafted from the data, carried over, or added by hand), minutes, action items,
the staff inbox that circulation fills, and the operations manual."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association, Side


class Cadence(models.TextChoices):
    MONTHLY = "monthly", "Every month"
    QUARTERLY = "quarterly", "Every quarter"
    TRIMESTER = "trimester", "Every trimester (four months)"
    HALF_YEAR = "half_year", "Every six months"


CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "trimester": 4, "half_year": 6}


class MeetingSeries(models.Model):
    """A recurring space of negotiation, e.g. "Regulation meeting" every trimester."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices,
                               default=Cadence.TRIMESTER)
    # The standing participants (user ids), copied to each new meeting.
    default_participants = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held (minutes recorded)"
    CIRCULATED = "circulated", "Minutes circulated"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(MeetingSeries, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    minutes = models.TextField(blank=True)
    minutes_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)
    circulated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "starts_at"], name="meeting_start_idx")]
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MeetingParticipant(models.Model):
    """Who takes part, for which side (a meeting needs both sides)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    attended = models.BooleanField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "meeting", "user"],
                                    name="meetingparticipant_unique"),
        ]


class AgendaOrigin(models.TextChoices):
    DATA = "data", "Drafted from the data"
    CARRIED = "carried", "Carried over"
    MANUAL = "manual", "Added by hand"


class AgendaItem(models.Model):
    """One item of a meeting's agenda. ``origin_key`` says what drafted it
    ("objective:12", "lapse_spike:chapter:4", "decision:7", "action:31") so drafting
    again adds nothing twice; the links trace it back to the plan."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    origin = models.CharField(max_length=8, choices=AgendaOrigin.choices,
                              default=AgendaOrigin.MANUAL)
    origin_key = models.CharField(max_length=80, blank=True)
    objective = models.ForeignKey("planning.Objective", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    action_item = models.ForeignKey("ActionItem", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decision = models.ForeignKey("Decision", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(blank=True, help_text="What was said, recorded in the minutes")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["meeting", "position", "id"]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionItem(models.Model):
    """Something someone will do by a date; open ones carry to the next meeting."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="action_items", help_text="Where it was agreed")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    objective = models.ForeignKey("planning.Objective", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    decision = models.ForeignKey("Decision", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="action_items")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "status", "due_on"],
                                name="actionitem_open_idx")]
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class InboxMessage(models.Model):
    """A message to one staff user in the app (minutes circulated, a decision waiting for
    their side, an action item assigned); emailed too once the write commits."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=30, blank=True)  # "minutes", "decision.waiting", …
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "user", "read_at"],
                                name="inbox_user_unread_idx")]
        ordering = ["-created_at", "-id"]


class ManualPage(models.Model):
    """A section of the operations manual: how the two sides work together."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=64)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="manualpage_unique_slug"),
        ]
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class ManualRevision(models.Model):
    """One version of a manual page, traceable to the meeting that decided the change."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(ManualPage, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body = models.TextField()
    summary = models.CharField(max_length=300, blank=True, help_text="What changed and why")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="manual_revisions")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "page", "version"],
                                    name="manualrevision_unique_version"),
        ]
        ordering = ["page", "-version"]
