"""``commonground lifecycle advance [--association SLUG] [--date YYYY-MM-DD] [--enqueue]``.

Run daily (cron or systemd timer): moves memberships to renewal due, grace and lapsed by
date. ``--enqueue`` hands the work to the task worker instead of running it here.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scope

from commonground.membership import services, tasks
from commonground.tenancy.cli import association_named
from commonground.tenancy.models import Association


class Command(BaseCommand):
    help = "Membership lifecycle jobs."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        adv = sub.add_parser("advance", help="Advance memberships by date (the daily run)")
        adv.add_argument("--association", help="Slug; all associations when omitted")
        adv.add_argument("--date", type=date.fromisoformat, help="Run as of this date")
        adv.add_argument("--enqueue", action="store_true", help="Queue for the task worker")

    def handle(self, *args, action: str, association=None, date=None, enqueue=False, **options):
        qs = [association_named(association)] if association else Association.objects.all()
        for assoc in qs:
            if enqueue:
                transaction.on_commit(lambda a=assoc: tasks.advance_memberships.enqueue(a.pk))
                self.stdout.write(f"{assoc.slug}: queued")
                continue
            with scope(association=assoc):
                counts = services.memberships_advance(association=assoc, today=date)
            summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "no changes"
            self.stdout.write(f"{assoc.slug}: {summary}")
