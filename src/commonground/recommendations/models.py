"""Next-best offerings, stored per person, and the runs that computed them (D5).

A ``RecommendationRun`` is one computation for one association: what it read, the
offerings most taken (the suggestion for people with no history yet) and, when it was
evaluated, the offline figures. ``Recommendation`` rows are the personalised suggestions
of the latest run, best first; they are replaced in one transaction, so a profile read
while a run lands sees the old set or the new one, never none. Prices are not stored: they
depend on the person's membership on the day the suggestion is shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association


class Method(models.TextChoices):
    ITEMS = "items", "Taken together"      # item-item co-occurrence carried it
    NEIGHBOURS = "neighbours", "Similar members"  # user-based neighbours carried it


class RecommendationRun(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    computed_at = models.DateTimeField(auto_now_add=True)
    people = models.PositiveIntegerField(default=0)        # people given suggestions
    offerings = models.PositiveIntegerField(default=0)     # offerings with any take-up
    interactions = models.PositiveIntegerField(default=0)  # distinct (person, offering) pairs
    # Offering ids, most people first (active offerings only): shown to people without
    # history, and the baseline of the evaluation.
    popular = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # The offline check (``evaluation.evaluate``) when the run made one: hit rates of the
    # blend, its two signals and the most-popular baseline on a later, held-out take-up.
    evaluation = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"Recommendations of {self.as_of} ({self.people} people)"


class Recommendation(models.Model):
    """One suggested offering for one person: ``rank`` 1 is the best.

    The reason is kept as its parts (``because``: the offering the person took that most
    often goes with this one, and ``because_share`` of its takers who also took this one;
    ``neighbours_took`` of ``neighbours`` similar members took it) and worded when shown,
    so a renamed offering reads right.
    """

    # No database constraint on association, offering and because: a run rewrites every
    # row, and PostgreSQL checked each of these keys per row at commit (measured: 9 s of a
    # 30 s run of 360,000 rows with all four), although they point at a handful of
    # catalogue rows that the run has just read. Deleting an offering or an association
    # still removes the rows through the ORM's cascade; the person's key stays checked.
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False, db_constraint=False)  # leads the unique key
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+",
                               db_index=False)  # leads recommendation_person_idx
    offering = models.ForeignKey("membership.Offering", on_delete=models.CASCADE,
                                 related_name="+", db_index=False, db_constraint=False)
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    method = models.CharField(max_length=12, choices=Method.choices)
    because = models.ForeignKey("membership.Offering", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", db_index=False,
                                db_constraint=False)
    because_share = models.FloatField(null=True, blank=True)
    neighbours = models.PositiveIntegerField(default=0)
    neighbours_took = models.PositiveIntegerField(default=0)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "person", "rank"],
                                    name="recommendation_unique_rank"),
        ]
        indexes = [
            models.Index(fields=["person", "rank"], name="recommendation_person_idx"),
            # The segment filter "recommended offering is X": people by offering.
            models.Index(fields=["association", "offering", "rank"],
                         name="recommendation_offering_idx"),
        ]
        ordering = ["person_id", "rank"]

    def __str__(self) -> str:
        return f"#{self.rank} {self.offering_id} for person {self.person_id}"
