"""Writes of next-best offering: compute (and optionally evaluate) everyone's suggestions."""

from __future__ import annotations

import time

import numpy as np
from django.db import transaction

from commonground.core.errors import ValidationFailed
from commonground.membership.models import Offering
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import engine, evaluation, selectors
from .models import Method, Recommendation, RecommendationRun

BATCH = 5_000
TOP_MAX = 10


def recommendations_compute(*, association: Association, actor=None, top: int = engine.TOP,
                            evaluate: bool = False) -> RecommendationRun:
    """Everyone's next-best offerings from what everyone took, replacing the stored ones
    in one transaction; with ``evaluate`` the offline check runs too and is kept on the
    run. Set-based: one GROUP BY read, sparse matrices, bulk writes."""
    if not 1 <= top <= TOP_MAX:
        raise ValidationFailed("Suggestions per person must be 1–10",
                               fields={"top": [f"between 1 and {TOP_MAX}"]})
    started = time.perf_counter()
    today = association_today(association)
    t = selectors.taken(association)
    catalogue = list(Offering.objects.order_by("pk").values_list("pk", "is_active"))
    col = {pk: i for i, (pk, _a) in enumerate(catalogue)}
    keep = np.fromiter((o in col for o in t.offering.tolist()), dtype=bool, count=len(t))
    people, rows = np.unique(t.person[keep], return_inverse=True)
    cols = np.fromiter((col[o] for o in t.offering[keep].tolist()), dtype=np.int64)
    active = np.array([a for _pk, a in catalogue], dtype=bool)
    X = engine.binary_matrix(rows.ravel(), cols, (len(people), len(catalogue)))
    pop = engine.popularity(X)
    popular = [catalogue[i][0] for i in np.argsort(-pop, kind="stable")
               if active[i] and pop[i] > 0]
    s = engine.suggest(X, active=active, top=min(top, len(catalogue))) if len(people) \
        else None
    offering_ids = np.array([pk for pk, _a in catalogue], dtype=np.int64)
    objs = list(_rows(association, people, s, offering_ids)) if s is not None else []
    figures = evaluation.evaluate(association, today=today).as_dict() if evaluate else {}
    with transaction.atomic():
        Recommendation.objects.all().delete()
        Recommendation.objects.bulk_create(objs, batch_size=BATCH)
        run = RecommendationRun.objects.create(
            association=association, as_of=today, people=len({o.person_id for o in objs}),
            offerings=int((pop > 0).sum()), interactions=int(X.nnz), popular=popular,
            params={"top": top, "blend": engine.BLEND, "neighbours": engine.NEIGHBOURS},
            evaluation=figures, seconds=round(time.perf_counter() - started, 3),
            actor=actor if getattr(actor, "is_authenticated", False) else None)
        audit.record(association=association, action="recommendations.computed", obj=run,
                     actor=actor, data={"people": run.people, "suggestions": len(objs),
                                        "evaluated": bool(figures)})
    return run


def _rows(association, people: np.ndarray, s: engine.Suggestions, offering_ids: np.ndarray):
    """Recommendation objects from the engine's arrays (only real suggestions)."""
    n, top = s.items.shape
    for r in range(n):
        pid = int(people[r])
        rank = 0
        for t in range(top):
            item = int(s.items[r, t])
            if item < 0 or s.scores[r, t] <= engine.POPULARITY:
                continue  # nothing but popularity behind it: not a personal suggestion
            rank += 1
            because = int(s.because[r, t])
            yield Recommendation(
                association=association, person_id=pid, offering_id=int(offering_ids[item]),
                rank=rank, score=float(s.scores[r, t]),
                method=Method.ITEMS if s.by_items[r, t] else Method.NEIGHBOURS,
                because_id=int(offering_ids[because]) if because >= 0 else None,
                because_share=float(s.because_share[r, t]) if because >= 0 else None,
                neighbours=int(s.neighbours[r, t]), neighbours_took=int(s.neighbours_took[r, t]))
