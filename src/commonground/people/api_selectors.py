"""Reads behind the people API (lists with filters). Scoped by the caller's association."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from commonground.core.ids import parse_id

from .models import Chapter, Organisation, Person
from .selectors import person_search


def get_or_404(qs: QuerySet, pk: int):
    """The object with ``pk`` in the current association; anything else is a plain 404."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    return obj


def _id_or_slug(value: str, *, through: str = "") -> Q:
    """``pk`` or ``slug`` equals ``value``; ``through`` names a relation to look through."""
    value = value.strip()
    pk = parse_id(value)
    return Q(**{f"{through}pk": pk}) if pk is not None else Q(**{f"{through}slug": value})


def people_filter(*, q: str | None = None, email: str | None = None, chapter: str | None = None,
                  status: str | None = None, plan: str | None = None,
                  updated_since: datetime | None = None,
                  include_erased: bool = False) -> QuerySet[Person]:
    # The staff list's search rule (people.selectors.person_search): same words, same people.
    qs = person_search(Person.objects.all(), q, include_erased=include_erased)
    if email:
        qs = qs.filter(email_key=email.strip().lower())
    if chapter:
        qs = qs.filter(chapter__in=Chapter.objects.filter(_id_or_slug(chapter)))
    # Status and plan are those of the person's current membership, as in the staff list
    # (the person's copy of it, kept by membership.services.member_summary_refresh).
    if status:
        qs = qs.filter(member_status=status)
    if plan:
        # Through the person's own plan column (one of this association's plans).
        qs = qs.filter(_id_or_slug(plan, through="member_plan__"))
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs


def organisations_filter(*, q: str | None = None, sector: str | None = None
                         ) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if q:
        qs = qs.filter(name_key__contains=q.strip().lower())
    if sector:
        qs = qs.filter(sector=sector)
    return qs


def chapters_all() -> QuerySet[Chapter]:
    return Chapter.objects.all()
