"""API: Partnerships (the relationship), mounted by ``web.api`` under /api/v1.

Partnerships with their charter, parties (the association itself and its partners),
contacts (approvers), assets, responsibilities, stakeholders and the common ground, due
diligence, the exchange case, clauses (an exclusivity clause binding a public body is a
422 on ``party``), objectives and the stage with its history; a partner organisation's
page with its trust record. Joint products are ``api_products``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Organisation
from commonground.tenancy.clock import association_today
from commonground.tenancy.idempotency import idempotent

from . import selectors, services
from .models import (
    Clause,
    DiligenceRisk,
    PartnerAsset,
    Partnership,
    PartnershipParty,
)

router = Router(tags=["Partnerships"])

StageName = Literal["obligational", "promotional", "systemic"]
StatusName = Literal["exploring", "active", "paused", "ended"]
SectorName = Literal["public", "voluntary", "private"]
Id = Field(..., ge=1, le=MAX_ID)
OptId = Field(None, ge=1, le=MAX_ID)
Money = Field(None, max_length=20, description="A decimal amount, e.g. 1200.50")
LongText = Field("", max_length=20_000)


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ shapes


class PartnerRef(Schema):
    party_id: int
    organisation_id: int | None
    name: str
    sector: str | None
    is_us: bool


class PartnershipOut(Schema):
    id: int
    name: str
    why: str
    starts_on: date
    ends_on: date | None
    review_on: date | None
    stage: str
    status: str
    manager_id: int | None
    common_ground: str
    common_future: str
    partners: list[PartnerRef]


class ContactOut(Schema):
    id: int
    name: str
    email: str
    title: str
    is_approver: bool


class AssetOut(Schema):
    id: int
    kind: str
    resource: str
    description: str


class DutyOut(Schema):
    id: int
    title: str
    description: str


class PartyOut(Schema):
    id: int
    organisation_id: int | None
    name: str
    sector: str | None
    is_us: bool
    is_lead: bool
    role: str
    responsibilities: str
    joined_on: date
    left_on: date | None
    approver_user_id: int | None
    contacts: list[ContactOut]
    assets: list[AssetOut]
    responsibilities_list: list[DutyOut]


class StakeholderOut(Schema):
    id: int
    name: str
    kind: str
    organisation_id: int | None
    invited_on: date | None
    took_part: bool
    view: str
    shares_common_ground: bool


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    changed_on: date
    reason: str
    changed_by_id: int | None


class RiskOut(Schema):
    id: int
    party_id: int
    asset_id: int | None
    relationship: str
    description: str
    likelihood: int
    impact: int
    score: int
    level: str
    mitigation: str
    status: str
    assessed_on: date


class ExchangeItemOut(Schema):
    id: int
    party_id: int
    kind: str
    description: str
    value: Decimal | None


class ExchangeOut(Schema):
    items: list[ExchangeItemOut]
    per_party: list[dict[str, Any]]
    costs: Decimal
    benefits: Decimal
    net: Decimal


class ClauseOut(Schema):
    id: int
    kind: str
    party_id: int | None
    text: str


class ObjectiveOut(Schema):
    id: int
    name: str
    accountability: str
    owner_party_id: int | None
    metric_key: str
    filters: dict
    target: Decimal | None
    value: Decimal | None
    due_on: date | None
    status: str


class TrustEventOut(Schema):
    id: int
    organisation_id: int
    partnership_id: int | None
    kind: str
    occurred_on: date
    description: str
    effect: int


class TrustOut(Schema):
    organisation_id: int
    name: str
    balance: int
    verdict: str
    events: list[TrustEventOut]


class PartnershipDetailOut(PartnershipOut):
    parties: list[PartyOut]
    stakeholders: list[StakeholderOut]
    common_ground_draft: str
    stages: list[StageChangeOut]
    risks: list[RiskOut]
    exchange: ExchangeOut
    clauses: list[ClauseOut]
    objectives: list[ObjectiveOut]
    trust: list[TrustOut]


class PartnerOut(Schema):
    organisation_id: int
    name: str
    sector: str
    partnerships: list[dict[str, Any]]
    trust: TrustOut


# ------------------------------------------------------------------ converters


def _ref(party: PartnershipParty) -> dict[str, Any]:
    org = party.organisation
    return {"party_id": party.pk, "organisation_id": party.organisation_id,
            "name": org.name if org else party.association.name,
            "sector": org.sector if org else None, "is_us": party.is_us}


def _partnership(p: Partnership, parties: list[PartnershipParty] | None = None
                 ) -> dict[str, Any]:
    if parties is None:
        parties = list(p.parties.select_related("organisation", "association"))
    return {"id": p.pk, "name": p.name, "why": p.why, "starts_on": p.starts_on,
            "ends_on": p.ends_on, "review_on": p.review_on, "stage": p.stage,
            "status": p.status, "manager_id": p.manager_id, "common_ground": p.common_ground,
            "common_future": p.common_future, "partners": [_ref(x) for x in parties]}


def _trust(t: selectors.TrustRecord) -> dict[str, Any]:
    return {"organisation_id": t.organisation.pk, "name": t.organisation.name,
            "balance": t.balance, "verdict": t.verdict,
            "events": [{"id": e.pk, "organisation_id": e.organisation_id,
                        "partnership_id": e.partnership_id, "kind": e.kind,
                        "occurred_on": e.occurred_on, "description": e.description,
                        "effect": e.effect} for e in t.events]}


def _detail(request, p: Partnership) -> dict[str, Any]:
    page = selectors.partnership_page(p, today=association_today(request.association))
    parties = page.parties
    for party in parties:
        party.association = request.association
    return {
        **_partnership(p, parties),
        "parties": [{
            "id": x.pk, "organisation_id": x.organisation_id,
            "name": x.organisation.name if x.organisation else request.association.name,
            "sector": x.organisation.sector if x.organisation else None, "is_us": x.is_us,
            "is_lead": x.is_lead, "role": x.role, "responsibilities": x.responsibilities,
            "joined_on": x.joined_on, "left_on": x.left_on,
            "approver_user_id": x.approver_user_id,
            "contacts": [{"id": c.pk, "name": c.name, "email": c.email, "title": c.title,
                          "is_approver": c.is_approver} for c in x.contacts.all()],
            "assets": [{"id": a.pk, "kind": a.kind, "resource": a.resource,
                        "description": a.description} for a in x.assets.all()],
            "responsibilities_list": [{"id": d.pk, "title": d.title,
                                       "description": d.description} for d in x.duties.all()],
        } for x in parties],
        "stakeholders": [{"id": s.pk, "name": s.name, "kind": s.kind,
                          "organisation_id": s.organisation_id, "invited_on": s.invited_on,
                          "took_part": s.took_part, "view": s.view,
                          "shares_common_ground": s.shares_common_ground}
                         for s in page.stakeholders],
        "common_ground_draft": page.common_ground_draft,
        "stages": [{"from_stage": c.from_stage, "to_stage": c.to_stage,
                    "changed_on": c.changed_on, "reason": c.reason,
                    "changed_by_id": c.changed_by_id} for c in page.stages],
        "risks": [{"id": r.risk.pk, "party_id": r.risk.party_id, "asset_id": r.risk.asset_id,
                   "relationship": r.risk.relationship, "description": r.risk.description,
                   "likelihood": r.risk.likelihood, "impact": r.risk.impact, "score": r.score,
                   "level": r.level, "mitigation": r.risk.mitigation, "status": r.risk.status,
                   "assessed_on": r.risk.assessed_on} for r in page.risks],
        "exchange": {
            "items": [{"id": i.pk, "party_id": i.party_id, "kind": i.kind,
                       "description": i.description, "value": i.value}
                      for row in page.exchange for i in row.items],
            "per_party": [{"party_id": row.party.pk, "costs": row.costs,
                           "benefits": row.benefits, "net": row.net,
                           "unvalued": row.unvalued} for row in page.exchange],
            **page.exchange_totals},
        "clauses": [{"id": c.pk, "kind": c.kind, "party_id": c.party_id, "text": c.text}
                    for c in page.clauses],
        "objectives": [{"id": o.objective.pk, "name": o.objective.name,
                        "accountability": o.objective.accountability,
                        "owner_party_id": o.objective.owner_id,
                        "metric_key": o.objective.metric_key, "filters": o.objective.filters,
                        "target": o.objective.target, "value": o.value,
                        "due_on": o.objective.due_on, "status": o.objective.status}
                       for o in page.objectives],
        "trust": [_trust(t) for t in page.trust],
    }


def _in(qs, pk: int | None, field: str, noun: str):
    """An id in a body: one of the association's objects, else a 422 on that field."""
    if pk is None:
        return None
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed("Please correct the highlighted fields",
                               fields={field: [f"no such {noun}"]})
    return found


