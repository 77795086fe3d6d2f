"""Opportunities API, mounted by ``web.api`` under /api/v1: opportunities, ranked
candidates with reasons and gaps, invitations and their next steps."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Person
from commonground.tenancy.idempotency import idempotent

from . import matching, services
from .models import Invitation, Opportunity, TraitRole
from .schemas import (
    CandidatesOut,
    InvitationActionIn,
    InvitationOut,
    InvitationStatusName,
    InviteIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    StatusName,
)

router = Router(tags=["opportunities"])

_ROLE_FIELDS = {"required_skills": TraitRole.REQUIRED, "nice_skills": TraitRole.NICE,
                "motivations": TraitRole.MOTIVATION, "interests": TraitRole.INTEREST}


def _out(o: Opportunity) -> dict[str, Any]:
    traits = {role: [] for role in TraitRole}
    for ot in o.traits.all():
        traits[ot.role].append(ot.trait_id)
    return {**{f: getattr(o, f) for f in ("id", "type", "title", "description", "status",
                                          "required_text", "nice_text", "chapter_id", "location",
                                          "remote", "capacity", "starts_on", "ends_on",
                                          "created_at")},
            **{name: sorted(traits[role]) for name, role in _ROLE_FIELDS.items()},
            "effort_hours": None if o.effort_hours is None else f"{o.effort_hours:.2f}",
            "places_taken": services.places_taken(o)}


def _save(request, opportunity: Opportunity | None, data: dict[str, Any]) -> Opportunity:
    data = dict(data)
    data["chapter"] = data.pop("chapter_id", None)
    return services.opportunity_save(association=request.association, opportunity=opportunity,
                                     actor=request.user, **data)


@router.get("/opportunities", response=Page[OpportunityOut], summary="List opportunities")
def list_opportunities(request, status: StatusName | None = None,
                       cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = Opportunity.objects.prefetch_related("traits")
    if status:
        qs = qs.filter(status=status)
    page = paginate(qs, cursor=cursor, limit=limit)
    return {"items": [_out(o) for o in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/opportunities", response={201: OpportunityOut}, summary="Post an opportunity")
@idempotent
def create_opportunity(request, payload: OpportunityIn):
    return Status(201, _out(_save(request, None, payload.model_dump())))


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut,
            summary="Get an opportunity")
def get_opportunity(request, opportunity_id: int = path_id()):
    return _out(get_or_404(Opportunity.objects.all(), opportunity_id))


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut,
              summary="Change an opportunity (only the fields sent)")
@idempotent
def patch_opportunity(request, payload: OpportunityPatch, opportunity_id: int = path_id()):
    opp = get_or_404(Opportunity.objects.all(), opportunity_id)
    current = _out(opp)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("type", "title", "status", "capacity", "remote"):
        if name in changes and changes[name] is None:
            raise ValidationFailed("Please correct the highlighted fields",
                                   fields={name: ["may not be null"]})
    merged = {k: current[k] for k in OpportunityIn.model_fields if k in current}
    merged.update(changes)
    return _out(_save(request, opp, merged))


@router.get("/opportunities/{opportunity_id}/candidates", response=CandidatesOut,
            summary="Ranked candidates with the reasons and gaps of each")
def candidates(request, opportunity_id: int = path_id(),
               limit: int = Query(20, ge=1, le=200)):
    opp = get_or_404(Opportunity.objects.select_related("chapter"), opportunity_id)
    result = matching.match(request.association, opp, limit=limit)
    return {"opportunity_id": opp.pk, "pool": result.pool, "excluded": result.excluded,
            "semantic": result.semantic, "weights": result.weights,
            "seconds": round(result.seconds, 4),
            "candidates": [c.as_dict() for c in result.candidates]}


@router.get("/opportunities/{opportunity_id}/invitations", response=Page[InvitationOut],
            summary="The people asked or interested, and where each stands")
def list_invitations(request, opportunity_id: int = path_id(),
                     status: InvitationStatusName | None = None,
                     cursor: str | None = Query(None, max_length=500), limit: int = 50):
    opp = get_or_404(Opportunity.objects.all(), opportunity_id)
    qs = Invitation.objects.filter(opportunity=opp)
    if status:
        qs = qs.filter(status=status)
    return paginate(qs, cursor=cursor, limit=limit)


@router.post("/opportunities/{opportunity_id}/invitations", response={201: InvitationOut},
             summary="Invite a person (they get a portal notice and an email)")
@idempotent
def invite(request, payload: InviteIn, opportunity_id: int = path_id()):
    opp = get_or_404(Opportunity.objects.all(), opportunity_id)
    person = get_or_404(Person.objects.filter(erased_at__isnull=True), payload.person_id)
    inv = services.invitation_advance(association=request.association, opportunity=opp,
                                      person=person, event="invite", actor=request.user,
                                      message=payload.message)
    return Status(201, inv)


@router.post("/invitations/{invitation_id}", response=InvitationOut,
             summary="Move an invitation on: accept/decline (recorded for the member), "
                     "withdraw, complete (records a contribution to verify)")
@idempotent
def invitation_action(request, payload: InvitationActionIn, invitation_id: int = path_id()):
    inv = get_or_404(Invitation.objects.select_related("opportunity", "person"), invitation_id)
    return services.invitation_advance(
        association=request.association, opportunity=inv.opportunity, person=inv.person,
        event=payload.action, actor=request.user, note=payload.note,
        occurred_on=payload.occurred_on, hours=payload.hours)


