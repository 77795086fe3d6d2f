"""HTTP API for duplicates, merging and notes (mounted under /api/v1)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from commonground.core.ids import MAX_ID
from commonground.core.pagination import (
    InvalidCursor,
    Page,
    clamp_limit,
    decode_cursor,
    encode_cursor,
    paginate,
)
from commonground.tenancy.idempotency import idempotent

from . import duplicates, selectors, services
from .api_selectors import get_or_404
from .merging.fields import GROUPS
from .models import Note, Person
from .schemas import PersonOut

router = Router(tags=["duplicates"])
Side = Literal["keep", "remove"]
FieldName = Literal[tuple(GROUPS)]  # type: ignore[valid-type]


class PersonBrief(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    postal_code: str


class DuplicateOut(Schema):
    id: str = Field(description="The pair: `<lower id>-<higher id>`")
    score: int = Field(description="0–100; independent pieces of evidence combine")
    reasons: list[str]
    codes: list[str] = Field(description="email, phone, name_postal, name_org, similar_postal, "
                                         "similar_org, same_name, similar_name")
    person_a: PersonBrief
    person_b: PersonBrief


class DismissIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_ids: list[int] = Field(..., min_length=2, max_length=2,
                                  description="The two people who are not the same")


class DismissOut(Schema):
    id: int
    person_a: int = Field(validation_alias="person_a_id")
    person_b: int = Field(validation_alias="person_b_id")
    created_at: datetime


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    remove_id: int = Field(..., ge=1, le=MAX_ID, description="The person merged into this one")
    field_choices: dict[FieldName, Side] = Field(
        default_factory=dict, description="Per field, whose value the merged person keeps; "
        "default: this person's, or the other's where this one has none")


class MergeOut(Schema):
    person: PersonOut
    removed_id: int
    moved: dict[str, int] = Field(description="Rows moved, per model and column")
    fields_from_removed: list[str]
    identities_added: list[str] = Field(description="Emails kept as extra identities")
    already_merged: bool = Field(description="True when this merge had already happened")


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(..., min_length=1, max_length=services.NOTE_MAX_BODY)
    pinned: bool = False


class NoteOut(Schema):
    id: int
    body: str
    pinned: bool
    author: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Note) -> str | None:
        return obj.author.email if obj.author_id else None


def _offset(cursor: str) -> int:
    """Where a duplicates page starts: the list writes ``["offset", n]`` (it is ranked, not
    keyed, so it pages by position)."""
    marker, start = decode_cursor(cursor, size=2).key
    if marker != "offset" or start < 0:
        raise InvalidCursor()
    return start


@router.get("/people/duplicates", response=Page[DuplicateOut], summary="Possible duplicates")
def list_duplicates(request, min_score: int = Query(0, ge=0, le=100),
                    cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """Pairs of people who may be the same person, best first, with the reasons. Pairs
    marked "not a duplicate" are left out."""
    limit = clamp_limit(limit)
    start = _offset(cursor) if cursor else 0
    found = [c for c in duplicates.duplicate_candidates(association=request.association)
             if c.score >= min_score]
    page = duplicates.with_people(found[start:start + limit])
    items = [{"id": c.key, "score": c.score, "reasons": c.reasons, "codes": c.codes,
              "person_a": c.people[0], "person_b": c.people[1]} for c in page]
    more = start + limit < len(found)
    return {"items": items, "next_cursor": encode_cursor(["offset", start + limit]) if more else None}


@router.post("/people/duplicates/dismissals", response={201: DismissOut},
             summary="Mark two people as not duplicates")
@idempotent
def dismiss_duplicate(request, payload: DismissIn):
    a, b = (get_or_404(Person.objects.all(), pk) for pk in payload.person_ids)
    row = services.duplicate_dismiss(association=request.association, person_a=a, person_b=b,
                                       actor=request.user)
    return Status(201, row)


@router.post("/people/{person_id}/merge", response=MergeOut, summary="Merge a person into this one")
@idempotent
def merge_person(request, payload: MergeIn, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """Everything attached to `remove_id` moves to this person, then `remove_id` is deleted
    (a full copy stays in the audit trail). Repeating a merge that already happened answers
    200 with `already_merged: true`."""
    keep = get_or_404(Person.objects.all(), person_id)
    remove = Person.objects.filter(pk=payload.remove_id).first()
    if remove is None:
        outcome = services.merge_outcome(keep=keep, remove_id=payload.remove_id)
        if outcome is None:
            raise Http404("No such person")
        return outcome
    return services.person_merge(association=request.association, keep=keep, remove=remove,
                                actor=request.user, field_choices=dict(payload.field_choices))


@router.get("/people/{person_id}/notes", response=Page[NoteOut], tags=["notes"],
            summary="Notes on a person")
def list_notes(request, person_id: int = Path(..., ge=1, le=MAX_ID),
               cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """Oldest first, in pages (the profile shows pinned notes first)."""
    person = get_or_404(Person.objects.all(), person_id)
    return paginate(selectors.notes_for(person), cursor=cursor, limit=limit)


@router.post("/people/{person_id}/notes", response={201: NoteOut}, tags=["notes"],
             summary="Add a note")
@idempotent
def add_note(request, payload: NoteIn, person_id: int = Path(..., ge=1, le=MAX_ID)):
    person = get_or_404(Person.objects.all(), person_id)
    note = services.note_add(association=request.association, person=person, body=payload.body,
                          pinned=payload.pinned, actor=request.user)
    return Status(201, note)
