"""Segments: a saved filter over people (live), or a frozen list of people (static)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from commonground.tenancy.models import Association


class Segment(models.Model):
    """A named set of people.

    A live segment keeps its ``definition`` (the filter language of ``people.filters``:
    ``{"op": "and"|"or", "rules": [{"field", "op", "value"} | group, …]}``) and is evaluated
    whenever it is used; a static one holds its members in ``SegmentMember`` (frozen from a
    live segment, or a selection such as the at-risk page's) and keeps the definition it
    came from, if any, for the record.
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64)
    description = models.TextField(blank=True)
    definition = models.JSONField(default=dict, blank=True)
    is_static = models.BooleanField(default=False)
    frozen_at = models.DateTimeField(null=True, blank=True)
    # A static list made from another segment remembers it.
    frozen_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # The last count of the segment's people and when it was taken: the list of segments
    # shows it without evaluating every live segment (each evaluation refreshes it).
    last_count = models.PositiveIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="segment_unique_slug"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """One person on a static segment."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "person"], name="segmentmember_unique"),
        ]
