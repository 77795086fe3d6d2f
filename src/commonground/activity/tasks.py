"""Background work for activity ingestion. Tasks take ids and call the service."""

from __future__ import annotations

from django_tasks import task

from .services import batch_run


@task()
def run_activity_batch(batch_id: int) -> dict[str, int]:
    """Run (or resume) an activity file batch. A batch another process holds is left alone."""
    batch = batch_run(batch_id=batch_id)
    return {"created": batch.created, "duplicates": batch.duplicates,
            "unmatched": batch.unmatched, "rejected": batch.rejected}
