"""Running a batch: claim it, run its kind's runner in its association's scope, record a
failure; and the transaction every chunk (and the finish) of every kind commits in.

A chunk commits together with the batch's progress (``rows_done``, offsets, counts), so a
crash loses at most the chunk in flight and a rerun resumes after the last committed one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from commonground.core import bulk

from . import registry
from .models import BatchStatus, FileBatch
from .ownership import BatchBusy, claim, owner_id
from .registry import BatchKind


def run(kind: BatchKind, batch_id: int, *, progress: Any = None, **extra: Any) -> FileBatch:
    """Run (or resume) a prepared batch to the end. Returns the batch as it finished.

    If another live process holds the batch, returns it untouched (the caller may poll)."""
    owner = owner_id()
    batch = claim(kind.model, batch_id, owner, related=kind.related)
    if batch is None:
        with scopes_disabled():
            return kind.model.objects.select_related(*kind.related).get(pk=batch_id)
    with scope(association=batch.association):
        try:
            kind.runner(batch, owner, progress, **extra)
        except BatchBusy:
            pass
        except Exception as exc:
            kind.model.objects.filter(pk=batch.pk, owner=owner).update(
                status=BatchStatus.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000],
                owner="")
            raise
        return kind.model.objects.select_related(*kind.related).get(pk=batch.pk)


def run_batch(kind: str, batch_id: int, *, progress: Any = None, **extra: Any) -> FileBatch:
    """``run`` for a kind named in the registry (the task, the command)."""
    return run(registry.get(kind), batch_id, progress=progress, **extra)


def resumable(batches: QuerySet) -> FileBatch | None:
    """The latest unfinished batch among ``batches`` (the same file, options, source…)
    whose stored file is still there: preparing the same file again resumes it."""
    unfinished = batches.exclude(status=BatchStatus.DONE).order_by("-id").first()
    return unfinished if unfinished is not None and Path(unfinished.file_path).is_file() else None


@contextmanager
def chunk_transaction(model: type[FileBatch], batch_id: int, owner: str, *,
                      rows_done: int | None = None) -> Iterator[FileBatch]:
    """One chunk's transaction, with the batch row locked: raises ``BatchBusy`` if another
    process took the batch over (or, given ``rows_done``, already committed this chunk)."""
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=batch_id)
        if locked.owner != owner or (rows_done is not None and locked.rows_done != rows_done):
            raise BatchBusy()
        # Not waiting for the WAL flush is safe here: a chunk lost to a crash is lost
        # together with its progress, and the rerun writes it again.
        bulk.commit_unflushed()
        yield locked


@contextmanager
def finish_transaction(model: type[FileBatch], batch_id: int, owner: str) -> Iterator[FileBatch]:
    """The last transaction: the batch locked and marked done; the caller adds its own
    fields and audit entry, and the batch is saved on leaving."""
    with transaction.atomic():
        batch = model.objects.select_for_update().get(pk=batch_id)
        if batch.owner != owner:
            raise BatchBusy()
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.owner = ""
        yield batch
        batch.save()


