"""Next-best offering API, mounted by ``web.api`` under /api/v1."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status

from commonground.core.ids import MAX_ID
from commonground.core.pagination import Page, paginate
from commonground.membership.models import Offering
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Person
from commonground.tenancy.idempotency import idempotent

from . import selectors, services
from .engine import TOP
from .models import Recommendation

router = Router(tags=["next-best offering"])


class SuggestionOut(Schema):
    rank: int
    offering_id: int
    offering: str
    category: str
    price: Decimal
    currency: str
    price_applies: str = Field(..., description="member or non_member: the person's price today")
    other_price: Decimal | None = Field(None, description="The price on the other side, if different")
    reason: str
    personal: bool = Field(..., description="False: the most taken offerings (no history yet)")


class PersonSuggestionsOut(Schema):
    person_id: int
    is_member: bool
    suggestions: list[SuggestionOut]


class RunOut(Schema):
    id: int
    as_of: date
    computed_at: datetime
    people: int
    offerings: int
    interactions: int
    seconds: float
    popular: list[int]
    evaluation: dict[str, Any]


class ComputeIn(Schema):
    top: int = Field(TOP, ge=1, le=services.TOP_MAX, description="Suggestions per person")
    evaluate: bool = Field(False, description="Also run the offline check (hit rate vs popular)")


class RecommendedOut(Schema):
    id: int
    person_id: int
    offering_id: int
    rank: int
    score: float


def _suggestion_out(s: selectors.Suggestion) -> dict[str, Any]:
    return {"rank": s.rank, "offering_id": s.offering.pk, "offering": s.offering.name,
            "category": s.offering.category, "price": s.price, "currency": s.offering.currency,
            "price_applies": "member" if s.member_price_applies else "non_member",
            "other_price": s.other_price, "reason": s.reason, "personal": s.personal}


@router.get("/people/{person_id}/next-best-offerings", response=PersonSuggestionsOut,
            summary="A person's next-best offerings, priced for them")
def person_suggestions(request, person_id: int = Path(..., ge=1, le=MAX_ID),
                       limit: int = Query(selectors.SHOWN, ge=1, le=services.TOP_MAX)):
    """The stored personal suggestions with their reasons, at the member or non-member
    price the person pays today; the most taken offerings they lack when they have no
    history yet. 404 for a person not yours."""
    person = get_or_404(Person.objects.all(), person_id)
    return {"person_id": person.pk, "is_member": selectors.is_member(person),
            "suggestions": [_suggestion_out(s) for s in
                            selectors.suggestions_for(person, limit=limit)]}


@router.get("/offerings/{offering_id}/recommended-to", response=Page[RecommendedOut],
            summary="People an offering is suggested to")
def list_recommended(request, offering_id: int = Path(..., ge=1, le=MAX_ID),
                     rank_max: int = Query(selectors.SHOWN, ge=1, le=services.TOP_MAX),
                     cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """Everyone whose top ``rank_max`` personal suggestions include the offering, paged
    (the same people as the segment rule "Recommended offering is …"). 404 for an
    offering not yours."""
    offering = get_or_404(Offering.objects.all(), offering_id)
    qs = Recommendation.objects.filter(offering=offering, rank__lte=rank_max)
    return paginate(qs, cursor=cursor, limit=limit)


@router.get("/next-best-offerings/runs/latest", response=RunOut,
            summary="The latest computation and its evaluation")
def latest_run(request):
    run = selectors.latest_run()
    if run is None:
        raise Http404("Not computed yet")
    return run


@router.post("/next-best-offerings/compute", response={201: RunOut},
             summary="Compute everyone's suggestions now")
@idempotent
def compute(request, payload: ComputeIn):
    run = services.recommendations_compute(association=request.association, actor=request.user,
                                           top=payload.top, evaluate=payload.evaluate)
    return Status(201, run)
