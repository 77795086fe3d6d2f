"""Meetings API, mounted by ``web.api`` under /api/v1: series of meetings, meetings with
their participants, agenda (drafted from the data or added), minutes and circulation;
action items; and (``api_manual``) the caller's inbox and the operations manual."""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.utils import timezone
from ninja import Query, Router, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.planning.models import Objective
from commonground.tenancy.clock import association_today
from commonground.tenancy.idempotency import idempotent

from . import selectors_meetings as selectors
from . import services
from .api_manual import in_association as _in_association
from .api_manual import router as manual_router
from .models import ActionItem, ActionStatus, AgendaItem, Meeting, MeetingSeries
from .schemas_meetings import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    AgendaItemIn,
    AgendaItemOut,
    CirculateOut,
    DraftOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MinutesIn,
    SeriesIn,
    SeriesOut,
)

router = Router(tags=["meetings"])


def _staff_user(request, user_id: int, field: str):
    """A user id in a body: the association's staff, else a 422 on that field."""
    user = get_user_model().objects.filter(
        pk=user_id, staff_roles__association=request.association).distinct().first()
    if user is None:
        raise ValidationFailed("Please correct the highlighted fields",
                               fields={field: [f"user {user_id} is not staff here"]})
    return user


def _participants(meeting: Meeting) -> list[dict[str, Any]]:
    return [{"user_id": p.user_id, "email": p.user.email, "side": p.side,
             "attended": p.attended}
            for p in meeting.participants.select_related("user").order_by("side", "user_id")]


def _meeting(m: Meeting) -> dict[str, Any]:
    return {"id": m.pk, "title": m.title, "starts_at": m.starts_at, "location": m.location,
            "status": m.status, "series_id": m.series_id, "minutes": m.minutes,
            "held_at": m.held_at, "circulated_at": m.circulated_at,
            "participants": _participants(m)}


def _item(i: AgendaItem) -> dict[str, Any]:
    return {"id": i.pk, "position": i.position, "title": i.title, "body": i.body,
            "origin": i.origin, "origin_key": i.origin_key, "objective_id": i.objective_id,
            "action_item_id": i.action_item_id, "decision_id": i.decision_id,
            "notes": i.notes}


def _action(a: ActionItem, today) -> dict[str, Any]:
    return {"id": a.pk, "title": a.title, "owner_id": a.owner_id,
            "owner_email": a.owner.email, "due_on": a.due_on, "status": a.status,
            "overdue": a.status == ActionStatus.OPEN and a.due_on < today,
            "meeting_id": a.meeting_id, "objective_id": a.objective_id,
            "decision_id": a.decision_id, "done_at": a.done_at}


def _series(s: MeetingSeries) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "cadence": s.cadence, "purpose": s.purpose,
            "participants": s.default_participants or []}


# ------------------------------------------------------------------ series and meetings

