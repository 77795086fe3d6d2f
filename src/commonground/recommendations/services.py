"""Writes of next-best offering: compute (and optionally evaluate) everyone's suggestions."""

from __future__ import annotations

import time

import numpy as np
import polars as pl
from django.db import transaction

from commonground.core import bulk
from commonground.core.errors import ValidationFailed
from commonground.membership.models import Offering
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import engine, evaluation, selectors
from .models import Method, Recommendation, RecommendationRun

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
    t = selectors.taken(association, dated=False)
    catalogue = list(Offering.objects.order_by("pk").values_list("pk", "is_active"))
    offering_ids = np.array([pk for pk, _a in catalogue], dtype=np.int64)
    keep, cols = engine.columns_of(t.offering, offering_ids)
    people, rows = np.unique(t.person[keep], return_inverse=True)
    active = np.array([a for _pk, a in catalogue], dtype=bool)
    X = engine.binary_matrix(rows.ravel(), cols, (len(people), len(catalogue)))
    pop = engine.popularity(X)
    popular = [catalogue[i][0] for i in np.argsort(-pop, kind="stable")
               if active[i] and pop[i] > 0]
    s = engine.suggest(X, active=active, top=min(top, len(catalogue))) if len(people) \
        else None
    frame = _frame(people, s, offering_ids) if s is not None else None
    figures = evaluation.evaluate(association, today=today).as_dict() if evaluate else {}
    with transaction.atomic():
        Recommendation.objects.all().delete()
        written = bulk.insert_frame(Recommendation, frame, {"association_id": association.pk}) \
            if frame is not None else 0
        run = RecommendationRun.objects.create(
            association=association, as_of=today,
            people=frame.get_column("person_id").n_unique() if written else 0,
            offerings=int((pop > 0).sum()), interactions=int(X.nnz), popular=popular,
            params={"top": top, "blend": engine.BLEND, "neighbours": engine.NEIGHBOURS},
            evaluation=figures, seconds=round(time.perf_counter() - started, 3),
            actor=actor if getattr(actor, "is_authenticated", False) else None)
        audit.record(association=association, action="recommendations.computed", obj=run,
                     actor=actor, data={"people": run.people, "suggestions": written,
                                        "evaluated": bool(figures)})
    return run


def _frame(people: np.ndarray, s: engine.Suggestions, offering_ids: np.ndarray) -> pl.DataFrame:
    """The suggestions as rows of the table, built from the engine's arrays at once (no
    loop per person): only real suggestions — something beyond popularity behind them —
    ranked 1, 2, … within each person."""
    mask = (s.items >= 0) & (s.scores > engine.POPULARITY)
    rank = np.cumsum(mask, axis=1)
    r, t = np.nonzero(mask)
    because = s.because[r, t]
    has = because >= 0
    return pl.DataFrame({
        "person_id": people[r].astype(np.int64),
        "offering_id": offering_ids[s.items[r, t]],
        "rank": rank[r, t].astype(np.int16),
        "score": s.scores[r, t].astype(np.float64),
        "method": np.where(s.by_items[r, t], Method.ITEMS.value, Method.NEIGHBOURS.value),
        "because_id": pl.Series(np.where(has, offering_ids[np.maximum(because, 0)], 0),
                                dtype=pl.Int64).set(pl.Series(~has), None),
        "because_share": pl.Series(s.because_share[r, t].astype(np.float64)).set(
            pl.Series(~has), None),
        "neighbours": s.neighbours[r, t].astype(np.int64),
        "neighbours_took": s.neighbours_took[r, t].astype(np.int64),
    })
