"""Prospects API, mounted by ``web.api`` under /api/v1.

``GET /prospects`` the ranked list (best first by probability × first-year dues; filter by
band; ``offset``/``limit`` pages), ``GET /people/{id}/prospect`` one person's score and
reasons, ``GET /prospects/model`` the current version's card, ``POST /prospects/train`` and
``POST /prospects/score`` hand a retrain or a rescore to the worker.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Path, Query, Router, Schema, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Person
from commonground.tenancy.idempotency import idempotent

from . import selectors as versions
from .models import ModelKind
from .prospects import selectors, tasks

router = Router(tags=["prospects"])
MAX_LIMIT = 500


class ReasonOut(Schema):
    text: str
    effect: float
    feature: str


class ProspectOut(Schema):
    id: int  # the prediction's
    person_id: int
    name: str
    email: str
    probability: float
    band: str
    reasons: list[ReasonOut]
    first_year_dues: Decimal
    expected_value: float
    model_version: int
    method: str
    scored_at: datetime


class ProspectPage(Schema):
    items: list[ProspectOut]
    total: int
    next_offset: int | None = None


class ModelOut(Schema):
    version: int
    method: str
    status: str
    as_of: date
    is_current: bool
    card: dict[str, Any]


def _out(p, version=None) -> dict[str, Any]:
    model = version or p.model
    expected = getattr(p, "expected", None)
    return {"id": p.pk, "person_id": p.person_id, "name": p.person.full_name, "email": p.person.email,
            "probability": round(p.probability, 4), "band": p.band, "reasons": p.reasons,
            "first_year_dues": p.value_at_risk,
            "expected_value": round(expected if expected is not None
                                    else p.probability * float(p.value_at_risk), 2),
            "model_version": model.version, "method": model.method, "scored_at": p.scored_at}


@router.get("/prospects", response=ProspectPage, summary="Prospects, most valuable first")
def list_prospects(request, band: str = Query("", max_length=10), offset: int = Query(0, ge=0),
                   limit: int = Query(50, ge=1, le=MAX_LIMIT)):
    """Non-members scored by the current prospects model, best first by expected first-year
    dues (probability × dues). ``band`` is high, medium or low (422 otherwise)."""
    if band and band not in selectors.BANDS:
        raise ValidationFailed("Unknown band",
                               fields={"band": [f"must be one of {', '.join(selectors.BANDS)}"]})
    # The version's number and method only: never its fitted model (megabytes) per row.
    qs = (selectors.ranked(request.association, band=band).select_related("model")
          .defer("model__artifact", "model__card"))
    total = qs.count()
    rows = list(qs[offset: offset + limit])
    more = offset + len(rows) < total
    return {"items": [_out(p) for p in rows], "total": total,
            "next_offset": offset + len(rows) if more else None}


@router.get("/people/{person_id}/prospect", response=ProspectOut,
            summary="A person's propensity to join, with reasons")
def get_prospect(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """404 for a person who is not scored as a prospect (a member, no activity) or not yours."""
    person = get_or_404(Person.objects.all(), person_id)
    found = versions.prediction_of(person, ModelKind.PROSPECT)
    if found is None:
        raise Http404("This person is not scored as a prospect")
    return _out(found)


@router.get("/prospects/model", response=ModelOut, summary="The current prospects model's card")
def current_model(request):
    version = versions.current_version(ModelKind.PROSPECT)
    if version is None:
        raise Http404("No prospects model yet: POST /prospects/train")
    return version


@router.post("/prospects/train", response={202: dict}, summary="Retrain the prospects model (background)")
@idempotent
def train(request):
    tasks.enqueue_train(request.association.pk, actor_id=request.user.pk)
    return Status(202, {"status": "queued", "action": "train"})


@router.post("/prospects/score", response={202: dict}, summary="Rescore every prospect (background)")
@idempotent
def score(request):
    tasks.enqueue_score(request.association.pk)
    return Status(202, {"status": "queued", "action": "score"})
