"""Running an activity batch: block by block, each block one transaction.

A block (some MB of the file, or an API delivery) is mapped column-wise and written
set-based (``write``). ``rows_done``, ``bytes_done`` and the counts commit with the block,
so a crash loses at most the block in flight and a rerun resumes after the last one that
committed. At the end the source's health fields are updated and the rejects written to
an errors CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import polars as pl
from django.db.models import F
from django.utils import timezone

from commonground.core.batches import engine as batches
from commonground.core.batches import errors as error_parts
from commonground.core.batches import readers
from commonground.core.batches.files import batch_dir as folder
from commonground.core.batches.readers import UnreadableFile
from commonground.core.batches.registry import BatchKind
from commonground.core.errors import ValidationFailed
from commonground.core.memory import without_cyclic_gc
from commonground.membership.models import Offering
from commonground.tenancy import audit

from ..identity.services import email_hashes_sync
from ..mapping import mapping_check_header, mapping_validate
from ..models import Activity, ActivityBatch, Source
from ..signals import activities_landed
from . import transform, write

ProgressFn = Callable[[ActivityBatch], None]
T = TypeVar("T")
R = TypeVar("R")
COUNTS = ("created", "duplicates", "unmatched", "rejected")
# A block's frames (text cells, mapped columns, the CSV for COPY) cost some KB a row: 50k
# rows keep the peak memory flat and low however big the file; bigger blocks gained little.
BLOCK_BYTES = 8 << 20
BLOCK_ROWS = 50_000
AREA = "activity"


def batch_dir(batch: ActivityBatch) -> Path:
    """The batch's working folder (stored file, errors, UTF-8 copy). Named by a random key
    kept in its options, not its id: two databases sharing a data dir never share a folder."""
    return folder(AREA, str(batch.options.get("dir") or batch.pk))


def context(source: Source) -> transform.Context:
    offerings: dict[str, int] = {}
    for pk, slug, name in Offering.objects.values_list("id", "slug", "name"):
        offerings.setdefault(name.strip().lower(), pk)
        offerings[slug.lower()] = pk
    return transform.Context(mapping=mapping_validate(source.mapping), offerings=offerings)


def run_batch(*, batch_id: int, progress: ProgressFn | None = None,
              frames: list[pl.DataFrame] | None = None) -> ActivityBatch:
    """Run (or resume) a batch to the end; ``frames`` are the rows of an API/webhook batch
    (a file batch reads its file). Returns the batch as finished."""
    return batches.run(KIND, batch_id, progress=progress, frames=frames)


class ActivityRun:
    def __init__(self, batch: ActivityBatch, owner: str, progress: ProgressFn | None) -> None:
        self.batch = batch
        self.association = batch.association
        self.source = batch.source
        self.owner = owner
        self.progress = progress
        self.ctx = context(self.source)
        self.header: list[str] = []
        self.people: set[int] = set()  # who this run landed activities for

    def run(self, frames: list[pl.DataFrame] | None) -> None:
        if self.ctx.mapping["identity"].get("hash"):
            email_hashes_sync(association=self.association)
        if frames is not None:
            for i, frame in enumerate(frames):
                if i >= self.batch.bytes_done:  # for row batches: frames done
                    self._commit(frame, end_offset=i + 1)
            self._finish()
            return
        path = Path(self.batch.file_path)
        try:
            header, info = readers.read_header(path)
            if info["format"] == "csv":
                path = readers.utf8_copy(path, batch_dir(self.batch))
                header, info = readers.read_header(path)
            if header:
                missing = mapping_check_header(self.ctx.mapping, header)
                if missing and not self.batch.message:
                    ActivityBatch.objects.filter(pk=self.batch.pk).update(
                        message="Columns the mapping names but the file lacks (left blank): "
                        + ", ".join(missing))
            self.header = header
            first_line = self.batch.rows_done + (2 if info["format"] != "jsonl" else 1)
            blocks = readers.iter_blocks(
                path, header, info, offset=self.batch.bytes_done if info["format"] != "xlsx"
                else self.batch.rows_done, first_line=first_line,
                block_bytes=int(self.batch.options.get("block_bytes", BLOCK_BYTES)),
                block_rows=int(self.batch.options.get("block_rows", BLOCK_ROWS)))
            for block, mapped in _ahead(blocks, lambda b: transform.apply(b.frame, self.ctx)):
                self._commit(block.frame, end_offset=block.end_offset, mapped=mapped)
        except UnreadableFile as exc:
            raise ValidationFailed(f"{self.batch.file_name}: {exc}", fields={"file": [str(exc)]}
                                   ) from None
        self._finish()

    def _commit(self, frame: pl.DataFrame, *, end_offset: int,
                mapped: tuple[pl.DataFrame, pl.DataFrame] | None = None) -> None:
        # Mapping is pure: done before taking the row lock (for files, a block ahead).
        activities, rejects = mapped or transform.apply(frame, self.ctx)
        # A block lost to a crash is written again by the rerun (ON CONFLICT: no doubles).
        with batches.chunk_transaction(ActivityBatch, self.batch.pk, self.owner) as locked:
            error_parts.write_records(batch_dir(self.batch), locked.rows_done, rejects)
            with without_cyclic_gc():
                counts = write.write_chunk(association=self.association, source_id=self.source.pk,
                                           batch_id=self.batch.pk, activities=activities,
                                           rejects=rejects)
            ActivityBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=F("rows_done") + frame.height, bytes_done=end_offset,
                heartbeat_at=timezone.now(), **{k: F(k) + counts[k] for k in COUNTS})
        self.people.update(counts["people"])
        self.batch.rows_done += frame.height
        self.batch.bytes_done = end_offset
        if self.progress:
            self.progress(self.batch)

    def _finish(self) -> None:
        with batches.finish_transaction(ActivityBatch, self.batch.pk, self.owner) as batch:
            batch.errors_file = error_parts.assemble(batch_dir(batch), self.header,
                                                     upto=batch.rows_done)
            batch.total_rows = batch.rows_done
            Source.objects.filter(pk=self.source.pk).update(
                last_fed_at=batch.finished_at, rows_landed=F("rows_landed") + batch.created,
                rows_duplicate=F("rows_duplicate") + batch.duplicates,
                rows_unmatched=F("rows_unmatched") + batch.unmatched,
                rows_rejected=F("rows_rejected") + batch.rejected)
            audit.record(association=self.association, action="activity.ingested", obj=batch,
                         actor=batch.created_by,
                         data={"source": self.source.slug, "channel": batch.channel,
                               "file": batch.file_name, "rows": batch.rows_done,
                               **{k: getattr(batch, k) for k in COUNTS}})
            if self.people:
                # The apps above (scoring) update these people once this commits. A batch
                # resumed after a crash names only the people of the chunks it ran itself.
                activities_landed.send(sender=Activity, association=self.association,
                                       batch_id=batch.pk, person_ids=sorted(self.people))
        self.batch = batch


def _ahead(items: Iterator[T], work: Callable[[T], R]) -> Iterator[tuple[T, R]]:
    """``(item, work(item))`` with the next item read and worked on in a second thread
    while the caller writes this one: reading and mapping (polars, which releases the GIL)
    then overlap the database's share instead of adding to it. One block ahead at most,
    so the peak memory stays that of two blocks however long the file."""
    def step() -> tuple[T, R] | None:
        item = next(items, None)
        return None if item is None else (item, work(item))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="activity-read") as pool:
        pending = pool.submit(step)
        while (done := pending.result()) is not None:
            pending = pool.submit(step)
            yield done


def _run(batch: ActivityBatch, owner: str, progress: ProgressFn | None,
         frames: list[pl.DataFrame] | None = None) -> None:
    ActivityRun(batch, owner, progress).run(frames)


def summary(batch: ActivityBatch) -> dict[str, int]:
    return {k: getattr(batch, k) for k in COUNTS}


KIND = BatchKind(name="activities", model=ActivityBatch, runner=_run, summary=summary,
                 related=("association", "source"))
