"""Membership history import benchmark: generate a file of terms and payments, import it.

Generates a realistic membership payments export (CiviCRM's shape): people on monthly,
annual and a few lifetime plans, each with a run of consecutive terms broken now and then
by a gap (a lapse, then a reinstatement), an amount, a date paid (a few left open), an
invoice number and a transaction id on most rows — the rows shuffled, so one member's
terms are spread over the whole file. It imports the file into a fresh association (a new
slug per run), imports it again (which must add nothing), then bare-loads the rows the
first import wrote into scratch tables with the same indexes (``bench.ceiling``). Prints
``history_rows_per_s=<int>``, ``history_ceiling_rows_per_s=<int>`` and last
``history_vs_ceiling=<ratio>``.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from django.db import connection
from django_scopes import scope
from faker.providers.person.en_US import Provider as PersonNames

from commonground.membership.history.engine import run_batch
from commonground.membership.history.services import history_prepare
from commonground.membership.services import plan_save
from commonground.tenancy.services import association_create

from . import ceiling

PLANS = [("Monthly", 1, "12.00"), ("Annual", 12, "150.00"), ("Lifetime", 0, "1200.00")]
HEADER = ["Contact ID", "First Name", "Last Name", "Email", "Membership Type",
          "Membership Start Date", "Membership End Date", "Total Amount", "Receive Date",
          "Payment Method", "Contribution Status", "Transaction ID", "Invoice ID"]
METHODS = ["Credit Card", "Check", "EFT", "Cash", "PayPal"]


def add_arguments(parser) -> None:
    parser.add_argument("--terms", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="The last day terms may start (default: today)")


def generate(path: Path, terms: int, *, seed: int = 1, today: date | None = None) -> dict:
    """Write ``terms`` rows (vectorised with numpy, written by polars); returns facts."""
    rng = np.random.default_rng(seed)
    last_month = np.datetime64(today or date.today(), "M")
    # People: 45 % monthly (1–48 terms), 52 % annual (1–10), 3 % lifetime (1 term).
    people = max(1, terms // 8)
    while True:
        kind = rng.choice(3, people, p=[0.45, 0.52, 0.03])
        count = np.where(kind == 0, rng.integers(1, 49, people),
                         np.where(kind == 1, rng.integers(1, 11, people), 1))
        if count.sum() >= terms:
            break
        people = int(people * 1.3) + 1
    cut = int(np.searchsorted(np.cumsum(count), terms))
    kind, count = kind[:cut + 1], count[:cut + 1]
    count[-1] -= int(count.sum() - terms)
    kind, count = kind[count > 0], count[count > 0]
    n_people = kind.size
    person = np.repeat(np.arange(n_people), count)
    k = np.arange(terms) - np.repeat(np.cumsum(count) - count, count)  # term number
    pm = np.maximum(np.array([p[1] for p in PLANS])[kind], 1)  # months per term, per person
    months = np.array([p[1] for p in PLANS])[kind][person]
    # Gaps: 4 % of renewals come after a break of 2–12 months (monthly) or 1–3 years.
    gap = np.where((k > 0) & (rng.random(terms) < 0.04),
                   np.where(months == 1, rng.integers(2, 13, terms), 12 * rng.integers(1, 4, terms)),
                   0)
    firsts_at = np.cumsum(count) - count
    total = np.cumsum(gap)
    base = total[firsts_at]  # (a person's first term has no gap)
    cum_gap = total - np.repeat(base, count)
    gaps_of = total[firsts_at + count - 1] - base
    # The last term ends between 30 months ago and a month ahead: some live, some lapsed.
    span = count * pm + gaps_of
    first = last_month - rng.integers(-1, 30, n_people).astype("timedelta64[M]") \
        - span.astype("timedelta64[M]")
    day = rng.integers(0, 28, n_people)[person].astype("timedelta64[D]")
    start_m = first[person] + (k * pm[person] + cum_gap).astype("timedelta64[M]")
    start = start_m.astype("datetime64[D]") + day
    end = np.where(months == 0, np.datetime64("9999-12-31"),
                   (start_m + pm[person].astype("timedelta64[M]")).astype("datetime64[D]") + day
                   - np.timedelta64(1, "D"))
    paid_shift = rng.integers(-10, 6, terms).astype("timedelta64[D]")
    unpaid = rng.random(terms) < 0.03
    firsts = np.array(list(PersonNames.first_names))[rng.integers(0, 5000, n_people)
                                                     % len(PersonNames.first_names)]
    lasts = np.array(list(PersonNames.last_names))[rng.integers(0, 5000, n_people)
                                                   % len(PersonNames.last_names)]
    amount = np.array([p[2] for p in PLANS])[kind][person]
    df = pl.DataFrame({
        "Contact ID": pl.Series(person + 100_000).cast(pl.Utf8),
        "First Name": firsts[person], "Last Name": lasts[person],
        "Email": pl.Series(person).cast(pl.Utf8),
        "Membership Type": np.array([p[0] for p in PLANS])[kind][person],
        "Membership Start Date": start, "Membership End Date": end,
        "Total Amount": amount, "Receive Date": np.where(unpaid, np.datetime64("NaT"),
                                                         start + paid_shift),
        "Payment Method": np.array(METHODS)[rng.integers(0, len(METHODS), terms)],
        "Contribution Status": np.where(unpaid, "Pending", "Completed"),
        "Transaction ID": pl.Series(np.arange(terms)).cast(pl.Utf8),
        "Invoice ID": pl.Series(np.arange(terms) + 1).cast(pl.Utf8),
    })
    df = df.with_columns(
        Email=pl.col("First Name").str.to_lowercase() + pl.lit(".") + pl.col("Last Name")
        .str.to_lowercase() + pl.lit(".") + pl.col("Email") + pl.lit("@example.org"),
        **{"Transaction ID": pl.lit("ch_") + pl.col("Transaction ID"),
           "Invoice ID": pl.lit("INV-") + pl.col("Invoice ID"),
           "Total Amount": pl.lit("$") + pl.col("Total Amount"),
           "Membership End Date": pl.when(pl.col("Membership Type") == "Lifetime")
           .then(pl.lit(None, dtype=pl.Date)).otherwise(pl.col("Membership End Date"))})
    df = df.sample(fraction=1.0, shuffle=True, seed=seed)
    df.write_csv(path, date_format="%Y-%m-%d")
    return {"people": n_people, "gaps": int((gap > 0).sum())}


def setup_association():
    slug = f"bench-history-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 100000}"
    association = association_create(slug=slug, name=f"History bench {slug}", country="US",
                                      currency="USD")
    with scope(association=association):
        for name, months, price in PLANS:
            plan_save(association=association, name=name, price=price, term_months=months)
    return association


def timed_import(association, path: Path) -> tuple[float, object]:
    started = time.perf_counter()
    with scope(association=association):
        batch, _ = history_prepare(association=association, path=path)
    batch = run_batch(batch_id=batch.pk)
    return time.perf_counter() - started, batch


def run(*, stdout, terms: int, seed: int = 1, today: date | None = None, **_) -> None:
    with tempfile.TemporaryDirectory(prefix="cg-bench-history-") as tmp:
        path = Path(tmp) / "history.csv"
        t0 = time.perf_counter()
        facts = generate(path, terms, seed=seed, today=today)
        stdout.write(f"generated {terms} terms of {facts['people']} people ({facts['gaps']} "
                     f"gaps) in {time.perf_counter() - t0:.1f} s "
                     f"({path.stat().st_size / 1e6:.1f} MB)")
        association = setup_association()
        stdout.write(f"database: {connection.vendor}; association: {association.slug}")
        marks = ceiling.snapshot()
        elapsed, batch = timed_import(association, path)
        written = ceiling.snapshot()
        stdout.write(
            f"import: {batch.rows_done} rows in {elapsed:.2f} s — terms {batch.created}, "
            f"rejected {batch.rejected}, memberships {batch.memberships_created}, renewed "
            f"{batch.memberships_renewed}, lapsed {batch.memberships_lapsed}, reinstated "
            f"{batch.memberships_reinstated}, invoices {batch.invoices_created}, payments "
            f"{batch.payments_created}, people {batch.people_created}")
        again, rerun = timed_import(association, path)
        stdout.write(f"re-import (adds nothing): {rerun.rows_done} rows in {again:.2f} s — "
                     f"created {rerun.created}, unchanged {rerun.unchanged}, invoices "
                     f"{rerun.invoices_created}")
        if rerun.created or rerun.invoices_created or rerun.people_created:
            raise RuntimeError("the re-import added rows")
        stdout.write(f"history_reimport_rows_per_s={int(rerun.rows_done / again) if again else 0}")
        bare = ceiling.bare_load(marks, written)
        rate = int(batch.rows_done / elapsed) if elapsed else 0
        stdout.write(f"history_rows_per_s={rate}")
        stdout.write(bare.describe())
        stdout.write(f"history_ceiling_rows_per_s="
                     f"{int(batch.rows_done / bare.seconds) if bare.seconds else 0}")
        stdout.write(f"history_vs_ceiling={ceiling.ratio(elapsed, bare)}")
