"""Segments API, mounted by ``web.api`` under /api/v1: saved segments (live filters or
static lists) with their counts, members, files, freezing and copies, the fields of the
filter language, and an ad-hoc count of any definition."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Query, Router, Status

from commonground.core.ids import path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.people.schemas import PersonOut
from commonground.tenancy.idempotency import idempotent

from . import selectors, services
from .exporting import segment_file_response
from .models import Segment
from .schemas import (
    CountIn,
    CountOut,
    FieldOut,
    NameIn,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)

router = Router(tags=["segments"])


def _out(s: Segment, labels: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "slug": s.slug, "description": s.description,
            "kind": "static" if s.is_static else "live", "definition": s.definition or {},
            "words": selectors.segment_words(s, labels), "last_count": s.last_count,
            "counted_at": s.counted_at, "frozen_at": s.frozen_at,
            "frozen_from_id": s.frozen_from_id, "created_at": s.created_at,
            "updated_at": s.updated_at}


def _sample(people) -> list[dict[str, Any]]:
    return [{"id": p.pk, "name": str(p)} for p in selectors.sample(people, 5)]


@router.get("/segments/fields", response=list[FieldOut], summary="Fields of the filter language")
def list_fields(request):
    """What a definition can name: each field's key, type, operators and values (plans,
    chapters, categories… of this association)."""
    return selectors.field_catalogue()


@router.post("/segments/count", response=CountOut, summary="Count an ad-hoc definition")
@idempotent  # a read, but every POST takes Idempotency-Key alike
def count_definition(request, payload: CountIn):
    """How many people a definition selects now, and the first five by name, without
    saving it. A mistake is a 422 whose fields are the definition's paths."""
    people = selectors.definition_people(payload.definition)
    return {"count": people.order_by().count(), "sample": _sample(people)}


@router.get("/segments", response=Page[SegmentOut], summary="List segments")
def list_segments(request, kind: Literal["live", "static"] | None = None,
                  cursor: str | None = Query(None, max_length=500), limit: int = 50):
    page = paginate(selectors.segment_list(kind=kind or ""), cursor=cursor, limit=limit)
    labels: dict[str, dict[str, str]] = {}  # each choice field's labels read once per page
    return {"items": [_out(s, labels) for s in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.post("/segments", response={201: SegmentOut}, summary="Save a segment")
@idempotent
def create_segment(request, payload: SegmentIn):
    """With `definition`: a live segment, evaluated whenever used. With `person_ids`: a
    static list of those people."""
    if payload.person_ids is not None:
        segment = services.segment_create_static(
            association=request.association, name=payload.name, person_ids=payload.person_ids,
            description=payload.description, actor=request.user)
    else:
        segment = services.segment_create(
            association=request.association, name=payload.name,
            definition=payload.definition or {}, description=payload.description,
            actor=request.user)
    return Status(201, _out(segment))


@router.get("/segments/{segment_id}", response=SegmentOut, summary="Get a segment")
def get_segment(request, segment_id: int = path_id()):
    return _out(get_or_404(Segment.objects.all(), segment_id))


@router.patch("/segments/{segment_id}", response=SegmentOut, summary="Change a segment")
@idempotent
def patch_segment(request, payload: SegmentPatch, segment_id: int = path_id()):
    segment = get_or_404(Segment.objects.all(), segment_id)
    data = payload.model_dump(exclude_unset=True)
    return _out(services.segment_update(association=request.association, segment=segment,
                                        actor=request.user, **data))


@router.delete("/segments/{segment_id}", response={204: None}, summary="Delete a segment")
@idempotent
def delete_segment(request, segment_id: int = path_id()):
    segment = get_or_404(Segment.objects.all(), segment_id)
    services.segment_delete(association=request.association, segment=segment,
                            actor=request.user)
    return Status(204, None)


@router.get("/segments/{segment_id}/count", response=CountOut, summary="Count a segment")
def count_segment(request, segment_id: int = path_id()):
    segment = get_or_404(Segment.objects.all(), segment_id)
    return {"count": selectors.segment_count(segment),
            "sample": _sample(selectors.segment_people(segment))}


@router.get("/segments/{segment_id}/members", response=Page[PersonOut],
            summary="The segment's people")
def segment_members(request, segment_id: int = path_id(),
                    cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """Live segments are evaluated now, page by page (by id)."""
    segment = get_or_404(Segment.objects.all(), segment_id)
    return paginate(selectors.segment_people(segment), cursor=cursor, limit=limit)


@router.get("/segments/{segment_id}/export", summary="The segment's people as a file")
def export_segment(request, segment_id: int = path_id(),
                   format: Literal["csv", "xlsx"] = "csv"):  # noqa: A002 (the API's word)
    """The roster importer's columns (the file imports again), CSV or XLSX."""
    segment = get_or_404(Segment.objects.all(), segment_id)
    return segment_file_response(association=request.association, segment=segment, fmt=format)


@router.post("/segments/{segment_id}/freeze", response={201: SegmentOut},
             summary="Freeze a live segment into a static list")
@idempotent
def freeze_segment(request, payload: NameIn | None = None, segment_id: int = path_id()):
    segment = get_or_404(Segment.objects.all(), segment_id)
    frozen = services.segment_freeze(association=request.association, segment=segment,
                                     name=payload.name if payload else "", actor=request.user)
    return Status(201, _out(frozen))


@router.post("/segments/{segment_id}/duplicate", response={201: SegmentOut},
             summary="Copy a segment")
@idempotent
def duplicate_segment(request, payload: NameIn | None = None, segment_id: int = path_id()):
    segment = get_or_404(Segment.objects.all(), segment_id)
    copy = services.segment_duplicate(association=request.association, segment=segment,
                                      name=payload.name if payload else "", actor=request.user)
    return Status(201, _out(copy))
