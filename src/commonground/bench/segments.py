"""Segment count benchmark: a three-filter count with an activity window (milliseconds).

On an existing association (default: the shared 100,000-member bench association), times
``segments`` counting a definition the way the builder's live count and ``POST
/segments/count`` do (parse, check the choices, build the query, ``COUNT``)::

    current plan is P  AND  status is one of active/renewal due/grace
                       AND  community activity in the last 180 days

P is the plan most people are on. "Today" is the day of the association's latest activity
(a seeded association's clock may be behind the real one), so the window holds data.

The ceiling is the same count as one hand-written statement (``EXISTS`` over the person's
activity rows, the way a DBA would write it), timed in the same run. Both are run
``--repeat`` times after one warm-up; the figures are medians, and p95 of the product.
The last line is ``segments_count_ms=<median>`` (the target: ≤ 300 ms on PostgreSQL).
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django_scopes import scope

from commonground.activity.models import Activity
from commonground.core.bulk.names import names
from commonground.people.filters import person_queryset
from commonground.people.models import Person
from commonground.tenancy.clock import association_now, association_zone
from commonground.tenancy.models import Association


def add_arguments(parser) -> None:
    parser.add_argument("--association", default="bench-100000-s42")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--days", type=int, default=180, help="The activity window")
    parser.add_argument("--category", default="community")


def _definition(plan_id: int, days: int, category: str) -> dict[str, Any]:
    return {"op": "and", "rules": [
        {"field": "membership.plan", "op": "is", "value": str(plan_id)},
        {"field": "membership.status", "op": "in", "value": ["active", "renewal_due", "grace"]},
        {"field": "activity", "op": "matches", "value": {"category": category,
                                                          "last_days": days}}]}


def _bare(association: Association, plan_id: int, since: datetime, category: str) -> int:
    p, a = names(Person), names(Activity)
    sql = (f"SELECT COUNT(*) FROM {p} WHERE {p.association} = %s AND {p.erased_at} IS NULL "
           f"AND {p.member_plan} = %s AND {p.member_status} IN ('active', 'renewal_due', 'grace') "
           f"AND EXISTS (SELECT 1 FROM {a} WHERE {a.person} = {p}.{p.id} "
           f"AND {a.association} = %s AND {a.category} = %s AND {a.occurred_at} >= %s)")
    with connection.cursor() as cur:
        cur.execute(sql, [association.pk, plan_id, association.pk, category, since])
        return cur.fetchone()[0]


def _times(fn, repeat: int) -> tuple[list[float], Any]:
    result = fn()  # warm-up: caches, plans
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - started) * 1000)
    return out, result


def run(*, stdout, association: str, repeat: int, days: int, category: str,
        **_: Any) -> dict[str, float]:
    assoc = Association.objects.filter(slug=association).first()
    if assoc is None:
        raise SystemExit(f"No association {association!r}: seed it first.")
    with scope(association=assoc):
        last = Activity.objects.aggregate(m=Max("occurred_at"))["m"]  # untimed
        if last is None:
            raise SystemExit(f"{association} has no activity to filter on.")
        latest = association_now(assoc, at=last).date()
        plan = (Person.objects.exclude(member_plan=None).values("member_plan")
                .annotate(n=Count("pk")).order_by("-n").first())
        if plan is None:
            raise SystemExit(f"{association} has no members.")
        plan_id = plan["member_plan"]
        definition = _definition(plan_id, days, category)
        people = Person.objects.count()
        since = datetime.combine(latest - timedelta(days=days), dtime.min,
                                 tzinfo=association_zone(assoc))

        def product() -> int:
            return person_queryset(definition, today=latest).order_by().count()

        product_ms, counted = _times(product, repeat)
        bare_ms, bare_count = _times(lambda: _bare(assoc, plan_id, since, category), repeat)
        sql, params = person_queryset(definition, check=False, today=latest).order_by() \
            .values("pk").query.sql_with_params()
    median = statistics.median(product_ms)
    p95 = sorted(product_ms)[max(0, int(round(0.95 * len(product_ms))) - 1)]
    bare = statistics.median(bare_ms)
    stdout.write(f"association {association}: {people} people; today = latest activity "
                 f"{latest}; plan {plan_id}; {connection.vendor}")
    stdout.write(f"definition: plan is {plan_id} AND status in running AND {category} "
                 f"activity in the last {days} days")
    stdout.write(f"product (parse + check + ORM COUNT): {counted} people, median "
                 f"{median:.1f} ms, p95 {p95:.1f} ms, min {min(product_ms):.1f} ms "
                 f"over {repeat}")
    stdout.write(f"ceiling (one hand-written EXISTS statement): {bare_count} people, median "
                 f"{bare:.1f} ms, min {min(bare_ms):.1f} ms")
    stdout.write(f"query: {sql % tuple(repr(p) for p in params)}"[:1500])
    if counted != bare_count:
        stdout.write(f"MISMATCH: product {counted} vs bare {bare_count}")
    stdout.write(f"segments_count_ms={median:.1f}")
    return {"segments_count_ms": median, "ceiling_ms": bare}
