"""The one background task for every batch kind: ``run_batch(kind, batch_id)``.

Tasks take names and ids, never objects; ``enqueue`` hands a batch to the worker once
the transaction that prepared it commits (a worker never sees an uncommitted batch).
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from . import engine, registry


@task()
def run_batch(kind: str, batch_id: int) -> dict[str, int]:
    """Run (or resume) a batch of ``kind``. A batch another live process holds is left alone."""
    batch = engine.run_batch(kind, batch_id)
    return registry.get(kind).summary(batch)


def enqueue(kind: str, batch_id: int) -> None:
    transaction.on_commit(lambda: run_batch.enqueue(kind, batch_id))
