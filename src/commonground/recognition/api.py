"""Recognition API, mounted by ``web.api`` under /api/v1: tiers and their evaluation,
nominations and their approval, awards (issue, revoke) and the expert network's vetting."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Query, Router, Status

from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Person
from commonground.tenancy.idempotency import idempotent

from . import openbadges, selectors, services
from .models import Award, ExpertProfile, Nomination, NominationSource, Tier
from .schemas import (
    AwardIn,
    AwardOut,
    DecisionIn,
    EvaluationOut,
    ExpertOut,
    NominationIn,
    NominationOut,
    RevokeIn,
    TierIn,
    TierOut,
    TierPatch,
    VetIn,
)

router = Router(tags=["recognition"])
TIER_FIELDS = ("name", "description", "slug", "criteria", "min_contributions", "min_kinds",
               "window_months", "required_kinds", "auto_award", "colour", "order", "is_active")


def _ref(**kw):
    return Query(None, ge=1, le=MAX_ID, **kw)


def _person(pk: int) -> Person:
    return get_or_404(Person.objects.filter(erased_at__isnull=True), pk)


@router.get("/tiers", response=Page[TierOut], summary="List recognition tiers")
def list_tiers(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    return paginate(Tier.objects.all(), cursor=cursor, limit=limit)


@router.post("/tiers", response={201: TierOut}, summary="Create a tier")
@idempotent
def create_tier(request, payload: TierIn):
    return Status(201, services.tier_save(association=request.association, actor=request.user,
                                          **payload.model_dump()))


@router.patch("/tiers/{tier_id}", response=TierOut, summary="Change a tier")
@idempotent
def patch_tier(request, payload: TierPatch, tier_id: int = path_id()):
    tier = get_or_404(Tier.objects.all(), tier_id)
    current = {f: getattr(tier, f) for f in TIER_FIELDS}
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return services.tier_save(association=request.association, tier=tier, actor=request.user,
                              **{**current, **changes})


@router.post("/recognition/evaluate", response=EvaluationOut,
             summary="Run every tier's rule now (nominate or award candidates)")
@idempotent
def evaluate(request):
    return services.tiers_evaluate(association=request.association, actor=request.user).as_dict()


@router.get("/nominations", response=Page[NominationOut], summary="List nominations")
def list_nominations(request, status: Literal["pending", "approved", "declined"] | None = None,
                     person: int | None = _ref(), cursor: str | None = Query(None, max_length=500),
                     limit: int = 50):
    qs = Nomination.objects.all()
    if status:
        qs = qs.filter(status=status)
    if person:
        qs = qs.filter(person_id=person)
    return paginate(qs, cursor=cursor, limit=limit)


@router.post("/nominations", response={201: NominationOut}, summary="Nominate a person")
@idempotent
def create_nomination(request, payload: NominationIn):
    tier = get_or_404(Tier.objects.all(), payload.tier)
    nomination = services.nomination_create(
        association=request.association, tier=tier, person=_person(payload.person),
        reason=payload.reason, source=NominationSource.STAFF, actor=request.user)
    return Status(201, nomination)


def _decide(request, nomination_id: int, payload: DecisionIn, approve: bool) -> Any:
    nomination = get_or_404(Nomination.objects.all(), nomination_id)
    return services.nomination_decide(association=request.association, nomination=nomination,
                                      approve=approve, note=payload.note, actor=request.user)


@router.post("/nominations/{nomination_id}/approve", response=NominationOut,
             summary="Approve a nomination (awards the badge)")
@idempotent
def approve_nomination(request, payload: DecisionIn, nomination_id: int = path_id()):
    return _decide(request, nomination_id, payload, True)


@router.post("/nominations/{nomination_id}/decline", response=NominationOut,
             summary="Decline a nomination")
@idempotent
def decline_nomination(request, payload: DecisionIn, nomination_id: int = path_id()):
    return _decide(request, nomination_id, payload, False)


def _award_out(award: Award, issuer=None) -> Award:
    issuer = issuer or services.issuer_get(association=award.association)
    award.assertion_url = openbadges.url(issuer, "badge_assertion", uuid=str(award.uuid))
    return award


@router.get("/awards", response=Page[AwardOut], summary="List badges issued")
def list_awards(request, person: int | None = _ref(), tier: int | None = _ref(),
                revoked: bool | None = None, cursor: str | None = Query(None, max_length=500),
                limit: int = 50):
    qs = Award.objects.select_related("association")
    if person:
        qs = qs.filter(person_id=person)
    if tier:
        qs = qs.filter(tier_id=tier)
    if revoked is not None:
        qs = qs.filter(revoked_at__isnull=not revoked)
    page = paginate(qs, cursor=cursor, limit=limit)
    issuer = services.issuer_get(association=request.association)
    page["items"] = [_award_out(a, issuer) for a in page["items"]]
    return page


@router.post("/awards", response={201: AwardOut}, summary="Award a badge now")
@idempotent
def create_award(request, payload: AwardIn):
    tier = get_or_404(Tier.objects.all(), payload.tier)
    award = services.award_issue(association=request.association, tier=tier,
                                 person=_person(payload.person), narrative=payload.narrative,
                                 actor=request.user)
    return Status(201, _award_out(award))


@router.post("/awards/{award_id}/revoke", response=AwardOut,
             summary="Revoke a badge (its assertion then answers 410 Gone)")
@idempotent
def revoke_award(request, payload: RevokeIn, award_id: int = path_id()):
    award = get_or_404(Award.objects.select_related("association"), award_id)
    return _award_out(services.award_revoke(association=request.association, award=award,
                                            reason=payload.reason, actor=request.user))


def _expert_out(e: ExpertProfile) -> dict[str, Any]:
    return {"id": e.pk, "person_id": e.person_id, "headline": e.headline, "bio": e.bio,
            "specialties": [s.trait.name for s in e.specialties.all()],
            "other_specialties": e.other_specialties, "availability": e.availability,
            "status": e.status}


@router.get("/experts", response=Page[ExpertOut], summary="Search the expert network")
def list_experts(request, q: str = Query("", max_length=200),
                 status: Literal["applied", "vetted", "declined"] | None = None,
                 specialty: int | None = _ref(description="Skill trait id"),
                 cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = selectors.expert_search(text=q, specialty=specialty, status=status)
    page = paginate(qs, cursor=cursor, limit=limit)
    page["items"] = [_expert_out(e) for e in page["items"]]
    return page


@router.post("/experts/{expert_id}/vet", response=ExpertOut, summary="Vet or decline an expert")
@idempotent
def vet_expert(request, payload: VetIn, expert_id: int = path_id()):
    profile = get_or_404(ExpertProfile.objects.all(), expert_id)
    vetted = services.expert_vet(association=request.association, profile=profile,
                                 status=payload.status, note=payload.note, actor=request.user)
    return _expert_out(vetted)
