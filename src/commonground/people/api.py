"""HTTP API for people, organisations and chapters (mounted under /api/v1)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from ninja import Path, Query, Router, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID
from commonground.core.pagination import Page, paginate
from commonground.tenancy.idempotency import idempotent

from . import api_selectors as sel
from . import services
from .filters.fields import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS
from .models import Chapter, Organisation, Person
from .privacy import person_export
from .schemas import (
    ChapterIn,
    ChapterOut,
    OrganisationIn,
    OrganisationOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    SectorName,
)

router = Router()

StatusName = Literal["active", "renewal_due", "grace", "lapsed", "cancelled"]


@router.get("/people", response=Page[PersonOut], tags=["people"], summary="List people")
def list_people(
    request,
    q: str | None = Query(None, max_length=200, description=(
        "Words matched against name and email: people whose name or email contains every "
        f"word (the first {MAX_SEARCH_WORDS} words of the first {MAX_SEARCH_LENGTH} "
        "characters), as the staff list searches")),
    email: str | None = Query(None, max_length=254, description="Exact email (case-insensitive)"),
    chapter: str | None = Query(None, max_length=64, description="Chapter id or slug"),
    status: StatusName | None = Query(None, description="Has a membership in this status"),
    plan: str | None = Query(None, max_length=64, description="Has a membership on this plan "
                             "(id or slug); with `status`, the same membership must match both"),
    updated_since: datetime | None = Query(None, description="Changed at or after (ISO 8601)"),
    include_erased: bool = Query(False, description="Also list erased people (their identity "
                                                    "blanked, `erased_at` set); left out by "
                                                    "default"),
    filter_: str | None = Query(None, alias="filter", max_length=8000, description=(
        "A filter of the person-filter language as JSON, ANDed with the other parameters: "
        '`{"op": "and", "rules": [{"field": "membership.plan", "op": "is", "value": "3"}]}`; '
        "the fields and their operators are listed by `GET /segments/fields`")),
    sort: Literal["id", "updated_at"] = Query("id", description="Sort key; `updated_at` suits "
                                                                "incremental syncs"),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(50, description="Page size; values above 200 are served as 200"),
):
    """People of the calling association, in pages. Follow `next_cursor` until it is null."""
    qs = sel.people_filter(q=q, email=email, chapter=chapter, status=status, plan=plan,
                           updated_since=updated_since, include_erased=include_erased,
                           definition=_definition(filter_))
    return paginate(qs, cursor=cursor, limit=limit, key=sort)


def _definition(raw: str | None) -> Any:
    if raw is None or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ValidationFailed("The filter is not JSON.", fields={"filter": [str(exc)]}) from None


@router.post("/people", response={201: PersonOut}, tags=["people"], summary="Create a person")
@idempotent
def create_person(request, payload: PersonIn):
    """An email already on file is a 409 with the existing person's id in `fields.email`."""
    data = payload.model_dump(exclude_unset=True)
    person = services.person_create(association=request.association, actor=request.user, **data)
    return Status(201, person)


@router.get("/people/{person_id}", response=PersonOut, tags=["people"], summary="Get a person")
def get_person(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    return sel.get_or_404(Person.objects.all(), person_id)


@router.patch("/people/{person_id}", response=PersonOut, tags=["people"],
              summary="Change a person")
@idempotent
def patch_person(request, payload: PersonPatch, person_id: int = Path(..., ge=1, le=MAX_ID)):
    person = sel.get_or_404(Person.objects.all(), person_id)
    data = payload.model_dump(exclude_unset=True)
    return services.person_update(association=request.association, person=person,
                                  actor=request.user, **data)


@router.get("/people/{person_id}/export", response=dict[str, Any], tags=["people", "privacy"],
            summary="Export everything held on a person")
def export_person(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """The subject-access export: profile, memberships, invoices, history, audit trail.
    The export itself is audited."""
    person = sel.get_or_404(Person.objects.all(), person_id)
    return person_export(person, actor=request.user)


@router.post("/people/{person_id}/erase", response=PersonOut, tags=["people", "privacy"],
             summary="Erase a person")
@idempotent
def erase_person(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """Removes the person's identity; memberships, invoices and payments stay (without the
    identity) for the books. Erasing again is a no-op."""
    person = sel.get_or_404(Person.objects.all(), person_id)
    return services.person_erase(association=request.association, person=person,
                                 actor=request.user)


@router.get("/organisations", response=Page[OrganisationOut], tags=["organisations"],
            summary="List organisations")
def list_organisations(
    request,
    q: str | None = Query(None, max_length=200, description="Part of the name"),
    sector: SectorName | None = None,
    cursor: str | None = Query(None, max_length=500),
    limit: int = 50,
):
    return paginate(sel.organisations_filter(q=q, sector=sector), cursor=cursor, limit=limit)


@router.get("/organisations/{organisation_id}", response=OrganisationOut,
            tags=["organisations"], summary="Get an organisation")
def get_organisation(request, organisation_id: int = Path(..., ge=1, le=MAX_ID)):
    return sel.get_or_404(Organisation.objects.all(), organisation_id)


@router.post("/organisations", response={201: OrganisationOut}, tags=["organisations"],
             summary="Create an organisation")
@idempotent
def create_organisation(request, payload: OrganisationIn):
    """An organisation with the same name (case-insensitive) is returned, not duplicated."""
    org = services.organisation_create(association=request.association, actor=request.user,
                                       **payload.model_dump())
    return Status(201, org)


@router.get("/chapters", response=Page[ChapterOut], tags=["chapters"], summary="List chapters")
def list_chapters(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    return paginate(sel.chapters_all(), cursor=cursor, limit=limit)


@router.get("/chapters/{chapter_id}", response=ChapterOut, tags=["chapters"],
            summary="Get a chapter")
def get_chapter(request, chapter_id: int = Path(..., ge=1, le=MAX_ID)):
    return sel.get_or_404(Chapter.objects.all(), chapter_id)


@router.post("/chapters", response={201: ChapterOut}, tags=["chapters"], summary="Create a chapter")
@idempotent
def create_chapter(request, payload: ChapterIn):
    """A chapter with the same name is returned, not duplicated."""
    chapter = services.chapter_create(association=request.association, actor=request.user,
                                      **payload.model_dump())
    return Status(201, chapter)
