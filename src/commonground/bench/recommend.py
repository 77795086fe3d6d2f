"""Next-best offering benchmark: everyone's suggestions computed over the bench association
(100,000 people, 10^7 activities), the database's ceiling for the same read, the offline
evaluation, and the profile (which carries the suggestions panel) and the Insight
dashboard over HTTP.

Reuses the association named by ``--association`` (the lead's shared bench database: it
never seeds or resets it), then:

1. the read alone (``selectors.taken``: one GROUP BY over the activities linked to an
   offering), the engine alone (sparse matrix, both signals, top 5) and the whole service
   (read, engine, replacing every stored suggestion in one transaction) — the figure;
2. the ceiling, in the same run: the same read bare (``SELECT DISTINCT person_id,
   offering_id …``), fetched whole;
3. the evaluation (hit@k of a held-out later offering against the most popular);
4. (unless ``--no-http``) gunicorn, logged in as the director: random profiles, and the
   Insight dashboard (its first, uncached view and the cached ones).

The last line is ``recommend_compute_s=<seconds>``.
"""

from __future__ import annotations

import random
import resource
import time
from collections import Counter

import numpy as np
from django.db import connection
from django_scopes import scope

from commonground.activity.models import Activity
from commonground.core.errors import NotFound
from commonground.people.models import Person
from commonground.recommendations import engine, evaluation, selectors, services
from commonground.recommendations.models import Recommendation
from commonground.tenancy.models import Association

from .pages import percentile, report_requests, staff_client, timed_get


def add_arguments(parser) -> None:
    parser.add_argument("--association", default="bench-100000-s42", help="Slug (not seeded here)")
    parser.add_argument("--requests", type=int, default=200, help="Timed profile requests")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--no-http", action="store_true", help="Skip the pages over HTTP")
    parser.add_argument("--seed", type=int, default=42)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ceiling(association: Association, say) -> float:
    table = connection.ops.quote_name(Activity._meta.db_table)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"SELECT DISTINCT person_id, offering_id FROM {table} "
                    "WHERE association_id = %s AND person_id IS NOT NULL AND offering_id IS NOT NULL",
                    [association.pk])
        rows = len(cur.fetchall())
    seconds = time.perf_counter() - started
    say(f"ceiling: bare SELECT DISTINCT person_id, offering_id: {rows:,} pairs in {seconds:.2f} s")
    return seconds


def run(*, stdout, association: str, requests: int = 200, warmup: int = 20, workers: int = 2,
        port: int = 0, timeout: float = 60.0, no_http: bool = False, seed: int = 42,
        **_) -> dict[str, float]:
    say = stdout.write
    assoc = Association.objects.filter(slug=association).first()
    if assoc is None:
        raise NotFound(f"No association {association!r}: seed it first (see bench pages)")
    figures: dict[str, float] = {}
    with scope(association=assoc):
        say(f"database: {connection.vendor}; people: {Person.objects.count():,}")
        started = time.perf_counter()
        taken = selectors.taken(assoc, dated=False)
        figures["read_s"] = time.perf_counter() - started
        say(f"read: {len(taken):,} (person, offering) pairs in {figures['read_s']:.2f} s")
        people, inverse = np.unique(taken.person, return_inverse=True)
        offerings, cols = np.unique(taken.offering, return_inverse=True)
        X = engine.binary_matrix(inverse.ravel(), cols.ravel(), (len(people), len(offerings)))
        started = time.perf_counter()
        engine.suggest(X)
        figures["engine_s"] = time.perf_counter() - started
        say(f"engine: {len(people):,} people × {len(offerings)} offerings in {figures['engine_s']:.2f} s")
        rss_before = _rss_mb()
        started = time.perf_counter()
        run_ = services.recommendations_compute(association=assoc)
        figures["recommend_compute_s"] = time.perf_counter() - started
        figures["peak_rss_mb"] = _rss_mb()
        say(f"compute (read, engine, write {Recommendation.objects.count():,} suggestions): "
            f"{figures['recommend_compute_s']:.2f} s; peak RSS {rss_before:.0f} → "
            f"{figures['peak_rss_mb']:.0f} MB")
        figures["ceiling_read_s"] = _ceiling(assoc, say)
        started = time.perf_counter()
        ev = evaluation.evaluate(assoc)
        figures["evaluate_s"] = time.perf_counter() - started
        say(f"evaluation ({figures['evaluate_s']:.1f} s): cutoff {ev.cutoff}, {ev.cases:,} cases "
            f"{ev.too_few}")
        for method, hits in ev.hit.items():
            say(f"  {method:16} " + "  ".join(f"{k}={v:.3f}" for k, v in hits.items()))
        if ev.hit:
            figures["hit3"] = ev.hit["blend"]["hit@3"]
            figures["popular_hit3"] = ev.hit["popular"]["hit@3"]
        with_recs = list(Recommendation.objects.filter(rank=1).values_list("person_id", flat=True)
                         [:50_000])
    say(f"run {run_.pk}: {run_.people:,} people with suggestions")
    if not no_http:
        figures.update(_http(assoc, with_recs, requests=requests, warmup=warmup, workers=workers,
                             port=port, timeout=timeout, seed=seed, stdout=stdout))
    for key, value in figures.items():
        say(f"{key}={value:.3f}")
    say(f"recommend_compute_s={figures['recommend_compute_s']:.2f}")
    return figures


def _http(association: Association, with_recs: list[int], *, requests: int, warmup: int,
          workers: int, port: int, timeout: float, seed: int, stdout) -> dict[str, float]:
    rnd = random.Random(seed)
    picks = [rnd.choice(with_recs) for _ in range(requests + warmup)]
    slug = association.slug
    errors: Counter = Counter()
    profile: list[float] = []
    timed: list[tuple[float, str]] = []
    out: dict[str, float] = {}
    with staff_client(slug=slug, name="recommend", workers=workers, port=port, timeout=timeout,
                      stdout=stdout) as client:
        for i, pid in enumerate(picks):
            url = f"/a/{slug}/people/{pid}/"
            elapsed, body = timed_get(client, url, errors)
            if i == 0 and "Next-best offerings" not in body:
                raise RuntimeError(f"{url} shows no next-best offering panel")
            if i >= warmup:
                profile.append(elapsed)
                timed.append((elapsed, url))
        dash = f"/a/{slug}/dashboards/insight/"
        first, _ = timed_get(client, dash, errors)
        warm = [timed_get(client, dash, errors)[0] for _ in range(20)]
    report_requests(stdout, errors, requests=len(picks) + 21, timed=timed, slowest=0)
    out["profile_p95_ms"] = percentile(profile, 95)
    out["dashboard_first_ms"] = first
    out["dashboard_p50_ms"] = percentile(warm, 50)
    out["dashboard_p95_ms"] = percentile(warm, 95)
    stdout.write(f"profile n={len(profile)} p50={percentile(profile, 50):.1f} ms "
                 f"p95={out['profile_p95_ms']:.1f} ms; dashboard first {first:.0f} ms, then "
                 f"p50 {out['dashboard_p50_ms']:.1f} ms p95 {out['dashboard_p95_ms']:.1f} ms "
                 "(the cache is per worker: the other worker's first view is in the p95)")
    return out
