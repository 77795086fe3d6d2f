"""API: consortia (members, invitations by slug, answers, leaving, governance, the
characteristics assessments) and their joint initiatives (objectives computed in every
participant's data, contributions, revenues split to the cent), under
/api/v1/collaboration/.

A consortium (and its initiatives) answers only to its active members; an invitation only
to the invited association: anything else is a 404. Refusals are 4xx with field messages.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from commonground.core.errors import NotFound
from commonground.core.ids import path_id
from commonground.core.pagination import Page, paginate
from commonground.tenancy.clock import association_today
from commonground.tenancy.idempotency import idempotent

from . import crossing
from . import selectors_consortia as sel
from .crossing import initiatives as cross
from .models import (
    CharacteristicAssessment,
    Consortium,
    ConsortiumMember,
    InitiativeContribution,
    InitiativeRevenue,
    JointInitiative,
)
from .services import consortia as services
from .services import initiatives as initiative_services

router = Router(tags=["Consortia"])

LevelName = Literal["cooperation", "coordination", "collaboration"]
RuleName = Literal["consensus", "majority", "weighted", "coordinator"]
CharacteristicName = Literal["values", "trust", "transparency", "knowledge", "stakeholders",
                             "governance"]
MONEY = {"max_digits": 12, "decimal_places": 2}


# ---------------------------------------------------------------- schemas


class ConsortiumIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200, examples=["Health Professions Alliance"])
    purpose: str = Field("", max_length=10_000)
    level: LevelName = "cooperation"
    decision_rule: RuleName = "consensus"
    governance: str = Field("", max_length=10_000)
    started_on: date | None = None
    review_on: date | None = None


class ConsortiumPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    purpose: str | None = Field(None, max_length=10_000)
    level: LevelName | None = None
    decision_rule: RuleName | None = None
    governance: str | None = Field(None, max_length=10_000)
    review_on: date | None = None


class MemberOut(Schema):
    association: str = Field(description="The member association's slug")
    name: str
    status: str
    is_coordinator: bool
    votes: int
    joined_on: date | None
    left_on: date | None


class ConsortiumOut(Schema):
    id: int
    name: str
    purpose: str
    level: str
    decision_rule: str
    governance: str
    started_on: date
    review_on: date | None
    coordinator: str = Field(description="The coordinating association's slug")
    my_status: str = Field(description="Your association's place: active or invited")


class LatestScore(Schema):
    association: str
    characteristic: str
    score: int
    assessed_on: date


class ConsortiumDetailOut(ConsortiumOut):
    members: list[MemberOut]
    latest_scores: list[LatestScore]


class InviteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    invitee: str = Field(..., max_length=100, description="The invited association's slug")
    votes: int = Field(1, ge=1, le=100)


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    characteristic: CharacteristicName
    score: int = Field(..., ge=1, le=5)
    evidence: str = Field("", max_length=10_000)
    assessed_on: date | None = None


class AssessmentOut(Schema):
    id: int
    association: str
    characteristic: str
    score: int
    evidence: str
    assessed_on: date
    assessed_by: str | None


class InitiativeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200)
    kind: Literal["initiative", "social_enterprise"] = "initiative"
    purpose: str = Field("", max_length=10_000)
    starts_on: date | None = None
    ends_on: date | None = None
    split_method: Literal["equal", "fixed", "contribution"] = "equal"
    participants: list[str] = Field(default_factory=list, max_length=100,
                                    description="Slugs of consortium members taking part "
                                                "(the lead takes part anyway)")
    percents: dict[str, Decimal] | None = Field(
        None, description="Fixed split: participant slug → percentage, totalling 100")


class InitiativePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Literal["planned", "active", "closed"] | None = None
    split_method: Literal["equal", "fixed", "contribution"] | None = None
    percents: dict[str, Decimal] | None = None


class ParticipantOut(Schema):
    association: str
    name: str
    role: str
    split_percent: Decimal | None
    contributed: Decimal
    received: Decimal


class ObjectiveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200)
    metric_key: str = Field(..., max_length=80, examples=["activity.event_attendance"])
    filters: dict[str, str] = Field(default_factory=dict)
    baseline: Decimal = Field(Decimal(0), max_digits=16, decimal_places=2)
    target: Decimal = Field(..., max_digits=16, decimal_places=2)
    direction: Literal["up", "down"] = "up"
    starts_on: date | None = None
    deadline: date | None = None


class ObjectiveOut(Schema):
    id: int
    name: str
    metric_key: str
    filters: dict[str, Any]
    baseline: Decimal
    target: Decimal
    direction: str
    starts_on: date
    deadline: date
    computed_on: date | None
    values: dict[str, Decimal] = Field(description="Participant slug → its own figure")
    total: Decimal | None
    state: str
    expected: Decimal


class ContributionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["money", "staff_time", "in_kind"]
    description: str = Field(..., max_length=250)
    hours: Decimal | None = Field(None, max_digits=8, decimal_places=2)
    value: Decimal = Field(..., **MONEY)
    contributed_on: date | None = None


class ContributionOut(Schema):
    id: int
    association: str
    kind: str
    description: str
    hours: Decimal | None
    value: Decimal
    contributed_on: date


class RevenueIn(Schema):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(..., max_length=250)
    amount: Decimal = Field(..., **MONEY)
    received_on: date | None = None


class ShareOut(Schema):
    association: str
    basis: Decimal
    amount: Decimal


class RevenueOut(Schema):
    id: int
    description: str
    amount: Decimal
    received_on: date
    shares: list[ShareOut]


class InitiativeOut(Schema):
    id: int
    consortium_id: int
    lead: str
    kind: str
    name: str
    purpose: str
    starts_on: date
    ends_on: date | None
    status: str
    split_method: str
    created_at: datetime


class InitiativeDetailOut(InitiativeOut):
    participants: list[ParticipantOut]
    objectives: list[ObjectiveOut]
    revenues: list[RevenueOut]


class SnapshotOut(Schema):
    computed_on: date
    figures: int


# ---------------------------------------------------------------- helpers


def _visible(request, consortium_id: int) -> Consortium:
    try:
        return crossing.consortium_visible(association=request.association,
                                           consortium_id=consortium_id)
    except NotFound:
        raise Http404("No such consortium") from None


def _initiative(request, initiative_id: int) -> JointInitiative:
    try:
        return cross.initiative_visible(association=request.association,
                                        initiative_id=initiative_id)
    except NotFound:
        raise Http404("No such initiative") from None


def _consortium_out(c: Consortium, my_status: str) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "purpose": c.purpose, "level": c.level,
            "decision_rule": c.decision_rule, "governance": c.governance,
            "started_on": c.started_on, "review_on": c.review_on,
            "coordinator": c.association.slug, "my_status": my_status}


def _member_out(m: ConsortiumMember) -> dict[str, Any]:
    return {"association": m.association.slug, "name": m.association.name, "status": m.status,
            "is_coordinator": m.is_coordinator, "votes": m.votes, "joined_on": m.joined_on,
            "left_on": m.left_on}


def _detail_out(request, c: Consortium) -> dict[str, Any]:
    page = sel.consortium_page(request.association, c)
    latest = [{"association": m.association.slug, "characteristic": key,
               "score": cell.latest.score, "assessed_on": cell.latest.assessed_on}
              for key, _, cells in page.matrix.rows
              for m, cell in zip(page.matrix.participants, cells, strict=True) if cell.latest]
    return {**_consortium_out(c, "active"), "members": [_member_out(m) for m in page.members],
            "latest_scores": latest}


def _assessment_out(a: CharacteristicAssessment) -> dict[str, Any]:
    return {"id": a.pk, "association": a.association.slug, "characteristic": a.characteristic,
            "score": a.score, "evidence": a.evidence, "assessed_on": a.assessed_on,
            "assessed_by": a.assessed_by.email if a.assessed_by else None}


def _initiative_out(i: JointInitiative) -> dict[str, Any]:
    return {"id": i.pk, "consortium_id": i.consortium_id, "lead": i.association.slug,
            "kind": i.kind, "name": i.name, "purpose": i.purpose, "starts_on": i.starts_on,
            "ends_on": i.ends_on, "status": i.status, "split_method": i.split_method,
            "created_at": i.created_at}


def _revenue_out(r: InitiativeRevenue, slugs: dict[int, str]) -> dict[str, Any]:
    return {"id": r.pk, "description": r.description, "amount": r.amount,
            "received_on": r.received_on,
            "shares": [{"association": slugs.get(s.participant_id, str(s.participant_id)),
                        "basis": s.basis, "amount": s.amount}
                       for s in sorted(r.shares.all(), key=lambda s: s.pk)]}


def _initiative_detail(request, i: JointInitiative) -> dict[str, Any]:
    page = sel.initiative_page(request.association, i, association_today(request.association))
    slugs = {v.participant.association_id: v.participant.association.slug
             for v in page.participants}
    return {**_initiative_out(i),
            "participants": [{"association": v.participant.association.slug,
                              "name": v.participant.association.name,
                              "role": v.participant.role,
                              "split_percent": v.participant.split_percent,
                              "contributed": v.contributed, "received": v.received}
                             for v in page.participants],
            "objectives": [{"id": o.objective.pk, "name": o.objective.name,
                            "metric_key": o.objective.metric_key,
                            "filters": o.objective.filters or {},
                            "baseline": o.objective.baseline, "target": o.objective.target,
                            "direction": o.objective.direction,
                            "starts_on": o.objective.starts_on,
                            "deadline": o.objective.deadline, "computed_on": o.on,
                            "values": {slugs.get(k, str(k)): v for k, v in o.values.items()},
                            "total": o.total, "state": o.progress.state,
                            "expected": o.progress.expected} for o in page.objectives],
            "revenues": [_revenue_out(r, slugs) for r in page.revenues]}


# ---------------------------------------------------------------- consortia


@router.get("/collaboration/consortia", response=Page[ConsortiumOut],
            summary="Consortia you take part in or are invited to")
def list_consortia(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    mine = dict(ConsortiumMember.objects.filter(association=request.association)
                .values_list("consortium_id", "status"))
    page = paginate(crossing.listed_consortia(request.association), cursor=cursor, limit=limit)
    return {"items": [_consortium_out(c, mine.get(c.pk, "")) for c in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.post("/collaboration/consortia", response={201: ConsortiumDetailOut},
             summary="Form a consortium (you coordinate it)")
@idempotent
def create_consortium(request, payload: ConsortiumIn):
    c = services.consortium_create(association=request.association, actor=request.user,
                                   **payload.model_dump())
    c.association = request.association
    return Status(201, _detail_out(request, c))


@router.get("/collaboration/consortia/{consortium_id}", response=ConsortiumDetailOut,
            summary="A consortium with its members and each one's latest scores")
def get_consortium(request, consortium_id: int = path_id()):
    return _detail_out(request, _visible(request, consortium_id))


@router.patch("/collaboration/consortia/{consortium_id}", response=ConsortiumDetailOut,
              summary="Change the governance (the coordinator's administrators)")
@idempotent
def update_consortium(request, payload: ConsortiumPatch, consortium_id: int = path_id()):
    c = _visible(request, consortium_id)
    data = payload.model_dump(exclude_unset=True)
    if "review_on" in data and data["review_on"] is None:
        data["review_on"] = ""
    services.consortium_govern(association=request.association, consortium=c,
                               actor=request.user, **data)
    return _detail_out(request, c)


@router.post("/collaboration/consortia/{consortium_id}/invitations",
             response={201: MemberOut}, summary="Invite an association by its slug")
@idempotent
def invite_consortium_member(request, payload: InviteIn, consortium_id: int = path_id()):
    c = _visible(request, consortium_id)
    member = services.consortium_invite(association=request.association, consortium=c,
                                        actor=request.user, **payload.model_dump())
    return Status(201, _member_out(member))


@router.post("/collaboration/consortia/{consortium_id}/accept", response=ConsortiumDetailOut,
             summary="Accept your association's invitation")
@idempotent
def accept_consortium_invitation(request, consortium_id: int = path_id()):
    try:
        services.consortium_answer(association=request.association,
                                   consortium_id=consortium_id, accept=True, actor=request.user)
    except NotFound:
        raise Http404("No such invitation") from None
    return _detail_out(request, _visible(request, consortium_id))


@router.post("/collaboration/consortia/{consortium_id}/decline", response=MemberOut,
             summary="Decline your association's invitation")
@idempotent
def decline_consortium_invitation(request, consortium_id: int = path_id()):
    try:
        member = services.consortium_answer(association=request.association,
                                            consortium_id=consortium_id, accept=False,
                                            actor=request.user)
    except NotFound:
        raise Http404("No such invitation") from None
    return _member_out(member)


@router.post("/collaboration/consortia/{consortium_id}/leave", response=MemberOut,
             summary="Leave a consortium")
@idempotent
def leave_consortium(request, consortium_id: int = path_id()):
    c = _visible(request, consortium_id)
    return _member_out(services.consortium_leave(association=request.association,
                                                 consortium=c, actor=request.user))


@router.get("/collaboration/consortia/{consortium_id}/assessments",
            response=Page[AssessmentOut],
            summary="Every participant's assessments of the characteristics (history)")
def list_consortium_assessments(request, consortium_id: int = path_id(),
                                cursor: str | None = Query(None, max_length=500),
                                limit: int = 50):
    c = _visible(request, consortium_id)
    page = paginate(crossing.assessment_queryset(c), cursor=cursor, limit=limit)
    items = sorted(page["items"], key=lambda a: (a.assessed_on, a.pk), reverse=True)
    return {"items": [_assessment_out(a) for a in items], "next_cursor": page["next_cursor"]}


@router.post("/collaboration/consortia/{consortium_id}/assessments",
             response={201: AssessmentOut}, summary="Your assessment of one characteristic")
@idempotent
def create_consortium_assessment(request, payload: AssessmentIn, consortium_id: int = path_id()):
    c = _visible(request, consortium_id)
    a = services.assessment_record(association=request.association, consortium=c,
                                   actor=request.user, **payload.model_dump())
    a.association = request.association
    return Status(201, _assessment_out(a))


# ---------------------------------------------------------------- initiatives


@router.get("/collaboration/consortia/{consortium_id}/initiatives",
            response=Page[InitiativeOut], summary="A consortium's joint initiatives")
def list_consortium_initiatives(request, consortium_id: int = path_id(),
                                cursor: str | None = Query(None, max_length=500),
                                limit: int = 50):
    _visible(request, consortium_id)
    qs = cross.initiative_queryset(request.association, consortium_id=consortium_id)
    page = paginate(qs, cursor=cursor, limit=limit)
    return {"items": [_initiative_out(i) for i in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.post("/collaboration/consortia/{consortium_id}/initiatives",
             response={201: InitiativeDetailOut},
             summary="Start a joint initiative or social enterprise (you lead it)")
@idempotent
def create_consortium_initiative(request, payload: InitiativeIn, consortium_id: int = path_id()):
    c = _visible(request, consortium_id)
    i = initiative_services.initiative_create(association=request.association, consortium=c,
                                              actor=request.user, **payload.model_dump())
    return Status(201, _initiative_detail(request, _initiative(request, i.pk)))


@router.get("/collaboration/initiatives/{initiative_id}", response=InitiativeDetailOut,
            summary="A joint initiative: participants, objectives, revenues and shares")
def get_initiative(request, initiative_id: int = path_id()):
    return _initiative_detail(request, _initiative(request, initiative_id))


@router.patch("/collaboration/initiatives/{initiative_id}", response=InitiativeDetailOut,
              summary="Change the status or the split rule (the lead)")
@idempotent
def update_initiative(request, payload: InitiativePatch, initiative_id: int = path_id()):
    i = _initiative(request, initiative_id)
    initiative_services.initiative_change(association=request.association, initiative=i,
                                          actor=request.user,
                                          **payload.model_dump(exclude_unset=True))
    return _initiative_detail(request, i)


@router.post("/collaboration/initiatives/{initiative_id}/objectives",
             response={201: ObjectiveOut}, summary="Add an objective (a catalogue metric)")
@idempotent
def create_initiative_objective(request, payload: ObjectiveIn, initiative_id: int = path_id()):
    i = _initiative(request, initiative_id)
    o = initiative_services.initiative_objective_add(association=request.association,
                                                     initiative=i, actor=request.user,
                                                     **payload.model_dump())
    found = next(v for v in _initiative_detail(request, i)["objectives"] if v["id"] == o.pk)
    return Status(201, found)


@router.post("/collaboration/initiatives/{initiative_id}/snapshots", response=SnapshotOut,
             summary="Compute the objectives now in every participant's data")
@idempotent
def create_initiative_snapshot(request, initiative_id: int = path_id()):
    i = _initiative(request, initiative_id)
    snaps = initiative_services.initiative_snapshot(association=request.association,
                                                    initiative=i, actor=request.user)
    return {"computed_on": association_today(i.association), "figures": len(snaps)}


@router.get("/collaboration/initiatives/{initiative_id}/contributions",
            response=Page[ContributionOut], summary="Every participant's contributions")
def list_initiative_contributions(request, initiative_id: int = path_id(),
                                  cursor: str | None = Query(None, max_length=500),
                                  limit: int = 50):
    i = _initiative(request, initiative_id)
    page = paginate(cross.contribution_queryset(i), cursor=cursor, limit=limit)
    return {"items": [_contribution_out(c) for c in page["items"]],
            "next_cursor": page["next_cursor"]}


def _contribution_out(c: InitiativeContribution) -> dict[str, Any]:
    return {"id": c.pk, "association": c.association.slug, "kind": c.kind,
            "description": c.description, "hours": c.hours, "value": c.value,
            "contributed_on": c.contributed_on}


@router.post("/collaboration/initiatives/{initiative_id}/contributions",
             response={201: ContributionOut}, summary="Record your contribution")
@idempotent
def create_initiative_contribution(request, payload: ContributionIn,
                                   initiative_id: int = path_id()):
    i = _initiative(request, initiative_id)
    c = initiative_services.contribution_record(association=request.association, initiative=i,
                                                actor=request.user, **payload.model_dump())
    c.association = request.association
    return Status(201, _contribution_out(c))


@router.post("/collaboration/initiatives/{initiative_id}/revenues",
             response={201: RevenueOut}, summary="Record a revenue, split by the rule")
@idempotent
def create_initiative_revenue(request, payload: RevenueIn, initiative_id: int = path_id()):
    i = _initiative(request, initiative_id)
    r = initiative_services.revenue_record(association=request.association, initiative=i,
                                           actor=request.user, **payload.model_dump())
    slugs = {p.association_id: p.association.slug for p in cross.participants_of(i)}
    return Status(201, _revenue_out(r, slugs))
