"""Outreach API, mounted by ``web.api`` under /api/v1: lists with their holdout, their
members, contacts recorded by other tools (the campaigns of the next wave post here), and
the effect report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status

from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.tenancy.idempotency import idempotent

from . import report, selectors, services
from .models import MAX_HOLDOUT_PERCENT, Group, Outreach, OutreachMember

router = Router(tags=["outreach"])


class OutreachIn(Schema):
    name: str = Field(..., max_length=120)
    segment_id: int | None = Field(None, ge=1, le=MAX_ID,
                                   description="A segment: its people today")
    person_ids: list[int] | None = Field(None, max_length=services.MAX_PEOPLE,
                                         description="Or a selection of people")
    holdout_percent: int | None = Field(None, ge=0, le=MAX_HOLDOUT_PERCENT,
                                        description="Default: the association's setting")
    seed: int | None = Field(None, ge=0, lt=services.MAX_SEED,
                             description="Repeat a draw; default: a new random seed")
    description: str = Field("", max_length=2000)


class OutreachOut(Schema):
    id: int
    name: str
    description: str
    source: str
    segment_id: int | None
    segment_name: str
    made_on: date
    holdout_percent: int
    seed: int
    stratified: bool
    created_at: datetime
    people: int
    held_back: int


class MemberOut(Schema):
    person_id: int
    group: str
    band: str
    decision_on: date | None
    contact_status: str
    channel: str
    contacted_at: datetime | None
    note: str


class ContactsIn(Schema):
    person_ids: list[int] = Field(..., min_length=1, max_length=100_000)
    status: Literal["contacted", "unreachable"] = "contacted"
    channel: Literal["api", "campaign", "manual"] = "api"
    note: str = Field("", max_length=300)


class SettingsOut(Schema):
    holdout_percent: int
    min_per_group: int


class SettingsIn(Schema):
    holdout_percent: int = Field(..., description=f"0–{MAX_HOLDOUT_PERCENT}")
    min_per_group: int = Field(..., description="1–10,000")


class ContactsOut(Schema):
    outreach_id: int
    recorded: int
    status: str


def _out(o: Outreach) -> dict[str, Any]:
    if hasattr(o, "n_people"):  # annotated by selectors.outreach_list
        people, held = o.n_people, o.n_holdout
    else:
        counts = selectors.counts(o)
        people, held = counts[Group.CONTACT] + counts[Group.HOLDOUT], counts[Group.HOLDOUT]
    return {**{f: getattr(o, f) for f in ("id", "name", "description", "source", "segment_id",
                                          "segment_name", "made_on", "holdout_percent", "seed",
                                          "stratified", "created_at")},
            "people": people, "held_back": held}


@router.get("/outreach", response=Page[OutreachOut], summary="List outreach lists")
def list_outreach(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    page = paginate(selectors.outreach_list(), cursor=cursor, limit=limit)
    return {"items": [_out(o) for o in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/outreach", response={201: OutreachOut},
             summary="Make a list from a segment or a selection, with a random holdout")
@idempotent
def create_outreach(request, payload: OutreachIn):
    """Give ``segment_id`` or ``person_ids``. The holdout is drawn with a recorded seed
    (within lapse risk bands when predictions exist); 422 with field messages for an
    unknown segment or person, an empty list or both sources at once."""
    made = services.outreach_create(
        association=request.association, name=payload.name, segment=payload.segment_id,
        person_ids=payload.person_ids, holdout_percent=payload.holdout_percent,
        seed=payload.seed, description=payload.description, actor=request.user)
    return Status(201, _out(made))


@router.get("/outreach-settings", response=SettingsOut, summary="The outreach settings")
def get_settings(request):
    return selectors.settings_for(request.association)


@router.put("/outreach-settings", response=SettingsOut,
            summary="Change the default holdout share and the report's minimum per group")
@idempotent
def put_settings(request, payload: SettingsIn):
    """Out-of-range values are a 422 naming the field; lists already made keep their own."""
    return services.outreach_settings_save(association=request.association,
                                           actor=request.user, **payload.model_dump())


@router.get("/outreach/{outreach_id}", response=OutreachOut, summary="Get an outreach list")
def get_outreach(request, outreach_id: int = path_id()):
    return _out(get_or_404(Outreach.objects.all(), outreach_id))


@router.get("/outreach/{outreach_id}/members", response=Page[MemberOut],
            summary="The people on a list, their group and contact")
def list_members(request, outreach_id: int = path_id(),
                 group: Literal["contact", "holdout"] | None = None,
                 contact_status: Literal["pending", "exported", "contacted",
                                         "unreachable"] | None = None,
                 cursor: str | None = Query(None, max_length=500), limit: int = 50):
    outreach = get_or_404(Outreach.objects.all(), outreach_id)
    qs = OutreachMember.objects.filter(outreach=outreach)
    if group:
        qs = qs.filter(group=group)
    if contact_status:
        qs = qs.filter(contact_status=contact_status)
    return paginate(qs, cursor=cursor, limit=limit)


@router.post("/outreach/{outreach_id}/contacts", response=ContactsOut,
             summary="Record contacts made (by a campaign or another tool)")
@idempotent
def record_contacts(request, payload: ContactsIn, outreach_id: int = path_id()):
    """People held back or not on the list are a 422 naming them: nothing is recorded."""
    outreach = get_or_404(Outreach.objects.all(), outreach_id)
    n = services.outreach_contacts_record(
        association=request.association, outreach=outreach, person_ids=payload.person_ids,
        status=payload.status, channel=payload.channel, note=payload.note, actor=request.user)
    return {"outreach_id": outreach.pk, "recorded": n, "status": payload.status}


@router.get("/outreach/{outreach_id}/report", response=dict,
            summary="The effect report: renewal of the contacted against the held back")
def get_report(request, outreach_id: int = path_id()):
    """Counts per group (pending, decided, renewed), the difference of renewal rates with
    its 95 % interval (Newcombe), and the verdict: ``too_few`` below the minimum per group,
    ``helped``, ``hurt`` or ``unclear`` (the interval includes zero)."""
    return report.effect_report(get_or_404(Outreach.objects.all(), outreach_id)).as_dict()


__all__ = ["router"]
