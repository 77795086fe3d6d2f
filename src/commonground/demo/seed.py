"""Seed a realistic association: reference data through services, history in bulk.

Deterministic: everything random comes from ``random.Random(seed)`` and a Faker seeded
with ``seed``. Dates are laid out relative to ``today`` (the real current date unless
given), so the same seed on the same day gives identical rows, and on another day the
same people with the same history shifted to end on that day.

``seed_association`` is the entry point; ``_seed`` runs the named steps of ``steps`` in
order (``STEPS``), then writes the ground-truth file.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django_scopes import scope

from commonground.core import bulk
from commonground.core.errors import Conflict
from commonground.tenancy import services as tenancy_services
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import (
    catalogue,
    engagement_derive,
    engagement_seed,
    insight_derive,
    outreach_derive,
    planning_derive,
    prospects_derive,
    recommend_derive,
    segments_derive,
    steps,
)
from .previous_system import previous_system
from .steps import YEARS, Seeding, staff_email


@dataclass
class SeedResult:
    association: Association
    members: int
    organisations: int
    counts: dict[str, int]
    seconds: float
    truth_path: Path
    password: str
    staff: list[tuple[str, str]] = field(default_factory=list)  # (email, role name)
    member_email: str = ""
    activities: int = 0
    activity_seconds: float = 0.0


def truth_path(slug: str) -> Path:
    return Path(settings.DATA_DIR) / "seed" / f"{slug}-truth.csv"


def seed_association(*, slug: str, members: int, seed: int, name: str | None = None,
                     today: date | None = None, reset: bool = False,
                     activities_per_member: float = 100.0,
                     progress: Callable[[str], None] | None = None) -> SeedResult:
    """Create association ``slug`` with ``members`` individual members and five years of history,
    plus two years of activity from every feed (about ``activities_per_member`` each; 0: none).

    Refuses (Conflict) when the association exists, unless ``reset`` drops it first.
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    if members < 1:
        raise Conflict("--members must be at least 1")
    with transaction.atomic():
        existing = Association.objects.filter(slug=slug).first()
        if existing is not None:
            if not reset:
                raise Conflict(f"Association {slug!r} already exists; use --reset to drop and "
                               "recreate its data")
            counts = tenancy_services.association_purge(association_id=existing.pk)
            say(f"dropped {slug}: {sum(counts.values())} rows")
        association = tenancy_services.association_create(
            slug=slug, name=name or slug.replace("-", " ").title(), country="US", currency="USD")
        today = today or association_today(association)  # the date its lifecycle runs on
        with scope(association=association):
            result = _seed(association, members=members, seed=seed, today=today, say=say,
                           activities_per_member=activities_per_member)
    # Fresh planner statistics: without them SQLite picks the (association, …) indexes over
    # person_id for a bulk-loaded table (a 100,000-row scan per lookup).
    bulk.analyze()
    # What the product derives (inference, scores…) runs through its services, committed.
    result.counts.update(engagement_derive.derive(result.association, today=today, say=say))
    result.counts.update(insight_derive.derive(result.association, today=today, say=say))
    result.counts.update(prospects_derive.derive(result.association, today=today, say=say))
    result.counts.update(recommend_derive.derive(result.association, today=today, say=say))
    result.counts.update(segments_derive.derive(result.association, today=today, say=say))
    # After the lapse model's step (its high-risk members are the current list's selection).
    result.counts.update(outreach_derive.derive(result.association, today=today, say=say))
    # Last: its objectives and balance read every app's metrics (issue 12).
    result.counts.update(planning_derive.derive(result.association, today=today, say=say))
    result.seconds = time.perf_counter() - started
    return result


def _seed(association: Association, *, members: int, seed: int, today: date,
          say: Callable[[str], None], activities_per_member: float = 100.0) -> SeedResult:
    """Run every step of ``STEPS``, in order, over one shared state."""
    s = Seeding(association=association, members=members, seed=seed, today=today, say=say,
                activities_per_member=activities_per_member, rnd=random.Random(seed))
    for step in STEPS:
        step(s)
    assert s.truth_path is not None  # the last step writes it
    return SeedResult(association=association, members=members, organisations=s.n_orgs,
                      counts=s.counts, seconds=0.0, truth_path=s.truth_path,
                      password=catalogue.DEMO_PASSWORD, staff=s.staff, member_email=s.member_email,
                      activities=s.activity.activities if s.activity else 0,
                      activity_seconds=s.activity.seconds if s.activity else 0.0)


def truth_file(s: Seeding) -> None:
    """The ground truth for evaluating models (hidden profiles, drawn outcomes), beside the
    database: outside the product tables, never shown in the UI."""
    association, rows, seed, today, members = s.association, s.truth_rows, s.seed, s.today, s.members
    path = truth_path(association.slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    meta = {"association": association.slug, "seed": seed, "today": today.isoformat(),
            "members": members, "years": YEARS, "rows": len(rows),
            "note": "Hidden per-member profiles (engagement, motivations, career stage) that drove "
                    "the simulated renewals and lapses; next_renews is the drawn outcome of the "
                    "decision still ahead on 'today'. Prospect rows (kind=prospect) carry the "
                    "hidden interest that drove their activity. Not product data.",
            "plans": {p.slug: str(p.price) for p in s.plans.values()},
            "written_at": datetime.now(UTC).isoformat(timespec="seconds")}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    s.truth_path = path


# The seed, step by step. The order is part of the output (one random source for all).
STEPS: tuple[Callable[[Seeding], None], ...] = (
    steps.chapters,
    steps.plans,
    steps.staff,
    steps.organisations,
    steps.people,  # individual members, their memberships and histories
    steps.organisation_members,
    steps.invoice_numbers,
    steps.write,
    steps.activity,
    steps.portal_member,
    previous_system,  # a finished membership-history import, through the real importer
    steps.lifecycle,
    engagement_seed.engagement,  # its own random source: the steps above are unchanged
    truth_file,
)



def seeded(slug: str) -> bool:
    return Association.objects.filter(slug=slug).exists()


def slug_for_bench(members: int, seed: int) -> str:
    return slugify(f"bench-{members}-s{seed}")


__all__ = ["SeedResult", "seed_association", "staff_email", "truth_path", "slug_for_bench", "seeded"]
