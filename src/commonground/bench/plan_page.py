"""Plan page benchmark: p95 of the plan page over real HTTP, from stored snapshots.

On the shared bench association (``bench-<members>-s<seed>``, seeded as ``bench pages``
does, reused), makes — once — a bench plan with the five answers, three goals and thirty
joint objectives over the metric catalogue (cycled), owned on both sides. Today's value
of every objective is computed for real (``kpi_snapshots_take``, timed and printed); the
year of daily history before it is written as stored rows on the straight line from the
baseline to today's value (the page reads stored figures only, so what they are does not
change its cost; filling a year from 10M activities is the KPI bench's business).

Then starts the real server (gunicorn), logs in as the director, warms up and times
sequential requests of the plan's page (``/planning/plans/<id>/``: answers, goals, thirty
objectives with state badges and sparklines). The last line is ``plan_page_p95_ms=…``
(the target: ≤ 150 ms on PostgreSQL).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django_scopes import scope

from commonground.core import metrics
from commonground.demo.seed import staff_email
from commonground.planning.kpis import kpi_snapshots_take
from commonground.planning.models import (
    Goal,
    KpiSnapshot,
    Objective,
    ObjectiveOwner,
    StrategicPlan,
    WhyAnswer,
    WhyQuestion,
)
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association, StaffMember

from .pages import bench_association, percentile, report_requests, staff_client, timed_get

PLAN_NAME = "Bench plan: thirty joint objectives"
OBJECTIVES = 30
GOALS = ("+10 % members by December", "More people active on the mission side",
         "Revenue that pays for the mission")
HISTORY_DAYS = 365


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=300, help="Timed requests")
    parser.add_argument("--warmup", type=int, default=30, help="Untimed requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="Server port (default: any free one)")
    parser.add_argument("--timeout", type=float, default=30.0, help="Per-request timeout, seconds")
    parser.add_argument("--slowest", type=int, default=0, help="Also print the N slowest requests")


def _owners(association: Association) -> dict[str, int]:
    """A staff user per side (the bench association's seeded staff)."""
    out: dict[str, int] = {}
    for staff in StaffMember.objects.filter(association=association, role__is_board=False) \
            .select_related("role").order_by("id"):
        for side in (("mission", "business") if staff.role.side == "both" else (staff.role.side,)):
            out.setdefault(side, staff.user_id)
    return out


@transaction.atomic
def _make_plan(association: Association, stdout) -> StrategicPlan:
    """The bench plan, made once (rows written directly: a fixture, not a workflow)."""
    today = association_today(association)
    director = get_user_model().objects.get(email__iexact=staff_email(association.slug,
                                                                       "director"))
    plan = StrategicPlan.objects.create(association=association, name=PLAN_NAME,
                                        starts_on=today - timedelta(days=HISTORY_DAYS),
                                        ends_on=today + timedelta(days=180),
                                        created_by=director)
    WhyAnswer.objects.bulk_create(
        WhyAnswer(association=association, plan=plan, question=q, version=v,
                  text=f"{label} — the board's answer, version {v}.", written_by=director,
                  written_on=today - timedelta(days=30 * (3 - v)))
        for q, label in WhyQuestion.choices for v in (1, 2))
    goals = [Goal.objects.create(association=association, plan=plan, title=t, position=i,
                                 deadline=today + timedelta(days=180))
             for i, t in enumerate(GOALS)]
    catalogue = [m for m in metrics.catalogue() if not m.key.startswith("test")]
    owners = _owners(association)
    made = []
    for i in range(OBJECTIVES):
        metric = catalogue[i % len(catalogue)]
        made.append(Objective.objects.create(
            association=association, goal=goals[i % len(goals)], position=i,
            title=f"{metric.label} ({i + 1})", metric=metric.key, sides=sorted(owners),
            starts_on=today - timedelta(days=HISTORY_DAYS),
            deadline=today + timedelta(days=180), target=Decimal(1000 + 100 * i),
            created_by=director))
    ObjectiveOwner.objects.bulk_create(
        ObjectiveOwner(association=association, objective=o, user_id=uid, side=side)
        for o in made for side, uid in owners.items())
    stdout.write(f"Made {PLAN_NAME!r}: {len(goals)} goals, {len(made)} objectives over "
                 f"{min(len(catalogue), OBJECTIVES)} metrics")
    return plan


def _fill(association: Association, plan: StrategicPlan, stdout) -> int:
    """Today's values computed; the year before them as stored rows (see the docstring)."""
    today = association_today(association)
    ids = list(Objective.objects.filter(goal__plan=plan).values_list("id", flat=True))
    started = time.perf_counter()
    taken = kpi_snapshots_take(association=association, today=today, objective_ids=ids)
    stdout.write(f"today's KPIs of {taken} objectives computed in "
                 f"{time.perf_counter() - started:.2f} s ({connection.vendor})")
    if KpiSnapshot.objects.filter(objective_id__in=ids, day__lt=today).exists():
        return taken
    rows = []
    for o in Objective.objects.filter(pk__in=ids):
        end = o.current_value if o.current_value is not None else Decimal(0)
        for d in range(1, HISTORY_DAYS + 1):
            share = Decimal(HISTORY_DAYS - d) / HISTORY_DAYS
            rows.append(KpiSnapshot(association=association, objective=o,
                                    day=today - timedelta(days=d),
                                    value=(end * share).quantize(Decimal("0.01"))))
    KpiSnapshot.objects.bulk_create(rows, batch_size=5000)
    stdout.write(f"{len(rows):,} stored history rows written")
    return taken


def run(*, stdout, members: int, seed: int = 42, requests: int = 300, warmup: int = 30,
        workers: int = 2, port: int = 0, timeout: float = 30.0, slowest: int = 0,
        **_) -> dict[str, float]:
    association = bench_association(members=members, seed=seed, stdout=stdout)
    with scope(association=association):
        plan = StrategicPlan.objects.filter(name=PLAN_NAME).first() or \
            _make_plan(association, stdout)
        _fill(association, plan, stdout)
        objectives = Objective.objects.filter(goal__plan=plan).count()
        snapshots = KpiSnapshot.objects.filter(objective__goal__plan=plan).count()
    url = f"/a/{association.slug}/planning/plans/{plan.pk}/"
    errors: Counter = Counter()
    times: list[float] = []
    timed: list[tuple[float, str]] = []
    with staff_client(slug=association.slug, name="plan-page", workers=workers, port=port,
                      timeout=timeout, stdout=stdout) as client:
        for i in range(warmup + requests):
            elapsed, body = timed_get(client, url, errors)
            if i == 0 and "objective-" not in body:
                errors["the page shows no objectives"] += 1
            if i >= warmup:
                times.append(elapsed)
                timed.append((elapsed, url))
    report_requests(stdout, errors, requests=warmup + requests, timed=timed, slowest=slowest)
    p50, p95, mx = percentile(times, 50), percentile(times, 95), max(times)
    stdout.write(f"database: {connection.vendor}, members: {members:,}; plan {plan.pk}: "
                 f"{objectives} objectives, {snapshots:,} snapshots")
    stdout.write(f"plan page n={len(times)} p50={p50:.1f} ms  p95={p95:.1f} ms  "
                 f"max={mx:.1f} ms")
    stdout.write(f"plan_page_p95_ms={p95:.1f}")
    return {"plan_page_p50_ms": p50, "plan_page_p95_ms": p95, "plan_page_max_ms": mx}
