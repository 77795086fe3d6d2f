"""The demo's finished membership-history import: the student years some members spent in
the association's previous system, brought over by the real importer.

A few dozen members on a full annual plan who joined more than a year before "today"
were Student members before, in the system the association used until then: one to four
annual Student terms (now and then a missed year, taken up again), each paid, the last
ending some months before they joined as full members. The step writes that export as
the previous system would (CiviCRM membership payments: one row per term) and imports it
through ``membership.history`` — ``history_prepare`` then ``engine.run_batch`` — so the
Import page lists a finished history import with nothing rejected, and those members'
profiles show a lapsed Student membership with its imported terms, payments and dates.

Its random draws come from their own source: the rest of the seed is the same with or
without this step.
"""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from commonground.membership import lifecycle
from commonground.membership.history import engine
from commonground.membership.history.services import history_prepare
from commonground.membership.models import HistoryBatch, Membership
from commonground.tenancy.clock import association_today

from .steps import Seeding

PEOPLE = 36  # at most, and a tenth of the members in a small seed
PLAN = "student"
FILE_NAME = "previous-system-membership-payments.csv"
HEADER = ["Contact ID", "Email", "First Name", "Last Name", "Membership Type", "Start Date",
          "End Date", "Total Amount", "Receive Date", "Payment Instrument", "Invoice ID",
          "Contribution Status"]
INSTRUMENTS = ("Credit Card", "Credit Card", "Check", "EFT")


def _rows(s: Seeding, rnd: random.Random) -> list[list[str]]:
    """The export's rows: each chosen member's Student terms, oldest first."""
    plan = s.plans[PLAN]
    # The engine dates statuses by the association's own today; both must be past the lapse.
    latest_lapse = min(s.today, association_today(s.association)) - timedelta(days=1)
    members = (Membership.objects.filter(person__isnull=False, plan__kind="individual",
                                         plan__term_months=12,
                                         joined_on__lte=s.today - timedelta(days=400))
               .exclude(plan__slug=PLAN).order_by("person_id")
               .values_list("person_id", "person__email", "person__first_name",
                            "person__last_name", "joined_on"))
    limit = min(PEOPLE, max(1, s.members // 10))
    rows: list[list[str]] = []
    chosen: set[int] = set()
    for person_id, email, first, last, joined_on in members.iterator():
        if not email or person_id in chosen or len(chosen) >= limit:
            continue
        terms, gap = rnd.randint(1, 4), rnd.randint(45, 300)  # days between the two plans
        missed = terms > 1 and rnd.random() < 0.2  # a year off, then back
        years = terms + missed
        start = date(joined_on.year - years, joined_on.month, 1) - timedelta(days=gap)
        story = []
        for k in range(terms):
            if missed and k == terms - 1:
                start = lifecycle.term_end(start, 12) + timedelta(days=1)  # a year off
            end = lifecycle.term_end(start, 12)
            story.append((start, end))
            start = end + timedelta(days=1)
        if lifecycle.lapse_date(story[-1][1], plan.grace) > min(latest_lapse, joined_on):
            continue
        chosen.add(person_id)
        for start, end in story:
            paid_on = start + timedelta(days=rnd.choice((0, 0, 0, 2, 5, 12)))
            rows.append([f"{90000 + person_id}", email, first, last, plan.name,
                         start.isoformat(), end.isoformat(), f"{plan.price:.2f}",
                         paid_on.isoformat(), rnd.choice(INSTRUMENTS),
                         f"PS-{paid_on.year}-{len(rows) + 1:05d}", "Completed"])
    return rows


def previous_system(s: Seeding) -> None:
    """Import the members' Student years from the previous system (see the module)."""
    rows = _rows(s, random.Random(s.seed * 1009 + 17))
    if not rows:
        return
    with tempfile.TemporaryDirectory(prefix="cg-demo-") as tmp:
        path = Path(tmp) / FILE_NAME
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
        batch, _ = history_prepare(association=s.association, path=path, file_name=FILE_NAME,
                                   move=True)
    batch = engine.run_batch(batch_id=batch.pk)
    s.counts[HistoryBatch._meta.db_table] = 1
    s.counts["history_memberships_created"] = batch.memberships_created
    s.say(f"imported {batch.rows_done} rows of membership history from the previous system: "
          f"{batch.created} terms, {batch.memberships_created} memberships, "
          f"{batch.rejected} rejected")
