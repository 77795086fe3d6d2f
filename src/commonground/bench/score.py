"""Engagement score benchmark: the full recompute over 10^7 activities, its memory, the
database's own ceiling for the same read, and the profile with the explanation over HTTP.

Seeds (or reuses) the pages bench association ``bench-<members>-s<seed>`` and tops it up
to ``--activities`` activities (``member360_load``: set-based, skewed like real feeds),
adds verified contributions and outcomes (``core.bulk``), then:

1. a full recompute as of a month ago that stores the month's snapshot (so profiles can
   say "+N since the last snapshot"), timed;
2. the full recompute as of today — the figure: ``score_recompute_s``; the process's RSS
   is sampled every 20 ms while it runs and logged after each chunk (flat: the run streams
   people in id order, a chunk per transaction);
3. the ceiling, in the same run: the bare aggregates over the same rows (``SELECT
   person_id, kind, count(*) … GROUP BY person_id, kind`` and ``… GROUP BY person_id``),
   fetched whole, no decay, weights or writes;
4. (unless ``--no-http``) the real server (gunicorn), logged in as the director: the
   staff profile (which carries the score panel with "why N" and "why +N") and the
   explanation page, one request at a time; 30 % of picks among the busiest 1 %.

Prints the figures; the last line is ``score_recompute_s=<seconds>``.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django_scopes import scope

from commonground.activity.models import Activity
from commonground.core import bulk
from commonground.core.batches import engine as batches
from commonground.engagement.models import Contribution, Outcome
from commonground.people.models import Person
from commonground.scoring import services
from commonground.scoring.models import Score, ScoreRun
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .member360_load import load_activities
from .pages import bench_association, percentile, report_requests, staff_client, timed_get

HEAVY_SHARE = 0.3
CONTRIBUTION_KINDS = ("talk", "article", "mentoring", "forum_answer", "committee", "volunteering")
OUTCOME_KINDS = ("client_won", "promotion", "certification", "connection", "new_skill")


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--no-http", action="store_true", help="Skip the HTTP part")
    parser.add_argument("--no-snapshot", action="store_true", help="Skip the snapshot run")


def _rss_mb(field: str = "VmRSS") -> float:
    """Resident memory in MB: all of it (``VmRSS``), or the process's own heap only
    (``RssAnon``: without the database file's pages SQLite maps into the process)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """The process's resident memory, sampled in a thread while a block runs."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.peak = 0.0
        self.peak_anon = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> RssSampler:
        self.start = _rss_mb()
        self.peak = self.start
        self.start_anon = self.peak_anon = _rss_mb("RssAnon")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, _rss_mb())
            self.peak_anon = max(self.peak_anon, _rss_mb("RssAnon"))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _value_rows(association: Association, *, seed: int, say) -> None:
    """Verified contributions for ~8 % of people and outcomes for ~6 % (once)."""
    with scope(association=association):
        if Contribution.objects.exists():
            return
        ids = list(Person.objects.order_by("id").values_list("id", flat=True))
        today = association_today(association)
    rnd = random.Random(seed)
    contributions = bulk.Table(Contribution, [
        "association_id", "person_id", "kind", "title", "description", "occurred_on", "goal",
        "status", "origin", "origin_ref", "rejection_reason", "created_at", "updated_at"])
    outcomes = bulk.Table(Outcome, [
        "association_id", "person_id", "kind", "title", "description", "occurred_on",
        "reported_via", "created_at"])
    now = timezone.now()
    for pid in ids:
        if rnd.random() < 0.08:
            for _ in range(rnd.randint(1, 4)):
                on = today - timedelta(days=rnd.randint(0, 700))
                contributions.add(association.pk, pid, rnd.choice(CONTRIBUTION_KINDS), "Bench work",
                                  "", on, "", "verified" if rnd.random() < 0.8 else "submitted",
                                  "member", "", "", now, now)
        if rnd.random() < 0.06:
            on = today - timedelta(days=rnd.randint(0, 700))
            outcomes.add(association.pk, pid, rnd.choice(OUTCOME_KINDS), "Bench outcome", "", on,
                         "member", now)
    with transaction.atomic():
        written = bulk.write(contributions) + bulk.write(outcomes)
    bulk.analyze([Contribution, Outcome])
    say(f"  {written:,} contributions and outcomes written")


def _recompute(association: Association, *, as_of: date, snapshot: date | None, say,
               log_chunks: bool) -> tuple[float, RssSampler, list[float]]:
    after_chunk: list[float] = []

    def progress(run) -> None:
        after_chunk.append(_rss_mb())

    with scope(association=association), RssSampler() as rss:
        config = services.current_config(association=association)
        started = time.perf_counter()
        with transaction.atomic():
            run = ScoreRun.objects.create(
                association=association, config=config, as_of=as_of, snapshot_month=snapshot,
                total_rows=Person.objects.count())
        run = batches.run(services.KIND, run.pk, progress=progress if log_chunks else None)
        seconds = time.perf_counter() - started
    say(f"recompute as of {as_of}{' + snapshot ' + str(snapshot) if snapshot else ''}: "
        f"{run.rows_done:,} people in {seconds:.2f} s; RSS {rss.start:.0f} → peak {rss.peak:.0f} MB "
        f"(anonymous {rss.start_anon:.0f} → {rss.peak_anon:.0f} MB)")
    return seconds, rss, after_chunk


