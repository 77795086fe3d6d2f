"""Page benchmark: p95 of the member list and the member profile over real HTTP.

Seeds a bench association (``bench-<members>-s<seed>``, reused across runs) in the
configured database, starts the real server (gunicorn) on a free local port, logs in as
a staff user through the login form, warms up, then times sequential requests:

* the member list with a filter (plan, status, chapter or expiry window) AND a search
  term (surname fragments, full surnames, email fragments), every fifth one a page-2
  request through the list's own "next" cursor;
* the profile of random members.

The bench association is seeded without the activity stream by default
(``--activities-per-member``): the Member 360 part of the profile has its own benchmark
with 10 million activities (``bench member360``), and 100 per member would make seeding
100,000 members take twenty minutes.

Prints p50/p95/max per page type; the last line is ``pages_p95_ms=<worse p95>``.
"""

from __future__ import annotations

import math
import random
import re
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django_scopes import scope

from commonground.core.management.commands.serve import gunicorn_argv, static_collected
from commonground.demo.catalogue import DEMO_PASSWORD
from commonground.demo.management.commands.demo import child_env, stop
from commonground.demo.seed import seed_association, seeded, slug_for_bench, staff_email
from commonground.membership.models import Plan
from commonground.people.models import Chapter, Person
from commonground.tenancy.models import Association

