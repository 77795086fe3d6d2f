"""``commonground worker``: the background task worker, plus the periodic jobs.

Runs django-tasks' database worker on every queue and enqueues the jobs apps registered
with ``core.schedule.periodic`` (the lifecycle advance every hour, so each association is
advanced soon after its own midnight; housekeeping daily) at start-up and then at minute
5 of every hour. With several workers a job simply runs again, which is harmless: jobs
are idempotent. Instead of this timer a deployment may use cron, e.g.
``5 * * * * commonground lifecycle advance``, and start the worker with ``--no-daily``.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from commonground.core import schedule

logger = logging.getLogger("commonground.worker")


def enqueue_periodic(*, at: datetime, start: bool = False) -> list[str]:
    """Enqueue the jobs due at this tick; returns their names."""
    due = schedule.due(at, start=start)
    for job in due:
        job.task.enqueue()
    return [job.name for job in due]


def _ticks(stop: threading.Event) -> None:
    while not stop.wait(schedule.seconds_until_next_tick(timezone.localtime())):
        try:
            enqueue_periodic(at=timezone.localtime())
        except Exception:  # noqa: BLE001 - keep the timer alive; the worker logs task errors
            logger.exception("could not enqueue the periodic jobs")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run the background task worker (all queues) and the periodic jobs (lifecycle advance …)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue-name", default="*", help="Queues to process (default: all)")
        parser.add_argument("--no-daily", action="store_true",
                            help="Do not enqueue the periodic jobs (use cron instead)")
        parser.add_argument("--batch", action="store_true",
                            help="Process what is queued, then exit")

    def handle(self, *args, queue_name: str, no_daily: bool = False, batch: bool = False,
               **options) -> None:
        stop = threading.Event()
        if not no_daily:
            enqueue_periodic(at=timezone.localtime(), start=True)
            threading.Thread(target=_ticks, args=(stop,), daemon=True, name="periodic-jobs").start()
        try:
            call_command("db_worker", queue_name=queue_name, batch=batch, reload=False,
                         verbosity=options.get("verbosity", 1))
        finally:
            stop.set()
