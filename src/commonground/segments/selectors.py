"""Reads of the segments app: a segment's people (live: its filter evaluated now; static:
its members), counts, samples, the list of segments. Inside the association's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from commonground.core.errors import ValidationFailed
from commonground.people.filters import describe, parse, person_queryset
from commonground.people.models import Person

from .models import Segment, SegmentMember

SAMPLE = 10
_SAMPLE_COLUMNS = ("id", "association_id", "first_name", "last_name", "email",
                   "member_status", "member_until", "chapter__name")


def segment_people(segment: Segment, *, today: date | None = None) -> QuerySet[Person]:
    """The people of a segment, unordered: a live one's filter evaluated now (its values
    were checked when it was saved; a plan deleted since simply matches nobody), a static
    one's members. Erased people are never among them."""
    if segment.is_static:
        members = SegmentMember.objects.filter(segment_id=segment.pk).values("person_id")
        return Person.objects.filter(erased_at__isnull=True, pk__in=members)
    return person_queryset(segment.definition or {}, today=today, check=False)


def segment_count(segment: Segment) -> int:
    """How many people the segment holds now; remembered on the segment for the list."""
    count = segment_people(segment).order_by().count()
    # A read's by-product, not audited: the list of segments shows the last count taken.
    now = timezone.now()
    Segment.objects.filter(pk=segment.pk).update(last_count=count, counted_at=now)
    segment.last_count, segment.counted_at = count, now
    return count


def sample(people: QuerySet[Person], limit: int = SAMPLE) -> list[Person]:
    """The first people by name: what the builder and the segment page show."""
    return list(people.select_related("chapter").only(*_SAMPLE_COLUMNS)
                .order_by("last_name", "first_name", "id")[:limit])


def definition_count(definition: Any, *, today: date | None = None) -> int:
    """People an ad-hoc definition selects (checked: ``ValidationFailed`` for mistakes)."""
    return person_queryset(definition, today=today).order_by().count()


def segment_list(*, kind: str = "") -> QuerySet[Segment]:
    """Every segment by name (``kind``: live or static), with its creator; one query."""
    qs = Segment.objects.select_related("created_by").order_by("name", "id")
    if kind == "live":
        qs = qs.filter(is_static=False)
    elif kind == "static":
        qs = qs.filter(is_static=True)
    return qs


def segment_words(segment: Segment) -> str:
    """The segment's filter in words ("Plan is Gold and Activity has …"), or a note when a
    field it names is gone."""
    if not segment.definition:
        return "Everyone" if not segment.is_static else "A list of chosen people"
    try:
        return describe(parse(segment.definition, check=False))
    except ValidationFailed:  # a field removed since (a custom field deleted): say so
        return "A filter naming a field that no longer exists"
