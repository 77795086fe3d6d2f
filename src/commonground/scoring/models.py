"""The engagement score: a versioned, explained model over the activity stream, outcomes and verified
contributions; snapshots and levels (D4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.core.batches.models import FileBatch
from commonground.tenancy.models import Association


class ScoreConfig(models.Model):
    """One version of an association's score model. Never edited: saving makes a new
    version, so every score can be explained by the version it was computed with."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    params = models.JSONField()  # scoring.config.validate's output
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "version"],
                                               name="scoreconfig_unique_version")]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Score model v{self.version}"


class ScoreFields(models.Model):
    """What a score and a snapshot both hold.

    ``components`` are the items the score is made of, as counted, before weights:
    ``{"a:<category>:<kind>": [events, decayed events], "c:<kind>": […], "o:<kind>": […]}``
    (a: activity, c: verified contributions, o: outcomes). Weights, caps and the breadth
    bonus come from ``config`` when explaining, so the explanation is the version's own."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    config = models.ForeignKey(ScoreConfig, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    derived = models.FloatField(default=0)
    created = models.FloatField(default=0)
    total = models.FloatField(default=0)
    level = models.PositiveSmallIntegerField(default=0)  # index into the config's levels
    level_since = models.DateField(null=True, blank=True)
    # The day the total first fell below the held level (slow demotion), if it has.
    below_since = models.DateField(null=True, blank=True)
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    components = models.JSONField(default=dict)

    class Meta:
        abstract = True


class Score(ScoreFields):
    """A person's current score (one row per person)."""

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "person"],
                                               name="score_unique_person")]
        indexes = [models.Index(fields=["association", "-total"], name="score_total_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.total:.0f}"


class ScoreSnapshot(ScoreFields):
    """A person's score as it stood at the start of a month (trends, "why +8")."""

    month = models.DateField()  # the first of the month

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "person", "month"],
                                               name="scoresnapshot_unique_month")]
        indexes = [models.Index(fields=["association", "month"], name="scoresnapshot_month_idx")]
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m}: {self.total:.0f}"


class ScoreRun(FileBatch):
    """A full recompute as a batch: people in id order, a chunk per transaction, resumable
    from ``last_person_id``. ``rows_done`` counts people done, ``total_rows`` all."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    config = models.ForeignKey(ScoreConfig, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    snapshot_month = models.DateField(null=True, blank=True)  # also write snapshots
    last_person_id = models.BigIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Score run {self.pk}"
