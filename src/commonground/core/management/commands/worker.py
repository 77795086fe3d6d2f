"""``commonground worker``: the background task worker, plus the daily lifecycle run.

Runs django-tasks' database worker on every queue and enqueues
``membership.tasks.advance_all_associations`` at start-up and then once a day (shortly
after midnight, server time zone). With several workers the run is simply done again,
which is harmless: the advance is idempotent. Instead of this timer a deployment may use
cron, e.g. ``5 0 * * * commonground lifecycle advance``, and start the worker with
``--no-daily``.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

logger = logging.getLogger("commonground.worker")


def seconds_until_next_run(now: datetime, *, at_minute: int = 5) -> float:
    """Seconds from ``now`` until the next local 00:05."""
    target = now.replace(hour=0, minute=at_minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def enqueue_daily_advance() -> None:
    """The daily jobs: the lifecycle advance and pruning old idempotency records."""
    from commonground.membership.tasks import advance_all_associations
    from commonground.tenancy.tasks import prune_idempotency_records

    advance_all_associations.enqueue()
    prune_idempotency_records.enqueue()


def _daily(stop: threading.Event) -> None:
    from django.db import close_old_connections

    while not stop.wait(seconds_until_next_run(timezone.localtime())):
        try:
            enqueue_daily_advance()
        except Exception:  # noqa: BLE001 - keep the timer alive; the worker logs task errors
            logger.exception("could not enqueue the daily lifecycle advance")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run the background task worker (all queues) and the daily lifecycle advance."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue-name", default="*", help="Queues to process (default: all)")
        parser.add_argument("--no-daily", action="store_true",
                            help="Do not enqueue the daily lifecycle advance (use cron instead)")
        parser.add_argument("--batch", action="store_true",
                            help="Process what is queued, then exit")

    def handle(self, *args, queue_name: str, no_daily: bool = False, batch: bool = False,
               **options) -> None:
        stop = threading.Event()
        if not no_daily:
            enqueue_daily_advance()
            threading.Thread(target=_daily, args=(stop,), daemon=True, name="daily-advance").start()
        try:
            call_command("db_worker", queue_name=queue_name, batch=batch, reload=False,
                         verbosity=options.get("verbosity", 1))
        finally:
            stop.set()