@router.get("/meeting-series", response=Page[SeriesOut], summary="List series of meetings")
def list_series(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    page = paginate(MeetingSeries.objects.all(), cursor=cursor, limit=limit)
    return {"items": [_series(s) for s in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/meeting-series", response={201: SeriesOut}, summary="Set up a series")
@idempotent
def create_series(request, payload: SeriesIn):
    series = services.series_save(
        association=request.association, name=payload.name, cadence=payload.cadence,
        purpose=payload.purpose, participants=[(p.user_id, p.side) for p in payload.participants],
        actor=request.user)
    return Status(201, _series(series))


@router.get("/meeting-series/{series_id}", response=SeriesOut, summary="Get a series")
def get_series(request, series_id: int = path_id()):
    return _series(get_or_404(MeetingSeries.objects.all(), series_id))


@router.post("/meeting-series/{series_id}/next", response={201: MeetingOut},
             summary="Schedule the series' next meeting from its cadence")
@idempotent
def schedule_next(request, series_id: int = path_id()):
    series = get_or_404(MeetingSeries.objects.all(), series_id)
    meeting = services.meeting_schedule_next(association=request.association, series=series,
                                             actor=request.user)
    return Status(201, _meeting(meeting))


@router.get("/meetings", response=Page[MeetingOut], summary="List meetings")
def list_meetings(request, when: Literal["upcoming", "past"] | None = None,
                  series_id: int | None = Query(None, ge=1, le=MAX_ID),
                  cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """By start time; `when=upcoming` for meetings still to come, `past` for the others."""
    qs = Meeting.objects.all()
    if when == "upcoming":
        qs = qs.filter(starts_at__gte=timezone.now(), status="scheduled")
    elif when == "past":
        qs = qs.exclude(starts_at__gte=timezone.now(), status="scheduled")
    if series_id:
        qs = qs.filter(series_id=series_id)
    page = paginate(qs, cursor=cursor, limit=limit, key="starts_at")
    return {"items": [_meeting(m) for m in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/meetings", response={201: MeetingOut}, summary="Schedule a meeting")
@idempotent
def create_meeting(request, payload: MeetingIn):
    """Participants from both sides are required (a 422 on `participants` otherwise)."""
    series = _in_association(MeetingSeries.objects.all(), payload.series_id, "series_id")
    meeting = services.meeting_schedule(
        association=request.association, title=payload.title, starts_at=payload.starts_at,
        participants=[(p.user_id, p.side) for p in payload.participants], series=series,
        location=payload.location, actor=request.user)
    return Status(201, _meeting(meeting))


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut, summary="Get a meeting")
def get_meeting(request, meeting_id: int = path_id()):
    meeting = get_or_404(Meeting.objects.all(), meeting_id)
    today = association_today(request.association)
    return {**_meeting(meeting), "agenda": [_item(i) for i in meeting.agenda.all()],
            "action_items": [_action(a, today)
                             for a in meeting.action_items.select_related("owner")]}


@router.get("/meetings/{meeting_id}/agenda", response=list[AgendaItemOut],
            summary="A meeting's agenda")
def get_agenda(request, meeting_id: int = path_id()):
    meeting = get_or_404(Meeting.objects.all(), meeting_id)
    return [_item(i) for i in meeting.agenda.all()]


@router.post("/meetings/{meeting_id}/agenda", response={201: AgendaItemOut},
             summary="Add an agenda item by hand")
@idempotent
def add_agenda_item(request, payload: AgendaItemIn, meeting_id: int = path_id()):
    meeting = get_or_404(Meeting.objects.all(), meeting_id)
    objective = _in_association(Objective.objects.all(), payload.objective_id, "objective_id")
    item = services.agenda_item_add(association=request.association, meeting=meeting,
                                    title=payload.title, body=payload.body,
                                    objective=objective, actor=request.user)
    return Status(201, _item(item))


@router.post("/meetings/{meeting_id}/agenda/draft", response=DraftOut,
             summary="Draft the agenda from the data")
@idempotent
def draft_agenda(request, meeting_id: int = path_id()):
    """Objectives off pace, lapse spikes, decisions waiting for one side, overdue and
    carried-over action items; again adds only what is new."""
    meeting = get_or_404(Meeting.objects.all(), meeting_id)
    added = services.agenda_draft(association=request.association, meeting=meeting,
                                  today=association_today(request.association),
                                  actor=request.user)
    return {"added": [_item(i) for i in added]}


@router.post("/meetings/{meeting_id}/minutes", response=MeetingOut,
             summary="Record (or correct) the minutes")
@idempotent
def record_minutes(request, payload: MinutesIn, meeting_id: int = path_id()):
    meeting = get_or_404(Meeting.objects.all(), meeting_id)
    meeting = services.minutes_record(association=request.association, meeting=meeting,
                                      minutes=payload.minutes, notes=payload.notes,
                                      attended=payload.attended, actor=request.user)
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/circulate", response=CirculateOut,
             summary="Circulate the minutes (inbox and email)")
@idempotent
def circulate(request, meeting_id: int = path_id()):
    meeting = get_or_404(Meeting.objects.all(), meeting_id)
    return {"sent": services.meeting_circulate(association=request.association,
                                               meeting=meeting, actor=request.user)}


# ------------------------------------------------------------------ action items

@router.get("/action-items", response=Page[ActionItemOut], summary="List action items")
def list_action_items(request, show: Literal["open", "overdue", "done", "all"] = "open",
                      owner_id: int | None = Query(None, ge=1, le=MAX_ID),
                      cursor: str | None = Query(None, max_length=500), limit: int = 50):
    today = association_today(request.association)
    page = paginate(selectors.action_items(today=today, show=show, owner_id=owner_id),
                    cursor=cursor, limit=limit)
    return {"items": [_action(a, today) for a in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.post("/action-items", response={201: ActionItemOut}, summary="Add an action item")
@idempotent
def create_action_item(request, payload: ActionItemIn):
    owner = _staff_user(request, payload.owner_id, "owner_id")
    meeting = _in_association(Meeting.objects.all(), payload.meeting_id, "meeting_id")
    objective = _in_association(Objective.objects.all(), payload.objective_id, "objective_id")
    item = services.action_item_add(association=request.association, title=payload.title,
                                    owner=owner, due_on=payload.due_on, meeting=meeting,
                                    objective=objective, actor=request.user)
    return Status(201, _action(item, association_today(request.association)))


def _action_or_404(action_item_id: int) -> ActionItem:
    return get_or_404(ActionItem.objects.select_related("owner"), action_item_id)


@router.get("/action-items/{action_item_id}", response=ActionItemOut,
            summary="Get an action item")
def get_action_item(request, action_item_id: int = path_id()):
    return _action(_action_or_404(action_item_id), association_today(request.association))


@router.patch("/action-items/{action_item_id}", response=ActionItemOut,
              summary="Change an open action item")
@idempotent
def patch_action_item(request, payload: ActionItemPatch, action_item_id: int = path_id()):
    item = _action_or_404(action_item_id)
    owner = _staff_user(request, payload.owner_id, "owner_id") if payload.owner_id \
        else item.owner
    item = services.action_item_update(
        association=request.association, item=item,
        title=item.title if payload.title is None else payload.title, owner=owner,
        due_on=payload.due_on or item.due_on, actor=request.user)
    return _action(item, association_today(request.association))


@router.post("/action-items/{action_item_id}/done", response=ActionItemOut,
             summary="Mark an action item done")
@idempotent
def complete_action_item(request, action_item_id: int = path_id()):
    item = services.action_item_complete(association=request.association,
                                         item=_action_or_404(action_item_id),
                                         actor=request.user)
    return _action(item, association_today(request.association))


@router.post("/action-items/{action_item_id}/drop", response=ActionItemOut,
             summary="Drop an action item")
@idempotent
def drop_action_item(request, action_item_id: int = path_id()):
    item = services.action_item_drop(association=request.association,
                                     item=_action_or_404(action_item_id), actor=request.user)
    return _action(item, association_today(request.association))


# The inbox and the operations manual (api_manual), under the same tags and prefix.
router.add_router("", manual_router)
