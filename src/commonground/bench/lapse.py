"""Lapse-risk benchmark: training and scoring everyone on an existing association, the
training's peak memory, the bare read beneath it, the at-risk page over HTTP, and — when
the seed's truth file is there — the AUC against the outcome still ahead.

Never seeds: it runs on an association that exists (``--association``: the shared bench
association ``bench-100000-s42``, or ``demo``). Then:

1. ``lapse_train`` without scoring, timed, the process's RSS sampled every 20 ms (the
   figures: ``lapse_train_s``, ``lapse_train_peak_rss_mb``);
2. ``lapse_score`` of every member with that version, timed (``lapse_score_s``);
3. the ceiling in the same run: the bare ``GROUP BY person_id`` over the same activity
   rows, fetched whole — the database's least work for the aggregate training starts from;
4. the model card's holdout figures, and the AUC of the stored probabilities against the
   truth file's ``next_renews`` (the drawn outcome of each member's next decision; read
   only here and in the demo, never by the product);
5. (unless ``--no-http``) the at-risk page through the real server, logged in as the
   director: the first page, band and plan filters, deeper pages; p50/p95.

The last line is ``lapse_train_s=<seconds>``.
"""

from __future__ import annotations

import csv
import random
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django_scopes import scope

from commonground.activity.models import Activity
from commonground.insight import services
from commonground.insight.models import Prediction
from commonground.membership.models import Plan
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .pages import percentile, report_requests, staff_client, timed_get
from .score import RssSampler


def add_arguments(parser) -> None:
    parser.add_argument("--association", default="bench-100000-s42", help="Slug (must exist)")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--no-http", action="store_true", help="Skip the HTTP part")


def truth_auc(association: Association) -> tuple[float | None, int]:
    """AUC of the stored lapse probabilities against ``1 - next_renews`` from the truth file."""
    path = Path(settings.DATA_DIR) / "seed" / f"{association.slug}-truth.csv"
    if not path.exists():
        return None, 0
    outcome: dict[int, int] = {}
    with path.open() as fh:
        for row in csv.DictReader(fh):
            if row.get("kind") == "person" and row.get("person_id") and row.get("next_renews") != "":
                outcome[int(row["person_id"])] = 1 - int(row["next_renews"])
    with scope(association=association):
        pairs = [(outcome[p], prob) for p, prob in
                 Prediction.objects.filter(kind="lapse").values_list("person_id", "probability")
                 if p in outcome]
    # Here, not at the top: every `commonground bench` start imports each bench module.
    from sklearn.metrics import roc_auc_score

    labels = [y for y, _ in pairs]
    if not pairs or len(set(labels)) < 2:
        return None, len(pairs)
    return float(roc_auc_score(labels, [p for _, p in pairs])), len(pairs)


def _ceiling(association: Association, say) -> float:
    table = connection.ops.quote_name(Activity._meta.db_table)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"SELECT person_id, count(*) FROM {table} WHERE association_id = %s "
                    "AND person_id IS NOT NULL GROUP BY person_id", [association.pk])
        rows = len(cur.fetchall())
    seconds = time.perf_counter() - started
    say(f"ceiling: bare GROUP BY person_id over the activities: {rows:,} groups in {seconds:.2f} s")
    return seconds


def run(*, stdout, association: str, requests: int = 200, warmup: int = 20, workers: int = 2,
        port: int = 0, timeout: float = 30.0, no_http: bool = False, **_) -> dict[str, float]:
    say = stdout.write
    assoc = Association.objects.filter(slug=association).first()
    if assoc is None:
        raise CommandError(f"No association {association!r} (this bench never seeds)")
    figures: dict[str, float] = {}
    with scope(association=assoc):
        today = association_today(assoc)
        say(f"database: {connection.vendor}; association {assoc.slug}; today {today}")
        with RssSampler() as rss:
            started = time.perf_counter()
            version = services.lapse_train(association=assoc, today=today, score=False)
            train_s = time.perf_counter() - started
        card = version.card
        say(f"trained v{version.version} ({version.method}) in {train_s:.1f} s: "
            f"{card.get('decisions')} decisions, {card.get('n_train')} train / "
            f"{card.get('n_holdout')} holdout, {card.get('trees')} trees; "
            f"peak RSS {rss.peak:.0f} MB (from {rss.start:.0f})")
        say(f"  steps: {card.get('steps_seconds')}")
        if version.method == "rules":
            say(f"rule-based: {card.get('why_rules')}")
        started = time.perf_counter()
        steps: dict[str, float] = {}
        scored = services.lapse_score(association=assoc, version=version, today=today,
                                      steps=steps)
        score_s = time.perf_counter() - started
        say(f"scored {scored:,} members in {score_s:.1f} s; steps: {steps}")
        figures.update(lapse_train_peak_rss_mb=rss.peak, lapse_score_s=score_s,
                       lapse_scored=scored)
        figures["ceiling_group_person_s"] = _ceiling(assoc, say)
        for key in ("auc", "pr_auc", "brier", "top_decile_lift", "base_rate"):
            if card.get(key) is not None:
                figures[f"holdout_{key}"] = card[key]
        auc, n = truth_auc(assoc)
        if auc is not None:
            say(f"against the truth file's next_renews: {n:,} members, AUC {auc:.3f}")
            figures["truth_next_renews_auc"] = auc
        top = ", ".join(f"{i['label']} {i['gain']:.0%}" for i in (card.get("importance") or [])[:6])
        if top:
            say(f"strongest signals: {top}")
    if not no_http:
        figures.update(_http(assoc, requests=requests, warmup=warmup, workers=workers, port=port,
                             timeout=timeout, stdout=stdout))
    for key, value in figures.items():
        say(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}")
    say(f"lapse_train_s={train_s:.2f}")
    figures["lapse_train_s"] = train_s
    return figures


def _http(association: Association, *, requests: int, warmup: int, workers: int, port: int,
          timeout: float, stdout) -> dict[str, float]:
    rnd = random.Random(7)
    slug = association.slug
    with scope(association=association):
        plans = list(Plan.objects.values_list("id", flat=True))
        pages = max(1, Prediction.objects.filter(kind="lapse").count() // 50)
    base = f"/a/{slug}/insight/at-risk/"
    variants = [base, f"{base}?band=high", f"{base}?band=medium"]
    variants += [f"{base}?plan={p}" for p in plans[:4]]
    errors: Counter = Counter()
    values: list[float] = []
    timed: list[tuple[float, str]] = []
    with staff_client(slug=slug, name="lapse", workers=workers, port=port, timeout=timeout,
                      stdout=stdout) as client:
        for i in range(requests + warmup):
            url = rnd.choice(variants) if rnd.random() < 0.7 else \
                f"{base}?page={rnd.randint(1, min(pages, 40))}"
            elapsed, body = timed_get(client, url, errors)
            if i == 0 and "Chance of not renewing" not in body:
                raise RuntimeError(f"{url} shows no at-risk list")
            if i >= warmup:
                values.append(elapsed)
                timed.append((elapsed, url))
    report_requests(stdout, errors, requests=requests + warmup, timed=timed, slowest=3)
    p50, p95 = percentile(values, 50), percentile(values, 95)
    stdout.write(f"at-risk page n={len(values)} p50={p50:.1f} ms p95={p95:.1f} ms "
                 f"max={max(values):.1f} ms")
    return {"at_risk_p50_ms": p50, "at_risk_p95_ms": p95}
