"""Appraisals and schedules over the API (mounted with the decisions router): start one,
each side's input, completion once both sides gave theirs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from ninja import Field, Query, Router, Schema, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.tenancy.idempotency import idempotent
from commonground.tenancy.models import StaffMember

from . import services
from .models import DualForm, Meeting

router = Router(tags=["decisions"])
TEXT = 10_000


class FormIn(Schema):
    kind: Literal["appraisal", "schedule"]
    title: str = Field(..., max_length=200)
    subject_user_email: str | None = Field(None, max_length=254,
                                           description="An appraisal: the staff member")
    period_start: date | None = None
    period_end: date | None = None
    meeting_id: int | None = Field(None, ge=1, le=MAX_ID)


class InputIn(Schema):
    side: Literal["mission", "business"]
    body: str = Field(..., max_length=TEXT)
    data: dict[str, Any] | None = Field(None, description="rating 1–5 or slots")


class CompleteIn(Schema):
    summary: str = Field(..., max_length=TEXT)


class InputOut(Schema):
    side: str
    author: str
    body: str
    data: dict[str, Any]
    submitted_at: datetime


class FormOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    subject_user: str | None
    period_start: date | None
    period_end: date | None
    meeting_id: int | None
    waiting_for: list[str]
    inputs: list[InputOut]
    summary: str
    created_at: datetime
    completed_at: datetime | None


def _form_out(f: DualForm) -> dict[str, Any]:
    inputs = list(f.inputs.select_related("author").order_by("side"))
    have = {i.side for i in inputs}
    return {"id": f.pk, "kind": f.kind, "title": f.title, "status": f.status,
            "subject_user": f.subject_user.email if f.subject_user_id else None,
            "period_start": f.period_start, "period_end": f.period_end,
            "meeting_id": f.meeting_id, "summary": f.summary, "created_at": f.created_at,
            "completed_at": f.completed_at,
            "waiting_for": [s for s in ("mission", "business") if s not in have]
            if f.status == "open" else [],
            "inputs": [{"side": i.side, "author": i.author.email, "body": i.body,
                        "data": i.data, "submitted_at": i.submitted_at} for i in inputs]}


def _forms():
    return DualForm.objects.select_related("subject_user")


@router.get("/forms", response=Page[FormOut], summary="Appraisals and schedules")
def list_forms(request, status: Literal["open", "completed"] | None = None,
               kind: Literal["appraisal", "schedule"] | None = None,
               cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = _forms().filter(**({"status": status} if status else {}),
                         **({"kind": kind} if kind else {}))
    page = paginate(qs, cursor=cursor, limit=limit)
    return {"items": [_form_out(f) for f in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/forms", response={201: FormOut}, summary="Start an appraisal or a schedule")
@idempotent
def create_form(request, payload: FormIn):
    subject = None
    if payload.subject_user_email:
        ids = StaffMember.objects.values_list("user_id", flat=True)
        subject = get_user_model().objects.filter(
            pk__in=ids, email__iexact=payload.subject_user_email.strip()).first()
        if subject is None:
            raise ValidationFailed("Please correct the highlighted fields", fields={
                "subject_user_email": ["not a staff member of this association"]})
    meeting = get_or_404(Meeting.objects.all(), payload.meeting_id) \
        if payload.meeting_id else None
    made = services.dual_form_create(
        association=request.association, kind=payload.kind, title=payload.title,
        subject_user=subject, period_start=payload.period_start,
        period_end=payload.period_end, meeting=meeting, actor=request.user)
    return Status(201, _form_out(made))


@router.get("/forms/{form_id}", response=FormOut, summary="Get an appraisal or schedule")
def get_form(request, form_id: int = path_id()):
    return _form_out(get_or_404(_forms(), form_id))


@router.post("/forms/{form_id}/inputs", response={201: FormOut},
             summary="Give your side's input (replaces your side's earlier one)")
@idempotent
def give_input(request, payload: InputIn, form_id: int = path_id()):
    form = get_or_404(_forms(), form_id)
    services.dual_input_submit(association=request.association, form=form, side=payload.side,
                               body=payload.body, data=payload.data, actor=request.user)
    return Status(201, _form_out(get_or_404(_forms(), form_id)))


@router.post("/forms/{form_id}/complete", response=FormOut,
             summary="Complete with the agreed result (both sides' input needed)")
@idempotent
def complete(request, payload: CompleteIn, form_id: int = path_id()):
    form = get_or_404(_forms(), form_id)
    services.dual_form_complete(association=request.association, form=form,
                                summary=payload.summary, actor=request.user)
    return _form_out(get_or_404(_forms(), form_id))
