"""API: Data sharing (helper sharing), mounted by ``web.api`` under /api/v1.

Agreements the token's association is a party to (grantor or recipient), proposing,
approving, revoking; the rows an agreement shares (recipient only, through
``crossing.sharing.shared_rows``: every call is logged for both parties, ``via`` "api");
the read log; consents recorded by staff. Another pair's agreement is a 404; an
agreement not in force is a 409 saying why.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from commonground.core.errors import NotFound
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, clamp_limit, decode_cursor, encode_cursor
from commonground.tenancy.idempotency import idempotent

from . import selectors_sharing as selectors
from . import sharing as registry
from .crossing import sharing as crossing
from .models import SharedRead, SharingAgreement
from .services import sharing as services

router = Router(tags=["Data sharing"])


class FieldOut(Schema):
    key: str
    label: str


class RecordKindOut(Schema):
    key: str
    label: str
    description: str
    fields: list[FieldOut]


class AgreementOut(Schema):
    id: int
    title: str
    purpose: str
    grantor: str = Field(description="The slug of the association holding the data")
    recipient: str
    side: Literal["grantor", "recipient"] = Field(description="The token's association's")
    consortium_id: int | None
    record_kind: str
    fields: list[str]
    row_filter: dict[str, Any]
    consent_required: bool
    starts_on: date
    expires_on: date
    status: str = Field(description="proposed, active, scheduled, expired or revoked: "
                                    "expiry is read, in the grantor's zone")
    grantor_approved_at: datetime | None
    recipient_approved_at: datetime | None
    revoked_at: datetime | None
    revoke_reason: str
    created_at: datetime


class AgreementIn(Schema):
    model_config = ConfigDict(extra="forbid")
    partner: str = Field(..., max_length=64, description="The other association's slug")
    direction: Literal["grant", "request"] = Field(
        "grant", description="grant: we share our data; request: we ask for theirs")
    title: str = Field(..., max_length=200)
    purpose: str = Field(..., max_length=5000)
    record_kind: str = Field("members", max_length=40)
    fields: list[str] = Field(..., max_length=20)
    row_filter: dict[str, Any] | None = None
    consent_required: bool = True
    starts_on: date | None = None
    expires_on: date


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., max_length=2000)


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_id: int = Field(..., ge=1, le=MAX_ID)
    given: bool = True


class ConsentOut(Schema):
    agreement_id: int
    person_id: int
    given: bool
    given_at: datetime | None
    withdrawn_at: datetime | None


class RowsOut(Schema):
    agreement_id: int
    grantor: str
    fields: list[str]
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class ReadOut(Schema):
    id: int
    agreement_id: int
    at: datetime
    reader: str | None
    recipient: str
    via: str
    fields: list[str]
    rows: int


def _out(a: SharingAgreement, association) -> dict[str, Any]:
    return {"id": a.pk, "title": a.title, "purpose": a.purpose, "grantor": a.association.slug,
            "recipient": a.recipient.slug,
            "side": "grantor" if a.association_id == association.pk else "recipient",
            "consortium_id": a.consortium_id, "record_kind": a.record_kind,
            "fields": list(a.fields), "row_filter": a.row_filter or {},
            "consent_required": a.consent_required, "starts_on": a.starts_on,
            "expires_on": a.expires_on, "status": crossing.state(a),
            "grantor_approved_at": a.grantor_approved_at,
            "recipient_approved_at": a.recipient_approved_at, "revoked_at": a.revoked_at,
            "revoke_reason": a.revoke_reason, "created_at": a.created_at}


def _visible(request, agreement_id: int) -> SharingAgreement:
    try:
        return crossing.agreement_visible(association=request.association,
                                          agreement_id=agreement_id)
    except NotFound:
        raise Http404("No such agreement") from None


@router.get("/sharing/record-kinds", response=list[RecordKindOut],
            summary="What an agreement may share: record kinds and their fields")
def list_sharing_record_kinds(request):
    return [{"key": k.key, "label": k.label, "description": k.description,
             "fields": [{"key": f.key, "label": f.label} for f in k.fields]}
            for k in registry.kinds()]


@router.get("/agreements", response=Page[AgreementOut],
            summary="Data-sharing agreements we are a party to")
def list_agreements(request, side: Literal["granted", "received"] | None = None,
                    cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """Oldest first (keyset by id); ``side`` granted (we hold the data) or received."""
    limit = clamp_limit(limit)
    after = decode_cursor(cursor, size=2).key[-1] if cursor else 0
    found = sorted((a for a in crossing.agreements_of(request.association, side=side)
                    if a.pk > after), key=lambda a: a.pk)
    page = found[:limit]
    more = len(found) > limit
    return {"items": [_out(a, request.association) for a in page],
            "next_cursor": encode_cursor([page[-1].pk, page[-1].pk]) if more else None}


@router.post("/agreements", response={201: AgreementOut},
             summary="Propose a data-sharing agreement")
@idempotent
def create_agreement(request, payload: AgreementIn):
    """An administrator. The partner must take part with us in an active consortium; our
    side's approval is recorded with the proposal, the partner's administrator approves."""
    a = services.agreement_propose(association=request.association, actor=request.user,
                                   **payload.model_dump())
    return Status(201, _out(a, request.association))


@router.get("/agreements/{agreement_id}", response=AgreementOut, summary="An agreement")
def get_agreement(request, agreement_id: int = path_id()):
    return _out(_visible(request, agreement_id), request.association)


@router.post("/agreements/{agreement_id}/approve", response=AgreementOut,
             summary="Approve an agreement for our side")
@idempotent
def approve_agreement(request, agreement_id: int = path_id()):
    a = services.agreement_approve(association=request.association,
                                   agreement=_visible(request, agreement_id),
                                   actor=request.user)
    return _out(a, request.association)


@router.post("/agreements/{agreement_id}/revoke", response=AgreementOut,
             summary="Revoke (or decline) an agreement, at once")
@idempotent
def revoke_agreement(request, payload: ReasonIn, agreement_id: int = path_id()):
    a = services.agreement_revoke(association=request.association,
                                  agreement=_visible(request, agreement_id),
                                  reason=payload.reason, actor=request.user)
    return _out(a, request.association)


@router.get("/agreements/{agreement_id}/rows", response=RowsOut,
            summary="The rows an agreement shares with us (logged for both parties)")
def list_agreement_rows(request, agreement_id: int = path_id(),
                        cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """Only the agreement's named fields of the rows it reaches (consent, row filter).
    404 unless we are the recipient; 409 with the reason when it is not in force."""
    page = crossing.shared_rows(agreement_id=agreement_id, recipient=request.association,
                                reader=request.user, via="api", cursor=cursor, limit=limit)
    return {"agreement_id": agreement_id, "grantor": page.agreement.association.slug,
            "fields": page.fields, "items": page.rows, "next_cursor": page.next_cursor}


@router.get("/agreements/{agreement_id}/reads", response=list[ReadOut],
            summary="The agreement's read log, newest first (both parties see it)")
def list_agreement_reads(request, agreement_id: int = path_id(),
                         limit: int = Query(200, ge=1, le=1000)):
    reads: list[SharedRead] = crossing.read_log(association=request.association,
                                                agreement_id=agreement_id, limit=limit)
    return [{"id": r.pk, "agreement_id": r.agreement_id, "at": r.at,
             "reader": r.reader.email if r.reader else None, "recipient": r.recipient.slug,
             "via": r.via, "fields": list(r.fields), "rows": r.rows} for r in reads]


@router.post("/agreements/{agreement_id}/consents", response=ConsentOut,
             summary="Record a member's consent (or its withdrawal) to our agreement")
@idempotent
def record_agreement_consent(request, payload: ConsentIn, agreement_id: int = path_id()):
    """Staff of the grantor, for a consent received outside the portal."""
    agreement = selectors.consentable_agreement(association=request.association,
                                                agreement_id=agreement_id)
    person = selectors.person_for_consent(association=request.association,
                                          ref=payload.person_id)
    if agreement is None or person is None:
        raise Http404("Not found")
    write = services.consent_give if payload.given else services.consent_withdraw
    consent = write(association=request.association, agreement=agreement, person=person,
                    via="staff", actor=request.user)
    return {"agreement_id": agreement.pk, "person_id": person.pk,
            "given": bool(consent and consent.withdrawn_at is None),
            "given_at": consent.given_at if consent else None,
            "withdrawn_at": consent.withdrawn_at if consent else None}