def _party_in(p: Partnership, pk: int | None, field: str) -> PartnershipParty | None:
    return _in(PartnershipParty.objects.filter(partnership=p), pk, field,
               "party of this partnership")


# ------------------------------------------------------------------ partnerships


class PartnershipIn(In):
    name: str = Field(..., max_length=200, examples=["Healthy hearts"])
    why: str = Field(..., max_length=20_000, description="Why are we in this together?")
    starts_on: date
    ends_on: date | None = None
    review_on: date | None = None
    partner_organisation_ids: list[int] = Field(default_factory=list, max_length=50)
    our_role: str = Field("", max_length=200)
    our_approver_id: int | None = Field(None, ge=1, le=MAX_ID,
                                        description="A staff user: signs joint products")


class PartnershipPatch(In):
    name: str | None = Field(None, max_length=200)
    why: str | None = Field(None, max_length=20_000)
    starts_on: date | None = None
    ends_on: date | None = None
    review_on: date | None = None
    status: StatusName | None = None
    manager_id: int | None = Field(None, ge=1, le=MAX_ID)
    common_ground: str | None = Field(None, max_length=20_000)
    common_future: str | None = Field(None, max_length=20_000)


@router.get("/partnerships", response=Page[PartnershipOut], summary="List partnerships")
def list_partnerships(request, stage: StageName | None = None, status: StatusName | None = None,
                      cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = Partnership.objects.all()
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    page = paginate(qs.prefetch_related("parties__organisation"), cursor=cursor, limit=limit)
    items = []
    for p in page["items"]:
        parties = list(p.parties.all())
        for x in parties:
            x.association = request.association
        items.append(_partnership(p, parties))
    return {"items": items, "next_cursor": page["next_cursor"]}


@router.post("/partnerships", response={201: PartnershipDetailOut},
             summary="Start a partnership")
@idempotent
def create_partnership(request, payload: PartnershipIn):
    """The charter, the association's own party (the lead, with `our_approver_id`) and one
    party per organisation in `partner_organisation_ids`. It starts obligational."""
    orgs = [_in(Organisation.objects.all(), pk, "partner_organisation_ids", f"organisation {pk}")
            for pk in payload.partner_organisation_ids]
    p = services.partnership_create(
        association=request.association, name=payload.name, why=payload.why,
        starts_on=payload.starts_on, ends_on=payload.ends_on, review_on=payload.review_on,
        partners=orgs, our_role=payload.our_role, our_approver=payload.our_approver_id,
        actor=request.user)
    return Status(201, _detail(request, p))


@router.get("/partnerships/{partnership_id}", response=PartnershipDetailOut,
            summary="Get a partnership with everything on its page")
def get_partnership(request, partnership_id: int = path_id()):
    return _detail(request, get_or_404(Partnership.objects.all(), partnership_id))


@router.patch("/partnerships/{partnership_id}", response=PartnershipDetailOut,
              summary="Change the charter, the status or the common ground")
@idempotent
def patch_partnership(request, payload: PartnershipPatch, partnership_id: int = path_id()):
    p = get_or_404(Partnership.objects.all(), partnership_id)
    given = payload.model_dump(exclude_unset=True)
    ground = {k: given.pop(k) for k in ("common_ground", "common_future") if k in given}
    if "manager_id" in given:
        given["manager"] = given.pop("manager_id")
    for key in ("name", "why", "starts_on", "status"):
        if key in given and given[key] is None:
            raise ValidationFailed("Please correct the highlighted fields",
                                   fields={key: ["required"]})
    for key in ("ends_on", "review_on"):
        if key in given and given[key] is None:
            given[key] = ""
    services.partnership_update(association=request.association, partnership=p,
                                actor=request.user, **given)
    if ground:
        services.partnership_common_ground_write(
            association=request.association, partnership=p,
            common_ground=ground.get("common_ground", p.common_ground) or "",
            common_future=ground.get("common_future", p.common_future) or "",
            actor=request.user)
    return _detail(request, p)


class StageIn(In):
    stage: StageName
    reason: str = LongText
    on: date | None = None


@router.post("/partnerships/{partnership_id}/stage", response={201: StageChangeOut},
             summary="Move the partnership to another stage")
@idempotent
def change_stage(request, payload: StageIn, partnership_id: int = path_id()):
    """A step back needs a `reason`; `on` defaults to today, never in the future."""
    p = get_or_404(Partnership.objects.all(), partnership_id)
    c = services.partnership_stage_change(association=request.association, partnership=p,
                                          stage=payload.stage, reason=payload.reason,
                                          on=payload.on, actor=request.user)
    return Status(201, {"from_stage": c.from_stage, "to_stage": c.to_stage,
                        "changed_on": c.changed_on, "reason": c.reason,
                        "changed_by_id": c.changed_by_id})


# ------------------------------------------------------------------ parties


class PartyIn(In):
    organisation_id: int | None = OptId
    organisation_name: str = Field("", max_length=200,
                                   description="A new organisation (with `sector`)")
    sector: SectorName | Literal[""] = ""
    role: str = Field("", max_length=200)
    responsibilities: str = LongText
    is_lead: bool = False
    joined_on: date | None = None


class PartyPatch(In):
    role: str | None = Field(None, max_length=200)
    responsibilities: str | None = Field(None, max_length=20_000)
    is_lead: bool | None = None
    approver_user_id: int | None = Field(None, ge=1, le=MAX_ID)
    left_on: date | None = None


def _party_out(request, party: PartnershipParty) -> dict[str, Any]:
    return next(x for x in _detail(request, party.partnership)["parties"] if x["id"] == party.pk)


@router.post("/partnerships/{partnership_id}/parties", response={201: PartyOut},
             summary="Add a partner")
@idempotent
def add_party(request, payload: PartyIn, partnership_id: int = path_id()):
    """An organisation of the association (`organisation_id`) or a new one
    (`organisation_name` and `sector`)."""
    p = get_or_404(Partnership.objects.all(), partnership_id)
    org = _in(Organisation.objects.all(), payload.organisation_id, "organisation_id",
              "organisation")
    party = services.party_add(
        association=request.association, partnership=p, organisation=org,
        organisation_name=payload.organisation_name, sector=payload.sector, role=payload.role,
        responsibilities=payload.responsibilities, is_lead=payload.is_lead,
        joined_on=payload.joined_on, actor=request.user)
    return Status(201, _party_out(request, party))


@router.patch("/partnership-parties/{party_id}", response=PartyOut,
              summary="Change a party's role, responsibilities or our approver")
@idempotent
def patch_party(request, payload: PartyPatch, party_id: int = path_id()):
    party = get_or_404(PartnershipParty.objects.select_related("partnership"), party_id)
    given = payload.model_dump(exclude_unset=True)
    if "approver_user_id" in given:
        given["approver_user"] = given.pop("approver_user_id")
    for key in ("role", "responsibilities"):
        if key in given and given[key] is None:
            given[key] = ""
    if "is_lead" in given and given["is_lead"] is None:
        given.pop("is_lead")
    services.party_update(association=request.association, party=party, actor=request.user,
                          **given)
    return _party_out(request, party)


class ContactIn(In):
    name: str = Field(..., max_length=200)
    email: str = Field(..., max_length=254)
    title: str = Field("", max_length=200)
    is_approver: bool = False


@router.post("/partnership-parties/{party_id}/contacts", response={201: ContactOut},
             summary="Add a contact (an approver) at a partner")
@idempotent
def add_contact(request, payload: ContactIn, party_id: int = path_id()):
    party = get_or_404(PartnershipParty.objects.all(), party_id)
    c = services.partner_contact_add(association=request.association, party=party,
                                     name=payload.name, email=payload.email,
                                     title=payload.title, is_approver=payload.is_approver,
                                     actor=request.user)
    return Status(201, {"id": c.pk, "name": c.name, "email": c.email, "title": c.title,
                        "is_approver": c.is_approver})


class AssetIn(In):
    kind: Literal["visibility", "credibility", "resources"]
    resource: Literal["sales_force", "distribution", "pricing_history", "promotion", "rnd",
                      "manufacturing", "other", ""] = ""
    description: str = LongText


@router.post("/partnership-parties/{party_id}/assets", response={201: AssetOut},
             summary="Record what a party brings")
@idempotent
def add_asset(request, payload: AssetIn, party_id: int = path_id()):
    party = get_or_404(PartnershipParty.objects.all(), party_id)
    a = services.asset_add(association=request.association, party=party, kind=payload.kind,
                           resource=payload.resource, description=payload.description,
                           actor=request.user)
    return Status(201, {"id": a.pk, "kind": a.kind, "resource": a.resource,
                        "description": a.description})


class DutyIn(In):
    title: str = Field(..., max_length=200)
    description: str = LongText


@router.post("/partnership-parties/{party_id}/responsibilities", response={201: DutyOut},
             summary="Assign a responsibility to a party")
@idempotent
def add_responsibility(request, payload: DutyIn, party_id: int = path_id()):
    party = get_or_404(PartnershipParty.objects.all(), party_id)
    d = services.responsibility_add(association=request.association, party=party,
                                    title=payload.title, description=payload.description,
                                    actor=request.user)
    return Status(201, {"id": d.pk, "title": d.title, "description": d.description})


# ------------------------------------------------------------------ stakeholders, diligence


class StakeholderIn(In):
    name: str = Field(..., max_length=200)
    kind: Literal["audience", "advocacy", "regulator", "peer", "competitor", "funder",
                  "other"] = "other"
    organisation_id: int | None = OptId
    invited_on: date | None = None
    took_part: bool = False
    view: str = LongText
    shares_common_ground: bool = False


@router.post("/partnerships/{partnership_id}/stakeholders", response={201: StakeholderOut},
             summary="Invite a stakeholder (and record their view)")
@idempotent
def add_stakeholder(request, payload: StakeholderIn, partnership_id: int = path_id()):
    p = get_or_404(Partnership.objects.all(), partnership_id)
    org = _in(Organisation.objects.all(), payload.organisation_id, "organisation_id",
              "organisation")
    s = services.stakeholder_save(
        association=request.association, partnership=p, name=payload.name, kind=payload.kind,
        organisation=org, invited_on=payload.invited_on, took_part=payload.took_part,
        view=payload.view, shares_common_ground=payload.shares_common_ground,
        actor=request.user)
    return Status(201, {"id": s.pk, "name": s.name, "kind": s.kind,
                        "organisation_id": s.organisation_id, "invited_on": s.invited_on,
                        "took_part": s.took_part, "view": s.view,
                        "shares_common_ground": s.shares_common_ground})


RelationshipName = Literal["audiences", "advocacy", "regulators", "stakeholders", "peers",
                           "competitors", "other_partners", ""]


class RiskIn(In):
    party_id: int = Id
    asset_id: int | None = OptId
    relationship: RelationshipName = ""
    description: str = Field(..., max_length=20_000)
    likelihood: int = Field(..., ge=1, le=5)
    impact: int = Field(..., ge=1, le=5)
    mitigation: str = LongText
    assessed_on: date | None = None


class RiskPatch(In):
    status: Literal["open", "mitigated", "accepted"] | None = None
    mitigation: str | None = Field(None, max_length=20_000)
    likelihood: int | None = Field(None, ge=1, le=5)
    impact: int | None = Field(None, ge=1, le=5)


def _risk(r: DiligenceRisk) -> dict[str, Any]:
    score = r.likelihood * r.impact
    return {"id": r.pk, "party_id": r.party_id, "asset_id": r.asset_id,
            "relationship": r.relationship, "description": r.description,
            "likelihood": r.likelihood, "impact": r.impact, "score": score,
            "level": selectors.risk_level(score), "mitigation": r.mitigation,
            "status": r.status, "assessed_on": r.assessed_on}


@router.post("/partnerships/{partnership_id}/risks", response={201: RiskOut},
             summary="Assess a due-diligence risk")
@idempotent
def add_risk(request, payload: RiskIn, partnership_id: int = path_id()):
    """The asset (`asset_id`, one of the party's) or the relationship at risk, or both."""
    p = get_or_404(Partnership.objects.all(), partnership_id)
    party = _party_in(p, payload.party_id, "party_id")
    asset = _in(PartnerAsset.objects.filter(party__partnership=p), payload.asset_id, "asset_id",
                "asset of this partnership")
    r = services.risk_add(association=request.association, partnership=p, party=party,
                          asset=asset, relationship=payload.relationship,
                          description=payload.description, likelihood=payload.likelihood,
                          impact=payload.impact, mitigation=payload.mitigation,
                          assessed_on=payload.assessed_on, actor=request.user)
    return Status(201, _risk(r))


@router.patch("/partnership-risks/{risk_id}", response=RiskOut, summary="Reassess a risk")
@idempotent
def patch_risk(request, payload: RiskPatch, risk_id: int = path_id()):
    r = get_or_404(DiligenceRisk.objects.all(), risk_id)
    given = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    services.risk_update(association=request.association, risk=r, actor=request.user, **given)
    return _risk(r)


# ------------------------------------------------------------------ exchange, clauses, objectives


class ExchangeIn(In):
    party_id: int = Id
    kind: Literal["cost", "benefit"]
    description: str = Field(..., max_length=250)
    value: str | None = Money


@router.post("/partnerships/{partnership_id}/exchange", response={201: ExchangeItemOut},
             summary="Add a cost or a benefit to the exchange case")
@idempotent
def add_exchange_item(request, payload: ExchangeIn, partnership_id: int = path_id()):
    p = get_or_404(Partnership.objects.all(), partnership_id)
    party = _party_in(p, payload.party_id, "party_id")
    i = services.exchange_item_add(association=request.association, partnership=p, party=party,
                                   kind=payload.kind, description=payload.description,
                                   value=payload.value, actor=request.user)
    return Status(201, {"id": i.pk, "party_id": i.party_id, "kind": i.kind,
                        "description": i.description, "value": i.value})


class ClauseIn(In):
    kind: Literal["exclusivity", "constraint", "commitment"]
    party_id: int | None = Field(None, ge=1, le=MAX_ID,
                                 description="The party it binds; none: every party")
    text: str = Field(..., max_length=20_000)


@router.post("/partnerships/{partnership_id}/clauses", response={201: ClauseOut},
             summary="Add a clause (exclusivity can't bind a public body)")
@idempotent
def add_clause(request, payload: ClauseIn, partnership_id: int = path_id()):
    p = get_or_404(Partnership.objects.all(), partnership_id)
    party = _party_in(p, payload.party_id, "party_id")
    try:
        c = services.clause_add(association=request.association, partnership=p, party=party,
                                kind=payload.kind, text=payload.text, actor=request.user)
    except ValidationFailed as exc:
        if "party" in exc.fields:  # the API's field is party_id
            exc.fields["party_id"] = exc.fields.pop("party")
        raise
    return Status(201, {"id": c.pk, "kind": c.kind, "party_id": c.party_id, "text": c.text})


@router.delete("/partnership-clauses/{clause_id}", response={204: None},
               summary="Remove a clause")
@idempotent
def delete_clause(request, clause_id: int = path_id()):
    c = get_or_404(Clause.objects.all(), clause_id)
    services.clause_remove(association=request.association, clause=c, actor=request.user)
    return Status(204, None)


class ObjectiveIn(In):
    name: str = Field(..., max_length=200)
    accountability: str = LongText
    owner_party_id: int | None = OptId
    metric_key: str = Field("", max_length=80, description="A catalogue metric, optional")
    filters: dict[str, str] = Field(default_factory=dict, max_length=20)
    target: str | None = Money
    due_on: date | None = None


@router.post("/partnerships/{partnership_id}/objectives", response={201: ObjectiveOut},
             summary="Add an objective with its accountability standard")
@idempotent
def add_objective(request, payload: ObjectiveIn, partnership_id: int = path_id()):
    p = get_or_404(Partnership.objects.all(), partnership_id)
    owner = _party_in(p, payload.owner_party_id, "owner_party_id")
    o = services.objective_add(association=request.association, partnership=p,
                               name=payload.name, accountability=payload.accountability,
                               owner=owner, metric_key=payload.metric_key,
                               filters=payload.filters, target=payload.target,
                               due_on=payload.due_on, actor=request.user)
    row = next(r for r in _detail(request, p)["objectives"] if r["id"] == o.pk)
    return Status(201, row)


# ------------------------------------------------------------------ partners and trust


def _partner(org: Organisation) -> dict[str, Any]:
    page = selectors.partner_page(org)
    return {"organisation_id": org.pk, "name": org.name, "sector": org.sector,
            "partnerships": [{"partnership_id": x.partnership_id, "party_id": x.pk,
                              "name": x.partnership.name, "stage": x.partnership.stage,
                              "status": x.partnership.status, "role": x.role}
                             for x in page.parties],
            "trust": _trust(page.trust)}


@router.get("/partners/{organisation_id}", response=PartnerOut,
            summary="A partner organisation: its partnerships and trust record")
def get_partner(request, organisation_id: int = path_id()):
    return _partner(get_or_404(Organisation.objects.all(), organisation_id))


class TrustIn(In):
    kind: Literal["past_work", "incident", "commendation"]
    occurred_on: date
    description: str = Field(..., max_length=20_000)
    effect: int = Field(0, ge=-1, le=1)
    partnership_id: int | None = OptId


@router.post("/partners/{organisation_id}/trust-events", response={201: TrustEventOut},
             summary="Add to a partner's trust record")
@idempotent
def add_trust_event(request, payload: TrustIn, organisation_id: int = path_id()):
    org = get_or_404(Organisation.objects.all(), organisation_id)
    p = _in(Partnership.objects.all(), payload.partnership_id, "partnership_id", "partnership")
    e = services.trust_event_record(association=request.association, organisation=org,
                                    kind=payload.kind, occurred_on=payload.occurred_on,
                                    description=payload.description, effect=payload.effect,
                                    partnership=p, actor=request.user)
    return Status(201, {"id": e.pk, "organisation_id": e.organisation_id,
                        "partnership_id": e.partnership_id, "kind": e.kind,
                        "occurred_on": e.occurred_on, "description": e.description,
                        "effect": e.effect})


class SectorIn(In):
    sector: SectorName


@router.post("/partners/{organisation_id}/sector", response=PartnerOut,
             summary="Change a partner's sector (not to public under exclusivity)")
@idempotent
def change_sector(request, payload: SectorIn, organisation_id: int = path_id()):
    org = get_or_404(Organisation.objects.all(), organisation_id)
    services.partner_sector_change(association=request.association, organisation=org,
                                   sector=payload.sector, actor=request.user)
    return _partner(org)
