"""Insight's background work, found by ``core.schedule`` (it imports each app's ``tasks``)."""

from .prospects import tasks as prospects_tasks  # noqa: F401  (registers its daily job)
