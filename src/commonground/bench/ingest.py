"""Activity ingestion: file → committed rows per second, then a re-ingest that adds nothing.

Generates (streamed to disk, a block at a time) an email-platform export and a website
analytics export — emails of existing people, unknown emails, anonymous visitors, visitors
that identify through a tracked click, and some bad rows — ingests both end to end, then
ingests them again (must add 0 rows). Then the rows the first ingest wrote (activities,
identities, rejects …) are bare-loaded into scratch tables with the same indexes
(``bench.ceiling``). Prints ``ingest_rows_per_s``, the ceiling's ``ingest_ceiling_rows_per_s``
and last ``ingest_vs_ceiling=<ratio>``.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection
from django_scopes import scope

from commonground.activity.models import Source
from commonground.activity.services import activities_prepare, batch_run, source_create
from commonground.people.models import Person
from commonground.tenancy.models import Association
from commonground.tenancy.services import association_create

from . import ceiling

BLOCK = 100_000  # generated a block at a time: the generator must not set the peak RSS
START_US = 1_714_521_600_000_000  # 2024-05-01 UTC
MONTH_US = 30 * 86_400 * 1_000_000


def add_arguments(parser) -> None:
    parser.add_argument("--activities", type=int, default=10_000_000, help="Rows in all (both files)")
    parser.add_argument("--people", type=int, default=50_000, help="People whose emails appear")
    parser.add_argument("--keep", action="store_true", help="Keep the generated files")


def _people(association, count: int) -> list[str]:
    have = Person.objects.filter(email_key__startswith="bench").count()
    if have < count:
        Person.objects.bulk_create(
            [Person(association=association, first_name="Bench", last_name=str(i),
                    email=f"bench{i}@example.org", email_key=f"bench{i}@example.org",
                    search_text=f"bench {i}") for i in range(have, count)], batch_size=5000)
    return [f"bench{i}@example.org" for i in range(count)]


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _times(rng, n: int, start: int, total: int) -> np.ndarray:
    """Time-ordered over the month (exports are), with a minute of jitter."""
    step = MONTH_US // max(total, 1)
    return START_US + (start + np.arange(n)) * step + rng.integers(0, 60_000_000, n)


def _email_block(rng, n: int, start: int, emails: np.ndarray, total: int) -> pl.DataFrame:
    who = rng.integers(0, len(emails), n)
    email = emails[who].astype(object)
    roll = rng.random(n)
    email[roll < 0.15] = [f"lead{i}@example.net" for i in rng.integers(0, 200_000, int((roll < 0.15).sum()))]
    email[roll > 0.995] = "not an email"
    action = np.array(["sent", "sent", "sent", "open", "open", "click", "bounce", "unsubscribe"])[
        rng.integers(0, 8, n)]
    ts = _times(rng, n, start, total)
    visitor = np.where((action == "click") & (rng.random(n) < 0.3),
                       np.char.add("v", (who % 400_000).astype(str)), "")
    return pl.DataFrame({
        "Email Address": email.astype(str), "Action": action,
        "Timestamp": pl.from_epoch(pl.Series(ts), time_unit="us").dt.strftime("%Y-%m-%d %H:%M:%S"),
        "Campaign": np.char.add("Campaign ", (ts // (86_400_000_000 * 7) % 10).astype(str)),
        "URL": np.where(action == "click", "https://acme.example.org/news", ""),
        "Visitor ID": visitor,
    })


def _web_block(rng, n: int, start: int, emails_count: int, total: int) -> pl.DataFrame:
    visitor = rng.integers(0, 1_000_000, n)
    ts = _times(rng, n, start, total)
    name = np.array(["page_view"] * 6 + ["session_start", "scroll", "click", "form_submit",
                                          "file_download", "purchase"])[rng.integers(0, 12, n)]
    user_id = np.where(rng.random(n) < 0.05, np.char.add("u", (visitor % emails_count).astype(str)), "")
    stamp = ts.astype(str).astype(object)
    stamp[rng.random(n) < 0.003] = "oops"
    return pl.DataFrame({
        "event_date": pl.from_epoch(pl.Series(ts), time_unit="us").dt.strftime("%Y%m%d"),
        "event_timestamp": stamp.astype(str), "event_name": name,
        "user_pseudo_id": np.char.add("v", visitor.astype(str)), "user_id": user_id,
        "page_location": np.char.add("https://acme.example.org/p/", (visitor % 500).astype(str)),
    })


def _generate(path: Path, rows: int, make, seed: int) -> None:
    rng = np.random.default_rng(seed)
    with open(path, "wb") as fh:
        done = 0
        while done < rows:
            n = min(BLOCK, rows - done)
            make(rng, n, done).write_csv(fh, include_header=done == 0)
            done += n


def run(*, stdout, activities: int, people: int, keep: bool = False, **_) -> None:
    assoc = Association.objects.filter(slug="bench-ingest").first() or association_create(
        slug="bench-ingest", name="Ingest bench", country="US", currency="USD")
    workdir = Path(settings.DATA_DIR) / "bench-ingest"
    workdir.mkdir(parents=True, exist_ok=True)
    with scope(association=assoc):
        emails = np.array(_people(assoc, people))
        sources = {}
        for slug, profile in (("bench-email", "email"), ("bench-web", "web_analytics")):
            sources[slug] = Source.objects.filter(slug=slug).first() or source_create(
                association=assoc, name=slug, slug=slug, profile=profile)
        half = activities // 2
        files = {"bench-email": workdir / f"email-{half}.csv",
                 "bench-web": workdir / f"web-{activities - half}.csv"}
        t = time.perf_counter()
        seed = time.time_ns()  # fresh rows each run: the first ingest must write them all
        _generate(files["bench-email"], half, lambda r, n, s: _email_block(r, n, s, emails, half),
                  seed)
        web_rows = activities - half
        _generate(files["bench-web"], web_rows,
                  lambda r, n, s: _web_block(r, n, s, people, web_rows), seed + 1)
        size_mb = sum(f.stat().st_size for f in files.values()) >> 20
        stdout.write(f"generated {activities} rows ({size_mb} MB) "
                     f"in {time.perf_counter() - t:.1f} s on {connection.vendor}, "
                     f"peak RSS so far {_peak_mb()} MB")

        def ingest() -> tuple[float, dict[str, int]]:
            totals = {"created": 0, "duplicates": 0, "unmatched": 0, "rejected": 0}
            start = time.perf_counter()
            for slug, path in files.items():
                batch, _ = activities_prepare(association=assoc, source=sources[slug], path=path)
                batch = batch_run(batch_id=batch.pk)
                for k in totals:
                    totals[k] += getattr(batch, k)
            return time.perf_counter() - start, totals

        cpu = time.process_time()
        marks = ceiling.snapshot()
        first_s, first = ingest()
        stdout.write(f"ingest: {first} in {first_s:.1f} s ({time.process_time() - cpu:.1f} s CPU here)")
        written = ceiling.snapshot()  # the first run's rows: the ceiling loads just these
        cpu = time.process_time()
        again_s, again = ingest()
        stdout.write(f"re-ingest: {again} in {again_s:.1f} s ({time.process_time() - cpu:.1f} s CPU here)")
        if again["created"]:
            stdout.write(f"ERROR: re-ingest created {again['created']} rows")
        # After both timed runs (see ceiling.bare_load): the same rows, bare, into scratch tables.
        bare = ceiling.bare_load(marks, written)
    if not keep:
        for path in files.values():
            path.unlink(missing_ok=True)
    stdout.write(f"peak_rss_mb={_peak_mb()}")
    stdout.write(f"reingest_rows_per_s={int(activities / again_s)}")
    stdout.write(f"ingest_rows_per_s={int(activities / first_s)}")
    stdout.write(bare.describe())
    stdout.write(f"ingest_ceiling_rows_per_s={int(activities / bare.seconds) if bare.seconds else 0}")
    stdout.write(f"ingest_vs_ceiling={ceiling.ratio(first_s, bare)}")
