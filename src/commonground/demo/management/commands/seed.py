"""``commonground seed --association SLUG --members N --seed S [--name NAME] [--reset]``.

Creates a realistic association with five years of history. The same seed gives the same
people and histories; dates are laid out backwards from today (or ``--today``).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from commonground.core.errors import Conflict
from commonground.core.schema import migrate_if_needed
from commonground.demo.seed import seed_association


class Command(BaseCommand):
    help = "Seed a realistic demo association (deterministic for a given --seed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--association", required=True, help="Slug of the association to create")
        parser.add_argument("--members", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--name", help="Display name (default: from the slug)")
        parser.add_argument("--reset", action="store_true",
                            help="Drop the association's data first if it exists")
        parser.add_argument("--today", type=date.fromisoformat,
                            help="Lay the history out as of this date (default: today)")
        parser.add_argument("--activities-per-member", type=float, default=100.0,
                            help="Two years of activity from every feed, about this many per member "
                                 "(default 100; 0 for none)")

    def handle(self, *args, association: str, members: int, seed: int, name=None, reset=False,
               today=None, activities_per_member: float = 100.0, **options) -> None:
        if members < 1:
            raise CommandError("--members must be at least 1")
        if not 0 <= activities_per_member <= 1000:
            raise CommandError("--activities-per-member must be between 0 and 1000")
        verbose = options.get("verbosity", 1) >= 1
        # A fresh data directory gets its schema here (reported on stderr: stdout stays the same).
        migrate_if_needed(say=self.stderr.write if verbose else None)
        try:
            result = seed_association(
                slug=association, members=members, seed=seed, name=name, today=today, reset=reset,
                activities_per_member=activities_per_member,
                progress=(lambda msg: self.stdout.write(f"  {msg}")) if verbose else None)
        except Conflict as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"Seeded {result.association.slug}: {result.members} members, "
                          f"{result.organisations} organisations in {result.seconds:.1f}s")
        if result.activities:
            self.stdout.write(f"Activity: {result.activities} activities from 7 feeds in "
                              f"{result.activity_seconds:.1f}s")
        self.stdout.write(f"Ground truth (not product data): {result.truth_path}")
        self.stdout.write(f"Staff logins (password {result.password!r}):")
        for email, label in result.staff:
            self.stdout.write(f"  {email:<45} {label}")
        if result.member_email:
            self.stdout.write(f"Member portal login: {result.member_email} / {result.password}")
