"""Prospects model: time-holdout figures on a seeded association, and the truth file's check.

Trains in memory (``prospects_evaluate``: nothing stored) and prints the holdout figures,
how the examples split (former members coming back vs people who were never members),
the time it took; then compares the *stored* scores (the demo step's, or
``--score`` to score first) of the seed's prospects with the hidden interest that drove
their simulated activity (``prospect_interest`` in ``<slug>-truth.csv``, read only here):
the seed never lets those prospects join, so the truth has no join outcome for them — the
check is a rank correlation (Spearman) and the AUC of telling the more interested half
from the less interested half. The last line is ``prospects_auc=<holdout AUC>``.
"""

from __future__ import annotations

import csv
import time

import numpy as np
import polars as pl
from django_scopes import scope

from commonground.demo.seed import truth_path
from commonground.insight.models import Prediction
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association


def add_arguments(parser) -> None:
    parser.add_argument("--association", default="demo", help="A seeded association (default: demo)")
    parser.add_argument("--today", help="As of this date (default: the association's today)")
    parser.add_argument("--score", action="store_true", help="Train and score first (stores a version)")


def _interest(slug: str) -> dict[int, float]:
    path = truth_path(slug)
    if not path.exists():
        return {}
    with path.open() as fh:
        return {int(r["person_id"]): float(r["prospect_interest"]) for r in csv.DictReader(fh)
                if r["kind"] == "prospect" and r.get("prospect_interest")}


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = pl.Series(x).rank().to_numpy(), pl.Series(y).rank().to_numpy()
    return float(np.corrcoef(rx, ry)[0, 1])


def run(*, stdout, association: str, today: str | None = None, score: bool = False, **_) -> None:
    # Here, not at the top: the bench command loads every benchmark module to list them,
    # and these load LightGBM and scikit-learn.
    from datetime import date

    from sklearn.metrics import roc_auc_score

    from commonground.insight.prospects import features, services

    assoc = Association.objects.filter(slug=association).first()
    if assoc is None:
        raise SystemExit(f"No association {association!r}: seed it first (commonground seed …)")
    as_of = date.fromisoformat(today) if today else None
    with scope(association=assoc):
        t0 = time.perf_counter()
        if score:
            services.prospects_train(association=assoc, today=as_of)
        t1 = time.perf_counter()
        training = services.training_examples(
            assoc, today=as_of or association_today(assoc))
        card = services.prospects_evaluate(association=assoc, today=as_of, training=training)
        t2 = time.perf_counter()
        stored = dict(Prediction.objects.filter(kind="prospect").values_list("person_id", "probability"))
    ex = training.examples
    stdout.write(f"examples={ex.height} people={card.get('people')} cutoffs={card.get('cutoffs')} "
                 f"horizon_days={features.HORIZON_DAYS}")
    if ex.height:
        split = ex.group_by(pl.col("former_member") > 0).agg(pl.len(), pl.col("label").sum()).sort(
            "former_member")
        for former, n, joined in split.iter_rows():
            stdout.write(f"  {'former members' if former else 'never members':<15} {n:>7} examples, "
                         f"{joined:>5} joined within the horizon ({joined / n:.1%})")
    stdout.write(f"method={card['method']}" + (f" ({card['why_rules']})" if card.get("why_rules") else ""))
    for key in ("n_train", "positives_train", "n_holdout", "positives_holdout", "holdout_from",
                "holdout_to", "base_rate", "pr_auc", "brier", "top_decile_lift", "trees"):
        if card.get(key) is not None:
            stdout.write(f"{key}={card[key]}")
    for row in (card.get("importance") or [])[:6]:
        stdout.write(f"  importance {row['gain']:.3f}  {row['label']}")
    stdout.write(f"train_seconds={t2 - t1:.1f}" + (f" (train+score stored: {t1 - t0:.1f}s)" if score else ""))
    interest = _interest(association)
    both = [(stored[p], i) for p, i in interest.items() if p in stored]
    if both:
        p, i = (np.array(v) for v in zip(*both, strict=True))
        high = (i >= np.median(i)).astype(int)
        stdout.write(f"truth: {len(both)} of the seed's {len(interest)} prospects scored; "
                     f"Spearman(probability, hidden interest)={_spearman(p, i):.3f}; "
                     f"AUC(more vs less interested half)={roc_auc_score(high, p):.3f} "
                     "(the seed never lets them join: no outcome to score against)")
    elif interest:
        stdout.write("truth: none of the seed's prospects is scored yet (run with --score)")
    auc = card.get("auc")
    stdout.write(f"prospects_auc={'n/a' if auc is None else f'{auc:.4f}'}")
