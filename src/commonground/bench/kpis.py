"""KPI benchmark: every KPI of a plan with 30 objectives over the catalogue, computed and
snapshotted on the 100,000-member / 10^7-activity association, the database's own time
for the same statements (the ceiling), and the drill-down lists.

Reuses the score bench's association (``bench-<members>-s<seed>`` topped up to
``--activities``; run ``bench score`` first for its contributions, outcomes and scores),
replaces its own "Bench KPI plan" (a strategic plan for the calendar year with one goal
and 30 objectives: a year's, a quarter's and a month's KPIs on membership, people,
activity, engagement and scoring metrics with their filters), then:

1. ``kpi_snapshots_take`` over the plan's objectives, ``--runs`` times (the first warms the
   caches and is reported apart); the figure ``kpis_compute_s`` is the median of the
   others: every KPI computed and its snapshot written;
2. the ceiling in the same run: the SQL reads one computation sends, captured and run
   again bare through cursors (fetching everything), one after the other and on as many
   connections at once as the product uses — what the database itself needs;
3. the drill-down lists: for each objective, the first page (50 rows with their columns)
   of ``kpi_rows``, ``--requests`` times over the objectives; ``kpi_rows_p95_ms``
   (in-process; the page adds rendering).

Prints the figures; the last line is ``kpis_compute_s=<seconds>``.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from commonground.planning.kpis import kpi_rows, kpi_snapshots_take
from commonground.planning.kpis.listing import drilldown_page
from commonground.planning.kpis.services import PARALLEL_READS
from commonground.planning.models import Goal, Objective, StrategicPlan
from commonground.tenancy.clock import association_today

from .member360_load import load_activities
from .pages import bench_association, percentile

PLAN_NAME = "Bench KPI plan"
PAGE = 50
# (metric, filters, period): "year" = this calendar year, "quarter", "month".
OBJECTIVES = [
    ("membership.members", {}, "year"),
    ("membership.members", {"plan": "monthly"}, "year"),
    ("membership.members", {"chapter": "new-england"}, "year"),
    ("membership.members", {"status": "lapsed"}, "quarter"),
    ("membership.joins", {}, "year"),
    ("membership.joins", {"plan": "student"}, "quarter"),
    ("membership.renewals", {}, "year"),
    ("membership.reinstatements", {}, "year"),
    ("membership.lapses", {"chapter": "southeast"}, "year"),
    ("membership.dues_revenue", {}, "year"),
    ("people.prospects_identified", {}, "year"),
    ("people.prospects_identified", {"chapter": "great-lakes"}, "quarter"),
    ("activity.web", {}, "year"),
    ("activity.web", {"kind": "download"}, "month"),
    ("activity.social", {}, "year"),
    ("activity.email", {"kind": "email_click"}, "quarter"),
    ("activity.activities", {"category": "learning"}, "year"),
    ("activity.activities", {"offering": "annual-conference"}, "year"),
    ("activity.people_active", {}, "year"),
    ("activity.people_active", {"category": "community"}, "quarter"),
    ("activity.event_attendance", {}, "year"),
    ("activity.revenue", {}, "year"),
    ("activity.revenue", {"side": "mission"}, "year"),
    ("activity.advocacy_actions", {}, "year"),
    ("engagement.value_created", {}, "year"),
    ("engagement.value_created", {"kind": "mentoring"}, "quarter"),
    ("engagement.value_derived", {}, "year"),
    ("engagement.volunteers_engaged", {}, "year"),
    ("scoring.average_score", {}, "year"),
    ("scoring.average_score", {"plan": "individual"}, "quarter"),
]


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=4, help="Timed runs (the first warms up)")
    parser.add_argument("--requests", type=int, default=120, help="Drill-down pages timed")


def _period(today: date, kind: str) -> tuple[date, date]:
    if kind == "month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif kind == "quarter":
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        end = (start + timedelta(days=93)).replace(day=1) - timedelta(days=1)
    else:
        start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
    return start, end


def _plan(association, today: date) -> list[int]:
    """The bench's own plan, replaced on every run (only its own rows are touched)."""
    with transaction.atomic():
        StrategicPlan.objects.filter(name=PLAN_NAME).delete()
        plan = StrategicPlan.objects.create(association=association, name=PLAN_NAME,
                                            starts_on=today.replace(month=1, day=1),
                                            ends_on=today.replace(month=12, day=31))
        goal = Goal.objects.create(association=association, plan=plan, title="Bench goal",
                                   deadline=plan.ends_on)
        made = []
        for i, (metric, filters, period) in enumerate(OBJECTIVES):
            start, end = _period(today, period)
            made.append(Objective.objects.create(
                association=association, goal=goal, title=f"{metric} {filters or ''}".strip(),
                metric=metric, filters=filters, starts_on=start, deadline=end,
                target=Decimal(1000), position=i, sides=["mission", "business"]).pk)
    return made


