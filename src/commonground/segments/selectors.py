"""Reads of the segments app: a segment's people (live: its filter evaluated now; static:
its members), counts, samples, the list of segments. Inside the association's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from commonground.core.errors import ValidationFailed
from commonground.people.filters import describe, filter_fields, parse, person_queryset
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


def under_definition(exc: ValidationFailed) -> ValidationFailed:
    """A filter's mistakes with their paths under ``definition.`` (the input's name)."""
    return ValidationFailed(exc.message, fields={
        k if k == "definition" else f"definition.{k}": v for k, v in exc.fields.items()})


def definition_people(definition: Any, *, today: date | None = None) -> QuerySet[Person]:
    """The people an ad-hoc definition selects, checked: ``ValidationFailed`` with the
    mistakes under ``definition.`` (``definition.rules.0.value``)."""
    try:
        return person_queryset(definition, today=today)
    except ValidationFailed as exc:
        raise under_definition(exc) from None


def segment_list(*, kind: str = "") -> QuerySet[Segment]:
    """Every segment by name (``kind``: live or static), with its creator; one query."""
    qs = Segment.objects.select_related("created_by").order_by("name", "id")
    if kind == "live":
        qs = qs.filter(is_static=False)
    elif kind == "static":
        qs = qs.filter(is_static=True)
    return qs


def segment_words(segment: Segment, labels: dict[str, dict[str, str]] | None = None) -> str:
    """The segment's filter in words ("Plan is Gold and Activity has …"), or a note when a
    field it names is gone. ``labels``: one dict shared over a list (see ``describe``)."""
    if not segment.definition:
        return "Everyone" if not segment.is_static else "A list of chosen people"
    try:
        return describe(parse(segment.definition, check=False), labels)
    except ValidationFailed:  # a field removed since (a custom field deleted): say so
        return "A filter naming a field that no longer exists"


def field_catalogue() -> list[dict[str, Any]]:
    """Every field of the language for this association, with its operators and the values
    of its choices: the builder's menus and ``GET /segments/fields``."""
    out = []
    for f in filter_fields():
        out.append({
            "key": f.key, "label": f.label, "group": f.group, "type": f.type,
            "operators": list(f.operators()), "help": f.help,
            "choices": [[str(v), str(label)] for v, label in f.choices()]
            if f.choices is not None else None,
            "inputs": [{"name": i.name, "label": i.label, "type": i.type,
                        "choices": [[str(v), str(label)] for v, label in i.choices()]
                        if i.choices is not None else None} for i in f.inputs],
        })
    return out
