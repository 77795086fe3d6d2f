"""Member 360 benchmark: p95 of the profile with its timeline and summaries, over real HTTP.

Seeds (or reuses) the pages bench association ``bench-<members>-s<seed>``, tops it up to
``--activities`` activities (``bench_360_load``: set-based, skewed like real feeds),
prints the query plans of the timeline and the summary for the busiest person, starts
the real server (gunicorn) on a free port, logs in through the login form and times,
one request at a time:

* the member profile (memberships, invoices… and the Member 360 block: the summary and
  the first timeline page) — 70 % of people picked at random, 30 % among the busiest 1 %;
* for the same person, the timeline as the browser fetches it with HTMX: "Load more"
  (the next page, by the page's own cursor) or a category filter, alternately.

Prints p50/p95/max per request type; the last line is ``member360_p95_ms=<worse p95>``.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import httpx
from django.db import connection
from django.db.models import Count
from django_scopes import scope

from commonground.activity.models import Activity
from commonground.activity.selectors import TimelineFilters, person_timeline
from commonground.activity.selectors import person_activity_summary as summary
from commonground.bench.pages import bench_association, percentile, report_requests, staff_client, timed_get
from commonground.people.models import Person
from commonground.tenancy.clock import association_zone
from commonground.tenancy.models import Association

from .member360_load import load_activities

HEAVY_SHARE = 0.3
FILTERS = ("web", "marketing", "community", "learning", "commerce", "volunteering")
_MORE = re.compile(r'<li class="tl-more"><a href="([^"#]+)')


def add_arguments(parser) -> None:
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=300, help="Timed profile requests")
    parser.add_argument("--warmup", type=int, default=30, help="Untimed profile requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="Server port (default: any free one)")
    parser.add_argument("--timeout", type=float, default=30.0, help="Per-request timeout, seconds")
    parser.add_argument("--slowest", type=int, default=0, help="Also print the N slowest requests")
    parser.add_argument("--no-plans", action="store_true", help="Skip printing the query plans")


def _people(association: Association, rnd: random.Random, n: int) -> tuple[list[int], list[int]]:
    """Random people, and the busiest 1 % (by activities; at least 20)."""
    with scope(association=association):
        ids = list(Person.objects.values_list("id", flat=True))
        busiest = [pid for pid, _ in Activity.objects.filter(person__isnull=False)
                   .values("person_id").annotate(n=Count("id"))
                   .order_by("-n").values_list("person_id", "n")[: max(len(ids) // 100, 20)]]
    return rnd.sample(ids, min(n, len(ids))), busiest


def _plans(association: Association, person_id: int, stdout) -> None:
    """EXPLAIN the two Member 360 queries for the busiest person: they must use the index."""
    zone = association_zone(association)
    with scope(association=association), connection.execute_wrapper(_Explain(stdout)):
        person_timeline(person_id=person_id, filters=TimelineFilters(), zone=zone)
        person_timeline(person_id=person_id, filters=TimelineFilters(category="volunteering"),
                        zone=zone)
        summary(association=association, person_id=person_id, zone=zone)


class _Explain:
    """Print each query's plan (through the raw cursor: no recursion into wrappers), then run it."""

    def __init__(self, stdout) -> None:
        self.stdout = stdout

    def __call__(self, execute, sql, params, many, context):
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor = context["cursor"].cursor
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
        lines = [r[-1] if connection.vendor == "sqlite" else r[0] for r in rows]
        self.stdout.write(f"plan for {sql[:70]}…\n    " + "\n    ".join(str(x) for x in lines))
        return execute(sql, params, many, context)


def run(*, stdout, activities: int, members: int, seed: int = 42, requests: int = 300,
        warmup: int = 30, workers: int = 2, port: int = 0, timeout: float = 30.0,
        slowest: int = 0, no_plans: bool = False, **_) -> dict[str, float]:
    association = bench_association(members=members, seed=seed, stdout=stdout)
    slug = association.slug
    load_activities(association=association, total=activities, seed=seed, say=stdout.write)
    rnd = random.Random(seed)
    total = requests + warmup
    randoms, busiest = _people(association, rnd, total)
    if not no_plans:
        _plans(association, busiest[0], stdout)
    picks = [rnd.choice(busiest) if rnd.random() < HEAVY_SHARE else randoms[i % len(randoms)]
             for i in range(total)]
    with staff_client(slug=slug, name="member360", workers=workers, port=port, timeout=timeout,
                      stdout=stdout) as client:
        figures = _measure(client, slug, picks, set(busiest), warmup, rnd, stdout, slowest)
    stdout.write(f"database: {connection.vendor}, members: {members:,}, activities: "
                 f"{activities:,}, profile requests: {requests}")
    worst = max(figures["profile_p95_ms"], figures["timeline_p95_ms"])
    figures["member360_p95_ms"] = worst
    stdout.write(f"member360_p95_ms={worst:.1f}")
    return figures


def _measure(client: httpx.Client, slug: str, picks: list[int], busiest: set[int], warmup: int,
             rnd: random.Random, stdout, slowest: int) -> dict[str, float]:
    errors: Counter = Counter()
    series: dict[str, list[float]] = {"profile": [], "heavy": [], "timeline": []}
    timed: list[tuple[float, str]] = []
    htmx = {"HX-Request": "true"}
    for i, pid in enumerate(picks):
        url = f"/a/{slug}/people/{pid}/"
        elapsed, body = timed_get(client, url, errors)
        if i >= warmup:
            series["profile"].append(elapsed)
            if pid in busiest:
                series["heavy"].append(elapsed)
            timed.append((elapsed, url))
        more = _MORE.search(body)
        if i % 2 == 0 and more:
            frag = more.group(1).replace("&amp;", "&")
        else:
            frag = f"/a/{slug}/people/{pid}/activity/?category={rnd.choice(FILTERS)}"
        client.headers.update(htmx)
        try:
            elapsed, _ = timed_get(client, frag, errors)
        finally:
            for k in htmx:
                client.headers.pop(k, None)
        if i >= warmup:
            series["timeline"].append(elapsed)
            timed.append((elapsed, frag))
    report_requests(stdout, errors, requests=len(picks), timed=timed, slowest=slowest)
    figures: dict[str, float] = {}
    labels = {"profile": "profile (all)", "heavy": "profile (busiest 1 %)",
              "timeline": "timeline fragments"}
    for name, values in series.items():
        if not values:
            continue
        p50, p95, mx = percentile(values, 50), percentile(values, 95), max(values)
        figures.update({f"{name}_p50_ms": p50, f"{name}_p95_ms": p95, f"{name}_max_ms": mx})
        stdout.write(f"{labels[name]:<22} n={len(values):<4} p50={p50:7.1f} ms  p95={p95:7.1f} ms  "
                     f"max={mx:7.1f} ms")
    return figures
