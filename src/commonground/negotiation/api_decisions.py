"""Joint decisions and dual-input forms over the API, mounted by ``web.api`` under /api/v1.

The token's user acts: positions are signed by them, for a side they are on. While a
decision hides its positions, others' stances, options and reasons come back as null
(each side's count of positions taken still shows), as on the decision's page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status

from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.membership.models import Offering
from commonground.people.api_selectors import get_or_404
from commonground.planning.models import Objective
from commonground.tenancy.idempotency import idempotent

from . import selectors_decisions as sel
from . import services
from .api_forms import router as forms_router
from .models import Decision, DecisionType, Meeting
from .services.decisions import MAX_OPTIONS

router = Router(tags=["decisions"])
TEXT = 10_000


class DecisionTypeIn(Schema):
    name: str = Field(..., max_length=200)
    key: str = Field("", max_length=64, description="Default: from the name")
    description: str = Field("", max_length=2000)
    effect: Literal["none", "offering_price"] = "none"
    quorum_mission: int = Field(1, ge=0, le=20)
    quorum_business: int = Field(1, ge=0, le=20)
    hide_positions: bool = False


class DecisionTypePatch(Schema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)
    effect: Literal["none", "offering_price"] | None = None
    quorum_mission: int | None = Field(None, ge=0, le=20)
    quorum_business: int | None = Field(None, ge=0, le=20)
    hide_positions: bool | None = None


class DecisionTypeOut(Schema):
    id: int
    key: str
    name: str
    description: str
    effect: str
    quorum_mission: int
    quorum_business: int
    hide_positions: bool


class OptionIn(Schema):
    label: str = Field("", max_length=200, description="Default for a price: from the price")
    price_decision: str | None = Field(None, max_length=30,
                                       description="free, member_price or non_member_price")
    member_price: str | None = Field(None, max_length=20)
    non_member_price: str | None = Field(None, max_length=20)


class DecisionIn(Schema):
    decision_type_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=TEXT)
    options: list[OptionIn] = Field([], max_length=MAX_OPTIONS)
    offering_id: int | None = Field(None, ge=1, le=MAX_ID,
                                    description="Required for a pricing decision")
    meeting_id: int | None = Field(None, ge=1, le=MAX_ID)
    objective_id: int | None = Field(None, ge=1, le=MAX_ID)
    hidden_positions: bool | None = Field(None, description="Default: the type's")
    closes_on: date | None = None


class PositionIn(Schema):
    side: Literal["mission", "business"]
    stance: Literal["agree", "abstain", "disagree", "block"]
    option_id: int | None = Field(None, ge=1, le=MAX_ID,
                                  description="The option signed off (agree)")
    reason: str = Field(..., max_length=TEXT)


class CloseIn(Schema):
    status: Literal["rejected", "withdrawn"]
    outcome: str = Field(..., max_length=TEXT)


class ReopenIn(Schema):
    reason: str = Field(..., max_length=TEXT)


class OptionOut(Schema):
    id: int
    label: str
    values: dict[str, Any]


class SideOut(Schema):
    side: str
    quorum: int
    signed: int = Field(description="Positions taken on this side this round")
    signed_off: bool | None = Field(description="Reached its quorum (null while hidden)")


class DecisionOut(Schema):
    id: int
    decision_type_id: int
    type: str
    title: str
    body: str
    status: str
    round: int
    quorum: dict[str, int]
    hidden_positions: bool
    closes_on: date | None
    offering_id: int | None
    meeting_id: int | None
    objective_id: int | None
    options: list[OptionOut]
    sides: list[SideOut]
    waiting_for: list[str]
    chosen_option_id: int | None
    outcome: str
    effect_applied_at: datetime | None
    proposed_by: str | None
    opened_at: datetime
    closed_at: datetime | None


class PositionOut(Schema):
    id: int
    round: int
    user: str
    side: str
    stance: str | None
    option_id: int | None
    reason: str | None
    created_at: datetime


def _type_out(t: DecisionType) -> dict[str, Any]:
    return {k: getattr(t, k) for k in ("id", "key", "name", "description", "effect",
                                       "quorum_mission", "quorum_business", "hide_positions")}


def _out(d: Decision) -> dict[str, Any]:
    if not hasattr(d, "tally"):
        sel.with_tallies([d])
    return {
        "id": d.pk, "decision_type_id": d.type_id, "type": d.type.key, "title": d.title,
        "body": d.body, "status": d.status, "round": d.round, "quorum": d.quorum,
        "hidden_positions": d.hidden_positions, "closes_on": d.closes_on,
        "offering_id": d.offering_id, "meeting_id": d.meeting_id,
        "objective_id": d.objective_id,
        "options": [{"id": o.pk, "label": o.label, "values": o.values}
                    for o in d.options.all()],
        "sides": [{"side": t.side, "quorum": t.quorum, "signed": t.signed,
                   "signed_off": None if d.hidden else t.reached}
                  for t in d.tally.sides.values() if t.required],
        "waiting_for": d.waiting, "chosen_option_id": d.chosen_option_id,
        "outcome": d.outcome, "effect_applied_at": d.effect_applied_at,
        "proposed_by": d.proposed_by.email if d.proposed_by_id else None,
        "opened_at": d.opened_at, "closed_at": d.closed_at}


def _decisions():
    return Decision.objects.select_related("type", "proposed_by").prefetch_related("options")


@router.get("/decision-types", response=Page[DecisionTypeOut], summary="Kinds of decision")
def list_types(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    services.decision_types_ensure(association=request.association)
    page = paginate(DecisionType.objects.all(), cursor=cursor, limit=limit)
    return {"items": [_type_out(t) for t in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/decision-types", response={201: DecisionTypeOut},
             summary="Add a kind of decision (administrators)")
@idempotent
def create_type(request, payload: DecisionTypeIn):
    made = services.decision_type_save(association=request.association, actor=request.user,
                                       **payload.model_dump())
    return Status(201, _type_out(made))


@router.patch("/decision-types/{decision_type_id}", response=DecisionTypeOut,
              summary="Change a kind of decision's quorum (administrators)")
@idempotent
def patch_type(request, payload: DecisionTypePatch, decision_type_id: int = path_id()):
    row = get_or_404(DecisionType.objects.all(), decision_type_id)
    values = {**_type_out(row), **payload.model_dump(exclude_unset=True, exclude_none=True)}
    values.pop("id")
    return _type_out(services.decision_type_save(
        association=request.association, decision_type=row, actor=request.user, **values))


@router.get("/decisions", response=Page[DecisionOut], summary="List decisions")
def list_decisions(request, status: Literal["open", "approved", "rejected", "withdrawn"]
                   | None = None, meeting: int | None = Query(None, ge=1, le=MAX_ID),
                   objective: int | None = Query(None, ge=1, le=MAX_ID),
                   cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = sel.decision_list(status=status or "", meeting_id=meeting, objective_id=objective)
    page = paginate(qs.prefetch_related("options"), cursor=cursor, limit=limit)
    return {"items": [_out(d) for d in sel.with_tallies(page["items"])],
            "next_cursor": page["next_cursor"]}


@router.post("/decisions", response={201: DecisionOut}, summary="Propose a decision")
@idempotent
def propose(request, payload: DecisionIn):
    """A pricing decision names its offering; each option's price is checked like the
    offering's own (errors name `options.<n>.<field>`). Proposing locks the price."""
    association = request.association
    kind = get_or_404(DecisionType.objects.all(), payload.decision_type_id)
    offering = get_or_404(Offering.objects.all(), payload.offering_id) \
        if payload.offering_id else None
    meeting = get_or_404(Meeting.objects.all(), payload.meeting_id) \
        if payload.meeting_id else None
    objective = None
    if payload.objective_id:
        objective = get_or_404(Objective.objects.all(), payload.objective_id)
    made = services.decision_propose(
        association=association, type=kind, title=payload.title, body=payload.body,
        options=[o.model_dump(exclude_none=True) for o in payload.options],
        offering=offering, meeting=meeting, objective=objective,
        hidden_positions=payload.hidden_positions, closes_on=payload.closes_on,
        actor=request.user)
    return Status(201, _out(get_or_404(_decisions(), made.pk)))


