"""Insight API, mounted by ``web.api`` under /api/v1: lapse predictions, model cards,
training and scoring."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db import transaction
from django.http import Http404
from ninja import Path, Query, Router, Schema, Status

from commonground.core.errors import Conflict
from commonground.core.ids import MAX_ID
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Person
from commonground.tenancy.idempotency import idempotent

from . import selectors, tasks
from .models import ModelKind, ModelVersion, Prediction

router = Router(tags=["insight"])

BandIn = Literal["high", "medium", "low"]


class ReasonOut(Schema):
    text: str
    effect: float
    feature: str


class PredictionOut(Schema):
    id: int
    person_id: int
    kind: str
    probability: float
    band: str
    reasons: list[ReasonOut]
    decision_on: date | None
    value_at_risk: float
    model_version: int
    method: str
    scored_at: datetime


class VersionOut(Schema):
    id: int
    version: int
    kind: str
    method: str
    status: str
    is_current: bool
    as_of: date
    train_from: date | None
    holdout_from: date | None
    holdout_to: date | None
    n_train: int
    n_holdout: int
    positives_train: int
    positives_holdout: int
    card: dict[str, Any]
    error: str
    created_at: datetime
    finished_at: datetime | None


def _prediction_out(p: Prediction) -> dict[str, Any]:
    return {"id": p.pk, "person_id": p.person_id, "kind": p.kind, "probability": p.probability,
            "band": p.band, "reasons": p.reasons, "decision_on": p.decision_on,
            "value_at_risk": float(p.value_at_risk), "model_version": p.model.version,
            "method": p.model.method, "scored_at": p.scored_at}


@router.get("/insight/lapse/predictions", response=Page[PredictionOut],
            summary="Lapse risk of every scored member")
def list_predictions(request, band: BandIn | None = None,
                     plan: int | None = Query(None, ge=1, le=MAX_ID),
                     chapter: int | None = Query(None, ge=1, le=MAX_ID),
                     cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """One page (by id; the at-risk page sorts by revenue at risk), filtered by band,
    plan or chapter."""
    qs = selectors.at_risk(band=band, plan_id=plan, chapter_id=chapter).select_related("model") \
        .defer("model__artifact", "model__card")
    page = paginate(qs, cursor=cursor, limit=limit)
    page["items"] = [_prediction_out(p) for p in page["items"]]
    return page


@router.get("/people/{person_id}/lapse-risk", response=PredictionOut,
            summary="A member's lapse risk with its reasons")
def person_prediction(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """404 for a person who is not scored (no current membership up for renewal, or no
    model yet) or not yours."""
    person = get_or_404(Person.objects.all(), person_id)
    prediction = selectors.prediction_of(person)
    if prediction is None:
        raise Http404("This person has no lapse prediction")
    return _prediction_out(prediction)


@router.get("/insight/lapse/model", response=VersionOut,
            summary="The lapse model's card (the current version)")
def model_card(request):
    """The figures on the time holdout, calibration bins, importance, sizes and dates — or,
    for a rule-based version, why no model could be trained (``card.why_rules``). 404
    before the first training."""
    version = selectors.card_version(ModelKind.LAPSE)
    if version is None:
        raise Http404("No lapse model yet")
    return version


@router.get("/insight/lapse/model/versions", response=Page[VersionOut],
            summary="Every version of the lapse model")
def model_versions(request, cursor: str | None = Query(None, max_length=500), limit: int = 20):
    return paginate(ModelVersion.objects.filter(kind=ModelKind.LAPSE).defer("artifact"),
                    cursor=cursor, limit=limit)


@router.post("/insight/lapse/train", response={202: dict},
             summary="Train a new lapse version and rescore (background)")
@idempotent
def train(request):
    """Queued for the task worker; the new version becomes current once everyone is scored
    with it. Poll ``GET /insight/lapse/model``."""
    aid = request.association.pk
    transaction.on_commit(lambda: tasks.lapse_train.enqueue(aid))
    return Status(202, {"queued": "train", "kind": ModelKind.LAPSE})


@router.post("/insight/lapse/score", response={202: dict},
             summary="Rescore every member with the current version (background)")
@idempotent
def score(request):
    if selectors.current_version() is None:
        raise Conflict("No lapse model yet: train one first (POST /insight/lapse/train).")
    aid = request.association.pk
    transaction.on_commit(lambda: tasks.lapse_daily.enqueue(aid))
    return Status(202, {"queued": "score", "kind": ModelKind.LAPSE})
