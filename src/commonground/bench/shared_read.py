"""Shared-read benchmark: one page of members' named fields read through a data-sharing
agreement, against the same read inside the association holding the data (percent).

Seeds (the first time; reused afterwards) two associations in their own consortium,
``bench-share-grantor`` with ``--members`` members in ten chapters, every one of whom
consented, and ``bench-share-recipient``, with an agreement in force sharing first name,
last name, email and chapter of the consenting members. Then, interleaved ``--repeat``
times after a warm-up, each time from a random starting member:

* **inside one association**: the grantor's own read of the same page — the same rows
  (its members who consented), the same columns, the same keyset page of ``--page``
  rows — as one ``values_list`` in the grantor's scope;
* **through the agreement**: ``crossing.sharing.shared_rows`` as the recipient's
  director: the agreement found and checked in force (both approvals, not revoked, today
  between start and expiry in the grantor's zone, both still in the consortium), the
  reader's roles, the same page, and the read logged — a ``SharedRead`` and an audit
  entry in each association, committed with the read.

Prints both medians and p95s; the last line is ``shared_read_overhead_pct=<x>``: how much
the agreement adds to the median read (the target: ≤ 20).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from commonground.collaboration.crossing import sharing as crossing
from commonground.collaboration.models import (
    Consortium,
    ConsortiumMember,
    SharingAgreement,
    SharingConsent,
)
from commonground.collaboration.services import sharing as sharing_services
from commonground.core.bulk import analyze
from commonground.core.pagination import encode_cursor
from commonground.people import services as people_services
from commonground.people.models import Person
from commonground.tenancy.models import Association
from commonground.tenancy.services import association_create, staff_add

GRANTOR, RECIPIENT = "bench-share-grantor", "bench-share-recipient"
FIELDS = ["first_name", "last_name", "email", "chapter"]
TITLE = "Bench shared read"


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--page", type=int, default=200, help="Rows per page (at most 200)")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--seed", type=int, default=42)


def _seed(members: int, say) -> tuple[Association, Association, Any, Any]:
    g = Association.objects.filter(slug=GRANTOR).first()
    if g is None:
        say(f"Seeding {GRANTOR} with {members:,} consenting members…")
        g = association_create(slug=GRANTOR, name="Bench Grantor Society")
        r = association_create(slug=RECIPIENT, name="Bench Recipient Guild")
        g_admin = staff_add(association=g, email=f"director@{GRANTOR}.example.org",
                            role_key="admin").user
        staff_add(association=r, email=f"director@{RECIPIENT}.example.org", role_key="admin")
        with scope(association=g):
            chapters = [people_services.chapter_create(association=g, name=f"Chapter {i}")
                        for i in range(10)]
            since = date(2020, 1, 1)
            Person.objects.bulk_create([
                Person(association=g, first_name=f"First{i}", last_name=f"Last{i}",
                       email=f"member{i}@{GRANTOR}.example", email_key=f"member{i}@{GRANTOR}.example",
                       phone="+15035550100", city="Portland", country="US",
                       chapter=chapters[i % 10], member_status="active",
                       member_since=since + timedelta(days=i % 1500),
                       member_until=date(2030, 1, 1))
                for i in range(members)], batch_size=5000)
            consortium = Consortium.objects.create(association=g, name="Bench consortium",
                                                   started_on=date(2020, 1, 1))
        for i, who in enumerate((g, r)):
            with scope(association=who):
                ConsortiumMember.objects.create(association=who, consortium=consortium,
                                                status="active", is_coordinator=i == 0)
        with scope(association=g):
            agreement = sharing_services.agreement_propose(
                association=g, partner=r, title=TITLE, purpose="The benchmark",
                fields=FIELDS, expires_on=timezone.localdate() + timedelta(days=3000),
                actor=g_admin)
            now = timezone.now()
            SharingConsent.objects.bulk_create([
                SharingConsent(association=g, agreement=agreement, person_id=pk, given_at=now)
                for pk in Person.objects.values_list("pk", flat=True)], batch_size=5000)
        with scope(association=r):
            r_admin = staff_add(association=r, email=f"director@{RECIPIENT}.example.org",
                                role_key="admin").user
            sharing_services.agreement_approve(association=r, agreement=agreement,
                                               actor=r_admin)
        analyze([Person, SharingConsent])
    r = Association.objects.get(slug=RECIPIENT)
    with scope(association=g):
        agreement = SharingAgreement.objects.get(title=TITLE)
    reader = get_user_model().objects.get(email=f"director@{RECIPIENT}.example.org")
    return g, r, agreement, reader


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(q * len(ordered))) - 1)]


def run(*, stdout, members: int, page: int, repeat: int, seed: int = 42,
        **_: Any) -> dict[str, float]:
    def say(text: str) -> None:
        stdout.write(text)

    g, r, agreement, reader = _seed(members, say)
    page = max(1, min(page, 200))
    columns = ["first_name", "last_name", "email", "chapter__name"]
    with scope(association=g):
        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(seed)

    def inside(after: int) -> list:
        with scope(association=g), transaction.atomic():
            consented = SharingConsent.objects.filter(
                agreement=agreement, withdrawn_at__isnull=True, person_id__gt=after
            ).values("person_id")
            return list(Person.objects.filter(erased_at__isnull=True)
                        .exclude(member_status="").filter(pk__in=consented, pk__gt=after)
                        .order_by("pk").values_list("pk", *columns)[: page + 1])

    def through(after: int) -> list:
        with scope(association=r):
            return crossing.shared_rows(agreement_id=agreement.pk, recipient=r, reader=reader,
                                        via="api", cursor=encode_cursor([after, after]),
                                        limit=page).rows

    starts = [ids[rng.randrange(0, max(1, len(ids) - page))] for _ in range(repeat + 10)]
    for after in starts[:10]:  # warm-up
        inside(after)
        through(after)
    t_in: list[float] = []
    t_through: list[float] = []
    for after in starts[10:]:
        for fn, bucket in ((inside, t_in), (through, t_through)) if rng.random() < 0.5 \
                else ((through, t_through), (inside, t_in)):
            t = time.perf_counter()
            fn(after)
            bucket.append((time.perf_counter() - t) * 1000)
    assert len(through(starts[-1])) == len(inside(starts[-1])[:page])
    med_in, med_through = statistics.median(t_in), statistics.median(t_through)
    overhead = (med_through - med_in) / med_in * 100
    say(f"database: {connection.vendor}; {len(ids):,} members, all consenting; pages of "
        f"{page} rows × {len(FIELDS)} fields, {repeat} reads each, interleaved")
    say(f"inside one association: median {med_in:.2f} ms, p95 {_pct(t_in, 0.95):.2f} ms")
    say(f"through the agreement (checked + logged for both parties): median "
        f"{med_through:.2f} ms, p95 {_pct(t_through, 0.95):.2f} ms")
    say(f"shared_read_overhead_pct={overhead:.1f}")
    return {"shared_read_overhead_pct": overhead, "inside_ms": med_in,
            "through_ms": med_through}