@router.get("/decisions/{decision_id}", response=DecisionOut, summary="Get a decision")
def get_decision(request, decision_id: int = path_id()):
    return _out(get_or_404(_decisions(), decision_id))


@router.get("/decisions/{decision_id}/positions", response=list[PositionOut],
            summary="A decision's positions, every round")
def list_positions(request, decision_id: int = path_id()):
    decision = get_or_404(_decisions(), decision_id)
    hidden = sel.hidden_now(decision)
    out = []
    for p in sel.positions_of(decision):
        masked = hidden and p.round == decision.round and p.user_id != request.user.pk
        out.append({"id": p.pk, "round": p.round, "user": p.user.email, "side": p.side,
                    "stance": None if masked else p.stance,
                    "option_id": None if masked else p.option_id,
                    "reason": None if masked else p.reason, "created_at": p.created_at})
    return out


@router.post("/decisions/{decision_id}/positions", response={201: PositionOut},
             summary="Take a position (sign)")
@idempotent
def sign(request, payload: PositionIn, decision_id: int = path_id()):
    """For a side you are on, once per round, with a reason. The position that completes
    every side's quorum for one option approves the decision and applies its effect."""
    decision = get_or_404(_decisions(), decision_id)
    p = services.position_submit(association=request.association, decision=decision,
                                 actor=request.user, side=payload.side, stance=payload.stance,
                                 option=payload.option_id, reason=payload.reason)
    return Status(201, {"id": p.pk, "round": p.round, "user": request.user.email,
                        "side": p.side, "stance": p.stance, "option_id": p.option_id,
                        "reason": p.reason, "created_at": p.created_at})


@router.post("/decisions/{decision_id}/close", response=DecisionOut,
             summary="Reject or withdraw (the proposer or an administrator)")
@idempotent
def close(request, payload: CloseIn, decision_id: int = path_id()):
    decision = get_or_404(_decisions(), decision_id)
    services.decision_close(association=request.association, decision=decision,
                            status=payload.status, outcome=payload.outcome, actor=request.user)
    return _out(get_or_404(_decisions(), decision_id))


@router.post("/decisions/{decision_id}/reopen", response=DecisionOut,
             summary="Open a new round (earlier positions stay)")
@idempotent
def reopen(request, payload: ReopenIn, decision_id: int = path_id()):
    decision = get_or_404(_decisions(), decision_id)
    services.decision_reopen(association=request.association, decision=decision,
                             reason=payload.reason, actor=request.user)
    return _out(get_or_404(_decisions(), decision_id))


# The dual-input forms' operations, on their own router (api_forms), mounted with these.
router.add_router("", forms_router)
