"""The balance page over HTTP on the 100,000-member association: p95 from the stored
snapshots (taken once first, as the nightly job does). Last line ``balance_page_p95_ms=``.
"""

from __future__ import annotations

import time
from collections import Counter

from django.db import connection
from django_scopes import scope

from commonground.planning.balance import services
from commonground.tenancy.clock import association_today

from .pages import bench_association, percentile, staff_client, timed_get


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0)


def run(*, stdout, members: int, seed: int = 42, requests: int = 200, warmup: int = 20,
        workers: int = 2, port: int = 0, timeout: float = 30.0, **_) -> dict[str, float]:
    association = bench_association(members=members, seed=seed, stdout=stdout)
    with scope(association=association):
        started = time.perf_counter()
        n = services.balance_snapshots_take(association=association,
                                            today=association_today(association))
        stdout.write(f"snapshots: {n} in {time.perf_counter() - started:.1f}s")
    url = f"/a/{association.slug}/planning/balance/"
    errors: Counter = Counter()
    with staff_client(slug=association.slug, name="balance", workers=workers, port=port,
                      timeout=timeout, stdout=stdout) as client:
        times = []
        for i in range(warmup + requests):
            ms, _body = timed_get(client, url, errors)
            if i >= warmup:
                times.append(ms)
    p95 = percentile(times, 95)
    stdout.write(f"database: {connection.vendor}, members: {members:,}, requests: {requests}, "
                 f"errors: {sum(errors.values())}")
    stdout.write(f"balance_page_p95_ms={p95:.1f}")
    return {"balance_page_p95_ms": p95}
