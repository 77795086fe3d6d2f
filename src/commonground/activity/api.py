"""HTTP API for activity sources, ingestion batches, rejects, and the signed webhook.

Token-authenticated routes act for the token's association. The webhook
(``POST /api/v1/hooks/activity/{association}/{source}``) is not: a feed platform signs each
delivery with the source's secret instead (see ``webhook``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django_scopes import scope
from ninja import Body, Path, Query, Router, Schema, Status
from pydantic import Field

from commonground.core.errors import DomainError, NotFound
from commonground.core.ids import MAX_ID
from commonground.core.pagination import Page, paginate
from commonground.tenancy.idempotency import idempotent
from commonground.tenancy.models import Association

from . import services
from .models import ActivityBatch, ActivityReject, ProfileKind, Source
from .webhook import verify_and_ingest

router = Router(tags=["activity sources"])
ProfileName = Literal[tuple(ProfileKind.values)]  # type: ignore[valid-type]


class SourceOut(Schema):
    id: int
    slug: str
    name: str
    profile: str
    is_active: bool
    mapping: dict[str, Any]
    created_at: datetime
    last_fed_at: datetime | None
    rows_landed: int
    rows_duplicate: int
    rows_unmatched: int
    rows_rejected: int


class SourceCreatedOut(SourceOut):
    webhook_secret: str = Field(description="Shown only now (and when rotated): keep it")


class SourceIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    slug: str = Field("", max_length=64)
    profile: ProfileName = Field(ProfileKind.CUSTOM, description="A shipped profile, or custom")
    mapping: dict[str, Any] | None = Field(None, description="The mapping profile (as the TOML "
                                           "profiles hold it); defaults to the profile's")

    model_config = {"extra": "forbid"}


class SourcePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    mapping: dict[str, Any] | None = None
    is_active: bool | None = None

    model_config = {"extra": "forbid"}


class SecretOut(Schema):
    webhook_secret: str


class BatchOut(Schema):
    id: int
    source_id: int
    channel: str
    file_name: str
    status: str
    rows_done: int
    created: int
    duplicates: int
    unmatched: int
    rejected: int
    message: str
    created_at: datetime
    finished_at: datetime | None


class RejectOut(Schema):
    id: int
    source_id: int
    batch_id: int | None
    line: int
    reason: str
    raw: dict[str, Any]
    status: str
    created_at: datetime


class RejectIds(Schema):
    reject_ids: list[int] | None = Field(None, max_length=10_000,
                                         description="Omit for every open reject of the source")

    model_config = {"extra": "forbid"}


class ReprocessOut(Schema):
    reprocessed: int
    created: int
    duplicates: int
    unmatched: int
    still_rejected: int


class DismissOut(Schema):
    dismissed: int


def _source(source_id: int) -> Source:
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound("No such source")
    return source


@router.get("/sources", response=Page[SourceOut], summary="List activity sources")
def list_sources(request, cursor: str | None = Query(None, max_length=500), limit: int = Query(50)):
    return paginate(Source.objects.all(), cursor=cursor, limit=limit)


@router.post("/sources", response={201: SourceCreatedOut}, summary="Create a source")
@idempotent(redact=("webhook_secret",))
def create_source(request, payload: SourceIn):
    """From a shipped profile (``mapping`` omitted) or a custom mapping. The response holds
    the webhook secret: the only time it is shown (rotate it to get a new one)."""
    source = services.source_create(association=request.association, actor=request.user,
                                    **payload.model_dump())
    return Status(201, source)


@router.get("/sources/{source_id}", response=SourceOut, summary="Get a source")
def get_source(request, source_id: int = Path(..., ge=1, le=MAX_ID)):
    return _source(source_id)


@router.patch("/sources/{source_id}", response=SourceOut, summary="Change a source or its mapping")
@idempotent
def patch_source(request, payload: SourcePatch, source_id: int = Path(..., ge=1, le=MAX_ID)):
    return services.source_update(association=request.association, source=_source(source_id),
                                  actor=request.user, **payload.model_dump(exclude_unset=True))


@router.post("/sources/{source_id}/secret", response=SecretOut,
             summary="Rotate the webhook secret")
@idempotent(redact=("webhook_secret",))
def rotate_secret(request, source_id: int = Path(..., ge=1, le=MAX_ID)):
    secret = services.source_rotate_secret(association=request.association,
                                           source=_source(source_id), actor=request.user)
    return {"webhook_secret": secret}


@router.post("/sources/{source_id}/activities", response=BatchOut,
             summary="Ingest a batch of activity rows")
@idempotent
def ingest_rows(request, rows: list[Any] = Body(..., max_length=services.MAX_API_ROWS),
                source_id: int = Path(..., ge=1, le=MAX_ID)):
    """A JSON array of row objects, keyed by the source's column names, mapped like a file.
    Idempotent: rows already ingested (same external id, or same content) are duplicates."""
    return services.activities_ingest_rows(association=request.association,
                                           source=_source(source_id), rows=rows,
                                           actor=request.user, channel="api")


@router.get("/activity-batches", response=Page[BatchOut], summary="List ingestion batches")
def list_batches(request, source: int | None = Query(None, ge=1, le=MAX_ID),
                 cursor: str | None = Query(None, max_length=500), limit: int = Query(50)):
    qs = ActivityBatch.objects.all()
    if source is not None:
        qs = qs.filter(source_id=source)
    return paginate(qs, cursor=cursor, limit=limit)


@router.get("/activity-batches/{activity_batch_id}", response=BatchOut, summary="Get a batch")
def get_batch(request, activity_batch_id: int = Path(..., ge=1, le=MAX_ID)):
    batch = ActivityBatch.objects.filter(pk=activity_batch_id).first()
    if batch is None:
        raise NotFound("No such batch")
    return batch


@router.get("/sources/{source_id}/rejects", response=Page[RejectOut],
            summary="Rows of a source that could not be read")
def list_rejects(request, source_id: int = Path(..., ge=1, le=MAX_ID),
                 status: Literal["open", "reprocessed", "dismissed"] | None = Query("open"),
                 cursor: str | None = Query(None, max_length=500), limit: int = Query(50)):
    qs = ActivityReject.objects.filter(source=_source(source_id))
    if status:
        qs = qs.filter(status=status)
    return paginate(qs, cursor=cursor, limit=limit)


@router.post("/sources/{source_id}/rejects/reprocess", response=ReprocessOut,
             summary="Run open rejects through the current mapping")
@idempotent
def reprocess_rejects(request, payload: RejectIds, source_id: int = Path(..., ge=1, le=MAX_ID)):
    return services.rejects_reprocess(association=request.association, source=_source(source_id),
                                      reject_ids=payload.reject_ids, actor=request.user)


@router.post("/sources/{source_id}/rejects/dismiss", response=DismissOut,
             summary="Set open rejects aside")
@idempotent
def dismiss_rejects(request, payload: RejectIds, source_id: int = Path(..., ge=1, le=MAX_ID)):
    count = services.rejects_dismiss(association=request.association, source=_source(source_id),
                                     reject_ids=payload.reject_ids, actor=request.user)
    return {"dismissed": count}


# The webhook: signed by the feed platform, no token. Not in the OpenAPI schema (its
# contract is the signature, documented in the README), so token walkers skip it.
@router.post("/hooks/activity/{association}/{source}", auth=None, include_in_schema=False)
@idempotent  # senders carry no token, so this passes through: replays are caught by signature
def webhook(request: HttpRequest, association: str, source: str):
    try:
        body = request.body
    except RequestDataTooBig:
        return _json(413, {"code": "too_large", "detail": "The delivery is too large", "fields": {}})
    assoc = Association.objects.filter(slug=association[:64]).first()
    if assoc is None:
        return _json(404, {"code": "not_found", "detail": "Not found", "fields": {}})
    with scope(association=assoc):
        try:
            status, payload = verify_and_ingest(association=assoc, source_slug=source[:64],
                                                headers=request.headers, body=body)
        except DomainError as exc:
            return _json(exc.status, exc.as_dict())
    return _json(status, payload)


def _json(status: int, payload: dict) -> HttpResponse:
    return HttpResponse(json.dumps(payload, default=str), status=status,
                        content_type="application/json")
