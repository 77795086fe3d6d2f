"""Reads behind the people API (lists with filters). Scoped by the caller's association."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from commonground.core.errors import ValidationFailed

from .filters import parse, tree_q
from .filters.language import context
from .models import Chapter, Organisation, Person
from .selectors import list_definition


def get_or_404(qs: QuerySet, pk: int):
    """The object with ``pk`` in the current association; anything else is a plain 404."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    return obj


def people_filter(*, q: str | None = None, email: str | None = None, chapter: str | None = None,
                  status: str | None = None, plan: str | None = None,
                  updated_since: datetime | None = None, include_erased: bool = False,
                  definition: Any = None) -> QuerySet[Person]:
    """The API's list filters. Search, chapter, status and plan are rules of the filter
    language (``people.filters``) — the staff list's and the segments' words — and
    ``definition`` a whole filter of it, ANDed; a bad one is a 422 whose fields are its
    paths under ``filter.`` (``filter.rules.0.value``)."""
    # The staff list's menus, the same definition (``selectors.list_definition``). Their
    # values are not checked against the association's (an unknown chapter or another
    # association's plan id lists nobody, as before); a whole filter is. A blank search
    # searches for nothing, as it always did.
    legacy = parse(list_definition(search=(q or "").strip(), chapter=(chapter or "").strip(),
                                   plan=(plan or "").strip(), status=status or ""), check=False)
    ctx = context()
    qs = Person.objects.filter(tree_q(legacy, ctx))
    if definition is not None:
        try:
            tree = parse(definition)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={
                f"filter.{k}" if k != "definition" else "filter": v
                for k, v in exc.fields.items()}) from None
        qs = qs.filter(tree_q(tree, ctx))
    if not include_erased:
        qs = qs.filter(erased_at__isnull=True)
    if email:
        qs = qs.filter(email_key=email.strip().lower())
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