def _ceiling(association: Association, say) -> dict[str, float]:
    """The same rows read bare: the aggregate alone, fetched whole."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    out = {}
    for name, group in (("kind", "person_id, kind"), ("person", "person_id")):
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(f"SELECT {group}, count(*) FROM {table} WHERE association_id = %s "
                        f"AND person_id IS NOT NULL GROUP BY {group}", [association.pk])
            rows = len(cur.fetchall())
        out[name] = time.perf_counter() - started
        say(f"ceiling: bare GROUP BY {group}: {rows:,} groups in {out[name]:.2f} s")
    return out


def run(*, stdout, members: int, activities: int, seed: int = 42, requests: int = 200,
        warmup: int = 20, workers: int = 2, port: int = 0, timeout: float = 30.0,
        no_http: bool = False, no_snapshot: bool = False, **_) -> dict[str, float]:
    say = stdout.write
    association = bench_association(members=members, seed=seed, stdout=stdout,
                                    activities_per_member=0.0)
    load_activities(association=association, total=activities, seed=seed, say=say)
    _value_rows(association, seed=seed, say=say)
    with scope(association=association):
        today = association_today(association)
        people = Person.objects.count()
        rows = Activity.objects.count()
    say(f"database: {connection.vendor}; people: {people:,}; activities: {rows:,}")
    figures: dict[str, float] = {}
    if not no_snapshot:
        month = today.replace(day=1)
        seconds, _, _ = _recompute(association, as_of=month - timedelta(days=1), snapshot=month,
                                   say=say, log_chunks=False)
        figures["score_snapshot_run_s"] = seconds
    seconds, rss, chunks = _recompute(association, as_of=today, snapshot=None, say=say,
                                      log_chunks=True)
    figures.update(score_recompute_s=seconds, score_peak_rss_mb=rss.peak,
                   score_rss_growth_mb=rss.peak - rss.start, score_peak_anon_mb=rss.peak_anon)
    if chunks:
        step = max(len(chunks) // 6, 1)
        say(f"RSS after chunks 1..{len(chunks)} (every {step}): "
            + ", ".join(f"{v:.0f}" for v in chunks[::step]) + f" … {chunks[-1]:.0f} MB")
    bare = _ceiling(association, say)
    figures.update(ceiling_group_kind_s=bare["kind"], ceiling_group_person_s=bare["person"])
    say(f"recompute vs bare GROUP BY person, kind: {seconds / bare['kind']:.1f}×")
    if not no_http:
        figures.update(_http(association, requests=requests, warmup=warmup, workers=workers,
                             port=port, timeout=timeout, seed=seed, stdout=stdout))
    for key, value in figures.items():
        say(f"{key}={value:.2f}")
    say(f"score_recompute_s={seconds:.2f}")
    return figures


def _pick(association: Association, rnd: random.Random, n: int) -> tuple[list[int], list[int]]:
    """Random people, and the busiest 1 % by activities (at least 20)."""
    with scope(association=association):
        ids = list(Person.objects.values_list("id", flat=True))
        busiest = list(Activity.objects.filter(person__isnull=False).values("person_id")
                       .annotate(n=Count("id")).order_by("-n")
                       .values_list("person_id", flat=True)[: max(len(ids) // 100, 20)])
    return rnd.sample(ids, min(n, len(ids))), busiest


def _http(association: Association, *, requests: int, warmup: int, workers: int, port: int,
          timeout: float, seed: int, stdout) -> dict[str, float]:
    rnd = random.Random(seed)
    total = requests + warmup
    randoms, busiest = _pick(association, rnd, total)
    with scope(association=association):
        scored = set(Score.objects.filter(person_id__in=randoms + busiest)
                     .values_list("person_id", flat=True))
    randoms = [p for p in randoms if p in scored] or randoms
    busiest = [p for p in busiest if p in scored] or busiest
    picks = [rnd.choice(busiest) if rnd.random() < HEAVY_SHARE else randoms[i % len(randoms)]
             for i in range(total)]
    slug = association.slug
    errors: Counter = Counter()
    series: dict[str, list[float]] = {"profile": [], "explain": []}
    timed: list[tuple[float, str]] = []
    with staff_client(slug=slug, name="score", workers=workers, port=port, timeout=timeout,
                      stdout=stdout) as client:
        for i, pid in enumerate(picks):
            for name, url in (("profile", f"/a/{slug}/people/{pid}/"),
                              ("explain", f"/a/{slug}/people/{pid}/score/")):
                elapsed, body = timed_get(client, url, errors)
                if i == 0 and "Engagement score" not in body:
                    raise RuntimeError(f"{url} shows no score panel")
                if i >= warmup:
                    series[name].append(elapsed)
                    timed.append((elapsed, url))
    report_requests(stdout, errors, requests=len(picks), timed=timed, slowest=0)
    out = {}
    for name, values in series.items():
        p50, p95, mx = percentile(values, 50), percentile(values, 95), max(values)
        stdout.write(f"{name:<8} n={len(values)} p50={p50:.1f} ms p95={p95:.1f} ms max={mx:.1f} ms")
        out[f"{name}_p95_ms"] = p95
    return out
