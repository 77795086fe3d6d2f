"""Background work for people. Tasks take ids and call the import engine."""

from __future__ import annotations

from django_tasks import task

from .importing.engine import run_batch


@task()
def run_import(batch_id: int) -> dict[str, int]:
    """Run (or resume) a roster import batch. A batch another process holds is left alone."""
    batch = run_batch(batch_id=batch_id)
    return {"created": batch.created, "updated": batch.updated, "rejected": batch.rejected,
            "rows_done": batch.rows_done}