EXPIRY_WINDOWS = ("30", "60", "90", "ended90")
STATUS_WEIGHTS = {"active": 5, "renewal_due": 1, "grace": 1, "lapsed": 2, "cancelled": 1}


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--activities-per-member", type=float, default=0.0,
                        help="Activity to seed with the bench association (default none)")
    parser.add_argument("--requests", type=int, default=300, help="Timed requests per page type")
    parser.add_argument("--warmup", type=int, default=30, help="Untimed requests per page type")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="Server port (default: any free one)")
    parser.add_argument("--timeout", type=float, default=30.0, help="Per-request timeout, seconds")
    parser.add_argument("--slowest", type=int, default=0, help="Also print the N slowest requests")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be within 0..100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def report_requests(stdout, errors: Counter, *, requests: int, timed: list[tuple[float, str]],
                    slowest: int) -> None:
    """Print the failed requests by kind (stop when more than a tenth failed) and the slowest."""
    if errors:
        stdout.write("errors: " + ", ".join(f"{k} ×{v}" for k, v in errors.most_common()))
        if sum(errors.values()) > requests // 10:
            raise RuntimeError("More than 10 % of the requests failed; see the server log")
    for elapsed, url in sorted(timed, reverse=True)[:slowest]:
        stdout.write(f"  slow: {elapsed:7.1f} ms  {url}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workload(association: Association, rnd: random.Random, n: int) -> tuple[list[dict], list[int]]:
    """Search/filter combinations for the list, and person ids for profiles."""
    with scope(association=association):
        plans = list(Plan.objects.filter(kind="individual").values_list("id", flat=True))
        chapters = list(Chapter.objects.values_list("id", flat=True))
        top = [r["last_name"] for r in Person.objects.values("last_name").annotate(n=Count("id"))
               .order_by("-n", "last_name")[:60]]
        max_id = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
        min_id = Person.objects.order_by("id").values_list("id", flat=True).first() or 0
        sample_ids = sorted({rnd.randint(min_id, max_id) for _ in range(n * 3)})
        existing = list(Person.objects.filter(id__in=sample_ids).values_list("id", "email"))
    rnd.shuffle(existing)
    emails = [e for _, e in existing[: max(20, n)]]
    terms: list[str] = []
    for i in range(n):
        kind = i % 4
        if kind == 0:  # a surname fragment, as typed: the first 3–5 letters
            name = rnd.choice(top).lower()
            terms.append(name[: rnd.randint(3, min(5, len(name)))])
        elif kind == 1:
            terms.append(rnd.choice(top).lower())
        elif kind == 2:  # the start of someone's email
            local = rnd.choice(emails).split("@")[0]
            terms.append(local[: rnd.randint(4, max(4, min(9, len(local))))])
        else:  # an email domain fragment (an employer's, or a mail provider's)
            label = rnd.choice(emails).split("@")[1].split(".")[0]
            terms.append(label[:8] if label != "example" else rnd.choice(("inbox", "mail.ex")))
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    queries = []
    for i, term in enumerate(terms):
        filt = i % 4
        params: dict[str, str] = {"q": term}
        if filt == 0 and plans:
            params["plan"] = str(rnd.choice(plans))
        elif filt == 1:
            params["status"] = rnd.choices(statuses, weights=weights)[0]
        elif filt == 2 and chapters:
            params["chapter"] = str(rnd.choice(chapters))
        else:
            params["expiring"] = rnd.choice(EXPIRY_WINDOWS)
        queries.append(params)
    return queries, [pid for pid, _ in existing]


def _login(client: httpx.Client, email: str, password: str) -> None:
    page = client.get("/accounts/login/")
    page.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("No CSRF token on the login page")
    response = client.post("/accounts/login/", data={
        "login": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": str(client.base_url) + "/accounts/login/"})
    if response.status_code != 302:
        raise RuntimeError(f"Login failed: HTTP {response.status_code}")


_NEXT = re.compile(r'href="\?([^"]*\bcursor=[^"]*)"[^>]*>\s*(?:Next|Older|More|next)', re.I)
_REL_NEXT = re.compile(r'<a[^>]*\brel="next"[^>]*\bhref="\?([^"]*)"')
_CURSOR = re.compile(r"[?&;]cursor=([A-Za-z0-9_\-]+)")


def next_cursor(html: str) -> str | None:
    """The cursor of the list's "next" link (the first cursor link when it is not labelled)."""
    match = _REL_NEXT.search(html) or _NEXT.search(html)
    if match:
        found = _CURSOR.search("?" + match.group(1).replace("&amp;", "&"))
        if found:
            return found.group(1)
    found = _CURSOR.search(html.replace("&amp;", "&"))
    return found.group(1) if found else None


def timed_get(client: httpx.Client, url: str, errors: Counter) -> tuple[float, str]:
    start = time.perf_counter()
    response = client.get(url)
    body = response.text
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        errors[f"HTTP {response.status_code} {url.split('?')[0]}"] += 1
    return elapsed, body


def _wait_up(base: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server exited with code {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("The server did not come up")


def bench_association(*, members: int, seed: int, stdout, **seed_options) -> Association:
    """The bench association ``bench-<members>-s<seed>``: seeded the first time, then reused."""
    slug = slug_for_bench(members, seed)
    if not seeded(slug):
        stdout.write(f"Seeding {slug} ({members:,} members)…")
        result = seed_association(slug=slug, name=f"Bench {members}", members=members, seed=seed,
                                  **seed_options)
        stdout.write(f"  seeded in {result.seconds:.1f}s")
    else:
        stdout.write(f"Reusing {slug}")
    return Association.objects.get(slug=slug)


@contextmanager
def staff_client(*, slug: str, name: str, workers: int, port: int, timeout: float, stdout
                 ) -> Iterator[httpx.Client]:
    """A real server (gunicorn, logging to ``bench/<name>-server.log``) and an HTTP client
    logged in as the bench association's director through the login form."""
    if not static_collected():
        call_command("collectstatic", interactive=False, verbosity=0)
    email = staff_email(slug, "director")
    # Keep the known password even if someone changed it, so the bench can log in.
    user = get_user_model().objects.get(email__iexact=email)
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(settings.DATA_DIR) / "bench" / f"{name}-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    stdout.write(f"Starting gunicorn ({workers} workers) on {base}; log {log_path}")
    with log_path.open("w") as log:
        server = subprocess.Popen(gunicorn_argv(host="127.0.0.1", port=port, workers=workers),
                                  env=child_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_up(base, server)
            with httpx.Client(base_url=base, timeout=timeout, follow_redirects=False) as client:
                _login(client, email, DEMO_PASSWORD)
                yield client
        finally:
            stop(server)


def run(*, stdout, members: int, seed: int = 42, requests: int = 300, warmup: int = 30,
        workers: int = 2, port: int = 0, timeout: float = 30.0, slowest: int = 0,
        activities_per_member: float = 0.0, **_) -> dict[str, float]:
    association = bench_association(members=members, seed=seed, stdout=stdout,
                                    activities_per_member=activities_per_member)
    rnd = random.Random(seed)
    queries, person_ids = _workload(association, rnd, requests + warmup)
    if not person_ids:
        raise RuntimeError("The bench association has no people")
    with staff_client(slug=association.slug, name="pages", workers=workers, port=port,
                      timeout=timeout, stdout=stdout) as client:
        figures = _measure(client, association.slug, queries, person_ids, requests, warmup, rnd,
                           stdout, slowest)
    stdout.write(f"database: {connection.vendor}, members: {members:,}, "
                 f"requests per page type: {requests}")
    worst = max(figures["list_p95_ms"], figures["profile_p95_ms"])
    figures["pages_p95_ms"] = worst
    stdout.write(f"pages_p95_ms={worst:.1f}")
    return figures


def _measure(client: httpx.Client, slug: str, queries: list[dict], person_ids: list[int],
             requests: int, warmup: int, rnd: random.Random, stdout, slowest: int = 0
             ) -> dict[str, float]:
    list_url = f"/a/{slug}/people/"
    errors: Counter = Counter()
    list_ms: list[float] = []
    profile_ms: list[float] = []
    page2 = 0
    timed: list[tuple[float, str]] = []
    cursor_from: str | None = None
    last_params: dict[str, str] = {}
    for i, params in enumerate(queries):
        # Every fifth list request is page 2 of the previous query, through its own cursor.
        if i % 5 == 4 and cursor_from:
            url = f"{list_url}?{urlencode({**last_params, 'cursor': cursor_from})}"
            page2 += i >= warmup
        else:
            url = f"{list_url}?{urlencode(params)}"
            last_params = params
        elapsed, body = timed_get(client, url, errors)
        cursor_from = next_cursor(body) if "cursor" not in url else None
        if i >= warmup:
            list_ms.append(elapsed)
            timed.append((elapsed, url))
        pid = person_ids[i % len(person_ids)] if i < len(person_ids) else rnd.choice(person_ids)
        elapsed, _ = timed_get(client, f"/a/{slug}/people/{pid}/", errors)
        if i >= warmup:
            profile_ms.append(elapsed)
            timed.append((elapsed, f"/a/{slug}/people/{pid}/"))
    report_requests(stdout, errors, requests=len(queries), timed=timed, slowest=slowest)
    figures: dict[str, float] = {}
    for name, values in (("list", list_ms), ("profile", profile_ms)):
        p50, p95, mx = percentile(values, 50), percentile(values, 95), max(values)
        figures.update({f"{name}_p50_ms": p50, f"{name}_p95_ms": p95, f"{name}_max_ms": mx})
        extra = f" (page-2 requests: {page2})" if name == "list" else ""
        stdout.write(f"{name:<8} n={len(values):<4} p50={p50:7.1f} ms  p95={p95:7.1f} ms  "
                     f"max={mx:7.1f} ms{extra}")
    return figures
