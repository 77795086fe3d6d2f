"""Engagement score API, mounted by ``web.api`` under /api/v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status

from commonground.core.ids import MAX_ID
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Person
from commonground.tenancy.idempotency import idempotent

from . import selectors, services
from .models import ScoreConfig

router = Router(tags=["engagement score"])


class ItemOut(Schema):
    key: str
    label: str
    side: str
    n: int
    decayed: float
    weight: float
    cap: float
    points: float
    capped: bool


class ChangeOut(Schema):
    key: str
    label: str
    side: str
    then: float
    now: float
    delta: float


class ScoreOut(Schema):
    person_id: int
    total: float
    derived: float
    created: float
    level: str
    as_of: date
    config_version: int
    items: list[ItemOut] = []
    sides: dict[str, dict[str, Any]] = {}
    since_snapshot: float | None = None
    snapshot_month: date | None = None
    snapshot_config_version: int | None = None
    changes: list[ChangeOut] = []


class ConfigOut(Schema):
    id: int
    version: int
    params: dict[str, Any]
    note: str
    created_at: datetime


class ConfigIn(Schema):
    params: dict[str, Any] = Field(..., description="The whole model; missing parts take the defaults")
    note: str = Field("", max_length=300)


def _score_out(score) -> dict[str, Any]:
    change = selectors.change_since_snapshot(score)
    why = change.now
    keep = ("key", "label", "side", "n", "decayed", "weight", "cap", "points", "capped")
    out = {"person_id": score.person_id, "total": round(score.total, 1),
           "derived": round(score.derived, 1), "created": round(score.created, 1),
           "level": why.level, "as_of": score.as_of, "config_version": why.version,
           "items": [{k: i[k] for k in keep} for i in why.items], "sides": why.sides,
           "changes": change.items}
    if change.then is not None:
        out.update(since_snapshot=change.delta, snapshot_month=change.then.score.month,
                   snapshot_config_version=change.then.version)
    return out


@router.get("/people/{person_id}/score", response=ScoreOut, summary="A person's score, explained")
def get_score(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """The score with its items ("why 72?": events, decay, weight, cap, points, by the
    configuration version it was computed with) and the per-item change since the last
    monthly snapshot ("why +8?"). 404 for a person not scored (yet) or not yours."""
    person = get_or_404(Person.objects.all(), person_id)
    score = selectors.score_of(request.association, person)
    if score is None:
        raise Http404("No score yet for this person")
    return _score_out(score)


@router.get("/score-configs", response=Page[ConfigOut], summary="Score model versions")
def list_configs(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    services.current_config(association=request.association)  # version 1 exists
    return paginate(ScoreConfig.objects.all(), cursor=cursor, limit=limit)


@router.get("/score-configs/current", response=ConfigOut, summary="The current score model")
def current_config(request):
    return services.current_config(association=request.association)


@router.post("/score-configs", response={201: ConfigOut}, summary="Save a new score model version")
@idempotent
def create_config(request, payload: ConfigIn):
    """A configuration that would divide by zero or weigh nothing is a 422 with the reason
    per field (``half_life_days``, ``shares``, ``categories.web.weight`` …)."""
    saved = services.score_config_save(association=request.association, params=payload.params,
                                       note=payload.note, actor=request.user)
    return Status(201, saved)


@router.post("/scores/recompute", response={202: dict}, summary="Recompute every score (background)")
@idempotent
def recompute(request):
    run = services.score_recompute_start(association=request.association, actor=request.user,
                                         background=True)
    return Status(202, {"run_id": run.pk, "status": run.status})