def _capture_reads(association, ids: list[int], today: date) -> list[str]:
    """The statements one computation of the plan's KPIs sends, captured from a run on
    this connection alone (the parallel run's threads log on their own connections)."""
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        # Inside a transaction kpi_snapshots_take reads serially on this connection.
        kpi_snapshots_take(association=association, today=today, objective_ids=ids)
        transaction.set_rollback(True)
    return [q["sql"] for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT")
            and "set_config" not in q["sql"]]


def _ceiling(statements: list[str], *, workers: int, say) -> tuple[float, float]:
    """The captured reads run bare through cursors, fetching everything: one after the
    other, and on ``workers`` connections at once as the product does (longest first:
    the order they were sent in puts the activity pass first)."""
    def bare(sql: str) -> None:
        with connection.cursor() as cur:
            if "GROUP BY" in sql and connection.vendor == "postgresql":
                cur.execute("SET jit = off")  # as the product does for its grouped pass
            cur.execute(sql)
            cur.fetchall()
            if "GROUP BY" in sql and connection.vendor == "postgresql":
                cur.execute("RESET jit")

    started = time.perf_counter()
    for sql in statements:
        bare(sql)
    serial = time.perf_counter() - started

    def on_thread(sql: str) -> None:
        try:
            bare(sql)
        finally:
            connections.close_all()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(on_thread, statements))
    parallel = time.perf_counter() - started
    say(f"ceiling: the {len(statements)} reads bare in {serial:.2f} s one after the other, "
        f"{parallel:.2f} s on {workers} connections")
    return serial, parallel


def run(*, stdout, members: int, activities: int, seed: int = 42, runs: int = 4,
        requests: int = 120, **_) -> dict[str, float]:
    say = stdout.write
    association = bench_association(members=members, seed=seed, stdout=stdout,
                                    activities_per_member=0.0)
    load_activities(association=association, total=activities, seed=seed, say=say)
    figures: dict[str, float] = {}
    with scope(association=association):
        today = association_today(association)
        ids = _plan(association, today)
        say(f"database: {connection.vendor}; plan of {len(ids)} objectives; today {today}")
        times: list[float] = []
        for i in range(max(runs, 2)):
            started = time.perf_counter()
            n = kpi_snapshots_take(association=association, today=today, objective_ids=ids)
            seconds = time.perf_counter() - started
            times.append(seconds)
            say(f"run {i + 1}: {n} KPIs computed and snapshotted in {seconds:.2f} s"
                f"{' (warm-up)' if i == 0 else ''}")
        figures["kpis_compute_s"] = statistics.median(times[1:])
        reads = _capture_reads(association, ids, today)
        serial, parallel = _ceiling(reads, workers=PARALLEL_READS, say=say)
        figures.update(kpis_ceiling_serial_s=serial, kpis_ceiling_s=parallel)
        objectives = list(Objective.objects.filter(pk__in=ids).order_by("position"))
        page_ms: list[float] = []
        for i in range(requests):
            o = objectives[i % len(objectives)]
            started = time.perf_counter()
            page = drilldown_page(kpi_rows(association, o, today), page=1, size=PAGE)
            page_ms.append((time.perf_counter() - started) * 1000)
            if i < len(objectives) and not page.rows and o.current_value:
                say(f"  note: {o.title}: no rows on the first page")
        figures["kpi_rows_p50_ms"] = percentile(page_ms, 50)
        figures["kpi_rows_p95_ms"] = percentile(page_ms, 95)
        slow = sorted(zip(page_ms, [objectives[i % len(objectives)].title
                                    for i in range(requests)], strict=True), reverse=True)[:3]
        say("drill-down first pages: p50 {:.0f} ms, p95 {:.0f} ms; slowest: {}".format(
            figures["kpi_rows_p50_ms"], figures["kpi_rows_p95_ms"],
            ", ".join(f"{t} {ms:.0f} ms" for ms, t in slow)))
    say(f"kpis_compute_s / ceiling: {figures['kpis_compute_s'] / max(figures['kpis_ceiling_s'], 1e-9):.2f}×")
    for name in ("kpi_rows_p95_ms", "kpis_ceiling_s"):
        say(f"{name}={figures[name]:.2f}")
    say(f"kpis_compute_s={figures['kpis_compute_s']:.2f}")
    return figures
