"""Periodic jobs: tasks that apps ask the worker to enqueue every hour or every day.

An app marks a django-tasks task with ``@periodic("hour")`` or ``@periodic("day")`` in its
``tasks.py`` (found the first time the jobs are asked for, so only the worker pays for
importing every app's tasks and services); ``commonground worker`` enqueues each at
start-up and then at minute 5 of every hour, the daily ones at 00:05 server time. Jobs
must be idempotent: with several workers they simply run again. Hourly is what
per-association "today" needs: an association's day starts at its own midnight, so the
lifecycle advance runs soon after each zone's midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.utils.module_loading import autodiscover_modules

Every = Literal["hour", "day"]
AT_MINUTE = 5


@dataclass(frozen=True)
class Job:
    name: str
    task: Any  # a django_tasks Task: has .enqueue()
    every: Every


_jobs: dict[str, Job] = {}
_discovered = False


def periodic(every: Every) -> Callable[[Any], Any]:
    """Register a task to run every hour or every day; returns the task unchanged."""
    if every not in ("hour", "day"):
        raise ValueError(f"every must be 'hour' or 'day', not {every!r}")

    def mark(task: Any) -> Any:
        name = f"{task.module_path}" if hasattr(task, "module_path") else repr(task)
        _jobs[name] = Job(name=name, task=task, every=every)
        return task

    return mark


def jobs() -> list[Job]:
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")  # each app's tasks.py marks its jobs as it loads
        _discovered = True
    return sorted(_jobs.values(), key=lambda job: job.name)


def due(at: datetime, *, start: bool = False) -> list[Job]:
    """The jobs to enqueue at a tick: all at start-up, hourly ones every tick, daily at 00:05."""
    return [job for job in jobs() if start or job.every == "hour" or at.hour == 0]


def seconds_until_next_tick(now: datetime, *, at_minute: int = AT_MINUTE) -> float:
    """Seconds from ``now`` until the next hh:05."""
    target = now.replace(minute=at_minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(hours=1)
    return (target - now).total_seconds()
